// See daemon.h.
#include "bgpd/daemon/daemon.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "bgpd/io/clock.h"
#include "bgpd/io/log.h"
#include "bgpd/io/socket_options.h"
#include "bgpd/wire/notification_codes.h"

namespace evpnd::bgpd {
namespace {

// The peers a restarted speaker waits to see again before it decides (RFC 4724 §4.1).
size_t ExpectedPeers(const Config& config) {
  return static_cast<size_t>(std::count_if(config.peers.begin(), config.peers.end(),
                                           [](const PeerConfig& p) { return !p.shutdown; }));
}

// Decisions per turn of the event loop before yielding to I/O (ARCHITECTURE.md §2 fairness).
constexpr size_t kDecisionBudget = 2000;
// Pull UPDATEs for a peer only while less than this is waiting in its socket queue. Every byte
// queued is one a fresh change (a MAC move) waits behind during a table transfer: the queue is
// kept to a few milliseconds of the peer's reading, and the kernel's to TCP_NOTSENT_LOWAT
// (connection.cc).
constexpr size_t kWriteHighMark = 16 * 1024;
// The smallest UPDATE size a flush asks for, however little room is left (RFC 4271 §4).
constexpr size_t kMinFlushMessageSize = 4096;

rib::RibConfig MakeRibConfig(const GlobalConfig& g) {
  rib::RibConfig c;
  c.local_as = g.local_as;
  c.router_id = g.router_id;
  c.cluster_id = g.cluster_id;
  return c;
}

evpn::IpAddress FromEndpoint(const tcp::endpoint& e) {
  const auto a = e.address();
  if (a.is_v4()) return evpn::IpAddress::V4(a.to_v4().to_uint());
  std::array<uint8_t, 16> b;
  const auto bytes = a.to_v6().to_bytes();
  std::copy(bytes.begin(), bytes.end(), b.begin());
  return evpn::IpAddress::V6(b);
}

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

// For a timer's handler: the timer is still there and due. A completion can be queued in the
// event loop just before the loop handles what dropped the timer or armed it again; that
// handler must then do nothing.
bool Due(const std::unique_ptr<asio::steady_timer>& timer) {
  return timer != nullptr && timer->expiry() <= asio::steady_timer::clock_type::now();
}

}  // namespace

Daemon::Daemon(asio::io_context& io, Config config, bool restarted)
    : io_(io),
      config_(std::move(config)),
      listener_(io, [this](const evpn::IpAddress& from, tcp::socket s) {
        return DispatchIncoming(from, std::move(s));
      }),
      rib_(std::make_unique<rib::Rib>(MakeRibConfig(config_.global))),
      adj_rib_out_(std::make_unique<rib::AdjRibOut>(*rib_)),
      evpn_(std::make_unique<rib::EvpnService>(*rib_)),
      evpn_timer_(io),
      fib_timer_(io),
      fib_hold_timer_(io),
      restarting_(restarted && config_.global.graceful_restart.enabled),
      restart_state_timer_(io),
      deferral_(restarting_, ExpectedPeers(config_)),
      deferral_timer_(io),
      deferral_grace_timer_(io) {}

Daemon::~Daemon() = default;

absl::Status Daemon::Start() {
  // Peers start even if an address cannot be listened on (they still connect out); the first
  // listen error is returned so that startup can refuse and a reload can report it.
  absl::Status status;
  // RFC 2385: the keys are on the listening sockets before they listen and before any peer
  // connects, so that no SYN of a peer with a password is accepted unsigned.
  listener_md5_keys_.clear();
  for (const PeerConfig& peer : config_.peers) {
    if (!peer.password.empty()) listener_md5_keys_[peer.address] = peer.password;
  }
  for (const evpn::IpAddress& address : config_.global.listen_addresses) {
    status.Update(listener_.Listen(address, config_.global.listen_port, listener_md5_keys_));
  }
  for (const PeerConfig& peer : config_.peers) AddPeer(peer);
  InstallMd5Keys();
  ConfigureEvpn(nullptr);
  ApplyEvpnImportFilter();
  // Peers configured later (reloads) no longer announce a restart.
  restart_state_timer_.expires_after(
      std::chrono::seconds(config_.global.graceful_restart.restart_time_s));
  restart_state_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) restarting_ = false;
  });
  if (deferral_.deferring()) {
    spdlog::info(
        "graceful restart: restarting (the previous evpnd did not exit cleanly); route "
        "selection deferred until the peers are back and have sent End-of-RIB (at most {} s)",
        config_.global.graceful_restart.selection_deferral_s);
    deferral_timer_.expires_after(
        std::chrono::seconds(config_.global.graceful_restart.selection_deferral_s));
    deferral_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && deferral_.OnTimerExpired()) EndSelectionDeferral();
    });
  }
  return status;
}

void Daemon::EndSelectionDeferral() {
  spdlog::info("graceful restart: selection deferral over ({}); selecting routes and advertising",
               deferral_.why());
  deferral_timer_.cancel();
  deferral_grace_timer_.cancel();
  SchedulePropagate();
}

FsmConfig Daemon::MakeFsmConfig(const PeerConfig& peer) const {
  FsmConfig f;
  f.local.local_as = config_.global.local_as;
  f.local.router_id = config_.global.router_id;
  f.local.expected_peer_as = peer.remote_as;
  f.local.hold_time_s = peer.timers.hold_time_s;
  f.local.keepalive_s = peer.timers.keepalive_s;
  f.local.families = peer.families;
  f.local.graceful_restart = config_.global.graceful_restart.enabled;
  f.local.restart_time_s = config_.global.graceful_restart.restart_time_s;
  // RFC 4724 §3: R (Restart State) on the sessions of a freshly started daemon, so that peers
  // send their routes without waiting for ours; F (Forwarding State): the kernel FDB is left in
  // place across a restart (Shutdown stops fib-sync before the sessions go), so the peers may
  // keep forwarding to us.
  f.local.restarting = restarting_;
  f.local.forwarding_preserved = config_.global.graceful_restart.enabled;
  f.local.hostname = Hostname();
  f.passive = peer.passive;
  f.connect_retry = absl::Seconds(peer.timers.connect_retry_s);
  // Different peers get different jitter; the same peer the same sequence on every run.
  uint64_t seed = uint64_t{config_.global.router_id} << 32;
  for (uint8_t b : peer.address.bytes()) seed = (seed ^ b) * 0x100000001b3ULL;  // FNV-1a step
  f.jitter_seed = seed;
  return f;
}

void Daemon::AddPeer(const PeerConfig& peer) {
  Peer& p = peers_[peer.address];
  p.id = next_peer_id_++;
  addresses_[p.id] = peer.address;
  p.session = std::make_unique<PeerSession>(io_, peer, MakeFsmConfig(peer), *this);
  if (peer.shutdown) {
    spdlog::info("peer {}: administratively shut down by configuration", peer.address.ToString());
    p.admin_down = true;
    return;
  }
  p.session->Start();
}

void Daemon::RemovePeer(const evpn::IpAddress& address, uint8_t cease_subcode) {
  auto it = peers_.find(address);
  if (it == peers_.end()) return;
  PeerSession& session = *it->second.session;
  if (session.state() != SessionState::kIdle) {
    session.AutomaticStop(wire::NotificationMessage{wire::kCease, cease_subcode, {}},
                          std::nullopt);
  }
  FinishFlush(it->second.id);
  if (it->second.in_rib) {
    adj_rib_out_->PeerDown(it->second.id);
    (void)rib_->RemovePeer(it->second.id);
  }
  addresses_.erase(it->second.id);
  peers_.erase(it);
  SchedulePropagate();
}

void Daemon::InstallMd5Keys() {
  // RFC 2385: the listening sockets need the key of every peer that uses one, so that its SYN
  // is accepted; a key no peer uses any more is removed (an empty key deletes it), or that
  // peer's unsigned SYNs would be dropped.
  std::map<evpn::IpAddress, std::string> wanted;
  for (const PeerConfig& peer : config_.peers) {
    if (!peer.password.empty()) wanted[peer.address] = peer.password;
  }
  for (const auto& [address, key] : listener_md5_keys_) {
    if (!wanted.contains(address)) wanted[address] = "";
  }
  for (const Listener::Socket& socket : listener_.Sockets()) {
    for (const auto& [address, key] : wanted) {
      if (address.is_v6() != socket.ipv6) continue;  // a v6-only socket takes no IPv4 key
      auto installed = listener_md5_keys_.find(address);
      if (installed != listener_md5_keys_.end() && installed->second == key) continue;
      if (absl::Status s = SetTcpMd5(socket.fd, address, key); !s.ok()) {
        spdlog::warn("peer {}: TCP-MD5 key not {} on a listener: {}", address.ToString(),
                     key.empty() ? "removed" : "installed", s.message());
      }
    }
  }
  listener_md5_keys_.clear();
  for (const auto& [address, key] : wanted) {
    if (!key.empty()) listener_md5_keys_[address] = key;
  }
}

bool Daemon::DispatchIncoming(const evpn::IpAddress& from, tcp::socket socket) {
  auto it = peers_.find(from);
  if (it == peers_.end()) return false;
  boost::system::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec || !it->second.session->AcceptsFrom(remote)) {
    // RFC 4291 §2.5.6: the same link-local address on another link is another host.
    spdlog::info("connection from {} refused: it did not arrive on interface {}", from.ToString(),
                 it->second.session->config().interface);
    return true;
  }
  it->second.session->Accept(std::move(socket));
  return true;
}

Daemon::Peer* Daemon::Find(PeerSession& session) {
  auto it = peers_.find(session.config().address);
  if (it == peers_.end() || it->second.session.get() != &session) return nullptr;
  return &it->second;
}

void Daemon::Reload(Config config) {
  deferral_.set_expected_peers(ExpectedPeers(config));
  // The management endpoints (API, metrics) are main's business: they touch no session.
  GlobalConfig next_bgp = config.global;
  next_bgp.api = config_.global.api;
  next_bgp.metrics = config_.global.metrics;
  if (!(next_bgp == config_.global)) {
    spdlog::info("global settings changed: restarting every session");
    for (auto& [address, peer] : peers_) {
      peer.session->AutomaticStop(
          wire::NotificationMessage{wire::kCease, wire::kOtherConfigurationChange, {}},
          std::nullopt);
    }
    peers_.clear();
    addresses_.clear();
    flushing_.clear();  // the RIB they are in is replaced below
    adj_rib_out_.reset();
    evpn_.reset();
    // The new EVPN layer reports what it wants from scratch: forget what the old one wanted,
    // and keep the kernel's entries until the restarted sessions have sent their routes.
    for (const VniConfig& v : config_.evpn.vnis) reconciler_.EraseVni(v.vni);
    HoldFibUntilEndOfRib();
    rib_ = std::make_unique<rib::Rib>(MakeRibConfig(config.global));
    adj_rib_out_ = std::make_unique<rib::AdjRibOut>(*rib_);
    evpn_ = std::make_unique<rib::EvpnService>(*rib_);
    listener_.Close();
    listener_md5_keys_.clear();  // new listening sockets start without keys
    config_ = std::move(config);
    if (absl::Status s = Start(); !s.ok()) spdlog::error("reload: {}", s.message());
    // The new EVPN layer learns the kernel's local MACs again from a fresh dump.
    if (netlink_ != nullptr) netlink_->Resync();
    return;
  }
  // Peers removed or changed go; unchanged ones stay up.
  std::vector<evpn::IpAddress> gone;
  for (const auto& [address, peer] : peers_) {
    const PeerConfig* next = config.FindPeer(address);
    if (next == nullptr || !(*next == peer.session->config())) gone.push_back(address);
  }
  for (const evpn::IpAddress& address : gone) {
    const bool removed = config.FindPeer(address) == nullptr;
    spdlog::info("peer {}: {}", address.ToString(), removed ? "removed" : "changed, restarting");
    RemovePeer(address, removed ? wire::kPeerDeConfigured : wire::kOtherConfigurationChange);
  }
  const EvpnConfig previous_evpn = config_.evpn;
  config_ = std::move(config);
  for (const PeerConfig& peer : config_.peers) {
    if (peers_.find(peer.address) == peers_.end()) AddPeer(peer);
  }
  InstallMd5Keys();
  if (!(previous_evpn == config_.evpn)) ConfigureEvpn(&previous_evpn);
  ApplyEvpnImportFilter();
}

void Daemon::Shutdown(const std::string& communication) {
  // The kernel FDB stays as it is: forwarding goes on while evpnd is away, and the next start
  // reconciles it (graceful restart, RFC 4724 §4.1).
  if (netlink_ != nullptr) {
    netlink_->Stop();
    netlink_.reset();
    spdlog::info("fib-sync: stopped; the kernel FDB keeps its entries");
  }
  listener_.Close();
  // ManualStop for every peer, Idle ones too, so that no automatic restart fires meanwhile.
  for (auto& [address, peer] : peers_) peer.session->Stop(communication);
  // Give the NOTIFICATIONs a moment to leave, then stop.
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(200));
  timer->async_wait([this, timer](const boost::system::error_code&) { io_.stop(); });
}

Daemon::Peer* Daemon::FindById(rib::PeerId id) {
  auto a = addresses_.find(id);
  if (a == addresses_.end()) return nullptr;
  auto it = peers_.find(a->second);
  return it == peers_.end() ? nullptr : &it->second;
}

namespace {

// RFC 4724 §4.2: the peer's capability covers EVPN (and, after a restart, kept forwarding).
// Paths a peer that went down takes out of the RIB per turn of the event loop (a few ms).
constexpr size_t kFlushSlice = 20000;

// RFC 4724 §4.1 selection deferral: how long, after the first session is back, the others may
// take before a peer still down stops holding the decision up.
constexpr auto kDeferralGrace = std::chrono::seconds(5);

// Whether the peer's graceful restart capability lists `family` (with the Forwarding State bit
// when `need_forwarding`).
bool Covers(const std::optional<wire::GracefulRestartCapability>& gr, wire::AfiSafi family,
            bool need_forwarding) {
  if (!gr) return false;
  for (const auto& f : gr->families) {
    if (f.family != family) continue;
    return !need_forwarding || (f.flags & wire::GracefulRestartCapability::kForwardingState) != 0;
  }
  return false;
}

// The families besides EVPN whose stale routes a graceful restart may keep.
constexpr wire::AfiSafi kOtherGracefulFamilies[] = {wire::kIpv4Unicast, wire::kIpv6Unicast};

}  // namespace

rib::PeerInfo Daemon::MakePeerInfo(const Peer& peer, const NegotiatedSession& session) const {
  const PeerConfig& c = peer.session->config();
  rib::PeerInfo info;
  info.id = peer.id;
  info.address = c.address;
  if (auto local = peer.session->LocalEndpoint()) info.local_address = FromEndpoint(*local);
  info.router_id = session.peer_router_id;
  info.peer_as = session.peer_as;
  info.local_as = config_.global.local_as;
  info.route_reflector_client = c.route_reflector_client;
  info.next_hop_unchanged = c.next_hop_unchanged;
  info.allowas_in = c.allowas_in;
  info.send_context = session.SendContext();
  info.families = session.families;
  return info;
}

void Daemon::OnEstablished(PeerSession& session, const NegotiatedSession& negotiated) {
  Peer* peer = Find(session);
  if (peer == nullptr) return;
  // What the last session left must be gone before this one files anything.
  FinishFlush(peer->id);
  if (absl::Status s = rib_->AddPeer(MakePeerInfo(*peer, negotiated)); !s.ok()) {
    spdlog::error("peer {}: RIB refused the session: {}", session.Name(), s.message());
    return;
  }
  peer->in_rib = true;
  peer->established = true;
  ++peer->established_count;
  peer->state_since = absl::Now();
  peer->hold_time_s = negotiated.hold_time_s;
  peer->families = negotiated.families;
  peer->route_refresh = negotiated.route_refresh;
  Emit(Event::Kind::kPeer, session.config().address.ToString(), "established",
       absl::StrCat("AS ", negotiated.peer_as, ", hold ", negotiated.hold_time_s, " s"));
  peer->max_prefix_warned = false;
  peer->refresh_in_progress.reset();
  peer->peer_graceful_restart = negotiated.peer_graceful_restart;
  if (peer->stale_timer) {
    // RFC 4724 §4.2: if the new OPEN lacks the capability, the family, or the F bit, the stale
    // routes go at once; otherwise they stay until End-of-RIB or the stale-routes time.
    if (!Covers(negotiated.peer_graceful_restart, wire::kL2vpnEvpn, /*need_forwarding=*/true)) {
      auto swept = rib_->SweepStale(peer->id);
      spdlog::info("peer {}: restarted without preserved forwarding: {} stale routes removed",
                   session.Name(), swept.ok() ? *swept : 0);
      peer->stale_timer.reset();
    } else {
      // The same per family for the others the old session kept.
      for (wire::AfiSafi family : kOtherGracefulFamilies) {
        if (Covers(negotiated.peer_graceful_restart, family, /*need_forwarding=*/true)) continue;
        auto swept = rib_->SweepStale(peer->id, family);
        if (swept.ok() && *swept > 0) {
          spdlog::info(
              "peer {}: restarted without preserved forwarding for {}: {} stale routes "
              "removed",
              session.Name(), wire::AfiSafiName(family), *swept);
        }
      }
      ArmStaleTimer(*peer, absl::Seconds(config_.global.graceful_restart.stale_routes_time_s));
    }
  }
  if (absl::Status s = adj_rib_out_->PeerUp(peer->id); !s.ok()) {
    spdlog::error("peer {}: cannot start the initial advertisement: {}", session.Name(),
                  s.message());
  }
  // RFC 4724 §4.1: wait for the peers that advertised the graceful restart capability (with
  // it comes the End-of-RIB of every family, RFC 4724 §2, even from a helper that lists no
  // family); those restarting too (R bit) only for a short grace (selection_deferral.h).
  using Wait = SelectionDeferral::Wait;
  const bool evpn_negotiated = std::find(negotiated.families.begin(), negotiated.families.end(),
                                         wire::kL2vpnEvpn) != negotiated.families.end();
  Wait wait = Wait::kNo;
  if (evpn_negotiated && negotiated.peer_graceful_restart.has_value()) {
    wait = (negotiated.peer_graceful_restart->restart_flags &
            wire::GracefulRestartCapability::kRestartState) != 0
               ? Wait::kUntilGrace
               : Wait::kUntilTimer;
  }
  const bool first_up = deferral_.deferring() && !deferral_.any_up();
  if (deferral_.OnEstablished(peer->id, wait)) {
    EndSelectionDeferral();
  } else if (deferral_.deferring()) {
    if (wait != Wait::kNo) {
      spdlog::info("peer {}: selection deferred until its End-of-RIB ({} peers waited for)",
                   session.Name(), deferral_.waiting());
    }
    if (first_up) {
      // The other peers get a short while to come back before a missing one stops counting.
      deferral_grace_timer_.expires_after(kDeferralGrace);
      deferral_grace_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && deferral_.OnGraceExpired()) EndSelectionDeferral();
      });
    }
  }
  SchedulePropagate();
}

void Daemon::OnSessionDown(PeerSession& session, const SessionDownAction& down) {
  Peer* peer = Find(session);
  if (peer == nullptr) return;
  peer->last_down_reason = std::string(SessionDownReasonName(down.reason));
  if (down.notification) peer->last_notification = DescribeNotification(*down.notification);
  if (!peer->established) return;
  peer->established = false;
  peer->evpn_end_of_rib = false;
  peer->refresh_stale_timers.clear();  // graceful restart or the flush decides now
  if (deferral_.OnSessionDown(peer->id)) EndSelectionDeferral();
  peer->state_since = absl::Now();
  Emit(Event::Kind::kPeer, session.config().address.ToString(),
       absl::StrCat("down: ", peer->last_down_reason),
       down.notification ? peer->last_notification : std::string());
  adj_rib_out_->PeerDown(peer->id);
  // RFC 4724 §4.2: when the TCP session of a peer that advertised graceful restart for EVPN
  // ends without a NOTIFICATION from either side (or our hold timer expired), the helper keeps
  // its routes, marked stale, for the Restart Time the peer advertised (0: keeps nothing).
  const uint16_t restart_time =
      peer->peer_graceful_restart ? peer->peer_graceful_restart->restart_time : 0;
  const bool graceful =
      config_.global.graceful_restart.enabled && down.was_established &&
      Covers(peer->peer_graceful_restart, wire::kL2vpnEvpn, /*need_forwarding=*/false) &&
      restart_time > 0 &&
      ((down.reason == SessionDownReason::kConnectionFailed && !down.notification) ||
       down.reason == SessionDownReason::kHoldTimerExpired);
  if (graceful) {
    auto stale = rib_->MarkStale(peer->id);
    size_t kept = stale.ok() ? *stale : 0;
    // RFC 4724 §4.2: only the families of the capability are retained; the others' routes go.
    for (wire::AfiSafi family : kOtherGracefulFamilies) {
      if (Covers(peer->peer_graceful_restart, family, /*need_forwarding=*/false)) continue;
      auto swept = rib_->SweepStale(peer->id, family);
      if (swept.ok() && *swept > 0) {
        kept -= *swept;
        spdlog::info("peer {}: {} is not in its graceful restart capability: {} routes removed",
                     session.Name(), wire::AfiSafiName(family), *swept);
      }
    }
    spdlog::info("peer {}: graceful restart helper: keeping {} routes stale for {} s",
                 session.Name(), kept, restart_time);
    ArmStaleTimer(*peer, absl::Seconds(restart_time));
  } else {
    peer->in_rib = false;
    StartFlush(peer->id);
  }
  SchedulePropagate();
}

void Daemon::StartFlush(rib::PeerId id) {
  flushing_.insert(id);
  ScheduleFlushStep();
}

void Daemon::ScheduleFlushStep() {
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(io_, [this] {
    flush_posted_ = false;
    FlushStep();
  });
}

void Daemon::FlushStep() {
  for (auto it = flushing_.begin(); it != flushing_.end();) {
    absl::StatusOr<size_t> left = rib_->RemovePeerPaths(*it, kFlushSlice);
    it = (!left.ok() || *left == 0) ? flushing_.erase(it) : std::next(it);
  }
  SchedulePropagate();
  if (!flushing_.empty()) ScheduleFlushStep();
}

void Daemon::FinishFlush(rib::PeerId id) {
  if (flushing_.erase(id) == 0) return;
  (void)rib_->RemovePeer(id);
}

void Daemon::ArmStaleTimer(Peer& peer, absl::Duration after) {
  if (!peer.stale_timer) peer.stale_timer = std::make_unique<asio::steady_timer>(io_);
  peer.stale_timer->expires_after(absl::ToChronoNanoseconds(after));
  const rib::PeerId id = peer.id;
  peer.stale_timer->async_wait([this, id](const boost::system::error_code& ec) {
    if (ec) return;
    Peer* p = FindById(id);
    // A new session may have armed the timer again after this expiry was queued (RFC 4724
    // §4.2: the stale-routes time from its OPEN on); or its End-of-RIB dropped the timer.
    if (p == nullptr || !Due(p->stale_timer)) return;
    auto swept = rib_->SweepStale(id);
    spdlog::info("peer {}: stale timer expired, {} stale routes removed",
                 p->session->Name(), swept.ok() ? *swept : 0);
    p->stale_timer.reset();
    if (!p->established) {
      p->in_rib = false;
      StartFlush(id);
    }
    SchedulePropagate();
  });
}

void Daemon::ArmRefreshStaleTimer(Peer& peer, wire::AfiSafi family) {
  auto& timer = peer.refresh_stale_timers[family];
  if (!timer) timer = std::make_unique<asio::steady_timer>(io_);
  const uint32_t after_s = config_.global.graceful_restart.stale_routes_time_s;
  timer->expires_after(absl::ToChronoNanoseconds(absl::Seconds(after_s)));  // again at a BoRR
  const rib::PeerId id = peer.id;
  timer->async_wait([this, id, family, after_s](const boost::system::error_code& ec) {
    if (ec) return;
    Peer* p = FindById(id);
    if (p == nullptr || !p->established) return;
    // The expiry may have been queued just before an EoRR ended the refresh (no timer now) or a
    // new BoRR armed the timer again: then this round is over.
    auto it = p->refresh_stale_timers.find(family);
    if (it == p->refresh_stale_timers.end() || !Due(it->second)) return;
    auto swept = rib_->SweepStale(id, family);
    spdlog::warn("peer {}: no EoRR for {} within {} s of its BoRR: {} stale routes removed",
                 p->session->Name(), wire::AfiSafiName(family), after_s,
                 swept.ok() ? *swept : 0);
    p->refresh_stale_timers.erase(family);  // this timer: its handler has run
    SchedulePropagate();
  });
}

void Daemon::OnUpdate(PeerSession& session, const wire::UpdateMessage& update,
                      wire::ErrorAction action, std::optional<wire::AfiSafi> family) {
  Peer* peer = Find(session);
  if (peer == nullptr || !peer->in_rib) return;
  const absl::Time start = MonotonicNow();
  absl::StatusOr<rib::UpdateResult> result = rib_->ApplyUpdate(peer->id, update, action, family);
  ObserveUpdate(MonotonicNow() - start);
  if (!result.ok()) {
    spdlog::warn("peer {}: UPDATE not applied: {}", session.Name(), result.status().message());
    return;
  }
  spdlog::debug("peer {}: UPDATE: {} announced, {} withdrawn, {} rejected", session.Name(),
                result->announced, result->withdrawn, result->rejected);
  if (result->end_of_rib) {
    spdlog::info("peer {}: End-of-RIB for {} ({} stale routes swept)", session.Name(),
                 wire::AfiSafiName(*result->end_of_rib), result->swept);
    if (peer->stale_timer) {
      peer->stale_timer->cancel();
      peer->stale_timer.reset();
    }
    if (*result->end_of_rib == wire::kL2vpnEvpn) {
      peer->evpn_end_of_rib = true;
      if (deferral_.OnEndOfRib(peer->id)) EndSelectionDeferral();
      MaybeReleaseFibHold(false);
    }
  }
  if (result->disabled_family) {
    spdlog::warn("peer {}: {} disabled for this session (RFC 7606 AFI/SAFI disable)",
                 session.Name(), wire::AfiSafiName(*result->disabled_family));
  }
  CheckMaxPrefix(*peer);
  SchedulePropagate();
}

void Daemon::CheckMaxPrefix(Peer& peer) {
  const MaxPrefixConfig& max = peer.session->config().max_prefix;
  if (max.limit == 0) return;
  absl::StatusOr<rib::PeerRouteCounts> counts = rib_->Counts(peer.id);
  if (!counts.ok() || counts->received <= max.limit) return;
  if (max.warning_only) {
    if (!peer.max_prefix_warned) {
      spdlog::warn("peer {}: {} routes exceed the maximum of {}", peer.session->Name(),
                   counts->received, max.limit);
      peer.max_prefix_warned = true;
    }
    return;
  }
  // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, data AFI, SAFI and the limit.
  wire::NotificationMessage n{wire::kCease, wire::kMaximumPrefixesReached,
                              {0, wire::kAfiL2vpn, wire::kSafiEvpn,
                               static_cast<uint8_t>(max.limit >> 24),
                               static_cast<uint8_t>(max.limit >> 16),
                               static_cast<uint8_t>(max.limit >> 8),
                               static_cast<uint8_t>(max.limit)}};
  spdlog::warn("peer {}: {} routes exceed the maximum of {}: closing the session",
               peer.session->Name(), counts->received, max.limit);
  std::optional<absl::Duration> restart;
  if (max.restart_after_s > 0) restart = absl::Seconds(max.restart_after_s);
  peer.session->AutomaticStop(n, restart);
}

void Daemon::OnRouteRefresh(PeerSession& session, const wire::RouteRefreshMessage& rr) {
  Peer* peer = Find(session);
  if (peer == nullptr || !peer->in_rib) return;
  switch (rr.subtype) {
    case wire::RouteRefreshMessage::kNormal: {
      // RFC 2918 §4: re-advertise the Adj-RIB-Out to the peer. RFC 7313 §4: with enhanced route
      // refresh, between a BoRR and an EoRR so the peer can sweep what we no longer send.
      const auto& negotiated = session.fsm().negotiated();
      const bool enhanced = negotiated && negotiated->enhanced_route_refresh;
      spdlog::info("peer {}: route refresh for {}: re-advertising{}", session.Name(),
                   wire::AfiSafiName(rr.family), enhanced ? " between BoRR and EoRR" : "");
      if (enhanced) {
        session.SendRouteRefresh(
            {rr.family, wire::RouteRefreshMessage::kBeginningOfRefresh, {}});
        peer->refresh_in_progress = rr.family;
      }
      if (absl::Status s = adj_rib_out_->MarkAllDirty(peer->id); !s.ok()) {
        spdlog::warn("peer {}: route refresh: {}", session.Name(), s.message());
      }
      break;
    }
    case wire::RouteRefreshMessage::kBeginningOfRefresh:
    case wire::RouteRefreshMessage::kEndOfRefresh: {
      // RFC 7313 §4: the family's routes not re-advertised between BoRR and EoRR are stale,
      // and go at the EoRR.
      const bool begin = rr.subtype == wire::RouteRefreshMessage::kBeginningOfRefresh;
      absl::StatusOr<size_t> n =
          begin ? rib_->MarkStale(peer->id, rr.family) : rib_->SweepStale(peer->id, rr.family);
      spdlog::info("peer {}: {} for {}: {} routes {}", session.Name(), begin ? "BoRR" : "EoRR",
                   wire::AfiSafiName(rr.family), n.ok() ? *n : 0,
                   begin ? "marked stale" : "still stale removed");
      if (begin) {
        ArmRefreshStaleTimer(*peer, rr.family);
      } else {
        peer->refresh_stale_timers.erase(rr.family);  // cancels it
      }
      break;
    }
    default:
      // RFC 7313 §5: other subtypes are ignored.
      break;
  }
  SchedulePropagate();
}

void Daemon::OnWritable(PeerSession& session) {
  if (session.WriteQueueBytes() < kWriteHighMark / 2) SchedulePropagate();
}

void Daemon::SchedulePropagate() {
  if (propagate_posted_) return;
  propagate_posted_ = true;
  asio::post(io_, [this] {
    propagate_posted_ = false;
    Propagate();
  });
}

void Daemon::Propagate() {
  // RFC 4724 §4.1: nothing is decided, and so nothing advertised, while selection is deferred;
  // EndSelectionDeferral() schedules the first round.
  if (deferral_.deferring()) return;
  const absl::Time start = MonotonicNow();
  std::vector<rib::BestPathChange> changes = rib_->RunDecision(kDecisionBudget);
  if (!changes.empty()) {
    adj_rib_out_->OnBestPathChanges(changes);
    // Imports and mobility decisions; our own originations it causes are decided next round.
    OnMacEvents(evpn_->OnBestPathChanges(changes, MonotonicNow()));
  }
  DrainFdbChanges();
  if (fib_release_ready_ && rib_->pending_decisions() == 0) MaybeReleaseFibHold(false);
  bool more = rib_->pending_decisions() > 0;
  for (rib::UpdateGroupId group : adj_rib_out_->GroupsWithWork()) {
    // A group blocked on a full write queue resumes from OnWritable, not by spinning here.
    if (Flush(group)) more = more || adj_rib_out_->HasWork(group);
  }
  FinishRefreshes();
  decision_seconds_.Observe(absl::ToDoubleSeconds(MonotonicNow() - start));
  // Yield to I/O between rounds; write completions (OnWritable) resume blocked groups.
  if (more) SchedulePropagate();
}

void Daemon::FinishRefreshes() {
  for (auto& [address, peer] : peers_) {
    if (!peer.refresh_in_progress || !peer.established) continue;
    std::optional<rib::UpdateGroupId> group = adj_rib_out_->GroupOf(peer.id);
    if (group && adj_rib_out_->HasWork(*group)) continue;
    peer.session->SendRouteRefresh(
        {*peer.refresh_in_progress, wire::RouteRefreshMessage::kEndOfRefresh, {}});
    spdlog::info("peer {}: route refresh for {} done, EoRR sent", peer.session->Name(),
                 wire::AfiSafiName(*peer.refresh_in_progress));
    peer.refresh_in_progress.reset();
  }
}

bool Daemon::Flush(rib::UpdateGroupId group) {
  size_t queued = 0;  // the fullest member's queue
  for (rib::PeerId id : adj_rib_out_->Members(group)) {
    Peer* p = FindById(id);
    if (p == nullptr || !p->established) continue;
    queued = std::max(queued, p->session->WriteQueueBytes());
  }
  // Pull-based output: no member of the group may be above the high mark, and a flush adds
  // about what fits below it.
  if (queued >= kWriteHighMark) return false;
  const size_t room = kWriteHighMark - queued;
  const size_t message_size =
      std::clamp(room, kMinFlushMessageSize,
                 std::max(adj_rib_out_->MaxMessageSize(group), kMinFlushMessageSize));
  absl::StatusOr<std::vector<rib::OutboundUpdate>> updates =
      adj_rib_out_->NextUpdates(group, message_size, std::max<size_t>(1, room / message_size));
  if (!updates.ok()) {
    spdlog::error("update group {}: {}", group, updates.status().message());
    return true;
  }
  for (const rib::OutboundUpdate& u : *updates) {
    for (rib::PeerId id : u.recipients) {
      if (Peer* p = FindById(id); p != nullptr && p->established) p->session->SendUpdate(u.message);
    }
  }
  return true;
}

}  // namespace evpnd::bgpd

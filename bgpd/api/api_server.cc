// See api_server.h.
#include "bgpd/api/api_server.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <chrono>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "bgpd/daemon/daemon.h"
#include "bgpd/io/clock.h"
#include "bgpd/io/log.h"
#include "grpcpp/grpcpp.h"
#include "proto/api.grpc.pb.h"

namespace evpnd::bgpd {
namespace {

namespace pb = ::evpnd::api::v1;

// How long a gRPC thread waits for the core to answer one call.
constexpr auto kCoreDeadline = std::chrono::seconds(5);

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

int64_t UnixNanos(absl::Time t) {
  return t == absl::InfinitePast() ? 0 : absl::ToUnixNanos(t);
}

// A monotonic core time (clock.h) as wall-clock Unix nanoseconds.
int64_t WallNanos(absl::Time monotonic) {
  return absl::ToUnixNanos(absl::Now() - (MonotonicNow() - monotonic));
}

absl::StatusOr<evpn::MacAddress> ParseMac(const std::string& text) {
  absl::StatusOr<evpn::MacAddress> mac = evpn::MacAddress::Parse(text);
  if (!mac.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mac: \"", text, "\" is not a MAC address (e.g. 52:54:00:12:34:56)"));
  }
  return mac;
}

absl::Status CheckVni(uint32_t vni) {
  if (vni == 0 || vni > evpn::kMaxVni) {
    return absl::InvalidArgumentError(absl::StrCat("vni: ", vni, " is not a VNI (1..16777215)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<evpn::IpAddress> ParseAddress(const std::string& field, const std::string& text) {
  absl::StatusOr<evpn::IpAddress> a = evpn::IpAddress::Parse(text);
  if (!a.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", text, "\" is not an IPv4 or IPv6 address"));
  }
  return a;
}

void FillMac(evpn::Vni vni, const evpn::MacAddress& mac, const rib::MacEntry& e, pb::Mac& out) {
  out.set_vni(vni);
  out.set_mac(mac.ToString());
  const auto& loc = e.state.location;
  out.set_location(!loc ? "none" : loc->local ? "local" : "remote");
  if (loc) {
    out.set_vtep(loc->vtep.ToString());
    out.set_sequence(loc->sequence);
    out.set_sticky(loc->sticky);
  }
  out.set_duplicate(e.state.duplicate);
  out.set_local_learned(e.state.local.has_value());
  out.set_moved_away(e.state.local.has_value() && e.state.local->moved_away);
  absl::btree_set<evpn::IpAddress> ips = e.local_ips;
  for (const auto& [key, route] : e.remote_routes) {
    if (route.ip) ips.insert(*route.ip);
  }
  for (const evpn::IpAddress& ip : ips) out.add_ips(ip.ToString());
  out.set_moves(e.state.moves);
  for (const evpn::MacClaim& c : e.state.remote_claims) out.add_remote_vteps(c.vtep.ToString());
}

void FillCommunities(const rib::Path& path, pb::Route& out) {
  if (path.attributes && path.attributes->extended_communities) {
    for (const evpn::ExtendedCommunity& c : *path.attributes->extended_communities) {
      if (const auto* rt = std::get_if<evpn::RouteTarget>(&c)) {
        out.add_route_targets(rt->ToString());
      } else if (const auto* mm = std::get_if<evpn::MacMobilityExtendedCommunity>(&c)) {
        out.set_mac_mobility_sequence(mm->sequence);
        out.set_sticky(mm->sticky());
      }
    }
  }
}

void FillRoute(const rib::RouteKey& key, const rib::Path& path, bool best,
               rib::BestPathReason reason, pb::Route& out) {
  out.set_family(wire::AfiSafiName(key.family()));
  out.set_route_type(key.route_type());
  // No source: a route as we sent it (Adj-RIB-Out).
  out.set_source(path.source == nullptr || path.source->local() ? "local"
                                                               : path.source->address.ToString());
  out.set_best(best);
  if (best) out.set_best_reason(std::string(rib::ToString(reason)));
  out.set_stale(path.stale);
  if (std::optional<evpn::IpAddress> nh = path.NextHop()) out.set_next_hop(nh->ToString());
  FillCommunities(path, out);
  const rib::RouteNlri nlri = path.Nlri(key);
  const evpn::EvpnRoute* route = std::get_if<evpn::EvpnRoute>(&nlri);
  if (route == nullptr) {
    out.set_prefix(key.ToPrefix().ToString());
    return;
  }
  out.set_prefix(evpn::ToString(*route));
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (!std::is_same_v<T, evpn::UnknownEvpnRoute>) out.set_rd(r.rd.ToString());
        if constexpr (std::is_same_v<T, evpn::MacIpAdvertisementRoute>) {
          out.set_mac(r.mac.ToString());
          if (r.ip) out.set_ip(r.ip->ToString());
          out.set_label(r.label1.vni());
        }
        if constexpr (std::is_same_v<T, evpn::InclusiveMulticastEthernetTagRoute>) {
          out.set_ip(r.originating_router_ip.ToString());
        }
      },
      *route);
}

bool HasRouteTarget(const rib::Path& path, const std::vector<evpn::RouteTarget>& rts) {
  if (!path.attributes || !path.attributes->extended_communities) return false;
  for (const evpn::ExtendedCommunity& c : *path.attributes->extended_communities) {
    const auto* rt = std::get_if<evpn::RouteTarget>(&c);
    if (rt && std::find(rts.begin(), rts.end(), *rt) != rts.end()) return true;
  }
  return false;
}

}  // namespace

// Fans the daemon's events out to the WatchEvents streams. Each watcher has a bounded queue;
// one that falls behind is cut off rather than let memory grow (ARCHITECTURE.md §2).
class ApiServer::EventHub {
 public:
  static constexpr size_t kMaxQueued = 4096;

  // std::mutex rather than absl::Mutex: Debian's Abseil is not built with TSan, which then
  // cannot see its locking (the TSan build checks this boundary).
  struct Watcher {
    std::mutex mu;
    std::condition_variable ready;
    // Guarded by mu:
    std::deque<pb::Event> queue;
    bool overflowed = false;
    bool closed = false;
    // Set before the watcher is shared.
    std::vector<std::string> kinds;  // empty = all
  };

  // Core thread.
  void Publish(const Daemon::Event& e) {
    static constexpr const char* kKinds[] = {"peer", "mac", "fdb"};
    pb::Event out;
    out.set_at_unix_ns(absl::ToUnixNanos(e.at));
    out.set_kind(kKinds[static_cast<int>(e.kind)]);
    out.set_subject(e.subject);
    out.set_what(e.what);
    out.set_detail(e.detail);
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::shared_ptr<Watcher>& w : watchers_) {
      if (!w->kinds.empty() &&
          std::find(w->kinds.begin(), w->kinds.end(), out.kind()) == w->kinds.end()) {
        continue;
      }
      {
        std::lock_guard<std::mutex> wl(w->mu);
        if (w->queue.size() >= kMaxQueued) {
          w->overflowed = true;
        } else {
          w->queue.push_back(out);
        }
      }
      w->ready.notify_one();
    }
  }

  std::shared_ptr<Watcher> Add(std::vector<std::string> kinds) {
    auto w = std::make_shared<Watcher>();
    w->kinds = std::move(kinds);
    std::lock_guard<std::mutex> lock(mu_);
    if (watchers_.insert(w).second) count_.fetch_add(1, std::memory_order_relaxed);
    return w;
  }
  void Remove(const std::shared_ptr<Watcher>& w) {
    std::lock_guard<std::mutex> lock(mu_);
    if (watchers_.erase(w) != 0) count_.fetch_sub(1, std::memory_order_relaxed);
  }
  // Core thread: whether anyone watches (the daemon then builds the events' text).
  bool HasWatchers() const { return count_.load(std::memory_order_relaxed) != 0; }
  void CloseAll() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::shared_ptr<Watcher>& w : watchers_) {
      {
        std::lock_guard<std::mutex> wl(w->mu);
        w->closed = true;
      }
      w->ready.notify_one();
    }
  }

 private:
  std::mutex mu_;
  std::set<std::shared_ptr<Watcher>> watchers_;  // guarded by mu_
  std::atomic<size_t> count_{0};                 // watchers_.size(), read without mu_
};

class ApiServer::Service final : public pb::Evpnd::Service {
 public:
  Service(asio::io_context& core, Daemon& daemon, std::function<absl::Status()>& reload,
          std::shared_ptr<EventHub> hub)
      : core_(core), daemon_(daemon), reload_(reload), hub_(std::move(hub)) {}

  void Refuse() { stopping_ = true; }

  grpc::Status WatchEvents(grpc::ServerContext* context, const pb::WatchEventsRequest* req,
                           grpc::ServerWriter<pb::Event>* writer) override {
    std::vector<std::string> kinds(req->kinds().begin(), req->kinds().end());
    for (const std::string& k : kinds) {
      if (k != "peer" && k != "mac" && k != "fdb") {
        return Invalid(absl::StrCat("kinds: \"", k, "\" is not peer, mac or fdb"));
      }
    }
    if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "evpnd is stopping");
    std::shared_ptr<EventHub::Watcher> w = hub_->Add(std::move(kinds));
    grpc::Status result = grpc::Status::OK;
    while (!context->IsCancelled()) {
      std::deque<pb::Event> batch;
      {
        std::unique_lock<std::mutex> lock(w->mu);
        // Wake up now and then to notice a client that went away.
        w->ready.wait_for(lock, std::chrono::milliseconds(250), [&w] {
          return !w->queue.empty() || w->overflowed || w->closed;
        });
        if (w->overflowed) {
          result = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "the watcher fell more than 4096 events behind; re-read the "
                                "state and watch again");
          break;
        }
        if (w->closed) {
          result = grpc::Status(grpc::StatusCode::UNAVAILABLE, "evpnd is stopping");
          break;
        }
        batch.swap(w->queue);
      }
      bool ok = true;
      for (const pb::Event& e : batch) {
        if (!(ok = writer->Write(e))) break;
      }
      if (!ok) break;
    }
    hub_->Remove(w);
    return result;
  }

  // Runs `fn(response)` on the core thread; copies its response out if it answers in time.
  template <typename Response, typename Fn>
  grpc::Status OnCore(Response* out, Fn fn) {
    if (stopping_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "evpnd is stopping");
    struct State {
      std::promise<grpc::Status> done;
      Response response;
    };
    auto state = std::make_shared<State>();
    std::future<grpc::Status> result = state->done.get_future();
    asio::post(core_, [state, fn = std::move(fn)]() mutable {
      state->done.set_value(fn(state->response));
    });
    if (result.wait_for(kCoreDeadline) != std::future_status::ready) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          "the daemon's core did not answer within 5 s");
    }
    grpc::Status s = result.get();
    if (s.ok()) out->Swap(&state->response);
    return s;
  }

  grpc::Status GetGlobal(grpc::ServerContext*, const pb::GetGlobalRequest*,
                         pb::GetGlobalResponse* out) override {
    return OnCore(out, [this](pb::GetGlobalResponse& r) {
      const Config& c = daemon_.config();
      r.set_local_as(c.global.local_as);
      r.set_router_id(evpn::IpAddress::V4(c.global.router_id).ToString());
      r.set_version(EVPND_VERSION);
      r.set_started_unix_ns(UnixNanos(daemon_.started_at()));
      uint32_t established = 0;
      for (const Daemon::PeerStatus& p : daemon_.PeerStatuses()) {
        if (p.state == SessionState::kEstablished) ++established;
      }
      r.set_peers_configured(c.peers.size());
      r.set_peers_established(established);
      r.set_loc_rib_routes(daemon_.rib().loc_rib().size());
      r.set_vnis(c.evpn.vnis.size());
      const fibsync::Reconciler& fib = daemon_.fib();
      if (!daemon_.fib_running()) {
        r.set_fib_state("off");
      } else if (fib.state() == fibsync::Reconciler::State::kSynced && fib.hold_stale_deletes()) {
        r.set_fib_state("holding");  // after a restart: see api.proto
      } else {
        r.set_fib_state(std::string(fibsync::ToString(fib.state())));
      }
      return grpc::Status::OK;
    });
  }

  grpc::Status ListPeers(grpc::ServerContext*, const pb::ListPeersRequest* req,
                         pb::ListPeersResponse* out) override {
    std::optional<evpn::IpAddress> only;
    if (!req->address().empty()) {
      absl::StatusOr<evpn::IpAddress> a = ParseAddress("address", req->address());
      if (!a.ok()) return ToGrpc(a.status());
      only = *a;
    }
    return OnCore(out, [this, only](pb::ListPeersResponse& r) {
      for (const Daemon::PeerStatus& s : daemon_.PeerStatuses()) {
        if (only && s.config.address != *only) continue;
        pb::Peer& p = *r.add_peers();
        p.set_address(s.config.address.ToString());
        p.set_remote_as(s.config.remote_as);
        p.set_description(s.config.description);
        p.set_interface(s.config.interface);
        p.set_peer_group(s.config.peer_group);
        p.set_state(std::string(SessionStateName(s.state)));
        p.set_state_since_unix_ns(UnixNanos(s.state_since));
        p.set_admin_down(s.admin_down);
        p.set_passive(s.config.passive);
        p.set_hold_time_s(s.hold_time_s);
        for (const wire::AfiSafi& f : s.families) p.add_families(wire::AfiSafiName(f));
        p.set_routes_received(s.counts.received);
        p.set_routes_best(s.counts.best);
        p.set_routes_stale(s.counts.stale);
        for (size_t i = 0; i < s.counts.rejected.size(); ++i) {
          if (s.counts.rejected[i] == 0) continue;
          (*p.mutable_routes_rejected())[std::string(
              rib::ToString(static_cast<rib::RouteRejectReason>(i)))] = s.counts.rejected[i];
        }
        p.set_routes_advertised(s.advertised);
        p.set_last_notification(s.last_notification);
        p.set_last_down_reason(s.last_down_reason);
      }
      if (only && r.peers().empty()) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat(only->ToString(), " is not a configured peer"));
      }
      return grpc::Status::OK;
    });
  }

  template <typename Fn>
  grpc::Status PeerAction(const std::string& address, pb::PeerActionResponse* out, Fn fn) {
    absl::StatusOr<evpn::IpAddress> a = ParseAddress("address", address);
    if (!a.ok()) return ToGrpc(a.status());
    return OnCore(out, [this, a = *a, fn](pb::PeerActionResponse& r) {
      if (absl::Status s = fn(a); !s.ok()) return ToGrpc(s);
      for (const Daemon::PeerStatus& s : daemon_.PeerStatuses()) {
        if (s.config.address == a) r.set_state(std::string(SessionStateName(s.state)));
      }
      return grpc::Status::OK;
    });
  }

  grpc::Status EnablePeer(grpc::ServerContext*, const pb::PeerRequest* req,
                          pb::PeerActionResponse* out) override {
    return PeerAction(req->address(), out,
                      [this](const evpn::IpAddress& a) { return daemon_.EnablePeer(a); });
  }
  grpc::Status DisablePeer(grpc::ServerContext*, const pb::DisablePeerRequest* req,
                           pb::PeerActionResponse* out) override {
    return PeerAction(req->address(), out, [this, m = req->message()](const evpn::IpAddress& a) {
      return daemon_.DisablePeer(a, m);
    });
  }
  grpc::Status ResetPeer(grpc::ServerContext*, const pb::PeerRequest* req,
                         pb::PeerActionResponse* out) override {
    return PeerAction(req->address(), out,
                      [this](const evpn::IpAddress& a) { return daemon_.ResetPeer(a); });
  }
  grpc::Status SoftResetPeer(grpc::ServerContext*, const pb::PeerRequest* req,
                             pb::PeerActionResponse* out) override {
    return PeerAction(req->address(), out,
                      [this](const evpn::IpAddress& a) { return daemon_.SoftResetPeer(a); });
  }

  grpc::Status ListVnis(grpc::ServerContext*, const pb::ListVnisRequest*,
                        pb::ListVnisResponse* out) override {
    return OnCore(out, [this](pb::ListVnisResponse& r) {
      for (const VniConfig& v : daemon_.config().evpn.vnis) {
        pb::Vni& o = *r.add_vnis();
        o.set_vni(v.vni);
        o.set_rd(v.rd.ToString());
        for (const auto& rt : v.import_route_targets) o.add_import_route_targets(rt.ToString());
        for (const auto& rt : v.export_route_targets) o.add_export_route_targets(rt.ToString());
        o.set_vtep(v.vtep.ToString());
        const auto [vxlan, bridge] = daemon_.BoundDevices(v.vni);
        o.set_vxlan_device(vxlan);
        o.set_bridge(bridge);
        const rib::MacVrf* vrf = daemon_.evpn().Find(v.vni);
        if (vrf == nullptr) continue;
        o.set_local_macs(static_cast<uint32_t>(vrf->counts.local_active));
        o.set_remote_macs(static_cast<uint32_t>(vrf->counts.located_remote));
        o.set_duplicate_macs(static_cast<uint32_t>(vrf->counts.duplicates));
        for (const auto& [vtep, keys] : vrf->flood) o.add_flood_list(vtep.ToString());
        o.set_mac_moves(vrf->counters.mac_moves);
      }
      return grpc::Status::OK;
    });
  }

  grpc::Status ListRoutes(grpc::ServerContext*, const pb::ListRoutesRequest* req,
                          pb::ListRoutesResponse* out) override {
    std::optional<evpn::MacAddress> mac;
    if (!req->mac().empty()) {
      absl::StatusOr<evpn::MacAddress> m = ParseMac(req->mac());
      if (!m.ok()) return ToGrpc(m.status());
      mac = *m;
    }
    std::optional<evpn::RouteDistinguisher> rd;
    if (!req->rd().empty()) {
      absl::StatusOr<evpn::RouteDistinguisher> d = evpn::RouteDistinguisher::Parse(req->rd());
      if (!d.ok()) return Invalid(absl::StrCat("rd: \"", req->rd(), "\" is not an RD"));
      rd = *d;
    }
    std::optional<evpn::IpAddress> peer;
    if (req->rib() != pb::RIB_LOC) {
      absl::StatusOr<evpn::IpAddress> a = ParseAddress("peer", req->peer());
      if (!a.ok()) return ToGrpc(a.status());
      peer = *a;
    }
    if (req->route_type() > 5) return Invalid("route_type: EVPN route types are 1..5");
    std::optional<wire::AfiSafi> family;
    if (!req->family().empty()) {
      for (wire::AfiSafi f : {wire::kL2vpnEvpn, wire::kIpv4Unicast, wire::kIpv6Unicast}) {
        if (req->family() == wire::AfiSafiName(f)) family = f;
      }
      if (!family.has_value()) {
        return Invalid(absl::StrCat("family: \"", req->family(),
                                    "\" is not l2vpn-evpn, ipv4-unicast or ipv6-unicast"));
      }
      if (req->route_type() != 0 && *family != wire::kL2vpnEvpn) {
        return Invalid("route_type: only l2vpn-evpn routes have a route type");
      }
    }
    return OnCore(out, [this, req = *req, mac, rd, peer, family](pb::ListRoutesResponse& r) {
      return ListRoutesOnCore(req, mac, rd, peer, family, r);
    });
  }

  grpc::Status ListRoutesOnCore(const pb::ListRoutesRequest& req,
                                const std::optional<evpn::MacAddress>& mac,
                                const std::optional<evpn::RouteDistinguisher>& rd,
                                const std::optional<evpn::IpAddress>& peer,
                                const std::optional<wire::AfiSafi>& family,
                                pb::ListRoutesResponse& r) {
    std::optional<rib::PeerId> peer_id;
    if (peer) {
      peer_id = daemon_.PeerIdOf(*peer);
      if (!peer_id) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat(peer->ToString(), " is not a peer with routes"));
      }
    }
    const VniConfig* vni = nullptr;
    if (req.vni() != 0) {
      for (const VniConfig& v : daemon_.config().evpn.vnis) {
        if (v.vni == req.vni()) vni = &v;
      }
      if (vni == nullptr) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("VNI ", req.vni(), " is not configured"));
      }
    }
    auto wanted = [&](const rib::RouteKey& key, const rib::Path& path) {
      if (family && key.family() != *family) return false;
      if (req.route_type() != 0 && key.route_type() != req.route_type()) return false;
      pb::Route probe;
      FillRoute(key, path, false, rib::BestPathReason::kNone, probe);
      if (mac && probe.mac() != mac->ToString()) return false;
      if (rd && probe.rd() != rd->ToString()) return false;
      if (vni && !HasRouteTarget(path, vni->import_route_targets)) return false;
      return true;
    };
    for (const auto& [key, entry] : daemon_.rib().loc_rib()) {
      if (req.rib() == pb::RIB_ADJ_OUT) {
        const rib::AdvertisedRoute* adv = daemon_.adj_rib_out().Advertised(*peer_id, key);
        if (adv == nullptr) continue;
        rib::Path sent;
        sent.nlri_rest = adv->path->nlri_rest;
        sent.attributes = adv->attributes;
        if (wanted(key, sent)) FillRoute(key, sent, false, rib::BestPathReason::kNone,
                                         *r.add_routes());
        continue;
      }
      for (const rib::PathPtr& path : entry.paths) {
        if (req.rib() == pb::RIB_ADJ_IN && path->source->peer != *peer_id) continue;
        if (req.rib() == pb::RIB_LOC && path != entry.best) continue;
        if (!wanted(key, *path)) continue;
        FillRoute(key, *path, path == entry.best, entry.reason, *r.add_routes());
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status ListMacs(grpc::ServerContext*, const pb::ListMacsRequest* req,
                        pb::ListMacsResponse* out) override {
    std::optional<evpn::MacAddress> mac;
    if (!req->mac().empty()) {
      absl::StatusOr<evpn::MacAddress> m = ParseMac(req->mac());
      if (!m.ok()) return ToGrpc(m.status());
      mac = *m;
    }
    return OnCore(out, [this, vni = req->vni(), mac](pb::ListMacsResponse& r) {
      if (vni != 0 && daemon_.evpn().Find(vni) == nullptr) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("VNI ", vni, " is not configured"));
      }
      for (evpn::Vni v : daemon_.evpn().Vnis()) {
        if (vni != 0 && v != vni) continue;
        for (const auto& [m, e] : daemon_.evpn().Find(v)->macs) {
          if (mac && m != *mac) continue;
          FillMac(v, m, e, *r.add_macs());
        }
      }
      return grpc::Status::OK;
    });
  }

  grpc::Status GetMacHistory(grpc::ServerContext*, const pb::GetMacHistoryRequest* req,
                             pb::GetMacHistoryResponse* out) override {
    if (absl::Status s = CheckVni(req->vni()); !s.ok()) return ToGrpc(s);
    absl::StatusOr<evpn::MacAddress> mac = ParseMac(req->mac());
    if (!mac.ok()) return ToGrpc(mac.status());
    return OnCore(out, [this, vni = req->vni(), mac = *mac](pb::GetMacHistoryResponse& r) {
      const rib::MacVrf* vrf = daemon_.evpn().Find(vni);
      if (vrf == nullptr) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("VNI ", vni, " is not configured"));
      }
      auto it = vrf->macs.find(mac);
      if (it == vrf->macs.end()) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("VNI ", vni, " has no MAC ", mac.ToString()));
      }
      FillMac(vni, mac, it->second, *r.mutable_mac());
      for (const evpn::MoveRecord& m : it->second.state.history) {
        pb::MacMove& o = *r.add_moves();
        o.set_at_unix_ns(WallNanos(m.at));
        o.set_from_vtep(m.from.ToString());
        o.set_to_vtep(m.to.ToString());
        o.set_sequence(m.sequence);
      }
      return grpc::Status::OK;
    });
  }

  template <typename Fn>
  grpc::Status MacAction(uint32_t vni, const std::string& mac_text, pb::MacActionResponse* out,
                         Fn fn) {
    if (absl::Status s = CheckVni(vni); !s.ok()) return ToGrpc(s);
    absl::StatusOr<evpn::MacAddress> mac = ParseMac(mac_text);
    if (!mac.ok()) return ToGrpc(mac.status());
    return OnCore(out, [this, vni, mac = *mac, fn](pb::MacActionResponse& r) {
      absl::StatusOr<std::vector<rib::MacEvent>> events = fn(vni, mac);
      if (!events.ok()) return ToGrpc(events.status());
      for (const rib::MacEvent& e : *events) {
        r.add_decisions(std::string(evpn::ToString(e.decision)));
      }
      if (const rib::MacVrf* vrf = daemon_.evpn().Find(vni)) {
        auto it = vrf->macs.find(mac);
        if (it != vrf->macs.end()) FillMac(vni, mac, it->second, *r.mutable_mac());
      }
      return grpc::Status::OK;
    });
  }

  grpc::Status ClearDuplicate(grpc::ServerContext*, const pb::MacRequest* req,
                              pb::MacActionResponse* out) override {
    return MacAction(req->vni(), req->mac(), out,
                     [this](evpn::Vni v, const evpn::MacAddress& m) {
                       return daemon_.ClearDuplicate(v, m);
                     });
  }

  grpc::Status AddLocalMac(grpc::ServerContext*, const pb::AddLocalMacRequest* req,
                           pb::MacActionResponse* out) override {
    std::vector<evpn::IpAddress> ips;
    for (int i = 0; i < req->ips_size(); ++i) {
      absl::StatusOr<evpn::IpAddress> ip = ParseAddress(absl::StrCat("ips[", i, "]"), req->ips(i));
      if (!ip.ok()) return ToGrpc(ip.status());
      ips.push_back(*ip);
    }
    return MacAction(req->vni(), req->mac(), out,
                     [this, ips, sticky = req->sticky()](evpn::Vni v, const evpn::MacAddress& m) {
                       return daemon_.AddLocalMac(v, m, ips, sticky);
                     });
  }

  grpc::Status DeleteLocalMac(grpc::ServerContext*, const pb::MacRequest* req,
                              pb::MacActionResponse* out) override {
    return MacAction(req->vni(), req->mac(), out,
                     [this](evpn::Vni v, const evpn::MacAddress& m) {
                       return daemon_.DeleteLocalMac(v, m);
                     });
  }

  grpc::Status ReloadConfig(grpc::ServerContext*, const pb::ReloadConfigRequest*,
                            pb::ReloadConfigResponse* out) override {
    return OnCore(out, [this](pb::ReloadConfigResponse& r) {
      if (absl::Status s = reload_(); !s.ok()) return ToGrpc(s);
      r.set_message("configuration reloaded");
      return grpc::Status::OK;
    });
  }

 private:
  asio::io_context& core_;
  Daemon& daemon_;
  std::function<absl::Status()>& reload_;
  std::shared_ptr<EventHub> hub_;
  std::atomic<bool> stopping_{false};
};

ApiServer::ApiServer(asio::io_context& core, Daemon& daemon,
                     std::function<absl::Status()> reload)
    : core_(core), daemon_(daemon), reload_(std::move(reload)) {}

ApiServer::~ApiServer() { Stop(); }

namespace {

// A socket file left by a daemon that died is removed; one a live daemon answers on is not.
absl::Status ClaimSocketPath(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return absl::OkStatus();
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " exists and is not a socket"));
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool live = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  if (live) {
    return absl::AlreadyExistsError(
        absl::StrCat(path, ": another evpnd answers there; set global.api.unix_socket"));
  }
  unlink(path.c_str());
  return absl::OkStatus();
}

absl::Status SecureSocket(const std::string& path, const std::string& group) {
  if (chmod(path.c_str(), 0660) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("chmod ", path));
  }
  if (group.empty()) return absl::OkStatus();
  struct group* g = getgrnam(group.c_str());
  if (g == nullptr) {
    return absl::NotFoundError(absl::StrCat("api.socket_group: no group \"", group, "\""));
  }
  if (chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("chown ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApiServer::Start(const ApiConfig& config) {
  if (!config.enabled() || server_ != nullptr) return absl::OkStatus();
  hub_ = std::make_shared<EventHub>();
  // The listener holds the hub, which outlives the service (the daemon keeps its listeners).
  daemon_.AddEventListener([hub = hub_](const Daemon::Event& e) { hub->Publish(e); },
                           [hub = hub_] { return hub->HasWatchers(); });
  service_ = std::make_unique<Service>(core_, daemon_, reload_, hub_);
  grpc::ServerBuilder builder;
  if (!config.unix_socket.empty()) {
    const std::string dir = config.unix_socket.substr(0, config.unix_socket.rfind('/'));
    if (!dir.empty()) mkdir(dir.c_str(), 0755);  // /run/evpnd on first start
    if (absl::Status s = ClaimSocketPath(config.unix_socket); !s.ok()) return s;
    builder.AddListeningPort(absl::StrCat("unix:", config.unix_socket),
                             grpc::InsecureServerCredentials());
  }
  if (!config.tcp_address.empty()) {
    builder.AddListeningPort(config.tcp_address, grpc::InsecureServerCredentials());
  }
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr) {
    service_.reset();
    return absl::UnavailableError(absl::StrCat(
        "management API: cannot listen on ",
        config.unix_socket.empty() ? config.tcp_address : config.unix_socket));
  }
  if (!config.unix_socket.empty()) {
    socket_path_ = config.unix_socket;
    if (absl::Status s = SecureSocket(socket_path_, config.socket_group); !s.ok()) {
      Stop();
      return s;
    }
  }
  spdlog::info("management API on {}{}{}", config.unix_socket,
               config.unix_socket.empty() || config.tcp_address.empty() ? "" : " and ",
               config.tcp_address);
  return absl::OkStatus();
}

void ApiServer::Stop() {
  if (server_ == nullptr) return;
  service_->Refuse();
  hub_->CloseAll();
  // Calls waiting for the core get their answer (the core is no longer running: run what they
  // posted here, on this thread, which is now the only one touching the daemon).
  core_.restart();
  core_.poll();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_.reset();
  service_.reset();
  if (!socket_path_.empty()) unlink(socket_path_.c_str());
}

}  // namespace evpnd::bgpd

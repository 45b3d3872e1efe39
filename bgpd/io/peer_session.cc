// See peer_session.h.
#include "bgpd/io/peer_session.h"

#include "absl/strings/str_cat.h"
#include "bgpd/io/clock.h"
#include "bgpd/io/log.h"
#include "bgpd/io/socket_options.h"
#include "bgpd/wire/notification_codes.h"

namespace evpnd::bgpd {

std::string DescribeNotification(const wire::NotificationMessage& n) {
  std::string s = absl::StrCat(wire::ErrorCodeName(n.code), "/",
                               wire::ErrorSubcodeName(n.code, n.subcode), " (", n.code, "/",
                               n.subcode, ")");
  if (auto text = n.ShutdownCommunication()) absl::StrAppend(&s, " \"", *text, "\"");
  return s;
}

namespace {

wire::NotificationMessage ToNotification(const wire::WireError& e) {
  return wire::NotificationMessage{e.code, e.subcode, e.data};
}

// The FSM's clock: monotonic (clock.h).
absl::Time Now() { return MonotonicNow(); }

asio::ip::address ToAsio(const evpn::IpAddress& a) {
  if (a.is_v4()) return asio::ip::address_v4(a.v4_host_order());
  asio::ip::address_v6::bytes_type b;
  std::copy(a.bytes().begin(), a.bytes().end(), b.begin());
  return asio::ip::address_v6(b);
}

// `a` as a socket address; a link-local one carries the index of `interface` as its scope
// (RFC 4007 §6), which must exist.
absl::StatusOr<asio::ip::address> ScopedAddress(const evpn::IpAddress& a,
                                                const std::string& interface) {
  asio::ip::address out = ToAsio(a);
  if (!a.is_link_local() || interface.empty()) return out;
  const unsigned index = InterfaceIndex(interface);
  if (index == 0) {
    return absl::UnavailableError(absl::StrCat("interface ", interface, " does not exist"));
  }
  asio::ip::address_v6 v6 = out.to_v6();
  v6.scope_id(index);
  return asio::ip::address(v6);
}

}  // namespace

bool PeerSession::AcceptsFrom(const tcp::endpoint& remote) const {
  if (config_.interface.empty()) return true;
  const unsigned index = InterfaceIndex(config_.interface);
  return index != 0 && remote.address().is_v6() && remote.address().to_v6().scope_id() == index;
}

PeerSession::PeerSession(asio::io_context& io, PeerConfig config, FsmConfig fsm_config,
                         Owner& owner)
    : io_(io), config_(std::move(config)), fsm_(std::move(fsm_config)), owner_(owner), timer_(io) {}

PeerSession::~PeerSession() {
  *alive_ = false;
  if (connection_) {
    connection_->Detach();
    connection_->CloseAfterWrites();  // a NOTIFICATION just queued still leaves
  }
  if (pending_) {
    pending_->Detach();
    pending_->Close();
  }
  if (connecting_) {
    boost::system::error_code ec;
    connecting_->close(ec);
  }
}

void PeerSession::DropConnection(std::shared_ptr<Connection>& connection) {
  if (!connection) return;
  connection->Detach();
  connection->CloseAfterWrites();
  connection.reset();
}

void PeerSession::DropPending() {
  DropConnection(pending_);
  pending_open_.reset();
}

std::string PeerSession::Name() const {
  if (config_.interface.empty()) return config_.address.ToString();
  return absl::StrCat(config_.address.ToString(), "%", config_.interface);
}

std::optional<tcp::endpoint> PeerSession::LocalEndpoint() const {
  if (!connection_) return std::nullopt;
  return connection_->local();
}

void PeerSession::Start() {
  const bool passive = config_.passive;
  Dispatch(FsmEvent{passive ? FsmEventType::kManualStartPassive : FsmEventType::kManualStart,
                    {}, {}, {}});
}

void PeerSession::Stop(const std::string& communication) {
  FsmEvent e{FsmEventType::kManualStop, {}, {}, {}};
  e.notification = wire::NotificationMessage::Shutdown(wire::kAdministrativeShutdown, communication);
  Dispatch(e);
}

void PeerSession::AutomaticStop(const wire::NotificationMessage& notification,
                                std::optional<absl::Duration> restart_after) {
  Dispatch(FsmEvent{FsmEventType::kAutomaticStop, {}, notification, restart_after});
}

void PeerSession::Dispatch(const FsmEvent& event) {
  const SessionState before = fsm_.state();
  FsmActions actions = fsm_.Handle(event, Now());
  if (fsm_.state() != before) {
    spdlog::info("peer {}: {} -> {} on {}", Name(), SessionStateName(before),
                 SessionStateName(fsm_.state()), FsmEventName(event.type));
  }
  Apply(std::move(actions));
}

void PeerSession::RearmTimer() {
  const absl::Time deadline = fsm_.NextDeadline();
  timer_.cancel();
  if (deadline == absl::InfiniteFuture()) return;
  const absl::Duration in = std::max(deadline - Now(), absl::ZeroDuration());
  timer_.expires_after(absl::ToChronoNanoseconds(in));
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    const SessionState before = fsm_.state();
    FsmActions actions = fsm_.OnTimers(Now());
    if (fsm_.state() != before) {
      spdlog::info("peer {}: {} -> {} on timer", Name(), SessionStateName(before),
                   SessionStateName(fsm_.state()));
    }
    Apply(std::move(actions));
  });
}

void PeerSession::Apply(FsmActions actions) {
  for (FsmAction& action : actions) {
    if (std::holds_alternative<ConnectAction>(action)) {
      StartConnect();
    } else if (std::holds_alternative<DisconnectAction>(action)) {
      if (connecting_) {
        boost::system::error_code ec;
        connecting_->close(ec);
        connecting_.reset();
      }
      DropConnection(connection_);
      peer_router_id_.reset();
    } else if (auto* send = std::get_if<SendMessageAction>(&action)) {
      Send(send->message);
    } else if (auto* up = std::get_if<EstablishedAction>(&action)) {
      if (connection_) {
        connection_->SetMaxMessageSize(up->session.ReceiveContext().max_message_size);
        // Unacknowledged output for longer than the hold time means the peer stopped reading.
        if (up->session.hold_time_s > 0) {
          if (absl::Status s = SetUserTimeout(connection_->native_handle(),
                                              absl::Seconds(up->session.hold_time_s));
              !s.ok()) {
            spdlog::warn("peer {}: {}", Name(), s.message());
          }
        }
      }
      spdlog::info("peer {}: established, AS {}, hold {} s, families {}", Name(),
                   up->session.peer_as, up->session.hold_time_s, up->session.families.size());
      owner_.OnEstablished(*this, up->session);
    } else if (auto* down = std::get_if<SessionDownAction>(&action)) {
      // Failed connection attempts are routine while a peer is away: debug only.
      const auto level = down->was_established || down->notification ? spdlog::level::info
                                                                      : spdlog::level::debug;
      spdlog::log(level, "peer {}: session down: {}{}", Name(),
                  SessionDownReasonName(down->reason),
                  down->notification ? ", " + DescribeNotification(*down->notification) : "");
      owner_.OnSessionDown(*this, *down);
    }
  }
  RearmTimer();
}

void PeerSession::Send(const wire::Message& message) {
  if (!connection_) return;
  wire::CodecContext ctx;
  if (fsm_.negotiated()) ctx = fsm_.negotiated()->SendContext();
  absl::StatusOr<std::vector<uint8_t>> bytes = wire::EncodeMessage(message, ctx);
  if (!bytes.ok()) {
    if (const auto* n = std::get_if<wire::NotificationMessage>(&message)) {
      // The data of an error NOTIFICATION can be as long as the bad message: cut it to fit.
      wire::NotificationMessage cut = *n;
      cut.data.resize(std::min(cut.data.size(), ctx.max_message_size - wire::kHeaderSize - 2));
      bytes = wire::EncodeMessage(cut, ctx);
    }
  }
  if (!bytes.ok()) {
    spdlog::error("peer {}: cannot encode {}: {}", Name(),
                  wire::MessageTypeName(wire::MessageTypeOf(message)), bytes.status().message());
    return;
  }
  if (const auto* n = std::get_if<wire::NotificationMessage>(&message)) {
    spdlog::info("peer {}: sending NOTIFICATION {}", Name(), DescribeNotification(*n));
    connection_->DiscardQueued();  // the session ends: pending UPDATEs are moot
  }
  connection_->Send(std::move(*bytes));
}

void PeerSession::SendRouteRefresh(const wire::RouteRefreshMessage& rr) {
  if (fsm_.state() != SessionState::kEstablished) return;
  Send(rr);
  fsm_.OnMessageSent(Now());
}

void PeerSession::SendUpdate(std::shared_ptr<const std::vector<uint8_t>> bytes) {
  if (!connection_ || fsm_.state() != SessionState::kEstablished) return;
  connection_->Send(std::move(bytes));
  fsm_.OnMessageSent(Now());
}

absl::Status PeerSession::PrepareSocket(tcp::socket& socket) {
  if (!config_.password.empty()) {
    if (auto s = SetTcpMd5(socket.native_handle(), config_.address, config_.password); !s.ok()) {
      return s;
    }
  }
  if (config_.ttl_security_hops > 0) {
    return SetGtsm(socket.native_handle(), config_.address.is_v6(), config_.ttl_security_hops);
  }
  // An accepted socket inherits the listener's TTL 255 (SetListenerTtlForGtsm).
  return ResetTtl(socket.native_handle(), config_.address.is_v6());
}

void PeerSession::StartConnect() {
  absl::StatusOr<asio::ip::address> remote_address =
      ScopedAddress(config_.address, config_.interface);
  absl::StatusOr<asio::ip::address> source_address =
      config_.source_address ? ScopedAddress(*config_.source_address, config_.interface)
                             : absl::StatusOr<asio::ip::address>(asio::ip::address());
  const tcp::endpoint remote(remote_address.ok() ? *remote_address : asio::ip::address(),
                             config_.port);
  connecting_ = std::make_unique<tcp::socket>(io_);
  boost::system::error_code ec;
  absl::Status prepared = remote_address.status();
  if (prepared.ok()) prepared = source_address.status();
  if (prepared.ok()) connecting_->open(remote.protocol(), ec);
  if (prepared.ok() && !ec && config_.source_address) {
    connecting_->bind(tcp::endpoint(*source_address, 0), ec);
  }
  if (prepared.ok()) {
    prepared = ec ? absl::InternalError(ec.message()) : PrepareSocket(*connecting_);
  }
  if (!prepared.ok()) {
    spdlog::warn("peer {}: cannot prepare the connection: {}", Name(), prepared.message());
    const uint64_t attempt = ++connect_attempt_;
    asio::post(io_, [this, alive = alive_, attempt] {
      if (!*alive || attempt != connect_attempt_) return;
      Dispatch(FsmEvent{FsmEventType::kTcpConnectionFails, {}, {}, {}});
    });
    return;
  }
  const uint64_t attempt = ++connect_attempt_;
  connecting_->async_connect(remote, [this, alive = alive_, attempt](
                                         const boost::system::error_code& error) {
    // Cancelled, superseded by a newer attempt or by an adopted connection, or session gone.
    if (!*alive || attempt != connect_attempt_ || !connecting_ ||
        error == asio::error::operation_aborted) {
      return;
    }
    if (error) {
      spdlog::debug("peer {}: connect failed: {}", Name(), error.message());
      connecting_.reset();
      Dispatch(FsmEvent{FsmEventType::kTcpConnectionFails, {}, {}, {}});
      return;
    }
    auto connection = std::make_shared<Connection>(std::move(*connecting_), true, *this);
    connecting_.reset();
    Adopt(std::move(connection), FsmEventType::kTcpCrAcked);
  });
}

void PeerSession::Adopt(std::shared_ptr<Connection> connection, FsmEventType event) {
  if (connecting_) {  // one connection per session: an attempt still in flight is dropped
    boost::system::error_code ec;
    connecting_->close(ec);
    connecting_.reset();
    ++connect_attempt_;
  }
  connection_ = std::move(connection);
  connection_->Start();
  Dispatch(FsmEvent{event, {}, {}, {}});
}

// RFC 4271 §6.8: an incoming connection for a peer with a session in progress.
void PeerSession::Accept(tcp::socket socket) {
  if (config_.ttl_security_hops > 0) {
    // RFC 5082 §3: the minimum TTL holds for the connection's SYN as well. IP_MINTTL is set
    // only now, after the handshake, and would let through what the peer sent before.
    const int min_ttl = 256 - config_.ttl_security_hops;
    if (std::optional<int> ttl = SavedSynTtl(socket.native_handle()); ttl && *ttl < min_ttl) {
      spdlog::warn("peer {}: incoming connection refused: its SYN came with TTL {}, below the "
                   "GTSM minimum {} (ttl_security_hops {})",
                   Name(), *ttl, min_ttl, config_.ttl_security_hops);
      return;
    }
  }
  if (auto s = PrepareSocket(socket); !s.ok()) {
    spdlog::warn("peer {}: incoming connection refused: {}", Name(), s.message());
    return;
  }
  auto incoming = std::make_shared<Connection>(std::move(socket), false, *this);
  switch (fsm_.state()) {
    case SessionState::kIdle:
      // RFC 4271 §8.2.2: Idle refuses connections. We take one while only waiting for the
      // automatic restart after a connection failure (the peer simply got there first), but not
      // while a restart delay is meant to hold the session down: administrative stop,
      // max-prefix restart timer, or the slow retry after an OPEN was refused.
      if (!fsm_.auto_restart() ||
          fsm_.last_down_reason() == SessionDownReason::kAutomaticStop ||
          fsm_.last_down_reason() == SessionDownReason::kOpenRejected) {
        spdlog::info("peer {}: incoming connection refused in Idle ({})", Name(),
                     SessionDownReasonName(fsm_.last_down_reason()));
        incoming->Detach();
        incoming->Close();
        return;
      }
      // Waiting for the automatic restart: the peer got there first, take its connection.
      AdoptIncoming(std::move(incoming));
      return;
    case SessionState::kConnect:
    case SessionState::kActive:
      Adopt(std::move(incoming), FsmEventType::kTcpConnectionConfirmed);
      return;
    case SessionState::kEstablished:
      if (fsm_.negotiated() && fsm_.negotiated()->peer_graceful_restart) {
        // RFC 4724 §4.2: a graceful-restart peer opening a new connection has restarted; its
        // old session is gone without a NOTIFICATION (routes kept stale), the new one proceeds.
        spdlog::info("peer {}: new connection while Established: the peer restarted", Name());
        DropConnection(connection_);
        Dispatch(FsmEvent{FsmEventType::kTcpConnectionFails, {}, {}, {}});
        AdoptIncoming(std::move(incoming));
        return;
      }
      // §6.8: a collision with an Established connection closes the newcomer.
      incoming->Detach();
      incoming->Close();
      return;
    case SessionState::kOpenSent:
    case SessionState::kOpenConfirm:
      DropPending();
      pending_ = std::move(incoming);
      pending_open_.reset();
      pending_->Start();
      ResolveCollision();
      return;
  }
}

void PeerSession::AdoptIncoming(std::shared_ptr<Connection> connection) {
  Dispatch(FsmEvent{FsmEventType::kAutomaticStartPassive, {}, {}, {}});
  Adopt(std::move(connection), FsmEventType::kTcpConnectionConfirmed);
}

// The peer's OPEN on a colliding connection tells its BGP Identifier; anything else there is
// a protocol error that ends that connection only.
void PeerSession::OnPendingMessage(std::span<const uint8_t> message) {
  wire::DecodeOutcome<wire::Message> outcome = wire::DecodeMessage(message, wire::CodecContext{});
  const auto* open = std::get_if<wire::OpenMessage>(&outcome.value);
  if (!outcome.ok() || open == nullptr || pending_open_) {
    DropPending();
    return;
  }
  pending_open_ = *open;
  if (!peer_router_id_) peer_router_id_ = open->bgp_identifier;
  ResolveCollision();
}

void PeerSession::ResolveCollision() {
  if (!pending_) return;
  const SessionState state = fsm_.state();
  const bool in_open_exchange =
      state == SessionState::kOpenSent || state == SessionState::kOpenConfirm;
  if (!connection_ || !in_open_exchange) {
    if (state == SessionState::kEstablished ||
        (state == SessionState::kIdle && !fsm_.auto_restart())) {
      DropPending();  // §6.8: an Established session wins; an administrative stop refuses
      return;
    }
    // Our connection is gone: the colliding one is all there is.
    std::shared_ptr<Connection> only = std::move(pending_);
    std::optional<wire::OpenMessage> open = std::move(pending_open_);
    pending_open_.reset();
    if (state != SessionState::kIdle) Dispatch(FsmEvent{FsmEventType::kManualStop, {}, {}, {}});
    AdoptIncoming(std::move(only));
    if (open && fsm_.state() == SessionState::kOpenSent) {
      Dispatch(FsmEvent{FsmEventType::kBgpOpen, *open, {}, {}});
    }
    return;
  }
  if (!peer_router_id_) return;  // wait for the peer's BGP Identifier
  const uint32_t local_id = fsm_.config().local.router_id;
  // §6.8: keep the connection initiated by the speaker with the larger BGP Identifier; RFC 6286
  // §2.3: with equal identifiers (eBGP), the one initiated by the larger AS. Two incoming
  // connections: keep the newer one.
  bool local_wins = local_id > *peer_router_id_;
  if (local_id == *peer_router_id_) {
    local_wins = fsm_.config().local.local_as > fsm_.config().local.expected_peer_as;
  }
  const bool keep_current = connection_->outgoing() && local_wins;
  spdlog::info("peer {}: connection collision, keeping the {} connection", Name(),
               keep_current ? "current" : "new");
  if (keep_current) {
    absl::StatusOr<std::vector<uint8_t>> cease = wire::EncodeMessage(
        wire::NotificationMessage{wire::kCease, wire::kConnectionCollisionResolution, {}},
        wire::CodecContext{});
    if (cease.ok()) pending_->Send(std::move(*cease));
    DropPending();
    return;
  }
  std::shared_ptr<Connection> winner = std::move(pending_);
  std::optional<wire::OpenMessage> open = std::move(pending_open_);
  pending_open_.reset();
  Dispatch(FsmEvent{FsmEventType::kOpenCollisionDump, {}, {}, {}});
  // The FSM is Idle now: run it again on the surviving connection, whose OPEN we already read.
  AdoptIncoming(std::move(winner));
  if (open && fsm_.state() == SessionState::kOpenSent) {
    peer_router_id_ = open->bgp_identifier;
    Dispatch(FsmEvent{FsmEventType::kBgpOpen, *open, {}, {}});
  }
}

void PeerSession::OnMessage(Connection& c, std::span<const uint8_t> message) {
  if (&c == pending_.get()) {
    OnPendingMessage(message);
    return;
  }
  if (&c != connection_.get()) return;
  wire::CodecContext ctx;
  if (fsm_.negotiated()) ctx = fsm_.negotiated()->ReceiveContext();
  wire::DecodeOutcome<wire::Message> outcome = wire::DecodeMessage(message, ctx);
  const wire::WireError* error = outcome.strongest();
  if (error && error->code == wire::kMessageHeaderError) {
    Dispatch(FsmEvent{FsmEventType::kBgpHeaderErr, {}, ToNotification(*error), {}});
    return;
  }
  switch (wire::MessageTypeOf(outcome.value)) {
    case wire::kMsgOpen:
      OnOpenMessage(outcome);
      return;
    case wire::kMsgUpdate:
      OnUpdateMessage(outcome);
      return;
    case wire::kMsgNotification: {
      const auto& n = std::get<wire::NotificationMessage>(outcome.value);
      spdlog::info("peer {}: received NOTIFICATION {}", Name(), DescribeNotification(n));
      const bool version = n.code == wire::kOpenMessageError &&
                           n.subcode == wire::kUnsupportedVersionNumber;
      Dispatch(FsmEvent{version ? FsmEventType::kNotifMsgVerErr : FsmEventType::kNotifMsg, {}, n,
                        {}});
      return;
    }
    case wire::kMsgKeepalive:
      Dispatch(FsmEvent{FsmEventType::kKeepAliveMsg, {}, {}, {}});
      return;
    case wire::kMsgRouteRefresh:
      if (error) {
        Dispatch(FsmEvent{FsmEventType::kBgpHeaderErr, {}, ToNotification(*error), {}});
      } else if (fsm_.state() == SessionState::kEstablished) {
        owner_.OnRouteRefresh(*this, std::get<wire::RouteRefreshMessage>(outcome.value));
      }
      return;
  }
}

void PeerSession::OnOpenMessage(const wire::DecodeOutcome<wire::Message>& outcome) {
  if (const wire::WireError* error = outcome.strongest()) {
    spdlog::info("peer {}: bad OPEN: {}", Name(), error->message);
    Dispatch(FsmEvent{FsmEventType::kBgpOpenMsgErr, {}, ToNotification(*error), {}});
    return;
  }
  const auto& open = std::get<wire::OpenMessage>(outcome.value);
  peer_router_id_ = open.bgp_identifier;
  Dispatch(FsmEvent{FsmEventType::kBgpOpen, open, {}, {}});
  ResolveCollision();
}

void PeerSession::OnUpdateMessage(wire::DecodeOutcome<wire::Message>& outcome) {
  const wire::ErrorAction action = outcome.action();
  if (action == wire::ErrorAction::kSessionReset) {
    const wire::WireError* error = outcome.strongest();
    spdlog::warn("peer {}: UPDATE error, resetting the session: {}", Name(), error->message);
    Dispatch(FsmEvent{FsmEventType::kUpdateMsgErr, {}, ToNotification(*error), {}});
    return;
  }
  for (const wire::WireError& e : outcome.errors) {
    spdlog::warn("peer {}: UPDATE error handled by {}: {}", Name(),
                 wire::ErrorActionName(e.action), e.message);
  }
  Dispatch(FsmEvent{FsmEventType::kUpdateMsg, {}, {}, {}});
  if (fsm_.state() == SessionState::kEstablished) {
    const wire::WireError* strongest = outcome.strongest();
    owner_.OnUpdate(*this, std::get<wire::UpdateMessage>(outcome.value), action,
                    strongest != nullptr ? strongest->family : std::nullopt);
  }
}

void PeerSession::OnFramingError(Connection& c, const wire::WireError& error) {
  if (&c == pending_.get()) {
    DropPending();
    return;
  }
  if (&c != connection_.get()) return;
  Dispatch(FsmEvent{FsmEventType::kBgpHeaderErr, {}, ToNotification(error), {}});
}

void PeerSession::OnClosed(Connection& c, const boost::system::error_code& ec) {
  if (&c == pending_.get()) {
    pending_.reset();
    pending_open_.reset();
    return;
  }
  if (&c != connection_.get()) return;
  spdlog::debug("peer {}: connection closed: {}", Name(), ec.message());
  connection_.reset();
  Dispatch(FsmEvent{FsmEventType::kTcpConnectionFails, {}, {}, {}});
  if (pending_ && pending_open_) ResolveCollision();  // the colliding connection survives
}

void PeerSession::OnWritten(Connection& c) {
  if (&c == connection_.get() && fsm_.state() == SessionState::kEstablished) {
    owner_.OnWritable(*this);
  }
}

}  // namespace evpnd::bgpd

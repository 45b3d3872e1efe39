// One configured BGP peer: its FSM (bgpd/session), the TCP connection it runs over, the single
// timer armed at the FSM's next deadline, outgoing connects (source address, TCP-MD5, GTSM), and
// connection collision handling. Decodes what arrives into FSM events and hands UPDATEs and
// ROUTE-REFRESHes to its owner (the daemon, which owns the RIB).
// Standards: RFC 4271 §6.8 (collision detection), §8 (events fed to the FSM); RFC 7606 (the
// codec's action decides between keeping the session and resetting it); RFC 2385; RFC 5082.
//
// NOTE: Threading: core io_context only.
// NOTE: Collision: an incoming connection while ours is in OpenSent or OpenConfirm is read until
// the peer's BGP Identifier is known (from either connection's OPEN); the connection initiated
// by the speaker with the larger identifier survives and the other gets Cease / Connection
// Collision Resolution. A surviving incoming connection is adopted with its OPEN replayed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bgpd/config/config.h"
#include "bgpd/io/asio.h"
#include "bgpd/io/connection.h"
#include "bgpd/session/fsm.h"

namespace evpnd::bgpd {

// "cease/administrative-shutdown (6/2) \"text\"": a NOTIFICATION for logs and the API.
std::string DescribeNotification(const wire::NotificationMessage& notification);

class PeerSession : public Connection::Handler {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void OnEstablished(PeerSession& peer, const NegotiatedSession& session) = 0;
    virtual void OnSessionDown(PeerSession& peer, const SessionDownAction& down) = 0;
    // `action` is the codec's strongest RFC 7606 action below session reset; `family` names the
    // family of an AFI/SAFI disable.
    virtual void OnUpdate(PeerSession& peer, const wire::UpdateMessage& update,
                          wire::ErrorAction action, std::optional<wire::AfiSafi> family) = 0;
    virtual void OnRouteRefresh(PeerSession& peer, const wire::RouteRefreshMessage& rr) = 0;
    // The write queue drained: the owner may generate more UPDATEs.
    virtual void OnWritable(PeerSession& peer) = 0;
  };

  PeerSession(asio::io_context& io, PeerConfig config, FsmConfig fsm_config, Owner& owner);
  ~PeerSession() override;

  void Start();
  // ManualStop: Cease / Administrative Shutdown with an RFC 9003 communication when given.
  void Stop(const std::string& communication);
  // AutomaticStop with a NOTIFICATION (e.g. Cease / Maximum Number of Prefixes Reached).
  void AutomaticStop(const wire::NotificationMessage& notification,
                     std::optional<absl::Duration> restart_after);
  // An accepted connection from this peer's address.
  void Accept(tcp::socket socket);
  // Whether a connection from `remote` (this peer's address) may be this peer's: for a
  // link-local peer, only one that arrived on its interface.
  bool AcceptsFrom(const tcp::endpoint& remote) const;
  // Sends a ROUTE-REFRESH (or an RFC 7313 BoRR/EoRR marker) on an Established session.
  void SendRouteRefresh(const wire::RouteRefreshMessage& rr);
  // Sends an encoded UPDATE (made for this session's SendContext()).
  void SendUpdate(std::shared_ptr<const std::vector<uint8_t>> bytes);

  SessionState state() const { return fsm_.state(); }
  const PeerConfig& config() const { return config_; }
  const Fsm& fsm() const { return fsm_; }
  size_t WriteQueueBytes() const { return connection_ ? connection_->WriteQueueBytes() : 0; }
  std::optional<tcp::endpoint> LocalEndpoint() const;
  std::string Name() const;

  // Connection::Handler
  void OnMessage(Connection& c, std::span<const uint8_t> message) override;
  void OnFramingError(Connection& c, const wire::WireError& error) override;
  void OnClosed(Connection& c, const boost::system::error_code& ec) override;
  void OnWritten(Connection& c) override;

 private:
  void Dispatch(const FsmEvent& event);
  void Apply(FsmActions actions);
  void RearmTimer();
  void StartConnect();
  void Adopt(std::shared_ptr<Connection> connection, FsmEventType event);
  void DropConnection(std::shared_ptr<Connection>& connection);
  void DropPending();
  void Send(const wire::Message& message);
  void ResolveCollision();
  // Starts the FSM for a connection the peer opened (no outgoing attempt) and adopts it.
  void AdoptIncoming(std::shared_ptr<Connection> connection);
  void OnPendingMessage(std::span<const uint8_t> message);
  void OnOpenMessage(const wire::DecodeOutcome<wire::Message>& outcome);
  void OnUpdateMessage(wire::DecodeOutcome<wire::Message>& outcome);
  absl::Status PrepareSocket(tcp::socket& socket);

  asio::io_context& io_;
  PeerConfig config_;
  Fsm fsm_;
  Owner& owner_;
  asio::steady_timer timer_;
  std::unique_ptr<tcp::socket> connecting_;
  std::shared_ptr<Connection> connection_;
  // An incoming connection that collided with ours in OpenSent or OpenConfirm: read until the
  // peer's OPEN arrives on it (nothing is sent on it before the collision is resolved).
  std::shared_ptr<Connection> pending_;
  std::optional<wire::OpenMessage> pending_open_;
  std::optional<uint32_t> peer_router_id_;
  uint64_t connect_attempt_ = 0;  // tells a stale connect completion from the current one
  // Completion handlers check this before touching the session (which may be gone).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace evpnd::bgpd

// The composition root: builds the peer sessions, the listener and the RIB from the
// configuration, runs them on one io_context, and applies reloads and shutdown.
// Standards: RFC 4271 (the speaker), RFC 9003 (shutdown communication on SIGTERM).
//
//   threads and queues
//
//   core thread (one io_context) ----------------------------------------------------------
//     Listener --accept--> PeerSession (Fsm + Connection + timer) --UPDATE--> Rib
//                                         ^                                   |  ^
//                                         |                      best-path    |  | Originate
//                                         |                      changes      v  | (type 2/3)
//                                         |                              EvpnService (MAC-VRFs,
//                                         |                              mobility) --> FDB feed
//                                         +------ encoded UPDATEs (pulled) <--- AdjRibOut
//     signal_set: SIGHUP -> Reload(), SIGTERM/SIGINT -> Shutdown()
//   (netlink thread and gRPC threads arrive with fib-sync and the API)
//
// NOTE: Threading: everything here runs on the core thread; nothing is locked.
// NOTE: Reload: peers whose PeerConfig is unchanged keep their sessions; changed ones restart;
// removed ones get Cease / Peer De-configured; global changes (AS, router id, listen) restart all.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "bgpd/config/config.h"
#include "bgpd/io/asio.h"
#include "bgpd/io/listener.h"
#include "bgpd/io/peer_session.h"
#include "rib/adj_rib_out.h"
#include "rib/evpn_service.h"
#include "rib/rib.h"

namespace evpnd::bgpd {

class Daemon : public PeerSession::Owner {
 public:
  Daemon(asio::io_context& io, Config config);
  ~Daemon() override;

  absl::Status Start();
  // Applies a new configuration, keeping what did not change.
  void Reload(Config config);
  // Cease / Administrative Shutdown to every peer, then stop the io_context once the
  // NOTIFICATIONs are written (or after a grace period).
  void Shutdown(const std::string& communication);

  const Config& config() const { return config_; }
  const rib::Rib& rib() const { return *rib_; }
  const rib::EvpnService& evpn() const { return *evpn_; }

  // PeerSession::Owner
  void OnEstablished(PeerSession& peer, const NegotiatedSession& session) override;
  void OnSessionDown(PeerSession& peer, const SessionDownAction& down) override;
  void OnUpdate(PeerSession& peer, const wire::UpdateMessage& update, wire::ErrorAction action,
                std::optional<wire::AfiSafi> family) override;
  void OnRouteRefresh(PeerSession& peer, const wire::RouteRefreshMessage& rr) override;
  void OnWritable(PeerSession& peer) override;

 private:
  struct Peer {
    std::unique_ptr<PeerSession> session;
    rib::PeerId id = 0;
    bool established = false;
    bool in_rib = false;  // known to the RIB (established, or kept stale by graceful restart)
    bool max_prefix_warned = false;
    // RFC 7313: a refresh we are answering with BoRR ... EoRR; the EoRR follows the last UPDATE.
    std::optional<wire::AfiSafi> refresh_in_progress;
    // The peer's graceful restart capability from the last session, if it sent one.
    std::optional<wire::GracefulRestartCapability> peer_graceful_restart;
    // RFC 4724 §4.2: how long stale routes are kept (restart time, then the wait for
    // End-of-RIB).
    std::unique_ptr<asio::steady_timer> stale_timer;
  };

  FsmConfig MakeFsmConfig(const PeerConfig& peer) const;
  rib::PeerInfo MakePeerInfo(const Peer& peer, const NegotiatedSession& session) const;
  void ArmStaleTimer(Peer& peer, absl::Duration after);
  void CheckMaxPrefix(Peer& peer);
  void SchedulePropagate();
  Peer* FindById(rib::PeerId id);
  void AddPeer(const PeerConfig& peer);
  void RemovePeer(const evpn::IpAddress& address, uint8_t cease_subcode);
  bool DispatchIncoming(const evpn::IpAddress& from, tcp::socket socket);
  Peer* Find(PeerSession& session);
  // Runs the decision process and lets every established peer pull its UPDATEs.
  void Propagate();
  // Sends what the group has ready; false when a member's write queue is full (the group then
  // waits for OnWritable).
  bool Flush(rib::UpdateGroupId group);
  void InstallMd5Keys();
  // EVPN (daemon_evpn.cc): applies config_.evpn; `previous` is the EVPN config before a reload
  // (null at start), to learn and age the declared local MACs that changed.
  void ConfigureEvpn(const EvpnConfig* previous);
  void OnMacEvents(const std::vector<rib::MacEvent>& events);
  void ArmEvpnTimer();
  // Until fib-sync consumes it: logs the FDB feed.
  void DrainFdbChanges();
  // Sends the EoRR of every refresh whose re-advertisement has been queued completely.
  void FinishRefreshes();

  asio::io_context& io_;
  Config config_;
  Listener listener_;
  std::unique_ptr<rib::Rib> rib_;
  std::unique_ptr<rib::AdjRibOut> adj_rib_out_;
  std::unique_ptr<rib::EvpnService> evpn_;
  asio::steady_timer evpn_timer_;
  std::map<evpn::IpAddress, Peer> peers_;
  std::map<rib::PeerId, evpn::IpAddress> addresses_;  // PeerId -> key of peers_
  // TCP-MD5 keys installed on the listening sockets, to remove the ones a reload drops.
  std::map<evpn::IpAddress, std::string> listener_md5_keys_;
  rib::PeerId next_peer_id_ = 1;
  bool propagate_posted_ = false;
};

}  // namespace evpnd::bgpd

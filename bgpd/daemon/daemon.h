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

#include <array>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "bgpd/config/config.h"
#include "bgpd/io/asio.h"
#include "bgpd/io/listener.h"
#include "bgpd/io/peer_session.h"
#include "bgpd/metrics/exposition.h"
#include "bgpd/session/selection_deferral.h"
#include "fib-sync/netlink/netlink_fib.h"
#include "fib-sync/reconcile/reconciler.h"
#include "rib/adj_rib_out.h"
#include "rib/evpn_service.h"
#include "rib/rib.h"

namespace evpnd::bgpd {

class Daemon : public PeerSession::Owner {
 public:
  // `restarted`: the previous evpnd did not exit cleanly (main.cc tells); with graceful restart
  // on, sessions then announce the restart (R bit) and route selection is deferred.
  Daemon(asio::io_context& io, Config config, bool restarted);
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
  const fibsync::Reconciler& fib() const { return reconciler_; }

  // Management (daemon_mgmt.cc), for bgpd/api: plain views and commands, core thread only.
  struct PeerStatus {
    PeerConfig config;
    SessionState state = SessionState::kIdle;
    absl::Time state_since;  // wall clock; InfinitePast = never changed
    bool admin_down = false;
    uint16_t hold_time_s = 0;
    std::vector<wire::AfiSafi> families;
    rib::PeerRouteCounts counts;
    size_t advertised = 0;
    std::string last_notification;
    std::string last_down_reason;
  };
  std::vector<PeerStatus> PeerStatuses() const;
  // What the API's WatchEvents streams: peer state changes, MAC mobility decisions, FDB changes.
  // Listeners run on the core thread and must not block.
  struct Event {
    enum class Kind : uint8_t { kPeer, kMac, kFdb };
    Kind kind = Kind::kPeer;
    absl::Time at;
    std::string subject;  // peer address, or "vni 100 mac M", or "vni 100 flood"
    std::string what;     // "established", "down: <reason>", a MobilityDecision, "add" ...
    std::string detail;   // location, VTEP, NOTIFICATION
  };
  using EventListener = std::function<void(const Event&)>;
  // `wanted` (asked on the core thread; empty = always): whether the listener takes events now.
  // An event's text is built only when some listener does: a mass move is one event per MAC.
  void AddEventListener(EventListener listener, std::function<bool()> wanted = {}) {
    listeners_.push_back({std::move(listener), std::move(wanted)});
  }
  bool EventsWanted() const;
  absl::Status EnablePeer(const evpn::IpAddress& address);
  absl::Status DisablePeer(const evpn::IpAddress& address, const std::string& message);
  absl::Status ResetPeer(const evpn::IpAddress& address);
  absl::Status SoftResetPeer(const evpn::IpAddress& address);
  absl::StatusOr<std::vector<rib::MacEvent>> AddLocalMac(evpn::Vni vni,
                                                         const evpn::MacAddress& mac,
                                                         const std::vector<evpn::IpAddress>& ips,
                                                         bool sticky);
  absl::StatusOr<std::vector<rib::MacEvent>> DeleteLocalMac(evpn::Vni vni,
                                                            const evpn::MacAddress& mac);
  absl::StatusOr<std::vector<rib::MacEvent>> ClearDuplicate(evpn::Vni vni,
                                                            const evpn::MacAddress& mac);
  // The VXLAN device and bridge names fib-sync bound a VNI to ("" when none).
  std::pair<std::string, std::string> BoundDevices(evpn::Vni vni) const;
  std::optional<rib::PeerId> PeerIdOf(const evpn::IpAddress& address) const;
  const rib::AdjRibOut& adj_rib_out() const { return *adj_rib_out_; }
  bool fib_running() const { return netlink_ != nullptr; }
  absl::Time started_at() const { return started_at_; }
  // The Prometheus text exposition of the daemon's state and counters (daemon_metrics.cc).
  std::string RenderMetrics() const;

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
    // RFC 7313 §4: per family, the routes the peer's BoRR marked stale wait for its EoRR at
    // most the stale-routes time (as FRR's stale-path time); on the current session only.
    std::map<wire::AfiSafi, std::unique_ptr<asio::steady_timer>> refresh_stale_timers;
    // End-of-RIB for EVPN received on the current session (releases the FDB hold at start).
    bool evpn_end_of_rib = false;
    // For the API.
    absl::Time state_since = absl::InfinitePast();
    uint16_t hold_time_s = 0;
    std::vector<wire::AfiSafi> families;
    std::string last_notification;
    std::string last_down_reason;
    bool admin_down = false;
    bool route_refresh = false;  // negotiated (RFC 2918)
    uint64_t established_count = 0;  // for the metrics
  };

  // Automatic route filtering of EVPN routes (Rib::SetEvpnImportFilter) for the current
  // configuration; a route refresh from the peers when routes refused before are wanted now.
  void ApplyEvpnImportFilter();
  FsmConfig MakeFsmConfig(const PeerConfig& peer) const;
  rib::PeerInfo MakePeerInfo(const Peer& peer, const NegotiatedSession& session) const;
  void ArmStaleTimer(Peer& peer, absl::Duration after);
  void ArmRefreshStaleTimer(Peer& peer, wire::AfiSafi family);
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
  void Emit(Event::Kind kind, std::string subject, std::string what, std::string detail);
  void ArmEvpnTimer();
  // Hands the EVPN layer's FDB feed to the reconciler.
  void DrainFdbChanges();
  // fib-sync (daemon_fib.cc).
  void StartFib();
  void OnNetlinkEvents(fibsync::NetlinkEvents events);
  void OnKernelFdb(const fibsync::KernelFdbEntry& entry);
  // Binds configured VNIs to VXLAN devices and their bridges.
  void RebindFib();
  // Sends the next batch if none is in flight.
  void PumpFib();
  void ArmFibTimer();
  // RFC 4724 §4.1: entries kept from before a restart wait for the routes to come back.
  void HoldFibUntilEndOfRib();
  void MaybeReleaseFibHold(bool timer_expired);
  // Sends the EoRR of every refresh whose re-advertisement has been queued completely.
  void FinishRefreshes();
  // RFC 4724 §4.1: the deferral is over; decide and advertise.
  void EndSelectionDeferral();
  // A peer's paths leave the RIB in slices (FlushStep), so that a full table going away does
  // not stall the event loop; FinishFlush ends it at once (the peer comes back, or goes).
  void StartFlush(rib::PeerId id);
  void ScheduleFlushStep();
  void FlushStep();
  void FinishFlush(rib::PeerId id);
  // Metrics (daemon_metrics.cc).
  static metrics::Histogram NewLatencyHistogram();
  void ObserveUpdate(absl::Duration took);
  void CountMacEvents(const std::vector<rib::MacEvent>& events);

  asio::io_context& io_;
  Config config_;
  Listener listener_;
  std::unique_ptr<rib::Rib> rib_;
  std::unique_ptr<rib::AdjRibOut> adj_rib_out_;
  std::unique_ptr<rib::EvpnService> evpn_;
  asio::steady_timer evpn_timer_;
  fibsync::Reconciler reconciler_;
  std::unique_ptr<fibsync::NetlinkFib> netlink_;
  std::map<int, fibsync::LinkInfo> links_;           // ifindex -> link
  std::map<int, evpn::Vni> bridge_vni_;               // bridge ifindex -> VNI (local learning)
  std::set<std::pair<evpn::Vni, evpn::MacAddress>> kernel_local_;  // learned from the kernel
  asio::steady_timer fib_timer_;
  asio::steady_timer fib_hold_timer_;
  std::map<evpn::Vni, fibsync::VxlanDevice> fib_bound_;
  // The hold may go once the decisions the last End-of-RIB caused have reached the reconciler.
  bool fib_release_ready_ = false;
  struct EventSink {
    EventListener take;
    std::function<bool()> wanted;
  };
  std::vector<EventSink> listeners_;
  // RFC 4724: after a restart, sessions opened in the first restart time carry the R bit.
  bool restarting_;
  absl::Time started_at_ = absl::Now();
  asio::steady_timer restart_state_timer_;
  // RFC 4724 §4.1: after our (re)start, no decision runs until the peers that restart
  // gracefully have sent End-of-RIB (or the timer runs out).
  SelectionDeferral deferral_;
  asio::steady_timer deferral_timer_;
  asio::steady_timer deferral_grace_timer_;
  std::map<evpn::IpAddress, Peer> peers_;
  std::map<rib::PeerId, evpn::IpAddress> addresses_;  // PeerId -> key of peers_
  // TCP-MD5 keys installed on the listening sockets, to remove the ones a reload drops.
  std::map<evpn::IpAddress, std::string> listener_md5_keys_;
  rib::PeerId next_peer_id_ = 1;
  bool propagate_posted_ = false;
  std::set<rib::PeerId> flushing_;
  bool flush_posted_ = false;
  // Metrics.
  uint64_t updates_received_ = 0;
  metrics::Histogram update_seconds_ = NewLatencyHistogram();
  metrics::Histogram decision_seconds_ = NewLatencyHistogram();
  std::array<uint64_t, evpn::kMobilityDecisionCount> mac_decisions_{};
  std::map<int, uint64_t> fdb_errors_;  // errno -> count
};

}  // namespace evpnd::bgpd

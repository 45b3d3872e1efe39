// The Prometheus metrics of the daemon (what bgpd/metrics/http_server.h serves): gathered on the
// core thread from the state the daemon owns, at scrape time. Counters live in the modules that
// count (Rib, EvpnService's MAC-VRFs, Reconciler) or here (UPDATE timing, mobility decisions,
// FDB errors); gauges are read from the tables. The per-VNI MAC gauges walk each MAC-VRF once
// (a few ms per 100k MACs); everything else is O(peers + VNIs).
#include <cstring>
#include <vector>
#include <string>

#include "absl/strings/str_cat.h"
#include "bgpd/daemon/daemon.h"
#include "bgpd/metrics/exposition.h"

namespace evpnd::bgpd {
namespace {

using metrics::ExpositionWriter;
using metrics::MetricType;

constexpr SessionState kStates[] = {SessionState::kIdle,        SessionState::kConnect,
                                    SessionState::kActive,      SessionState::kOpenSent,
                                    SessionState::kOpenConfirm, SessionState::kEstablished};

std::string StateLabel(SessionState state) {
  std::string name(SessionStateName(state));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

metrics::Histogram Daemon::NewLatencyHistogram() {
  // 10 us .. ~5 s, doubling.
  return metrics::Histogram::Exponential(10e-6, 2, 20);
}

void Daemon::ObserveUpdate(absl::Duration took) {
  ++updates_received_;
  update_seconds_.Observe(absl::ToDoubleSeconds(took));
}

void Daemon::CountMacEvents(const std::vector<rib::MacEvent>& events) {
  for (const rib::MacEvent& e : events) ++mac_decisions_[static_cast<size_t>(e.decision)];
}

std::string Daemon::RenderMetrics() const {
  ExpositionWriter w;
  const std::vector<PeerStatus> peers = PeerStatuses();

  // ---- BGP ----
  w.Family("evpnd_bgp_sessions", "BGP sessions by FSM state (RFC 4271 section 8).",
           MetricType::kGauge);
  for (SessionState state : kStates) {
    uint64_t n = 0;
    for (const PeerStatus& p : peers) n += p.state == state ? 1 : 0;
    w.Sample("evpnd_bgp_sessions", {{"state", StateLabel(state)}}, n);
  }
  w.Family("evpnd_bgp_peer_up", "1 when the session with the peer is Established.",
           MetricType::kGauge);
  for (const PeerStatus& p : peers) {
    w.Sample("evpnd_bgp_peer_up", {{"peer", p.config.address.ToString()}},
             uint64_t{p.state == SessionState::kEstablished});
  }
  w.Family("evpnd_bgp_peer_routes",
           "Routes per peer: received (Adj-RIB-In), best (installed from it), stale (graceful "
           "restart), advertised (Adj-RIB-Out).",
           MetricType::kGauge);
  for (const PeerStatus& p : peers) {
    const std::string peer = p.config.address.ToString();
    w.Sample("evpnd_bgp_peer_routes", {{"peer", peer}, {"kind", "received"}},
             uint64_t{p.counts.received});
    w.Sample("evpnd_bgp_peer_routes", {{"peer", peer}, {"kind", "best"}},
             uint64_t{p.counts.best});
    w.Sample("evpnd_bgp_peer_routes", {{"peer", peer}, {"kind", "stale"}},
             uint64_t{p.counts.stale});
    w.Sample("evpnd_bgp_peer_routes", {{"peer", peer}, {"kind", "advertised"}},
             uint64_t{p.advertised});
  }
  w.Family("evpnd_bgp_peer_routes_rejected_total",
           "Routes received from the peer and not kept, by reason (rib/import_policy.h), since "
           "the RIB last flushed the peer's routes.",
           MetricType::kCounter);
  for (const PeerStatus& p : peers) {
    for (size_t i = 0; i < p.counts.rejected.size(); ++i) {
      if (p.counts.rejected[i] == 0) continue;
      w.Sample("evpnd_bgp_peer_routes_rejected_total",
               {{"peer", p.config.address.ToString()},
                {"reason", std::string(rib::ToString(static_cast<rib::RouteRejectReason>(i)))}},
               p.counts.rejected[i]);
    }
  }
  w.Family("evpnd_bgp_peer_established_total", "Times the session with the peer came up.",
           MetricType::kCounter);
  for (const auto& [address, peer] : peers_) {
    w.Sample("evpnd_bgp_peer_established_total", {{"peer", address.ToString()}},
             peer.established_count);
  }
  w.Family("evpnd_bgp_selection_deferred",
           "1 while route selection waits for peers after a restart (RFC 4724 section 4.1).",
           MetricType::kGauge);
  w.Sample("evpnd_bgp_selection_deferred", {}, uint64_t{deferral_.deferring()});
  w.Family("evpnd_bgp_loc_rib_routes",
           "Loc-RIB routes with an installed best path, by family and EVPN route type.",
           MetricType::kGauge);
  for (uint8_t type = 1; type <= 5; ++type) {
    w.Sample("evpnd_bgp_loc_rib_routes",
             {{"family", "l2vpn-evpn"}, {"type", absl::StrCat(type)}}, rib_->best_routes(type));
  }
  for (wire::AfiSafi family : {wire::kIpv4Unicast, wire::kIpv6Unicast}) {
    w.Sample("evpnd_bgp_loc_rib_routes", {{"family", wire::AfiSafiName(family)}},
             rib_->best_unicast_routes(family));
  }
  w.Family("evpnd_bgp_updates_received_total", "UPDATE messages applied to an Adj-RIB-In.",
           MetricType::kCounter);
  w.Sample("evpnd_bgp_updates_received_total", {}, updates_received_);
  w.Family("evpnd_bgp_update_processing_seconds",
           "Time to apply one received UPDATE to the Adj-RIB-In (decoded message in, paths "
           "filed), on the core thread.",
           MetricType::kHistogram);
  w.WriteHistogram("evpnd_bgp_update_processing_seconds", {}, update_seconds_);
  w.Family("evpnd_bgp_decision_round_seconds",
           "Time of one decision round: best-path selection of a batch of changed routes, EVPN "
           "import and mobility, Adj-RIB-Out encoding.",
           MetricType::kHistogram);
  w.WriteHistogram("evpnd_bgp_decision_round_seconds", {}, decision_seconds_);

  // ---- EVPN ----
  // The MAC counts are kept by the EVPN service (rib::MacCounts): no walk of the MACs here.
  struct VniStats {
    std::string vni;
    const rib::MacVrf* vrf = nullptr;
    uint64_t remote_type3 = 0;
  };
  std::vector<VniStats> vnis;
  for (evpn::Vni vni : evpn_->Vnis()) {
    const rib::MacVrf* vrf = evpn_->Find(vni);
    if (vrf == nullptr) continue;
    VniStats& v = vnis.emplace_back(VniStats{.vni = absl::StrCat(vni), .vrf = vrf});
    for (const auto& [vtep, routes] : vrf->flood) v.remote_type3 += routes.size();
  }
  // A family with one sample per VNI.
  auto per_vni = [&](absl::string_view name, absl::string_view help, MetricType type,
                     auto value) {
    w.Family(name, help, type);
    for (const VniStats& v : vnis) w.Sample(name, {{"vni", v.vni}}, uint64_t{value(v)});
  };
  w.Family("evpnd_evpn_macs", "MACs per VNI by where they are: local, remote (a VTEP).",
           MetricType::kGauge);
  for (const VniStats& v : vnis) {
    w.Sample("evpnd_evpn_macs", {{"vni", v.vni}, {"location", "local"}},
             v.vrf->counts.located_here);
    w.Sample("evpnd_evpn_macs", {{"vni", v.vni}, {"location", "remote"}},
             v.vrf->counts.located_remote);
  }
  per_vni("evpnd_evpn_duplicate_macs", "MACs marked duplicate (RFC 7432 section 15.1).",
          MetricType::kGauge, [](const VniStats& v) { return v.vrf->counts.duplicates; });
  w.Family("evpnd_evpn_routes",
           "EVPN routes per VNI: type 2 and 3, originated here (local) or imported (remote).",
           MetricType::kGauge);
  for (const VniStats& v : vnis) {
    w.Sample("evpnd_evpn_routes", {{"vni", v.vni}, {"type", "2"}, {"origin", "local"}},
             v.vrf->counts.local_type2);
    w.Sample("evpnd_evpn_routes", {{"vni", v.vni}, {"type", "2"}, {"origin", "remote"}},
             v.vrf->counts.remote_type2);
    // One type-3 per VNI is originated as soon as the VNI is configured.
    w.Sample("evpnd_evpn_routes", {{"vni", v.vni}, {"type", "3"}, {"origin", "local"}},
             uint64_t{1});
    w.Sample("evpnd_evpn_routes", {{"vni", v.vni}, {"type", "3"}, {"origin", "remote"}},
             v.remote_type3);
  }
  per_vni("evpnd_evpn_flood_vteps", "Remote VTEPs on the VNI's flood list (ingress replication).",
          MetricType::kGauge, [](const VniStats& v) { return v.vrf->flood.size(); });
  per_vni("evpnd_evpn_mac_moves_total", "MAC moves between VTEPs (a MAC's location changed).",
          MetricType::kCounter, [](const VniStats& v) { return v.vrf->counters.mac_moves; });
  per_vni("evpnd_evpn_duplicates_detected_total", "Times a MAC was marked duplicate.",
          MetricType::kCounter,
          [](const VniStats& v) { return v.vrf->counters.duplicates_detected; });
  w.Family("evpnd_evpn_mobility_decisions_total",
           "MAC mobility decisions (RFC 7432 section 15), by decision.", MetricType::kCounter);
  for (size_t d = 0; d < evpn::kMobilityDecisionCount; ++d) {
    w.Sample("evpnd_evpn_mobility_decisions_total",
             {{"decision", evpn::ToString(static_cast<evpn::MobilityDecision>(d))}},
             mac_decisions_[d]);
  }

  // ---- fib-sync ----
  const fibsync::ReconcilerCounters& fib = reconciler_.counters();
  w.Family("evpnd_fdb_writes_total",
           "Kernel FDB write operations sent over netlink, by operation.", MetricType::kCounter);
  w.Sample("evpnd_fdb_writes_total", {{"op", "replace"}}, fib.replaces_sent);
  w.Sample("evpnd_fdb_writes_total", {{"op", "delete"}}, fib.deletes_sent);
  w.Family("evpnd_fdb_write_errors_total",
           "Kernel FDB writes the kernel refused (each is retried with backoff), by errno.",
           MetricType::kCounter);
  for (const auto& [error, n] : fdb_errors_) {
    w.Sample("evpnd_fdb_write_errors_total", {{"errno", std::strerror(error)}}, n);
  }
  w.Family("evpnd_fdb_repairs_total",
           "Entries evpnd owns that were changed or removed behind its back and put back.",
           MetricType::kCounter);
  w.Sample("evpnd_fdb_repairs_total", {}, fib.repaired);
  w.Family("evpnd_fdb_resyncs_total", "Full FDB dumps reconciled (start, lost notifications).",
           MetricType::kCounter);
  w.Sample("evpnd_fdb_resyncs_total", {}, fib.resyncs);
  w.Family("evpnd_fdb_desired_entries", "FDB entries the routes want in the kernel.",
           MetricType::kGauge);
  w.Sample("evpnd_fdb_desired_entries", {}, uint64_t{reconciler_.desired_size()});
  w.Family("evpnd_fdb_synced", "1 once the kernel FDB matches the routes (no write pending).",
           MetricType::kGauge);
  w.Sample("evpnd_fdb_synced", {}, uint64_t{netlink_ != nullptr && reconciler_.Converged()});

  w.Family("evpnd_start_time_seconds", "When evpnd started, Unix time.", MetricType::kGauge);
  w.Sample("evpnd_start_time_seconds", {}, absl::ToDoubleSeconds(started_at_ - absl::UnixEpoch()));
  return w.Take();
}

}  // namespace evpnd::bgpd

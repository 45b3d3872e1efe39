// The EVPN service: the MAC-VRFs of the configured VNIs, kept in step with the Loc-RIB.
//
//   remote   Rib::RunDecision's best-path changes -> OnBestPathChanges: type-2 and type-3 routes
//            whose route targets match a VNI's import list enter its MAC-VRF (RFC 7432 §9.2.2,
//            §11); each touched MAC runs the mobility rules (evpn/mac_mobility.h).
//   local    LearnLocal / AgeLocal (fib-sync, the API, static MACs of the configuration) run the
//            same rules.
//   out      Rib::Originate / WithdrawLocal for our type-3 route per VNI (PMSI tunnel, ingress
//            replication) and our type-2 routes per local MAC (MAC-only and one per known IP,
//            MAC Mobility extended community when the sequence number is above 0 or the MAC is
//            sticky); TakeFdbChanges for fib-sync; MacEvents for logs and the API.
//
// After any call that originates or withdraws, the shell runs the RIB's decision process again
// (our own paths come back as best-path changes and are ignored here).
//
// NOTE:
//   Threading: core thread only.
//   Ownership: holds a reference to the Rib, which must outlive it.
//   Errors: LearnLocal / AgeLocal / ClearDuplicate on an unknown VNI give NOT_FOUND, a
//     multicast or zero MAC INVALID_ARGUMENT; nothing changes then.
// Standards: RFC 7432 §7.2, §7.3, §7.7, §9, §11, §15; RFC 8365 §5.1.2.1 (RT), §5.1.3 (VNI in
// the label, encapsulation extended community), §9 (ingress replication, PMSI Tunnel).
// TODO(evpn): VLAN-aware bundle service (non-zero Ethernet tags); route-target wildcards
// (*:VNI); ARP/ND suppression from MAC/IP routes; multihoming (types 1 and 4).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "evpn/mac_mobility.h"
#include "rib/mac_vrf.h"
#include "rib/rib.h"

namespace evpnd::rib {

class EvpnService {
 public:
  explicit EvpnService(Rib& rib);

  // Applies a new VNI set. A new VNI originates its type-3 route and imports what the Loc-RIB
  // already holds; a removed one withdraws its routes and reports its FDB entries deleted; a
  // changed one is rebuilt, keeping its local MACs.
  std::vector<MacEvent> Configure(std::vector<EvpnInstanceConfig> instances,
                                  const evpn::DuplicateDetectionConfig& duplicate_detection,
                                  absl::Time now);

  std::vector<MacEvent> OnBestPathChanges(std::span<const BestPathChange> changes,
                                          absl::Time now);

  // A MAC (with an IP when known) learned on a local port of `vni`; `sticky` for static MACs.
  absl::StatusOr<std::vector<MacEvent>> LearnLocal(evpn::Vni vni, const evpn::MacAddress& mac,
                                                   const std::optional<evpn::IpAddress>& ip,
                                                   bool sticky, absl::Time now);
  // The local MAC aged out (ip unset), or only its IP did.
  absl::StatusOr<std::vector<MacEvent>> AgeLocal(evpn::Vni vni, const evpn::MacAddress& mac,
                                                 const std::optional<evpn::IpAddress>& ip,
                                                 absl::Time now);
  absl::StatusOr<std::vector<MacEvent>> ClearDuplicate(evpn::Vni vni, const evpn::MacAddress& mac,
                                                       absl::Time now);
  // Duplicate recovery timers that are due.
  std::vector<MacEvent> OnTimer(absl::Time now);
  std::optional<absl::Time> NextDeadline() const;

  // The FDB changes since the last call.
  FdbChanges TakeFdbChanges();
  bool HasFdbChanges() const;

  // Views.
  const MacVrf* Find(evpn::Vni vni) const;
  std::vector<evpn::Vni> Vnis() const;
  const evpn::DuplicateDetectionConfig& duplicate_detection() const {
    return duplicate_detection_;
  }

 private:
  using MacRef = std::pair<evpn::Vni, evpn::MacAddress>;
  // Where a Loc-RIB route was imported.
  struct ImportRecord {
    uint8_t route_type = 0;
    std::vector<evpn::Vni> vnis;
    evpn::MacAddress mac;   // type 2
    evpn::IpAddress vtep;   // type 3: the flood-list VTEP
  };
  struct Touched {
    absl::btree_set<MacRef> macs;
    absl::btree_set<evpn::Vni> flood;
  };

  MacVrf* FindMutable(evpn::Vni vni);
  evpn::MobilityContext Context(const MacVrf& vrf) const;
  absl::StatusOr<MacVrf*> ForLocal(evpn::Vni vni, const evpn::MacAddress& mac);

  void SetUp(const EvpnInstanceConfig& config, absl::Time now, std::vector<MacEvent>& events);
  void TearDown(evpn::Vni vni);
  void Unimport(const RouteKey& key, Touched& touched);
  void Import(const RouteKey& key, const Path& path, Touched& touched);
  // The VNIs whose import route targets the path carries.
  std::vector<evpn::Vni> ImportingVnis(const Path& path) const;
  void Settle(const Touched& touched, absl::Time now, std::vector<MacEvent>& events);
  // After the mobility rules ran on one MAC: originate or withdraw, timers, FDB feed, events,
  // the VNI's counts.
  void AfterChange(MacVrf& vrf, const evpn::MacAddress& mac,
                   const evpn::MobilityDecisions& decisions, std::vector<MacEvent>& events);
  void SyncOrigination(const MacVrf& vrf, const evpn::MacAddress& mac, MacEntry& entry);
  // Removes a MAC, and its share of the VNI's counts.
  static void Erase(MacVrf& vrf, absl::btree_map<evpn::MacAddress, MacEntry>::iterator it);
  void OriginateInclusiveMulticast(const EvpnInstanceConfig& config);

  Rib& rib_;
  evpn::DuplicateDetectionConfig duplicate_detection_;
  absl::btree_map<evpn::Vni, MacVrf> vrfs_;
  absl::btree_map<RouteKey, ImportRecord, RouteKeyOrder> imported_;
  absl::btree_set<std::pair<absl::Time, MacRef>> deadlines_;
  absl::btree_set<MacRef> fdb_dirty_;
  absl::btree_set<evpn::Vni> flood_dirty_;
  // Deletions of VNIs that are gone, reported with the next TakeFdbChanges.
  FdbChanges removed_;
};

}  // namespace evpnd::rib

// The MAC-VRF of one VNI (RFC 7432 §7.9 EVI, VLAN-based service): its configuration, the MACs
// it knows (local ones and those imported from remote type-2 routes, with their mobility state),
// the VTEPs of its flood list (from remote type-3 routes), and the change feed towards the
// kernel FDB. The rules live in evpn/mac_mobility.h; evpn_service.h owns these tables and keeps
// them in step with the Loc-RIB.
//
// The FDB feed is a dirty set, not a queue: a MAC that changes ten times before fib-sync asks
// is reported once, as add, replace or delete relative to what was reported last.
// Standards: RFC 7432 §7.9, §9.2.2 (remote MAC import), §11 (flood list from type-3 routes),
// RFC 8365 §5.1 (VXLAN: VNI as the EVI, RT auto-derivation), §9 (ingress replication).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/time/time.h"
#include "evpn/extended_community.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"
#include "evpn/mac_mobility.h"
#include "evpn/route_distinguisher.h"
#include "rib/route_key.h"

namespace evpnd::rib {

// One VNI as the EVPN layer needs it: everything resolved (RD and RTs derived already).
struct EvpnInstanceConfig {
  evpn::Vni vni = 0;
  evpn::RouteDistinguisher rd;
  std::vector<evpn::RouteTarget> import_route_targets;
  std::vector<evpn::RouteTarget> export_route_targets;
  // Our VTEP address: next hop and PMSI tunnel endpoint of what we originate.
  evpn::IpAddress vtep;
  friend bool operator==(const EvpnInstanceConfig&, const EvpnInstanceConfig&) = default;
};

// A remote type-2 route imported into the MAC-VRF.
struct RemoteMacRoute {
  evpn::IpAddress vtep;  // the route's next hop
  uint32_t sequence = 0;
  bool sticky = false;
  std::optional<evpn::IpAddress> ip;
};

// What we have in the Loc-RIB for a local MAC.
struct OriginatedMac {
  uint32_t sequence = 0;
  bool sticky = false;
  absl::btree_set<evpn::IpAddress> ips;  // one MAC/IP route each, besides the MAC-only route
  friend bool operator==(const OriginatedMac&, const OriginatedMac&) = default;
};

// One MAC's part in its VNI's MacCounts, as last counted.
struct MacShare {
  uint32_t local_type2 = 0;   // our routes for it: the MAC-only route and one per IP
  uint32_t remote_type2 = 0;  // remote type-2 routes imported for it
  bool local_active = false;  // MacState::LocalActive()
  bool located_here = false;  // its location is this VTEP
  bool located_remote = false;  // its location is a remote VTEP (MacState::RemoteVtep())
  bool duplicate = false;
  friend bool operator==(const MacShare&, const MacShare&) = default;
};

struct MacEntry {
  evpn::MacState state;
  absl::btree_map<RouteKey, RemoteMacRoute, RouteKeyOrder> remote_routes;
  absl::btree_set<evpn::IpAddress> local_ips;
  std::optional<OriginatedMac> originated;
  // The remote VTEP last reported in the FDB feed.
  std::optional<evpn::IpAddress> fdb_reported;
  // When the mobility rules next need a timer for this MAC.
  std::optional<absl::Time> deadline;
  // What it adds to MacVrf::counts (EvpnService keeps the two in step).
  MacShare counted;

  // Nothing left worth keeping.
  bool Empty() const {
    return !state.local.has_value() && remote_routes.empty() && !state.duplicate &&
           !originated.has_value() && !fdb_reported.has_value();
  }
};

struct MacVrfCounters {
  // Type-3 routes not usable for the flood list: no PMSI Tunnel attribute, or not ingress
  // replication (RFC 8365 §9 floods by ingress replication only).
  uint64_t type3_without_ingress_replication = 0;
  // Remote type-2 routes for a zero or group MAC, not imported.
  uint64_t non_unicast_macs_ignored = 0;
  uint64_t mac_moves = 0;
  uint64_t duplicates_detected = 0;
  uint64_t sticky_conflicts = 0;
};

// A VNI's MACs counted for the views (metrics, the API's VNI list), kept up to date as MACs
// change, so that reading them costs no walk of the table on the core thread.
struct MacCounts {
  uint64_t local_active = 0;
  uint64_t located_here = 0;
  uint64_t located_remote = 0;
  uint64_t duplicates = 0;
  uint64_t local_type2 = 0;
  uint64_t remote_type2 = 0;
  // Adds (sign 1) or takes away (sign -1) one MAC's share.
  void Apply(const MacShare& share, int sign) {
    const auto add = [sign](uint64_t& total, uint64_t n) { total += sign > 0 ? n : -n; };
    add(local_active, share.local_active);
    add(located_here, share.located_here);
    add(located_remote, share.located_remote);
    add(duplicates, share.duplicate);
    add(local_type2, share.local_type2);
    add(remote_type2, share.remote_type2);
  }
  friend bool operator==(const MacCounts&, const MacCounts&) = default;
};

// The share `entry` has now.
inline MacShare ShareOf(const MacEntry& entry) {
  MacShare s;
  s.local_type2 =
      entry.originated.has_value() ? 1 + static_cast<uint32_t>(entry.originated->ips.size()) : 0;
  s.remote_type2 = static_cast<uint32_t>(entry.remote_routes.size());
  s.local_active = entry.state.LocalActive();
  s.located_here = entry.state.location.has_value() && entry.state.location->local;
  s.located_remote = entry.state.RemoteVtep().has_value();
  s.duplicate = entry.state.duplicate;
  return s;
}

struct MacVrf {
  EvpnInstanceConfig config;
  absl::btree_map<evpn::MacAddress, MacEntry> macs;
  // VTEP -> the type-3 routes that put it on the flood list.
  absl::btree_map<evpn::IpAddress, absl::btree_set<RouteKey, RouteKeyOrder>> flood;
  absl::btree_set<evpn::IpAddress> flood_reported;
  MacVrfCounters counters;
  MacCounts counts;  // the sum of every MAC's `counted`
};

// FDB feed, towards fib-sync.
struct RemoteMacChange {
  enum class Kind : uint8_t { kAdd, kReplace, kDelete };
  evpn::Vni vni = 0;
  evpn::MacAddress mac;
  Kind kind = Kind::kAdd;
  evpn::IpAddress vtep;  // the new VTEP; for kDelete the one to remove
  friend bool operator==(const RemoteMacChange&, const RemoteMacChange&) = default;
};

struct FloodListChange {
  evpn::Vni vni = 0;
  evpn::IpAddress vtep;
  bool add = true;
  friend bool operator==(const FloodListChange&, const FloodListChange&) = default;
};

struct FdbChanges {
  std::vector<RemoteMacChange> macs;
  std::vector<FloodListChange> flood;
  bool empty() const { return macs.empty() && flood.empty(); }
};

// One mobility decision about one MAC, for logs, the API's event stream and fib-sync (which
// removes the local entry of a MAC that moved away).
struct MacEvent {
  evpn::Vni vni = 0;
  evpn::MacAddress mac;
  evpn::MobilityDecision decision = evpn::MobilityDecision::kAdvertiseLocal;
  std::optional<evpn::MacLocation> location;  // after the decision
  friend bool operator==(const MacEvent&, const MacEvent&) = default;
};

}  // namespace evpnd::rib

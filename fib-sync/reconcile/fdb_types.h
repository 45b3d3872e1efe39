// The values fib-sync exchanges between the core thread and the netlink thread: the FDB entries
// evpnd wants (keys), the kernel's VXLAN devices, the operations of a batch and their results,
// and what the kernel reports (dumps and notifications). Plain values, so the netlink side could
// become a separate privileged process with the same messages (ARCHITECTURE.md §2).
//
// What evpnd writes, per VNI, on the VNI's VXLAN device (as FRR's zebra does):
//   remote MAC   MAC dev vxlanN dst VTEP self extern_learn     (NUD_REACHABLE; the vxlan FDB)
//                MAC dev vxlanN master brN extern_learn        (the bridge FDB: forward to vxlanN)
//   flood VTEP   00:00:00:00:00:00 dev vxlanN dst VTEP self permanent extern_learn   (appended)
// extern_learn marks the entries as ours: the bridge neither ages nor overwrites them from the
// data plane unless the MAC really shows up on a local port, and reconciliation never touches an
// entry without it (an operator's static entries).
// Standards: RFC 8365 §9 (ingress replication: one flood entry per remote VTEP); Linux
// rtnetlink(7), bridge(8) (FDB entries on bridge and VXLAN devices).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"

namespace evpnd::fibsync {

// One entry evpnd owns. Unicast: (vni, mac) with the VTEP as value. Flood: (vni, zero MAC,
// VTEP): one key per VTEP, since the kernel keeps one zero-MAC entry per destination.
struct FdbKey {
  evpn::Vni vni = 0;
  evpn::MacAddress mac;
  evpn::IpAddress flood_vtep;  // flood entries only; 0.0.0.0 for unicast

  bool flood() const { return mac.IsZero(); }
  static FdbKey Unicast(evpn::Vni vni, const evpn::MacAddress& mac) { return {vni, mac, {}}; }
  static FdbKey Flood(evpn::Vni vni, const evpn::IpAddress& vtep) { return {vni, {}, vtep}; }
  std::string ToString() const;
  friend auto operator<=>(const FdbKey&, const FdbKey&) = default;
  friend bool operator==(const FdbKey&, const FdbKey&) = default;
};

// A VXLAN device the kernel has, as discovery reads it (RTM_NEWLINK).
struct VxlanDevice {
  int ifindex = 0;
  std::string name;
  evpn::Vni vni = 0;       // IFLA_VXLAN_ID
  int bridge_ifindex = 0;  // IFLA_MASTER; 0 when not enslaved
  bool up = false;
  bool external = false;   // IFLA_VXLAN_COLLECT_METADATA (one device for many VNIs)
  friend bool operator==(const VxlanDevice&, const VxlanDevice&) = default;
};

// Any link, for mapping bridge ports.
struct LinkInfo {
  int ifindex = 0;
  std::string name;
  std::string kind;        // IFLA_INFO_KIND: "vxlan", "bridge", "veth", ...
  int master_ifindex = 0;  // IFLA_MASTER
  bool up = false;
  bool present = true;     // false: RTM_DELLINK
  // VXLAN only.
  evpn::Vni vni = 0;
  bool vxlan_external = false;
  friend bool operator==(const LinkInfo&, const LinkInfo&) = default;
};

enum class FdbOpKind : uint8_t {
  kReplace,      // create or replace: the entry with this destination
  kDelete,       // delete the entry (unicast: every destination of the MAC; flood: this VTEP)
};

struct FdbOp {
  uint32_t id = 0;  // matches the result
  FdbOpKind kind = FdbOpKind::kReplace;
  FdbKey key;
  int ifindex = 0;         // the VXLAN device
  int bridge_ifindex = 0;  // its bridge; 0: no bridge entry to write
  evpn::IpAddress vtep;    // destination (replace, flood delete)
  friend bool operator==(const FdbOp&, const FdbOp&) = default;
};

struct FdbBatch {
  uint64_t id = 0;
  std::vector<FdbOp> ops;
};

struct FdbOpResult {
  uint32_t op_id = 0;
  int error = 0;  // 0, or the errno the kernel answered
};

struct FdbBatchResult {
  uint64_t batch_id = 0;
  std::vector<FdbOpResult> results;
};

// One neighbour (FDB) entry the kernel reported, AF_BRIDGE family.
struct KernelFdbEntry {
  bool present = true;      // false: RTM_DELNEIGH
  int ifindex = 0;          // the device the entry sits on (a bridge port, or a VXLAN device)
  int master_ifindex = 0;   // NDA_MASTER: the bridge, for bridge (master) entries
  evpn::MacAddress mac;
  bool has_dst = false;     // NDA_DST (VXLAN self entries)
  evpn::IpAddress dst;
  uint16_t vlan = 0;        // NDA_VLAN, 0 when absent
  bool self = false;        // NTF_SELF: the device's own FDB (VXLAN)
  bool master = false;      // NTF_MASTER: the bridge's FDB
  bool extern_learn = false;  // NTF_EXT_LEARNED
  uint16_t state = 0;       // NUD_* bits

  // NUD_PERMANENT (0x80): the bridge's own addresses and "permanent" entries.
  bool permanent() const { return (state & 0x80) != 0; }
  // NUD_NOARP (0x40): an operator's "static" entry (bridge fdb add ... static).
  bool operator_static() const { return (state & 0x40) != 0; }
  friend bool operator==(const KernelFdbEntry&, const KernelFdbEntry&) = default;
};

}  // namespace evpnd::fibsync

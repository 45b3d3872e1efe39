// A kernel FDB in memory, for tests of everything above the Fib interface: links (bridges, VXLAN
// devices, other ports), each VXLAN device's own FDB ("self": MAC -> destination VTEPs) and each
// bridge's FDB ("master": MAC -> port), with the semantics of Linux as evpnd uses it (checked
// against Linux 6.18, drivers/net/vxlan/vxlan_core.c and net/bridge/br_fdb.c):
//   self, CREATE|REPLACE (unicast)  creates the MAC, or replaces its destination; flags and state
//                                   of an entry written through netlink are kept when the new
//                                   write is extern_learn ("an externally learned entry does not
//                                   take over an entry added by the user"), so an operator's
//                                   static entry keeps its flags but gets the new destination.
//   self, CREATE|APPEND (zero MAC)  adds a destination; an existing one is a no-op answered 0.
//   self, any write                 NUD_PERMANENT is kept as NUD_PERMANENT|NUD_NOARP (what the
//                                   kernel reports for permanent VXLAN entries).
//   self, delete                    no destination: the MAC with all its destinations (ENOENT if
//                                   the MAC is absent); a destination: that one (0 and no change
//                                   if the MAC has no such destination).
//   master, CREATE|REPLACE          the bridge's entry for the MAC points at the port (the entry
//                                   moves if it was on another port).
//   master, delete                  ENOENT unless the bridge's entry for the MAC is on the port.
//   unknown ifindex                 ENODEV.
//   VXLAN device down               flushes its self entries that are neither NUD_PERMANENT nor
//                                   NUD_NOARP (with notifications); bridge entries stay.
//   link removed                    its entries go with it (with notifications), then DELLINK.
// Every change queues the notification the kernel multicasts (RTM_NEWNEIGH / RTM_DELNEIGH as
// KernelFdbEntry values, RTM_NEWLINK / RTM_DELLINK as LinkInfo); a no-op queues nothing.
// Submit carries out a batch as NetlinkFib does (per op: the self message, then the bridge
// message if op.bridge_ifindex != 0; the self answer decides, the bridge answer counts only when
// the self one is 0 and it is not ENOENT) and queues its FdbBatchResult; Resync queues a snapshot
// that supersedes the notifications queued before it. TakeEvents hands everything over, in the
// shape of NetlinkEvents (which lives in fib-sync/netlink, not pure, so it is not used here).
// Faults: the next N ops fail with an errno, a link disappears in the middle of a batch, entries
// change "by hand" (any of the single-message operations, public), data-plane learning moves a
// bridge entry to a local port, a monitor overrun drops the queued notifications and queues a
// snapshot (as NetlinkFib does on ENOBUFS), and notifications can be coalesced before delivery
// (per destination, or per kernel entry as NetlinkFib does).
//
// NOTE: Pure: std and absl only, no clock. Not thread-safe. Bridge entries ignore VLANs (one
// entry per MAC per bridge). The VXLAN device's default destination entry is not modelled.
// Standards: Linux rtnetlink(7), bridge(8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "fib-sync/reconcile/fdb_types.h"
#include "fib-sync/reconcile/fib.h"

namespace evpnd::fibsync {

// NUD_* states as linux/neighbour.h defines them (this module includes no linux/ headers).
inline constexpr uint16_t kNudReachable = 0x02;
inline constexpr uint16_t kNudNoArp = 0x40;
inline constexpr uint16_t kNudPermanent = 0x80;
// What "bridge fdb add ... static" asks for (iproute2 sends NUD_NOARP | NUD_REACHABLE).
inline constexpr uint16_t kNudStatic = kNudNoArp | kNudReachable;

// What InMemoryFib reports, as NetlinkEvents does for NetlinkFib.
struct InMemoryFibEvents {
  // `links` and `fdb` start with a full snapshot (after Resync or an overrun); changes queued after
  // it follow in the same vectors. Otherwise they are changes only.
  bool snapshot = false;
  std::vector<LinkInfo> links;
  std::vector<KernelFdbEntry> fdb;
  std::vector<FdbBatchResult> results;
  bool empty() const { return !snapshot && links.empty() && fdb.empty() && results.empty(); }
};

class InMemoryFib : public Fib {
 public:
  // A MAC in a VXLAN device's own FDB.
  struct SelfEntry {
    std::vector<evpn::IpAddress> dsts;  // unicast: one; zero MAC: one per flood VTEP
    bool extern_learn = false;
    uint16_t state = 0;
    friend bool operator==(const SelfEntry&, const SelfEntry&) = default;
  };
  // A MAC in a bridge's FDB.
  struct BridgeEntry {
    int port = 0;  // ifindex of the port the MAC is behind
    bool extern_learn = false;
    uint16_t state = 0;
    friend bool operator==(const BridgeEntry&, const BridgeEntry&) = default;
  };
  // How a self write treats an existing MAC (the netlink flags iproute2 and evpnd use).
  enum class WriteMode : uint8_t {
    kCreateExclusive,  // NLM_F_CREATE|NLM_F_EXCL ("bridge fdb add"): EEXIST if the MAC exists
    kReplace,          // NLM_F_CREATE|NLM_F_REPLACE ("bridge fdb replace")
    kAppend,           // NLM_F_CREATE|NLM_F_APPEND ("bridge fdb append"; zero/multicast MACs)
  };

  // ---- links ----
  absl::Status AddBridge(int ifindex, absl::string_view name, bool up = true);
  // A VXLAN device for `vni`, enslaved to `bridge_ifindex` (0: none).
  absl::Status AddVxlan(int ifindex, absl::string_view name, evpn::Vni vni, int bridge_ifindex,
                        bool up = true);
  // Any other bridge port (kind "veth"), where the data plane learns local MACs.
  absl::Status AddPort(int ifindex, absl::string_view name, int bridge_ifindex, bool up = true);
  // Removes a link: the bridge's entries on it, its own entries, then RTM_DELLINK. A bridge
  // releases its ports first.
  absl::Status RemoveLink(int ifindex);
  absl::Status SetUp(int ifindex, bool up);
  // Enslaves a port to `bridge_ifindex` (0: releases it); the old bridge's entries on it go.
  absl::Status SetMaster(int ifindex, int bridge_ifindex);
  // The MAC address a port has (its permanent entry in its bridge's FDB).
  static evpn::MacAddress PortMac(int ifindex);

  // ---- single messages with the kernel's answers (0 or an errno) ----
  int WriteSelf(int ifindex, const evpn::MacAddress& mac, const evpn::IpAddress& dst,
                uint16_t state, bool extern_learn, WriteMode mode);
  int DeleteSelf(int ifindex, const evpn::MacAddress& mac,
                 const std::optional<evpn::IpAddress>& dst);
  int WriteMaster(int port_ifindex, const evpn::MacAddress& mac, uint16_t state, bool extern_learn);
  int DeleteMaster(int port_ifindex, const evpn::MacAddress& mac);
  // An operator's "bridge fdb add MAC dev DEV dst DST self static" (no extern_learn).
  int AddForeign(int ifindex, const evpn::MacAddress& mac, const evpn::IpAddress& dst) {
    return WriteSelf(ifindex, mac, dst, kNudStatic, false, WriteMode::kCreateExclusive);
  }
  // The data plane sees `mac` arrive on `port_ifindex`: the bridge entry moves there and loses
  // extern_learn (br_fdb_update), or is created as a learned (NUD_REACHABLE) entry.
  int LearnOnPort(int port_ifindex, const evpn::MacAddress& mac);

  // ---- Fib ----
  void Submit(FdbBatch batch) override;
  void Resync() override;
  // Everything queued since the last call.
  InMemoryFibEvents TakeEvents();

  // ---- faults ----
  // The next `count` ops of submitted batches answer `error` and change nothing.
  void FailNextOps(int count, int error) {
    fail_ops_ = count;
    fail_error_ = error;
  }
  // Once `ops` more ops have been carried out, link `ifindex` is removed (in the middle of a
  // batch when the batch is longer).
  void RemoveLinkAfterOps(int ops, int ifindex) { remove_after_ = {ops, ifindex}; }
  // Cancels FailNextOps and RemoveLinkAfterOps.
  void ClearFaults() {
    fail_ops_ = 0;
    remove_after_.reset();
  }
  // The monitor socket overran (ENOBUFS): queued notifications are lost and a snapshot follows.
  void OverrunMonitor();
  // How notifications queued while the core has not drained them are coalesced: only the latest
  // of each key survives, delivered in key order. Switching keeps the place of those queued.
  enum class Coalescing : uint8_t {
    kOff,             // every notification, in order (the default)
    kPerDestination,  // key (ifindex, MAC, destination, self): reorders writes of one MAC
    kPerEntry,        // key (ifindex, MAC, self), plus the destination for zero and multicast,
                      // as NetlinkFib does
                      // MACs only: one key per kernel entry
  };
  void set_coalescing(Coalescing mode);

  // ---- inspection ----
  // What an RTM_GETNEIGH AF_BRIDGE dump reports: bridge entries, then VXLAN self entries (one
  // per destination).
  std::vector<KernelFdbEntry> DumpFdb() const;
  std::vector<LinkInfo> DumpLinks() const;
  const SelfEntry* FindSelf(int ifindex, const evpn::MacAddress& mac) const;
  const BridgeEntry* FindBridgeEntry(int bridge_ifindex, const evpn::MacAddress& mac) const;
  bool HasLink(int ifindex) const { return links_.contains(ifindex); }
  // Ops carried out by Submit (failed ones included) and notifications queued, ever.
  uint64_t ops_submitted() const { return ops_submitted_; }
  uint64_t notifications() const { return notifications_; }

 private:
  struct Link {
    LinkInfo info;
    absl::btree_map<evpn::MacAddress, SelfEntry> self;      // VXLAN devices
    absl::btree_map<evpn::MacAddress, BridgeEntry> bridge;  // bridges
  };
  using FdbEventKey = std::tuple<int, evpn::MacAddress, evpn::IpAddress, bool>;

  absl::Status AddLink(LinkInfo info);
  Link* Find(int ifindex);
  Link* BridgeOf(int port_ifindex);
  int CarryOut(const FdbOp& op);
  void FlushSelf(Link& link, bool all);
  void FlushBridgePort(int bridge_ifindex, int port_ifindex);
  void Enslave(Link& port, int bridge_ifindex);
  KernelFdbEntry SelfEvent(const Link& link, const evpn::MacAddress& mac, const SelfEntry& entry,
                           const evpn::IpAddress& dst, bool present) const;
  KernelFdbEntry BridgeEvent(int bridge_ifindex, const evpn::MacAddress& mac,
                             const BridgeEntry& entry, bool present) const;
  void FlushCoalesced();
  void NotifyFdb(const KernelFdbEntry& e);
  void NotifyLink(const LinkInfo& link);

  absl::btree_map<int, Link> links_;
  InMemoryFibEvents pending_;
  Coalescing coalescing_ = Coalescing::kOff;
  absl::btree_map<FdbEventKey, KernelFdbEntry> coalesced_fdb_;
  absl::btree_map<int, LinkInfo> coalesced_links_;
  int fail_ops_ = 0;
  int fail_error_ = 0;
  std::optional<std::pair<int, int>> remove_after_;  // (ops left, ifindex)
  uint64_t ops_submitted_ = 0;
  uint64_t notifications_ = 0;
};

}  // namespace evpnd::fibsync

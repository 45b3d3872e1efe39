// Test helpers for fib-sync: MACs and addresses from text, gtest printers, and a Harness that
// drives a Reconciler against an InMemoryFib the way bgpd/daemon/daemon_fib.cc drives it against
// NetlinkFib: each delivery handles links first (binding every configured VNI to the VXLAN device
// with that ID, and keeping a VNI's old device while the kernel holds entries of ours on it), then
// the FDB (a snapshot between BeginResync and EndResync), then the batch results; after each
// delivery it takes and submits the next batch. Time moves only when a test moves it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "evpn/ip_address.h"
#include "evpn/mac_address.h"
#include "fib-sync/reconcile/fdb_types.h"
#include "fib-sync/reconcile/in_memory_fib.h"
#include "fib-sync/reconcile/reconciler.h"
#include "gtest/gtest.h"

namespace evpnd::evpn {
inline void PrintTo(const IpAddress& ip, std::ostream* os) { *os << ip.ToString(); }
inline void PrintTo(const MacAddress& mac, std::ostream* os) { *os << mac.ToString(); }
}  // namespace evpnd::evpn

namespace evpnd::fibsync {
inline void PrintTo(const FdbKey& key, std::ostream* os) { *os << key.ToString(); }
inline void PrintTo(const KernelFdbEntry& e, std::ostream* os) {
  *os << (e.present ? "NEW " : "DEL ") << e.mac.ToString() << " dev " << e.ifindex;
  if (e.has_dst) *os << " dst " << e.dst.ToString();
  if (e.master_ifindex != 0) *os << " master " << e.master_ifindex;
  *os << (e.self ? " self" : "") << (e.master ? " [master]" : "")
      << (e.extern_learn ? " extern_learn" : "") << " state 0x" << std::hex << e.state << std::dec;
}
inline void PrintTo(const InMemoryFib::SelfEntry& e, std::ostream* os) {
  *os << "{dsts:";
  for (const evpn::IpAddress& dst : e.dsts) *os << " " << dst.ToString();
  *os << (e.extern_learn ? " extern_learn" : "") << " state 0x" << std::hex << e.state << std::dec
      << "}";
}
inline void PrintTo(const InMemoryFib::BridgeEntry& e, std::ostream* os) {
  *os << "{port " << e.port << (e.extern_learn ? " extern_learn" : "") << " state 0x" << std::hex
      << e.state << std::dec << "}";
}
}  // namespace evpnd::fibsync

namespace evpnd::fibsync::test {

inline evpn::MacAddress Mac(absl::string_view text) { return *evpn::MacAddress::Parse(text); }
inline evpn::IpAddress Ip(absl::string_view text) { return *evpn::IpAddress::Parse(text); }
inline absl::Time T0() { return absl::FromUnixSeconds(1'700'000'000); }

// What the kernel holds that is evpnd's (extern_learn), in the reconciler's terms.
struct OwnedFdb {
  std::map<FdbKey, evpn::IpAddress> self;  // VXLAN entries: key -> destination
  std::set<FdbKey> bridge;                 // bridge entries on the VXLAN port (unicast keys)
  friend bool operator==(const OwnedFdb&, const OwnedFdb&) = default;
};

inline void PrintTo(const OwnedFdb& fdb, std::ostream* os) {
  *os << "{self:";
  for (const auto& [key, dst] : fdb.self)
    *os << " [" << key.ToString() << " -> " << dst.ToString() << "]";
  *os << "; bridge:";
  for (const FdbKey& key : fdb.bridge) *os << " [" << key.ToString() << "]";
  *os << "}";
}

// The owned entries on the VXLAN device of each VNI in `vni_of_ifindex`.
inline OwnedFdb KernelOwned(const InMemoryFib& fib,
                            const std::map<int, evpn::Vni>& vni_of_ifindex) {
  OwnedFdb out;
  for (const KernelFdbEntry& e : fib.DumpFdb()) {
    auto vni = vni_of_ifindex.find(e.ifindex);
    if (vni == vni_of_ifindex.end() || !e.extern_learn) continue;
    if (e.self) {
      const FdbKey key =
          e.mac.IsZero() ? FdbKey::Flood(vni->second, e.dst) : FdbKey::Unicast(vni->second, e.mac);
      out.self[key] = e.dst;
    } else if (e.master) {
      out.bridge.insert(FdbKey::Unicast(vni->second, e.mac));
    }
  }
  return out;
}

// What the kernel should hold for a desired state when every device has a bridge.
inline OwnedFdb Expected(const std::map<FdbKey, evpn::IpAddress>& desired) {
  OwnedFdb out;
  out.self = desired;
  for (const auto& [key, dst] : desired) {
    if (!key.flood()) out.bridge.insert(key);
  }
  return out;
}

class Harness {
 public:
  Reconciler reconciler;
  InMemoryFib fib;
  absl::Time now = T0();
  size_t max_ops = 32;
  std::set<evpn::Vni> vnis;       // configured VNIs
  std::map<int, LinkInfo> links;  // as the daemon knows them
  std::map<evpn::Vni, VxlanDevice> bound;
  uint64_t batches = 0;
  // When false, Deliver() processes results before FDB events (tests of both orders).
  bool fdb_before_results = true;

  // Hands the fake kernel's queued events to the reconciler. True if there were any.
  bool Deliver() {
    InMemoryFibEvents events = fib.TakeEvents();
    if (events.empty()) return false;
    if (events.snapshot) links.clear();
    for (const LinkInfo& link : events.links) {
      if (link.present) {
        links[link.ifindex] = link;
      } else {
        links.erase(link.ifindex);
      }
    }
    Rebind();
    if (!fdb_before_results) Results(events);
    if (events.snapshot) {
      reconciler.BeginResync();
      for (const KernelFdbEntry& e : events.fdb) reconciler.OnKernelEntry(e);
      reconciler.EndResync();
    } else {
      for (const KernelFdbEntry& e : events.fdb) reconciler.OnKernelEntry(e);
    }
    if (fdb_before_results) Results(events);
    return true;
  }

  // Takes the next batch and submits it. True if one was sent.
  bool Pump() {
    std::optional<FdbBatch> batch = reconciler.TakeBatch(max_ops, now);
    if (!batch.has_value()) return false;
    ++batches;
    static_cast<Fib&>(fib).Submit(std::move(*batch));
    return true;
  }

  // Delivers and pumps until neither has anything to do at `now`.
  void Settle(int max_rounds = 10000) {
    for (int i = 0; i < max_rounds; ++i) {
      const bool delivered = Deliver();
      const bool pumped = Pump();
      if (!delivered && !pumped) return;
    }
    ADD_FAILURE() << "no quiescence after " << max_rounds << " rounds";
  }

  // Settles, then jumps to each retry deadline until nothing waits for one.
  void RunUntilIdle(int max_rounds = 1000) {
    for (int i = 0; i < max_rounds; ++i) {
      Settle();
      const std::optional<absl::Time> due = reconciler.NextDeadline();
      if (!due.has_value()) return;
      if (*due > now) now = *due;
    }
    ADD_FAILURE() << "still waiting for retries after " << max_rounds << " rounds (state "
                  << ToString(reconciler.state()) << ", in flight " << reconciler.in_flight()
                  << ")";
  }

  // The first dump, as NetlinkFib::Start does.
  void Start() {
    static_cast<Fib&>(fib).Resync();
    Settle();
  }

  std::map<int, evpn::Vni> VniOfIfindex() const {
    std::map<int, evpn::Vni> out;
    for (const auto& [vni, device] : bound) out[device.ifindex] = vni;
    return out;
  }
  OwnedFdb Kernel() const { return KernelOwned(fib, VniOfIfindex()); }

 private:
  void Results(const InMemoryFibEvents& events) {
    for (const FdbBatchResult& r : events.results) {
      reconciler.OnBatchResult(r, now);
    }
  }

  // bgpd/daemon/daemon_fib.cc RebindFib(), binding by VXLAN ID.
  void Rebind() {
    std::map<evpn::Vni, VxlanDevice> next;
    auto bind = [&](const LinkInfo& link, evpn::Vni vni) {
      next[vni] = VxlanDevice{link.ifindex,        link.name, vni,
                              link.master_ifindex, link.up,   link.vxlan_external};
    };
    for (evpn::Vni vni : vnis) {
      for (const auto& [ifindex, link] : links) {
        if (link.kind == "vxlan" && link.vni == vni && !link.vxlan_external) {
          bind(link, vni);
          break;
        }
      }
    }
    for (const auto& [vni, device] : bound) {
      if (next.contains(vni) || !reconciler.HasOwnedEntries(vni)) continue;
      auto link = links.find(device.ifindex);
      if (link != links.end()) bind(link->second, vni);
    }
    bound = next;
    std::vector<VxlanDevice> devices;
    for (const auto& [vni, device] : bound) devices.push_back(device);
    reconciler.SetDevices(devices);
  }
};

}  // namespace evpnd::fibsync::test

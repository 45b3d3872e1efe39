// See in_memory_fib.h.
#include "fib-sync/reconcile/in_memory_fib.h"

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

namespace evpnd::fibsync {
namespace {

// The "any" address (0.0.0.0 or ::): a delete with it names no destination, as in the kernel.
bool IsAny(const evpn::IpAddress& ip) {
  const std::span<const uint8_t> b = ip.bytes();
  return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

// Zero and multicast MACs keep a list of destinations; unicast MACs have one.
bool MultiDestination(const evpn::MacAddress& mac) {
  return !mac.IsUnicast();
}

}  // namespace

// ---- links ----

evpn::MacAddress InMemoryFib::PortMac(int ifindex) {
  evpn::MacAddress mac;
  mac.bytes = {
      0x02, 0xfe, 0x00, 0x00, static_cast<uint8_t>(ifindex >> 8), static_cast<uint8_t>(ifindex)};
  return mac;
}

absl::Status InMemoryFib::AddLink(LinkInfo info) {
  if (info.ifindex <= 0) return absl::InvalidArgumentError("ifindex must be positive");
  if (links_.contains(info.ifindex)) {
    return absl::AlreadyExistsError("a link with this ifindex exists");
  }
  const int master = info.master_ifindex;
  info.master_ifindex = 0;
  info.present = true;
  if (master != 0) {
    const Link* bridge = Find(master);
    if (bridge == nullptr || bridge->info.kind != "bridge") {
      return absl::NotFoundError("no bridge with this ifindex");
    }
  }
  Link& link = links_[info.ifindex];
  link.info = std::move(info);
  NotifyLink(link.info);
  if (master != 0) {
    Enslave(link, master);
    NotifyLink(link.info);
  }
  return absl::OkStatus();
}

absl::Status InMemoryFib::AddBridge(int ifindex, absl::string_view name, bool up) {
  LinkInfo info;
  info.ifindex = ifindex;
  info.name = std::string(name);
  info.kind = "bridge";
  info.up = up;
  return AddLink(std::move(info));
}

absl::Status InMemoryFib::AddVxlan(int ifindex, absl::string_view name, evpn::Vni vni,
                                   int bridge_ifindex, bool up) {
  LinkInfo info;
  info.ifindex = ifindex;
  info.name = std::string(name);
  info.kind = "vxlan";
  info.master_ifindex = bridge_ifindex;
  info.up = up;
  info.vni = vni;
  return AddLink(std::move(info));
}

absl::Status InMemoryFib::AddPort(int ifindex, absl::string_view name, int bridge_ifindex,
                                  bool up) {
  LinkInfo info;
  info.ifindex = ifindex;
  info.name = std::string(name);
  info.kind = "veth";
  info.master_ifindex = bridge_ifindex;
  info.up = up;
  return AddLink(std::move(info));
}

absl::Status InMemoryFib::RemoveLink(int ifindex) {
  Link* link = Find(ifindex);
  if (link == nullptr) return absl::NotFoundError("no link with this ifindex");
  if (link->info.kind == "bridge") {
    for (auto& [port_ifindex, port] : links_) {
      if (port.info.master_ifindex != ifindex) continue;
      FlushBridgePort(ifindex, port_ifindex);
      port.info.master_ifindex = 0;
      NotifyLink(port.info);
    }
    for (const auto& [mac, entry] : link->bridge) {
      NotifyFdb(BridgeEvent(ifindex, mac, entry, false));
    }
    link->bridge.clear();
  } else {
    if (link->info.master_ifindex != 0) FlushBridgePort(link->info.master_ifindex, ifindex);
    FlushSelf(*link, /*all=*/true);
  }
  LinkInfo gone = link->info;
  gone.present = false;
  links_.erase(ifindex);
  NotifyLink(gone);
  return absl::OkStatus();
}

absl::Status InMemoryFib::SetUp(int ifindex, bool up) {
  Link* link = Find(ifindex);
  if (link == nullptr) return absl::NotFoundError("no link with this ifindex");
  if (link->info.up == up) return absl::OkStatus();
  link->info.up = up;
  // vxlan_stop(): entries neither permanent nor static are flushed.
  if (!up && link->info.kind == "vxlan") FlushSelf(*link, /*all=*/false);
  NotifyLink(link->info);
  return absl::OkStatus();
}

absl::Status InMemoryFib::SetMaster(int ifindex, int bridge_ifindex) {
  Link* link = Find(ifindex);
  if (link == nullptr) return absl::NotFoundError("no link with this ifindex");
  if (bridge_ifindex != 0) {
    const Link* bridge = Find(bridge_ifindex);
    if (bridge == nullptr || bridge->info.kind != "bridge") {
      return absl::NotFoundError("no bridge with this ifindex");
    }
  }
  if (link->info.master_ifindex == bridge_ifindex) return absl::OkStatus();
  if (link->info.master_ifindex != 0) {
    FlushBridgePort(link->info.master_ifindex, ifindex);
    link->info.master_ifindex = 0;
  }
  if (bridge_ifindex != 0) Enslave(*link, bridge_ifindex);
  NotifyLink(link->info);
  return absl::OkStatus();
}

void InMemoryFib::Enslave(Link& port, int bridge_ifindex) {
  port.info.master_ifindex = bridge_ifindex;
  // The bridge knows the port's own address as a local, permanent entry.
  Link* bridge = Find(bridge_ifindex);
  if (bridge == nullptr) return;
  const BridgeEntry local{port.info.ifindex, false, kNudPermanent};
  bridge->bridge[PortMac(port.info.ifindex)] = local;
  NotifyFdb(BridgeEvent(bridge_ifindex, PortMac(port.info.ifindex), local, true));
}

void InMemoryFib::FlushBridgePort(int bridge_ifindex, int port_ifindex) {
  Link* bridge = Find(bridge_ifindex);
  if (bridge == nullptr) return;
  for (auto it = bridge->bridge.begin(); it != bridge->bridge.end();) {
    if (it->second.port != port_ifindex) {
      ++it;
      continue;
    }
    NotifyFdb(BridgeEvent(bridge_ifindex, it->first, it->second, false));
    it = bridge->bridge.erase(it);
  }
}

void InMemoryFib::FlushSelf(Link& link, bool all) {
  for (auto it = link.self.begin(); it != link.self.end();) {
    if (!all && (it->second.state & (kNudPermanent | kNudNoArp)) != 0) {
      ++it;
      continue;
    }
    for (const evpn::IpAddress& dst : it->second.dsts) {
      NotifyFdb(SelfEvent(link, it->first, it->second, dst, false));
    }
    it = link.self.erase(it);
  }
}

InMemoryFib::Link* InMemoryFib::Find(int ifindex) {
  auto it = links_.find(ifindex);
  return it == links_.end() ? nullptr : &it->second;
}

InMemoryFib::Link* InMemoryFib::BridgeOf(int port_ifindex) {
  Link* port = Find(port_ifindex);
  if (port == nullptr || port->info.master_ifindex == 0) return nullptr;
  return Find(port->info.master_ifindex);
}

// ---- single messages ----

int InMemoryFib::WriteSelf(int ifindex, const evpn::MacAddress& mac, const evpn::IpAddress& dst,
                           uint16_t state, bool extern_learn, WriteMode mode) {
  if (state & kNudPermanent) state |= kNudNoArp;
  Link* link = Find(ifindex);
  if (link == nullptr) return ENODEV;
  if (link->info.kind != "vxlan") return EOPNOTSUPP;
  auto it = link->self.find(mac);
  if (it == link->self.end()) {
    const SelfEntry& entry = link->self[mac] = SelfEntry{{dst}, extern_learn, state};
    NotifyFdb(SelfEvent(*link, mac, entry, dst, true));
    return 0;
  }
  if (mode == WriteMode::kCreateExclusive) return EEXIST;
  SelfEntry& entry = it->second;
  if (mode == WriteMode::kReplace && MultiDestination(mac)) return EOPNOTSUPP;
  bool changed = false;
  // vxlan_fdb_update_existing(): "Do not allow an externally learned entry to take over an entry
  // added by the user." Every entry here was written through netlink.
  if (!extern_learn && (entry.state != state || entry.extern_learn)) {
    entry.state = state;
    entry.extern_learn = false;
    changed = true;
  }
  const bool has_dst = std::find(entry.dsts.begin(), entry.dsts.end(), dst) != entry.dsts.end();
  evpn::IpAddress notify_dst = entry.dsts.front();
  if (mode == WriteMode::kReplace && !has_dst) {
    entry.dsts.front() = dst;  // vxlan_fdb_replace(): the first destination
    notify_dst = dst;
    changed = true;
  } else if (mode == WriteMode::kAppend && MultiDestination(mac) && !has_dst) {
    entry.dsts.push_back(dst);
    notify_dst = dst;
    changed = true;
  }
  if (changed) NotifyFdb(SelfEvent(*link, mac, entry, notify_dst, true));
  return 0;
}

int InMemoryFib::DeleteSelf(int ifindex, const evpn::MacAddress& mac,
                            const std::optional<evpn::IpAddress>& dst) {
  Link* link = Find(ifindex);
  if (link == nullptr) return ENODEV;
  if (link->info.kind != "vxlan") return EOPNOTSUPP;
  auto it = link->self.find(mac);
  if (it == link->self.end()) return ENOENT;
  SelfEntry& entry = it->second;
  if (dst.has_value() && !IsAny(*dst)) {
    auto d = std::find(entry.dsts.begin(), entry.dsts.end(), *dst);
    // __vxlan_fdb_delete(): a destination the MAC does not have is answered 0.
    if (d == entry.dsts.end()) return 0;
    if (entry.dsts.size() > 1) {
      NotifyFdb(SelfEvent(*link, mac, entry, *d, false));
      entry.dsts.erase(d);
      return 0;
    }
  }
  for (const evpn::IpAddress& d : entry.dsts) NotifyFdb(SelfEvent(*link, mac, entry, d, false));
  link->self.erase(it);
  return 0;
}

int InMemoryFib::WriteMaster(int port_ifindex, const evpn::MacAddress& mac, uint16_t state,
                             bool extern_learn) {
  if (Find(port_ifindex) == nullptr) return ENODEV;
  Link* bridge = BridgeOf(port_ifindex);
  if (bridge == nullptr) return EOPNOTSUPP;
  auto it = bridge->bridge.find(mac);
  BridgeEntry next{port_ifindex, extern_learn, extern_learn ? kNudReachable : state};
  if (it != bridge->bridge.end()) {
    // br_fdb_external_learn_add(): the entry moves to the port and gains extern_learn; a static
    // entry stays static.
    if (extern_learn && (it->second.state & kNudNoArp) != 0) next.state = it->second.state;
    if (it->second == next) return 0;
  }
  bridge->bridge[mac] = next;
  NotifyFdb(BridgeEvent(bridge->info.ifindex, mac, next, true));
  return 0;
}

int InMemoryFib::DeleteMaster(int port_ifindex, const evpn::MacAddress& mac) {
  if (Find(port_ifindex) == nullptr) return ENODEV;
  Link* bridge = BridgeOf(port_ifindex);
  if (bridge == nullptr) return EOPNOTSUPP;
  auto it = bridge->bridge.find(mac);
  if (it == bridge->bridge.end() || it->second.port != port_ifindex) return ENOENT;
  NotifyFdb(BridgeEvent(bridge->info.ifindex, mac, it->second, false));
  bridge->bridge.erase(it);
  return 0;
}

int InMemoryFib::LearnOnPort(int port_ifindex, const evpn::MacAddress& mac) {
  if (Find(port_ifindex) == nullptr) return ENODEV;
  Link* bridge = BridgeOf(port_ifindex);
  if (bridge == nullptr) return EOPNOTSUPP;
  BridgeEntry& entry = bridge->bridge[mac];
  if (entry.state & kNudPermanent) return 0;  // the bridge's own address
  const BridgeEntry next{port_ifindex, false, kNudReachable};
  if (entry == next) return 0;
  entry = next;
  NotifyFdb(BridgeEvent(bridge->info.ifindex, mac, entry, true));
  return 0;
}

// ---- Fib ----

int InMemoryFib::CarryOut(const FdbOp& op) {
  ++ops_submitted_;
  if (fail_ops_ > 0) {
    --fail_ops_;
    return fail_error_;
  }
  // As AppendFdbOp encodes it: unicast replaces (NUD_REACHABLE), flood appends (permanent); a
  // unicast delete names no destination, a flood delete names its VTEP.
  const bool flood = op.key.flood();
  int self = 0;
  int bridge = 0;
  if (op.kind == FdbOpKind::kReplace) {
    self = WriteSelf(op.ifindex, op.key.mac, op.vtep, flood ? kNudPermanent : kNudReachable, true,
                     flood ? WriteMode::kAppend : WriteMode::kReplace);
    if (op.bridge_ifindex != 0) bridge = WriteMaster(op.ifindex, op.key.mac, kNudReachable, true);
  } else {
    self = DeleteSelf(op.ifindex, op.key.mac,
                      flood ? std::optional<evpn::IpAddress>(op.vtep) : std::nullopt);
    if (op.bridge_ifindex != 0) bridge = DeleteMaster(op.ifindex, op.key.mac);
  }
  // NetlinkFib's rule: the VXLAN entry decides; the bridge's answer counts only after it
  // succeeded, and its ENOENT (the MAC sits on another port now) does not.
  if (self == 0 && bridge != 0 && bridge != ENOENT) return bridge;
  return self;
}

void InMemoryFib::Submit(FdbBatch batch) {
  FdbBatchResult result{batch.id, {}};
  auto maybe_remove = [this] {
    if (remove_after_.has_value() && remove_after_->first <= 0) {
      (void)RemoveLink(remove_after_->second);
      remove_after_.reset();
    }
  };
  for (const FdbOp& op : batch.ops) {
    maybe_remove();
    result.results.push_back({op.id, CarryOut(op)});
    if (remove_after_.has_value()) --remove_after_->first;
  }
  maybe_remove();
  pending_.results.push_back(std::move(result));
}

void InMemoryFib::Resync() {
  // As NetlinkFib: the dump supersedes every notification read before it.
  coalesced_fdb_.clear();
  coalesced_links_.clear();
  pending_.snapshot = true;
  pending_.links = DumpLinks();
  pending_.fdb = DumpFdb();
}

void InMemoryFib::OverrunMonitor() { Resync(); }

void InMemoryFib::FlushCoalesced() {
  for (auto& [ifindex, link] : coalesced_links_) pending_.links.push_back(std::move(link));
  for (auto& [key, entry] : coalesced_fdb_) pending_.fdb.push_back(std::move(entry));
  coalesced_links_.clear();
  coalesced_fdb_.clear();
}

void InMemoryFib::set_coalescing(Coalescing mode) {
  FlushCoalesced();
  coalescing_ = mode;
}

InMemoryFibEvents InMemoryFib::TakeEvents() {
  FlushCoalesced();
  InMemoryFibEvents out = std::move(pending_);
  pending_ = InMemoryFibEvents{};
  return out;
}

void InMemoryFib::NotifyFdb(const KernelFdbEntry& e) {
  ++notifications_;
  if (coalescing_ == Coalescing::kPerDestination) {
    coalesced_fdb_[{e.ifindex, e.mac, e.dst, e.self}] = e;
  } else if (coalescing_ == Coalescing::kPerEntry) {
    const evpn::IpAddress dst = MultiDestination(e.mac) ? e.dst : evpn::IpAddress();
    coalesced_fdb_[{e.ifindex, e.mac, dst, e.self}] = e;
  } else {
    pending_.fdb.push_back(e);
  }
}

void InMemoryFib::NotifyLink(const LinkInfo& link) {
  ++notifications_;
  if (coalescing_ != Coalescing::kOff) {
    coalesced_links_[link.ifindex] = link;
  } else {
    pending_.links.push_back(link);
  }
}

// ---- inspection ----

KernelFdbEntry InMemoryFib::SelfEvent(const Link& link, const evpn::MacAddress& mac,
                                      const SelfEntry& entry, const evpn::IpAddress& dst,
                                      bool present) const {
  KernelFdbEntry e;
  e.present = present;
  e.ifindex = link.info.ifindex;
  e.mac = mac;
  e.has_dst = true;
  e.dst = dst;
  e.self = true;
  e.extern_learn = entry.extern_learn;
  e.state = entry.state;
  return e;
}

KernelFdbEntry InMemoryFib::BridgeEvent(int bridge_ifindex, const evpn::MacAddress& mac,
                                        const BridgeEntry& entry, bool present) const {
  KernelFdbEntry e;
  e.present = present;
  e.ifindex = entry.port;
  e.master_ifindex = bridge_ifindex;
  e.mac = mac;
  e.master = true;
  e.extern_learn = entry.extern_learn;
  e.state = entry.state;
  return e;
}

std::vector<KernelFdbEntry> InMemoryFib::DumpFdb() const {
  // rtnl_fdb_dump(): per device, its bridge's entries on it, then its own entries.
  std::vector<KernelFdbEntry> out;
  for (const auto& [ifindex, link] : links_) {
    if (link.info.master_ifindex != 0) {
      auto bridge = links_.find(link.info.master_ifindex);
      if (bridge != links_.end()) {
        for (const auto& [mac, entry] : bridge->second.bridge) {
          if (entry.port == ifindex) out.push_back(BridgeEvent(bridge->first, mac, entry, true));
        }
      }
    }
    for (const auto& [mac, entry] : link.self) {
      for (const evpn::IpAddress& dst : entry.dsts) {
        out.push_back(SelfEvent(link, mac, entry, dst, true));
      }
    }
  }
  return out;
}

std::vector<LinkInfo> InMemoryFib::DumpLinks() const {
  std::vector<LinkInfo> out;
  for (const auto& [ifindex, link] : links_) out.push_back(link.info);
  return out;
}

const InMemoryFib::SelfEntry* InMemoryFib::FindSelf(int ifindex,
                                                    const evpn::MacAddress& mac) const {
  auto link = links_.find(ifindex);
  if (link == links_.end()) return nullptr;
  auto it = link->second.self.find(mac);
  return it == link->second.self.end() ? nullptr : &it->second;
}

const InMemoryFib::BridgeEntry* InMemoryFib::FindBridgeEntry(int bridge_ifindex,
                                                             const evpn::MacAddress& mac) const {
  auto link = links_.find(bridge_ifindex);
  if (link == links_.end()) return nullptr;
  auto it = link->second.bridge.find(mac);
  return it == link->second.bridge.end() ? nullptr : &it->second;
}

}  // namespace evpnd::fibsync

// The daemon's fib-sync glue: starts the netlink thread, binds each configured VNI to its VXLAN
// device and bridge (by name from the configuration, else by VXLAN ID), feeds the reconciler with
// the kernel's FDB (dumps and notifications) and sends its batches, turns MACs the bridges learn
// on local ports into local MACs of the EVPN layer, and holds back deletions after a restart until
// the routes are back (RFC 4724 §4.1: forwarding state kept across the restart).
// Standards: RFC 4724 §4.1; RFC 7432 §9.1 (local learning from the data plane), §15.2 (static
// MACs).
#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "bgpd/daemon/daemon.h"
#include "bgpd/io/clock.h"
#include "bgpd/io/log.h"

namespace evpnd::bgpd {
namespace {

// A failed dump is retried after this long.
constexpr auto kDumpRetry = std::chrono::seconds(1);

}  // namespace

void Daemon::StartFib() {
  const bool wanted = config_.evpn.kernel_fdb && !config_.evpn.vnis.empty();
  if (!wanted) {
    if (netlink_ != nullptr) {
      spdlog::info("fib-sync: stopped (kernel_fdb off or no VNI); kernel entries are left as they "
                   "are");
      netlink_->Stop();
      netlink_.reset();
    }
    return;
  }
  if (netlink_ != nullptr) return;
  netlink_ = std::make_unique<fibsync::NetlinkFib>(
      [this](std::function<void()> fn) { asio::post(io_, std::move(fn)); },
      [this](fibsync::NetlinkEvents events) { OnNetlinkEvents(std::move(events)); });
  if (absl::Status s = netlink_->Start(); !s.ok()) {
    spdlog::error("fib-sync: {}; the kernel FDB is not programmed", s.message());
    netlink_.reset();
    return;
  }
  HoldFibUntilEndOfRib();
  spdlog::info("fib-sync: started");
}

// RFC 4724 §4.1: what the kernel holds from before a restart stays until the peers have sent
// their routes again (End-of-RIB from each) or the restart time has passed.
void Daemon::HoldFibUntilEndOfRib() {
  if (!config_.global.graceful_restart.enabled || reconciler_.hold_stale_deletes()) return;
  reconciler_.SetHoldStaleDeletes(true);
  fib_hold_timer_.expires_after(
      std::chrono::seconds(config_.global.graceful_restart.restart_time_s));
  fib_hold_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) MaybeReleaseFibHold(true);
  });
}

void Daemon::MaybeReleaseFibHold(bool timer_expired) {
  if (!reconciler_.hold_stale_deletes()) return;
  if (!timer_expired) {
    for (const auto& [address, peer] : peers_) {
      if (!peer.session->config().shutdown && !peer.evpn_end_of_rib) return;
    }
    // Every End-of-RIB is in; release once the decisions they caused reached the reconciler.
    if (rib_->pending_decisions() > 0 || evpn_->HasFdbChanges()) {
      fib_release_ready_ = true;
      SchedulePropagate();
      return;
    }
  }
  fib_release_ready_ = false;
  fib_hold_timer_.cancel();
  reconciler_.SetHoldStaleDeletes(false);
  spdlog::info("fib-sync: {}; FDB entries no route backs are deleted now",
               timer_expired ? "restart time over" : "End-of-RIB from every peer");
  PumpFib();
}

void Daemon::RebindFib() {
  std::map<evpn::Vni, fibsync::VxlanDevice> bound;
  auto find = [&](const VniConfig* v, evpn::Vni vni) -> const fibsync::LinkInfo* {
    for (const auto& [ifindex, link] : links_) {
      if (link.kind != "vxlan") continue;
      if (v != nullptr && !v->vxlan_device.empty()) {
        if (link.name == v->vxlan_device) return &link;
      } else if (link.vni == vni && !link.vxlan_external) {
        return &link;
      }
    }
    return nullptr;
  };
  auto bind = [&](const fibsync::LinkInfo& link, evpn::Vni vni) {
    bound[vni] = fibsync::VxlanDevice{link.ifindex, link.name, vni, link.master_ifindex, link.up,
                                      link.vxlan_external};
  };
  for (const VniConfig& v : config_.evpn.vnis) {
    if (const fibsync::LinkInfo* link = find(&v, v.vni)) bind(*link, v.vni);
  }
  // A VNI no longer configured keeps its device until its entries are deleted.
  for (const auto& [vni, device] : fib_bound_) {
    if (bound.contains(vni) || !reconciler_.HasOwnedEntries(vni)) continue;
    auto link = links_.find(device.ifindex);
    if (link != links_.end()) bind(link->second, vni);
  }
  bridge_vni_.clear();
  for (const auto& [vni, device] : bound) {
    if (device.bridge_ifindex != 0) bridge_vni_[device.bridge_ifindex] = vni;
    auto old = fib_bound_.find(vni);
    if (old == fib_bound_.end() || !(old->second == device)) {
      auto bridge = links_.find(device.bridge_ifindex);
      spdlog::info("fib-sync: vni {} on {} (ifindex {}, {}), bridge {}", vni, device.name,
                   device.ifindex, device.up ? "up" : "down",
                   bridge != links_.end() ? bridge->second.name : std::string("none"));
    }
  }
  for (const auto& [vni, device] : fib_bound_) {
    if (!bound.contains(vni)) spdlog::info("fib-sync: vni {} has no VXLAN device now", vni);
  }
  fib_bound_ = bound;
  std::vector<fibsync::VxlanDevice> devices;
  for (const auto& [vni, device] : bound) devices.push_back(device);
  reconciler_.SetDevices(devices);
}

void Daemon::OnNetlinkEvents(fibsync::NetlinkEvents events) {
  if (events.dump_error.has_value()) {
    spdlog::warn("fib-sync: {}; dumping again in 1 s", events.dump_error->message());
    auto timer = std::make_shared<asio::steady_timer>(io_, kDumpRetry);
    timer->async_wait([this, timer](const boost::system::error_code& ec) {
      if (!ec && netlink_ != nullptr) netlink_->Resync();
    });
  }
  if (events.snapshot) links_.clear();
  for (fibsync::LinkInfo& link : events.links) {
    if (link.present) {
      links_[link.ifindex] = std::move(link);
    } else {
      links_.erase(link.ifindex);
    }
  }
  RebindFib();
  const absl::Time now = MonotonicNow();
  if (events.snapshot) {
    reconciler_.BeginResync();
    const auto before = kernel_local_;
    kernel_local_.clear();
    for (const fibsync::KernelFdbEntry& e : events.fdb) OnKernelFdb(e);
    reconciler_.EndResync();
    // Local MACs the kernel no longer has aged out while we were not listening.
    for (const auto& [vni, mac] : before) {
      if (!kernel_local_.contains({vni, mac})) {
        if (auto e = evpn_->AgeLocal(vni, mac, std::nullopt, now); e.ok()) OnMacEvents(*e);
      }
    }
    spdlog::info("fib-sync: kernel state read ({} links, {} FDB entries); {}", links_.size(),
                 events.fdb.size(), fibsync::ToString(reconciler_.state()));
  } else {
    for (const fibsync::KernelFdbEntry& e : events.fdb) OnKernelFdb(e);
  }
  for (const fibsync::FdbBatchResult& r : events.batch_results) {
    for (const fibsync::FdbOpResult& op : r.results) {
      if (op.error != 0 && op.error != ENOENT && op.error != EEXIST) {
        ++fdb_errors_[op.error];
        spdlog::warn("fib-sync: an FDB write failed: {} (retrying)", std::strerror(op.error));
      }
    }
    reconciler_.OnBatchResult(r, now);
  }
  // What local learning changed goes to the reconciler before the next batch, so that a MAC
  // that moved here is not first written back towards its old VTEP.
  DrainFdbChanges();
  PumpFib();
}

void Daemon::OnKernelFdb(const fibsync::KernelFdbEntry& e) {
  reconciler_.OnKernelEntry(e);
  // RFC 7432 §9.1: MACs learned in the data plane on a local port become local MACs. Not ours
  // (extern_learn), not the bridge's own addresses (permanent), not on a VXLAN port.
  if (!e.master || e.extern_learn || e.permanent() || !e.mac.IsUnicast()) {
    return;
  }
  auto port = links_.find(e.ifindex);
  if (port != links_.end() && port->second.kind == "vxlan") return;
  auto bridge = bridge_vni_.find(e.master_ifindex);
  if (bridge == bridge_vni_.end()) return;
  const evpn::Vni vni = bridge->second;
  const absl::Time now = MonotonicNow();
  absl::StatusOr<std::vector<rib::MacEvent>> events;
  if (e.present) {
    const bool sticky = e.operator_static() && config_.evpn.sticky_static_macs;
    events = evpn_->LearnLocal(vni, e.mac, std::nullopt, sticky, now);
    kernel_local_.insert({vni, e.mac});
  } else {
    events = evpn_->AgeLocal(vni, e.mac, std::nullopt, now);
    kernel_local_.erase({vni, e.mac});
  }
  if (events.ok()) OnMacEvents(*events);
}

void Daemon::PumpFib() {
  if (netlink_ == nullptr) return;
  // Up to Reconciler::kMaxBatchesInFlight: the netlink thread writes one while we plan the next.
  while (std::optional<fibsync::FdbBatch> batch =
             reconciler_.TakeBatch(fibsync::kOpsPerBatch, MonotonicNow())) {
    netlink_->Submit(std::move(*batch));
  }
  ArmFibTimer();
}

void Daemon::ArmFibTimer() {
  const std::optional<absl::Time> due = reconciler_.NextDeadline();
  if (!due.has_value() || reconciler_.in_flight()) return;
  fib_timer_.expires_after(
      absl::ToChronoNanoseconds(std::max(*due - MonotonicNow(), absl::ZeroDuration())));
  fib_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) PumpFib();
  });
}

}  // namespace evpnd::bgpd

// See reconciler.h.
#include "fib-sync/reconcile/reconciler.h"

#include <algorithm>
#include <cerrno>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace evpnd::fibsync {
namespace {

// Retry backoff after a failed operation: 100 ms doubling to 10 s (ENOBUFS and EBUSY clear in
// milliseconds; a missing device may take an operator minutes, and discovery re-marks the keys
// when it comes back anyway).
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(10);

}  // namespace

std::string FdbKey::ToString() const {
  if (flood()) return absl::StrCat("vni ", vni, " flood ", flood_vtep.ToString());
  return absl::StrCat("vni ", vni, " mac ", mac.ToString());
}

absl::string_view ToString(Reconciler::State state) {
  switch (state) {
    case Reconciler::State::kAwaiting:
      return "awaiting";
    case Reconciler::State::kSyncing:
      return "syncing";
    case Reconciler::State::kSynced:
      return "synced";
  }
  return "unknown";
}

// ---- desired state ----

void Reconciler::SetRemoteMac(evpn::Vni vni, const evpn::MacAddress& mac,
                              const evpn::IpAddress& vtep) {
  const FdbKey key = FdbKey::Unicast(vni, mac);
  desired_[key] = vtep;
  if (hold_stale_deletes_) wanted_during_hold_.insert(key);
  MarkDirty(key);
}

void Reconciler::EraseRemoteMac(evpn::Vni vni, const evpn::MacAddress& mac) {
  const FdbKey key = FdbKey::Unicast(vni, mac);
  desired_.erase(key);
  MarkDirty(key);
}

void Reconciler::SetFlood(evpn::Vni vni, const evpn::IpAddress& vtep, bool present) {
  const FdbKey key = FdbKey::Flood(vni, vtep);
  if (present) {
    desired_[key] = vtep;
    if (hold_stale_deletes_) wanted_during_hold_.insert(key);
  } else {
    desired_.erase(key);
  }
  MarkDirty(key);
}

void Reconciler::EraseVni(evpn::Vni vni) {
  for (auto it = desired_.lower_bound(FdbKey{vni, {}, {}});
       it != desired_.end() && it->first.vni == vni;) {
    MarkDirty(it->first);
    // Unwanted by a configuration change, not by a route: held like a previous run's.
    wanted_during_hold_.erase(it->first);
    it = desired_.erase(it);
  }
}

std::optional<evpn::IpAddress> Reconciler::Desired(const FdbKey& key) const {
  auto it = desired_.find(key);
  if (it == desired_.end()) return std::nullopt;
  return it->second;
}

// ---- devices ----

void Reconciler::SetDevices(const std::vector<VxlanDevice>& devices) {
  absl::btree_map<evpn::Vni, VxlanDevice> next;
  for (const VxlanDevice& d : devices) next[d.vni] = d;
  // Every key of a VNI whose device changed is compared again; kernel entries of a device that
  // went away (or was replaced by another ifindex) went with it.
  absl::btree_set<evpn::Vni> changed;
  for (const auto& [vni, d] : devices_) {
    auto it = next.find(vni);
    if (it == next.end() || !(it->second == d)) changed.insert(vni);
  }
  for (const auto& [vni, d] : next) {
    if (!devices_.contains(vni)) changed.insert(vni);
  }
  for (evpn::Vni vni : changed) {
    auto old = devices_.find(vni);
    auto now = next.find(vni);
    // Down is not gone: the kernel flushes only the device's non-permanent entries (with
    // notifications) and keeps the flood list and the bridge's extern_learn entries.
    const bool gone =
        old != devices_.end() && (now == next.end() || now->second.ifindex != old->second.ifindex);
    for (auto it = in_flight_keys_.lower_bound(FdbKey{vni, {}, {}});
         it != in_flight_keys_.end() && it->vni == vni; ++it) {
      in_flight_news_.insert(*it);
    }
    for (auto it = observed_.lower_bound(FdbKey{vni, {}, {}});
         it != observed_.end() && it->first.vni == vni;) {
      MarkDirty(it->first);
      it = gone ? observed_.erase(it) : std::next(it);
    }
    for (auto it = desired_.lower_bound(FdbKey{vni, {}, {}});
         it != desired_.end() && it->first.vni == vni; ++it) {
      MarkDirty(it->first);
    }
  }
  devices_ = std::move(next);
}

const VxlanDevice* Reconciler::DeviceOf(evpn::Vni vni) const {
  auto it = devices_.find(vni);
  return it == devices_.end() ? nullptr : &it->second;
}

std::optional<evpn::Vni> Reconciler::VniOfIfindex(int ifindex) const {
  for (const auto& [vni, d] : devices_) {
    if (d.ifindex == ifindex) return vni;
  }
  return std::nullopt;
}

// ---- kernel state ----

void Reconciler::BeginResync() {
  state_ = State::kSyncing;
  observed_.clear();
  in_flight_news_ = in_flight_keys_;
  ++counters_.resyncs;
}

void Reconciler::EndResync() {
  state_ = State::kSynced;
  for (const auto& [key, vtep] : desired_) MarkDirty(key);
  for (const auto& [key, obs] : observed_) MarkDirty(key);
}

void Reconciler::OnKernelEntry(const KernelFdbEntry& e) {
  const std::optional<evpn::Vni> vni = VniOfIfindex(e.ifindex);
  if (!vni.has_value()) {
    OnBridgePortEntry(e);
    return;
  }
  FdbKey key;
  if (e.mac.IsZero()) {
    if (!e.self || !e.has_dst) return;
    key = FdbKey::Flood(*vni, e.dst);
  } else {
    key = FdbKey::Unicast(*vni, e.mac);
  }
  Observed& obs = observed_[key];
  const Observed before = obs;
  if (e.self) {
    if (e.present) {
      // The kernel keeps one entry per MAC (per destination for the flood list): whoever wrote
      // it last owns it, so an operator who replaces ours makes it foreign.
      obs.self_owned = e.extern_learn;
      obs.self_foreign = !e.extern_learn;
      obs.self_dst = e.extern_learn && e.has_dst ? e.dst : evpn::IpAddress();
    } else {
      // A unicast MAC has one entry, so its delete counts whatever destination it names: the
      // notification of the change before it may have been lost (a dump repairs that) or
      // coalesced away. Were it older than what we hold, the cost is one idempotent rewrite.
      if (e.extern_learn || !obs.self_foreign) obs.self_owned = false;
      if (!e.extern_learn) obs.self_foreign = false;
    }
  } else if (e.master && e.extern_learn) {
    obs.master_owned = e.present;
  } else if (e.master && !e.present) {
    obs.master_owned = false;
  }
  const bool lost = (before.self_owned && (!obs.self_owned || obs.self_dst != before.self_dst)) ||
                    (before.master_owned && !obs.master_owned);
  const bool in_flight = in_flight_keys_.contains(key);
  if (state_ == State::kSynced && lost && !obs.self_foreign && desired_.contains(key) &&
      !in_flight) {
    ++counters_.repaired;
  }
  if (!obs.self_owned && !obs.self_foreign && !obs.master_owned) observed_.erase(key);
  if (in_flight) in_flight_news_.insert(key);
  if (state_ == State::kSynced) MarkDirty(key);
}

// A bridge entry on another port of a VNI's bridge: the data plane took the MAC over from the
// VXLAN port (a host sent from it). Our bridge entry is gone; if the MAC is still to go to a
// remote VTEP (a sticky remote MAC), it is written back.
void Reconciler::OnBridgePortEntry(const KernelFdbEntry& e) {
  if (!e.master || !e.present || e.master_ifindex == 0 || e.mac.IsZero()) return;
  for (const auto& [vni, device] : devices_) {
    if (device.bridge_ifindex != e.master_ifindex) continue;
    auto it = observed_.find(FdbKey::Unicast(vni, e.mac));
    if (it == observed_.end() || !it->second.master_owned) continue;
    it->second.master_owned = false;
    if (in_flight_keys_.contains(it->first)) in_flight_news_.insert(it->first);
    if (state_ == State::kSynced) MarkDirty(it->first);
  }
}

void Reconciler::SetHoldStaleDeletes(bool hold) {
  if (hold_stale_deletes_ == hold) return;
  hold_stale_deletes_ = hold;
  wanted_during_hold_.clear();
  if (!hold) {
    for (const auto& [key, obs] : observed_) {
      if (!desired_.contains(key)) MarkDirty(key);
    }
  }
}

// ---- planning ----

std::optional<FdbOp> Reconciler::Plan(const FdbKey& key) const {
  const VxlanDevice* device = DeviceOf(key.vni);
  if (device == nullptr || !device->up) return std::nullopt;  // waits for its device
  auto want = desired_.find(key);
  auto have = observed_.find(key);
  const Observed obs = have != observed_.end() ? have->second : Observed{};
  FdbOp op;
  op.key = key;
  op.ifindex = device->ifindex;
  if (want != desired_.end()) {
    // Never overwrite an entry someone else made.
    if (obs.self_foreign && !obs.self_owned) return std::nullopt;
    const bool bridge = !key.flood() && device->bridge_ifindex != 0;
    const bool ok = obs.self_owned && (key.flood() || obs.self_dst == want->second) &&
                    (!bridge || obs.master_owned);
    if (ok) return std::nullopt;
    op.kind = FdbOpKind::kReplace;
    op.vtep = want->second;
    op.bridge_ifindex = bridge ? device->bridge_ifindex : 0;
    return op;
  }
  // A delete names the MAC, not the writer: with the VXLAN entry someone else's, our bridge
  // entry stays rather than take theirs with it.
  const bool held = hold_stale_deletes_ && !wanted_during_hold_.contains(key);
  if ((obs.self_owned || obs.master_owned) && !obs.self_foreign && !held) {
    op.kind = FdbOpKind::kDelete;
    op.vtep = key.flood() ? key.flood_vtep : obs.self_dst;
    op.bridge_ifindex = obs.master_owned ? device->bridge_ifindex : 0;
    return op;
  }
  return std::nullopt;
}

std::optional<FdbBatch> Reconciler::TakeBatch(size_t max_ops, absl::Time now) {
  if (state_ != State::kSynced || in_flight_.size() >= kMaxBatchesInFlight || max_ops == 0) {
    return std::nullopt;
  }
  FdbBatch batch;
  for (auto it = dirty_.begin(); it != dirty_.end() && batch.ops.size() < max_ops;) {
    auto retry = retry_.find(*it);
    const bool waiting = retry != retry_.end() && retry->second.not_before > now;
    if (waiting || in_flight_keys_.contains(*it)) {
      ++it;  // stays dirty until its backoff ends, or its batch is answered
      continue;
    }
    std::optional<FdbOp> op = Plan(*it);
    auto obs = observed_.find(*it);
    if (!op && desired_.contains(*it) && obs != observed_.end() && obs->second.self_foreign &&
        !obs->second.self_owned) {
      ++counters_.foreign_conflicts;
    }
    if (op.has_value()) {
      op->id = next_op_id_++;
      batch.ops.push_back(*op);
    }
    // A key waiting for its device leaves the dirty set too: SetDevices marks it again when the
    // device comes (up).
    it = dirty_.erase(it);
  }
  if (batch.ops.empty()) return std::nullopt;
  batch.id = next_batch_id_++;
  counters_.ops_sent += batch.ops.size();
  for (const FdbOp& op : batch.ops) {
    ++(op.kind == FdbOpKind::kDelete ? counters_.deletes_sent : counters_.replaces_sent);
    in_flight_keys_.insert(op.key);
  }
  in_flight_.push_back(batch);
  return batch;
}

void Reconciler::OnBatchResult(const FdbBatchResult& result, absl::Time now) {
  auto batch = std::find_if(in_flight_.begin(), in_flight_.end(),
                            [&](const FdbBatch& b) { return b.id == result.batch_id; });
  if (batch == in_flight_.end()) return;
  // The results normally come in the ops' order; otherwise they are looked up by id.
  absl::flat_hash_map<uint32_t, int> by_id;
  auto error_of = [&](size_t i, const FdbOp& op) {
    if (i < result.results.size() && result.results[i].op_id == op.id) {
      return result.results[i].error;
    }
    if (by_id.empty()) {
      for (const FdbOpResult& r : result.results) by_id[r.op_id] = r.error;
    }
    auto it = by_id.find(op.id);
    return it == by_id.end() ? EIO : it->second;  // an op not answered is retried
  };
  for (size_t i = 0; i < batch->ops.size(); ++i) {
    const FdbOp& op = batch->ops[i];
    const int error = error_of(i, op);
    // ENOENT on delete: already gone. EEXIST: the entry is there (an append of a destination
    // the device already has).
    if (error == 0 || (error == ENOENT && op.kind == FdbOpKind::kDelete) || error == EEXIST) {
      if (in_flight_news_.contains(op.key)) {
        // The kernel reported on the key (or its device changed, or a dump was read) while the
        // op was in flight: that news may be newer than the op, so the op's effect is not
        // assumed; the key is compared again against what the kernel said.
        retry_.erase(op.key);
        MarkDirty(op.key);
      } else {
        Applied(op);
      }
    } else {
      Failed(op, now);
    }
    in_flight_keys_.erase(op.key);
    in_flight_news_.erase(op.key);
  }
  in_flight_.erase(batch);
}

void Reconciler::Applied(const FdbOp& op) {
  retry_.erase(op.key);
  if (op.kind == FdbOpKind::kDelete) {
    observed_.erase(op.key);
    return;
  }
  Observed& obs = observed_[op.key];
  obs.self_owned = true;
  obs.self_dst = op.vtep;
  if (op.bridge_ifindex != 0) obs.master_owned = true;
}

void Reconciler::Failed(const FdbOp& op, absl::Time now) {
  ++counters_.ops_failed;
  Retry& r = retry_[op.key];
  r.backoff = r.backoff == absl::ZeroDuration() ? kFirstBackoff
                                                : std::min(r.backoff * 2, kMaxBackoff);
  r.not_before = now + r.backoff;
  MarkDirty(op.key);
}

std::optional<absl::Time> Reconciler::NextDeadline() const {
  // Walks the keys in backoff (few), not the dirty set (up to every key after a resync).
  std::optional<absl::Time> next;
  for (const auto& [key, r] : retry_) {
    if (!dirty_.contains(key)) continue;
    if (!next.has_value() || r.not_before < *next) next = r.not_before;
  }
  return next;
}

bool Reconciler::HasWork(absl::Time now) const {
  if (state_ != State::kSynced || in_flight_.size() >= kMaxBatchesInFlight) return false;
  for (const FdbKey& key : dirty_) {
    if (in_flight_keys_.contains(key)) continue;
    auto r = retry_.find(key);
    if (r == retry_.end() || r->second.not_before <= now) return true;
  }
  return false;
}

bool Reconciler::HasOwnedEntries(evpn::Vni vni) const {
  for (auto it = observed_.lower_bound(FdbKey{vni, {}, {}});
       it != observed_.end() && it->first.vni == vni; ++it) {
    if (it->second.self_owned || it->second.master_owned) return true;
  }
  return false;
}

bool Reconciler::Converged() const {
  for (const auto& [key, vtep] : desired_) {
    if (Plan(key).has_value()) return false;
  }
  for (const auto& [key, obs] : observed_) {
    if (!desired_.contains(key) && Plan(key).has_value()) return false;
  }
  return true;
}

}  // namespace evpnd::fibsync

// The FDB reconciler: what evpnd wants in the kernel (desired), what the kernel has (observed,
// from dumps and notifications), and the operations that make the second equal the first. Pure:
// the netlink thread does the I/O; time is a parameter.
//
// Life cycle (Open/R's AWAITING -> SYNCING -> SYNCED):
//   kAwaiting  nothing is known of the kernel yet: nothing is written.
//   kSyncing   a dump is being read (BeginResync ... OnKernelEntry ... EndResync).
//   kSynced    every dirty key is compared and fixed. A lost notification (ENOBUFS on the monitor
//              socket) sends the owner back to kSyncing with a new dump.
// Ownership: only entries with extern_learn on the VXLAN device of a configured VNI are evpnd's;
// anything else (an operator's static entry) is never changed or deleted. An owned entry that
// changes or vanishes behind our back (deleted by hand) is put back.
// Graceful restart (RFC 4724 §4.1, "forwarding state preserved"): while HoldStaleDeletes is on,
// owned kernel entries that no route backs yet are left in place; releasing the hold deletes the
// ones still unbacked. The hold is for what a previous run (or configuration) left: an entry a
// route has wanted since the hold began is this run's, and its delete goes through at once.
// Batches: at most kMaxBatchesInFlight in flight (FdbBatch -> FdbBatchResult), so the netlink
// thread writes one while the core plans the next; a key is in one of them at most. Keys changed
// meanwhile stay in the dirty set and coalesce; a key in flight is planned again only once its
// batch is answered. Failed operations are retried with exponential backoff per key; ENOENT
// on delete is success and EEXIST on create is retried as replace.
//
// NOTE: Threading: core thread only. Performance: dirty keys are walked in order; a batch takes
// at most `max_ops` of them.
// Standards: Linux rtnetlink(7) neighbour messages; RFC 8365 §9; RFC 4724 §4.1.
// TODO(fib-sync): one external (vnifilter) VXLAN device for many VNIs: entries keyed by
// NDA_SRC_VNI and a VLAN-aware bridge (VLAN <-> VNI). Needs a kernel with bridge VLAN filtering
// to build and test; the development machine's kernel has none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/time/time.h"
#include "fib-sync/reconcile/fdb_types.h"

namespace evpnd::fibsync {

struct ReconcilerCounters {
  uint64_t ops_sent = 0;
  uint64_t replaces_sent = 0;    // of ops_sent: create or replace
  uint64_t deletes_sent = 0;     // of ops_sent: delete
  uint64_t ops_failed = 0;       // answered with an error other than ENOENT on delete
  uint64_t repaired = 0;         // owned entries changed or removed behind our back, put back
  uint64_t foreign_conflicts = 0;  // a desired MAC held by an entry someone else made
  uint64_t resyncs = 0;
};

class Reconciler {
 public:
  enum class State : uint8_t { kAwaiting, kSyncing, kSynced };

  // Desired state (from the EVPN layer's FDB feed).
  void SetRemoteMac(evpn::Vni vni, const evpn::MacAddress& mac, const evpn::IpAddress& vtep);
  void EraseRemoteMac(evpn::Vni vni, const evpn::MacAddress& mac);
  void SetFlood(evpn::Vni vni, const evpn::IpAddress& vtep, bool present);
  // Drops every desired entry of a VNI (VNI unconfigured).
  void EraseVni(evpn::Vni vni);

  // The VXLAN devices bound to configured VNIs (from discovery). Entries of a VNI without a device
  // wait; a device that goes away takes its kernel entries with it.
  void SetDevices(const std::vector<VxlanDevice>& devices);

  // Kernel state.
  void BeginResync();
  void OnKernelEntry(const KernelFdbEntry& entry);
  void EndResync();

  void SetHoldStaleDeletes(bool hold);
  bool hold_stale_deletes() const { return hold_stale_deletes_; }

  static constexpr size_t kMaxBatchesInFlight = 2;
  // The next batch, or nullopt (not synced, kMaxBatchesInFlight in flight, or nothing to do now).
  std::optional<FdbBatch> TakeBatch(size_t max_ops, absl::Time now);
  void OnBatchResult(const FdbBatchResult& result, absl::Time now);
  bool in_flight() const { return !in_flight_.empty(); }
  // When a key waiting for its retry backoff is due.
  std::optional<absl::Time> NextDeadline() const;
  bool HasWork(absl::Time now) const;

  State state() const { return state_; }
  const ReconcilerCounters& counters() const { return counters_; }
  size_t desired_size() const { return desired_.size(); }
  // Whether the kernel still holds entries of ours for `vni` (its device must stay bound until
  // they are deleted).
  bool HasOwnedEntries(evpn::Vni vni) const;
  // The destination evpnd wants for a key (nullopt: none).
  std::optional<evpn::IpAddress> Desired(const FdbKey& key) const;
  // True when the kernel holds every desired entry and no owned entry beyond them.
  bool Converged() const;

 private:
  // What the kernel holds for a key, of ours or someone else's.
  struct Observed {
    bool self_owned = false;       // an extern_learn self entry (for unicast: its dst below)
    evpn::IpAddress self_dst;
    bool self_foreign = false;     // a self entry without extern_learn (not ours)
    bool master_owned = false;     // the bridge entry on the VXLAN port, extern_learn
  };
  struct Retry {
    absl::Time not_before;
    absl::Duration backoff;
  };

  const VxlanDevice* DeviceOf(evpn::Vni vni) const;
  std::optional<evpn::Vni> VniOfIfindex(int ifindex) const;
  void MarkDirty(const FdbKey& key) { dirty_.insert(key); }
  void OnBridgePortEntry(const KernelFdbEntry& entry);
  // The operation that makes `key` right, if any.
  std::optional<FdbOp> Plan(const FdbKey& key) const;
  void Applied(const FdbOp& op);
  void Failed(const FdbOp& op, absl::Time now);

  State state_ = State::kAwaiting;
  bool hold_stale_deletes_ = false;
  // Keys desired at some point since the hold began: not held.
  absl::btree_set<FdbKey> wanted_during_hold_;
  absl::btree_map<FdbKey, evpn::IpAddress> desired_;
  absl::btree_map<FdbKey, Observed> observed_;
  absl::btree_map<evpn::Vni, VxlanDevice> devices_;
  absl::btree_set<FdbKey> dirty_;
  absl::btree_map<FdbKey, Retry> retry_;
  std::deque<FdbBatch> in_flight_;  // in the order they were taken (and are answered)
  absl::btree_set<FdbKey> in_flight_keys_;
  // Keys in flight the kernel reported on meanwhile (notification, dump, device change): their
  // op's result does not say what the kernel holds now.
  absl::btree_set<FdbKey> in_flight_news_;
  uint64_t next_batch_id_ = 1;
  uint32_t next_op_id_ = 1;
  ReconcilerCounters counters_;
};

absl::string_view ToString(Reconciler::State state);

}  // namespace evpnd::fibsync

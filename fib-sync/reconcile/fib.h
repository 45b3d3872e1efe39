// The kernel side of fib-sync as the core sees it: something that carries out FdbBatches and
// reports back the kernel's state (a full snapshot after Resync, then changes) and the batch
// results. NetlinkFib (fib-sync/netlink) is the real one; InMemoryFib (in_memory_fib.h) keeps an
// FDB in memory with the kernel's semantics, for tests of everything above it.
#pragma once

#include "fib-sync/reconcile/fdb_types.h"

namespace evpnd::fibsync {

class Fib {
 public:
  virtual ~Fib() = default;
  // Carries out the batch; its FdbBatchResult is reported later.
  virtual void Submit(FdbBatch batch) = 0;
  // Reports a full snapshot of links and FDB entries.
  virtual void Resync() = 0;
};

}  // namespace evpnd::fibsync

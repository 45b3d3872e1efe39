// Keys waiting for work (a decision in the Rib, an advertisement in an update group), in one
// lane per source peer, served round-robin a quantum at a time. Within a lane keys go in key
// order (a key changed twice before its turn is there once); across lanes a change from a quiet
// peer (a MAC move) waits behind at most a quantum of each busy peer's backlog, never behind the
// whole backlog of a table transfer, wherever its key sorts.
//
// A key may sit in two lanes (its best path moved from one source to another before its turn):
// it is then worked on twice, which is harmless, since the work is idempotent (the second finds
// nothing to do).
//
// NOTE: Threading: core thread only. Performance: O(log n) per insert and pop; memory as a
// btree set of the keys.
#pragma once

#include <cstddef>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "rib/peer.h"
#include "rib/route_key.h"

namespace evpnd::rib {

class DirtyLanes {
 public:
  // Keys taken from one lane before the next lane's turn.
  static constexpr size_t kQuantum = 64;

  void Insert(PeerId source, const RouteKey& key);
  bool empty() const { return lanes_.empty(); }
  // Entries in every lane (a key in two lanes counts twice).
  size_t size() const { return size_; }

  // The next key in round-robin order and its lane; null when empty.
  const RouteKey* Front(PeerId* source = nullptr) const;
  // Removes Front().
  void PopFront();

 private:
  using Lanes = absl::btree_map<PeerId, absl::btree_set<RouteKey, RouteKeyOrder>>;
  Lanes::const_iterator FrontLane() const;

  Lanes lanes_;
  size_t size_ = 0;
  PeerId cursor_ = 0;  // the lane being served
  size_t taken_ = 0;   // keys taken from it in its current turn
};

}  // namespace evpnd::rib

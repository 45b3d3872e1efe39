// See dirty_lanes.h.
#include "rib/dirty_lanes.h"

namespace evpnd::rib {

void DirtyLanes::Insert(PeerId source, const RouteKey& key) {
  if (lanes_[source].insert(key).second) ++size_;
}

DirtyLanes::Lanes::const_iterator DirtyLanes::FrontLane() const {
  // The cursor's lane while its quantum lasts, else the next lane (wrapping round); a lane
  // that emptied is gone, and the one after it starts a fresh turn.
  auto it = lanes_.lower_bound(cursor_);
  if (it != lanes_.end() && it->first == cursor_ && taken_ >= kQuantum) ++it;
  if (it == lanes_.end()) it = lanes_.begin();
  return it;
}

const RouteKey* DirtyLanes::Front(PeerId* source) const {
  if (lanes_.empty()) return nullptr;
  auto lane = FrontLane();
  if (source != nullptr) *source = lane->first;
  return &*lane->second.begin();
}

void DirtyLanes::PopFront() {
  if (lanes_.empty()) return;
  auto lane = lanes_.find(FrontLane()->first);
  if (lane->first != cursor_) {
    cursor_ = lane->first;
    taken_ = 0;
  }
  lane->second.erase(lane->second.begin());
  --size_;
  ++taken_;
  if (lane->second.empty()) lanes_.erase(lane);
}

}  // namespace evpnd::rib

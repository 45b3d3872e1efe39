#include "bgpd/session/selection_deferral.h"

#include <utility>

namespace evpnd::bgpd {

namespace {
constexpr const char* kAllEndOfRib = "every peer with graceful restart has sent End-of-RIB";
}  // namespace

bool SelectionDeferral::OnEstablished(uint32_t peer, Wait wait) {
  if (!deferring_) return false;
  up_.insert(peer);
  if (wait == Wait::kUntilTimer) waiting_.insert(peer);
  if (wait == Wait::kUntilGrace) waiting_restarting_.insert(peer);
  return Check(kAllEndOfRib);
}

bool SelectionDeferral::OnSessionDown(uint32_t peer) {
  if (!deferring_) return false;
  if (waiting_.erase(peer) + waiting_restarting_.erase(peer) == 0) return false;
  return Check("the peers still waited for went down or have sent End-of-RIB");
}

bool SelectionDeferral::OnEndOfRib(uint32_t peer) {
  if (!deferring_) return false;
  if (waiting_.erase(peer) + waiting_restarting_.erase(peer) == 0) return false;
  return Check(kAllEndOfRib);
}

bool SelectionDeferral::OnGraceExpired() {
  if (!deferring_) return false;
  grace_over_ = true;
  return Check(waiting_restarting_.empty()
                   ? kAllEndOfRib
                   : "every peer with graceful restart but the restarting ones (R bit) has sent "
                     "End-of-RIB, and the grace for these is over");
}

bool SelectionDeferral::OnTimerExpired() {
  if (!deferring_) return false;
  waiting_.clear();
  waiting_restarting_.clear();
  deferring_ = false;
  why_ = "the selection deferral time expired";
  return true;
}

bool SelectionDeferral::Check(std::string why) {
  if (up_.empty() || !waiting_.empty()) return false;
  if (!grace_over_ && (up_.size() < expected_ || !waiting_restarting_.empty())) return false;
  deferring_ = false;
  why_ = std::move(why);
  return true;
}

}  // namespace evpnd::bgpd

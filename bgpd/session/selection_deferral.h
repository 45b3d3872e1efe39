// RFC 4724 §4.1: a restarting speaker defers its route selection, and so its UPDATEs and its
// End-of-RIB, until every peer it must wait for has sent End-of-RIB, or a deferral timer runs
// out. Otherwise a restarted route reflector tells each client "that is all" before it has
// heard the other clients again, and the clients sweep every reflected route they were keeping.
//
// Whom we wait for: peers whose session is Established and that advertised the graceful
// restart capability (RFC 4724 §4.1 excludes those without it). Peers that set the Restart State
// bit are restarting too and may be deferring as well, waiting for our End-of-RIB: RFC 4724
// excludes them to avoid that deadlock; we wait for them too, but only until the short grace
// below: FRR sets the R bit for its whole restart time after any start, so in a fabric that
// started minutes ago excluding them would leave nobody to wait for. Pure: the daemon feeds it
// events and runs the timers.
//
// When the wait ends: once every configured peer's session has come up (or a short grace after
// the first one did: a peer that stays down must not hold the others up for long), every peer
// waited for without the R bit has sent End-of-RIB, and every one with it has too (or the grace
// is over); peers whose session ends first are no longer waited for. Or when the deferral timer
// expires. A restarted route reflector thus waits until its clients are back and have sent
// their routes, so that what it reflects before its End-of-RIB is complete. It starts only on a
// restart and never again after it has ended.
// Standards: RFC 4724 §4.1 (Selection_Deferral_Timer), RFC 4724 §2 (End-of-RIB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/btree_set.h"

namespace evpnd::bgpd {

class SelectionDeferral {
 public:
  // `restarting`: this speaker starts after a restart, with graceful restart on;
  // `expected_peers`: how many peers are configured and not shut down.
  SelectionDeferral(bool restarting, size_t expected_peers)
      : deferring_(restarting), expected_(expected_peers) {}

  bool deferring() const { return deferring_; }
  size_t waiting() const { return waiting_.size() + waiting_restarting_.size(); }
  // True once the first session came up (the caller then starts the grace timer).
  bool any_up() const { return !up_.empty(); }
  void set_expected_peers(size_t n) { expected_ = n; }

  // Each returns true when this event ends the deferral (the caller then runs the decision
  // process); `why()` says why.
  enum class Wait : uint8_t {
    kNo,            // no graceful restart capability: sends no End-of-RIB to wait for
    kUntilGrace,    // graceful restart with the R bit: may be deferring too
    kUntilTimer,    // graceful restart without the R bit
  };
  // A session came up.
  bool OnEstablished(uint32_t peer, Wait wait);
  bool OnSessionDown(uint32_t peer);
  bool OnEndOfRib(uint32_t peer);
  // The grace after the first session came up is over.
  bool OnGraceExpired();
  bool OnTimerExpired();

  const std::string& why() const { return why_; }

 private:
  bool Check(std::string why);

  bool deferring_;
  size_t expected_;
  bool grace_over_ = false;
  absl::btree_set<uint32_t> up_;  // came up at least once since the restart
  absl::btree_set<uint32_t> waiting_;             // kUntilTimer
  absl::btree_set<uint32_t> waiting_restarting_;  // kUntilGrace
  std::string why_;
};

}  // namespace evpnd::bgpd

// RFC 4724 §4.1 selection deferral (bgpd/session/selection_deferral.h): who is waited for, when
// the wait ends (all End-of-RIBs, sessions that end, the timer), and that it never restarts.
#include "bgpd/session/selection_deferral.h"

#include "gtest/gtest.h"

namespace evpnd::bgpd {
namespace {

constexpr auto kNo = SelectionDeferral::Wait::kNo;
constexpr auto kGrace = SelectionDeferral::Wait::kUntilGrace;
constexpr auto kTimer = SelectionDeferral::Wait::kUntilTimer;

TEST(SelectionDeferralTest, NotRestartingNeverDefers) {
  SelectionDeferral d(false, 1);
  EXPECT_FALSE(d.deferring());
  EXPECT_FALSE(d.OnEstablished(1, kTimer));
  EXPECT_FALSE(d.OnEndOfRib(1));
  EXPECT_FALSE(d.OnTimerExpired());
  EXPECT_FALSE(d.deferring());
}

TEST(SelectionDeferralTest, NothingIsDecidedBeforeASessionIsUp) {
  SelectionDeferral d(true, 3);
  EXPECT_TRUE(d.deferring());
  EXPECT_FALSE(d.OnEndOfRib(7));  // not a peer we wait for
  EXPECT_FALSE(d.OnSessionDown(7));
  EXPECT_TRUE(d.deferring());
}

TEST(SelectionDeferralTest, WaitsForEveryGracefulPeersEndOfRib) {
  SelectionDeferral d(true, 3);
  EXPECT_FALSE(d.OnEstablished(1, kTimer));
  EXPECT_FALSE(d.OnEstablished(2, kTimer));
  // A peer without graceful restart (or restarting itself) is not waited for.
  EXPECT_FALSE(d.OnEstablished(3, kNo));
  EXPECT_EQ(d.waiting(), 2u);
  EXPECT_TRUE(d.any_up());
  EXPECT_FALSE(d.OnEndOfRib(1));
  EXPECT_FALSE(d.OnEndOfRib(1));  // again: nothing new
  EXPECT_TRUE(d.deferring());
  EXPECT_TRUE(d.OnEndOfRib(2));
  EXPECT_FALSE(d.deferring());
  EXPECT_EQ(d.why(), "every peer with graceful restart has sent End-of-RIB");
  // Over for good: a later session is not waited for.
  EXPECT_FALSE(d.OnEstablished(4, kTimer));
  EXPECT_FALSE(d.deferring());
}

TEST(SelectionDeferralTest, PeersThatDoNotWaitStillCountAsUp) {
  // A restarted route reflector with clients that set the R bit: it decides once they are all
  // back, so that what it reflects before its End-of-RIB is complete.
  SelectionDeferral d(true, 3);
  EXPECT_FALSE(d.OnEstablished(5, kNo));
  EXPECT_FALSE(d.OnEstablished(6, kNo));
  EXPECT_TRUE(d.deferring());
  EXPECT_TRUE(d.OnEstablished(7, kNo));
  EXPECT_FALSE(d.deferring());
}

TEST(SelectionDeferralTest, APeerThatStaysDownHoldsUpOnlyForTheGrace) {
  SelectionDeferral d(true, 3);
  EXPECT_FALSE(d.OnGraceExpired());  // nothing up yet: nothing to decide for
  EXPECT_TRUE(d.deferring());
  EXPECT_FALSE(d.OnEstablished(1, kTimer));
  EXPECT_FALSE(d.OnGraceExpired());  // still waiting for 1's End-of-RIB
  EXPECT_TRUE(d.OnEndOfRib(1));
  EXPECT_FALSE(d.deferring());
}

TEST(SelectionDeferralTest, APeerThatGoesDownIsNoLongerWaitedFor) {
  SelectionDeferral d(true, 2);
  d.OnEstablished(1, kTimer);
  d.OnEstablished(2, kTimer);
  EXPECT_FALSE(d.OnEndOfRib(1));
  EXPECT_TRUE(d.OnSessionDown(2));
  EXPECT_FALSE(d.deferring());
}

TEST(SelectionDeferralTest, RestartingPeersAreWaitedForUntilTheGrace) {
  SelectionDeferral d(true, 2);
  EXPECT_FALSE(d.OnEstablished(1, kGrace));
  EXPECT_FALSE(d.OnEstablished(2, kGrace));
  EXPECT_EQ(d.waiting(), 2u);
  EXPECT_FALSE(d.OnEndOfRib(1));
  EXPECT_TRUE(d.OnEndOfRib(2));  // both answered before the grace: no need to wait more

  // Two speakers restarting together both defer, each waiting for the other: the grace ends it.
  SelectionDeferral both(true, 1);
  EXPECT_FALSE(both.OnEstablished(1, kGrace));
  EXPECT_TRUE(both.OnGraceExpired());
  EXPECT_EQ(both.why(),
            "every peer with graceful restart but the restarting ones (R bit) has sent "
            "End-of-RIB, and the grace for these is over");

  // The grace does not cut the wait for peers that are not restarting.
  SelectionDeferral mixed(true, 2);
  mixed.OnEstablished(1, kGrace);
  mixed.OnEstablished(2, kTimer);
  EXPECT_FALSE(mixed.OnGraceExpired());
  EXPECT_TRUE(mixed.OnEndOfRib(2));
}

TEST(SelectionDeferralTest, TheTimerEndsIt) {
  SelectionDeferral d(true, 3);
  d.OnEstablished(1, kTimer);
  EXPECT_TRUE(d.OnTimerExpired());
  EXPECT_FALSE(d.deferring());
  EXPECT_EQ(d.waiting(), 0u);
  EXPECT_EQ(d.why(), "the selection deferral time expired");
  EXPECT_FALSE(d.OnEndOfRib(1));
  EXPECT_FALSE(d.OnTimerExpired());
}

}  // namespace
}  // namespace evpnd::bgpd

// Timers and lifecycle of the BGP FSM (bgpd/session/fsm.h), in simulated time: the shell's single
// timer is modelled by firing OnTimers() at NextDeadline().
// Covered: the HoldTimer's large value (4 min) in OpenSent and the negotiated one in OpenConfirm
// and Established, each sending Hold Timer Expired (4/0) when it runs out, and restarted by
// received KEEPALIVE and UPDATE (RFC 4271 §8.2.2, §6.5, §10); the KeepaliveTimer at 75-100% of
// the negotiated keepalive time and postponed by every message sent (§4.4, §10); hold time 0
// disabling both (§4.2); NextDeadline() as the earliest armed timer; ConnectRetry exponential
// backoff capped at connect_retry_max and reset once Established; automatic restart through the
// IdleHoldTimer with backoff after errors (§8.1.1 DampPeerOscillations); ManualStop cancelling
// restarts and zeroing the ConnectRetryCounter; AutomaticStop with and without restart_after
// (max-prefix restart); passive peers never connecting (§8.1.1 PassiveTcpEstablishment); Active
// entered actively reconnecting on ConnectRetryTimer_Expires (§8.2.2 Active, Event 9); no
// automatic re-establishment after Unsupported Capability (RFC 5492 §3); the shutdown
// communication carried by ManualStop (RFC 9003); determinism per jitter seed.
#include "bgpd/session/fsm.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bgpd/session/negotiation.h"
#include "bgpd/session/session_state.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/notification_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/session/fsm_test_util.h"

namespace evpnd::bgpd::test {
namespace {

using R = SessionDownReason;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StrEq;

const absl::Duration kNs = absl::Nanoseconds(1);

// True when a firing at `d` is the first one that does anything: nothing happens just before it.
// Works on copies, so `fsm` is untouched.
void ExpectFirstFiringAt(const Fsm& fsm, absl::Time d) {
  Fsm before = fsm;
  EXPECT_THAT(Strings(before.OnTimers(d - kNs)), IsEmpty()) << "something fired before " << d;
  Fsm at = fsm;
  EXPECT_THAT(Strings(at.OnTimers(d)), ::testing::Not(IsEmpty())) << "nothing fired at " << d;
}

void ExpectBetween(absl::Duration d, absl::Duration lo, absl::Duration hi) {
  EXPECT_GE(d, lo);
  EXPECT_LE(d, hi);
}

// ---------------------------------------------------------------------------------------------
// HoldTimer

// RFC 4271 §8.2.2 Connect, Events 16/17: "sets the HoldTimer to a large value ... A HoldTimer
// value of 4 minutes is suggested"; OpenSent, Event 10: send Hold Timer Expired, -> Idle.
TEST(FsmHoldTimer, OpenSentExpiresAfterFourMinutesWithHoldTimerExpired) {
  Fsm fsm(Config());
  const absl::Time t = T0() + absl::Seconds(1);
  DriveConnect(fsm, T0());
  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kTcpCrAcked), t)), ElementsAre(kSendOpen));
  EXPECT_EQ(fsm.NextDeadline(), t + absl::Minutes(4));  // the ConnectRetryTimer is stopped

  EXPECT_THAT(Strings(fsm.OnTimers(t + absl::Minutes(4) - kNs)), IsEmpty());
  EXPECT_EQ(fsm.state(), S::kOpenSent);
  EXPECT_THAT(
      Strings(fsm.OnTimers(t + absl::Minutes(4))),
      ElementsAre(SendNotif(wire::kHoldTimerExpired, 0), kDisconnect, Down(R::kHoldTimerExpired)));
  EXPECT_EQ(fsm.state(), S::kIdle);
  EXPECT_EQ(fsm.last_down_reason(), R::kHoldTimerExpired);
}

// RFC 4271 §8.2.2 OpenConfirm, Event 10 "occurs before a KEEPALIVE message is received": send
// Hold Timer Expired. Our own KEEPALIVEs do not restart the HoldTimer.
TEST(FsmHoldTimer, OpenConfirmExpiresAfterNegotiatedHoldTime) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveOpenConfirm(fsm, t, /*peer_hold=*/90));
  ASSERT_EQ(fsm.negotiated()->hold_time_s, 90);

  const FsmActions before = RunTimersUntil(fsm, t + absl::Seconds(90) - kNs);
  EXPECT_THAT(Strings(before), Each(StrEq(kSendKeepalive)));
  EXPECT_GE(before.size(), 3u);  // every 22.5-30 s over 90 s
  EXPECT_EQ(fsm.state(), S::kOpenConfirm);

  EXPECT_THAT(
      Strings(RunTimersUntil(fsm, t + absl::Seconds(90))),
      ElementsAre(SendNotif(wire::kHoldTimerExpired, 0), kDisconnect, Down(R::kHoldTimerExpired)));
  EXPECT_EQ(fsm.state(), S::kIdle);
}

// RFC 4271 §8.2.2 Established, Events 26/27: a received KEEPALIVE or UPDATE restarts the
// HoldTimer; Event 10: send Hold Timer Expired and report a session that was up.
TEST(FsmHoldTimer, EstablishedRestartsOnKeepaliveAndUpdateThenExpires) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, t));
  EXPECT_THAT(Strings(RunTimersUntil(fsm, t + absl::Seconds(60))), Each(StrEq(kSendKeepalive)));
  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kKeepAliveMsg), t + absl::Seconds(60))), IsEmpty());
  EXPECT_THAT(Strings(RunTimersUntil(fsm, t + absl::Seconds(100))), Each(StrEq(kSendKeepalive)));
  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kUpdateMsg), t + absl::Seconds(100))), IsEmpty());

  // Hold is now due at 100 + 90 = 190 s, not at 90 or 150 s.
  EXPECT_THAT(Strings(RunTimersUntil(fsm, t + absl::Seconds(190) - kNs)),
              Each(StrEq(kSendKeepalive)));
  EXPECT_EQ(fsm.state(), S::kEstablished);
  EXPECT_THAT(Strings(RunTimersUntil(fsm, t + absl::Seconds(190))),
              ElementsAre(SendNotif(wire::kHoldTimerExpired, 0), kDisconnect,
                          Down(R::kHoldTimerExpired, /*was_established=*/true)));
  const FsmActions none = RunTimersUntil(fsm, t + absl::Seconds(190));
  EXPECT_THAT(Strings(none), IsEmpty());
}

// The SessionDown action carries the NOTIFICATION sent (hold expiry) or received (NotifMsg).
TEST(FsmHoldTimer, SessionDownCarriesTheNotification) {
  {
    Fsm fsm(Config());
    ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, T0()));
    const FsmActions a = fsm.Handle(Ev(E::kHoldTimerExpires), T0() + absl::Seconds(90));
    const auto* down = FindAction<SessionDownAction>(a);
    ASSERT_NE(down, nullptr);
    EXPECT_EQ(down->notification, Notification(wire::kHoldTimerExpired, 0));
  }
  {
    Fsm fsm(Config());
    ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, T0()));
    const FsmActions a = fsm.Handle(Ev(E::kNotifMsg), T0() + absl::Seconds(1));
    const auto* down = FindAction<SessionDownAction>(a);
    ASSERT_NE(down, nullptr);
    EXPECT_EQ(down->notification, PeerCease());
    EXPECT_TRUE(down->was_established);
  }
}

// ---------------------------------------------------------------------------------------------
// KeepaliveTimer

struct KeepaliveCase {
  uint16_t peer_hold;
  int keepalive_s;
};

class FsmKeepaliveTest : public ::testing::TestWithParam<KeepaliveCase> {};

// RFC 4271 §10: KeepaliveTimer jittered to 75%-100% of its value; §4.4: "one third of the Hold
// Time interval". 200 consecutive KEEPALIVEs: every interval in range, and not all the same.
TEST_P(FsmKeepaliveTest, EveryNegotiatedKeepaliveJitteredBetween75And100Percent) {
  const KeepaliveCase c = GetParam();
  Fsm fsm(Config());
  absl::Time last = T0();
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, last, c.peer_hold));
  ASSERT_EQ(fsm.negotiated()->keepalive_s, c.keepalive_s);
  const absl::Duration ka = absl::Seconds(c.keepalive_s);
  absl::Duration lo = absl::InfiniteDuration();
  absl::Duration hi = absl::ZeroDuration();
  for (int i = 0; i < 200; ++i) {
    const absl::Time d = fsm.NextDeadline();
    ExpectBetween(d - last, ka * 0.75, ka);
    lo = std::min(lo, d - last);
    hi = std::max(hi, d - last);
    ASSERT_THAT(Strings(fsm.OnTimers(d)), ElementsAre(kSendKeepalive)) << "firing " << i;
    fsm.Handle(Ev(E::kKeepAliveMsg), d);  // the peer keeps the session up
    last = d;
  }
  EXPECT_EQ(fsm.state(), S::kEstablished);
  EXPECT_GT(hi - lo, ka * 0.1) << "jitter barely varies: [" << lo << ", " << hi << "]";
}

INSTANTIATE_TEST_SUITE_P(Rfc4271, FsmKeepaliveTest,
                         ::testing::Values(KeepaliveCase{90, 30}, KeepaliveCase{30, 10},
                                           KeepaliveCase{9, 3}),
                         [](const ::testing::TestParamInfo<KeepaliveCase>& info) {
                           return absl::StrCat("Hold", info.param.peer_hold);
                         });

// RFC 4271 §8.2.2 Established: "Each time the local system sends a KEEPALIVE or UPDATE message,
// it restarts its KeepaliveTimer".
TEST(FsmKeepalive, OnMessageSentPostponesTheKeepalive) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, t));
  const absl::Time due = fsm.NextDeadline();
  ASSERT_LE(due, t + absl::Seconds(30));

  const absl::Time sent = due - absl::Seconds(1);
  fsm.OnMessageSent(sent);
  const absl::Time next = fsm.NextDeadline();
  ExpectBetween(next - sent, absl::Seconds(22.5), absl::Seconds(30));
  EXPECT_THAT(Strings(fsm.OnTimers(due)), IsEmpty());
  EXPECT_THAT(Strings(fsm.OnTimers(next)), ElementsAre(kSendKeepalive));
}

// The same in OpenConfirm, where the KeepaliveTimer already runs (§8.2.2 OpenSent, Event 19).
TEST(FsmKeepalive, OnMessageSentPostponesTheKeepaliveInOpenConfirm) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveOpenConfirm(fsm, t));
  const absl::Time due = fsm.NextDeadline();
  fsm.OnMessageSent(due - absl::Seconds(1));
  EXPECT_GT(fsm.NextDeadline(), due);
  EXPECT_THAT(Strings(fsm.OnTimers(due)), IsEmpty());
}

// No KeepaliveTimer before the OPEN exchange: sending our OPEN must not arm one.
TEST(FsmKeepalive, OnMessageSentInOpenSentArmsNothing) {
  Fsm fsm(Config());
  ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, T0()));
  fsm.OnMessageSent(T0());
  EXPECT_EQ(fsm.NextDeadline(), T0() + absl::Minutes(4));
}

// RFC 4271 §4.2 / §8.2.2 OpenSent, Event 19: "If the negotiated hold time value is zero, then the
// HoldTimer and KeepaliveTimer are not started"; §4.4: no periodic KEEPALIVEs.
TEST(FsmKeepalive, HoldTimeZeroNegotiatesNoKeepaliveAndNoHold) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, t));
  EXPECT_THAT(Strings(fsm.Handle(OpenEv(PeerOpen(/*hold_time=*/0)), t)),
              ElementsAre(kSendKeepalive));
  ASSERT_EQ(fsm.state(), S::kOpenConfirm);
  EXPECT_EQ(fsm.negotiated()->hold_time_s, 0);
  EXPECT_EQ(fsm.negotiated()->keepalive_s, 0);
  EXPECT_EQ(fsm.NextDeadline(), absl::InfiniteFuture());

  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kKeepAliveMsg), t)), ElementsAre(kUp));
  EXPECT_EQ(fsm.NextDeadline(), absl::InfiniteFuture());
  fsm.OnMessageSent(t + absl::Seconds(1));
  EXPECT_EQ(fsm.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Strings(fsm.OnTimers(t + absl::Hours(24 * 365))), IsEmpty());
  EXPECT_EQ(fsm.state(), S::kEstablished);
}

// ---------------------------------------------------------------------------------------------
// NextDeadline

TEST(FsmNextDeadline, InfiniteWhenNothingIsArmed) {
  Fsm fsm(Config());
  EXPECT_EQ(fsm.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Strings(fsm.OnTimers(T0() + absl::Hours(1000))), IsEmpty());
}

// In every state with timers, NextDeadline() is the instant of the first firing.
TEST(FsmNextDeadline, IsTheFirstFiringInEveryState) {
  {
    Fsm fsm(Config());
    DriveConnect(fsm, T0());  // ConnectRetryTimer
    ExpectFirstFiringAt(fsm, fsm.NextDeadline());
    ExpectBetween(fsm.NextDeadline() - T0(), absl::Seconds(3.75), absl::Seconds(5));
  }
  {
    Fsm fsm(Config());
    DriveActive(fsm, T0());  // ConnectRetryTimer (passive: fires without actions)
    EXPECT_LT(fsm.NextDeadline(), absl::InfiniteFuture());
  }
  {
    Fsm fsm(Config());
    ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, T0()));  // HoldTimer (large value)
    ExpectFirstFiringAt(fsm, fsm.NextDeadline());
  }
  for (int est = 0; est < 2; ++est) {  // KeepaliveTimer before HoldTimer
    Fsm fsm(Config());
    if (est) {
      ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, T0()));
    } else {
      ASSERT_NO_FATAL_FAILURE(DriveOpenConfirm(fsm, T0()));
    }
    const absl::Time d = fsm.NextDeadline();
    EXPECT_LT(d, T0() + absl::Seconds(90));
    ExpectFirstFiringAt(fsm, d);
    EXPECT_THAT(Strings(fsm.OnTimers(d)), ElementsAre(kSendKeepalive));
  }
}

// The minimum, whichever timer it is: with the KeepaliveTimer pushed past the HoldTimer by a
// message sent, NextDeadline() is the HoldTimer, exactly.
TEST(FsmNextDeadline, IsTheHoldTimerWhenTheKeepaliveIsLater) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, t, /*peer_hold=*/9));  // keepalive 3 s
  fsm.OnMessageSent(t + absl::Seconds(8));  // keepalive now at >= 8 + 2.25 s
  EXPECT_EQ(fsm.NextDeadline(), t + absl::Seconds(9));
  EXPECT_THAT(Strings(fsm.OnTimers(t + absl::Seconds(9))),
              ElementsAre(SendNotif(wire::kHoldTimerExpired, 0), kDisconnect,
                          Down(R::kHoldTimerExpired, true)));
}

// After a session error, the only timer is the IdleHoldTimer of the automatic restart.
TEST(FsmNextDeadline, IsTheIdleHoldTimerAfterAnError) {
  Fsm fsm(Config());
  ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, T0()));
  fsm.Handle(Ev(E::kBgpOpenMsgErr), T0());
  ASSERT_EQ(fsm.state(), S::kIdle);
  ExpectBetween(fsm.NextDeadline() - T0(), absl::Seconds(0.75), absl::Seconds(1));
  ExpectFirstFiringAt(fsm, fsm.NextDeadline());
}

// ---------------------------------------------------------------------------------------------
// ConnectRetryTimer backoff

// Each ConnectRetryTimer expiry in Connect drops the attempt and connects again (§8.2.2
// Connect, Event 9); the delay doubles up to connect_retry_max, each jittered to 75-100%.
TEST(FsmConnectRetry, BackoffDoublesUpToTheMaximum) {
  FsmConfig config = Config();
  config.connect_retry = absl::Seconds(5);
  config.connect_retry_max = absl::Seconds(40);
  Fsm fsm(config);
  absl::Time last = T0();
  DriveConnect(fsm, last);
  const int kBase[] = {5, 10, 20, 40, 40, 40, 40};
  for (int base : kBase) {
    const absl::Time d = fsm.NextDeadline();
    ExpectBetween(d - last, absl::Seconds(base) * 0.75, absl::Seconds(base));
    EXPECT_THAT(Strings(fsm.OnTimers(d)), ElementsAre(kDisconnect, kConnect)) << base;
    EXPECT_EQ(fsm.state(), S::kConnect);
    EXPECT_EQ(fsm.connect_retry_counter(), 0u);  // Event 9 in Connect is not a failure
    last = d;
  }
}

// Once Established, the backoff starts over: the next session's first retry uses the initial
// ConnectRetryTime again.
TEST(FsmConnectRetry, BackoffResetsAfterEstablished) {
  FsmConfig config = Config();
  config.connect_retry = absl::Seconds(5);
  config.connect_retry_max = absl::Seconds(40);
  Fsm fsm(config);
  absl::Time now = T0();
  DriveConnect(fsm, now);
  for (int i = 0; i < 5; ++i) {  // backed off to the 40 s maximum
    now = fsm.NextDeadline();
    fsm.OnTimers(now);
  }
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, now));
  fsm.Handle(Ev(E::kTcpConnectionFails), now);
  ASSERT_EQ(fsm.state(), S::kIdle);
  now = fsm.NextDeadline();  // automatic restart
  EXPECT_THAT(Strings(fsm.OnTimers(now)), ElementsAre(kConnect));
  ASSERT_EQ(fsm.state(), S::kConnect);
  ExpectBetween(fsm.NextDeadline() - now, absl::Seconds(3.75), absl::Seconds(5));
}

// RFC 4271 §8.2.2 Active, Event 9 (a peer that is not passive): restart the ConnectRetryTimer,
// initiate a TCP connection, -> Connect. Active is entered here through OpenSent, Event 18.
TEST(FsmConnectRetry, ActiveReconnectsWhenNotPassive) {
  Fsm fsm(Config());
  absl::Time now = T0();
  ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, now));
  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kTcpConnectionFails), now)), ElementsAre(kDisconnect));
  ASSERT_EQ(fsm.state(), S::kActive);
  // The ConnectRetryTimer was restarted and the HoldTimer stopped.
  ExpectBetween(fsm.NextDeadline() - now, absl::Seconds(3.75), absl::Seconds(10));
  now = fsm.NextDeadline();
  EXPECT_THAT(Strings(fsm.OnTimers(now)), ElementsAre(kConnect));
  EXPECT_EQ(fsm.state(), S::kConnect);
  EXPECT_EQ(fsm.connect_retry_counter(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Automatic restart (IdleHoldTimer)

// Fails the session in OpenSent with a bad OPEN (RFC 4271 §8.2.2 OpenSent, Event 22).
void FailInOpenSent(Fsm& fsm, absl::Time now) {
  fsm.Handle(Ev(E::kTcpCrAcked), now);
  ASSERT_EQ(fsm.state(), S::kOpenSent);
  fsm.Handle(Ev(E::kBgpOpenMsgErr), now);
  ASSERT_EQ(fsm.state(), S::kIdle);
}

// After each error the session restarts by itself after idle_hold, doubling with every
// consecutive failure up to idle_hold_max (75-100% jitter), and the ConnectRetryCounter keeps
// counting the failures.
TEST(FsmAutomaticRestart, IdleHoldBacksOffAfterRepeatedErrors) {
  FsmConfig config = Config();
  config.idle_hold = absl::Seconds(1);
  config.idle_hold_max = absl::Seconds(8);
  Fsm fsm(config);
  absl::Time now = T0();
  DriveConnect(fsm, now);
  const int kBase[] = {1, 2, 4, 8, 8, 8};
  uint32_t failures = 0;
  for (int base : kBase) {
    ASSERT_NO_FATAL_FAILURE(FailInOpenSent(fsm, now));
    EXPECT_EQ(fsm.connect_retry_counter(), ++failures);
    const absl::Time d = fsm.NextDeadline();
    ExpectBetween(d - now, absl::Seconds(base) * 0.75, absl::Seconds(base));
    EXPECT_THAT(Strings(fsm.OnTimers(d - kNs)), IsEmpty());
    EXPECT_THAT(Strings(fsm.OnTimers(d)), ElementsAre(kConnect)) << "restart " << failures;
    EXPECT_EQ(fsm.state(), S::kConnect);
    now = d;
  }
}

// RFC 4271 §8.2.2, ManualStop in Connect..Established: "sets the ConnectRetryCounter to zero";
// a manually stopped session never restarts by itself.
TEST(FsmAutomaticRestart, ManualStopZeroesTheCounterAndNeverRestarts) {
  Fsm fsm(Config());
  absl::Time now = T0();
  DriveConnect(fsm, now);
  for (int i = 0; i < 2; ++i) {
    ASSERT_NO_FATAL_FAILURE(FailInOpenSent(fsm, now));
    now = fsm.NextDeadline();
    fsm.OnTimers(now);
  }
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, now));
  ASSERT_EQ(fsm.connect_retry_counter(), 2u);

  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kManualStop), now)),
              ElementsAre(SendNotif(wire::kCease, wire::kAdministrativeShutdown), kDisconnect,
                          Down(R::kAdministrativeStop, true)));
  EXPECT_EQ(fsm.connect_retry_counter(), 0u);
  EXPECT_EQ(fsm.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Strings(RunTimersUntil(fsm, now + absl::Hours(24))), IsEmpty());
  EXPECT_EQ(fsm.state(), S::kIdle);
}

// A ManualStop while an automatic restart is pending cancels it.
TEST(FsmAutomaticRestart, ManualStopInIdleCancelsThePendingRestart) {
  Fsm fsm(Config());
  DriveConnect(fsm, T0());
  ASSERT_NO_FATAL_FAILURE(FailInOpenSent(fsm, T0()));
  ASSERT_LT(fsm.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kManualStop), T0())), IsEmpty());
  EXPECT_EQ(fsm.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Strings(RunTimersUntil(fsm, T0() + absl::Hours(24))), IsEmpty());
  EXPECT_EQ(fsm.state(), S::kIdle);
}

// RFC 4271 §8.2.2 Idle, Event 1: "sets ConnectRetryCounter to zero", also after failures.
TEST(FsmAutomaticRestart, ManualStartAfterFailuresZeroesTheCounter) {
  Fsm fsm(Config());
  DriveConnect(fsm, T0());
  ASSERT_NO_FATAL_FAILURE(FailInOpenSent(fsm, T0()));
  ASSERT_EQ(fsm.connect_retry_counter(), 1u);
  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kManualStart), T0())), ElementsAre(kConnect));
  EXPECT_EQ(fsm.connect_retry_counter(), 0u);
  EXPECT_EQ(fsm.state(), S::kConnect);
}

// RFC 5492 §3: after Unsupported Capability, "such peering SHOULD NOT be re-established
// automatically".
// RFC 5492 §3: a peering refused for a missing capability "SHOULD NOT" be re-established
// automatically. evpnd retries, but only at the slowest automatic-restart pace (idle_hold_max),
// so a peer fixed by its operator comes back without anyone touching evpnd.
TEST(FsmAutomaticRestart, SlowAutomaticRestartAfterUnsupportedCapability) {
  Fsm fsm(Config());
  ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, T0()));
  wire::OpenMessage no_evpn = PeerOpen();
  no_evpn.capabilities[0] = wire::MultiprotocolCapability{wire::kIpv4Unicast};
  EXPECT_THAT(Strings(fsm.Handle(OpenEv(no_evpn), T0())),
              ElementsAre(SendNotif(wire::kOpenMessageError, wire::kUnsupportedCapability,
                                    {0x01, 0x04, 0x00, 0x19, 0x00, 0x46}),
                          kDisconnect, Down(R::kOpenRejected)));
  EXPECT_EQ(fsm.state(), S::kIdle);
  EXPECT_EQ(fsm.NextDeadline(), T0() + Config().idle_hold_max);
  EXPECT_FALSE(HasConnect(RunTimersUntil(fsm, T0() + Config().idle_hold_max - kNs)));
  EXPECT_TRUE(HasConnect(fsm.OnTimers(T0() + Config().idle_hold_max)));
}

// ---------------------------------------------------------------------------------------------
// AutomaticStop (max-prefix)

// RFC 4271 §8.2.2 Established, Event 8 with the max-prefix Cease (RFC 4486 subcode 1); the
// session restarts after exactly restart_after, without jitter or backoff.
TEST(FsmAutomaticStop, RestartsAfterExactlyRestartAfter) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, t));
  FsmEvent stop = Ev(E::kAutomaticStop);
  stop.restart_after = absl::Seconds(30);
  EXPECT_THAT(Strings(fsm.Handle(stop, t)),
              ElementsAre(SendNotif(wire::kCease, wire::kMaximumPrefixesReached), kDisconnect,
                          Down(R::kAutomaticStop, true)));
  EXPECT_EQ(fsm.state(), S::kIdle);
  EXPECT_EQ(fsm.NextDeadline(), t + absl::Seconds(30));
  EXPECT_THAT(Strings(fsm.OnTimers(t + absl::Seconds(30) - kNs)), IsEmpty());
  EXPECT_THAT(Strings(fsm.OnTimers(t + absl::Seconds(30))), ElementsAre(kConnect));
  EXPECT_EQ(fsm.state(), S::kConnect);
}

TEST(FsmAutomaticStop, WithoutRestartAfterNeverRestarts) {
  Fsm fsm(Config());
  const absl::Time t = T0();
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, t));
  EXPECT_THAT(Strings(fsm.Handle(Ev(E::kAutomaticStop), t)),
              ElementsAre(SendNotif(wire::kCease, wire::kMaximumPrefixesReached), kDisconnect,
                          Down(R::kAutomaticStop, true)));
  EXPECT_EQ(fsm.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Strings(RunTimersUntil(fsm, t + absl::Hours(24 * 7))), IsEmpty());
  EXPECT_EQ(fsm.state(), S::kIdle);
}

// Without a NOTIFICATION in the event, the Cease is Administrative Shutdown; with one (RFC 9003
// shutdown communication), exactly that one is sent and reported.
TEST(FsmStop, ManualStopSendsTheGivenShutdownCommunication) {
  Fsm fsm(Config());
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, T0()));
  FsmEvent stop = Ev(E::kManualStop);
  stop.notification =
      wire::NotificationMessage::Shutdown(wire::kAdministrativeShutdown, "maintenance");
  const FsmActions a = fsm.Handle(stop, T0());
  ASSERT_EQ(a.size(), 3u);
  const auto* sent = std::get_if<SendMessageAction>(&a[0]);
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(sent->message, wire::Message(*stop.notification));
  const auto* down = FindAction<SessionDownAction>(a);
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->notification, stop.notification);
  EXPECT_EQ(down->notification->ShutdownCommunication(), "maintenance");
}

// ---------------------------------------------------------------------------------------------
// Passive peers

// RFC 4271 §8.1.1 PassiveTcpEstablishment: the FSM waits for the peer; it never initiates a TCP
// connection, neither on ConnectRetryTimer expiry nor on an automatic restart.
TEST(FsmPassive, NeverEmitsConnect) {
  for (bool config_passive : {true, false}) {
    SCOPED_TRACE(config_passive ? "FsmConfig.passive" : "ManualStart_with_Passive");
    FsmConfig config = Config();
    config.passive = config_passive;
    Fsm fsm(config);
    absl::Time now = T0();
    FsmActions all = fsm.Handle(Ev(config_passive ? E::kManualStart : E::kManualStartPassive), now);
    EXPECT_EQ(fsm.state(), S::kActive);
    auto run = [&](absl::Duration d) {
      FsmActions more = RunTimersUntil(fsm, now + d);
      all.insert(all.end(), more.begin(), more.end());
      now += d;
    };
    run(absl::Hours(1));
    EXPECT_EQ(fsm.state(), S::kActive);
    auto handle = [&](E type) {
      FsmActions more = fsm.Handle(Ev(type), now);
      all.insert(all.end(), more.begin(), more.end());
    };
    // The peer connects, then the connection fails: back to Active (OpenSent, Event 18).
    handle(E::kTcpConnectionConfirmed);
    ASSERT_EQ(fsm.state(), S::kOpenSent);
    handle(E::kTcpConnectionFails);
    EXPECT_EQ(fsm.state(), S::kActive);
    run(absl::Hours(1));
    // An error, then the automatic restart.
    handle(E::kTcpConnectionConfirmed);
    handle(E::kBgpOpenMsgErr);
    ASSERT_EQ(fsm.state(), S::kIdle);
    run(absl::Hours(1));
    EXPECT_EQ(fsm.state(), S::kActive);
    EXPECT_FALSE(HasConnect(all)) << ::testing::PrintToString(Strings(all));
  }
}

// ---------------------------------------------------------------------------------------------
// Established

TEST(FsmEstablished, EstablishedActionCarriesTheNegotiatedSession) {
  Fsm fsm(Config());
  ASSERT_NO_FATAL_FAILURE(DriveOpenConfirm(fsm, T0(), /*peer_hold=*/60));
  const FsmActions a = fsm.Handle(Ev(E::kKeepAliveMsg), T0());
  ASSERT_EQ(a.size(), 1u);
  const auto* up = std::get_if<EstablishedAction>(&a[0]);
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->session.peer_as, kPeerAs);
  EXPECT_EQ(up->session.peer_router_id, kPeerId);
  EXPECT_EQ(up->session.hold_time_s, 60);
  EXPECT_EQ(up->session.keepalive_s, 20);
  EXPECT_TRUE(up->session.HasFamily(wire::kL2vpnEvpn));
  ASSERT_TRUE(fsm.negotiated().has_value());
  EXPECT_EQ(fsm.negotiated()->peer_as, kPeerAs);

  fsm.Handle(Ev(E::kTcpConnectionFails), T0());
  EXPECT_FALSE(fsm.negotiated().has_value());
  EXPECT_EQ(fsm.last_down_reason(), R::kConnectionFailed);
}

// A peer OPEN that fails negotiation in OpenSent is an OPEN message error (§8.2.2 OpenSent,
// Event 22): the NOTIFICATION Negotiate() chose is sent, the counter incremented.
TEST(FsmEstablished, BadPeerAsInOpenSentSendsOpenError) {
  Fsm fsm(Config());
  ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, T0()));
  wire::OpenMessage open = PeerOpen();
  open.my_as = 65099;
  open.capabilities[2] = wire::FourOctetAsCapability{65099};
  const FsmActions a = fsm.Handle(OpenEv(open), T0());
  ASSERT_EQ(a.size(), 3u);
  const auto* sent = std::get_if<SendMessageAction>(&a[0]);
  ASSERT_NE(sent, nullptr);
  const auto* n = std::get_if<wire::NotificationMessage>(&sent->message);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->code, wire::kOpenMessageError);
  EXPECT_EQ(n->subcode, wire::kBadPeerAs);
  EXPECT_THAT(Strings(a)[1], StrEq(kDisconnect));
  EXPECT_EQ(Strings(a)[2], Down(R::kOpenRejected));
  EXPECT_EQ(fsm.connect_retry_counter(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Determinism

// One scripted run: start, two connect retries, session up, 10 minutes of keepalives with the
// peer's keepalives arriving 5 s after ours, then an error and the automatic restart. Returns
// every action and every NextDeadline() as text.
std::vector<std::string> Script(uint64_t seed) {
  Fsm fsm(Config(seed));
  std::vector<std::string> trace;
  absl::Time now = T0();
  auto log = [&](const FsmActions& actions) {
    for (const std::string& s : Strings(actions)) trace.push_back(s);
    trace.push_back(absl::StrCat("next=", absl::ToUnixNanos(fsm.NextDeadline())));
  };
  log(fsm.Handle(Ev(E::kManualStart), now));
  for (int i = 0; i < 2; ++i) {
    now = fsm.NextDeadline();
    log(fsm.OnTimers(now));
  }
  log(fsm.Handle(Ev(E::kTcpCrAcked), now));
  log(fsm.Handle(Ev(E::kBgpOpen), now));
  log(fsm.Handle(Ev(E::kKeepAliveMsg), now));
  const absl::Time end = now + absl::Minutes(10);
  while (fsm.NextDeadline() <= end) {
    now = fsm.NextDeadline();
    const FsmActions a = fsm.OnTimers(now);
    log(a);
    fsm.OnMessageSent(now);
    log(fsm.Handle(Ev(E::kKeepAliveMsg), now + absl::Seconds(5)));
  }
  log(fsm.Handle(Ev(E::kUpdateMsgErr), now));
  now = fsm.NextDeadline();
  log(fsm.OnTimers(now));
  return trace;
}

TEST(FsmDeterminism, SameSeedGivesTheSameActionsAndDeadlines) {
  const std::vector<std::string> a = Script(42);
  EXPECT_GT(a.size(), 50u);
  EXPECT_EQ(a, Script(42));
}

TEST(FsmDeterminism, DifferentSeedsGiveDifferentJitter) {
  EXPECT_NE(Script(42), Script(43));
  // Already the first ConnectRetryTimer differs.
  Fsm a(Config(42));
  Fsm b(Config(43));
  DriveConnect(a, T0());
  DriveConnect(b, T0());
  EXPECT_NE(a.NextDeadline(), b.NextDeadline());
}

}  // namespace
}  // namespace evpnd::bgpd::test

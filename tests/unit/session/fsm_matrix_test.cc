// "FSM: every state x event": the BGP FSM (bgpd/session/fsm.h) checked against a table of all 6
// states x all 22 FsmEventType values, written from the text of RFC 4271 §8.2.2 (with DelayOpen,
// SendNOTIFICATIONwithoutOPEN and CollisionDetectEstablishedState FALSE, as evpnd runs), RFC 6608
// §3-§4 (FSM Error subcodes 1/2/3 and a Data field of the one-octet type of the unexpected
// message; subcode 0 for unexpected events that are not messages), RFC 4271 §6.1 (a header error
// is reported as a Message Header Error in every state) and RFC 4486 (Cease subcodes).
//
// Every case starts from a fresh Fsm driven through real events: Idle is the initial state;
// Connect via ManualStart; Active via ManualStart_with_PassiveTcpEstablishment; OpenSent via
// Tcp_CR_Acked; OpenConfirm via a valid BGPOpen; Established via KeepAliveMsg. Except for Idle,
// each drive is preceded by one failed attempt (a bad OPEN) and the automatic restart, so that the
// ConnectRetryCounter enters the state at 1 and "unchanged", "set to zero" and "incremented by 1"
// are three different numbers. Each case then applies one event and checks the resulting state,
// the actions in order, and the ConnectRetryCounter.
//
// The table is the RFC, not the implementation: where the two disagree the case fails on purpose.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bgpd/session/fsm.h"
#include "bgpd/session/session_state.h"
#include "bgpd/wire/notification_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/session/fsm_test_util.h"

namespace evpnd::bgpd::test {
namespace {

using R = SessionDownReason;

enum class Counter { kUnchanged, kZero, kIncrement };

struct Outcome {
  S state;
  std::vector<std::string> actions;
  Counter counter;
};

struct Row {
  S from;
  E event;
  Outcome expect;
  std::string rfc;  // where the expectation comes from
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << SessionStateName(row.from) << " + " << FsmEventName(row.event) << " (" << row.rfc << ")";
}

// RFC 6608 §3-§4: FSM Error, subcode naming the state, Data = the unexpected message's type.
constexpr uint8_t kOpenType = 1;
constexpr uint8_t kUpdateType = 2;
constexpr uint8_t kNotificationType = 3;
constexpr uint8_t kKeepaliveType = 4;
std::string FsmError(uint8_t subcode, std::vector<uint8_t> data = {}) {
  return SendNotif(wire::kFsmError, subcode, std::move(data));
}
constexpr uint8_t kUnspecified = 0;  // RFC 6608 §3: an unexpected event that is not a message
constexpr uint8_t kInOpenSent = 1;
constexpr uint8_t kInOpenConfirm = 2;
constexpr uint8_t kInEstablished = 3;

std::string HoldExpired() { return SendNotif(wire::kHoldTimerExpired, 0); }
std::string AdminShutdown() { return SendNotif(wire::kCease, wire::kAdministrativeShutdown); }
std::string Collision() { return SendNotif(wire::kCease, wire::kConnectionCollisionResolution); }

void Add(std::vector<Row>& rows, S from, std::vector<E> events, Outcome expect,
         const std::string& rfc) {
  for (E e : events) rows.push_back(Row{from, e, expect, rfc});
}

const std::vector<E> kStarts = {E::kManualStart, E::kAutomaticStart, E::kManualStartPassive,
                                E::kAutomaticStartPassive};

void IdleRows(std::vector<Row>& t) {
  const S s = S::kIdle;
  Add(t, s, {E::kManualStart, E::kAutomaticStart}, {S::kConnect, {kConnect}, Counter::kZero},
      "Idle, Events 1/3: ConnectRetryCounter = 0, initiate TCP, -> Connect");
  Add(t, s, {E::kManualStartPassive, E::kAutomaticStartPassive}, {S::kActive, {}, Counter::kZero},
      "Idle, Events 4/5: ConnectRetryCounter = 0, listen, -> Active");
  Add(t, s, {E::kManualStop, E::kAutomaticStop}, {S::kIdle, {}, Counter::kUnchanged},
      "Idle: Events 2 and 8 are ignored");
  Add(t, s,
      {E::kConnectRetryTimerExpires, E::kHoldTimerExpires, E::kKeepaliveTimerExpires,
       E::kIdleHoldTimerExpires, E::kTcpCrAcked, E::kTcpConnectionConfirmed, E::kTcpConnectionFails,
       E::kBgpOpen, E::kBgpHeaderErr, E::kBgpOpenMsgErr, E::kOpenCollisionDump, E::kNotifMsgVerErr,
       E::kNotifMsg, E::kKeepAliveMsg, E::kUpdateMsg, E::kUpdateMsgErr},
      {S::kIdle, {}, Counter::kUnchanged},
      "Idle: any other event (9-12, 15-28) does not change the state; 13 only restarts a "
      "session that was started");
}

void ConnectRows(std::vector<Row>& t) {
  const S s = S::kConnect;
  Add(t, s, kStarts, {s, {}, Counter::kUnchanged}, "Connect: start events are ignored");
  Add(t, s, {E::kManualStop},
      {S::kIdle, {kDisconnect, Down(R::kAdministrativeStop)}, Counter::kZero},
      "Connect, Event 2: drop TCP, ConnectRetryCounter = 0, -> Idle");
  Add(t, s, {E::kAutomaticStop},
      {S::kIdle, {kDisconnect, Down(R::kAutomaticStop)}, Counter::kIncrement},
      "Connect, Event 8 is among 'any other events': drop TCP, counter + 1, -> Idle (no OPEN "
      "was sent, so no Cease)");
  Add(t, s, {E::kConnectRetryTimerExpires}, {s, {kDisconnect, kConnect}, Counter::kUnchanged},
      "Connect, Event 9: drop TCP, restart ConnectRetryTimer, initiate TCP, stay");
  Add(t, s, {E::kTcpCrAcked, E::kTcpConnectionConfirmed},
      {S::kOpenSent, {kSendOpen}, Counter::kUnchanged},
      "Connect, Events 16/17 (DelayOpen FALSE): send OPEN, HoldTimer 4 min, -> OpenSent");
  Add(t, s, {E::kTcpConnectionFails},
      {S::kIdle, {kDisconnect, Down(R::kConnectionFailed)}, Counter::kUnchanged},
      "Connect, Event 18, DelayOpenTimer not running: stop ConnectRetryTimer, drop TCP, "
      "release resources, -> Idle (the counter is not incremented)");
  Add(t, s, {E::kBgpHeaderErr, E::kBgpOpenMsgErr},
      {S::kIdle, {kDisconnect, Down(R::kFsmError)}, Counter::kIncrement},
      "Connect, Events 21/22 (SendNOTIFICATIONwithoutOPEN FALSE): drop TCP, counter + 1, -> "
      "Idle");
  Add(t, s, {E::kNotifMsgVerErr},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kIncrement},
      "Connect, Event 24, DelayOpenTimer not running: drop TCP, increment the "
      "ConnectRetryCounter by 1, -> Idle");
  Add(t, s, {E::kNotifMsg},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kIncrement},
      "Connect, Event 25 is among 'any other events': drop TCP, counter + 1, -> Idle");
  Add(t, s,
      {E::kHoldTimerExpires, E::kKeepaliveTimerExpires, E::kIdleHoldTimerExpires, E::kBgpOpen,
       E::kOpenCollisionDump, E::kKeepAliveMsg, E::kUpdateMsg, E::kUpdateMsgErr},
      {S::kIdle, {kDisconnect, Down(R::kFsmError)}, Counter::kIncrement},
      "Connect: any other events (8, 10-11, 13, 19, 23, 25-28): drop TCP, counter + 1, -> Idle");
}

void ActiveRows(std::vector<Row>& t) {
  const S s = S::kActive;
  Add(t, s, kStarts, {s, {}, Counter::kUnchanged}, "Active: start events are ignored");
  Add(t, s, {E::kManualStop},
      {S::kIdle, {kDisconnect, Down(R::kAdministrativeStop)}, Counter::kZero},
      "Active, Event 2: drop TCP, ConnectRetryCounter = 0, -> Idle");
  Add(t, s, {E::kAutomaticStop},
      {S::kIdle, {kDisconnect, Down(R::kAutomaticStop)}, Counter::kIncrement},
      "Active, Event 8 is among 'any other event': counter + 1, -> Idle");
  Add(t, s, {E::kConnectRetryTimerExpires}, {s, {}, Counter::kUnchanged},
      "Active entered by a passive start, Event 9: §8.1.1 PassiveTcpEstablishment waits for "
      "the peer, so the timer restarts without a connection attempt");
  Add(t, s, {E::kTcpCrAcked, E::kTcpConnectionConfirmed},
      {S::kOpenSent, {kSendOpen}, Counter::kUnchanged},
      "Active, Events 16/17 (DelayOpen FALSE): send OPEN, HoldTimer 4 min, -> OpenSent");
  Add(t, s, {E::kTcpConnectionFails},
      {S::kIdle, {kDisconnect, Down(R::kConnectionFailed)}, Counter::kIncrement},
      "Active, Event 18: release resources, increment the ConnectRetryCounter by 1, -> Idle");
  Add(t, s, {E::kNotifMsgVerErr},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kIncrement},
      "Active, Event 24, DelayOpenTimer not running: drop TCP, increment the "
      "ConnectRetryCounter by 1, -> Idle");
  Add(t, s, {E::kNotifMsg},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kIncrement},
      "Active, Event 25 is among 'any other event': drop TCP, counter + 1, -> Idle");
  Add(t, s,
      {E::kHoldTimerExpires, E::kKeepaliveTimerExpires, E::kIdleHoldTimerExpires, E::kBgpOpen,
       E::kBgpHeaderErr, E::kBgpOpenMsgErr, E::kOpenCollisionDump, E::kKeepAliveMsg, E::kUpdateMsg,
       E::kUpdateMsgErr},
      {S::kIdle, {kDisconnect, Down(R::kFsmError)}, Counter::kIncrement},
      "Active: Events 21/22 and any other event (8, 10-11, 13, 19, 23, 25-28): drop TCP, "
      "counter + 1, -> Idle");
}

void OpenSentRows(std::vector<Row>& t) {
  const S s = S::kOpenSent;
  Add(t, s, kStarts, {s, {}, Counter::kUnchanged}, "OpenSent: start events are ignored");
  Add(t, s, {E::kManualStop},
      {S::kIdle, {AdminShutdown(), kDisconnect, Down(R::kAdministrativeStop)}, Counter::kZero},
      "OpenSent, Event 2: send Cease (RFC 4486 Administrative Shutdown), drop TCP, "
      "ConnectRetryCounter = 0, -> Idle");
  Add(t, s, {E::kAutomaticStop},
      {S::kIdle,
       {SendNotif(MaxPrefixCease()), kDisconnect, Down(R::kAutomaticStop)},
       Counter::kIncrement},
      "OpenSent, Event 8: send the Cease, drop TCP, counter + 1, -> Idle");
  Add(t, s, {E::kHoldTimerExpires},
      {S::kIdle, {HoldExpired(), kDisconnect, Down(R::kHoldTimerExpired)}, Counter::kIncrement},
      "OpenSent, Event 10: send Hold Timer Expired, counter + 1, -> Idle");
  Add(t, s, {E::kConnectRetryTimerExpires, E::kKeepaliveTimerExpires, E::kIdleHoldTimerExpires},
      {S::kIdle, {FsmError(kUnspecified), kDisconnect, Down(R::kFsmError)}, Counter::kIncrement},
      "OpenSent, any other event (9, 11-13): FSM Error; RFC 6608 §3 subcode 0, since a timer "
      "is not a received message");
  Add(t, s, {E::kTcpCrAcked, E::kTcpConnectionConfirmed}, {s, {}, Counter::kUnchanged},
      "OpenSent, Events 16/17: a second TCP connection may be in progress; it is tracked for "
      "collision detection (§6.8) and this connection is unaffected");
  Add(t, s, {E::kTcpConnectionFails}, {S::kActive, {kDisconnect}, Counter::kUnchanged},
      "OpenSent, Event 18: close the connection, restart ConnectRetryTimer, -> Active");
  Add(t, s, {E::kBgpOpen}, {S::kOpenConfirm, {kSendKeepalive}, Counter::kUnchanged},
      "OpenSent, Event 19: send KEEPALIVE, set Keepalive and Hold timers, -> OpenConfirm");
  Add(t, s, {E::kBgpHeaderErr},
      {S::kIdle,
       {SendNotif(HeaderError()), kDisconnect, Down(R::kMessageError)},
       Counter::kIncrement},
      "OpenSent, Event 21: send the header error, counter + 1, -> Idle");
  Add(t, s, {E::kBgpOpenMsgErr},
      {S::kIdle,
       {SendNotif(OpenError()), kDisconnect, Down(R::kOpenRejected)},
       Counter::kIncrement},
      "OpenSent, Event 22: send the OPEN Message Error, counter + 1, -> Idle (reason: "
      "kOpenRejected is documented as 'we sent an OPEN error')");
  Add(t, s, {E::kOpenCollisionDump},
      {S::kIdle, {Collision(), kDisconnect, Down(R::kCollision)}, Counter::kIncrement},
      "OpenSent, Event 23: send Cease (RFC 4486 Connection Collision Resolution), counter + 1");
  Add(t, s, {E::kNotifMsgVerErr},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kUnchanged},
      "OpenSent, Event 24: drop TCP, -> Idle (the counter is not incremented)");
  // Deliberate deviation: RFC 4271 lists Event 25 among OpenSent's "any other event", which
  // would answer the peer's NOTIFICATION with an FSM Error on a connection the peer is closing.
  // evpnd handles it as OpenConfirm and Established do (drop the connection, counter + 1).
  Add(t, s, {E::kNotifMsg},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kIncrement},
      "OpenSent, Event 25: drop TCP, counter + 1, -> Idle (not answered with an FSM Error)");
  Add(t, s, {E::kKeepAliveMsg},
      {S::kIdle,
       {FsmError(kInOpenSent, {kKeepaliveType}), kDisconnect, Down(R::kFsmError)},
       Counter::kIncrement},
      "OpenSent, Event 26: FSM Error, RFC 6608 §4 subcode 1 with Data = type 4 (KEEPALIVE)");
  Add(t, s, {E::kUpdateMsg, E::kUpdateMsgErr},
      {S::kIdle,
       {FsmError(kInOpenSent, {kUpdateType}), kDisconnect, Down(R::kFsmError)},
       Counter::kIncrement},
      "OpenSent, Events 27/28: FSM Error, RFC 6608 §4 subcode 1 with Data = type 2 (UPDATE)");
}

void OpenConfirmRows(std::vector<Row>& t) {
  const S s = S::kOpenConfirm;
  Add(t, s, kStarts, {s, {}, Counter::kUnchanged}, "OpenConfirm: start events are ignored");
  Add(t, s, {E::kManualStop},
      {S::kIdle, {AdminShutdown(), kDisconnect, Down(R::kAdministrativeStop)}, Counter::kZero},
      "OpenConfirm, Event 2: send Cease, ConnectRetryCounter = 0, -> Idle");
  Add(t, s, {E::kAutomaticStop},
      {S::kIdle,
       {SendNotif(MaxPrefixCease()), kDisconnect, Down(R::kAutomaticStop)},
       Counter::kIncrement},
      "OpenConfirm, Event 8: send the Cease, counter + 1, -> Idle");
  Add(t, s, {E::kHoldTimerExpires},
      {S::kIdle, {HoldExpired(), kDisconnect, Down(R::kHoldTimerExpired)}, Counter::kIncrement},
      "OpenConfirm, Event 10: send Hold Timer Expired, counter + 1, -> Idle");
  Add(t, s, {E::kKeepaliveTimerExpires}, {s, {kSendKeepalive}, Counter::kUnchanged},
      "OpenConfirm, Event 11: send KEEPALIVE, restart KeepaliveTimer, stay");
  Add(t, s, {E::kConnectRetryTimerExpires, E::kIdleHoldTimerExpires},
      {S::kIdle, {FsmError(kUnspecified), kDisconnect, Down(R::kFsmError)}, Counter::kIncrement},
      "OpenConfirm, any other event (9, 12-13): FSM Error; RFC 6608 §3 subcode 0, since a "
      "timer is not a received message");
  Add(t, s, {E::kTcpCrAcked, E::kTcpConnectionConfirmed}, {s, {}, Counter::kUnchanged},
      "OpenConfirm, Events 16/17: the local system needs to track the second connection");
  Add(t, s, {E::kTcpConnectionFails},
      {S::kIdle, {kDisconnect, Down(R::kConnectionFailed)}, Counter::kIncrement},
      "OpenConfirm, Event 18: drop TCP, counter + 1, -> Idle");
  Add(t, s, {E::kBgpOpen},
      {S::kIdle,
       {FsmError(kInOpenConfirm, {kOpenType}), kDisconnect, Down(R::kFsmError)},
       Counter::kIncrement},
      "OpenConfirm, Event 19 that is not a collision (the shell signals those as Event 23): "
      "a second OPEN is an unexpected message, RFC 6608 §4 5/2 with Data = type 1");
  Add(t, s, {E::kBgpHeaderErr},
      {S::kIdle,
       {SendNotif(HeaderError()), kDisconnect, Down(R::kMessageError)},
       Counter::kIncrement},
      "OpenConfirm, Event 21: send the header error, counter + 1, -> Idle");
  Add(t, s, {E::kBgpOpenMsgErr},
      {S::kIdle,
       {SendNotif(OpenError()), kDisconnect, Down(R::kOpenRejected)},
       Counter::kIncrement},
      "OpenConfirm, Event 22: send the OPEN Message Error, counter + 1, -> Idle (reason: "
      "kOpenRejected is documented as 'we sent an OPEN error')");
  Add(t, s, {E::kOpenCollisionDump},
      {S::kIdle, {Collision(), kDisconnect, Down(R::kCollision)}, Counter::kIncrement},
      "OpenConfirm, Event 23: send Cease, counter + 1, -> Idle");
  Add(t, s, {E::kNotifMsgVerErr},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kUnchanged},
      "OpenConfirm, Event 24: drop TCP, -> Idle (the counter is not incremented)");
  Add(t, s, {E::kNotifMsg},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived)}, Counter::kIncrement},
      "OpenConfirm, Event 25: drop TCP, counter + 1, -> Idle");
  Add(t, s, {E::kKeepAliveMsg}, {S::kEstablished, {kUp}, Counter::kUnchanged},
      "OpenConfirm, Event 26: restart HoldTimer, -> Established");
  Add(t, s, {E::kUpdateMsg, E::kUpdateMsgErr},
      {S::kIdle,
       {FsmError(kInOpenConfirm, {kUpdateType}), kDisconnect, Down(R::kFsmError)},
       Counter::kIncrement},
      "OpenConfirm, Events 27/28: FSM Error, RFC 6608 §4 subcode 2 with Data = type 2");
}

void EstablishedRows(std::vector<Row>& t) {
  const S s = S::kEstablished;
  const bool up = true;
  Add(t, s, kStarts, {s, {}, Counter::kUnchanged}, "Established: start events are ignored");
  Add(t, s, {E::kManualStop},
      {S::kIdle, {AdminShutdown(), kDisconnect, Down(R::kAdministrativeStop, up)}, Counter::kZero},
      "Established, Event 2: send Cease, delete routes, ConnectRetryCounter = 0, -> Idle");
  Add(t, s, {E::kAutomaticStop},
      {S::kIdle,
       {SendNotif(MaxPrefixCease()), kDisconnect, Down(R::kAutomaticStop, up)},
       Counter::kIncrement},
      "Established, Event 8: send the Cease, delete routes, counter + 1, -> Idle");
  Add(t, s, {E::kHoldTimerExpires},
      {S::kIdle, {HoldExpired(), kDisconnect, Down(R::kHoldTimerExpired, up)}, Counter::kIncrement},
      "Established, Event 10: send Hold Timer Expired, counter + 1, -> Idle");
  Add(t, s, {E::kKeepaliveTimerExpires}, {s, {kSendKeepalive}, Counter::kUnchanged},
      "Established, Event 11: send KEEPALIVE, restart KeepaliveTimer");
  Add(t, s, {E::kConnectRetryTimerExpires, E::kIdleHoldTimerExpires},
      {S::kIdle,
       {FsmError(kUnspecified), kDisconnect, Down(R::kFsmError, up)},
       Counter::kIncrement},
      "Established, any other event (9, 12-13): FSM Error; RFC 6608 §3 subcode 0, since a "
      "timer is not a received message");
  Add(t, s, {E::kTcpCrAcked, E::kTcpConnectionConfirmed}, {s, {}, Counter::kUnchanged},
      "Established, Events 16/17: the second connection SHALL be tracked until it sends an "
      "OPEN");
  Add(t, s, {E::kTcpConnectionFails},
      {S::kIdle, {kDisconnect, Down(R::kConnectionFailed, up)}, Counter::kIncrement},
      "Established, Event 18: delete routes, drop TCP, counter + 1, -> Idle");
  Add(t, s, {E::kNotifMsgVerErr, E::kNotifMsg},
      {S::kIdle, {kDisconnect, Down(R::kNotificationReceived, up)}, Counter::kIncrement},
      "Established, Events 24/25: delete routes, drop TCP, counter + 1, -> Idle");
  Add(t, s, {E::kBgpOpen, E::kBgpOpenMsgErr},
      {S::kIdle,
       {FsmError(kInEstablished, {kOpenType}), kDisconnect, Down(R::kFsmError, up)},
       Counter::kIncrement},
      "Established, Events 19 (CollisionDetectEstablishedState FALSE) and 22: an OPEN is an "
      "unexpected message, RFC 6608 §4 5/3 with Data = type 1");
  Add(t, s, {E::kBgpHeaderErr},
      {S::kIdle,
       {SendNotif(HeaderError()), kDisconnect, Down(R::kMessageError, up)},
       Counter::kIncrement},
      "Established, Event 21: RFC 4271 §6.1, header errors MUST be sent as Message Header "
      "Error; counter + 1, -> Idle");
  Add(t, s, {E::kOpenCollisionDump},
      {S::kIdle, {Collision(), kDisconnect, Down(R::kCollision, up)}, Counter::kIncrement},
      "Established, Event 23: send Cease, delete routes, counter + 1, -> Idle");
  Add(t, s, {E::kKeepAliveMsg, E::kUpdateMsg}, {s, {}, Counter::kUnchanged},
      "Established, Events 26/27: restart HoldTimer, stay");
  Add(t, s, {E::kUpdateMsgErr},
      {S::kIdle,
       {SendNotif(UpdateError()), kDisconnect, Down(R::kMessageError, up)},
       Counter::kIncrement},
      "Established, Event 28: send the UPDATE Message Error, counter + 1, -> Idle");
}

const std::vector<Row>& Table() {
  static const std::vector<Row>* const kTable = [] {
    auto* t = new std::vector<Row>();
    IdleRows(*t);
    ConnectRows(*t);
    ActiveRows(*t);
    OpenSentRows(*t);
    OpenConfirmRows(*t);
    EstablishedRows(*t);
    return t;
  }();
  return *kTable;
}

// One failed attempt (a bad OPEN in OpenSent: RFC 4271 §8.2.2 OpenSent, Event 22, counter + 1)
// and the automatic restart, so that the counter is 1 when the drive continues.
void FailOnceAndRestart(Fsm& fsm, absl::Time& now, bool passive) {
  fsm.Handle(Ev(passive ? E::kManualStartPassive : E::kManualStart), now);
  fsm.Handle(Ev(passive ? E::kTcpConnectionConfirmed : E::kTcpCrAcked), now);
  ASSERT_NO_FATAL_FAILURE(Expect(fsm, S::kOpenSent));
  fsm.Handle(Ev(E::kBgpOpenMsgErr), now);
  ASSERT_NO_FATAL_FAILURE(Expect(fsm, S::kIdle));
  ASSERT_EQ(fsm.connect_retry_counter(), 1u);
  ASSERT_LT(fsm.NextDeadline(), absl::InfiniteFuture()) << "no automatic restart armed";
  now = fsm.NextDeadline();
  fsm.OnTimers(now);
  ASSERT_NO_FATAL_FAILURE(Expect(fsm, passive ? S::kActive : S::kConnect));
  ASSERT_EQ(fsm.connect_retry_counter(), 1u);
}

void DriveTo(Fsm& fsm, S state, absl::Time& now) {
  if (state == S::kIdle) return;
  ASSERT_NO_FATAL_FAILURE(FailOnceAndRestart(fsm, now, /*passive=*/state == S::kActive));
  if (state == S::kConnect || state == S::kActive) return;
  now += absl::Milliseconds(100);
  ASSERT_NO_FATAL_FAILURE(DriveOpenSent(fsm, now));
  if (state == S::kOpenSent) return;
  now += absl::Milliseconds(100);
  ASSERT_NO_FATAL_FAILURE(DriveOpenConfirm(fsm, now));
  if (state == S::kOpenConfirm) return;
  now += absl::Milliseconds(100);
  ASSERT_NO_FATAL_FAILURE(DriveEstablished(fsm, now));
}

uint32_t CounterAfter(uint32_t before, Counter change) {
  switch (change) {
    case Counter::kUnchanged:
      return before;
    case Counter::kZero:
      return 0;
    case Counter::kIncrement:
      return before + 1;
  }
  return before;
}

class FsmEveryStateEventTest : public ::testing::TestWithParam<Row> {};

TEST_P(FsmEveryStateEventTest, MatchesRfc4271Table) {
  const Row& row = GetParam();
  Fsm fsm(Config());
  absl::Time now = T0();
  ASSERT_NO_FATAL_FAILURE(DriveTo(fsm, row.from, now));
  ASSERT_EQ(fsm.connect_retry_counter(), row.from == S::kIdle ? 0u : 1u);
  const uint32_t before = fsm.connect_retry_counter();

  now += absl::Milliseconds(100);
  const FsmActions actions = fsm.Handle(Ev(row.event), now);

  EXPECT_EQ(std::string(SessionStateName(fsm.state())), SessionStateName(row.expect.state))
      << row.rfc;
  EXPECT_EQ(Strings(actions), row.expect.actions) << row.rfc;
  EXPECT_EQ(fsm.connect_retry_counter(), CounterAfter(before, row.expect.counter)) << row.rfc;
}

INSTANTIATE_TEST_SUITE_P(Rfc4271, FsmEveryStateEventTest, ::testing::ValuesIn(Table()),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return absl::StrCat(SessionStateName(info.param.from), "_",
                                               FsmEventName(info.param.event));
                         });

// The table itself: exactly one row per (state, event), 6 x 22.
TEST(FsmEveryStateEventTable, CoversEveryStateAndEventOnce) {
  EXPECT_EQ(Table().size(), AllStates().size() * AllEvents().size());
  EXPECT_EQ(AllEvents().size(), 22u);
  for (S s : AllStates()) {
    for (E e : AllEvents()) {
      int n = 0;
      for (const Row& row : Table()) n += (row.from == s && row.event == e) ? 1 : 0;
      EXPECT_EQ(n, 1) << SessionStateName(s) << " + " << FsmEventName(e);
    }
  }
}

// The drivers reach each state with the ConnectRetryCounter at 1 (Idle: fresh, at 0), so that the
// counter column of the table can tell "unchanged" from "zeroed" from "incremented".
TEST(FsmEveryStateEventTable, DriversReachEveryStateWithKnownCounter) {
  for (S s : AllStates()) {
    Fsm fsm(Config());
    absl::Time now = T0();
    ASSERT_NO_FATAL_FAILURE(DriveTo(fsm, s, now));
    EXPECT_EQ(fsm.state(), s);
    EXPECT_EQ(fsm.connect_retry_counter(), s == S::kIdle ? 0u : 1u) << SessionStateName(s);
  }
}

}  // namespace
}  // namespace evpnd::bgpd::test

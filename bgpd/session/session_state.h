// The BGP FSM's states and events, and why sessions go down, as enums with names for logs and
// the API.
// Standards: RFC 4271 §8.1 (events, numbered as there) and §8.2.2 (states).
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace evpnd::bgpd {

enum class SessionState : uint8_t {
  kIdle = 1,
  kConnect = 2,
  kActive = 3,
  kOpenSent = 4,
  kOpenConfirm = 5,
  kEstablished = 6,
};

// RFC 4271 §8.1 events, with their numbers. The optional events for DelayOpen (12, 20, 21 with
// DelayOpen) and TcpConnection_Valid/Invalid (14, 15) are not used.
enum class FsmEventType : uint8_t {
  kManualStart = 1,
  kManualStop = 2,
  kAutomaticStart = 3,
  kManualStartPassive = 4,
  kAutomaticStartPassive = 5,
  kAutomaticStop = 8,
  kConnectRetryTimerExpires = 9,
  kHoldTimerExpires = 10,
  kKeepaliveTimerExpires = 11,
  kIdleHoldTimerExpires = 13,
  kTcpCrAcked = 16,               // our outgoing connection is up
  kTcpConnectionConfirmed = 17,   // an incoming connection was accepted
  kTcpConnectionFails = 18,
  kBgpOpen = 19,
  kBgpHeaderErr = 21,
  kBgpOpenMsgErr = 22,
  kOpenCollisionDump = 23,
  kNotifMsgVerErr = 24,
  kNotifMsg = 25,
  kKeepAliveMsg = 26,
  kUpdateMsg = 27,
  kUpdateMsgErr = 28,
};

// Why a session left Established (or never got there), for logs and the API.
enum class SessionDownReason : uint8_t {
  kNone = 0,
  kAdministrativeStop,     // ManualStop
  kAutomaticStop,          // e.g. max-prefix reached
  kHoldTimerExpired,
  kConnectionFailed,       // TCP closed or reset
  kNotificationReceived,
  kOpenRejected,           // we sent an OPEN error (bad AS, capabilities, hold time)
  kMessageError,           // we sent a header or UPDATE error
  kFsmError,               // unexpected message for the state
  kCollision,              // lost connection collision resolution (RFC 4271 §6.8)
};

absl::string_view SessionStateName(SessionState state);
absl::string_view FsmEventName(FsmEventType event);
absl::string_view SessionDownReasonName(SessionDownReason reason);

}  // namespace evpnd::bgpd

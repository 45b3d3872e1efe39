// See session_state.h.
#include "bgpd/session/session_state.h"

namespace evpnd::bgpd {

absl::string_view SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kIdle:
      return "Idle";
    case SessionState::kConnect:
      return "Connect";
    case SessionState::kActive:
      return "Active";
    case SessionState::kOpenSent:
      return "OpenSent";
    case SessionState::kOpenConfirm:
      return "OpenConfirm";
    case SessionState::kEstablished:
      return "Established";
  }
  return "Unknown";
}

absl::string_view FsmEventName(FsmEventType event) {
  switch (event) {
    case FsmEventType::kManualStart:
      return "ManualStart";
    case FsmEventType::kManualStop:
      return "ManualStop";
    case FsmEventType::kAutomaticStart:
      return "AutomaticStart";
    case FsmEventType::kManualStartPassive:
      return "ManualStart_with_PassiveTcpEstablishment";
    case FsmEventType::kAutomaticStartPassive:
      return "AutomaticStart_with_PassiveTcpEstablishment";
    case FsmEventType::kAutomaticStop:
      return "AutomaticStop";
    case FsmEventType::kConnectRetryTimerExpires:
      return "ConnectRetryTimer_Expires";
    case FsmEventType::kHoldTimerExpires:
      return "HoldTimer_Expires";
    case FsmEventType::kKeepaliveTimerExpires:
      return "KeepaliveTimer_Expires";
    case FsmEventType::kIdleHoldTimerExpires:
      return "IdleHoldTimer_Expires";
    case FsmEventType::kTcpCrAcked:
      return "Tcp_CR_Acked";
    case FsmEventType::kTcpConnectionConfirmed:
      return "TcpConnectionConfirmed";
    case FsmEventType::kTcpConnectionFails:
      return "TcpConnectionFails";
    case FsmEventType::kBgpOpen:
      return "BGPOpen";
    case FsmEventType::kBgpHeaderErr:
      return "BGPHeaderErr";
    case FsmEventType::kBgpOpenMsgErr:
      return "BGPOpenMsgErr";
    case FsmEventType::kOpenCollisionDump:
      return "OpenCollisionDump";
    case FsmEventType::kNotifMsgVerErr:
      return "NotifMsgVerErr";
    case FsmEventType::kNotifMsg:
      return "NotifMsg";
    case FsmEventType::kKeepAliveMsg:
      return "KeepAliveMsg";
    case FsmEventType::kUpdateMsg:
      return "UpdateMsg";
    case FsmEventType::kUpdateMsgErr:
      return "UpdateMsgErr";
  }
  return "Unknown";
}

absl::string_view SessionDownReasonName(SessionDownReason reason) {
  switch (reason) {
    case SessionDownReason::kNone:
      return "none";
    case SessionDownReason::kAdministrativeStop:
      return "administrative-stop";
    case SessionDownReason::kAutomaticStop:
      return "automatic-stop";
    case SessionDownReason::kHoldTimerExpired:
      return "hold-timer-expired";
    case SessionDownReason::kConnectionFailed:
      return "connection-failed";
    case SessionDownReason::kNotificationReceived:
      return "notification-received";
    case SessionDownReason::kOpenRejected:
      return "open-rejected";
    case SessionDownReason::kMessageError:
      return "message-error";
    case SessionDownReason::kFsmError:
      return "fsm-error";
    case SessionDownReason::kCollision:
      return "collision";
  }
  return "unknown";
}

}  // namespace evpnd::bgpd

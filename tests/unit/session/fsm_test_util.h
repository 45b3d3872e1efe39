// Test helpers for the session FSM tests: a fixed local speaker and a matching peer OPEN, FSM
// events with the payloads each event type carries, actions rendered as short strings so that a
// failing expectation prints the whole action list ("Send NOTIFICATION 5/1 [04]", "Disconnect",
// "SessionDown(fsm-error, was_established=0)"), drivers that walk a fresh Fsm into each RFC 4271
// §8.2.2 state through real events, and a loop that fires timers the way the shell does (one
// timer armed at NextDeadline(), OnTimers() at that instant).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bgpd/session/fsm.h"
#include "bgpd/session/negotiation.h"
#include "bgpd/session/session_state.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/notification_codes.h"
#include "gtest/gtest.h"

namespace evpnd::bgpd::test {

using E = FsmEventType;
using S = SessionState;

inline constexpr uint32_t kLocalAs = 65001;
inline constexpr uint32_t kPeerAs = 65002;
inline constexpr uint32_t kLocalId = 0x0a000001;  // 10.0.0.1
inline constexpr uint32_t kPeerId = 0x0a000002;   // 10.0.0.2

// An arbitrary, fixed origin for simulated time.
inline absl::Time T0() { return absl::FromUnixSeconds(1'700'000'000); }

inline LocalSpeaker Local() {
  LocalSpeaker local;
  local.local_as = kLocalAs;
  local.router_id = kLocalId;
  local.expected_peer_as = kPeerAs;
  local.hold_time_s = 90;
  local.keepalive_s = 30;
  return local;
}

inline FsmConfig Config(uint64_t seed = 1) {
  FsmConfig config;
  config.local = Local();
  config.connect_retry = absl::Seconds(5);
  config.connect_retry_max = absl::Seconds(120);
  config.idle_hold = absl::Seconds(1);
  config.idle_hold_max = absl::Seconds(120);
  config.open_hold = absl::Minutes(4);
  config.jitter_seed = seed;
  return config;
}

// The OPEN a well-behaved peer of Local() sends: EVPN, route refresh, 4-octet AS.
inline wire::OpenMessage PeerOpen(uint16_t hold_time = 90) {
  wire::OpenMessage open;
  open.my_as = kPeerAs;
  open.hold_time = hold_time;
  open.bgp_identifier = kPeerId;
  open.capabilities.push_back(wire::MultiprotocolCapability{wire::kL2vpnEvpn});
  open.capabilities.push_back(wire::RouteRefreshCapability{});
  open.capabilities.push_back(wire::FourOctetAsCapability{kPeerAs});
  return open;
}

inline wire::NotificationMessage Notification(uint8_t code, uint8_t subcode,
                                              std::vector<uint8_t> data = {}) {
  return wire::NotificationMessage{code, subcode, std::move(data)};
}

// The payload each event type carries in these tests.
inline wire::NotificationMessage HeaderError() {
  return Notification(wire::kMessageHeaderError, wire::kBadMessageLength, {0x00, 0x12});
}
inline wire::NotificationMessage OpenError() {
  return Notification(wire::kOpenMessageError, wire::kUnsupportedOptionalParameter);
}
inline wire::NotificationMessage UpdateError() {
  return Notification(wire::kUpdateMessageError, wire::kMalformedAttributeList);
}
inline wire::NotificationMessage VersionError() {
  return Notification(wire::kOpenMessageError, wire::kUnsupportedVersionNumber, {0x00, 0x04});
}
inline wire::NotificationMessage PeerCease() {
  return Notification(wire::kCease, wire::kAdministrativeShutdown);
}
inline wire::NotificationMessage MaxPrefixCease() {
  return Notification(wire::kCease, wire::kMaximumPrefixesReached);
}

inline FsmEvent Ev(E type) {
  FsmEvent e{type, {}, {}, {}};
  switch (type) {
    case E::kBgpOpen:
      e.open = PeerOpen();
      break;
    case E::kBgpHeaderErr:
      e.notification = HeaderError();
      break;
    case E::kBgpOpenMsgErr:
      e.notification = OpenError();
      break;
    case E::kUpdateMsgErr:
      e.notification = UpdateError();
      break;
    case E::kNotifMsgVerErr:
      e.notification = VersionError();
      break;
    case E::kNotifMsg:
      e.notification = PeerCease();
      break;
    case E::kAutomaticStop:
      e.notification = MaxPrefixCease();  // the usual reason: max-prefix reached
      break;
    default:
      break;
  }
  return e;
}

inline FsmEvent OpenEv(wire::OpenMessage open) {
  FsmEvent e{E::kBgpOpen, {}, {}, {}};
  e.open = std::move(open);
  return e;
}

inline const std::vector<E>& AllEvents() {
  static const std::vector<E> kAll = {
      E::kManualStart,
      E::kManualStop,
      E::kAutomaticStart,
      E::kManualStartPassive,
      E::kAutomaticStartPassive,
      E::kAutomaticStop,
      E::kConnectRetryTimerExpires,
      E::kHoldTimerExpires,
      E::kKeepaliveTimerExpires,
      E::kIdleHoldTimerExpires,
      E::kTcpCrAcked,
      E::kTcpConnectionConfirmed,
      E::kTcpConnectionFails,
      E::kBgpOpen,
      E::kBgpHeaderErr,
      E::kBgpOpenMsgErr,
      E::kOpenCollisionDump,
      E::kNotifMsgVerErr,
      E::kNotifMsg,
      E::kKeepAliveMsg,
      E::kUpdateMsg,
      E::kUpdateMsgErr,
  };
  return kAll;
}

inline const std::vector<S>& AllStates() {
  static const std::vector<S> kAll = {S::kIdle,     S::kConnect,     S::kActive,
                                      S::kOpenSent, S::kOpenConfirm, S::kEstablished};
  return kAll;
}

// ---- Rendering actions ----

inline std::string HexData(const std::vector<uint8_t>& data) {
  std::string out;
  for (uint8_t b : data) {
    absl::StrAppend(&out, out.empty() ? "" : " ", absl::Hex(b, absl::kZeroPad2));
  }
  return out;
}

inline std::string NotificationString(const wire::NotificationMessage& n) {
  std::string s = absl::StrCat(n.code, "/", n.subcode);
  if (!n.data.empty()) absl::StrAppend(&s, " [", HexData(n.data), "]");
  return s;
}

inline std::string SendNotif(const wire::NotificationMessage& n) {
  return absl::StrCat("Send NOTIFICATION ", NotificationString(n));
}
inline std::string SendNotif(uint8_t code, uint8_t subcode, std::vector<uint8_t> data = {}) {
  return SendNotif(Notification(code, subcode, std::move(data)));
}
inline std::string Down(SessionDownReason reason, bool was_established = false) {
  return absl::StrCat("SessionDown(", SessionDownReasonName(reason),
                      ", was_established=", was_established ? 1 : 0, ")");
}
inline constexpr char kConnect[] = "Connect";
inline constexpr char kDisconnect[] = "Disconnect";
inline constexpr char kSendOpen[] = "Send OPEN";
inline constexpr char kSendKeepalive[] = "Send KEEPALIVE";
inline constexpr char kUp[] = "Established";

inline std::string ActionString(const FsmAction& action) {
  struct Visitor {
    std::string operator()(const ConnectAction&) const { return kConnect; }
    std::string operator()(const DisconnectAction&) const { return kDisconnect; }
    std::string operator()(const EstablishedAction&) const { return kUp; }
    std::string operator()(const SessionDownAction& d) const {
      return Down(d.reason, d.was_established);
    }
    std::string operator()(const SendMessageAction& m) const {
      if (const auto* n = std::get_if<wire::NotificationMessage>(&m.message)) {
        return SendNotif(*n);
      }
      return absl::StrCat("Send ", wire::MessageTypeName(wire::MessageTypeOf(m.message)));
    }
  };
  return std::visit(Visitor{}, action);
}

inline std::vector<std::string> Strings(const FsmActions& actions) {
  std::vector<std::string> out;
  for (const FsmAction& a : actions) out.push_back(ActionString(a));
  return out;
}

inline bool HasConnect(const FsmActions& actions) {
  for (const FsmAction& a : actions) {
    if (std::holds_alternative<ConnectAction>(a)) return true;
  }
  return false;
}

template <typename T>
const T* FindAction(const FsmActions& actions) {
  for (const FsmAction& a : actions) {
    if (const T* t = std::get_if<T>(&a)) return t;
  }
  return nullptr;
}

// ---- Driving ----

// Fires timers the way the shell does, in deadline order, until the next deadline is after `end`.
// `fired` (if given) receives the instant of each firing that produced actions.
inline FsmActions RunTimersUntil(Fsm& fsm, absl::Time end,
                                 std::vector<absl::Time>* fired = nullptr) {
  FsmActions out;
  for (int guard = 0; guard < 100000 && fsm.NextDeadline() <= end; ++guard) {
    const absl::Time t = fsm.NextDeadline();
    FsmActions more = fsm.OnTimers(t);
    if (!more.empty() && fired != nullptr) fired->push_back(t);
    out.insert(out.end(), more.begin(), more.end());
    if (fsm.NextDeadline() <= t) {
      ADD_FAILURE() << "OnTimers(" << t
                    << ") left a deadline at or before it: " << fsm.NextDeadline();
      break;
    }
  }
  return out;
}

// Each Drive* walks `fsm` (fresh unless stated) into a state through real events at `now`,
// failing the test if a step lands elsewhere. Callers check with ASSERT_NO_FATAL_FAILURE.
inline void Expect(const Fsm& fsm, S state) {
  ASSERT_EQ(fsm.state(), state) << "driver landed in " << SessionStateName(fsm.state())
                                << " instead of " << SessionStateName(state);
}

inline void DriveConnect(Fsm& fsm, absl::Time now) {
  fsm.Handle(Ev(E::kManualStart), now);
  Expect(fsm, S::kConnect);
}

// Passive start: RFC 4271 §8.2.2 Idle, Event 4 -> Active.
inline void DriveActive(Fsm& fsm, absl::Time now) {
  fsm.Handle(Ev(E::kManualStartPassive), now);
  Expect(fsm, S::kActive);
}

inline void DriveOpenSent(Fsm& fsm, absl::Time now) {
  if (fsm.state() == S::kIdle) DriveConnect(fsm, now);
  fsm.Handle(Ev(E::kTcpCrAcked), now);
  Expect(fsm, S::kOpenSent);
}

inline void DriveOpenConfirm(Fsm& fsm, absl::Time now, uint16_t peer_hold = 90) {
  if (fsm.state() != S::kOpenSent) DriveOpenSent(fsm, now);
  fsm.Handle(OpenEv(PeerOpen(peer_hold)), now);
  Expect(fsm, S::kOpenConfirm);
}

inline void DriveEstablished(Fsm& fsm, absl::Time now, uint16_t peer_hold = 90) {
  if (fsm.state() != S::kOpenConfirm) DriveOpenConfirm(fsm, now, peer_hold);
  fsm.Handle(Ev(E::kKeepAliveMsg), now);
  Expect(fsm, S::kEstablished);
}

}  // namespace evpnd::bgpd::test

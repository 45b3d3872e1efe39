// See fsm.h. One handler per state, each following RFC 4271 §8.2.2 event by event.
#include "bgpd/session/fsm.h"

#include <algorithm>

#include "bgpd/wire/notification_codes.h"

namespace evpnd::bgpd {
namespace {

using E = FsmEventType;

wire::NotificationMessage Notification(uint8_t code, uint8_t subcode) {
  return wire::NotificationMessage{code, subcode, {}};
}

wire::NotificationMessage CeaseOr(const FsmEvent& e, uint8_t subcode) {
  return e.notification.value_or(Notification(wire::kCease, subcode));
}

bool IsStart(E t) {
  return t == E::kManualStart || t == E::kAutomaticStart || t == E::kManualStartPassive ||
         t == E::kAutomaticStartPassive;
}
// The BGP message type behind a message event; nullopt for timer and TCP events.
std::optional<uint8_t> MessageTypeOfEvent(E t) {
  switch (t) {
    case E::kBgpOpen:
    case E::kBgpOpenMsgErr:
      return wire::kMsgOpen;
    case E::kUpdateMsg:
    case E::kUpdateMsgErr:
      return wire::kMsgUpdate;
    case E::kNotifMsg:
    case E::kNotifMsgVerErr:
      return wire::kMsgNotification;
    case E::kKeepAliveMsg:
      return wire::kMsgKeepalive;
    default:
      return std::nullopt;
  }
}

bool IsPassiveStart(E t) {
  return t == E::kManualStartPassive || t == E::kAutomaticStartPassive;
}

}  // namespace

Fsm::Fsm(FsmConfig config)
    : config_(std::move(config)),
      connect_retry_delay_(config_.connect_retry),
      rng_(config_.jitter_seed) {}

absl::Duration Fsm::Jitter(absl::Duration d) {
  // splitmix64: a small deterministic generator, seeded by the shell.
  rng_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = rng_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  const double factor = 0.75 + 0.25 * static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);
  return d * factor;
}

void Fsm::ArmConnectRetry(absl::Time now) {
  timers_.connect_retry = now + Jitter(connect_retry_delay_);
}

void Fsm::ArmKeepalive(absl::Time now) {
  if (negotiated_ && negotiated_->keepalive_s > 0) {
    timers_.keepalive = now + Jitter(absl::Seconds(negotiated_->keepalive_s));
  } else {
    timers_.keepalive.reset();
  }
}

void Fsm::ArmHold(absl::Time now) {
  if (negotiated_ && negotiated_->hold_time_s > 0) {
    timers_.hold = now + absl::Seconds(negotiated_->hold_time_s);
  } else {
    timers_.hold.reset();
  }
}

absl::Time Fsm::NextDeadline() const {
  absl::Time next = absl::InfiniteFuture();
  for (const auto& t : {timers_.connect_retry, timers_.hold, timers_.keepalive, timers_.idle_hold}) {
    if (t) next = std::min(next, *t);
  }
  return next;
}

void Fsm::OnMessageSent(absl::Time now) {
  if (state_ == SessionState::kEstablished || state_ == SessionState::kOpenConfirm) {
    ArmKeepalive(now);
  }
}

FsmActions Fsm::OnTimers(absl::Time now) {
  FsmActions out;
  // Each expiry may change the state and re-arm timers; fire until nothing is due.
  for (int guard = 0; guard < 8; ++guard) {
    std::optional<E> due;
    if (timers_.hold && *timers_.hold <= now) {
      timers_.hold.reset();
      due = E::kHoldTimerExpires;
    } else if (timers_.keepalive && *timers_.keepalive <= now) {
      timers_.keepalive.reset();
      due = E::kKeepaliveTimerExpires;
    } else if (timers_.connect_retry && *timers_.connect_retry <= now) {
      timers_.connect_retry.reset();
      due = E::kConnectRetryTimerExpires;
    } else if (timers_.idle_hold && *timers_.idle_hold <= now) {
      timers_.idle_hold.reset();
      due = E::kIdleHoldTimerExpires;
    }
    if (!due) break;
    FsmActions more = Handle(FsmEvent{*due, {}, {}, {}}, now);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

FsmActions Fsm::Handle(const FsmEvent& e, absl::Time now) {
  FsmActions out;
  switch (state_) {
    case SessionState::kIdle:
      HandleIdle(e, now, out);
      break;
    case SessionState::kConnect:
      HandleConnect(e, now, out);
      break;
    case SessionState::kActive:
      HandleActive(e, now, out);
      break;
    case SessionState::kOpenSent:
      HandleOpenSent(e, now, out);
      break;
    case SessionState::kOpenConfirm:
      HandleOpenConfirm(e, now, out);
      break;
    case SessionState::kEstablished:
      HandleEstablished(e, now, out);
      break;
  }
  return out;
}

// RFC 4271 §8.2.2 Idle: a start event begins a connection attempt (or a passive wait); every
// other event leaves the state unchanged. The IdleHoldTimer is our automatic restart.
void Fsm::HandleIdle(const FsmEvent& e, absl::Time now, FsmActions& out) {
  if (IsStart(e.type)) {
    auto_restart_ = true;
    // A manual passive start makes the peer passive for good; an automatic passive start (the
    // shell taking an incoming connection) only this once.
    passive_start_ = e.type == E::kManualStartPassive || config_.passive;
    connect_retry_counter_ = 0;
    connect_retry_delay_ = config_.connect_retry;
    Start(passive_start_ || IsPassiveStart(e.type), now, out);
  } else if (e.type == E::kIdleHoldTimerExpires && auto_restart_) {
    Start(passive_start_, now, out);
  } else if (e.type == E::kManualStop) {
    auto_restart_ = false;
    timers_.idle_hold.reset();
  }
}

void Fsm::Start(bool passive, absl::Time now, FsmActions& out) {
  timers_.idle_hold.reset();
  ArmConnectRetry(now);
  if (passive) {
    state_ = SessionState::kActive;  // listen for the peer
  } else {
    state_ = SessionState::kConnect;
    out.push_back(ConnectAction{});
  }
}

void Fsm::SendOpen(absl::Time now, FsmActions& out) {
  timers_.connect_retry.reset();
  out.push_back(SendMessageAction{BuildOpen(config_.local)});
  timers_.hold = now + config_.open_hold;
  state_ = SessionState::kOpenSent;
}

void Fsm::Stop(const FsmEvent& e, absl::Time now, FsmActions& out) {
  const bool manual = e.type == E::kManualStop;
  const bool sent_open = state_ == SessionState::kOpenSent ||
                         state_ == SessionState::kOpenConfirm ||
                         state_ == SessionState::kEstablished;
  std::optional<wire::NotificationMessage> cease;
  if (sent_open) cease = CeaseOr(e, wire::kAdministrativeShutdown);
  ToIdle(manual ? SessionDownReason::kAdministrativeStop : SessionDownReason::kAutomaticStop,
         cease, std::nullopt, /*count_failure=*/!manual, now, out);
  if (manual) {
    // RFC 4271 §8.2.2: ManualStop sets the ConnectRetryCounter to zero; no automatic restart.
    connect_retry_counter_ = 0;
    auto_restart_ = false;
    timers_.idle_hold.reset();
  } else if (e.restart_after) {
    timers_.idle_hold = now + *e.restart_after;
  } else {
    auto_restart_ = false;
    timers_.idle_hold.reset();
  }
}

void Fsm::ToIdle(SessionDownReason reason, std::optional<wire::NotificationMessage> send,
                 std::optional<wire::NotificationMessage> received, bool count_failure,
                 absl::Time now, FsmActions& out) {
  const bool was_established = state_ == SessionState::kEstablished;
  if (send) out.push_back(SendMessageAction{*send});
  out.push_back(DisconnectAction{});
  out.push_back(SessionDownAction{reason, send ? send : received, was_established});
  last_down_reason_ = reason;
  timers_ = Timers{};
  negotiated_.reset();
  state_ = SessionState::kIdle;
  if (count_failure) ++connect_retry_counter_;
  if (reason != SessionDownReason::kAdministrativeStop) ++consecutive_failures_;
  if (was_established) connect_retry_delay_ = config_.connect_retry;
  if (auto_restart_) {
    // §8.1.1 DampPeerOscillations: back off exponentially while failures repeat.
    absl::Duration delay = config_.idle_hold;
    for (uint32_t i = 1; i < consecutive_failures_ && delay < config_.idle_hold_max; ++i) {
      delay *= 2;
    }
    timers_.idle_hold = now + Jitter(std::min(delay, config_.idle_hold_max));
  }
}

void Fsm::FsmError(uint8_t subcode, FsmEventType event, absl::Time now, FsmActions& out) {
  // RFC 6608 §4: the subcode names the state an unexpected message arrived in and the Data
  // field carries that message's type; events that are not messages (timers) get subcode 0,
  // "Unspecified Error".
  wire::NotificationMessage n = Notification(wire::kFsmError, 0);
  if (std::optional<uint8_t> type = MessageTypeOfEvent(event)) {
    n.subcode = subcode;
    n.data = {*type};
  }
  ToIdle(SessionDownReason::kFsmError, std::move(n), std::nullopt, /*count_failure=*/true, now,
         out);
}

// RFC 4271 §8.2.2 Connect.
void Fsm::HandleConnect(const FsmEvent& e, absl::Time now, FsmActions& out) {
  switch (e.type) {
    case E::kManualStart:
    case E::kAutomaticStart:
    case E::kManualStartPassive:
    case E::kAutomaticStartPassive:
      return;  // ignored
    case E::kManualStop:
    case E::kAutomaticStop:
      Stop(e, now, out);
      return;
    case E::kConnectRetryTimerExpires:
      // Drop the attempt, back off, try again.
      out.push_back(DisconnectAction{});
      connect_retry_delay_ = std::min(connect_retry_delay_ * 2, config_.connect_retry_max);
      ArmConnectRetry(now);
      out.push_back(ConnectAction{});
      return;
    case E::kTcpCrAcked:
    case E::kTcpConnectionConfirmed:
      SendOpen(now, out);
      return;
    case E::kTcpConnectionFails:
      // Without DelayOpen: stop the ConnectRetryTimer, drop the connection, go to Idle (the
      // ConnectRetryCounter is unchanged); the IdleHoldTimer brings the next attempt.
      connect_retry_delay_ = std::min(connect_retry_delay_ * 2, config_.connect_retry_max);
      ToIdle(SessionDownReason::kConnectionFailed, std::nullopt, std::nullopt, false, now, out);
      return;
    case E::kNotifMsgVerErr:
    case E::kNotifMsg:
      ToIdle(SessionDownReason::kNotificationReceived, std::nullopt, e.notification, true, now,
             out);
      return;
    default:
      ToIdle(SessionDownReason::kFsmError, std::nullopt, std::nullopt, true, now, out);
      return;
  }
}

// RFC 4271 §8.2.2 Active.
void Fsm::HandleActive(const FsmEvent& e, absl::Time now, FsmActions& out) {
  switch (e.type) {
    case E::kManualStart:
    case E::kAutomaticStart:
    case E::kManualStartPassive:
    case E::kAutomaticStartPassive:
      return;
    case E::kManualStop:
    case E::kAutomaticStop:
      Stop(e, now, out);
      return;
    case E::kConnectRetryTimerExpires:
      ArmConnectRetry(now);
      if (passive_start_) return;  // passive peers only ever listen
      out.push_back(ConnectAction{});
      state_ = SessionState::kConnect;
      return;
    case E::kTcpCrAcked:
    case E::kTcpConnectionConfirmed:
      SendOpen(now, out);
      return;
    case E::kTcpConnectionFails:
      ToIdle(SessionDownReason::kConnectionFailed, std::nullopt, std::nullopt, true, now, out);
      return;
    case E::kNotifMsgVerErr:
    case E::kNotifMsg:
      ToIdle(SessionDownReason::kNotificationReceived, std::nullopt, e.notification, true, now,
             out);
      return;
    default:
      ToIdle(SessionDownReason::kFsmError, std::nullopt, std::nullopt, true, now, out);
      return;
  }
}

void Fsm::OnOpen(const wire::OpenMessage& open, absl::Time now, FsmActions& out) {
  auto result = Negotiate(config_.local, open);
  if (auto* error = std::get_if<wire::NotificationMessage>(&result)) {
    const bool capability = error->code == wire::kOpenMessageError &&
                            error->subcode == wire::kUnsupportedCapability;
    ToIdle(SessionDownReason::kOpenRejected, *error, std::nullopt, true, now, out);
    // RFC 5492 §3: a peering that failed on a missing capability "SHOULD NOT" be re-established
    // automatically. An operator fixing the peer should not have to touch evpnd either, so we
    // retry only at the slowest automatic-restart pace.
    if (capability && timers_.idle_hold) timers_.idle_hold = now + config_.idle_hold_max;
    return;
  }
  negotiated_ = std::get<NegotiatedSession>(std::move(result));
  out.push_back(SendMessageAction{wire::KeepaliveMessage{}});
  ArmHold(now);
  ArmKeepalive(now);
  state_ = SessionState::kOpenConfirm;
}

// Events that OpenSent, OpenConfirm and Established (RFC 4271 §8.2.2) treat alike; false for
// the others, which each state handles itself.
bool Fsm::HandleCommon(const FsmEvent& e, absl::Time now, FsmActions& out) {
  switch (e.type) {
    case E::kTcpCrAcked:
    case E::kTcpConnectionConfirmed:
      return true;  // a second connection, tracked by the shell per §6.8 until its OPEN arrives
    case E::kManualStart:
    case E::kAutomaticStart:
    case E::kManualStartPassive:
    case E::kAutomaticStartPassive:
      return true;  // ignored
    case E::kManualStop:
    case E::kAutomaticStop:
      Stop(e, now, out);
      return true;
    case E::kHoldTimerExpires:
      ToIdle(SessionDownReason::kHoldTimerExpired, Notification(wire::kHoldTimerExpired, 0),
             std::nullopt, true, now, out);
      return true;
    case E::kNotifMsg:
      ToIdle(SessionDownReason::kNotificationReceived, std::nullopt, e.notification, true, now,
             out);
      return true;
    case E::kOpenCollisionDump:
      ToIdle(SessionDownReason::kCollision,
             Notification(wire::kCease, wire::kConnectionCollisionResolution), std::nullopt, true,
             now, out);
      return true;
    case E::kBgpHeaderErr:
      ToIdle(SessionDownReason::kMessageError, e.notification, std::nullopt, true, now, out);
      return true;
    default:
      return false;
  }
}

// RFC 4271 §8.2.2 OpenSent.
void Fsm::HandleOpenSent(const FsmEvent& e, absl::Time now, FsmActions& out) {
  switch (e.type) {
    case E::kTcpConnectionFails:
      // Close, restart the ConnectRetryTimer and wait for the peer in Active.
      out.push_back(DisconnectAction{});
      timers_.hold.reset();
      ArmConnectRetry(now);
      state_ = SessionState::kActive;
      return;
    case E::kBgpOpen:
      if (e.open) {
        OnOpen(*e.open, now, out);
      } else {
        FsmError(1, e.type, now, out);
      }
      return;
    case E::kBgpOpenMsgErr:
      ToIdle(SessionDownReason::kOpenRejected, e.notification, std::nullopt, true, now, out);
      return;
    case E::kNotifMsgVerErr:
      ToIdle(SessionDownReason::kNotificationReceived, std::nullopt, e.notification, false, now,
             out);
      return;
    default:
      if (!HandleCommon(e, now, out)) FsmError(1, e.type, now, out);  // unexpected in OpenSent
      return;
  }
}

// RFC 4271 §8.2.2 OpenConfirm.
void Fsm::HandleOpenConfirm(const FsmEvent& e, absl::Time now, FsmActions& out) {
  switch (e.type) {
    case E::kKeepaliveTimerExpires:
      out.push_back(SendMessageAction{wire::KeepaliveMessage{}});
      ArmKeepalive(now);
      return;
    case E::kTcpConnectionFails:
      ToIdle(SessionDownReason::kConnectionFailed, std::nullopt, std::nullopt, true, now, out);
      return;
    case E::kNotifMsgVerErr:
      ToIdle(SessionDownReason::kNotificationReceived, std::nullopt, e.notification, false, now,
             out);
      return;
    case E::kBgpOpenMsgErr:
      ToIdle(SessionDownReason::kOpenRejected, e.notification, std::nullopt, true, now, out);
      return;
    case E::kKeepAliveMsg:
      ArmHold(now);
      state_ = SessionState::kEstablished;
      consecutive_failures_ = 0;
      connect_retry_delay_ = config_.connect_retry;
      out.push_back(EstablishedAction{*negotiated_});
      return;
    default:
      if (!HandleCommon(e, now, out)) FsmError(2, e.type, now, out);  // unexpected in OpenConfirm
      return;
  }
}

// RFC 4271 §8.2.2 Established.
void Fsm::HandleEstablished(const FsmEvent& e, absl::Time now, FsmActions& out) {
  switch (e.type) {
    case E::kKeepaliveTimerExpires:
      out.push_back(SendMessageAction{wire::KeepaliveMessage{}});
      ArmKeepalive(now);
      return;
    case E::kKeepAliveMsg:
    case E::kUpdateMsg:
      ArmHold(now);
      return;
    case E::kTcpConnectionFails:
      ToIdle(SessionDownReason::kConnectionFailed, std::nullopt, std::nullopt, true, now, out);
      return;
    case E::kNotifMsgVerErr:
      ToIdle(SessionDownReason::kNotificationReceived, std::nullopt, e.notification, true, now,
             out);
      return;
    case E::kUpdateMsgErr:
      ToIdle(SessionDownReason::kMessageError, e.notification, std::nullopt, true, now, out);
      return;
    default:
      // Unexpected in Established, e.g. a second OPEN.
      if (!HandleCommon(e, now, out)) FsmError(3, e.type, now, out);
      return;
  }
}

}  // namespace evpnd::bgpd

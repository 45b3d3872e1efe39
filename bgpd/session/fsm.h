// The BGP finite state machine of one peer as a pure transition function: events and the time
// go in, actions come out (connect, disconnect, send a message, session up, session down). The
// shell (bgpd/io) owns the socket and one timer armed at NextDeadline(); it feeds timer expiry
// back through OnTimers(). No I/O, no clock, no hidden randomness: jitter comes from a seeded
// generator in the config, so a run replays exactly.
// Standards: RFC 4271 §8 (FSM), §8.2.2 (per-state behaviour), §10 (timer values and jitter),
// §4.4 (KEEPALIVE pacing), §6.8 (collision: the shell decides, the FSM dumps the loser through
// OpenCollisionDump); RFC 6608 (FSM error subcodes); RFC 9003 (Cease with communication).
//
// NOTE: Threading: owned by the core thread like all protocol state; not thread-safe.
// NOTE: Timers: ConnectRetry (exponential backoff, jittered), Hold, Keepalive (jittered), and
// IdleHold (automatic restart after an error, with backoff; DampPeerOscillations, §8.1.1).
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "bgpd/session/negotiation.h"
#include "bgpd/session/session_state.h"
#include "bgpd/wire/message.h"

namespace evpnd::bgpd {

struct FsmConfig {
  LocalSpeaker local;
  bool passive = false;  // never connect, only accept (PassiveTcpEstablishment)
  // RFC 4271 §10 suggests 120 s for ConnectRetryTime; fabrics want seconds. The delay doubles
  // after each failed attempt up to the maximum and resets once the session is Established.
  absl::Duration connect_retry = absl::Seconds(5);
  absl::Duration connect_retry_max = absl::Seconds(120);
  // Delay before an automatic restart after a session error, doubling per consecutive failure.
  absl::Duration idle_hold = absl::Seconds(1);
  absl::Duration idle_hold_max = absl::Seconds(120);
  // RFC 4271 §10: "the large value" for the HoldTimer while waiting for the peer's OPEN.
  absl::Duration open_hold = absl::Minutes(4);
  uint64_t jitter_seed = 1;
};

struct FsmEvent {
  FsmEventType type;
  // kBgpOpen: the OPEN received (already checked by the codec).
  std::optional<wire::OpenMessage> open;
  // kBgpHeaderErr, kBgpOpenMsgErr, kUpdateMsgErr: the NOTIFICATION to send.
  // kNotifMsg, kNotifMsgVerErr: the NOTIFICATION received.
  // kManualStop, kAutomaticStop: the Cease to send (e.g. with a shutdown communication, or
  // Maximum Number of Prefixes Reached); Cease/Administrative Shutdown when absent.
  std::optional<wire::NotificationMessage> notification;
  // kAutomaticStop: restart automatically after this long (max-prefix restart timer); never
  // when absent.
  std::optional<absl::Duration> restart_after;
};

struct ConnectAction {
  friend bool operator==(const ConnectAction&, const ConnectAction&) = default;
};
struct DisconnectAction {
  friend bool operator==(const DisconnectAction&, const DisconnectAction&) = default;
};
struct SendMessageAction {
  wire::Message message;
};
struct EstablishedAction {
  NegotiatedSession session;
};
struct SessionDownAction {
  SessionDownReason reason = SessionDownReason::kNone;
  // The NOTIFICATION sent or received, if any.
  std::optional<wire::NotificationMessage> notification;
  // The session had been Established: its routes must be flushed (or kept stale under graceful
  // restart).
  bool was_established = false;
};
using FsmAction = std::variant<ConnectAction, DisconnectAction, SendMessageAction,
                               EstablishedAction, SessionDownAction>;
using FsmActions = std::vector<FsmAction>;

class Fsm {
 public:
  explicit Fsm(FsmConfig config);

  FsmActions Handle(const FsmEvent& event, absl::Time now);
  // Fires every timer due at `now`.
  FsmActions OnTimers(absl::Time now);
  // The earliest armed timer; absl::InfiniteFuture() when none.
  absl::Time NextDeadline() const;
  // RFC 4271 §4.4: any message sent restarts the KeepaliveTimer.
  void OnMessageSent(absl::Time now);

  SessionState state() const { return state_; }
  uint32_t connect_retry_counter() const { return connect_retry_counter_; }
  const std::optional<NegotiatedSession>& negotiated() const { return negotiated_; }
  SessionDownReason last_down_reason() const { return last_down_reason_; }
  // Started and not administratively stopped: Idle only until the automatic restart.
  bool auto_restart() const { return auto_restart_; }
  const FsmConfig& config() const { return config_; }

 private:
  struct Timers {
    std::optional<absl::Time> connect_retry;
    std::optional<absl::Time> hold;
    std::optional<absl::Time> keepalive;
    std::optional<absl::Time> idle_hold;
  };

  void HandleIdle(const FsmEvent& e, absl::Time now, FsmActions& out);
  void HandleConnect(const FsmEvent& e, absl::Time now, FsmActions& out);
  void HandleActive(const FsmEvent& e, absl::Time now, FsmActions& out);
  void HandleOpenSent(const FsmEvent& e, absl::Time now, FsmActions& out);
  void HandleOpenConfirm(const FsmEvent& e, absl::Time now, FsmActions& out);
  void HandleEstablished(const FsmEvent& e, absl::Time now, FsmActions& out);
  bool HandleCommon(const FsmEvent& e, absl::Time now, FsmActions& out);

  // Shared transitions.
  void Start(bool passive, absl::Time now, FsmActions& out);
  void SendOpen(absl::Time now, FsmActions& out);
  void OnOpen(const wire::OpenMessage& open, absl::Time now, FsmActions& out);
  void Stop(const FsmEvent& e, absl::Time now, FsmActions& out);
  // Leaves for Idle: sends `send` if given, drops the connection, reports the session down.
  void ToIdle(SessionDownReason reason, std::optional<wire::NotificationMessage> send,
              std::optional<wire::NotificationMessage> received, bool count_failure,
              absl::Time now, FsmActions& out);
  void FsmError(uint8_t subcode, FsmEventType event, absl::Time now, FsmActions& out);
  void ArmConnectRetry(absl::Time now);
  void ArmKeepalive(absl::Time now);
  void ArmHold(absl::Time now);
  absl::Duration Jitter(absl::Duration d);  // RFC 4271 §10: 75% to 100% of the value

  FsmConfig config_;
  SessionState state_ = SessionState::kIdle;
  Timers timers_;
  uint32_t connect_retry_counter_ = 0;  // RFC 4271 ConnectRetryCounter
  uint32_t consecutive_failures_ = 0;   // drives the restart backoff; reset when Established
  absl::Duration connect_retry_delay_;
  bool auto_restart_ = false;  // started (not manually stopped): restart after errors
  bool passive_start_ = false;
  std::optional<NegotiatedSession> negotiated_;
  SessionDownReason last_down_reason_ = SessionDownReason::kNone;
  uint64_t rng_;
};

}  // namespace evpnd::bgpd

// MAC mobility: the RFC 7432 §15 rules as functions over values. One MacState per (VNI, MAC)
// holds what this VTEP knows about the MAC: whether it is learned locally, the claims of remote
// VTEPs (their sequence numbers and sticky flags), where traffic for it goes now, and the recent
// moves that duplicate detection counts. Every input (a local learn, a local age-out, a new set of
// remote claims, a timer, an operator's clear) is one function that updates the state and says
// what happened as MobilityDecision values; the caller (rib/mac_vrf.h) turns the state into
// routes to originate and FDB entries to write.
//
// Owner selection (SelectMacOwner), in order:
//   1. sticky (static) claims beat the others; a local sticky MAC never moves (RFC 7432 §15.2);
//   2. the highest sequence number, compared with RFC 1982 serial number arithmetic so that the
//      32-bit counter may wrap (RFC 7432 §15.1 asks for wrap-around to be handled);
//   3. the lowest VTEP IP address (RFC 7432 §15.1 tie-break).
// The result is the same in every order of the claims.
//
// Duplicate detection (RFC 7432 §15.1): max_moves location changes within `window` mark the MAC
// duplicate. A duplicate MAC is no longer advertised; with `freeze` its location is also held
// where it was until recovery (after `recovery`, or when an operator clears it).
//
// NOTE: Pure: time is a parameter, nothing here reads a clock.
// Standards: RFC 7432 §7.7 (MAC Mobility extended community), §15 (MAC mobility), §15.1
// (sequence numbers, tie-break, duplicate detection), §15.2 (sticky MACs); RFC 1982 (serial
// number arithmetic).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "evpn/ip_address.h"

namespace evpnd::evpn {

// RFC 1982 §3.2 with SERIAL_BITS = 32: negative when `a` precedes `b`, 0 when equal, positive
// when `a` follows `b`. Two numbers exactly 2^31 apart are undefined in RFC 1982; they compare
// numerically here, so that every pair has an answer.
int CompareSequence(uint32_t a, uint32_t b);
inline bool SequenceAfter(uint32_t a, uint32_t b) { return CompareSequence(a, b) > 0; }
// The highest of `sequences` (0 for none): the one that no other follows. When the numbers spread
// over more than half the space no such number may exist; the numerically largest then stands
// in. Independent of the order of `sequences`.
uint32_t HighestSequence(std::span<const uint32_t> sequences);

// One VTEP's claim on a MAC: its route's sequence number and sticky flag.
struct MacClaim {
  IpAddress vtep;
  uint32_t sequence = 0;
  bool sticky = false;
  bool local = false;  // this VTEP's own claim
  friend bool operator==(const MacClaim&, const MacClaim&) = default;
};

// Why a claim won.
enum class OwnerReason : uint8_t {
  kNone = 0,          // no claim at all
  kOnlyClaim,         // nothing to compare
  kSticky,            // RFC 7432 §15.2
  kHigherSequence,    // RFC 7432 §15.1
  kLowerVtepAddress,  // RFC 7432 §15.1 tie-break
};
absl::string_view ToString(OwnerReason reason);

struct OwnerSelection {
  std::optional<size_t> winner;  // index into the claims
  OwnerReason reason = OwnerReason::kNone;
};
OwnerSelection SelectMacOwner(std::span<const MacClaim> claims);

struct DuplicateDetectionConfig {
  // Location changes within `window` that make a MAC duplicate; 0 turns detection off.
  // Defaults as FRR: 5 moves in 180 s.
  uint32_t max_moves = 5;
  absl::Duration window = absl::Seconds(180);
  // Hold a duplicate MAC's location where it was (ignore further moves) until it recovers.
  bool freeze = false;
  // A duplicate MAC recovers by itself after this long; zero: only an operator clears it.
  absl::Duration recovery = absl::Seconds(180);
  friend bool operator==(const DuplicateDetectionConfig&,
                         const DuplicateDetectionConfig&) = default;
};

// What an input did to a MAC, in the order it happened. Exposed in logs and the API.
enum class MobilityDecision : uint8_t {
  kAdvertiseLocal = 0,  // the MAC is ours: advertised (new, or with a new sequence number)
  kWithdrawLocal,       // our route is withdrawn (aged out, or duplicate)
  kLocalMovedAway,      // RFC 7432 §15.1: a better remote claim won; our local entry is stale
  kInstallRemote,       // traffic for the MAC goes to a remote VTEP (new or changed)
  kRemoveRemote,        // no remote VTEP any more
  kMoved,               // the location changed from one VTEP to another (a MAC move)
  kStickyConflict,      // RFC 7432 §15.2: a claim against a sticky MAC was ignored, or a sticky
                        // remote claim displaced our learned MAC; the operator is told
  kDuplicateDetected,   // RFC 7432 §15.1: too many moves; advertising stops
  kFrozen,              // a move ignored because the MAC is frozen as duplicate
  kDuplicateCleared,    // recovered (timer or operator)
};
inline constexpr size_t kMobilityDecisionCount = 10;
absl::string_view ToString(MobilityDecision decision);

// One change of location, for the API's move history.
struct MoveRecord {
  absl::Time at;
  IpAddress from;  // VTEP (ours when the MAC was local)
  IpAddress to;
  uint32_t sequence = 0;  // of the claim that won
  friend bool operator==(const MoveRecord&, const MoveRecord&) = default;
};

// Where traffic for the MAC goes.
struct MacLocation {
  IpAddress vtep;
  bool local = false;
  uint32_t sequence = 0;
  bool sticky = false;
  friend bool operator==(const MacLocation&, const MacLocation&) = default;
};

struct LocalMac {
  bool sticky = false;
  // A better remote claim won (RFC 7432 §15.1): the kernel entry is stale and the MAC is not
  // ours again until it is learned again.
  bool moved_away = false;
};

struct MacState {
  // Moves kept for the API, newest last.
  static constexpr size_t kMaxHistory = 16;

  std::optional<LocalMac> local;
  // The sequence number of our claim; kept after an age-out so that a re-learn never goes back.
  uint32_t local_sequence = 0;
  // We have claimed the MAC before (local_sequence means something).
  bool claimed = false;
  // One claim per remote VTEP, sorted by VTEP.
  std::vector<MacClaim> remote_claims;
  std::optional<MacLocation> location;
  // Duplicate detection: times of the recent moves, oldest first.
  std::vector<absl::Time> recent_moves;
  bool duplicate = false;
  absl::Time duplicate_since;
  uint64_t moves = 0;  // all moves ever
  std::deque<MoveRecord> history;

  // Learned here and not displaced by a remote claim.
  bool LocalActive() const { return local.has_value() && !local->moved_away; }
  // What this VTEP advertises: its claim while the MAC is active here and not duplicate.
  bool Advertised() const { return LocalActive() && !duplicate; }
  // The remote VTEP that traffic goes to, if the MAC lives behind one.
  std::optional<IpAddress> RemoteVtep() const {
    if (!location.has_value() || location->local) return std::nullopt;
    return location->vtep;
  }
};

// What the rules need to know about this VTEP.
struct MobilityContext {
  IpAddress local_vtep;
  DuplicateDetectionConfig duplicate_detection;
};

using MobilityDecisions = std::vector<MobilityDecision>;

// The MAC is learned (or confirmed) on a local port. `sticky`: a static entry.
MobilityDecisions OnLocalLearn(MacState& state, bool sticky, const MobilityContext& context,
                               absl::Time now);
// The local entry aged out or was deleted.
MobilityDecisions OnLocalAge(MacState& state, const MobilityContext& context, absl::Time now);
// The remote claims changed: `claims` holds one entry per remote VTEP (any order).
MobilityDecisions OnRemoteClaims(MacState& state, std::vector<MacClaim> claims,
                                 const MobilityContext& context, absl::Time now);
// Recovers a duplicate MAC whose recovery time has come.
MobilityDecisions OnTimer(MacState& state, const MobilityContext& context, absl::Time now);
// An operator clears the duplicate mark (no effect on a MAC that is not duplicate).
MobilityDecisions ClearDuplicate(MacState& state, const MobilityContext& context, absl::Time now);
// When OnTimer has something to do for this MAC.
std::optional<absl::Time> NextDeadline(const MacState& state, const MobilityContext& context);

}  // namespace evpnd::evpn

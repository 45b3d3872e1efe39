// See mac_mobility.h.
#include "evpn/mac_mobility.h"

#include <algorithm>
#include <utility>

namespace evpnd::evpn {
namespace {

constexpr uint32_t kHalfSerialSpace = 0x80000000u;  // 2^(SERIAL_BITS - 1), RFC 1982 §3.2

// Keeps the indices in `alive` for which `keep` holds, unless that would keep none or all;
// the first criterion that removes a claim gives the reason.
template <typename Pred>
void Narrow(std::vector<size_t>& alive, OwnerReason why, OwnerReason& reason, Pred keep) {
  std::vector<size_t> kept;
  for (size_t i : alive) {
    if (keep(i)) kept.push_back(i);
  }
  if (kept.empty() || kept.size() == alive.size()) return;
  alive = std::move(kept);
  if (reason == OwnerReason::kNone) reason = why;
}

MacClaim LocalClaim(const MacState& s, const MobilityContext& context) {
  return MacClaim{context.local_vtep, s.local_sequence, s.local->sticky, /*local=*/true};
}

// The sequence number of a new local claim. RFC 7432 §15.1 (paraphrased): a PE that learns
// locally a MAC for which it holds MAC/IP routes from other PEs advertises it with a sequence
// number one above the highest it received. Without remote claims the last number we used
// stands, so a re-learn never goes backwards; it stands too while it still beats every remote
// claim. (One exactly 2^31 behind a remote number does not: that pair compares numerically.)
uint32_t NextLocalSequence(const MacState& s) {
  if (s.remote_claims.empty()) return s.local_sequence;
  std::vector<uint32_t> seqs;
  for (const MacClaim& c : s.remote_claims) seqs.push_back(c.sequence);
  const uint32_t highest = HighestSequence(seqs);
  const uint32_t next = highest + 1;  // wraps at 2^32, as serial numbers do
  // A first claim is always remote + 1: 0 may be "after" a remote number past 2^31 in serial
  // arithmetic, but peers that compare numerically (FRR) would not agree.
  const bool keep = s.claimed && SequenceAfter(s.local_sequence, next) &&
                    SequenceAfter(s.local_sequence, highest);
  return keep ? s.local_sequence : next;
}

void RecordMove(MacState& s, const MacLocation& from, const MacLocation& to,
                const MobilityContext& context, absl::Time now, MobilityDecisions& out) {
  ++s.moves;
  out.push_back(MobilityDecision::kMoved);
  s.history.push_back(MoveRecord{now, from.vtep, to.vtep, to.sequence});
  if (s.history.size() > MacState::kMaxHistory) s.history.pop_front();
  const DuplicateDetectionConfig& dad = context.duplicate_detection;
  if (dad.max_moves == 0 || s.duplicate) return;
  // RFC 7432 §15.1 (paraphrased): N moves of one MAC within M seconds (defaults 5 and 180) make
  // the PE alert the operator and stop sending routes for that MAC; stopping to process the
  // others' routes as well is the `freeze` option.
  const absl::Time horizon = now - dad.window;
  std::erase_if(s.recent_moves, [&](absl::Time t) { return t <= horizon; });
  s.recent_moves.push_back(now);
  if (s.recent_moves.size() >= dad.max_moves) {
    s.duplicate = true;
    s.duplicate_since = now;
    s.recent_moves.clear();
    out.push_back(MobilityDecision::kDuplicateDetected);
  }
}

void SetLocation(MacState& s, const std::optional<MacLocation>& next, bool count_move,
                 const MobilityContext& context, absl::Time now, MobilityDecisions& out) {
  if (next == s.location) return;
  const std::optional<MacLocation> previous = s.location;
  s.location = next;
  if (next.has_value() && !next->local) {
    if (!previous.has_value() || previous->local || previous->vtep != next->vtep) {
      out.push_back(MobilityDecision::kInstallRemote);
    }
  } else if (previous.has_value() && !previous->local) {
    out.push_back(MobilityDecision::kRemoveRemote);
  }
  if (count_move && previous.has_value() && next.has_value() &&
      (previous->vtep != next->vtep || previous->local != next->local)) {
    RecordMove(s, *previous, *next, context, now, out);
  }
}

// Picks the owner among the remote claims and ours and moves the MAC there.
void Resolve(MacState& s, const MobilityContext& context, absl::Time now, bool count_move,
             MobilityDecisions& out) {
  std::vector<MacClaim> claims = s.remote_claims;
  if (s.LocalActive()) claims.push_back(LocalClaim(s, context));
  const OwnerSelection selection = SelectMacOwner(claims);
  std::optional<MacLocation> next;
  if (selection.winner.has_value()) {
    const MacClaim& w = claims[*selection.winner];
    next = MacLocation{w.vtep, w.local, w.sequence, w.sticky};
  }
  if (s.duplicate && context.duplicate_detection.freeze) {
    // Frozen: the location stays where duplicate detection found it.
    if (next != s.location) out.push_back(MobilityDecision::kFrozen);
    return;
  }
  if (s.LocalActive() && next.has_value() && !next->local) {
    // RFC 7432 §15.1: "If its own route is not the best one, it will withdraw the route."
    s.local->moved_away = true;
    if (selection.reason == OwnerReason::kSticky) {
      out.push_back(MobilityDecision::kStickyConflict);
    }
    out.push_back(MobilityDecision::kLocalMovedAway);
  }
  SetLocation(s, next, count_move, context, now, out);
}

// Runs one input and adds the advertisement change it caused.
template <typename Fn>
MobilityDecisions Run(MacState& s, Fn fn) {
  const bool advertised = s.Advertised();
  const uint32_t sequence = s.local_sequence;
  const bool sticky = s.local.has_value() && s.local->sticky;
  MobilityDecisions out;
  fn(out);
  const bool moved_away = std::find(out.begin(), out.end(), MobilityDecision::kLocalMovedAway) !=
                          out.end();
  if (s.Advertised()) {
    if (!advertised || sequence != s.local_sequence || sticky != s.local->sticky) {
      out.push_back(MobilityDecision::kAdvertiseLocal);
    }
  } else if (advertised && !moved_away) {
    out.push_back(MobilityDecision::kWithdrawLocal);
  }
  return out;
}

void Recover(MacState& s, const MobilityContext& context, absl::Time now,
             MobilityDecisions& out) {
  s.duplicate = false;
  s.recent_moves.clear();
  out.push_back(MobilityDecision::kDuplicateCleared);
  // The MAC is advertised again; like a fresh learn it must beat the claims made meanwhile.
  if (s.LocalActive()) s.local_sequence = NextLocalSequence(s);
  Resolve(s, context, now, /*count_move=*/false, out);
}

}  // namespace

int CompareSequence(uint32_t a, uint32_t b) {
  if (a == b) return 0;
  const uint32_t distance = b - a;  // mod 2^32
  if (distance == kHalfSerialSpace) return a < b ? -1 : 1;
  return distance < kHalfSerialSpace ? -1 : 1;
}

uint32_t HighestSequence(std::span<const uint32_t> sequences) {
  uint32_t numeric_max = 0;
  for (uint32_t s : sequences) numeric_max = std::max(numeric_max, s);
  // Of several candidates that no other number follows, all are equal, so the first found is
  // the answer in any order.
  for (uint32_t s : sequences) {
    const bool highest = std::all_of(sequences.begin(), sequences.end(),
                                     [s](uint32_t t) { return CompareSequence(s, t) >= 0; });
    if (highest) return s;
  }
  return numeric_max;
}

OwnerSelection SelectMacOwner(std::span<const MacClaim> claims) {
  if (claims.empty()) return {};
  if (claims.size() == 1) return {0, OwnerReason::kOnlyClaim};
  std::vector<size_t> alive(claims.size());
  for (size_t i = 0; i < claims.size(); ++i) alive[i] = i;
  OwnerReason reason = OwnerReason::kNone;
  // RFC 7432 §15.2 (paraphrased): a static (sticky) MAC must not move; sticky claims beat the
  // others, and our own sticky MAC beats a remote sticky one.
  Narrow(alive, OwnerReason::kSticky, reason, [&](size_t i) { return claims[i].sticky; });
  if (claims[alive[0]].sticky) {
    Narrow(alive, OwnerReason::kSticky, reason, [&](size_t i) { return claims[i].local; });
  }
  // RFC 7432 §15.1: the route with the higher sequence number wins.
  std::vector<uint32_t> seqs;
  for (size_t i : alive) seqs.push_back(claims[i].sequence);
  const uint32_t highest = HighestSequence(seqs);
  Narrow(alive, OwnerReason::kHigherSequence, reason,
         [&](size_t i) { return claims[i].sequence == highest; });
  // RFC 7432 §15.1: "... with the same sequence number ... selects the route advertised by the
  // PE with lowest IP address as the best route."
  IpAddress lowest = claims[alive[0]].vtep;
  for (size_t i : alive) lowest = std::min(lowest, claims[i].vtep);
  Narrow(alive, OwnerReason::kLowerVtepAddress, reason,
         [&](size_t i) { return claims[i].vtep == lowest; });
  // Only a remote claim with our own address could still tie; ours is the one we know.
  Narrow(alive, OwnerReason::kLowerVtepAddress, reason, [&](size_t i) { return claims[i].local; });
  return {alive[0], reason == OwnerReason::kNone ? OwnerReason::kLowerVtepAddress : reason};
}

MobilityDecisions OnLocalLearn(MacState& s, bool sticky, const MobilityContext& context,
                               absl::Time now) {
  return Run(s, [&](MobilityDecisions& out) {
    const bool was_active = s.LocalActive();
    if (!s.local.has_value()) s.local.emplace();
    s.local->sticky = sticky;
    if (!was_active) {
      s.local->moved_away = false;
      s.local_sequence = NextLocalSequence(s);
      s.claimed = true;
    }
    if (sticky && !s.remote_claims.empty()) out.push_back(MobilityDecision::kStickyConflict);
    Resolve(s, context, now, /*count_move=*/true, out);
  });
}

MobilityDecisions OnLocalAge(MacState& s, const MobilityContext& context, absl::Time now) {
  return Run(s, [&](MobilityDecisions& out) {
    if (!s.local.has_value()) return;
    s.local.reset();
    Resolve(s, context, now, /*count_move=*/false, out);
  });
}

MobilityDecisions OnRemoteClaims(MacState& s, std::vector<MacClaim> claims,
                                 const MobilityContext& context, absl::Time now) {
  std::sort(claims.begin(), claims.end(),
            [](const MacClaim& a, const MacClaim& b) { return a.vtep < b.vtep; });
  return Run(s, [&](MobilityDecisions& out) {
    const bool changed = claims != s.remote_claims;
    s.remote_claims = std::move(claims);
    // RFC 7432 §15.2: a claim against our sticky MAC is ignored, and the operator told.
    if (changed && s.LocalActive() && s.local->sticky && !s.remote_claims.empty()) {
      out.push_back(MobilityDecision::kStickyConflict);
    }
    Resolve(s, context, now, /*count_move=*/true, out);
  });
}

MobilityDecisions OnTimer(MacState& s, const MobilityContext& context, absl::Time now) {
  return Run(s, [&](MobilityDecisions& out) {
    const std::optional<absl::Time> due = NextDeadline(s, context);
    if (due.has_value() && now >= *due) Recover(s, context, now, out);
  });
}

MobilityDecisions ClearDuplicate(MacState& s, const MobilityContext& context, absl::Time now) {
  return Run(s, [&](MobilityDecisions& out) {
    if (s.duplicate) Recover(s, context, now, out);
  });
}

std::optional<absl::Time> NextDeadline(const MacState& s, const MobilityContext& context) {
  const absl::Duration recovery = context.duplicate_detection.recovery;
  if (!s.duplicate || recovery <= absl::ZeroDuration()) return std::nullopt;
  return s.duplicate_since + recovery;
}

absl::string_view ToString(OwnerReason reason) {
  switch (reason) {
    case OwnerReason::kNone:
      return "none";
    case OwnerReason::kOnlyClaim:
      return "only-claim";
    case OwnerReason::kSticky:
      return "sticky";
    case OwnerReason::kHigherSequence:
      return "higher-sequence";
    case OwnerReason::kLowerVtepAddress:
      return "lower-vtep-address";
  }
  return "unknown";
}

absl::string_view ToString(MobilityDecision decision) {
  switch (decision) {
    case MobilityDecision::kAdvertiseLocal:
      return "advertise-local";
    case MobilityDecision::kWithdrawLocal:
      return "withdraw-local";
    case MobilityDecision::kLocalMovedAway:
      return "local-moved-away";
    case MobilityDecision::kInstallRemote:
      return "install-remote";
    case MobilityDecision::kRemoveRemote:
      return "remove-remote";
    case MobilityDecision::kMoved:
      return "moved";
    case MobilityDecision::kStickyConflict:
      return "sticky-conflict";
    case MobilityDecision::kDuplicateDetected:
      return "duplicate-detected";
    case MobilityDecision::kFrozen:
      return "frozen";
    case MobilityDecision::kDuplicateCleared:
      return "duplicate-cleared";
  }
  return "unknown";
}

}  // namespace evpnd::evpn

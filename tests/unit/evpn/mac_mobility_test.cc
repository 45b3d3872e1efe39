// Unit tests for evpn/mac_mobility.h, the RFC 7432 §15 MAC mobility rules: RFC 1982 serial
// comparison of sequence numbers near the wrap, owner selection (sticky, sequence, lowest VTEP
// address) with an every-permutation property against a reference order, scenario tables over
// one MacState (moves, chains, simultaneous learns, stale and out-of-order claims, withdraw
// before add, sticky conflicts, duplicate detection and recovery, freeze, restart, wrap), and
// convergence properties over all interleavings of small event sets, within one VTEP and across
// a three-VTEP fabric that exchanges its claims.
#include "evpn/mac_mobility.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "evpn/ip_address.h"
#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

using D = MobilityDecision;
constexpr D kAdv = D::kAdvertiseLocal;
constexpr D kWithdraw = D::kWithdrawLocal;
constexpr D kAway = D::kLocalMovedAway;
constexpr D kInstall = D::kInstallRemote;
constexpr D kRemove = D::kRemoveRemote;
constexpr D kMoved = D::kMoved;
constexpr D kSticky = D::kStickyConflict;
constexpr D kDup = D::kDuplicateDetected;
constexpr D kFrozen = D::kFrozen;
constexpr D kCleared = D::kDuplicateCleared;

constexpr uint32_t kMax = 0xFFFFFFFFu;

IpAddress Ip(absl::string_view text) { return *IpAddress::Parse(text); }

absl::Time T(int64_t seconds) {
  return absl::FromUnixSeconds(1'700'000'000) + absl::Seconds(seconds);
}

MacClaim R(absl::string_view vtep, uint32_t sequence, bool sticky = false) {
  return MacClaim{Ip(vtep), sequence, sticky, /*local=*/false};
}

MobilityContext Context(absl::string_view local_vtep = "10.0.0.1",
                        DuplicateDetectionConfig dad = {}) {
  return MobilityContext{Ip(local_vtep), dad};
}

std::string Str(const MobilityDecisions& decisions) {
  return absl::StrCat(
      "[",
      absl::StrJoin(decisions, ", ",
                    [](std::string* out, D d) { absl::StrAppend(out, ToString(d)); }),
      "]");
}

// "none", "local:4", "10.0.0.2:3 sticky".
std::string Where(const MacState& s) {
  if (!s.location.has_value()) return "none";
  std::string out = absl::StrCat(s.location->local ? "local" : s.location->vtep.ToString(), ":",
                                 s.location->sequence);
  if (s.location->sticky) absl::StrAppend(&out, " sticky");
  return out;
}

// ---- RFC 1982 serial arithmetic ----

struct CompareCase {
  uint32_t a;
  uint32_t b;
  int sign;  // of CompareSequence(a, b)
};

TEST(SequenceTest, CompareSequenceNearTheWrap) {
  const CompareCase cases[] = {
      {0, 0, 0},
      {1, 0, 1},
      {0, 1, -1},
      {kMax, kMax, 0},
      {kMax, 0, -1},  // 2^32-1 precedes 0
      {0, kMax, 1},
      {kMax - 1, 1, -1},  // 0xFFFFFFFE precedes 1
      {1, kMax - 1, 1},
      {kMax - 1, kMax, -1},
      {0x7FFFFFFF, 0, 1},   // just under half the space ahead
      {0x80000001, 0, -1},  // just over half: behind
      {0x80000000, 0, 1},   // exactly half apart: undefined in RFC 1982, numeric here
      {0, 0x80000000, -1},
      {0xC0000000, 0x40000000, 1},  // half apart, numeric
      {0x40000000, 0xC0000000, -1},
  };
  for (const CompareCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.a, " vs ", c.b));
    const int got = CompareSequence(c.a, c.b);
    EXPECT_EQ((got > 0) - (got < 0), c.sign);
    // Antisymmetric, so every pair has exactly one answer.
    const int back = CompareSequence(c.b, c.a);
    EXPECT_EQ((back > 0) - (back < 0), -c.sign);
    EXPECT_EQ(SequenceAfter(c.a, c.b), c.sign > 0);
  }
}

TEST(SequenceTest, IncrementAlwaysFollows) {
  for (uint32_t s : {0u, 1u, 0x7FFFFFFFu, 0x80000000u, kMax - 1, kMax}) {
    SCOPED_TRACE(s);
    EXPECT_TRUE(SequenceAfter(s + 1, s));
    EXPECT_FALSE(SequenceAfter(s, s + 1));
    EXPECT_FALSE(SequenceAfter(s, s));
  }
}

struct HighestCase {
  std::vector<uint32_t> sequences;
  uint32_t highest;
};

TEST(SequenceTest, HighestSequenceInEveryPermutation) {
  const HighestCase cases[] = {
      {{}, 0},
      {{5}, 5},
      {{3, 7, 7, 1}, 7},
      {{kMax - 1, kMax, 0, 1}, 1},  // wrapped set: 1 follows all of them
      {{kMax, 0}, 0},
      {{kMax - 15, 3, kMax}, 3},
      {{kMax, kMax - 1}, kMax},
      // Spread over more than half the space: no number follows all others (0 < 2^30 < 2^31 <
      // 3*2^30 < 0); the numerically largest stands in.
      {{0, 0x40000000, 0x80000000, 0xC0000000}, 0xC0000000},
  };
  for (const HighestCase& c : cases) {
    std::vector<uint32_t> s = c.sequences;
    SCOPED_TRACE(absl::StrJoin(s, ","));
    std::sort(s.begin(), s.end());
    int permutations = 0;
    do {
      EXPECT_EQ(HighestSequence(s), c.highest) << "order " << absl::StrJoin(s, ",");
      ++permutations;
    } while (std::next_permutation(s.begin(), s.end()));
    EXPECT_GE(permutations, 1);
  }
}

// ---- owner selection ----

struct OwnerCase {
  std::string name;
  std::vector<MacClaim> claims;
  std::optional<MacClaim> winner;
  OwnerReason reason;
};

MacClaim L(absl::string_view vtep, uint32_t sequence, bool sticky = false) {
  return MacClaim{Ip(vtep), sequence, sticky, /*local=*/true};
}

TEST(OwnerTest, SelectMacOwnerTable) {
  const std::vector<OwnerCase> cases = {
      {"none", {}, std::nullopt, OwnerReason::kNone},
      {"only claim", {R("10.0.0.9", 3)}, R("10.0.0.9", 3), OwnerReason::kOnlyClaim},
      {"sticky beats sequence",
       {R("10.0.0.2", 9), R("10.0.0.3", 0, true)},
       R("10.0.0.3", 0, true),
       OwnerReason::kSticky},
      {"local sticky beats remote sticky",
       {R("10.0.0.2", 9, true), L("10.0.0.5", 0, true)},
       L("10.0.0.5", 0, true),
       OwnerReason::kSticky},
      {"remote sticky beats local learned",
       {L("10.0.0.1", 9), R("10.0.0.2", 0, true)},
       R("10.0.0.2", 0, true),
       OwnerReason::kSticky},
      {"two remote sticky: sequence decides",
       {R("10.0.0.2", 1, true), R("10.0.0.3", 4, true), R("10.0.0.4", 10)},
       R("10.0.0.3", 4, true),
       OwnerReason::kSticky},
      {"higher sequence",
       {R("10.0.0.2", 1), R("10.0.0.3", 2)},
       R("10.0.0.3", 2),
       OwnerReason::kHigherSequence},
      {"higher sequence beats local",
       {L("10.0.0.1", 4), R("10.0.0.3", 5)},
       R("10.0.0.3", 5),
       OwnerReason::kHigherSequence},
      {"higher sequence across the wrap",
       {R("10.0.0.2", kMax), R("10.0.0.3", 0)},
       R("10.0.0.3", 0),
       OwnerReason::kHigherSequence},
      {"equal sequence: lower VTEP",
       {R("10.0.0.3", 2), R("10.0.0.2", 2)},
       R("10.0.0.2", 2),
       OwnerReason::kLowerVtepAddress},
      {"equal sequence: local loses to a lower VTEP",
       {L("10.0.0.3", 0), R("10.0.0.2", 0)},
       R("10.0.0.2", 0),
       OwnerReason::kLowerVtepAddress},
      {"equal sequence: local wins as the lower VTEP",
       {R("10.0.0.2", 0), L("10.0.0.1", 0)},
       L("10.0.0.1", 0),
       OwnerReason::kLowerVtepAddress},
      {"remote echo of our own address: ours",
       {R("10.0.0.1", 3), L("10.0.0.1", 3)},
       L("10.0.0.1", 3),
       OwnerReason::kLowerVtepAddress},
      {"sequence first, then address",
       {R("10.0.0.4", 7), R("10.0.0.2", 6), R("10.0.0.3", 7)},
       R("10.0.0.3", 7),
       OwnerReason::kHigherSequence},
  };
  for (const OwnerCase& c : cases) {
    SCOPED_TRACE(c.name);
    const OwnerSelection s = SelectMacOwner(c.claims);
    ASSERT_EQ(s.winner.has_value(), c.winner.has_value());
    if (c.winner.has_value()) {
      ASSERT_LT(*s.winner, c.claims.size());
      EXPECT_EQ(c.claims[*s.winner], *c.winner);
    }
    EXPECT_EQ(ToString(s.reason), ToString(c.reason));
  }
}

// The reference order of RFC 7432 §15: true when `a` beats `b`.
bool Beats(const MacClaim& a, const MacClaim& b) {
  if (a.sticky != b.sticky) return a.sticky;
  if (a.sticky && a.local != b.local) return a.local;
  if (a.sequence != b.sequence) return SequenceAfter(a.sequence, b.sequence);
  if (a.vtep != b.vtep) return a.vtep < b.vtep;
  return a.local && !b.local;
}

// Property: for every claim set over a small grid (one local and three remote VTEPs, sequence
// numbers across the wrap, sticky or not, any subset), every order of the claims gives the same
// winner and reason, and the winner beats every other claim in the reference order.
TEST(OwnerTest, SameWinnerInEveryPermutation) {
  const std::vector<uint32_t> sequences = {0, 1, kMax};
  const std::vector<MacClaim> vteps = {L("10.0.0.3", 0), R("10.0.0.2", 0), R("10.0.0.4", 0),
                                       R("10.0.0.5", 0)};
  constexpr int kChoices = 7;  // absent, or one of 3 sequences x sticky
  int sets = 0;
  int selections = 0;
  for (int code = 0; code < kChoices * kChoices * kChoices * kChoices; ++code) {
    std::vector<MacClaim> claims;
    int rest = code;
    for (const MacClaim& v : vteps) {
      const int choice = rest % kChoices;
      rest /= kChoices;
      if (choice == 0) continue;
      MacClaim c = v;
      c.sequence = sequences[(choice - 1) % 3];
      c.sticky = choice > 3;
      claims.push_back(c);
    }
    if (claims.empty()) continue;
    ++sets;
    // The reference winner: the claim that beats all others.
    std::optional<MacClaim> expected;
    for (const MacClaim& c : claims) {
      const bool best = std::all_of(claims.begin(), claims.end(),
                                    [&](const MacClaim& o) { return &o == &c || Beats(c, o); });
      if (best) {
        ASSERT_FALSE(expected.has_value()) << "reference order has two winners";
        expected = c;
      }
    }
    ASSERT_TRUE(expected.has_value());
    std::vector<size_t> order(claims.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::optional<OwnerReason> first_reason;
    do {
      std::vector<MacClaim> permuted;
      for (size_t i : order) permuted.push_back(claims[i]);
      const OwnerSelection s = SelectMacOwner(permuted);
      ++selections;
      ASSERT_TRUE(s.winner.has_value());
      ASSERT_EQ(permuted[*s.winner], *expected)
          << "set " << code << " order " << absl::StrJoin(order, ",");
      if (!first_reason.has_value()) first_reason = s.reason;
      ASSERT_EQ(s.reason, *first_reason) << "set " << code;
      if (claims.size() == 1) {
        ASSERT_EQ(s.reason, OwnerReason::kOnlyClaim);
      }
    } while (std::next_permutation(order.begin(), order.end()));
  }
  EXPECT_EQ(sets, kChoices * kChoices * kChoices * kChoices - 1);
  EXPECT_GT(selections, 30000);
}

// ---- scenario tables over one MacState ----

enum class Input { kLearn, kLearnSticky, kAge, kClaims, kTimer, kClear };

struct Step {
  int64_t at = 0;  // seconds from the start
  Input input = Input::kLearn;
  std::vector<MacClaim> claims;  // kClaims: every remote VTEP's claim
  MobilityDecisions want;
  std::string location;  // Where() after the step
  bool advertised = false;
  int64_t deadline = -1;  // NextDeadline in seconds from the start; -1: none
  std::optional<uint32_t> local_sequence;
};

constexpr bool kAdvertised = true;
constexpr bool kNotAdvertised = false;

// One row: when, what, the claims (for kClaims), the decisions wanted, then the state wanted
// after it: location, advertised, the duplicate recovery deadline, our sequence number.
Step S(int64_t at, Input input, std::vector<MacClaim> claims, MobilityDecisions want,
       std::string location, bool advertised, int64_t deadline = -1,
       std::optional<uint32_t> local_sequence = std::nullopt) {
  return Step{at,         input,    std::move(claims), std::move(want), std::move(location),
              advertised, deadline, local_sequence};
}

struct Scenario {
  std::string name;
  std::vector<Step> steps;
  uint64_t moves = 0;  // MacState::moves at the end
  DuplicateDetectionConfig dad;
  std::string local_vtep = "10.0.0.1";
};

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

Scenario Sc(std::string name, std::vector<Step> steps, uint64_t moves,
            DuplicateDetectionConfig dad = {}, std::string local_vtep = "10.0.0.1") {
  return Scenario{std::move(name), std::move(steps), moves, dad, std::move(local_vtep)};
}

MobilityDecisions Apply(MacState& s, const Step& step, const MobilityContext& ctx) {
  switch (step.input) {
    case Input::kLearn:
      return OnLocalLearn(s, /*sticky=*/false, ctx, T(step.at));
    case Input::kLearnSticky:
      return OnLocalLearn(s, /*sticky=*/true, ctx, T(step.at));
    case Input::kAge:
      return OnLocalAge(s, ctx, T(step.at));
    case Input::kClaims:
      return OnRemoteClaims(s, step.claims, ctx, T(step.at));
    case Input::kTimer:
      return OnTimer(s, ctx, T(step.at));
    case Input::kClear:
      return ClearDuplicate(s, ctx, T(step.at));
  }
  return {};
}

constexpr auto kLearn = Input::kLearn;
constexpr auto kLearnSticky = Input::kLearnSticky;
constexpr auto kAge = Input::kAge;
constexpr auto kClaims = Input::kClaims;
constexpr auto kTimer = Input::kTimer;
constexpr auto kClear = Input::kClear;

const char* const kB = "10.0.0.2";
const char* const kC = "10.0.0.3";

// Five moves between us and B, ten seconds apart from t=0; the fifth (a local learn at t=50,
// sequence 5) makes the MAC duplicate.
std::vector<Step> FiveMovesEndingLocal() {
  return {
      S(0, kClaims, {R(kB, 0)}, {kInstall}, "10.0.0.2:0", kNotAdvertised),
      S(10, kLearn, {}, {kRemove, kMoved, kAdv}, "local:1", kAdvertised),
      S(20, kClaims, {R(kB, 2)}, {kAway, kInstall, kMoved}, "10.0.0.2:2", kNotAdvertised),
      S(30, kLearn, {}, {kRemove, kMoved, kAdv}, "local:3", kAdvertised),
      S(40, kClaims, {R(kB, 4)}, {kAway, kInstall, kMoved}, "10.0.0.2:4", kNotAdvertised),
  };
}

// The same, ending with B's claim at t=50 (sequence 5) while our MAC moves away.
std::vector<Step> FiveMovesEndingRemote() {
  return {
      S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
      S(10, kClaims, {R(kB, 1)}, {kAway, kInstall, kMoved}, "10.0.0.2:1", kNotAdvertised),
      S(20, kLearn, {}, {kRemove, kMoved, kAdv}, "local:2", kAdvertised),
      S(30, kClaims, {R(kB, 3)}, {kAway, kInstall, kMoved}, "10.0.0.2:3", kNotAdvertised),
      S(40, kLearn, {}, {kRemove, kMoved, kAdv}, "local:4", kAdvertised),
  };
}

std::vector<Step> Concat(std::vector<Step> a, const std::vector<Step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

DuplicateDetectionConfig Dad(uint32_t max_moves, bool freeze, int64_t recovery_seconds) {
  DuplicateDetectionConfig d;
  d.max_moves = max_moves;
  d.freeze = freeze;
  d.recovery = absl::Seconds(recovery_seconds);
  return d;
}

std::vector<Scenario> Scenarios() {
  std::vector<Scenario> s;
  s.push_back(Sc("OneMove",
                 {
                     S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised, -1, 0),
                     S(10, kClaims, {R(kB, 1)}, {kAway, kInstall, kMoved}, "10.0.0.2:1",
                       kNotAdvertised, -1, 0),
                 },
                 1));
  s.push_back(Sc("RemotePresentThenLocalLearn",
                 {
                     S(0, kClaims, {R(kB, 3)}, {kInstall}, "10.0.0.2:3", kNotAdvertised),
                     S(10, kLearn, {}, {kRemove, kMoved, kAdv}, "local:4", kAdvertised),
                     // B sees our sequence 4 and withdraws: nothing changes here.
                     S(11, kClaims, {}, {}, "local:4", kAdvertised),
                 },
                 1));
  s.push_back(
      Sc("ChainAToBToCToA",
         {
             S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
             S(10, kClaims, {R(kB, 1)}, {kAway, kInstall, kMoved}, "10.0.0.2:1", kNotAdvertised),
             // C advertises before B has withdrawn.
             S(20, kClaims, {R(kB, 1), R(kC, 2)}, {kInstall, kMoved}, "10.0.0.3:2", kNotAdvertised),
             S(21, kClaims, {R(kC, 2)}, {}, "10.0.0.3:2", kNotAdvertised),
             S(30, kLearn, {}, {kRemove, kMoved, kAdv}, "local:3", kAdvertised),
             S(31, kClaims, {}, {}, "local:3", kAdvertised),
         },
         3));
  s.push_back(Sc("SimultaneousLearnLowerAddressWins",
                 {
                     S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
                     S(1, kClaims, {R(kB, 0)}, {}, "local:0", kAdvertised),
                 },
                 0));
  s.push_back(
      Sc("SimultaneousLearnHigherAddressMovesAway",
         {
             S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
             S(1, kClaims, {R(kB, 0)}, {kAway, kInstall, kMoved}, "10.0.0.2:0", kNotAdvertised),
         },
         1, {}, "10.0.0.3"));
  s.push_back(
      Sc("DelayedStaleClaimsDoNotMoveBack",
         {
             S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
             S(10, kClaims, {R(kB, 2)}, {kAway, kInstall, kMoved}, "10.0.0.2:2", kNotAdvertised),
             // C's older claim (sequence 1) arrives late.
             S(11, kClaims, {R(kB, 2), R(kC, 1)}, {}, "10.0.0.2:2", kNotAdvertised),
             S(20, kLearn, {}, {kRemove, kMoved, kAdv}, "local:3", kAdvertised),
             S(21, kClaims, {R(kC, 1)}, {}, "local:3", kAdvertised),
             // B's sequence-2 route again, by a slower route reflector.
             S(22, kClaims, {R(kC, 1), R(kB, 2)}, {}, "local:3", kAdvertised),
         },
         2));
  s.push_back(Sc("WithdrawBeforeAdd",
                 {
                     S(0, kClaims, {R(kB, 1)}, {kInstall}, "10.0.0.2:1", kNotAdvertised),
                     S(10, kClaims, {}, {kRemove}, "none", kNotAdvertised),
                     // Through "no location" a change of VTEP is not a move.
                     S(11, kClaims, {R(kC, 2)}, {kInstall}, "10.0.0.3:2", kNotAdvertised),
                     S(20, kLearn, {}, {kRemove, kMoved, kAdv}, "local:3", kAdvertised),
                 },
                 1));
  s.push_back(Sc("LocalAgeBeforeRemoteAdd",
                 {
                     S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
                     S(10, kAge, {}, {kWithdraw}, "none", kNotAdvertised),
                     S(11, kClaims, {R(kB, 0)}, {kInstall}, "10.0.0.2:0", kNotAdvertised),
                     S(20, kLearn, {}, {kRemove, kMoved, kAdv}, "local:1", kAdvertised),
                 },
                 1));
  s.push_back(Sc("AgeOutHandsOverAndSequenceNeverGoesBack",
                 {
                     S(0, kClaims, {R(kB, 1)}, {kInstall}, "10.0.0.2:1", kNotAdvertised),
                     S(10, kLearn, {}, {kRemove, kMoved, kAdv}, "local:2", kAdvertised),
                     S(20, kAge, {}, {kInstall, kWithdraw}, "10.0.0.2:1", kNotAdvertised, -1, 2),
                     S(30, kLearn, {}, {kRemove, kMoved, kAdv}, "local:2", kAdvertised),
                     S(40, kClaims, {}, {}, "local:2", kAdvertised),
                     S(50, kAge, {}, {kWithdraw}, "none", kNotAdvertised),
                     S(60, kLearn, {}, {kAdv}, "local:2", kAdvertised),
                 },
                 2));
  s.push_back(Sc("ConfirmAndStickyChange",
                 {
                     S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
                     S(1, kLearn, {}, {}, "local:0", kAdvertised),
                     S(2, kLearnSticky, {}, {kAdv}, "local:0 sticky", kAdvertised),
                     S(3, kLearn, {}, {kAdv}, "local:0", kAdvertised),
                     S(4, kAge, {}, {kWithdraw}, "none", kNotAdvertised),
                     S(5, kAge, {}, {}, "none", kNotAdvertised),
                 },
                 0));
  s.push_back(
      Sc("LocalStickyIgnoresHigherSequence",
         {
             S(0, kLearnSticky, {}, {kAdv}, "local:0 sticky", kAdvertised),
             S(10, kClaims, {R(kB, 5)}, {kSticky}, "local:0 sticky", kAdvertised),
             S(11, kClaims, {R(kB, 5), R(kC, 9, true)}, {kSticky}, "local:0 sticky", kAdvertised),
             S(20, kClaims, {}, {}, "local:0 sticky", kAdvertised),
         },
         0));
  s.push_back(Sc(
      "LocalStickyLearnOverRemote",
      {
          S(0, kClaims, {R(kB, 3)}, {kInstall}, "10.0.0.2:3", kNotAdvertised),
          S(10, kLearnSticky, {}, {kSticky, kRemove, kMoved, kAdv}, "local:4 sticky", kAdvertised),
      },
      1));
  s.push_back(
      Sc("RemoteStickyDisplacesLocalLearned",
         {
             S(0, kLearn, {}, {kAdv}, "local:0", kAdvertised),
             S(10, kClaims, {R(kB, 0, true)}, {kSticky, kAway, kInstall, kMoved},
               "10.0.0.2:0 sticky", kNotAdvertised),
             // Learning it again here does not win against the static MAC.
             S(20, kLearn, {}, {kSticky, kAway}, "10.0.0.2:0 sticky", kNotAdvertised, -1, 1),
         },
         1));
  s.push_back(Sc("RestartFindsSequenceNumbersInFabric",
                 {
                     S(0, kClaims, {R(kB, 7), R(kC, 5)}, {kInstall}, "10.0.0.2:7", kNotAdvertised),
                     S(1, kLearn, {}, {kRemove, kMoved, kAdv}, "local:8", kAdvertised),
                 },
                 1));
  s.push_back(
      Sc("SequenceWrapsToZeroAndWins",
         {
             S(0, kClaims, {R(kB, kMax)}, {kInstall}, "10.0.0.2:4294967295", kNotAdvertised),
             S(10, kLearn, {}, {kRemove, kMoved, kAdv}, "local:0", kAdvertised, -1, 0),
             S(11, kClaims, {R(kB, kMax)}, {}, "local:0", kAdvertised),
             // B learns it back: 0 + 1.
             S(20, kClaims, {R(kB, 1)}, {kAway, kInstall, kMoved}, "10.0.0.2:1", kNotAdvertised),
             S(30, kLearn, {}, {kRemove, kMoved, kAdv}, "local:2", kAdvertised),
         },
         3));
  // A remote number exactly 2^31 after our last one: RFC 1982 leaves the pair undefined and it
  // compares numerically, so our old number would lose; a learn must claim the remote one + 1.
  s.push_back(
      Sc("RemoteHalfTheSpaceAheadOfFreshState",
         {
             S(0, kClaims, {R(kB, 0x80000000)}, {kInstall}, "10.0.0.2:2147483648", kNotAdvertised),
             S(10, kLearn, {}, {kRemove, kMoved, kAdv}, "local:2147483649", kAdvertised),
         },
         1));
  s.push_back(Sc("RemoteHalfTheSpaceAheadOfOurLastNumber",
                 {
                     S(0, kClaims, {R(kB, 4)}, {kInstall}, "10.0.0.2:4", kNotAdvertised),
                     S(10, kLearn, {}, {kRemove, kMoved, kAdv}, "local:5", kAdvertised),
                     S(20, kClaims, {R(kB, 0x80000005)}, {kAway, kInstall, kMoved},
                       "10.0.0.2:2147483653", kNotAdvertised),
                     S(30, kLearn, {}, {kRemove, kMoved, kAdv}, "local:2147483654", kAdvertised),
                 },
                 3));
  s.push_back(
      Sc("DuplicateRecoversByTimer",
         Concat(FiveMovesEndingLocal(),
                {
                    S(50, kLearn, {}, {kRemove, kMoved, kDup}, "local:5", kNotAdvertised, 230),
                    S(229, kTimer, {}, {}, "local:5", kNotAdvertised, 230),
                    // Re-advertised above B's sequence 4.
                    S(230, kTimer, {}, {kCleared, kAdv}, "local:5", kAdvertised),
                    S(231, kTimer, {}, {}, "local:5", kAdvertised),
                }),
         5));
  s.push_back(
      Sc("DuplicateNotFrozenFollowsClaims",
         Concat(FiveMovesEndingLocal(),
                {
                    S(50, kLearn, {}, {kRemove, kMoved, kDup}, "local:5", kNotAdvertised, 230),
                    S(60, kClaims, {R(kB, 6)}, {kAway, kInstall, kMoved}, "10.0.0.2:6",
                      kNotAdvertised, 230),
                    S(70, kLearn, {}, {kRemove, kMoved}, "local:7", kNotAdvertised, 230),
                    S(230, kTimer, {}, {kCleared, kAdv}, "local:7", kAdvertised),
                }),
         7));
  s.push_back(Sc("DuplicateOnRemoteMoveIsNotReadvertised",
                 Concat(FiveMovesEndingRemote(),
                        {
                            S(50, kClaims, {R(kB, 5)}, {kAway, kInstall, kMoved, kDup},
                              "10.0.0.2:5", kNotAdvertised, 230),
                            S(230, kTimer, {}, {kCleared}, "10.0.0.2:5", kNotAdvertised),
                        }),
                 5));
  s.push_back(
      Sc("MovesSpreadOverMoreThanTheWindow",
         {
             S(0, kClaims, {R(kB, 0)}, {kInstall}, "10.0.0.2:0", kNotAdvertised),
             S(50, kLearn, {}, {kRemove, kMoved, kAdv}, "local:1", kAdvertised),
             S(100, kClaims, {R(kB, 2)}, {kAway, kInstall, kMoved}, "10.0.0.2:2", kNotAdvertised),
             S(150, kLearn, {}, {kRemove, kMoved, kAdv}, "local:3", kAdvertised),
             S(200, kClaims, {R(kB, 4)}, {kAway, kInstall, kMoved}, "10.0.0.2:4", kNotAdvertised),
             S(250, kLearn, {}, {kRemove, kMoved, kAdv}, "local:5", kAdvertised),
             S(300, kClaims, {R(kB, 6)}, {kAway, kInstall, kMoved}, "10.0.0.2:6", kNotAdvertised),
         },
         6));
  s.push_back(
      Sc("FiveMovesJustWithinTheWindow",
         {
             S(0, kClaims, {R(kB, 0)}, {kInstall}, "10.0.0.2:0", kNotAdvertised),
             S(1, kLearn, {}, {kRemove, kMoved, kAdv}, "local:1", kAdvertised),
             S(45, kClaims, {R(kB, 2)}, {kAway, kInstall, kMoved}, "10.0.0.2:2", kNotAdvertised),
             S(90, kLearn, {}, {kRemove, kMoved, kAdv}, "local:3", kAdvertised),
             S(135, kClaims, {R(kB, 4)}, {kAway, kInstall, kMoved}, "10.0.0.2:4", kNotAdvertised),
             S(180, kLearn, {}, {kRemove, kMoved, kDup}, "local:5", kNotAdvertised, 360),
         },
         5));
  s.push_back(
      Sc("FreezeHoldsLocalLocation",
         Concat(FiveMovesEndingLocal(),
                {
                    S(50, kLearn, {}, {kRemove, kMoved, kDup}, "local:5", kNotAdvertised, 230),
                    S(60, kClaims, {R(kB, 6)}, {kFrozen}, "local:5", kNotAdvertised, 230),
                    S(70, kClaims, {R(kB, 6), R(kC, 7)}, {kFrozen}, "local:5", kNotAdvertised, 230),
                    // Recovered: advertised like a fresh learn, above both claims.
                    S(230, kTimer, {}, {kCleared, kAdv}, "local:8", kAdvertised),
                }),
         5, Dad(5, /*freeze=*/true, 180)));
  s.push_back(Sc(
      "FreezeHoldsRemoteLocation",
      Concat(FiveMovesEndingRemote(),
             {
                 S(50, kClaims, {R(kB, 5)}, {kAway, kInstall, kMoved, kDup}, "10.0.0.2:5",
                   kNotAdvertised, 230),
                 S(60, kClaims, {R(kB, 5), R(kC, 6)}, {kFrozen}, "10.0.0.2:5", kNotAdvertised, 230),
                 S(70, kLearn, {}, {kFrozen}, "10.0.0.2:5", kNotAdvertised, 230, 7),
                 S(80, kClaims, {}, {kFrozen}, "10.0.0.2:5", kNotAdvertised, 230),
                 S(230, kTimer, {}, {kCleared, kRemove, kAdv}, "local:7", kAdvertised),
             }),
      5, Dad(5, /*freeze=*/true, 180)));
  s.push_back(Sc("MaxMovesZeroDisablesDetection",
                 Concat(FiveMovesEndingLocal(),
                        {
                            S(50, kLearn, {}, {kRemove, kMoved, kAdv}, "local:5", kAdvertised),
                            S(60, kClaims, {R(kB, 6)}, {kAway, kInstall, kMoved}, "10.0.0.2:6",
                              kNotAdvertised),
                            S(70, kLearn, {}, {kRemove, kMoved, kAdv}, "local:7", kAdvertised),
                            S(1000, kTimer, {}, {}, "local:7", kAdvertised),
                        }),
                 7, Dad(0, /*freeze=*/true, 180)));
  s.push_back(Sc("OperatorClearsWithoutRecoveryTimer",
                 Concat(FiveMovesEndingLocal(),
                        {
                            S(50, kLearn, {}, {kRemove, kMoved, kDup}, "local:5", kNotAdvertised),
                            S(100000, kTimer, {}, {}, "local:5", kNotAdvertised),
                            S(100001, kClear, {}, {kCleared, kAdv}, "local:5", kAdvertised),
                            S(100002, kClear, {}, {}, "local:5", kAdvertised),
                        }),
                 5, Dad(5, /*freeze=*/false, 0)));
  s.push_back(Sc(
      "OperatorClearsBeforeRecoveryTimer",
      Concat(
          FiveMovesEndingLocal(),
          {
              S(50, kLearn, {}, {kRemove, kMoved, kDup}, "local:5", kNotAdvertised, 230),
              S(60, kClear, {}, {kCleared, kAdv}, "local:5", kAdvertised),
              S(230, kTimer, {}, {}, "local:5", kAdvertised),
              // Detection counts afresh after a clear.
              S(240, kClaims, {R(kB, 6)}, {kAway, kInstall, kMoved}, "10.0.0.2:6", kNotAdvertised),
          }),
      6));
  return s;
}

class MobilityScenarioTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(MobilityScenarioTest, Steps) {
  const Scenario& sc = GetParam();
  const MobilityContext ctx = Context(sc.local_vtep, sc.dad);
  MacState state;
  for (size_t i = 0; i < sc.steps.size(); ++i) {
    const Step& step = sc.steps[i];
    SCOPED_TRACE(absl::StrCat("step ", i, " at t=", step.at));
    const MobilityDecisions got = Apply(state, step, ctx);
    EXPECT_EQ(Str(got), Str(step.want));
    EXPECT_EQ(Where(state), step.location);
    EXPECT_EQ(state.Advertised(), step.advertised);
    const std::optional<absl::Time> deadline = NextDeadline(state, ctx);
    if (step.deadline < 0) {
      EXPECT_EQ(deadline, std::nullopt);
    } else {
      EXPECT_EQ(deadline, T(step.deadline));
      EXPECT_EQ(state.duplicate_since + ctx.duplicate_detection.recovery, T(step.deadline));
    }
    if (step.local_sequence.has_value()) {
      EXPECT_EQ(state.local_sequence, *step.local_sequence);
    }
    // What is advertised is the local claim with the location's sequence number.
    if (state.Advertised() && state.location.has_value() && state.location->local) {
      EXPECT_EQ(state.location->sequence, state.local_sequence);
    }
    EXPECT_TRUE(
        std::is_sorted(state.remote_claims.begin(), state.remote_claims.end(),
                       [](const MacClaim& a, const MacClaim& b) { return a.vtep < b.vtep; }));
  }
  EXPECT_EQ(state.moves, sc.moves);
  EXPECT_EQ(state.history.size(), std::min<uint64_t>(sc.moves, MacState::kMaxHistory));
}

INSTANTIATE_TEST_SUITE_P(Scenarios, MobilityScenarioTest, ::testing::ValuesIn(Scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           return info.param.name;
                         });

// ---- single behaviours ----

TEST(MobilityTest, MoveHistoryRecordsEndpointsAndIsBounded) {
  const MobilityContext ctx = Context("10.0.0.1", Dad(0, false, 180));
  MacState s;
  OnLocalLearn(s, false, ctx, T(0));
  OnRemoteClaims(s, {R(kB, 1)}, ctx, T(1));
  ASSERT_EQ(s.history.size(), 1u);
  EXPECT_EQ(s.history.back(), (MoveRecord{T(1), Ip("10.0.0.1"), Ip(kB), 1}));
  OnRemoteClaims(s, {R(kB, 1), R(kC, 2)}, ctx, T(2));
  EXPECT_EQ(s.history.back(), (MoveRecord{T(2), Ip(kB), Ip(kC), 2}));
  OnLocalLearn(s, false, ctx, T(3));
  EXPECT_EQ(s.history.back(), (MoveRecord{T(3), Ip(kC), Ip("10.0.0.1"), 3}));
  // Twenty more moves: only the newest kMaxHistory are kept, newest last.
  for (int i = 0; i < 20; ++i) {
    OnRemoteClaims(s, {R(kB, s.local_sequence + 1)}, ctx, T(10 + 2 * i));
    OnLocalLearn(s, false, ctx, T(11 + 2 * i));
  }
  EXPECT_EQ(s.moves, 43u);
  ASSERT_EQ(s.history.size(), MacState::kMaxHistory);
  EXPECT_EQ(s.history.back().at, T(49));
  EXPECT_EQ(s.history.back().to, Ip("10.0.0.1"));
  EXPECT_EQ(s.history.front().at, T(49 - 15));
  EXPECT_FALSE(s.duplicate);
}

TEST(MobilityTest, NoDeadlineWithoutDuplicate) {
  const MobilityContext ctx = Context();
  MacState s;
  EXPECT_EQ(NextDeadline(s, ctx), std::nullopt);
  OnLocalLearn(s, false, ctx, T(0));
  EXPECT_EQ(NextDeadline(s, ctx), std::nullopt);
  EXPECT_TRUE(OnTimer(s, ctx, T(100000)).empty());
  EXPECT_TRUE(ClearDuplicate(s, ctx, T(100000)).empty());
  EXPECT_TRUE(s.Advertised());
}

TEST(MobilityTest, ToStringNamesEveryValue) {
  std::vector<std::string> names;
  for (size_t i = 0; i < kMobilityDecisionCount; ++i) {
    names.emplace_back(ToString(static_cast<MobilityDecision>(i)));
    EXPECT_NE(names.back(), "unknown") << i;
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
  EXPECT_EQ(ToString(OwnerReason::kHigherSequence), "higher-sequence");
  EXPECT_EQ(ToString(OwnerReason::kLowerVtepAddress), "lower-vtep-address");
}

// ---- convergence over interleavings ----

// One event seen by one VTEP: a remote VTEP's claim (or its withdrawal), or a local learn.
struct Event {
  std::string vtep;  // empty: local learn
  std::optional<MacClaim> claim;
};

Event Claim(absl::string_view vtep, uint32_t seq, bool sticky = false) {
  return {std::string(vtep), R(vtep, seq, sticky)};
}
Event Gone(absl::string_view vtep) { return {std::string(vtep), std::nullopt}; }
Event Learn() { return {"", std::nullopt}; }

// Property: over every interleaving of each event set (events of one remote VTEP stay in their
// order, as BGP delivers them), after every step the location is the owner that SelectMacOwner
// picks among the remote claims and our active claim, we advertise exactly when the MAC is
// ours, a local learn claims a sequence number after every remote one; and the final location
// is the same in every order whenever it cannot depend on when we learned.
TEST(MobilityConvergenceTest, LocationIsTheOwnerInEveryInterleaving) {
  const std::vector<std::vector<Event>> sets = {
      {Claim(kB, 1), Claim(kC, 1), Claim("10.0.0.4", kMax)},
      {Claim(kB, 1), Claim(kC, 1), Gone(kB), Claim("10.0.0.4", 0)},
      {Claim(kB, 1, true), Claim(kC, 5), Claim("10.0.0.4", 5), Claim(kC, 6)},
      {Claim(kB, 0), Claim(kC, 0), Claim("10.0.0.4", 0), Learn()},
      {Claim(kB, 3), Claim(kC, 2, true), Learn(), Claim(kB, 4)},
      {Claim(kB, kMax - 1), Claim(kC, kMax), Learn(), Claim("10.0.0.4", 0)},
      {Claim(kB, 2), Learn(), Gone(kB), Claim(kC, 2)},
  };
  const MobilityContext ctx = Context();
  for (size_t set = 0; set < sets.size(); ++set) {
    SCOPED_TRACE(absl::StrCat("set ", set));
    const std::vector<Event>& events = sets[set];
    const bool has_learn =
        std::any_of(events.begin(), events.end(), [](const Event& e) { return e.vtep.empty(); });
    std::vector<size_t> order(events.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::optional<std::string> final_location;
    int interleavings = 0;
    do {
      // Keep each VTEP's events in order.
      bool fifo = true;
      for (size_t i = 0; i < order.size() && fifo; ++i) {
        for (size_t j = i + 1; j < order.size(); ++j) {
          if (!events[order[i]].vtep.empty() && events[order[i]].vtep == events[order[j]].vtep &&
              order[i] > order[j]) {
            fifo = false;
          }
        }
      }
      if (!fifo) continue;
      ++interleavings;
      SCOPED_TRACE(absl::StrCat("order ", absl::StrJoin(order, ",")));
      MacState s;
      std::map<std::string, MacClaim> claims;
      for (size_t step = 0; step < order.size(); ++step) {
        const Event& e = events[order[step]];
        if (e.vtep.empty()) {
          OnLocalLearn(s, false, ctx, T(step));
          for (const auto& [vtep, c] : claims) {
            EXPECT_TRUE(SequenceAfter(s.local_sequence, c.sequence));
          }
        } else {
          if (e.claim.has_value()) {
            claims[e.vtep] = *e.claim;
          } else {
            claims.erase(e.vtep);
          }
          std::vector<MacClaim> now;
          for (const auto& [vtep, c] : claims) now.push_back(c);
          OnRemoteClaims(s, now, ctx, T(step));
        }
        std::vector<MacClaim> all = s.remote_claims;
        if (s.LocalActive())
          all.push_back(
              MacClaim{ctx.local_vtep, s.local_sequence, s.local->sticky, /*local=*/true});
        const OwnerSelection owner = SelectMacOwner(all);
        ASSERT_EQ(owner.winner.has_value(), s.location.has_value());
        if (owner.winner.has_value()) {
          const MacClaim& w = all[*owner.winner];
          EXPECT_EQ(*s.location, (MacLocation{w.vtep, w.local, w.sequence, w.sticky}));
        }
        EXPECT_EQ(s.Advertised(), s.location.has_value() && s.location->local);
        EXPECT_FALSE(s.duplicate);
      }
      if (!has_learn) {
        if (!final_location.has_value()) final_location = Where(s);
        EXPECT_EQ(Where(s), *final_location);
      } else if (events[order.back()].vtep.empty()) {
        // Learned last: ours, unless a static MAC lives elsewhere.
        const bool remote_sticky = std::any_of(claims.begin(), claims.end(),
                                               [](const auto& kv) { return kv.second.sticky; });
        EXPECT_EQ(s.Advertised(), !remote_sticky);
      }
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_GE(interleavings, 6);
  }
}

// A small fabric: every VTEP runs the rules on its own MacState and sends its claim (or the
// withdrawal of it) to the others whenever what it advertises changes. Messages on one link
// arrive in order; across links in any order.
class Fabric {
 public:
  struct Message {
    size_t from;
    size_t to;
    std::optional<MacClaim> claim;
  };

  explicit Fabric(std::vector<std::string> vteps) {
    for (const std::string& v : vteps) nodes_.push_back(Node{Context(v), {}, {}, {}});
  }

  // Learns the MAC at `node`; what it then sends is queued, not delivered.
  void Learn(size_t node, bool sticky, int64_t at) {
    OnLocalLearn(nodes_[node].state, sticky, nodes_[node].ctx, T(at));
    Announce(node);
  }
  void Deliver(const Message& m, int64_t at) {
    Node& n = nodes_[m.to];
    const std::string from = nodes_[m.from].ctx.local_vtep.ToString();
    if (m.claim.has_value()) {
      n.view[from] = *m.claim;
    } else {
      n.view.erase(from);
    }
    std::vector<MacClaim> claims;
    for (const auto& [vtep, c] : n.view) claims.push_back(c);
    OnRemoteClaims(n.state, claims, n.ctx, T(at));
    Announce(m.to);
  }
  // Delivers `first` in that order, then whatever that causes (and anything queued before),
  // until nothing is in flight. New sends go to the back, which keeps each link in order.
  void Run(const std::vector<Message>& first, int64_t at) {
    std::deque<Message> queue(first.begin(), first.end());
    queue.insert(queue.end(), pending_.begin(), pending_.end());
    pending_ = std::move(queue);
    for (int budget = 1000; !pending_.empty() && budget > 0; --budget) {
      const Message m = pending_.front();
      pending_.pop_front();
      Deliver(m, ++at);
    }
    ASSERT_TRUE(pending_.empty()) << "no quiescence";
  }
  std::vector<Message> TakePending() {
    std::vector<Message> out(pending_.begin(), pending_.end());
    pending_.clear();
    return out;
  }
  const MacState& state(size_t node) const { return nodes_[node].state; }
  size_t size() const { return nodes_.size(); }

 private:
  struct Node {
    MobilityContext ctx;
    MacState state;
    std::map<std::string, MacClaim> view;
    std::optional<MacClaim> sent;
  };

  void Announce(size_t node) {
    Node& n = nodes_[node];
    std::optional<MacClaim> now;
    if (n.state.Advertised()) {
      now = MacClaim{n.ctx.local_vtep, n.state.local_sequence, n.state.local->sticky, false};
    }
    if (now == n.sent) return;
    n.sent = now;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (i != node) pending_.push_back({node, i, now});
    }
  }

  std::vector<Node> nodes_;
  std::deque<Message> pending_;
};

// Property: three VTEPs learn the same MAC at once (none has heard of the others) and their
// six announcements arrive in every one of the 720 orders; every order converges to one owner
// that every VTEP agrees on and that alone advertises the MAC.
TEST(MobilityConvergenceTest, FabricAgreesOnOneOwnerAfterSimultaneousLearns) {
  struct Case {
    std::vector<bool> sticky;
    size_t owner;
  };
  const Case cases[] = {
      {{false, false, false}, 0},  // equal sequence numbers: lowest address
      {{false, false, true}, 2},   // the static MAC
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat("sticky ", absl::StrJoin(c.sticky, ",")));
    std::vector<Fabric::Message> first;
    {
      Fabric f({"10.0.0.1", "10.0.0.2", "10.0.0.3"});
      for (size_t i = 0; i < f.size(); ++i) f.Learn(i, c.sticky[i], 0);
      first = f.TakePending();
    }
    ASSERT_EQ(first.size(), 6u);
    std::vector<size_t> order = {0, 1, 2, 3, 4, 5};
    int orders = 0;
    do {
      SCOPED_TRACE(absl::StrCat("order ", absl::StrJoin(order, ",")));
      Fabric f({"10.0.0.1", "10.0.0.2", "10.0.0.3"});
      for (size_t i = 0; i < f.size(); ++i) f.Learn(i, c.sticky[i], 0);
      f.TakePending();
      std::vector<Fabric::Message> permuted;
      for (size_t i : order) permuted.push_back(first[i]);
      f.Run(permuted, 1);
      ++orders;
      for (size_t i = 0; i < f.size(); ++i) {
        const MacState& s = f.state(i);
        EXPECT_EQ(s.Advertised(), i == c.owner) << "VTEP " << i;
        ASSERT_TRUE(s.location.has_value());
        if (i == c.owner) {
          EXPECT_TRUE(s.location->local);
        } else {
          EXPECT_EQ(s.RemoteVtep(), Ip(absl::StrCat("10.0.0.", c.owner + 1))) << "VTEP " << i;
        }
      }
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(orders, 720);
  }
}

// Property: a VM moves from VTEP 1 to 2 and on to 3 while the announcements are in flight
// (3 learns before it heard of 2's learn, so 2 and 3 claim the same sequence number); once all
// is delivered, in any order, the fabric agrees on one owner, and when 3 then learns the MAC
// again (the VM sends traffic) everyone moves to 3.
TEST(MobilityConvergenceTest, FabricConvergesAfterRacingMoves) {
  std::vector<size_t> order = {0, 1, 2, 3};
  int orders = 0;
  do {
    SCOPED_TRACE(absl::StrCat("order ", absl::StrJoin(order, ",")));
    Fabric f({"10.0.0.1", "10.0.0.2", "10.0.0.3"});
    f.Learn(0, false, 0);
    f.Run(f.TakePending(), 0);
    f.Learn(1, false, 10);  // sequence 1
    f.Learn(2, false, 10);  // sequence 1 as well: it has not heard of 2's learn
    EXPECT_EQ(f.state(1).local_sequence, 1u);
    EXPECT_EQ(f.state(2).local_sequence, 1u);
    const std::vector<Fabric::Message> first = f.TakePending();
    ASSERT_EQ(first.size(), 4u);  // one per link: in any order
    std::vector<Fabric::Message> permuted;
    for (size_t i : order) permuted.push_back(first[i]);
    f.Run(permuted, 20);
    // Equal sequence numbers: VTEP 2 has the lower address.
    EXPECT_FALSE(f.state(0).Advertised());
    EXPECT_TRUE(f.state(1).Advertised());
    EXPECT_FALSE(f.state(2).Advertised());
    EXPECT_EQ(f.state(0).RemoteVtep(), Ip("10.0.0.2"));
    EXPECT_EQ(f.state(2).RemoteVtep(), Ip("10.0.0.2"));
    // The VM really is behind 3: it is learned there again, now with sequence 2.
    f.Learn(2, false, 100);
    f.Run(f.TakePending(), 100);
    EXPECT_TRUE(f.state(2).Advertised());
    EXPECT_EQ(f.state(2).local_sequence, 2u);
    EXPECT_FALSE(f.state(0).Advertised());
    EXPECT_FALSE(f.state(1).Advertised());
    EXPECT_EQ(f.state(0).RemoteVtep(), Ip("10.0.0.3"));
    EXPECT_EQ(f.state(1).RemoteVtep(), Ip("10.0.0.3"));
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 24);
}

}  // namespace
}  // namespace evpnd::evpn

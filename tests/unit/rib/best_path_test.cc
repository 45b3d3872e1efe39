// Unit tests for rib/best_path.h: each step of the decision process on its own (two paths that
// differ in one aspect, both argument orders, the reason reported), MED only within a
// neighbouring AS and the MED cycle the elimination procedure of RFC 4271 §9.1.2.2 resolves,
// and the property that the best path does not depend on the order paths arrive in: every
// permutation of up to 6 paths (OpenBSD bgpd's test_evaluate idea) and seeded random sets,
// both through SelectBestPath and through the Rib's UPDATE path.
#include "rib/best_path.h"

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "rib/rib.h"
#include "tests/unit/rib/rib_test_util.h"

namespace evpnd::rib {
namespace {

using test::Ip;

// An iBGP path from peer `peer` (address and router id 10.0.0.<peer>), AS_PATH [100], IGP.
Path MakePath(PeerId peer) {
  PathSource source;
  source.peer = peer;
  source.address = Ip(("10.0.0." + std::to_string(peer)).c_str());
  source.router_id = source.address.v4_host_order();
  source.peer_as = test::kLocalAs;
  Path p;
  p.source = Share(source);
  p.nlri_rest = NlriRest::Of(test::Type2(1));
  wire::PathAttributes a = test::Attrs("192.0.2.1", {100});
  p.attributes = ShareAttributes(a);
  return p;
}

// Changes the facts about the path's sender (shared, so copied first).
template <typename Fn>
void EditSource(Path& p, Fn fn) {
  PathSource source = *p.source;
  fn(source);
  p.source = Share(source);
}

template <typename Fn>
Path With(Path p, Fn fn) {
  wire::PathAttributes a = *p.attributes;
  fn(a);
  p.attributes = ShareAttributes(a);
  return p;
}

BestPathSelection Select(const std::vector<Path>& paths, BestPathPolicy policy = {}) {
  std::vector<const Path*> ptrs;
  for (const Path& p : paths) ptrs.push_back(&p);
  return *SelectBestPath(ptrs, policy);
}

// `winner` beats `loser` on `reason`, whichever comes first.
void ExpectWins(const Path& winner, const Path& loser, BestPathReason reason,
                BestPathPolicy policy = {}) {
  BestPathSelection s = Select({winner, loser}, policy);
  EXPECT_EQ(s.index, 0u);
  EXPECT_EQ(s.reason, reason) << ToString(s.reason);
  s = Select({loser, winner}, policy);
  EXPECT_EQ(s.index, 1u);
  EXPECT_EQ(s.reason, reason) << ToString(s.reason);
  EXPECT_EQ(ComparePaths(winner, loser, policy), (PathComparison{Winner::kFirst, reason}));
  EXPECT_EQ(ComparePaths(loser, winner, policy), (PathComparison{Winner::kSecond, reason}));
}

TEST(BestPathTest, NoPathsAndOnlyPath) {
  EXPECT_FALSE(SelectBestPath({}, {}).has_value());
  EXPECT_EQ(Select({MakePath(1)}).reason, BestPathReason::kOnlyPath);
}

TEST(BestPathTest, LocalRouteFirst) {
  Path local = MakePath(kLocalPeer);
  Path learned = With(MakePath(1), [](auto& a) { a.local_pref = 1000; });
  ExpectWins(local, learned, BestPathReason::kLocalRoute);
}

TEST(BestPathTest, FreshBeatsStale) {
  Path fresh = MakePath(2);
  Path stale = With(MakePath(1), [](auto& a) { a.local_pref = 1000; });
  stale.stale = true;
  ExpectWins(fresh, stale, BestPathReason::kNotStale);
}

TEST(BestPathTest, HigherLocalPref) {
  Path high = With(MakePath(2), [](auto& a) {
    a.local_pref = 200;
    a.as_path = test::Seq({1, 2, 3});
  });
  Path low = With(MakePath(1), [](auto& a) { a.local_pref = 150; });
  ExpectWins(high, low, BestPathReason::kLocalPref);
  // An iBGP path without LOCAL_PREF gets the default.
  Path none = MakePath(1);
  ExpectWins(With(MakePath(2), [](auto& a) { a.local_pref = 101; }), none,
             BestPathReason::kLocalPref);
}

TEST(BestPathTest, EbgpPathsGetTheConfiguredDefaultPreference) {
  Path ebgp = MakePath(2);
  EditSource(ebgp, [](PathSource& s) { s.ebgp = true; });
  Path ibgp = With(MakePath(1), [](auto& a) {
    a.local_pref = 150;
    a.as_path = test::Seq({1, 2, 3});
  });
  ExpectWins(ibgp, ebgp, BestPathReason::kLocalPref);
  ExpectWins(ebgp, ibgp, BestPathReason::kLocalPref, BestPathPolicy{200});
}

TEST(BestPathTest, ShorterAsPath) {
  Path shorter = With(MakePath(2), [](auto& a) { a.origin = wire::Origin::kIncomplete; });
  Path longer = With(MakePath(1), [](auto& a) { a.as_path = test::Seq({100, 200}); });
  ExpectWins(shorter, longer, BestPathReason::kAsPathLength);
  // RFC 4271 §9.1.2.2 (a): an AS_SET counts as 1.
  Path with_set = With(MakePath(1), [](auto& a) {
    a.as_path = wire::AsPath{
        {{wire::AsPathSegment::kAsSequence, {100}}, {wire::AsPathSegment::kAsSet, {1, 2, 3, 4}}}};
  });
  Path three = With(MakePath(2), [](auto& a) { a.as_path = test::Seq({100, 200, 300}); });
  ExpectWins(with_set, three, BestPathReason::kAsPathLength);
}

TEST(BestPathTest, LowerOrigin) {
  Path igp = With(MakePath(2), [](auto& a) { a.multi_exit_disc = 50; });
  Path egp = With(MakePath(1), [](auto& a) { a.origin = wire::Origin::kEgp; });
  Path incomplete = With(MakePath(1), [](auto& a) { a.origin = wire::Origin::kIncomplete; });
  ExpectWins(igp, egp, BestPathReason::kOrigin);
  ExpectWins(egp, incomplete, BestPathReason::kOrigin);
}

TEST(BestPathTest, LowerMedFromTheSameNeighbourAs) {
  Path low = With(MakePath(2), [](auto& a) { a.multi_exit_disc = 5; });
  Path high = With(MakePath(1), [](auto& a) { a.multi_exit_disc = 10; });
  ExpectWins(low, high, BestPathReason::kMed);
  // No MED is the lowest MED.
  ExpectWins(MakePath(2), high, BestPathReason::kMed);
}

TEST(BestPathTest, MedIsNotComparedAcrossNeighbourAses) {
  Path low_med = With(MakePath(2), [](auto& a) {
    a.multi_exit_disc = 5;
    a.as_path = test::Seq({200});
  });
  Path high_med = With(MakePath(1), [](auto& a) { a.multi_exit_disc = 10; });
  EXPECT_EQ(CompareByMed(low_med, high_med, {}).winner, Winner::kTie);
  // The lower router id decides instead.
  ExpectWins(high_med, low_med, BestPathReason::kRouterId);
}

TEST(BestPathTest, EbgpOverIbgp) {
  Path ebgp = MakePath(2);
  EditSource(ebgp, [](PathSource& s) { s.ebgp = true; });
  ExpectWins(ebgp, MakePath(1), BestPathReason::kEbgpOverIbgp);
}

TEST(BestPathTest, LowerRouterIdOrOriginatorId) {
  ExpectWins(MakePath(1), MakePath(2), BestPathReason::kRouterId);
  // RFC 4456 §9: ORIGINATOR_ID stands in for the BGP Identifier.
  Path reflected = With(MakePath(1), [](auto& a) { a.originator_id = test::Ip4("10.0.0.9"); });
  ExpectWins(MakePath(2), reflected, BestPathReason::kRouterId);
}

TEST(BestPathTest, ShorterClusterList) {
  Path one = With(MakePath(2), [](auto& a) {
    a.originator_id = 7;
    a.cluster_list = std::vector<uint32_t>{1};
  });
  Path two = With(MakePath(1), [](auto& a) {
    a.originator_id = 7;
    a.cluster_list = std::vector<uint32_t>{1, 2};
  });
  ExpectWins(one, two, BestPathReason::kClusterListLength);
}

TEST(BestPathTest, LowerPeerAddress) {
  Path a = MakePath(2);
  Path b = MakePath(1);
  // the same speaker over two sessions
  EditSource(b, [&](PathSource& s) { s.router_id = a.source->router_id; });
  EditSource(a, [](PathSource& s) { s.address = Ip("10.0.0.1"); });
  EditSource(b, [](PathSource& s) { s.address = Ip("10.0.0.2"); });
  ExpectWins(a, b, BestPathReason::kPeerAddress);
}

TEST(BestPathTest, PathIdBreaksTheLastTie) {
  Path a = MakePath(1);
  Path b = MakePath(1);
  a.path_id = 1;
  b.path_id = 2;
  ExpectWins(a, b, BestPathReason::kPathId);
}

TEST(BestPathTest, ReasonNamesAreStable) {
  EXPECT_EQ(ToString(BestPathReason::kOnlyPath), "only-path");
  EXPECT_EQ(ToString(BestPathReason::kNotStale), "not-stale");
  EXPECT_EQ(ToString(BestPathReason::kMed), "med");
  EXPECT_EQ(ToString(BestPathReason::kEbgpOverIbgp), "ebgp-over-ibgp");
  EXPECT_EQ(ToString(BestPathReason::kClusterListLength), "cluster-list-length");
}

// Pairwise, P1 beats P2 (router id), P2 beats P3 (router id), P3 beats P1 (MED, same AS): a
// comparator applied in arrival order would pick by order. Elimination removes P1 at the MED
// step, then P2 wins on router id, in every order.
TEST(BestPathTest, MedCycleIsResolvedByElimination) {
  Path p1 = With(MakePath(1), [](auto& a) { a.multi_exit_disc = 10; });
  Path p2 = With(MakePath(2), [](auto& a) { a.as_path = test::Seq({200}); });
  Path p3 = With(MakePath(3), [](auto& a) { a.multi_exit_disc = 5; });
  ASSERT_EQ(ComparePaths(p1, p2, {}).winner, Winner::kFirst);
  ASSERT_EQ(ComparePaths(p2, p3, {}).winner, Winner::kFirst);
  ASSERT_EQ(ComparePaths(p3, p1, {}).winner, Winner::kFirst);
  std::vector<Path> paths = {p1, p2, p3};
  std::vector<int> order = {0, 1, 2};
  do {
    std::vector<Path> arranged;
    for (int i : order) arranged.push_back(paths[i]);
    BestPathSelection s = Select(arranged);
    EXPECT_EQ(arranged[s.index].source->peer, 2u);
    EXPECT_EQ(s.reason, BestPathReason::kRouterId);
  } while (std::next_permutation(order.begin(), order.end()));
}

// ---- order independence ----

// A random path from peer `peer` drawn from small domains, so ties on early steps are common
// and every step gets to decide sometimes.
Path RandomPath(PeerId peer, std::mt19937& rng, bool allow_stale) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  Path p = MakePath(peer);
  EditSource(p, [&](PathSource& s) {
    s.ebgp = pick(3) == 0;
    s.router_id = 1 + static_cast<uint32_t>(pick(4));  // shared ids: later steps decide
  });
  p.stale = allow_stale && pick(5) == 0;
  return With(std::move(p), [&](wire::PathAttributes& a) {
    if (pick(2)) a.local_pref = 100 + 50 * static_cast<uint32_t>(pick(2));
    a.as_path = pick(2) ? test::Seq({100}) : test::Seq({200, 300});
    if (pick(3) == 0) a.as_path = test::Seq({200});
    a.origin = static_cast<wire::Origin>(pick(2));
    if (pick(3)) a.multi_exit_disc = 10 * static_cast<uint32_t>(pick(3));
    if (pick(2)) a.cluster_list = std::vector<uint32_t>(static_cast<size_t>(pick(3)), 9);
  });
}

PeerId BestPeer(const std::vector<Path>& paths) { return paths[Select(paths).index].source->peer; }

TEST(BestPathPropertyTest, SameBestForEveryPermutationOfUpToSixPaths) {
  std::mt19937 rng(4271);
  for (size_t n = 1; n <= 6; ++n) {
    for (int set = 0; set < 40; ++set) {
      std::vector<Path> paths;
      for (size_t i = 0; i < n; ++i) paths.push_back(RandomPath(PeerId(i + 1), rng, true));
      const PeerId expected = BestPeer(paths);
      const BestPathReason reason = Select(paths).reason;
      std::vector<size_t> order(n);
      for (size_t i = 0; i < n; ++i) order[i] = i;
      do {
        std::vector<Path> arranged;
        for (size_t i : order) arranged.push_back(paths[i]);
        ASSERT_EQ(BestPeer(arranged), expected) << "n=" << n << " set=" << set;
        ASSERT_EQ(Select(arranged).reason, reason);
      } while (std::next_permutation(order.begin(), order.end()));
    }
  }
}

TEST(BestPathPropertyTest, SameBestForRandomOrdersOfLargerSets) {
  std::mt19937 rng(7432);
  for (int set = 0; set < 200; ++set) {
    const size_t n = 7 + rng() % 10;
    std::vector<Path> paths;
    for (size_t i = 0; i < n; ++i) paths.push_back(RandomPath(PeerId(i + 1), rng, true));
    const PeerId expected = BestPeer(paths);
    for (int shuffle = 0; shuffle < 50; ++shuffle) {
      std::shuffle(paths.begin(), paths.end(), rng);
      ASSERT_EQ(BestPeer(paths), expected) << "set " << set;
    }
  }
}

// The same property end to end: UPDATEs from n peers, applied in every order into a Rib, with
// and without decisions in between, install the same best path.
PeerInfo PeerFor(const Path& p) {
  PeerInfo info = p.source->ebgp ? test::Ebgp(p.source->peer, 65000 + p.source->peer)
                                 : test::Ibgp(p.source->peer);
  info.router_id = p.source->router_id;
  info.allowas_in = 10;
  return info;
}

PeerId BestInRib(const std::vector<Path>& paths, const std::vector<size_t>& order,
                 bool decide_each_time) {
  Rib rib(test::Config());
  for (const Path& p : paths) EXPECT_TRUE(rib.AddPeer(PeerFor(p)).ok());
  for (size_t i : order) {
    wire::PathAttributes a = *paths[i].attributes;
    EXPECT_TRUE(rib.ApplyUpdate(paths[i].source->peer, test::Announce(a, {test::Type2(1)}),
                                wire::ErrorAction::kNone)
                    .ok());
    if (decide_each_time) rib.RunDecision(100);
  }
  rib.RunDecision(100);
  PathPtr best = rib.BestPath(RouteKey::ForEvpn(test::Type2(1)));
  return best == nullptr ? kLocalPeer : best->source->peer;
}

TEST(BestPathPropertyTest, RibInstallsTheSameBestInEveryArrivalOrder) {
  std::mt19937 rng(4456);
  for (size_t n = 2; n <= 5; ++n) {
    for (int set = 0; set < 10; ++set) {
      std::vector<Path> paths;
      for (size_t i = 0; i < n; ++i) {
        Path p = RandomPath(PeerId(i + 1), rng, false);
        // What the Rib would store: eBGP paths lose LOCAL_PREF and reflection attributes and
        // carry their neighbour's AS first.
        if (p.source->ebgp) {
          const uint32_t neighbour_as = 65000 + p.source->peer;
          p = With(std::move(p), [&](wire::PathAttributes& a) {
            a.local_pref.reset();
            a.cluster_list.reset();
            a.as_path = test::Seq({neighbour_as, 300});
          });
        }
        paths.push_back(std::move(p));
      }
      std::vector<size_t> order(n);
      for (size_t i = 0; i < n; ++i) order[i] = i;
      const PeerId expected = BestInRib(paths, order, false);
      do {
        ASSERT_EQ(BestInRib(paths, order, false), expected);
        ASSERT_EQ(BestInRib(paths, order, true), expected);
      } while (std::next_permutation(order.begin(), order.end()));
    }
  }
}

}  // namespace
}  // namespace evpnd::rib

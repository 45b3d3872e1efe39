// Unit tests for rib/rib.h: filing announcements and withdrawals (implicit replacement, budgeted
// decisions and the changes they report), attribute interning, the RFC 7606 actions
// (treat-as-withdraw keeps the session and withdraws every NLRI; AFI/SAFI disable drops the
// family and ignores it afterwards; session reset is refused), loop prevention (AS_PATH with
// allowas-in per RFC 4271 §9.1.2, ORIGINATOR_ID and CLUSTER_LIST per RFC 4456 §8), attributes
// an external peer may not send (RFC 7606 §7.5, §7.9, §7.10), 4-octet AS paths from a 2-octet
// peer (RFC 6793 §4.2.3), graceful-restart stale marking and sweeping (RFC 4724 §4.2), local
// origination and per-peer counts.
#include "rib/rib.h"

#include <memory>
#include <random>

#include "gtest/gtest.h"
#include "tests/unit/rib/rib_test_util.h"

namespace evpnd::rib {
namespace {

using test::Announce;
using test::Attrs;
using test::Ip;
using test::Type2;
using test::Withdraw;

constexpr auto kNone = wire::ErrorAction::kNone;

RouteKey Key(const evpn::EvpnRoute& route) { return RouteKey::ForEvpn(route); }

class RibTest : public ::testing::Test {
 protected:
  RibTest() : rib_(test::Config()) {
    EXPECT_TRUE(rib_.AddPeer(test::Ibgp(1)).ok());
    EXPECT_TRUE(rib_.AddPeer(test::Ibgp(2)).ok());
    EXPECT_TRUE(rib_.AddPeer(test::Ebgp(3, 65003)).ok());
  }

  UpdateResult Apply(PeerId peer, const wire::UpdateMessage& u, wire::ErrorAction action = kNone) {
    auto r = rib_.ApplyUpdate(peer, u, action);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : UpdateResult{};
  }
  std::vector<BestPathChange> Decide() { return rib_.RunDecision(1000000); }
  PeerId BestPeer(const evpn::EvpnRoute& route) {
    PathPtr best = rib_.BestPath(Key(route));
    return best == nullptr ? PeerId(999) : best->source->peer;
  }

  Rib rib_;
};

TEST_F(RibTest, AnnounceDecideWithdraw) {
  UpdateResult r = Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2)}));
  EXPECT_EQ(r.announced, 2u);
  EXPECT_EQ(rib_.pending_decisions(), 2u);
  EXPECT_EQ(rib_.BestPath(Key(Type2(1))), nullptr);  // not decided yet
  std::vector<BestPathChange> changes = Decide();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].previous, nullptr);
  EXPECT_EQ(changes[0].current->source->peer, 1u);
  EXPECT_EQ(changes[0].reason, BestPathReason::kOnlyPath);
  EXPECT_EQ(rib_.loc_rib().size(), 2u);
  EXPECT_EQ(rib_.best_routes(2), 2u);
  EXPECT_EQ(rib_.best_routes(3), 0u);

  r = Apply(1, Withdraw({Type2(1)}));
  EXPECT_EQ(r.withdrawn, 1u);
  // Until decided, the Loc-RIB still shows the installed best.
  EXPECT_NE(rib_.BestPath(Key(Type2(1))), nullptr);
  changes = Decide();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].key, Key(Type2(1)));
  EXPECT_NE(changes[0].previous, nullptr);
  EXPECT_EQ(changes[0].current, nullptr);
  EXPECT_EQ(rib_.loc_rib().size(), 1u);
  EXPECT_EQ(rib_.best_routes(2), 1u);
  // Withdrawing what is not there changes nothing.
  EXPECT_EQ(Apply(1, Withdraw({Type2(1)})).withdrawn, 0u);
  EXPECT_TRUE(Decide().empty());
}

TEST_F(RibTest, ReannouncementReplacesAndOnlyRealChangesAreReported) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}));
  Decide();
  // Same route, same attributes: filed again but the best path is the same advertisement.
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}));
  EXPECT_TRUE(Decide().empty());
  // A new label is a new advertisement (labels are attributes of the route, not key).
  evpn::MacIpAdvertisementRoute relabelled = Type2(1);
  relabelled.label1 = evpn::Label::FromVni(20200);
  Apply(1, Announce(Attrs("192.0.2.1"), {relabelled}));
  auto changes = Decide();
  ASSERT_EQ(changes.size(), 1u);
  const RouteNlri nlri = changes[0].current->Nlri(changes[0].key);
  EXPECT_EQ(std::get<evpn::MacIpAdvertisementRoute>(std::get<evpn::EvpnRoute>(nlri)).label1,
            evpn::Label::FromVni(20200));
  EXPECT_EQ(rib_.Find(Key(Type2(1)))->paths.size(), 1u);
  // A new next hop likewise.
  Apply(1, Announce(Attrs("192.0.2.9"), {Type2(1)}));
  changes = Decide();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].current->NextHop(), Ip("192.0.2.9"));
}

TEST_F(RibTest, DecisionsAreBudgeted) {
  std::vector<evpn::EvpnRoute> routes;
  for (uint32_t i = 0; i < 10; ++i) routes.push_back(Type2(i));
  Apply(1, Announce(Attrs("192.0.2.1"), routes));
  EXPECT_EQ(rib_.RunDecision(4).size(), 4u);
  EXPECT_EQ(rib_.pending_decisions(), 6u);
  EXPECT_EQ(rib_.RunDecision(100).size(), 6u);
  EXPECT_EQ(rib_.pending_decisions(), 0u);
}

TEST_F(RibTest, BestPathChangesBetweenPeers) {
  Apply(2, Announce(Attrs("192.0.2.2"), {Type2(1)}));
  Decide();
  wire::PathAttributes preferred = Attrs("192.0.2.1");
  preferred.local_pref = 200;
  Apply(1, Announce(preferred, {Type2(1)}));
  auto changes = Decide();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].previous->source->peer, 2u);
  EXPECT_EQ(changes[0].current->source->peer, 1u);
  EXPECT_EQ(changes[0].reason, BestPathReason::kLocalPref);
  EXPECT_EQ(rib_.Find(Key(Type2(1)))->reason, BestPathReason::kLocalPref);
  Apply(1, Withdraw({Type2(1)}));
  changes = Decide();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].current->source->peer, 2u);
  EXPECT_EQ(changes[0].reason, BestPathReason::kOnlyPath);
  // A change of best path is still one route.
  EXPECT_EQ(rib_.best_routes(2), 1u);
  Apply(2, Withdraw({Type2(1)}));
  Decide();
  EXPECT_EQ(rib_.best_routes(2), 0u);
}

TEST_F(RibTest, PeerPathsLeaveInSlices) {
  std::vector<evpn::EvpnRoute> routes;
  for (uint32_t i = 0; i < 10; ++i) routes.push_back(Type2(i));
  Apply(1, Announce(Attrs("192.0.2.1"), routes));
  Apply(2, Announce(Attrs("192.0.2.2"), {Type2(0)}));
  Decide();
  ASSERT_EQ(rib_.best_routes(2), 10u);
  EXPECT_EQ(*rib_.RemovePeerPaths(1, 4), 6u);
  EXPECT_NE(rib_.FindPeer(1), nullptr);  // not gone while paths are left
  EXPECT_EQ(rib_.Counts(1)->received, 6u);
  EXPECT_EQ(*rib_.RemovePeerPaths(1, 4), 2u);
  EXPECT_EQ(*rib_.RemovePeerPaths(1, 4), 0u);
  EXPECT_EQ(rib_.FindPeer(1), nullptr);
  EXPECT_FALSE(rib_.RemovePeerPaths(1, 4).ok());
  Decide();
  // Only peer 2's route is left, now best.
  EXPECT_EQ(rib_.best_routes(2), 1u);
  EXPECT_EQ(BestPeer(Type2(0)), 2u);
}

// Counts() is kept as paths come and go; here it is checked against a walk of the Loc-RIB after
// every decision, through random announcements, withdrawals, graceful-restart marking and
// sweeping, sliced removals and re-added peers.
PeerRouteCounts Walk(const Rib& rib, PeerId peer) {
  PeerRouteCounts c;
  for (const auto& [key, entry] : rib.loc_rib()) {
    for (const PathPtr& p : entry.paths) {
      if (p->source->peer != peer) continue;
      ++c.received;
      if (p->stale) ++c.stale;
      if (p == entry.best) ++c.best;
    }
  }
  return c;
}

class RibCountsTest : public RibTest, public ::testing::WithParamInterface<uint32_t> {};

TEST_P(RibCountsTest, CountsStayEqualToAWalkOfTheLocRib) {
  std::mt19937 rng(GetParam());
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  for (int step = 0; step < 3000; ++step) {
    const PeerId peer = 1 + pick(2);
    switch (pick(8)) {
      case 0: case 1: case 2: {
        wire::PathAttributes a = Attrs(pick(2) ? "192.0.2.1" : "192.0.2.2");
        a.local_pref = 100 + pick(3);
        Apply(peer, Announce(a, {Type2(pick(20))}));
        break;
      }
      case 3: case 4:
        Apply(peer, Withdraw({Type2(pick(20))}));
        break;
      case 5:
        if (rib_.FindPeer(peer) != nullptr) (void)rib_.MarkStale(peer);
        break;
      case 6:
        if (rib_.FindPeer(peer) != nullptr) (void)rib_.SweepStale(peer);
        break;
      case 7:
        if (rib_.FindPeer(peer) != nullptr) {
          (void)rib_.RemovePeerPaths(peer, 1 + pick(5));
        }
        if (rib_.FindPeer(peer) == nullptr) {
          ASSERT_TRUE(rib_.AddPeer(test::Ibgp(peer)).ok());
        }
        break;
    }
    if (pick(3) == 0) {
      Decide();
      for (PeerId p : {PeerId(1), PeerId(2)}) {
        if (rib_.FindPeer(p) == nullptr) continue;
        const PeerRouteCounts want = Walk(rib_, p);
        const PeerRouteCounts got = *rib_.Counts(p);
        ASSERT_EQ(got.received, want.received) << "step " << step << " peer " << p;
        ASSERT_EQ(got.best, want.best) << "step " << step << " peer " << p;
        ASSERT_EQ(got.stale, want.stale) << "step " << step << " peer " << p;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RibCountsTest, ::testing::Range(1u, 21u));

TEST_F(RibTest, IdenticalAttributesAreStoredOnce) {
  std::vector<evpn::EvpnRoute> first;
  std::vector<evpn::EvpnRoute> second;
  for (uint32_t i = 0; i < 100; ++i) first.push_back(Type2(i));
  for (uint32_t i = 100; i < 200; ++i) second.push_back(Type2(i));
  Apply(1, Announce(Attrs("192.0.2.1"), first));
  // Another UPDATE, same attributes but received in another order (layout differs).
  wire::PathAttributes same = Attrs("192.0.2.1");
  same.layout = {{wire::kAttrOrigin, 0x40}, {wire::kAttrMpReachNlri, 0x90}};
  Apply(1, Announce(same, second));
  Decide();
  const wire::PathAttributes* shared = rib_.BestPath(Key(Type2(0)))->attributes.get();
  for (uint32_t i = 0; i < 200; ++i) {
    ASSERT_EQ(rib_.BestPath(Key(Type2(i)))->attributes.get(), shared);
  }
  // One reference per path (the installed best shares the Path itself) plus the intern table.
  EXPECT_EQ(rib_.BestPath(Key(Type2(0)))->attributes->use_count(), 201u);
  EXPECT_EQ(rib_.interned_attribute_sets(), 1u);
  // The interned copy carries no NLRI.
  EXPECT_TRUE(shared->mp_reach->evpn_routes.empty());
  EXPECT_EQ(shared->mp_reach->NextHopAddress(), Ip("192.0.2.1"));
  // Different attributes: a second set.
  Apply(2, Announce(Attrs("192.0.2.2"), {Type2(0)}));
  EXPECT_EQ(rib_.interned_attribute_sets(), 2u);
}

TEST_F(RibTest, TreatAsWithdrawWithdrawsEveryNlriOfTheUpdate) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2), Type2(3)}));
  Decide();
  // A malformed UPDATE announcing 1 and 2 (and withdrawing 3): all three go.
  wire::UpdateMessage bad = Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2)});
  bad.attributes.mp_unreach = Withdraw({Type2(3)}).attributes.mp_unreach;
  UpdateResult r = Apply(1, bad, wire::ErrorAction::kTreatAsWithdraw);
  EXPECT_EQ(r.withdrawn, 3u);
  EXPECT_EQ(r.announced, 0u);
  EXPECT_EQ(r.first_reject, RouteRejectReason::kTreatAsWithdraw);
  Decide();
  EXPECT_TRUE(rib_.loc_rib().empty());
  // The session stays: later UPDATEs are filed.
  EXPECT_EQ(Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)})).announced, 1u);
}

TEST_F(RibTest, AttributeDiscardFilesTheRoutes) {
  EXPECT_EQ(Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}), wire::ErrorAction::kAttributeDiscard)
                .announced,
            1u);
}

TEST_F(RibTest, AfiSafiDisableDropsTheFamilyForTheSession) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2)}));
  Apply(2, Announce(Attrs("192.0.2.2"), {Type2(1)}));
  Decide();
  // The decoder's outcome names the family (the MP_REACH_NLRI itself was unparsable).
  wire::DecodeOutcome<wire::UpdateMessage> outcome;
  outcome.errors.push_back(wire::WireError{wire::ErrorAction::kAfiSafiDisable,
                                           3,
                                           9,
                                           {},
                                           wire::kAttrMpReachNlri,
                                           wire::kL2vpnEvpn,
                                           "bad"});
  auto r = rib_.ApplyUpdate(1, outcome);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->withdrawn, 2u);
  EXPECT_EQ(r->disabled_family, wire::kL2vpnEvpn);
  Decide();
  EXPECT_EQ(BestPeer(Type2(1)), 2u);
  EXPECT_EQ(rib_.BestPath(Key(Type2(2))), nullptr);
  // Ignored for the rest of the session.
  UpdateResult later = Apply(1, Announce(Attrs("192.0.2.1"), {Type2(3)}));
  EXPECT_EQ(later.announced, 0u);
  EXPECT_EQ(later.first_reject, RouteRejectReason::kFamilyDisabled);
  // A new session enables it again.
  ASSERT_TRUE(rib_.AddPeer(test::Ibgp(1)).ok());
  EXPECT_EQ(Apply(1, Announce(Attrs("192.0.2.1"), {Type2(3)})).announced, 1u);
}

TEST_F(RibTest, AfiSafiDisableWithoutAFamilyIsAnError) {
  EXPECT_EQ(rib_.ApplyUpdate(1, wire::UpdateMessage{}, wire::ErrorAction::kAfiSafiDisable)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // With MP attributes present their family is used.
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}));
  auto r = rib_.ApplyUpdate(1, Withdraw({}), wire::ErrorAction::kAfiSafiDisable);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->withdrawn, 1u);
}

TEST_F(RibTest, SessionResetIsRefusedAndUnknownPeersAreErrors) {
  EXPECT_EQ(
      rib_.ApplyUpdate(1, Withdraw({Type2(1)}), wire::ErrorAction::kSessionReset).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(rib_.ApplyUpdate(42, Withdraw({Type2(1)}), kNone).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(rib_.AddPeer(test::Ibgp(0)).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RibTest, AsLoopIsRejectedUnlessAllowasInPermits) {
  // eBGP peer 3 sends a path that already went through our AS.
  UpdateResult r =
      Apply(3, Announce(Attrs("192.0.2.3", {65003, test::kLocalAs, 65009}), {Type2(1)}));
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.first_reject, RouteRejectReason::kAsLoop);
  EXPECT_EQ(rib_.Counts(3)->rejected[0], 1u);

  PeerInfo tolerant = test::Ebgp(3, 65003);
  tolerant.allowas_in = 1;
  ASSERT_TRUE(rib_.AddPeer(tolerant).ok());
  EXPECT_EQ(Apply(3, Announce(Attrs("192.0.2.3", {65003, test::kLocalAs}), {Type2(1)})).announced,
            1u);
  Decide();
  EXPECT_EQ(BestPeer(Type2(1)), 3u);
  // Twice is once too many; the refused announcement also removes the earlier path.
  r = Apply(3, Announce(Attrs("192.0.2.3", {65003, test::kLocalAs, test::kLocalAs}), {Type2(1)}));
  EXPECT_EQ(r.first_reject, RouteRejectReason::kAsLoop);
  Decide();
  EXPECT_EQ(rib_.BestPath(Key(Type2(1))), nullptr);
}

TEST_F(RibTest, OriginatorIdAndClusterListLoopsAreRejected) {
  wire::PathAttributes ours = Attrs("192.0.2.1");
  ours.originator_id = test::Config().router_id;
  EXPECT_EQ(Apply(1, Announce(ours, {Type2(1)})).first_reject,
            RouteRejectReason::kOriginatorIdLoop);
  wire::PathAttributes looped = Attrs("192.0.2.1");
  looped.originator_id = test::Ip4("10.0.0.7");
  looped.cluster_list = std::vector<uint32_t>{1, test::Config().ClusterId()};
  EXPECT_EQ(Apply(1, Announce(looped, {Type2(1)})).first_reject,
            RouteRejectReason::kClusterListLoop);
  looped.cluster_list = std::vector<uint32_t>{1, 2};
  EXPECT_EQ(Apply(1, Announce(looped, {Type2(1)})).announced, 1u);
}

TEST_F(RibTest, ExternalPeersCannotSetLocalPrefOrReflectionAttributes) {
  wire::PathAttributes a = Attrs("192.0.2.3", {65003});
  a.local_pref = 500;
  a.originator_id = 77;
  a.cluster_list = std::vector<uint32_t>{5};
  Apply(3, Announce(a, {Type2(1)}));
  Decide();
  const auto& stored = *rib_.BestPath(Key(Type2(1)))->attributes;
  EXPECT_FALSE(stored.local_pref.has_value());
  EXPECT_FALSE(stored.originator_id.has_value());
  EXPECT_FALSE(stored.cluster_list.has_value());
  // Internal peers may.
  Apply(1, Announce(a, {Type2(2)}));
  Decide();
  EXPECT_EQ(rib_.BestPath(Key(Type2(2)))->attributes->local_pref, 500u);
}

TEST_F(RibTest, As4PathFromATwoOctetPeerIsMerged) {
  PeerInfo old_speaker = test::Ebgp(4, 65004);
  old_speaker.send_context.four_octet_as = false;
  ASSERT_TRUE(rib_.AddPeer(old_speaker).ok());
  wire::PathAttributes a = Attrs("192.0.2.4", {65004, wire::kAsTrans, 65005});
  a.as4_path = test::Seq({4200000001, 65005});
  Apply(4, Announce(a, {Type2(1)}));
  Decide();
  const auto& stored = *rib_.BestPath(Key(Type2(1)))->attributes;
  EXPECT_EQ(stored.as_path, test::Seq({65004, 4200000001, 65005}));
  EXPECT_FALSE(stored.as4_path.has_value());
}

TEST_F(RibTest, StalePathsLoseToFreshOnesAndAreSwept) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2), Type2(3)}));
  wire::PathAttributes worse = Attrs("192.0.2.2");
  worse.local_pref = 50;
  Apply(2, Announce(worse, {Type2(1)}));
  Decide();
  EXPECT_EQ(BestPeer(Type2(1)), 1u);

  // Peer 1 restarts: its paths are kept but stale, and the fresh (worse) path takes over.
  EXPECT_EQ(*rib_.MarkStale(1), 3u);
  Decide();
  EXPECT_EQ(BestPeer(Type2(1)), 2u);
  EXPECT_EQ(rib_.Find(Key(Type2(1)))->reason, BestPathReason::kNotStale);
  EXPECT_EQ(BestPeer(Type2(2)), 1u);  // stale but the only path: still used
  EXPECT_EQ(rib_.Counts(1)->stale, 3u);

  // After the restart it re-announces route 1 only: fresh again, and best again.
  ASSERT_TRUE(rib_.AddPeer(test::Ibgp(1)).ok());
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}));
  Decide();
  EXPECT_EQ(BestPeer(Type2(1)), 1u);
  EXPECT_EQ(rib_.Counts(1)->stale, 2u);

  // End-of-RIB sweeps what is still stale.
  UpdateResult eor = Apply(1, wire::UpdateMessage::EndOfRib(wire::kL2vpnEvpn));
  EXPECT_EQ(eor.end_of_rib, wire::kL2vpnEvpn);
  EXPECT_EQ(eor.swept, 2u);
  Decide();
  EXPECT_EQ(rib_.BestPath(Key(Type2(2))), nullptr);
  EXPECT_EQ(rib_.Counts(1)->received, 1u);
}

TEST_F(RibTest, PathsKeptThroughARestartTakeTheNewSessionsFacts) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}));
  ASSERT_TRUE(rib_.MarkStale(1).ok());
  PeerInfo renumbered = test::Ibgp(1);
  renumbered.router_id = test::Ip4("10.0.0.77");
  ASSERT_TRUE(rib_.AddPeer(renumbered).ok());
  Decide();
  PathPtr best = rib_.BestPath(Key(Type2(1)));
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->source->router_id, test::Ip4("10.0.0.77"));
  EXPECT_TRUE(best->stale);
}

// A session's paths share one record of its facts (memory: a million paths, one record); a
// session back with the same facts keeps it, one with new facts replaces it in every kept path.
TEST_F(RibTest, PathsOfASessionShareItsSource) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2)}));
  Apply(2, Announce(Attrs("192.0.2.2"), {Type2(3)}));
  Decide();
  const PathSource* first = rib_.BestPath(Key(Type2(1)))->source.get();
  EXPECT_EQ(rib_.BestPath(Key(Type2(2)))->source.get(), first);
  EXPECT_NE(rib_.BestPath(Key(Type2(3)))->source.get(), first);

  ASSERT_TRUE(rib_.MarkStale(1).ok());
  ASSERT_TRUE(rib_.AddPeer(test::Ibgp(1)).ok());  // the same facts
  Decide();
  EXPECT_EQ(rib_.BestPath(Key(Type2(1)))->source.get(), first);

  PeerInfo rr_client = test::Ibgp(1);
  rr_client.route_reflector_client = true;
  ASSERT_TRUE(rib_.AddPeer(rr_client).ok());
  Decide();
  const PathSource* second = rib_.BestPath(Key(Type2(1)))->source.get();
  EXPECT_NE(second, first);
  EXPECT_TRUE(second->rr_client);
  EXPECT_EQ(rib_.BestPath(Key(Type2(2)))->source.get(), second);
  // New paths of the session take it as well.
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(4)}));
  Decide();
  EXPECT_EQ(rib_.BestPath(Key(Type2(4)))->source.get(), second);
}

TEST_F(RibTest, SweepStaleOnTimer) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2)}));
  EXPECT_EQ(*rib_.MarkStale(1), 2u);
  EXPECT_EQ(*rib_.MarkStale(1), 0u);  // already stale
  EXPECT_EQ(*rib_.SweepStale(1), 2u);
  Decide();
  EXPECT_TRUE(rib_.loc_rib().empty());
  EXPECT_EQ(rib_.SweepStale(42).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RibTest, RemovePeerWithdrawsEverything) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2)}));
  Apply(2, Announce(Attrs("192.0.2.2"), {Type2(1)}));
  Decide();
  ASSERT_TRUE(rib_.RemovePeer(1).ok());
  auto changes = Decide();
  EXPECT_EQ(changes.size(), 2u);
  EXPECT_EQ(BestPeer(Type2(1)), 2u);
  EXPECT_EQ(rib_.BestPath(Key(Type2(2))), nullptr);
  EXPECT_EQ(rib_.FindPeer(1), nullptr);
  EXPECT_EQ(rib_.Peers(), (std::vector<PeerId>{2, 3}));
}

TEST_F(RibTest, LocalRoutesWinAndCanBeWithdrawn) {
  wire::PathAttributes learned = Attrs("192.0.2.1");
  learned.local_pref = 1000;
  Apply(1, Announce(learned, {Type2(1)}));
  wire::PathAttributes mine;
  rib_.Originate(Type2(1), mine, Ip("192.0.2.100"));
  Decide();
  PathPtr best = rib_.BestPath(Key(Type2(1)));
  ASSERT_NE(best, nullptr);
  EXPECT_TRUE(best->source->local());
  EXPECT_EQ(best->NextHop(), Ip("192.0.2.100"));
  EXPECT_EQ(best->attributes->origin, wire::Origin::kIgp);
  EXPECT_EQ(rib_.Find(Key(Type2(1)))->reason, BestPathReason::kLocalRoute);
  EXPECT_TRUE(rib_.WithdrawLocal(Type2(1)));
  EXPECT_FALSE(rib_.WithdrawLocal(Type2(1)));
  Decide();
  EXPECT_EQ(BestPeer(Type2(1)), 1u);
  EXPECT_EQ(rib_.Counts(kLocalPeer)->received, 0u);
}

TEST_F(RibTest, CountsPerPeer) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1), Type2(2)}));
  wire::PathAttributes better = Attrs("192.0.2.2");
  better.local_pref = 300;
  Apply(2, Announce(better, {Type2(1)}));
  Apply(3, Announce(Attrs("192.0.2.3", {65003, test::kLocalAs}), {Type2(5)}));
  Decide();
  PeerRouteCounts one = *rib_.Counts(1);
  EXPECT_EQ(one.received, 2u);
  EXPECT_EQ(one.best, 1u);
  EXPECT_EQ(rib_.Counts(2)->best, 1u);
  EXPECT_EQ(rib_.Counts(3)->rejected[static_cast<size_t>(RouteRejectReason::kAsLoop)], 1u);
  EXPECT_EQ(ToString(RouteRejectReason::kClusterListLoop), "cluster-list-loop");
}

TEST_F(RibTest, UnsupportedFamiliesAreCountedNotFiled) {
  wire::UpdateMessage ipv4;
  ipv4.attributes.origin = wire::Origin::kIgp;
  ipv4.attributes.as_path = wire::AsPath{};
  ipv4.attributes.next_hop = test::Ip4("10.0.0.1");
  ipv4.nlri.push_back({std::nullopt, *evpn::IpPrefix::Parse("10.9.0.0/16")});
  UpdateResult r = Apply(1, ipv4);
  EXPECT_EQ(r.first_reject, RouteRejectReason::kUnsupportedFamily);
  EXPECT_TRUE(rib_.loc_rib().empty());
}


// ---- automatic route filtering (SetEvpnImportFilter) ----

class EvpnImportFilterTest : public ::testing::Test {
 protected:
  EvpnImportFilterTest() : rib_(test::Config()) {
    EXPECT_TRUE(rib_.AddPeer(test::Ibgp(1)).ok());
  }
  UpdateResult Apply(const wire::UpdateMessage& u) {
    auto r = rib_.ApplyUpdate(1, u, wire::ErrorAction::kNone);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : UpdateResult{};
  }
  static wire::PathAttributes WithRt(uint32_t vni) {
    wire::PathAttributes a = test::Attrs("192.0.2.1");
    a.extended_communities =
        std::vector<evpn::ExtendedCommunity>{evpn::RouteTarget::ForVni(test::kLocalAs, vni)};
    return a;
  }
  uint64_t Filtered() {
    return rib_.Counts(1)->rejected[static_cast<size_t>(RouteRejectReason::kRouteTargetFiltered)];
  }
  Rib rib_;
};

TEST_F(EvpnImportFilterTest, OnlyRoutesWithAnImportedRouteTargetAreFiled) {
  rib_.SetEvpnImportFilter(std::vector<evpn::RouteTarget>{
      evpn::RouteTarget::ForVni(test::kLocalAs, 300),
      evpn::RouteTarget::ForVni(test::kLocalAs, 100),
      evpn::RouteTarget::ForVni(test::kLocalAs, 100)});
  ASSERT_TRUE(rib_.evpn_import_filter().has_value());
  EXPECT_EQ(rib_.evpn_import_filter()->size(), 2u);  // sorted, unique
  EXPECT_EQ(Apply(test::Announce(WithRt(100), {test::Type2(1), test::Type2(2)})).announced, 2u);
  UpdateResult r = Apply(test::Announce(WithRt(200), {test::Type2(3), test::Type3("192.0.2.1:200",
                                                                                   "192.0.2.1")}));
  EXPECT_EQ(r.announced, 0u);
  EXPECT_EQ(r.rejected, 2u);
  EXPECT_EQ(r.first_reject, RouteRejectReason::kRouteTargetFiltered);
  // No route target at all: nothing imports it either.
  wire::PathAttributes bare = test::Attrs("192.0.2.1");
  bare.extended_communities.reset();
  EXPECT_EQ(Apply(test::Announce(bare, {test::Type2(4)})).rejected, 1u);
  // One of several route targets is enough.
  wire::PathAttributes two = WithRt(200);
  two.extended_communities->push_back(evpn::RouteTarget::ForVni(test::kLocalAs, 300));
  EXPECT_EQ(Apply(test::Announce(two, {test::Type2(5)})).announced, 1u);
  EXPECT_EQ(rib_.Counts(1)->received, 3u);
  EXPECT_EQ(Filtered(), 3u);
  EXPECT_EQ(ToString(RouteRejectReason::kRouteTargetFiltered), "route-target-filtered");
}

TEST_F(EvpnImportFilterTest, SayWhetherANewFilterAdmitsRoutesTheOldOneRefused) {
  using Change = Rib::FilterChange;
  const evpn::RouteTarget rt100 = evpn::RouteTarget::ForVni(test::kLocalAs, 100);
  const evpn::RouteTarget rt200 = evpn::RouteTarget::ForVni(test::kLocalAs, 200);
  EXPECT_EQ(rib_.SetEvpnImportFilter(std::nullopt).change, Change::kNone);
  EXPECT_EQ(rib_.SetEvpnImportFilter(std::vector{rt200, rt100}).change, Change::kNarrower);
  EXPECT_EQ(rib_.SetEvpnImportFilter(std::vector{rt100, rt200, rt100}).change, Change::kNone);
  EXPECT_EQ(rib_.SetEvpnImportFilter(std::vector{rt100}).change, Change::kNarrower);
  EXPECT_EQ(rib_.SetEvpnImportFilter(std::vector{rt200}).change, Change::kAdmitsMore);
  EXPECT_EQ(rib_.SetEvpnImportFilter(std::nullopt).change, Change::kAdmitsMore);
}

// A new filter applies to the routes held too: those it refuses go (as if withdrawn, counted as
// route-target-filtered); type-4 routes and our own originations stay.
TEST_F(EvpnImportFilterTest, HeldRoutesTheNewFilterRefusesAreDropped) {
  const evpn::RouteTarget rt100 = evpn::RouteTarget::ForVni(test::kLocalAs, 100);
  const evpn::RouteTarget rt200 = evpn::RouteTarget::ForVni(test::kLocalAs, 200);
  evpn::EthernetSegmentRoute es;
  es.rd = test::Rd("192.0.2.1:1");
  es.esi.bytes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  es.originating_router_ip = test::Ip("192.0.2.1");
  Apply(test::Announce(WithRt(100), {test::Type2(1), test::Type2(2)}));
  Apply(test::Announce(WithRt(200), {test::Type2(3), es}));
  rib_.Originate(test::Type2(9), WithRt(200), test::Ip("192.0.2.9"));
  EXPECT_EQ(rib_.RunDecision(100).size(), 5u);
  ASSERT_EQ(rib_.Counts(1)->received, 4u);
  // No filter -> {100, 200}: everything held is admitted.
  Rib::FilterUpdate u = rib_.SetEvpnImportFilter(std::vector{rt100, rt200});
  EXPECT_EQ(u.dropped, 0u);
  EXPECT_EQ(rib_.Counts(1)->received, 4u);
  // {100, 200} -> {100}: the peer's type-2 of RT 200 goes; the type-4, the RT 100 routes and our
  // own RT 200 route stay.
  u = rib_.SetEvpnImportFilter(std::vector{rt100});
  EXPECT_EQ(u.change, Rib::FilterChange::kNarrower);
  EXPECT_EQ(u.dropped, 1u);
  EXPECT_EQ(rib_.Counts(1)->received, 3u);
  EXPECT_EQ(Filtered(), 1u);
  std::vector<BestPathChange> changes = rib_.RunDecision(100);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].key, RouteKey::ForEvpn(test::Type2(3)));
  EXPECT_EQ(changes[0].current, nullptr);
  EXPECT_NE(rib_.BestPath(RouteKey::ForEvpn(test::Type2(9))), nullptr);
  // {100} -> {200}: admits more (a refresh brings RT 200 back) and refuses the RT 100 routes.
  u = rib_.SetEvpnImportFilter(std::vector{rt200});
  EXPECT_EQ(u.change, Rib::FilterChange::kAdmitsMore);
  EXPECT_EQ(u.dropped, 2u);
  EXPECT_EQ(rib_.Counts(1)->received, 1u);  // the type-4
  // Lifting the filter drops nothing.
  EXPECT_EQ(rib_.SetEvpnImportFilter(std::nullopt).dropped, 0u);
}

TEST_F(EvpnImportFilterTest, AFilteredAnnouncementWithdrawsTheKeysEarlierPath) {
  rib_.SetEvpnImportFilter(std::vector<evpn::RouteTarget>{
      evpn::RouteTarget::ForVni(test::kLocalAs, 100)});
  Apply(test::Announce(WithRt(100), {test::Type2(1)}));
  EXPECT_EQ(rib_.RunDecision(100).size(), 1u);
  EXPECT_EQ(rib_.Counts(1)->received, 1u);
  // The same route again, now with a route target nothing here imports.
  Apply(test::Announce(WithRt(200), {test::Type2(1)}));
  EXPECT_EQ(rib_.Counts(1)->received, 0u);
  EXPECT_EQ(rib_.RunDecision(100).size(), 1u);  // the best path went away
}

TEST_F(EvpnImportFilterTest, EthernetSegmentRoutesAndOtherFamiliesAreNotFiltered) {
  rib_.SetEvpnImportFilter(std::vector<evpn::RouteTarget>{});
  evpn::EthernetSegmentRoute es;
  es.rd = test::Rd("192.0.2.1:1");
  es.esi.bytes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  es.originating_router_ip = test::Ip("192.0.2.1");
  UpdateResult r = Apply(test::Announce(WithRt(200), {es, test::Type2(1)}));
  EXPECT_EQ(r.announced, 1u);
  EXPECT_EQ(r.rejected, 1u);
  // Without a filter every route is filed.
  rib_.SetEvpnImportFilter(std::nullopt);
  EXPECT_EQ(Apply(test::Announce(WithRt(200), {test::Type2(1)})).announced, 1u);
}

}  // namespace
}  // namespace evpnd::rib

// Unit tests for rib/adj_rib_out.h and rib/update_packer.h, end to end from Rib to bytes, every
// UPDATE decoded back with wire::DecodeMessage into a simulated receiving peer: packing 1000
// type-2 routes with one attribute set into the minimal number of UPDATEs of at most 4096 bytes
// (and one of 65535 with extended message), withdrawals packed likewise in MP_UNREACH_NLRI,
// End-of-RIB after the initial dump (RFC 4724 §2), route refresh re-sending (RFC 2918), update
// groups sharing one encoding, late joiners and refreshed peers merging back, route-reflector
// rules and attributes (RFC 4456 §6, §8), eBGP/iBGP rewriting and next-hop-unchanged
// (RFC 4271 §5.1), split horizon when the best path moves between members of a group,
// AS4_PATH towards a 2-octet peer (RFC 6793 §4.2.2), budgets, and oversized attribute sets.
#include "rib/adj_rib_out.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "tests/unit/rib/rib_test_util.h"

namespace evpnd::rib {
namespace {

using test::Announce;
using test::Attrs;
using test::Ip;
using test::Type2;

// What a peer holds after applying the UPDATEs it was sent.
struct PeerView {
  std::map<RouteKey, wire::PathAttributes> attributes;
  std::map<RouteKey, evpn::EvpnRoute> routes;
  int end_of_rib = 0;
  size_t announced = 0;
  size_t withdrawn = 0;
  size_t messages = 0;

  void Apply(const wire::UpdateMessage& u) {
    ++messages;
    if (u.EndOfRibFamily().has_value()) {
      ++end_of_rib;
      return;
    }
    if (u.attributes.mp_unreach.has_value()) {
      for (const auto& n : u.attributes.mp_unreach->evpn_routes) {
        attributes.erase(RouteKey::ForEvpn(n.route));
        routes.erase(RouteKey::ForEvpn(n.route));
        ++withdrawn;
      }
    }
    if (u.attributes.mp_reach.has_value()) {
      wire::PathAttributes a = StripNlri(u.attributes);
      for (const auto& n : u.attributes.mp_reach->evpn_routes) {
        attributes[RouteKey::ForEvpn(n.route)] = a;
        routes[RouteKey::ForEvpn(n.route)] = n.route;
        ++announced;
      }
    }
  }
  const wire::PathAttributes* Find(const evpn::EvpnRoute& route) const {
    auto it = attributes.find(RouteKey::ForEvpn(route));
    return it == attributes.end() ? nullptr : &it->second;
  }
};

class AdjRibOutTest : public ::testing::Test {
 protected:
  AdjRibOutTest() : rib_(test::Config()), out_(rib_) {}

  void Up(const PeerInfo& peer) {
    ASSERT_TRUE(rib_.AddPeer(peer).ok());
    ASSERT_TRUE(out_.PeerUp(peer.id).ok());
    contexts_[peer.id] = peer.send_context;
  }
  void Sync() { out_.OnBestPathChanges(rib_.RunDecision(1000000)); }
  void Apply(PeerId peer, const wire::UpdateMessage& u) {
    ASSERT_TRUE(rib_.ApplyUpdate(peer, u, wire::ErrorAction::kNone).ok());
    Sync();
  }
  // Pulls everything every group has and delivers it to the simulated peers.
  std::vector<OutboundUpdate> Flush(size_t max_message_size = wire::kMaxExtendedMessageSize,
                                    size_t max_messages = 64) {
    std::vector<OutboundUpdate> all;
    for (int guard = 0; guard < 10000; ++guard) {
      std::vector<UpdateGroupId> groups = out_.GroupsWithWork();
      if (groups.empty()) break;
      auto next = out_.NextUpdates(groups.front(), max_message_size, max_messages);
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok()) break;
      EXPECT_LE(next->size(), std::max<size_t>(max_messages, 2));
      for (const OutboundUpdate& u : *next) {
        for (PeerId p : u.recipients) views_[p].Apply(test::Decode(u, contexts_[p]));
      }
      all.insert(all.end(), next->begin(), next->end());
    }
    return all;
  }
  PeerView& View(PeerId peer) { return views_[peer]; }

  Rib rib_;
  AdjRibOut out_;
  std::map<PeerId, PeerView> views_;
  std::map<PeerId, wire::CodecContext> contexts_;
};

std::vector<evpn::EvpnRoute> ManyType2(uint32_t n) {
  std::vector<evpn::EvpnRoute> routes;
  for (uint32_t i = 0; i < n; ++i) routes.push_back(Type2(i));
  return routes;
}

wire::PathAttributes LocalAttrs() {
  wire::PathAttributes a;
  // What the EVPN layer would fill in: the MAC-VRF's route target.
  a.extended_communities =
      std::vector<evpn::ExtendedCommunity>{evpn::RouteTarget::ForVni(test::kLocalAs, 10100)};
  return a;
}

void OriginateAll(Rib& rib, const std::vector<evpn::EvpnRoute>& routes) {
  for (const auto& r : routes) rib.Originate(r, LocalAttrs(), Ip("192.0.2.100"));
}

// ---- packing ----

TEST_F(AdjRibOutTest, ThousandType2RoutesPackIntoTheMinimalNumberOfUpdates) {
  const auto routes = ManyType2(1000);
  OriginateAll(rib_, routes);
  Sync();
  Up(test::Ibgp(1));
  std::vector<OutboundUpdate> sent = Flush(wire::kMaxMessageSize);
  ASSERT_GE(sent.size(), 2u);
  EXPECT_TRUE(sent.back().end_of_rib);
  sent.pop_back();

  const size_t nlri_size = wire::EvpnNlriSize({std::nullopt, routes[0]}, false);
  ASSERT_EQ(nlri_size, 35u);
  const size_t base = sent[0].message->size() - sent[0].nlri_count * nlri_size;
  const size_t per_message = (wire::kMaxMessageSize - base) / nlri_size;
  EXPECT_EQ(sent.size(), (1000 + per_message - 1) / per_message);
  size_t total = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_LE(sent[i].message->size(), wire::kMaxMessageSize);
    // Greedy fill of equal-sized NLRI: every message but the last is full.
    if (i + 1 < sent.size()) {
      EXPECT_GT(sent[i].message->size() + nlri_size, wire::kMaxMessageSize);
    }
    total += sent[i].nlri_count;
  }
  EXPECT_EQ(total, 1000u);
  // Decoded, the peer holds exactly the 1000 routes, each once.
  const PeerView& view = View(1);
  EXPECT_EQ(view.announced, 1000u);
  ASSERT_EQ(view.routes.size(), 1000u);
  for (const auto& r : routes) {
    auto it = view.routes.find(RouteKey::ForEvpn(r));
    ASSERT_NE(it, view.routes.end());
    EXPECT_EQ(it->second, r);
  }
  EXPECT_EQ(view.end_of_rib, 1);
  EXPECT_EQ(out_.AdvertisedCount(1), 1000u);
}

TEST_F(AdjRibOutTest, WithdrawalsPackLikewise) {
  const auto routes = ManyType2(1000);
  OriginateAll(rib_, routes);
  Sync();
  Up(test::Ibgp(1));
  Flush(wire::kMaxMessageSize);
  for (const auto& r : routes) ASSERT_TRUE(rib_.WithdrawLocal(r));
  Sync();
  std::vector<OutboundUpdate> sent = Flush(wire::kMaxMessageSize);
  ASSERT_FALSE(sent.empty());
  const size_t nlri_size = 35;
  const size_t base = sent[0].message->size() - sent[0].nlri_count * nlri_size;
  const size_t per_message = (wire::kMaxMessageSize - base) / nlri_size;
  EXPECT_EQ(sent.size(), (1000 + per_message - 1) / per_message);
  for (const OutboundUpdate& u : sent) {
    EXPECT_LE(u.message->size(), wire::kMaxMessageSize);
    wire::UpdateMessage decoded = test::Decode(u);
    EXPECT_FALSE(decoded.attributes.mp_reach.has_value());
    ASSERT_TRUE(decoded.attributes.mp_unreach.has_value());
    EXPECT_EQ(decoded.attributes.mp_unreach->evpn_routes.size(), u.nlri_count);
  }
  EXPECT_EQ(View(1).withdrawn, 1000u);
  EXPECT_TRUE(View(1).routes.empty());
  EXPECT_EQ(out_.AdvertisedCount(1), 0u);
}

TEST_F(AdjRibOutTest, ExtendedMessagesHoldEverythingInOne) {
  OriginateAll(rib_, ManyType2(1000));
  Sync();
  PeerInfo big = test::Ibgp(1);
  big.send_context.max_message_size = wire::kMaxExtendedMessageSize;
  Up(big);
  std::vector<OutboundUpdate> sent = Flush(wire::kMaxExtendedMessageSize);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].nlri_count, 1000u);
  EXPECT_GT(sent[0].message->size(), wire::kMaxMessageSize);
  EXPECT_EQ(View(1).routes.size(), 1000u);
  // The caller's limit still applies.
  EXPECT_TRUE(out_.MarkAllDirty(1).ok());
  for (const OutboundUpdate& u : Flush(wire::kMaxMessageSize)) {
    EXPECT_LE(u.message->size(), wire::kMaxMessageSize);
  }
}

TEST_F(AdjRibOutTest, DifferentAttributesGoInDifferentUpdates) {
  rib_.Originate(Type2(1), LocalAttrs(), Ip("192.0.2.100"));
  rib_.Originate(Type2(2), LocalAttrs(), Ip("192.0.2.101"));
  rib_.Originate(Type2(3), LocalAttrs(), Ip("192.0.2.100"));
  Sync();
  Up(test::Ibgp(1));
  std::vector<OutboundUpdate> sent = Flush();
  ASSERT_EQ(sent.size(), 3u);  // two attribute sets, End-of-RIB
  EXPECT_EQ(sent[0].nlri_count, 2u);
  EXPECT_EQ(sent[1].nlri_count, 1u);
  EXPECT_EQ(View(1).Find(Type2(2))->mp_reach->NextHopAddress(), Ip("192.0.2.101"));
}

TEST_F(AdjRibOutTest, MessageBudgetIsHonoured) {
  OriginateAll(rib_, ManyType2(1000));
  Sync();
  Up(test::Ibgp(1));
  const UpdateGroupId group = *out_.GroupOf(1);
  size_t calls = 0;
  size_t eors = 0;
  for (;;) {
    auto next = out_.NextUpdates(group, wire::kMaxMessageSize, 2);
    ASSERT_TRUE(next.ok());
    if (next->empty()) break;
    ++calls;
    EXPECT_LE(next->size(), 2u);
    for (const auto& u : *next) {
      eors += u.end_of_rib;
      views_[1].Apply(test::Decode(u));
    }
  }
  EXPECT_GT(calls, 4u);
  EXPECT_EQ(eors, 1u);
  EXPECT_EQ(View(1).routes.size(), 1000u);
}

// ---- End-of-RIB, refresh, groups ----

TEST_F(AdjRibOutTest, EndOfRibAloneForAnEmptyTable) {
  Up(test::Ibgp(1));
  std::vector<OutboundUpdate> sent = Flush();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].end_of_rib);
  EXPECT_EQ(test::Decode(sent[0]).EndOfRibFamily(), wire::kL2vpnEvpn);
  EXPECT_TRUE(Flush().empty());
  // Later routes come without another End-of-RIB.
  rib_.Originate(Type2(1), LocalAttrs(), Ip("192.0.2.100"));
  Sync();
  sent = Flush();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_FALSE(sent[0].end_of_rib);
  EXPECT_EQ(View(1).end_of_rib, 1);
}

TEST_F(AdjRibOutTest, EndOfRibFollowsTheInitialDumpAndChangesDuringIt) {
  OriginateAll(rib_, ManyType2(300));
  Sync();
  Up(test::Ibgp(1));
  auto first = out_.NextUpdates(*out_.GroupOf(1), wire::kMaxMessageSize, 1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_FALSE((*first)[0].end_of_rib);
  for (const auto& u : *first) views_[1].Apply(test::Decode(u));
  // Mid-dump: one route already sent is withdrawn, one not yet sent is withdrawn.
  ASSERT_TRUE(rib_.WithdrawLocal(Type2(0)));
  ASSERT_TRUE(rib_.WithdrawLocal(Type2(299)));
  Sync();
  std::vector<OutboundUpdate> rest = Flush(wire::kMaxMessageSize);
  ASSERT_FALSE(rest.empty());
  EXPECT_TRUE(rest.back().end_of_rib);
  EXPECT_EQ(View(1).routes.size(), 298u);
  EXPECT_EQ(View(1).end_of_rib, 1);
}

TEST_F(AdjRibOutTest, PeersWithTheSamePolicyShareOneEncoding) {
  OriginateAll(rib_, ManyType2(10));
  Sync();
  Up(test::Ibgp(1));
  Up(test::Ibgp(2));
  Up(test::Ebgp(3, 65003));
  EXPECT_EQ(out_.GroupOf(1), out_.GroupOf(2));
  EXPECT_NE(out_.GroupOf(1), out_.GroupOf(3));
  EXPECT_EQ(out_.Members(*out_.GroupOf(1)), (std::vector<PeerId>{1, 2}));
  std::vector<OutboundUpdate> sent = Flush();
  size_t shared = 0;
  for (const auto& u : sent) {
    if (u.recipients == std::vector<PeerId>{1, 2}) ++shared;
  }
  EXPECT_EQ(shared, 2u);  // the routes and the End-of-RIB, each encoded once for both
  EXPECT_EQ(View(1).routes.size(), 10u);
  EXPECT_EQ(View(2).routes.size(), 10u);
  EXPECT_EQ(View(3).routes.size(), 10u);
}

TEST_F(AdjRibOutTest, LateJoinerGetsItsOwnDumpThenMerges) {
  OriginateAll(rib_, ManyType2(10));
  Sync();
  Up(test::Ibgp(1));
  Flush();
  Up(test::Ibgp(2));
  EXPECT_NE(out_.GroupOf(1), out_.GroupOf(2));
  Flush();
  EXPECT_EQ(View(1).messages, 2u);  // nothing new for the first peer
  EXPECT_EQ(View(2).routes.size(), 10u);
  EXPECT_EQ(View(2).end_of_rib, 1);
  EXPECT_EQ(out_.GroupOf(1), out_.GroupOf(2));
  EXPECT_EQ(out_.Groups().size(), 1u);
  // From now on one encoding serves both.
  rib_.Originate(Type2(77), LocalAttrs(), Ip("192.0.2.100"));
  Sync();
  std::vector<OutboundUpdate> sent = Flush();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].recipients, (std::vector<PeerId>{1, 2}));
}

TEST_F(AdjRibOutTest, RouteRefreshResendsToThatPeerOnly) {
  OriginateAll(rib_, ManyType2(20));
  Sync();
  Up(test::Ibgp(1));
  Up(test::Ibgp(2));
  Flush();
  ASSERT_EQ(View(1).announced, 20u);
  ASSERT_TRUE(out_.MarkAllDirty(1).ok());
  EXPECT_NE(out_.GroupOf(1), out_.GroupOf(2));
  Flush();
  EXPECT_EQ(View(1).announced, 40u);
  EXPECT_EQ(View(1).routes.size(), 20u);
  EXPECT_EQ(View(1).end_of_rib, 1);  // plain RFC 2918 refresh: no second End-of-RIB
  EXPECT_EQ(View(2).announced, 20u);
  EXPECT_EQ(out_.GroupOf(1), out_.GroupOf(2));
  // A refresh of a peer alone in its group re-sends as well.
  out_.PeerDown(2);
  ASSERT_TRUE(out_.MarkAllDirty(1).ok());
  Flush();
  EXPECT_EQ(View(1).announced, 60u);
  EXPECT_EQ(out_.MarkAllDirty(2).code(), absl::StatusCode::kNotFound);
}

TEST_F(AdjRibOutTest, RouteRemovedAheadOfARefreshWalkIsWithdrawn) {
  OriginateAll(rib_, ManyType2(300));
  Sync();
  Up(test::Ibgp(1));
  Up(test::Ibgp(2));
  Flush(wire::kMaxMessageSize);
  ASSERT_TRUE(out_.MarkAllDirty(1).ok());
  const UpdateGroupId refreshing = *out_.GroupOf(1);
  auto first = out_.NextUpdates(refreshing, wire::kMaxMessageSize, 1);
  ASSERT_TRUE(first.ok());
  for (const auto& u : *first) views_[1].Apply(test::Decode(u));
  // The walk has not reached route 299 yet when it leaves the Loc-RIB.
  ASSERT_TRUE(rib_.WithdrawLocal(Type2(299)));
  Sync();
  Flush(wire::kMaxMessageSize);
  EXPECT_EQ(View(1).routes.size(), 299u);
  EXPECT_EQ(View(2).routes.size(), 299u);
  EXPECT_EQ(out_.GroupOf(1), out_.GroupOf(2));
}

TEST_F(AdjRibOutTest, PeerUpNeedsTheRibAndOnlyOnce) {
  EXPECT_EQ(out_.PeerUp(9).code(), absl::StatusCode::kNotFound);
  Up(test::Ibgp(1));
  EXPECT_EQ(out_.PeerUp(1).code(), absl::StatusCode::kAlreadyExists);
  out_.PeerDown(1);
  EXPECT_TRUE(out_.Groups().empty());
  EXPECT_FALSE(out_.NextUpdates(1, 4096).ok());
}

// ---- route reflection and rewriting ----

class ReflectorTest : public AdjRibOutTest {
 protected:
  void SetUp() override {
    Up(test::Ibgp(1, /*rr_client=*/true));
    Up(test::Ibgp(2, /*rr_client=*/true));
    Up(test::Ibgp(3));
    Up(test::Ibgp(4));
    Up(test::Ebgp(5, 65005));
    Flush();  // End-of-RIBs
  }
};

TEST_F(ReflectorTest, GroupsFollowPolicy) {
  EXPECT_EQ(out_.GroupOf(1), out_.GroupOf(2));
  EXPECT_EQ(out_.GroupOf(3), out_.GroupOf(4));
  EXPECT_NE(out_.GroupOf(1), out_.GroupOf(3));
  EXPECT_NE(out_.GroupOf(3), out_.GroupOf(5));
}

TEST_F(ReflectorTest, ClientRoutesGoToEveryoneButTheClient) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}));
  Flush();
  EXPECT_EQ(View(1).Find(Type2(1)), nullptr);  // not back to where it came from
  for (PeerId p : {2, 3, 4}) {
    const wire::PathAttributes* a = View(p).Find(Type2(1));
    ASSERT_NE(a, nullptr) << p;
    // RFC 4456 §8: ORIGINATOR_ID = the client's BGP Identifier, our CLUSTER_ID in the list.
    EXPECT_EQ(a->originator_id, test::Ip4("10.0.0.1"));
    EXPECT_EQ(a->cluster_list, (std::vector<uint32_t>{test::Config().ClusterId()}));
    EXPECT_EQ(a->mp_reach->NextHopAddress(), Ip("192.0.2.1"));  // VTEP unchanged over iBGP
    EXPECT_EQ(a->local_pref, 100u);
  }
  const wire::PathAttributes* e = View(5).Find(Type2(1));
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->originator_id.has_value());
  EXPECT_FALSE(e->cluster_list.has_value());
  EXPECT_FALSE(e->local_pref.has_value());
  EXPECT_EQ(e->as_path, test::Seq({test::kLocalAs}));
  EXPECT_EQ(e->mp_reach->NextHopAddress(), Ip("10.1.0.100"));  // next-hop-self on eBGP
}

TEST_F(ReflectorTest, NonClientRoutesGoToClientsAndExternalPeersOnly) {
  Apply(3, Announce(Attrs("192.0.2.3"), {Type2(2)}));
  Flush();
  EXPECT_NE(View(1).Find(Type2(2)), nullptr);
  EXPECT_NE(View(2).Find(Type2(2)), nullptr);
  EXPECT_EQ(View(3).Find(Type2(2)), nullptr);
  EXPECT_EQ(View(4).Find(Type2(2)), nullptr);  // RFC 4271 §9.2: not iBGP to iBGP
  EXPECT_NE(View(5).Find(Type2(2)), nullptr);
  EXPECT_EQ(View(1).Find(Type2(2))->originator_id, test::Ip4("10.0.0.3"));
}

TEST_F(ReflectorTest, ExternalRoutesGoToAllInternalPeersUnreflected) {
  Apply(5, Announce(Attrs("192.0.2.5", {65005}), {Type2(3)}));
  Flush();
  for (PeerId p : {1, 2, 3, 4}) {
    const wire::PathAttributes* a = View(p).Find(Type2(3));
    ASSERT_NE(a, nullptr) << p;
    EXPECT_FALSE(a->originator_id.has_value());
    EXPECT_FALSE(a->cluster_list.has_value());
    EXPECT_EQ(a->local_pref, 100u);
    EXPECT_EQ(a->as_path, test::Seq({65005}));
  }
  EXPECT_EQ(View(5).Find(Type2(3)), nullptr);
}

TEST_F(ReflectorTest, ExistingOriginatorIdIsKeptAndClusterListPrepended) {
  wire::PathAttributes a = Attrs("192.0.2.1");
  a.originator_id = test::Ip4("10.9.9.9");
  a.cluster_list = std::vector<uint32_t>{7};
  Apply(1, Announce(a, {Type2(4)}));
  Flush();
  const wire::PathAttributes* seen = View(2).Find(Type2(4));
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->originator_id, test::Ip4("10.9.9.9"));
  EXPECT_EQ(seen->cluster_list, (std::vector<uint32_t>{test::Config().ClusterId(), 7}));
}

TEST_F(ReflectorTest, SplitHorizonFollowsTheBestPathBetweenMembers) {
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(5)}));
  Flush();
  ASSERT_NE(View(2).Find(Type2(5)), nullptr);
  ASSERT_EQ(View(1).Find(Type2(5)), nullptr);
  // Client 2 announces a better path: client 1 gets it, client 2 must drop client 1's.
  wire::PathAttributes better = Attrs("192.0.2.2");
  better.local_pref = 200;
  Apply(2, Announce(better, {Type2(5)}));
  Flush();
  ASSERT_NE(View(1).Find(Type2(5)), nullptr);
  EXPECT_EQ(View(1).Find(Type2(5))->mp_reach->NextHopAddress(), Ip("192.0.2.2"));
  EXPECT_EQ(View(2).Find(Type2(5)), nullptr);
  EXPECT_EQ(View(3).Find(Type2(5))->local_pref, 200u);
  // And back.
  ASSERT_TRUE(rib_.ApplyUpdate(2, test::Withdraw({Type2(5)}), wire::ErrorAction::kNone).ok());
  Sync();
  Flush();
  EXPECT_EQ(View(1).Find(Type2(5)), nullptr);
  ASSERT_NE(View(2).Find(Type2(5)), nullptr);
  EXPECT_EQ(View(2).Find(Type2(5))->mp_reach->NextHopAddress(), Ip("192.0.2.1"));
  EXPECT_EQ(out_.Advertised(2, RouteKey::ForEvpn(Type2(5)))->source, 1u);
  EXPECT_EQ(out_.Advertised(1, RouteKey::ForEvpn(Type2(5))), nullptr);
}

// AdvertisedCount (every `evpnctl neighbor`) is kept per source as routes come, move between
// members and go, through a refresh that splits a group and the merge after it: it equals what
// each simulated peer holds.
TEST_F(ReflectorTest, AdvertisedCountFollowsEachRoutesSource) {
  auto expect_counts = [&](const char* step) {
    for (PeerId p : {1, 2, 3, 4, 5}) {
      EXPECT_EQ(out_.AdvertisedCount(p), View(p).routes.size()) << step << ", peer " << p;
    }
  };
  std::vector<evpn::EvpnRoute> from1, from2;
  for (int i = 10; i < 15; ++i) from1.push_back(Type2(i));
  for (int i = 20; i < 23; ++i) from2.push_back(Type2(i));
  Apply(1, Announce(Attrs("192.0.2.1"), from1));
  Apply(2, Announce(Attrs("192.0.2.2"), from2));
  Flush();
  ASSERT_EQ(View(1).routes.size(), 3u);
  ASSERT_EQ(View(2).routes.size(), 5u);
  ASSERT_EQ(View(3).routes.size(), 8u);
  expect_counts("announced");
  // The best path of Type2(10) moves from client 1 to client 2.
  wire::PathAttributes better = Attrs("192.0.2.2");
  better.local_pref = 200;
  Apply(2, Announce(better, {Type2(10)}));
  Flush();
  ASSERT_EQ(View(1).routes.size(), 4u);
  expect_counts("moved");
  // A refresh takes client 1 out of the clients' group with a copy, then it merges back.
  ASSERT_TRUE(out_.MarkAllDirty(1).ok());
  ASSERT_NE(out_.GroupOf(1), out_.GroupOf(2));
  expect_counts("split");
  ASSERT_TRUE(rib_.ApplyUpdate(1, test::Withdraw({Type2(11)}), wire::ErrorAction::kNone).ok());
  ASSERT_TRUE(rib_.ApplyUpdate(2, test::Withdraw({Type2(20)}), wire::ErrorAction::kNone).ok());
  Sync();
  Flush();
  ASSERT_EQ(out_.GroupOf(1), out_.GroupOf(2));
  ASSERT_EQ(View(1).routes.size(), 3u);
  ASSERT_EQ(View(2).routes.size(), 3u);
  expect_counts("withdrawn and merged");
  out_.PeerDown(2);
  EXPECT_EQ(out_.AdvertisedCount(2), 0u);
  EXPECT_EQ(out_.AdvertisedCount(1), 3u);
}

TEST_F(AdjRibOutTest, WithoutClientsInternalRoutesGoOnlyToExternalPeers) {
  Up(test::Ibgp(1));
  Up(test::Ibgp(2));
  Up(test::Ebgp(3, 65003));
  Apply(1, Announce(Attrs("192.0.2.1"), {Type2(1)}));
  Flush();
  EXPECT_EQ(View(2).Find(Type2(1)), nullptr);
  EXPECT_NE(View(3).Find(Type2(1)), nullptr);
}

TEST_F(AdjRibOutTest, ExternalRewritingAndNextHopUnchanged) {
  Up(test::Ibgp(1));
  Up(test::Ebgp(2, 65002));
  Up(test::Ebgp(3, 65003, /*next_hop_unchanged=*/true));
  EXPECT_NE(out_.GroupOf(2), out_.GroupOf(3));
  wire::PathAttributes learned = Attrs("192.0.2.1", {});
  learned.local_pref = 300;
  learned.multi_exit_disc = 20;
  Apply(1, Announce(learned, {Type2(1)}));
  wire::PathAttributes mine = LocalAttrs();
  mine.multi_exit_disc = 5;
  rib_.Originate(Type2(2), mine, Ip("192.0.2.100"));
  Sync();
  Flush();
  const wire::PathAttributes* self = View(2).Find(Type2(1));
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->mp_reach->NextHopAddress(), Ip("10.1.0.100"));
  EXPECT_FALSE(self->local_pref.has_value());
  EXPECT_FALSE(self->multi_exit_disc.has_value());  // RFC 4271 §5.1.4
  EXPECT_EQ(self->as_path, test::Seq({test::kLocalAs}));
  const wire::PathAttributes* unchanged = View(3).Find(Type2(1));
  ASSERT_NE(unchanged, nullptr);
  EXPECT_EQ(unchanged->mp_reach->NextHopAddress(), Ip("192.0.2.1"));  // the VTEP stays
  // Our own route keeps our VTEP and MED on every session.
  EXPECT_EQ(View(2).Find(Type2(2))->mp_reach->NextHopAddress(), Ip("192.0.2.100"));
  EXPECT_EQ(View(2).Find(Type2(2))->multi_exit_disc, 5u);
  // Internally: LOCAL_PREF 100 on our route, the learned one keeps its 300 only inbound
  // (not reflected here: peer 1 is the source and there are no other iBGP peers).
  EXPECT_EQ(View(1).Find(Type2(2))->local_pref, 100u);
  EXPECT_EQ(View(1).Find(Type2(2))->mp_reach->NextHopAddress(), Ip("192.0.2.100"));
}

TEST_F(AdjRibOutTest, TwoOctetPeerGetsAs4Path) {
  Up(test::Ebgp(1, 4200000001u));
  PeerInfo old_speaker = test::Ebgp(2, 65002);
  old_speaker.send_context.four_octet_as = false;
  Up(old_speaker);
  Apply(1, Announce(Attrs("192.0.2.1", {4200000001u}), {Type2(1)}));
  Flush();
  const wire::PathAttributes* a = View(2).Find(Type2(1));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->as_path, test::Seq({test::kLocalAs, wire::kAsTrans}));
  EXPECT_EQ(a->as4_path, test::Seq({test::kLocalAs, 4200000001u}));
}

TEST_F(AdjRibOutTest, AttributesTooLargeForOneMessageAreNotAdvertised) {
  PeerInfo big = test::Ibgp(2);
  big.send_context.max_message_size = wire::kMaxExtendedMessageSize;
  Up(test::Ibgp(1));
  Up(big);
  wire::PathAttributes huge = LocalAttrs();
  huge.communities = std::vector<uint32_t>(1100, 0xfde80001);  // 4400 bytes
  rib_.Originate(Type2(1), huge, Ip("192.0.2.100"));
  Sync();
  Flush(wire::kMaxExtendedMessageSize);
  EXPECT_EQ(View(1).Find(Type2(1)), nullptr);
  EXPECT_NE(View(2).Find(Type2(1)), nullptr);
  EXPECT_EQ(out_.oversized_routes(), 1u);
}

}  // namespace
}  // namespace evpnd::rib

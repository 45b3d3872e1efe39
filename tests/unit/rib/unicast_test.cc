// Unit tests for IPv4 and IPv6 unicast in the RIB, from UPDATE in to bytes out: prefix keys
// (trailing bits irrelevant, RFC 4271 §4.3), IPv4 unicast in the UPDATE's own fields and in
// MP_REACH_NLRI, IPv6 unicast in MP_REACH/MP_UNREACH_NLRI (RFC 4760), NEXT_HOP ignored on MP
// routes (RFC 4760 §3), families not negotiated refused, treat-as-withdraw, AFI/SAFI disable and
// End-of-RIB per family, loop checks; outbound: the IPv4 fields with NEXT_HOP, reflection with
// the next hop kept, eBGP next-hop-self (IPv4-mapped for IPv6 over IPv4), no link-local next
// hop passed on (RFC 2545 §3), per-peer families, packing and End-of-RIB per family.
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rib/adj_rib_out.h"
#include "rib/rib.h"
#include "tests/unit/rib/rib_test_util.h"

namespace evpnd::rib {
namespace {

using test::Ip;
using test::Ip4;

constexpr auto kNone = wire::ErrorAction::kNone;
const std::vector<wire::AfiSafi> kAllFamilies = {wire::kL2vpnEvpn, wire::kIpv4Unicast,
                                                 wire::kIpv6Unicast};

evpn::IpPrefix P(const char* text) { return *evpn::IpPrefix::Parse(text); }
RouteKey K(const char* text) { return RouteKey::ForPrefix(P(text)); }

PeerInfo WithFamilies(PeerInfo p, std::vector<wire::AfiSafi> families = kAllFamilies) {
  p.families = std::move(families);
  return p;
}

wire::PathAttributes Base(std::vector<uint32_t> as_path = {}) {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.as_path = as_path.empty() ? wire::AsPath{} : test::Seq(std::move(as_path));
  return a;
}

// IPv4 unicast in the UPDATE's NLRI field, next hop in NEXT_HOP.
wire::UpdateMessage Ipv4(const char* next_hop, std::vector<const char*> prefixes,
                         std::vector<uint32_t> as_path = {}) {
  wire::UpdateMessage u;
  u.attributes = Base(std::move(as_path));
  u.attributes.next_hop = Ip4(next_hop);
  for (const char* p : prefixes) u.nlri.push_back({std::nullopt, P(p)});
  return u;
}

wire::UpdateMessage Ipv4Withdraw(std::vector<const char*> prefixes) {
  wire::UpdateMessage u;
  for (const char* p : prefixes) u.withdrawn_routes.push_back({std::nullopt, P(p)});
  return u;
}

// MP_REACH_NLRI of `family` with `next_hop` (16 or 32 bytes for IPv6).
wire::UpdateMessage MpReach(wire::AfiSafi family, std::vector<uint8_t> next_hop,
                            std::vector<const char*> prefixes) {
  wire::UpdateMessage u;
  u.attributes = Base();
  wire::MpReachNlri reach;
  reach.family = family;
  reach.next_hop = std::move(next_hop);
  for (const char* p : prefixes) reach.prefixes.push_back({std::nullopt, P(p)});
  u.attributes.mp_reach = reach;
  return u;
}

std::vector<uint8_t> Bytes(const char* address) {
  evpn::IpAddress a = Ip(address);
  return {a.bytes().begin(), a.bytes().end()};
}

std::vector<uint8_t> GlobalAndLinkLocal(const char* global, const char* link_local) {
  std::vector<uint8_t> out = Bytes(global);
  std::vector<uint8_t> ll = Bytes(link_local);
  out.insert(out.end(), ll.begin(), ll.end());
  return out;
}

wire::UpdateMessage Ipv6(const char* next_hop, std::vector<const char*> prefixes) {
  return MpReach(wire::kIpv6Unicast, Bytes(next_hop), std::move(prefixes));
}

wire::UpdateMessage Ipv6Withdraw(std::vector<const char*> prefixes) {
  wire::UpdateMessage u;
  u.attributes.mp_unreach = wire::MpUnreachNlri{wire::kIpv6Unicast, {}, {}, {}};
  for (const char* p : prefixes) u.attributes.mp_unreach->prefixes.push_back({std::nullopt, P(p)});
  return u;
}

TEST(PrefixKeyTest, TrailingBitsAreIrrelevantAndFamiliesNeverCollide) {
  EXPECT_EQ(K("10.1.2.3/16"), K("10.1.0.0/16"));
  EXPECT_NE(K("10.1.0.0/16"), K("10.1.0.0/17"));
  EXPECT_EQ(K("10.1.255.255/23"), K("10.1.254.0/23"));
  EXPECT_NE(K("10.1.255.0/24"), K("10.1.254.0/24"));
  EXPECT_EQ(K("0.0.0.0/0"), K("1.2.3.4/0"));
  EXPECT_EQ(K("2001:db8::1/32"), K("2001:db8::/32"));
  EXPECT_EQ(K("10.0.0.0/8").family(), wire::kIpv4Unicast);
  EXPECT_EQ(K("::/0").family(), wire::kIpv6Unicast);
  EXPECT_NE(K("0.0.0.0/0"), K("::/0"));
  EXPECT_EQ(K("10.1.2.3/16").route_type(), 0);
  EXPECT_EQ(K("10.1.2.3/16").ToPrefix(), P("10.1.0.0/16"));
  EXPECT_EQ(K("2001:db8:ffff::1/33").ToPrefix(), P("2001:db8:8000::/33"));
  EXPECT_EQ(K("10.1.2.3/16").ToString(), "ipv4-unicast 10.1.0.0/16");
  EXPECT_EQ(K("2001:db8::/32").ToString(), "ipv6-unicast 2001:db8::/32");
  // A length past the address is clamped (the codec refuses such NLRI before this).
  EXPECT_EQ(RouteKey::ForPrefix({Ip("10.0.0.1"), 40}), K("10.0.0.1/32"));
}

class UnicastRibTest : public ::testing::Test {
 protected:
  UnicastRibTest() : rib_(test::Config()) {
    EXPECT_TRUE(rib_.AddPeer(WithFamilies(test::Ibgp(1))).ok());
    EXPECT_TRUE(rib_.AddPeer(WithFamilies(test::Ibgp(2))).ok());
    // EVPN only.
    EXPECT_TRUE(rib_.AddPeer(test::Ibgp(4)).ok());
  }
  UpdateResult Apply(PeerId peer, const wire::UpdateMessage& u, wire::ErrorAction action = kNone,
                     std::optional<wire::AfiSafi> family = std::nullopt) {
    auto r = rib_.ApplyUpdate(peer, u, action, family);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) rib_.RunDecision(1000000);
    return r.ok() ? *r : UpdateResult{};
  }
  PathPtr Best(const char* prefix) { return rib_.BestPath(K(prefix)); }

  Rib rib_;
};

TEST_F(UnicastRibTest, Ipv4AnnounceReplaceWithdrawInTheUpdatesOwnFields) {
  UpdateResult r = Apply(1, Ipv4("10.0.0.1", {"192.168.1.0/24", "192.168.2.0/24"}));
  EXPECT_EQ(r.announced, 2u);
  EXPECT_EQ(r.rejected, 0u);
  ASSERT_NE(Best("192.168.1.0/24"), nullptr);
  const Path& path = *Best("192.168.1.0/24");
  EXPECT_EQ(path.NextHop(), Ip("10.0.0.1"));
  EXPECT_EQ(std::get<evpn::IpPrefix>(path.Nlri(K("192.168.1.0/24"))), P("192.168.1.0/24"));
  EXPECT_FALSE(path.attributes->mp_reach.has_value());
  EXPECT_EQ(rib_.best_unicast_routes(wire::kIpv4Unicast), 2u);
  EXPECT_EQ(rib_.best_routes(0), 0u);
  // A new announcement replaces the old one (RFC 4271 §9).
  Apply(1, Ipv4("10.0.0.9", {"192.168.1.0/24"}));
  EXPECT_EQ(Best("192.168.1.0/24")->NextHop(), Ip("10.0.0.9"));
  EXPECT_EQ(rib_.Counts(1)->received, 2u);
  r = Apply(1, Ipv4Withdraw({"192.168.1.0/24", "192.168.77.0/24"}));
  EXPECT_EQ(r.withdrawn, 1u);
  EXPECT_EQ(Best("192.168.1.0/24"), nullptr);
  EXPECT_NE(Best("192.168.2.0/24"), nullptr);
  EXPECT_EQ(rib_.best_unicast_routes(wire::kIpv4Unicast), 1u);
  EXPECT_EQ(rib_.best_unicast_routes(wire::kIpv6Unicast), 0u);
}

TEST_F(UnicastRibTest, Ipv6InMpAttributesKeepsGlobalNextHop) {
  Apply(1, MpReach(wire::kIpv6Unicast, GlobalAndLinkLocal("2001:db8::1", "fe80::1"),
                   {"2001:db8:10::/48"}));
  ASSERT_NE(Best("2001:db8:10::/48"), nullptr);
  EXPECT_EQ(Best("2001:db8:10::/48")->NextHop(), Ip("2001:db8::1"));
  Apply(2, Ipv6("2001:db8::2", {"2001:db8:10::/48"}));
  EXPECT_EQ(rib_.Find(K("2001:db8:10::/48"))->paths.size(), 2u);
  UpdateResult r = Apply(1, Ipv6Withdraw({"2001:db8:10::/48"}));
  EXPECT_EQ(r.withdrawn, 1u);
  EXPECT_EQ(Best("2001:db8:10::/48")->source->peer, 2u);
}

TEST_F(UnicastRibTest, Ipv4InMpReachIsFiledWithNextHopAttribute) {
  Apply(1, MpReach(wire::kIpv4Unicast, Bytes("10.0.0.7"), {"172.16.0.0/12"}));
  ASSERT_NE(Best("172.16.0.0/12"), nullptr);
  const wire::PathAttributes& a = *Best("172.16.0.0/12")->attributes;
  EXPECT_FALSE(a.mp_reach.has_value());
  EXPECT_EQ(a.next_hop, Ip4("10.0.0.7"));
  // The same route from the NLRI field shares the interned attributes.
  Apply(2, Ipv4("10.0.0.7", {"172.16.0.0/12"}));
  EXPECT_EQ(rib_.Find(K("172.16.0.0/12"))->paths[1]->attributes.get(),
            rib_.Find(K("172.16.0.0/12"))->paths[0]->attributes.get());
  // An IPv6 next hop for IPv4 NLRI (RFC 8950, not negotiated) leaves it without a next hop.
  UpdateResult r = Apply(1, MpReach(wire::kIpv4Unicast, Bytes("2001:db8::1"), {"172.17.0.0/16"}));
  EXPECT_EQ(r.first_reject, RouteRejectReason::kNoNextHop);
  EXPECT_EQ(Best("172.17.0.0/16"), nullptr);
}

TEST_F(UnicastRibTest, OneUpdateWithIpv4NlriAndEvpnMpReachFilesEachFamilyWithItsNextHop) {
  wire::UpdateMessage u = test::Announce(test::Attrs("192.0.2.1"), {test::Type2(1)});
  u.attributes.next_hop = Ip4("10.0.0.1");
  u.nlri.push_back({std::nullopt, P("10.99.0.0/16")});
  UpdateResult r = Apply(1, u);
  EXPECT_EQ(r.announced, 2u);
  PathPtr evpn = rib_.BestPath(RouteKey::ForEvpn(test::Type2(1)));
  ASSERT_NE(evpn, nullptr);
  // RFC 4760 §3: NEXT_HOP is ignored for the MP routes.
  EXPECT_FALSE(evpn->attributes->next_hop.has_value());
  EXPECT_EQ(evpn->NextHop(), Ip("192.0.2.1"));
  ASSERT_NE(Best("10.99.0.0/16"), nullptr);
  EXPECT_EQ(Best("10.99.0.0/16")->NextHop(), Ip("10.0.0.1"));
  EXPECT_FALSE(Best("10.99.0.0/16")->attributes->mp_reach.has_value());
}

TEST_F(UnicastRibTest, FamiliesNotNegotiatedAreCountedNotFiled) {
  UpdateResult r = Apply(4, Ipv4("10.0.0.4", {"10.9.0.0/16"}));
  EXPECT_EQ(r.announced, 0u);
  EXPECT_EQ(r.first_reject, RouteRejectReason::kUnsupportedFamily);
  r = Apply(4, Ipv6("2001:db8::4", {"2001:db8:4::/48"}));
  EXPECT_EQ(r.first_reject, RouteRejectReason::kUnsupportedFamily);
  EXPECT_TRUE(rib_.loc_rib().empty());
  EXPECT_EQ(rib_.Counts(4)->rejected[static_cast<size_t>(RouteRejectReason::kUnsupportedFamily)],
            2u);
}

TEST_F(UnicastRibTest, LoopsAndMissingNextHopAreRefused) {
  UpdateResult r = Apply(1, Ipv4("10.0.0.1", {"10.5.0.0/16"}, {65001, test::kLocalAs}));
  EXPECT_EQ(r.first_reject, RouteRejectReason::kAsLoop);
  wire::UpdateMessage no_next_hop = Ipv4("10.0.0.1", {"10.6.0.0/16"});
  no_next_hop.attributes.next_hop.reset();
  r = Apply(1, no_next_hop);
  EXPECT_EQ(r.first_reject, RouteRejectReason::kNoNextHop);
  EXPECT_TRUE(rib_.loc_rib().empty());
}

TEST_F(UnicastRibTest, TreatAsWithdrawAndAfiSafiDisableActOnUnicast) {
  Apply(1, Ipv4("10.0.0.1", {"10.1.0.0/16", "10.2.0.0/16"}));
  Apply(1, Ipv6("2001:db8::1", {"2001:db8:1::/48"}));
  // RFC 7606 §2: every NLRI of the UPDATE is withdrawn, the session stays.
  UpdateResult r = Apply(1, Ipv4("10.0.0.1", {"10.1.0.0/16"}), wire::ErrorAction::kTreatAsWithdraw);
  EXPECT_EQ(r.withdrawn, 1u);
  EXPECT_EQ(r.first_reject, RouteRejectReason::kTreatAsWithdraw);
  EXPECT_EQ(Best("10.1.0.0/16"), nullptr);
  EXPECT_NE(Best("10.2.0.0/16"), nullptr);
  // AFI/SAFI disable drops IPv6 unicast only, and refuses it afterwards.
  r = Apply(1, Ipv6("2001:db8::1", {"2001:db8:2::/48"}), wire::ErrorAction::kAfiSafiDisable,
            wire::kIpv6Unicast);
  EXPECT_EQ(r.disabled_family, wire::kIpv6Unicast);
  EXPECT_EQ(Best("2001:db8:1::/48"), nullptr);
  EXPECT_NE(Best("10.2.0.0/16"), nullptr);
  r = Apply(1, Ipv6("2001:db8::1", {"2001:db8:3::/48"}));
  EXPECT_EQ(r.first_reject, RouteRejectReason::kFamilyDisabled);
  EXPECT_EQ(Apply(1, Ipv4("10.0.0.1", {"10.3.0.0/16"})).announced, 1u);
}

TEST_F(UnicastRibTest, EndOfRibSweepsOnlyItsFamily) {
  Apply(1, Ipv4("10.0.0.1", {"10.1.0.0/16", "10.2.0.0/16"}));
  Apply(1, Ipv6("2001:db8::1", {"2001:db8:1::/48"}));
  Apply(1, test::Announce(test::Attrs("192.0.2.1"), {test::Type2(1)}));
  ASSERT_EQ(*rib_.MarkStale(1), 4u);
  Apply(1, Ipv4("10.0.0.1", {"10.1.0.0/16"}));  // refreshed after the restart
  UpdateResult r = Apply(1, wire::UpdateMessage::EndOfRib(wire::kIpv4Unicast));
  EXPECT_EQ(r.end_of_rib, wire::kIpv4Unicast);
  EXPECT_EQ(r.swept, 1u);
  EXPECT_NE(Best("10.1.0.0/16"), nullptr);
  EXPECT_EQ(Best("10.2.0.0/16"), nullptr);
  EXPECT_TRUE(Best("2001:db8:1::/48")->stale);
  EXPECT_EQ(Apply(1, wire::UpdateMessage::EndOfRib(wire::kIpv6Unicast)).swept, 1u);
  EXPECT_EQ(Apply(1, wire::UpdateMessage::EndOfRib(wire::kL2vpnEvpn)).swept, 1u);
  EXPECT_EQ(rib_.Counts(1)->stale, 0u);
}

TEST_F(UnicastRibTest, EnhancedRefreshOfOneFamilyMarksOnlyItStale) {
  Apply(1, Ipv4("10.0.0.1", {"10.1.0.0/16", "10.2.0.0/16"}));
  Apply(1, test::Announce(test::Attrs("192.0.2.1"), {test::Type2(1)}));
  // RFC 7313 §4: BoRR for IPv4 unicast, one route re-advertised, EoRR.
  ASSERT_EQ(*rib_.MarkStale(1, wire::kIpv4Unicast), 2u);
  EXPECT_FALSE(rib_.BestPath(RouteKey::ForEvpn(test::Type2(1)))->stale);
  Apply(1, Ipv4("10.0.0.1", {"10.1.0.0/16"}));
  EXPECT_EQ(*rib_.SweepStale(1, wire::kIpv4Unicast), 1u);
  rib_.RunDecision(1000000);
  EXPECT_NE(Best("10.1.0.0/16"), nullptr);
  EXPECT_EQ(Best("10.2.0.0/16"), nullptr);
  EXPECT_EQ(rib_.Counts(1)->stale, 0u);
}

// ---- outbound ----

// What a peer holds after the UPDATEs it was sent, unicast only.
struct UnicastView {
  std::map<RouteKey, wire::PathAttributes> routes;
  std::set<wire::AfiSafi> end_of_rib;
  size_t messages = 0;

  void Apply(const wire::UpdateMessage& u) {
    ++messages;
    if (auto eor = u.EndOfRibFamily()) {
      end_of_rib.insert(*eor);
      return;
    }
    for (const auto& n : u.withdrawn_routes) routes.erase(RouteKey::ForPrefix(n.prefix));
    const wire::PathAttributes a = StripNlri(u.attributes);
    for (const auto& n : u.nlri) routes[RouteKey::ForPrefix(n.prefix)] = a;
    if (u.attributes.mp_unreach.has_value()) {
      for (const auto& n : u.attributes.mp_unreach->prefixes) {
        routes.erase(RouteKey::ForPrefix(n.prefix));
      }
    }
    if (u.attributes.mp_reach.has_value()) {
      for (const auto& n : u.attributes.mp_reach->prefixes)
        routes[RouteKey::ForPrefix(n.prefix)] = a;
    }
  }
  const wire::PathAttributes* Find(const char* prefix) const {
    auto it = routes.find(K(prefix));
    return it == routes.end() ? nullptr : &it->second;
  }
};

class UnicastOutTest : public ::testing::Test {
 protected:
  UnicastOutTest() : rib_(test::Config()), out_(rib_) {}

  void Up(const PeerInfo& peer) {
    ASSERT_TRUE(rib_.AddPeer(peer).ok());
    ASSERT_TRUE(out_.PeerUp(peer.id).ok());
  }
  void Apply(PeerId peer, const wire::UpdateMessage& u) {
    ASSERT_TRUE(rib_.ApplyUpdate(peer, u, kNone).ok());
    out_.OnBestPathChanges(rib_.RunDecision(1000000));
  }
  std::vector<OutboundUpdate> Flush(size_t max_message_size = wire::kMaxMessageSize) {
    std::vector<OutboundUpdate> all;
    for (int guard = 0; guard < 1000; ++guard) {
      std::vector<UpdateGroupId> groups = out_.GroupsWithWork();
      if (groups.empty()) break;
      auto next = out_.NextUpdates(groups.front(), max_message_size);
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok()) break;
      for (const OutboundUpdate& u : *next) {
        for (PeerId p : u.recipients) views_[p].Apply(test::Decode(u));
      }
      all.insert(all.end(), next->begin(), next->end());
    }
    return all;
  }

  Rib rib_;
  AdjRibOut out_;
  std::map<PeerId, UnicastView> views_;
};

TEST_F(UnicastOutTest, ReflectedIpv4TravelsInTheUpdatesOwnFieldsWithItsNextHop) {
  Up(WithFamilies(test::Ibgp(1, /*rr_client=*/true)));
  Up(WithFamilies(test::Ibgp(2, /*rr_client=*/true)));
  Flush();
  EXPECT_EQ(views_[2].end_of_rib,
            (std::set<wire::AfiSafi>{wire::kL2vpnEvpn, wire::kIpv4Unicast, wire::kIpv6Unicast}));
  Apply(1, Ipv4("10.0.0.1", {"192.168.1.0/24"}));
  std::vector<OutboundUpdate> sent = Flush();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].recipients, std::vector<PeerId>{2});
  const wire::UpdateMessage u = test::Decode(sent[0]);
  EXPECT_FALSE(u.attributes.mp_reach.has_value());
  ASSERT_EQ(u.nlri.size(), 1u);
  EXPECT_EQ(u.attributes.next_hop, Ip4("10.0.0.1"));
  EXPECT_EQ(u.attributes.originator_id, Ip4("10.0.0.1"));
  EXPECT_EQ(u.attributes.cluster_list, std::vector<uint32_t>{Ip4("10.0.0.100")});
  EXPECT_EQ(u.attributes.local_pref, 100u);
  // The withdrawal goes in WITHDRAWN ROUTES.
  Apply(1, Ipv4Withdraw({"192.168.1.0/24"}));
  sent = Flush();
  ASSERT_EQ(sent.size(), 1u);
  const wire::UpdateMessage w = test::Decode(sent[0]);
  EXPECT_EQ(w.withdrawn_routes.size(), 1u);
  EXPECT_FALSE(w.attributes.mp_unreach.has_value());
  EXPECT_EQ(views_[2].Find("192.168.1.0/24"), nullptr);
}

TEST_F(UnicastOutTest, EbgpGetsNextHopSelfPerFamilyAndNoLinkLocal) {
  Up(WithFamilies(test::Ibgp(1, true)));
  Up(WithFamilies(test::Ebgp(3, 65003)));
  Up(WithFamilies(test::Ebgp(5, 65005, /*next_hop_unchanged=*/true)));
  Apply(1, Ipv4("10.0.0.1", {"192.168.1.0/24"}));
  Apply(1, MpReach(wire::kIpv6Unicast, GlobalAndLinkLocal("2001:db8::1", "fe80::1"),
                   {"2001:db8:10::/48"}));
  Flush();
  const wire::PathAttributes* v4 = views_[3].Find("192.168.1.0/24");
  ASSERT_NE(v4, nullptr);
  EXPECT_EQ(v4->next_hop, Ip4("10.1.0.100"));
  EXPECT_EQ(v4->as_path, test::Seq({test::kLocalAs}));
  const wire::PathAttributes* v6 = views_[3].Find("2001:db8:10::/48");
  ASSERT_NE(v6, nullptr);
  // Our IPv4 session address, IPv4-mapped.
  EXPECT_EQ(v6->mp_reach->NextHopAddress(), Ip("::ffff:10.1.0.100"));
  EXPECT_EQ(v6->mp_reach->next_hop.size(), 16u);
  // next-hop-unchanged: the learned next hops, without the link-local one.
  EXPECT_EQ(views_[5].Find("192.168.1.0/24")->next_hop, Ip4("10.0.0.1"));
  EXPECT_EQ(views_[5].Find("2001:db8:10::/48")->mp_reach->next_hop, Bytes("2001:db8::1"));
}

TEST_F(UnicastOutTest, Ipv4IsNotSentToAnEbgpPeerOverIpv6ThatNeedsNextHopSelf) {
  Up(WithFamilies(test::Ibgp(1, true)));
  PeerInfo v6 = WithFamilies(test::Ebgp(3, 65003));
  v6.address = Ip("2001:db8:1::3");
  v6.local_address = Ip("2001:db8:1::100");
  Up(v6);
  Apply(1, Ipv4("10.0.0.1", {"192.168.1.0/24"}));
  Apply(1, Ipv6("2001:db8::1", {"2001:db8:10::/48"}));
  Flush();
  EXPECT_EQ(views_[3].Find("192.168.1.0/24"), nullptr);
  ASSERT_NE(views_[3].Find("2001:db8:10::/48"), nullptr);
  EXPECT_EQ(views_[3].Find("2001:db8:10::/48")->mp_reach->NextHopAddress(), Ip("2001:db8:1::100"));
}

TEST_F(UnicastOutTest, PeersGetOnlyTheirFamiliesAndEndOfRibForEach) {
  Up(WithFamilies(test::Ibgp(1, true)));
  Up(WithFamilies(test::Ibgp(2, true), {wire::kL2vpnEvpn, wire::kIpv6Unicast}));
  Up(test::Ibgp(4, true));  // EVPN only
  Apply(1, Ipv4("10.0.0.1", {"192.168.1.0/24"}));
  Apply(1, Ipv6("2001:db8::1", {"2001:db8:10::/48"}));
  Flush();
  EXPECT_EQ(views_[2].Find("192.168.1.0/24"), nullptr);
  EXPECT_NE(views_[2].Find("2001:db8:10::/48"), nullptr);
  EXPECT_EQ(views_[2].end_of_rib, (std::set<wire::AfiSafi>{wire::kL2vpnEvpn, wire::kIpv6Unicast}));
  EXPECT_TRUE(views_[4].routes.empty());
  EXPECT_EQ(views_[4].end_of_rib, std::set<wire::AfiSafi>{wire::kL2vpnEvpn});
}

TEST_F(UnicastOutTest, ThousandPrefixesPackIntoTheMinimalNumberOfUpdates) {
  Up(WithFamilies(test::Ibgp(1, true)));
  Up(WithFamilies(test::Ibgp(2, true)));
  Flush();
  wire::UpdateMessage u = Ipv4("10.0.0.1", {});
  wire::UpdateMessage w6 = Ipv6("2001:db8::1", {});
  std::vector<std::string> v4, v6;
  for (int i = 0; i < 1000; ++i) {
    u.nlri.push_back(
        {std::nullopt, P(absl::StrCat("10.", i / 256, ".", i % 256, ".0/24").c_str())});
    w6.attributes.mp_reach->prefixes.push_back(
        {std::nullopt, P(absl::StrCat("2001:db8:", absl::Hex(i), "::/48").c_str())});
  }
  Apply(1, u);
  Apply(1, w6);
  std::vector<OutboundUpdate> sent = Flush();
  size_t v4_messages = 0, v6_messages = 0, v4_bytes = 0, v6_bytes = 0;
  for (const OutboundUpdate& o : sent) {
    EXPECT_LE(o.message->size(), wire::kMaxMessageSize);
    const wire::UpdateMessage d = test::Decode(o);
    if (!d.nlri.empty()) {
      ++v4_messages;
      v4_bytes = o.message->size() - d.nlri.size() * 4;  // base of one message
    } else {
      ++v6_messages;
      v6_bytes = o.message->size() - d.attributes.mp_reach->prefixes.size() * 7;
    }
  }
  EXPECT_EQ(views_[2].routes.size(), 2000u);
  // /24: 4 bytes each; /48: 7 bytes each; minimal count = ceil(total / room per message).
  const size_t v4_room = (wire::kMaxMessageSize - v4_bytes) / 4;
  const size_t v6_room = (wire::kMaxMessageSize - v6_bytes) / 7;
  EXPECT_EQ(v4_messages, (1000 + v4_room - 1) / v4_room);
  EXPECT_EQ(v6_messages, (1000 + v6_room - 1) / v6_room);
  EXPECT_EQ(v4_messages, 1u);
  EXPECT_EQ(v6_messages, 2u);
}

}  // namespace
}  // namespace evpnd::rib

// Unit tests for rib/evpn_service.h over a real rib::Rib: our type-3 route per VNI (PMSI tunnel
// with ingress replication, VXLAN encapsulation, route targets; RFC 7432 §11, RFC 8365 §5.1.3,
// §9), our type-2 routes per local MAC (MAC-only and MAC/IP, MAC Mobility extended community;
// RFC 7432 §7.7, §15), import of remote type-2 and type-3 routes by route target (RFC 7432
// §9.2.2, §11), the mobility rules as the routes come and go (moves, sticky conflicts, duplicate
// detection and recovery), the FDB feed as a dirty set (add, replace, delete, coalescing, flood
// list), input errors, reconfiguration (VNI removed, route target changed), and the per-VNI
// counts the views read (checked at the end of every test and through a long pseudo-random run).
#include "rib/evpn_service.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "evpn/extended_community.h"
#include "evpn/mac_mobility.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rib/rib.h"
#include "tests/unit/rib/rib_test_util.h"

namespace evpnd::rib {
namespace {

using test::Ip;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr evpn::Vni kVni = 100;
constexpr char kLocalVtep[] = "10.0.0.1";
constexpr char kMacA[] = "52:54:00:00:00:0a";
constexpr char kMacB[] = "52:54:00:00:00:0b";

absl::Time T(int64_t seconds) {
  return absl::FromUnixSeconds(1'700'000'000) + absl::Seconds(seconds);
}

evpn::MacAddress Mac(absl::string_view text) { return *evpn::MacAddress::Parse(text); }

evpn::RouteTarget Rt(uint32_t vni) { return evpn::RouteTarget::ForVni(test::kLocalAs, vni); }

// 10.0.0.1:1 for VNI 100, 10.0.0.1:<vni> for the others.
evpn::RouteDistinguisher OurRd(evpn::Vni vni = kVni) {
  return evpn::RouteDistinguisher::Ipv4Address(test::Ip4(kLocalVtep),
                                               vni == kVni ? 1 : static_cast<uint16_t>(vni));
}

EvpnInstanceConfig Instance(evpn::Vni vni = kVni, std::vector<evpn::RouteTarget> rts = {}) {
  EvpnInstanceConfig c;
  c.vni = vni;
  c.rd = OurRd(vni);
  if (rts.empty()) rts = {Rt(vni)};
  c.import_route_targets = rts;
  c.export_route_targets = rts;
  c.vtep = Ip(kLocalVtep);
  return c;
}

// A type-2 route in `rd` for `mac` (and `ip`), label VNI 100.
evpn::MacIpAdvertisementRoute MacRoute(const evpn::RouteDistinguisher& rd, absl::string_view mac,
                                       std::optional<evpn::IpAddress> ip = std::nullopt) {
  evpn::MacIpAdvertisementRoute r;
  r.rd = rd;
  r.mac = Mac(mac);
  r.ip = ip;
  r.label1 = evpn::Label::FromVni(kVni);
  return r;
}
evpn::MacIpAdvertisementRoute OurMacRoute(absl::string_view mac,
                                          std::optional<evpn::IpAddress> ip = std::nullopt) {
  return MacRoute(OurRd(), mac, ip);
}
std::string PeerAddress(PeerId peer) { return absl::StrCat("10.0.0.", peer); }
evpn::IpAddress PeerVtep(PeerId peer) { return *evpn::IpAddress::Parse(PeerAddress(peer)); }
evpn::RouteDistinguisher PeerRd(PeerId peer) {
  return test::Rd(absl::StrCat(PeerAddress(peer), ":1").c_str());
}
evpn::MacIpAdvertisementRoute PeerMacRoute(PeerId peer, absl::string_view mac,
                                           std::optional<evpn::IpAddress> ip = std::nullopt) {
  return MacRoute(PeerRd(peer), mac, ip);
}
evpn::InclusiveMulticastEthernetTagRoute PeerImet(PeerId peer) {
  return {PeerRd(peer), 0, PeerVtep(peer)};
}
evpn::InclusiveMulticastEthernetTagRoute OurImet() { return {OurRd(), 0, Ip(kLocalVtep)}; }

// What a peer VTEP sends: next hop its address, route target, VXLAN encapsulation and, when
// `sequence` is set or the MAC is sticky, the MAC Mobility extended community.
wire::PathAttributes PeerAttrs(PeerId peer, std::optional<uint32_t> sequence = std::nullopt,
                               bool sticky = false, std::vector<evpn::RouteTarget> rts = {}) {
  wire::PathAttributes a = test::Attrs(PeerAddress(peer).c_str());
  if (rts.empty()) rts = {Rt(kVni)};
  std::vector<evpn::ExtendedCommunity> communities(rts.begin(), rts.end());
  communities.push_back(evpn::EncapsulationExtendedCommunity{});
  if (sequence.has_value() || sticky) {
    communities.push_back(evpn::MacMobilityExtendedCommunity{
        sequence.value_or(0),
        sticky ? evpn::MacMobilityExtendedCommunity::kStickyFlag : uint8_t{0}});
  }
  a.extended_communities = std::move(communities);
  return a;
}
wire::PathAttributes ImetAttrs(PeerId peer, bool pmsi = true,
                               std::vector<evpn::RouteTarget> rts = {}) {
  wire::PathAttributes a = PeerAttrs(peer, std::nullopt, false, std::move(rts));
  if (pmsi) {
    a.pmsi_tunnel =
        wire::PmsiTunnel::IngressReplication(PeerVtep(peer), evpn::Label::FromVni(kVni));
  }
  return a;
}

std::optional<evpn::MacMobilityExtendedCommunity> MobilityOf(const Path& path) {
  if (!path.attributes->extended_communities.has_value()) return std::nullopt;
  for (const evpn::ExtendedCommunity& c : *path.attributes->extended_communities) {
    if (const auto* m = std::get_if<evpn::MacMobilityExtendedCommunity>(&c)) return *m;
  }
  return std::nullopt;
}

bool Carries(const Path& path, const evpn::ExtendedCommunity& community) {
  const auto& c = path.attributes->extended_communities;
  return c.has_value() && std::find(c->begin(), c->end(), community) != c->end();
}

std::string KindName(RemoteMacChange::Kind kind) {
  switch (kind) {
    case RemoteMacChange::Kind::kAdd:
      return "add";
    case RemoteMacChange::Kind::kReplace:
      return "replace";
    case RemoteMacChange::Kind::kDelete:
      return "delete";
  }
  return "?";
}

// "add 100 52:54:00:00:00:0b 10.0.0.2", in the order reported.
std::vector<std::string> MacChanges(const FdbChanges& changes) {
  std::vector<std::string> out;
  for (const RemoteMacChange& c : changes.macs) {
    out.push_back(
        absl::StrCat(KindName(c.kind), " ", c.vni, " ", c.mac.ToString(), " ", c.vtep.ToString()));
  }
  return out;
}
// "add 100 10.0.0.2" / "remove 100 10.0.0.2".
std::vector<std::string> FloodChanges(const FdbChanges& changes) {
  std::vector<std::string> out;
  for (const FloodListChange& c : changes.flood) {
    out.push_back(absl::StrCat(c.add ? "add " : "remove ", c.vni, " ", c.vtep.ToString()));
  }
  return out;
}
// Decision names of the events, e.g. "52:54:00:00:00:0a moved".
std::vector<std::string> Events(const std::vector<MacEvent>& events) {
  std::vector<std::string> out;
  for (const MacEvent& e : events) {
    out.push_back(absl::StrCat(e.mac.ToString(), " ", evpn::ToString(e.decision)));
  }
  return out;
}
std::string Ev(absl::string_view mac, evpn::MobilityDecision d) {
  return absl::StrCat(mac, " ", evpn::ToString(d));
}

using D = evpn::MobilityDecision;

class EvpnServiceTest : public ::testing::Test {
 protected:
  EvpnServiceTest() : rib_(test::Config()), service_(rib_) {
    EXPECT_TRUE(rib_.AddPeer(test::Ibgp(2)).ok());
    EXPECT_TRUE(rib_.AddPeer(test::Ibgp(3)).ok());
  }

  void ConfigureOne(absl::Time now = T(0)) {
    EXPECT_THAT(service_.Configure({Instance()}, dad_, now), IsEmpty());
    Sync(now);
  }
  // The shell's loop: run the decision process and hand the changes to the service.
  std::vector<MacEvent> Sync(absl::Time now) {
    return service_.OnBestPathChanges(rib_.RunDecision(1'000'000), now);
  }
  void Announce(PeerId peer, wire::PathAttributes attributes, std::vector<evpn::EvpnRoute> routes) {
    auto r = rib_.ApplyUpdate(peer, test::Announce(std::move(attributes), std::move(routes)),
                              wire::ErrorAction::kNone);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->rejected, 0u);
  }
  void Withdraw(PeerId peer, std::vector<evpn::EvpnRoute> routes) {
    auto r = rib_.ApplyUpdate(peer, test::Withdraw(std::move(routes)), wire::ErrorAction::kNone);
    ASSERT_TRUE(r.ok()) << r.status();
  }
  std::vector<MacEvent> Learn(absl::string_view mac, absl::Time now,
                              std::optional<evpn::IpAddress> ip = std::nullopt,
                              bool sticky = false) {
    auto events = service_.LearnLocal(kVni, Mac(mac), ip, sticky, now);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<MacEvent>{};
  }
  PathPtr Best(const evpn::EvpnRoute& route) const {
    return rib_.BestPath(RouteKey::ForEvpn(route));
  }
  const MacEntry* Entry(absl::string_view mac, evpn::Vni vni = kVni) const {
    const MacVrf* vrf = service_.Find(vni);
    if (vrf == nullptr) return nullptr;
    auto it = vrf->macs.find(Mac(mac));
    return it == vrf->macs.end() ? nullptr : &it->second;
  }
  // The sequence number our MAC-only route for `mac` carries, or nullopt without the route.
  std::optional<uint32_t> OurSequence(absl::string_view mac) const {
    PathPtr p = Best(OurMacRoute(mac));
    if (p == nullptr || !p->source->local()) return std::nullopt;
    std::optional<evpn::MacMobilityExtendedCommunity> m = MobilityOf(*p);
    return m.has_value() ? m->sequence : 0;
  }

  // Every VNI's kept counts equal a count of its MACs, and each MAC's share is its current one.
  void ExpectCountsMatch(absl::string_view when = "") const {
    for (evpn::Vni vni : service_.Vnis()) {
      const MacVrf& vrf = *service_.Find(vni);
      MacCounts recount;
      for (const auto& [mac, entry] : vrf.macs) {
        EXPECT_EQ(entry.counted, ShareOf(entry))
            << when << ": VNI " << vni << " " << mac.ToString();
        recount.Apply(ShareOf(entry), 1);
      }
      EXPECT_EQ(vrf.counts, recount) << when << ": VNI " << vni;
    }
  }
  // Every test ends with the counts right.
  void TearDown() override { ExpectCountsMatch("at the end"); }

  evpn::DuplicateDetectionConfig dad_;
  Rib rib_;
  EvpnService service_;
};

// ---- origination ----

TEST_F(EvpnServiceTest, ConfigureOriginatesInclusiveMulticastRoute) {
  ConfigureOne();
  EXPECT_THAT(service_.Vnis(), ElementsAre(kVni));
  ASSERT_EQ(rib_.loc_rib().size(), 1u);
  PathPtr best = Best(OurImet());
  ASSERT_NE(best, nullptr);
  EXPECT_TRUE(best->source->local());
  EXPECT_EQ(best->NextHop(), Ip(kLocalVtep));
  // RFC 8365 §9 / RFC 6514 §5: ingress replication to our VTEP, the VNI in the label.
  ASSERT_TRUE(best->attributes->pmsi_tunnel.has_value());
  const wire::PmsiTunnel& pmsi = *best->attributes->pmsi_tunnel;
  EXPECT_EQ(pmsi.tunnel_type, wire::PmsiTunnel::kIngressReplication);
  EXPECT_EQ(pmsi.TunnelEndpoint(), Ip(kLocalVtep));
  EXPECT_EQ(pmsi.label.vni(), kVni);
  EXPECT_EQ(pmsi.flags, 0);
  // RFC 8365 §5.1.3: VXLAN encapsulation, and the route target.
  EXPECT_TRUE(Carries(
      *best, evpn::EncapsulationExtendedCommunity{evpn::EncapsulationExtendedCommunity::kVxlan}));
  EXPECT_TRUE(Carries(*best, Rt(kVni)));
  EXPECT_EQ(MobilityOf(*best), std::nullopt);
  EXPECT_FALSE(service_.HasFdbChanges());
  // The same configuration again changes nothing.
  EXPECT_THAT(service_.Configure({Instance()}, dad_, T(1)), IsEmpty());
  EXPECT_EQ(rib_.pending_decisions(), 0u);
  EXPECT_EQ(service_.duplicate_detection(), dad_);
}

TEST_F(EvpnServiceTest, LearnLocalOriginatesMacOnlyAndMacIpRoutes) {
  ConfigureOne();
  const evpn::IpAddress ip = Ip("192.0.2.10");
  std::vector<MacEvent> events = Learn(kMacA, T(1), ip);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].vni, kVni);
  EXPECT_EQ(events[0].decision, D::kAdvertiseLocal);
  EXPECT_EQ(events[0].location, (evpn::MacLocation{Ip(kLocalVtep), true, 0, false}));
  // Our own routes come back as best-path changes and are not imported.
  EXPECT_THAT(Sync(T(1)), IsEmpty());
  EXPECT_TRUE(Entry(kMacA)->remote_routes.empty());
  EXPECT_EQ(rib_.loc_rib().size(), 3u);
  for (const evpn::MacIpAdvertisementRoute& route : {OurMacRoute(kMacA), OurMacRoute(kMacA, ip)}) {
    SCOPED_TRACE(route.ip.has_value() ? "MAC/IP" : "MAC-only");
    PathPtr p = Best(route);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->source->local());
    EXPECT_EQ(p->NextHop(), Ip(kLocalVtep));
    const RouteNlri nlri = p->Nlri(RouteKey::ForEvpn(route));
    EXPECT_EQ(std::get<evpn::MacIpAdvertisementRoute>(std::get<evpn::EvpnRoute>(nlri)).label1.vni(),
              kVni);
    EXPECT_TRUE(Carries(*p, Rt(kVni)));
    EXPECT_TRUE(Carries(*p, evpn::EncapsulationExtendedCommunity{}));
    // RFC 7432 §7.7: no MAC Mobility community on a first advertisement (sequence 0).
    EXPECT_EQ(MobilityOf(*p), std::nullopt);
  }
  // A second IP: a second MAC/IP route; the others stay as they are.
  const evpn::IpAddress ip2 = Ip("2001:db8::10");
  EXPECT_THAT(Learn(kMacA, T(2), ip2), IsEmpty());
  Sync(T(2));
  EXPECT_NE(Best(OurMacRoute(kMacA, ip2)), nullptr);
  EXPECT_EQ(rib_.loc_rib().size(), 4u);
  // One IP ages: its route goes, the MAC stays.
  auto aged = service_.AgeLocal(kVni, Mac(kMacA), ip, T(3));
  ASSERT_TRUE(aged.ok());
  EXPECT_THAT(*aged, IsEmpty());
  Sync(T(3));
  EXPECT_EQ(Best(OurMacRoute(kMacA, ip)), nullptr);
  EXPECT_NE(Best(OurMacRoute(kMacA, ip2)), nullptr);
  EXPECT_NE(Best(OurMacRoute(kMacA)), nullptr);
  // The MAC ages: everything of it goes.
  aged = service_.AgeLocal(kVni, Mac(kMacA), std::nullopt, T(4));
  ASSERT_TRUE(aged.ok());
  EXPECT_THAT(Events(*aged), ElementsAre(Ev(kMacA, D::kWithdrawLocal)));
  Sync(T(4));
  EXPECT_EQ(rib_.loc_rib().size(), 1u);  // our type-3 route
  EXPECT_EQ(Entry(kMacA), nullptr);
  EXPECT_FALSE(service_.HasFdbChanges());
}

TEST_F(EvpnServiceTest, StickyLocalMacCarriesStickyFlag) {
  ConfigureOne();
  Learn(kMacA, T(1), Ip("192.0.2.10"), /*sticky=*/true);
  Sync(T(1));
  for (const evpn::MacIpAdvertisementRoute& route :
       {OurMacRoute(kMacA), OurMacRoute(kMacA, Ip("192.0.2.10"))}) {
    PathPtr p = Best(route);
    ASSERT_NE(p, nullptr);
    std::optional<evpn::MacMobilityExtendedCommunity> m = MobilityOf(*p);
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(m->sticky());
    EXPECT_EQ(m->sequence, 0u);
  }
  // The MAC learned again as dynamic: the community goes.
  Learn(kMacA, T(2));
  Sync(T(2));
  EXPECT_EQ(MobilityOf(*Best(OurMacRoute(kMacA))), std::nullopt);
}

// ---- import ----

TEST_F(EvpnServiceTest, RemoteMacImportedByRouteTarget) {
  ConfigureOne();
  Announce(2, PeerAttrs(2, 3), {PeerMacRoute(2, kMacB), PeerMacRoute(2, kMacB, Ip("192.0.2.20"))});
  std::vector<MacEvent> events = Sync(T(1));
  EXPECT_THAT(Events(events), ElementsAre(Ev(kMacB, D::kInstallRemote)));
  EXPECT_EQ(events[0].location, (evpn::MacLocation{Ip("10.0.0.2"), false, 3, false}));
  ASSERT_NE(Entry(kMacB), nullptr);
  EXPECT_EQ(Entry(kMacB)->remote_routes.size(), 2u);
  EXPECT_EQ(Entry(kMacB)->state.remote_claims.size(), 1u);  // one claim per VTEP
  EXPECT_TRUE(service_.HasFdbChanges());
  FdbChanges changes = service_.TakeFdbChanges();
  EXPECT_THAT(MacChanges(changes), ElementsAre("add 100 52:54:00:00:00:0b 10.0.0.2"));
  EXPECT_THAT(changes.flood, IsEmpty());
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_TRUE(service_.TakeFdbChanges().empty());
  // No route of ours for a remote MAC.
  EXPECT_EQ(Best(OurMacRoute(kMacB)), nullptr);

  // Another route target: not imported.
  Announce(3, PeerAttrs(3, 9, false, {Rt(200)}), {PeerMacRoute(3, kMacA)});
  EXPECT_THAT(Sync(T(2)), IsEmpty());
  EXPECT_EQ(Entry(kMacA), nullptr);
  EXPECT_FALSE(service_.HasFdbChanges());
  // Nor without any route target.
  wire::PathAttributes bare = PeerAttrs(3);
  bare.extended_communities.reset();
  Announce(3, bare, {PeerMacRoute(3, kMacA, Ip("192.0.2.30"))});
  EXPECT_THAT(Sync(T(3)), IsEmpty());
  EXPECT_EQ(Entry(kMacA), nullptr);
  // The MAC/IP route of B withdrawn: the MAC-only route still holds the MAC there.
  Withdraw(2, {PeerMacRoute(2, kMacB, Ip("192.0.2.20"))});
  EXPECT_THAT(Sync(T(4)), IsEmpty());
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_EQ(Entry(kMacB)->state.RemoteVtep(), Ip("10.0.0.2"));
}

TEST_F(EvpnServiceTest, RouteThatLeavesTheImportListIsUnimported) {
  ConfigureOne();
  Announce(2, PeerAttrs(2, 1), {PeerMacRoute(2, kMacB)});
  Announce(2, ImetAttrs(2), {PeerImet(2)});
  Sync(T(1));
  service_.TakeFdbChanges();
  // The same routes again, now with another route target (implicit replacement).
  Announce(2, PeerAttrs(2, 1, false, {Rt(555)}), {PeerMacRoute(2, kMacB)});
  Announce(2, ImetAttrs(2, /*pmsi=*/true, {Rt(555)}), {PeerImet(2)});
  EXPECT_THAT(Events(Sync(T(2))), ElementsAre(Ev(kMacB, D::kRemoveRemote)));
  FdbChanges changes = service_.TakeFdbChanges();
  EXPECT_THAT(MacChanges(changes), ElementsAre("delete 100 52:54:00:00:00:0b 10.0.0.2"));
  EXPECT_THAT(FloodChanges(changes), ElementsAre("remove 100 10.0.0.2"));
  EXPECT_EQ(Entry(kMacB), nullptr);
}

TEST_F(EvpnServiceTest, RouteWithTwoTargetsIsImportedIntoBothVnis) {
  EXPECT_THAT(service_.Configure({Instance(100), Instance(200)}, dad_, T(0)), IsEmpty());
  Sync(T(0));
  Announce(2, PeerAttrs(2, std::nullopt, false, {Rt(100), Rt(200)}), {PeerMacRoute(2, kMacB)});
  Sync(T(1));
  EXPECT_THAT(
      MacChanges(service_.TakeFdbChanges()),
      ElementsAre("add 100 52:54:00:00:00:0b 10.0.0.2", "add 200 52:54:00:00:00:0b 10.0.0.2"));
  // VNI 200 goes: its entry is deleted, VNI 100 keeps the MAC.
  service_.Configure({Instance(100)}, dad_, T(2));
  Sync(T(2));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("delete 200 52:54:00:00:00:0b 10.0.0.2"));
  Withdraw(2, {PeerMacRoute(2, kMacB)});
  Sync(T(3));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("delete 100 52:54:00:00:00:0b 10.0.0.2"));
}

TEST_F(EvpnServiceTest, FloodListFromInclusiveMulticastRoutes) {
  ConfigureOne();
  Announce(2, ImetAttrs(2), {PeerImet(2)});
  Sync(T(1));
  FdbChanges changes = service_.TakeFdbChanges();
  EXPECT_THAT(FloodChanges(changes), ElementsAre("add 100 10.0.0.2"));
  EXPECT_THAT(changes.macs, IsEmpty());
  // Without a PMSI Tunnel attribute: not on the flood list, counted.
  Announce(3, ImetAttrs(3, /*pmsi=*/false), {PeerImet(3)});
  Sync(T(2));
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_EQ(service_.Find(kVni)->counters.type3_without_ingress_replication, 1u);
  EXPECT_FALSE(service_.Find(kVni)->flood.contains(Ip("10.0.0.3")));
  // With a PMSI tunnel that is not ingress replication: the same.
  wire::PathAttributes pim = ImetAttrs(3);
  pim.pmsi_tunnel->tunnel_type = wire::PmsiTunnel::kPimSsm;
  Announce(3, pim, {PeerImet(3)});
  Sync(T(3));
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_EQ(service_.Find(kVni)->counters.type3_without_ingress_replication, 2u);
  // Now with ingress replication.
  Announce(3, ImetAttrs(3), {PeerImet(3)});
  Sync(T(4));
  EXPECT_THAT(FloodChanges(service_.TakeFdbChanges()), ElementsAre("add 100 10.0.0.3"));
  // Another route target: not imported (and not counted).
  Announce(3, ImetAttrs(3, /*pmsi=*/false, {Rt(300)}),
           {evpn::InclusiveMulticastEthernetTagRoute{test::Rd("10.0.0.3:2"), 0, Ip("10.0.0.3")}});
  Sync(T(5));
  EXPECT_EQ(service_.Find(kVni)->counters.type3_without_ingress_replication, 2u);
  // Withdrawn: off the list.
  Withdraw(2, {PeerImet(2)});
  Sync(T(6));
  EXPECT_THAT(FloodChanges(service_.TakeFdbChanges()), ElementsAre("remove 100 10.0.0.2"));
  // Our own type-3 route never puts us on our flood list.
  EXPECT_FALSE(service_.Find(kVni)->flood.contains(Ip(kLocalVtep)));
}

TEST_F(EvpnServiceTest, ConfigureImportsWhatTheLocRibAlreadyHolds) {
  Announce(2, PeerAttrs(2, 3), {PeerMacRoute(2, kMacB)});
  Announce(2, ImetAttrs(2), {PeerImet(2)});
  EXPECT_THAT(Sync(T(0)), IsEmpty());  // no VNI yet
  std::vector<MacEvent> events = service_.Configure({Instance()}, dad_, T(1));
  EXPECT_THAT(Events(events), ElementsAre(Ev(kMacB, D::kInstallRemote)));
  FdbChanges changes = service_.TakeFdbChanges();
  EXPECT_THAT(MacChanges(changes), ElementsAre("add 100 52:54:00:00:00:0b 10.0.0.2"));
  EXPECT_THAT(FloodChanges(changes), ElementsAre("add 100 10.0.0.2"));
}

// ---- mobility through the service ----

TEST_F(EvpnServiceTest, LocalLearnOfRemoteMacThenPeerMovesItBack) {
  ConfigureOne();
  Announce(2, PeerAttrs(2, 3), {PeerMacRoute(2, kMacA)});
  Sync(T(1));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("add 100 52:54:00:00:00:0a 10.0.0.2"));

  // RFC 7432 §15.1: learned here while the peer advertises it with 3: we advertise 4.
  EXPECT_THAT(Events(Learn(kMacA, T(10))),
              ElementsAre(Ev(kMacA, D::kRemoveRemote), Ev(kMacA, D::kMoved),
                          Ev(kMacA, D::kAdvertiseLocal)));
  Sync(T(10));
  EXPECT_EQ(OurSequence(kMacA), 4u);
  EXPECT_EQ(MobilityOf(*Best(OurMacRoute(kMacA)))->sticky(), false);
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("delete 100 52:54:00:00:00:0a 10.0.0.2"));

  // The peer learns it back with 5: our routes are withdrawn, fib-sync is told.
  Announce(2, PeerAttrs(2, 5), {PeerMacRoute(2, kMacA)});
  std::vector<MacEvent> events = Sync(T(20));
  EXPECT_THAT(Events(events), ElementsAre(Ev(kMacA, D::kLocalMovedAway),
                                          Ev(kMacA, D::kInstallRemote), Ev(kMacA, D::kMoved)));
  EXPECT_EQ(events[0].location, (evpn::MacLocation{Ip("10.0.0.2"), false, 5, false}));
  EXPECT_THAT(Sync(T(20)), IsEmpty());  // the withdrawal of our route
  EXPECT_EQ(OurSequence(kMacA), std::nullopt);
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("add 100 52:54:00:00:00:0a 10.0.0.2"));
  EXPECT_EQ(service_.Find(kVni)->counters.mac_moves, 2u);
}

TEST_F(EvpnServiceTest, RemoteMacMovesBetweenPeersAndIsWithdrawn) {
  ConfigureOne();
  Announce(2, PeerAttrs(2), {PeerMacRoute(2, kMacB)});  // no community: sequence 0
  Sync(T(1));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("add 100 52:54:00:00:00:0b 10.0.0.2"));
  Announce(3, PeerAttrs(3, 1), {PeerMacRoute(3, kMacB)});
  EXPECT_THAT(Events(Sync(T(2))), ElementsAre(Ev(kMacB, D::kInstallRemote), Ev(kMacB, D::kMoved)));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("replace 100 52:54:00:00:00:0b 10.0.0.3"));
  // The old owner withdraws: nothing changes for the FDB.
  Withdraw(2, {PeerMacRoute(2, kMacB)});
  EXPECT_THAT(Sync(T(3)), IsEmpty());
  EXPECT_FALSE(service_.HasFdbChanges());
  // The new one withdraws: the entry goes.
  Withdraw(3, {PeerMacRoute(3, kMacB)});
  EXPECT_THAT(Events(Sync(T(4))), ElementsAre(Ev(kMacB, D::kRemoveRemote)));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("delete 100 52:54:00:00:00:0b 10.0.0.3"));
  EXPECT_EQ(Entry(kMacB), nullptr);
  EXPECT_EQ(service_.Find(kVni)->counters.mac_moves, 1u);
}

TEST_F(EvpnServiceTest, PeerDownDeletesItsMacsAndFloodEntry) {
  ConfigureOne();
  Announce(2, PeerAttrs(2, 7), {PeerMacRoute(2, kMacA), PeerMacRoute(2, kMacB)});
  Announce(2, ImetAttrs(2), {PeerImet(2)});
  Sync(T(1));
  service_.TakeFdbChanges();
  ASSERT_TRUE(rib_.RemovePeer(2).ok());
  Sync(T(2));
  FdbChanges changes = service_.TakeFdbChanges();
  EXPECT_THAT(MacChanges(changes), UnorderedElementsAre("delete 100 52:54:00:00:00:0a 10.0.0.2",
                                                        "delete 100 52:54:00:00:00:0b 10.0.0.2"));
  EXPECT_THAT(FloodChanges(changes), ElementsAre("remove 100 10.0.0.2"));
  EXPECT_TRUE(service_.Find(kVni)->macs.empty());
}

TEST_F(EvpnServiceTest, FdbFeedCoalesces) {
  ConfigureOne();
  // Added and withdrawn before fib-sync asked: nothing to report.
  Announce(2, PeerAttrs(2), {PeerMacRoute(2, kMacB)});
  Sync(T(1));
  Withdraw(2, {PeerMacRoute(2, kMacB)});
  Sync(T(2));
  EXPECT_TRUE(service_.TakeFdbChanges().empty());
  EXPECT_EQ(Entry(kMacB), nullptr);
  // Reported at 2, then to 3 and back to 2 before fib-sync asks: nothing to report.
  Announce(2, PeerAttrs(2), {PeerMacRoute(2, kMacB)});
  Sync(T(3));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("add 100 52:54:00:00:00:0b 10.0.0.2"));
  Announce(3, PeerAttrs(3, 1), {PeerMacRoute(3, kMacB)});
  Sync(T(4));
  Announce(2, PeerAttrs(2, 2), {PeerMacRoute(2, kMacB)});
  Sync(T(5));
  EXPECT_EQ(Entry(kMacB)->state.RemoteVtep(), Ip("10.0.0.2"));
  EXPECT_TRUE(service_.TakeFdbChanges().empty());
  // A flood-list VTEP that comes and goes in between: nothing either.
  Announce(3, ImetAttrs(3), {PeerImet(3)});
  Sync(T(6));
  Withdraw(3, {PeerImet(3)});
  Sync(T(7));
  EXPECT_TRUE(service_.TakeFdbChanges().empty());
}

TEST_F(EvpnServiceTest, StickyConflicts) {
  ConfigureOne();
  // Our static MAC: a remote claim with a higher sequence is ignored and counted.
  Learn(kMacA, T(1), std::nullopt, /*sticky=*/true);
  Sync(T(1));
  Announce(2, PeerAttrs(2, 5), {PeerMacRoute(2, kMacA)});
  EXPECT_THAT(Events(Sync(T(2))), ElementsAre(Ev(kMacA, D::kStickyConflict)));
  Sync(T(2));
  EXPECT_EQ(OurSequence(kMacA), 0u);
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_EQ(service_.Find(kVni)->counters.sticky_conflicts, 1u);
  // A remote static MAC displaces a learned one here.
  Announce(3, PeerAttrs(3, 0, /*sticky=*/true), {PeerMacRoute(3, kMacB)});
  Sync(T(3));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("add 100 52:54:00:00:00:0b 10.0.0.3"));
  EXPECT_THAT(Events(Learn(kMacB, T(4))),
              ElementsAre(Ev(kMacB, D::kStickyConflict), Ev(kMacB, D::kLocalMovedAway)));
  Sync(T(4));
  EXPECT_EQ(OurSequence(kMacB), std::nullopt);
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_EQ(service_.Find(kVni)->counters.sticky_conflicts, 2u);
}

// Five moves of MAC A between us and peer 2 within 180 s; the fifth is a local learn at t=50.
class EvpnServiceDuplicateTest : public EvpnServiceTest {
 protected:
  void FiveMoves() {
    ConfigureOne();
    Announce(2, PeerAttrs(2), {PeerMacRoute(2, kMacA)});
    Sync(T(0));
    for (int i = 1; i <= 4; ++i) {
      if (i % 2 == 1) {
        Learn(kMacA, T(10 * i));
      } else {
        Announce(2, PeerAttrs(2, i), {PeerMacRoute(2, kMacA)});
      }
      Sync(T(10 * i));
      Sync(T(10 * i));
    }
    EXPECT_EQ(Entry(kMacA)->state.RemoteVtep(), Ip("10.0.0.2"));
    EXPECT_EQ(service_.NextDeadline(), std::nullopt);
    std::vector<MacEvent> events = Learn(kMacA, T(50));
    EXPECT_THAT(Events(events), ElementsAre(Ev(kMacA, D::kRemoveRemote), Ev(kMacA, D::kMoved),
                                            Ev(kMacA, D::kDuplicateDetected)));
    Sync(T(50));
  }
};

TEST_F(EvpnServiceDuplicateTest, DetectedThenRecoveredByTimer) {
  FiveMoves();
  EXPECT_EQ(service_.Find(kVni)->counters.duplicates_detected, 1u);
  EXPECT_EQ(service_.Find(kVni)->counters.mac_moves, 5u);
  EXPECT_TRUE(Entry(kMacA)->state.duplicate);
  // A duplicate MAC is not advertised.
  EXPECT_EQ(OurSequence(kMacA), std::nullopt);
  EXPECT_EQ(service_.NextDeadline(), T(230));
  EXPECT_THAT(service_.OnTimer(T(229)), IsEmpty());
  EXPECT_EQ(service_.NextDeadline(), T(230));
  std::vector<MacEvent> events = service_.OnTimer(T(230));
  EXPECT_THAT(Events(events),
              ElementsAre(Ev(kMacA, D::kDuplicateCleared), Ev(kMacA, D::kAdvertiseLocal)));
  EXPECT_EQ(service_.NextDeadline(), std::nullopt);
  Sync(T(230));
  // Advertised again above the peer's 4.
  EXPECT_EQ(OurSequence(kMacA), 5u);
  EXPECT_THAT(service_.OnTimer(T(1000)), IsEmpty());
}

TEST_F(EvpnServiceDuplicateTest, ClearedByOperator) {
  FiveMoves();
  auto events = service_.ClearDuplicate(kVni, Mac(kMacA), T(60));
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(Events(*events),
              ElementsAre(Ev(kMacA, D::kDuplicateCleared), Ev(kMacA, D::kAdvertiseLocal)));
  EXPECT_EQ(service_.NextDeadline(), std::nullopt);
  Sync(T(60));
  EXPECT_EQ(OurSequence(kMacA), 5u);
  EXPECT_THAT(service_.OnTimer(T(230)), IsEmpty());
  // Not duplicate any more: refused, nothing changes.
  EXPECT_EQ(service_.ClearDuplicate(kVni, Mac(kMacA), T(61)).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EvpnServiceDuplicateTest, RemovingTheVniDropsItsTimer) {
  FiveMoves();
  EXPECT_EQ(service_.NextDeadline(), T(230));
  service_.Configure({}, dad_, T(60));
  EXPECT_EQ(service_.NextDeadline(), std::nullopt);
  EXPECT_THAT(service_.OnTimer(T(230)), IsEmpty());
}

// ---- input errors ----

TEST_F(EvpnServiceTest, BadInputChangesNothing) {
  ConfigureOne();
  struct Case {
    evpn::Vni vni;
    const char* mac;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {999, kMacA, absl::StatusCode::kNotFound},
      {kVni, "01:00:5e:00:00:01", absl::StatusCode::kInvalidArgument},  // multicast
      {kVni, "33:33:00:00:00:01", absl::StatusCode::kInvalidArgument},  // IPv6 multicast
      {kVni, "ff:ff:ff:ff:ff:ff", absl::StatusCode::kInvalidArgument},  // broadcast
      {kVni, "00:00:00:00:00:00", absl::StatusCode::kInvalidArgument},  // zero
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.vni, " ", c.mac));
    EXPECT_EQ(service_.LearnLocal(c.vni, Mac(c.mac), Ip("192.0.2.1"), false, T(1)).status().code(),
              c.code);
    EXPECT_EQ(service_.AgeLocal(c.vni, Mac(c.mac), std::nullopt, T(1)).status().code(), c.code);
    EXPECT_EQ(service_.ClearDuplicate(c.vni, Mac(c.mac), T(1)).status().code(), c.code);
  }
  EXPECT_EQ(rib_.pending_decisions(), 0u);
  EXPECT_TRUE(service_.Find(kVni)->macs.empty());
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_EQ(service_.Find(999), nullptr);
  // A MAC the VNI does not know.
  EXPECT_EQ(service_.ClearDuplicate(kVni, Mac(kMacA), T(1)).status().code(),
            absl::StatusCode::kNotFound);
  auto aged = service_.AgeLocal(kVni, Mac(kMacA), std::nullopt, T(1));
  ASSERT_TRUE(aged.ok());
  EXPECT_THAT(*aged, IsEmpty());
}

// ---- reconfiguration ----

TEST_F(EvpnServiceTest, RemovingTheVniWithdrawsOurRoutesAndReportsDeletes) {
  ConfigureOne();
  Learn(kMacA, T(1), Ip("192.0.2.10"));
  Announce(2, PeerAttrs(2, 3), {PeerMacRoute(2, kMacB)});
  Announce(2, ImetAttrs(2), {PeerImet(2)});
  Sync(T(1));
  service_.TakeFdbChanges();
  EXPECT_EQ(rib_.loc_rib().size(), 5u);

  EXPECT_THAT(service_.Configure({}, dad_, T(2)), IsEmpty());
  EXPECT_THAT(service_.Vnis(), IsEmpty());
  EXPECT_EQ(service_.Find(kVni), nullptr);
  EXPECT_THAT(Sync(T(2)), IsEmpty());
  // Only the peer's routes are left.
  EXPECT_EQ(rib_.loc_rib().size(), 2u);
  EXPECT_EQ(Best(OurImet()), nullptr);
  EXPECT_EQ(Best(OurMacRoute(kMacA)), nullptr);
  EXPECT_EQ(Best(OurMacRoute(kMacA, Ip("192.0.2.10"))), nullptr);
  FdbChanges changes = service_.TakeFdbChanges();
  EXPECT_THAT(MacChanges(changes), ElementsAre("delete 100 52:54:00:00:00:0b 10.0.0.2"));
  EXPECT_THAT(FloodChanges(changes), ElementsAre("remove 100 10.0.0.2"));
  // What the peer sends for it now is ignored.
  Announce(3, PeerAttrs(3, 1), {PeerMacRoute(3, kMacA)});
  EXPECT_THAT(Sync(T(3)), IsEmpty());
  EXPECT_FALSE(service_.HasFdbChanges());
  EXPECT_EQ(service_.LearnLocal(kVni, Mac(kMacA), std::nullopt, false, T(3)).status().code(),
            absl::StatusCode::kNotFound);
  // Configured again: everything is imported again.
  service_.Configure({Instance()}, dad_, T(4));
  changes = service_.TakeFdbChanges();
  EXPECT_THAT(MacChanges(changes), UnorderedElementsAre("add 100 52:54:00:00:00:0a 10.0.0.3",
                                                        "add 100 52:54:00:00:00:0b 10.0.0.2"));
  EXPECT_THAT(FloodChanges(changes), ElementsAre("add 100 10.0.0.2"));
}

TEST_F(EvpnServiceTest, ChangingTheRouteTargetRebuildsAndKeepsLocalMacs) {
  ConfigureOne();
  const evpn::IpAddress ip = Ip("192.0.2.10");
  Learn(kMacA, T(1), ip);
  Announce(2, PeerAttrs(2), {PeerMacRoute(2, kMacB)});
  Announce(3, PeerAttrs(3, std::nullopt, false, {Rt(101)}),
           {MacRoute(PeerRd(3), "52:54:00:00:00:0c")});
  Sync(T(1));
  EXPECT_THAT(MacChanges(service_.TakeFdbChanges()),
              ElementsAre("add 100 52:54:00:00:00:0b 10.0.0.2"));

  service_.Configure({Instance(kVni, {Rt(101)})}, dad_, T(2));
  Sync(T(2));
  EXPECT_EQ(service_.Find(kVni)->config.import_route_targets, std::vector{Rt(101)});
  // Our MAC is still ours, its routes now carry the new route target.
  EXPECT_TRUE(Entry(kMacA)->state.Advertised());
  EXPECT_EQ(Entry(kMacA)->local_ips.size(), 1u);
  for (const evpn::EvpnRoute& route :
       {evpn::EvpnRoute{OurMacRoute(kMacA)}, evpn::EvpnRoute{OurMacRoute(kMacA, ip)},
        evpn::EvpnRoute{OurImet()}}) {
    PathPtr p = Best(route);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->source->local());
    EXPECT_TRUE(Carries(*p, Rt(101)));
    EXPECT_FALSE(Carries(*p, Rt(100)));
  }
  // What is imported follows the new route target.
  EXPECT_THAT(
      MacChanges(service_.TakeFdbChanges()),
      ElementsAre("delete 100 52:54:00:00:00:0b 10.0.0.2", "add 100 52:54:00:00:00:0c 10.0.0.3"));
}

// A MAC that moved away from us (its kernel entry is stale and fib-sync removes it) is not ours
// again after a rebuild: the rebuild must not re-learn it and steal it from the VTEP where it
// lives now with a higher sequence number.
TEST_F(EvpnServiceTest, RebuildDoesNotResurrectMacsThatMovedAway) {
  ConfigureOne();
  Learn(kMacA, T(1));
  Sync(T(1));
  Announce(2, PeerAttrs(2, 1), {PeerMacRoute(2, kMacA)});
  EXPECT_THAT(Events(Sync(T(2))), ElementsAre(Ev(kMacA, D::kLocalMovedAway),
                                              Ev(kMacA, D::kInstallRemote), Ev(kMacA, D::kMoved)));
  Sync(T(2));
  EXPECT_EQ(OurSequence(kMacA), std::nullopt);
  service_.TakeFdbChanges();

  // Another export route target: the VNI is rebuilt, its import is unchanged.
  EvpnInstanceConfig changed = Instance();
  changed.export_route_targets.push_back(Rt(4242));
  std::vector<MacEvent> events = service_.Configure({changed}, dad_, T(3));
  EXPECT_THAT(Events(events), ElementsAre(Ev(kMacA, D::kInstallRemote)));
  Sync(T(3));
  EXPECT_EQ(OurSequence(kMacA), std::nullopt);
  EXPECT_EQ(Entry(kMacA)->state.RemoteVtep(), Ip("10.0.0.2"));
  EXPECT_FALSE(Entry(kMacA)->state.Advertised());
  // The FDB ends where it was (a delete and an add of the same entry at most).
  FdbChanges changes = service_.TakeFdbChanges();
  if (!changes.macs.empty()) {
    EXPECT_THAT(MacChanges(changes), ElementsAre("delete 100 52:54:00:00:00:0a 10.0.0.2",
                                                 "add 100 52:54:00:00:00:0a 10.0.0.2"));
  }
}

TEST_F(EvpnServiceTest, NextDeadlineAcrossVnisAndMacs) {
  dad_.max_moves = 2;
  dad_.recovery = absl::Seconds(100);
  EXPECT_THAT(service_.Configure({Instance(100), Instance(200)}, dad_, T(0)), IsEmpty());
  Sync(T(0));
  // Two moves each: MAC A in VNI 100 at t=10, MAC B in VNI 200 at t=5.
  auto two_moves = [&](evpn::Vni vni, absl::string_view mac, int64_t at) {
    ASSERT_TRUE(service_.LearnLocal(vni, Mac(mac), std::nullopt, false, T(at - 2)).ok());
    Sync(T(at - 2));
    evpn::MacIpAdvertisementRoute r = PeerMacRoute(2, mac);
    r.rd = test::Rd(absl::StrCat("10.0.0.2:", vni).c_str());
    Announce(2, PeerAttrs(2, 1, false, {Rt(vni)}), {r});
    Sync(T(at - 1));
    auto events = service_.LearnLocal(vni, Mac(mac), std::nullopt, false, T(at));
    ASSERT_TRUE(events.ok());
    EXPECT_THAT(Events(*events), ::testing::Contains(Ev(mac, D::kDuplicateDetected)));
  };
  two_moves(100, kMacA, 10);
  EXPECT_EQ(service_.NextDeadline(), T(110));
  two_moves(200, kMacB, 5);
  EXPECT_EQ(service_.NextDeadline(), T(105));
  EXPECT_THAT(Events(service_.OnTimer(T(105))),
              ElementsAre(Ev(kMacB, D::kDuplicateCleared), Ev(kMacB, D::kAdvertiseLocal)));
  EXPECT_EQ(service_.NextDeadline(), T(110));
  EXPECT_THAT(Events(service_.OnTimer(T(500))),
              ElementsAre(Ev(kMacA, D::kDuplicateCleared), Ev(kMacA, D::kAdvertiseLocal)));
  EXPECT_EQ(service_.NextDeadline(), std::nullopt);
}

// The counts the views read (MacVrf::counts) stay equal to a count of the MACs through a long
// pseudo-random run of everything that changes a MAC: local learns and age-outs (with IPs,
// sticky or not), remote routes from two peers with rising, repeated or no sequence numbers
// (sticky or not, with IPs), withdrawals, duplicate detection (frozen or not), its timers and
// the operator's clear, and the FDB feed taken (which drops MACs with nothing left).
class EvpnServiceCountsTest : public EvpnServiceTest {
 protected:
  void RandomRun(bool freeze) {
    dad_.max_moves = 3;
    dad_.freeze = freeze;
    dad_.window = absl::Seconds(60);
    dad_.recovery = absl::Seconds(30);
    ConfigureOne();
    const std::vector<std::string> macs = {"52:54:00:00:00:01", "52:54:00:00:00:02",
                                           "52:54:00:00:00:03", "52:54:00:00:00:04"};
    const std::vector<evpn::IpAddress> ips = {Ip("10.1.0.1"), Ip("10.1.0.2")};
    uint32_t state = 12345;
    auto next = [&state](uint32_t n) {
      state = state * 1103515245u + 12345u;
      return (state >> 16) % n;
    };
    absl::Time now = T(0);
    size_t local = 0, remote = 0, duplicates = 0;
    for (int step = 0; step < 3000; ++step) {
      now += absl::Seconds(static_cast<int64_t>(next(5)));
      const std::string& mac = macs[next(static_cast<uint32_t>(macs.size()))];
      const std::optional<evpn::IpAddress> ip =
          next(3) == 0 ? std::nullopt : std::optional<evpn::IpAddress>(ips[next(2)]);
      const PeerId peer = 2 + next(2);
      std::string op;
      switch (next(8)) {
        case 0:
        case 1:
          op = "learn";
          Learn(mac, now, ip, next(6) == 0);
          break;
        case 2:
          op = "age";
          ASSERT_TRUE(
              service_.AgeLocal(kVni, Mac(mac), next(2) == 0 ? std::nullopt : ip, now).ok());
          break;
        case 3:
        case 4: {
          op = "announce";
          const std::optional<uint32_t> seq =
              next(4) == 0 ? std::nullopt : std::optional<uint32_t>(next(6));
          Announce(peer, PeerAttrs(peer, seq, next(8) == 0), {PeerMacRoute(peer, mac, ip)});
          break;
        }
        case 5:
          op = "withdraw";
          Withdraw(peer, {PeerMacRoute(peer, mac, ip)});
          break;
        case 6:
          op = "timer / clear";
          if (next(2) == 0) {
            service_.OnTimer(now);
          } else {
            ASSERT_TRUE(service_.ClearDuplicate(kVni, Mac(mac), now).ok() ||
                        Entry(mac) == nullptr || !Entry(mac)->state.duplicate);
          }
          break;
        default:
          op = "fdb";
          service_.TakeFdbChanges();
          break;
      }
      Sync(now);
      Sync(now);  // our own routes' changes come back as best paths
      ExpectCountsMatch(absl::StrCat("step ", step, " (", op, " ", mac, ")"));
      if (HasFailure()) return;
      const MacCounts& c = service_.Find(kVni)->counts;
      local += c.local_active > 0;
      remote += c.located_remote > 0;
      duplicates += c.duplicates > 0;
    }
    // The run went through every kind of state.
    EXPECT_GT(local, 0u);
    EXPECT_GT(remote, 0u);
    EXPECT_GT(duplicates, 0u);
  }
};

TEST_F(EvpnServiceCountsTest, FollowEveryChange) { RandomRun(false); }
TEST_F(EvpnServiceCountsTest, FollowEveryChangeWithFrozenDuplicates) { RandomRun(true); }

}  // namespace
}  // namespace evpnd::rib

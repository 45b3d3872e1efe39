// Unit tests for bgp_routegen's pure part (tests/tools/routegen_lib.h): the command line and its
// usage errors, the routes derived from an index, and every pre-encoded stream decoded back with
// the project's own decoder (DecodeMessage): each route comes back exactly once with the
// attributes the options ask for (iBGP and eBGP, 2- and 4-octet AS route targets, MAC mobility,
// router's MAC, Label2, VNI spreading, type-3 with the RFC 6514 PMSI tunnel), UPDATEs fill but
// never exceed the message size (RFC 4271 4096 bytes, RFC 8654 65535), End-of-RIB (RFC 4724 §2)
// and withdrawals, a 2-octet AS session (RFC 6793 AS_TRANS + AS4_PATH), and each malformed kind
// meeting the RFC 7606 reaction our decoder gives it.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bgpd/wire/message.h"
#include "bgpd/wire/notification_codes.h"
#include "gtest/gtest.h"
#include "tests/tools/routegen_lib.h"

namespace evpnd::routegen {
namespace {

using wire::CodecContext;
using wire::Message;
using wire::UpdateMessage;

absl::StatusOr<Config> Parse(std::vector<const char*> args) {
  return ParseCommandLine(std::span<const char* const>(args.data(), args.size()));
}

std::vector<const char*> Base() {
  return {"--connect",   "127.0.0.1:1790", "--local-as", "65000", "--remote-as", "65000",
          "--router-id", "192.0.2.1",      "--vni",      "100",   "--next-hop",  "192.0.2.10"};
}

Config MustParse(std::vector<const char*> extra) {
  std::vector<const char*> args = Base();
  args.insert(args.end(), extra.begin(), extra.end());
  absl::StatusOr<Config> c = Parse(args);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : Config{};
}

// Splits a stream into messages and decodes each; every message must decode cleanly.
std::vector<UpdateMessage> DecodeUpdates(const std::vector<uint8_t>& bytes, const CodecContext& ctx,
                                         std::vector<size_t>* sizes = nullptr) {
  std::vector<UpdateMessage> out;
  std::span<const uint8_t> rest(bytes);
  while (!rest.empty()) {
    wire::FrameCheck frame = wire::CheckFrame(rest, ctx);
    EXPECT_FALSE(frame.error.has_value()) << frame.error->message;
    EXPECT_NE(frame.length, 0u) << "truncated message at the end of the stream";
    if (frame.error || frame.length == 0) break;
    wire::DecodeOutcome<Message> m = wire::DecodeMessage(rest.first(frame.length), ctx);
    EXPECT_TRUE(m.ok()) << m.strongest()->message;
    EXPECT_TRUE(std::holds_alternative<UpdateMessage>(m.value));
    if (auto* u = std::get_if<UpdateMessage>(&m.value)) out.push_back(std::move(*u));
    if (sizes) sizes->push_back(frame.length);
    rest = rest.subspan(frame.length);
  }
  return out;
}

wire::DecodeOutcome<Message> DecodeOne(const std::vector<uint8_t>& bytes, const CodecContext& ctx) {
  wire::FrameCheck frame = wire::CheckFrame(bytes, ctx);
  EXPECT_FALSE(frame.error.has_value());
  EXPECT_EQ(frame.length, bytes.size());
  return wire::DecodeMessage(bytes, ctx);
}

template <typename T>
const T* FindCommunity(const wire::PathAttributes& a) {
  if (!a.extended_communities) return nullptr;
  for (const evpn::ExtendedCommunity& c : *a.extended_communities) {
    if (const T* t = std::get_if<T>(&c)) return t;
  }
  return nullptr;
}

// ---- command line ----

TEST(RoutegenCommandLine, MinimalCommandAndDefaults) {
  Config c = MustParse({"--routes", "1000"});
  ASSERT_TRUE(c.connect.has_value());
  EXPECT_EQ(c.connect->address.ToString(), "127.0.0.1");
  EXPECT_EQ(c.connect->port, 1790);
  EXPECT_EQ(c.routes, 1000u);
  EXPECT_EQ(c.hold_time, 90);
  EXPECT_TRUE(c.ibgp());
  EXPECT_TRUE(c.encap_vxlan);
  EXPECT_EQ(c.RdIp(), c.router_id);  // rd-ip defaults to the router id
  EXPECT_EQ(c.RtAs(), 65000u);       // rt-as to the local AS
  EXPECT_EQ(c.NextHop().ToString(), "192.0.2.10");
  EXPECT_EQ(c.per_update, 0u);
}

TEST(RoutegenCommandLine, ValueFormsEndpointsAndFlags) {
  Config c = MustParse({"--routes=5", "--with-ip", "--ip-base", "10.1.0.0", "--seq=3",
                        "--router-mac", "00:1c:73:aa:bb:cc", "--rt-as", "4200000000",
                        "--per-update", "7", "--one-per-update", "--no-encap-vxlan", "--malformed",
                        "bad-pmsi", "--then-hold", "2.5", "--json"});
  EXPECT_EQ(c.routes, 5u);
  EXPECT_EQ(c.ip_base, 0x0a010000u);
  EXPECT_EQ(c.seq, 3u);
  EXPECT_EQ(c.router_mac->ToString(), "00:1c:73:aa:bb:cc");
  EXPECT_EQ(c.per_update, 1u);  // the later --one-per-update wins
  EXPECT_FALSE(c.encap_vxlan);
  EXPECT_EQ(c.malformed, MalformedKind::kBadPmsi);
  EXPECT_DOUBLE_EQ(*c.then_hold_s, 2.5);

  absl::StatusOr<Endpoint> v6 = ParseEndpoint("[::1]:1179");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->address.is_v6());
  EXPECT_EQ(v6->port, 1179);
  EXPECT_EQ(v6->ToString(), "[::1]:1179");
  absl::StatusOr<Endpoint> bare_v6 = ParseEndpoint("2001:db8::1");
  ASSERT_TRUE(bare_v6.ok());
  EXPECT_EQ(bare_v6->port, 179);
  absl::StatusOr<Endpoint> v4 = ParseEndpoint("127.0.0.2");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->port, 179);
  EXPECT_FALSE(ParseEndpoint("127.0.0.1:0").ok());
  EXPECT_FALSE(ParseEndpoint("127.0.0.1:x").ok());
  EXPECT_FALSE(ParseEndpoint("localhost:179").ok());
  EXPECT_FALSE(ParseEndpoint("[::1").ok());
}

TEST(RoutegenCommandLine, UsageErrorsSayWhatIsWrong) {
  struct Case {
    std::vector<const char*> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--local-as", "1", "--remote-as", "1", "--router-id", "1.1.1.1"}, "exactly one of"},
      {{"--connect", "127.0.0.1", "--remote-as", "1", "--router-id", "1.1.1.1"}, "--local-as"},
      {{"--connect", "127.0.0.1", "--local-as", "1", "--remote-as", "1"}, "--router-id"},
      {{"--connect", "127.0.0.1", "--local-as", "x"}, "--local-as: 'x' is not a number"},
      {{"--connect", "127.0.0.1", "--local-as", "4294967296"}, "from 1 to 4294967295"},
      {{"--connect"}, "--connect needs a value"},
      {{"--connect", "nowhere"}, "not an IP address"},
      {{"--frobnicate"}, "unknown option '--frobnicate'"},
      {{"routes"}, "unexpected argument 'routes'"},
      {{"--with-ip=yes"}, "--with-ip takes no value"},
      {{"--hold", "2"}, "at least 3"},
      {{"--malformed", "evil"}, "one of: bad-nlri-length, bad-route-type"},
      {{"--router-id", "::1"}, "not an IPv4 address"},
      {{"--connect", "127.0.0.1", "--local-as", "1", "--remote-as", "1", "--router-id", "1.1.1.1",
        "--routes", "10"},
       "--vni V is required"},
      {{"--connect", "127.0.0.1", "--local-as", "1", "--remote-as", "1", "--router-id", "1.1.1.1",
        "--exit-after-send", "--then-hold", "3"},
       "exclude each other"},
      {{"--connect", "127.0.0.1", "--local-as", "1", "--remote-as", "1", "--router-id", "1.1.1.1",
        "--vni", "16777215", "--vnis", "2"},
       "largest VNI"},
      {{"--connect", "127.0.0.1", "--local-as", "1", "--remote-as", "1", "--router-id", "1.1.1.1",
        "--vni", "1", "--routes", "10", "--with-ip", "--ip-base", "255.255.255.250"},
       "past 255.255.255.255"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Config> r = Parse(c.args);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.says), std::string::npos)
        << "message: " << r.status().message() << "\nexpected to contain: " << c.says;
  }
  absl::StatusOr<Config> help = Parse({"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->help);
  EXPECT_NE(UsageText().find("--malformed KIND"), std::string::npos);
}

TEST(RoutegenCommandLine, MalformedKindNamesRoundTrip) {
  for (MalformedKind k : kAllMalformedKinds) {
    EXPECT_EQ(ParseMalformedKind(MalformedKindName(k)), k);
    EXPECT_FALSE(MalformedExpectation(k).empty());
  }
  EXPECT_FALSE(ParseMalformedKind("none").has_value());
}

// ---- routes ----

TEST(RoutegenRoutes, MacsComeFromTheIndex) {
  EXPECT_EQ(MacForIndex(0).ToString(), "02:00:00:00:00:00");
  EXPECT_EQ(MacForIndex(0x0102030405).ToString(), "02:01:02:03:04:05");
  EXPECT_EQ(MacForIndex(0xffffffffff).ToString(), "02:ff:ff:ff:ff:ff");
  std::set<evpn::MacAddress> seen;
  for (uint64_t i = 0; i < 70000; ++i) {
    const evpn::MacAddress mac = MacForIndex(i);
    EXPECT_TRUE(mac.IsUnicast());
    seen.insert(mac);
  }
  EXPECT_EQ(seen.size(), 70000u);
  Config c = MustParse({"--routes", "3", "--mac-offset", "256"});
  EXPECT_EQ(Type2Route(c, 0).mac.ToString(), "02:00:00:00:01:00");
}

// ---- encoded streams, decoded back ----

TEST(RoutegenEncode, IbgpMacOnlyRoutesComeBackOnceEachInFullUpdates) {
  Config c = MustParse({"--routes", "1000"});
  const CodecContext ctx = AssumedContext(c);
  absl::StatusOr<EncodedRun> run = EncodeRun(c, ctx);
  ASSERT_TRUE(run.ok()) << run.status();
  std::vector<size_t> sizes;
  std::vector<UpdateMessage> updates = DecodeUpdates(run->announce.bytes, ctx, &sizes);
  ASSERT_EQ(updates.size(), run->announce.messages);
  EXPECT_EQ(run->announce.routes, 1000u);
  EXPECT_EQ(run->type2, 1000u);

  const size_t route_size = wire::EvpnNlriSize({std::nullopt, Type2Route(c, 0)}, false);
  EXPECT_EQ(route_size, 35u);  // type, length, 33 bytes (RFC 7432 §7.2, no IP)
  std::vector<evpn::MacIpAdvertisementRoute> got;
  for (size_t u = 0; u < updates.size(); ++u) {
    const wire::PathAttributes& a = updates[u].attributes;
    EXPECT_LE(sizes[u], wire::kMaxMessageSize);
    // Packed: only the last UPDATE has room for another route.
    if (u + 1 < updates.size()) {
      EXPECT_GT(sizes[u] + route_size, wire::kMaxMessageSize);
    }
    EXPECT_EQ(a.origin, wire::Origin::kIgp);
    ASSERT_TRUE(a.as_path.has_value());
    EXPECT_TRUE(a.as_path->segments.empty());  // iBGP
    EXPECT_EQ(a.local_pref, 100u);
    EXPECT_FALSE(a.pmsi_tunnel.has_value());
    const auto* rt = FindCommunity<evpn::RouteTarget>(a);
    ASSERT_NE(rt, nullptr);
    EXPECT_EQ(rt->ToString(), "65000:100");
    const auto* encap = FindCommunity<evpn::EncapsulationExtendedCommunity>(a);
    ASSERT_NE(encap, nullptr);
    EXPECT_EQ(encap->tunnel_type, evpn::EncapsulationExtendedCommunity::kVxlan);
    EXPECT_EQ(FindCommunity<evpn::MacMobilityExtendedCommunity>(a), nullptr);
    ASSERT_TRUE(a.mp_reach.has_value());
    EXPECT_EQ(a.mp_reach->family, wire::kL2vpnEvpn);
    EXPECT_EQ(a.mp_reach->NextHopAddress()->ToString(), "192.0.2.10");
    for (const wire::EvpnNlri& n : a.mp_reach->evpn_routes) {
      const auto* r = std::get_if<evpn::MacIpAdvertisementRoute>(&n.route);
      ASSERT_NE(r, nullptr);
      got.push_back(*r);
    }
  }
  ASSERT_EQ(got.size(), 1000u);
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(got[i], Type2Route(c, i)) << "route " << i;
    EXPECT_EQ(got[i].rd.ToString(), "192.0.2.1:100");
    EXPECT_EQ(got[i].label1.vni(), 100u);
    EXPECT_FALSE(got[i].ip.has_value());
  }
  // End-of-RIB for L2VPN EVPN; no withdrawals and no malformed UPDATE unless asked.
  std::vector<UpdateMessage> eor = DecodeUpdates(run->end_of_rib.bytes, ctx);
  ASSERT_EQ(eor.size(), 1u);
  EXPECT_EQ(eor[0].EndOfRibFamily(), wire::kL2vpnEvpn);
  EXPECT_TRUE(run->withdraw.bytes.empty());
  EXPECT_TRUE(run->malformed.bytes.empty());
}

TEST(RoutegenEncode, EbgpFourOctetAsAristaShapedMacIpRoutes) {
  std::vector<const char*> args = {
      "--connect",  "127.0.0.1",    "--local-as",        "4200000001", "--remote-as",
      "65000",      "--router-id",  "192.0.2.1",         "--vni",      "10100",
      "--next-hop", "192.0.2.10",   "--routes",          "300",        "--with-ip",
      "--rt-as",    "4200000001",   "--rd-ip",           "192.0.2.7",  "--seq",
      "5",          "--router-mac", "00:1c:73:00:00:01", "--l3vni",    "50000"};
  absl::StatusOr<Config> c = Parse(args);
  ASSERT_TRUE(c.ok()) << c.status();
  const CodecContext ctx = AssumedContext(*c);
  absl::StatusOr<EncodedRun> run = EncodeRun(*c, ctx);
  ASSERT_TRUE(run.ok()) << run.status();
  std::vector<UpdateMessage> updates = DecodeUpdates(run->announce.bytes, ctx);
  uint64_t index = 0;
  for (const UpdateMessage& u : updates) {
    const wire::PathAttributes& a = u.attributes;
    ASSERT_TRUE(a.as_path.has_value());
    ASSERT_EQ(a.as_path->segments.size(), 1u);
    EXPECT_EQ(a.as_path->segments[0].asns, std::vector<uint32_t>{4200000001u});  // eBGP
    EXPECT_FALSE(a.local_pref.has_value());
    const auto* rt = FindCommunity<evpn::RouteTarget>(a);
    ASSERT_NE(rt, nullptr);
    // RFC 5668 4-octet-AS RT (type 0x02), the VNI's low 16 bits, as EOS sends it.
    EXPECT_EQ(rt->kind, evpn::RouteTarget::Kind::kFourOctetAs);
    EXPECT_EQ(rt->ToString(), "4200000001:10100");
    EXPECT_EQ(evpn::ExtendedCommunityToBytes(*rt)[0], 0x02);
    const auto* mm = FindCommunity<evpn::MacMobilityExtendedCommunity>(a);
    ASSERT_NE(mm, nullptr);
    EXPECT_EQ(mm->sequence, 5u);
    EXPECT_FALSE(mm->sticky());
    const auto* rmac = FindCommunity<evpn::RouterMacExtendedCommunity>(a);
    ASSERT_NE(rmac, nullptr);
    EXPECT_EQ(rmac->mac.ToString(), "00:1c:73:00:00:01");
    for (const wire::EvpnNlri& n : a.mp_reach->evpn_routes) {
      const auto& r = std::get<evpn::MacIpAdvertisementRoute>(n.route);
      EXPECT_EQ(r, Type2Route(*c, index));
      EXPECT_EQ(r.rd.ToString(), "192.0.2.7:10100");
      EXPECT_EQ(r.ip->ToString(), evpn::IpAddress::V4(0x0a000001 + index).ToString());
      EXPECT_EQ(r.label2->vni(), 50000u);
      ++index;
    }
  }
  EXPECT_EQ(index, 300u);
  EXPECT_EQ(Type2Route(*c, 0).ip->ToString(), "10.0.0.1");
}

TEST(RoutegenEncode, RoutesSpreadOverVnisEachUpdateOneVni) {
  Config c = MustParse({"--routes", "1000", "--vnis", "3", "--sticky"});
  const CodecContext ctx = AssumedContext(c);
  absl::StatusOr<EncodedRun> run = EncodeRun(c, ctx);
  ASSERT_TRUE(run.ok()) << run.status();
  std::map<uint32_t, size_t> per_vni;
  std::set<evpn::MacAddress> macs;
  for (const UpdateMessage& u : DecodeUpdates(run->announce.bytes, ctx)) {
    const auto* rt = FindCommunity<evpn::RouteTarget>(u.attributes);
    ASSERT_NE(rt, nullptr);
    const auto* mm = FindCommunity<evpn::MacMobilityExtendedCommunity>(u.attributes);
    ASSERT_NE(mm, nullptr);
    EXPECT_TRUE(mm->sticky());
    EXPECT_EQ(mm->sequence, 0u);
    for (const wire::EvpnNlri& n : u.attributes.mp_reach->evpn_routes) {
      const auto& r = std::get<evpn::MacIpAdvertisementRoute>(n.route);
      EXPECT_EQ(r.label1.vni(), rt->local_administrator);  // RT, label and RD agree
      EXPECT_EQ(r.rd.assigned_number(), r.label1.vni());
      ++per_vni[r.label1.vni()];
      macs.insert(r.mac);
    }
  }
  EXPECT_EQ(per_vni, (std::map<uint32_t, size_t>{{100, 334}, {101, 333}, {102, 333}}));
  EXPECT_EQ(macs.size(), 1000u);
}

TEST(RoutegenEncode, Type3RoutesCarryIngressReplicationPmsi) {
  Config c = MustParse({"--routes", "10", "--type3", "3", "--vnis", "3"});
  const CodecContext ctx = AssumedContext(c);
  absl::StatusOr<EncodedRun> run = EncodeRun(c, ctx);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->type3, 3u);
  EXPECT_EQ(run->announce.routes, 13u);
  std::vector<UpdateMessage> updates = DecodeUpdates(run->announce.bytes, ctx);
  ASSERT_GE(updates.size(), 3u);
  for (uint32_t j = 0; j < 3; ++j) {  // type-3 come first, one UPDATE per VNI
    const wire::PathAttributes& a = updates[j].attributes;
    ASSERT_EQ(a.mp_reach->evpn_routes.size(), 1u);
    const auto& r =
        std::get<evpn::InclusiveMulticastEthernetTagRoute>(a.mp_reach->evpn_routes[0].route);
    EXPECT_EQ(r, Type3Route(c, j));
    EXPECT_EQ(r.originating_router_ip.ToString(), "192.0.2.10");
    EXPECT_EQ(r.rd.ToString(), absl::StrCat("192.0.2.1:", 100 + j));
    ASSERT_TRUE(a.pmsi_tunnel.has_value());
    EXPECT_EQ(a.pmsi_tunnel->tunnel_type, wire::PmsiTunnel::kIngressReplication);
    EXPECT_EQ(a.pmsi_tunnel->label.vni(), 100 + j);
    EXPECT_EQ(a.pmsi_tunnel->TunnelEndpoint()->ToString(), "192.0.2.10");
    EXPECT_EQ(FindCommunity<evpn::RouteTarget>(a)->local_administrator, 100 + j);
    EXPECT_EQ(FindCommunity<evpn::MacMobilityExtendedCommunity>(a), nullptr);
  }
}

TEST(RoutegenEncode, PerUpdateLimits) {
  Config seven = MustParse({"--routes", "100", "--per-update", "7"});
  absl::StatusOr<EncodedRun> run = EncodeRun(seven, AssumedContext(seven));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->announce.messages, 15u);  // 14 x 7 + 2
  Config one = MustParse({"--routes", "100", "--one-per-update"});
  run = EncodeRun(one, AssumedContext(one));
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->announce.messages, 100u);
  for (const UpdateMessage& u : DecodeUpdates(run->announce.bytes, AssumedContext(one))) {
    EXPECT_EQ(u.attributes.mp_reach->evpn_routes.size(), 1u);
  }
}

TEST(RoutegenEncode, ExtendedMessagesHoldMoreRoutes) {
  Config c = MustParse({"--routes", "5000", "--extended-message"});
  const CodecContext ctx = AssumedContext(c);
  EXPECT_EQ(ctx.max_message_size, wire::kMaxExtendedMessageSize);
  absl::StatusOr<EncodedRun> run = EncodeRun(c, ctx);
  ASSERT_TRUE(run.ok()) << run.status();
  std::vector<size_t> sizes;
  std::vector<UpdateMessage> updates = DecodeUpdates(run->announce.bytes, ctx, &sizes);
  EXPECT_LT(updates.size(), 5u);
  size_t routes = 0;
  for (size_t i = 0; i < updates.size(); ++i) {
    EXPECT_LE(sizes[i], wire::kMaxExtendedMessageSize);
    routes += updates[i].attributes.mp_reach->evpn_routes.size();
  }
  EXPECT_EQ(routes, 5000u);
}

TEST(RoutegenEncode, WithdrawAfterWithdrawsEveryRoute) {
  Config c = MustParse({"--routes", "500", "--type3", "2", "--withdraw-after"});
  const CodecContext ctx = AssumedContext(c);
  absl::StatusOr<EncodedRun> run = EncodeRun(c, ctx);
  ASSERT_TRUE(run.ok()) << run.status();
  std::set<std::string> announced;
  for (const UpdateMessage& u : DecodeUpdates(run->announce.bytes, ctx)) {
    for (const wire::EvpnNlri& n : u.attributes.mp_reach->evpn_routes) {
      announced.insert(evpn::ToString(n.route));
    }
  }
  std::set<std::string> withdrawn;
  for (const UpdateMessage& u : DecodeUpdates(run->withdraw.bytes, ctx)) {
    EXPECT_FALSE(u.attributes.mp_reach.has_value());
    EXPECT_FALSE(u.attributes.origin.has_value());
    ASSERT_TRUE(u.attributes.mp_unreach.has_value());
    for (const wire::EvpnNlri& n : u.attributes.mp_unreach->evpn_routes) {
      withdrawn.insert(evpn::ToString(n.route));
    }
  }
  EXPECT_EQ(announced.size(), 502u);
  EXPECT_EQ(withdrawn, announced);
  EXPECT_EQ(run->withdraw.routes, 502u);
}

TEST(RoutegenEncode, TwoOctetAsPeerGetsAsTransAndAs4Path) {
  std::vector<const char*> args = {"--connect",   "127.0.0.1", "--local-as",  "4200000001",
                                   "--remote-as", "65000",     "--router-id", "192.0.2.1",
                                   "--vni",       "100",       "--routes",    "10"};
  absl::StatusOr<Config> c = Parse(args);
  ASSERT_TRUE(c.ok());
  // A peer without the 4-octet AS capability.
  wire::OpenMessage peer;
  peer.my_as = 65000;
  peer.hold_time = 9;
  peer.bgp_identifier = 0x01010101;
  peer.capabilities = {wire::MultiprotocolCapability{wire::kL2vpnEvpn}};
  const CodecContext ctx = NegotiatedContext(*c, peer);
  EXPECT_FALSE(ctx.four_octet_as);
  absl::StatusOr<EncodedRun> run = EncodeRun(*c, ctx);
  ASSERT_TRUE(run.ok());
  for (const UpdateMessage& u : DecodeUpdates(run->announce.bytes, ctx)) {
    EXPECT_EQ(u.attributes.as_path->segments[0].asns, std::vector<uint32_t>{wire::kAsTrans});
    ASSERT_TRUE(u.attributes.as4_path.has_value());
    EXPECT_EQ(u.attributes.as4_path->segments[0].asns, std::vector<uint32_t>{4200000001u});
  }
}

TEST(RoutegenSession, OpenAdvertisesEvpnFourOctetAsAndRouteRefresh) {
  Config c = MustParse({"--local-as", "4200000001", "--hold", "9", "--extended-message"});
  const wire::OpenMessage open = BuildOpen(c);
  absl::StatusOr<std::vector<uint8_t>> bytes = wire::EncodeMessage(open, AssumedContext(c));
  ASSERT_TRUE(bytes.ok());
  wire::DecodeOutcome<Message> decoded = DecodeOne(*bytes, {});
  ASSERT_TRUE(decoded.ok());
  const auto& got = std::get<wire::OpenMessage>(decoded.value);
  EXPECT_EQ(got.my_as, wire::kAsTrans);
  EXPECT_EQ(got.SpeakerAs(), 4200000001u);
  EXPECT_EQ(got.hold_time, 9);
  EXPECT_EQ(got.bgp_identifier, 0xc0000201u);
  EXPECT_EQ(got.Families(), std::vector<wire::AfiSafi>{wire::kL2vpnEvpn});
  EXPECT_NE(got.Find<wire::RouteRefreshCapability>(), nullptr);
  EXPECT_NE(got.Find<wire::ExtendedMessageCapability>(), nullptr);
  // Extended messages only when the peer advertises them too.
  EXPECT_EQ(NegotiatedContext(c, got).max_message_size, wire::kMaxExtendedMessageSize);
  wire::OpenMessage plain = got;
  plain.capabilities = {wire::MultiprotocolCapability{wire::kL2vpnEvpn},
                        wire::FourOctetAsCapability{65000}};
  EXPECT_EQ(NegotiatedContext(c, plain).max_message_size, wire::kMaxMessageSize);
  EXPECT_TRUE(NegotiatedContext(c, plain).four_octet_as);
}

// ---- reading: whole messages out of arbitrary reads ----

// Feeds `stream` to a framer `chunk` bytes per read, as read() may return them.
std::vector<std::vector<uint8_t>> Frame(const std::vector<uint8_t>& stream, size_t chunk) {
  StreamFramer framer;
  std::vector<std::vector<uint8_t>> out;
  for (size_t at = 0; at < stream.size(); at += chunk) {
    const size_t n = std::min(chunk, stream.size() - at);
    // Offer more room than the read fills, as a read of 256 KiB that returns less does.
    uint8_t* dst = framer.Prepare(n + 100);
    std::copy(stream.begin() + at, stream.begin() + at + n, dst);
    framer.Commit(n);
    while (true) {
      StreamFramer::Next next = framer.Pop(CodecContext{});
      EXPECT_FALSE(next.error.has_value());
      if (next.message.empty()) break;
      out.emplace_back(next.message.begin(), next.message.end());
    }
  }
  EXPECT_EQ(framer.buffered(), 0u);
  return out;
}

TEST(RoutegenFramer, WholeMessagesWhateverTheReadSizes) {
  Config c = MustParse({"--routes", "2000", "--type3", "2"});
  absl::StatusOr<EncodedRun> run = EncodeRun(c, AssumedContext(c));
  ASSERT_TRUE(run.ok());
  std::vector<std::vector<uint8_t>> expected;
  std::vector<uint8_t> stream;
  auto add = [&](std::vector<uint8_t> m) {
    stream.insert(stream.end(), m.begin(), m.end());
    expected.push_back(std::move(m));
  };
  add(*wire::EncodeMessage(BuildOpen(c), CodecContext{}));
  add(*wire::EncodeMessage(wire::KeepaliveMessage{}, CodecContext{}));
  std::span<const uint8_t> rest(run->announce.bytes);
  while (!rest.empty()) {
    const size_t length = wire::CheckFrame(rest, CodecContext{}).length;
    ASSERT_GT(length, 0u);
    add({rest.begin(), rest.begin() + static_cast<ptrdiff_t>(length)});
    rest = rest.subspan(length);
  }
  add(run->end_of_rib.bytes);
  add(*wire::EncodeMessage(wire::NotificationMessage{wire::kCease, 2, {}}, CodecContext{}));
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{18}, size_t{19}, size_t{20}, size_t{1000},
                       size_t{4095}, size_t{4096}, size_t{4097}, size_t{65536}, stream.size()}) {
    SCOPED_TRACE(chunk);
    EXPECT_EQ(Frame(stream, chunk), expected);
  }
}

TEST(RoutegenFramer, BadMarkerIsAnErrorAndPartialHeaderWaits) {
  StreamFramer framer;
  std::vector<uint8_t> keepalive = *wire::EncodeMessage(wire::KeepaliveMessage{}, CodecContext{});
  std::copy(keepalive.begin(), keepalive.begin() + 10, framer.Prepare(10));
  framer.Commit(10);
  StreamFramer::Next next = framer.Pop(CodecContext{});
  EXPECT_TRUE(next.message.empty());
  EXPECT_FALSE(next.error.has_value());
  keepalive[12] = 0;  // the marker is not all ones
  std::copy(keepalive.begin() + 10, keepalive.end(), framer.Prepare(64));
  framer.Commit(keepalive.size() - 10);
  next = framer.Pop(CodecContext{});
  ASSERT_TRUE(next.error.has_value());
  EXPECT_EQ(next.error->code, wire::kMessageHeaderError);
  EXPECT_EQ(next.error->subcode, wire::kConnectionNotSynchronized);
}

// ---- malformed UPDATEs: what our own decoder makes of them ----

struct MalformedCase {
  MalformedKind kind;
  wire::ErrorAction action;
  uint8_t subcode;
  std::optional<uint8_t> attribute;
};

TEST(RoutegenMalformed, EachKindMeetsItsRfc7606Reaction) {
  Config c = MustParse({"--routes", "10", "--type3", "1"});
  const CodecContext ctx = AssumedContext(c);
  using A = wire::ErrorAction;
  const std::vector<MalformedCase> cases = {
      {MalformedKind::kBadNlriLength, A::kAfiSafiDisable, wire::kOptionalAttributeError,
       wire::kAttrMpReachNlri},
      {MalformedKind::kShortMacLen, A::kAfiSafiDisable, wire::kOptionalAttributeError,
       wire::kAttrMpReachNlri},
      {MalformedKind::kBadAttrFlags, A::kTreatAsWithdraw, wire::kAttributeFlagsError,
       wire::kAttrOrigin},
      {MalformedKind::kBadOriginValue, A::kTreatAsWithdraw, wire::kInvalidOriginAttribute,
       wire::kAttrOrigin},
      {MalformedKind::kMissingNexthopMpReach, A::kAfiSafiDisable, wire::kOptionalAttributeError,
       wire::kAttrMpReachNlri},
      {MalformedKind::kBadPmsi, A::kTreatAsWithdraw, wire::kAttributeLengthError,
       wire::kAttrPmsiTunnel},
      {MalformedKind::kDuplicateMpReach, A::kSessionReset, wire::kMalformedAttributeList,
       wire::kAttrMpReachNlri},
  };
  for (const MalformedCase& mc : cases) {
    SCOPED_TRACE(std::string(MalformedKindName(mc.kind)));
    absl::StatusOr<std::vector<uint8_t>> bytes = EncodeMalformed(c, mc.kind, ctx);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_LE(bytes->size(), wire::kMaxMessageSize);
    wire::DecodeOutcome<Message> out = DecodeOne(*bytes, ctx);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.action(), mc.action);
    const wire::WireError& e = *out.strongest();
    EXPECT_EQ(e.code, wire::kUpdateMessageError);
    EXPECT_EQ(e.subcode, mc.subcode) << e.message;
    EXPECT_EQ(e.attribute_type, mc.attribute) << e.message;
    if (mc.action == A::kTreatAsWithdraw) {
      // The rest of the UPDATE is intact: it carries route 0, which the receiver must withdraw.
      const auto& u = std::get<UpdateMessage>(out.value);
      ASSERT_TRUE(u.attributes.mp_reach.has_value());
      ASSERT_EQ(u.attributes.mp_reach->evpn_routes.size(), 1u);
      const evpn::EvpnRoute expected = mc.kind == MalformedKind::kBadPmsi
                                           ? evpn::EvpnRoute(Type3Route(c, 0))
                                           : evpn::EvpnRoute(Type2Route(c, 0));
      EXPECT_EQ(u.attributes.mp_reach->evpn_routes[0].route, expected);
    }
  }
}

TEST(RoutegenMalformed, UnknownRouteTypeDecodesAndIsKeptOpaque) {
  Config c = MustParse({"--routes", "1"});
  const CodecContext ctx = AssumedContext(c);
  absl::StatusOr<std::vector<uint8_t>> bytes =
      EncodeMalformed(c, MalformedKind::kBadRouteType, ctx);
  ASSERT_TRUE(bytes.ok());
  wire::DecodeOutcome<Message> out = DecodeOne(*bytes, ctx);
  ASSERT_TRUE(out.ok());  // RFC 7432 §7: not an error; the receiver ignores the route
  const auto& u = std::get<UpdateMessage>(out.value);
  ASSERT_EQ(u.attributes.mp_reach->evpn_routes.size(), 1u);
  const auto* unknown =
      std::get_if<evpn::UnknownEvpnRoute>(&u.attributes.mp_reach->evpn_routes[0].route);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->route_type, 99);
  EXPECT_EQ(unknown->value.size(), 33u);
}

TEST(RoutegenMalformed, MalformedUpdateFollowsTheGoodOnesInTheRun) {
  Config c = MustParse({"--routes", "0", "--malformed", "duplicate-mp-reach"});
  const CodecContext ctx = AssumedContext(c);
  absl::StatusOr<EncodedRun> run = EncodeRun(c, ctx);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_TRUE(run->announce.bytes.empty());
  EXPECT_EQ(run->malformed.messages, 1u);
  wire::DecodeOutcome<Message> out = DecodeOne(run->malformed.bytes, ctx);
  EXPECT_EQ(out.action(), wire::ErrorAction::kSessionReset);
}

}  // namespace
}  // namespace evpnd::routegen

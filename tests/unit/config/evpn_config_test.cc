// The `evpn` block of the configuration: VNIs with auto and explicit RDs and RTs (as FRR and
// Arista EOS derive them), the VTEP address default and override, declared local MACs, duplicate
// MAC detection defaults and bounds, and every validation error with its FILE:LINE:COL and field.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bgpd/config/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evpnd::bgpd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

evpn::IpAddress Ip(absl::string_view text) { return *evpn::IpAddress::Parse(text); }
evpn::RouteTarget Rt(absl::string_view text) { return *evpn::RouteTarget::Parse(text); }

Config Parse(absl::string_view rest, absl::string_view global = R"(global {
  router_id: "192.0.2.11"
  local_as: 65000
})") {
  absl::StatusOr<Config> config = ParseConfigText(absl::StrCat(global, "\n", rest), "t.conf");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : Config{};
}

std::vector<std::string> Errors(absl::string_view rest) {
  absl::StatusOr<Config> config = ParseConfigText(
      absl::StrCat(R"(global { router_id: "192.0.2.11" local_as: 65000 })", "\n", rest),
      "t.conf");
  EXPECT_FALSE(config.ok());
  if (config.ok()) return {};
  return absl::StrSplit(config.status().message(), '\n');
}

TEST(EvpnConfigTest, NoEvpnBlockMeansNoVnisAndDefaultDetection) {
  const Config c = Parse("");
  EXPECT_TRUE(c.evpn.vnis.empty());
  EXPECT_EQ(c.evpn.duplicate_detection.max_moves, 5u);
  EXPECT_EQ(c.evpn.duplicate_detection.window, absl::Seconds(180));
  EXPECT_FALSE(c.evpn.duplicate_detection.freeze);
  EXPECT_EQ(c.evpn.duplicate_detection.recovery, absl::Seconds(180));
}

TEST(EvpnConfigTest, AutoRdAndRtAsFrrAndEosDeriveThem) {
  const Config c = Parse(R"(evpn {
  vnis { vni: 100 }
  vnis { vni: 200 rd: "auto" }
})");
  ASSERT_EQ(c.evpn.vnis.size(), 2u);
  const VniConfig& a = c.evpn.vnis[0];
  EXPECT_EQ(a.vni, 100u);
  // RFC 7432 §7.9: router-id:N, N numbering the VNIs from 1.
  EXPECT_EQ(a.rd.ToString(), "192.0.2.11:1");
  EXPECT_TRUE(a.rd_auto);
  EXPECT_EQ(c.evpn.vnis[1].rd.ToString(), "192.0.2.11:2");
  // RFC 8365 §5.1.2.1: ASN:VNI, both ways.
  EXPECT_THAT(a.import_route_targets, ElementsAre(Rt("65000:100")));
  EXPECT_THAT(a.export_route_targets, ElementsAre(Rt("65000:100")));
  // The VTEP defaults to the router ID.
  EXPECT_EQ(a.vtep, Ip("192.0.2.11"));
}

TEST(EvpnConfigTest, FourOctetAsAutoRouteTarget) {
  const Config c = Parse("evpn { vnis { vni: 70000 } }",
                         R"(global { router_id: "192.0.2.11" local_as: 4200000001 })");
  ASSERT_EQ(c.evpn.vnis.size(), 1u);
  EXPECT_EQ(c.evpn.vnis[0].import_route_targets[0].kind,
            evpn::RouteTarget::Kind::kFourOctetAs);
  EXPECT_EQ(c.evpn.vnis[0].import_route_targets[0].global_administrator, 4200000001u);
  EXPECT_EQ(c.evpn.vnis[0].import_route_targets[0].local_administrator, 70000u & 0xffff);
}

TEST(EvpnConfigTest, ExplicitValues) {
  const Config c = Parse(R"(evpn {
  vtep_address: "10.250.255.1"
  duplicate_mac_detection { max_moves: 3 window_s: 30 freeze: true recovery_s: 0 }
  vnis {
    vni: 100
    rd: "65000:100"
    route_targets: "65000:1"
    import_route_targets: "65001:100"
    export_route_targets: "65000:1"
    bridge: "br100"
    vxlan_device: "vxlan100"
    local_macs { mac: "52:54:00:00:00:01" ips: "10.1.0.1" ips: "2001:db8::1" }
    local_macs { mac: "52-54-00-00-00-02" sticky: true }
  }
  vnis { vni: 200 vtep_address: "2001:db8::aa" }
})");
  const EvpnConfig& e = c.evpn;
  EXPECT_EQ(e.duplicate_detection.max_moves, 3u);
  EXPECT_EQ(e.duplicate_detection.window, absl::Seconds(30));
  EXPECT_TRUE(e.duplicate_detection.freeze);
  EXPECT_EQ(e.duplicate_detection.recovery, absl::ZeroDuration());
  ASSERT_EQ(e.vnis.size(), 2u);
  const VniConfig& v = e.vnis[0];
  EXPECT_EQ(v.rd.ToString(), "65000:100");
  EXPECT_FALSE(v.rd_auto);
  EXPECT_THAT(v.import_route_targets, ElementsAre(Rt("65000:1"), Rt("65001:100")));
  EXPECT_THAT(v.export_route_targets, ElementsAre(Rt("65000:1")));
  EXPECT_EQ(v.vtep, Ip("10.250.255.1"));
  EXPECT_EQ(v.bridge, "br100");
  EXPECT_EQ(v.vxlan_device, "vxlan100");
  ASSERT_EQ(v.local_macs.size(), 2u);
  EXPECT_EQ(v.local_macs[0].mac.ToString(), "52:54:00:00:00:01");
  EXPECT_THAT(v.local_macs[0].ips, ElementsAre(Ip("10.1.0.1"), Ip("2001:db8::1")));
  EXPECT_FALSE(v.local_macs[0].sticky);
  EXPECT_TRUE(v.local_macs[1].sticky);
  EXPECT_EQ(e.vnis[1].vtep, Ip("2001:db8::aa"));
}

TEST(EvpnConfigTest, ErrorsNameLineColumnAndField) {
  EXPECT_THAT(Errors(R"(evpn {
  vnis { vni: 0 }
  vnis { vni: 16777216 }
  vnis { vni: 5 rd: "nonsense" route_targets: "x:y" }
  vnis { vni: 5 }
  vnis { vni: 6 vtep_address: "0.0.0.0" bridge: "a/b" }
  vnis { vni: 7 local_macs { mac: "01:00:5e:00:00:01" } local_macs { mac: "zz" } }
  vnis { vni: 8 local_macs { mac: "52:54:00:00:00:01" ips: "1.2.3" }
                local_macs { mac: "52:54:00:00:00:01" } }
  duplicate_mac_detection { window_s: 0 max_moves: 5000 }
})"),
              ElementsAre(
                  "t.conf:3:10: evpn.vnis[0].vni: missing: the VNI, 1..16777215",
                  "t.conf:4:10: evpn.vnis[1].vni: 16777216 is not a VNI (24 bits: 1..16777215)",
                  HasSubstr("t.conf:5:17: evpn.vnis[2].rd: \"nonsense\" is not a route "
                            "distinguisher"),
                  HasSubstr("t.conf:5:32: evpn.vnis[2].route_targets[0]: route target 'x:y'"),
                  "t.conf:6:10: evpn.vnis[3].vni: VNI 5 is already configured (evpn.vnis[2].vni)",
                  "t.conf:7:17: evpn.vnis[4].vtep_address: the unspecified address cannot be a "
                  "VTEP address",
                  HasSubstr("t.conf:7:41: evpn.vnis[4].bridge: \"a/b\" is not a Linux interface "
                            "name"),
                  "t.conf:8:30: evpn.vnis[5].local_macs[0].mac: 01:00:5e:00:00:01 is not a "
                  "unicast MAC address",
                  "t.conf:8:70: evpn.vnis[5].local_macs[1].mac: \"zz\" is not a MAC address",
                  "t.conf:9:55: evpn.vnis[6].local_macs[0].ips[0]: \"1.2.3\" is not an IPv4 or "
                  "IPv6 address",
                  "t.conf:10:30: evpn.vnis[6].local_macs[1].mac: 52:54:00:00:00:01 is listed "
                  "twice",
                  "t.conf:11:29: evpn.duplicate_mac_detection.window_s: 0 is out of range: the "
                  "window in seconds is 1..3600",
                  "t.conf:11:41: evpn.duplicate_mac_detection.max_moves: 5000 is out of range: the "
                  "number of moves is 0..1000"));
}

TEST(EvpnConfigTest, RouteDistinguishersAreUnique) {
  // The second VNI's auto RD is 192.0.2.11:2, which the first one claims explicitly.
  EXPECT_THAT(Errors(R"(evpn {
  vnis { vni: 100 rd: "192.0.2.11:2" }
  vnis { vni: 200 }
})"),
              ElementsAre("t.conf:4:3: evpn.vnis[1].rd: route distinguisher 192.0.2.11:2 is "
                          "already used by evpn.vnis[0].rd"));
}

TEST(EvpnConfigTest, KernelFdbStickyStaticMacsAndRetainRouteTargetAll) {
  Config c = Parse("evpn { vnis { vni: 1 } }");
  EXPECT_TRUE(c.evpn.kernel_fdb);
  EXPECT_FALSE(c.evpn.sticky_static_macs);
  EXPECT_FALSE(c.evpn.retain_route_target_all);
  c = Parse(
      "evpn { kernel_fdb: false sticky_static_macs: true retain_route_target_all: true "
      "vnis { vni: 1 } }");
  EXPECT_FALSE(c.evpn.kernel_fdb);
  EXPECT_TRUE(c.evpn.sticky_static_macs);
  EXPECT_TRUE(c.evpn.retain_route_target_all);
}

}  // namespace
}  // namespace evpnd::bgpd

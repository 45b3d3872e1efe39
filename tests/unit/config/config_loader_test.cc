// The configuration loader: text format in, resolved Config out. Covers a full config with peer
// groups and per-field inheritance (proto3 presence: a peer's explicit 0/false/"" overrides its
// group), the defaults, the built-in default config, every validation rule with the exact
// FILE:LINE:COL and field path it reports, syntax errors, all errors reported together, passwords
// kept out of every message, missing files, and the shipped example examples/leaf1.conf.
#include "bgpd/config/config_loader.h"

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evpnd::bgpd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

evpn::IpAddress Ip(absl::string_view text) { return *evpn::IpAddress::Parse(text); }

uint32_t V4(absl::string_view text) { return Ip(text).v4_host_order(); }

// Parses text that must be valid.
Config Parse(absl::string_view text) {
  absl::StatusOr<Config> config = ParseConfigText(text, "test.conf");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : Config{};
}

// The error lines for text that must be invalid.
std::vector<std::string> Errors(absl::string_view text) {
  absl::StatusOr<Config> config = ParseConfigText(text, "test.conf");
  EXPECT_FALSE(config.ok());
  if (config.ok()) return {};
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return absl::StrSplit(config.status().message(), '\n');
}

// Line 1 of most test configs.
constexpr absl::string_view kGlobal = R"(global { router_id: "192.0.2.11" local_as: 65000 })";

// A config whose line 2 onwards is `rest`.
std::string WithGlobal(absl::string_view rest) { return absl::StrCat(kGlobal, "\n", rest); }

// ---------------------------------------------------------------------------------------------
// Valid configs.

constexpr absl::string_view kFull = R"(# a leaf with two groups
global {
  router_id: "192.0.2.11"
  local_as: 65000
  listen_addresses: "192.0.2.11"
  listen_addresses: "2001:db8::11"
  listen_port: 1179
  cluster_id: "192.0.2.100"
  graceful_restart { enabled: false restart_time_s: 60 stale_routes_time_s: 600 selection_deferral_s: 30 }
}
peer_groups {
  name: "rr"
  settings {
    remote_as: 65000
    passive: true
    timers { hold_time_s: 9 keepalive_s: 3 connect_retry_s: 10 }
    password: "s3cret"
    ttl_security_hops: 2
    route_reflector_client: true
    families: ADDRESS_FAMILY_L2VPN_EVPN
    families: ADDRESS_FAMILY_IPV4_UNICAST
    max_prefix { limit: 1000 restart_after_s: 60 }
    next_hop_unchanged: true
    source_address: "192.0.2.11"
    port: 1179
    allowas_in: 2
    shutdown: true
    shutdown_message: "maintenance — ticket 42"
  }
}
peers { address: "192.0.2.1" peer_group: "rr" description: "rr1" }
peers {
  address: "192.0.2.2"
  peer_group: "rr"
  settings {
    passive: false
    password: ""
    timers { hold_time_s: 30 }
    families: ADDRESS_FAMILY_IPV6_UNICAST
    max_prefix { limit: 5 warning_only: true }
    ttl_security_hops: 0
    shutdown: false
  }
}
peers { address: "2001:db8::1" settings { remote_as: 4200000000 } }
)";

TEST(ConfigLoaderTest, FullConfigGlobal) {
  const Config config = Parse(kFull);
  EXPECT_EQ(config.global.router_id, V4("192.0.2.11"));
  EXPECT_EQ(config.global.local_as, 65000u);
  EXPECT_THAT(config.global.listen_addresses, ElementsAre(Ip("192.0.2.11"), Ip("2001:db8::11")));
  EXPECT_EQ(config.global.listen_port, 1179);
  EXPECT_EQ(config.global.cluster_id, V4("192.0.2.100"));
  EXPECT_EQ(
      config.global.graceful_restart,
      (GracefulRestartConfig{.enabled = false,
                             .restart_time_s = 60,
                             .stale_routes_time_s = 600,
                             .selection_deferral_s = 30}));
  ASSERT_EQ(config.peers.size(), 3u);
}

TEST(ConfigLoaderTest, PeerInheritsEverythingFromItsGroup) {
  const Config config = Parse(kFull);
  const PeerConfig* rr1 = config.FindPeer(Ip("192.0.2.1"));
  ASSERT_NE(rr1, nullptr);
  PeerConfig want;
  want.address = Ip("192.0.2.1");
  want.remote_as = 65000;
  want.passive = true;
  want.timers = {.hold_time_s = 9, .keepalive_s = 3, .connect_retry_s = 10};
  want.password = "s3cret";
  want.ttl_security_hops = 2;
  want.route_reflector_client = true;
  want.families = {wire::kL2vpnEvpn, wire::kIpv4Unicast};
  want.max_prefix = {.limit = 1000, .warning_only = false, .restart_after_s = 60};
  want.next_hop_unchanged = true;
  want.source_address = Ip("192.0.2.11");
  want.port = 1179;
  want.allowas_in = 2;
  want.shutdown = true;
  want.shutdown_message = "maintenance — ticket 42";
  want.description = "rr1";
  want.peer_group = "rr";
  EXPECT_EQ(*rr1, want);
}

TEST(ConfigLoaderTest, PeerSettingsOverrideTheGroupEvenWhenZeroFalseOrEmpty) {
  const Config config = Parse(kFull);
  const PeerConfig* rr2 = config.FindPeer(Ip("192.0.2.2"));
  ASSERT_NE(rr2, nullptr);
  EXPECT_FALSE(rr2->passive);
  EXPECT_EQ(rr2->password, "");
  EXPECT_EQ(rr2->ttl_security_hops, 0);
  EXPECT_FALSE(rr2->shutdown);
  // Timers inherit field by field: hold from the peer, keepalive and retry from the group.
  EXPECT_EQ(rr2->timers,
            (TimersConfig{.hold_time_s = 30, .keepalive_s = 3, .connect_retry_s = 10}));
  // A non-empty family list and a max_prefix block replace the group's whole value.
  EXPECT_THAT(rr2->families, ElementsAre(wire::kIpv6Unicast));
  EXPECT_EQ(rr2->max_prefix,
            (MaxPrefixConfig{.limit = 5, .warning_only = true, .restart_after_s = 0}));
  // Everything else still comes from the group.
  EXPECT_EQ(rr2->remote_as, 65000u);
  EXPECT_TRUE(rr2->route_reflector_client);
  EXPECT_EQ(rr2->shutdown_message, "maintenance — ticket 42");
  EXPECT_EQ(rr2->description, "");
}

TEST(ConfigLoaderTest, PeerWithoutGroupGetsDefaults) {
  const Config config = Parse(kFull);
  const PeerConfig* peer = config.FindPeer(Ip("2001:db8::1"));
  ASSERT_NE(peer, nullptr);
  PeerConfig want;
  want.address = Ip("2001:db8::1");
  want.remote_as = 4200000000u;
  EXPECT_EQ(*peer, want);
  EXPECT_EQ(config.FindPeer(Ip("192.0.2.99")), nullptr);
}

TEST(ConfigLoaderTest, Defaults) {
  const Config config = Parse(WithGlobal(R"(peers { address: "192.0.2.1" settings {
  remote_as: 65001 } })"));
  EXPECT_THAT(config.global.listen_addresses, ElementsAre(Ip("0.0.0.0"), Ip("::")));
  EXPECT_EQ(config.global.listen_port, 179);
  EXPECT_EQ(config.global.cluster_id, config.global.router_id);
  EXPECT_EQ(config.global.graceful_restart, GracefulRestartConfig{});
  EXPECT_TRUE(config.global.graceful_restart.enabled);
  EXPECT_EQ(config.global.graceful_restart.restart_time_s, 120);
  ASSERT_EQ(config.peers.size(), 1u);
  const PeerConfig& peer = config.peers[0];
  EXPECT_EQ(peer.timers,
            (TimersConfig{.hold_time_s = 90, .keepalive_s = 30, .connect_retry_s = 5}));
  EXPECT_THAT(peer.families, ElementsAre(wire::kL2vpnEvpn));
  EXPECT_EQ(peer.port, 179);
  EXPECT_FALSE(peer.source_address.has_value());
  EXPECT_EQ(peer.max_prefix, MaxPrefixConfig{});
  EXPECT_EQ(peer.ttl_security_hops, 0);
  EXPECT_EQ(peer.password, "");
}

TEST(ConfigLoaderTest, LinkLocalPeerKeepsItsInterface) {
  const Config config = Parse(WithGlobal(R"(
peers { address: "fe80::2" interface: "swp1" settings { remote_as: 1 } }
peers { address: "fe80::3" interface: "swp2" settings { remote_as: 1 } })"));
  ASSERT_EQ(config.peers.size(), 2u);
  EXPECT_EQ(config.peers[0].address, Ip("fe80::2"));
  EXPECT_EQ(config.peers[0].interface, "swp1");
  EXPECT_EQ(config.peers[1].interface, "swp2");
  EXPECT_TRUE(config.peers[0].address.is_link_local());
  EXPECT_FALSE(Ip("fec0::1").is_link_local());
  EXPECT_TRUE(Ip("febf::1").is_link_local());
}

TEST(ConfigLoaderTest, KeepaliveDefaultsToAThirdOfAConfiguredHoldTime) {
  const Config config = Parse(WithGlobal(R"(
peers { address: "192.0.2.1" settings { remote_as: 1 timers { hold_time_s: 10 } } }
peers { address: "192.0.2.2" settings { remote_as: 1 timers { hold_time_s: 0 } } }
peers { address: "192.0.2.3" settings { remote_as: 1 timers { hold_time_s: 0 keepalive_s: 5 } } }
)"));
  ASSERT_EQ(config.peers.size(), 3u);
  EXPECT_EQ(config.peers[0].timers.keepalive_s, 3);
  // RFC 4271 §4.4: a zero hold time means no keepalives.
  EXPECT_EQ(config.peers[1].timers.keepalive_s, 0);
  EXPECT_EQ(config.peers[2].timers.keepalive_s, 0);
}

TEST(ConfigLoaderTest, ClusterIdAsAddressOrNumber) {
  EXPECT_EQ(Parse(R"(global { router_id: "192.0.2.11" local_as: 1 cluster_id: "10.0.0.1" })")
                .global.cluster_id,
            V4("10.0.0.1"));
  EXPECT_EQ(Parse(R"(global { router_id: "192.0.2.11" local_as: 1 cluster_id: "4294967295" })")
                .global.cluster_id,
            4294967295u);
}

TEST(ConfigLoaderTest, EmptyGroupListenAddressesAndFamiliesMeanDefaults) {
  const Config config = Parse(WithGlobal(R"(
peer_groups { name: "g" }
peers { address: "192.0.2.1" peer_group: "g" settings { remote_as: 65000 } })"));
  ASSERT_EQ(config.peers.size(), 1u);
  EXPECT_THAT(config.peers[0].families, ElementsAre(wire::kL2vpnEvpn));
  EXPECT_EQ(config.peers[0].peer_group, "g");
}

// ---------------------------------------------------------------------------------------------
// The built-in default.

TEST(ConfigLoaderTest, DefaultConfigTextParsesToDefaultConfig) {
  absl::StatusOr<Config> parsed = ParseConfigText(DefaultConfigText(), "<built-in>");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, DefaultConfig());
}

TEST(ConfigLoaderTest, DefaultConfigIsSafe) {
  const Config config = DefaultConfig();
  EXPECT_EQ(config.global.router_id, V4("127.0.0.1"));
  EXPECT_EQ(config.global.local_as, 65000u);
  EXPECT_THAT(config.global.listen_addresses, ElementsAre(Ip("127.0.0.1")));
  EXPECT_EQ(config.global.listen_port, 1790);
  EXPECT_TRUE(config.peers.empty());
}

// ---------------------------------------------------------------------------------------------
// Validation: every rule, with the exact location and field path of its error.

struct ErrorCase {
  const char* name;
  std::string text;
  std::string error;  // the single error line expected
};

std::vector<ErrorCase> GlobalErrorCases() {
  return {
      {"MissingRouterId", "global { local_as: 1 }",
       "test.conf:1:1: global.router_id: missing: the BGP identifier, an IPv4 address of this "
       "router such as its loopback"},
      {"RouterIdNotIpv4", R"(global { router_id: "2001:db8::1" local_as: 1 })",
       "test.conf:1:10: global.router_id: \"2001:db8::1\" is not an IPv4 address (the BGP "
       "identifier is written as one, e.g. \"192.0.2.1\")"},
      {"RouterIdZero", R"(global { router_id: "0.0.0.0" local_as: 1 })",
       "test.conf:1:10: global.router_id: 0.0.0.0 is not a valid BGP identifier (RFC 4271 §6.2)"},
      {"MissingLocalAs", "global {\n  router_id: \"192.0.2.1\"\n}",
       "test.conf:1:1: global.local_as: missing: this router's AS number, 1..4294967295"},
      {"LocalAsTrans", R"(global { router_id: "192.0.2.1" local_as: 23456 })",
       "test.conf:1:33: global.local_as: 23456 is AS_TRANS (RFC 6793), a placeholder no router "
       "may use; give the real 4-octet AS number"},
      {"ListenAddressBad",
       R"(global { router_id: "192.0.2.1" local_as: 1
  listen_addresses: "10.0.0.300" })",
       "test.conf:2:3: global.listen_addresses[0]: \"10.0.0.300\" is not an IPv4 or IPv6 "
       "address"},
      {"ListenAddressTwice",
       R"(global { router_id: "192.0.2.1" local_as: 1
  listen_addresses: "::1" listen_addresses: "0:0::1" })",
       "test.conf:2:27: global.listen_addresses[1]: ::1 is listed twice"},
      {"ListenPortZero", R"(global { router_id: "192.0.2.1" local_as: 1 listen_port: 0 })",
       "test.conf:1:45: global.listen_port: 0 is not a TCP port (use 1..65535)"},
      {"ListenPortTooBig", R"(global { router_id: "192.0.2.1" local_as: 1 listen_port: 65536 })",
       "test.conf:1:45: global.listen_port: 65536 is not a TCP port (use 1..65535)"},
      {"ClusterIdBad", R"(global { router_id: "192.0.2.1" local_as: 1 cluster_id: "x" })",
       "test.conf:1:45: global.cluster_id: \"x\" is not a cluster ID (an IPv4 address such as "
       "\"192.0.2.1\", or a number 1..4294967295)"},
      {"ClusterIdZero", R"(global { router_id: "192.0.2.1" local_as: 1 cluster_id: "0" })",
       "test.conf:1:45: global.cluster_id: the cluster ID must not be 0"},
      {"RestartTimeTooBig",
       R"(global { router_id: "192.0.2.1" local_as: 1
  graceful_restart { restart_time_s: 4096 } })",
       "test.conf:2:22: global.graceful_restart.restart_time_s: 4096 is out of range 0..4095 "
       "(the capability's Restart Time has 12 bits, RFC 4724 §3)"},
      {"StaleTimeZero",
       R"(global { router_id: "192.0.2.1" local_as: 1
  graceful_restart { stale_routes_time_s: 0 } })",
       "test.conf:2:22: global.graceful_restart.stale_routes_time_s: must be at least 1 second"},
      {"SelectionDeferralZero",
       R"(global { router_id: "192.0.2.1" local_as: 1
  graceful_restart { selection_deferral_s: 0 } })",
       "test.conf:2:22: global.graceful_restart.selection_deferral_s: must be at least 1 second"},
  };
}

// Peer-setting cases: line 2 holds `peers { address: "192.0.2.1" settings { ... } }`, where the
// settings start at column 41.
ErrorCase PeerCase(const char* name, absl::string_view settings, std::string error) {
  return {name,
          WithGlobal(absl::StrCat(R"(peers { address: "192.0.2.1" settings { )", settings, " } }")),
          std::move(error)};
}

std::vector<ErrorCase> PeerErrorCases() {
  return {
      PeerCase("RemoteAsZero", "remote_as: 0",
               "test.conf:2:41: peers[0].settings.remote_as: 0 is not an AS number (use "
               "1..4294967295)"),
      PeerCase("RemoteAsTrans", "remote_as: 23456",
               "test.conf:2:41: peers[0].settings.remote_as: 23456 is AS_TRANS (RFC 6793), a "
               "placeholder no router may use; give the real 4-octet AS number"),
      PeerCase("HoldTimeTwo", "remote_as: 1 timers { hold_time_s: 2 }",
               "test.conf:2:63: peers[0].settings.timers.hold_time_s: 2 is not a valid hold "
               "time: use 0 (no hold timer and no keepalives) or 3..65535 (RFC 4271 §4.2)"),
      PeerCase("HoldTimeTooBig", "remote_as: 1 timers { hold_time_s: 65536 }",
               "test.conf:2:63: peers[0].settings.timers.hold_time_s: 65536 is not a valid hold "
               "time: use 0 (no hold timer and no keepalives) or 3..65535 (RFC 4271 §4.2)"),
      PeerCase("KeepaliveNotBelowHold", "remote_as: 1 timers { hold_time_s: 9 keepalive_s: 9 }",
               "test.conf:2:78: peers[0].settings.timers.keepalive_s: 9 must be 1..8, below the "
               "hold time 9; a third of the hold time is usual"),
      PeerCase("KeepaliveNotBelowDefaultHold", "remote_as: 1 timers { keepalive_s: 90 }",
               "test.conf:2:63: peers[0].settings.timers.keepalive_s: 90 must be 1..89, below "
               "the default hold time 90; a third of the hold time is usual"),
      PeerCase("KeepaliveZero", "remote_as: 1 timers { keepalive_s: 0 }",
               "test.conf:2:63: peers[0].settings.timers.keepalive_s: 0 must be 1..89, below "
               "the default hold time 90; a third of the hold time is usual"),
      PeerCase("ConnectRetryZero", "remote_as: 1 timers { connect_retry_s: 0 }",
               "test.conf:2:63: peers[0].settings.timers.connect_retry_s: must be at least 1 "
               "second"),
      PeerCase("TtlSecurityTooBig", "remote_as: 1 ttl_security_hops: 255",
               "test.conf:2:54: peers[0].settings.ttl_security_hops: 255 is out of range 0..254 "
               "(hops to the peer for GTSM, RFC 5082; 1 = directly connected, 0 = off)"),
      PeerCase("PasswordTooLong",
               absl::StrCat("remote_as: 1 password: \"", std::string(81, 'k'), "\""),
               "test.conf:2:54: peers[0].settings.password: is 81 bytes; TCP-MD5 keys are at "
               "most 80 bytes"),
      PeerCase("FamilyUnspecified", "remote_as: 1 families: ADDRESS_FAMILY_UNSPECIFIED",
               "test.conf:2:54: peers[0].settings.families[0]: ADDRESS_FAMILY_UNSPECIFIED is "
               "not a family"),
      PeerCase("FamilyUnknownNumber", "remote_as: 1 families: 7",
               "test.conf:2:54: peers[0].settings.families[0]: 7 is not a known address "
               "family"),
      PeerCase("FamilyTwice",
               "remote_as: 1 families: ADDRESS_FAMILY_L2VPN_EVPN "
               "families: ADDRESS_FAMILY_L2VPN_EVPN",
               "test.conf:2:90: peers[0].settings.families[1]: ADDRESS_FAMILY_L2VPN_EVPN is "
               "listed twice"),
      PeerCase("MaxPrefixRestartWithoutLimit", "remote_as: 1 max_prefix { restart_after_s: 30 }",
               "test.conf:2:67: peers[0].settings.max_prefix.restart_after_s: needs a limit: "
               "with no limit the session is never closed, so never restarted"),
      PeerCase("MaxPrefixWarningWithoutLimit", "remote_as: 1 max_prefix { warning_only: true }",
               "test.conf:2:67: peers[0].settings.max_prefix.warning_only: needs a limit: with "
               "no limit there is nothing to warn about"),
      PeerCase("MaxPrefixRestartWithWarningOnly",
               "remote_as: 1 max_prefix { limit: 5 warning_only: true restart_after_s: 9 }",
               "test.conf:2:95: peers[0].settings.max_prefix.restart_after_s: makes no sense "
               "with warning_only, which never closes the session"),
      PeerCase("SourceAddressBad", "remote_as: 1 source_address: \"lo\"",
               "test.conf:2:54: peers[0].settings.source_address: \"lo\" is not an IPv4 or "
               "IPv6 address"),
      PeerCase("SourceAddressOtherFamily", "remote_as: 1 source_address: \"2001:db8::11\"",
               "test.conf:2:54: peers[0].settings.source_address: 2001:db8::11 is IPv6 but the "
               "peer address 192.0.2.1 is IPv4"),
      PeerCase("PortZero", "remote_as: 1 port: 0",
               "test.conf:2:54: peers[0].settings.port: 0 is not a TCP port (use 1..65535)"),
      PeerCase("PortTooBig", "remote_as: 1 port: 70000",
               "test.conf:2:54: peers[0].settings.port: 70000 is not a TCP port (use 1..65535)"),
      PeerCase("AllowasInTooBig", "remote_as: 1 allowas_in: 11",
               "test.conf:2:54: peers[0].settings.allowas_in: 11 is out of range 0..10 (times "
               "our AS may appear in a received AS_PATH)"),
      PeerCase("ShutdownMessageTooLong",
               absl::StrCat("remote_as: 1 shutdown_message: \"", std::string(256, 'm'), "\""),
               "test.conf:2:54: peers[0].settings.shutdown_message: is 256 bytes; a shutdown "
               "communication is at most 255 bytes (RFC 9003 §2)"),
      PeerCase("ShutdownMessageNotUtf8", R"(remote_as: 1 shutdown_message: "caf\351")",
               "test.conf:2:54: peers[0].settings.shutdown_message: is not valid UTF-8 (RFC 9003 "
               "§2)"),
      PeerCase("RouteReflectorClientOnEbgp", "remote_as: 65001 route_reflector_client: true",
               "test.conf:2:58: peers[0].settings.route_reflector_client: route reflection is "
               "for iBGP peers, but remote_as 65001 differs from local_as 65000"),
      PeerCase("MissingRemoteAs", "passive: true",
               "test.conf:2:30: peers[0].settings.remote_as: missing (set it on the peer or its "
               "peer group)"),
  };
}

std::vector<ErrorCase> PeerListErrorCases() {
  return {
      {"PeerAddressMissing", WithGlobal("peers { settings { remote_as: 1 } }"),
       "test.conf:2:1: peers[0].address: missing: the peer's IPv4 or IPv6 address"},
      {"PeerAddressBad", WithGlobal(R"(peers { address: "192.0.2" settings { remote_as: 1 } })"),
       "test.conf:2:9: peers[0].address: \"192.0.2\" is not an IPv4 or IPv6 address"},
      {"PeerAddressUnspecified", WithGlobal(R"(peers { address: "::" })"),
       "test.conf:2:9: peers[0].address: :: is the unspecified address, not a peer"},
      {"PeerAddressTwice", WithGlobal(R"(peers { address: "192.0.2.1" settings { remote_as: 1 } }
peers { address: "192.0.2.1" settings { remote_as: 2 } })"),
       "test.conf:3:9: peers[1].address: 192.0.2.1 is already a peer (peers[0].address at "
       "line 2)"},
      {"LinkLocalWithoutInterface",
       WithGlobal(R"(peers { address: "fe80::2" settings { remote_as: 1 } })"),
       "test.conf:2:9: peers[0].address: fe80::2 is IPv6 link-local: set `interface` to the "
       "link the peer is on"},
      {"InterfaceOnRoutedAddress",
       WithGlobal(
           R"(peers { address: "2001:db8::2" interface: "eth0" settings { remote_as: 1 } })"),
       "test.conf:2:32: peers[0].interface: only for IPv6 link-local peers (fe80::/10); "
       "2001:db8::2 is routed, not tied to a link"},
      {"InterfaceNameBad",
       WithGlobal(R"(peers { address: "fe80::2" interface: "eth0/1" settings { remote_as: 1 } })"),
       "test.conf:2:28: peers[0].interface: \"eth0/1\" is not a Linux interface name (at most "
       "15 characters, no '/', ':' or spaces)"},
      {"PeerGroupUnknown", WithGlobal(R"(peer_groups { name: "rr" }
peers { address: "192.0.2.1" peer_group: "spines" })"),
       "test.conf:3:30: peers[0].peer_group: no peer group named \"spines\" (defined: \"rr\")"},
      {"PeerGroupUnknownNoneDefined",
       WithGlobal(R"(peers { address: "192.0.2.1" peer_group: "x" })"),
       "test.conf:2:30: peers[0].peer_group: no peer group named \"x\" (no peer group is "
       "defined)"},
      {"PeerGroupNameMissing", WithGlobal("peer_groups { settings { remote_as: 1 } }"),
       "test.conf:2:1: peer_groups[0].name: missing: peers refer to their group by this name"},
      {"PeerGroupNameTwice", WithGlobal(R"(peer_groups { name: "rr" }
peer_groups { name: "rr" })"),
       "test.conf:3:15: peer_groups[1].name: peer group \"rr\" is already defined at line 2"},
      {"GroupSettingChecked", WithGlobal(R"(peer_groups { name: "rr" settings { port: 0 } })"),
       "test.conf:2:37: peer_groups[0].settings.port: 0 is not a TCP port (use 1..65535)"},
      {"InheritedValueBlamesTheGroupAndNamesThePeer",
       WithGlobal(R"(peer_groups { name: "rr" settings { source_address: "192.0.2.11" } }
peers { address: "2001:db8::1" peer_group: "rr" settings { remote_as: 1 } })"),
       "test.conf:2:37: peer_groups[0].settings.source_address: 192.0.2.11 is IPv4 but the peer "
       "address 2001:db8::1 is IPv6 (inherited by peers[0] 2001:db8::1)"},
      {"KeepaliveFromGroupAgainstHoldFromPeer",
       WithGlobal(R"(peer_groups { name: "rr" settings { timers { keepalive_s: 20 } } }
peers {
  address: "192.0.2.1" peer_group: "rr"
  settings { remote_as: 1 timers { hold_time_s: 15 } }
})"),
       "test.conf:2:46: peer_groups[0].settings.timers.keepalive_s: 20 must be 1..14, below the "
       "hold time 15 (inherited by peers[0] 192.0.2.1); a third of the hold time is usual"},
  };
}

std::vector<ErrorCase> SyntaxErrorCases() {
  return {
      {"UnknownField", WithGlobal(R"(peers { adress: "192.0.2.1" })"),
       "test.conf:2:15: Message type \"evpnd.config.v1.Peer\" has no field named \"adress\"."},
      {"MissingBrace", WithGlobal("peers {\n  address: \"192.0.2.1\"\n"),
       "test.conf:4:1: Expected identifier, got: end of file"},
      {"IntegerOutOfRange", "global { local_as: 4294967296 }",
       "test.conf:1:20: Integer out of range (4294967296)"},
      {"UnknownFamilyName", WithGlobal(R"(peers { settings { families: EVPN } })"),
       "test.conf:2:35: Unknown enumeration value of \"EVPN\" for field \"families\"."},
      {"FieldTwice", R"(global { router_id: "192.0.2.1" router_id: "192.0.2.2" })",
       "test.conf:1:42: Non-repeated field \"router_id\" is specified multiple times."},
  };
}

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ConfigErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrorTest, ReportsExactlyThisError) {
  EXPECT_THAT(Errors(GetParam().text), ElementsAre(GetParam().error));
}

std::string CaseName(const testing::TestParamInfo<ErrorCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Global, ConfigErrorTest, testing::ValuesIn(GlobalErrorCases()), CaseName);
INSTANTIATE_TEST_SUITE_P(PeerSettings, ConfigErrorTest, testing::ValuesIn(PeerErrorCases()),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(PeersAndGroups, ConfigErrorTest, testing::ValuesIn(PeerListErrorCases()),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(Syntax, ConfigErrorTest, testing::ValuesIn(SyntaxErrorCases()), CaseName);

TEST(ConfigLoaderTest, MissingGlobalBlockHasNoLine) {
  EXPECT_THAT(Errors(R"(peer_groups { name: "g" })"),
              ElementsAre("test.conf: global.router_id: missing: the BGP identifier, an IPv4 "
                          "address of this router such as its loopback",
                          "test.conf: global.local_as: missing: this router's AS number, "
                          "1..4294967295"));
}

TEST(ConfigLoaderTest, ReportsAllErrorsTogetherInFileOrder) {
  const std::vector<std::string> errors = Errors(R"(peers {
  address: "192.0.2.1"
  settings { timers { hold_time_s: 1 } }
}
peers {
  address: "192.0.2.2"
  settings { remote_as: 65001 port: 0 }
}
global { router_id: "192.0.2.11" local_as: 23456 }
)");
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("test.conf:3:3: peers[0].settings.remote_as: missing"),
                          HasSubstr("test.conf:3:23: peers[0].settings.timers.hold_time_s: 1 is"),
                          HasSubstr("test.conf:7:31: peers[1].settings.port: 0 is not"),
                          HasSubstr("test.conf:9:34: global.local_as: 23456 is AS_TRANS")));
}

TEST(ConfigLoaderTest, GroupMistakeIsReportedOnceAtTheGroup) {
  // Every member inherits the same bad timers and the same eBGP route-reflector client: one line
  // each, at the group, not one per member.
  EXPECT_THAT(Errors(WithGlobal(R"(peer_groups {
  name: "g"
  settings {
    remote_as: 65001 route_reflector_client: true
    timers { hold_time_s: 9 keepalive_s: 10 }
  }
}
peers { address: "192.0.2.1" peer_group: "g" }
peers { address: "192.0.2.2" peer_group: "g" })")),
              ElementsAre("test.conf:5:22: peer_groups[0].settings.route_reflector_client: route "
                          "reflection is for iBGP peers, but remote_as 65001 differs from "
                          "local_as 65000",
                          "test.conf:6:29: peer_groups[0].settings.timers.keepalive_s: 10 must be "
                          "1..8, below the hold time 9; a third of the hold time is usual"));
}

TEST(ConfigLoaderTest, GroupMistakeIsReportedWithoutMembers) {
  EXPECT_THAT(Errors(WithGlobal(R"(peer_groups { name: "g" settings {
  timers { hold_time_s: 9 keepalive_s: 9 } } })")),
              ElementsAre(HasSubstr("test.conf:3:27: peer_groups[0].settings.timers.keepalive_s: "
                                    "9 must be 1..8")));
}

TEST(ConfigLoaderTest, GroupKeepaliveAloneIsCheckedAgainstEachMembersHoldTime) {
  const std::string text = WithGlobal(R"(peer_groups { name: "g" settings {
  remote_as: 65000 timers { keepalive_s: 100 } } }
peers { address: "192.0.2.1" peer_group: "g" settings { timers { hold_time_s: 300 } } }
peers { address: "192.0.2.2" peer_group: "g" })");
  EXPECT_THAT(
      Errors(text),
      ElementsAre("test.conf:3:29: peer_groups[0].settings.timers.keepalive_s: 100 must be "
                  "1..89, below the default hold time 90 (inherited by peers[1] 192.0.2.2); "
                  "a third of the hold time is usual"));
}

TEST(ConfigLoaderTest, ListSyntaxIsLocatedToo) {
  // Messages in a list keep their own locations; values in a list share their field's.
  EXPECT_THAT(Errors(WithGlobal(R"(peers: [{ address: "192.0.2.1" settings { port: 0 } },
        { address: "192.0.2.2" settings { remote_as: 1 families: [
            ADDRESS_FAMILY_L2VPN_EVPN, ADDRESS_FAMILY_L2VPN_EVPN] } }])")),
              ElementsAre(HasSubstr("test.conf:2:32: peers[0].settings.remote_as: missing"),
                          HasSubstr("test.conf:2:43: peers[0].settings.port: 0 is not"),
                          HasSubstr("test.conf:3:56: peers[1].settings.families[1]: "
                                    "ADDRESS_FAMILY_L2VPN_EVPN is listed twice")));
}

TEST(ConfigLoaderTest, PeerErrorsDoNotStopOtherPeersBeingChecked) {
  const std::vector<std::string> errors = Errors(WithGlobal(R"(
peers { address: "bad" settings { remote_as: 0 } }
peers { address: "192.0.2.2" settings { remote_as: 1 allowas_in: 99 } })"));
  EXPECT_THAT(errors, ElementsAre(HasSubstr("test.conf:3:9: peers[0].address"),
                                  HasSubstr("test.conf:3:35: peers[0].settings.remote_as"),
                                  HasSubstr("test.conf:4:54: peers[1].settings.allowas_in")));
}

// ---------------------------------------------------------------------------------------------
// Passwords never appear in errors.

constexpr absl::string_view kSecret = "Sup3rS3cretKey";

void ExpectNoSecret(absl::string_view text) {
  absl::StatusOr<Config> config = ParseConfigText(text, "test.conf");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), Not(HasSubstr(kSecret))) << config.status();
}

TEST(ConfigLoaderTest, PasswordNotInSemanticErrors) {
  ExpectNoSecret(WithGlobal(absl::StrCat(R"(peer_groups { name: "g" settings { password: ")",
                                         kSecret, std::string(80, 'x'), R"(" port: 0 } }
peers { address: "192.0.2.1" peer_group: "g" settings { timers { hold_time_s: 1 } } })")));
}

TEST(ConfigLoaderTest, PasswordNotInSyntaxErrors) {
  // Unquoted: the parser would say "Expected string, got: <the password>".
  const std::string unquoted =
      WithGlobal(absl::StrCat("peers { settings { password: ", kSecret, " } }"));
  ExpectNoSecret(unquoted);
  EXPECT_THAT(Errors(unquoted),
              ElementsAre("test.conf:2:30: syntax error near a password (the parser's "
                          "message is not shown, as it may quote the password); check the quoting "
                          "around here"));
  // Quoted, with the error on the token after it.
  ExpectNoSecret(
      WithGlobal(absl::StrCat("peers { settings { password: \"", kSecret, "\" password: 3 } }")));
  // Unquoted, after a colon-less field name.
  ExpectNoSecret(WithGlobal(absl::StrCat("peers { settings { password ", kSecret, " } }")));
  // An unterminated string earlier on the line swallows the field name, and the parser reads the
  // password as a field name (found by the config parser's fuzz target).
  ExpectNoSecret(WithGlobal(absl::StrCat(
      "peers { settings { remote_as: 1 shutdown_message: \"leaf2 password: \"", kSecret,
      "\" } }")));
  // The value on the line after the field name.
  ExpectNoSecret(WithGlobal(absl::StrCat("peers { settings { password:\n  ", kSecret, " } }")));
  // The swallowed password read as a field name is reported at the next token, lines below.
  ExpectNoSecret(WithGlobal(absl::StrCat(
      "peers {\n  address: \"10.0.0 password: \"", kSecret, "\n\n# comment\n\n}")));
}

TEST(ConfigLoaderTest, ErrorsElsewhereKeepTheirWordsAndNeighbours) {
  // A one-letter password is not cut out of other messages' words, and the field after a
  // password keeps its name.
  const std::vector<std::string> errors = Errors(WithGlobal(
      "peers { address: \"192.0.2.1\" settings { password: \"e\" remote_as: 1 remote_as: 2 } "
      "}\nbogus_field: 1"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("syntax error near a password"));
  const std::vector<std::string> next_line = Errors(WithGlobal(
      "peers { address: \"192.0.2.1\" settings { password: \"e\" } }\nbogus_field: 1"));
  ASSERT_EQ(next_line.size(), 1u);
  EXPECT_THAT(next_line[0], HasSubstr("Message type \"evpnd.config.v1.Config\" has no field "
                                      "named \"bogus_field\""));
}

TEST(ConfigLoaderTest, ControlCharactersInValuesCannotForgeErrorLines) {
  const std::vector<std::string> errors =
      Errors(WithGlobal("peers { address: \"x\\nfake.conf:1:1: injected\" }"));
  ASSERT_FALSE(errors.empty());
  for (const std::string& e : errors) EXPECT_THAT(e, StartsWith("test.conf:"));
  EXPECT_THAT(errors[0], HasSubstr("x\\nfake.conf"));
}

// ---------------------------------------------------------------------------------------------
// Files.

TEST(ConfigLoaderTest, MissingFileNamesThePath) {
  const std::string path = "/nonexistent/evpnd/leaf9.conf";
  absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("cannot open config file /nonexistent/evpnd/leaf9.conf"));
}

// The repository root, from this file's path (CMake compiles it by absolute path).
std::string SourceDir() {
  const std::string self = __FILE__;
  const std::string suffix = "tests/unit/config/config_loader_test.cc";
  EXPECT_TRUE(self.size() >= suffix.size() &&
              self.compare(self.size() - suffix.size(), suffix.size(), suffix) == 0)
      << self;
  return self.substr(0, self.size() - suffix.size());
}

TEST(ConfigLoaderTest, ExampleLeaf1Loads) {
  const std::string path = SourceDir() + "examples/leaf1.conf";
  absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->global.router_id, V4("192.0.2.11"));
  EXPECT_EQ(config->global.local_as, 65000u);
  ASSERT_EQ(config->peers.size(), 3u);
  for (absl::string_view rr : {"192.0.2.1", "192.0.2.2"}) {
    const PeerConfig* peer = config->FindPeer(Ip(rr));
    ASSERT_NE(peer, nullptr) << rr;
    EXPECT_EQ(peer->remote_as, 65000u);
    EXPECT_EQ(peer->source_address, Ip("192.0.2.11"));
    EXPECT_EQ(peer->timers,
              (TimersConfig{.hold_time_s = 9, .keepalive_s = 3, .connect_retry_s = 5}));
    EXPECT_FALSE(peer->password.empty());
  }
  const PeerConfig* border = config->FindPeer(Ip("198.51.100.1"));
  ASSERT_NE(border, nullptr);
  EXPECT_EQ(border->remote_as, 65100u);
  EXPECT_EQ(border->ttl_security_hops, 1);
  EXPECT_THAT(border->families, ElementsAre(wire::kL2vpnEvpn, wire::kIpv4Unicast));
  EXPECT_TRUE(border->next_hop_unchanged);
  EXPECT_EQ(border->max_prefix.limit, 10000u);
}

TEST(ConfigLoaderTest, LoadConfigFileLabelsErrorsWithThePath) {
  const std::string path = testing::TempDir() + "evpnd_bad.conf";
  FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("global {\n  router_id: \"192.0.2.1\"\n  local_as: 0\n}\n", file);
  std::fclose(file);
  absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_FALSE(config.ok());
  // An explicit 0 is "missing" too, but located where it was written.
  EXPECT_EQ(std::string(config.status().message()),
            absl::StrCat(path,
                         ":3:3: global.local_as: missing: this router's AS number, "
                         "1..4294967295"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace evpnd::bgpd

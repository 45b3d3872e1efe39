// The `global.api` block: the management API's Unix socket (default, override, off), its group
// and the optional TCP address; the `global.metrics` endpoint; their errors located.
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

absl::StatusOr<Config> Load(absl::string_view api) {
  return ParseConfigText(
      absl::StrCat("global {\n  router_id: \"192.0.2.1\"\n  local_as: 65000\n  ", api, "\n}\n"),
      "t.conf");
}

TEST(ApiConfigTest, DefaultsToTheRunSocket) {
  absl::StatusOr<Config> c = Load("");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->global.api.unix_socket, "/run/evpnd/evpnd.sock");
  EXPECT_TRUE(c->global.api.tcp_address.empty());
  EXPECT_TRUE(c->global.api.enabled());
  EXPECT_EQ(DefaultConfig().global.api, c->global.api);
}

TEST(ApiConfigTest, OverridesAndOff) {
  absl::StatusOr<Config> c = Load(
      R"(api { unix_socket: "/tmp/x.sock" socket_group: "netops" tcp_address: "[::1]:50051" })");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->global.api.unix_socket, "/tmp/x.sock");
  EXPECT_EQ(c->global.api.socket_group, "netops");
  EXPECT_EQ(c->global.api.tcp_address, "[::1]:50051");
  c = Load(R"(api { unix_socket: "" })");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->global.api.enabled());
}

TEST(ApiConfigTest, Errors) {
  absl::StatusOr<Config> c =
      Load(R"(api { unix_socket: "relative.sock" tcp_address: "localhost" })");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::vector<std::string>(absl::StrSplit(c.status().message(), '\n')),
              ElementsAre("t.conf:4:9: global.api.unix_socket: must be an absolute path",
                          "t.conf:4:38: global.api.tcp_address: expected ADDRESS:PORT with an IP "
                          "address, e.g. \"127.0.0.1:50051\" or \"[::1]:50051\""));
}

TEST(MetricsConfigTest, OffByDefault) {
  absl::StatusOr<Config> c = Load("");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->global.metrics.enabled());
}

TEST(MetricsConfigTest, AddressAndPort) {
  absl::StatusOr<Config> v4 = Load(R"(metrics { http_address: "127.0.0.1:9179" })");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_TRUE(v4->global.metrics.enabled());
  EXPECT_EQ(v4->global.metrics.address.ToString(), "127.0.0.1");
  EXPECT_EQ(v4->global.metrics.port, 9179);
  absl::StatusOr<Config> v6 = Load(R"(metrics { http_address: "[::1]:65535" })");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->global.metrics.address.ToString(), "::1");
  EXPECT_EQ(v6->global.metrics.port, 65535);
}

TEST(MetricsConfigTest, BadAddressesNameTheField) {
  for (const char* bad : {"localhost:9179", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
                          "::1:9179", "[127.0.0.1]:9179", ":9179", "[::1]:x"}) {
    absl::StatusOr<Config> c =
        Load(absl::StrCat(R"(metrics { http_address: ")", bad, R"(" })"));
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_THAT(std::string(c.status().message()),
                HasSubstr("global.metrics.http_address: expected ADDRESS:PORT with an IP "
                          "address, e.g. \"127.0.0.1:9179\""))
        << bad;
  }
}

}  // namespace
}  // namespace evpnd::bgpd

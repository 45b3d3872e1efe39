// The `global.api` block: the management API's Unix socket (default, override, off), its group
// and the optional TCP address, with their errors located.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "bgpd/config/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evpnd::bgpd {
namespace {

using ::testing::ElementsAre;

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
                          "t.conf:4:38: global.api.tcp_address: expected ADDRESS:PORT, e.g. "
                          "\"127.0.0.1:50051\" or \"[::1]:50051\""));
}

}  // namespace
}  // namespace evpnd::bgpd

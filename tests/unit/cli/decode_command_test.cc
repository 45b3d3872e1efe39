// Tests of `evpnctl decode` driven through RunDecode: input forms (hex arguments, stdin lines
// with several messages, MRT files), the JSON it prints for good and bad messages, and its exit
// codes (0 clean, 2 protocol error reported, 1 usage or input error).
#include "bgpd/cli/decode_command.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace evpnd::cli {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr const char* kKeepalive = "ffffffffffffffffffffffffffffffff001304";
// UPDATE: MP_REACH_NLRI (extended length, as FRR sends it) with one EVPN type-3 route
// RD 10.0.0.1:2, tag 0, originating router 10.0.0.1, next hop 10.0.0.1; ORIGIN IGP; AS_PATH
// empty; LOCAL_PREF 100; EXTENDED_COMMUNITIES RT 65000:100 + encapsulation VXLAN; PMSI_TUNNEL
// ingress replication, VNI 100, endpoint 10.0.0.1.
constexpr const char* kType3Update =
    "ffffffffffffffffffffffffffffffff"
    "0064" "02" "0000" "004d"
    "900e001c" "0019" "46" "04" "0a000001" "00"
    "03" "11" "00010a0000010002" "00000000" "20" "0a000001"
    "400101" "00"
    "400200"
    "40050400000064"
    "c010100002fde800000064" "030c000000000008"
    "c0160900" "06" "000064" "0a000001";

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

CliRun Decode(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  int status = RunDecode(args, in, out, err);
  return {status, out.str(), err.str()};
}

std::vector<Json> Lines(const std::string& out) {
  std::vector<Json> lines;
  std::istringstream s(out);
  std::string line;
  while (std::getline(s, line)) lines.push_back(Json::parse(line));
  return lines;
}

TEST(DecodeCommandTest, KeepaliveFromArgument) {
  CliRun r = Decode({kKeepalive});
  EXPECT_EQ(r.status, 0);
  std::vector<Json> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["type"], "KEEPALIVE");
  EXPECT_EQ(lines[0]["length"], 19);
  EXPECT_FALSE(lines[0].contains("errors"));
}

TEST(DecodeCommandTest, EvpnType3UpdateFieldsUnderRfcNames) {
  CliRun r = Decode({kType3Update});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  Json j = Lines(r.out).at(0);
  EXPECT_EQ(j["type"], "UPDATE");
  const Json& attrs = j["update"]["path_attributes"];
  ASSERT_EQ(attrs.size(), 6u);
  EXPECT_EQ(attrs[0]["name"], "MP_REACH_NLRI");
  EXPECT_EQ(attrs[0]["flags"], "0x90");
  const Json& mp = attrs[0]["value"];
  EXPECT_EQ(mp["family"], "l2vpn-evpn");
  EXPECT_EQ(mp["next_hop"], "10.0.0.1");
  const Json& route = mp["nlri"][0];
  EXPECT_EQ(route["route_type"], 3);
  EXPECT_EQ(route["route_type_name"], "inclusive-multicast-ethernet-tag");
  EXPECT_EQ(route["rd"]["value"], "10.0.0.1:2");
  EXPECT_EQ(route["originating_router_ip"], "10.0.0.1");
  EXPECT_EQ(attrs[1]["value"], "IGP");
  EXPECT_EQ(attrs[3]["value"], 100);
  EXPECT_EQ(attrs[4]["value"][0]["type"], "route-target");
  EXPECT_EQ(attrs[4]["value"][0]["value"], "65000:100");
  EXPECT_EQ(attrs[4]["value"][1]["tunnel_type_name"], "vxlan");
  EXPECT_EQ(attrs[5]["name"], "PMSI_TUNNEL");
  EXPECT_EQ(attrs[5]["value"]["tunnel_type_name"], "ingress-replication");
  EXPECT_EQ(attrs[5]["value"]["label"]["vni"], 100);
  EXPECT_EQ(attrs[5]["value"]["tunnel_endpoint"], "10.0.0.1");
}

TEST(DecodeCommandTest, StdinLinesWithSeveralMessagesAndComments) {
  std::string input = std::string("# a capture\n\n") + kKeepalive + kKeepalive + "\n" + kType3Update;
  CliRun r = Decode({}, input);
  EXPECT_EQ(r.status, 0) << r.err;
  std::vector<Json> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["type"], "UPDATE");
}

TEST(DecodeCommandTest, MalformedMessageReportsErrorAndExitsTwo) {
  // ORIGIN with value 3: RFC 7606 §7.1 treat-as-withdraw, Invalid ORIGIN (3/6).
  std::string bad =
      "ffffffffffffffffffffffffffffffff" "0027" "02" "0000" "000e"
      "400101" "03" "400200" "4003040a000001" "080a";
  CliRun r = Decode({bad});
  EXPECT_EQ(r.status, 2);
  Json j = Lines(r.out).at(0);
  EXPECT_EQ(j["action"], "treat-as-withdraw");
  EXPECT_EQ(j["errors"][0]["code"], 3);
  EXPECT_EQ(j["errors"][0]["subcode"], 6);
  EXPECT_EQ(j["errors"][0]["subcode_name"], "invalid-origin-attribute");
  EXPECT_EQ(j["errors"][0]["attribute"], "ORIGIN");
  EXPECT_EQ(j["errors"][0]["data"], "40010103");
}

TEST(DecodeCommandTest, BadMarkerIsAHeaderError) {
  std::string bad = std::string(kKeepalive);
  bad[0] = '0';
  CliRun r = Decode({bad});
  EXPECT_EQ(r.status, 2);
  Json j = Lines(r.out).at(0);
  EXPECT_EQ(j["action"], "session-reset");
  EXPECT_EQ(j["errors"][0]["subcode_name"], "connection-not-synchronized");
}

TEST(DecodeCommandTest, BadHexIsAnInputError) {
  CliRun r = Decode({"ffzz"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("not a hex digit"));
}

TEST(DecodeCommandTest, UsageErrors) {
  EXPECT_EQ(Decode({"--frobnicate"}).status, 1);
  EXPECT_EQ(Decode({"--mrt"}).status, 1);
  EXPECT_EQ(Decode({"--add-path", "vpls"}).status, 1);
  CliRun help = Decode({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.out, HasSubstr("--mrt FILE"));
}

TEST(DecodeCommandTest, MrtFileWithAs4AndStateChangeRecords) {
  // BGP4MP MESSAGE_AS4 (subtype 4) with a KEEPALIVE, then BGP4MP_ET STATE_CHANGE_AS4 (5).
  std::vector<uint8_t> file = {
      0x5f, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, 0x27,  // header, len 39
      0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01,  // AS 65001, 65000
      0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01};                          // peer, local IP
  for (int i = 0; i < 16; ++i) file.push_back(0xff);
  for (uint8_t b : {0x00, 0x13, 0x04}) file.push_back(b);
  std::vector<uint8_t> state = {0x5f, 0x00, 0x00, 0x02, 0x00, 0x11, 0x00, 0x05, 0x00, 0x00,
                                0x00, 0x1c, 0x00, 0x00, 0x01, 0xf4, 0x00, 0x00, 0xfd, 0xe9,
                                0x00, 0x00, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x00,
                                0x00, 0x02, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x05, 0x00, 0x06};
  file.insert(file.end(), state.begin(), state.end());
  std::string path = ::testing::TempDir() + "/decode_test.mrt";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  CliRun r = Decode({"--mrt", path});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  std::vector<Json> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["mrt"]["subtype"], 4);
  EXPECT_EQ(lines[0]["mrt"]["peer_as"], 65001);
  EXPECT_EQ(lines[0]["mrt"]["peer_ip"], "10.0.0.2");
  EXPECT_EQ(lines[0]["type"], "KEEPALIVE");
  EXPECT_EQ(lines[1]["mrt"]["microseconds"], 500);
  EXPECT_EQ(lines[1]["mrt"]["old_state"], 5);
  EXPECT_EQ(lines[1]["mrt"]["new_state"], 6);
  std::remove(path.c_str());
}

TEST(DecodeCommandTest, TruncatedMrtIsAnInputError) {
  std::string path = ::testing::TempDir() + "/truncated.mrt";
  std::ofstream(path, std::ios::binary).write("\x5f\x00\x00\x01\x00\x10", 6);
  CliRun r = Decode({"--mrt", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("truncated"));
  std::remove(path.c_str());
  EXPECT_EQ(Decode({"--mrt", path}).status, 1);  // now missing
}

}  // namespace
}  // namespace evpnd::cli

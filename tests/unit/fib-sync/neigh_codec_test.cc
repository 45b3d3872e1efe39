// Unit tests for fib-sync/netlink/neigh_codec.h (rtnetlink(7) FDB messages, built and parsed with
// libmnl): the exact bytes AppendFdbOp writes for each kind of op (header type, flags and
// sequence; ndmsg family, ifindex, state and flags; NDA_LLADDR; NDA_DST for IPv4 and IPv6;
// NLM_F_REPLACE for unicast and NLM_F_APPEND for the flood list; the bridge message only with a
// bridge) and BuildDumpRequest; ParseMessages on what AppendFdbOp builds, on hand-built
// RTM_NEWLINK/RTM_DELLINK (VXLAN ID and COLLECT_METADATA nested in IFLA_LINKINFO/IFLA_INFO_DATA,
// IFLA_MASTER, IFF_UP), NLMSG_ERROR and NLMSG_DONE, on byte sequences recorded from Linux 6.18
// (the fuzz corpus's kernel_* files: an AF_BRIDGE FDB dump, a link dump, ACKs to AppendFdbOp's
// own messages, monitor notifications), and on garbage, which must never crash or read past the
// input. Netlink is host-endian; the expected bytes are little-endian.
#include "fib-sync/netlink/neigh_codec.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fib-sync/reconcile/fdb_types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fib-sync/fib_test_util.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::fibsync {
namespace {

using evpnd::test::Hex;
using test::Ip;
using test::Mac;
using Kind = ParsedMessage::Kind;

const evpn::MacAddress kMac = Mac("52:54:00:00:00:0a");

FdbOp Op(FdbOpKind kind, const FdbKey& key, int ifindex, int bridge, const evpn::IpAddress& vtep) {
  FdbOp op;
  op.kind = kind;
  op.key = key;
  op.ifindex = ifindex;
  op.bridge_ifindex = bridge;
  op.vtep = vtep;
  return op;
}

std::vector<uint8_t> Build(const FdbOp& op, uint32_t first_seq, std::vector<uint32_t>* seqs) {
  uint32_t seq = first_seq;
  std::vector<uint8_t> buffer;
  AppendFdbOp(op, seq, buffer, *seqs);
  EXPECT_EQ(seq, first_seq + seqs->size());
  return buffer;
}

std::vector<ParsedMessage> Parse(const std::vector<uint8_t>& bytes, bool* malformed_out = nullptr) {
  bool malformed = true;
  std::vector<ParsedMessage> out = ParseMessages(bytes, &malformed);
  if (malformed_out != nullptr) {
    *malformed_out = malformed;
  } else {
    EXPECT_FALSE(malformed);
  }
  return out;
}

// ---- AppendFdbOp: the bytes ----

TEST(AppendFdbOpTest, UnicastReplaceWritesTheVxlanEntryThenTheBridgeEntry) {
  std::vector<uint32_t> seqs;
  const std::vector<uint8_t> bytes =
      Build(Op(FdbOpKind::kReplace, FdbKey::Unicast(100, kMac), 3, 2, Ip("10.0.0.4")), 100, &seqs);
  EXPECT_EQ(seqs, (std::vector<uint32_t>{100, 101}));
  // The VXLAN entry. nlmsghdr: length 48, RTM_NEWNEIGH, REQUEST|REPLACE|CREATE (no ACK), seq 100,
  // pid 0. ndmsg: AF_BRIDGE, pad, ifindex 3, NUD_REACHABLE, NTF_SELF|NTF_EXT_LEARNED, type 0.
  // NDA_LLADDR (10 bytes and 2 of padding), NDA_DST 10.0.0.4.
  const std::string vxlan =
      "30000000 1c00 0105 64000000 00000000  07 00 0000 03000000 0200 12 00"
      "0a00 0200 52540000000a 0000  0800 0100 0a000004";
  // The bridge entry. nlmsghdr: length 40, same type and flags, seq 101. ndmsg on the VXLAN
  // port: NUD_REACHABLE, NTF_MASTER|NTF_EXT_LEARNED. NDA_LLADDR; no NDA_DST.
  const std::string bridge =
      "28000000 1c00 0105 65000000 00000000  07 00 0000 03000000 0200 14 00"
      "0a00 0200 52540000000a 0000";
  EXPECT_EQ(bytes, Hex(vxlan + bridge));
  // What Linux 6.18 accepted (recorded with the same arguments).
  std::ifstream in(std::string(EVPND_NETLINK_CORPUS) + "/codec_fdb_op_replace_unicast_v4",
                   std::ios::binary);
  EXPECT_EQ(bytes, std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {}));
}

TEST(AppendFdbOpTest, Ipv6DestinationAndNoBridgeMessageWithoutABridge) {
  std::vector<uint32_t> seqs;
  const std::vector<uint8_t> bytes =
      Build(Op(FdbOpKind::kReplace, FdbKey::Unicast(200, Mac("52:54:00:00:00:0b")), 4, 0,
               Ip("2001:db8::4")),
            110, &seqs);
  EXPECT_EQ(seqs, std::vector<uint32_t>{110});
  EXPECT_EQ(bytes, Hex("3c000000 1c00 0105 6e000000 00000000"
                       "07 00 0000 04000000 0200 12 00"
                       "0a00 0200 52540000000b 0000"
                       "1400 0100 20010db8 00000000 00000000 00000004"));
}

TEST(AppendFdbOpTest, FloodEntriesAreAppendedPermanentAndNeverGetABridgeEntry) {
  std::vector<uint32_t> seqs;
  // (The reconciler never gives a flood op a bridge; the builder writes what the op says.)
  const std::vector<uint8_t> bytes =
      Build(Op(FdbOpKind::kReplace, FdbKey::Flood(100, Ip("10.0.0.5")), 3, 0, Ip("10.0.0.5")), 120,
            &seqs);
  EXPECT_EQ(seqs, std::vector<uint32_t>{120});
  // REQUEST|CREATE|APPEND (0x0c01); NUD_PERMANENT.
  EXPECT_EQ(bytes, Hex("30000000 1c00 010c 78000000 00000000"
                       "07 00 0000 03000000 8000 12 00"
                       "0a00 0200 000000000000 0000"
                       "0800 0100 0a000005"));
}

TEST(AppendFdbOpTest, DeletesNameTheFloodDestinationButNotTheUnicastOne) {
  std::vector<uint32_t> seqs;
  const std::vector<uint8_t> unicast =
      Build(Op(FdbOpKind::kDelete, FdbKey::Unicast(100, kMac), 3, 2, Ip("10.0.0.4")), 140, &seqs);
  EXPECT_EQ(seqs, (std::vector<uint32_t>{140, 141}));
  // RTM_DELNEIGH, REQUEST; state 0; NTF_SELF, then NTF_MASTER; flags without extern_learn.
  EXPECT_EQ(unicast, Hex("28000000 1d00 0100 8c000000 00000000"
                         "07 00 0000 03000000 0000 02 00"
                         "0a00 0200 52540000000a 0000"
                         "28000000 1d00 0100 8d000000 00000000"
                         "07 00 0000 03000000 0000 04 00"
                         "0a00 0200 52540000000a 0000"));
  seqs.clear();
  const std::vector<uint8_t> flood = Build(
      Op(FdbOpKind::kDelete, FdbKey::Flood(100, Ip("10.0.0.5")), 3, 0, Ip("10.0.0.5")), 130, &seqs);
  EXPECT_EQ(flood, Hex("30000000 1d00 0100 82000000 00000000"
                       "07 00 0000 03000000 0000 02 00"
                       "0a00 0200 000000000000 0000"
                       "0800 0100 0a000005"));
}

TEST(AppendFdbOpTest, OpsAppendToOneBufferWithConsecutiveSequenceNumbers) {
  uint32_t seq = 1;
  std::vector<uint8_t> buffer;
  std::vector<uint32_t> seqs;
  AppendFdbOp(Op(FdbOpKind::kReplace, FdbKey::Unicast(100, kMac), 3, 2, Ip("10.0.0.4")), seq,
              buffer, seqs);
  const size_t first = buffer.size();
  AppendFdbOp(Op(FdbOpKind::kDelete, FdbKey::Flood(100, Ip("10.0.0.5")), 3, 0, Ip("10.0.0.5")), seq,
              buffer, seqs);
  EXPECT_EQ(seqs, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(seq, 4u);
  EXPECT_EQ(first, 88u);
  EXPECT_EQ(buffer.size(), 88u + 48u);
  const std::vector<ParsedMessage> parsed = Parse(buffer);
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_EQ(parsed[2].seq, 3u);
  EXPECT_FALSE(parsed[2].neigh.present);
}

// A writer asks an ACK of its last message only: the kernel answers the others only if they fail.
TEST(AppendFdbOpTest, RequestAckOfLastMarksTheLastMessageOnly) {
  uint32_t seq = 1;
  std::vector<uint8_t> buffer;
  std::vector<uint32_t> seqs;
  for (int i = 0; i < 3; ++i) {  // two messages each: the VXLAN entry and the bridge entry
    AppendFdbOp(Op(FdbOpKind::kReplace, FdbKey::Unicast(100, kMac), 3, 2, Ip("10.0.0.4")), seq,
                buffer, seqs);
  }
  RequestAckOfLast(buffer);
  std::vector<std::pair<uint32_t, bool>> acks;  // (seq, NLM_F_ACK)
  int remaining = static_cast<int>(buffer.size());
  for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buffer.data()); mnl_nlmsg_ok(nlh, remaining);
       nlh = mnl_nlmsg_next(nlh, &remaining)) {
    acks.emplace_back(nlh->nlmsg_seq, (nlh->nlmsg_flags & NLM_F_ACK) != 0);
  }
  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(acks, (std::vector<std::pair<uint32_t, bool>>{
                      {1, false}, {2, false}, {3, false}, {4, false}, {5, false}, {6, true}}));
  std::vector<uint8_t> empty;
  RequestAckOfLast(empty);  // nothing to mark
  EXPECT_TRUE(empty.empty());
}

// ---- BuildDumpRequest ----

TEST(BuildDumpRequestTest, LinkAndBridgeFdbDumps) {
  // RTM_GETLINK, REQUEST|DUMP (0x0301), ifinfomsg AF_UNSPEC.
  EXPECT_EQ(BuildDumpRequest(DumpKind::kLinks, 160),
            Hex("20000000 1200 0103 a0000000 00000000 00 00 0000 00000000 00000000 00000000"));
  // RTM_GETNEIGH, ndmsg AF_BRIDGE.
  EXPECT_EQ(BuildDumpRequest(DumpKind::kBridgeFdb, 161),
            Hex("1c000000 1e00 0103 a1000000 00000000 07 00 0000 00000000 0000 00 00"));
}

// ---- ParseMessages on what AppendFdbOp builds ----

TEST(ParseMessagesTest, RoundTripsTheVxlanEntriesAppendFdbOpBuilds) {
  struct Case {
    FdbOp op;
    uint16_t state;
  };
  const Case cases[] = {
      {Op(FdbOpKind::kReplace, FdbKey::Unicast(100, kMac), 3, 2, Ip("10.0.0.4")), NUD_REACHABLE},
      {Op(FdbOpKind::kReplace, FdbKey::Unicast(100, kMac), 9, 0, Ip("2001:db8::4")), NUD_REACHABLE},
      {Op(FdbOpKind::kReplace, FdbKey::Flood(100, Ip("10.0.0.5")), 3, 0, Ip("10.0.0.5")),
       NUD_PERMANENT},
      {Op(FdbOpKind::kDelete, FdbKey::Flood(100, Ip("2001:db8::5")), 3, 0, Ip("2001:db8::5")), 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op.key.ToString());
    std::vector<uint32_t> seqs;
    const std::vector<ParsedMessage> parsed = Parse(Build(c.op, 500, &seqs));
    ASSERT_EQ(parsed.size(), seqs.size());
    const ParsedMessage& m = parsed[0];
    EXPECT_EQ(m.kind, Kind::kNeigh);
    EXPECT_EQ(m.seq, 500u);
    KernelFdbEntry want;
    want.present = c.op.kind == FdbOpKind::kReplace;
    want.ifindex = c.op.ifindex;
    want.mac = c.op.key.mac;
    want.has_dst = true;
    want.dst = c.op.vtep;
    want.self = true;
    want.extern_learn = c.op.kind == FdbOpKind::kReplace;
    want.state = c.state;
    EXPECT_EQ(m.neigh, want);
  }
}

TEST(ParseMessagesTest, TheBridgeRequestParsesWithoutMasterForItCarriesNoNdaMaster) {
  std::vector<uint32_t> seqs;
  const std::vector<ParsedMessage> parsed = Parse(
      Build(Op(FdbOpKind::kReplace, FdbKey::Unicast(100, kMac), 3, 2, Ip("10.0.0.4")), 1, &seqs));
  ASSERT_EQ(parsed.size(), 2u);
  const KernelFdbEntry& e = parsed[1].neigh;
  EXPECT_EQ(parsed[1].kind, Kind::kNeigh);
  EXPECT_EQ(e.ifindex, 3);
  EXPECT_EQ(e.mac, kMac);
  EXPECT_FALSE(e.has_dst);
  EXPECT_FALSE(e.self);
  // The kernel marks bridge entries by NDA_MASTER, not NTF_MASTER (see the recorded dump below);
  // the request has only the flag.
  EXPECT_FALSE(e.master);
  EXPECT_TRUE(e.extern_learn);
}

// ---- ParseMessages on hand-built links, ACKs, DONE ----

// RTM_NEWLINK/RTM_DELLINK with IFLA_IFNAME, IFLA_MASTER and IFLA_LINKINFO {kind, data}.
std::vector<uint8_t> LinkMessage(uint16_t type, int index, unsigned flags, const char* name,
                                 int master, const char* kind, int64_t vni, int external) {
  std::vector<uint8_t> buffer(1024);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buffer.data());
  nlh->nlmsg_type = type;
  nlh->nlmsg_seq = 77;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ifi->ifi_flags = flags;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  if (master != 0) mnl_attr_put_u32(nlh, IFLA_MASTER, static_cast<uint32_t>(master));
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
  if (vni >= 0 || external >= 0) {
    nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    if (vni >= 0) mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, static_cast<uint32_t>(vni));
    if (external >= 0) mnl_attr_put_u8(nlh, IFLA_VXLAN_COLLECT_METADATA, external);
    mnl_attr_nest_end(nlh, data);
  }
  mnl_attr_nest_end(nlh, info);
  buffer.resize(nlh->nlmsg_len);
  return buffer;
}

TEST(ParseMessagesTest, VxlanLinkWithItsVniMasterAndState) {
  const std::vector<ParsedMessage> parsed =
      Parse(LinkMessage(RTM_NEWLINK, 7, IFF_UP | IFF_RUNNING, "vxlan100", 2, "vxlan", 100, 0));
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].kind, Kind::kLink);
  EXPECT_EQ(parsed[0].seq, 77u);
  LinkInfo want;
  want.ifindex = 7;
  want.name = "vxlan100";
  want.kind = "vxlan";
  want.master_ifindex = 2;
  want.up = true;
  want.vni = 100;
  EXPECT_EQ(parsed[0].link, want);
}

TEST(ParseMessagesTest, ExternalVxlanBridgeDownAndDeletedLinks) {
  std::vector<uint8_t> bytes = LinkMessage(RTM_NEWLINK, 8, 0, "vxlan0", 0, "vxlan", 0, 1);
  const std::vector<uint8_t> bridge =
      LinkMessage(RTM_NEWLINK, 2, IFF_UP, "br0", 0, "bridge", -1, -1);
  const std::vector<uint8_t> gone = LinkMessage(RTM_DELLINK, 7, 0, "vxlan100", 2, "vxlan", 100, -1);
  // A VXLAN ID wider than 24 bits keeps its low 24 bits; a bridge's data is not read as VXLAN's.
  const std::vector<uint8_t> wide =
      LinkMessage(RTM_NEWLINK, 9, IFF_UP, "vxlanX", 0, "vxlan", 0x1000064, -1);
  const std::vector<uint8_t> bridge_with_data =
      LinkMessage(RTM_NEWLINK, 10, IFF_UP, "br1", 0, "bridge", 300, 1);
  for (const auto* more : {&bridge, &gone, &wide, &bridge_with_data}) {
    bytes.insert(bytes.end(), more->begin(), more->end());
  }
  const std::vector<ParsedMessage> parsed = Parse(bytes);
  ASSERT_EQ(parsed.size(), 5u);
  EXPECT_TRUE(parsed[0].link.vxlan_external);
  EXPECT_FALSE(parsed[0].link.up);
  EXPECT_EQ(parsed[0].link.vni, 0u);
  EXPECT_EQ(parsed[1].link.kind, "bridge");
  EXPECT_TRUE(parsed[1].link.up);
  EXPECT_EQ(parsed[1].link.master_ifindex, 0);
  EXPECT_FALSE(parsed[2].link.present);
  EXPECT_EQ(parsed[2].link.ifindex, 7);
  EXPECT_EQ(parsed[3].link.vni, 100u);
  EXPECT_EQ(parsed[4].link.vni, 0u);
  EXPECT_FALSE(parsed[4].link.vxlan_external);
}

std::vector<uint8_t> Ack(uint32_t seq, int error) {
  std::vector<uint8_t> buffer(MNL_SOCKET_BUFFER_SIZE > 256 ? 256 : MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buffer.data());
  nlh->nlmsg_type = NLMSG_ERROR;
  nlh->nlmsg_seq = seq;
  auto* err = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
  err->error = error;
  err->msg.nlmsg_len = sizeof(nlmsghdr);
  err->msg.nlmsg_type = RTM_NEWNEIGH;
  err->msg.nlmsg_seq = seq;
  buffer.resize(nlh->nlmsg_len);
  return buffer;
}

TEST(ParseMessagesTest, AcksCarryAPositiveErrnoAndDoneEndsADump) {
  std::vector<uint8_t> bytes;
  for (const auto& [seq, error] : std::vector<std::pair<uint32_t, int>>{
           {1, 0}, {2, -ENOENT}, {3, -ENOBUFS}, {4, -EBUSY}, {5, EEXIST}}) {
    const std::vector<uint8_t> ack = Ack(seq, error);
    bytes.insert(bytes.end(), ack.begin(), ack.end());
  }
  const std::vector<uint8_t> done = Hex("14000000 0300 0200 09000000 00000000 00000000");
  bytes.insert(bytes.end(), done.begin(), done.end());
  const std::vector<ParsedMessage> parsed = Parse(bytes);
  ASSERT_EQ(parsed.size(), 6u);
  const int want[] = {0, ENOENT, ENOBUFS, EBUSY, EEXIST};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(parsed[i].kind, Kind::kAck);
    EXPECT_EQ(parsed[i].seq, static_cast<uint32_t>(i + 1));
    EXPECT_EQ(parsed[i].error, want[i]);
  }
  EXPECT_EQ(parsed[5].kind, Kind::kDone);
  EXPECT_EQ(parsed[5].seq, 9u);
}

TEST(ParseMessagesTest, AnAckErrorOutsideErrnoRangeIsStillAPositiveError) {
  for (int error : {INT_MIN, INT_MIN + 1, -5000, INT_MAX}) {
    SCOPED_TRACE(error);
    const std::vector<ParsedMessage> parsed = Parse(Ack(1, error));
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(parsed[0].kind, Kind::kAck);
    EXPECT_GT(parsed[0].error, 0);
  }
}

TEST(ParseMessagesTest, ShortErrorOtherFamiliesAndOtherTypesAreOther) {
  std::vector<uint8_t> bytes = Hex(
      // NLMSG_ERROR too short for nlmsgerr
      "14000000 0200 0000 01000000 00000000 feffffff"
      // RTM_NEWNEIGH of AF_INET (an ARP entry)
      "28000000 1c00 0000 02000000 00000000 02 00 0000 03000000 0200 00 01"
      "0a00 0200 52540000000a 0000"
      // RTM_NEWNEIGH AF_BRIDGE without NDA_LLADDR
      "1c000000 1c00 0000 03000000 00000000 07 00 0000 03000000 0200 12 00"
      // RTM_NEWNEIGH AF_BRIDGE with a 5-byte NDA_LLADDR
      "28000000 1c00 0000 04000000 00000000 07 00 0000 03000000 0200 12 00"
      "0900 0200 5254000000 000000"
      // RTM_NEWROUTE
      "1c000000 1800 0000 05000000 00000000 02 00 00 00 fe 00 00 01 00000000"
      // RTM_NEWNEIGH shorter than its ndmsg
      "14000000 1c00 0000 06000000 00000000 07000000");
  const std::vector<ParsedMessage> parsed = Parse(bytes);
  ASSERT_EQ(parsed.size(), 6u);
  for (const ParsedMessage& m : parsed) EXPECT_EQ(m.kind, Kind::kOther) << m.seq;
}

// ---- ParseMessages on garbage ----

TEST(ParseMessagesTest, EmptyInputIsNoMessageAndNotMalformed) {
  bool malformed = true;
  EXPECT_TRUE(Parse({}, &malformed).empty());
  EXPECT_FALSE(malformed);
  EXPECT_TRUE(ParseMessages({}).empty());  // malformed may be left out
}

TEST(ParseMessagesTest, InconsistentHeadersEndTheParse) {
  const std::vector<uint8_t> good = Ack(1, 0);
  struct Case {
    const char* what;
    std::vector<uint8_t> tail;
  };
  const Case cases[] = {
      {"truncated header", Hex("28000000 1c00 0000 02")},
      {"length below a header", Hex("08000000 1c00 0000 02000000 00000000")},
      {"length beyond the buffer", Hex("c8000000 1c00 0000 02000000 00000000 07000000")},
      {"length of 2^32 - 16", Hex("f0ffffff 1c00 0000 02000000 00000000 07 00 0000 03000000"
                                  "0200 12 00 0a00 0200 525400000001 0000")},
      {"length of 2^31", Hex("00000080 0200 0000 02000000 00000000 00000000")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<uint8_t> bytes = good;
    bytes.insert(bytes.end(), c.tail.begin(), c.tail.end());
    bool malformed = false;
    const std::vector<ParsedMessage> parsed = Parse(bytes, &malformed);
    EXPECT_TRUE(malformed);
    ASSERT_EQ(parsed.size(), 1u);  // the good message before it
    EXPECT_EQ(parsed[0].kind, Kind::kAck);
  }
}

TEST(ParseMessagesTest, AnAttributeLongerThanItsMessageEndsTheAttributesNotTheParse) {
  // NDA_LLADDR, then an NDA_DST claiming 200 bytes; then NLMSG_DONE.
  const std::vector<uint8_t> bytes =
      Hex("30000000 1c00 0000 01000000 00000000 07 00 0000 03000000 0200 12 00"
          "0a00 0200 525400000001 0000 c800 0100 00000000"
          "14000000 0300 0200 09000000 00000000 00000000");
  const std::vector<ParsedMessage> parsed = Parse(bytes);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].kind, Kind::kNeigh);
  EXPECT_EQ(parsed[0].neigh.mac, Mac("52:54:00:00:00:01"));
  EXPECT_FALSE(parsed[0].neigh.has_dst);  // the broken attribute is not read
  EXPECT_EQ(parsed[1].kind, Kind::kDone);
}

TEST(ParseMessagesTest, AMessageWhoseLengthIsNotAMultipleOfFourAtTheEndOfTheInput) {
  // 45 bytes: the last attribute (NDA_PROBES, 5 bytes) ends the input without padding.
  const std::vector<uint8_t> bytes =
      Hex("2d000000 1c00 0000 01000000 00000000 07 00 0000 03000000 0200 12 00"
          "0a00 0200 525400000001 0000 0500 0800 01");
  ASSERT_EQ(bytes.size(), 45u);
  const std::vector<ParsedMessage> parsed = Parse(bytes);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].kind, Kind::kNeigh);
  EXPECT_EQ(parsed[0].neigh.mac, Mac("52:54:00:00:00:01"));
  // 41 bytes: one byte of a next attribute header. libmnl looks for attributes up to the aligned
  // length (44), so it reads that header; the parser must not let it read past the input.
  const std::vector<uint8_t> cut =
      Hex("29000000 1c00 0000 01000000 00000000 07 00 0000 03000000 0200 12 00"
          "0a00 0200 525400000001 0000 05");
  ASSERT_EQ(cut.size(), 41u);
  const std::vector<ParsedMessage> parsed_cut = Parse(cut);
  ASSERT_EQ(parsed_cut.size(), 1u);
  EXPECT_EQ(parsed_cut[0].kind, Kind::kNeigh);
}

TEST(ParseMessagesTest, EveryPrefixOfValidInputParsesWithoutCrashing) {
  std::vector<uint32_t> seqs;
  std::vector<uint8_t> bytes =
      Build(Op(FdbOpKind::kReplace, FdbKey::Unicast(100, kMac), 3, 2, Ip("2001:db8::4")), 1, &seqs);
  const std::vector<uint8_t> link =
      LinkMessage(RTM_NEWLINK, 7, IFF_UP, "vxlan100", 2, "vxlan", 100, 0);
  bytes.insert(bytes.end(), link.begin(), link.end());
  for (size_t n = 0; n <= bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    bool malformed = false;
    const std::vector<ParsedMessage> parsed = ParseMessages(prefix, &malformed);
    EXPECT_LE(parsed.size(), n / 16);
  }
}

// ---- ParseMessages on what Linux sent (fuzz corpus, recorded in a scratch namespace) ----
//
// The namespace: br0 (ifindex 2); vxlan100 (3, VNI 100, local 10.0.0.1, in br0); vxlan200 (4,
// VNI 200, local 2001:db8::1, no bridge); vxlan0 (5, external). FDB:
//   00:00:00:00:00:00 dev vxlan100 dst 10.0.0.2 / 10.0.0.3 self permanent extern_learn
//   52:54:00:00:00:01 dev vxlan100 dst 10.0.0.2 self extern_learn dynamic, and master
//   52:54:00:00:00:0c dev vxlan100 dst 10.0.0.9 self static (an operator's)
//   00:00:00:00:00:00 dev vxlan200 dst 2001:db8::2 self permanent extern_learn
//   52:54:00:00:00:02 dev vxlan200 dst 2001:db8::2 self extern_learn dynamic
// then AppendFdbOp's codec_fdb_op_* messages were sent (their ACKs: kernel_ack_*), then vxlan100
// was set down (kernel_monitor_*: every notification meanwhile).

std::vector<uint8_t> Corpus(const std::string& name) {
  const std::string path = std::string(EVPND_NETLINK_CORPUS) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

KernelFdbEntry Entry(int ifindex, const char* mac, const char* dst, bool self, int master,
                     bool extern_learn, uint16_t state) {
  KernelFdbEntry e;
  e.ifindex = ifindex;
  e.mac = Mac(mac);
  if (dst != nullptr) {
    e.has_dst = true;
    e.dst = Ip(dst);
  }
  e.self = self;
  e.master_ifindex = master;
  e.master = master != 0;
  e.extern_learn = extern_learn;
  e.state = state;
  return e;
}

TEST(KernelCaptureTest, BridgeFdbDump) {
  const std::vector<ParsedMessage> parsed = Parse(Corpus("kernel_fdb_dump_0"));
  std::vector<KernelFdbEntry> entries;
  for (const ParsedMessage& m : parsed) {
    EXPECT_EQ(m.kind, Kind::kNeigh);
    EXPECT_EQ(m.seq, 161u);  // codec_dump_request_fdb's
    entries.push_back(m.neigh);
  }
  const uint16_t permanent = NUD_PERMANENT | NUD_NOARP;  // as Linux reports permanent entries
  // The bridge's own multicast addresses (self, no destination) come first.
  ASSERT_EQ(entries.size(), 13u);
  EXPECT_EQ(entries[0], Entry(2, "33:33:00:00:00:01", nullptr, true, 0, false, NUD_PERMANENT));
  EXPECT_THAT(
      std::vector<KernelFdbEntry>(entries.begin() + 5, entries.end()),
      ::testing::ElementsAre(
          // Bridge entries on the VXLAN port: no NTF_MASTER, but NDA_MASTER.
          Entry(3, "52:54:00:00:00:01", nullptr, false, 2, true, NUD_REACHABLE),
          ::testing::Field(&KernelFdbEntry::state, NUD_PERMANENT),  // the port's own address
          Entry(3, "52:54:00:00:00:0c", "10.0.0.9", true, 0, false, NUD_NOARP | NUD_REACHABLE),
          Entry(3, "52:54:00:00:00:01", "10.0.0.2", true, 0, true, NUD_REACHABLE),
          Entry(3, "00:00:00:00:00:00", "10.0.0.2", true, 0, true, permanent),
          Entry(3, "00:00:00:00:00:00", "10.0.0.3", true, 0, true, permanent),
          Entry(4, "52:54:00:00:00:02", "2001:db8::2", true, 0, true, NUD_REACHABLE),
          Entry(4, "00:00:00:00:00:00", "2001:db8::2", true, 0, true, permanent)));
  EXPECT_TRUE(entries[7].operator_static());

  const std::vector<ParsedMessage> done = Parse(Corpus("kernel_fdb_dump_1"));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].kind, Kind::kDone);
  EXPECT_EQ(done[0].seq, 161u);
}

TEST(KernelCaptureTest, LinkDump) {
  std::vector<LinkInfo> links;
  for (const char* file : {"kernel_link_dump_0", "kernel_link_dump_1"}) {
    for (const ParsedMessage& m : Parse(Corpus(file))) {
      EXPECT_EQ(m.kind, Kind::kLink);
      EXPECT_EQ(m.seq, 160u);
      links.push_back(m.link);
    }
  }
  ASSERT_EQ(links.size(), 5u);
  EXPECT_EQ(links[0].name, "lo");
  EXPECT_EQ(links[1].name, "br0");
  EXPECT_EQ(links[1].kind, "bridge");
  LinkInfo vxlan100;
  vxlan100.ifindex = 3;
  vxlan100.name = "vxlan100";
  vxlan100.kind = "vxlan";
  vxlan100.master_ifindex = 2;
  vxlan100.up = true;
  vxlan100.vni = 100;
  EXPECT_EQ(links[2], vxlan100);
  EXPECT_EQ(links[3].vni, 200u);
  EXPECT_EQ(links[3].master_ifindex, 0);
  EXPECT_EQ(links[4].name, "vxlan0");
  EXPECT_TRUE(links[4].vxlan_external);
  const std::vector<ParsedMessage> done = Parse(Corpus("kernel_link_dump_2"));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].kind, Kind::kDone);
}

TEST(KernelCaptureTest, AcksToAppendFdbOpsMessages) {
  struct Case {
    const char* file;
    std::vector<std::pair<uint32_t, int>> acks;  // (seq, error)
  };
  const Case cases[] = {
      {"kernel_ack_replace_unicast_v4", {{100, 0}, {101, 0}}},
      {"kernel_ack_replace_unicast_v6", {{110, 0}}},
      {"kernel_ack_flood_append", {{120, 0}}},
      {"kernel_ack_flood_delete", {{130, 0}}},
      {"kernel_ack_delete_unicast", {{140, 0}, {141, 0}}},
      // The same delete again: ENOENT for both entries (the ACK quotes the request).
      {"kernel_ack_delete_unicast_again", {{150, ENOENT}, {151, ENOENT}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    std::vector<std::pair<uint32_t, int>> got;
    for (const ParsedMessage& m : Parse(Corpus(c.file))) {
      EXPECT_EQ(m.kind, Kind::kAck);
      got.emplace_back(m.seq, m.error);
    }
    EXPECT_EQ(got, c.acks);
  }
}

TEST(KernelCaptureTest, MonitorNotifications) {
  const std::vector<ParsedMessage> parsed = Parse(Corpus("kernel_monitor_neigh"));
  ASSERT_EQ(parsed.size(), 9u);
  const uint16_t permanent = NUD_PERMANENT | NUD_NOARP;
  KernelFdbEntry added = Entry(3, "52:54:00:00:00:0a", "10.0.0.4", true, 0, true, NUD_REACHABLE);
  EXPECT_EQ(parsed[0].neigh, added);
  EXPECT_EQ(parsed[1].neigh, Entry(3, "52:54:00:00:00:0a", nullptr, false, 2, true, NUD_REACHABLE));
  EXPECT_EQ(parsed[2].neigh,
            Entry(4, "52:54:00:00:00:0b", "2001:db8::4", true, 0, true, NUD_REACHABLE));
  EXPECT_EQ(parsed[3].neigh, Entry(3, "00:00:00:00:00:00", "10.0.0.5", true, 0, true, permanent));
  KernelFdbEntry flood_gone = parsed[3].neigh;
  flood_gone.present = false;
  EXPECT_EQ(parsed[4].neigh, flood_gone);
  added.present = false;
  EXPECT_EQ(parsed[5].neigh, added);
  EXPECT_FALSE(parsed[6].neigh.present);
  EXPECT_TRUE(parsed[6].neigh.master);
  // vxlan100 down: its dynamic entry is flushed.
  EXPECT_EQ(parsed[7].neigh, (KernelFdbEntry{false, 3, 0, Mac("52:54:00:00:00:01"), true,
                                             Ip("10.0.0.2"), 0, true, false, true, NUD_REACHABLE}));
  // An IPv6 neighbour (AF_INET6) on the same device is not an FDB entry.
  EXPECT_EQ(parsed[8].kind, Kind::kOther);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(parsed[i].kind, Kind::kNeigh);

  // vxlan100 down: the link (AF_UNSPEC), then the bridge's view of its port (AF_BRIDGE, with
  // IFLA_PROTINFO), which describes port state, not the link, and is not read as one.
  const std::vector<ParsedMessage> links = Parse(Corpus("kernel_monitor_link"));
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].kind, Kind::kLink);
  EXPECT_EQ(links[0].link.ifindex, 3);
  EXPECT_EQ(links[0].link.master_ifindex, 2);
  EXPECT_EQ(links[0].link.vni, 100u);
  EXPECT_FALSE(links[0].link.up);
  EXPECT_EQ(links[1].kind, Kind::kOther);
}

TEST(KernelCaptureTest, EveryCorpusFileParsesWithoutCrashing) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(EVPND_NETLINK_CORPUS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    bool malformed = false;
    (void)ParseMessages(bytes, &malformed);
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(malformed, name == "handmade_truncated_header" ||
                             name == "handmade_len_beyond_buffer" || name == "handmade_huge_len")
        << name;
    ++files;
  }
  EXPECT_GE(files, 20u);
}

}  // namespace
}  // namespace evpnd::fibsync

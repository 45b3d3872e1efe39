// Unit tests for the MRT reader (bgpd/wire/mrt.h) over dump files built in memory byte by byte as
// RFC 6396 lays them out: the common header (§2: timestamp, type, subtype, length), BGP4MP
// MESSAGE and MESSAGE_AS4 (§4.4.2, §4.4.3), STATE_CHANGE and STATE_CHANGE_AS4 (§4.4.1, §4.4.4),
// the LOCAL subtypes, BGP4MP_ET with its microsecond field counted in the length (§3), the
// RFC 8050 §3 ADD-PATH subtypes, IPv4 and IPv6 peers, an unsupported record type (TABLE_DUMP_V2,
// 13) reported and skipped, malformed bodies reported in the record's note, and truncated
// records and headers reported as errors. The carried BGP messages decode with DecodeMessage.
#include "bgpd/wire/mrt.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bgpd/wire/message.h"
#include "gtest/gtest.h"
#include "tests/unit/hex_bytes.h"

namespace evpnd::wire {
namespace {

using test::Hex;

const std::string kKeepalive = " ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00 13 04";
const std::string kEorIpv4 =
    " ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00 17 02 00 00 00 00";
const std::string kV4Peers = " 00 01 c0 00 02 01 c0 00 02 02";  // AFI 1, 192.0.2.1, 192.0.2.2
const std::string kV6Peers =
    " 00 02 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
    " 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02";

// Timestamp 1600000000 (0x5f5e1000).
const std::string kMessage =  // BGP4MP / BGP4MP_MESSAGE, AS 65001 -> 65002, ifindex 3
    "5f 5e 10 00 00 10 00 01 00 00 00 23 fd e9 fd ea 00 03" + kV4Peers + kKeepalive;
const std::string kMessageAs4 =  // BGP4MP / BGP4MP_MESSAGE_AS4, AS 4200000000 -> 65002
    "5f 5e 10 01 00 10 00 04 00 00 00 2b fa 56 ea 00 00 00 fd ea 00 00" + kV4Peers + kEorIpv4;
const std::string kEt =  // BGP4MP_ET / MESSAGE_AS4, 500000 us, IPv6 peers
    "5f 5e 10 02 00 11 00 04 00 00 00 43 00 07 a1 20 00 00 fd e9 00 00 fd ea 00 07" + kV6Peers +
    kKeepalive;
const std::string kStateAs4 =  // BGP4MP / STATE_CHANGE_AS4, OpenConfirm (5) -> Established (6)
    "5f 5e 10 03 00 10 00 05 00 00 00 18 00 00 fd e9 00 00 fd ea 00 00" + kV4Peers + " 00 05 00 06";
const std::string kAddPath =  // BGP4MP / MESSAGE_AS4_ADDPATH (RFC 8050)
    "5f 5e 10 04 00 10 00 09 00 00 00 27 00 00 fd e9 00 00 fd ea 00 00" + kV4Peers + kKeepalive;
const std::string kTableDump =  // TABLE_DUMP_V2 / RIB_IPV4_UNICAST: not read
    "5f 5e 10 05 00 0d 00 02 00 00 00 0a 00 00 00 01 18 0a 01 02 00 00";
const std::string kState =  // BGP4MP / STATE_CHANGE (2-octet AS), Idle (1) -> Connect (2)
    "5f 5e 10 06 00 10 00 00 00 00 00 14 fd e9 fd ea 00 00" + kV4Peers + " 00 01 00 02";

std::vector<MrtRecord> ReadAll(const std::vector<uint8_t>& file) {
  MrtReader reader(file);
  std::vector<MrtRecord> records;
  for (int guard = 0; guard < 100; ++guard) {
    auto next = reader.Next();
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok() || !next->has_value()) break;
    records.push_back(**next);
  }
  return records;
}

TEST(MrtReaderTest, Bgp4mpMessage) {
  const auto file = Hex(kMessage);
  const auto records = ReadAll(file);
  ASSERT_EQ(records.size(), 1u);
  const MrtRecord& r = records[0];
  EXPECT_EQ(r.file_offset, 0u);
  EXPECT_EQ(r.timestamp, 1600000000u);
  EXPECT_EQ(r.type, kMrtTypeBgp4mp);
  EXPECT_EQ(r.subtype, kBgp4mpMessage);
  EXPECT_TRUE(r.is_bgp4mp);
  EXPECT_TRUE(r.note.empty()) << r.note;
  EXPECT_EQ(r.peer_as, 65001u);
  EXPECT_EQ(r.local_as, 65002u);
  EXPECT_EQ(r.interface_index, 3);
  EXPECT_EQ(r.peer_ip.ToString(), "192.0.2.1");
  EXPECT_EQ(r.local_ip.ToString(), "192.0.2.2");
  EXPECT_FALSE(r.four_octet_as);
  EXPECT_FALSE(r.add_path);
  EXPECT_FALSE(r.old_state.has_value());
  EXPECT_EQ(std::vector<uint8_t>(r.bgp_message.begin(), r.bgp_message.end()), Hex(kKeepalive));
  auto m = DecodeMessage(r.bgp_message, {});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(std::holds_alternative<KeepaliveMessage>(m.value));
}

TEST(MrtReaderTest, SequenceOfRecordsWithOffsets) {
  const std::string all = kMessage + " " + kMessageAs4 + " " + kEt + " " + kStateAs4 + " " +
                          kAddPath + " " + kTableDump + " " + kState;
  const auto file = Hex(all);
  const auto records = ReadAll(file);
  ASSERT_EQ(records.size(), 7u);
  // Each record is 12 header bytes plus its length.
  const std::vector<size_t> offsets = {0, 47, 102, 181, 217, 268, 290};
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].file_offset, offsets[i]) << i;
    EXPECT_EQ(records[i].timestamp, 1600000000u + i) << i;
  }
  EXPECT_EQ(file.size(), 290u + 32u);

  const MrtRecord& as4 = records[1];
  EXPECT_TRUE(as4.four_octet_as);
  EXPECT_EQ(as4.peer_as, 4200000000u);
  EXPECT_EQ(as4.local_as, 65002u);
  CodecContext ctx;
  ctx.four_octet_as = as4.four_octet_as;
  auto eor = DecodeMessage(as4.bgp_message, ctx);
  ASSERT_TRUE(eor.ok());
  EXPECT_EQ(std::get<UpdateMessage>(eor.value).EndOfRibFamily(), kIpv4Unicast);

  const MrtRecord& et = records[2];
  EXPECT_EQ(et.type, kMrtTypeBgp4mpEt);
  EXPECT_EQ(et.microseconds, 500000u);
  EXPECT_TRUE(et.is_bgp4mp);
  EXPECT_EQ(et.interface_index, 7);
  EXPECT_EQ(et.peer_ip.ToString(), "2001:db8::1");
  EXPECT_EQ(et.local_ip.ToString(), "2001:db8::2");
  EXPECT_EQ(et.bgp_message.size(), 19u);

  const MrtRecord& state = records[3];
  EXPECT_EQ(state.subtype, kBgp4mpStateChangeAs4);
  EXPECT_TRUE(state.four_octet_as);
  EXPECT_EQ(state.old_state, 5);
  EXPECT_EQ(state.new_state, 6);
  EXPECT_TRUE(state.bgp_message.empty());

  const MrtRecord& add_path = records[4];
  EXPECT_TRUE(add_path.add_path);
  EXPECT_TRUE(add_path.four_octet_as);
  EXPECT_EQ(add_path.bgp_message.size(), 19u);

  const MrtRecord& dump = records[5];
  EXPECT_EQ(dump.type, 13);
  EXPECT_FALSE(dump.is_bgp4mp);
  EXPECT_NE(dump.note.find("not BGP4MP"), std::string::npos) << dump.note;

  const MrtRecord& state2 = records[6];
  EXPECT_EQ(state2.subtype, kBgp4mpStateChange);
  EXPECT_FALSE(state2.four_octet_as);
  EXPECT_EQ(state2.peer_as, 65001u);
  EXPECT_EQ(state2.old_state, 1);
  EXPECT_EQ(state2.new_state, 2);
}

TEST(MrtReaderTest, SubtypeFlags) {
  struct Case {
    uint16_t subtype;
    bool as4;
    bool add_path;
  };
  for (const Case& c :
       {Case{kBgp4mpMessageLocal, false, false}, Case{kBgp4mpMessageAs4Local, true, false},
        Case{kBgp4mpMessageAddPath, false, true}, Case{kBgp4mpMessageLocalAddPath, false, true},
        Case{kBgp4mpMessageAs4LocalAddPath, true, true}}) {
    char head[64];
    const int body = (c.as4 ? 8 : 4) + 4 + 8 + 19;
    snprintf(head, sizeof(head), "00 00 00 00 00 10 00 %02x 00 00 00 %02x ", c.subtype, body);
    const std::string ases = c.as4 ? "00 00 fd e9 00 00 fd ea 00 00" : "fd e9 fd ea 00 00";
    const auto records = ReadAll(Hex(head + ases + kV4Peers + kKeepalive));
    ASSERT_EQ(records.size(), 1u) << c.subtype;
    EXPECT_TRUE(records[0].note.empty()) << records[0].note;
    EXPECT_EQ(records[0].four_octet_as, c.as4) << c.subtype;
    EXPECT_EQ(records[0].add_path, c.add_path) << c.subtype;
    EXPECT_EQ(records[0].peer_as, 65001u) << c.subtype;
    EXPECT_EQ(records[0].bgp_message.size(), 19u) << c.subtype;
  }
}

TEST(MrtReaderTest, MalformedBodiesAreNotedAndSkipped) {
  const std::string bad[] = {
      // BGP4MP subtype 2 (deprecated BGP4MP_ENTRY) is not supported.
      "00 00 00 00 00 10 00 02 00 00 00 04 01 02 03 04",
      // Address family 3.
      "00 00 00 00 00 10 00 01 00 00 00 10 fd e9 fd ea 00 00 00 03 c0 00 02 01 c0 00 02 02",
      // Fields cut short: only the AS numbers.
      "00 00 00 00 00 10 00 01 00 00 00 04 fd e9 fd ea",
      // IPv6 family but IPv4-sized addresses.
      "00 00 00 00 00 10 00 01 00 00 00 10 fd e9 fd ea 00 00 00 02 c0 00 02 01 c0 00 02 02",
      // STATE_CHANGE without the new state.
      "00 00 00 00 00 10 00 00 00 00 00 12 fd e9 fd ea 00 00 00 01 c0 00 02 01 c0 00 02 02 00 01",
      // BGP4MP_ET too short for its microsecond timestamp.
      "00 00 00 00 00 11 00 04 00 00 00 02 00 01",
  };
  std::string file;
  for (const std::string& r : bad) file += r + " ";
  file += kMessage;  // a good record after them is still read
  const auto records = ReadAll(Hex(file));
  ASSERT_EQ(records.size(), 7u);
  for (size_t i = 0; i + 1 < records.size(); ++i) {
    EXPECT_FALSE(records[i].note.empty()) << "record " << i;
    EXPECT_TRUE(records[i].bgp_message.empty()) << "record " << i;
  }
  EXPECT_TRUE(records[6].note.empty()) << records[6].note;
  EXPECT_EQ(records[6].peer_as, 65001u);
}

TEST(MrtReaderTest, TruncatedRecordIsAnError) {
  const auto whole = Hex(kMessage + " " + kMessage);
  // Cut inside the second record's body: the first is read, then an error.
  std::vector<uint8_t> cut(whole.begin(), whole.end() - 5);
  MrtReader reader(cut);
  auto first = reader.Next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto second = reader.Next();
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kDataLoss);
  // Cut inside the second record's header.
  std::vector<uint8_t> cut_header(whole.begin(), whole.begin() + 47 + 7);
  MrtReader reader2(cut_header);
  ASSERT_TRUE(reader2.Next().ok());
  auto bad = reader2.Next();
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  // A length far beyond the file.
  const auto huge = Hex("00 00 00 00 00 10 00 01 ff ff ff ff 00");  // outlives the reader
  MrtReader reader3(huge);
  EXPECT_FALSE(reader3.Next().ok());
}

TEST(MrtReaderTest, EmptyFile) {
  MrtReader reader({});
  auto next = reader.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

}  // namespace
}  // namespace evpnd::wire

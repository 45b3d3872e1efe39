// See decode_command.h.
#include "bgpd/cli/decode_command.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bgpd/cli/hex.h"
#include "bgpd/cli/message_json.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/mrt.h"

namespace evpnd::cli {
namespace {

constexpr const char* kUsage = R"(usage: evpnctl decode [options] [HEX ...]
       evpnctl decode [options] --mrt FILE
       ... | evpnctl decode [options]

Decodes BGP messages and prints one JSON object per message: the message type, every
attribute and NLRI field under its RFC name, and for bad input each error with its
NOTIFICATION code/subcode and RFC 7606 action.

Input (one of):
  HEX ...            messages as hex arguments (marker included; spaces and colons allowed)
  --mrt FILE         an MRT dump (RFC 6396 BGP4MP / BGP4MP_ET, as FRR, GoBGP and BIRD write);
                     for RFC 8050 ADDPATH records the sender's OPEN in the dump, when present,
                     tells which families carry path ids (FRR marks records ADDPATH loosely)
  (none)             hex on stdin, one message (or several back to back) per line;
                     blank lines and lines starting with '#' are skipped

Session context (what the two speakers negotiated):
  --as2              AS numbers in AS_PATH/AGGREGATOR are 2 octets (default: 4 octets;
                     for MRT the record subtype decides unless this is given)
  --as4              force 4-octet AS numbers, also for MRT
  --add-path FAMILY  NLRI of FAMILY carry ADD-PATH path ids: l2vpn-evpn, ipv4-unicast,
                     ipv6-unicast or all (repeatable)
  --extended-message accept messages up to 65535 bytes (RFC 8654)
  --pretty           indent the JSON
  --roundtrip        re-encode each message that decoded cleanly and report whether the bytes
                     come back identical ("roundtrip": "exact" or "differs" + "reencoded")

Exit status: 0 all messages decoded cleanly, 2 some message had a protocol error
(shown in its "errors"), 1 bad usage or unreadable input.
)";

struct Options {
  wire::CodecContext ctx;
  std::optional<bool> force_four_octet;
  std::optional<std::string> mrt_file;
  std::vector<std::string> hex_args;
  bool pretty = false;
  bool roundtrip = false;
};

std::optional<std::string> ParseArgs(const std::vector<std::string>& args, Options& o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--as2") {
      o.force_four_octet = false;
    } else if (a == "--as4") {
      o.force_four_octet = true;
    } else if (a == "--extended-message") {
      o.ctx.max_message_size = wire::kMaxExtendedMessageSize;
    } else if (a == "--pretty") {
      o.pretty = true;
    } else if (a == "--roundtrip") {
      o.roundtrip = true;
    } else if (a == "--mrt") {
      o.mrt_file = value();
      if (!o.mrt_file) return "--mrt needs a file name";
    } else if (a == "--add-path") {
      std::optional<std::string> family = value();
      if (family == "l2vpn-evpn" || family == "all") o.ctx.add_path.push_back(wire::kL2vpnEvpn);
      if (family == "ipv4-unicast" || family == "all") o.ctx.add_path.push_back(wire::kIpv4Unicast);
      if (family == "ipv6-unicast" || family == "all") o.ctx.add_path.push_back(wire::kIpv6Unicast);
      if (o.ctx.add_path.empty()) {
        return "--add-path needs l2vpn-evpn, ipv4-unicast, ipv6-unicast or all";
      }
    } else if (!a.empty() && a[0] == '-') {
      return absl::StrCat("unknown option ", a);
    } else {
      o.hex_args.push_back(a);
    }
  }
  if (o.mrt_file && !o.hex_args.empty()) return "give either --mrt FILE or hex messages, not both";
  if (o.force_four_octet) o.ctx.four_octet_as = *o.force_four_octet;
  return std::nullopt;
}

class Decoder {
 public:
  Decoder(const Options& o, std::ostream& out) : o_(o), out_(out) {}

  // Decodes every message in `bytes` (one or several back to back).
  void Buffer(std::span<const uint8_t> bytes, const wire::CodecContext& ctx, Json prefix) {
    while (!bytes.empty()) {
      wire::FrameCheck frame = wire::CheckFrame(bytes, ctx);
      // A bad or cut header: decode what is there as one message so the error is reported.
      size_t n = frame.error || frame.length == 0 ? bytes.size() : frame.length;
      Message(bytes.first(n), ctx, prefix);
      bytes = bytes.subspan(n);
    }
  }

  void Message(std::span<const uint8_t> bytes, const wire::CodecContext& ctx, const Json& prefix) {
    wire::DecodeOutcome<wire::Message> outcome = wire::DecodeMessage(bytes, ctx);
    if (!outcome.ok()) any_error_ = true;
    Json j = prefix;
    j.update(DecodedMessageToJson(bytes, outcome));
    if (o_.roundtrip && outcome.ok()) Roundtrip(bytes, outcome.value, ctx, j);
    Print(j);
  }

  void Roundtrip(std::span<const uint8_t> bytes, const wire::Message& message,
                 const wire::CodecContext& ctx, Json& j) {
    absl::StatusOr<std::vector<uint8_t>> again = wire::EncodeMessage(message, ctx);
    if (again.ok() && std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) {
      j["roundtrip"] = "exact";
      return;
    }
    any_error_ = true;
    j["roundtrip"] = "differs";
    j["reencoded"] = again.ok() ? ToHex(*again) : std::string(again.status().message());
  }

  void Print(const Json& j) {
    out_ << j.dump(o_.pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace) << "\n";
  }

  bool any_error() const { return any_error_; }
  void set_error() { any_error_ = true; }

 private:
  const Options& o_;
  std::ostream& out_;
  bool any_error_ = false;
};

bool IsLocal(uint16_t subtype) {
  return subtype == wire::kBgp4mpMessageLocal || subtype == wire::kBgp4mpMessageAs4Local ||
         subtype == wire::kBgp4mpMessageLocalAddPath ||
         subtype == wire::kBgp4mpMessageAs4LocalAddPath;
}

// Records the ADD-PATH send families of an OPEN found in the dump.
void RememberOpen(std::span<const uint8_t> message, const std::string& sender,
                  std::map<std::string, std::vector<wire::AfiSafi>>& add_path_send) {
  if (message.size() <= wire::kHeaderSize || message[18] != wire::kMsgOpen) return;
  wire::DecodeOutcome<wire::Message> open = wire::DecodeMessage(message, wire::CodecContext{});
  const auto* m = std::get_if<wire::OpenMessage>(&open.value);
  if (m == nullptr) return;
  std::vector<wire::AfiSafi>& families = add_path_send[sender];
  families.clear();
  if (const auto* ap = m->Find<wire::AddPathCapability>()) {
    for (const auto& f : ap->families) {
      if (f.send_receive & wire::AddPathCapability::kSend) families.push_back(f.family);
    }
  }
}

// RFC 8050 ADDPATH subtypes say path identifiers are present, but FRR 8.4 writes them whenever
// it advertised ADD-PATH receive, negotiated or not. When the sender's OPEN is in the dump, its
// ADD-PATH send families decide; otherwise the subtype does, for every family.
std::vector<wire::AfiSafi> AddPathFamilies(
    const std::string& sender, const std::map<std::string, std::vector<wire::AfiSafi>>& known) {
  auto it = known.find(sender);
  if (it != known.end()) return it->second;
  return {wire::kIpv4Unicast, wire::kIpv6Unicast, wire::kL2vpnEvpn};
}

int DecodeMrt(const Options& o, Decoder& d, std::ostream& err) {
  std::ifstream file(*o.mrt_file, std::ios::binary);
  if (!file) {
    err << "evpnctl decode: cannot open MRT file " << *o.mrt_file << "\n";
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  wire::MrtReader reader(bytes);
  // Families in which each sender (by address) announced ADD-PATH send, from its OPEN.
  std::map<std::string, std::vector<wire::AfiSafi>> add_path_send;
  while (true) {
    absl::StatusOr<std::optional<wire::MrtRecord>> next = reader.Next();
    if (!next.ok()) {
      err << "evpnctl decode: " << *o.mrt_file << ": " << next.status().message() << "\n";
      return 1;
    }
    if (!next->has_value()) break;
    const wire::MrtRecord& rec = **next;
    Json prefix{{"mrt", MrtRecordToJson(rec)}};
    if (rec.bgp_message.empty()) {
      if (!rec.note.empty()) d.set_error();
      d.Print(prefix);
      continue;
    }
    wire::CodecContext ctx = o.ctx;
    if (!o.force_four_octet) ctx.four_octet_as = rec.four_octet_as;
    const std::string sender = IsLocal(rec.subtype) ? rec.local_ip.ToString() : rec.peer_ip.ToString();
    if (rec.add_path && ctx.add_path.empty()) ctx.add_path = AddPathFamilies(sender, add_path_send);
    RememberOpen(rec.bgp_message, sender, add_path_send);
    d.Buffer(rec.bgp_message, ctx, prefix);
  }
  return d.any_error() ? 2 : 0;
}

int DecodeHexLine(absl::string_view line, size_t line_number, Decoder& d, const Options& o,
                  std::ostream& err) {
  absl::StatusOr<std::vector<uint8_t>> bytes = ParseHex(line);
  if (!bytes.ok()) {
    err << "evpnctl decode: line " << line_number << ": " << bytes.status().message() << "\n";
    return 1;
  }
  d.Buffer(*bytes, o.ctx, Json::object());
  return 0;
}

}  // namespace

int RunDecode(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err) {
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      out << kUsage;
      return 0;
    }
  }
  Options o;
  if (auto problem = ParseArgs(args, o)) {
    err << "evpnctl decode: " << *problem << "\n" << kUsage;
    return 1;
  }
  Decoder d(o, out);
  if (o.mrt_file) return DecodeMrt(o, d, err);
  int status = 0;
  if (!o.hex_args.empty()) {
    for (size_t i = 0; i < o.hex_args.size(); ++i) {
      status |= DecodeHexLine(o.hex_args[i], i + 1, d, o, err);
    }
  } else {
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      absl::string_view text = absl::StripAsciiWhitespace(line);
      if (text.empty() || text[0] == '#') continue;
      status |= DecodeHexLine(text, n, d, o, err);
    }
  }
  if (status != 0) return 1;
  return d.any_error() ? 2 : 0;
}

}  // namespace evpnd::cli

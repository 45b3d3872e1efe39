// The pure part of bgp_routegen, the project's BGP EVPN route generator: its command line, the
// routes it derives from an index, the OPEN it sends, and the pre-encoding of every UPDATE
// (announcements, End-of-RIB, withdrawals and the deliberately malformed ones) through the
// project's own codec (bgpd/wire). No sockets and no clock here, so that
// tests/tools/routegen_test.cc can decode with DecodeMessage what this encodes.
//
// Route i (0 <= i < --routes) is a type-2 route for MAC 02:xx:xx:xx:xx:xx (the 40 low bits are
// i + --mac-offset), optionally with IPv4 --ip-base + 1 + i, in VNI V + (i mod M); type-3 route j
// (0 <= j < --type3) is the inclusive multicast route of VNI V + j. Each VNI has its own RD
// (rd-ip:VNI, type 1) and RT (rt-as:VNI), so UPDATEs pack the routes of one VNI each.
//
// Standards: RFC 4271 §4.2-4.4 (OPEN, UPDATE, KEEPALIVE), RFC 4760 §3-4 and §8 (MP_REACH_NLRI,
// MP_UNREACH_NLRI, multiprotocol capability), RFC 6793 (4-octet AS, AS_TRANS and AS4_PATH),
// RFC 2918 (route refresh capability), RFC 8654 (extended message), RFC 4724 §2 (End-of-RIB),
// RFC 7432 §7.2, §7.3 and §7.7 (type-2 and type-3 routes, MAC mobility), RFC 8365 §5.1.3 (VNI in
// the label, encapsulation community), RFC 6514 §5 (PMSI tunnel), RFC 5668 (4-octet-AS route
// target), RFC 9135 §8.1 (router's MAC, Label2 = L3 VNI), RFC 7606 (the malformed kinds and what
// the receiver is to do with them).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/open_message.h"
#include "bgpd/wire/path_attributes.h"
#include "evpn/evpn_route.h"
#include "evpn/extended_community.h"
#include "evpn/ip_address.h"
#include "evpn/mac_address.h"
#include "evpn/route_distinguisher.h"

namespace evpnd::routegen {

// --malformed KIND: one UPDATE with one defect, sent after the good ones. It carries route 0
// (the type-2 route of index 0; for bad-pmsi the type-3 route of index 0), so that a receiver's
// treat-as-withdraw shows as route 0 disappearing.
enum class MalformedKind : uint8_t {
  kNone = 0,
  kBadNlriLength,          // route 0's EVPN NLRI Length octet 10 more than the bytes that follow
  kBadRouteType,           // route 0's bytes under EVPN route type 99
  kShortMacLen,            // route 0 with MAC Address Length 47 instead of 48
  kBadAttrFlags,           // ORIGIN sent with flags 0xc0 (optional transitive) instead of 0x40
  kBadOriginValue,         // ORIGIN 7
  kMissingNexthopMpReach,  // MP_REACH_NLRI with a next hop of 3 bytes
  kBadPmsi,                // type-3 route 0 with a PMSI_TUNNEL attribute of 2 bytes
  kDuplicateMpReach,       // MP_REACH_NLRI twice in one UPDATE
};
inline constexpr MalformedKind kAllMalformedKinds[] = {
    MalformedKind::kBadNlriLength,  MalformedKind::kBadRouteType,
    MalformedKind::kShortMacLen,    MalformedKind::kBadAttrFlags,
    MalformedKind::kBadOriginValue, MalformedKind::kMissingNexthopMpReach,
    MalformedKind::kBadPmsi,        MalformedKind::kDuplicateMpReach,
};
// "bad-nlri-length", ...; "none".
absl::string_view MalformedKindName(MalformedKind kind);
std::optional<MalformedKind> ParseMalformedKind(absl::string_view name);
// What the standards ask of the receiver, in one line, for the logs and the report.
absl::string_view MalformedExpectation(MalformedKind kind);

// ADDR, ADDR:PORT, [V6ADDR]:PORT or a bare IPv6 address.
struct Endpoint {
  evpn::IpAddress address;
  uint16_t port = 179;
  std::string ToString() const;  // "127.0.0.1:179", "[::1]:179"
};
absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view text, uint16_t default_port = 179);

struct Config {
  bool help = false;
  // Session.
  std::optional<Endpoint> connect;
  std::optional<Endpoint> listen;
  std::optional<evpn::IpAddress> bind;
  double connect_timeout_s = 10;
  uint32_t local_as = 0;
  uint32_t remote_as = 0;
  uint32_t router_id = 0;  // host order
  uint16_t hold_time = 90;
  bool extended_message = false;
  // Routes.
  uint64_t routes = 0;
  bool with_ip = false;
  uint32_t ip_base = 0x0a000000;  // 10.0.0.0; route i gets ip_base + 1 + i
  uint64_t mac_offset = 0;
  uint32_t type3 = 0;
  uint32_t vni = 0;
  uint32_t vnis = 1;
  std::optional<uint32_t> rd_ip;            // default: router_id
  std::optional<uint32_t> rt_as;            // default: local_as
  std::optional<evpn::IpAddress> next_hop;  // default: router_id
  uint32_t seq = 0;
  bool sticky = false;
  std::optional<evpn::MacAddress> router_mac;
  std::optional<uint32_t> l3vni;
  bool encap_vxlan = true;
  size_t per_update = 0;  // 0: as many as fit in one message
  bool withdraw_after = false;
  double withdraw_delay_s = 0;
  MalformedKind malformed = MalformedKind::kNone;
  // After sending.
  std::optional<double> then_hold_s;
  bool exit_after_send = false;
  bool exit_after_eor = false;
  // Output.
  bool json = false;
  bool dry_run = false;
  bool verbose = false;

  bool ibgp() const { return local_as == remote_as; }
  uint32_t RdIp() const { return rd_ip.value_or(router_id); }
  uint32_t RtAs() const { return rt_as.value_or(local_as); }
  evpn::IpAddress NextHop() const { return next_hop.value_or(evpn::IpAddress::V4(router_id)); }
};

// `args` without the program name. A usage error comes back as InvalidArgument with a message
// that names the option and what it wants.
absl::StatusOr<Config> ParseCommandLine(std::span<const char* const> args);
std::string UsageText();

// ---- the routes ----

evpn::MacAddress MacForIndex(uint64_t index);
uint32_t Type2Vni(const Config& config, uint64_t index);
uint32_t Type3Vni(const Config& config, uint32_t index);
evpn::RouteDistinguisher RdForVni(const Config& config, uint32_t vni);
evpn::RouteTarget RtForVni(const Config& config, uint32_t vni);
evpn::MacIpAdvertisementRoute Type2Route(const Config& config, uint64_t index);
evpn::InclusiveMulticastEthernetTagRoute Type3Route(const Config& config, uint32_t index);
// The attributes of an announcement in `vni` (type-3: with the PMSI tunnel, no MAC mobility or
// router's MAC), with an MP_REACH_NLRI that has the next hop but no routes yet.
wire::PathAttributes AnnounceAttributes(const Config& config, uint32_t vni, bool type3,
                                        const wire::CodecContext& ctx);

// ---- the session ----

wire::OpenMessage BuildOpen(const Config& config);
// How UPDATEs are encoded before the peer's OPEN is known: 4-octet AS, extended messages if
// asked for.
wire::CodecContext AssumedContext(const Config& config);
// The same once both OPENs are known (RFC 6793, RFC 8654: both sides must advertise).
wire::CodecContext NegotiatedContext(const Config& config, const wire::OpenMessage& peer);

// Splits the bytes read from a session into whole messages. Reads go straight into its buffer
// (Prepare, then Commit with what read() returned).
class StreamFramer {
 public:
  uint8_t* Prepare(size_t n);
  void Commit(size_t n);
  struct Next {
    std::span<const uint8_t> message;      // empty: more bytes needed (or error)
    std::optional<wire::WireError> error;  // a bad header: the stream cannot be re-synchronised
  };
  // The next whole message, valid until the next Prepare.
  Next Pop(const wire::CodecContext& ctx);
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::vector<uint8_t> buffer_;
  size_t start_ = 0;
  size_t prepared_ = 0;
};

// ---- pre-encoding ----

struct EncodedStream {
  std::vector<uint8_t> bytes;  // whole messages, back to back
  uint64_t messages = 0;
  uint64_t routes = 0;
};

struct EncodedRun {
  EncodedStream announce;    // type-3 UPDATEs, then type-2
  EncodedStream malformed;   // zero or one UPDATE
  EncodedStream end_of_rib;  // RFC 4724 §2 marker for L2VPN EVPN
  EncodedStream withdraw;    // empty unless --withdraw-after
  uint64_t type2 = 0;
  uint64_t type3 = 0;
};

absl::StatusOr<EncodedRun> EncodeRun(const Config& config, const wire::CodecContext& ctx);
absl::StatusOr<std::vector<uint8_t>> EncodeMalformed(const Config& config, MalformedKind kind,
                                                     const wire::CodecContext& ctx);

}  // namespace evpnd::routegen

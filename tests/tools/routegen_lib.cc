// See routegen_lib.h. Everything on the wire goes through bgpd/wire (EncodeMessage); the
// malformed UPDATEs are built from the codec's own values with one field bent (a raw NLRI, an
// opaque attribute, a layout with wrong flags), and only duplicate-mp-reach splices bytes.
#include "tests/tools/routegen_lib.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/update_message.h"

namespace evpnd::routegen {
namespace {

using wire::CodecContext;
using wire::EvpnNlri;
using wire::UpdateMessage;

constexpr uint64_t kMaxMacIndex = uint64_t{1} << 40;

struct KindName {
  MalformedKind kind;
  absl::string_view name;
  absl::string_view expectation;
};
constexpr KindName kKindNames[] = {
    {MalformedKind::kNone, "none", "nothing"},
    {MalformedKind::kBadNlriLength, "bad-nlri-length",
     "NLRI cannot be parsed: AFI/SAFI disable or session reset (RFC 7606 §5.3, RFC 4760 §7)"},
    {MalformedKind::kBadRouteType, "bad-route-type",
     "unknown EVPN route type: ignore the route, keep the session (RFC 7432 §7, RFC 7606)"},
    {MalformedKind::kShortMacLen, "short-mac-len",
     "MAC length not 48: NLRI malformed, AFI/SAFI disable or session reset (RFC 7606 §5.3)"},
    {MalformedKind::kBadAttrFlags, "bad-attr-flags",
     "ORIGIN flags wrong: treat-as-withdraw, route 0 withdrawn (RFC 7606 §3 (c), §7.1)"},
    {MalformedKind::kBadOriginValue, "bad-origin-value",
     "undefined ORIGIN: treat-as-withdraw, route 0 withdrawn (RFC 7606 §7.1)"},
    {MalformedKind::kMissingNexthopMpReach, "missing-nexthop-mpreach",
     "MP_REACH next hop length invalid: AFI/SAFI disable or session reset (RFC 7606 §7.11)"},
    {MalformedKind::kBadPmsi, "bad-pmsi",
     "PMSI_TUNNEL shorter than 5 bytes: treat-as-withdraw of type-3 route 0 (RFC 7606 §2)"},
    {MalformedKind::kDuplicateMpReach, "duplicate-mp-reach",
     "MP_REACH_NLRI twice: session reset, NOTIFICATION 3/1 (RFC 7606 §3 (g))"},
};

absl::Status Usage(absl::string_view message) { return absl::InvalidArgumentError(message); }

template <typename T>
absl::StatusOr<T> ParseNumber(absl::string_view option, absl::string_view text, uint64_t min,
                              uint64_t max) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return Usage(absl::StrCat(option, ": '", text, "' is not a number from ", min, " to ", max));
  }
  return static_cast<T>(v);
}

absl::StatusOr<double> ParseSeconds(absl::string_view option, absl::string_view text) {
  double v = 0;
  if (!absl::SimpleAtod(text, &v) || v < 0 || v > 1e9) {
    return Usage(absl::StrCat(option, ": '", text, "' is not a number of seconds >= 0"));
  }
  return v;
}

absl::StatusOr<uint32_t> ParseIpv4(absl::string_view option, absl::string_view text) {
  absl::StatusOr<evpn::IpAddress> ip = evpn::IpAddress::Parse(text);
  if (!ip.ok() || !ip->is_v4()) {
    return Usage(absl::StrCat(option, ": '", text, "' is not an IPv4 address (A.B.C.D)"));
  }
  return ip->v4_host_order();
}

absl::StatusOr<evpn::IpAddress> ParseIp(absl::string_view option, absl::string_view text) {
  absl::StatusOr<evpn::IpAddress> ip = evpn::IpAddress::Parse(text);
  if (!ip.ok()) return Usage(absl::StrCat(option, ": '", text, "' is not an IP address"));
  return *ip;
}

// ---- packing routes into UPDATEs ----

// Fills UPDATEs that share one set of attributes with as many routes as fit (or --per-update),
// each encoded by EncodeMessage onto the end of a stream.
class UpdatePacker {
 public:
  UpdatePacker(const CodecContext& ctx, size_t per_update, EncodedStream& out)
      : ctx_(ctx), per_update_(per_update), out_(out) {}

  // A new set of attributes: `update` with an MP_REACH_NLRI or MP_UNREACH_NLRI and no routes.
  absl::Status Begin(UpdateMessage update) {
    if (absl::Status s = Flush(); !s.ok()) return s;
    update_ = std::move(update);
    routes_ = update_.attributes.mp_reach ? &update_.attributes.mp_reach->evpn_routes
                                          : &update_.attributes.mp_unreach->evpn_routes;
    absl::StatusOr<std::vector<uint8_t>> empty = wire::EncodeMessage(update_, ctx_);
    if (!empty.ok()) return empty.status();
    // The MP attribute may switch to the 2-byte Extended Length once it holds routes.
    const size_t overhead = empty->size() + 1;
    if (overhead >= ctx_.max_message_size) {
      return absl::InternalError("the attributes alone fill the whole message");
    }
    room_ = ctx_.max_message_size - overhead;
    used_ = 0;
    return absl::OkStatus();
  }

  absl::Status Add(EvpnNlri nlri) {
    const size_t size = SizeOf(nlri);
    if (!routes_->empty() &&
        ((per_update_ != 0 && routes_->size() >= per_update_) || used_ + size > room_)) {
      if (absl::Status s = Flush(); !s.ok()) return s;
    }
    if (size > room_) return absl::InternalError("one route does not fit in a message");
    routes_->push_back(std::move(nlri));
    used_ += size;
    return absl::OkStatus();
  }

  absl::Status Flush() {
    if (routes_ == nullptr || routes_->empty()) return absl::OkStatus();
    absl::StatusOr<std::vector<uint8_t>> bytes = wire::EncodeMessage(update_, ctx_);
    if (!bytes.ok()) return bytes.status();
    out_.bytes.insert(out_.bytes.end(), bytes->begin(), bytes->end());
    out_.messages += 1;
    out_.routes += routes_->size();
    routes_->clear();
    used_ = 0;
    return absl::OkStatus();
  }

 private:
  // EvpnNlriSize encodes the route to measure it; the routes of a run come in few shapes (type,
  // IP family, Label2), so one measurement per shape is enough.
  size_t SizeOf(const EvpnNlri& nlri) {
    size_t key = evpn::RouteTypeOf(nlri.route);
    if (const auto* mac_ip = std::get_if<evpn::MacIpAdvertisementRoute>(&nlri.route)) {
      key = key * 4 + (mac_ip->ip ? (mac_ip->ip->is_v4() ? 1 : 2) : 0);
      key = key * 2 + (mac_ip->label2 ? 1 : 0);
    } else if (const auto* imet =
                   std::get_if<evpn::InclusiveMulticastEthernetTagRoute>(&nlri.route)) {
      key = key * 8 + (imet->originating_router_ip.is_v4() ? 1 : 2);
    } else {
      return wire::EvpnNlriSize(nlri, false);
    }
    if (key >= sizes_.size()) sizes_.resize(key + 1, 0);
    if (sizes_[key] == 0) sizes_[key] = wire::EvpnNlriSize(nlri, false);
    return sizes_[key];
  }

  const CodecContext& ctx_;
  const size_t per_update_;
  EncodedStream& out_;
  UpdateMessage update_;
  std::vector<EvpnNlri>* routes_ = nullptr;
  size_t room_ = 0;
  size_t used_ = 0;
  std::vector<size_t> sizes_;
};

EvpnNlri Nlri(evpn::EvpnRoute route) { return EvpnNlri{std::nullopt, std::move(route)}; }

// RFC 7606 §3 (g) case, the only one the codec's values cannot express: the first attribute
// (MP_REACH_NLRI, which the codec puts first) is repeated right after itself.
absl::StatusOr<std::vector<uint8_t>> DuplicateFirstAttribute(std::vector<uint8_t> m,
                                                             const CodecContext& ctx) {
  constexpr size_t kAttrLengthAt = wire::kHeaderSize + 2;
  constexpr size_t kFirstAttrAt = kAttrLengthAt + 2;
  if (m.size() < kFirstAttrAt + 3 || m[kFirstAttrAt + 1] != wire::kAttrMpReachNlri) {
    return absl::InternalError("MP_REACH_NLRI is not the first attribute");
  }
  const bool extended = (m[kFirstAttrAt] & wire::kAttrFlagExtendedLength) != 0;
  const size_t value_length =
      extended ? (size_t{m[kFirstAttrAt + 2]} << 8) | m[kFirstAttrAt + 3] : m[kFirstAttrAt + 2];
  const size_t attr_size = (extended ? 4 : 3) + value_length;
  const std::vector<uint8_t> copy(m.begin() + kFirstAttrAt, m.begin() + kFirstAttrAt + attr_size);
  m.insert(m.begin() + kFirstAttrAt + attr_size, copy.begin(), copy.end());
  const size_t attrs_length = ((size_t{m[kAttrLengthAt]} << 8) | m[kAttrLengthAt + 1]) + attr_size;
  if (m.size() > ctx.max_message_size) return absl::InternalError("duplicate does not fit");
  m[kAttrLengthAt] = static_cast<uint8_t>(attrs_length >> 8);
  m[kAttrLengthAt + 1] = static_cast<uint8_t>(attrs_length);
  m[16] = static_cast<uint8_t>(m.size() >> 8);
  m[17] = static_cast<uint8_t>(m.size());
  return m;
}

}  // namespace

absl::string_view MalformedKindName(MalformedKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<MalformedKind> ParseMalformedKind(absl::string_view name) {
  for (const KindName& k : kKindNames) {
    if (k.name == name && k.kind != MalformedKind::kNone) return k.kind;
  }
  return std::nullopt;
}

absl::string_view MalformedExpectation(MalformedKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) return k.expectation;
  }
  return "";
}

std::string Endpoint::ToString() const {
  return address.is_v4() ? absl::StrCat(address.ToString(), ":", port)
                         : absl::StrCat("[", address.ToString(), "]:", port);
}

absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view text, uint16_t default_port) {
  absl::string_view host = text;
  absl::string_view port;
  if (absl::StartsWith(text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) return Usage(absl::StrCat("'", text, "': missing ']'"));
    host = text.substr(1, close - 1);
    absl::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return Usage(absl::StrCat("'", text, "': expected ':PORT' after ']'"));
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    const size_t colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  Endpoint e;
  absl::StatusOr<evpn::IpAddress> ip = evpn::IpAddress::Parse(host);
  if (!ip.ok()) {
    return Usage(
        absl::StrCat("'", text, "' is not ADDR[:PORT] ('", host, "' is not an IP address)"));
  }
  e.address = *ip;
  e.port = default_port;
  if (!port.empty() || text.size() != host.size()) {
    absl::StatusOr<uint16_t> p = ParseNumber<uint16_t>("port", port, 1, 65535);
    if (!p.ok()) return Usage(absl::StrCat("'", text, "': ", p.status().message()));
    e.port = *p;
  }
  return e;
}

std::string UsageText() {
  return R"(usage: bgp_routegen (--connect ADDR[:PORT] | --listen ADDR[:PORT])
                    --local-as N --remote-as N --router-id A.B.C.D [options]

Opens one BGP session (L2VPN EVPN, 4-octet AS, route refresh), sends N EVPN type-2 routes (all
UPDATEs encoded before connecting, written with large writes), End-of-RIB, and then keeps the
session up. Logs what the peer sends on stderr. Exit: 0 done, 1 session failed, 2 usage error.

session:
  --connect ADDR[:PORT]   open the connection (IPv4, or IPv6 as [::1]:PORT); port default 179
  --listen ADDR[:PORT]    accept one connection instead
  --bind ADDR             source address for --connect
  --connect-timeout S     keep retrying a refused connection for S seconds (default 10)
  --local-as N --remote-as N   iBGP when equal (LOCAL_PREF 100, empty AS_PATH), else eBGP
                          (AS_PATH = local AS)
  --router-id A.B.C.D     BGP identifier
  --hold S                hold time proposed in OPEN (default 90; 0 or >= 3)
  --extended-message      advertise RFC 8654 extended messages (65535-byte UPDATEs if the peer
                          does too)
routes:
  --routes N              type-2 routes, MAC only; MAC i = 02:xx:xx:xx:xx:xx from index i
  --with-ip               MAC+IPv4 routes instead; IP i = --ip-base + 1 + i
  --ip-base A.B.C.D       default 10.0.0.0
  --mac-offset N          MACs start at index N (default 0), for disjoint or overlapping sets
  --type3 K               also K type-3 routes (VNI V..V+K-1), PMSI ingress replication,
                          label = VNI, tunnel endpoint = next hop
  --vni V                 VNI (label 1) of the routes (required with routes)
  --vnis M                spread type-2 routes over VNIs V..V+M-1 (route i in V + i mod M)
  --rd-ip A.B.C.D         RD type 1 = rd-ip:VNI (default: router id; VNIs above 65535 keep
                          their low 16 bits)
  --rt-as N               RT = rt-as:VNI (2-octet AS RT; 4-octet-AS RT, type 0x02, with the
                          low 16 bits of the VNI when N > 65535, as Arista and FRR do)
                          (default: local AS)
  --next-hop ADDR         VTEP: MP_REACH next hop and PMSI endpoint (default: router id)
  --seq S                 MAC Mobility extended community with sequence S (0 = none)
  --sticky                MAC Mobility with the sticky flag (with sequence --seq)
  --router-mac MAC        EVPN Router's MAC extended community
  --l3vni L               Label2 = L on MAC+IP routes (symmetric IRB, RFC 9135)
  --encap-vxlan / --no-encap-vxlan   encapsulation extended community, tunnel type 8 (default on)
  --per-update K          at most K routes per UPDATE (default: as many as fit)
  --one-per-update        same as --per-update 1
  --withdraw-after        after End-of-RIB, withdraw every route (MP_UNREACH_NLRI, packed)
  --withdraw-delay S      wait S seconds before withdrawing (default 0)
  --malformed KIND        one malformed UPDATE after the good ones (or alone with --routes 0);
                          it carries route 0. KIND: bad-nlri-length, bad-route-type,
                          short-mac-len, bad-attr-flags, bad-origin-value,
                          missing-nexthop-mpreach, bad-pmsi, duplicate-mp-reach
after sending (default: keep the session up until SIGINT/SIGTERM):
  --then-hold S           keep the session S seconds, then Cease and exit
  --exit-after-send       Cease and exit once everything is written
  --exit-after-eor        Cease and exit once the peer's EVPN End-of-RIB has arrived too
output:
  --json                  JSON report on stdout at the end
  --dry-run               encode only, no session (report the encode time)
  --verbose               log every message received
  --help
)";
}

absl::StatusOr<Config> ParseCommandLine(std::span<const char* const> args) {
  Config c;
  bool have_vni = false;
  int after_send_modes = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const absl::string_view arg = args[i];
    if (!absl::StartsWith(arg, "--")) {
      return Usage(absl::StrCat("unexpected argument '", arg, "' (options start with --)"));
    }
    absl::string_view name = arg;
    std::optional<absl::string_view> inline_value;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    auto value = [&]() -> absl::StatusOr<absl::string_view> {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) return Usage(absl::StrCat(name, " needs a value"));
      return absl::string_view(args[++i]);
    };
    auto flag = [&](bool& target, bool v) -> absl::Status {
      if (inline_value) return Usage(absl::StrCat(name, " takes no value"));
      target = v;
      return absl::OkStatus();
    };
#define ROUTEGEN_ASSIGN(lhs, expr)    \
  {                                   \
    auto _r = (expr);                 \
    if (!_r.ok()) return _r.status(); \
    lhs = *_r;                        \
  }
#define ROUTEGEN_VALUE(var) \
  absl::string_view var;    \
  ROUTEGEN_ASSIGN(var, value())
    absl::Status s;
    if (name == "--help" || name == "-h") {
      c.help = true;
      return c;
    } else if (name == "--connect" || name == "--listen") {
      ROUTEGEN_VALUE(v);
      absl::StatusOr<Endpoint> e = ParseEndpoint(v);
      if (!e.ok()) return Usage(absl::StrCat(name, ": ", e.status().message()));
      (name == "--connect" ? c.connect : c.listen) = *e;
    } else if (name == "--bind") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.bind, ParseIp(name, v));
    } else if (name == "--connect-timeout") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.connect_timeout_s, ParseSeconds(name, v));
    } else if (name == "--local-as" || name == "--remote-as") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN((name == "--local-as" ? c.local_as : c.remote_as),
                      ParseNumber<uint32_t>(name, v, 1, 0xffffffff));
    } else if (name == "--router-id") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.router_id, ParseIpv4(name, v));
    } else if (name == "--hold") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.hold_time, ParseNumber<uint16_t>(name, v, 0, 65535));
      if (c.hold_time == 1 || c.hold_time == 2) {
        return Usage("--hold: must be 0 or at least 3 seconds (RFC 4271 §4.2)");
      }
    } else if (name == "--extended-message") {
      s = flag(c.extended_message, true);
    } else if (name == "--routes") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.routes, ParseNumber<uint64_t>(name, v, 0, kMaxMacIndex));
    } else if (name == "--with-ip") {
      s = flag(c.with_ip, true);
    } else if (name == "--ip-base") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.ip_base, ParseIpv4(name, v));
    } else if (name == "--mac-offset") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.mac_offset, ParseNumber<uint64_t>(name, v, 0, kMaxMacIndex - 1));
    } else if (name == "--type3") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.type3, ParseNumber<uint32_t>(name, v, 0, evpn::kMaxVni));
    } else if (name == "--vni") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.vni, ParseNumber<uint32_t>(name, v, 1, evpn::kMaxVni));
      have_vni = true;
    } else if (name == "--vnis") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.vnis, ParseNumber<uint32_t>(name, v, 1, evpn::kMaxVni));
    } else if (name == "--rd-ip") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.rd_ip, ParseIpv4(name, v));
    } else if (name == "--rt-as") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.rt_as, ParseNumber<uint32_t>(name, v, 1, 0xffffffff));
    } else if (name == "--next-hop") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.next_hop, ParseIp(name, v));
    } else if (name == "--seq") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.seq, ParseNumber<uint32_t>(name, v, 0, 0xffffffff));
    } else if (name == "--sticky") {
      s = flag(c.sticky, true);
    } else if (name == "--router-mac") {
      ROUTEGEN_VALUE(v);
      absl::StatusOr<evpn::MacAddress> mac = evpn::MacAddress::Parse(v);
      if (!mac.ok()) return Usage(absl::StrCat(name, ": '", v, "' is not a MAC address"));
      c.router_mac = *mac;
    } else if (name == "--l3vni") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.l3vni, ParseNumber<uint32_t>(name, v, 1, evpn::kMaxVni));
    } else if (name == "--encap-vxlan") {
      s = flag(c.encap_vxlan, true);
    } else if (name == "--no-encap-vxlan") {
      s = flag(c.encap_vxlan, false);
    } else if (name == "--per-update") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.per_update, ParseNumber<size_t>(name, v, 1, 65535));
    } else if (name == "--one-per-update") {
      bool one = false;
      s = flag(one, true);
      c.per_update = 1;  // the last of --per-update / --one-per-update wins
    } else if (name == "--withdraw-after") {
      s = flag(c.withdraw_after, true);
    } else if (name == "--withdraw-delay") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.withdraw_delay_s, ParseSeconds(name, v));
    } else if (name == "--malformed") {
      ROUTEGEN_VALUE(v);
      std::optional<MalformedKind> kind = ParseMalformedKind(v);
      if (!kind) {
        std::string kinds;
        for (MalformedKind k : kAllMalformedKinds) {
          absl::StrAppend(&kinds, kinds.empty() ? "" : ", ", MalformedKindName(k));
        }
        return Usage(absl::StrCat("--malformed: unknown kind '", v, "' (one of: ", kinds, ")"));
      }
      c.malformed = *kind;
    } else if (name == "--then-hold") {
      ROUTEGEN_VALUE(v);
      ROUTEGEN_ASSIGN(c.then_hold_s, ParseSeconds(name, v));
      ++after_send_modes;
    } else if (name == "--exit-after-send") {
      s = flag(c.exit_after_send, true);
      ++after_send_modes;
    } else if (name == "--exit-after-eor") {
      s = flag(c.exit_after_eor, true);
      ++after_send_modes;
    } else if (name == "--json") {
      s = flag(c.json, true);
    } else if (name == "--dry-run") {
      s = flag(c.dry_run, true);
    } else if (name == "--verbose") {
      s = flag(c.verbose, true);
    } else {
      return Usage(absl::StrCat("unknown option '", name, "' (see --help)"));
    }
    if (!s.ok()) return s;
#undef ROUTEGEN_VALUE
#undef ROUTEGEN_ASSIGN
  }
  // Whole-command checks.
  if (!c.dry_run && c.connect.has_value() == c.listen.has_value()) {
    return Usage("give exactly one of --connect ADDR[:PORT] and --listen ADDR[:PORT]");
  }
  if (c.bind && !c.connect) return Usage("--bind goes with --connect");
  if (c.bind && c.connect && c.bind->family() != c.connect->address.family()) {
    return Usage("--bind: not the same address family as --connect");
  }
  if (c.local_as == 0) return Usage("--local-as N is required");
  if (c.remote_as == 0) return Usage("--remote-as N is required");
  if (c.router_id == 0) return Usage("--router-id A.B.C.D is required (and not 0.0.0.0)");
  if (after_send_modes > 1) {
    return Usage("--then-hold, --exit-after-send and --exit-after-eor exclude each other");
  }
  const bool sends_routes = c.routes > 0 || c.type3 > 0 || c.malformed != MalformedKind::kNone;
  if (sends_routes && !have_vni) return Usage("--vni V is required to send routes");
  if (uint64_t{c.vni} + c.vnis - 1 > evpn::kMaxVni) {
    return Usage("--vni + --vnis - 1 exceeds the largest VNI 16777215");
  }
  if (c.type3 > 0 && uint64_t{c.vni} + c.type3 - 1 > evpn::kMaxVni) {
    return Usage("--vni + --type3 - 1 exceeds the largest VNI 16777215");
  }
  if (c.mac_offset + c.routes > kMaxMacIndex) {
    return Usage("--mac-offset + --routes exceed the 2^40 MACs of 02:xx:xx:xx:xx:xx");
  }
  if (c.with_ip && uint64_t{c.ip_base} + c.routes >= (uint64_t{1} << 32)) {
    return Usage("--ip-base + --routes run past 255.255.255.255");
  }
  if (c.l3vni && !c.with_ip) return Usage("--l3vni needs --with-ip (Label2 is for MAC+IP routes)");
  return c;
}

// ---- routes ----

evpn::MacAddress MacForIndex(uint64_t index) {
  evpn::MacAddress mac;
  mac.bytes[0] = 0x02;  // locally administered, unicast
  for (int b = 5; b >= 1; --b) {
    mac.bytes[b] = static_cast<uint8_t>(index);
    index >>= 8;
  }
  return mac;
}

uint32_t Type2Vni(const Config& config, uint64_t index) {
  return config.vni + static_cast<uint32_t>(index % config.vnis);
}

uint32_t Type3Vni(const Config& config, uint32_t index) { return config.vni + index; }

evpn::RouteDistinguisher RdForVni(const Config& config, uint32_t vni) {
  return evpn::RouteDistinguisher::Ipv4Address(config.RdIp(), static_cast<uint16_t>(vni));
}

evpn::RouteTarget RtForVni(const Config& config, uint32_t vni) {
  return evpn::RouteTarget::ForVni(config.RtAs(), vni);
}

evpn::MacIpAdvertisementRoute Type2Route(const Config& config, uint64_t index) {
  const uint32_t vni = Type2Vni(config, index);
  evpn::MacIpAdvertisementRoute route;
  route.rd = RdForVni(config, vni);
  route.mac = MacForIndex(config.mac_offset + index);
  if (config.with_ip) {
    route.ip = evpn::IpAddress::V4(config.ip_base + 1 + static_cast<uint32_t>(index));
    if (config.l3vni) route.label2 = evpn::Label::FromVni(*config.l3vni);
  }
  route.label1 = evpn::Label::FromVni(vni);
  return route;
}

evpn::InclusiveMulticastEthernetTagRoute Type3Route(const Config& config, uint32_t index) {
  evpn::InclusiveMulticastEthernetTagRoute route;
  route.rd = RdForVni(config, Type3Vni(config, index));
  route.originating_router_ip = config.NextHop();
  return route;
}

wire::PathAttributes AnnounceAttributes(const Config& config, uint32_t vni, bool type3,
                                        const CodecContext& ctx) {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.as_path.emplace();
  if (!config.ibgp()) {
    // RFC 6793 §4.2.2: towards a 2-octet speaker a 4-octet AS becomes AS_TRANS in AS_PATH and
    // stays whole in AS4_PATH.
    if (ctx.four_octet_as || config.local_as <= 0xffff) {
      a.as_path->segments.push_back({wire::AsPathSegment::kAsSequence, {config.local_as}});
    } else {
      a.as_path->segments.push_back({wire::AsPathSegment::kAsSequence, {wire::kAsTrans}});
      a.as4_path = wire::AsPath{{{wire::AsPathSegment::kAsSequence, {config.local_as}}}};
    }
  } else {
    a.local_pref = 100;
  }
  std::vector<evpn::ExtendedCommunity> communities = {RtForVni(config, vni)};
  if (config.encap_vxlan) communities.push_back(evpn::EncapsulationExtendedCommunity{});
  if (!type3 && (config.seq != 0 || config.sticky)) {
    communities.push_back(evpn::MacMobilityExtendedCommunity{
        config.seq, config.sticky ? evpn::MacMobilityExtendedCommunity::kStickyFlag : uint8_t{0}});
  }
  if (!type3 && config.router_mac) {
    communities.push_back(evpn::RouterMacExtendedCommunity{*config.router_mac});
  }
  a.extended_communities = std::move(communities);
  if (type3) {
    a.pmsi_tunnel =
        wire::PmsiTunnel::IngressReplication(config.NextHop(), evpn::Label::FromVni(vni));
  }
  wire::MpReachNlri mp;
  mp.family = wire::kL2vpnEvpn;
  mp.SetNextHop(config.NextHop());
  a.mp_reach = std::move(mp);
  return a;
}

// ---- session ----

wire::OpenMessage BuildOpen(const Config& config) {
  wire::OpenMessage open;
  open.my_as = config.local_as <= 0xffff ? static_cast<uint16_t>(config.local_as)
                                         : static_cast<uint16_t>(wire::kAsTrans);
  open.hold_time = config.hold_time;
  open.bgp_identifier = config.router_id;
  open.capabilities.push_back(wire::MultiprotocolCapability{wire::kL2vpnEvpn});
  open.capabilities.push_back(wire::RouteRefreshCapability{});
  open.capabilities.push_back(wire::FourOctetAsCapability{config.local_as});
  if (config.extended_message) open.capabilities.push_back(wire::ExtendedMessageCapability{});
  return open;
}

CodecContext AssumedContext(const Config& config) {
  CodecContext ctx;
  ctx.four_octet_as = true;
  ctx.max_message_size =
      config.extended_message ? wire::kMaxExtendedMessageSize : wire::kMaxMessageSize;
  return ctx;
}

CodecContext NegotiatedContext(const Config& config, const wire::OpenMessage& peer) {
  CodecContext ctx;
  ctx.four_octet_as = peer.Find<wire::FourOctetAsCapability>() != nullptr;
  ctx.max_message_size =
      config.extended_message && peer.Find<wire::ExtendedMessageCapability>() != nullptr
          ? wire::kMaxExtendedMessageSize
          : wire::kMaxMessageSize;
  return ctx;
}

uint8_t* StreamFramer::Prepare(size_t n) {
  // Drop what was consumed before growing: a session's backlog stays small.
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > (size_t{1} << 20)) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(start_));
    start_ = 0;
  }
  const size_t old = buffer_.size();
  buffer_.resize(old + n);
  prepared_ = n;
  return buffer_.data() + old;
}

void StreamFramer::Commit(size_t n) {
  buffer_.resize(buffer_.size() - prepared_ + std::min(n, prepared_));
  prepared_ = 0;
}

StreamFramer::Next StreamFramer::Pop(const CodecContext& ctx) {
  Next next;
  std::span<const uint8_t> rest(buffer_.data() + start_, buffer_.size() - start_);
  wire::FrameCheck frame = wire::CheckFrame(rest, ctx);
  if (frame.error) {
    next.error = std::move(frame.error);
    start_ = buffer_.size();
    return next;
  }
  // CheckFrame knows the length once the header is in; the message must be whole.
  if (frame.length == 0 || rest.size() < frame.length) return next;
  next.message = rest.first(frame.length);
  start_ += frame.length;
  return next;
}

// ---- pre-encoding ----

absl::StatusOr<EncodedRun> EncodeRun(const Config& config, const CodecContext& ctx) {
  EncodedRun run;
  // A type-2 route in a full UPDATE takes 37 to 47 bytes on the wire.
  run.announce.bytes.reserve(config.routes * (config.with_ip ? 44 : 38) + 4096);
  UpdatePacker announce(ctx, config.per_update, run.announce);
  // Type-3 first, as a VTEP joins the flood list before its MACs matter; one UPDATE per VNI
  // (each has its own RT and PMSI label).
  for (uint32_t j = 0; j < config.type3; ++j) {
    UpdateMessage u;
    u.attributes = AnnounceAttributes(config, Type3Vni(config, j), /*type3=*/true, ctx);
    if (absl::Status s = announce.Begin(std::move(u)); !s.ok()) return s;
    if (absl::Status s = announce.Add(Nlri(Type3Route(config, j))); !s.ok()) return s;
  }
  for (uint32_t k = 0; k < config.vnis && k < config.routes; ++k) {
    UpdateMessage u;
    u.attributes = AnnounceAttributes(config, config.vni + k, /*type3=*/false, ctx);
    if (absl::Status s = announce.Begin(std::move(u)); !s.ok()) return s;
    for (uint64_t i = k; i < config.routes; i += config.vnis) {
      if (absl::Status s = announce.Add(Nlri(Type2Route(config, i))); !s.ok()) return s;
    }
  }
  if (absl::Status s = announce.Flush(); !s.ok()) return s;
  run.type2 = config.routes;
  run.type3 = config.type3;

  if (config.malformed != MalformedKind::kNone) {
    absl::StatusOr<std::vector<uint8_t>> m = EncodeMalformed(config, config.malformed, ctx);
    if (!m.ok()) return m.status();
    run.malformed.bytes = *std::move(m);
    run.malformed.messages = 1;
    run.malformed.routes = 1;
  }

  absl::StatusOr<std::vector<uint8_t>> eor =
      wire::EncodeMessage(UpdateMessage::EndOfRib(wire::kL2vpnEvpn), ctx);
  if (!eor.ok()) return eor.status();
  run.end_of_rib.bytes = *std::move(eor);
  run.end_of_rib.messages = 1;

  if (config.withdraw_after) {
    run.withdraw.bytes.reserve(config.routes * 36 + 4096);
    UpdatePacker withdraw(ctx, config.per_update, run.withdraw);
    UpdateMessage u;
    u.attributes.mp_unreach = wire::MpUnreachNlri{wire::kL2vpnEvpn, {}, {}, {}};
    if (absl::Status s = withdraw.Begin(std::move(u)); !s.ok()) return s;
    for (uint32_t j = 0; j < config.type3; ++j) {
      if (absl::Status s = withdraw.Add(Nlri(Type3Route(config, j))); !s.ok()) return s;
    }
    for (uint64_t i = 0; i < config.routes; ++i) {
      if (absl::Status s = withdraw.Add(Nlri(Type2Route(config, i))); !s.ok()) return s;
    }
    if (absl::Status s = withdraw.Flush(); !s.ok()) return s;
  }
  return run;
}

absl::StatusOr<std::vector<uint8_t>> EncodeMalformed(const Config& config, MalformedKind kind,
                                                     const CodecContext& ctx) {
  const bool type3 = kind == MalformedKind::kBadPmsi;
  const uint32_t vni = type3 ? Type3Vni(config, 0) : Type2Vni(config, 0);
  UpdateMessage u;
  u.attributes = AnnounceAttributes(config, vni, type3, ctx);
  wire::MpReachNlri& mp = *u.attributes.mp_reach;
  const EvpnNlri route0 = type3 ? Nlri(Type3Route(config, 0)) : Nlri(Type2Route(config, 0));
  // Route 0 as the codec writes it: type (1) | length (1) | value.
  std::vector<uint8_t> nlri_bytes;
  wire::WireWriter nw(nlri_bytes);
  wire::EncodeEvpnNlri(route0, /*add_path=*/false, nw);
  std::vector<uint8_t> value(nlri_bytes.begin() + 2, nlri_bytes.end());
  switch (kind) {
    case MalformedKind::kNone:
      return absl::InvalidArgumentError("no malformed kind");
    case MalformedKind::kBadNlriLength:
      // RFC 7432 §7: the Length octet claims 10 bytes more than the NLRI field holds.
      nlri_bytes[1] = static_cast<uint8_t>(nlri_bytes[1] + 10);
      mp.unknown_nlri = nlri_bytes;
      break;
    case MalformedKind::kBadRouteType:
      mp.evpn_routes.push_back(Nlri(evpn::UnknownEvpnRoute{99, value}));
      break;
    case MalformedKind::kShortMacLen:
      // RFC 7432 §7.2: RD (8) | ESI (10) | Ethernet Tag ID (4) | MAC Address Length (1) = 48.
      value[22] = 47;
      mp.evpn_routes.push_back(Nlri(evpn::UnknownEvpnRoute{2, value}));
      break;
    case MalformedKind::kBadAttrFlags:
      mp.evpn_routes.push_back(route0);
      // ORIGIN is well-known transitive (0x40); send it optional transitive.
      u.attributes.layout = {
          {wire::kAttrMpReachNlri, wire::kAttrFlagOptional},
          {wire::kAttrOrigin, wire::kAttrFlagOptional | wire::kAttrFlagTransitive}};
      break;
    case MalformedKind::kBadOriginValue:
      mp.evpn_routes.push_back(route0);
      u.attributes.origin = static_cast<wire::Origin>(7);
      break;
    case MalformedKind::kMissingNexthopMpReach:
      mp.evpn_routes.push_back(route0);
      mp.next_hop.resize(3);
      break;
    case MalformedKind::kBadPmsi:
      mp.evpn_routes.push_back(route0);
      // RFC 6514 §5 needs at least Flags, Tunnel Type and Label (5 bytes).
      u.attributes.pmsi_tunnel.reset();
      u.attributes.unknown.push_back({wire::kAttrFlagOptional | wire::kAttrFlagTransitive,
                                      wire::kAttrPmsiTunnel,
                                      {0, wire::PmsiTunnel::kIngressReplication}});
      break;
    case MalformedKind::kDuplicateMpReach: {
      mp.evpn_routes.push_back(route0);
      absl::StatusOr<std::vector<uint8_t>> m = wire::EncodeMessage(u, ctx);
      if (!m.ok()) return m.status();
      return DuplicateFirstAttribute(*std::move(m), ctx);
    }
  }
  return wire::EncodeMessage(u, ctx);
}

}  // namespace evpnd::routegen

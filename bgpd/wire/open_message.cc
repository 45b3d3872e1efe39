// See open_message.h. Capabilities are coded through one row per capability code; the OPEN's
// fixed fields are validated as RFC 4271 §6.2 prescribes (every failure resets the session).
#include "bgpd/wire/open_message.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "bgpd/wire/notification_codes.h"

namespace evpnd::wire {
namespace {

std::optional<std::string> DecodeFamilyTuples(WireReader& v, std::vector<AddPathCapability::Family>& out) {
  if (v.remaining() % 4 != 0) return "length is not a multiple of 4";
  while (!v.empty()) {
    AddPathCapability::Family f;
    v.ReadU16(f.family.afi);
    v.ReadU8(f.family.safi);
    v.ReadU8(f.send_receive);
    out.push_back(f);
  }
  return std::nullopt;
}

// Decodes one capability value; returns what is wrong, if anything.
std::optional<std::string> DecodeCapability(uint8_t code, std::span<const uint8_t> value,
                                            Capability& out) {
  WireReader v(value);
  auto need_length = [&](size_t n) -> std::optional<std::string> {
    if (value.size() == n) return std::nullopt;
    return absl::StrCat("length ", value.size(), ", expected ", n);
  };
  switch (code) {
    case kCapMultiprotocol: {
      if (auto err = need_length(4)) return err;
      MultiprotocolCapability mp;
      uint8_t reserved = 0;
      v.ReadU16(mp.family.afi);
      v.ReadU8(reserved);
      v.ReadU8(mp.family.safi);
      // RFC 4760 §8: Reserved "SHOULD be set to 0 by the sender and ignored by the receiver";
      // keep a non-zero one byte-exact as an unknown capability.
      if (reserved != 0) break;
      out = mp;
      return std::nullopt;
    }
    case kCapRouteRefresh:
    case kCapEnhancedRouteRefresh:
    case kCapExtendedMessage:
      if (auto err = need_length(0)) return err;
      if (code == kCapRouteRefresh) out = RouteRefreshCapability{};
      if (code == kCapEnhancedRouteRefresh) out = EnhancedRouteRefreshCapability{};
      if (code == kCapExtendedMessage) out = ExtendedMessageCapability{};
      return std::nullopt;
    case kCapGracefulRestart: {
      GracefulRestartCapability gr;
      uint16_t head = 0;
      if (!v.ReadU16(head) || v.remaining() % 4 != 0) {
        return absl::StrCat("length ", value.size(), " is not 2 + 4 per family");
      }
      gr.restart_flags = static_cast<uint8_t>(head >> 12);
      gr.restart_time = head & 0x0fff;
      while (!v.empty()) {
        GracefulRestartCapability::Family f;
        v.ReadU16(f.family.afi);
        v.ReadU8(f.family.safi);
        v.ReadU8(f.flags);
        gr.families.push_back(f);
      }
      out = std::move(gr);
      return std::nullopt;
    }
    case kCapFourOctetAs: {
      if (auto err = need_length(4)) return err;
      FourOctetAsCapability as4;
      v.ReadU32(as4.asn);
      out = as4;
      return std::nullopt;
    }
    case kCapAddPath: {
      AddPathCapability ap;
      if (auto err = DecodeFamilyTuples(v, ap.families)) return err;
      out = std::move(ap);
      return std::nullopt;
    }
    case kCapFqdn: {
      FqdnCapability fqdn;
      uint8_t n = 0;
      std::span<const uint8_t> host;
      std::span<const uint8_t> domain;
      if (!v.ReadU8(n) || !v.ReadBytes(n, host) || !v.ReadU8(n) || !v.ReadBytes(n, domain) ||
          !v.empty()) {
        return "hostname and domain lengths do not match the capability length";
      }
      fqdn.hostname.assign(host.begin(), host.end());
      fqdn.domain.assign(domain.begin(), domain.end());
      out = std::move(fqdn);
      return std::nullopt;
    }
    default:
      break;
  }
  out = UnknownCapability{code, {value.begin(), value.end()}};
  return std::nullopt;
}

struct CapabilityEncoder {
  WireWriter& w;
  void operator()(const MultiprotocolCapability& c) {
    w.PutU16(c.family.afi);
    w.PutU8(0);
    w.PutU8(c.family.safi);
  }
  void operator()(const RouteRefreshCapability&) {}
  void operator()(const EnhancedRouteRefreshCapability&) {}
  void operator()(const ExtendedMessageCapability&) {}
  void operator()(const GracefulRestartCapability& c) {
    w.PutU16(static_cast<uint16_t>((c.restart_flags & 0xf) << 12 | (c.restart_time & 0x0fff)));
    for (const auto& f : c.families) {
      w.PutU16(f.family.afi);
      w.PutU8(f.family.safi);
      w.PutU8(f.flags);
    }
  }
  void operator()(const FourOctetAsCapability& c) { w.PutU32(c.asn); }
  void operator()(const AddPathCapability& c) {
    for (const auto& f : c.families) {
      w.PutU16(f.family.afi);
      w.PutU8(f.family.safi);
      w.PutU8(f.send_receive);
    }
  }
  void operator()(const FqdnCapability& c) {
    const size_t host = std::min<size_t>(c.hostname.size(), 255);
    const size_t domain = std::min<size_t>(c.domain.size(), 255);
    w.PutU8(static_cast<uint8_t>(host));
    w.PutBytes({reinterpret_cast<const uint8_t*>(c.hostname.data()), host});
    w.PutU8(static_cast<uint8_t>(domain));
    w.PutBytes({reinterpret_cast<const uint8_t*>(c.domain.data()), domain});
  }
  void operator()(const UnknownCapability& c) { w.PutBytes(c.value); }
};

// Appends one capability to `out`; false if its value exceeds the 255 bytes its length allows.
bool EncodeCapability(const Capability& c, std::vector<uint8_t>& out) {
  WireWriter w(out);
  w.PutU8(CapabilityCodeOf(c));
  const size_t length_at = w.Reserve(1);
  const size_t start = w.size();
  std::visit(CapabilityEncoder{w}, c);
  w.PatchLength8(length_at, w.size() - start);
  return w.ok();
}

WireError OpenError(uint8_t subcode, std::string message, std::vector<uint8_t> data = {}) {
  return WireError{ErrorAction::kSessionReset, kOpenMessageError, subcode, std::move(data),
                   std::nullopt, std::nullopt, std::move(message)};
}

// RFC 5492 §4: an Optional Parameter of type 2 holds one or more capabilities.
std::optional<WireError> DecodeCapabilities(std::span<const uint8_t> bytes, OpenMessage& open,
                                            size_t& count) {
  WireReader r(bytes);
  count = 0;
  while (!r.empty()) {
    uint8_t code = 0;
    uint8_t length = 0;
    std::span<const uint8_t> value;
    if (!r.ReadU8(code) || !r.ReadU8(length) || !r.ReadBytes(length, value)) {
      return OpenError(kOpenUnspecific, "capability overruns its optional parameter");
    }
    Capability capability;
    if (auto err = DecodeCapability(code, value, capability)) {
      return OpenError(kOpenUnspecific,
                       absl::StrCat("malformed ", CapabilityName(code), " capability: ", *err));
    }
    open.capabilities.push_back(std::move(capability));
    ++count;
  }
  return std::nullopt;
}

std::optional<WireError> DecodeOptionalParameters(WireReader& r, OpenMessage& open) {
  uint8_t length8 = 0;
  r.ReadU8(length8);
  uint16_t length = length8;
  // RFC 9072 §2: a Non-Ext OP Len of 255 followed by a Non-Ext OP Type of 255 announces a 2-byte
  // Extended Opt. Parm. Length, and 2-byte parameter lengths.
  WireReader look = r;
  uint8_t first_type = 0;
  if (length8 == 255 && look.ReadU8(first_type) && first_type == 255) {
    open.extended_optional_parameters = true;
    r.ReadU8(first_type);
    if (!r.ReadU16(length)) return OpenError(kOpenUnspecific, "extended parameters length truncated");
  }
  WireReader params(std::span<const uint8_t>{});
  if (!r.ReadSub(length, params) || !r.empty()) {
    return OpenError(kOpenUnspecific,
                     absl::StrCat("optional parameters length ", length,
                                  " does not match the message length"));
  }
  bool canonical = true;
  std::vector<uint16_t> per_parameter;
  while (!params.empty()) {
    uint8_t type = 0;
    uint16_t plen = 0;
    uint8_t plen8 = 0;
    bool ok = params.ReadU8(type) &&
              (open.extended_optional_parameters ? params.ReadU16(plen) : params.ReadU8(plen8));
    if (!open.extended_optional_parameters) plen = plen8;
    std::span<const uint8_t> value;
    if (!ok || !params.ReadBytes(plen, value)) {
      return OpenError(kOpenUnspecific, "optional parameter overruns the parameters field");
    }
    // RFC 4271 §6.2 / RFC 5492 §4: only Capabilities (type 2) are defined.
    if (type != 2) {
      return OpenError(kUnsupportedOptionalParameter,
                       absl::StrCat("optional parameter type ", type, " is not supported"));
    }
    size_t count = 0;
    if (auto err = DecodeCapabilities(value, open, count)) return err;
    canonical = canonical && count == 1;
    per_parameter.push_back(static_cast<uint16_t>(count));
  }
  if (!canonical) open.capabilities_per_parameter = std::move(per_parameter);
  return std::nullopt;
}

}  // namespace

uint8_t CapabilityCodeOf(const Capability& capability) {
  struct Coder {
    uint8_t operator()(const MultiprotocolCapability&) const { return kCapMultiprotocol; }
    uint8_t operator()(const RouteRefreshCapability&) const { return kCapRouteRefresh; }
    uint8_t operator()(const EnhancedRouteRefreshCapability&) const {
      return kCapEnhancedRouteRefresh;
    }
    uint8_t operator()(const ExtendedMessageCapability&) const { return kCapExtendedMessage; }
    uint8_t operator()(const GracefulRestartCapability&) const { return kCapGracefulRestart; }
    uint8_t operator()(const FourOctetAsCapability&) const { return kCapFourOctetAs; }
    uint8_t operator()(const AddPathCapability&) const { return kCapAddPath; }
    uint8_t operator()(const FqdnCapability&) const { return kCapFqdn; }
    uint8_t operator()(const UnknownCapability& c) const { return c.code; }
  };
  return std::visit(Coder{}, capability);
}

absl::string_view CapabilityName(uint8_t code) {
  switch (code) {
    case kCapMultiprotocol:
      return "multiprotocol";
    case kCapRouteRefresh:
      return "route-refresh";
    case kCapExtendedMessage:
      return "extended-message";
    case kCapGracefulRestart:
      return "graceful-restart";
    case kCapFourOctetAs:
      return "four-octet-as";
    case kCapAddPath:
      return "add-path";
    case kCapEnhancedRouteRefresh:
      return "enhanced-route-refresh";
    case kCapFqdn:
      return "fqdn";
    default:
      return "unknown";
  }
}

uint32_t OpenMessage::SpeakerAs() const {
  const auto* as4 = Find<FourOctetAsCapability>();
  return as4 != nullptr ? as4->asn : my_as;
}

std::vector<AfiSafi> OpenMessage::Families() const {
  std::vector<AfiSafi> families;
  for (const Capability& c : capabilities) {
    if (const auto* mp = std::get_if<MultiprotocolCapability>(&c)) families.push_back(mp->family);
  }
  return families;
}

DecodeOutcome<OpenMessage> DecodeOpenBody(std::span<const uint8_t> body) {
  DecodeOutcome<OpenMessage> out;
  OpenMessage& open = out.value;
  WireReader r(body);
  if (!r.ReadU8(open.version) || !r.ReadU16(open.my_as) || !r.ReadU16(open.hold_time) ||
      !r.ReadU32(open.bgp_identifier) || r.empty()) {
    uint16_t length = static_cast<uint16_t>(body.size() + kHeaderSize);
    out.errors.push_back(WireError{ErrorAction::kSessionReset, kMessageHeaderError,
                                   kBadMessageLength,
                                   {static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)},
                                   std::nullopt, std::nullopt,
                                   "OPEN shorter than its 29-byte minimum"});
    return out;
  }
  // RFC 4271 §6.2: the Data field of Unsupported Version Number is the largest supported
  // version, in 2 bytes.
  if (open.version != OpenMessage::kVersion) {
    out.errors.push_back(OpenError(kUnsupportedVersionNumber,
                                   absl::StrCat("BGP version ", open.version, " (only 4 is supported)"),
                                   {0, OpenMessage::kVersion}));
    return out;
  }
  if (auto err = DecodeOptionalParameters(r, open)) {
    out.errors.push_back(std::move(*err));
    return out;
  }
  // RFC 7607 §2: AS 0 in My Autonomous System or in the 4-octet AS capability is Bad Peer AS.
  if (open.my_as == 0 || open.SpeakerAs() == 0) {
    out.errors.push_back(OpenError(kBadPeerAs, "peer AS 0 (RFC 7607)",
                                   {static_cast<uint8_t>(open.my_as >> 8),
                                    static_cast<uint8_t>(open.my_as)}));
  }
  // RFC 4271 §6.2: a Hold Time of one or two seconds must be rejected.
  if (open.hold_time == 1 || open.hold_time == 2) {
    out.errors.push_back(OpenError(kUnacceptableHoldTime,
                                   absl::StrCat("hold time ", open.hold_time, " s (0 or >= 3 s)")));
  }
  // RFC 6286 §2.2: the BGP Identifier is a non-zero 4-octet number.
  if (open.bgp_identifier == 0) {
    out.errors.push_back(OpenError(kBadBgpIdentifier, "BGP identifier 0.0.0.0"));
  }
  return out;
}

void EncodeOpenBody(const OpenMessage& open, WireWriter& w) {
  w.PutU8(open.version);
  w.PutU16(open.my_as);
  w.PutU16(open.hold_time);
  w.PutU32(open.bgp_identifier);
  // Group capabilities into parameters as received, else one per parameter.
  std::vector<std::vector<uint8_t>> params;
  size_t next = 0;
  auto take = [&](size_t n) {
    std::vector<uint8_t> p;
    for (size_t i = 0; i < n && next < open.capabilities.size(); ++i, ++next) {
      if (!EncodeCapability(open.capabilities[next], p)) w.Fail();
    }
    params.push_back(std::move(p));
  };
  for (uint16_t n : open.capabilities_per_parameter) take(n);
  while (next < open.capabilities.size()) take(1);
  size_t total = 0;
  for (const auto& p : params) total += 2 + p.size();
  // RFC 9072 §2: use the extended form when parameters do not fit one-byte lengths.
  bool extended = open.extended_optional_parameters || total > 255;
  for (const auto& p : params) extended = extended || p.size() > 255;
  if (!extended) {
    w.PutU8(static_cast<uint8_t>(total));
    for (const auto& p : params) {
      w.PutU8(2);
      w.PutU8(static_cast<uint8_t>(p.size()));
      w.PutBytes(p);
    }
    return;
  }
  w.PutU8(255);
  w.PutU8(255);
  const size_t length_at = w.Reserve(2);
  w.PatchLength16(length_at, total + params.size());
  for (const auto& p : params) {
    w.PutU8(2);
    const size_t param_at = w.Reserve(2);
    w.PatchLength16(param_at, p.size());
    w.PutBytes(p);
  }
}

}  // namespace evpnd::wire

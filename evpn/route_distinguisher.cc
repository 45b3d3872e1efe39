// See route_distinguisher.h.
#include "evpn/route_distinguisher.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "evpn/ip_address.h"

namespace evpnd::evpn {
namespace {

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

std::array<uint8_t, 8> Pack(uint16_t type, uint64_t value48) {
  std::array<uint8_t, 8> b{};
  b[0] = static_cast<uint8_t>(type >> 8);
  b[1] = static_cast<uint8_t>(type);
  for (int i = 0; i < 6; ++i) {
    b[2 + i] = static_cast<uint8_t>(value48 >> (8 * (5 - i)));
  }
  return b;
}

}  // namespace

RouteDistinguisher RouteDistinguisher::TwoOctetAs(uint16_t asn, uint32_t number) {
  return RouteDistinguisher(Pack(kTwoOctetAs, (uint64_t{asn} << 32) | number));
}

RouteDistinguisher RouteDistinguisher::Ipv4Address(uint32_t address, uint16_t number) {
  return RouteDistinguisher(Pack(kIpv4Address, (uint64_t{address} << 16) | number));
}

RouteDistinguisher RouteDistinguisher::FourOctetAs(uint32_t asn, uint16_t number) {
  return RouteDistinguisher(Pack(kFourOctetAs, (uint64_t{asn} << 16) | number));
}

absl::StatusOr<RouteDistinguisher> RouteDistinguisher::Parse(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("route distinguisher '", text, "': ", why,
                                                   " (expected ASN:N or A.B.C.D:N)"));
  };
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) return bad("no ':'");
  absl::string_view admin = text.substr(0, colon);
  uint64_t number = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &number)) return bad("bad assigned number");
  if (admin.find('.') != absl::string_view::npos) {
    absl::StatusOr<IpAddress> ip = IpAddress::Parse(admin);
    if (!ip.ok() || !ip->is_v4()) return bad("bad IPv4 administrator");
    if (number > 0xffff) return bad("assigned number above 65535 with an IPv4 administrator");
    return Ipv4Address(ip->v4_host_order(), static_cast<uint16_t>(number));
  }
  uint64_t asn = 0;
  if (!absl::SimpleAtoi(admin, &asn) || asn > 0xffffffffULL) return bad("bad ASN");
  if (asn <= 0xffff) {
    if (number > 0xffffffffULL) return bad("assigned number above 2^32-1");
    return TwoOctetAs(static_cast<uint16_t>(asn), static_cast<uint32_t>(number));
  }
  if (number > 0xffff) return bad("assigned number above 65535 with a 4-octet ASN");
  return FourOctetAs(static_cast<uint32_t>(asn), static_cast<uint16_t>(number));
}

uint32_t RouteDistinguisher::administrator() const {
  switch (type()) {
    case kTwoOctetAs:
      return Be16(&bytes_[2]);
    case kIpv4Address:
    case kFourOctetAs:
      return Be32(&bytes_[2]);
    default:
      return 0;
  }
}

uint32_t RouteDistinguisher::assigned_number() const {
  switch (type()) {
    case kTwoOctetAs:
      return Be32(&bytes_[4]);
    case kIpv4Address:
    case kFourOctetAs:
      return Be16(&bytes_[6]);
    default:
      return 0;
  }
}

std::string RouteDistinguisher::ToString() const {
  switch (type()) {
    case kTwoOctetAs:
    case kFourOctetAs:
      return absl::StrCat(administrator(), ":", assigned_number());
    case kIpv4Address:
      return absl::StrCat(IpAddress::V4(administrator()).ToString(), ":", assigned_number());
    default:
      return absl::StrFormat("%u:%02x%02x%02x%02x%02x%02x", type(), bytes_[2], bytes_[3],
                             bytes_[4], bytes_[5], bytes_[6], bytes_[7]);
  }
}

}  // namespace evpnd::evpn

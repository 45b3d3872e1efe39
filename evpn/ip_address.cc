// See ip_address.h.
#include "evpn/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace evpnd::evpn {

IpAddress IpAddress::V4(uint32_t host_order) {
  return V4({static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
             static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order)});
}

IpAddress IpAddress::V4(const std::array<uint8_t, 4>& bytes) {
  IpAddress a;
  a.family_ = Family::kIpv4;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = Family::kIpv6;
  a.bytes_ = bytes;
  return a;
}

std::optional<IpAddress> IpAddress::FromBytes(std::span<const uint8_t> bytes) {
  IpAddress a;
  if (bytes.size() == 4) {
    a.family_ = Family::kIpv4;
  } else if (bytes.size() == 16) {
    a.family_ = Family::kIpv6;
  } else {
    return std::nullopt;
  }
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  std::string s(text);
  std::array<uint8_t, 16> buf{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1) {
    return FromBytes(std::span<const uint8_t>(buf.data(), 4)).value();
  }
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1) {
    return V6(buf);
  }
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not an IPv4 or IPv6 address"));
}

uint32_t IpAddress::v4_host_order() const {
  if (!is_v4()) {
    return 0;
  }
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
         bytes_[3];
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

absl::StatusOr<IpPrefix> IpPrefix::Parse(absl::string_view text) {
  size_t slash = text.find('/');
  if (slash == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a prefix (addr/len)"));
  }
  absl::StatusOr<IpAddress> address = IpAddress::Parse(text.substr(0, slash));
  if (!address.ok()) {
    return address.status();
  }
  uint32_t length = 0;
  if (!absl::SimpleAtoi(text.substr(slash + 1), &length) || length > address->bit_length()) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' has a bad prefix length"));
  }
  return IpPrefix{*address, static_cast<uint8_t>(length)};
}

std::string IpPrefix::ToString() const {
  return absl::StrCat(address.ToString(), "/", length);
}

}  // namespace evpnd::evpn

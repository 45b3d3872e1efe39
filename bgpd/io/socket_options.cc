// See socket_options.h.
#include "bgpd/io/socket_options.h"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace evpnd::bgpd {
namespace {

absl::Status Errno(absl::string_view what) {
  return absl::ErrnoToStatus(errno, what);
}

}  // namespace

absl::Status SetTcpMd5(int fd, const evpn::IpAddress& peer, const std::string& key) {
  struct tcp_md5sig sig;
  std::memset(&sig, 0, sizeof(sig));
  if (key.size() > TCP_MD5SIG_MAXKEYLEN) {
    return absl::InvalidArgumentError(
        absl::StrCat("TCP-MD5 key longer than ", TCP_MD5SIG_MAXKEYLEN, " bytes"));
  }
  if (peer.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&sig.tcpm_addr);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, peer.bytes().data(), 4);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&sig.tcpm_addr);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, peer.bytes().data(), 16);
  }
  sig.tcpm_keylen = static_cast<uint16_t>(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());
  if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) != 0) {
    return Errno(absl::StrCat("TCP_MD5SIG for ", peer.ToString()));
  }
  return absl::OkStatus();
}

absl::Status SetUserTimeout(int fd, absl::Duration timeout) {
  const unsigned int ms = static_cast<unsigned int>(absl::ToInt64Milliseconds(timeout));
  if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)) != 0) {
    return Errno("TCP_USER_TIMEOUT");
  }
  return absl::OkStatus();
}

absl::Status SetNotSentLowat(int fd, int bytes) {
  if (setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &bytes, sizeof(bytes)) != 0) {
    return Errno("TCP_NOTSENT_LOWAT");
  }
  return absl::OkStatus();
}

absl::Status SetGtsm(int fd, bool ipv6, uint8_t hops) {
  const int ttl = 255;
  const int min_ttl = 256 - hops;
  if (ipv6) {
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) != 0 ||
        setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min_ttl, sizeof(min_ttl)) != 0) {
      return Errno("IPv6 GTSM");
    }
    return absl::OkStatus();
  }
  if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min_ttl, sizeof(min_ttl)) != 0) {
    return Errno("IPv4 GTSM");
  }
  return absl::OkStatus();
}

absl::Status SetListenerTtlForGtsm(int fd, bool ipv6) {
  const int ttl = 255;
  const int rc = ipv6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl))
                      : setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
  return rc == 0 ? absl::OkStatus() : Errno("listener TTL 255 (GTSM)");
}

absl::Status SaveSyn(int fd) {
  const int on = 1;
  return setsockopt(fd, IPPROTO_TCP, TCP_SAVE_SYN, &on, sizeof(on)) == 0
             ? absl::OkStatus()
             : Errno("TCP_SAVE_SYN");
}

std::optional<int> SavedSynTtl(int fd) {
  // The network and TCP headers: at most 40 + 60 bytes for IPv6 without extension headers;
  // a larger SYN fails with ENOBUFS and counts as unknown.
  std::array<uint8_t, 512> headers;
  socklen_t len = sizeof(headers);
  if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, headers.data(), &len) != 0) {
    return std::nullopt;
  }
  return IpHeaderTtl(std::span<const uint8_t>(headers.data(), len));
}

std::optional<int> IpHeaderTtl(std::span<const uint8_t> header) {
  if (header.empty()) return std::nullopt;
  const int version = header[0] >> 4;
  if (version == 4 && header.size() >= 20) return header[8];  // RFC 791: TTL at octet 8
  if (version == 6 && header.size() >= 40) return header[7];  // RFC 8200: hop limit at 7
  return std::nullopt;
}

absl::Status ResetTtl(int fd, bool ipv6) {
  const int system_default = -1;  // ip(7), ipv6(7): -1 means the route's or sysctl's default
  const int rc =
      ipv6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &system_default,
                        sizeof(system_default))
           : setsockopt(fd, IPPROTO_IP, IP_TTL, &system_default, sizeof(system_default));
  return rc == 0 ? absl::OkStatus() : Errno("default TTL");
}

unsigned InterfaceIndex(const std::string& name) { return if_nametoindex(name.c_str()); }

}  // namespace evpnd::bgpd

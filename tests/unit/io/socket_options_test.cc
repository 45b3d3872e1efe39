// SaveSyn / SavedSynTtl against the kernel's loopback (no root needed), and the IP header parser.
#include "bgpd/io/socket_options.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "gtest/gtest.h"

namespace evpnd::bgpd {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(-1); }
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// A listener on the loopback address of `family` (port chosen by the kernel), with or without
// TCP_SAVE_SYN; a client whose packets leave with `ttl`; the accepted socket.
struct Connected {
  Fd listener{-1};
  Fd client{-1};
  Fd accepted{-1};
};

sockaddr_storage Loopback(int family, socklen_t& len) {
  sockaddr_storage ss{};
  if (family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_addr = in6addr_loopback;
    len = sizeof(sockaddr_in6);
  }
  return ss;
}

// Empty accepted socket (-1) when the family cannot be used here (no IPv6 on lo).
void Connect(Connected& c, int family, bool save_syn, int ttl) {
  c.listener.reset(socket(family, SOCK_STREAM, 0));
  c.client.reset(socket(family, SOCK_STREAM, 0));
  socklen_t len = 0;
  sockaddr_storage addr = Loopback(family, len);
  if (bind(c.listener.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) return;
  if (save_syn) {
    EXPECT_TRUE(SaveSyn(c.listener.get()).ok());
  }
  EXPECT_EQ(listen(c.listener.get(), 4), 0);
  EXPECT_EQ(getsockname(c.listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int rc = family == AF_INET
                     ? setsockopt(c.client.get(), IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl))
                     : setsockopt(c.client.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
                                  sizeof(ttl));
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(connect(c.client.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  c.accepted.reset(accept(c.listener.get(), nullptr, nullptr));
}

TEST(SavedSynTtl, ReadsTheTtlOfAnIpv4Syn) {
  Connected c;
  Connect(c, AF_INET, true, 77);
  ASSERT_GE(c.accepted.get(), 0);
  EXPECT_EQ(SavedSynTtl(c.accepted.get()), 77);
  // The kernel hands the saved SYN out once.
  EXPECT_EQ(SavedSynTtl(c.accepted.get()), std::nullopt);
}

TEST(SavedSynTtl, ReadsTheHopLimitOfAnIpv6Syn) {
  Connected c;
  Connect(c, AF_INET6, true, 99);
  if (c.accepted.get() < 0) GTEST_SKIP() << "no IPv6 loopback here";
  EXPECT_EQ(SavedSynTtl(c.accepted.get()), 99);
}

TEST(SavedSynTtl, UnknownWhenTheListenerSavedNoSyn) {
  Connected c;
  Connect(c, AF_INET, false, 255);
  ASSERT_GE(c.accepted.get(), 0);
  EXPECT_EQ(SavedSynTtl(c.accepted.get()), std::nullopt);
}

TEST(SavedSynTtl, UnknownOnASocketThatIsNotTcp) {
  Fd udp(socket(AF_INET, SOCK_DGRAM, 0));
  EXPECT_EQ(SavedSynTtl(udp.get()), std::nullopt);
  EXPECT_EQ(SavedSynTtl(-1), std::nullopt);
}

TEST(IpHeaderTtl, ReadsIpv4AndIpv6Headers) {
  std::array<uint8_t, 20> v4{};
  v4[0] = 0x45;
  v4[8] = 63;
  EXPECT_EQ(IpHeaderTtl(v4), 63);
  std::array<uint8_t, 40> v6{};
  v6[0] = 0x60;
  v6[7] = 254;
  EXPECT_EQ(IpHeaderTtl(v6), 254);
}

TEST(IpHeaderTtl, RejectsWhatIsNotAnIpHeader) {
  EXPECT_EQ(IpHeaderTtl({}), std::nullopt);
  std::array<uint8_t, 19> short_v4{};
  short_v4[0] = 0x45;
  EXPECT_EQ(IpHeaderTtl(short_v4), std::nullopt);
  std::array<uint8_t, 39> short_v6{};
  short_v6[0] = 0x60;
  EXPECT_EQ(IpHeaderTtl(short_v6), std::nullopt);
  std::array<uint8_t, 40> other{};
  other[0] = 0x50;
  EXPECT_EQ(IpHeaderTtl(other), std::nullopt);
}

}  // namespace
}  // namespace evpnd::bgpd

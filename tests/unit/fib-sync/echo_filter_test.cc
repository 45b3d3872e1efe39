// BuildEchoFilter (fib-sync/netlink/neigh_codec.h): the program runs in the kernel's own BPF
// interpreter, attached to one end of an AF_UNIX datagram pair (no root needed), and each
// netlink-shaped message sent through shows whether the filter lets it pass.
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <vector>

#include "fib-sync/netlink/neigh_codec.h"
#include "gtest/gtest.h"

namespace evpnd::fibsync {
namespace {

constexpr int kVxlan = 7;
constexpr int kOtherVxlan = 300;

// A notification as the kernel sends it: nlmsghdr, ndmsg, NDA_LLADDR.
std::vector<uint8_t> Neigh(uint16_t type, uint8_t family, int ifindex, uint8_t flags) {
  std::vector<uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = type;
  auto* ndm = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
  ndm->ndm_family = family;
  ndm->ndm_ifindex = ifindex;
  ndm->ndm_flags = flags;
  const std::array<uint8_t, 6> mac = {2, 0, 0, 0, 0, 1};
  mnl_attr_put(nlh, NDA_LLADDR, mac.size(), mac.data());
  buf.resize(nlh->nlmsg_len);
  return buf;
}

std::vector<uint8_t> Link(int ifindex) {
  std::vector<uint8_t> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWLINK;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_index = ifindex;
  ifi->ifi_flags = NTF_EXT_LEARNED;  // the same byte as ndm_flags would be, and harmless
  buf.resize(nlh->nlmsg_len);
  return buf;
}

class EchoFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, fds_), 0);
    const std::vector<int> vxlans = {kVxlan, kOtherVxlan};
    program_ = BuildEchoFilter(vxlans);
    ASSERT_FALSE(program_.empty());
    const sock_fprog fprog{static_cast<unsigned short>(program_.size()), program_.data()};
    ASSERT_EQ(setsockopt(fds_[1], SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)), 0);
  }
  void TearDown() override {
    close(fds_[0]);
    close(fds_[1]);
  }

  // Whether `message` reaches the filtered end (a marker follows it, which always passes).
  bool Passes(const std::vector<uint8_t>& message) {
    const std::vector<uint8_t> marker = Link(1);
    EXPECT_EQ(send(fds_[0], message.data(), message.size(), 0),
              static_cast<ssize_t>(message.size()));
    EXPECT_EQ(send(fds_[0], marker.data(), marker.size(), 0), static_cast<ssize_t>(marker.size()));
    std::vector<uint8_t> got(4096);
    const ssize_t n = recv(fds_[1], got.data(), got.size(), 0);
    EXPECT_GT(n, 0);
    got.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (got == marker) return false;
    EXPECT_EQ(got, message);
    const ssize_t m = recv(fds_[1], got.data(), got.size(), MSG_DONTWAIT);  // the marker
    EXPECT_EQ(m, static_cast<ssize_t>(marker.size()));
    return true;
  }

  int fds_[2] = {-1, -1};
  std::vector<sock_filter> program_;
};

TEST_F(EchoFilterTest, DropsExternLearnedNewEntriesOnTheVxlanDevices) {
  EXPECT_FALSE(Passes(Neigh(RTM_NEWNEIGH, AF_BRIDGE, kVxlan, NTF_SELF | NTF_EXT_LEARNED)));
  EXPECT_FALSE(Passes(Neigh(RTM_NEWNEIGH, AF_BRIDGE, kVxlan, NTF_MASTER | NTF_EXT_LEARNED)));
  EXPECT_FALSE(Passes(Neigh(RTM_NEWNEIGH, AF_BRIDGE, kOtherVxlan, NTF_SELF | NTF_EXT_LEARNED)));
}

TEST_F(EchoFilterTest, LetsEverythingElsePass) {
  // A delete of our entry (someone removed it), an entry without extern_learn (an operator's or
  // the bridge's learning), another port, another family, another message type.
  EXPECT_TRUE(Passes(Neigh(RTM_DELNEIGH, AF_BRIDGE, kVxlan, NTF_SELF | NTF_EXT_LEARNED)));
  EXPECT_TRUE(Passes(Neigh(RTM_NEWNEIGH, AF_BRIDGE, kVxlan, NTF_SELF)));
  EXPECT_TRUE(Passes(Neigh(RTM_NEWNEIGH, AF_BRIDGE, kVxlan, NTF_MASTER)));
  EXPECT_TRUE(Passes(Neigh(RTM_NEWNEIGH, AF_BRIDGE, 8, NTF_MASTER | NTF_EXT_LEARNED)));
  EXPECT_TRUE(Passes(Neigh(RTM_NEWNEIGH, AF_INET, kVxlan, NTF_EXT_LEARNED)));
  EXPECT_TRUE(Passes(Link(kVxlan)));
}

TEST(BuildEchoFilter, NoProgramWithoutDevicesOrBeyondTheKernelsLimit) {
  EXPECT_TRUE(BuildEchoFilter({}).empty());
  // 11 instructions and two per device, at most BPF_MAXINSNS (4096).
  std::vector<int> many(2042);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<int>(i + 1);
  EXPECT_EQ(BuildEchoFilter(many).size(), 4095u);
  many.push_back(5000);
  many.push_back(5001);
  EXPECT_TRUE(BuildEchoFilter(many).empty());
}

}  // namespace
}  // namespace evpnd::fibsync

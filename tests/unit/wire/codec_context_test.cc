// CodecContext: family names and the ADD-PATH lookup (RFC 7911 is negotiated per AFI/SAFI).
#include "bgpd/wire/codec_context.h"

#include "gtest/gtest.h"

namespace evpnd::wire {
namespace {

TEST(CodecContextTest, FamilyNames) {
  EXPECT_EQ(AfiSafiName(kL2vpnEvpn), "l2vpn-evpn");
  EXPECT_EQ(AfiSafiName(kIpv4Unicast), "ipv4-unicast");
  EXPECT_EQ(AfiSafiName(kIpv6Unicast), "ipv6-unicast");
  EXPECT_EQ(AfiSafiName(AfiSafi{1, 128}), "afi-1-safi-128");
}

TEST(CodecContextTest, AddPathIsPerFamily) {
  CodecContext ctx;
  EXPECT_FALSE(ctx.HasAddPath(kL2vpnEvpn));
  ctx.add_path.push_back(kL2vpnEvpn);
  EXPECT_TRUE(ctx.HasAddPath(kL2vpnEvpn));
  EXPECT_FALSE(ctx.HasAddPath(kIpv4Unicast));
}

}  // namespace
}  // namespace evpnd::wire

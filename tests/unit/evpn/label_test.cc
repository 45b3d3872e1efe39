// The 24-bit EVPN label field read as a VXLAN VNI (RFC 8365 §5.1.3) and as an MPLS label with
// its bottom-of-stack bit (RFC 7432 §7.2, RFC 3032).
#include "evpn/label.h"

#include "gtest/gtest.h"

namespace evpnd::evpn {
namespace {

TEST(LabelTest, VniUsesAllTwentyFourBits) {
  Label l = Label::FromVni(0xabcdef);
  EXPECT_EQ(l.raw, 0xabcdefu);
  EXPECT_EQ(l.vni(), 0xabcdefu);
  EXPECT_EQ(Label::FromVni(0x1abcdef).vni(), 0xabcdefu);  // above 2^24 is cut to 24 bits
}

TEST(LabelTest, MplsLabelSitsInTheTopTwentyBits) {
  Label l = Label::FromMpls(16, /*bottom_of_stack=*/true);
  EXPECT_EQ(l.raw, 0x000101u);
  EXPECT_EQ(l.mpls_label(), 16u);
  EXPECT_TRUE(l.bottom_of_stack());
  EXPECT_FALSE(Label::FromMpls(16, false).bottom_of_stack());
  EXPECT_EQ(Label::FromMpls(0xfffff).mpls_label(), 0xfffffu);
}

}  // namespace
}  // namespace evpnd::evpn

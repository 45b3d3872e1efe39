// See codec_context.h.
#include "bgpd/wire/codec_context.h"

#include "absl/strings/str_cat.h"

namespace evpnd::wire {

std::string AfiSafiName(AfiSafi family) {
  if (family == kL2vpnEvpn) return "l2vpn-evpn";
  if (family == kIpv4Unicast) return "ipv4-unicast";
  if (family == kIpv6Unicast) return "ipv6-unicast";
  return absl::StrCat("afi-", family.afi, "-safi-", family.safi);
}

}  // namespace evpnd::wire

// The key the RIB files a route under: the fields of the NLRI that name the route, without those
// that describe it. Two announcements with the same key from one peer replace each other; paths
// with the same key from different peers compete in the decision process. The Route
// Distinguisher is always part of the key, so the Loc-RIB is RD-keyed: the same MAC behind two
// PEs (different RDs) is two routes, and MAC mobility picks between them later, per MAC-VRF.
//
// Per route type (RFC 7432 §7.1-7.4, RFC 9136 §3.2):
//   1 Ethernet A-D           RD, ESI, Ethernet Tag ID                (MPLS Label is an attribute)
//   2 MAC/IP Advertisement   RD, Ethernet Tag ID, MAC, IP            (ESI, Label1, Label2 are not)
//   3 Inclusive Multicast    RD, Ethernet Tag ID, Originating Router's IP
//   4 Ethernet Segment       RD, ESI, Originating Router's IP
//   5 IP Prefix              RD, Ethernet Tag ID, IP prefix length, IP prefix
//                            (ESI, GW IP Address and MPLS Label are not)
//   unknown types            the whole value
// IPv4 and IPv6 unicast keys are the prefix: its length, then the address with the bits past
// the length cleared (RFC 4271 §4.3: "trailing bits ... are irrelevant").
// The key is held as a family plus a canonical byte string, so it orders (deterministic walks
// and UPDATE packing), hashes and compares cheaply.
// Standards: RFC 7432 §7.1, §7.2, §7.3, §7.4, RFC 9136 §3.2, RFC 4271 §3.1 (route = NLRI + path),
// §4.3 (prefix NLRI), RFC 4760 §5.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <utility>

#include "bgpd/wire/codec_context.h"
#include "evpn/evpn_route.h"

namespace evpnd::rib {

class RouteKey {
 public:
  RouteKey() = default;
  // The key of an EVPN route (AFI 25 / SAFI 70).
  static RouteKey ForEvpn(const evpn::EvpnRoute& route);
  // The key of an IPv4 or IPv6 unicast prefix; the family follows the address.
  static RouteKey ForPrefix(const evpn::IpPrefix& prefix);

  wire::AfiSafi family() const { return family_; }
  // The EVPN route type (first byte of the key); 0 for other families.
  uint8_t route_type() const;
  // The route with its key fields only (labels, ESI or gateway zero where they are not key).
  // Only for EVPN keys; unknown route types come back with their whole value.
  evpn::EvpnRoute ToEvpnRoute() const;
  // The prefix of a unicast key (trailing bits cleared); only for IPv4/IPv6 unicast keys.
  evpn::IpPrefix ToPrefix() const;
  // "l2vpn-evpn 192.0.2.1:100 [2]:[0]:[48]:[52:54:00:00:00:01]" or "ipv4-unicast 10.0.0.0/24",
  // for logs and the API.
  std::string ToString() const;
  // The canonical key bytes.
  const std::string& bytes() const { return bytes_; }

  friend auto operator<=>(const RouteKey&, const RouteKey&) = default;
  friend bool operator==(const RouteKey&, const RouteKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const RouteKey& key) {
    return H::combine(std::move(h), key.family_.afi, key.family_.safi, key.bytes_);
  }

 private:
  RouteKey(wire::AfiSafi family, std::string bytes) : family_(family), bytes_(std::move(bytes)) {}

  wire::AfiSafi family_;
  std::string bytes_;
};

}  // namespace evpnd::rib

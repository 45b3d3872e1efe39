// Test helpers for the rib unit tests: route, attribute, peer and UPDATE builders, and a decoder
// for what the Adj-RIB-Out sends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgpd/wire/message.h"
#include "bgpd/wire/update_message.h"
#include "evpn/evpn_route.h"
#include "gtest/gtest.h"
#include "rib/adj_rib_out.h"
#include "rib/peer.h"
#include "rib/rib.h"

namespace evpnd::rib::test {

constexpr uint32_t kLocalAs = 65000;

inline evpn::IpAddress Ip(const char* text) { return *evpn::IpAddress::Parse(text); }
inline uint32_t Ip4(const char* text) { return Ip(text).v4_host_order(); }
inline evpn::RouteDistinguisher Rd(const char* text) {
  return *evpn::RouteDistinguisher::Parse(text);
}

// A type-2 route: MAC 02:00:00:xx:xx:xx from `n`, in RD `rd`.
inline evpn::MacIpAdvertisementRoute Type2(uint32_t n, const char* rd = "192.0.2.1:100",
                                           uint32_t vni = 10100) {
  evpn::MacIpAdvertisementRoute r;
  r.rd = Rd(rd);
  r.mac.bytes = {0x02,
                 0x00,
                 0x00,
                 static_cast<uint8_t>(n >> 16),
                 static_cast<uint8_t>(n >> 8),
                 static_cast<uint8_t>(n)};
  r.label1 = evpn::Label::FromVni(vni);
  return r;
}

inline evpn::InclusiveMulticastEthernetTagRoute Type3(const char* rd, const char* vtep) {
  return {Rd(rd), 0, Ip(vtep)};
}

inline wire::AsPath Seq(std::vector<uint32_t> asns) {
  return wire::AsPath{{{wire::AsPathSegment::kAsSequence, std::move(asns)}}};
}

// Attributes of an EVPN announcement: ORIGIN IGP, the AS_PATH given, next hop `vtep`.
inline wire::PathAttributes Attrs(const char* vtep, std::vector<uint32_t> as_path = {}) {
  wire::PathAttributes a;
  a.origin = wire::Origin::kIgp;
  a.as_path = as_path.empty() ? wire::AsPath{} : Seq(std::move(as_path));
  wire::MpReachNlri reach;
  reach.family = wire::kL2vpnEvpn;
  reach.SetNextHop(Ip(vtep));
  a.mp_reach = reach;
  a.extended_communities =
      std::vector<evpn::ExtendedCommunity>{evpn::RouteTarget::ForVni(kLocalAs, 10100)};
  return a;
}

inline wire::UpdateMessage Announce(wire::PathAttributes attrs,
                                    std::vector<evpn::EvpnRoute> routes) {
  wire::UpdateMessage u;
  u.attributes = std::move(attrs);
  for (auto& r : routes) u.attributes.mp_reach->evpn_routes.push_back({std::nullopt, r});
  return u;
}

inline wire::UpdateMessage Withdraw(std::vector<evpn::EvpnRoute> routes) {
  wire::UpdateMessage u;
  u.attributes.mp_unreach = wire::MpUnreachNlri{wire::kL2vpnEvpn, {}, {}, {}};
  for (auto& r : routes) u.attributes.mp_unreach->evpn_routes.push_back({std::nullopt, r});
  return u;
}

inline RibConfig Config() {
  RibConfig c;
  c.local_as = kLocalAs;
  c.router_id = Ip4("10.0.0.100");
  c.cluster_id = Ip4("10.0.0.100");
  return c;
}

// An iBGP peer 10.0.0.<id> with router id 10.0.0.<id>.
inline PeerInfo Ibgp(PeerId id, bool rr_client = false) {
  PeerInfo p;
  p.id = id;
  const std::string addr = "10.0.0." + std::to_string(id);
  p.address = Ip(addr.c_str());
  p.router_id = Ip4(addr.c_str());
  p.local_address = Ip("10.0.0.100");
  p.peer_as = kLocalAs;
  p.local_as = kLocalAs;
  p.route_reflector_client = rr_client;
  return p;
}

// An eBGP peer 10.1.0.<id> in AS `as`.
inline PeerInfo Ebgp(PeerId id, uint32_t as, bool next_hop_unchanged = false) {
  PeerInfo p = Ibgp(id);
  const std::string addr = "10.1.0." + std::to_string(id);
  p.address = Ip(addr.c_str());
  p.router_id = Ip4(addr.c_str());
  p.local_address = Ip("10.1.0.100");
  p.peer_as = as;
  p.next_hop_unchanged = next_hop_unchanged;
  return p;
}

// Decodes one UPDATE the Adj-RIB-Out produced; fails the test if it does not decode cleanly.
inline wire::UpdateMessage Decode(const OutboundUpdate& u, const wire::CodecContext& ctx = {}) {
  auto outcome = wire::DecodeMessage(*u.message, ctx);
  EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.strongest()->message);
  const auto* update = std::get_if<wire::UpdateMessage>(&outcome.value);
  EXPECT_NE(update, nullptr);
  return update == nullptr ? wire::UpdateMessage{} : *update;
}

}  // namespace evpnd::rib::test

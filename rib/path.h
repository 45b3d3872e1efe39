// A path: one route as one peer (or the local speaker) announced it. It carries the NLRI's
// fields that its key leaves out (labels, ESI, gateway: NlriRest; the key, held by the Loc-RIB,
// has the others, so the NLRI as received is the two together), the interned path attributes,
// where it came from (for the decision process and the outbound rules), and whether it is stale
// after the peer's restart. Paths are immutable once filed (PathPtr): a change files
// a new Path, so the Loc-RIB's installed best stays valid until the next decision.
// NOTE: Memory and threading: a Loc-RIB of a million routes holds a million paths, so a path is
// kept small: its count of references is inside it (boost::intrusive_ptr, a pointer of 8 bytes
// and no separate control block) and is not atomic, and the facts about its sender are shared by
// all the paths of one session (PathSourcePtr). Paths and sources are only touched on the core
// thread, like everything in rib/.
// Standards: RFC 4271 §3.1 (route), §9.1.2.2 (what the decision process reads), RFC 4456 §9
// (ORIGINATOR_ID as BGP Identifier), RFC 4724 §4.2 (stale routes), RFC 7911 §3 (path id).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "boost/smart_ptr/intrusive_ptr.hpp"
#include "boost/smart_ptr/intrusive_ref_counter.hpp"
#include "bgpd/wire/path_attributes.h"
#include "evpn/evpn_route.h"
#include "evpn/ip_address.h"
#include "rib/peer.h"
#include "rib/route_key.h"

namespace evpnd::rib {

// A base that counts references for boost::intrusive_ptr, without atomics (core thread only); a
// copy of the object starts with no references.
template <typename T>
using CoreRefCounted = boost::intrusive_ref_counter<T, boost::thread_unsafe_counter>;

// Interned, immutable path attributes (see attribute_interner.h): MP_REACH_NLRI keeps its
// family and next hop but no NLRI; MP_UNREACH_NLRI is never present. IPv4 unicast paths carry
// their next hop in NEXT_HOP and no MP_REACH_NLRI; the other families carry it in MP_REACH_NLRI
// and no NEXT_HOP (RFC 4760 §3: ignored when only MP NLRI are present). Counted in place, like
// paths: a pointer to them is 8 bytes.
struct InternedAttributes : wire::PathAttributes, CoreRefCounted<InternedAttributes> {
  explicit InternedAttributes(wire::PathAttributes attributes)
      : wire::PathAttributes(std::move(attributes)) {}
};
using PathAttributesPtr = boost::intrusive_ptr<const InternedAttributes>;
// A shared copy of `attributes`, not interned (tests, and what the interner stores).
PathAttributesPtr ShareAttributes(wire::PathAttributes attributes);

struct PathSource;
using PathSourcePtr = boost::intrusive_ptr<const PathSource>;

// Where a path came from: the facts about the sending peer the decision process and the
// outbound rules need, taken when the session is added, and shared by the paths it sends.
struct PathSource : CoreRefCounted<PathSource> {
  PeerId peer = kLocalPeer;
  bool ebgp = false;
  // RFC 4456 §2: learned from a route-reflector client.
  bool rr_client = false;
  // The peer's BGP Identifier (ours for local paths).
  uint32_t router_id = 0;
  uint32_t peer_as = 0;
  evpn::IpAddress address;

  bool local() const { return peer == kLocalPeer; }
  static PathSourcePtr Local(const RibConfig& config);
  static PathSourcePtr From(const PeerInfo& peer);
  // The same facts (the reference count aside).
  friend bool operator==(const PathSource& a, const PathSource& b);
};

// A shared copy of `source`.
PathSourcePtr Share(const PathSource& source);

// The NLRI of a route: EVPN (AFI 25 / SAFI 70), or an IPv4/IPv6 unicast prefix (the family
// follows the address).
using RouteNlri = std::variant<evpn::EvpnRoute, evpn::IpPrefix>;
wire::AfiSafi FamilyOf(const RouteNlri& nlri);
// The key of an NLRI (route_key.h).
RouteKey KeyOf(const RouteNlri& nlri);

// The fields of an NLRI that are not part of its key (route_key.h): MPLS labels, ESI and
// gateway, by route type (1: label; 2: ESI, label1, label2; 5: ESI, gateway, label; other types
// and unicast prefixes have none). With the key, they give back the NLRI as announced (a unicast
// prefix comes back with the bits past its length cleared, which RFC 4271 §4.3 calls
// irrelevant). 31 bytes where the NLRI is 80, and the key is not stored twice.
class NlriRest {
 public:
  NlriRest() = default;
  static NlriRest Of(const RouteNlri& nlri);
  // The NLRI whose key is `key` and whose other fields are these.
  RouteNlri With(const RouteKey& key) const;
  friend bool operator==(const NlriRest&, const NlriRest&) = default;

 private:
  // Laid out by route type (path.cc); unused bytes are zero, so equal fields compare equal.
  std::array<uint8_t, 30> bytes_{};
  uint8_t flags_ = 0;
};

// The next hop `attributes` give their NLRI: MP_REACH_NLRI's (first, global) address when
// present, else NEXT_HOP.
std::optional<evpn::IpAddress> NextHopOf(const wire::PathAttributes& attributes);

struct Path : CoreRefCounted<Path> {
  // RFC 7911 path identifier; 0 without ADD-PATH.
  uint32_t path_id = 0;
  // Never null in a filed path.
  PathSourcePtr source;
  // RFC 4724 §4.2: kept through the peer's restart, until refreshed or swept.
  bool stale = false;
  // The NLRI as announced, but for its key: see Nlri().
  NlriRest nlri_rest;
  PathAttributesPtr attributes;

  // The NLRI as announced: `key` is the key the path is filed under.
  RouteNlri Nlri(const RouteKey& key) const { return nlri_rest.With(key); }
  // The next hop: MP_REACH_NLRI's (first, global) address, the VTEP of an EVPN route; NEXT_HOP
  // for IPv4 unicast.
  std::optional<evpn::IpAddress> NextHop() const;
};

using PathPtr = boost::intrusive_ptr<const Path>;
// A filed copy of `path`.
PathPtr File(Path path);

// True when both, filed under one key, would be advertised identically: same source and path
// id, same attributes (interned, so compared by pointer) and same NLRI. The stale flag does not
// count.
bool SameAdvertisement(const Path& a, const Path& b);

}  // namespace evpnd::rib

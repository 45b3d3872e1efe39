// The intern table of path attributes: identical attribute sets are stored once and shared by
// every path that carries them, so 100k MAC routes behind one VTEP hold one copy. What is
// interned is the attributes without their per-UPDATE parts: MP_REACH_NLRI keeps family, next
// hop and reserved byte but loses its NLRI, MP_UNREACH_NLRI is dropped, and the received layout
// (order and flags, kept by the codec for byte-exact re-encoding) is cleared.
//
// NOTE:
//   Ownership: the table holds one reference per entry; CollectGarbage() drops entries nobody
//     else holds. Intern() runs it when the table has doubled since the last collection.
//   Performance: one canonical encoding per Intern() call, to hash; callers intern once per
//     UPDATE (inbound) or once per distinct attribute set and policy (outbound), not per NLRI.
// Standards: RFC 4271 §4.3 (path attributes), RFC 4760 §3-4 (MP_REACH_NLRI / MP_UNREACH_NLRI).
#pragma once

#include <cstddef>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "bgpd/wire/path_attributes.h"
#include "rib/path.h"

namespace evpnd::rib {

class AttributeInterner {
 public:
  // The shared copy of `attributes`, stripped of NLRI and layout as described above.
  PathAttributesPtr Intern(wire::PathAttributes attributes);
  // Drops entries no path references any more; returns how many.
  size_t CollectGarbage();
  // Distinct attribute sets held (including unreferenced ones not yet collected).
  size_t size() const { return size_; }

 private:
  absl::flat_hash_map<size_t, std::vector<PathAttributesPtr>> buckets_;
  size_t size_ = 0;
  size_t collect_at_ = 1024;
};

// `attributes` with the NLRI of MP_REACH_NLRI removed, MP_UNREACH_NLRI dropped and the layout
// cleared: what Intern() stores.
wire::PathAttributes StripNlri(wire::PathAttributes attributes);

}  // namespace evpnd::rib

// See as4_path.h.
#include "rib/as4_path.h"

#include <algorithm>
#include <cstdint>

namespace evpnd::rib {
namespace {

bool IsConfederation(const wire::AsPathSegment& s) {
  return s.type == wire::AsPathSegment::kAsConfedSequence ||
         s.type == wire::AsPathSegment::kAsConfedSet;
}

bool HasFourOctetAs(const wire::AsPath& path) {
  for (const wire::AsPathSegment& s : path.segments) {
    if (IsConfederation(s)) continue;
    for (uint32_t asn : s.asns) {
      if (asn > 0xffff) return true;
    }
  }
  return false;
}

// RFC 6793 §4.2.3: "the AS path information SHALL be constructed by taking as many AS numbers
// and path segments as necessary from the leading part of the AS_PATH attribute, and then
// prepending them to the AS4_PATH attribute so that the AS path information has a number of AS
// numbers identical to that of the AS_PATH attribute."
wire::AsPath Merge(const wire::AsPath& as_path, const wire::AsPath& as4_path) {
  size_t needed = as_path.Length() - as4_path.Length();
  wire::AsPath merged;
  for (const wire::AsPathSegment& s : as_path.segments) {
    if (needed == 0 && !IsConfederation(s)) break;
    if (IsConfederation(s) || s.type == wire::AsPathSegment::kAsSet) {
      merged.segments.push_back(s);
      if (s.type == wire::AsPathSegment::kAsSet) --needed;
      continue;
    }
    const size_t take = std::min(needed, s.asns.size());
    merged.segments.push_back({s.type, {s.asns.begin(), s.asns.begin() + take}});
    needed -= take;
  }
  for (const wire::AsPathSegment& s : as4_path.segments) {
    if (!merged.segments.empty() && merged.segments.back().type == s.type &&
        s.type == wire::AsPathSegment::kAsSequence) {
      auto& asns = merged.segments.back().asns;
      asns.insert(asns.end(), s.asns.begin(), s.asns.end());
    } else {
      merged.segments.push_back(s);
    }
  }
  return merged;
}

}  // namespace

void ReconstructAs4Path(wire::PathAttributes& a, bool four_octet_session) {
  const bool use_as4 = !four_octet_session && a.as4_path.has_value() && a.as_path.has_value();
  // RFC 6793 §4.2.3: "If the AGGREGATOR attribute ... contains an AS number other than AS_TRANS,
  // then: the AS4_AGGREGATOR attribute and the AS4_PATH attribute SHALL be ignored".
  const bool aggregator_blocks = a.aggregator.has_value() && a.aggregator->asn != wire::kAsTrans;
  if (use_as4 && !aggregator_blocks) {
    // "if the number of AS numbers in the AS_PATH attribute is less than the number of AS
    // numbers in the AS4_PATH attribute, then the AS4_PATH attribute SHALL be ignored".
    if (a.as_path->Length() >= a.as4_path->Length()) {
      a.as_path = Merge(*a.as_path, *a.as4_path);
    }
    if (a.as4_aggregator.has_value() && a.aggregator.has_value()) {
      a.aggregator = a.as4_aggregator;
    }
  }
  // RFC 6793 §6 / §4.1: between NEW speakers the AS4 attributes have no meaning; after the
  // merge above the RIB no longer needs them either.
  a.as4_path.reset();
  a.as4_aggregator.reset();
}

void PrepareAs4Path(wire::PathAttributes& a, bool four_octet_session) {
  a.as4_path.reset();
  a.as4_aggregator.reset();
  if (four_octet_session) return;
  // RFC 6793 §4.2.2: towards an OLD speaker, AS path information that holds 4-octet AS numbers
  // also travels in AS4_PATH (AS_PATH then carries AS_TRANS in their place). Confederation
  // segments stay out of AS4_PATH.
  if (a.as_path.has_value() && HasFourOctetAs(*a.as_path)) {
    wire::AsPath as4;
    for (const wire::AsPathSegment& s : a.as_path->segments) {
      if (!IsConfederation(s)) as4.segments.push_back(s);
    }
    a.as4_path = std::move(as4);
  }
  // RFC 6793 §4.2.2: likewise AS4_AGGREGATOR when the aggregating AS is a 4-octet one.
  if (a.aggregator.has_value() && a.aggregator->asn > 0xffff) a.as4_aggregator = a.aggregator;
}

}  // namespace evpnd::rib

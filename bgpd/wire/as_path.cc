// See as_path.h.
#include "bgpd/wire/as_path.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace evpnd::wire {

size_t AsPath::Length() const {
  size_t length = 0;
  for (const AsPathSegment& s : segments) {
    if (s.type == AsPathSegment::kAsSequence) length += s.asns.size();
    if (s.type == AsPathSegment::kAsSet) length += 1;
  }
  return length;
}

std::string AsPath::ToString() const {
  std::vector<std::string> parts;
  for (const AsPathSegment& s : segments) {
    switch (s.type) {
      case AsPathSegment::kAsSequence:
        parts.push_back(absl::StrJoin(s.asns, " "));
        break;
      case AsPathSegment::kAsSet:
        parts.push_back(absl::StrCat("{", absl::StrJoin(s.asns, ","), "}"));
        break;
      case AsPathSegment::kAsConfedSequence:
        parts.push_back(absl::StrCat("(", absl::StrJoin(s.asns, " "), ")"));
        break;
      default:
        parts.push_back(absl::StrCat("[", absl::StrJoin(s.asns, ","), "]"));
        break;
    }
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace evpnd::wire

// AS_PATH and AS4_PATH values: a list of segments of AS numbers, always held as 4-octet numbers;
// on a 2-octet session the codec reads and writes 2-octet numbers.
// Standards: RFC 4271 §4.3 and §9.1.2.2 (path length), RFC 5065 §3 (confederation segments),
// RFC 6793 §4 (AS4_PATH, AS_TRANS).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evpnd::wire {

inline constexpr uint32_t kAsTrans = 23456;  // RFC 6793 §9

struct AsPathSegment {
  enum Type : uint8_t {
    kAsSet = 1,
    kAsSequence = 2,
    kAsConfedSequence = 3,  // RFC 5065
    kAsConfedSet = 4,       // RFC 5065
  };
  uint8_t type = kAsSequence;
  std::vector<uint32_t> asns;
  friend bool operator==(const AsPathSegment&, const AsPathSegment&) = default;
};

struct AsPath {
  std::vector<AsPathSegment> segments;

  // RFC 4271 §9.1.2.2 (a): an AS_SET counts as 1; RFC 5065 §5.3: confederation segments do not
  // count.
  size_t Length() const;
  // "65001 65002 {65003,65004} (65010)", as FRR and GoBGP print it.
  std::string ToString() const;
  friend bool operator==(const AsPath&, const AsPath&) = default;
};

}  // namespace evpnd::wire

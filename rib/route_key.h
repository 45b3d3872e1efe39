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
// The key is held as a family plus a canonical byte string, inline (a Loc-RIB of a million
// routes holds several million keys: in its map, the peers' Adj-RIB-In sets and the update
// groups), so it orders (deterministic walks and UPDATE packing), hashes and compares cheaply.
// Standards: RFC 7432 §7.1, §7.2, §7.3, §7.4, RFC 9136 §3.2, RFC 4271 §3.1 (route = NLRI + path),
// §4.3 (prefix NLRI), RFC 4760 §5.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/compare.h"
#include "bgpd/wire/codec_context.h"
#include "evpn/evpn_route.h"

namespace evpnd::rib {

class RouteKey {
 public:
  RouteKey() = default;
  RouteKey(const RouteKey& other) { CopyFrom(other); }
  RouteKey(RouteKey&& other) noexcept { MoveFrom(other); }
  RouteKey& operator=(const RouteKey& other) {
    if (this != &other) {
      Release();
      CopyFrom(other);
    }
    return *this;
  }
  RouteKey& operator=(RouteKey&& other) noexcept {
    if (this != &other) {
      Release();
      MoveFrom(other);
    }
    return *this;
  }
  ~RouteKey() { Release(); }

  // The key of an EVPN route (AFI 25 / SAFI 70).
  static RouteKey ForEvpn(const evpn::EvpnRoute& route);
  // The key of an IPv4 or IPv6 unicast prefix; the family follows the address.
  static RouteKey ForPrefix(const evpn::IpPrefix& prefix);

  wire::AfiSafi family() const;
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
  std::span<const uint8_t> bytes() const {
    return size_ == kOnHeap ? std::span<const uint8_t>(*heap())
                            : std::span<const uint8_t>(inline_.data(), size_);
  }

  // Family first, then the bytes in lexicographic (unsigned) order, then the shorter first.
  friend std::strong_ordering operator<=>(const RouteKey& a, const RouteKey& b) {
    if (auto c = a.family_ <=> b.family_; c != 0) return c;
    if (a.size_ != kOnHeap && b.size_ != kOnHeap) {
      // The inline bytes (zero past the size) and then the size, as five big-endian words:
      // lexicographic on the bytes, then the shorter first (the family bytes are equal here).
      for (size_t i = 0; i < sizeof(RouteKey); i += 8) {
        const uint64_t x = BigEndianWord(a, i);
        const uint64_t y = BigEndianWord(b, i);
        if (x != y) return x <=> y;
      }
      return std::strong_ordering::equal;
    }
    const std::span<const uint8_t> x = a.bytes(), y = b.bytes();
    const int m = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
    if (m != 0) return m < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    return x.size() <=> y.size();
  }
  friend bool operator==(const RouteKey& a, const RouteKey& b) {
    const std::span<const uint8_t> x = a.bytes(), y = b.bytes();
    return a.family_ == b.family_ && x.size() == y.size() &&
           std::memcmp(x.data(), y.data(), x.size()) == 0;
  }
  template <typename H>
  friend H AbslHashValue(H h, const RouteKey& key) {
    const std::span<const uint8_t> b = key.bytes();
    return H::combine(H::combine_contiguous(std::move(h), b.data(), b.size()), key.family_,
                      b.size());
  }

 private:
  // Every known route type's key fits inline (the longest, a type-2 with an IPv6 address, is
  // 37 bytes), so a key is 40 bytes and allocates nothing; only unknown EVPN route types, keyed
  // by their whole value, may need the heap.
  static constexpr size_t kInlineBytes = 38;
  static constexpr uint8_t kOnHeap = 0xff;
  // The families a key has, numbered in AfiSafi order (so the order of keys follows it).
  enum class Family : uint8_t { kNone, kIpv4Unicast, kIpv6Unicast, kL2vpnEvpn };

  RouteKey(wire::AfiSafi family, std::span<const uint8_t> bytes);
  // Inline: the btree nodes move keys around on every insert and erase.
  void CopyFrom(const RouteKey& other) {
    family_ = other.family_;
    size_ = other.size_;
    inline_ = other.inline_;
    if (size_ == kOnHeap) set_heap(new std::vector<uint8_t>(*other.heap()));
  }
  void MoveFrom(RouteKey& other) noexcept {
    family_ = other.family_;
    size_ = other.size_;
    inline_ = other.inline_;
    if (size_ == kOnHeap) {
      other.size_ = 0;
      other.inline_ = {};
    }
  }
  void Release() noexcept {
    if (size_ == kOnHeap) delete heap();
    size_ = 0;
  }
  // The owned heap bytes, when size_ == kOnHeap: a pointer kept in inline_'s first bytes.
  std::vector<uint8_t>* heap() const {
    std::vector<uint8_t>* p;
    std::memcpy(&p, inline_.data(), sizeof p);
    return p;
  }
  void set_heap(std::vector<uint8_t>* p) { std::memcpy(inline_.data(), &p, sizeof p); }
  // Bytes [at, at + 8) of the key's object representation, as a big-endian word.
  static uint64_t BigEndianWord(const RouteKey& key, size_t at) {
    uint64_t w;
    std::memcpy(&w, reinterpret_cast<const uint8_t*>(&key) + at, sizeof w);
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap64(w);
    return w;
  }

  // The layout the comparison reads: inline_, then size_, then family_, 40 bytes.
  std::array<uint8_t, kInlineBytes> inline_{};
  uint8_t size_ = 0;  // bytes held in inline_, or kOnHeap
  Family family_ = Family::kNone;

  friend struct RouteKeyLayout;
};

// Checked where the members are visible: the comparison reads the key as five words.
struct RouteKeyLayout {
  static_assert(sizeof(RouteKey) == 40);
  static_assert(offsetof(RouteKey, size_) == 38);
  static_assert(offsetof(RouteKey, family_) == 39);
};

// RouteKey's order as a three-way comparison, for the btrees keyed by RouteKey: with it a lookup
// stops at the equal key instead of comparing once more (absl's "compare-to" comparators).
struct RouteKeyOrder {
  absl::weak_ordering operator()(const RouteKey& a, const RouteKey& b) const {
    const std::strong_ordering c = a <=> b;
    if (c < 0) return absl::weak_ordering::less;
    return c > 0 ? absl::weak_ordering::greater : absl::weak_ordering::equivalent;
  }
};

}  // namespace evpnd::rib

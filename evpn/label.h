// The 3-byte label field of EVPN routes. For MPLS it holds a 20-bit label, 3 EXP bits and the
// bottom-of-stack bit; for VXLAN/NVGRE the whole 24-bit field is the VNI/VSID.
// Standards: RFC 7432 §7.2 (MPLS Label1/Label2), RFC 8365 §5.1.3 (VNI in the label field).
#pragma once

#include <compare>
#include <cstdint>

namespace evpnd::evpn {

// A 24-bit VXLAN network identifier.
using Vni = uint32_t;
inline constexpr Vni kMaxVni = 0xffffff;

struct Label {
  uint32_t raw = 0;  // the 24 bits as on the wire

  // RFC 8365 §5.1.3: the VNI is encoded in the 24-bit MPLS Label1 field.
  static constexpr Label FromVni(Vni vni) { return Label{vni & 0xffffff}; }
  static constexpr Label FromMpls(uint32_t label, bool bottom_of_stack = true) {
    return Label{((label & 0xfffff) << 4) | (bottom_of_stack ? 1u : 0u)};
  }
  constexpr Vni vni() const { return raw; }
  constexpr uint32_t mpls_label() const { return raw >> 4; }
  constexpr bool bottom_of_stack() const { return (raw & 1) != 0; }

  friend auto operator<=>(const Label&, const Label&) = default;
  friend bool operator==(const Label&, const Label&) = default;
};

}  // namespace evpnd::evpn

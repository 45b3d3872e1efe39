// See utf8.h.
#include "bgpd/wire/utf8.h"

#include <cstdint>

namespace evpnd::wire {

bool IsUtf8(absl::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t i = 0; i < text.size();) {
    const uint8_t c = s[i];
    size_t more = 0;
    uint32_t code_point = 0;
    uint32_t min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      more = 1;
      code_point = c & 0x1f;
      min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      more = 2;
      code_point = c & 0x0f;
      min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      more = 3;
      code_point = c & 0x07;
      min = 0x10000;
    } else {
      return false;
    }
    if (i + more >= text.size()) return false;
    for (size_t k = 1; k <= more; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (s[i + k] & 0x3f);
    }
    if (code_point < min || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += more + 1;
  }
  return true;
}

}  // namespace evpnd::wire

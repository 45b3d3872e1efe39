// Test helper: bytes from hex written the way RFC figures and packet dumps show them
// ("ff ff 00 13 04"); anything that is not a hex digit separates, and an odd digit count fails
// the test.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace evpnd::test {

inline std::vector<uint8_t> Hex(const std::string& text) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char c : text) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  EXPECT_EQ(hi, -1) << "odd number of hex digits in: " << text;
  return out;
}

}  // namespace evpnd::test

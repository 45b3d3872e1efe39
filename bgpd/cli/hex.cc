// See hex.h.
#include "bgpd/cli/hex.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace evpnd::cli {

absl::StatusOr<std::vector<uint8_t>> ParseHex(absl::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == ':' || c == '\t' || c == '\r' || c == '\n' || c == '-') continue;
    if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      ++i;
      continue;
    }
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", std::string(1, c), "' at position ", i, " is not a hex digit"));
    }
    digits.push_back(c);
  }
  if (digits.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("odd number of hex digits (", digits.size(), ")"));
  }
  std::string bytes = absl::HexStringToBytes(digits);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::string ToHex(std::span<const uint8_t> bytes) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace evpnd::cli

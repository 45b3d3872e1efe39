// Linux interface names as the configuration accepts them: what the kernel's dev_valid_name()
// accepts (at most IFNAMSIZ - 1 = 15 bytes; no '/', ':' or white space; not "." or ".."; other
// bytes, UTF-8 included, are fine).
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace evpnd::bgpd {

inline constexpr size_t kMaxInterfaceName = 15;

// Why `name` is not a Linux interface name, or nullopt if it is one.
inline std::optional<std::string> InterfaceNameProblem(absl::string_view name) {
  const bool bad_char = std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || c == ':' || u <= ' ' || u == 0x7f;
  });
  if (name.empty() || name.size() > kMaxInterfaceName || bad_char || name == "." || name == "..") {
    return absl::StrCat("\"", name, "\" is not a Linux interface name (at most ", kMaxInterfaceName,
                        " characters, no '/', ':' or spaces)");
  }
  return std::nullopt;
}

}  // namespace evpnd::bgpd

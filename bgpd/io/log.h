// The logging facade: spdlog, with evpnd's logger. Statements below the active level cost a
// level check only; arguments that are expensive to build must be guarded with ShouldLog().
#pragma once

#include <spdlog/spdlog.h>

#include "absl/strings/string_view.h"

// Debian's Abseil has its own absl::string_view, which fmt does not know: print it as text.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename Context>
  auto format(absl::string_view s, Context& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s.data(), s.size()), ctx);
  }
};

namespace evpnd::log {

inline bool ShouldLog(spdlog::level::level_enum level) { return spdlog::should_log(level); }

}  // namespace evpnd::log

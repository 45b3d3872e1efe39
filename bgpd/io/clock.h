// The core's clock: monotonic time as an absl::Time, so that wall-clock steps (NTP, VM resume)
// never fire or starve protocol timers. Pure modules take this value as a parameter; only the
// shell reads it. Times from it are not dates: to show one, subtract it from MonotonicNow() and
// from absl::Now().
#pragma once

#include <chrono>

#include "absl/time/time.h"

namespace evpnd::bgpd {

inline absl::Time MonotonicNow() {
  return absl::FromUnixNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count());
}

}  // namespace evpnd::bgpd

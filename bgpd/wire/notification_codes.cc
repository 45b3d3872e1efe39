// See notification_codes.h.
#include "bgpd/wire/notification_codes.h"

#include <array>

namespace evpnd::wire {
namespace {

template <size_t N>
absl::string_view Lookup(const std::array<absl::string_view, N>& names, uint8_t i) {
  return i < N && !names[i].empty() ? names[i] : "unknown";
}

constexpr std::array<absl::string_view, 8> kCodesNames = {
    "",        "message-header-error", "open-message-error", "update-message-error",
    "hold-timer-expired", "fsm-error", "cease", "route-refresh-message-error"};
constexpr std::array<absl::string_view, 4> kHeaderNames = {
    "unspecific", "connection-not-synchronized", "bad-message-length", "bad-message-type"};
constexpr std::array<absl::string_view, 12> kOpenNames = {
    "unspecific", "unsupported-version-number", "bad-peer-as", "bad-bgp-identifier",
    "unsupported-optional-parameter", "authentication-failure", "unacceptable-hold-time",
    "unsupported-capability", "", "", "", "role-mismatch"};
constexpr std::array<absl::string_view, 12> kUpdateNames = {
    "unspecific", "malformed-attribute-list", "unrecognized-well-known-attribute",
    "missing-well-known-attribute", "attribute-flags-error", "attribute-length-error",
    "invalid-origin-attribute", "as-routing-loop", "invalid-next-hop-attribute",
    "optional-attribute-error", "invalid-network-field", "malformed-as-path"};
constexpr std::array<absl::string_view, 4> kFsmNames = {
    "unspecified", "unexpected-message-in-open-sent", "unexpected-message-in-open-confirm",
    "unexpected-message-in-established"};
constexpr std::array<absl::string_view, 11> kCeaseNames = {
    "unspecific", "maximum-number-of-prefixes-reached", "administrative-shutdown",
    "peer-de-configured", "administrative-reset", "connection-rejected",
    "other-configuration-change", "connection-collision-resolution", "out-of-resources",
    "hard-reset", "bfd-down"};
constexpr std::array<absl::string_view, 2> kRefreshNames = {"unspecific", "invalid-message-length"};

}  // namespace

absl::string_view ErrorCodeName(uint8_t code) { return Lookup(kCodesNames, code); }

absl::string_view ErrorSubcodeName(uint8_t code, uint8_t subcode) {
  switch (code) {
    case kMessageHeaderError:
      return Lookup(kHeaderNames, subcode);
    case kOpenMessageError:
      return Lookup(kOpenNames, subcode);
    case kUpdateMessageError:
      return Lookup(kUpdateNames, subcode);
    case kFsmError:
      return Lookup(kFsmNames, subcode);
    case kCease:
      return Lookup(kCeaseNames, subcode);
    case kRouteRefreshMessageError:
      return Lookup(kRefreshNames, subcode);
    default:
      return subcode == 0 ? "unspecific" : "unknown";
  }
}

}  // namespace evpnd::wire

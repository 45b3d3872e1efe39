// The result of decoding wire bytes: the value plus every error found, each with the reaction
// the standards prescribe. Actions form a lattice; the strongest one decides what the session
// does with the message.
// Standards: RFC 7606 §2 (approaches: attribute discard, treat-as-withdraw, AFI/SAFI disable,
// session reset), RFC 4271 §6 (NOTIFICATION code, subcode and data), RFC 4760 §7.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "bgpd/wire/codec_context.h"

namespace evpnd::wire {

// Ordered weakest to strongest.
enum class ErrorAction : uint8_t {
  kNone = 0,
  // RFC 7606 §2: the attribute is discarded, the UPDATE otherwise processed.
  kAttributeDiscard = 1,
  // RFC 7606 §2: all NLRI of the UPDATE are handled as withdrawn.
  kTreatAsWithdraw = 2,
  // RFC 4760 §7 / RFC 7606 §2: drop all routes of the AFI/SAFI from this peer and ignore that
  // family for the rest of the session.
  kAfiSafiDisable = 3,
  // RFC 4271 §6: send the NOTIFICATION and close the session.
  kSessionReset = 4,
};

absl::string_view ErrorActionName(ErrorAction action);

struct WireError {
  ErrorAction action = ErrorAction::kNone;
  // The NOTIFICATION that RFC 4271 prescribes for this error: sent when the action is a session
  // reset (and when an AFI/SAFI disable falls back to one).
  uint8_t code = 0;
  uint8_t subcode = 0;
  std::vector<uint8_t> data;
  // The path attribute at fault, if any.
  std::optional<uint8_t> attribute_type;
  // The family concerned by kAfiSafiDisable.
  std::optional<AfiSafi> family;
  // What happened, in words a network engineer can act on.
  std::string message;
};

template <typename T>
struct DecodeOutcome {
  T value{};
  std::vector<WireError> errors;

  bool ok() const { return errors.empty(); }
  ErrorAction action() const {
    ErrorAction strongest = ErrorAction::kNone;
    for (const WireError& e : errors) {
      if (e.action > strongest) strongest = e.action;
    }
    return strongest;
  }
  // The first error with the strongest action, or nullptr.
  const WireError* strongest() const {
    const WireError* best = nullptr;
    for (const WireError& e : errors) {
      if (best == nullptr || e.action > best->action) best = &e;
    }
    return best;
  }
};

}  // namespace evpnd::wire

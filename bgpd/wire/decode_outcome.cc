// See decode_outcome.h.
#include "bgpd/wire/decode_outcome.h"

namespace evpnd::wire {

absl::string_view ErrorActionName(ErrorAction action) {
  switch (action) {
    case ErrorAction::kNone:
      return "none";
    case ErrorAction::kAttributeDiscard:
      return "attribute-discard";
    case ErrorAction::kTreatAsWithdraw:
      return "treat-as-withdraw";
    case ErrorAction::kAfiSafiDisable:
      return "afi-safi-disable";
    case ErrorAction::kSessionReset:
      return "session-reset";
  }
  return "unknown";
}

}  // namespace evpnd::wire

// NOTIFICATION error codes and subcodes with their registry names, for building NOTIFICATIONs and
// for printing received ones.
// Standards: RFC 4271 §4.5 and §6, RFC 4486 and RFC 9003 (Cease subcodes), RFC 7313 §5
// (ROUTE-REFRESH Message Error), RFC 6608 (FSM Error subcodes), RFC 5492 (Unsupported Capability).
#pragma once

#include <cstdint>
#include "absl/strings/string_view.h"

namespace evpnd::wire {

enum ErrorCode : uint8_t {
  kMessageHeaderError = 1,
  kOpenMessageError = 2,
  kUpdateMessageError = 3,
  kHoldTimerExpired = 4,
  kFsmError = 5,
  kCease = 6,
  kRouteRefreshMessageError = 7,
};

// RFC 4271 §6.1.
enum HeaderSubcode : uint8_t {
  kConnectionNotSynchronized = 1,
  kBadMessageLength = 2,
  kBadMessageType = 3,
};

// RFC 4271 §6.2, RFC 5492 §5.
enum OpenSubcode : uint8_t {
  kOpenUnspecific = 0,
  kUnsupportedVersionNumber = 1,
  kBadPeerAs = 2,
  kBadBgpIdentifier = 3,
  kUnsupportedOptionalParameter = 4,
  kUnacceptableHoldTime = 6,
  kUnsupportedCapability = 7,
};

// RFC 4271 §6.3.
enum UpdateSubcode : uint8_t {
  kMalformedAttributeList = 1,
  kUnrecognizedWellKnownAttribute = 2,
  kMissingWellKnownAttribute = 3,
  kAttributeFlagsError = 4,
  kAttributeLengthError = 5,
  kInvalidOriginAttribute = 6,
  kInvalidNextHopAttribute = 8,
  kOptionalAttributeError = 9,
  kInvalidNetworkField = 10,
  kMalformedAsPath = 11,
};

// RFC 4486, RFC 9003.
enum CeaseSubcode : uint8_t {
  kMaximumPrefixesReached = 1,
  kAdministrativeShutdown = 2,
  kPeerDeConfigured = 3,
  kAdministrativeReset = 4,
  kConnectionRejected = 5,
  kOtherConfigurationChange = 6,
  kConnectionCollisionResolution = 7,
  kOutOfResources = 8,
  kHardReset = 9,
  kBfdDown = 10,
};

// RFC 7313 §5.
enum RouteRefreshSubcode : uint8_t {
  kInvalidMessageLength = 1,
};

absl::string_view ErrorCodeName(uint8_t code);
absl::string_view ErrorSubcodeName(uint8_t code, uint8_t subcode);

}  // namespace evpnd::wire

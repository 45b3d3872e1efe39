// OPEN message and its capabilities, as values.
// Standards: RFC 4271 §4.2 and §6.2, RFC 5492 (capabilities advertisement), RFC 9072 (extended
// optional parameters length), RFC 4760 §8 (multiprotocol), RFC 2918 (route refresh), RFC 7313
// (enhanced route refresh), RFC 4724 §3 (graceful restart), RFC 6793 (4-octet AS), RFC 7911 §4
// (ADD-PATH), RFC 8654 (extended message), draft-walton-bgp-hostname-capability (FQDN),
// RFC 7607 (AS 0), RFC 6286 (BGP identifier).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include "absl/strings/string_view.h"
#include <variant>
#include <vector>

#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/decode_outcome.h"
#include "bgpd/wire/wire_reader.h"

namespace evpnd::wire {

enum CapabilityCode : uint8_t {
  kCapMultiprotocol = 1,
  kCapRouteRefresh = 2,
  kCapExtendedMessage = 6,
  kCapGracefulRestart = 64,
  kCapFourOctetAs = 65,
  kCapAddPath = 69,
  kCapEnhancedRouteRefresh = 70,
  kCapFqdn = 73,
};

// RFC 4760 §8: AFI (2) | Reserved (1) | SAFI (1).
struct MultiprotocolCapability {
  AfiSafi family;
  friend bool operator==(const MultiprotocolCapability&, const MultiprotocolCapability&) = default;
};
struct RouteRefreshCapability {
  friend bool operator==(const RouteRefreshCapability&, const RouteRefreshCapability&) = default;
};
struct EnhancedRouteRefreshCapability {
  friend bool operator==(const EnhancedRouteRefreshCapability&,
                         const EnhancedRouteRefreshCapability&) = default;
};
struct ExtendedMessageCapability {
  friend bool operator==(const ExtendedMessageCapability&,
                         const ExtendedMessageCapability&) = default;
};
// RFC 4724 §3: Restart Flags (4 bits) | Restart Time (12 bits) | (AFI, SAFI, Flags)*.
struct GracefulRestartCapability {
  static constexpr uint8_t kRestartState = 0x8;      // R: the sender has restarted
  static constexpr uint8_t kNotification = 0x4;      // N: RFC 8538 graceful NOTIFICATION
  static constexpr uint8_t kForwardingState = 0x80;  // F, per family: forwarding preserved
  struct Family {
    AfiSafi family;
    uint8_t flags = 0;
    friend bool operator==(const Family&, const Family&) = default;
  };
  uint8_t restart_flags = 0;   // the 4 high bits, as a number 0-15
  uint16_t restart_time = 0;   // seconds, 12 bits
  std::vector<Family> families;
  friend bool operator==(const GracefulRestartCapability&,
                         const GracefulRestartCapability&) = default;
};
// RFC 6793 §3.
struct FourOctetAsCapability {
  uint32_t asn = 0;
  friend bool operator==(const FourOctetAsCapability&, const FourOctetAsCapability&) = default;
};
// RFC 7911 §4: (AFI, SAFI, Send/Receive)*.
struct AddPathCapability {
  static constexpr uint8_t kReceive = 1;
  static constexpr uint8_t kSend = 2;
  struct Family {
    AfiSafi family;
    uint8_t send_receive = 0;
    friend bool operator==(const Family&, const Family&) = default;
  };
  std::vector<Family> families;
  friend bool operator==(const AddPathCapability&, const AddPathCapability&) = default;
};
// Hostname capability: Hostname Length (1) | Hostname | Domain Length (1) | Domain.
struct FqdnCapability {
  std::string hostname;
  std::string domain;
  friend bool operator==(const FqdnCapability&, const FqdnCapability&) = default;
};
struct UnknownCapability {
  uint8_t code = 0;
  std::vector<uint8_t> value;
  friend bool operator==(const UnknownCapability&, const UnknownCapability&) = default;
};

using Capability =
    std::variant<MultiprotocolCapability, RouteRefreshCapability, EnhancedRouteRefreshCapability,
                 ExtendedMessageCapability, GracefulRestartCapability, FourOctetAsCapability,
                 AddPathCapability, FqdnCapability, UnknownCapability>;

uint8_t CapabilityCodeOf(const Capability& capability);
// "multiprotocol", "route-refresh", ..., "unknown".
absl::string_view CapabilityName(uint8_t code);

struct OpenMessage {
  static constexpr uint8_t kVersion = 4;
  uint8_t version = kVersion;
  uint16_t my_as = 0;  // AS_TRANS when the real AS needs 4 octets
  uint16_t hold_time = 0;
  uint32_t bgp_identifier = 0;  // host order
  std::vector<Capability> capabilities;

  // Received layout, for byte-exact re-encoding: how many capabilities each Optional Parameter
  // held, when that was not one per parameter (RFC 5492 §4 allows both), and whether the
  // RFC 9072 extended length form was used. Encoding picks RFC 9072 by itself when needed.
  std::vector<uint16_t> capabilities_per_parameter;
  bool extended_optional_parameters = false;

  template <typename T>
  const T* Find() const {
    for (const Capability& c : capabilities) {
      if (const T* t = std::get_if<T>(&c)) return t;
    }
    return nullptr;
  }
  // RFC 6793 §4: the 4-octet AS capability's AS if present, else My Autonomous System.
  uint32_t SpeakerAs() const;
  // Families from the multiprotocol capabilities.
  std::vector<AfiSafi> Families() const;
  friend bool operator==(const OpenMessage&, const OpenMessage&) = default;
};

// `body` is the message without its 19-byte header.
DecodeOutcome<OpenMessage> DecodeOpenBody(std::span<const uint8_t> body);
void EncodeOpenBody(const OpenMessage& open, WireWriter& w);

}  // namespace evpnd::wire

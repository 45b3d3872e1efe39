// Reads the `evpn` block of the configuration (proto/config.proto, message Evpn): VNIs with
// their route distinguishers and route targets, the VTEP address, declared local MACs and
// duplicate MAC detection. Every value is checked where it stands in the text; RDs and RTs are
// derived the way FRR and Arista EOS derive them when the file leaves them out.
// Standards: RFC 7432 §7.9 (RD per EVI), §15.1 (duplicate detection), §15.2 (static MACs);
// RFC 8365 §5.1.2.1 (auto-derived route targets), §5.1.3 (VNI range); RFC 4364 §4.2 (RD types).
// Internal to bgpd_config.
#pragma once

#include "bgpd/config/config.h"
#include "bgpd/config/config_locator.h"
#include "proto/config.pb.h"

namespace evpnd::bgpd::config_internal {

// `global` is read already (router ID and AS are the defaults' inputs). Problems go to
// `problems`; the result is meaningful only when none was reported.
EvpnConfig ReadEvpnConfig(const ::evpnd::config::v1::Evpn& evpn, const Locator& at,
                          const GlobalConfig& global, Problems& problems);

}  // namespace evpnd::bgpd::config_internal

// The daemon's configuration as plain values: router-wide settings and one fully resolved
// PeerConfig per neighbor (peer-group settings already merged in, defaults filled). The loader
// (config_loader.h) builds these from the text-format file described by proto/config.proto; the
// rest of the daemon sees only these structs, never protobuf types. Every struct compares with
// ==, so a reload can diff the old and new configuration peer by peer.
// Standards: RFC 4271 §4.2, §10 (BGP identifier, timers), RFC 4456 (cluster ID), RFC 4724
// (graceful restart), RFC 5082 (GTSM), RFC 2385 (TCP MD5), RFC 9003 (shutdown communication).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bgpd/wire/codec_context.h"
#include "evpn/extended_community.h"
#include "evpn/ip_address.h"
#include "evpn/label.h"
#include "evpn/mac_address.h"
#include "evpn/mac_mobility.h"
#include "evpn/route_distinguisher.h"

namespace evpnd::bgpd {

// The BGP port (RFC 4271 §8.2.1).
inline constexpr uint16_t kBgpPort = 179;

// RFC 4271 §10 timers, in seconds.
struct TimersConfig {
  // 0 or 3..65535; 0 turns keepalives and the hold timer off (RFC 4271 §4.2).
  uint16_t hold_time_s = 90;
  // Less than hold_time_s (0 when hold_time_s is 0). RFC 4271 §10 suggests a third of the hold.
  uint16_t keepalive_s = 30;
  uint32_t connect_retry_s = 5;
  friend bool operator==(const TimersConfig&, const TimersConfig&) = default;
};

struct MaxPrefixConfig {
  // 0 = no limit.
  uint32_t limit = 0;
  // At the limit, only warn instead of sending Cease/Maximum Number of Prefixes Reached.
  bool warning_only = false;
  // Reopen the session this long after closing it at the limit; 0 = wait for an operator.
  uint32_t restart_after_s = 0;
  friend bool operator==(const MaxPrefixConfig&, const MaxPrefixConfig&) = default;
};

// RFC 4724 graceful restart.
struct GracefulRestartConfig {
  bool enabled = true;
  // Advertised Restart Time: 12 bits, 0..4095.
  uint16_t restart_time_s = 120;
  // How long a restarted peer's stale routes are kept waiting for its End-of-RIB.
  uint32_t stale_routes_time_s = 360;
  // RFC 4724 §4.1: the longest wait for peers' End-of-RIB after our own restart.
  uint32_t selection_deferral_s = 360;
  friend bool operator==(const GracefulRestartConfig&, const GracefulRestartConfig&) = default;
};

// One neighbor, fully resolved: what the session layer needs, nothing left to inherit.
struct PeerConfig {
  evpn::IpAddress address;
  // The link of an IPv6 link-local address (its scope); empty for every other address.
  std::string interface;
  uint32_t remote_as = 0;
  // Only accept connections, never open one.
  bool passive = false;
  TimersConfig timers;
  // TCP MD5 key (RFC 2385), empty = none. Secret: never log or print it.
  std::string password;
  // GTSM (RFC 5082): maximum hop count 1..254; 0 = off.
  uint8_t ttl_security_hops = 0;
  // RFC 4456; only on iBGP peers.
  bool route_reflector_client = false;
  // Families to negotiate (RFC 4760), no duplicates, in configuration order.
  std::vector<wire::AfiSafi> families = {wire::kL2vpnEvpn};
  MaxPrefixConfig max_prefix;
  bool next_hop_unchanged = false;
  // Local address to connect from, same family as `address`; unset = the kernel's choice.
  std::optional<evpn::IpAddress> source_address;
  uint16_t port = kBgpPort;
  // How many times our own AS may appear in a received AS_PATH (0..10).
  uint8_t allowas_in = 0;
  // Administratively down (configured but never connected).
  bool shutdown = false;
  // RFC 9003 shutdown communication, UTF-8, at most 255 bytes.
  std::string shutdown_message;
  std::string description;
  // Name of the peer group the settings came from (empty for none); informational.
  std::string peer_group;

  friend bool operator==(const PeerConfig&, const PeerConfig&) = default;
};

// The gRPC management API.
struct ApiConfig {
  std::string unix_socket = "/run/evpnd/evpnd.sock";  // "" = no Unix socket
  std::string socket_group;                            // "" = leave the group as created
  std::string tcp_address;                             // "" = no TCP
  bool enabled() const { return !unix_socket.empty() || !tcp_address.empty(); }
  friend bool operator==(const ApiConfig&, const ApiConfig&) = default;
};

// The Prometheus endpoint (bgpd/metrics).
struct MetricsConfig {
  std::string http_address;  // as written; "" = off
  evpn::IpAddress address;   // parsed from http_address
  uint16_t port = 0;
  bool enabled() const { return !http_address.empty(); }
  friend bool operator==(const MetricsConfig&, const MetricsConfig&) = default;
};

struct GlobalConfig {
  // BGP identifier (RFC 4271 §4.2), host byte order; never 0.
  uint32_t router_id = 0;
  uint32_t local_as = 0;
  // Addresses to accept connections on; by default every IPv4 and IPv6 address.
  std::vector<evpn::IpAddress> listen_addresses = {evpn::IpAddress(), evpn::IpAddress::V6({})};
  uint16_t listen_port = kBgpPort;
  // RFC 4456 §7 cluster ID, host byte order; the loader defaults it to the router ID.
  uint32_t cluster_id = 0;
  GracefulRestartConfig graceful_restart;
  ApiConfig api;
  MetricsConfig metrics;

  friend bool operator==(const GlobalConfig&, const GlobalConfig&) = default;
};

// A MAC the operator declares local to a VNI (a host that may stay silent, or a pinned one).
struct LocalMacConfig {
  evpn::MacAddress mac;
  std::vector<evpn::IpAddress> ips;
  // RFC 7432 §15.2 static MAC: advertised sticky, never moves.
  bool sticky = false;
  friend bool operator==(const LocalMacConfig&, const LocalMacConfig&) = default;
};

// One VNI (VLAN-based service, RFC 8365 §5.1.2), RD and RTs resolved.
struct VniConfig {
  evpn::Vni vni = 0;
  evpn::RouteDistinguisher rd;
  bool rd_auto = true;  // derived as router-id:index
  std::vector<evpn::RouteTarget> import_route_targets;
  std::vector<evpn::RouteTarget> export_route_targets;
  evpn::IpAddress vtep;
  // The kernel devices fib-sync binds the VNI to; empty = found by VNI.
  std::string bridge;
  std::string vxlan_device;
  std::vector<LocalMacConfig> local_macs;
  friend bool operator==(const VniConfig&, const VniConfig&) = default;
};

struct EvpnConfig {
  evpn::DuplicateDetectionConfig duplicate_detection;
  // Program the kernel FDB and learn local MACs from it (fib-sync).
  bool kernel_fdb = true;
  // Operator-static bridge entries become sticky MACs.
  bool sticky_static_macs = false;
  // Keep EVPN routes no VNI here imports (else a VTEP that passes no route on drops them:
  // Daemon::ApplyEvpnImportFilter).
  bool retain_route_target_all = false;
  // In file order, VNIs unique.
  std::vector<VniConfig> vnis;
  friend bool operator==(const EvpnConfig&, const EvpnConfig&) = default;
};

struct Config {
  GlobalConfig global;
  // One per neighbor, addresses unique, in file order.
  std::vector<PeerConfig> peers;
  EvpnConfig evpn;

  // The peer with this address, or nullptr.
  const PeerConfig* FindPeer(const evpn::IpAddress& address) const {
    for (const PeerConfig& peer : peers) {
      if (peer.address == address) return &peer;
    }
    return nullptr;
  }

  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace evpnd::bgpd

// libFuzzer target for the configuration loader (bgpd/config/config_loader.h ParseConfigText):
// the input is the text of a configuration file, any bytes.
// Invariants: nothing crashes, hangs or reads out of bounds (ASan/UBSan); parsing is a function
// of the text (a second parse gives the same Config or the same error); an accepted Config obeys
// every rule the loader promises (config_loader.h, proto/config.proto: router ID and AS numbers,
// timers, key and message sizes, unique peers, VNIs and RDs, iBGP-only route reflection, ...);
// a rejected one says so in a non-empty InvalidArgument error; and no error message repeats a
// TCP-MD5 password: a value starting with kSecret (the seed corpus plants it; add it to a -dict)
// written right after `password` never appears in the message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bgpd/config/config.h"
#include "bgpd/config/config_loader.h"
#include "bgpd/wire/utf8.h"
#include "evpn/label.h"

namespace {

using evpnd::bgpd::Config;
using evpnd::bgpd::PeerConfig;
using evpnd::bgpd::VniConfig;

constexpr absl::string_view kFileName = "fuzz.conf";
constexpr absl::string_view kSecret = "Zq8SECRETzq";

void Require(bool condition) {
  if (!condition) std::abort();
}

bool IsUnspecified(const evpnd::evpn::IpAddress& address) {
  const auto bytes = address.bytes();
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

template <typename T>
bool Unique(const std::vector<T>& values) {
  return std::set<T>(values.begin(), values.end()).size() == values.size();
}

void CheckPeer(const PeerConfig& p, const Config& c) {
  Require(!IsUnspecified(p.address));
  Require(p.remote_as != 0 && p.remote_as != 23456);
  // RFC 4271 §4.2, §10: hold 0 (then no keepalives) or 3..65535, keepalive below it.
  if (p.timers.hold_time_s == 0) {
    Require(p.timers.keepalive_s == 0);
  } else {
    Require(p.timers.hold_time_s >= 3);
    Require(p.timers.keepalive_s >= 1 && p.timers.keepalive_s < p.timers.hold_time_s);
  }
  Require(p.timers.connect_retry_s >= 1);
  Require(p.password.size() <= 80);
  Require(p.ttl_security_hops <= 254);
  Require(p.allowas_in <= 10);
  Require(p.port != 0);
  Require(p.shutdown_message.size() <= 255 && evpnd::wire::IsUtf8(p.shutdown_message));
  Require(!p.families.empty() && Unique(p.families));
  Require(!p.source_address || p.source_address->family() == p.address.family());
  // A link-local peer has its link, and only a link-local peer has one.
  Require(p.address.is_link_local() != p.interface.empty());
  Require(p.interface.size() <= 15 && p.interface.find_first_of("/: ") == std::string::npos);
  Require(!p.route_reflector_client || p.remote_as == c.global.local_as);
  Require(!p.max_prefix.warning_only || p.max_prefix.limit != 0);
  Require(p.max_prefix.restart_after_s == 0 ||
          (p.max_prefix.limit != 0 && !p.max_prefix.warning_only));
}

void CheckVni(const VniConfig& v) {
  Require(v.vni >= 1 && v.vni <= evpnd::evpn::kMaxVni);
  Require(!v.import_route_targets.empty() && Unique(v.import_route_targets));
  Require(!v.export_route_targets.empty() && Unique(v.export_route_targets));
  Require(!IsUnspecified(v.vtep));
  Require(v.bridge.size() <= 15 && v.vxlan_device.size() <= 15);
  std::vector<evpnd::evpn::MacAddress> macs;
  for (const auto& m : v.local_macs) {
    Require(m.mac.IsUnicast());
    Require(Unique(m.ips));
    macs.push_back(m.mac);
  }
  Require(Unique(macs));
}

void CheckAccepted(const Config& c) {
  const auto& g = c.global;
  Require(g.router_id != 0 && g.cluster_id != 0);
  Require(g.local_as != 0 && g.local_as != 23456);
  Require(!g.listen_addresses.empty() && Unique(g.listen_addresses));
  Require(g.listen_port != 0);
  Require(g.graceful_restart.restart_time_s <= 4095);
  Require(g.graceful_restart.stale_routes_time_s >= 1);
  Require(g.api.unix_socket.empty() ||
          (g.api.unix_socket.front() == '/' && g.api.unix_socket.size() <= 107));
  std::vector<evpnd::evpn::IpAddress> addresses;
  for (const PeerConfig& p : c.peers) {
    CheckPeer(p, c);
    addresses.push_back(p.address);
    Require(c.FindPeer(p.address) == &p);
  }
  Require(Unique(addresses));
  const auto& d = c.evpn.duplicate_detection;
  Require(d.max_moves <= 1000);
  Require(d.window >= absl::Seconds(1) && d.window <= absl::Seconds(3600));
  Require(d.recovery >= absl::ZeroDuration() && d.recovery <= absl::Seconds(86400));
  std::vector<evpnd::evpn::Vni> vnis;
  std::vector<evpnd::evpn::RouteDistinguisher> rds;
  for (const VniConfig& v : c.evpn.vnis) {
    CheckVni(v);
    vnis.push_back(v.vni);
    rds.push_back(v.rd);
  }
  Require(Unique(vnis) && Unique(rds));
}

// True when every occurrence of kSecret in `text` is the start of a `password` value, i.e.
// follows `password`, optional blanks, an optional ':', optional blanks and an optional quote.
// Only then must an error message never contain it (elsewhere, e.g. as a router_id, the loader
// may rightly quote it).
bool SecretOnlyInPasswords(absl::string_view text) {
  bool any = false;
  for (size_t at = text.find(kSecret); at != absl::string_view::npos;
       at = text.find(kSecret, at + 1)) {
    any = true;
    size_t i = at;
    if (i > 0 && (text[i - 1] == '"' || text[i - 1] == '\'')) --i;
    auto skip_blanks = [&] {
      while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' ||
                       text[i - 1] == '\r')) {
        --i;
      }
    };
    skip_blanks();
    if (i > 0 && text[i - 1] == ':') --i;
    skip_blanks();
    constexpr absl::string_view kField = "password";
    if (i < kField.size() || text.substr(i - kField.size(), kField.size()) != kField) return false;
    const size_t start = i - kField.size();
    if (start > 0) {
      const char c = text[start - 1];
      if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') {
        return false;
      }
    }
  }
  return any;
}

void CheckRejected(const absl::Status& status, absl::string_view text) {
  Require(status.code() == absl::StatusCode::kInvalidArgument);
  Require(!status.message().empty());
  if (SecretOnlyInPasswords(text)) Require(!absl::StrContains(status.message(), kSecret));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The built-in configuration is what the daemon runs without a file.
  static const bool default_ok = [] {
    absl::StatusOr<Config> parsed =
        evpnd::bgpd::ParseConfigText(evpnd::bgpd::DefaultConfigText(), "<built-in>");
    Require(parsed.ok() && *parsed == evpnd::bgpd::DefaultConfig());
    CheckAccepted(*parsed);
    return true;
  }();
  (void)default_ok;

  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<Config> first = evpnd::bgpd::ParseConfigText(text, kFileName);
  absl::StatusOr<Config> second = evpnd::bgpd::ParseConfigText(text, kFileName);
  Require(first.ok() == second.ok());
  if (!first.ok()) {
    Require(first.status() == second.status());
    CheckRejected(first.status(), text);
    return 0;
  }
  Require(*first == *second);
  CheckAccepted(*first);
  return 0;
}

// The configuration loader: text format -> evpnd.config.v1.Config (protobuf's TextFormat parser,
// recording where each field sits) -> checks and peer-group merge -> bgpd::Config.
//
// How it works. Parsing writes a ParseInfoTree: for every field the line and column it was read
// at. A Locator walks that tree alongside the message, so every value the validator reads comes
// with a Site (field path plus location) and every problem can say exactly where it is. Each
// PeerSettings block (of a group or of a peer) is first read on its own into PartialSettings,
// whose fields are present only when the block sets them (proto3 `optional`); field-local rules
// are checked there, at the block's own lines. A peer's block then inherits each absent field
// from its group's block, and the rules that need the merged result (remote AS present,
// keepalive below hold time, source address family, iBGP-only settings) run last, pointing at
// whichever block supplied the value.
//
// Standards: RFC 4271 §4.2, §6.2, §10; RFC 6793 §9 (AS_TRANS); RFC 4456 §7; RFC 4724 §3;
// RFC 5082; RFC 2385; RFC 9003 §2; RFC 3629 (UTF-8).
#include "bgpd/config/config_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bgpd/config/config_locator.h"
#include "bgpd/config/evpn_config_reader.h"
#include "bgpd/config/interface_name.h"
#include "bgpd/wire/utf8.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "proto/config.pb.h"

namespace evpnd::bgpd {
namespace {

namespace pb = ::google::protobuf;
namespace cfg = ::evpnd::config::v1;

using ParseInfoTree = pb::TextFormat::ParseInfoTree;
using config_internal::Locator;
using config_internal::Problems;
using config_internal::Site;

// Larger files are refused before parsing; a real config is a few kilobytes per hundred peers.
constexpr size_t kMaxConfigBytes = 16 << 20;
// Linux TCP_MD5SIG_MAXKEYLEN: the kernel refuses longer TCP-MD5 (RFC 2385) keys.
constexpr size_t kMaxPasswordBytes = 80;
// RFC 9003 §2: the shutdown communication has a one-octet length.
constexpr size_t kMaxShutdownMessageBytes = 255;
// RFC 6793 §9: AS_TRANS stands in for 4-octet AS numbers on 2-octet sessions; no router has it.
constexpr uint32_t kAsTrans = 23456;
constexpr uint32_t kMaxAllowasIn = 10;
// RFC 5082 §3: with N hops the receiver accepts TTL >= 256 - N; 255 hops would accept anything.
constexpr uint32_t kMaxTtlSecurityHops = 254;
// RFC 4724 §3: Restart Time is a 12-bit field.
constexpr uint32_t kMaxRestartTimeS = 4095;
// RFC 4271 §4.2: the hold time is 0 or at least three seconds, in a 2-octet field.
constexpr uint32_t kMinHoldTimeS = 3;
constexpr uint32_t kMaxUint16 = 65535;

constexpr TimersConfig kDefaultTimers;

// ---------------------------------------------------------------------------------------------
// Syntax: the text-format parser, with errors located and passwords kept out of them.

class CollectSyntaxErrors : public pb::io::ErrorCollector {
 public:
  struct Error {
    int line;  // 0-based, as the tokenizer counts
    int column;
    std::string message;
  };
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    errors.push_back({line, column, message});
  }
  void AddWarning(int, pb::io::ColumnNumber, const std::string&) override {}
  std::vector<Error> errors;
};

// A password value as written in the text: where its first token starts, and the spellings
// (quoted token, unquoted value) an error message could echo.
struct SecretToken {
  int line;
  int column;
  std::vector<std::string> spellings;
};

// Finds the value tokens of every `password` field, so syntax errors can be scrubbed of them
// (e.g. `password: hunter2` without quotes makes the parser say "Expected string, got: hunter2").
std::vector<SecretToken> FindPasswordTokens(absl::string_view text) {
  pb::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  CollectSyntaxErrors ignored;
  pb::io::Tokenizer tokenizer(&input, &ignored);
  tokenizer.set_comment_style(pb::io::Tokenizer::SH_COMMENT_STYLE);
  std::vector<pb::io::Tokenizer::Token> tokens;
  while (tokenizer.Next()) tokens.push_back(tokenizer.current());

  std::vector<SecretToken> secrets;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].type != pb::io::Tokenizer::TYPE_IDENTIFIER || tokens[i].text != "password") {
      continue;
    }
    size_t v = i + 1;
    if (v < tokens.size() && tokens[v].text == ":") ++v;
    if (v >= tokens.size()) break;
    SecretToken secret{tokens[v].line, tokens[v].column, {tokens[v].text}};
    // Adjacent string literals concatenate, so a value can span several tokens; a value that
    // is not a string is one token.
    for (; v < tokens.size() && tokens[v].type == pb::io::Tokenizer::TYPE_STRING; ++v) {
      secret.spellings.push_back(tokens[v].text);
      std::string unquoted;
      pb::io::Tokenizer::ParseString(tokens[v].text, &unquoted);
      secret.spellings.push_back(std::move(unquoted));
    }
    secrets.push_back(std::move(secret));
  }
  return secrets;
}

// Where a password may hide in the text, even when the text does not parse as meant (an
// unterminated string earlier on a line can swallow the field name, and the password then reads
// as a field name, reported at the next token, maybe lines below):
//   lines     the 0-based lines where "password" appears at all (in strings and comments too),
//             the next line when "password" ends its line, and the lines of the value tokens
//             FindPasswordTokens found;
//   fragments every run of letters, digits and '_' of 3 or more characters after "password" on
//             its line (or on the next line, when it ends its line), and in those value tokens.
struct PasswordExposure {
  absl::flat_hash_set<int> lines;
  std::vector<std::string> fragments;
};

void AddFragments(absl::string_view text, std::vector<std::string>& out) {
  for (absl::string_view f : absl::StrSplit(text, absl::ByAnyChar(" \t\r\"'\\:;,{}[]<>-.#/"),
                                           absl::SkipEmpty())) {
    if (f.size() >= 3) out.emplace_back(f);
  }
}

PasswordExposure FindPasswordExposure(absl::string_view text,
                                      const std::vector<SecretToken>& secrets) {
  PasswordExposure out;
  const std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string lower = absl::AsciiStrToLower(lines[i]);
    for (size_t at = lower.find("password"); at != std::string::npos;
         at = lower.find("password", at + 1)) {
      out.lines.insert(static_cast<int>(i));
      const absl::string_view rest = lines[i].substr(at + 8);
      AddFragments(rest, out.fragments);
      // The value may follow on a later line: blank lines and a lone ':' in between are
      // skipped by the tokenizer, so the first line with anything else may hold it.
      absl::string_view tail = absl::StripAsciiWhitespace(rest);
      for (size_t next = i + 1; (tail.empty() || tail == ":") && next < lines.size(); ++next) {
        out.lines.insert(static_cast<int>(next));
        AddFragments(lines[next], out.fragments);
        tail = absl::StripAsciiWhitespace(lines[next]);
      }
    }
  }
  for (const SecretToken& secret : secrets) {
    out.lines.insert(secret.line);
    for (const std::string& spelling : secret.spellings) AddFragments(spelling, out.fragments);
  }
  return out;
}

// The parser's message, unless it could contain (part of) a password: then a fixed text. It
// errs on the side of silence: a message that merely shares a word with what follows
// "password" is withheld too, and the location still says where to look.
std::string ScrubSecrets(const CollectSyntaxErrors::Error& error,
                         const PasswordExposure& exposure) {
  const bool exposed =
      exposure.lines.contains(error.line) ||
      std::any_of(exposure.fragments.begin(), exposure.fragments.end(),
                  [&](const std::string& f) { return absl::StrContains(error.message, f); });
  if (exposed) {
    return "syntax error near a password (the parser's message is not shown, as it may quote "
           "the password); check the quoting around here";
  }
  return error.message;
}

// Parses `text` into `config` and `tree`; on a syntax error, returns it as "FILE:LINE:COL: ...".
absl::Status ParseText(absl::string_view text, absl::string_view file_name, cfg::Config& config,
                       ParseInfoTree& tree) {
  if (text.size() > kMaxConfigBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_name, ": too large for a config file (more than ", kMaxConfigBytes, " bytes)"));
  }
  CollectSyntaxErrors errors;
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  pb::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (parser.Parse(&input, &config)) return absl::OkStatus();

  Problems problems(file_name);
  const std::vector<SecretToken> secrets = FindPasswordTokens(text);
  const PasswordExposure exposure = FindPasswordExposure(text, secrets);
  for (const CollectSyntaxErrors::Error& error : errors.errors) {
    std::string message = ScrubSecrets(error, exposure);
    // The parser names the unexpected token; at the end of the text that token is empty.
    if (absl::EndsWith(message, "got: ")) absl::StrAppend(&message, "end of file");
    problems.AddAt(error.line + 1, error.column + 1, message);
  }
  if (problems.empty()) problems.AddAt(0, 0, "cannot parse the configuration");
  return problems.ToStatus();
}

// ---------------------------------------------------------------------------------------------
// Small value checks.

bool IsUnspecified(const evpn::IpAddress& address) {
  const auto bytes = address.bytes();
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

const char* FamilyName(const evpn::IpAddress& address) { return address.is_v4() ? "IPv4" : "IPv6"; }

// The config's families and the AFI/SAFI each one negotiates (RFC 4760; RFC 7432 §7).
struct FamilyRow {
  cfg::AddressFamily family;
  wire::AfiSafi afi_safi;
};
constexpr FamilyRow kFamilyTable[] = {
    {cfg::ADDRESS_FAMILY_L2VPN_EVPN, wire::kL2vpnEvpn},
    {cfg::ADDRESS_FAMILY_IPV4_UNICAST, wire::kIpv4Unicast},
    {cfg::ADDRESS_FAMILY_IPV6_UNICAST, wire::kIpv6Unicast},
};

std::optional<wire::AfiSafi> ToAfiSafi(int family) {
  for (const FamilyRow& row : kFamilyTable) {
    if (row.family == family) return row.afi_safi;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Peer settings as written in one block, before inheritance.

// A value with the site it was read from. `valid` is false once a problem was reported about it,
// so checks that combine it with other values stay quiet instead of piling on.
template <typename T>
struct Located {
  T value{};
  Site site;
  bool valid = true;
};

template <typename T>
using Setting = std::optional<Located<T>>;

// The settings one PeerSettings block sets; absent fields are inherited or defaulted later.
// Numbers are kept as written (uint32) and narrowed only once everything has been checked.
struct PartialSettings {
  Setting<uint32_t> remote_as;
  Setting<bool> passive;
  Setting<uint32_t> hold_time_s;
  Setting<uint32_t> keepalive_s;
  Setting<uint32_t> connect_retry_s;
  Setting<std::string> password;
  Setting<uint32_t> ttl_security_hops;
  Setting<bool> route_reflector_client;
  Setting<std::vector<wire::AfiSafi>> families;
  Setting<MaxPrefixConfig> max_prefix;
  Setting<bool> next_hop_unchanged;
  Setting<evpn::IpAddress> source_address;
  Setting<uint32_t> port;
  Setting<uint32_t> allowas_in;
  Setting<bool> shutdown;
  Setting<std::string> shutdown_message;
};

// A peer keeps what it sets and takes every other setting from its group.
template <typename... Members>
void InheritAbsent(PartialSettings& peer, const PartialSettings& group, Members... members) {
  ((peer.*members ? void() : void(peer.*members = group.*members)), ...);
}

void Inherit(PartialSettings& peer, const PartialSettings& group) {
  using S = PartialSettings;
  InheritAbsent(peer, group, &S::remote_as, &S::passive, &S::hold_time_s, &S::keepalive_s,
                &S::connect_retry_s, &S::password, &S::ttl_security_hops,
                &S::route_reflector_client, &S::families, &S::max_prefix, &S::next_hop_unchanged,
                &S::source_address, &S::port, &S::allowas_in, &S::shutdown, &S::shutdown_message);
}

// The field `name` of a block, when the block sets it.
template <typename T>
Setting<T> Take(bool present, T value, const Locator& block, absl::string_view name) {
  if (!present) return std::nullopt;
  return Located<T>{std::move(value), block.Field(name)};
}

template <typename T, typename U>
T ValueOr(const Setting<U>& setting, T fallback) {
  return setting ? static_cast<T>(setting->value) : fallback;
}

// A peer group as read: its settings and where it was defined.
struct GroupEntry {
  PartialSettings settings;
  Site name_site;
};

// ---------------------------------------------------------------------------------------------
// The validator: reads the message, reports every problem, builds the Config.

class Validator {
 public:
  explicit Validator(absl::string_view file_name) : problems_(file_name) {}

  absl::StatusOr<Config> Run(const cfg::Config& config, const ParseInfoTree& tree) {
    const Locator root(cfg::Config::descriptor(), &tree, Site{});
    Config out;
    ReadGlobal(config.global(), root.Nested("global"), out.global);
    ReadPeerGroups(config, root, out.global);
    ReadPeers(config, root, out);
    out.evpn = config_internal::ReadEvpnConfig(config.evpn(), root.Nested("evpn"), out.global,
                                               problems_);
    if (!problems_.empty()) return problems_.ToStatus();
    return out;
  }

 private:
  void Report(const Site& site, absl::string_view message) { problems_.Add(site, message); }

  // --- global ---

  void ReadGlobal(const cfg::Global& global, const Locator& at, GlobalConfig& out) {
    out.router_id = ReadRouterId(global.router_id(), at.Field("router_id"));
    out.local_as = ReadAs(global.local_as(), at.Field("local_as"), /*required=*/true);
    ReadListenAddresses(global, at, out);
    if (global.has_listen_port()) {
      out.listen_port = CheckPort(global.listen_port(), at.Field("listen_port"));
    }
    out.cluster_id = global.cluster_id().empty()
                         ? out.router_id
                         : ReadClusterId(global.cluster_id(), at.Field("cluster_id"));
    ReadGracefulRestart(global.graceful_restart(), at.Nested("graceful_restart"),
                        out.graceful_restart);
    ReadApi(global.api(), at.Nested("api"), out.api);
    out.metrics.http_address = global.metrics().http_address();
    if (!out.metrics.http_address.empty()) {
      ReadHostPort(out.metrics.http_address, at.Nested("metrics").Field("http_address"), "9179",
                   out.metrics.address, out.metrics.port);
    }
  }

  void ReadApi(const cfg::Api& api, const Locator& at, ApiConfig& out) {
    if (api.has_unix_socket()) out.unix_socket = api.unix_socket();
    if (!out.unix_socket.empty() && out.unix_socket.front() != '/') {
      Report(at.Field("unix_socket"), "must be an absolute path");
    }
    // sun_path holds 108 bytes including the terminating NUL.
    if (out.unix_socket.size() > 107) {
      Report(at.Field("unix_socket"), "is longer than a Unix socket path may be (107 bytes)");
    }
    out.socket_group = api.socket_group();
    out.tcp_address = api.tcp_address();
    if (!out.tcp_address.empty()) {
      evpn::IpAddress address;
      uint16_t port = 0;
      ReadHostPort(out.tcp_address, at.Field("tcp_address"), "50051", address, port);
    }
  }

  // "192.0.2.1:9179" or "[2001:db8::1]:9179": an IP address (no host names: nothing is
  // resolved) and a port from 1 to 65535.
  void ReadHostPort(const std::string& text, const Site& site, absl::string_view example_port,
                    evpn::IpAddress& address, uint16_t& port) {
    const size_t colon = text.rfind(':');
    uint32_t number = 0;
    bool ok = colon != std::string::npos && colon != 0 &&
              absl::SimpleAtoi(text.substr(colon + 1), &number) && number != 0 &&
              number <= kMaxUint16;
    if (ok) {
      std::string host = text.substr(0, colon);
      const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
      if (bracketed) host = host.substr(1, host.size() - 2);
      absl::StatusOr<evpn::IpAddress> parsed = evpn::IpAddress::Parse(host);
      // IPv6 must be bracketed, IPv4 must not.
      ok = parsed.ok() && parsed->is_v4() != bracketed;
      if (ok) {
        address = *parsed;
        port = static_cast<uint16_t>(number);
      }
    }
    if (!ok) {
      Report(site, absl::StrCat("expected ADDRESS:PORT with an IP address, e.g. \"127.0.0.1:",
                                example_port, "\" or \"[::1]:", example_port, "\""));
    }
  }

  // RFC 4271 §4.2 / §6.2: the BGP Identifier is a nonzero IPv4 address of this router.
  uint32_t ReadRouterId(const std::string& text, const Site& site) {
    if (text.empty()) {
      Report(site,
             "missing: the BGP identifier, an IPv4 address of this router such as its loopback");
      return 0;
    }
    absl::StatusOr<evpn::IpAddress> address = evpn::IpAddress::Parse(text);
    if (!address.ok() || !address->is_v4()) {
      Report(site, absl::StrCat("\"", text,
                                "\" is not an IPv4 address (the BGP identifier is written as one, "
                                "e.g. \"192.0.2.1\")"));
      return 0;
    }
    if (address->v4_host_order() == 0) {
      Report(site, "0.0.0.0 is not a valid BGP identifier (RFC 4271 §6.2)");
    }
    return address->v4_host_order();
  }

  // 4-octet AS numbers (RFC 6793): 1..4294967295, except AS_TRANS.
  uint32_t ReadAs(uint32_t as, const Site& site, bool required) {
    if (as == 0) {
      Report(site, required ? "missing: this router's AS number, 1..4294967295"
                            : "0 is not an AS number (use 1..4294967295)");
    } else if (as == kAsTrans) {
      Report(site,
             "23456 is AS_TRANS (RFC 6793), a placeholder no router may use; give the real 4-octet "
             "AS number");
    }
    return as;
  }

  void ReadListenAddresses(const cfg::Global& global, const Locator& at, GlobalConfig& out) {
    if (global.listen_addresses().empty()) return;
    out.listen_addresses.clear();
    for (int i = 0; i < global.listen_addresses_size(); ++i) {
      const Site site = at.Field("listen_addresses", i);
      absl::StatusOr<evpn::IpAddress> address = ParseAddress(global.listen_addresses(i), site);
      if (!address.ok()) continue;
      if (std::find(out.listen_addresses.begin(), out.listen_addresses.end(), *address) !=
          out.listen_addresses.end()) {
        Report(site, absl::StrCat(address->ToString(), " is listed twice"));
        continue;
      }
      out.listen_addresses.push_back(*address);
    }
  }

  absl::StatusOr<evpn::IpAddress> ParseAddress(const std::string& text, const Site& site) {
    absl::StatusOr<evpn::IpAddress> address = evpn::IpAddress::Parse(text);
    if (!address.ok()) {
      Report(site, absl::StrCat("\"", text, "\" is not an IPv4 or IPv6 address"));
    }
    return address;
  }

  uint16_t CheckPort(uint32_t port, const Site& site) {
    if (port < 1 || port > kMaxUint16) {
      Report(site, absl::StrCat(port, " is not a TCP port (use 1..65535)"));
      return kBgpPort;
    }
    return static_cast<uint16_t>(port);
  }

  // RFC 4456 §7: a 4-octet cluster ID, written like a router ID or as a number.
  uint32_t ReadClusterId(const std::string& text, const Site& site) {
    uint32_t number = 0;
    absl::StatusOr<evpn::IpAddress> address = evpn::IpAddress::Parse(text);
    if (address.ok() && address->is_v4()) {
      number = address->v4_host_order();
    } else if (!absl::SimpleAtoi(text, &number)) {
      Report(site, absl::StrCat("\"", text,
                                "\" is not a cluster ID (an IPv4 address such as \"192.0.2.1\", or "
                                "a number 1..4294967295)"));
      return 0;
    }
    if (number == 0) Report(site, "the cluster ID must not be 0");
    return number;
  }

  void ReadGracefulRestart(const cfg::GracefulRestart& gr, const Locator& at,
                           GracefulRestartConfig& out) {
    if (gr.has_enabled()) out.enabled = gr.enabled();
    if (gr.has_restart_time_s()) {
      if (gr.restart_time_s() > kMaxRestartTimeS) {
        Report(at.Field("restart_time_s"),
               absl::StrCat(gr.restart_time_s(),
                            " is out of range 0..4095 (the capability's Restart Time has 12 bits, "
                            "RFC 4724 §3)"));
      }
      out.restart_time_s = static_cast<uint16_t>(gr.restart_time_s() & 0xfff);
    }
    if (gr.has_stale_routes_time_s()) {
      if (gr.stale_routes_time_s() == 0) {
        Report(at.Field("stale_routes_time_s"), "must be at least 1 second");
      }
      out.stale_routes_time_s = gr.stale_routes_time_s();
    }
    if (gr.has_selection_deferral_s()) {
      if (gr.selection_deferral_s() == 0) {
        Report(at.Field("selection_deferral_s"), "must be at least 1 second");
      }
      out.selection_deferral_s = gr.selection_deferral_s();
    }
  }

  // --- peer settings blocks ---

  PartialSettings ReadSettings(const cfg::PeerSettings& s, const Locator& at) {
    PartialSettings p;
    p.remote_as = Take(s.has_remote_as(), s.remote_as(), at, "remote_as");
    if (p.remote_as) {
      ReadAs(p.remote_as->value, p.remote_as->site, /*required=*/false);
      p.remote_as->valid = p.remote_as->value != 0 && p.remote_as->value != kAsTrans;
    }
    p.passive = Take(s.has_passive(), s.passive(), at, "passive");
    ReadTimers(s.timers(), at.Nested("timers"), p);
    ReadTransport(s, at, p);
    p.route_reflector_client = Take(s.has_route_reflector_client(), s.route_reflector_client(), at,
                                    "route_reflector_client");
    ReadFamilies(s, at, p);
    if (s.has_max_prefix()) p.max_prefix = ReadMaxPrefix(s.max_prefix(), at.Nested("max_prefix"));
    p.next_hop_unchanged =
        Take(s.has_next_hop_unchanged(), s.next_hop_unchanged(), at, "next_hop_unchanged");
    p.allowas_in = Take(s.has_allowas_in(), s.allowas_in(), at, "allowas_in");
    CheckAtMost(p.allowas_in, kMaxAllowasIn, "times our AS may appear in a received AS_PATH");
    ReadShutdown(s, at, p);
    return p;
  }

  // Reports a setting above `max`; `what` says what the number counts.
  void CheckAtMost(Setting<uint32_t>& setting, uint32_t max, absl::string_view what) {
    if (setting && setting->value > max) {
      Report(setting->site,
             absl::StrCat(setting->value, " is out of range 0..", max, " (", what, ")"));
      setting->valid = false;
    }
  }

  // RFC 4271 §4.2 and §10. The rule "keepalive below hold time" needs the merged values and
  // runs in CheckTimers.
  void ReadTimers(const cfg::Timers& t, const Locator& at, PartialSettings& p) {
    p.hold_time_s = Take(t.has_hold_time_s(), t.hold_time_s(), at, "hold_time_s");
    if (p.hold_time_s && p.hold_time_s->value != 0 &&
        (p.hold_time_s->value < kMinHoldTimeS || p.hold_time_s->value > kMaxUint16)) {
      Report(p.hold_time_s->site, absl::StrCat(p.hold_time_s->value,
                                               " is not a valid hold time: use 0 (no hold timer "
                                               "and no keepalives) or 3..65535 (RFC 4271 §4.2)"));
      p.hold_time_s->valid = false;
    }
    p.keepalive_s = Take(t.has_keepalive_s(), t.keepalive_s(), at, "keepalive_s");
    CheckAtMost(p.keepalive_s, kMaxUint16 - 1, "seconds between keepalives");
    p.connect_retry_s = Take(t.has_connect_retry_s(), t.connect_retry_s(), at, "connect_retry_s");
    if (p.connect_retry_s && p.connect_retry_s->value == 0) {
      Report(p.connect_retry_s->site, "must be at least 1 second");
      p.connect_retry_s->valid = false;
    }
  }

  // Password, GTSM, source address and port: how the TCP connection is made.
  void ReadTransport(const cfg::PeerSettings& s, const Locator& at, PartialSettings& p) {
    p.password = Take(s.has_password(), s.password(), at, "password");
    if (p.password && p.password->value.size() > kMaxPasswordBytes) {
      // RFC 2385 keys go to the kernel's TCP_MD5SIG; the value itself is never printed.
      Report(p.password->site, absl::StrCat("is ", p.password->value.size(),
                                            " bytes; TCP-MD5 keys are at most 80 bytes"));
    }
    p.ttl_security_hops =
        Take(s.has_ttl_security_hops(), s.ttl_security_hops(), at, "ttl_security_hops");
    CheckAtMost(p.ttl_security_hops, kMaxTtlSecurityHops,
                "hops to the peer for GTSM, RFC 5082; 1 = directly connected, 0 = off");
    if (s.has_source_address()) {
      const Site site = at.Field("source_address");
      absl::StatusOr<evpn::IpAddress> address = ParseAddress(s.source_address(), site);
      if (address.ok()) p.source_address = Located<evpn::IpAddress>{*address, site};
    }
    p.port = Take(s.has_port(), s.port(), at, "port");
    if (p.port) p.port->valid = CheckPort(p.port->value, p.port->site) == p.port->value;
  }

  // Each family known, at most once; an empty list means "not set here".
  void ReadFamilies(const cfg::PeerSettings& s, const Locator& at, PartialSettings& p) {
    if (s.families().empty()) return;
    std::vector<wire::AfiSafi> families;
    for (int i = 0; i < s.families_size(); ++i) {
      const Site site = at.Field("families", i);
      const std::optional<wire::AfiSafi> family = ToAfiSafi(s.families(i));
      if (!family) {
        Report(site, s.families(i) == cfg::ADDRESS_FAMILY_UNSPECIFIED
                         ? "ADDRESS_FAMILY_UNSPECIFIED is not a family"
                         : absl::StrCat(s.families(i), " is not a known address family"));
      } else if (std::find(families.begin(), families.end(), *family) != families.end()) {
        Report(site, absl::StrCat(cfg::AddressFamily_Name(s.families(i)), " is listed twice"));
      } else {
        families.push_back(*family);
      }
    }
    p.families = Located<std::vector<wire::AfiSafi>>{families, at.Field("families")};
  }

  // A peer that sets max_prefix replaces its group's whole block.
  Located<MaxPrefixConfig> ReadMaxPrefix(const cfg::MaxPrefix& m, const Locator& at) {
    Located<MaxPrefixConfig> out{{m.limit(), m.warning_only(), m.restart_after_s()}, at.self()};
    if (m.limit() == 0 && m.warning_only()) {
      Report(at.Field("warning_only"),
             "needs a limit: with no limit there is nothing to warn about");
    }
    if (m.restart_after_s() != 0 && m.limit() == 0) {
      Report(at.Field("restart_after_s"),
             "needs a limit: with no limit the session is never closed, so never restarted");
    } else if (m.restart_after_s() != 0 && m.warning_only()) {
      Report(at.Field("restart_after_s"),
             "makes no sense with warning_only, which never closes the session");
    }
    return out;
  }

  void ReadShutdown(const cfg::PeerSettings& s, const Locator& at, PartialSettings& p) {
    p.shutdown = Take(s.has_shutdown(), s.shutdown(), at, "shutdown");
    p.shutdown_message =
        Take(s.has_shutdown_message(), s.shutdown_message(), at, "shutdown_message");
    if (!p.shutdown_message) return;
    // RFC 9003 §2: UTF-8, its length in one octet.
    const std::string& text = p.shutdown_message->value;
    if (text.size() > kMaxShutdownMessageBytes) {
      Report(p.shutdown_message->site,
             absl::StrCat("is ", text.size(),
                          " bytes; a shutdown communication is at most 255 bytes (RFC 9003 §2)"));
    }
    if (!wire::IsUtf8(text)) {
      Report(p.shutdown_message->site, "is not valid UTF-8 (RFC 9003 §2)");
    }
  }

  // --- peer groups ---

  void ReadPeerGroups(const cfg::Config& config, const Locator& root, const GlobalConfig& global) {
    for (int i = 0; i < config.peer_groups_size(); ++i) {
      const cfg::PeerGroup& group = config.peer_groups(i);
      const Locator at = root.Nested("peer_groups", i);
      const Site name_site = at.Field("name");
      PartialSettings settings = ReadSettings(group.settings(), at.Nested("settings"));
      CheckCombined(settings, /*peer=*/nullptr, global);
      if (group.name().empty()) {
        Report(name_site, "missing: peers refer to their group by this name");
        continue;
      }
      auto [it, inserted] = groups_.try_emplace(group.name(), GroupEntry{settings, name_site});
      if (!inserted) {
        Report(name_site, absl::StrCat("peer group \"", group.name(), "\" is already defined",
                                       Where(it->second.name_site)));
      }
    }
  }

  // " at line 12" (or "" when the site has no line), to point at an earlier definition.
  static std::string Where(const Site& site) {
    return site.line > 0 ? absl::StrCat(" at line ", site.line) : "";
  }

  // --- peers ---

  void ReadPeers(const cfg::Config& config, const Locator& root, Config& out) {
    std::map<evpn::IpAddress, Site> seen;
    for (int i = 0; i < config.peers_size(); ++i) {
      const cfg::Peer& peer = config.peers(i);
      const Locator at = root.Nested("peers", i);
      std::optional<PeerConfig> resolved = ReadPeer(peer, at, out.global);
      if (!resolved) continue;
      auto [it, inserted] = seen.try_emplace(resolved->address, at.Field("address"));
      if (!inserted) {
        Report(at.Field("address"),
               absl::StrCat(resolved->address.ToString(), " is already a peer (", it->second.path,
                            Where(it->second), ")"));
        continue;
      }
      out.peers.push_back(std::move(*resolved));
    }
  }

  // One peer: its address, its group, its merged settings. nullopt when its address is unusable.
  std::optional<PeerConfig> ReadPeer(const cfg::Peer& peer, const Locator& at,
                                     const GlobalConfig& global) {
    const std::optional<evpn::IpAddress> address = ReadPeerAddress(peer.address(), at);
    PartialSettings settings = ReadSettings(peer.settings(), at.Nested("settings"));
    bool group_ok = true;
    if (!peer.peer_group().empty()) {
      auto it = groups_.find(peer.peer_group());
      if (it != groups_.end()) {
        Inherit(settings, it->second.settings);
      } else {
        Report(at.Field("peer_group"),
               absl::StrCat("no peer group named \"", peer.peer_group(), "\"", GroupNames()));
        group_ok = false;
      }
    }
    if (!address) return std::nullopt;
    ReadPeerInterface(peer, *address, at);
    const PeerContext context{*address, at.Field("address"), at.self().path};
    if (!settings.remote_as && group_ok) {
      Report(at.Nested("settings").Field("remote_as"),
             "missing (set it on the peer or its peer group)");
    }
    CheckCombined(settings, &context, global);
    return Resolve(settings, peer, *address);
  }

  // RFC 4291 §2.5.6: a link-local address names a peer only together with its link.
  void ReadPeerInterface(const cfg::Peer& peer, const evpn::IpAddress& address, const Locator& at) {
    if (peer.interface().empty()) {
      if (address.is_link_local()) {
        Report(at.Field("address"),
               absl::StrCat(address.ToString(),
                            " is IPv6 link-local: set `interface` to the link the peer is on"));
      }
      return;
    }
    const Site site = at.Field("interface");
    if (!address.is_link_local()) {
      Report(site, absl::StrCat("only for IPv6 link-local peers (fe80::/10); ", address.ToString(),
                                " is routed, not tied to a link"));
      return;
    }
    if (std::optional<std::string> problem = InterfaceNameProblem(peer.interface())) {
      Report(site, *problem);
    }
  }

  std::optional<evpn::IpAddress> ReadPeerAddress(const std::string& text, const Locator& at) {
    const Site site = at.Field("address");
    if (text.empty()) {
      Report(site, "missing: the peer's IPv4 or IPv6 address");
      return std::nullopt;
    }
    absl::StatusOr<evpn::IpAddress> address = ParseAddress(text, site);
    if (!address.ok()) return std::nullopt;
    if (IsUnspecified(*address)) {
      Report(site, absl::StrCat(address->ToString(), " is the unspecified address, not a peer"));
      return std::nullopt;
    }
    return *address;
  }

  // The defined group names (or that there is none), for the unknown-group error.
  std::string GroupNames() const {
    if (groups_.empty()) return " (no peer group is defined)";
    std::vector<std::string> names;
    for (const auto& [name, entry] : groups_) names.push_back(absl::StrCat("\"", name, "\""));
    return absl::StrCat(" (defined: ", absl::StrJoin(names, ", "), ")");
  }

  // The peer whose merged settings are checked, so an error at a group's line can name it.
  struct PeerContext {
    evpn::IpAddress address;
    Site address_site;
    std::string path;  // "peers[3]"

    bool Owns(const Site& site) const { return site.path.rfind(path + ".", 0) == 0; }
  };

  // " (inherited by peers[3] 192.0.2.9)" when the problem sits at a group's line but arises only
  // with this peer's own settings (`involved`); "" when it is the group's (or peer's) own.
  static std::string InheritedBy(const PeerContext* peer, const Site& reported,
                                 std::initializer_list<const Site*> involved) {
    if (peer == nullptr || peer->Owns(reported)) return "";
    for (const Site* site : involved) {
      if (site != nullptr && peer->Owns(*site)) {
        return absl::StrCat(" (inherited by ", peer->path, " ", peer->address.ToString(), ")");
      }
    }
    return "";
  }

  // Rules across settings: on a peer's merged settings, and on each group's own block (once,
  // so a group's mistake is reported at the group however many members inherit it).
  void CheckCombined(const PartialSettings& s, const PeerContext* peer,
                     const GlobalConfig& global) {
    CheckTimers(s, peer);
    if (peer != nullptr) CheckSourceAddress(s, *peer);
    CheckRouteReflectorClient(s, peer, global);
  }

  void CheckSourceAddress(const PartialSettings& s, const PeerContext& peer) {
    if (!s.source_address || s.source_address->value.family() == peer.address.family()) return;
    const Site& site = s.source_address->site;
    Report(site, absl::StrCat(s.source_address->value.ToString(), " is ",
                              FamilyName(s.source_address->value), " but the peer address ",
                              peer.address.ToString(), " is ", FamilyName(peer.address),
                              InheritedBy(&peer, site, {&peer.address_site})));
  }

  // RFC 4456 §6: a reflector's clients are its iBGP peers.
  void CheckRouteReflectorClient(const PartialSettings& s, const PeerContext* peer,
                                 const GlobalConfig& global) {
    if (!s.route_reflector_client || !s.route_reflector_client->value || !s.remote_as ||
        !s.remote_as->valid || s.remote_as->value == global.local_as) {
      return;
    }
    const Site& site = s.route_reflector_client->site;
    Report(site, absl::StrCat("route reflection is for iBGP peers, but remote_as ",
                              s.remote_as->value, " differs from local_as ", global.local_as,
                              InheritedBy(peer, site, {&s.remote_as->site})));
  }

  // RFC 4271 §10: keepalives come more often than the hold time expires.
  void CheckTimers(const PartialSettings& s, const PeerContext* peer) {
    if (!s.keepalive_s || !s.keepalive_s->valid) return;
    if (s.hold_time_s && !s.hold_time_s->valid) return;
    // A group's keepalive alone may be meant for members that set the hold time.
    if (peer == nullptr && !s.hold_time_s) return;
    const uint32_t hold = ValueOr(s.hold_time_s, uint32_t{kDefaultTimers.hold_time_s});
    const uint32_t keepalive = s.keepalive_s->value;
    if (hold == 0) return;  // RFC 4271 §4.4: no keepalives at all when the hold time is 0.
    if (keepalive != 0 && keepalive < hold) return;
    const Site& site = s.keepalive_s->site;
    // A hold time left at the default is the peer's own choice, so name the peer then too.
    const Site* hold_site = s.hold_time_s     ? &s.hold_time_s->site
                            : peer != nullptr ? &peer->address_site
                                              : nullptr;
    Report(site, absl::StrCat(keepalive, " must be 1..", hold - 1, ", below the ",
                              s.hold_time_s ? "" : "default ", "hold time ", hold,
                              InheritedBy(peer, site, {hold_site}),
                              "; a third of the hold time is usual"));
  }

  // Fills defaults; only meaningful when no problem was reported.
  static PeerConfig Resolve(const PartialSettings& s, const cfg::Peer& peer,
                            const evpn::IpAddress& address) {
    PeerConfig out;
    out.address = address;
    out.interface = peer.interface();
    out.remote_as = ValueOr(s.remote_as, uint32_t{0});
    out.passive = ValueOr(s.passive, false);
    out.timers = ResolveTimers(s);
    out.password = ValueOr(s.password, std::string());
    out.ttl_security_hops = ValueOr(s.ttl_security_hops, uint8_t{0});
    out.route_reflector_client = ValueOr(s.route_reflector_client, false);
    if (s.families) out.families = s.families->value;
    out.max_prefix = ValueOr(s.max_prefix, MaxPrefixConfig{});
    out.next_hop_unchanged = ValueOr(s.next_hop_unchanged, false);
    if (s.source_address) out.source_address = s.source_address->value;
    out.port = ValueOr(s.port, kBgpPort);
    out.allowas_in = ValueOr(s.allowas_in, uint8_t{0});
    out.shutdown = ValueOr(s.shutdown, false);
    out.shutdown_message = ValueOr(s.shutdown_message, std::string());
    out.description = peer.description();
    out.peer_group = peer.peer_group();
    return out;
  }

  // Keepalive defaults to a third of a configured hold time (RFC 4271 §10), and is 0 when the
  // hold time is 0 (RFC 4271 §4.4).
  static TimersConfig ResolveTimers(const PartialSettings& s) {
    TimersConfig t;
    t.hold_time_s = ValueOr(s.hold_time_s, kDefaultTimers.hold_time_s);
    if (s.keepalive_s) {
      t.keepalive_s = static_cast<uint16_t>(s.keepalive_s->value);
    } else if (s.hold_time_s) {
      t.keepalive_s = static_cast<uint16_t>(t.hold_time_s / 3);
    }
    if (t.hold_time_s == 0) t.keepalive_s = 0;
    t.connect_retry_s = ValueOr(s.connect_retry_s, kDefaultTimers.connect_retry_s);
    return t;
  }

  Problems problems_;
  std::map<std::string, GroupEntry> groups_;
};

}  // namespace

absl::StatusOr<Config> ParseConfigText(absl::string_view text, absl::string_view file_name) {
  cfg::Config config;
  ParseInfoTree tree;
  if (absl::Status status = ParseText(text, file_name, config, tree); !status.ok()) {
    return status;
  }
  return Validator(file_name).Run(config, tree);
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot open config file ", path));
  }
  std::string text;
  char buffer[8192];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) {
    text.append(buffer, n);
    if (text.size() > kMaxConfigBytes) break;  // ParseConfigText reports the size
  }
  if (std::ferror(file.get())) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read config file ", path));
  }
  return ParseConfigText(text, path);
}

Config DefaultConfig() {
  Config config;
  config.global.router_id = evpn::IpAddress::V4({127, 0, 0, 1}).v4_host_order();
  config.global.cluster_id = config.global.router_id;
  config.global.local_as = 65000;
  config.global.listen_addresses = {evpn::IpAddress::V4({127, 0, 0, 1})};
  config.global.listen_port = 1790;
  return config;
}

std::string DefaultConfigText() {
  return R"(# evpnd built-in default configuration (schema: proto/config.proto).
# Safe anywhere: it listens on the loopback only, on port 1790 instead of 179, and has no peers,
# so it never connects anywhere. To join a fabric, set router_id, local_as and
# listen_addresses, and add peers (see examples/leaf1.conf).
global {
  router_id: "127.0.0.1"
  local_as: 65000
  listen_addresses: "127.0.0.1"
  listen_port: 1790
}
)";
}

}  // namespace evpnd::bgpd

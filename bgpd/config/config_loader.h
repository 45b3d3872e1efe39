// Reads the daemon's configuration: protobuf text format (schema: proto/config.proto) in, a
// validated, fully resolved Config (config.h) out. Peer-group settings are merged into each
// peer, defaults are filled in, and every rule is checked before anything is returned, so the
// daemon never runs on half a config.
//
// NOTE: Errors. Every problem comes back in one absl::InvalidArgumentError, one line each, all
// of them rather than just the first, and each names the file, the 1-based line and column and
// the field path, e.g.
//   leaf1.conf:12:5: peers[1].settings.remote_as: missing (set it on the peer or its peer group)
// A text-format syntax error stops parsing, so it is reported alone. Passwords never appear in
// any message, not even when the syntax error is in the password itself.
//
// Standards: RFC 4271 §4.2 and §10 (identifier, hold time >= 3 or 0), RFC 6793 (AS_TRANS),
// RFC 5082 (GTSM hop count), RFC 2385 and Linux TCP_MD5SIG_MAXKEYLEN (80-byte keys), RFC 4724
// §3 (12-bit restart time), RFC 9003 §2 (255-byte UTF-8 shutdown communication).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bgpd/config/config.h"

namespace evpnd::bgpd {

// Parses and validates `text`; `file_name` only labels error messages.
absl::StatusOr<Config> ParseConfigText(absl::string_view text, absl::string_view file_name);

// Reads `path` and parses it. A file that cannot be read gives a NotFound or
// PermissionDenied-style error naming the path.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// The built-in configuration used when no file is given. Safe anywhere: router ID 127.0.0.1,
// AS 65000, listening on 127.0.0.1 port 1790 only, no peers, so it never connects anywhere.
Config DefaultConfig();

// The built-in configuration as text format, for operators to print and start from.
// ParseConfigText(DefaultConfigText()) == DefaultConfig().
std::string DefaultConfigText();

}  // namespace evpnd::bgpd

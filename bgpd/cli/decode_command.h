// `evpnctl decode`: reads BGP messages (hex arguments, hex lines on stdin, or an MRT file) and
// prints one JSON object per message. See `evpnctl decode --help`.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace evpnd::cli {

// Exit codes: 0 every message decoded cleanly; 2 at least one message had a protocol error
// (reported in its JSON line); 1 bad usage or unreadable input.
int RunDecode(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace evpnd::cli

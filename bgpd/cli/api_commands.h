// evpnctl's management verbs: a gRPC client of the daemon's API (proto/api.proto), with the
// verbs network engineers know from gobgp and vtysh. Output is aligned tables for people, or
// the API's messages as JSON with --json for scripts.
//
//   evpnctl [--socket PATH | --address HOST:PORT] [--json] [--timeout SECONDS] VERB ...
//   global                                   router-wide facts
//   neighbor [ADDRESS]                       peers and their sessions
//   neighbor ADDRESS enable|disable [MESSAGE]|reset|softreset
//   vni                                      VNIs: RD, RTs, VTEP, devices, counts, flood list
//   evpn routes [--vni N] [--type 2|3] [--mac MAC] [--rd RD] [--peer ADDRESS --in|--out]
//   evpn macs [--vni N]                      MACs: local/remote, VTEP, sequence, flags
//   evpn mac MAC [--vni N] [history]         one MAC (and its moves)
//   evpn mac MAC --vni N add [--ip IP]... [--sticky] | delete | clear-duplicate
//   reload                                   reload the configuration file
//   watch [--kinds peer,mac,fdb] [--count N] [--for SECONDS]   the event stream
//
// Exit codes: 0 done; 1 usage error (nothing sent); 2 the daemon refused the request (its
// message says why: unknown peer, VNI or MAC, malformed value); 3 the daemon could not be
// reached or did not answer in time.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace evpnd::cli {

// The default API socket (global.api.unix_socket's default).
inline constexpr const char* kDefaultApiSocket = "/run/evpnd/evpnd.sock";

// True when `verb` is one of the API verbs above.
bool IsApiVerb(const std::string& verb);
// Runs one invocation; `args` are all arguments after the program name.
int RunApiCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace evpnd::cli

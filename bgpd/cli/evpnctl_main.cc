// evpnctl: the operator's command line for evpnd: the management verbs over the daemon's gRPC
// API (api_commands.h) and `decode` (offline decoding of BGP messages and MRT dumps).
#include <iostream>
#include <string>
#include <vector>

#include "bgpd/cli/api_commands.h"
#include "bgpd/cli/decode_command.h"

namespace {

constexpr const char* kUsage =
    R"(usage: evpnctl [--socket PATH | --address HOST:PORT] [--json] [--timeout S] <command>

commands (over the daemon's API; default socket /run/evpnd/evpnd.sock):
  global                                    router-wide facts
  neighbor [ADDRESS]                        peers, session states, route counts
  neighbor ADDRESS enable|disable [MESSAGE]|reset|softreset
  vni                                       VNIs: RD, route targets, VTEP, devices, flood list
  evpn routes [--vni N] [--type T] [--mac MAC] [--rd RD] [--peer ADDRESS --in|--out]
  routes [--family l2vpn-evpn|ipv4-unicast|ipv6-unicast|all] [--peer ADDRESS --in|--out]
                                            routes of every family the sessions carry
  evpn macs [--vni N]                       MACs: local/remote, VTEP, sequence, flags, moves
  evpn mac MAC [--vni N] [history]          one MAC, and its moves
  evpn mac MAC --vni N add [--ip IP]... [--sticky] | delete | clear-duplicate
  reload                                    reload the configuration file
  watch [--kinds peer,mac,fdb] [--count N] [--for S]   peer, MAC and FDB events as they happen

offline:
  decode    decode BGP messages (hex or MRT) to JSON; see `evpnctl decode --help`

exit codes: 0 done, 1 usage error, 2 refused by evpnd (see its message), 3 evpnd unreachable
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::cout << kUsage;
    return argc < 2 ? 1 : 0;
  }
  const std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "decode") {
    return evpnd::cli::RunDecode(args, std::cin, std::cout, std::cerr);
  }
  if (evpnd::cli::IsApiVerb(command)) {
    return evpnd::cli::RunApiCommand(std::vector<std::string>(argv + 1, argv + argc), std::cout,
                                     std::cerr);
  }
  std::cerr << "evpnctl: unknown command '" << command << "'\n" << kUsage;
  return 1;
}

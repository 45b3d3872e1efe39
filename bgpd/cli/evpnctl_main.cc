// evpnctl: the operator's command line for evpnd. Today it has `decode` (offline decoding of BGP
// messages and MRT dumps); the management verbs arrive with the gRPC API.
#include <iostream>
#include <string>
#include <vector>

#include "bgpd/cli/decode_command.h"

namespace {

constexpr const char* kUsage = R"(usage: evpnctl <command> [args]

commands:
  decode    decode BGP messages (hex or MRT) to JSON; see `evpnctl decode --help`
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
  std::cerr << "evpnctl: unknown command '" << command << "'\n" << kUsage;
  return 1;
}

// Hex text <-> bytes for the command line: "ffff..." with optional spaces, colons or a 0x
// prefix, as tshark, Wireshark's "copy as hex stream" and FRR debug logs print it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evpnd::cli {

absl::StatusOr<std::vector<uint8_t>> ParseHex(absl::string_view text);
std::string ToHex(std::span<const uint8_t> bytes);

}  // namespace evpnd::cli

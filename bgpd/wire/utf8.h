// UTF-8 validation for the texts BGP carries (RFC 9003 shutdown communications, FQDN) and the
// configuration that produces them.
// Standards: RFC 3629 §4 (well-formed UTF-8: no overlong forms, surrogates or code points above
// U+10FFFF).
#pragma once

#include "absl/strings/string_view.h"

namespace evpnd::wire {

bool IsUtf8(absl::string_view text);

}  // namespace evpnd::wire

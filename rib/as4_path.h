// 4-octet AS numbers across 2-octet sessions. The RIB holds every AS_PATH and AGGREGATOR with
// their true 4-octet numbers: on receipt from an "OLD" (2-octet) speaker the AS_PATH that holds
// AS_TRANS is rebuilt from AS4_PATH, and on sending to one the AS4_PATH / AS4_AGGREGATOR
// attributes are added back (the codec writes AS_TRANS into the 2-octet fields).
// Standards: RFC 6793 §4.2.2 (sending to an OLD speaker), §4.2.3 (receiving from one), §6.
#pragma once

#include "bgpd/wire/path_attributes.h"

namespace evpnd::rib {

// Inbound: folds AS4_PATH / AS4_AGGREGATOR into AS_PATH / AGGREGATOR (2-octet session) or drops
// them (4-octet session).
void ReconstructAs4Path(wire::PathAttributes& attributes, bool four_octet_session);

// Outbound: adds AS4_PATH / AS4_AGGREGATOR when a 2-octet session needs them, removes them
// otherwise.
void PrepareAs4Path(wire::PathAttributes& attributes, bool four_octet_session);

}  // namespace evpnd::rib

// Packs NLRIs into as few UPDATE messages as fit: announcements that share family, attributes
// and audience travel together in one MP_REACH_NLRI (IPv4 unicast: the NLRI field, with
// NEXT_HOP), withdrawals together in one MP_UNREACH_NLRI (IPv4 unicast: WITHDRAWN ROUTES), each
// message at most the negotiated maximum size (4096, or 65535 with the extended message
// capability). NLRIs of a bucket are equal-sized in the common case (type-2 routes of one kind),
// so the greedy fill is the minimal number of messages.
//
// The MP attribute is written with the Extended Length flag always set, so a message's size is
// exactly base + the sum of its NLRI sizes, with `base` measured once per bucket by encoding it
// with no NLRI (the IPv4 fields have fixed two-byte lengths, so the same holds for them).
// Standards: RFC 4271 §4.3 (UPDATE, attribute length), RFC 4760 §3-4, RFC 8654 §4 (65535),
// RFC 7911 §3 (path identifiers in NLRI), RFC 7606 §5.1 (MP attribute first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "bgpd/wire/codec_context.h"
#include "bgpd/wire/evpn_nlri.h"
#include "bgpd/wire/update_message.h"
#include "rib/path.h"
#include "rib/peer.h"

namespace evpnd::rib {

// Who in an update group gets a message.
struct Audience {
  enum Kind : uint8_t {
    kAllExcept,  // every member but `peer` (the route's source; kLocalPeer: every member)
    kOnly,       // only `peer`
  };
  Kind kind = kAllExcept;
  PeerId peer = kLocalPeer;
  friend bool operator==(const Audience&, const Audience&) = default;
};

// One NLRI to send: an announcement with `attributes`, or a withdrawal when they are null. The
// family follows the NLRI.
struct PackOp {
  Audience audience;
  PathAttributesPtr attributes;
  RouteNlri nlri;
};

struct PackedUpdate {
  Audience audience;
  std::vector<uint8_t> message;  // the whole UPDATE, header included
  size_t nlri_count = 0;
};

class UpdatePacker {
 public:
  // `context` is the group's send context; its max_message_size bounds every message.
  explicit UpdatePacker(const wire::CodecContext& context);

  // Whether `op` fits an otherwise empty message (huge attribute sets may not).
  bool Fits(const PackOp& op);
  // Messages needed for everything added so far.
  size_t message_count() const { return message_count_; }
  // How many more messages adding `op` would need (0 or 1).
  size_t ExtraMessages(const PackOp& op);
  // Adds `op`; it must fit.
  void Add(PackOp op);
  // Encodes everything: withdrawals first, then announcements, buckets in first-use order.
  absl::StatusOr<std::vector<PackedUpdate>> Finish() const;

 private:
  struct Bucket {
    wire::AfiSafi family;
    Audience audience;
    PathAttributesPtr attributes;  // null: withdrawals
    size_t base_size = 0;
    size_t current_size = 0;
    std::vector<std::vector<RouteNlri>> messages;
  };
  // (AFI, SAFI, withdrawal, attributes, audience kind, audience peer).
  using BucketKey = std::tuple<uint16_t, uint8_t, bool, const void*, uint8_t, PeerId>;

  Bucket& BucketFor(const PackOp& op);
  size_t NlriSize(const PackOp& op) const;
  wire::UpdateMessage Build(const Bucket& bucket, const std::vector<RouteNlri>& nlri) const;

  wire::CodecContext context_;
  std::vector<Bucket> buckets_;
  absl::flat_hash_map<BucketKey, size_t> index_;
  size_t message_count_ = 0;
};

}  // namespace evpnd::rib

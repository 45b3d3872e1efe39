// See update_packer.h.
#include "rib/update_packer.h"

#include "absl/strings/str_cat.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/prefix_nlri.h"

namespace evpnd::rib {
namespace {

// RFC 4271 §4.3: "The fourth high-order bit (bit 3) of the Attribute Flags octet is the Extended
// Length bit. It defines whether the Attribute Length is one octet (if set to 0) or two octets
// (if set to 1)." Set always on MP_REACH_NLRI / MP_UNREACH_NLRI, as GoBGP does, so the
// attribute's header does not grow when its NLRI pass 255 bytes.
constexpr uint8_t kMpFlags = wire::kAttrFlagOptional | wire::kAttrFlagExtendedLength;

template <typename T>
std::vector<T> Collect(const std::vector<RouteNlri>& nlri) {
  std::vector<T> out;
  out.reserve(nlri.size());
  for (const RouteNlri& n : nlri) {
    if constexpr (std::is_same_v<T, wire::EvpnNlri>) {
      out.push_back({std::nullopt, std::get<evpn::EvpnRoute>(n)});
    } else {
      out.push_back({std::nullopt, std::get<evpn::IpPrefix>(n)});
    }
  }
  return out;
}

}  // namespace

UpdatePacker::UpdatePacker(const wire::CodecContext& context) : context_(context) {}

wire::UpdateMessage UpdatePacker::Build(const Bucket& bucket,
                                        const std::vector<RouteNlri>& nlri) const {
  wire::UpdateMessage update;
  wire::PathAttributes& a = update.attributes;
  const bool evpn = bucket.family == wire::kL2vpnEvpn;
  if (bucket.family == wire::kIpv4Unicast) {
    // RFC 4271 §4.3: IPv4 unicast travels in the UPDATE's own fields.
    if (bucket.attributes == nullptr) {
      update.withdrawn_routes = Collect<wire::PrefixNlri>(nlri);
    } else {
      a = *bucket.attributes;
      update.nlri = Collect<wire::PrefixNlri>(nlri);
    }
  } else if (bucket.attributes == nullptr) {
    a.mp_unreach = wire::MpUnreachNlri{bucket.family, {}, {}, {}};
    if (evpn) {
      a.mp_unreach->evpn_routes = Collect<wire::EvpnNlri>(nlri);
    } else {
      a.mp_unreach->prefixes = Collect<wire::PrefixNlri>(nlri);
    }
    a.layout = {{wire::kAttrMpUnreachNlri, kMpFlags}};
  } else {
    a = *bucket.attributes;
    if (evpn) {
      a.mp_reach->evpn_routes = Collect<wire::EvpnNlri>(nlri);
    } else {
      a.mp_reach->prefixes = Collect<wire::PrefixNlri>(nlri);
    }
    a.layout = {{wire::kAttrMpReachNlri, kMpFlags}};
  }
  return update;
}

size_t UpdatePacker::NlriSize(const PackOp& op) const {
  const bool add_path = context_.HasAddPath(FamilyOf(op.nlri));
  if (const auto* route = std::get_if<evpn::EvpnRoute>(&op.nlri)) {
    return wire::EvpnNlriSize({std::nullopt, *route}, add_path);
  }
  return wire::PrefixNlriSize({std::nullopt, std::get<evpn::IpPrefix>(op.nlri)}, add_path);
}

UpdatePacker::Bucket& UpdatePacker::BucketFor(const PackOp& op) {
  const wire::AfiSafi family = FamilyOf(op.nlri);
  const BucketKey key{family.afi,          family.safi,      op.attributes == nullptr,
                      op.attributes.get(), op.audience.kind, op.audience.peer};
  auto [it, inserted] = index_.try_emplace(key, buckets_.size());
  if (!inserted) return buckets_[it->second];
  Bucket& bucket = buckets_.emplace_back();
  bucket.family = family;
  bucket.audience = op.audience;
  bucket.attributes = op.attributes;
  // The size of this bucket's UPDATE without NLRI. An encoding failure (a value that overflows
  // its field) leaves the base at "never fits".
  auto encoded = wire::EncodeMessage(Build(bucket, {}), [&] {
    wire::CodecContext unlimited = context_;
    unlimited.max_message_size = wire::kMaxExtendedMessageSize;
    return unlimited;
  }());
  bucket.base_size = encoded.ok() ? encoded->size() : wire::kMaxExtendedMessageSize + 1;
  return bucket;
}

bool UpdatePacker::Fits(const PackOp& op) {
  return BucketFor(op).base_size + NlriSize(op) <= context_.max_message_size;
}

size_t UpdatePacker::ExtraMessages(const PackOp& op) {
  const Bucket& bucket = BucketFor(op);
  if (bucket.messages.empty()) return 1;
  return bucket.current_size + NlriSize(op) <= context_.max_message_size ? 0 : 1;
}

void UpdatePacker::Add(PackOp op) {
  const size_t size = NlriSize(op);
  Bucket& bucket = BucketFor(op);
  if (bucket.messages.empty() || bucket.current_size + size > context_.max_message_size) {
    bucket.messages.emplace_back();
    bucket.current_size = bucket.base_size;
    ++message_count_;
  }
  bucket.messages.back().push_back(std::move(op.nlri));
  bucket.current_size += size;
}

absl::StatusOr<std::vector<PackedUpdate>> UpdatePacker::Finish() const {
  std::vector<PackedUpdate> out;
  for (bool withdrawals : {true, false}) {
    for (const Bucket& bucket : buckets_) {
      if ((bucket.attributes == nullptr) != withdrawals) continue;
      for (const std::vector<RouteNlri>& nlri : bucket.messages) {
        auto encoded = wire::EncodeMessage(Build(bucket, nlri), context_);
        if (!encoded.ok()) {
          return absl::InternalError(absl::StrCat("packing ", nlri.size(), " ",
                                                  wire::AfiSafiName(bucket.family),
                                                  " NLRI: ", encoded.status().message()));
        }
        out.push_back({bucket.audience, std::move(*encoded), nlri.size()});
      }
    }
  }
  return out;
}

}  // namespace evpnd::rib

// See attribute_interner.h. The hash is taken over the canonical encoding (4-octet AS numbers,
// canonical order and flags), and collisions are settled with PathAttributes' operator==.
#include "rib/attribute_interner.h"

#include <algorithm>
#include <cstdint>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace evpnd::rib {
namespace {

size_t HashOf(const wire::PathAttributes& attributes) {
  std::vector<uint8_t> bytes;
  wire::WireWriter w(bytes);
  wire::CodecContext canonical;
  canonical.four_octet_as = true;
  canonical.max_message_size = wire::kMaxExtendedMessageSize;
  wire::EncodePathAttributes(attributes, canonical, w);
  return absl::Hash<absl::string_view>{}(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

wire::PathAttributes StripNlri(wire::PathAttributes attributes) {
  if (attributes.mp_reach.has_value()) {
    attributes.mp_reach->prefixes.clear();
    attributes.mp_reach->evpn_routes.clear();
    attributes.mp_reach->unknown_nlri.clear();
  }
  attributes.mp_unreach.reset();
  attributes.layout.clear();
  return attributes;
}

PathAttributesPtr AttributeInterner::Intern(wire::PathAttributes attributes) {
  attributes = StripNlri(std::move(attributes));
  const size_t hash = HashOf(attributes);
  std::vector<PathAttributesPtr>& bucket = buckets_[hash];
  for (const PathAttributesPtr& held : bucket) {
    if (*held == attributes) return held;
  }
  PathAttributesPtr fresh = ShareAttributes(std::move(attributes));
  bucket.push_back(fresh);
  ++size_;
  if (size_ >= collect_at_) {
    CollectGarbage();
    collect_at_ = std::max<size_t>(1024, 2 * size_);
  }
  return fresh;
}

size_t AttributeInterner::CollectGarbage() {
  size_t dropped = 0;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    std::vector<PathAttributesPtr>& bucket = it->second;
    const size_t before = bucket.size();
    std::erase_if(bucket, [](const PathAttributesPtr& p) { return p->use_count() == 1; });
    dropped += before - bucket.size();
    if (bucket.empty()) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
  size_ -= dropped;
  return dropped;
}

}  // namespace evpnd::rib

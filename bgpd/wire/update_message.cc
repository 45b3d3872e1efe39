// See update_message.h. The UPDATE's own framing errors reset the session (RFC 4271 §6.3,
// RFC 7606 §5.3); attribute errors take the action the attribute table gives; well-known
// attributes missing from an UPDATE that announces routes make it treat-as-withdraw
// (RFC 7606 §3 (d)).
#include "bgpd/wire/update_message.h"

#include "absl/strings/str_cat.h"
#include "bgpd/wire/notification_codes.h"

namespace evpnd::wire {
namespace {

WireError ResetError(uint8_t subcode, std::string message) {
  return WireError{ErrorAction::kSessionReset, kUpdateMessageError, subcode, {}, std::nullopt,
                   std::nullopt, std::move(message)};
}

bool AnnouncesRoutes(const UpdateMessage& u) {
  if (!u.nlri.empty()) return true;
  const auto& mp = u.attributes.mp_reach;
  return mp.has_value() &&
         (!mp->prefixes.empty() || !mp->evpn_routes.empty() || !mp->unknown_nlri.empty());
}

// RFC 4271 §6.3 / RFC 7606 §3 (d): ORIGIN and AS_PATH must accompany announced routes, and
// NEXT_HOP must accompany IPv4 NLRI in the UPDATE's own NLRI field (RFC 4760 §3 makes it
// unnecessary for MP_REACH_NLRI-only UPDATEs).
void CheckMandatory(const UpdateMessage& u, std::vector<WireError>& errors) {
  if (!AnnouncesRoutes(u)) return;
  auto missing = [&](uint8_t type) {
    errors.push_back(WireError{ErrorAction::kTreatAsWithdraw, kUpdateMessageError,
                               kMissingWellKnownAttribute, {type}, type, std::nullopt,
                               absl::StrCat("missing well-known attribute ",
                                            AttributeTypeName(type))});
  };
  const PathAttributes& a = u.attributes;
  // An attribute whose own error was already reported is absent here; do not report it twice.
  auto reported = [&](uint8_t type) {
    for (const WireError& e : errors) {
      if (e.attribute_type == type) return true;
    }
    return false;
  };
  if (!a.origin && !reported(kAttrOrigin)) missing(kAttrOrigin);
  if (!a.as_path && !reported(kAttrAsPath)) missing(kAttrAsPath);
  if (!u.nlri.empty() && !a.next_hop && !reported(kAttrNextHop)) missing(kAttrNextHop);
}

}  // namespace

std::optional<AfiSafi> UpdateMessage::EndOfRibFamily() const {
  if (!withdrawn_routes.empty() || !nlri.empty()) return std::nullopt;
  const PathAttributes& a = attributes;
  if (a == PathAttributes{}) return kIpv4Unicast;
  PathAttributes only_unreach;
  only_unreach.mp_unreach = a.mp_unreach;
  if (a.mp_unreach.has_value() && a == only_unreach && a.mp_unreach->prefixes.empty() &&
      a.mp_unreach->evpn_routes.empty() && a.mp_unreach->unknown_nlri.empty()) {
    return a.mp_unreach->family;
  }
  return std::nullopt;
}

UpdateMessage UpdateMessage::EndOfRib(AfiSafi family) {
  UpdateMessage u;
  if (family != kIpv4Unicast) u.attributes.mp_unreach = MpUnreachNlri{family, {}, {}, {}};
  return u;
}

DecodeOutcome<UpdateMessage> DecodeUpdateBody(std::span<const uint8_t> body,
                                              const CodecContext& ctx) {
  DecodeOutcome<UpdateMessage> out;
  UpdateMessage& u = out.value;
  WireReader r(body);
  uint16_t withdrawn_length = 0;
  std::span<const uint8_t> withdrawn;
  // RFC 4271 §6.3: lengths that exceed the message make the attribute list malformed.
  if (!r.ReadU16(withdrawn_length) || !r.ReadBytes(withdrawn_length, withdrawn)) {
    out.errors.push_back(ResetError(
        kMalformedAttributeList,
        absl::StrCat("Withdrawn Routes Length ", withdrawn_length, " exceeds the message")));
    return out;
  }
  uint16_t attributes_length = 0;
  std::span<const uint8_t> attributes;
  if (!r.ReadU16(attributes_length) || !r.ReadBytes(attributes_length, attributes)) {
    out.errors.push_back(ResetError(
        kMalformedAttributeList,
        absl::StrCat("Total Path Attribute Length ", attributes_length, " exceeds the message")));
    return out;
  }
  const bool add_path = ctx.HasAddPath(kIpv4Unicast);
  // RFC 7606 §5.3: IPv4 prefixes that cannot be parsed leave only a session reset.
  if (auto err = DecodePrefixNlri(withdrawn, /*ipv6=*/false, add_path, u.withdrawn_routes)) {
    out.errors.push_back(ResetError(kInvalidNetworkField, absl::StrCat("withdrawn routes: ", *err)));
    return out;
  }
  if (auto err = DecodePrefixNlri(r.ReadRest(), /*ipv6=*/false, add_path, u.nlri)) {
    out.errors.push_back(ResetError(kInvalidNetworkField, absl::StrCat("NLRI: ", *err)));
    return out;
  }
  u.attributes = DecodePathAttributes(attributes, ctx, out.errors);
  CheckMandatory(u, out.errors);
  return out;
}

void EncodeUpdateBody(const UpdateMessage& update, const CodecContext& ctx, WireWriter& w) {
  const bool add_path = ctx.HasAddPath(kIpv4Unicast);
  size_t at = w.Reserve(2);
  size_t start = w.size();
  for (const PrefixNlri& p : update.withdrawn_routes) EncodePrefixNlri(p, add_path, w);
  w.PatchLength16(at, w.size() - start);
  at = w.Reserve(2);
  start = w.size();
  EncodePathAttributes(update.attributes, ctx, w);
  w.PatchLength16(at, w.size() - start);
  for (const PrefixNlri& p : update.nlri) EncodePrefixNlri(p, add_path, w);
}

}  // namespace evpnd::wire

// See message_json.h.
#include "bgpd/cli/message_json.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bgpd/cli/hex.h"
#include "bgpd/wire/notification_codes.h"

namespace evpnd::cli {
namespace {

using namespace evpnd::wire;  // NOLINT: this file is a printer over the whole codec.
namespace ev = evpnd::evpn;

std::string Ipv4(uint32_t host_order) { return ev::IpAddress::V4(host_order).ToString(); }

Json LabelJson(const ev::Label& label) {
  // RFC 8365 §5.1.3: for VXLAN the 24 bits are the VNI; for MPLS the top 20 bits the label.
  return Json{{"vni", label.vni()},
              {"mpls_label", label.mpls_label()},
              {"bottom_of_stack", label.bottom_of_stack()}};
}

Json EsiJson(const ev::Esi& esi) {
  Json j{{"type", esi.type()}, {"value", esi.ToString()}};
  switch (esi.type()) {
    case ev::Esi::kLacp:
      j["ce_lacp_system_mac"] = esi.mac().ToString();
      j["ce_lacp_port_key"] = esi.u16_after_mac();
      break;
    case ev::Esi::kBridgedLan:
      j["root_bridge_mac"] = esi.mac().ToString();
      j["root_bridge_priority"] = esi.u16_after_mac();
      break;
    case ev::Esi::kMacBased:
      j["system_mac"] = esi.mac().ToString();
      j["local_discriminator"] = esi.mac_based_discriminator();
      break;
    case ev::Esi::kRouterId:
      j["router_id"] = Ipv4(esi.u32_first());
      j["local_discriminator"] = esi.u32_second();
      break;
    case ev::Esi::kAsBased:
      j["as"] = esi.u32_first();
      j["local_discriminator"] = esi.u32_second();
      break;
    default:
      break;
  }
  return j;
}

Json RdJson(const ev::RouteDistinguisher& rd) {
  return Json{{"type", rd.type()}, {"value", rd.ToString()}};
}

Json IpWithLength(Json j, const char* length_key, const char* key, const ev::IpAddress& ip) {
  j[length_key] = ip.bit_length();
  j[key] = ip.ToString();
  return j;
}

struct RouteJson {
  Json j;
  void operator()(const ev::EthernetAutoDiscoveryRoute& r) {
    j["rd"] = RdJson(r.rd);
    j["esi"] = EsiJson(r.esi);
    j["ethernet_tag"] = r.ethernet_tag;
    j["label"] = LabelJson(r.label);
  }
  void operator()(const ev::MacIpAdvertisementRoute& r) {
    j["rd"] = RdJson(r.rd);
    j["esi"] = EsiJson(r.esi);
    j["ethernet_tag"] = r.ethernet_tag;
    j["mac_length"] = 48;
    j["mac"] = r.mac.ToString();
    j["ip_length"] = r.ip ? r.ip->bit_length() : 0;
    if (r.ip) j["ip"] = r.ip->ToString();
    j["label1"] = LabelJson(r.label1);
    if (r.label2) j["label2"] = LabelJson(*r.label2);
  }
  void operator()(const ev::InclusiveMulticastEthernetTagRoute& r) {
    j["rd"] = RdJson(r.rd);
    j["ethernet_tag"] = r.ethernet_tag;
    j = IpWithLength(std::move(j), "ip_length", "originating_router_ip", r.originating_router_ip);
  }
  void operator()(const ev::EthernetSegmentRoute& r) {
    j["rd"] = RdJson(r.rd);
    j["esi"] = EsiJson(r.esi);
    j = IpWithLength(std::move(j), "ip_length", "originating_router_ip", r.originating_router_ip);
  }
  void operator()(const ev::IpPrefixRoute& r) {
    j["rd"] = RdJson(r.rd);
    j["esi"] = EsiJson(r.esi);
    j["ethernet_tag"] = r.ethernet_tag;
    j["ip_prefix_length"] = r.prefix.length;
    j["ip_prefix"] = r.prefix.ToString();
    j["gateway_ip"] = r.gateway_ip.ToString();
    j["label"] = LabelJson(r.label);
  }
  void operator()(const ev::UnknownEvpnRoute& r) { j["value"] = ToHex(r.value); }
};

Json PrefixJson(const PrefixNlri& p) {
  Json j;
  if (p.path_id) j["path_id"] = *p.path_id;
  j["prefix"] = p.prefix.ToString();
  return j;
}

Json AsPathJson(const AsPath& path) {
  Json segments = Json::array();
  for (const AsPathSegment& s : path.segments) {
    static constexpr const char* kNames[] = {"", "AS_SET", "AS_SEQUENCE", "AS_CONFED_SEQUENCE",
                                             "AS_CONFED_SET"};
    segments.push_back(Json{{"type", s.type <= 4 ? kNames[s.type] : "unknown"}, {"asns", s.asns}});
  }
  return Json{{"path", path.ToString()}, {"segments", segments}};
}

Json AggregatorJson(const Aggregator& a) {
  return Json{{"as", a.asn}, {"address", Ipv4(a.address)}};
}

absl::string_view TunnelTypeName(uint16_t type) {
  switch (type) {
    case ev::EncapsulationExtendedCommunity::kVxlan:
      return "vxlan";
    case ev::EncapsulationExtendedCommunity::kNvgre:
      return "nvgre";
    case ev::EncapsulationExtendedCommunity::kMpls:
      return "mpls";
    case ev::EncapsulationExtendedCommunity::kMplsInGre:
      return "mpls-in-gre";
    case ev::EncapsulationExtendedCommunity::kVxlanGpe:
      return "vxlan-gpe";
    case ev::EncapsulationExtendedCommunity::kGeneve:
      return "geneve";
    default:
      return "unknown";
  }
}

struct CommunityJson {
  Json& j;
  void operator()(const ev::RouteTarget& c) {
    static constexpr const char* kKinds[] = {"two-octet-as", "ipv4-address", "four-octet-as"};
    j["value"] = c.ToString();
    j["format"] = kKinds[static_cast<int>(c.kind)];
  }
  void operator()(const ev::EncapsulationExtendedCommunity& c) {
    j["tunnel_type"] = c.tunnel_type;
    j["tunnel_type_name"] = TunnelTypeName(c.tunnel_type);
  }
  void operator()(const ev::MacMobilityExtendedCommunity& c) {
    j["sequence"] = c.sequence;
    j["sticky"] = c.sticky();
  }
  void operator()(const ev::EsiLabelExtendedCommunity& c) {
    j["single_active"] = c.single_active();
    j["label"] = LabelJson(c.label);
  }
  void operator()(const ev::EsImportRouteTarget& c) { j["mac"] = c.mac.ToString(); }
  void operator()(const ev::RouterMacExtendedCommunity& c) { j["mac"] = c.mac.ToString(); }
  void operator()(const ev::DefaultGatewayExtendedCommunity&) {}
  void operator()(const ev::ArpNdExtendedCommunity& c) {
    j["flags"] = c.flags;
    j["router"] = c.router();
    j["override"] = c.override_flag();
  }
  void operator()(const ev::UnknownExtendedCommunity& c) {
    j["type_high"] = c.type();
    j["sub_type"] = c.sub_type();
  }
};

Json ExtendedCommunitiesJson(const std::vector<ev::ExtendedCommunity>& list) {
  Json out = Json::array();
  for (const ev::ExtendedCommunity& c : list) {
    Json j{{"type", ev::ExtendedCommunityName(c)}};
    std::visit(CommunityJson{j}, c);
    j["raw"] = ToHex(ev::ExtendedCommunityToBytes(c));
    out.push_back(std::move(j));
  }
  return out;
}

Json NlriListJson(const std::vector<PrefixNlri>& prefixes, const std::vector<EvpnNlri>& evpn,
                  const std::vector<uint8_t>& unknown) {
  Json out = Json::array();
  for (const PrefixNlri& p : prefixes) out.push_back(PrefixJson(p));
  for (const EvpnNlri& e : evpn) out.push_back(EvpnRouteToJson(e));
  if (!unknown.empty()) out.push_back(Json{{"undecoded", ToHex(unknown)}});
  return out;
}

Json FamilyJson(Json j, AfiSafi family) {
  j["afi"] = family.afi;
  j["safi"] = family.safi;
  j["family"] = AfiSafiName(family);
  return j;
}

Json PmsiJson(const PmsiTunnel& t) {
  static constexpr const char* kTypes[] = {"no-tunnel-information", "rsvp-te-p2mp", "mldp-p2mp",
                                           "pim-ssm", "pim-sm", "bidir-pim", "ingress-replication",
                                           "mldp-mp2mp"};
  Json j{{"flags", t.flags},
         {"leaf_information_required", (t.flags & PmsiTunnel::kLeafInformationRequired) != 0},
         {"tunnel_type", t.tunnel_type},
         {"tunnel_type_name", t.tunnel_type <= 7 ? kTypes[t.tunnel_type] : "unknown"},
         {"label", LabelJson(t.label)}};
  if (auto endpoint = t.TunnelEndpoint()) {
    j["tunnel_endpoint"] = endpoint->ToString();
  } else {
    j["tunnel_identifier"] = ToHex(t.tunnel_identifier);
  }
  return j;
}

// The value of one known attribute, or null if absent.
Json AttributeValue(const PathAttributes& a, uint8_t type) {
  switch (type) {
    case kAttrOrigin: {
      static constexpr const char* kOrigins[] = {"IGP", "EGP", "INCOMPLETE"};
      return a.origin ? Json(kOrigins[static_cast<int>(*a.origin)]) : Json();
    }
    case kAttrAsPath:
      return a.as_path ? AsPathJson(*a.as_path) : Json();
    case kAttrNextHop:
      return a.next_hop ? Json(Ipv4(*a.next_hop)) : Json();
    case kAttrMultiExitDisc:
      return a.multi_exit_disc ? Json(*a.multi_exit_disc) : Json();
    case kAttrLocalPref:
      return a.local_pref ? Json(*a.local_pref) : Json();
    case kAttrAtomicAggregate:
      return a.atomic_aggregate ? Json(true) : Json();
    case kAttrAggregator:
      return a.aggregator ? AggregatorJson(*a.aggregator) : Json();
    case kAttrCommunities: {
      if (!a.communities) return Json();
      Json list = Json::array();
      for (uint32_t c : *a.communities) list.push_back(absl::StrCat(c >> 16, ":", c & 0xffff));
      return list;
    }
    case kAttrOriginatorId:
      return a.originator_id ? Json(Ipv4(*a.originator_id)) : Json();
    case kAttrClusterList: {
      if (!a.cluster_list) return Json();
      Json list = Json::array();
      for (uint32_t id : *a.cluster_list) list.push_back(Ipv4(id));
      return list;
    }
    case kAttrMpReachNlri: {
      if (!a.mp_reach) return Json();
      const MpReachNlri& mp = *a.mp_reach;
      Json j = FamilyJson(Json::object(), mp.family);
      auto nh = mp.NextHopAddress();
      j["next_hop"] = nh ? Json(nh->ToString()) : Json(ToHex(mp.next_hop));
      if (mp.next_hop.size() == 32) {
        j["link_local_next_hop"] =
            ev::IpAddress::FromBytes(std::span(mp.next_hop).subspan(16))->ToString();
      }
      j["nlri"] = NlriListJson(mp.prefixes, mp.evpn_routes, mp.unknown_nlri);
      return j;
    }
    case kAttrMpUnreachNlri: {
      if (!a.mp_unreach) return Json();
      const MpUnreachNlri& mp = *a.mp_unreach;
      Json j = FamilyJson(Json::object(), mp.family);
      j["withdrawn_routes"] = NlriListJson(mp.prefixes, mp.evpn_routes, mp.unknown_nlri);
      return j;
    }
    case kAttrExtendedCommunities:
      return a.extended_communities ? ExtendedCommunitiesJson(*a.extended_communities) : Json();
    case kAttrAs4Path:
      return a.as4_path ? AsPathJson(*a.as4_path) : Json();
    case kAttrAs4Aggregator:
      return a.as4_aggregator ? AggregatorJson(*a.as4_aggregator) : Json();
    case kAttrPmsiTunnel:
      return a.pmsi_tunnel ? PmsiJson(*a.pmsi_tunnel) : Json();
    case kAttrLargeCommunity: {
      if (!a.large_communities) return Json();
      Json list = Json::array();
      for (const LargeCommunity& c : *a.large_communities) {
        list.push_back(
            absl::StrCat(c.global_administrator, ":", c.local_data1, ":", c.local_data2));
      }
      return list;
    }
    default:
      return Json();
  }
}

Json CapabilityJson(const Capability& c) {
  const uint8_t code = CapabilityCodeOf(c);
  Json j{{"code", code}, {"name", CapabilityName(code)}};
  if (const auto* mp = std::get_if<MultiprotocolCapability>(&c)) {
    j = FamilyJson(std::move(j), mp->family);
  } else if (const auto* gr = std::get_if<GracefulRestartCapability>(&c)) {
    j["restart_state"] = (gr->restart_flags & GracefulRestartCapability::kRestartState) != 0;
    j["notification"] = (gr->restart_flags & GracefulRestartCapability::kNotification) != 0;
    j["restart_time"] = gr->restart_time;
    Json families = Json::array();
    for (const auto& f : gr->families) {
      Json fj = FamilyJson(Json::object(), f.family);
      fj["forwarding_state"] = (f.flags & GracefulRestartCapability::kForwardingState) != 0;
      families.push_back(std::move(fj));
    }
    j["families"] = std::move(families);
  } else if (const auto* as4 = std::get_if<FourOctetAsCapability>(&c)) {
    j["as"] = as4->asn;
  } else if (const auto* ap = std::get_if<AddPathCapability>(&c)) {
    Json families = Json::array();
    for (const auto& f : ap->families) {
      Json fj = FamilyJson(Json::object(), f.family);
      fj["receive"] = (f.send_receive & AddPathCapability::kReceive) != 0;
      fj["send"] = (f.send_receive & AddPathCapability::kSend) != 0;
      families.push_back(std::move(fj));
    }
    j["families"] = std::move(families);
  } else if (const auto* fqdn = std::get_if<FqdnCapability>(&c)) {
    j["hostname"] = fqdn->hostname;
    j["domain"] = fqdn->domain;
  } else if (const auto* unknown = std::get_if<UnknownCapability>(&c)) {
    j["value"] = ToHex(unknown->value);
  }
  return j;
}

struct BodyJson {
  Json operator()(const OpenMessage& m) const {
    Json caps = Json::array();
    for (const Capability& c : m.capabilities) caps.push_back(CapabilityJson(c));
    return Json{{"version", m.version},
                {"my_as", m.my_as},
                {"hold_time", m.hold_time},
                {"bgp_identifier", Ipv4(m.bgp_identifier)},
                {"capabilities", std::move(caps)}};
  }
  Json operator()(const UpdateMessage& m) const {
    Json withdrawn = Json::array();
    for (const PrefixNlri& p : m.withdrawn_routes) withdrawn.push_back(PrefixJson(p));
    Json nlri = Json::array();
    for (const PrefixNlri& p : m.nlri) nlri.push_back(PrefixJson(p));
    Json j{{"withdrawn_routes", std::move(withdrawn)},
           {"path_attributes", PathAttributesToJson(m.attributes)},
           {"nlri", std::move(nlri)}};
    if (auto eor = m.EndOfRibFamily()) j["end_of_rib"] = AfiSafiName(*eor);
    return j;
  }
  Json operator()(const NotificationMessage& m) const {
    Json j{{"code", m.code},
           {"subcode", m.subcode},
           {"code_name", ErrorCodeName(m.code)},
           {"subcode_name", ErrorSubcodeName(m.code, m.subcode)},
           {"data", ToHex(m.data)}};
    if (auto text = m.ShutdownCommunication()) j["shutdown_communication"] = *text;
    return j;
  }
  Json operator()(const KeepaliveMessage&) const { return Json::object(); }
  Json operator()(const RouteRefreshMessage& m) const {
    static constexpr const char* kSubtypes[] = {"normal", "beginning-of-route-refresh",
                                                "end-of-route-refresh"};
    Json j = FamilyJson(Json::object(), m.family);
    j["subtype"] = m.subtype;
    j["subtype_name"] = m.subtype <= 2 ? kSubtypes[m.subtype] : "reserved";
    if (!m.orf_entries.empty()) j["orf_entries"] = ToHex(m.orf_entries);
    return j;
  }
};

absl::string_view BodyKey(uint8_t type) {
  switch (type) {
    case kMsgOpen:
      return "open";
    case kMsgUpdate:
      return "update";
    case kMsgNotification:
      return "notification";
    case kMsgKeepalive:
      return "keepalive";
    default:
      return "route_refresh";
  }
}

}  // namespace

Json EvpnRouteToJson(const EvpnNlri& nlri) {
  const uint8_t type = ev::RouteTypeOf(nlri.route);
  RouteJson r;
  if (nlri.path_id) r.j["path_id"] = *nlri.path_id;
  r.j["route_type"] = type;
  r.j["route_type_name"] = ev::RouteTypeName(type);
  std::visit(r, nlri.route);
  return std::move(r.j);
}

Json PathAttributesToJson(const PathAttributes& a) {
  Json out = Json::array();
  std::array<bool, 256> done{};
  auto add = [&](uint8_t type, std::optional<uint8_t> flags) {
    if (done[type]) return;
    for (const UnknownAttribute& u : a.unknown) {
      if (u.type != type) continue;
      done[type] = true;
      out.push_back(Json{{"type", u.type},
                         {"name", "UNKNOWN"},
                         {"flags", absl::StrFormat("0x%02x", u.flags)},
                         {"optional", (u.flags & kAttrFlagOptional) != 0},
                         {"transitive", (u.flags & kAttrFlagTransitive) != 0},
                         {"partial", (u.flags & kAttrFlagPartial) != 0},
                         {"value", ToHex(u.value)}});
      return;
    }
    Json value = AttributeValue(a, type);
    if (value.is_null()) return;
    done[type] = true;
    Json j{{"type", type}, {"name", AttributeTypeName(type)}};
    if (flags) j["flags"] = absl::StrFormat("0x%02x", *flags);
    j["value"] = std::move(value);
    out.push_back(std::move(j));
  };
  for (const AttributeLayout& l : a.layout) add(l.type, l.flags);
  for (int type = 0; type < 256; ++type) add(static_cast<uint8_t>(type), std::nullopt);
  return out;
}

Json MessageToJson(const Message& message) {
  const uint8_t type = MessageTypeOf(message);
  return Json{{"type", MessageTypeName(type)},
              {std::string(BodyKey(type)), std::visit(BodyJson{}, message)}};
}

Json ErrorToJson(const WireError& e) {
  Json j{{"action", ErrorActionName(e.action)},
         {"code", e.code},
         {"subcode", e.subcode},
         {"code_name", ErrorCodeName(e.code)},
         {"subcode_name", ErrorSubcodeName(e.code, e.subcode)}};
  if (!e.data.empty()) j["data"] = ToHex(e.data);
  if (e.attribute_type) j["attribute"] = AttributeTypeName(*e.attribute_type);
  if (e.family) j["family"] = AfiSafiName(*e.family);
  j["message"] = e.message;
  return j;
}

Json DecodedMessageToJson(std::span<const uint8_t> bytes, const DecodeOutcome<Message>& outcome) {
  Json j;
  const WireError* strongest = outcome.strongest();
  const bool framed = strongest == nullptr || strongest->code != kMessageHeaderError;
  if (framed) {
    j = MessageToJson(outcome.value);
  } else if (bytes.size() > 18) {
    j["type"] = MessageTypeName(bytes[18]);
  }
  j["length"] = bytes.size();
  if (!outcome.errors.empty()) {
    // An UPDATE cut short by a framing error would otherwise read as an End-of-RIB.
    if (j.contains("update")) j["update"].erase("end_of_rib");
    j["action"] = ErrorActionName(outcome.action());
    Json errors = Json::array();
    for (const WireError& e : outcome.errors) errors.push_back(ErrorToJson(e));
    j["errors"] = std::move(errors);
  }
  return j;
}

Json MrtRecordToJson(const MrtRecord& r) {
  Json j{{"offset", r.file_offset},
         {"timestamp", r.timestamp},
         {"type", r.type},
         {"subtype", r.subtype}};
  if (r.type == kMrtTypeBgp4mpEt) j["microseconds"] = r.microseconds;
  if (r.is_bgp4mp) {
    j["peer_as"] = r.peer_as;
    j["local_as"] = r.local_as;
    j["interface_index"] = r.interface_index;
    j["peer_ip"] = r.peer_ip.ToString();
    j["local_ip"] = r.local_ip.ToString();
  }
  if (r.old_state) j["old_state"] = *r.old_state;
  if (r.new_state) j["new_state"] = *r.new_state;
  if (!r.note.empty()) j["note"] = r.note;
  return j;
}

}  // namespace evpnd::cli

// See evpn_config_reader.h.
#include "bgpd/config/evpn_config_reader.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bgpd/config/interface_name.h"

namespace evpnd::bgpd::config_internal {
namespace {

namespace cfg = ::evpnd::config::v1;

constexpr uint32_t kMaxMoves = 1000;
constexpr uint32_t kMaxWindowS = 3600;
constexpr uint32_t kMaxRecoveryS = 86400;

class EvpnReader {
 public:
  EvpnReader(const GlobalConfig& global, Problems& problems)
      : global_(global), problems_(problems) {}

  EvpnConfig Read(const cfg::Evpn& evpn, const Locator& at) {
    EvpnConfig out;
    evpn::IpAddress vtep = evpn::IpAddress::V4(global_.router_id);
    if (!evpn.vtep_address().empty()) {
      vtep = ReadVtep(evpn.vtep_address(), at.Field("vtep_address")).value_or(vtep);
    }
    out.kernel_fdb = !evpn.has_kernel_fdb() || evpn.kernel_fdb();
    out.sticky_static_macs = evpn.sticky_static_macs();
    out.retain_route_target_all = evpn.retain_route_target_all();
    out.duplicate_detection =
        ReadDuplicateDetection(evpn.duplicate_mac_detection(), at.Nested("duplicate_mac_detection"));
    std::map<evpn::Vni, Site> seen;
    std::map<evpn::RouteDistinguisher, Site> rds;
    for (int i = 0; i < evpn.vnis_size(); ++i) {
      const Locator v = at.Nested("vnis", i);
      std::optional<VniConfig> vni = ReadVni(evpn.vnis(i), v, vtep, i + 1);
      if (!vni) continue;
      auto [it, inserted] = seen.try_emplace(vni->vni, v.Field("vni"));
      if (!inserted) {
        problems_.Add(v.Field("vni"), absl::StrCat("VNI ", vni->vni, " is already configured (",
                                                   it->second.path, ")"));
        continue;
      }
      // RFC 7432 §7.9: the RD names one EVI of this PE; two VNIs with one RD would have
      // their routes (their type-3 above all) overwrite each other.
      auto [rd, fresh] = rds.try_emplace(vni->rd, v.Field("rd"));
      if (!fresh) {
        problems_.Add(v.Field("rd"), absl::StrCat("route distinguisher ", vni->rd.ToString(),
                                                  " is already used by ", rd->second.path));
        continue;
      }
      out.vnis.push_back(std::move(*vni));
    }
    return out;
  }

 private:
  std::optional<evpn::IpAddress> ReadVtep(const std::string& text, const Site& site) {
    absl::StatusOr<evpn::IpAddress> address = evpn::IpAddress::Parse(text);
    if (!address.ok()) {
      problems_.Add(site, absl::StrCat("\"", text, "\" is not an IPv4 or IPv6 address"));
      return std::nullopt;
    }
    const auto bytes = address->bytes();
    if (std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; })) {
      problems_.Add(site, "the unspecified address cannot be a VTEP address");
      return std::nullopt;
    }
    return *address;
  }

  uint32_t Bounded(bool present, uint32_t value, uint32_t fallback, uint32_t low, uint32_t high,
                   const Site& site, absl::string_view what) {
    if (!present) return fallback;
    if (value < low || value > high) {
      problems_.Add(site, absl::StrCat(value, " is out of range: ", what, " is ", low, "..", high));
      return fallback;
    }
    return value;
  }

  evpn::DuplicateDetectionConfig ReadDuplicateDetection(const cfg::DuplicateMacDetection& d,
                                                        const Locator& at) {
    evpn::DuplicateDetectionConfig out;
    out.max_moves = Bounded(d.has_max_moves(), d.max_moves(), out.max_moves, 0, kMaxMoves,
                            at.Field("max_moves"), "the number of moves");
    out.window = absl::Seconds(Bounded(d.has_window_s(), d.window_s(), 180, 1, kMaxWindowS,
                                       at.Field("window_s"), "the window in seconds"));
    out.freeze = d.freeze();
    out.recovery = absl::Seconds(Bounded(d.has_recovery_s(), d.recovery_s(), 180, 0,
                                         kMaxRecoveryS, at.Field("recovery_s"),
                                         "the recovery time in seconds"));
    return out;
  }

  std::optional<VniConfig> ReadVni(const cfg::Vni& v, const Locator& at,
                                   const evpn::IpAddress& default_vtep, uint32_t index) {
    VniConfig out;
    out.vni = v.vni();
    if (v.vni() == 0 || v.vni() > evpn::kMaxVni) {
      problems_.Add(at.Field("vni"),
                    v.vni() == 0 ? "missing: the VNI, 1..16777215"
                                 : absl::StrCat(v.vni(), " is not a VNI (24 bits: 1..16777215)"));
      return std::nullopt;
    }
    ReadRd(v.rd(), at.Field("rd"), index, out);
    ReadRouteTargets(v, at, out);
    out.vtep = default_vtep;
    if (!v.vtep_address().empty()) {
      out.vtep = ReadVtep(v.vtep_address(), at.Field("vtep_address")).value_or(default_vtep);
    }
    out.bridge = ReadInterface(v.bridge(), at.Field("bridge"));
    out.vxlan_device = ReadInterface(v.vxlan_device(), at.Field("vxlan_device"));
    ReadLocalMacs(v, at, out);
    return out;
  }

  // RFC 7432 §7.9: the RD of an EVI is unique per PE; FRR and EOS derive router-id:N.
  void ReadRd(const std::string& text, const Site& site, uint32_t index, VniConfig& out) {
    if (text.empty() || text == "auto") {
      out.rd = evpn::RouteDistinguisher::Ipv4Address(global_.router_id,
                                                     static_cast<uint16_t>(index));
      out.rd_auto = true;
      return;
    }
    out.rd_auto = false;
    absl::StatusOr<evpn::RouteDistinguisher> rd = evpn::RouteDistinguisher::Parse(text);
    if (!rd.ok()) {
      problems_.Add(site, absl::StrCat("\"", text, "\" is not a route distinguisher (write "
                                       "\"auto\", A.B.C.D:N, ASN:N or 4-octet-ASN:N)"));
      return;
    }
    out.rd = *rd;
  }

  std::vector<evpn::RouteTarget> ReadList(const google::protobuf::RepeatedPtrField<std::string>& l,
                                          const Locator& at, absl::string_view name) {
    std::vector<evpn::RouteTarget> out;
    for (int i = 0; i < l.size(); ++i) {
      absl::StatusOr<evpn::RouteTarget> rt = evpn::RouteTarget::Parse(l.Get(i));
      if (!rt.ok()) {
        problems_.Add(at.Field(name, i), std::string(rt.status().message()));
      } else if (std::find(out.begin(), out.end(), *rt) == out.end()) {
        out.push_back(*rt);
      }
    }
    return out;
  }

  // RFC 8365 §5.1.2.1: without configured route targets, ASN:VNI.
  void ReadRouteTargets(const cfg::Vni& v, const Locator& at, VniConfig& out) {
    const std::vector<evpn::RouteTarget> both = ReadList(v.route_targets(), at, "route_targets");
    auto merged = [&](const std::vector<evpn::RouteTarget>& only) {
      std::vector<evpn::RouteTarget> all = both;
      for (const evpn::RouteTarget& rt : only) {
        if (std::find(all.begin(), all.end(), rt) == all.end()) all.push_back(rt);
      }
      if (all.empty()) all.push_back(evpn::RouteTarget::ForVni(global_.local_as, out.vni));
      return all;
    };
    out.import_route_targets =
        merged(ReadList(v.import_route_targets(), at, "import_route_targets"));
    out.export_route_targets =
        merged(ReadList(v.export_route_targets(), at, "export_route_targets"));
  }

  std::string ReadInterface(const std::string& name, const Site& site) {
    if (name.empty()) return name;
    if (std::optional<std::string> problem = InterfaceNameProblem(name)) {
      problems_.Add(site, *problem);
    }
    return name;
  }

  void ReadLocalMacs(const cfg::Vni& v, const Locator& at, VniConfig& out) {
    std::set<evpn::MacAddress> seen;
    for (int i = 0; i < v.local_macs_size(); ++i) {
      const cfg::LocalMac& m = v.local_macs(i);
      const Locator lm = at.Nested("local_macs", i);
      absl::StatusOr<evpn::MacAddress> mac = evpn::MacAddress::Parse(m.mac());
      if (!mac.ok()) {
        problems_.Add(lm.Field("mac"), m.mac().empty()
                                           ? std::string("missing: the host's MAC address")
                                           : absl::StrCat("\"", m.mac(), "\" is not a MAC address"));
        continue;
      }
      if (!mac->IsUnicast()) {
        problems_.Add(lm.Field("mac"),
                      absl::StrCat(mac->ToString(), " is not a unicast MAC address"));
        continue;
      }
      if (!seen.insert(*mac).second) {
        problems_.Add(lm.Field("mac"), absl::StrCat(mac->ToString(), " is listed twice"));
        continue;
      }
      LocalMacConfig c{*mac, {}, m.sticky()};
      for (int j = 0; j < m.ips_size(); ++j) {
        absl::StatusOr<evpn::IpAddress> ip = evpn::IpAddress::Parse(m.ips(j));
        if (!ip.ok()) {
          problems_.Add(lm.Field("ips", j),
                        absl::StrCat("\"", m.ips(j), "\" is not an IPv4 or IPv6 address"));
        } else if (std::find(c.ips.begin(), c.ips.end(), *ip) == c.ips.end()) {
          c.ips.push_back(*ip);
        }
      }
      out.local_macs.push_back(std::move(c));
    }
  }

  const GlobalConfig& global_;
  Problems& problems_;
};

}  // namespace

EvpnConfig ReadEvpnConfig(const cfg::Evpn& evpn, const Locator& at, const GlobalConfig& global,
                          Problems& problems) {
  return EvpnReader(global, problems).Read(evpn, at);
}

}  // namespace evpnd::bgpd::config_internal

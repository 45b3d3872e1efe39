// See api_commands.h.
#include "bgpd/cli/api_commands.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <ostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "proto/api.grpc.pb.h"

namespace evpnd::cli {
namespace {

namespace pb = ::evpnd::api::v1;

constexpr int kUsageError = 1;
constexpr int kRefused = 2;
constexpr int kUnreachable = 3;

struct Options {
  std::string target = absl::StrCat("unix:", kDefaultApiSocket);
  bool json = false;
  int timeout_s = 10;
  std::vector<std::string> words;  // the verb and its arguments, options removed
};

// Aligned columns, as `show` commands print them.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const {
    std::vector<size_t> width;
    for (const auto& row : rows_) {
      width.resize(std::max(width.size(), row.size()));
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
      }
      out << line << "\n";
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string Since(int64_t unix_ns) {
  if (unix_ns == 0) return "never";
  const absl::Duration d = absl::Now() - absl::FromUnixNanos(unix_ns);
  const int64_t s = std::max<int64_t>(absl::ToInt64Seconds(d), 0);
  if (s >= 86400) return absl::StrCat(s / 86400, "d", (s % 86400) / 3600, "h");
  return absl::StrFormat("%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
}

std::string Flags(std::initializer_list<std::pair<bool, const char*>> flags) {
  std::vector<std::string> on;
  for (const auto& [set, name] : flags) {
    if (set) on.push_back(name);
  }
  return on.empty() ? "-" : absl::StrJoin(on, ",");
}

class Client {
 public:
  Client(const Options& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err),
        stub_(pb::Evpnd::NewStub(
            grpc::CreateChannel(options.target, grpc::InsecureChannelCredentials()))) {}

  // Calls one RPC; prints the daemon's refusal and returns the exit code on failure.
  template <typename Request, typename Response, typename Method>
  int Call(Method method, const Request& request, Response& response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(options_.timeout_s));
    const grpc::Status s = (stub_.get()->*method)(&context, request, &response);
    if (s.ok()) return 0;
    const bool unreachable = s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                             s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (unreachable) {
      err_ << "evpnctl: cannot reach evpnd at " << options_.target << ": " << s.error_message()
           << "\n(is evpnd running? is global.api.unix_socket this path? try --socket PATH)\n";
      return kUnreachable;
    }
    err_ << "evpnctl: " << s.error_message() << "\n";
    return kRefused;
  }

  // JSON of a response for --json; true when printed.
  bool Json(const google::protobuf::Message& m) {
    if (!options_.json) return false;
    std::string text;
    google::protobuf::util::JsonPrintOptions o;
    o.add_whitespace = true;
    o.preserve_proto_field_names = true;
    o.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(m, &text, o);
    out_ << text;
    return true;
  }

  const Options& options_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<pb::Evpnd::Stub> stub_;
};

int Usage(std::ostream& err, const std::string& why) {
  err << "evpnctl: " << why << "\n(see `evpnctl --help`)\n";
  return kUsageError;
}

// --name VALUE options among `words` from index `from`; the rest stay positional.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> flags;
  const std::string* Get(const std::string& name) const {
    for (const auto& [n, v] : options) {
      if (n == name) return &v;
    }
    return nullptr;
  }
  bool Has(const std::string& flag) const {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
  }
};

std::optional<Args> SplitArgs(const std::vector<std::string>& words, size_t from,
                              std::initializer_list<const char*> valued,
                              std::initializer_list<const char*> flags, std::ostream& err) {
  Args a;
  for (size_t i = from; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("--", 0) != 0) {
      a.positional.push_back(w);
      continue;
    }
    if (std::find(valued.begin(), valued.end(), w) != valued.end()) {
      if (i + 1 >= words.size()) {
        Usage(err, absl::StrCat(w, " needs a value"));
        return std::nullopt;
      }
      a.options.emplace_back(w, words[++i]);
    } else if (std::find(flags.begin(), flags.end(), w) != flags.end()) {
      a.flags.push_back(w);
    } else {
      Usage(err, absl::StrCat("unknown option ", w));
      return std::nullopt;
    }
  }
  return a;
}

bool ParseVni(const std::string* text, uint32_t& vni, std::ostream& err) {
  if (text == nullptr) return true;
  if (!absl::SimpleAtoi(*text, &vni) || vni == 0 || vni > 0xffffff) {
    Usage(err, absl::StrCat("--vni ", *text, ": expected a VNI, 1..16777215"));
    return false;
  }
  return true;
}

// ---- verbs ----

int Global(Client& c) {
  pb::GetGlobalResponse r;
  if (int rc = c.Call(&pb::Evpnd::Stub::GetGlobal, pb::GetGlobalRequest{}, r); rc) return rc;
  if (c.Json(r)) return 0;
  c.out_ << "AS " << r.local_as() << ", router ID " << r.router_id() << ", evpnd " << r.version()
         << ", up " << Since(r.started_unix_ns()) << "\n"
         << "peers: " << r.peers_established() << " of " << r.peers_configured()
         << " established; Loc-RIB routes: " << r.loc_rib_routes() << "; VNIs: " << r.vnis()
         << "; kernel FDB: " << r.fib_state() << "\n";
  return 0;
}

int Neighbor(Client& c, const std::vector<std::string>& w) {
  if (w.size() >= 3) {
    pb::PeerActionResponse r;
    int rc = 0;
    const std::string& action = w[2];
    if (action == "enable") {
      pb::PeerRequest q;
      q.set_address(w[1]);
      rc = c.Call(&pb::Evpnd::Stub::EnablePeer, q, r);
    } else if (action == "disable") {
      pb::DisablePeerRequest q;
      q.set_address(w[1]);
      if (w.size() > 3) {
        std::vector<std::string> rest(w.begin() + 3, w.end());
        q.set_message(absl::StrJoin(rest, " "));
      }
      rc = c.Call(&pb::Evpnd::Stub::DisablePeer, q, r);
    } else if (action == "reset" || action == "softreset") {
      pb::PeerRequest q;
      q.set_address(w[1]);
      rc = c.Call(action == "reset" ? &pb::Evpnd::Stub::ResetPeer
                                    : &pb::Evpnd::Stub::SoftResetPeer,
                  q, r);
    } else {
      return Usage(c.err_, absl::StrCat("neighbor ", w[1], ": unknown action '", action,
                                        "' (enable, disable, reset, softreset)"));
    }
    if (rc) return rc;
    if (!c.Json(r)) c.out_ << "neighbor " << w[1] << ": " << action << " done (state "
                           << r.state() << ")\n";
    return 0;
  }
  pb::ListPeersRequest q;
  if (w.size() == 2) q.set_address(w[1]);
  pb::ListPeersResponse r;
  if (int rc = c.Call(&pb::Evpnd::Stub::ListPeers, q, r); rc) return rc;
  if (c.Json(r)) return 0;
  // "Rejected": routes received and not kept, every reason (`--json` has them by reason).
  Table t({"Peer", "AS", "Up/Down", "State", "Rcvd", "Rejected", "Best", "Sent", "Last down"});
  for (const pb::Peer& p : r.peers()) {
    std::string state = p.admin_down() ? "Idle (Admin)" : p.state();
    std::string down = p.last_notification().empty() ? p.last_down_reason()
                                                      : p.last_notification();
    uint64_t rejected = 0;
    for (const auto& [reason, n] : p.routes_rejected()) rejected += n;
    t.Add({p.interface().empty() ? p.address() : absl::StrCat(p.address(), "%", p.interface()),
           absl::StrCat(p.remote_as()), Since(p.state_since_unix_ns()), state,
           absl::StrCat(p.routes_received()), absl::StrCat(rejected),
           absl::StrCat(p.routes_best()), absl::StrCat(p.routes_advertised()),
           down.empty() ? "-" : down});
  }
  t.Print(c.out_);
  return 0;
}

int Vnis(Client& c) {
  pb::ListVnisResponse r;
  if (int rc = c.Call(&pb::Evpnd::Stub::ListVnis, pb::ListVnisRequest{}, r); rc) return rc;
  if (c.Json(r)) return 0;
  Table t({"VNI", "RD", "Import RT", "Export RT", "VTEP", "Device", "Bridge", "Local", "Remote",
           "Dup", "Flood list"});
  for (const pb::Vni& v : r.vnis()) {
    t.Add({absl::StrCat(v.vni()), v.rd(), absl::StrJoin(v.import_route_targets(), ","),
           absl::StrJoin(v.export_route_targets(), ","), v.vtep(),
           v.vxlan_device().empty() ? "-" : v.vxlan_device(),
           v.bridge().empty() ? "-" : v.bridge(), absl::StrCat(v.local_macs()),
           absl::StrCat(v.remote_macs()), absl::StrCat(v.duplicate_macs()),
           v.flood_list().empty() ? "-" : absl::StrJoin(v.flood_list(), ",")});
  }
  t.Print(c.out_);
  return 0;
}

// `evpn routes ...` (from = 2: EVPN only) and `routes [--family F] ...` (from = 1: every family
// unless --family names one).
int Routes(Client& c, const std::vector<std::string>& w, size_t from) {
  std::optional<Args> a =
      SplitArgs(w, from, {"--vni", "--type", "--mac", "--rd", "--peer", "--family"},
                {"--in", "--out"}, c.err_);
  if (!a) return kUsageError;
  const std::string verb = from == 2 ? "evpn routes" : "routes";
  if (!a->positional.empty()) return Usage(c.err_, verb + " takes options only");
  pb::ListRoutesRequest q;
  if (const std::string* family = a->Get("--family")) {
    if (from == 2) return Usage(c.err_, "evpn routes lists l2vpn-evpn; use routes --family");
    if (*family != "all") q.set_family(*family);
  } else if (from == 2) {
    q.set_family("l2vpn-evpn");
  }
  uint32_t vni = 0;
  if (!ParseVni(a->Get("--vni"), vni, c.err_)) return kUsageError;
  q.set_vni(vni);
  if (const std::string* type = a->Get("--type")) {
    uint32_t t = 0;
    if (!absl::SimpleAtoi(*type, &t) || t < 1 || t > 5) {
      return Usage(c.err_, absl::StrCat("--type ", *type, ": EVPN route types are 1..5"));
    }
    q.set_route_type(t);
  }
  if (const std::string* mac = a->Get("--mac")) q.set_mac(*mac);
  if (const std::string* rd = a->Get("--rd")) q.set_rd(*rd);
  if (const std::string* peer = a->Get("--peer")) {
    if (a->Has("--in") == a->Has("--out")) {
      return Usage(c.err_, "--peer needs --in (adj-rib-in) or --out (adj-rib-out)");
    }
    q.set_peer(*peer);
    q.set_rib(a->Has("--in") ? pb::RIB_ADJ_IN : pb::RIB_ADJ_OUT);
  } else if (a->Has("--in") || a->Has("--out")) {
    return Usage(c.err_, "--in and --out need --peer ADDRESS");
  }
  pb::ListRoutesResponse r;
  if (int rc = c.Call(&pb::Evpnd::Stub::ListRoutes, q, r); rc) return rc;
  if (c.Json(r)) return 0;
  Table t({"Route", "Next hop", "From", "Seq", "Flags", "Route targets"});
  for (const pb::Route& x : r.routes()) {
    t.Add({x.prefix(), x.next_hop().empty() ? "-" : x.next_hop(), x.source(),
           absl::StrCat(x.mac_mobility_sequence()),
           Flags({{x.best(), "best"}, {x.sticky(), "sticky"}, {x.stale(), "stale"}}),
           absl::StrJoin(x.route_targets(), ",")});
  }
  t.Print(c.out_);
  c.out_ << r.routes_size() << " routes\n";
  return 0;
}

void PrintMacs(Client& c, const google::protobuf::RepeatedPtrField<pb::Mac>& macs) {
  Table t({"VNI", "MAC", "Where", "VTEP", "Seq", "Flags", "Moves", "IPs"});
  for (const pb::Mac& m : macs) {
    t.Add({absl::StrCat(m.vni()), m.mac(), m.location(), m.vtep().empty() ? "-" : m.vtep(),
           absl::StrCat(m.sequence()),
           Flags({{m.sticky(), "sticky"}, {m.duplicate(), "duplicate"},
                  {m.moved_away(), "moved-away"}}),
           absl::StrCat(m.moves()), m.ips().empty() ? "-" : absl::StrJoin(m.ips(), ",")});
  }
  t.Print(c.out_);
}

int Macs(Client& c, const std::vector<std::string>& w) {
  std::optional<Args> a = SplitArgs(w, 2, {"--vni"}, {}, c.err_);
  if (!a) return kUsageError;
  if (!a->positional.empty()) return Usage(c.err_, "evpn macs takes --vni N only");
  pb::ListMacsRequest q;
  uint32_t vni = 0;
  if (!ParseVni(a->Get("--vni"), vni, c.err_)) return kUsageError;
  q.set_vni(vni);
  pb::ListMacsResponse r;
  if (int rc = c.Call(&pb::Evpnd::Stub::ListMacs, q, r); rc) return rc;
  if (c.Json(r)) return 0;
  PrintMacs(c, r.macs());
  return 0;
}

int MacVerb(Client& c, const std::vector<std::string>& w) {
  if (w.size() < 3) return Usage(c.err_, "evpn mac needs a MAC address");
  const std::string& mac = w[2];
  std::optional<Args> a = SplitArgs(w, 3, {"--vni", "--ip"}, {"--sticky"}, c.err_);
  if (!a) return kUsageError;
  uint32_t vni = 0;
  if (!ParseVni(a->Get("--vni"), vni, c.err_)) return kUsageError;
  const std::string action = a->positional.empty() ? "show" : a->positional[0];
  if (a->positional.size() > 1) return Usage(c.err_, "evpn mac MAC takes one action");
  if (action == "show" || action == "history") {
    if (vni == 0) {  // find the VNI that has it
      pb::ListMacsRequest q;
      q.set_mac(mac);
      pb::ListMacsResponse r;
      if (int rc = c.Call(&pb::Evpnd::Stub::ListMacs, q, r); rc) return rc;
      if (r.macs().empty()) {
        c.err_ << "evpnctl: no VNI knows MAC " << mac << "\n";
        return kRefused;
      }
      if (action == "show") {
        if (!c.Json(r)) PrintMacs(c, r.macs());
        return 0;
      }
      if (r.macs_size() > 1) {
        return Usage(c.err_, absl::StrCat("MAC ", mac, " is in several VNIs; add --vni N"));
      }
      vni = r.macs(0).vni();
    }
    pb::GetMacHistoryRequest q;
    q.set_vni(vni);
    q.set_mac(mac);
    pb::GetMacHistoryResponse r;
    if (int rc = c.Call(&pb::Evpnd::Stub::GetMacHistory, q, r); rc) return rc;
    if (c.Json(r)) return 0;
    google::protobuf::RepeatedPtrField<pb::Mac> one;
    *one.Add() = r.mac();
    PrintMacs(c, one);
    if (action == "history") {
      c.out_ << "\n";
      Table t({"When", "From", "To", "Seq"});
      for (const pb::MacMove& m : r.moves()) {
        t.Add({absl::FormatTime("%Y-%m-%dT%H:%M:%E3S", absl::FromUnixNanos(m.at_unix_ns()),
                                absl::LocalTimeZone()),
               m.from_vtep(), m.to_vtep(), absl::StrCat(m.sequence())});
      }
      t.Print(c.out_);
      c.out_ << r.moves_size() << " moves (the last " << 16 << " are kept)\n";
    }
    return 0;
  }
  if (vni == 0) return Usage(c.err_, absl::StrCat("evpn mac MAC ", action, " needs --vni N"));
  pb::MacActionResponse r;
  int rc = 0;
  if (action == "add") {
    pb::AddLocalMacRequest q;
    q.set_vni(vni);
    q.set_mac(mac);
    for (const auto& [name, value] : a->options) {
      if (name == "--ip") q.add_ips(value);
    }
    q.set_sticky(a->Has("--sticky"));
    rc = c.Call(&pb::Evpnd::Stub::AddLocalMac, q, r);
  } else if (action == "delete" || action == "clear-duplicate") {
    pb::MacRequest q;
    q.set_vni(vni);
    q.set_mac(mac);
    rc = c.Call(action == "delete" ? &pb::Evpnd::Stub::DeleteLocalMac
                                   : &pb::Evpnd::Stub::ClearDuplicate,
                q, r);
  } else {
    return Usage(c.err_, absl::StrCat("evpn mac MAC: unknown action '", action,
                                      "' (history, add, delete, clear-duplicate)"));
  }
  if (rc) return rc;
  if (c.Json(r)) return 0;
  c.out_ << "vni " << vni << " mac " << mac << ": " << action << " done"
         << (r.decisions().empty() ? "" : absl::StrCat(" (", absl::StrJoin(r.decisions(), ", "),
                                                       ")"))
         << "\n";
  if (r.has_mac()) {
    google::protobuf::RepeatedPtrField<pb::Mac> one;
    *one.Add() = r.mac();
    PrintMacs(c, one);
  }
  return 0;
}

int Evpn(Client& c, const std::vector<std::string>& w) {
  if (w.size() < 2) return Usage(c.err_, "evpn needs routes, macs or mac");
  if (w[1] == "routes") return Routes(c, w, 2);
  if (w[1] == "macs") return Macs(c, w);
  if (w[1] == "mac") return MacVerb(c, w);
  return Usage(c.err_, absl::StrCat("evpn ", w[1], ": unknown (routes, macs, mac)"));
}

// Prints the event stream until interrupted, --count events, or --for seconds have passed.
int Watch(Client& c, const std::vector<std::string>& w) {
  std::optional<Args> a = SplitArgs(w, 1, {"--kinds", "--count", "--for"}, {}, c.err_);
  if (!a) return kUsageError;
  if (!a->positional.empty()) return Usage(c.err_, "watch takes options only");
  pb::WatchEventsRequest q;
  if (const std::string* kinds = a->Get("--kinds")) {
    for (absl::string_view k : absl::StrSplit(*kinds, ',')) q.add_kinds(std::string(k));
  }
  uint64_t count = 0;
  if (const std::string* n = a->Get("--count"); n && (!absl::SimpleAtoi(*n, &count) || !count)) {
    return Usage(c.err_, "--count needs a positive number");
  }
  int seconds = 0;
  if (const std::string* s = a->Get("--for"); s && (!absl::SimpleAtoi(*s, &seconds) || seconds <= 0)) {
    return Usage(c.err_, "--for needs a positive number of seconds");
  }
  grpc::ClientContext context;
  if (seconds > 0) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  }
  std::unique_ptr<grpc::ClientReader<pb::Event>> reader = c.stub_->WatchEvents(&context, q);
  pb::Event e;
  uint64_t seen = 0;
  while (reader->Read(&e)) {
    if (c.options_.json) {
      std::string line;
      google::protobuf::util::JsonPrintOptions o;
      o.preserve_proto_field_names = true;
      (void)google::protobuf::util::MessageToJsonString(e, &line, o);
      c.out_ << line << "\n";
    } else {
      c.out_ << absl::FormatTime("%H:%M:%E3S", absl::FromUnixNanos(e.at_unix_ns()),
                                 absl::LocalTimeZone())
             << "  " << e.kind() << "  " << e.subject() << ": " << e.what()
             << (e.detail().empty() ? "" : absl::StrCat(" (", e.detail(), ")")) << "\n";
    }
    c.out_.flush();
    if (count != 0 && ++seen >= count) {
      context.TryCancel();
      break;
    }
  }
  const grpc::Status s = reader->Finish();
  if (s.ok() || s.error_code() == grpc::StatusCode::CANCELLED ||
      (seconds > 0 && s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)) {
    return 0;
  }
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
    c.err_ << "evpnctl: cannot reach evpnd at " << c.options_.target << ": " << s.error_message()
           << "\n";
    return kUnreachable;
  }
  c.err_ << "evpnctl: " << s.error_message() << "\n";
  return kRefused;
}

int Reload(Client& c) {
  pb::ReloadConfigResponse r;
  if (int rc = c.Call(&pb::Evpnd::Stub::ReloadConfig, pb::ReloadConfigRequest{}, r); rc) {
    return rc;
  }
  if (!c.Json(r)) c.out_ << r.message() << "\n";
  return 0;
}

}  // namespace

bool IsApiVerb(const std::string& verb) {
  return verb == "global" || verb == "neighbor" || verb == "vni" || verb == "evpn" ||
         verb == "routes" || verb == "reload" || verb == "watch" || verb == "--socket" ||
         verb == "--address" || verb == "--json" || verb == "--timeout";
}

int RunApiCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool valued = a == "--socket" || a == "--address" || a == "--timeout";
    if (valued && i + 1 >= args.size()) return Usage(err, absl::StrCat(a, " needs a value"));
    if (a == "--socket") {
      o.target = absl::StrCat("unix:", args[++i]);
    } else if (a == "--address") {
      o.target = args[++i];
    } else if (a == "--timeout") {
      if (!absl::SimpleAtoi(args[++i], &o.timeout_s) || o.timeout_s <= 0) {
        return Usage(err, "--timeout needs a number of seconds");
      }
    } else if (a == "--json") {
      o.json = true;
    } else {
      o.words.push_back(a);
    }
  }
  if (o.words.empty()) return Usage(err, "which command?");
  Client c(o, out, err);
  const std::vector<std::string>& w = o.words;
  if (w[0] == "global") return Global(c);
  if (w[0] == "neighbor") return Neighbor(c, w);
  if (w[0] == "vni") return Vnis(c);
  if (w[0] == "evpn") return Evpn(c, w);
  if (w[0] == "routes") return Routes(c, w, 1);
  if (w[0] == "reload") return Reload(c);
  if (w[0] == "watch") return Watch(c, w);
  return Usage(err, absl::StrCat("unknown command '", w[0], "'"));
}

}  // namespace evpnd::cli

// bgp_routegen: the project's BGP EVPN route generator, for benchmarks (ingest N type-2 routes
// into evpnd, FRR bgpd or gobgpd and time it) and for interop and fault labs (hand-made routes,
// malformed ones included). It opens one session (or accepts one), encodes every UPDATE before
// the session comes up (routegen_lib.h, through bgpd/wire), writes them with large non-blocking
// writes, sends End-of-RIB, optionally withdraws everything, and keeps the session up with
// KEEPALIVEs while logging what the peer sends. One thread, blocking-free POSIX sockets and poll.
// `bgp_routegen --help` lists the options.
// Standards: RFC 4271 §4 and §8 (messages, the FSM from OpenSent to Established, hold and
// keepalive timers), RFC 4724 §2 (End-of-RIB), RFC 9003 (Cease with a shutdown communication),
// RFC 2918 (ROUTE-REFRESH: the routes are sent again).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bgpd/wire/message.h"
#include "bgpd/wire/notification_codes.h"
#include "nlohmann/json.hpp"
#include "tests/tools/routegen_lib.h"

namespace evpnd::routegen {
namespace {

using Clock = std::chrono::steady_clock;
using wire::CodecContext;

volatile sig_atomic_t g_signal = 0;
void OnSignal(int signal) { g_signal = signal; }

const Clock::time_point kStart = Clock::now();

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double WallNow() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Log(absl::string_view message) {
  absl::FPrintF(stderr, "[%9.3f] %s\n", Seconds(Clock::now() - kStart), message);
}

std::string HexBytes(std::span<const uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) absl::StrAppendFormat(&out, "%02x", b);
  return out;
}

std::string Ipv4(uint32_t host_order) { return evpn::IpAddress::V4(host_order).ToString(); }

std::string Errno(absl::string_view what) { return absl::StrCat(what, ": ", strerror(errno)); }

socklen_t ToSockaddr(const evpn::IpAddress& ip, uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (ip.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, ip.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, ip.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

std::string SockaddrString(const sockaddr_storage& ss) {
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    return absl::StrCat(text, ":", ntohs(sin->sin_port));
  }
  const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
  return absl::StrCat("[", text, "]:", ntohs(sin6->sin6_port));
}

void TuneSocket(int fd) {
  const int one = 1;
  // KEEPALIVEs and NOTIFICATIONs go out at once; UPDATEs are written in large blocks anyway.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // RFC 4271 §5 / common practice: BGP control traffic is CS6.
  const int tos = 0xc0;
  setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
}

// Connects, retrying a refused connection (the peer not listening yet) until the timeout.
absl::StatusOr<int> Connect(const Config& config) {
  const Endpoint& to = *config.connect;
  const auto deadline = Clock::now() + std::chrono::milliseconds(
                                           static_cast<int64_t>(config.connect_timeout_s * 1e3));
  bool said_refused = false;
  while (true) {
    const int family = to.address.is_v4() ? AF_INET : AF_INET6;
    const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::UnavailableError(Errno("socket"));
    if (config.bind) {
      sockaddr_storage ss;
      const socklen_t len = ToSockaddr(*config.bind, 0, ss);
      if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        std::string err = Errno(absl::StrCat("bind ", config.bind->ToString()));
        close(fd);
        return absl::UnavailableError(err);
      }
    }
    sockaddr_storage ss;
    const socklen_t len = ToSockaddr(to.address, to.port, ss);
    int err = 0;
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        const int n = poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 1000)));
        socklen_t errlen = sizeof err;
        if (n <= 0) {
          err = ETIMEDOUT;
        } else {
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen);
        }
      }
    }
    if (err == 0) {
      TuneSocket(fd);
      return fd;
    }
    close(fd);
    if ((err == ECONNREFUSED || err == ENETUNREACH) && Clock::now() < deadline && g_signal == 0) {
      if (!said_refused) {
        Log(absl::StrCat("connect ", to.ToString(), ": ", strerror(err), "; retrying for up to ",
                         config.connect_timeout_s, " s"));
        said_refused = true;
      }
      usleep(200 * 1000);
      continue;
    }
    return absl::UnavailableError(absl::StrCat("connect ", to.ToString(), ": ", strerror(err)));
  }
}

absl::StatusOr<int> Accept(const Config& config) {
  const Endpoint& at = *config.listen;
  const int listener =
      socket(at.address.is_v4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return absl::UnavailableError(Errno("socket"));
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss;
  const socklen_t len = ToSockaddr(at.address, at.port, ss);
  if (bind(listener, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(listener, 1) != 0) {
    std::string err = Errno(absl::StrCat("listen on ", at.ToString()));
    close(listener);
    return absl::UnavailableError(err);
  }
  Log(absl::StrCat("listening on ", at.ToString()));
  while (g_signal == 0) {
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, 500) <= 0) continue;
    sockaddr_storage from;
    socklen_t from_len = sizeof from;
    const int fd = accept4(listener, reinterpret_cast<sockaddr*>(&from), &from_len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    Log(absl::StrCat("accepted a connection from ", SockaddrString(from)));
    close(listener);
    TuneSocket(fd);
    return fd;
  }
  close(listener);
  return absl::CancelledError("interrupted while waiting for a connection");
}

std::string CapabilityText(const wire::Capability& c) {
  std::string name(wire::CapabilityName(wire::CapabilityCodeOf(c)));
  if (const auto* mp = std::get_if<wire::MultiprotocolCapability>(&c)) {
    return absl::StrCat(name, "(", wire::AfiSafiName(mp->family), ")");
  }
  if (const auto* as4 = std::get_if<wire::FourOctetAsCapability>(&c)) {
    return absl::StrCat(name, "(", as4->asn, ")");
  }
  if (const auto* gr = std::get_if<wire::GracefulRestartCapability>(&c)) {
    return absl::StrCat(name, "(", gr->restart_time, " s)");
  }
  if (const auto* unknown = std::get_if<wire::UnknownCapability>(&c)) {
    return absl::StrCat("capability-", unknown->code);
  }
  return name;
}

nlohmann::json NotificationJson(const wire::NotificationMessage& n) {
  nlohmann::json j = {{"code", n.code},
                      {"subcode", n.subcode},
                      {"code_name", std::string(wire::ErrorCodeName(n.code))},
                      {"subcode_name", std::string(wire::ErrorSubcodeName(n.code, n.subcode))},
                      {"data", HexBytes(n.data)}};
  if (auto text = n.ShutdownCommunication()) j["communication"] = *text;
  return j;
}

std::string NotificationText(const wire::NotificationMessage& n) {
  std::string out = absl::StrCat(n.code, "/", n.subcode, " (", wire::ErrorCodeName(n.code), " / ",
                                 wire::ErrorSubcodeName(n.code, n.subcode), ")");
  if (auto text = n.ShutdownCommunication()) {
    absl::StrAppend(&out, " \"", *text, "\"");
  } else if (!n.data.empty()) {
    absl::StrAppend(&out, " data ", HexBytes(n.data));
  }
  return out;
}

// One BGP session from OpenSent on: sends the pre-encoded streams once Established and
// reacts to what the peer sends.
class Session {
 public:
  Session(const Config& config, int fd, EncodedRun run, CodecContext ctx)
      : config_(config), fd_(fd), run_(std::move(run)), tx_ctx_(ctx) {}
  ~Session() { close(fd_); }

  int Run();
  void AddToReport(nlohmann::json& report) const;

 private:
  enum class State { kOpenSent, kOpenConfirm, kEstablished, kClosing };
  enum Marker : uint8_t { kNoMarker, kAnnounceDone, kWithdrawDone };
  struct Chunk {
    std::vector<uint8_t> owned;  // control messages
    const uint8_t* data = nullptr;
    size_t size = 0;
    size_t written = 0;
    bool updates = false;
    uint64_t messages = 0;  // UPDATEs in a stream chunk
    Marker marker = kNoMarker;
  };

  void QueueMessage(const wire::Message& message);
  void QueueStream(const EncodedStream& stream, Marker marker);
  void WriteSome();
  void ReadSome();
  bool HandleMessage(std::span<const uint8_t> bytes);
  bool HandleOpen(const wire::OpenMessage& open);
  void HandleUpdate(const wire::UpdateMessage& update);
  void StartSending();
  void OnMarker(Marker marker, Clock::time_point now);
  void SendingFinished();
  // Sends the NOTIFICATION (if any), flushes, half-closes and waits for the peer to close.
  void Close(std::optional<wire::NotificationMessage> notification, int exit_code);
  void Fail(std::string error, std::optional<wire::NotificationMessage> notification);
  void Tick(Clock::time_point now);
  int NextTimeoutMs(Clock::time_point now) const;

  const Config& config_;
  const int fd_;
  EncodedRun run_;
  CodecContext tx_ctx_;
  CodecContext rx_ctx_;  // default until the peer's OPEN
  State state_ = State::kOpenSent;
  std::deque<Chunk> out_;
  StreamFramer in_;

  // Timers.
  uint16_t hold_time_ = 240;  // RFC 4271 §8: a large value until OPENs are exchanged
  Clock::time_point last_read_ = Clock::now();
  Clock::time_point last_write_ = Clock::now();
  std::optional<Clock::time_point> withdraw_at_;
  std::optional<Clock::time_point> close_at_;
  Clock::time_point closing_deadline_;
  bool write_shut_ = false;
  bool done_ = false;
  int exit_code_ = 0;

  // What happened, for the report.
  std::optional<wire::OpenMessage> peer_open_;
  bool reencoded_ = false;
  std::optional<Clock::time_point> first_update_, announce_done_, withdraw_first_, withdraw_done_;
  double first_update_unix_ = 0, last_update_unix_ = 0;
  double withdraw_first_unix_ = 0, withdraw_last_unix_ = 0;
  bool sent_all_ = false;
  bool withdraw_queued_ = false;
  uint64_t updates_sent_ = 0, update_bytes_sent_ = 0;
  uint64_t rx_updates_ = 0, rx_routes_ = 0, rx_withdrawn_ = 0, rx_other_ = 0;
  uint64_t rx_keepalives_ = 0, rx_route_refresh_ = 0, tx_keepalives_ = 0;
  bool peer_eor_ = false;
  std::optional<wire::NotificationMessage> notification_received_, notification_sent_;
  std::string error_;
};

void Session::QueueMessage(const wire::Message& message) {
  absl::StatusOr<std::vector<uint8_t>> bytes = wire::EncodeMessage(message, tx_ctx_);
  if (!bytes.ok()) {
    Log(absl::StrCat("cannot encode ", wire::MessageTypeName(wire::MessageTypeOf(message)), ": ",
                     bytes.status().message()));
    return;
  }
  Chunk c;
  c.owned = *std::move(bytes);
  c.data = c.owned.data();
  c.size = c.owned.size();
  out_.push_back(std::move(c));
  // The vector moved with its heap buffer: data stays valid.
}

void Session::QueueStream(const EncodedStream& stream, Marker marker) {
  Chunk c;
  c.data = stream.bytes.data();
  c.size = stream.bytes.size();
  c.updates = true;
  c.messages = stream.messages;
  c.marker = marker;
  out_.push_back(std::move(c));
}

void Session::WriteSome() {
  while (!out_.empty() && !done_) {
    Chunk& c = out_.front();
    if (c.written < c.size) {
      // The clock starts before the first write: on loopback one write may take everything.
      if (c.updates && !first_update_) {
        first_update_ = Clock::now();
        first_update_unix_ = WallNow();
      }
      if (c.marker == kWithdrawDone && !withdraw_first_) {
        withdraw_first_ = Clock::now();
        withdraw_first_unix_ = WallNow();
      }
      const ssize_t n = send(fd_, c.data + c.written, c.size - c.written, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        Fail(Errno("write to the peer"), std::nullopt);
        return;
      }
      last_write_ = Clock::now();
      c.written += static_cast<size_t>(n);
      if (c.updates) update_bytes_sent_ += static_cast<size_t>(n);
      if (c.written < c.size) return;  // the socket buffer is full
    }
    const Marker marker = c.marker;
    updates_sent_ += c.messages;
    out_.pop_front();
    if (marker != kNoMarker) OnMarker(marker, Clock::now());
  }
}

void Session::ReadSome() {
  constexpr size_t kReadSize = 256 * 1024;
  const ssize_t n = read(fd_, in_.Prepare(kReadSize), kReadSize);
  in_.Commit(n > 0 ? static_cast<size_t>(n) : 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    if (state_ == State::kClosing) {
      done_ = true;
    } else if (n == 0) {
      Fail("the peer closed the connection without a NOTIFICATION", std::nullopt);
    } else {
      Fail(Errno("read from the peer"), std::nullopt);
    }
    return;
  }
  last_read_ = Clock::now();
  while (!done_) {
    StreamFramer::Next next = in_.Pop(rx_ctx_);
    if (next.error) {
      Fail(absl::StrCat("bad message header from the peer: ", next.error->message),
           wire::NotificationMessage{next.error->code, next.error->subcode, next.error->data});
      return;
    }
    if (next.message.empty() || !HandleMessage(next.message)) return;
  }
}

bool Session::HandleMessage(std::span<const uint8_t> bytes) {
  wire::DecodeOutcome<wire::Message> out = wire::DecodeMessage(bytes, rx_ctx_);
  const uint8_t type = bytes[18];
  for (const wire::WireError& e : out.errors) {
    Log(absl::StrCat("peer's ", wire::MessageTypeName(type), ": ", e.message, " (",
                     wire::ErrorActionName(e.action), ")"));
  }
  if (out.action() == wire::ErrorAction::kSessionReset) {
    const wire::WireError& e = *out.strongest();
    Fail(absl::StrCat("malformed ", wire::MessageTypeName(type), " from the peer: ", e.message),
         wire::NotificationMessage{e.code, e.subcode, e.data});
    return false;
  }
  if (const auto* n = std::get_if<wire::NotificationMessage>(&out.value)) {
    notification_received_ = *n;
    if (state_ == State::kClosing) {
      Log(absl::StrCat("NOTIFICATION from the peer while closing: ", NotificationText(*n)));
      done_ = true;
      return false;
    }
    Fail(absl::StrCat("NOTIFICATION from the peer: ", NotificationText(*n)), std::nullopt);
    return false;
  }
  if (const auto* open = std::get_if<wire::OpenMessage>(&out.value)) return HandleOpen(*open);
  if (state_ == State::kOpenSent) {
    Fail(absl::StrCat("the peer sent ", wire::MessageTypeName(type), " before its OPEN"),
         wire::NotificationMessage{wire::kFsmError, 1, {}});
    return false;
  }
  if (std::holds_alternative<wire::KeepaliveMessage>(out.value)) {
    ++rx_keepalives_;
    if (state_ == State::kOpenConfirm) {
      state_ = State::kEstablished;
      Log("KEEPALIVE from the peer: session Established");
      StartSending();
    } else if (config_.verbose) {
      Log("KEEPALIVE from the peer");
    }
    return true;
  }
  if (state_ != State::kEstablished && state_ != State::kClosing) {
    Fail(absl::StrCat("the peer sent ", wire::MessageTypeName(type), " in OpenConfirm"),
         wire::NotificationMessage{wire::kFsmError, 2, {}});
    return false;
  }
  if (const auto* update = std::get_if<wire::UpdateMessage>(&out.value)) {
    HandleUpdate(*update);
    return true;
  }
  if (const auto* rr = std::get_if<wire::RouteRefreshMessage>(&out.value)) {
    ++rx_route_refresh_;
    Log(absl::StrCat("ROUTE-REFRESH for ", wire::AfiSafiName(rr->family), " from the peer"));
    // RFC 2918 §4: re-advertise the Adj-RIB-Out: everything, unless it was withdrawn.
    if (rr->family == wire::kL2vpnEvpn && state_ == State::kEstablished && !withdraw_queued_) {
      QueueStream(run_.announce, kNoMarker);
      QueueStream(run_.end_of_rib, kNoMarker);
    }
  }
  return true;
}

bool Session::HandleOpen(const wire::OpenMessage& open) {
  if (state_ != State::kOpenSent) {
    Fail("the peer sent a second OPEN", wire::NotificationMessage{wire::kFsmError, 2, {}});
    return false;
  }
  peer_open_ = open;
  std::vector<std::string> caps;
  for (const wire::Capability& c : open.capabilities) caps.push_back(CapabilityText(c));
  Log(absl::StrCat("OPEN from the peer: AS ", open.SpeakerAs(), ", hold time ", open.hold_time,
                   " s, BGP identifier ", Ipv4(open.bgp_identifier),
                   ", capabilities: ", caps.empty() ? "none" : absl::StrJoin(caps, ", ")));
  if (open.SpeakerAs() != config_.remote_as) {
    const uint16_t as2 = open.my_as;
    Fail(absl::StrCat("the peer is AS ", open.SpeakerAs(), ", not --remote-as ", config_.remote_as),
         wire::NotificationMessage{wire::kOpenMessageError,
                                   wire::kBadPeerAs,
                                   {static_cast<uint8_t>(as2 >> 8), static_cast<uint8_t>(as2)}});
    return false;
  }
  const std::vector<wire::AfiSafi> families = open.Families();
  if (std::find(families.begin(), families.end(), wire::kL2vpnEvpn) == families.end()) {
    Log("warning: the peer does not advertise L2VPN EVPN (AFI 25 SAFI 70); it may ignore or "
        "reject the routes");
  }
  hold_time_ = std::min(config_.hold_time, open.hold_time);
  if (config_.hold_time == 0 || open.hold_time == 0) hold_time_ = 0;
  const CodecContext negotiated = NegotiatedContext(config_, open);
  rx_ctx_ = negotiated;
  if (negotiated.four_octet_as != tx_ctx_.four_octet_as ||
      negotiated.max_message_size != tx_ctx_.max_message_size) {
    Log(absl::StrCat("re-encoding the UPDATEs for the negotiated session: ",
                     negotiated.four_octet_as ? "4-octet" : "2-octet", " AS, messages up to ",
                     negotiated.max_message_size, " bytes"));
    const auto t0 = Clock::now();
    absl::StatusOr<EncodedRun> run = EncodeRun(config_, negotiated);
    if (!run.ok()) {
      Fail(absl::StrCat("re-encoding failed: ", run.status().message()),
           wire::NotificationMessage{wire::kCease, wire::kOutOfResources, {}});
      return false;
    }
    run_ = *std::move(run);
    reencoded_ = true;
    Log(absl::StrFormat("re-encoded in %.3f s", Seconds(Clock::now() - t0)));
  }
  tx_ctx_ = negotiated;
  QueueMessage(wire::KeepaliveMessage{});
  ++tx_keepalives_;
  state_ = State::kOpenConfirm;
  return true;
}

void Session::HandleUpdate(const wire::UpdateMessage& update) {
  ++rx_updates_;
  if (auto family = update.EndOfRibFamily()) {
    Log(absl::StrCat("End-of-RIB for ", wire::AfiSafiName(*family), " from the peer (after ",
                     rx_updates_ - 1, " UPDATEs: ", rx_routes_, " EVPN routes announced, ",
                     rx_withdrawn_, " withdrawn)"));
    if (*family == wire::kL2vpnEvpn) {
      peer_eor_ = true;
      if (config_.exit_after_eor && sent_all_ && state_ == State::kEstablished) {
        Close(wire::NotificationMessage::Shutdown(wire::kAdministrativeShutdown,
                                                  "bgp_routegen: done"),
              0);
      }
    }
    return;
  }
  const wire::PathAttributes& a = update.attributes;
  size_t announced = 0;
  size_t withdrawn = 0;
  if (a.mp_reach && a.mp_reach->family == wire::kL2vpnEvpn) {
    announced = a.mp_reach->evpn_routes.size();
  }
  if (a.mp_unreach && a.mp_unreach->family == wire::kL2vpnEvpn) {
    withdrawn = a.mp_unreach->evpn_routes.size();
  }
  if (announced + withdrawn == 0) ++rx_other_;
  if (rx_updates_ == 1 && !config_.verbose) Log("first UPDATE from the peer");
  rx_routes_ += announced;
  rx_withdrawn_ += withdrawn;
  if (config_.verbose) {
    Log(absl::StrCat("UPDATE from the peer: +", announced, " -", withdrawn, " EVPN routes"));
    if (a.mp_reach) {
      for (const wire::EvpnNlri& n : a.mp_reach->evpn_routes) {
        Log(absl::StrCat("  + ", evpn::ToString(n.route)));
      }
    }
    if (a.mp_unreach) {
      for (const wire::EvpnNlri& n : a.mp_unreach->evpn_routes) {
        Log(absl::StrCat("  - ", evpn::ToString(n.route)));
      }
    }
  }
}

void Session::StartSending() {
  if (!run_.announce.bytes.empty()) QueueStream(run_.announce, kNoMarker);
  if (!run_.malformed.bytes.empty()) {
    Log(absl::StrCat(
        "the malformed UPDATE (", MalformedKindName(config_.malformed),
        ") follows the good ones; expected: ", MalformedExpectation(config_.malformed)));
    QueueStream(run_.malformed, kNoMarker);
  }
  QueueStream(run_.end_of_rib, kAnnounceDone);
}

void Session::OnMarker(Marker marker, Clock::time_point now) {
  if (marker == kAnnounceDone && !announce_done_) {
    announce_done_ = now;
    last_update_unix_ = WallNow();
    const double s = Seconds(now - *first_update_);
    const uint64_t routes = run_.announce.routes;
    Log(absl::StrFormat(
        "sent %d routes (%d type-2, %d type-3) in %d UPDATEs + End-of-RIB, %d bytes, in %.3f s "
        "(%.0f routes/s; written to the socket, not yet necessarily read by the peer)",
        routes, run_.type2, run_.type3, run_.announce.messages, run_.announce.bytes.size(), s,
        s > 0 ? static_cast<double>(routes) / s : 0.0));
    if (config_.withdraw_after) {
      withdraw_at_ =
          now + std::chrono::milliseconds(static_cast<int64_t>(config_.withdraw_delay_s * 1e3));
    } else {
      SendingFinished();
    }
  } else if (marker == kWithdrawDone && !withdraw_done_) {
    withdraw_done_ = now;
    withdraw_last_unix_ = WallNow();
    Log(absl::StrFormat("withdrew %d routes in %d UPDATEs in %.3f s", run_.withdraw.routes,
                        run_.withdraw.messages, Seconds(now - *withdraw_first_)));
    SendingFinished();
  }
}

void Session::SendingFinished() {
  sent_all_ = true;
  const auto cease =
      wire::NotificationMessage::Shutdown(wire::kAdministrativeShutdown, "bgp_routegen: done");
  if (config_.exit_after_send) {
    Close(cease, 0);
  } else if (config_.then_hold_s) {
    Log(absl::StrCat("holding the session for ", *config_.then_hold_s, " s"));
    close_at_ =
        Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(*config_.then_hold_s * 1e3));
  } else if (config_.exit_after_eor) {
    if (peer_eor_) {
      Close(cease, 0);
    } else {
      Log("waiting for the peer's End-of-RIB");
    }
  } else {
    Log("holding the session until SIGINT/SIGTERM");
  }
}

void Session::Close(std::optional<wire::NotificationMessage> notification, int exit_code) {
  if (state_ == State::kClosing) return;
  exit_code_ = exit_code;
  if (notification) {
    Log(absl::StrCat("sending NOTIFICATION ", NotificationText(*notification)));
    notification_sent_ = notification;
    QueueMessage(*notification);
  }
  state_ = State::kClosing;
  closing_deadline_ = Clock::now() + std::chrono::seconds(5);
}

void Session::Fail(std::string error, std::optional<wire::NotificationMessage> notification) {
  Log(absl::StrCat("error: ", error));
  if (error_.empty()) error_ = std::move(error);
  if (state_ == State::kClosing) {
    exit_code_ = 1;
    done_ = true;
    return;
  }
  if (notification) {
    // Unsent UPDATEs are moot: only the NOTIFICATION goes.
    while (!out_.empty() && out_.back().written == 0) out_.pop_back();
    Close(notification, 1);
  } else {
    exit_code_ = 1;
    done_ = true;
  }
}

void Session::Tick(Clock::time_point now) {
  if (g_signal != 0 && state_ != State::kClosing) {
    Log(absl::StrCat("signal ", static_cast<int>(g_signal), ": closing the session"));
    Close(wire::NotificationMessage::Shutdown(wire::kAdministrativeShutdown,
                                              "bgp_routegen: interrupted"),
          0);
  }
  if (state_ == State::kClosing) {
    if (out_.empty() && !write_shut_) {
      shutdown(fd_, SHUT_WR);
      write_shut_ = true;
    }
    if (now >= closing_deadline_) done_ = true;
    return;
  }
  // RFC 4271 §6.5: no message from the peer within the hold time.
  if (hold_time_ > 0 && now - last_read_ > std::chrono::seconds(hold_time_)) {
    Fail(absl::StrCat("hold timer expired: nothing from the peer for ", hold_time_, " s"),
         wire::NotificationMessage{wire::kHoldTimerExpired, 0, {}});
    return;
  }
  // RFC 4271 §4.4: a KEEPALIVE when nothing else went out for a third of the hold time.
  if (state_ != State::kOpenSent && hold_time_ > 0 && out_.empty() &&
      now - last_write_ >= std::chrono::milliseconds(hold_time_ * 1000 / 3)) {
    QueueMessage(wire::KeepaliveMessage{});
    ++tx_keepalives_;
    last_write_ = now;
  }
  if (withdraw_at_ && now >= *withdraw_at_) {
    withdraw_at_.reset();
    withdraw_queued_ = true;
    Log(absl::StrCat("withdrawing ", run_.withdraw.routes, " routes"));
    QueueStream(run_.withdraw, kWithdrawDone);
  }
  if (close_at_ && now >= *close_at_) {
    close_at_.reset();
    Close(wire::NotificationMessage::Shutdown(wire::kAdministrativeShutdown, "bgp_routegen: done"),
          0);
  }
}

int Session::NextTimeoutMs(Clock::time_point now) const {
  auto next = now + std::chrono::milliseconds(500);
  if (withdraw_at_) next = std::min(next, *withdraw_at_);
  if (close_at_) next = std::min(next, *close_at_);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::max<int64_t>(ms, 0));
}

int Session::Run() {
  QueueMessage(BuildOpen(config_));
  Log(absl::StrCat("OPEN sent: AS ", config_.local_as, ", hold time ", config_.hold_time,
                   " s, BGP identifier ", Ipv4(config_.router_id)));
  while (!done_) {
    Tick(Clock::now());
    if (done_) break;
    WriteSome();
    if (done_) break;
    pollfd p{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0};
    const int n = poll(&p, 1, NextTimeoutMs(Clock::now()));
    if (n < 0 && errno != EINTR) {
      Fail(Errno("poll"), std::nullopt);
      break;
    }
    if (n <= 0) continue;
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) ReadSome();
  }
  Log(absl::StrCat("session closed; received ", rx_updates_, " UPDATEs (", rx_routes_,
                   " EVPN routes announced, ", rx_withdrawn_, " withdrawn), ", rx_keepalives_,
                   " KEEPALIVEs"));
  return exit_code_;
}

void Session::AddToReport(nlohmann::json& report) const {
  report["updates"] = updates_sent_;
  report["bytes"] = update_bytes_sent_;
  report["reencoded"] = reencoded_;
  report["established"] = state_ == State::kEstablished || first_update_.has_value();
  report["sent_all"] = sent_all_;
  if (first_update_) report["first_update_unix"] = first_update_unix_;
  if (announce_done_) {
    report["last_update_unix"] = last_update_unix_;
    report["send_s"] = Seconds(*announce_done_ - *first_update_);
  }
  if (withdraw_done_) {
    report["withdraw_first_unix"] = withdraw_first_unix_;
    report["withdraw_last_unix"] = withdraw_last_unix_;
    report["withdraw_send_s"] = Seconds(*withdraw_done_ - *withdraw_first_);
  }
  if (peer_open_) {
    nlohmann::json caps = nlohmann::json::array();
    for (const wire::Capability& c : peer_open_->capabilities) caps.push_back(CapabilityText(c));
    report["peer"] = {{"as", peer_open_->SpeakerAs()},
                      {"hold_time", peer_open_->hold_time},
                      {"bgp_identifier", Ipv4(peer_open_->bgp_identifier)},
                      {"capabilities", caps}};
  }
  report["received"] = {{"updates", rx_updates_},
                        {"routes", rx_routes_},
                        {"withdrawn", rx_withdrawn_},
                        {"keepalives", rx_keepalives_},
                        {"route_refresh", rx_route_refresh_},
                        {"end_of_rib", peer_eor_}};
  if (notification_received_) report["notification"] = NotificationJson(*notification_received_);
  if (notification_sent_) report["notification_sent"] = NotificationJson(*notification_sent_);
  if (!error_.empty()) report["error"] = error_;
}

int Main(int argc, char** argv) {
  absl::StatusOr<Config> parsed =
      ParseCommandLine(std::span<const char* const>(argv + 1, static_cast<size_t>(argc - 1)));
  if (!parsed.ok()) {
    absl::FPrintF(stderr, "bgp_routegen: %s\nTry 'bgp_routegen --help'.\n",
                  parsed.status().message());
    return 2;
  }
  const Config& config = *parsed;
  if (config.help) {
    absl::FPrintF(stdout, "%s", UsageText());
    return 0;
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  nlohmann::json report;
  report["routes"] = config.routes;
  report["type3"] = config.type3;
  if (config.malformed != MalformedKind::kNone) {
    report["malformed"] = std::string(MalformedKindName(config.malformed));
  }
  const CodecContext ctx = AssumedContext(config);
  const auto t0 = Clock::now();
  absl::StatusOr<EncodedRun> run = EncodeRun(config, ctx);
  const double encode_s = Seconds(Clock::now() - t0);
  if (!run.ok()) {
    absl::FPrintF(stderr, "bgp_routegen: encoding failed: %s\n", run.status().message());
    return 1;
  }
  report["encode_s"] = encode_s;
  if (config.withdraw_after) report["withdrawn"] = run->withdraw.routes;
  const uint64_t messages =
      run->announce.messages + run->malformed.messages + run->end_of_rib.messages;
  const uint64_t bytes =
      run->announce.bytes.size() + run->malformed.bytes.size() + run->end_of_rib.bytes.size();
  Log(absl::StrFormat(
      "encoded %d type-2 + %d type-3 routes into %d UPDATEs (%d bytes%s) in "
      "%.3f s",
      run->type2, run->type3, messages, bytes,
      config.withdraw_after ? absl::StrCat("; withdrawal: ", run->withdraw.messages, " UPDATEs")
                            : "",
      encode_s));
  int exit_code = 0;
  if (config.dry_run) {
    report["updates"] = messages + run->withdraw.messages;
    report["bytes"] = bytes + run->withdraw.bytes.size();
  } else {
    absl::StatusOr<int> fd = config.connect ? Connect(config) : Accept(config);
    if (!fd.ok()) {
      Log(absl::StrCat("error: ", fd.status().message()));
      report["error"] = std::string(fd.status().message());
      exit_code = 1;
    } else {
      if (config.connect) Log(absl::StrCat("connected to ", config.connect->ToString()));
      Session session(config, *fd, *std::move(run), ctx);
      exit_code = session.Run();
      session.AddToReport(report);
    }
  }
  report["exit_code"] = exit_code;
  if (config.json) absl::FPrintF(stdout, "%s\n", report.dump());
  return exit_code;
}

}  // namespace
}  // namespace evpnd::routegen

int main(int argc, char** argv) { return evpnd::routegen::Main(argc, argv); }

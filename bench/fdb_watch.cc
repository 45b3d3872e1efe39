// fdb_watch: when a namespace's VXLAN FDB holds a set of entries, from the kernel's own
// notifications. Run inside the namespace. Two uses:
//   fdb_watch --dev vxlan100 --dst 10.0.0.2 --mac-prefix 02:10 --count 10000 [--timeout 60]
//     (bench/move_bench.py's mass move, in the third VTEP): MACs whose entry points at --dst;
//   fdb_watch --dev vxlan100 --extern-learn --count 200000 --progress 10000 [--timeout 180]
//     (bench/fdb_daemons.py): extern_learn entries, the VXLAN `self` entry and the bridge
//     `master` entry of a MAC counted apart.
// It listens to RTNLGRP_NEIGH (64 MB receive buffer) and, for every RTM_NEWNEIGH on --dev that
// matches (NDA_DST is --dst if given; the MAC starts with --mac-prefix if given; NTF_EXT_LEARNED
// with --extern-learn; never the all-zero flood MAC), keeps the wall-clock time (the
// CLOCK_REALTIME of Python's time.time()) of the read that brought the entry's first such
// notification. An entry is a MAC, or with --extern-learn a MAC and whether it is `self`.
// Prints "READY" once subscribed; with --progress K, "<time> <entries>" at the first entry and
// every K; then, when --count distinct entries have come (or at --timeout, or on SIGTERM), one
// JSON line and exits (0 when all came):
//   {"count":N,"seen":K,"first":T,"half":T,"last":T,"enobufs":E,"truncated":X,"messages":M}
// "half" is when the (N/2+1)-th entry came, "last" when the N-th did. E counts ENOBUFS and X
// notifications too long for a read slot (lost notifications either way: the watcher's figure
// is then incomplete and the caller must say so).
// It replaces `bridge -timestamp monitor fdb`, which formats and writes a line per notification
// (at 10k MACs 14% of the machine's two cores during the move it measured, and it lost
// notifications to ENOBUFS), and a Python watcher, which parsed them in the interpreter.
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "evpn/ip_address.h"
#include "evpn/mac_address.h"

namespace {

volatile sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

double Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Options {
  std::string dev;
  std::optional<evpnd::evpn::IpAddress> dst;
  std::vector<uint8_t> prefix;
  bool extern_learn = false;
  size_t count = 0;
  size_t progress = 0;
  double timeout_s = 60;
};

int Usage() {
  std::fprintf(stderr,
               "usage: fdb_watch --dev IFNAME --count N [--dst IP] [--mac-prefix XX[:XX...]] "
               "[--extern-learn] [--progress K] [--timeout S]\n");
  return 2;
}

bool ParsePrefix(const std::string& text, std::vector<uint8_t>& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find(':', pos), text.size());
    if (end - pos != 2 || out.size() == 6) return false;
    char* stop = nullptr;
    const std::string octet = text.substr(pos, 2);
    const long v = std::strtol(octet.c_str(), &stop, 16);
    if (*stop != '\0') return false;
    out.push_back(static_cast<uint8_t>(v));
    pos = end + 1;
  }
  return !out.empty();
}

struct Watch {
  explicit Watch(const Options& o) : opt(o) {}
  const Options& opt;
  unsigned ifindex = 0;
  absl::flat_hash_set<uint64_t> seen;
  double first = 0, half = 0, last = 0;
  size_t messages = 0;

  // One notification; `now` is the time of the read that brought it.
  void OnMessage(const nlmsghdr* nlh, double now) {
    ++messages;
    if (nlh->nlmsg_type != RTM_NEWNEIGH) return;
    if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ndmsg))) return;
    const auto* nd = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(nlh));
    if (nd->ndm_family != AF_BRIDGE || static_cast<unsigned>(nd->ndm_ifindex) != ifindex) return;
    const nlattr* mac = nullptr;
    const nlattr* dst = nullptr;
    const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
    for (auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ndmsg)));
         mnl_attr_ok(a, static_cast<int>(tail - reinterpret_cast<const char*>(a)));
         a = mnl_attr_next(a)) {
      if (mnl_attr_get_type(a) == NDA_LLADDR) mac = a;
      if (mnl_attr_get_type(a) == NDA_DST) dst = a;
    }
    if (mac == nullptr || mnl_attr_get_payload_len(mac) != 6) return;
    if (opt.extern_learn && (nd->ndm_flags & NTF_EXT_LEARNED) == 0) return;
    if (opt.dst.has_value()) {
      const auto want = opt.dst->bytes();
      if (dst == nullptr || mnl_attr_get_payload_len(dst) != want.size() ||
          std::memcmp(mnl_attr_get_payload(dst), want.data(), want.size()) != 0) {
        return;
      }
    }
    const auto* m = static_cast<const uint8_t*>(mnl_attr_get_payload(mac));
    if (!opt.prefix.empty() && std::memcmp(m, opt.prefix.data(), opt.prefix.size()) != 0) return;
    uint64_t key = 0;
    for (int i = 0; i < 6; ++i) key = key << 8 | m[i];
    if (key == 0) return;  // the flood entry
    if (opt.extern_learn && (nd->ndm_flags & NTF_SELF) != 0) key |= uint64_t{1} << 48;
    if (!seen.insert(key).second) return;
    if (opt.progress > 0 && (seen.size() == 1 || seen.size() % opt.progress == 0)) {
      std::printf("%.6f %zu\n", now, seen.size());
      std::fflush(stdout);
    }
    if (seen.size() == 1) first = now;
    if (seen.size() == opt.count / 2 + 1) half = now;
    if (seen.size() == opt.count) last = now;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--extern-learn") {
      opt.extern_learn = true;
      --i;  // no value
      continue;
    }
    if (i + 1 == argc) return Usage();
    const std::string v = argv[i + 1];
    if (a == "--dev") {
      opt.dev = v;
    } else if (a == "--dst") {
      auto ip = evpnd::evpn::IpAddress::Parse(v);
      if (!ip.ok()) return Usage();
      opt.dst = *ip;
    } else if (a == "--mac-prefix") {
      if (!ParsePrefix(v, opt.prefix)) return Usage();
    } else if (a == "--count") {
      opt.count = std::strtoul(v.c_str(), nullptr, 10);
    } else if (a == "--progress") {
      opt.progress = std::strtoul(v.c_str(), nullptr, 10);
    } else if (a == "--timeout") {
      opt.timeout_s = std::strtod(v.c_str(), nullptr);
    } else {
      return Usage();
    }
  }
  if (opt.dev.empty() || opt.count == 0) {
    return Usage();
  }
  Watch w(opt);
  w.ifindex = if_nametoindex(opt.dev.c_str());
  if (w.ifindex == 0) {
    std::fprintf(stderr, "fdb_watch: no device %s\n", opt.dev.c_str());
    return 2;
  }
  mnl_socket* nl = mnl_socket_open(NETLINK_ROUTE);
  if (nl == nullptr) {
    std::perror("fdb_watch: netlink socket");
    return 2;
  }
  const int rcvbuf = 64 << 20;
  if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 ||
      mnl_socket_bind(nl, RTMGRP_NEIGH, MNL_SOCKET_AUTOPID) < 0) {
    std::perror("fdb_watch: subscribe");
    return 2;
  }
  struct sigaction sa{};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::printf("READY\n");
  std::fflush(stdout);

  // Each notification is a datagram of its own: recvmmsg takes up to kBatch per system call
  // once poll says there is one. A recv per notification (and a poll per recv) cost the
  // watcher 0.3 CPU-seconds over the 200k notifications of the FDB benchmark, 29% of the two
  // cores in the run it timed. Every message of a batch is stamped with the time it returned.
  constexpr unsigned kBatch = 256;
  constexpr size_t kSlot = 8192;  // far above a neighbour notification
  std::vector<char> buf(kBatch * kSlot);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  for (unsigned i = 0; i < kBatch; ++i) {
    iov[i] = {buf.data() + i * kSlot, kSlot};
    msgs[i].msg_hdr = {};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  size_t enobufs = 0, truncated = 0;
  const double deadline = Now() + opt.timeout_s;
  bool drained = true;  // the socket was empty at the last read: wait in poll
  while (!g_stop && w.seen.size() < opt.count) {
    const double left = deadline - Now();
    if (left <= 0) break;
    if (drained) {
      pollfd p{mnl_socket_get_fd(nl), POLLIN, 0};
      const int ready = poll(&p, 1, static_cast<int>(left * 1000) + 1);
      if (ready <= 0) continue;  // timeout (loop ends) or EINTR (g_stop)
    }
    const int n = recvmmsg(mnl_socket_get_fd(nl), msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    const double now = Now();
    if (n < 0) {
      if (errno == ENOBUFS) ++enobufs;
      drained = errno != ENOBUFS;
      continue;
    }
    drained = static_cast<unsigned>(n) < kBatch;
    for (int i = 0; i < n; ++i) {
      if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        ++truncated;
        continue;
      }
      int len = static_cast<int>(msgs[i].msg_len);
      for (auto* h = static_cast<const nlmsghdr*>(iov[i].iov_base); mnl_nlmsg_ok(h, len);
           h = mnl_nlmsg_next(h, &len)) {
        w.OnMessage(h, now);
      }
    }
  }
  std::printf(
      "{\"count\":%zu,\"seen\":%zu,\"first\":%.6f,\"half\":%.6f,\"last\":%.6f,"
      "\"enobufs\":%zu,\"truncated\":%zu,\"messages\":%zu}\n",
      opt.count, w.seen.size(), w.first, w.half, w.last, enobufs, truncated, w.messages);
  std::fflush(stdout);
  mnl_socket_close(nl);
  return w.seen.size() == opt.count ? 0 : 1;
}

// fdb_bench: how fast remote MACs reach the kernel VXLAN FDB. Run inside a network namespace
// that has a bridge br100 with a VXLAN device vxlan100 (bench/fdb_bench.sh builds it and runs
// every mode in one go). Modes:
//   evpnd   fib-sync as the daemon runs it: the Reconciler plans batches of kOpsPerBatch
//           operations (--batch overrides), two in flight; the NetlinkFib thread writes them
//           kOpsPerSend per sendmsg and reads the answers (errors, the last ACK); results and
//           kernel notifications flow back to the core loop, until the reconciler has converged.
//   raw     the floor: the same messages built by neigh_codec, written synchronously in batches
//           of --batch operations, answers read (errors, the last ACK), nothing else.
// An entry is one remote MAC fully programmed: the VXLAN self entry (dst VTEP, extern_learn) and
// the bridge entry (master, extern_learn), as FRR's zebra writes them. Prints one JSON line:
// {"mode":..., "entries":N, "seconds":S, "entries_per_s":R, "kernel_entries":K}.
#include <utility>  // before Asio (Boost 1.74 + C++20)

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <cstring>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "fib-sync/netlink/neigh_codec.h"
#include "fib-sync/netlink/netlink_fib.h"
#include "fib-sync/reconcile/reconciler.h"

namespace {

using evpnd::fibsync::FdbOp;
using evpnd::fibsync::FdbOpKind;
using evpnd::fibsync::FdbKey;

constexpr evpnd::evpn::Vni kVni = 100;

evpnd::evpn::MacAddress MacOf(uint32_t i) {
  evpnd::evpn::MacAddress m;
  m.bytes = {0x02, 0x42, static_cast<uint8_t>(i >> 24), static_cast<uint8_t>(i >> 16),
             static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
  return m;
}

evpnd::evpn::IpAddress VtepOf(uint32_t i) {
  return evpnd::evpn::IpAddress::V4(0x0a000000u | (2 + i % 16));  // 10.0.0.2 .. 10.0.0.17
}

// Kernel entries on vxlan100 with extern_learn (self and master), counted from a dump.
size_t CountKernelEntries() {
  mnl_socket* s = mnl_socket_open(NETLINK_ROUTE);
  if (s == nullptr || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) return 0;
  const std::vector<uint8_t> req =
      evpnd::fibsync::BuildDumpRequest(evpnd::fibsync::DumpKind::kBridgeFdb, 1);
  mnl_socket_sendto(s, req.data(), req.size());
  const int vxlan = static_cast<int>(if_nametoindex("vxlan100"));
  std::vector<uint8_t> buf(1 << 16);
  size_t count = 0;
  for (bool done = false; !done;) {
    const ssize_t n = mnl_socket_recvfrom(s, buf.data(), buf.size());
    if (n <= 0) break;
    for (const auto& m : evpnd::fibsync::ParseMessages({buf.data(), static_cast<size_t>(n)})) {
      if (m.kind == evpnd::fibsync::ParsedMessage::Kind::kDone) done = true;
      if (m.kind == evpnd::fibsync::ParsedMessage::Kind::kNeigh && m.neigh.ifindex == vxlan &&
          m.neigh.extern_learn && !m.neigh.mac.IsZero()) {
        ++count;
      }
    }
  }
  mnl_socket_close(s);
  return count;
}

double RunRaw(uint32_t entries, size_t batch) {
  const int vxlan = static_cast<int>(if_nametoindex("vxlan100"));
  const int bridge = static_cast<int>(if_nametoindex("br100"));
  mnl_socket* s = mnl_socket_open(NETLINK_ROUTE);
  if (s == nullptr || mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
    std::perror("netlink");
    std::exit(1);
  }
  std::vector<uint8_t> rx(1 << 16);
  uint32_t seq = 1;
  size_t errors = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < entries;) {
    std::vector<uint8_t> buffer;
    std::vector<uint32_t> seqs;
    for (size_t k = 0; k < batch && i < entries; ++k, ++i) {
      FdbOp op{i + 1, FdbOpKind::kReplace, FdbKey::Unicast(kVni, MacOf(i)), vxlan, bridge,
               VtepOf(i)};
      evpnd::fibsync::AppendFdbOp(op, seq, buffer, seqs);
    }
    // As fib-sync writes: an ACK for the last message only, errors for any that failed.
    evpnd::fibsync::RequestAckOfLast(buffer);
    mnl_socket_sendto(s, buffer.data(), buffer.size());
    for (bool done = false; !done;) {
      const ssize_t n = mnl_socket_recvfrom(s, rx.data(), rx.size());
      if (n <= 0) break;
      for (const auto& m : evpnd::fibsync::ParseMessages({rx.data(), static_cast<size_t>(n)})) {
        if (m.kind != evpnd::fibsync::ParsedMessage::Kind::kAck) continue;
        if (m.seq == seqs.back()) done = true;
        if (m.error != 0) ++errors;
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  mnl_socket_close(s);
  if (errors != 0) std::fprintf(stderr, "raw: %zu messages failed\n", errors);
  return seconds;
}

double RunEvpnd(uint32_t entries, size_t batch_ops) {
  boost::asio::io_context io;
  evpnd::fibsync::Reconciler reconciler;
  evpnd::fibsync::NetlinkFib* fib_ptr = nullptr;
  bool synced = false;
  bool timing = false;
  std::chrono::steady_clock::time_point start;
  double seconds = -1;
  // Sends the next batches (up to Reconciler::kMaxBatchesInFlight, as the daemon does); when
  // there is none, the run may be over.
  auto pump = [&]() -> bool {
    bool sent = false;
    while (auto batch = reconciler.TakeBatch(batch_ops, absl::Now())) {
      fib_ptr->Submit(std::move(*batch));
      sent = true;
    }
    return sent;
  };
  evpnd::fibsync::NetlinkFib fib(
      [&io](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); },
      [&](evpnd::fibsync::NetlinkEvents e) {
        if (e.snapshot) {
          std::vector<evpnd::fibsync::VxlanDevice> devices;
          for (const auto& link : e.links) {
            if (link.kind == "vxlan" && link.vni == kVni) {
              devices.push_back({link.ifindex, link.name, kVni, link.master_ifindex, link.up,
                                 false});
            }
          }
          reconciler.SetDevices(devices);
          reconciler.BeginResync();
          for (const auto& f : e.fdb) reconciler.OnKernelEntry(f);
          reconciler.EndResync();
          synced = true;
        } else {
          for (const auto& f : e.fdb) reconciler.OnKernelEntry(f);
        }
        for (const auto& r : e.batch_results) reconciler.OnBatchResult(r, absl::Now());
        if (synced && !timing) {
          timing = true;
          start = std::chrono::steady_clock::now();
          for (uint32_t i = 0; i < entries; ++i) reconciler.SetRemoteMac(kVni, MacOf(i), VtepOf(i));
        }
        if (pump() || !timing || seconds >= 0 || reconciler.in_flight()) return;
        if (reconciler.Converged()) {
          seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          fib.Stop();
          io.stop();
        }
      });
  fib_ptr = &fib;
  if (absl::Status s = fib.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    std::exit(1);
  }
  auto guard = boost::asio::make_work_guard(io);
  io.run();
  if (reconciler.counters().ops_failed != 0) {
    std::fprintf(stderr, "evpnd: %llu operations failed\n",
                 static_cast<unsigned long long>(reconciler.counters().ops_failed));
  }
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "evpnd";
  uint32_t entries = 100000;
  // raw: ops per sendmsg (default kOpsPerSend); evpnd: ops per batch (default kOpsPerBatch).
  std::optional<size_t> batch;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mode" && i + 1 < argc) mode = argv[++i];
    else if (a == "--entries" && i + 1 < argc) entries = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--batch" && i + 1 < argc) batch = std::strtoul(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: fdb_bench [--mode evpnd|raw] [--entries N] [--batch OPS]\n");
      return 2;
    }
  }
  if (if_nametoindex("vxlan100") == 0) {
    std::fprintf(stderr, "fdb_bench: no vxlan100 here; run it through bench/fdb_bench.sh\n");
    return 2;
  }
  const double seconds =
      mode == "raw" ? RunRaw(entries, batch.value_or(evpnd::fibsync::kOpsPerSend))
                    : RunEvpnd(entries, batch.value_or(evpnd::fibsync::kOpsPerBatch));
  const size_t kernel = CountKernelEntries();
  std::printf(
      "{\"mode\":\"%s\",\"entries\":%u,\"seconds\":%.3f,\"entries_per_s\":%.0f,"
      "\"kernel_entries\":%zu}\n",
      mode.c_str(), entries, seconds, seconds > 0 ? entries / seconds : 0.0, kernel);
  return kernel == 2 * static_cast<size_t>(entries) ? 0 : 1;
}

// The netlink thread: owns fib-sync's three NETLINK_ROUTE sockets and talks to the core thread in
// values only.
//
//   core thread                                   netlink thread (own io_context)
//     Submit(FdbBatch) ---------------------------> a sendmsg per kOpsPerSend ops; errors by seq,
//                                                   one ACK for the last message
//     Resync() -----------------------------------> link dump + bridge FDB dump (dump socket)
//     drain callback <--- one post per burst ------ NetlinkEvents: batch result, dump snapshot,
//                                                   monitor events (RTNLGRP_LINK, RTNLGRP_NEIGH)
//
// Monitor events are coalesced per entry while the core has not drained them, so a burst costs
// one post and memory bounded by the number of distinct entries. The monitor socket drops the
// kernel's echo of our own writes (new extern_learn entries on the VXLAN devices, which the link
// dumps and events list) in the kernel, with a BPF filter (BuildEchoFilter): a write's result
// already tells the core what the kernel holds. The cost is that another writer's extern_learn
// entry on a VXLAN device is seen at the next dump only; deletes and entries without
// extern_learn always come. ENOBUFS on the monitor socket
// (events lost) starts a full dump by itself; the snapshot tells the core to reconcile from
// scratch (Reconciler::BeginResync).
//
// NOTE:
//   Threading: Submit/Resync/Stop and the constructor run on the core thread; everything else on
//     the netlink thread; the two meet only in `mu_`.
//   Errors: a socket that cannot be opened makes Start() fail; a send that fails answers every op
//     of its sendmsg with its errno.
//   Performance: a batch is written kOpsPerSend ops (at most 64 messages) per sendmsg, each
//     sendmsg's answers read before the next (16-64 messages per sendmsg measured best on 2-core
//     machines); only its last message asks for an ACK, the others are answered only if they
//     fail, which nearly doubles the write rate (neigh_codec.h). The core hands over up to
//     kOpsPerBatch ops at a time: it takes the next batch only between its own tasks, which
//     during a route ingest last ~10 ms each, so a small batch would leave the FDB waiting on
//     the core.
// Standards: netlink(7), rtnetlink(7).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "fib-sync/reconcile/fdb_types.h"
#include "fib-sync/reconcile/fib.h"

struct mnl_socket;

namespace evpnd::fibsync {

// Ops per sendmsg (each op at most two messages).
inline constexpr size_t kOpsPerSend = 32;
// Ops the core hands the netlink thread at a time (a batch; Reconciler::kMaxBatchesInFlight).
inline constexpr size_t kOpsPerBatch = 2048;

}  // namespace evpnd::fibsync

namespace evpnd::fibsync {

struct NetlinkEvents {
  // A full snapshot: `links` and `fdb` are everything the kernel has (after Resync or lost
  // events). Otherwise they are changes.
  bool snapshot = false;
  std::vector<LinkInfo> links;
  std::vector<KernelFdbEntry> fdb;
  std::vector<FdbBatchResult> batch_results;
  // A dump failed (the core may retry Resync later).
  std::optional<absl::Status> dump_error;
  bool empty() const {
    return !snapshot && links.empty() && fdb.empty() && batch_results.empty() && !dump_error;
  }
};

class NetlinkFib : public Fib {
 public:
  // `post` runs a closure on the core thread (asio::post on the core io_context); `deliver` then
  // receives the drained events there.
  NetlinkFib(std::function<void(std::function<void()>)> post,
             std::function<void(NetlinkEvents)> deliver);
  ~NetlinkFib() override;

  // Opens the sockets and starts the thread with a first Resync.
  absl::Status Start();
  void Submit(FdbBatch batch) override;
  void Resync() override;
  void Stop();

 private:
  class Loop;
  void Enqueue(std::function<void(NetlinkEvents&)> fill);
  void Drain();

  std::function<void(std::function<void()>)> post_;
  std::function<void(NetlinkEvents)> deliver_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;

  // std::mutex rather than absl::Mutex: Debian's Abseil is not built with TSan, which then
  // cannot see its locking. Everything below is guarded by mu_.
  std::mutex mu_;
  NetlinkEvents pending_;
  // Monitor FDB events coalesced per kernel entry: (ifindex, MAC, destination for the zero and
  // group MACs only, self) -> latest.
  std::map<std::tuple<int, evpn::MacAddress, evpn::IpAddress, bool>, KernelFdbEntry> pending_fdb_;
  std::map<int, LinkInfo> pending_links_;
  bool drain_posted_ = false;
};

}  // namespace evpnd::fibsync

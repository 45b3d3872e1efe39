// See netlink_fib.h.
#include <utility>  // before Asio: Boost 1.74 Asio with C++20 needs std::exchange declared

#include "fib-sync/netlink/netlink_fib.h"

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "fib-sync/netlink/neigh_codec.h"

namespace evpnd::fibsync {
namespace {

namespace asio = boost::asio;

// The monitor socket's receive buffer: a mass move of 100k MACs produces ~100k notifications of
// ~100 bytes; 32 MiB holds them while the netlink thread is busy with a batch.
constexpr int kMonitorBuffer = 32 << 20;
// An ACK the kernel never sends would stall the thread: give up on a batch after this long.
constexpr timeval kAckTimeout{5, 0};
// Receive buffer per recv: the kernel fills dump replies up to 32 KiB (netlink(7)); larger is
// harmless.
constexpr size_t kReceiveBuffer = 64 << 10;

absl::Status Errno(absl::string_view what) {
  return absl::ErrnoToStatus(errno, absl::StrCat("netlink: ", what));
}

struct SocketCloser {
  void operator()(mnl_socket* s) const {
    if (s != nullptr) mnl_socket_close(s);
  }
};
using Socket = std::unique_ptr<mnl_socket, SocketCloser>;

absl::StatusOr<Socket> OpenSocket(unsigned groups) {
  Socket s(mnl_socket_open(NETLINK_ROUTE));
  if (s == nullptr) return Errno("socket(NETLINK_ROUTE)");
  if (mnl_socket_bind(s.get(), groups, MNL_SOCKET_AUTOPID) < 0) return Errno("bind");
  return s;
}

}  // namespace

class NetlinkFib::Loop {
 public:
  explicit Loop(NetlinkFib& owner) : owner_(owner), work_(asio::make_work_guard(io_)) {}

  absl::Status Open() {
    absl::StatusOr<Socket> request = OpenSocket(0);
    if (!request.ok()) return request.status();
    absl::StatusOr<Socket> dump = OpenSocket(0);
    if (!dump.ok()) return dump.status();
    absl::StatusOr<Socket> monitor = OpenSocket(RTMGRP_LINK | RTMGRP_NEIGH);
    if (!monitor.ok()) return monitor.status();
    for (mnl_socket* s : {request->get(), dump->get()}) {
      setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO, &kAckTimeout,
                 sizeof(kAckTimeout));
    }
    const int fd = mnl_socket_get_fd(monitor->get());
    // SO_RCVBUFFORCE needs CAP_NET_ADMIN, which writing the FDB needs anyway; else the default.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kMonitorBuffer, sizeof(kMonitorBuffer)) < 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kMonitorBuffer, sizeof(kMonitorBuffer));
    }
    request_ = std::move(*request);
    dump_ = std::move(*dump);
    monitor_ = std::move(*monitor);
    monitor_fd_ = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
    return absl::OkStatus();
  }

  void Run() {
    ArmMonitor();
    io_.run();
  }
  void Stop() {
    work_.reset();
    io_.stop();
  }
  asio::io_context& io() { return io_; }

  void Submit(const FdbBatch& batch) {
    FdbBatchResult result{batch.id, {}};
    result.results.reserve(batch.ops.size());
    for (size_t begin = 0; begin < batch.ops.size(); begin += kOpsPerSend) {
      const size_t end = std::min(batch.ops.size(), begin + kOpsPerSend);
      std::vector<uint8_t> buffer;
      std::map<uint32_t, std::pair<size_t, bool>> waiting;  // seq -> (result index, first msg)
      for (size_t i = begin; i < end; ++i) {
        std::vector<uint32_t> seqs;
        AppendFdbOp(batch.ops[i], seq_, buffer, seqs);
        for (size_t k = 0; k < seqs.size(); ++k) waiting[seqs[k]] = {result.results.size(), k == 0};
        result.results.push_back({batch.ops[i].id, 0});
      }
      // rtnetlink handles the requests inside sendmsg, in order: their errors and the last
      // one's ACK are queued when it returns.
      RequestAckOfLast(buffer);
      if (mnl_socket_sendto(request_.get(), buffer.data(), buffer.size()) < 0) {
        const int error = errno;
        for (size_t i = begin; i < end; ++i) result.results[i].error = error;
      } else {
        ReadAnswers(waiting, seq_ - 1, result);
      }
    }
    owner_.Enqueue([&](NetlinkEvents& e) { e.batch_results.push_back(std::move(result)); });
  }

  void Resync() {
    std::vector<ParsedMessage> links;
    std::vector<ParsedMessage> fdb;
    absl::Status status = Dump(DumpKind::kLinks, links);
    if (status.ok()) {
      std::set<int> vxlans;
      for (const ParsedMessage& m : links) {
        if (m.link.kind == "vxlan") vxlans.insert(m.link.ifindex);
      }
      SetEchoFilter(std::move(vxlans));
      status = Dump(DumpKind::kBridgeFdb, fdb);
    }
    owner_.Enqueue([&](NetlinkEvents& e) {
      if (!status.ok()) {
        e.dump_error = status;
        return;
      }
      // Everything read from the monitor before this dump is older than it: superseded.
      owner_.pending_fdb_.clear();
      owner_.pending_links_.clear();
      e.snapshot = true;
      e.links.clear();
      e.fdb.clear();
      for (const ParsedMessage& m : links) e.links.push_back(m.link);
      for (const ParsedMessage& m : fdb) e.fdb.push_back(m.neigh);
    });
  }

 private:
  // Reads the answers to one sendmsg, up to the ACK of its last message (`last_seq`): errors
  // come for the messages that failed, nothing for those that succeeded (AppendFdbOp).
  void ReadAnswers(const std::map<uint32_t, std::pair<size_t, bool>>& waiting, uint32_t last_seq,
                   FdbBatchResult& result) {
    std::vector<uint8_t> buffer(kReceiveBuffer);
    std::vector<bool> answered(result.results.size(), false);
    for (bool done = false; !done;) {
      const ssize_t n = mnl_socket_recvfrom(request_.get(), buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        // Without the last ACK, success is unknown for every op with no answer yet: failed, and
        // retried by the reconciler (writes are idempotent).
        const int error = errno == EAGAIN ? ETIMEDOUT : errno;
        for (const auto& [seq, where] : waiting) {
          if (!answered[where.first] && result.results[where.first].error == 0) {
            result.results[where.first].error = error;
          }
        }
        return;
      }
      for (const ParsedMessage& m :
           ParseMessages({buffer.data(), static_cast<size_t>(n)})) {
        auto it = waiting.find(m.seq);
        if (m.kind != ParsedMessage::Kind::kAck || it == waiting.end()) continue;
        if (m.seq == last_seq) done = true;
        const auto [index, first] = it->second;
        answered[index] = true;
        int& error = result.results[index].error;
        // The VXLAN entry decides; the bridge entry's error counts only when the first
        // succeeded (its ENOENT on delete means the MAC sits on another port now).
        if (first) {
          error = m.error;
        } else if (error == 0 && m.error != ENOENT) {
          error = m.error;
        }
      }
    }
  }

  absl::Status Dump(DumpKind kind, std::vector<ParsedMessage>& out) {
    const uint32_t seq = seq_++;
    const std::vector<uint8_t> request = BuildDumpRequest(kind, seq);
    if (mnl_socket_sendto(dump_.get(), request.data(), request.size()) < 0) {
      return Errno("dump request");
    }
    std::vector<uint8_t> buffer(kReceiveBuffer);
    for (;;) {
      const ssize_t n = mnl_socket_recvfrom(dump_.get(), buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("dump");
      }
      for (ParsedMessage& m : ParseMessages({buffer.data(), static_cast<size_t>(n)})) {
        if (m.seq != seq) continue;
        if (m.kind == ParsedMessage::Kind::kDone) return absl::OkStatus();
        if (m.kind == ParsedMessage::Kind::kAck && m.error != 0) {
          errno = m.error;
          return Errno("dump answered");
        }
        // A dump interrupted by concurrent changes (NLM_F_DUMP_INTR) still ends with DONE; the
        // monitor events that follow it repair what the dump missed.
        if (m.kind == ParsedMessage::Kind::kNeigh || m.kind == ParsedMessage::Kind::kLink) {
          out.push_back(std::move(m));
        }
      }
    }
  }

  // The monitor socket drops the echo of our own writes on these VXLAN devices (200k
  // notifications for 100k MACs, which the kernel would queue and we would read and reconcile
  // for nothing): BuildEchoFilter.
  void SetEchoFilter(std::set<int> vxlans) {
    if (vxlans == echo_filtered_) return;
    const std::vector<int> list(vxlans.begin(), vxlans.end());
    const std::vector<sock_filter> program = BuildEchoFilter(list);
    const int fd = mnl_socket_get_fd(monitor_.get());
    int rc = 0;
    if (program.empty()) {
      rc = setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, nullptr, 0);
      if (rc != 0 && errno == ENOENT) rc = 0;  // there was none
    } else {
      const sock_fprog fprog{static_cast<unsigned short>(program.size()),
                             const_cast<sock_filter*>(program.data())};
      rc = setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog));
    }
    // Should the kernel refuse it, every echo is read and reconciled as a no-op: slower, still
    // right; the next change of the device set tries again.
    if (rc == 0) echo_filtered_ = std::move(vxlans);
  }

  void ArmMonitor() {
    monitor_fd_->async_wait(asio::posix::stream_descriptor::wait_read,
                            [this](const boost::system::error_code& ec) {
                              if (ec) return;
                              ReadMonitor();
                              ArmMonitor();
                            });
  }

  void ReadMonitor() {
    std::vector<uint8_t> buffer(kReceiveBuffer);
    for (;;) {
      const ssize_t n = recv(mnl_socket_get_fd(monitor_.get()), buffer.data(), buffer.size(),
                             MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR) continue;
        // ENOBUFS: the kernel dropped notifications; only a full dump knows the truth now.
        if (errno == ENOBUFS) Resync();
        return;
      }
      const std::vector<ParsedMessage> messages =
          ParseMessages({buffer.data(), static_cast<size_t>(n)});
      const bool links = std::any_of(messages.begin(), messages.end(), [](const ParsedMessage& m) {
        return m.kind == ParsedMessage::Kind::kLink;
      });
      if (links) {  // a VXLAN device may have come or gone
        std::set<int> vxlans = echo_filtered_;
        for (const ParsedMessage& m : messages) {
          if (m.kind != ParsedMessage::Kind::kLink) continue;
          if (m.link.present && m.link.kind == "vxlan") {
            vxlans.insert(m.link.ifindex);
          } else {
            vxlans.erase(m.link.ifindex);
          }
        }
        SetEchoFilter(std::move(vxlans));
      }
      owner_.Enqueue([&](NetlinkEvents&) {
        for (const ParsedMessage& m : messages) {
          if (m.kind == ParsedMessage::Kind::kNeigh) {
            const KernelFdbEntry& e = m.neigh;
            // One key per kernel entry, so the latest notification of it wins: a unicast MAC
            // has one destination (two writes of it must not be reordered by destination); the
            // zero and group MACs have one entry per destination.
            const bool per_destination = !e.mac.IsUnicast();
            owner_.pending_fdb_[{e.ifindex, e.mac, per_destination ? e.dst : evpn::IpAddress(),
                                 e.self}] = e;
          } else if (m.kind == ParsedMessage::Kind::kLink) {
            owner_.pending_links_[m.link.ifindex] = m.link;
          }
        }
      });
    }
  }

  NetlinkFib& owner_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  Socket request_;
  Socket dump_;
  Socket monitor_;
  std::unique_ptr<asio::posix::stream_descriptor> monitor_fd_;
  std::set<int> echo_filtered_;  // the VXLAN devices whose echoes the monitor socket drops
  uint32_t seq_ = 1;
};

NetlinkFib::NetlinkFib(std::function<void(std::function<void()>)> post,
                       std::function<void(NetlinkEvents)> deliver)
    : post_(std::move(post)), deliver_(std::move(deliver)) {}

NetlinkFib::~NetlinkFib() { Stop(); }

absl::Status NetlinkFib::Start() {
  if (loop_ != nullptr) return absl::OkStatus();
  auto loop = std::make_unique<Loop>(*this);
  if (absl::Status s = loop->Open(); !s.ok()) return s;
  loop_ = std::move(loop);
  Loop* l = loop_.get();
  asio::post(l->io(), [l] { l->Resync(); });
  thread_ = std::thread([l] { l->Run(); });
  return absl::OkStatus();
}

void NetlinkFib::Submit(FdbBatch batch) {
  if (loop_ == nullptr) return;
  Loop* l = loop_.get();
  asio::post(l->io(), [l, b = std::move(batch)] { l->Submit(b); });
}

void NetlinkFib::Resync() {
  if (loop_ == nullptr) return;
  Loop* l = loop_.get();
  asio::post(l->io(), [l] { l->Resync(); });
}

void NetlinkFib::Stop() {
  if (loop_ == nullptr) return;
  loop_->Stop();
  if (thread_.joinable()) thread_.join();
  loop_.reset();
}

void NetlinkFib::Enqueue(std::function<void(NetlinkEvents&)> fill) {
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fill(pending_);
    const bool empty = pending_.empty() && pending_fdb_.empty() && pending_links_.empty();
    if (!empty && !drain_posted_) drain_posted_ = post = true;
  }
  if (post) post_([this] { Drain(); });
}

void NetlinkFib::Drain() {
  NetlinkEvents events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events = std::move(pending_);
    pending_ = NetlinkEvents{};
    for (auto& [key, link] : pending_links_) events.links.push_back(std::move(link));
    for (auto& [key, entry] : pending_fdb_) events.fdb.push_back(std::move(entry));
    pending_links_.clear();
    pending_fdb_.clear();
    drain_posted_ = false;
  }
  if (!events.empty()) deliver_(std::move(events));
}

}  // namespace evpnd::fibsync

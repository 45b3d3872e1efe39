// NetlinkFib against the real kernel, in a network namespace of the test's own (needs root, as
// CI runs; skipped otherwise): the writer asks an ACK of the last message of each sendmsg only
// (neigh_codec.h), so an op's success is the absence of an error before that ACK. Failed ops in
// every position of a send (first, middle, last, and the last of the whole batch) must get their
// errno, and every other op must be reported done and be in the kernel's FDB. The monitor
// socket's filter (BuildEchoFilter) must drop the echo of our own writes and let every other
// change through.
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "boost/asio/io_context.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/post.hpp"
#include "fib-sync/netlink/netlink_fib.h"
#include "gtest/gtest.h"

namespace evpnd::fibsync {
namespace {

constexpr uint32_t kVni = 100;

evpn::MacAddress MacOf(uint32_t i) {
  evpn::MacAddress mac;
  mac.bytes = {0x02, 0x00, 0x00, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
               static_cast<uint8_t>(i)};
  return mac;
}

// Runs `command` (in this process's namespace); true on exit status 0.
bool Sh(const std::string& command) { return std::system(command.c_str()) == 0; }

std::string Output(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  return out;
}

class NetlinkFibKernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root: a network namespace of its own";
    // ctest runs each test in a process of its own: the namespace goes with it.
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET): errno " << errno;
    ASSERT_TRUE(Sh("ip link set lo up && ip link add br100 type bridge && "
                   "ip link set br100 up && "
                   "ip link add vxlan100 type vxlan id 100 local 10.0.0.1 dstport 4789 "
                   "nolearning && ip link set vxlan100 master br100 addrgenmode none && "
                   "ip link set vxlan100 type bridge_slave learning off && "
                   "ip link set vxlan100 up"));
    vxlan_ = static_cast<int>(if_nametoindex("vxlan100"));
    bridge_ = static_cast<int>(if_nametoindex("br100"));
    ASSERT_GT(vxlan_, 0);
    ASSERT_GT(bridge_, 0);
  }

  // Submits `batch` and returns its result (the core loop here is `io`).
  std::optional<FdbBatchResult> Write(FdbBatch batch) {
    boost::asio::io_context io;
    std::optional<FdbBatchResult> result;
    NetlinkFib fib([&io](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); },
                   [&](NetlinkEvents e) {
                     for (FdbBatchResult& r : e.batch_results) {
                       if (r.batch_id == batch.id) result = std::move(r);
                     }
                     if (result.has_value()) io.stop();
                   });
    if (absl::Status s = fib.Start(); !s.ok()) {
      ADD_FAILURE() << s;
      return std::nullopt;
    }
    fib.Submit(batch);
    auto work = boost::asio::make_work_guard(io);  // the answer comes from the netlink thread
    io.run_for(std::chrono::seconds(10));
    fib.Stop();
    return result;
  }

  // Op `i`: MAC i to `vtep` on device `ifindex`, with its bridge entry.
  FdbOp Replace(uint32_t i, int ifindex, const evpn::IpAddress& vtep) const {
    FdbOp op;
    op.id = i;
    op.kind = FdbOpKind::kReplace;
    op.key = FdbKey::Unicast(kVni, MacOf(i));
    op.ifindex = ifindex;
    op.bridge_ifindex = bridge_;
    op.vtep = vtep;
    return op;
  }

  int vxlan_ = 0;
  int bridge_ = 0;
};

TEST_F(NetlinkFibKernelTest, FailedOpsGetTheirErrnoAndTheOthersLand) {
  // 70 ops: three sendmsgs of up to kOpsPerSend (32). Ops on a device that does not exist fail
  // with ENODEV: the first and last of the first send, the first of the second, the last of all.
  ASSERT_EQ(kOpsPerSend, 32u);
  const std::set<uint32_t> failing = {0, 31, 32, 69};
  FdbBatch batch{7, {}};
  for (uint32_t i = 0; i < 70; ++i) {
    batch.ops.push_back(Replace(i, failing.count(i) ? 9999 : vxlan_,
                                evpn::IpAddress::V4(0x0a000000 | (2 + i % 3))));
  }
  const std::optional<FdbBatchResult> result = Write(batch);
  ASSERT_TRUE(result.has_value()) << "no batch result within 10 s";
  ASSERT_EQ(result->results.size(), 70u);
  for (const FdbOpResult& r : result->results) {
    if (failing.count(r.op_id)) {
      EXPECT_EQ(r.error, ENODEV) << "op " << r.op_id;
    } else {
      EXPECT_EQ(r.error, 0) << "op " << r.op_id;
    }
  }
  const std::string fdb = Output("bridge fdb show dev vxlan100");
  for (uint32_t i = 0; i < 70; ++i) {
    const bool present = fdb.find(MacOf(i).ToString() + " dst") != std::string::npos;
    EXPECT_EQ(present, !failing.count(i)) << MacOf(i).ToString() << "\n" << fdb;
  }

  // Deleting what is there succeeds; deleting what is not answers ENOENT, in the same send.
  FdbBatch deletes{8, {}};
  for (uint32_t i : {1u, 2u, 31u}) {  // 31 was never written
    FdbOp op;
    op.id = 100 + i;
    op.kind = FdbOpKind::kDelete;
    op.key = FdbKey::Unicast(kVni, MacOf(i));
    op.ifindex = vxlan_;
    op.bridge_ifindex = bridge_;
    deletes.ops.push_back(op);
  }
  const std::optional<FdbBatchResult> deleted = Write(deletes);
  ASSERT_TRUE(deleted.has_value());
  ASSERT_EQ(deleted->results.size(), 3u);
  EXPECT_EQ(deleted->results[0].error, 0);
  EXPECT_EQ(deleted->results[1].error, 0);
  EXPECT_EQ(deleted->results[2].error, ENOENT);
  const std::string after = Output("bridge fdb show dev vxlan100");
  EXPECT_EQ(after.find(MacOf(1).ToString()), std::string::npos) << after;
  EXPECT_NE(after.find(MacOf(3).ToString() + " dst"), std::string::npos) << after;
}

// The kernel's notifications of our own writes (extern_learn entries on the VXLAN device) are
// dropped by the monitor socket's filter; deletes, entries without extern_learn and entries on
// other ports still come.
TEST_F(NetlinkFibKernelTest, MonitorDropsTheEchoOfOurWritesOnly) {
  ASSERT_TRUE(Sh("ip link add d0 type veth peer name d1 && ip link set d0 master br100 && "
                 "ip link set d0 up"));
  const int d0 = static_cast<int>(if_nametoindex("d0"));
  boost::asio::io_context io;
  bool synced = false;
  std::optional<FdbBatchResult> result;
  std::vector<KernelFdbEntry> events;  // monitor events after the snapshot
  NetlinkFib fib([&io](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); },
                 [&](NetlinkEvents e) {
                   if (e.snapshot) {
                     synced = true;
                   } else {
                     events.insert(events.end(), e.fdb.begin(), e.fdb.end());
                   }
                   for (FdbBatchResult& r : e.batch_results) result = std::move(r);
                 });
  ASSERT_TRUE(fib.Start().ok());
  auto work = boost::asio::make_work_guard(io);
  auto run_until = [&io](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(std::chrono::milliseconds(20));
    }
    return done();
  };
  // The first dump sets the filter (it lists the VXLAN devices) before its snapshot comes.
  ASSERT_TRUE(run_until([&] { return synced; }));

  FdbBatch batch{1, {}};
  for (uint32_t i = 0; i < 40; ++i) {
    batch.ops.push_back(Replace(i, vxlan_, evpn::IpAddress::V4(0x0a000002)));
  }
  fib.Submit(batch);
  ASSERT_TRUE(run_until([&] { return result.has_value(); }));
  for (const FdbOpResult& r : result->results) EXPECT_EQ(r.error, 0) << "op " << r.op_id;

  // Someone else's changes: our entry deleted, an operator's entry without extern_learn, an
  // extern_learn entry on another port of the bridge; then a marker to wait for.
  const std::string ours = MacOf(3).ToString();
  ASSERT_TRUE(Sh("bridge fdb del " + ours + " dev vxlan100 self && "
                 "bridge fdb add 02:aa:00:00:00:01 dev vxlan100 dst 10.0.0.9 self && "
                 "bridge fdb add 02:aa:00:00:00:02 dev d0 master extern_learn && "
                 "bridge fdb add 02:aa:00:00:00:03 dev vxlan100 dst 10.0.0.9 self"));
  auto seen = [&](const std::string& mac, int ifindex, bool present) {
    for (const KernelFdbEntry& e : events) {
      if (e.mac.ToString() == mac && e.ifindex == ifindex && e.present == present) return true;
    }
    return false;
  };
  ASSERT_TRUE(run_until([&] { return seen("02:aa:00:00:00:03", vxlan_, true); }));
  fib.Stop();
  EXPECT_TRUE(seen(ours, vxlan_, false)) << "the delete of our entry";
  EXPECT_TRUE(seen("02:aa:00:00:00:01", vxlan_, true)) << "an entry without extern_learn";
  EXPECT_TRUE(seen("02:aa:00:00:00:02", d0, true)) << "extern_learn on another port";
  for (const KernelFdbEntry& e : events) {
    EXPECT_FALSE(e.present && e.extern_learn && e.ifindex == vxlan_)
        << "echo of our write: " << e.mac.ToString() << (e.self ? " self" : " master");
  }
}

}  // namespace
}  // namespace evpnd::fibsync

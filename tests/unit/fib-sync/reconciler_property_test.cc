// Property tests for fib-sync/reconcile/reconciler.h against InMemoryFib: seeded random sequences
// of desired-state changes (remote MACs, moves, withdraws, flood VTEPs, whole VNIs) interleaved
// with partial deliveries (batches left in flight, results and notifications delivered late)
// and faults (ENOBUFS/EBUSY answers, entries deleted or redirected by hand, monitor overruns,
// dumps, VXLAN devices going down, away, or away in the middle of a batch, notifications
// coalesced per kernel entry, graceful-restart holds), with FDB events handed over before or
// after batch results. Whatever the sequence, once the faults stop, the hold is released and the
// devices are back, the reconciler converges, the kernel's owned entries equal the desired
// state, the operator's entries are untouched, and a dump of that kernel writes nothing
// (idempotence).
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fib-sync/reconcile/fdb_types.h"
#include "fib-sync/reconcile/in_memory_fib.h"
#include "fib-sync/reconcile/reconciler.h"
#include "gtest/gtest.h"
#include "tests/unit/fib-sync/fib_test_util.h"

namespace evpnd::fibsync {
namespace {

using test::Harness;
using test::Ip;
using test::Mac;

struct VniSetup {
  evpn::Vni vni;
  int bridge;
  int vxlan;  // current ifindex; 0 while removed
};

class World {
 public:
  explicit World(uint32_t seed) : rng_(seed) {
    vnis_ = {{100, 10, 11}, {200, 20, 21}};
    for (const VniSetup& v : vnis_) {
      EXPECT_TRUE(h_.fib.AddBridge(v.bridge, absl::StrCat("br", v.vni)).ok());
      EXPECT_TRUE(h_.fib.AddVxlan(v.vxlan, absl::StrCat("vxlan", v.vni), v.vni, v.bridge).ok());
      // An operator's static entry on every device, for a MAC evpnd never wants.
      EXPECT_EQ(h_.fib.AddForeign(v.vxlan, kForeignMac, Ip("198.51.100.9")), 0);
      h_.vnis.insert(v.vni);
    }
    for (int i = 0; i < 6; ++i) {
      macs_.push_back(Mac(absl::StrCat("52:54:00:00:00:0", i + 1)));
    }
    vteps_ = {Ip("192.0.2.1"), Ip("192.0.2.2"), Ip("2001:db8::3")};
  }

  void Run(int steps) {
    // The daemon hands FDB events to the reconciler before batch results; either order must do.
    h_.fdb_before_results = !Chance(4);
    Log(absl::StrCat("fdb before results: ", h_.fdb_before_results));
    if (Chance(2)) h_.Start();  // else the first dump comes at a random step
    bool started = h_.reconciler.state() != Reconciler::State::kAwaiting;
    for (int i = 0; i < steps; ++i) {
      if (!started && Chance(20)) {
        Log("first dump");
        h_.fib.Resync();
        started = true;
      }
      Step();
    }
    Finish();
  }

  void Check() {
    EXPECT_EQ(h_.reconciler.state(), Reconciler::State::kSynced);
    EXPECT_FALSE(h_.reconciler.in_flight());
    EXPECT_TRUE(h_.reconciler.Converged());
    EXPECT_EQ(h_.Kernel(), test::Expected(desired_));
    for (const VniSetup& v : vnis_) {
      const InMemoryFib::SelfEntry* foreign = h_.fib.FindSelf(v.vxlan, kForeignMac);
      ASSERT_NE(foreign, nullptr);
      EXPECT_EQ(*foreign, (InMemoryFib::SelfEntry{{Ip("198.51.100.9")}, false, kNudStatic}));
    }
    // Idempotence: a dump of this kernel writes nothing.
    const uint64_t ops = h_.fib.ops_submitted();
    h_.fib.Resync();
    h_.RunUntilIdle();
    EXPECT_EQ(h_.fib.ops_submitted(), ops);
    EXPECT_TRUE(h_.reconciler.Converged());
  }

  std::string Trace() const {
    std::string out = "last steps:";
    const size_t from = trace_.size() > 120 ? trace_.size() - 120 : 0;
    for (size_t i = from; i < trace_.size(); ++i) absl::StrAppend(&out, "\n  ", trace_[i]);
    return out;
  }

 private:
  static constexpr int kPercent = 100;
  const evpn::MacAddress kForeignMac = Mac("52:54:00:ff:00:01");

  bool Chance(int one_in) { return std::uniform_int_distribution<int>(0, one_in - 1)(rng_) == 0; }
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  void Log(std::string line) { trace_.push_back(std::move(line)); }

  void Step() {
    const int roll = Pick(kPercent);
    VniSetup& v = vnis_[Pick(static_cast<int>(vnis_.size()))];
    const evpn::MacAddress& mac = macs_[Pick(static_cast<int>(macs_.size()))];
    const evpn::IpAddress& vtep = vteps_[Pick(static_cast<int>(vteps_.size()))];
    Reconciler& r = h_.reconciler;
    if (roll < 18) {
      Log(absl::StrCat("set vni ", v.vni, " ", mac.ToString(), " -> ", vtep.ToString()));
      r.SetRemoteMac(v.vni, mac, vtep);
      desired_[FdbKey::Unicast(v.vni, mac)] = vtep;
    } else if (roll < 26) {
      Log(absl::StrCat("erase vni ", v.vni, " ", mac.ToString()));
      r.EraseRemoteMac(v.vni, mac);
      desired_.erase(FdbKey::Unicast(v.vni, mac));
    } else if (roll < 34) {
      const bool present = Chance(2);
      Log(absl::StrCat("flood vni ", v.vni, " ", vtep.ToString(), present ? " on" : " off"));
      r.SetFlood(v.vni, vtep, present);
      if (present) {
        desired_[FdbKey::Flood(v.vni, vtep)] = vtep;
      } else {
        desired_.erase(FdbKey::Flood(v.vni, vtep));
      }
    } else if (roll < 35) {
      Log(absl::StrCat("erase vni ", v.vni));
      r.EraseVni(v.vni);
      std::erase_if(desired_, [&](const auto& kv) { return kv.first.vni == v.vni; });
    } else if (roll < 45) {
      Log(absl::StrCat("pump: ", h_.Pump() ? "sent" : "nothing"));
    } else if (roll < 57) {
      Log(absl::StrCat("deliver: ", h_.Deliver() ? "events" : "nothing"));
    } else if (roll < 62) {
      Log("settle");
      h_.Settle();
    } else if (roll < 67) {
      const absl::Duration d = absl::Milliseconds(Pick(2500));
      Log(absl::StrCat("time +", absl::FormatDuration(d)));
      h_.now += d;
    } else if (roll < 71) {
      const int count = 1 + Pick(3);
      const int error = Chance(2) ? ENOBUFS : EBUSY;
      Log(absl::StrCat("fail next ", count, " ops with ", error));
      h_.fib.FailNextOps(count, error);
    } else if (roll < 76) {
      HandDelete();
    } else if (roll < 78) {
      if (v.vxlan == 0) return;
      Log(absl::StrCat("redirect by hand vni ", v.vni, " ", mac.ToString(), " -> ",
                       vtep.ToString()));
      if (h_.fib.FindSelf(v.vxlan, mac) != nullptr) {
        (void)h_.fib.WriteSelf(v.vxlan, mac, vtep, kNudReachable, true,
                               InMemoryFib::WriteMode::kReplace);
      }
    } else if (roll < 80) {
      Log("monitor overrun");
      h_.fib.OverrunMonitor();
    } else if (roll < 82) {
      if (h_.reconciler.state() == Reconciler::State::kAwaiting) return;
      Log("dump");
      h_.fib.Resync();
    } else if (roll < 85) {
      if (v.vxlan == 0) return;
      const bool up = Chance(2);
      Log(absl::StrCat("vxlan ", v.vxlan, up ? " up" : " down"));
      (void)h_.fib.SetUp(v.vxlan, up);
    } else if (roll < 87) {
      if (v.vxlan == 0) return;
      Log(absl::StrCat("remove vxlan ", v.vxlan));
      (void)h_.fib.RemoveLink(v.vxlan);
      v.vxlan = 0;
    } else if (roll < 89) {
      if (v.vxlan == 0) return;
      const int ops = Pick(3);
      Log(absl::StrCat("remove vxlan ", v.vxlan, " after ", ops, " ops"));
      h_.fib.RemoveLinkAfterOps(ops, v.vxlan);
      v.vxlan = 0;
    } else if (roll < 94) {
      Readd();
    } else if (roll < 96) {
      // Per kernel entry, as NetlinkFib does (see PerEntryCoalescingKeepsTheLatestWriteOf...).
      const bool on = Chance(2);
      Log(absl::StrCat("coalesce ", on ? "per entry" : "off"));
      h_.fib.set_coalescing(on ? InMemoryFib::Coalescing::kPerEntry
                               : InMemoryFib::Coalescing::kOff);
    } else if (roll < 97) {
      const bool hold = Chance(2);
      Log(absl::StrCat("hold stale deletes ", hold ? "on" : "off"));
      r.SetHoldStaleDeletes(hold);
    } else {
      Log("settle and wait");
      h_.RunUntilIdle();
    }
  }

  void HandDelete() {
    std::vector<KernelFdbEntry> owned;
    for (const KernelFdbEntry& e : h_.fib.DumpFdb()) {
      if (e.extern_learn) owned.push_back(e);
    }
    if (owned.empty()) return;
    const KernelFdbEntry& e = owned[Pick(static_cast<int>(owned.size()))];
    if (e.self) {
      Log(absl::StrCat("delete by hand ", e.mac.ToString(), " dev ", e.ifindex, " dst ",
                       e.dst.ToString()));
      (void)h_.fib.DeleteSelf(e.ifindex, e.mac,
                              e.mac.IsZero() ? std::optional(e.dst) : std::nullopt);
    } else {
      Log(absl::StrCat("delete by hand ", e.mac.ToString(), " dev ", e.ifindex, " master"));
      (void)h_.fib.DeleteMaster(e.ifindex, e.mac);
    }
  }

  // Devices removed come back under a new ifindex (a pending removal is carried out first).
  void Readd() {
    for (VniSetup& v : vnis_) {
      if (v.vxlan != 0) continue;
      h_.fib.ClearFaults();
      for (const LinkInfo& link : h_.fib.DumpLinks()) {
        if (link.kind == "vxlan" && link.vni == v.vni) (void)h_.fib.RemoveLink(link.ifindex);
      }
      v.vxlan = next_ifindex_++;
      Log(absl::StrCat("add vxlan ", v.vxlan, " for vni ", v.vni));
      EXPECT_TRUE(h_.fib.AddVxlan(v.vxlan, absl::StrCat("vxlan", v.vni), v.vni, v.bridge).ok());
      EXPECT_EQ(h_.fib.AddForeign(v.vxlan, kForeignMac, Ip("198.51.100.9")), 0);
    }
  }

  void Finish() {
    Log("finish");
    h_.reconciler.SetHoldStaleDeletes(false);
    h_.fib.ClearFaults();
    Readd();
    for (const VniSetup& v : vnis_) (void)h_.fib.SetUp(v.vxlan, true);
    if (h_.reconciler.state() == Reconciler::State::kAwaiting) h_.fib.Resync();
    h_.RunUntilIdle();
  }

  std::mt19937 rng_;
  Harness h_;
  std::vector<VniSetup> vnis_;
  std::vector<evpn::MacAddress> macs_;
  std::vector<evpn::IpAddress> vteps_;
  std::map<FdbKey, evpn::IpAddress> desired_;
  std::vector<std::string> trace_;
  int next_ifindex_ = 100;
};

TEST(ReconcilerPropertyTest, RandomChangesAndFaultsConvergeToTheDesiredState) {
  // EVPND_PROPERTY_SEEDS=N runs seeds 1..N (a longer soak); EVPND_PROPERTY_SEED=S only seed S.
  const char* seeds_env = std::getenv("EVPND_PROPERTY_SEEDS");
  const char* seed_env = std::getenv("EVPND_PROPERTY_SEED");
  const uint32_t seeds = seeds_env != nullptr ? std::strtoul(seeds_env, nullptr, 10) : 500;
  for (uint32_t seed = 1; seed <= seeds; ++seed) {
    if (seed_env != nullptr && seed != std::strtoul(seed_env, nullptr, 10)) continue;
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    World world(seed);
    world.Run(300);
    world.Check();
    if (::testing::Test::HasFailure()) {  // one seed's story is enough to read
      ADD_FAILURE() << world.Trace();
      return;
    }
  }
}

}  // namespace
}  // namespace evpnd::fibsync

// Unit tests for fib-sync/reconcile/reconciler.h driven against InMemoryFib (the kernel's FDB
// semantics in memory) through the daemon's delivery order (fib_test_util.h): nothing written
// before the first dump; adds, moves, withdraws, flood append and delete; owned entries changed
// or deleted behind our back put back; foreign entries (an operator's, without extern_learn)
// never touched; ENOENT on delete as success; ENOBUFS/EBUSY retried with exponential backoff;
// keys waiting for their VXLAN device; devices going down, away, and away in the middle of a
// batch; kernel news that arrives while a batch is in flight; graceful-restart hold of stale
// deletes (RFC 4724 §4.1); one batch in flight with coalescing; idempotence (a dump of a kernel
// that is already right writes nothing).
#include "fib-sync/reconcile/reconciler.h"

#include <cerrno>
#include <cstdint>
#include <map>
#include <optional>

#include "absl/time/time.h"
#include "fib-sync/reconcile/fdb_types.h"
#include "fib-sync/reconcile/in_memory_fib.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fib-sync/fib_test_util.h"

namespace evpnd::fibsync {
namespace {

using test::Harness;
using test::Ip;
using test::Mac;

constexpr evpn::Vni kVni = 100;
constexpr evpn::Vni kVni2 = 200;
constexpr int kBridge = 10;
constexpr int kVxlan = 11;
constexpr int kLocalPort = 12;
constexpr int kBridge2 = 20;
constexpr int kVxlan2 = 21;

const evpn::MacAddress kMacA = Mac("52:54:00:00:00:0a");
const evpn::MacAddress kMacB = Mac("52:54:00:00:00:0b");
const evpn::MacAddress kMacC = Mac("52:54:00:00:00:0c");
const evpn::IpAddress kVtep1 = Ip("192.0.2.1");
const evpn::IpAddress kVtep2 = Ip("192.0.2.2");
const evpn::IpAddress kVtep3 = Ip("2001:db8::3");

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(h_.fib.AddBridge(kBridge, "br100").ok());
    ASSERT_TRUE(h_.fib.AddVxlan(kVxlan, "vxlan100", kVni, kBridge).ok());
    ASSERT_TRUE(h_.fib.AddPort(kLocalPort, "veth0", kBridge).ok());
    h_.vnis = {kVni};
  }

  // The self entry of `mac` on the VNI 100 device.
  std::optional<InMemoryFib::SelfEntry> Self(const evpn::MacAddress& mac,
                                             int ifindex = kVxlan) const {
    const InMemoryFib::SelfEntry* e = h_.fib.FindSelf(ifindex, mac);
    return e == nullptr ? std::nullopt : std::optional(*e);
  }
  // The entry of `mac` in the bridge of VNI 100.
  std::optional<InMemoryFib::BridgeEntry> BridgeEntry(const evpn::MacAddress& mac,
                                                      int bridge = kBridge) const {
    const InMemoryFib::BridgeEntry* e = h_.fib.FindBridgeEntry(bridge, mac);
    return e == nullptr ? std::nullopt : std::optional(*e);
  }

  Harness h_;
};

// ---- life cycle ----

TEST_F(ReconcilerTest, NothingIsWrittenBeforeTheFirstDump) {
  Reconciler& r = h_.reconciler;
  r.SetRemoteMac(kVni, kMacA, kVtep1);
  r.SetFlood(kVni, kVtep2, true);
  h_.Settle();  // links are delivered (devices bound) but no dump was read
  EXPECT_EQ(r.state(), Reconciler::State::kAwaiting);
  EXPECT_FALSE(r.HasWork(h_.now));
  EXPECT_FALSE(r.TakeBatch(32, h_.now).has_value());
  EXPECT_EQ(h_.fib.ops_submitted(), 0u);

  // Nor while a dump is being read.
  r.BeginResync();
  EXPECT_EQ(r.state(), Reconciler::State::kSyncing);
  EXPECT_FALSE(r.TakeBatch(32, h_.now).has_value());
  r.EndResync();
  EXPECT_EQ(r.state(), Reconciler::State::kSynced);
  EXPECT_TRUE(r.HasWork(h_.now));

  h_.Start();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1},
                                         {FdbKey::Flood(kVni, kVtep2), kVtep2}}));
  EXPECT_TRUE(r.Converged());
  EXPECT_EQ(r.counters().resyncs, 2u);
}

TEST_F(ReconcilerTest, TakeBatchWithZeroOpsTakesNothing) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  EXPECT_FALSE(h_.reconciler.TakeBatch(0, h_.now).has_value());
  EXPECT_TRUE(h_.reconciler.HasWork(h_.now));
}

// ---- adds, moves, withdraws ----

TEST_F(ReconcilerTest, RemoteMacWritesTheVxlanAndTheBridgeEntry) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), (InMemoryFib::SelfEntry{{kVtep1}, true, kNudReachable}));
  EXPECT_EQ(BridgeEntry(kMacA), (InMemoryFib::BridgeEntry{kVxlan, true, kNudReachable}));
  EXPECT_EQ(h_.reconciler.counters().ops_sent, 1u);
  EXPECT_TRUE(h_.reconciler.Converged());
  EXPECT_FALSE(h_.reconciler.in_flight());
  EXPECT_TRUE(h_.reconciler.HasOwnedEntries(kVni));
}

TEST_F(ReconcilerTest, DeviceWithoutBridgeGetsOnlyTheVxlanEntry) {
  ASSERT_TRUE(h_.fib.AddVxlan(kVxlan2, "vxlan200", kVni2, 0).ok());
  h_.vnis.insert(kVni2);
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni2, kMacA, kVtep1);
  h_.Settle();
  ASSERT_NE(Self(kMacA, kVxlan2), std::nullopt);
  EXPECT_EQ(BridgeEntry(kMacA), std::nullopt);
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, MoveReplacesTheDestination) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep3);  // an IPv6 VTEP
  h_.Settle();
  ASSERT_NE(Self(kMacA), std::nullopt);
  EXPECT_EQ(Self(kMacA)->dsts, std::vector<evpn::IpAddress>{kVtep3});
  EXPECT_NE(BridgeEntry(kMacA), std::nullopt);
  EXPECT_EQ(h_.reconciler.counters().ops_sent, 2u);
  EXPECT_EQ(h_.reconciler.counters().replaces_sent, 2u);
  EXPECT_EQ(h_.reconciler.counters().deletes_sent, 0u);
  EXPECT_EQ(h_.reconciler.counters().repaired, 0u);
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep3}}));
}

TEST_F(ReconcilerTest, WithdrawDeletesBothEntries) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  h_.reconciler.EraseRemoteMac(kVni, kMacA);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), std::nullopt);
  EXPECT_EQ(BridgeEntry(kMacA), std::nullopt);
  EXPECT_FALSE(h_.reconciler.HasOwnedEntries(kVni));
  EXPECT_TRUE(h_.reconciler.Converged());
  EXPECT_EQ(h_.reconciler.counters().replaces_sent, 1u);
  EXPECT_EQ(h_.reconciler.counters().deletes_sent, 1u);
  // The bridge keeps the port's own address.
  EXPECT_NE(BridgeEntry(InMemoryFib::PortMac(kVxlan)), std::nullopt);
}

TEST_F(ReconcilerTest, FloodListIsAppendedAndDeletedPerVtep) {
  h_.Start();
  h_.reconciler.SetFlood(kVni, kVtep1, true);
  h_.reconciler.SetFlood(kVni, kVtep2, true);
  h_.reconciler.SetFlood(kVni, kVtep3, true);
  h_.Settle();
  const evpn::MacAddress zero;
  ASSERT_NE(Self(zero), std::nullopt);
  EXPECT_EQ(Self(zero)->dsts, (std::vector<evpn::IpAddress>{kVtep1, kVtep2, kVtep3}));
  EXPECT_EQ(Self(zero)->state, kNudPermanent | kNudNoArp);  // as Linux reports it
  EXPECT_TRUE(Self(zero)->extern_learn);
  EXPECT_EQ(BridgeEntry(zero), std::nullopt);  // no bridge entry for the flood list

  h_.reconciler.SetFlood(kVni, kVtep2, false);
  h_.Settle();
  ASSERT_NE(Self(zero), std::nullopt);
  EXPECT_EQ(Self(zero)->dsts, (std::vector<evpn::IpAddress>{kVtep1, kVtep3}));
  h_.reconciler.SetFlood(kVni, kVtep1, false);
  h_.reconciler.SetFlood(kVni, kVtep3, false);
  h_.Settle();
  EXPECT_EQ(Self(zero), std::nullopt);
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, EraseVniDeletesEveryEntryOfTheVni) {
  ASSERT_TRUE(h_.fib.AddBridge(kBridge2, "br200").ok());
  ASSERT_TRUE(h_.fib.AddVxlan(kVxlan2, "vxlan200", kVni2, kBridge2).ok());
  h_.vnis.insert(kVni2);
  h_.Start();
  Reconciler& r = h_.reconciler;
  r.SetRemoteMac(kVni, kMacA, kVtep1);
  r.SetFlood(kVni, kVtep1, true);
  r.SetRemoteMac(kVni2, kMacA, kVtep2);
  h_.Settle();
  r.EraseVni(kVni);
  EXPECT_EQ(r.desired_size(), 1u);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni2, kMacA), kVtep2}}));
  EXPECT_FALSE(r.HasOwnedEntries(kVni));
  EXPECT_TRUE(r.HasOwnedEntries(kVni2));
}

// ---- batches in flight, coalescing, batch size ----

TEST_F(ReconcilerTest, TwoBatchesInFlightAndChangesCoalesce) {
  ASSERT_EQ(Reconciler::kMaxBatchesInFlight, 2u);
  h_.Start();
  Reconciler& r = h_.reconciler;
  r.SetRemoteMac(kVni, kMacA, kVtep1);
  std::optional<FdbBatch> first = r.TakeBatch(32, h_.now);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(r.in_flight());
  // A key in flight waits for its answer; other changes meanwhile coalesce in the dirty set,
  // and only the last one counts.
  r.SetRemoteMac(kVni, kMacA, kVtep2);
  EXPECT_FALSE(r.HasWork(h_.now));
  EXPECT_FALSE(r.TakeBatch(32, h_.now).has_value());
  r.SetRemoteMac(kVni, kMacB, kVtep1);
  r.SetRemoteMac(kVni, kMacB, kVtep2);
  r.EraseRemoteMac(kVni, kMacB);
  r.SetRemoteMac(kVni, kMacB, kVtep3);
  std::optional<FdbBatch> second = r.TakeBatch(32, h_.now);
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->ops.size(), 1u);
  EXPECT_EQ(second->ops[0].key, FdbKey::Unicast(kVni, kMacB));
  EXPECT_EQ(second->ops[0].vtep, kVtep3);
  EXPECT_EQ(second->ops[0].kind, FdbOpKind::kReplace);
  EXPECT_EQ(second->ops[0].ifindex, kVxlan);
  EXPECT_EQ(second->ops[0].bridge_ifindex, kBridge);
  EXPECT_NE(second->id, first->id);
  // Two in flight: nothing more, whatever changes.
  r.SetRemoteMac(kVni, kMacC, kVtep1);
  EXPECT_FALSE(r.HasWork(h_.now));
  EXPECT_FALSE(r.TakeBatch(32, h_.now).has_value());
  // The first answer frees a slot and MAC A, which goes again with its latest destination.
  static_cast<Fib&>(h_.fib).Submit(*first);
  h_.Deliver();
  EXPECT_TRUE(r.in_flight());
  std::optional<FdbBatch> third = r.TakeBatch(32, h_.now);
  ASSERT_TRUE(third.has_value());
  ASSERT_EQ(third->ops.size(), 2u);
  EXPECT_EQ(third->ops[0].key, FdbKey::Unicast(kVni, kMacA));
  EXPECT_EQ(third->ops[0].vtep, kVtep2);
  EXPECT_EQ(third->ops[1].key, FdbKey::Unicast(kVni, kMacC));
  static_cast<Fib&>(h_.fib).Submit(*second);
  static_cast<Fib&>(h_.fib).Submit(*third);
  h_.Deliver();
  EXPECT_FALSE(r.in_flight());
  EXPECT_TRUE(r.Converged());
}

TEST_F(ReconcilerTest, ResultOfAnotherBatchIsIgnored) {
  h_.Start();
  Reconciler& r = h_.reconciler;
  r.SetRemoteMac(kVni, kMacA, kVtep1);
  std::optional<FdbBatch> batch = r.TakeBatch(32, h_.now);
  ASSERT_TRUE(batch.has_value());
  r.OnBatchResult(FdbBatchResult{batch->id + 7, {{batch->ops[0].id, 0}}}, h_.now);
  EXPECT_TRUE(r.in_flight());
  // An op the answer leaves out is retried (EIO).
  r.OnBatchResult(FdbBatchResult{batch->id, {}}, h_.now);
  EXPECT_FALSE(r.in_flight());
  EXPECT_EQ(r.counters().ops_failed, 1u);
  EXPECT_EQ(r.NextDeadline(), h_.now + absl::Milliseconds(100));
}

TEST_F(ReconcilerTest, ResultsOutOfOrderOrMissingAreMatchedById) {
  h_.Start();
  Reconciler& r = h_.reconciler;
  r.SetRemoteMac(kVni, kMacA, kVtep1);
  r.SetRemoteMac(kVni, kMacB, kVtep1);
  r.SetRemoteMac(kVni, kMacC, kVtep1);
  std::optional<FdbBatch> batch = r.TakeBatch(32, h_.now);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->ops.size(), 3u);
  // Reversed, the first op failed (EBUSY), the second op unanswered (EIO): two retried.
  r.OnBatchResult(FdbBatchResult{batch->id, {{batch->ops[2].id, 0}, {batch->ops[0].id, EBUSY}}},
                  h_.now);
  EXPECT_FALSE(r.in_flight());
  EXPECT_EQ(r.counters().ops_failed, 2u);
  std::optional<FdbBatch> retry = r.TakeBatch(32, h_.now + absl::Milliseconds(100));
  ASSERT_TRUE(retry.has_value());
  std::vector<FdbKey> keys;
  for (const FdbOp& op : retry->ops) keys.push_back(op.key);
  EXPECT_THAT(keys, ::testing::UnorderedElementsAre(batch->ops[0].key, batch->ops[1].key));
}

TEST_F(ReconcilerTest, MaxOpsSplitsTheWorkIntoBatches) {
  h_.Start();
  h_.max_ops = 2;
  for (int i = 0; i < 5; ++i) {
    evpn::MacAddress mac = kMacA;
    mac.bytes[5] = static_cast<uint8_t>(0x20 + i);
    h_.reconciler.SetRemoteMac(kVni, mac, kVtep1);
  }
  h_.Settle();
  EXPECT_EQ(h_.batches, 3u);
  EXPECT_EQ(h_.Kernel().self.size(), 5u);
  EXPECT_TRUE(h_.reconciler.Converged());
}

// ---- changes behind our back ----

TEST_F(ReconcilerTest, HandDeletedEntriesArePutBack) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetFlood(kVni, kVtep2, true);
  h_.Settle();
  const test::OwnedFdb want = h_.Kernel();

  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), want);
  EXPECT_EQ(h_.reconciler.counters().repaired, 1u);

  ASSERT_EQ(h_.fib.DeleteMaster(kVxlan, kMacA), 0);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), want);
  EXPECT_EQ(h_.reconciler.counters().repaired, 2u);

  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, evpn::MacAddress(), kVtep2), 0);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), want);
  EXPECT_EQ(h_.reconciler.counters().repaired, 3u);
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, OwnedEntryRedirectedBehindOurBackIsPutBack) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  // Another extern_learn writer points the MAC elsewhere.
  ASSERT_EQ(h_.fib.WriteSelf(kVxlan, kMacA, kVtep2, kNudReachable, true,
                             InMemoryFib::WriteMode::kReplace),
            0);
  h_.Settle();
  ASSERT_NE(Self(kMacA), std::nullopt);
  EXPECT_EQ(Self(kMacA)->dsts, std::vector<evpn::IpAddress>{kVtep1});
  EXPECT_EQ(h_.reconciler.counters().repaired, 1u);
}

class CoalescingTest : public ReconcilerTest,
                       public ::testing::WithParamInterface<InMemoryFib::Coalescing> {};

TEST_P(CoalescingTest, RedirectThenDeleteSeenOnlyAsTheDeleteIsRepaired) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  // Someone points the MAC elsewhere, then deletes it. Coalesced (per destination, or per entry
  // as NetlinkFib does), only the delete naming the other destination reaches the reconciler.
  h_.fib.set_coalescing(GetParam());
  ASSERT_EQ(h_.fib.WriteSelf(kVxlan, kMacA, kVtep2, kNudReachable, true,
                             InMemoryFib::WriteMode::kReplace),
            0);
  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1}}));
  EXPECT_TRUE(h_.reconciler.Converged());
}

INSTANTIATE_TEST_SUITE_P(Modes, CoalescingTest,
                         ::testing::Values(InMemoryFib::Coalescing::kPerDestination,
                                           InMemoryFib::Coalescing::kPerEntry));

// NetlinkFib coalesces per kernel entry (a unicast MAC without its destination): of two writes
// of one MAC before the core drains, the latest wins. (Per destination, they would arrive in
// address order and the reconciler could believe the stale one until the next dump.)
TEST_F(ReconcilerTest, PerEntryCoalescingKeepsTheLatestWriteOfAUnicastMac) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep3);
  h_.Settle();
  h_.fib.set_coalescing(InMemoryFib::Coalescing::kPerEntry);
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep2);
  ASSERT_TRUE(h_.Pump());
  ASSERT_EQ(h_.fib.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true,
                             InMemoryFib::WriteMode::kReplace),
            0);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep2}}));
}

TEST_F(ReconcilerTest, LostNotificationsAreRepairedByTheDump) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep1);
  h_.Settle();
  const test::OwnedFdb want = h_.Kernel();
  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);
  ASSERT_EQ(h_.fib.DeleteMaster(kVxlan, kMacB), 0);
  h_.fib.OverrunMonitor();  // the notifications are lost; a dump follows
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), want);
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, ForeignEntryIsNeverTouched) {
  // An operator's static entries: one for a MAC evpnd also wants, one for another MAC.
  ASSERT_EQ(h_.fib.AddForeign(kVxlan, kMacA, kVtep3), 0);
  ASSERT_EQ(h_.fib.AddForeign(kVxlan, kMacC, kVtep3), 0);
  const InMemoryFib::SelfEntry foreign{{kVtep3}, false, kNudStatic};
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep1);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), foreign);
  EXPECT_EQ(Self(kMacC), foreign);
  EXPECT_EQ(BridgeEntry(kMacA), std::nullopt);
  EXPECT_GE(h_.reconciler.counters().foreign_conflicts, 1u);
  EXPECT_EQ(h_.reconciler.counters().ops_sent, 1u);  // kMacB only
  EXPECT_TRUE(h_.reconciler.Converged());

  // Not on a dump either, nor when evpnd stops wanting the MAC.
  h_.fib.Resync();
  h_.Settle();
  h_.reconciler.EraseRemoteMac(kVni, kMacA);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), foreign);
  EXPECT_EQ(Self(kMacC), foreign);
  EXPECT_EQ(h_.reconciler.counters().ops_sent, 1u);

  // Once the operator deletes it, the MAC is evpnd's to write.
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), (InMemoryFib::SelfEntry{{kVtep1}, true, kNudReachable}));
  EXPECT_NE(BridgeEntry(kMacA), std::nullopt);
}

TEST_F(ReconcilerTest, EntryAnOperatorTakesOverBecomesForeign) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  // "bridge fdb replace MAC dev vxlan100 dst VTEP3 self static": no extern_learn any more.
  ASSERT_EQ(
      h_.fib.WriteSelf(kVxlan, kMacA, kVtep3, kNudStatic, false, InMemoryFib::WriteMode::kReplace),
      0);
  const InMemoryFib::SelfEntry operators{{kVtep3}, false, kNudStatic};
  ASSERT_EQ(Self(kMacA), operators);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), operators);
  const uint64_t conflicts = h_.reconciler.counters().foreign_conflicts;
  EXPECT_GE(conflicts, 1u);
  EXPECT_EQ(h_.reconciler.counters().repaired, 0u);

  // A move must not redirect the operator's entry, nor a withdraw delete it.
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep2);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), operators);
  EXPECT_GT(h_.reconciler.counters().foreign_conflicts, conflicts);
  h_.reconciler.EraseRemoteMac(kVni, kMacA);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), operators);
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, MacTakenOverByALocalPortIsWrittenBackWhileWanted) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  // The MAC shows up behind a local port: the bridge moves the entry there, without
  // extern_learn. While evpnd still wants it remote (a sticky remote MAC), it is written back.
  ASSERT_EQ(h_.fib.LearnOnPort(kLocalPort, kMacA), 0);
  h_.Settle();
  EXPECT_EQ(BridgeEntry(kMacA), (InMemoryFib::BridgeEntry{kVxlan, true, kNudReachable}));
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1}}));
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, WithdrawOfAMacNowBehindALocalPortLeavesTheLocalEntry) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  // The EVPN layer withdraws the remote MAC as the bridge learns it locally: the VXLAN entry
  // goes, the local one stays (the bridge answers ENOENT for the VXLAN port: no failure).
  h_.reconciler.EraseRemoteMac(kVni, kMacA);
  ASSERT_EQ(h_.fib.LearnOnPort(kLocalPort, kMacA), 0);
  h_.Settle();
  EXPECT_EQ(Self(kMacA), std::nullopt);
  EXPECT_EQ(BridgeEntry(kMacA), (InMemoryFib::BridgeEntry{kLocalPort, false, kNudReachable}));
  EXPECT_EQ(h_.reconciler.counters().ops_failed, 0u);
  EXPECT_FALSE(h_.reconciler.HasOwnedEntries(kVni));
  EXPECT_TRUE(h_.reconciler.Converged());
}

// ---- errors ----

TEST_F(ReconcilerTest, EnoentOnDeleteIsSuccess) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  // Gone by hand, and the notification never arrived.
  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);
  ASSERT_EQ(h_.fib.DeleteMaster(kVxlan, kMacA), 0);
  (void)h_.fib.TakeEvents();
  h_.reconciler.EraseRemoteMac(kVni, kMacA);
  std::optional<FdbBatch> batch = h_.reconciler.TakeBatch(32, h_.now);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->ops.size(), 1u);
  EXPECT_EQ(batch->ops[0].kind, FdbOpKind::kDelete);
  static_cast<Fib&>(h_.fib).Submit(*batch);
  InMemoryFibEvents events = h_.fib.TakeEvents();
  ASSERT_EQ(events.results.size(), 1u);
  ASSERT_EQ(events.results[0].results.size(), 1u);
  EXPECT_EQ(events.results[0].results[0].error, ENOENT);
  h_.reconciler.OnBatchResult(events.results[0], h_.now);
  EXPECT_EQ(h_.reconciler.counters().ops_failed, 0u);
  EXPECT_FALSE(h_.reconciler.NextDeadline().has_value());
  EXPECT_FALSE(h_.reconciler.HasOwnedEntries(kVni));
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, EexistOnWriteIsSuccess) {
  h_.Start();
  h_.reconciler.SetFlood(kVni, kVtep1, true);
  h_.Settle();
  // The notification was lost and a kernel answered EEXIST to the append of a VTEP it has.
  (void)h_.fib.TakeEvents();
  h_.reconciler.BeginResync();
  h_.reconciler.EndResync();
  h_.fib.FailNextOps(1, EEXIST);
  h_.Settle();
  EXPECT_EQ(h_.reconciler.counters().ops_failed, 0u);
  EXPECT_FALSE(h_.reconciler.NextDeadline().has_value());
  EXPECT_TRUE(h_.reconciler.Converged());
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Flood(kVni, kVtep1), kVtep1}}));
}

class RetryTest : public ReconcilerTest, public ::testing::WithParamInterface<int> {};

TEST_P(RetryTest, FailedOpsAreRetriedWithExponentialBackoffUpToTenSeconds) {
  h_.Start();
  h_.fib.FailNextOps(1000, GetParam());
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  const int64_t want_ms[] = {100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000};
  uint64_t failed = 0;
  for (int64_t ms : want_ms) {
    ++failed;
    EXPECT_EQ(h_.reconciler.counters().ops_failed, failed);
    ASSERT_TRUE(h_.reconciler.NextDeadline().has_value());
    EXPECT_EQ(*h_.reconciler.NextDeadline() - h_.now, absl::Milliseconds(ms));
    // Not before the deadline.
    h_.now += absl::Milliseconds(ms) - absl::Milliseconds(1);
    EXPECT_FALSE(h_.reconciler.HasWork(h_.now));
    EXPECT_FALSE(h_.Pump());
    h_.now += absl::Milliseconds(1);
    EXPECT_TRUE(h_.reconciler.HasWork(h_.now));
    h_.Settle();
  }
  EXPECT_EQ(Self(kMacA), std::nullopt);
  h_.fib.FailNextOps(0, 0);
  h_.RunUntilIdle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1}}));
  EXPECT_FALSE(h_.reconciler.NextDeadline().has_value());
  EXPECT_TRUE(h_.reconciler.Converged());
}

INSTANTIATE_TEST_SUITE_P(Errnos, RetryTest, ::testing::Values(ENOBUFS, EBUSY),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == ENOBUFS ? std::string("Enobufs")
                                                        : std::string("Ebusy");
                         });

TEST_F(ReconcilerTest, OnlyTheFailedOpOfABatchWaits) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep1);
  h_.fib.FailNextOps(1, ENOBUFS);  // the first op (kMacA, keys are taken in order)
  h_.Settle();
  EXPECT_EQ(Self(kMacA), std::nullopt);
  EXPECT_NE(Self(kMacB), std::nullopt);
  EXPECT_EQ(h_.reconciler.NextDeadline(), h_.now + absl::Milliseconds(100));
  EXPECT_FALSE(h_.reconciler.Converged());
  h_.RunUntilIdle();
  EXPECT_NE(Self(kMacA), std::nullopt);
  EXPECT_TRUE(h_.reconciler.Converged());
}

// ---- devices ----

TEST_F(ReconcilerTest, KeysWaitForTheirDeviceAndAreWrittenWhenItAppears) {
  h_.vnis.insert(kVni2);
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni2, kMacA, kVtep1);
  h_.reconciler.SetFlood(kVni2, kVtep1, true);
  h_.Settle();
  EXPECT_EQ(h_.fib.ops_submitted(), 0u);
  EXPECT_FALSE(h_.reconciler.HasWork(h_.now));
  EXPECT_EQ(h_.reconciler.Desired(FdbKey::Unicast(kVni2, kMacA)), kVtep1);

  ASSERT_TRUE(h_.fib.AddBridge(kBridge2, "br200").ok());
  ASSERT_TRUE(h_.fib.AddVxlan(kVxlan2, "vxlan200", kVni2, kBridge2).ok());
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni2, kMacA), kVtep1},
                                         {FdbKey::Flood(kVni2, kVtep1), kVtep1}}));
  EXPECT_NE(BridgeEntry(kMacA, kBridge2), std::nullopt);
}

TEST_F(ReconcilerTest, DeviceThatIsDownWaitsAndIsRepairedWhenUp) {
  ASSERT_TRUE(h_.fib.SetUp(kVxlan, false).ok());
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.Settle();
  EXPECT_EQ(h_.fib.ops_submitted(), 0u);
  ASSERT_TRUE(h_.fib.SetUp(kVxlan, true).ok());
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1}}));
}

TEST_F(ReconcilerTest, DownAndUpRestoresFlushedEntriesAndDeletesStaleOnes) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep1);
  h_.reconciler.SetFlood(kVni, kVtep1, true);
  h_.reconciler.SetFlood(kVni, kVtep2, true);
  h_.Settle();
  // Down: the kernel flushes the (NUD_REACHABLE) unicast entries, keeps the permanent flood
  // entries and the bridge's extern_learn entries.
  ASSERT_TRUE(h_.fib.SetUp(kVxlan, false).ok());
  h_.Settle();
  EXPECT_EQ(Self(kMacA), std::nullopt);
  ASSERT_NE(Self(evpn::MacAddress()), std::nullopt);
  // While it is down, evpnd stops wanting one flood VTEP and one MAC.
  h_.reconciler.SetFlood(kVni, kVtep2, false);
  h_.reconciler.EraseRemoteMac(kVni, kMacB);
  h_.Settle();
  ASSERT_TRUE(h_.fib.SetUp(kVxlan, true).ok());
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1},
                                         {FdbKey::Flood(kVni, kVtep1), kVtep1}}));
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, RemovedDeviceTakesItsEntriesAndANewOneIsWritten) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetFlood(kVni, kVtep2, true);
  h_.Settle();
  ASSERT_TRUE(h_.fib.RemoveLink(kVxlan).ok());
  h_.Settle();
  EXPECT_FALSE(h_.reconciler.HasOwnedEntries(kVni));
  EXPECT_TRUE(h_.bound.empty());
  EXPECT_EQ(BridgeEntry(kMacA), std::nullopt);
  const uint64_t ops = h_.fib.ops_submitted();

  constexpr int kNewVxlan = 15;
  ASSERT_TRUE(h_.fib.AddVxlan(kNewVxlan, "vxlan100", kVni, kBridge).ok());
  h_.Settle();
  EXPECT_EQ(h_.fib.ops_submitted(), ops + 2);
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1},
                                         {FdbKey::Flood(kVni, kVtep2), kVtep2}}));
  ASSERT_NE(BridgeEntry(kMacA), std::nullopt);
  EXPECT_EQ(BridgeEntry(kMacA)->port, kNewVxlan);
}

TEST_F(ReconcilerTest, DeviceRemovedInTheMiddleOfABatch) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacC, kVtep1);
  h_.fib.RemoveLinkAfterOps(1, kVxlan);  // kMacA is written, then the device goes
  h_.Settle();
  EXPECT_FALSE(h_.fib.HasLink(kVxlan));
  EXPECT_EQ(h_.reconciler.counters().ops_failed, 2u);  // ENODEV
  EXPECT_FALSE(h_.reconciler.HasOwnedEntries(kVni));

  constexpr int kNewVxlan = 15;
  ASSERT_TRUE(h_.fib.AddVxlan(kNewVxlan, "vxlan100", kVni, kBridge).ok());
  h_.RunUntilIdle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1},
                                         {FdbKey::Unicast(kVni, kMacB), kVtep1},
                                         {FdbKey::Unicast(kVni, kMacC), kVtep1}}));
  EXPECT_TRUE(h_.reconciler.Converged());
}

// ---- kernel news while a batch is in flight ----

TEST_F(ReconcilerTest, HandDeletionAfterTheWriteButBeforeItsResultIsRepaired) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  ASSERT_TRUE(h_.Pump());                                        // the kernel carried out the write
  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);  // and then someone deleted it
  // One delivery holds both notifications and the result, as a NetlinkFib drain can.
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1}}));
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, HandDeletionAfterTheWriteIsRepairedWhateverTheDeliveryOrder) {
  h_.fdb_before_results = false;
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  ASSERT_TRUE(h_.Pump());
  ASSERT_EQ(h_.fib.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1}}));
}

TEST_F(ReconcilerTest, DumpWhileABatchIsInFlight) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep1);
  h_.Settle();
  // The dump is taken before the batch is carried out, and delivered with its result.
  h_.reconciler.EraseRemoteMac(kVni, kMacA);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep2);
  std::optional<FdbBatch> batch = h_.reconciler.TakeBatch(32, h_.now);
  ASSERT_TRUE(batch.has_value());
  h_.fib.Resync();
  static_cast<Fib&>(h_.fib).Submit(*batch);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacB), kVtep2}}));
  EXPECT_TRUE(h_.reconciler.Converged());
}

// ---- graceful restart ----

TEST_F(ReconcilerTest, HoldKeepsStaleOwnedEntriesUntilReleased) {
  // What the previous evpnd left in the kernel.
  for (const evpn::MacAddress& mac : {kMacA, kMacB}) {
    ASSERT_EQ(h_.fib.WriteSelf(kVxlan, mac, kVtep1, kNudReachable, true,
                               InMemoryFib::WriteMode::kReplace),
              0);
    ASSERT_EQ(h_.fib.WriteMaster(kVxlan, mac, kNudReachable, true), 0);
  }
  ASSERT_EQ(h_.fib.WriteSelf(kVxlan, evpn::MacAddress(), kVtep1, kNudPermanent, true,
                             InMemoryFib::WriteMode::kAppend),
            0);
  ASSERT_EQ(h_.fib.AddForeign(kVxlan, kMacC, kVtep3), 0);
  h_.reconciler.SetHoldStaleDeletes(true);
  h_.Start();
  const test::OwnedFdb left = h_.Kernel();
  EXPECT_EQ(left.self.size(), 3u);
  // The routes come back one by one: kMacA where it was, kMacB moved.
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep2);
  h_.Settle();
  EXPECT_EQ(h_.fib.ops_submitted(), 1u);  // kMacB only; nothing deleted
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1},
                                         {FdbKey::Unicast(kVni, kMacB), kVtep2},
                                         {FdbKey::Flood(kVni, kVtep1), kVtep1}}));
  EXPECT_TRUE(h_.reconciler.Converged());
  EXPECT_TRUE(h_.reconciler.hold_stale_deletes());

  // A dump during the hold deletes nothing either.
  h_.fib.Resync();
  h_.Settle();
  EXPECT_EQ(h_.fib.ops_submitted(), 1u);

  h_.reconciler.SetHoldStaleDeletes(false);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1},
                                         {FdbKey::Unicast(kVni, kMacB), kVtep2}}));
  EXPECT_EQ(Self(kMacC), (InMemoryFib::SelfEntry{{kVtep3}, false, kNudStatic}));
  EXPECT_TRUE(h_.reconciler.Converged());
}

TEST_F(ReconcilerTest, HoldDoesNotKeepWhatThisRunWroteAndNoLongerWants) {
  // A previous run's entry, and one of this run written during the hold.
  ASSERT_EQ(h_.fib.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true,
                             InMemoryFib::WriteMode::kReplace),
            0);
  ASSERT_EQ(h_.fib.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  h_.reconciler.SetHoldStaleDeletes(true);
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep2);
  h_.reconciler.SetFlood(kVni, kVtep2, true);
  h_.Settle();
  ASSERT_NE(Self(kMacB), std::nullopt);
  // The route of kMacB goes (the MAC became local here, say): its entry must go now, not when
  // the hold ends, or traffic for the MAC keeps going to the old VTEP.
  h_.reconciler.EraseRemoteMac(kVni, kMacB);
  h_.reconciler.SetFlood(kVni, kVtep2, false);
  h_.Settle();
  EXPECT_EQ(Self(kMacB), std::nullopt);
  EXPECT_EQ(h_.Kernel(), test::Expected({{FdbKey::Unicast(kVni, kMacA), kVtep1}}));
  EXPECT_TRUE(h_.reconciler.hold_stale_deletes());
  // A configuration change that drops the VNI's routes is held like a previous run's state.
  h_.reconciler.SetRemoteMac(kVni, kMacC, kVtep2);
  h_.Settle();
  h_.reconciler.EraseVni(kVni);
  h_.Settle();
  EXPECT_NE(Self(kMacC), std::nullopt);
  h_.reconciler.SetHoldStaleDeletes(false);
  h_.Settle();
  EXPECT_EQ(h_.Kernel(), test::OwnedFdb{});
}

// ---- idempotence ----

TEST_F(ReconcilerTest, DumpOfAKernelThatIsAlreadyRightWritesNothing) {
  h_.Start();
  h_.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  h_.reconciler.SetRemoteMac(kVni, kMacB, kVtep3);
  h_.reconciler.SetFlood(kVni, kVtep1, true);
  h_.reconciler.SetFlood(kVni, kVtep3, true);
  h_.Settle();
  const uint64_t ops = h_.fib.ops_submitted();
  const uint64_t notifications = h_.fib.notifications();
  h_.fib.Resync();
  h_.Settle();
  EXPECT_EQ(h_.fib.ops_submitted(), ops);
  EXPECT_EQ(h_.fib.notifications(), notifications);

  // Nor does a new reconciler (a restart without graceful restart) with the same desired state.
  Harness fresh;
  fresh.fib = h_.fib;
  fresh.vnis = h_.vnis;
  (void)fresh.fib.TakeEvents();
  fresh.reconciler.SetRemoteMac(kVni, kMacA, kVtep1);
  fresh.reconciler.SetRemoteMac(kVni, kMacB, kVtep3);
  fresh.reconciler.SetFlood(kVni, kVtep1, true);
  fresh.reconciler.SetFlood(kVni, kVtep3, true);
  fresh.Start();
  EXPECT_EQ(fresh.fib.ops_submitted(), ops);
  EXPECT_TRUE(fresh.reconciler.Converged());
}

TEST_F(ReconcilerTest, StaleEntriesOfAPreviousRunAreDeletedWithoutTheHold) {
  ASSERT_EQ(h_.fib.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true,
                             InMemoryFib::WriteMode::kReplace),
            0);
  ASSERT_EQ(h_.fib.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  h_.Start();
  EXPECT_EQ(h_.Kernel(), test::OwnedFdb{});
  EXPECT_TRUE(h_.reconciler.Converged());
}

}  // namespace
}  // namespace evpnd::fibsync

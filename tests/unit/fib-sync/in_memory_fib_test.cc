// Unit tests for fib-sync/reconcile/in_memory_fib.h: the kernel FDB semantics it models (each
// checked against Linux 6.18 in a scratch network namespace): VXLAN self entries (unicast
// replace, flood append, exclusive create, deletes with and without a destination, the
// "extern_learn does not take over a user's entry" rule), bridge entries on a port, ENODEV for an
// unknown ifindex, the flush when a VXLAN device goes down or a link goes away, and the
// notifications each change queues (none for a no-op); then the Fib side: Submit with
// NetlinkFib's per-op answer rule, Resync snapshots, coalescing, and the injected faults.
#include "fib-sync/reconcile/in_memory_fib.h"

#include <cerrno>
#include <optional>
#include <vector>

#include "fib-sync/reconcile/fdb_types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fib-sync/fib_test_util.h"

namespace evpnd::fibsync {
namespace {

using test::Ip;
using test::Mac;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using WriteMode = InMemoryFib::WriteMode;

constexpr int kBridge = 2;
constexpr int kVxlan = 3;
constexpr int kPort = 4;
constexpr int kBridge2 = 5;

const evpn::MacAddress kZero;
const evpn::MacAddress kMacA = Mac("52:54:00:00:00:0a");
const evpn::IpAddress kVtep1 = Ip("192.0.2.1");
const evpn::IpAddress kVtep2 = Ip("192.0.2.2");
const evpn::IpAddress kVtep6 = Ip("2001:db8::6");

KernelFdbEntry Self(bool present, int ifindex, const evpn::MacAddress& mac,
                    const evpn::IpAddress& dst, bool extern_learn, uint16_t state) {
  KernelFdbEntry e;
  e.present = present;
  e.ifindex = ifindex;
  e.mac = mac;
  e.has_dst = true;
  e.dst = dst;
  e.self = true;
  e.extern_learn = extern_learn;
  e.state = state;
  return e;
}

KernelFdbEntry Master(bool present, int port, int bridge, const evpn::MacAddress& mac,
                      bool extern_learn, uint16_t state) {
  KernelFdbEntry e;
  e.present = present;
  e.ifindex = port;
  e.master_ifindex = bridge;
  e.mac = mac;
  e.master = true;
  e.extern_learn = extern_learn;
  e.state = state;
  return e;
}

class InMemoryFibTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fib_.AddBridge(kBridge, "br0").ok());
    ASSERT_TRUE(fib_.AddVxlan(kVxlan, "vxlan100", 100, kBridge).ok());
    ASSERT_TRUE(fib_.AddPort(kPort, "veth0", kBridge).ok());
    (void)fib_.TakeEvents();
  }
  std::vector<KernelFdbEntry> Notifications() { return fib_.TakeEvents().fdb; }

  InMemoryFib fib_;
};

// ---- links ----

TEST_F(InMemoryFibTest, LinksAreReportedAndEnslavingAddsTheLocalEntry) {
  InMemoryFib fib;
  ASSERT_TRUE(fib.AddBridge(kBridge, "br0").ok());
  ASSERT_TRUE(fib.AddVxlan(kVxlan, "vxlan100", 100, kBridge, /*up=*/false).ok());
  InMemoryFibEvents events = fib.TakeEvents();
  EXPECT_FALSE(events.snapshot);
  ASSERT_EQ(events.links.size(), 3u);  // the bridge, the VXLAN device, then it enslaved
  EXPECT_EQ(events.links[2].kind, "vxlan");
  EXPECT_EQ(events.links[2].vni, 100u);
  EXPECT_EQ(events.links[2].master_ifindex, kBridge);
  EXPECT_FALSE(events.links[2].up);
  EXPECT_THAT(events.fdb, ElementsAre(Master(true, kVxlan, kBridge, InMemoryFib::PortMac(kVxlan),
                                             false, kNudPermanent)));
  EXPECT_EQ(fib.DumpLinks(), (std::vector<LinkInfo>{events.links[0], events.links[2]}));
}

TEST_F(InMemoryFibTest, AddLinkRejectsBadInput) {
  EXPECT_FALSE(fib_.AddBridge(kBridge, "again").ok());
  EXPECT_FALSE(fib_.AddBridge(0, "zero").ok());
  EXPECT_FALSE(fib_.AddVxlan(9, "vxlan9", 9, /*bridge_ifindex=*/kPort).ok());  // not a bridge
  EXPECT_FALSE(fib_.AddVxlan(9, "vxlan9", 9, /*bridge_ifindex=*/42).ok());
  EXPECT_FALSE(fib_.RemoveLink(42).ok());
  EXPECT_FALSE(fib_.SetUp(42, true).ok());
  EXPECT_FALSE(fib_.SetMaster(kVxlan, kPort).ok());
  EXPECT_FALSE(fib_.HasLink(9));
}

// ---- VXLAN self entries ----

TEST_F(InMemoryFibTest, UnicastReplaceCreatesThenReplacesTheDestination) {
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), 0);
  EXPECT_THAT(Notifications(), ElementsAre(Self(true, kVxlan, kMacA, kVtep1, true, kNudReachable)));
  // The same write again changes nothing and says nothing.
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), 0);
  EXPECT_THAT(Notifications(), IsEmpty());
  // A move: one RTM_NEWNEIGH for the new destination, no RTM_DELNEIGH for the old one.
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep6, kNudReachable, true, WriteMode::kReplace), 0);
  EXPECT_THAT(Notifications(), ElementsAre(Self(true, kVxlan, kMacA, kVtep6, true, kNudReachable)));
  EXPECT_EQ(*fib_.FindSelf(kVxlan, kMacA), (InMemoryFib::SelfEntry{{kVtep6}, true, kNudReachable}));
  // An append to a unicast MAC is answered 0 and ignored.
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep2, kNudReachable, true, WriteMode::kAppend), 0);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kMacA)->dsts, std::vector<evpn::IpAddress>{kVtep6});
}

TEST_F(InMemoryFibTest, FloodAppendAddsDestinationsAndAnExistingOneIsANoop) {
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kZero, kVtep1, kNudPermanent, true, WriteMode::kAppend), 0);
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kZero, kVtep2, kNudPermanent, true, WriteMode::kAppend), 0);
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kZero, kVtep1, kNudPermanent, true, WriteMode::kAppend), 0);
  const uint16_t permanent = kNudPermanent | kNudNoArp;
  EXPECT_THAT(Notifications(), ElementsAre(Self(true, kVxlan, kZero, kVtep1, true, permanent),
                                           Self(true, kVxlan, kZero, kVtep2, true, permanent)));
  EXPECT_EQ(*fib_.FindSelf(kVxlan, kZero),
            (InMemoryFib::SelfEntry{{kVtep1, kVtep2}, true, permanent}));
}

TEST_F(InMemoryFibTest, ReplaceOfTheZeroMacIsNotSupportedAndExclusiveCreateAnswersEexist) {
  ASSERT_EQ(fib_.WriteSelf(kVxlan, kZero, kVtep1, kNudPermanent, true, WriteMode::kAppend), 0);
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kZero, kVtep2, kNudPermanent, true, WriteMode::kReplace),
            EOPNOTSUPP);
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kZero, kVtep1, kNudPermanent, true, WriteMode::kCreateExclusive),
            EEXIST);
  EXPECT_EQ(fib_.AddForeign(kVxlan, kMacA, kVtep1), 0);
  EXPECT_EQ(fib_.AddForeign(kVxlan, kMacA, kVtep2), EEXIST);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kZero)->dsts, std::vector<evpn::IpAddress>{kVtep1});
}

TEST_F(InMemoryFibTest, ExternLearnWriteMovesAnOperatorsEntryButKeepsItsFlags) {
  ASSERT_EQ(fib_.AddForeign(kVxlan, kMacA, kVtep1), 0);
  (void)Notifications();
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep2, kNudReachable, true, WriteMode::kReplace), 0);
  EXPECT_EQ(*fib_.FindSelf(kVxlan, kMacA), (InMemoryFib::SelfEntry{{kVtep2}, false, kNudStatic}));
  EXPECT_THAT(Notifications(), ElementsAre(Self(true, kVxlan, kMacA, kVtep2, false, kNudStatic)));
}

TEST_F(InMemoryFibTest, OperatorWriteTakesOverAnExternLearnEntry) {
  ASSERT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), 0);
  (void)Notifications();
  EXPECT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudStatic, false, WriteMode::kReplace), 0);
  EXPECT_EQ(*fib_.FindSelf(kVxlan, kMacA), (InMemoryFib::SelfEntry{{kVtep1}, false, kNudStatic}));
  EXPECT_THAT(Notifications(), ElementsAre(Self(true, kVxlan, kMacA, kVtep1, false, kNudStatic)));
}

TEST_F(InMemoryFibTest, DeletesWithAndWithoutADestination) {
  const uint16_t permanent = kNudPermanent | kNudNoArp;
  for (const evpn::IpAddress& vtep : {kVtep1, kVtep2, kVtep6}) {
    ASSERT_EQ(fib_.WriteSelf(kVxlan, kZero, vtep, kNudPermanent, true, WriteMode::kAppend), 0);
  }
  ASSERT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), 0);
  (void)Notifications();
  // One destination.
  EXPECT_EQ(fib_.DeleteSelf(kVxlan, kZero, kVtep2), 0);
  EXPECT_THAT(Notifications(), ElementsAre(Self(false, kVxlan, kZero, kVtep2, true, permanent)));
  // A destination the MAC does not have: 0, nothing happens (__vxlan_fdb_delete).
  EXPECT_EQ(fib_.DeleteSelf(kVxlan, kZero, kVtep2), 0);
  EXPECT_EQ(fib_.DeleteSelf(kVxlan, kMacA, kVtep2), 0);
  EXPECT_THAT(Notifications(), IsEmpty());
  // No destination (or the any address): the MAC with every destination.
  EXPECT_EQ(fib_.DeleteSelf(kVxlan, kZero, evpn::IpAddress()), 0);
  EXPECT_THAT(Notifications(), ElementsAre(Self(false, kVxlan, kZero, kVtep1, true, permanent),
                                           Self(false, kVxlan, kZero, kVtep6, true, permanent)));
  EXPECT_EQ(fib_.DeleteSelf(kVxlan, kMacA, std::nullopt), 0);
  EXPECT_THAT(Notifications(),
              ElementsAre(Self(false, kVxlan, kMacA, kVtep1, true, kNudReachable)));
  // A MAC that is not there.
  EXPECT_EQ(fib_.DeleteSelf(kVxlan, kMacA, std::nullopt), ENOENT);
  EXPECT_EQ(fib_.DeleteSelf(kVxlan, kZero, kVtep1), ENOENT);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kZero), nullptr);
}

TEST_F(InMemoryFibTest, UnknownDevicesAndNonVxlanDevices) {
  EXPECT_EQ(fib_.WriteSelf(42, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), ENODEV);
  EXPECT_EQ(fib_.DeleteSelf(42, kMacA, std::nullopt), ENODEV);
  EXPECT_EQ(fib_.WriteMaster(42, kMacA, kNudReachable, true), ENODEV);
  EXPECT_EQ(fib_.DeleteMaster(42, kMacA), ENODEV);
  EXPECT_EQ(fib_.LearnOnPort(42, kMacA), ENODEV);
  EXPECT_EQ(fib_.WriteSelf(kPort, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace),
            EOPNOTSUPP);
  EXPECT_EQ(fib_.DeleteSelf(kBridge, kMacA, std::nullopt), EOPNOTSUPP);
  EXPECT_EQ(fib_.WriteMaster(kBridge, kMacA, kNudReachable, true), EOPNOTSUPP);  // not a port
  EXPECT_THAT(Notifications(), IsEmpty());
}

// ---- bridge entries ----

TEST_F(InMemoryFibTest, BridgeEntriesLiveOnAPortAndDeletesNameThePort) {
  EXPECT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  EXPECT_THAT(Notifications(),
              ElementsAre(Master(true, kVxlan, kBridge, kMacA, true, kNudReachable)));
  EXPECT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  EXPECT_THAT(Notifications(), IsEmpty());
  EXPECT_EQ(fib_.DeleteMaster(kPort, kMacA), ENOENT);  // it is behind the VXLAN port
  EXPECT_EQ(fib_.DeleteMaster(kVxlan, kMacA), 0);
  EXPECT_THAT(Notifications(),
              ElementsAre(Master(false, kVxlan, kBridge, kMacA, true, kNudReachable)));
  EXPECT_EQ(fib_.DeleteMaster(kVxlan, kMacA), ENOENT);
  EXPECT_EQ(fib_.FindBridgeEntry(kBridge, kMacA), nullptr);
}

TEST_F(InMemoryFibTest, DataPlaneLearningMovesTheEntryAndDropsExternLearn) {
  ASSERT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  (void)Notifications();
  EXPECT_EQ(fib_.LearnOnPort(kPort, kMacA), 0);
  // Only the new port is reported (br_fdb_update sends no RTM_DELNEIGH for the old one).
  EXPECT_THAT(Notifications(),
              ElementsAre(Master(true, kPort, kBridge, kMacA, false, kNudReachable)));
  EXPECT_EQ(*fib_.FindBridgeEntry(kBridge, kMacA),
            (InMemoryFib::BridgeEntry{kPort, false, kNudReachable}));
  // The bridge's own addresses do not move.
  EXPECT_EQ(fib_.LearnOnPort(kPort, InMemoryFib::PortMac(kVxlan)), 0);
  EXPECT_EQ(fib_.FindBridgeEntry(kBridge, InMemoryFib::PortMac(kVxlan))->port, kVxlan);
}

TEST_F(InMemoryFibTest, ExternLearnTakesAStaticBridgeEntryAndKeepsItStatic) {
  ASSERT_EQ(fib_.WriteMaster(kPort, kMacA, kNudStatic, false), 0);
  EXPECT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  EXPECT_EQ(*fib_.FindBridgeEntry(kBridge, kMacA),
            (InMemoryFib::BridgeEntry{kVxlan, true, kNudStatic}));
}

// ---- link changes ----

TEST_F(InMemoryFibTest, DownFlushesTheDynamicVxlanEntriesOnly) {
  ASSERT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), 0);
  ASSERT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  ASSERT_EQ(fib_.WriteSelf(kVxlan, kZero, kVtep1, kNudPermanent, true, WriteMode::kAppend), 0);
  const evpn::MacAddress other = Mac("52:54:00:00:00:0b");
  ASSERT_EQ(fib_.AddForeign(kVxlan, other, kVtep2), 0);
  (void)fib_.TakeEvents();
  ASSERT_TRUE(fib_.SetUp(kVxlan, false).ok());
  InMemoryFibEvents events = fib_.TakeEvents();
  EXPECT_THAT(events.fdb, ElementsAre(Self(false, kVxlan, kMacA, kVtep1, true, kNudReachable)));
  ASSERT_EQ(events.links.size(), 1u);
  EXPECT_FALSE(events.links[0].up);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kMacA), nullptr);
  EXPECT_NE(fib_.FindSelf(kVxlan, kZero), nullptr);
  EXPECT_NE(fib_.FindSelf(kVxlan, other), nullptr);
  EXPECT_NE(fib_.FindBridgeEntry(kBridge, kMacA), nullptr);
  // Up brings nothing back.
  ASSERT_TRUE(fib_.SetUp(kVxlan, true).ok());
  EXPECT_THAT(fib_.TakeEvents().fdb, IsEmpty());
  EXPECT_EQ(fib_.FindSelf(kVxlan, kMacA), nullptr);
}

TEST_F(InMemoryFibTest, RemovedLinkTakesItsEntriesWithNotificationsThenDellink) {
  ASSERT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), 0);
  ASSERT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  (void)fib_.TakeEvents();
  ASSERT_TRUE(fib_.RemoveLink(kVxlan).ok());
  InMemoryFibEvents events = fib_.TakeEvents();
  EXPECT_THAT(events.fdb, ElementsAre(Master(false, kVxlan, kBridge, InMemoryFib::PortMac(kVxlan),
                                             false, kNudPermanent),
                                      Master(false, kVxlan, kBridge, kMacA, true, kNudReachable),
                                      Self(false, kVxlan, kMacA, kVtep1, true, kNudReachable)));
  ASSERT_EQ(events.links.size(), 1u);
  EXPECT_FALSE(events.links[0].present);
  EXPECT_EQ(events.links[0].ifindex, kVxlan);
  EXPECT_FALSE(fib_.HasLink(kVxlan));
  EXPECT_EQ(fib_.FindBridgeEntry(kBridge, kMacA), nullptr);
}

TEST_F(InMemoryFibTest, RemovedBridgeReleasesItsPorts) {
  ASSERT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  (void)fib_.TakeEvents();
  ASSERT_TRUE(fib_.RemoveLink(kBridge).ok());
  InMemoryFibEvents events = fib_.TakeEvents();
  ASSERT_EQ(events.links.size(), 3u);
  EXPECT_EQ(events.links[0].ifindex, kVxlan);
  EXPECT_EQ(events.links[0].master_ifindex, 0);
  EXPECT_EQ(events.links[1].ifindex, kPort);
  EXPECT_FALSE(events.links[2].present);
  EXPECT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), EOPNOTSUPP);
}

TEST_F(InMemoryFibTest, MovingAPortToAnotherBridgeLeavesTheOldEntriesBehind) {
  ASSERT_TRUE(fib_.AddBridge(kBridge2, "br1").ok());
  ASSERT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  ASSERT_TRUE(fib_.SetMaster(kVxlan, kBridge2).ok());
  EXPECT_EQ(fib_.FindBridgeEntry(kBridge, kMacA), nullptr);
  EXPECT_NE(fib_.FindBridgeEntry(kBridge2, InMemoryFib::PortMac(kVxlan)), nullptr);
  EXPECT_EQ(fib_.WriteMaster(kVxlan, kMacA, kNudReachable, true), 0);
  EXPECT_NE(fib_.FindBridgeEntry(kBridge2, kMacA), nullptr);
}

// ---- Fib ----

FdbOp Replace(uint32_t id, const FdbKey& key, const evpn::IpAddress& vtep, int bridge = kBridge) {
  FdbOp op;
  op.id = id;
  op.kind = FdbOpKind::kReplace;
  op.key = key;
  op.ifindex = kVxlan;
  op.bridge_ifindex = key.flood() ? 0 : bridge;
  op.vtep = vtep;
  return op;
}

FdbOp Delete(uint32_t id, const FdbKey& key, const evpn::IpAddress& vtep, int bridge = kBridge) {
  FdbOp op = Replace(id, key, vtep, bridge);
  op.kind = FdbOpKind::kDelete;
  return op;
}

TEST_F(InMemoryFibTest, SubmitCarriesOutOpsAsNetlinkFibEncodesThem) {
  const FdbKey unicast = FdbKey::Unicast(100, kMacA);
  const FdbKey flood = FdbKey::Flood(100, kVtep2);
  static_cast<Fib&>(fib_).Submit(
      FdbBatch{7, {Replace(1, unicast, kVtep1), Replace(2, flood, kVtep2)}});
  InMemoryFibEvents events = fib_.TakeEvents();
  ASSERT_EQ(events.results.size(), 1u);
  EXPECT_EQ(events.results[0].batch_id, 7u);
  ASSERT_EQ(events.results[0].results.size(), 2u);
  EXPECT_EQ(events.results[0].results[0].op_id, 1u);
  EXPECT_EQ(events.results[0].results[0].error, 0);
  EXPECT_EQ(events.results[0].results[1].error, 0);
  EXPECT_EQ(*fib_.FindSelf(kVxlan, kMacA), (InMemoryFib::SelfEntry{{kVtep1}, true, kNudReachable}));
  EXPECT_EQ(*fib_.FindBridgeEntry(kBridge, kMacA),
            (InMemoryFib::BridgeEntry{kVxlan, true, kNudReachable}));
  EXPECT_EQ(fib_.FindSelf(kVxlan, kZero)->dsts, std::vector<evpn::IpAddress>{kVtep2});
  EXPECT_EQ(events.fdb.size(), 3u);
  EXPECT_EQ(fib_.ops_submitted(), 2u);

  // A unicast delete names no destination (every destination goes); the bridge's ENOENT (the MAC
  // is behind another port now) does not count.
  ASSERT_EQ(fib_.LearnOnPort(kPort, kMacA), 0);
  static_cast<Fib&>(fib_).Submit(
      FdbBatch{8, {Delete(3, unicast, kVtep2), Delete(4, flood, kVtep2)}});
  events = fib_.TakeEvents();
  EXPECT_EQ(events.results[0].results[0].error, 0);
  EXPECT_EQ(events.results[0].results[1].error, 0);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kMacA), nullptr);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kZero), nullptr);
  EXPECT_EQ(fib_.FindBridgeEntry(kBridge, kMacA)->port, kPort);

  // The VXLAN answer decides; ENOENT on a delete is reported as it is.
  static_cast<Fib&>(fib_).Submit(FdbBatch{9, {Delete(5, unicast, kVtep1)}});
  EXPECT_EQ(fib_.TakeEvents().results[0].results[0].error, ENOENT);
}

TEST_F(InMemoryFibTest, BridgeErrorCountsOnlyAfterTheVxlanEntrySucceeded) {
  ASSERT_TRUE(fib_.SetMaster(kVxlan, 0).ok());  // not a bridge port any more
  static_cast<Fib&>(fib_).Submit(FdbBatch{1, {Replace(1, FdbKey::Unicast(100, kMacA), kVtep1)}});
  EXPECT_EQ(fib_.TakeEvents().results[0].results[0].error, EOPNOTSUPP);
  EXPECT_NE(fib_.FindSelf(kVxlan, kMacA), nullptr);  // the first message was carried out
}

TEST_F(InMemoryFibTest, FailNextOpsAnswersTheErrorAndChangesNothing) {
  fib_.FailNextOps(2, ENOBUFS);
  static_cast<Fib&>(fib_).Submit(FdbBatch{1,
                                          {Replace(1, FdbKey::Unicast(100, kMacA), kVtep1),
                                           Replace(2, FdbKey::Flood(100, kVtep1), kVtep1),
                                           Replace(3, FdbKey::Flood(100, kVtep2), kVtep2)}});
  InMemoryFibEvents events = fib_.TakeEvents();
  ASSERT_EQ(events.results[0].results.size(), 3u);
  EXPECT_EQ(events.results[0].results[0].error, ENOBUFS);
  EXPECT_EQ(events.results[0].results[1].error, ENOBUFS);
  EXPECT_EQ(events.results[0].results[2].error, 0);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kMacA), nullptr);
  EXPECT_EQ(fib_.FindSelf(kVxlan, kZero)->dsts, std::vector<evpn::IpAddress>{kVtep2});
  fib_.FailNextOps(5, EBUSY);
  fib_.ClearFaults();
  static_cast<Fib&>(fib_).Submit(FdbBatch{2, {Replace(4, FdbKey::Unicast(100, kMacA), kVtep1)}});
  EXPECT_EQ(fib_.TakeEvents().results[0].results[0].error, 0);
}

TEST_F(InMemoryFibTest, LinkRemovedInTheMiddleOfABatch) {
  fib_.RemoveLinkAfterOps(1, kVxlan);
  static_cast<Fib&>(fib_).Submit(FdbBatch{1,
                                          {Replace(1, FdbKey::Unicast(100, kMacA), kVtep1),
                                           Replace(2, FdbKey::Flood(100, kVtep1), kVtep1)}});
  InMemoryFibEvents events = fib_.TakeEvents();
  EXPECT_EQ(events.results[0].results[0].error, 0);
  EXPECT_EQ(events.results[0].results[1].error, ENODEV);
  ASSERT_EQ(events.links.size(), 1u);
  EXPECT_FALSE(events.links[0].present);
  // The write, then the flush of the removal.
  EXPECT_EQ(events.fdb.front(), Self(true, kVxlan, kMacA, kVtep1, true, kNudReachable));
  EXPECT_EQ(events.fdb.back(), Self(false, kVxlan, kMacA, kVtep1, true, kNudReachable));
}

TEST_F(InMemoryFibTest, ResyncSupersedesQueuedNotificationsButNotResults) {
  ASSERT_EQ(fib_.WriteSelf(kVxlan, kMacA, kVtep1, kNudReachable, true, WriteMode::kReplace), 0);
  static_cast<Fib&>(fib_).Submit(FdbBatch{1, {Replace(1, FdbKey::Flood(100, kVtep1), kVtep1)}});
  static_cast<Fib&>(fib_).Resync();
  ASSERT_EQ(fib_.DeleteSelf(kVxlan, kZero, kVtep1), 0);  // after the dump
  InMemoryFibEvents events = fib_.TakeEvents();
  EXPECT_TRUE(events.snapshot);
  EXPECT_EQ(events.links, fib_.DumpLinks());
  EXPECT_EQ(events.results.size(), 1u);
  const uint16_t permanent = kNudPermanent | kNudNoArp;
  // The dump (bridge entries per port, then the device's own), then the change after it.
  EXPECT_THAT(
      events.fdb,
      ElementsAre(Master(true, kVxlan, kBridge, InMemoryFib::PortMac(kVxlan), false, kNudPermanent),
                  Self(true, kVxlan, kZero, kVtep1, true, permanent),
                  Self(true, kVxlan, kMacA, kVtep1, true, kNudReachable),
                  Master(true, kPort, kBridge, InMemoryFib::PortMac(kPort), false, kNudPermanent),
                  Self(false, kVxlan, kZero, kVtep1, true, permanent)));
  EXPECT_TRUE(fib_.TakeEvents().empty());

  fib_.OverrunMonitor();
  events = fib_.TakeEvents();
  EXPECT_TRUE(events.snapshot);
  EXPECT_EQ(events.fdb, fib_.DumpFdb());
}

TEST_F(InMemoryFibTest, CoalescingKeepsTheLatestPerKey) {
  const evpn::MacAddress mac = kMacA;
  auto changes = [&] {
    (void)fib_.WriteSelf(kVxlan, mac, kVtep2, kNudReachable, true, WriteMode::kReplace);
    (void)fib_.WriteSelf(kVxlan, mac, kVtep1, kNudReachable, true, WriteMode::kReplace);
    (void)fib_.WriteSelf(kVxlan, kZero, kVtep2, kNudPermanent, true, WriteMode::kAppend);
    (void)fib_.DeleteSelf(kVxlan, kZero, kVtep2);
    (void)fib_.WriteSelf(kVxlan, kZero, kVtep1, kNudPermanent, true, WriteMode::kAppend);
    (void)fib_.SetUp(kPort, false);
    (void)fib_.SetUp(kPort, true);
  };
  const uint16_t permanent = kNudPermanent | kNudNoArp;

  fib_.set_coalescing(InMemoryFib::Coalescing::kPerDestination);
  changes();
  InMemoryFibEvents events = fib_.TakeEvents();
  // Key order: the two destinations of the unicast MAC come back in address order, not in the
  // order they were written.
  EXPECT_THAT(events.fdb, ElementsAre(Self(true, kVxlan, kZero, kVtep1, true, permanent),
                                      Self(false, kVxlan, kZero, kVtep2, true, permanent),
                                      Self(true, kVxlan, mac, kVtep1, true, kNudReachable),
                                      Self(true, kVxlan, mac, kVtep2, true, kNudReachable)));
  ASSERT_EQ(events.links.size(), 1u);
  EXPECT_TRUE(events.links[0].up);

  ASSERT_EQ(fib_.DeleteSelf(kVxlan, mac, std::nullopt), 0);
  ASSERT_EQ(fib_.DeleteSelf(kVxlan, kZero, std::nullopt), 0);
  (void)fib_.TakeEvents();
  fib_.set_coalescing(InMemoryFib::Coalescing::kPerEntry);
  changes();
  EXPECT_THAT(fib_.TakeEvents().fdb,
              ElementsAre(Self(true, kVxlan, kZero, kVtep1, true, permanent),
                          Self(false, kVxlan, kZero, kVtep2, true, permanent),
                          Self(true, kVxlan, mac, kVtep1, true, kNudReachable)));

  // Switching keeps the place of what is queued.
  ASSERT_EQ(fib_.DeleteSelf(kVxlan, mac, std::nullopt), 0);
  fib_.set_coalescing(InMemoryFib::Coalescing::kOff);
  ASSERT_EQ(fib_.WriteSelf(kVxlan, mac, kVtep2, kNudReachable, true, WriteMode::kReplace), 0);
  EXPECT_THAT(fib_.TakeEvents().fdb,
              ElementsAre(Self(false, kVxlan, mac, kVtep1, true, kNudReachable),
                          Self(true, kVxlan, mac, kVtep2, true, kNudReachable)));
}

}  // namespace
}  // namespace evpnd::fibsync

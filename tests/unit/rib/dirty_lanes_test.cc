// Unit tests for DirtyLanes: key order and de-duplication within a lane, round-robin a quantum
// at a time across lanes, lanes that empty or appear mid-turn, and a key in two lanes.
#include "rib/dirty_lanes.h"

#include <cstdint>
#include <vector>

#include "evpn/ip_address.h"
#include "gtest/gtest.h"

namespace evpnd::rib {
namespace {

// Distinct keys that sort by n.
RouteKey K(uint32_t n) {
  return RouteKey::ForPrefix(evpn::IpPrefix{evpn::IpAddress::V4(0x0a000000u + (n << 8)), 24});
}

std::vector<std::pair<PeerId, RouteKey>> Drain(DirtyLanes& lanes) {
  std::vector<std::pair<PeerId, RouteKey>> out;
  PeerId source = 0;
  while (const RouteKey* key = lanes.Front(&source)) {
    out.emplace_back(source, *key);
    lanes.PopFront();
  }
  return out;
}

TEST(DirtyLanesTest, OneLaneInKeyOrderWithoutDuplicates) {
  DirtyLanes lanes;
  EXPECT_TRUE(lanes.empty());
  EXPECT_EQ(lanes.Front(), nullptr);
  lanes.PopFront();  // harmless when empty
  for (uint32_t n : {5u, 1u, 3u, 1u, 5u}) lanes.Insert(7, K(n));
  EXPECT_EQ(lanes.size(), 3u);
  auto out = Drain(lanes);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].second, K(1));
  EXPECT_EQ(out[1].second, K(3));
  EXPECT_EQ(out[2].second, K(5));
  EXPECT_EQ(out[0].first, 7u);
  EXPECT_TRUE(lanes.empty());
  EXPECT_EQ(lanes.size(), 0u);
}

// A single change from a quiet peer waits behind one quantum of the busy peer's backlog, not
// behind the backlog, although its key sorts after every key of the backlog.
TEST(DirtyLanesTest, QuietLaneServedAfterOneQuantum) {
  DirtyLanes lanes;
  for (uint32_t n = 0; n < 10 * DirtyLanes::kQuantum; ++n) lanes.Insert(1, K(n));
  lanes.Insert(2, K(100000));
  size_t position = 0;
  PeerId source = 0;
  while (lanes.Front(&source) != nullptr && source != 2) {
    lanes.PopFront();
    ++position;
  }
  EXPECT_EQ(*lanes.Front(), K(100000));
  EXPECT_EQ(position, DirtyLanes::kQuantum);
}

TEST(DirtyLanesTest, RoundRobinAQuantumAtATime) {
  DirtyLanes lanes;
  const size_t q = DirtyLanes::kQuantum;
  for (uint32_t n = 0; n < 2 * q + 3; ++n) lanes.Insert(1, K(n));
  for (uint32_t n = 0; n < q + 1; ++n) lanes.Insert(2, K(1000 + n));
  for (uint32_t n = 0; n < 2; ++n) lanes.Insert(3, K(2000 + n));
  auto out = Drain(lanes);
  ASSERT_EQ(out.size(), 3 * q + 6);
  std::vector<std::pair<PeerId, size_t>> runs;  // (lane, length) of consecutive entries
  for (const auto& [source, key] : out) {
    if (runs.empty() || runs.back().first != source) runs.emplace_back(source, 0);
    ++runs.back().second;
  }
  const std::vector<std::pair<PeerId, size_t>> expected = {
      {1, q}, {2, q}, {3, 2}, {1, q}, {2, 1}, {1, 3}};
  EXPECT_EQ(runs, expected);
}

TEST(DirtyLanesTest, LaneAddedMidTurnGetsItsTurn) {
  DirtyLanes lanes;
  for (uint32_t n = 0; n < 3 * DirtyLanes::kQuantum; ++n) lanes.Insert(5, K(n));
  for (size_t i = 0; i < 10; ++i) lanes.PopFront();
  lanes.Insert(2, K(9999));  // sorts before lane 5: served once lane 5's turn ends
  lanes.Insert(9, K(9998));  // sorts after: served right after lane 5's turn
  std::vector<PeerId> order;
  PeerId source = 0;
  while (lanes.Front(&source) != nullptr) {
    if (order.empty() || order.back() != source) order.push_back(source);
    lanes.PopFront();
  }
  EXPECT_EQ(order, (std::vector<PeerId>{5, 9, 2, 5}));
}

TEST(DirtyLanesTest, KeyInTwoLanesIsTakenFromEach) {
  DirtyLanes lanes;
  lanes.Insert(1, K(1));
  lanes.Insert(2, K(1));
  EXPECT_EQ(lanes.size(), 2u);
  auto out = Drain(lanes);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], std::make_pair(PeerId{1}, K(1)));
  EXPECT_EQ(out[1], std::make_pair(PeerId{2}, K(1)));
}

// A key inserted again after it was taken is queued again.
TEST(DirtyLanesTest, KeyQueuedAgainAfterItWasTaken) {
  DirtyLanes lanes;
  lanes.Insert(1, K(1));
  lanes.PopFront();
  EXPECT_TRUE(lanes.empty());
  lanes.Insert(1, K(1));
  ASSERT_NE(lanes.Front(), nullptr);
  EXPECT_EQ(*lanes.Front(), K(1));
}

}  // namespace
}  // namespace evpnd::rib

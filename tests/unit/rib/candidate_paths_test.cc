// Unit tests for rib/candidate_paths.h: the sequence keeps its paths in order through adds and
// removals across the one-in-place / array boundary, copies and moves, and (declared
// [[no_unique_address]] in LocRibEntry) leaves the fields laid in its tail alone.
#include "rib/candidate_paths.h"

#include <vector>

#include "gtest/gtest.h"
#include "rib/rib.h"

namespace evpnd::rib {
namespace {

PathPtr MakePath(uint32_t id) {
  Path p;
  p.path_id = id;
  return File(std::move(p));
}

std::vector<uint32_t> Ids(const CandidatePaths& paths) {
  std::vector<uint32_t> out;
  for (const PathPtr& p : paths) out.push_back(p->path_id);
  return out;
}

TEST(CandidatePathsTest, AddAndRemoveAcrossTheInlineBoundary) {
  CandidatePaths paths;
  EXPECT_TRUE(paths.empty());
  EXPECT_EQ(paths.begin(), paths.end());
  for (uint32_t id = 1; id <= 4; ++id) paths.push_back(MakePath(id));
  EXPECT_EQ(Ids(paths), (std::vector<uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(paths[2]->path_id, 3u);
  paths.erase(paths.begin() + 1);
  EXPECT_EQ(Ids(paths), (std::vector<uint32_t>{1, 3, 4}));
  paths.erase(paths.begin() + 2);
  EXPECT_EQ(Ids(paths), (std::vector<uint32_t>{1, 3}));
  for (uint32_t id = 5; id <= 8; ++id) paths.push_back(MakePath(id));  // grows again
  EXPECT_EQ(Ids(paths), (std::vector<uint32_t>{1, 3, 5, 6, 7, 8}));
  while (paths.size() > 2) paths.erase(paths.end() - 1);
  EXPECT_EQ(Ids(paths), (std::vector<uint32_t>{1, 3}));
  paths.erase(paths.begin());
  EXPECT_EQ(Ids(paths), (std::vector<uint32_t>{3}));
  paths.erase(paths.begin());
  EXPECT_TRUE(paths.empty());
  paths.push_back(MakePath(9));
  EXPECT_EQ(Ids(paths), (std::vector<uint32_t>{9}));
}

TEST(CandidatePathsTest, CopiesAndMovesKeepThePathsAndTheirReferences) {
  for (size_t n = 0; n <= 3; ++n) {
    SCOPED_TRACE(n);
    CandidatePaths a;
    for (uint32_t id = 1; id <= n; ++id) a.push_back(MakePath(id));
    CandidatePaths copy = a;
    EXPECT_EQ(Ids(copy), Ids(a));
    if (n > 0) {
      EXPECT_EQ(copy[0].get(), a[0].get());  // the same path objects, shared
    }
    CandidatePaths moved = std::move(a);
    EXPECT_EQ(Ids(moved), Ids(copy));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    for (size_t m = 0; m <= 3; ++m) {
      CandidatePaths target;
      for (uint32_t id = 10; id < 10 + m; ++id) target.push_back(MakePath(id));
      target = copy;
      EXPECT_EQ(Ids(target), Ids(copy));
      CandidatePaths other;
      for (uint32_t id = 20; id < 20 + m; ++id) other.push_back(MakePath(id));
      target = std::move(other);
      EXPECT_EQ(target.size(), m);
    }
  }
}

TEST(CandidatePathsTest, TheEntrysFieldsInItsTailSurviveEveryOperation) {
  EXPECT_EQ(sizeof(LocRibEntry), 24u);
  LocRibEntry e;
  e.reason = BestPathReason::kRouterId;
  e.best_counted = true;
  e.dirty = true;
  auto check = [](const LocRibEntry& x, const char* after) {
    EXPECT_EQ(x.reason, BestPathReason::kRouterId) << after;
    EXPECT_TRUE(x.best_counted) << after;
    EXPECT_TRUE(x.dirty) << after;
  };
  e.paths.push_back(MakePath(1));
  check(e, "push 1");
  e.paths.push_back(MakePath(2));
  e.paths.push_back(MakePath(3));
  check(e, "push 3");
  e.paths.erase(e.paths.begin());
  e.paths.erase(e.paths.begin());
  check(e, "erase to 1");
  LocRibEntry moved(std::move(e));
  check(moved, "move");
  LocRibEntry copied(moved);
  check(copied, "copy");
  copied.paths = CandidatePaths();
  check(copied, "assign");
  LocRib rib;
  rib[RouteKey()] = moved;
  for (uint8_t i = 1; i < 100; ++i) {  // nodes split and values move
    evpn::UnknownEvpnRoute r{9, {i}};
    rib[RouteKey::ForEvpn(r)] = moved;
  }
  for (const auto& [key, entry] : rib) check(entry, "in the map");
}

}  // namespace
}  // namespace evpnd::rib

// Unit tests for bgpd/metrics/exposition.h: the Prometheus text format as the exposition format
// document specifies it (HELP/TYPE lines, label escaping, number rendering, cumulative histogram
// buckets with +Inf, _sum and _count), and the name grammar.
#include "bgpd/metrics/exposition.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evpnd::bgpd::metrics {
namespace {

TEST(ExpositionTest, FamilyAndSamples) {
  ExpositionWriter w;
  w.Family("evpnd_bgp_sessions", "BGP sessions by state.", MetricType::kGauge);
  w.Sample("evpnd_bgp_sessions", {{"state", "established"}}, uint64_t{3});
  w.Sample("evpnd_bgp_sessions", {{"state", "idle"}, {"x", "y"}}, uint64_t{0});
  w.Family("evpnd_up_total", "A counter\nwith a \\ in its help.", MetricType::kCounter);
  w.Sample("evpnd_up_total", {}, uint64_t{18446744073709551615u});
  EXPECT_EQ(w.text(),
            "# HELP evpnd_bgp_sessions BGP sessions by state.\n"
            "# TYPE evpnd_bgp_sessions gauge\n"
            "evpnd_bgp_sessions{state=\"established\"} 3\n"
            "evpnd_bgp_sessions{state=\"idle\",x=\"y\"} 0\n"
            "# HELP evpnd_up_total A counter\\nwith a \\\\ in its help.\n"
            "# TYPE evpnd_up_total counter\n"
            "evpnd_up_total 18446744073709551615\n");
}

TEST(ExpositionTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("plain 10.0.0.1"), "plain 10.0.0.1");
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  ExpositionWriter w;
  w.Sample("m", {{"peer", "say \"hi\""}}, uint64_t{1});
  EXPECT_EQ(w.text(), "m{peer=\"say \\\"hi\\\"\"} 1\n");
}

TEST(ExpositionTest, NumbersReadBackExactly) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(1.5), "1.5");
  EXPECT_EQ(FormatValue(1e-05), "1e-05");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1764284400.25), "1764284400.25");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  for (double v : {0.3, 1.0 / 3, 2.5e-300, 123456789.123456789}) {
    EXPECT_EQ(std::stod(FormatValue(v)), v) << FormatValue(v);
  }
}

TEST(ExpositionTest, HistogramBucketsAreCumulative) {
  Histogram h({0.001, 0.01, 0.1});
  for (double v : {0.0005, 0.001, 0.002, 0.05, 0.05, 7.0}) h.Observe(v);
  // "le" is inclusive: 0.001 falls in the first bucket.
  EXPECT_EQ(h.counts(), (std::vector<uint64_t>{2, 1, 2, 1}));
  EXPECT_EQ(h.count(), 6u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.0005 + 0.001 + 0.002 + 0.05 + 0.05 + 7.0);
  ExpositionWriter w;
  w.Family("lat_seconds", "Latency.", MetricType::kHistogram);
  w.WriteHistogram("lat_seconds", {{"peer", "p"}}, h);
  EXPECT_THAT(w.text(), ::testing::HasSubstr("lat_seconds_bucket{peer=\"p\",le=\"0.001\"} 2\n"
                                             "lat_seconds_bucket{peer=\"p\",le=\"0.01\"} 3\n"
                                             "lat_seconds_bucket{peer=\"p\",le=\"0.1\"} 5\n"
                                             "lat_seconds_bucket{peer=\"p\",le=\"+Inf\"} 6\n"
                                             "lat_seconds_sum{peer=\"p\"} 7.1035\n"
                                             "lat_seconds_count{peer=\"p\"} 6\n"));
}

TEST(ExpositionTest, ExponentialBounds) {
  Histogram h = Histogram::Exponential(10e-6, 2, 4);
  ASSERT_EQ(h.bounds().size(), 4u);
  EXPECT_DOUBLE_EQ(h.bounds()[0], 10e-6);
  EXPECT_DOUBLE_EQ(h.bounds()[3], 80e-6);
  EXPECT_EQ(h.counts().size(), 5u);
}

TEST(ExpositionTest, NameGrammar) {
  EXPECT_TRUE(IsValidMetricName("evpnd_bgp_sessions"));
  EXPECT_TRUE(IsValidMetricName("a:b_c1"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_TRUE(IsValidLabelName("vni"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("9x"));
}

}  // namespace
}  // namespace evpnd::bgpd::metrics

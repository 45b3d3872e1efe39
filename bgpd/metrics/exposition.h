// Prometheus text exposition format (version 0.0.4): a writer for metric families and their
// samples, and a fixed-bucket histogram. Pure: values in, text out; the HTTP side is
// http_server.h, and what is measured is gathered by the daemon (bgpd/daemon/daemon_metrics.cc).
//
//   # HELP evpnd_bgp_sessions BGP sessions by FSM state.
//   # TYPE evpnd_bgp_sessions gauge
//   evpnd_bgp_sessions{state="established"} 3
//
// NOTE: Names. Metric and label names are fixed in our code and checked here against the
// format's grammar ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without ':'); a bad one is a programming
// error and aborts in debug builds. Label values are escaped (\\, \", \n) and may hold anything.
// Standards: Prometheus exposition formats, "Text-based format" (0.0.4); OpenMetrics conventions
// for names (_total for counters, base units: seconds).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

namespace evpnd::bgpd::metrics {

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };

// Label name and value pairs of one sample, in the order written.
using Labels = std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

// Counts observations into buckets with fixed upper bounds (seconds, or any base unit).
class Histogram {
 public:
  // `bounds` strictly increasing and finite; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  // Exponential bounds: start, start*factor, ... (count of them).
  static Histogram Exponential(double start, double factor, int count);

  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations per bucket, not cumulative; one more entry than bounds() (the +Inf bucket).
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

class ExpositionWriter {
 public:
  // Starts a family: its HELP and TYPE lines. Samples of the family follow.
  void Family(absl::string_view name, absl::string_view help, MetricType type);
  // One sample of the current family (`name` is the family's, or a histogram's _bucket, _sum,
  // _count).
  void Sample(absl::string_view name, Labels labels, uint64_t value);
  void Sample(absl::string_view name, Labels labels, double value);
  // The _bucket (cumulative, le="..."), _sum and _count samples of a histogram family.
  void WriteHistogram(absl::string_view name, Labels labels, const Histogram& histogram);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Start(absl::string_view name, Labels labels, absl::string_view extra_label = {},
             absl::string_view extra_value = {});
  std::string out_;
};

// The format's number rendering: shortest text that reads back as the same double; "+Inf",
// "-Inf", "NaN".
std::string FormatValue(double value);
// A label value with \, " and newline escaped.
std::string EscapeLabelValue(absl::string_view value);
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);

}  // namespace evpnd::bgpd::metrics

#include "bgpd/metrics/exposition.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace evpnd::bgpd::metrics {
namespace {

bool NameChar(char c, bool first, bool colon_ok) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha || (colon_ok && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

bool ValidName(absl::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, colon_ok)) return false;
  }
  return true;
}

absl::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// HELP text escapes only backslash and newline.
std::string EscapeHelp(absl::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

bool IsValidMetricName(absl::string_view name) { return ValidName(name, /*colon_ok=*/true); }

bool IsValidLabelName(absl::string_view name) {
  // Names starting with __ are reserved for Prometheus itself.
  return ValidName(name, /*colon_ok=*/false) && name.substr(0, 2) != "__";
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";  // cannot happen with 32 bytes
  return std::string(buf, end);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()) &&
         std::adjacent_find(bounds_.begin(), bounds_.end()) == bounds_.end());
}

Histogram Histogram::Exponential(double start, double factor, int count) {
  std::vector<double> bounds;
  double b = start;
  for (int i = 0; i < count; ++i, b *= factor) bounds.push_back(b);
  return Histogram(std::move(bounds));
}

void Histogram::Observe(double value) {
  // Buckets are "less than or equal": the first bound not below the value.
  const size_t i = static_cast<size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  ++counts_[i];
  ++count_;
  sum_ += value;
}

void ExpositionWriter::Family(absl::string_view name, absl::string_view help, MetricType type) {
  assert(IsValidMetricName(name));
  absl::StrAppend(&out_, "# HELP ", name, " ", EscapeHelp(help), "\n# TYPE ", name, " ",
                  TypeName(type), "\n");
}

void ExpositionWriter::Start(absl::string_view name, Labels labels, absl::string_view extra_label,
                             absl::string_view extra_value) {
  assert(IsValidMetricName(name));
  out_.append(name.data(), name.size());
  if (labels.size() == 0 && extra_label.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  auto label = [&](absl::string_view key, absl::string_view value) {
    assert(IsValidLabelName(key));
    if (!first) out_ += ',';
    first = false;
    absl::StrAppend(&out_, key, "=\"", EscapeLabelValue(value), "\"");
  };
  for (const auto& [key, value] : labels) label(key, value);
  if (!extra_label.empty()) label(extra_label, extra_value);
  out_ += "} ";
}

void ExpositionWriter::Sample(absl::string_view name, Labels labels, uint64_t value) {
  Start(name, labels);
  absl::StrAppend(&out_, value, "\n");
}

void ExpositionWriter::Sample(absl::string_view name, Labels labels, double value) {
  Start(name, labels);
  absl::StrAppend(&out_, FormatValue(value), "\n");
}

void ExpositionWriter::WriteHistogram(absl::string_view name, Labels labels,
                                      const Histogram& histogram) {
  const std::string bucket = absl::StrCat(name, "_bucket");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < histogram.counts().size(); ++i) {
    cumulative += histogram.counts()[i];
    const std::string le = i < histogram.bounds().size() ? FormatValue(histogram.bounds()[i])
                                                         : std::string("+Inf");
    Start(bucket, labels, "le", le);
    absl::StrAppend(&out_, cumulative, "\n");
  }
  Sample(absl::StrCat(name, "_sum"), labels, histogram.sum());
  Sample(absl::StrCat(name, "_count"), labels, histogram.count());
}

}  // namespace evpnd::bgpd::metrics

// prometheus_text.h — writing the Prometheus text exposition format 0.0.4: HELP/TYPE headers,
// samples with escaped label values, histograms with cumulative buckets.
//
//   PrometheusWriter w(out);
//   w.Family("varpulis_tenants", "gauge", "Tenants.");
//   w.Sample("varpulis_tenants", {}, 3);
//   w.Sample("varpulis_pipelines", {{"status", "running"}}, 2);
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace varpulis::server {

using Label = std::pair<std::string_view, std::string_view>;

class PrometheusWriter {
 public:
  explicit PrometheusWriter(std::string& out) : out_(out) {}

  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void Sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  // `counts[i]` observations in bucket i (non-cumulative; the last is +Inf only).
  void Histogram(std::string_view name, std::initializer_list<Label> labels, const double* bounds,
                 const std::uint64_t* counts, std::size_t buckets, double sum, std::uint64_t count);

 private:
  void Labels(std::initializer_list<Label> labels, std::string_view extra_name = {},
              std::string_view extra_value = {});
  std::string& out_;
};

// `value` escaped for a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace varpulis::server

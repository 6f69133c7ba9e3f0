// http_metrics.h — the HTTP layer's Prometheus families (spec/state-and-server.md §6.9):
// varpulis_http_requests_total{method,route,code}, varpulis_http_request_duration_seconds{route}
// (histogram) and varpulis_rate_limited_total{scope="requests|events"}. Labels are bounded:
// routes are path templates, unknown methods count as "OTHER". Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace varpulis::server {

class HttpMetrics {
 public:
  static constexpr std::array<double, 10> kDurationBounds = {0.0001, 0.0005, 0.001, 0.005, 0.01,
                                                             0.05,   0.1,    0.5,   1.0,   5.0};

  void Record(std::string_view method, std::string_view route, int status, double seconds);
  void CountRateLimited();
  // Appends the three families; `events_rate_limited` is the manager's scope="events" count.
  void AppendPrometheus(std::string& out, std::uint64_t events_rate_limited) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kDurationBounds.size() + 1> counts{};
    double sum = 0;
    std::uint64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram, std::less<>> durations_;
  std::uint64_t rate_limited_requests_ = 0;
};

}  // namespace varpulis::server

#include "varpulis/server/http_metrics.h"

#include <cstdio>

namespace varpulis::server {
namespace {

std::string_view MethodLabel(std::string_view method) {
  for (std::string_view known : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

void AppendDouble(std::string& out, double v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.9g", v);
  out.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

}  // namespace

void HttpMetrics::Record(std::string_view method, std::string_view route, int status,
                         double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(MethodLabel(method)), std::string(route), status}];
  auto it = durations_.find(route);
  if (it == durations_.end()) it = durations_.emplace(std::string(route), Histogram{}).first;
  Histogram& h = it->second;
  std::size_t bucket = 0;
  while (bucket < kDurationBounds.size() && seconds > kDurationBounds[bucket]) ++bucket;
  ++h.counts[bucket];
  h.sum += seconds;
  ++h.count;
}

void HttpMetrics::CountRateLimited() {
  std::lock_guard<std::mutex> lock(mu_);
  ++rate_limited_requests_;
}

void HttpMetrics::AppendPrometheus(std::string& out, std::uint64_t events_rate_limited) const {
  std::lock_guard<std::mutex> lock(mu_);
  out +=
      "# HELP varpulis_http_requests_total HTTP requests by method, route template and status.\n";
  out += "# TYPE varpulis_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, code] = key;
    out += "varpulis_http_requests_total{method=\"" + method + "\",route=\"" + route +
           "\",code=\"" + std::to_string(code) + "\"} " + std::to_string(count) + "\n";
  }
  out +=
      "# HELP varpulis_http_request_duration_seconds Time from the request header to the "
      "response.\n";
  out += "# TYPE varpulis_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : durations_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kDurationBounds.size(); ++i) {
      cumulative += h.counts[i];
      out += "varpulis_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"";
      if (i < kDurationBounds.size()) {
        AppendDouble(out, kDurationBounds[i]);
      } else {
        out += "+Inf";
      }
      out += "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "varpulis_http_request_duration_seconds_sum{route=\"" + route + "\"} ";
    AppendDouble(out, h.sum);
    out += "\n";
    out += "varpulis_http_request_duration_seconds_count{route=\"" + route + "\"} " +
           std::to_string(h.count) + "\n";
  }
  out +=
      "# HELP varpulis_rate_limited_total Requests refused by --rate-limit and events by the "
      "event-rate quota.\n";
  out += "# TYPE varpulis_rate_limited_total counter\n";
  out += "varpulis_rate_limited_total{scope=\"requests\"} " +
         std::to_string(rate_limited_requests_) + "\n";
  out +=
      "varpulis_rate_limited_total{scope=\"events\"} " + std::to_string(events_rate_limited) + "\n";
}

}  // namespace varpulis::server

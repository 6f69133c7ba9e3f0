// TenantManager::AppendPrometheus — the §6.9 families the manager owns.
#include <map>
#include <string>
#include <vector>

#include "varpulis/server/prometheus_text.h"
#include "varpulis/server/tenant_manager.h"
#include "varpulis/server/tenant_manager_impl.h"

namespace varpulis::server {
namespace {

// What one pipeline contributes, copied from its published view (never its processing mutex:
// a scrape does not wait for a batch, §5.4), so the text is written lock-free.
struct PipelineSample {
  std::string id;
  std::string status;  // empty: removed
  std::vector<PipelineHost::View::Stream> streams;
  std::vector<std::pair<std::string, std::uint64_t>> inputs;  // event type → count
  std::vector<PipelineHost::View::Output> outputs;
};

PipelineSample SampleOf(const PipelineHost& p) {
  PipelineSample s;
  s.id = p.id();
  p.ReadView([&s](const PipelineHost::View& v) {
    s.status = v.removed ? std::string() : v.status;
    if (v.removed || !v.running) return 0;
    s.streams = v.streams;
    // Type 0: event types the program never names (one shared entry, see PipelineHost).
    for (std::size_t type = 1; type < v.inputs.size(); ++type) {
      if (v.inputs[type].second != 0) s.inputs.push_back(v.inputs[type]);
    }
    s.outputs = v.outputs;
    return 0;
  });
  return s;
}

}  // namespace

void TenantManager::AppendPrometheus(std::string& out) const {
  Impl& m = *impl_;
  std::vector<std::shared_ptr<Tenant>> tenants = m.AllTenants();
  std::vector<PipelineSample> samples;
  for (const auto& t : tenants) {
    std::vector<std::shared_ptr<PipelineHost>> hosts;
    {
      std::shared_lock lock(t->map_mu);
      for (const auto& [id, p] : t->pipelines) hosts.push_back(p);
    }
    for (const auto& p : hosts) {
      PipelineSample s = SampleOf(*p);
      if (!s.status.empty()) samples.push_back(std::move(s));
    }
  }

  PrometheusWriter w(out);
  w.Family("varpulis_events_total", "counter", "Input events accepted, by event type.");
  for (const PipelineSample& s : samples) {
    for (const auto& [type, n] : s.inputs) {
      w.Sample("varpulis_events_total", {{"pipeline", s.id}, {"event_type", type}}, n);
    }
  }
  w.Family("varpulis_events_processed", "counter", "Records delivered to each stream.");
  for (const PipelineSample& s : samples) {
    for (const auto& stream : s.streams) {
      w.Sample("varpulis_events_processed", {{"pipeline", s.id}, {"stream", stream.name}},
               stream.delivered);
    }
  }
  w.Family("varpulis_output_events_total", "counter", "Events emitted, by stream and event type.");
  for (const PipelineSample& s : samples) {
    for (const auto& o : s.outputs) {
      w.Sample("varpulis_output_events_total",
               {{"pipeline", s.id}, {"stream", o.stream}, {"event_type", o.event_type}}, o.count);
    }
  }
  w.Family("varpulis_processing_latency_seconds", "histogram",
           "Processing time per injected event, per stream (a request's time over its events).");
  for (const PipelineSample& s : samples) {
    for (const auto& stream : s.streams) {
      w.Histogram("varpulis_processing_latency_seconds",
                  {{"pipeline", s.id}, {"stream", stream.name}}, PipelineHost::kLatencyBounds,
                  stream.latency.counts, PipelineHost::kLatencyBuckets, stream.latency.sum,
                  stream.latency.count);
    }
  }
  w.Family("varpulis_stream_queue_size", "gauge",
           "Records queued per stream between requests (injection runs to completion: 0).");
  std::uint64_t active_streams = 0;
  for (const PipelineSample& s : samples) {
    for (const auto& stream : s.streams) {
      w.Sample("varpulis_stream_queue_size", {{"pipeline", s.id}, {"stream", stream.name}},
               std::uint64_t{0});
      ++active_streams;
    }
  }
  w.Family("varpulis_active_streams", "gauge", "Streams of running pipelines.");
  w.Sample("varpulis_active_streams", {}, active_streams);
  w.Family("varpulis_late_events_total", "counter", "Events dropped as late, by stream.");
  for (const PipelineSample& s : samples) {
    for (const auto& stream : s.streams) {
      w.Sample("varpulis_late_events_total", {{"pipeline", s.id}, {"stream", stream.name}},
               stream.late);
    }
  }

  {
    CheckpointMetrics& c = m.checkpoint_metrics;
    std::lock_guard lock(c.mu);
    w.Family("varpulis_checkpoints_total", "counter", "Pipeline checkpoints by result.");
    w.Sample("varpulis_checkpoints_total", {{"result", "ok"}}, c.ok);
    w.Sample("varpulis_checkpoints_total", {{"result", "failed"}}, c.failed);
    w.Sample("varpulis_checkpoints_total", {{"result", "skipped"}}, c.skipped);
    w.Family("varpulis_checkpoint_pause_seconds", "histogram",
             "Time processing is paused to capture a checkpoint.");
    w.Histogram("varpulis_checkpoint_pause_seconds", {}, Histogram::kBounds, c.pause.counts,
                Histogram::kBuckets, c.pause.sum, c.pause.count);
    w.Family("varpulis_checkpoint_write_seconds", "histogram",
             "Time to encode, store, flush and prune a checkpoint.");
    w.Histogram("varpulis_checkpoint_write_seconds", {}, Histogram::kBounds, c.write.counts,
                Histogram::kBuckets, c.write.sum, c.write.count);
    w.Family("varpulis_checkpoint_size_bytes", "gauge", "Size of the last checkpoint written.");
    w.Sample("varpulis_checkpoint_size_bytes", {}, c.last_size_bytes);
    w.Family("varpulis_checkpoint_restores_total", "counter",
             "Checkpoint restores (startup and API) by result.");
    w.Sample("varpulis_checkpoint_restores_total", {{"result", "ok"}}, c.restores_ok);
    w.Sample("varpulis_checkpoint_restores_total", {{"result", "skipped"}}, c.restores_skipped);
    w.Sample("varpulis_checkpoint_restores_total", {{"result", "none"}}, c.restores_none);
    w.Family("varpulis_checkpoint_restore_seconds", "histogram", "Time to restore a checkpoint.");
    w.Histogram("varpulis_checkpoint_restore_seconds", {}, Histogram::kBounds, c.restore.counts,
                Histogram::kBuckets, c.restore.sum, c.restore.count);
  }

  w.Family("varpulis_tenants", "gauge", "Tenants.");
  w.Sample("varpulis_tenants", {}, static_cast<std::uint64_t>(tenants.size()));
  std::map<std::string, std::uint64_t> by_status = {{"running", 0}, {"stopped", 0}, {"error", 0}};
  for (const PipelineSample& s : samples) ++by_status[s.status];
  w.Family("varpulis_pipelines", "gauge", "Pipelines by status.");
  for (const auto& [status, n] : by_status) {
    w.Sample("varpulis_pipelines", {{"status", status}}, n);
  }
  w.Family("varpulis_quota_rejections_total", "counter",
           "Requests refused by a tenant quota, by quota.");
  w.Sample("varpulis_quota_rejections_total", {{"quota", "max_pipelines"}},
           m.quota_max_pipelines.load());
  w.Sample("varpulis_quota_rejections_total", {{"quota", "max_streams_per_pipeline"}},
           m.quota_max_streams.load());
  w.Sample("varpulis_quota_rejections_total", {{"quota", "max_events_per_second"}},
           m.events_rate_limited.load());
}

}  // namespace varpulis::server

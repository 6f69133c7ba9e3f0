#include "varpulis/cli/checkpoint_session.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "varpulis/cli/version.h"

namespace varpulis::cli {
namespace {

constexpr int kLayoutVersion = 1;
constexpr const char* kInputSourceId = "input";
constexpr const char* kOutputSinkId = "output-file";
// The .evt BATCH time and the events counter at the input position are not part of §4.2's file
// position; they travel in the metadata under these keys.
constexpr const char* kInputBatchTimeKey = "input.batch_time_ms";
constexpr const char* kInputEventsKey = "input.events";

void Warn(const std::string& message) {
  std::fprintf(stderr, "varpulis: warning: %s\n", message.c_str());
}
void Note(const std::string& message) { std::fprintf(stderr, "varpulis: %s\n", message.c_str()); }

// fsync of a file by path: any descriptor of the inode flushes its dirty pages, so the writer
// thread need not share the event thread's descriptor.
core::Status SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return core::Status::Io(fmt::format("open {} for fsync: {}", path, std::strerror(errno)));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return core::Status::Io(fmt::format("fsync {}: {}", path, std::strerror(err)));
  return core::Status::Ok();
}

bool ParseU64(const std::string& text, std::uint64_t* out) {
  if (text.empty()) return false;
  std::uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    if (v > (UINT64_MAX - static_cast<std::uint64_t>(c - '0')) / 10) return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool ParseI64(const std::string& text, std::int64_t* out) {
  bool negative = !text.empty() && text[0] == '-';
  std::uint64_t magnitude = 0;
  if (!ParseU64(negative ? text.substr(1) : text, &magnitude)) return false;
  if (magnitude > static_cast<std::uint64_t>(INT64_MAX)) return false;
  *out = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
  return true;
}

// The "layout" number of a P:meta document ({"layout":1,...}); 0 when absent or unreadable.
int MetaLayout(const std::string& meta) {
  std::size_t at = meta.find("\"layout\"");
  if (at == std::string::npos) return 0;
  at = meta.find(':', at);
  if (at == std::string::npos) return 0;
  ++at;
  while (at < meta.size() && meta[at] == ' ') ++at;
  int layout = 0;
  while (at < meta.size() && meta[at] >= '0' && meta[at] <= '9' && layout < 1000000) {
    layout = layout * 10 + (meta[at] - '0');
    ++at;
  }
  return layout;
}

}  // namespace

core::Result<std::string> CanonicalPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) != nullptr) return std::string(buf);
  if (errno != ENOENT) {
    return core::Status::Io(fmt::format("cannot resolve {}: {}", path, std::strerror(errno)));
  }
  std::size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") {
    return core::Status::Io(fmt::format("{} does not name a file", path));
  }
  if (::realpath(dir.c_str(), buf) == nullptr) {
    return core::Status::Io(
        fmt::format("directory of {} does not exist: {}", path, std::strerror(errno)));
  }
  std::string out(buf);
  if (out != "/") out += '/';
  return out + name;
}

CheckpointSession::CheckpointSession(CheckpointSessionOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &core::Clock::System()),
      scope_(options_.settings.key_prefix),
      every_events_(options_.settings.every_events),
      interval_ns_(options_.settings.interval_ms * 1000000),
      interval_poll_mask_(options_.live_input ? 0 : 63) {}

CheckpointSession::~CheckpointSession() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

core::Result<std::unique_ptr<CheckpointSession>> CheckpointSession::Open(
    CheckpointSessionOptions options) {
  VP_CHECK(options.settings.store_uri.has_value(), "CheckpointSession without a store");
  std::unique_ptr<CheckpointSession> session(new CheckpointSession(std::move(options)));
  VP_ASSIGN_OR_RETURN(session->store_, state::OpenStore(*session->options_.settings.store_uri));

  // §3: P:meta is written by the first run; a newer layout is refused.
  std::string meta_key = session->scope_ + ":meta";
  VP_ASSIGN_OR_RETURN(std::optional<std::string> meta, session->store_->Get(meta_key));
  if (meta.has_value()) {
    int layout = MetaLayout(*meta);
    if (layout > kLayoutVersion) {
      return core::Status::Incompatible(
          fmt::format("{}: {} has layout {}, newer than this binary's {}; refusing to start",
                      session->store_->Describe(), meta_key, layout, kLayoutVersion));
    }
  } else {
    VP_RETURN_IF_ERROR(session->store_->Put(
        meta_key,
        fmt::format("{{\"layout\":{},\"written_by\":\"varpulis {}\"}}", kLayoutVersion, kVersion)));
  }

  if (session->options_.input_path != "-") {
    VP_ASSIGN_OR_RETURN(session->input_canonical_, CanonicalPath(session->options_.input_path));
  }
  if (session->options_.settings.output_file) {
    VP_ASSIGN_OR_RETURN(session->output_canonical_,
                        CanonicalPath(*session->options_.settings.output_file));
  }
  session->last_completed_ns_.store(session->clock_->MonotonicNanos());
  session->writer_ = std::thread([s = session.get()] { s->WriterLoop(); });
  return session;
}

core::Status CheckpointSession::Recover() {
  VP_ASSIGN_OR_RETURN(std::vector<std::uint64_t> ids, store_->ListCheckpoints(scope_));
  next_id_ = ids.empty() ? 1 : ids.back() + 1;
  std::uint64_t skipped = 0;
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    core::Result<std::optional<state::Checkpoint>> loaded = store_->LoadCheckpoint(scope_, *it);
    if (!loaded.ok()) {
      Warn(fmt::format("checkpoint {} skipped: {}", *it, loaded.status().message()));
      ++skipped;
      continue;
    }
    if (!loaded->has_value()) continue;  // pruned since the listing
    state::Checkpoint& cp = **loaded;
    // §4.6: a checkpoint recording more output than the file holds cannot be honoured.
    if (!output_canonical_.empty()) {
      auto sink = cp.sinks.find(kOutputSinkId);
      if (sink != cp.sinks.end() && sink->second.path == output_canonical_) {
        core::Result<std::uint64_t> length = io::OutputWriter::FileLength(output_canonical_);
        std::uint64_t have = 0;
        if (length.ok()) {
          have = *length;
        } else if (length.status().code() != core::StatusCode::kNotFound) {
          return length.status();
        }
        if (have < sink->second.committed_length) {
          Warn(
              fmt::format("checkpoint {} skipped: output file {} holds {} bytes, fewer than "
                          "the {} it records",
                          *it, output_canonical_, have, sink->second.committed_length));
          ++skipped;
          continue;
        }
      }
    }
    recovered_ = std::move(cp);
    break;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.skipped_on_recovery = skipped;
    stats_.restored_id = recovered_ ? recovered_->id : 0;
  }
  if (!recovered_ && skipped > 0) {
    Warn(fmt::format("no valid checkpoint in {} (scope {}); starting fresh", store_->Describe(),
                     scope_));
  } else if (!recovered_) {
    Note(fmt::format("no checkpoint in {} (scope {}); starting fresh", store_->Describe(), scope_));
  }

  // Output: keep what the chosen checkpoint committed, drop the rest (none recorded: all).
  if (!output_canonical_.empty()) {
    output_keep_length_.reset();  // create or truncate to 0
    if (recovered_) {
      auto sink = recovered_->sinks.find(kOutputSinkId);
      if (sink != recovered_->sinks.end() && sink->second.path == output_canonical_) {
        output_keep_length_ = sink->second.committed_length;
      }
    }
  }

  // Input: resume only the same file (§4.5); the source verifies length and prefix CRC.
  if (recovered_ && !input_canonical_.empty()) {
    auto src = recovered_->sources.find(kInputSourceId);
    if (src != recovered_->sources.end()) {
      if (const auto* file = std::get_if<state::FileSourcePosition>(&src->second)) {
        if (file->path == input_canonical_) {
          io::SourcePosition pos;
          pos.offset = file->offset;
          pos.line = file->next_line;
          pos.prefix_crc = file->prefix_crc32c;
          auto bt = recovered_->metadata.find(kInputBatchTimeKey);
          if (bt != recovered_->metadata.end()) ParseI64(bt->second, &pos.batch_time);
          auto ev = recovered_->metadata.find(kInputEventsKey);
          if (ev != recovered_->metadata.end()) ParseU64(ev->second, &pos.events);
          resume_ = pos;
        } else {
          Note(fmt::format("input {} is not the checkpointed input {}; reading it from the start",
                           input_canonical_, file->path));
        }
      }
    }
  }
  return core::Status::Ok();
}

core::Status CheckpointSession::RestoreEngine(CheckpointableEngine& engine) {
  if (!recovered_) return core::Status::Ok();
  core::Status s = engine.RestoreFrom(*recovered_);
  if (!s.ok()) {
    return core::Status(s.code(), fmt::format("checkpoint {} in {} cannot be restored: {}",
                                              recovered_->id, store_->Describe(), s.message()));
  }
  Note(fmt::format("restored checkpoint {} from {} ({} events processed before)", recovered_->id,
                   store_->Describe(), recovered_->events_processed));
  return core::Status::Ok();
}

const io::SourcePosition* CheckpointSession::resume_position() const {
  return resume_ ? &*resume_ : nullptr;
}

std::optional<std::uint64_t> CheckpointSession::output_keep_length() const {
  return output_keep_length_;
}

void CheckpointSession::Attach(io::EventSource* source, io::OutputWriter* output_file,
                               CheckpointableEngine* engine) {
  source_ = source;
  output_ = output_file;
  engine_ = engine;
  if (resume_) {
    if (source_->resumed()) {
      Note(fmt::format("resuming input {} at byte {} (line {})", input_canonical_, resume_->offset,
                       resume_->line));
    } else {
      Note(
          fmt::format("input {} changed since the checkpoint (shorter, or its first {} bytes "
                      "differ); reading it from the start",
                      input_canonical_, resume_->offset));
    }
  }
}

core::Result<CheckpointSession::Job> CheckpointSession::Capture(bool fork_snapshot) {
  VP_CHECK(source_ != nullptr && engine_ != nullptr, "CheckpointSession used before Attach");
  Job job;
  state::Checkpoint& cp = job.checkpoint;
  cp.id = next_id_;
  cp.timestamp_ms = clock_->NowMillis();
  cp.program_sha256 = options_.program_sha256;
  cp.metadata["varpulis_version"] = kVersion;
  cp.metadata["command"] = options_.command;
  if (output_ != nullptr) {
    VP_RETURN_IF_ERROR(output_->Flush());
    cp.sinks[kOutputSinkId] = state::SinkPosition{output_canonical_, output_->length()};
    job.output_path = output_canonical_;
  }
  io::SourcePosition pos = source_->position();
  if (input_canonical_.empty()) {
    cp.sources[kInputSourceId] = state::CountedSourcePosition{pos.events};
  } else {
    cp.sources[kInputSourceId] =
        state::FileSourcePosition{input_canonical_, pos.offset, pos.line, pos.prefix_crc};
    cp.metadata[kInputBatchTimeKey] = std::to_string(pos.batch_time);
    cp.metadata[kInputEventsKey] = std::to_string(pos.events);
  }
  if (!fork_snapshot) {
    VP_RETURN_IF_ERROR(engine_->CaptureInto(cp));
    return job;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return core::Status::Io(fmt::format("pipe for checkpoint {}: {}", cp.id, std::strerror(errno)));
  }
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return core::Status::Io(fmt::format("fork for checkpoint {}: {}", cp.id, std::strerror(err)));
  }
  if (pid == 0) {
    // The child: only this thread exists here, the engine is a frozen copy. It never returns and
    // leaves through _exit, so no buffer of the parent (stdout, the output file) is flushed twice.
    // It must not outlive the parent: it holds copies of the parent's descriptors, among them
    // the state directory's lock, and a restart after a kill would find the directory in use.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(5);
    ::close(fds[0]);
    const unsigned keep = static_cast<unsigned>(fds[1]);
    if (keep > 3) ::close_range(3, keep - 1, 0);
    ::close_range(keep + 1, ~0U, 0);
    ::signal(SIGINT, SIG_IGN);  // a terminal's Ctrl-C is the parent's business
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);  // the parent died: stop at once
    if (!engine_->CaptureInto(cp).ok()) ::_exit(3);
    std::string blob = state::EncodeCheckpoint(cp);
    const char* p = blob.data();
    std::size_t left = blob.size();
    while (left > 0) {
      ssize_t n = ::write(fds[1], p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        ::_exit(4);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  job.pipe_fd = fds[0];
  job.child_pid = pid;
  return job;
}

core::Status CheckpointSession::Trigger(bool count_skip) {
  events_since_ = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_flight_) {
      if (count_skip) ++stats_.skipped_in_flight;
      return core::Status::Ok();
    }
  }
  std::int64_t start = clock_->MonotonicNanos();
  core::Result<Job> job = Capture(/*fork_snapshot=*/true);
  std::int64_t pause = clock_->MonotonicNanos() - start;
  if (!job.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.failed;
    Warn(fmt::format("checkpoint {} not taken: {}", next_id_, job.status().message()));
    return core::Status::Ok();
  }
  ++next_id_;  // ids are never reused, even when the write fails
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.total_pause_ns += pause;
    if (pause > stats_.max_pause_ns) stats_.max_pause_ns = pause;
    in_flight_ = true;
    pending_ = std::move(*job);
  }
  cv_.notify_all();
  return core::Status::Ok();
}

core::Result<std::uint64_t> CheckpointSession::SaveBlob(std::uint64_t id, const std::string& blob) {
  // StateStore::SaveCheckpoint's contract for a blob encoded elsewhere: refuse an existing id,
  // put, flush.
  std::string key = state::CheckpointKey(scope_, id);
  VP_ASSIGN_OR_RETURN(std::optional<std::string> existing, store_->Get(key));
  if (existing) {
    return core::Status::AlreadyExists(
        fmt::format("checkpoint {} already stored in {}", id, store_->Describe()));
  }
  VP_RETURN_IF_ERROR(store_->Put(key, blob));
  VP_RETURN_IF_ERROR(store_->Flush());
  return static_cast<std::uint64_t>(blob.size());
}

namespace {

// Reads the child's blob to EOF and reaps it. Closes `fd`.
core::Result<std::string> CollectChild(int fd, int pid, std::uint64_t id) {
  std::string blob;
  char buf[1 << 16];
  core::Status read_error;
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      read_error =
          core::Status::Io(fmt::format("reading checkpoint {} from its snapshot "
                                       "process: {}",
                                       id, std::strerror(errno)));
      break;
    }
    if (n == 0) break;
    blob.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return core::Status::Io(fmt::format("waiting for the snapshot process of checkpoint {}: {}",
                                          id, std::strerror(errno)));
    }
  }
  if (!read_error.ok()) return read_error;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return core::Status::Internal(
        fmt::format("the snapshot process of checkpoint {} failed ({} {})", id,
                    WIFEXITED(status) ? "exit" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status)));
  }
  return blob;
}

}  // namespace

core::Status CheckpointSession::WriteJob(Job& job) {
  std::string blob;
  if (job.pipe_fd >= 0) {
    int fd = job.pipe_fd;
    job.pipe_fd = -1;
    VP_ASSIGN_OR_RETURN(blob, CollectChild(fd, job.child_pid, job.checkpoint.id));
  } else {
    blob = state::EncodeCheckpoint(job.checkpoint);
  }
  if (!job.output_path.empty()) VP_RETURN_IF_ERROR(SyncPath(job.output_path));
  VP_ASSIGN_OR_RETURN(std::uint64_t bytes, SaveBlob(job.checkpoint.id, blob));
  // Retention only once the new checkpoint is saved and flushed: a valid one always survives.
  VP_ASSIGN_OR_RETURN(std::uint64_t pruned,
                      store_->PruneCheckpoints(scope_, options_.settings.max_checkpoints));
  (void)pruned;
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.written;
  stats_.last_bytes = bytes;
  return core::Status::Ok();
}

void CheckpointSession::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
    if (!pending_) return;  // stopping with nothing to write
    Job job = std::move(*pending_);
    pending_.reset();
    lock.unlock();
    core::Status s = WriteJob(job);
    if (!s.ok()) {
      Warn(fmt::format("checkpoint {} failed: {}", job.checkpoint.id, s.message()));
    }
    std::int64_t done = clock_->MonotonicNanos();
    lock.lock();
    if (!s.ok()) ++stats_.failed;
    last_completed_ns_.store(done, std::memory_order_relaxed);
    in_flight_ = false;
    cv_.notify_all();
  }
}

void CheckpointSession::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !in_flight_; });
}

void CheckpointSession::WaitIdleForTesting() { WaitIdle(); }

core::Status CheckpointSession::Finish() {
  WaitIdle();
  if (options_.settings.checkpoint_on_shutdown && source_ != nullptr) {
    // Processing is over: this capture pauses nothing, so it is not counted as a pause.
    VP_ASSIGN_OR_RETURN(Job job, Capture(/*fork_snapshot=*/false));
    ++next_id_;
    core::Status s = WriteJob(job);
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.failed;
      return core::Status(
          s.code(), fmt::format("final checkpoint {} failed: {}", job.checkpoint.id, s.message()));
    }
  } else if (output_ != nullptr) {
    VP_RETURN_IF_ERROR(output_->Sync());
  }
  return core::Status::Ok();
}

CheckpointStats CheckpointSession::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::string CheckpointSession::Summary() const {
  CheckpointStats s = stats();
  return fmt::format(
      "checkpoints: {} written, {} skipped (one in flight), {} failed; longest pause {:.3f} ms; "
      "last {} bytes",
      s.written, s.skipped_in_flight, s.failed, static_cast<double>(s.max_pause_ns) / 1e6,
      s.last_bytes);
}

}  // namespace varpulis::cli

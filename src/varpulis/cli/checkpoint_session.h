// checkpoint_session.h — checkpoints and recovery for one `simulate` or `run` process
// (spec/state-and-server.md §4.4–§4.8). It ties the three parts of a consistent cut together:
// the engine's state (through CheckpointableEngine), the input position (io::EventSource) and
// the committed length of the exactly-once output file (io::OutputWriter).
//
//   VP_ASSIGN_OR_RETURN(auto session, CheckpointSession::Open(options));   // store + P:meta
//   VP_RETURN_IF_ERROR(session->Recover());                // latest valid checkpoint, or none
//   VP_RETURN_IF_ERROR(session->RestoreEngine(engine));    // counters, vars, operators
//   auto source = io::EventSource::Open(path, ..., session->resume_position());
//   auto out = io::OutputWriter::OpenFile(file, kJsonLines, session->output_keep_length());
//   session->Attach(source.get(), out.get(), &engine);
//   while (!ShutdownSignals::Requested() && source->Next(record)) {
//     engine.Process(record);
//     VP_RETURN_IF_ERROR(session->AfterEvent());           // cheap unless a checkpoint is due
//   }
//   VP_RETURN_IF_ERROR(session->Finish());                 // final checkpoint, fsync
//
// Taking a checkpoint: on the event thread, between two events, the output file's buffer is
// written out and its length noted, the source position noted, and the process forks: the child
// owns a copy-on-write image of the engine as of this instant, snapshots every operator, encodes
// the checkpoint and streams the blob through a pipe, then exits. The event thread continues at
// once, so the pause (measured) is a buffer flush plus a fork, not a copy of the state: encoding
// 1 M buffered events takes hundreds of milliseconds, a fork a few. A background thread reads the
// blob, fsyncs the output file, saves the checkpoint and prunes old ones. (The final checkpoint at
// shutdown is captured in-process: nothing waits on it.) At most one checkpoint is in flight; a
// trigger meanwhile is skipped and counted. A failed write is reported on stderr and counted;
// the next trigger tries again.
//
// Thread-safety: every method is called from the event thread; the writer thread is internal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "varpulis/cli/checkpoint_options.h"
#include "varpulis/core/clock.h"
#include "varpulis/core/result.h"
#include "varpulis/core/status.h"
#include "varpulis/io/event_source.h"
#include "varpulis/io/output_writer.h"
#include "varpulis/state/checkpoint.h"
#include "varpulis/state/state_store.h"

namespace varpulis::cli {

// The engine's half of a checkpoint, as the session needs it.
class CheckpointableEngine {
 public:
  virtual ~CheckpointableEngine() = default;
  // Fills the counters and contexts of `checkpoint` with the state after the last event
  // processed. Called on the event thread between two events.
  virtual core::Status CaptureInto(state::Checkpoint& checkpoint) = 0;
  // Restores what `checkpoint` holds for this program (§4.7 steps 4–5), reporting on stderr every
  // stream whose state is reset or dropped. Errors: kCorrupt / kIncompatible for a body that does
  // not decode.
  virtual core::Status RestoreFrom(const state::Checkpoint& checkpoint) = 0;
};

struct CheckpointSessionOptions {
  CheckpointSettings settings;   // settings.store_uri must be set
  std::string command;           // "simulate" or "run", recorded in the metadata
  std::string program_sha256;    // hex SHA-256 of the VPL source
  std::string input_path;        // as given on the command line; "-" for stdin
  core::Clock* clock = nullptr;  // wall clock for the interval; nullptr: the system clock
  // A live input (`run`): the interval is checked after every event, since events may be far
  // apart. Otherwise every 64 events, to keep the clock off the per-event path.
  bool live_input = false;
};

struct CheckpointStats {
  std::uint64_t written = 0;            // completed and saved
  std::uint64_t skipped_in_flight = 0;  // triggers while another checkpoint was being written
  std::uint64_t failed = 0;
  std::uint64_t last_bytes = 0;   // size of the last saved blob
  std::int64_t max_pause_ns = 0;  // longest pause of one periodic checkpoint
  std::int64_t total_pause_ns = 0;
  std::uint64_t restored_id = 0;  // 0: started fresh
  std::uint64_t skipped_on_recovery = 0;
};

class CheckpointSession {
 public:
  ~CheckpointSession();
  CheckpointSession(const CheckpointSession&) = delete;
  CheckpointSession& operator=(const CheckpointSession&) = delete;

  // Opens the store named by options.settings.store_uri and checks or writes `P:meta`.
  // Errors (the command exits 2 on them): kInvalidArgument (URI), kLocked, kIo, kCorrupt,
  // kIncompatible (a layout newer than this binary).
  static core::Result<std::unique_ptr<CheckpointSession>> Open(CheckpointSessionOptions options);

  // Finds the latest valid checkpoint (§4.7 step 2): each one that fails verification, or
  // records a shorter output file than the one on disk, is skipped with a warning on stderr.
  // Computes the resume position and the output length to keep. Errors: kIo (listing).
  core::Status Recover();

  // Restores the chosen checkpoint into `engine` (nothing when none was found).
  core::Status RestoreEngine(CheckpointableEngine& engine);

  // Where to resume the input: nullptr reads it from the start (no checkpoint, stdin, another
  // file). The source still verifies length and prefix checksum before resuming.
  const io::SourcePosition* resume_position() const;
  // For io::OutputWriter::OpenFile: the committed length of this output file; nullopt when no
  // checkpoint records it (or there is no output file): create the file or truncate it to 0.
  std::optional<std::uint64_t> output_keep_length() const;

  // Wires the running parts. `source` and `engine` are required; `output_file` may be null.
  // Reports on stderr how the input was resumed (or why it is read from the start).
  void Attach(io::EventSource* source, io::OutputWriter* output_file, CheckpointableEngine* engine);

  // Called after each input event. Takes a checkpoint when `every_events` or the interval says
  // so. Errors only for bugs of the caller; store failures are reported and counted.
  core::Status AfterEvent() {
    ++events_since_;
    if (every_events_ != 0 && events_since_ >= every_events_) return Trigger(true);
    if (interval_ns_ != 0 && (++interval_poll_ & interval_poll_mask_) == 0 &&
        clock_->MonotonicNanos() - last_completed_ns_.load(std::memory_order_relaxed) >=
            interval_ns_) {
      // While one is in flight the interval stays due; that is a wait, not a skipped trigger.
      return Trigger(/*count_skip=*/false);
    }
    return core::Status::Ok();
  }

  // For a caller that processes input events in chunks: how many more events may be processed
  // before `every_events` makes a checkpoint due (at least 1; the maximum when only the interval
  // triggers). A chunk no longer than this, followed by AfterEvents(its size), checkpoints after
  // the same events as AfterEvent after each would; the interval is checked at chunk ends.
  std::uint64_t EventsUntilDue() const {
    if (every_events_ == 0) return std::numeric_limits<std::uint64_t>::max();
    return every_events_ > events_since_ ? every_events_ - events_since_ : 1;
  }
  // Called after `n` more input events have been processed (the source position is right after
  // the last of them). Equivalent to `n` AfterEvent calls when n <= EventsUntilDue(), except that
  // an interval checkpoint is taken after the last of them.
  core::Status AfterEvents(std::uint64_t n) {
    if (n == 0) return core::Status::Ok();
    events_since_ += n;
    if (every_events_ != 0 && events_since_ >= every_events_) return Trigger(true);
    const std::uint64_t polled = interval_poll_;
    interval_poll_ += n;
    if (interval_ns_ != 0 &&
        (interval_poll_ & ~interval_poll_mask_) != (polled & ~interval_poll_mask_) &&
        clock_->MonotonicNanos() - last_completed_ns_.load(std::memory_order_relaxed) >=
            interval_ns_) {
      return Trigger(/*count_skip=*/false);
    }
    return core::Status::Ok();
  }

  // End of input or shutdown: waits for the checkpoint in flight, then (when
  // checkpoint_on_shutdown) writes the final one synchronously. The output file is fsynced
  // either way. Errors: the final checkpoint could not be written (kIo, ...).
  core::Status Finish();

  // One line for stderr: checkpoints written, skipped, longest pause, last size.
  std::string Summary() const;
  CheckpointStats stats() const;
  const std::optional<state::Checkpoint>& recovered() const { return recovered_; }

  // Takes a checkpoint now (at most one in flight), as a trigger would.
  core::Status TriggerForTesting() { return Trigger(true); }
  // Waits until no checkpoint is in flight.
  void WaitIdleForTesting();

 private:
  struct Job {
    state::Checkpoint checkpoint;  // engine state filled in unless a child process encodes it
    std::string output_path;       // fsynced before the checkpoint is saved; empty: none
    int pipe_fd = -1;              // forked snapshot: the child writes the encoded blob here
    int child_pid = -1;
  };

  explicit CheckpointSession(CheckpointSessionOptions options);
  core::Status Trigger(bool count_skip);
  // The event-thread part: output flushed and its length noted, the input position noted, and
  // either the engine captured here (`fork_snapshot` false) or a child process forked to capture
  // and encode it from its copy-on-write image of the engine.
  core::Result<Job> Capture(bool fork_snapshot);
  core::Status WriteJob(Job& job);  // the background part; also used by Finish
  core::Result<std::uint64_t> SaveBlob(std::uint64_t id, const std::string& blob);
  void WriterLoop();
  void WaitIdle();

  CheckpointSessionOptions options_;
  std::unique_ptr<state::StateStore> store_;
  core::Clock* clock_;
  std::string scope_;
  std::string input_canonical_;   // empty for stdin
  std::string output_canonical_;  // empty without --output-file
  std::uint64_t every_events_;
  std::int64_t interval_ns_;

  std::optional<state::Checkpoint> recovered_;
  std::optional<io::SourcePosition> resume_;
  std::optional<std::uint64_t> output_keep_length_;
  std::uint64_t next_id_ = 1;

  io::EventSource* source_ = nullptr;
  io::OutputWriter* output_ = nullptr;
  CheckpointableEngine* engine_ = nullptr;

  std::uint64_t events_since_ = 0;
  std::uint64_t interval_poll_ = 0;
  std::uint64_t interval_poll_mask_ = 63;
  std::atomic<std::int64_t> last_completed_ns_{0};  // written by the writer thread

  // Shared with the writer thread.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Job> pending_;  // GUARDED_BY(mu_)
  bool in_flight_ = false;      // GUARDED_BY(mu_)
  bool stopping_ = false;       // GUARDED_BY(mu_)
  CheckpointStats stats_;       // GUARDED_BY(mu_)
  std::thread writer_;
};

// The canonical (absolute, symlink-free) form of `path`; for a file that does not exist yet, the
// canonical directory joined with the file name. Errors: kIo when the directory does not exist.
core::Result<std::string> CanonicalPath(const std::string& path);

}  // namespace varpulis::cli

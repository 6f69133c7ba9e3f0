// shutdown_signals.h — SIGINT/SIGTERM handling for `simulate` and `run`
// (spec/state-and-server.md §4.8).
//
// The first SIGINT or SIGTERM only sets a flag: the event loop polls ShutdownRequested() between
// two events, stops reading, waits for an in-flight checkpoint, writes the final one and exits 0.
// A second signal exits at once with 128 + signal (130 for SIGINT, 143 for SIGTERM) without a
// checkpoint; the state is then the last completed checkpoint.
//
//   ShutdownSignals signals;  // installs the handlers; the destructor restores the old ones
//   while (!ShutdownSignals::Requested() && source->Next(record)) { ... }
//
// One instance at a time per process; not for use from several threads at once.
#pragma once

#include <atomic>
#include <csignal>

namespace varpulis::cli {

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // True once SIGINT or SIGTERM has arrived. Cheap: one relaxed atomic load.
  static bool Requested();
  // The same, as a flag an event loop can poll (EventLoopOptions::stop).
  static const std::atomic<bool>* Flag();
  // The signal that requested shutdown (0 when none).
  static int Signal();
  // Test hook: behave as if `signo` had arrived once.
  static void RequestForTesting(int signo);

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace varpulis::cli

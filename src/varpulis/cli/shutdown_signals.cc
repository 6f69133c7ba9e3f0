#include "varpulis/cli/shutdown_signals.h"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace varpulis::cli {
namespace {

// Written by the handler, read by the event loop: lock-free atomics are async-signal-safe.
std::atomic<int> g_signal{0};
std::atomic<bool> g_stop{false};
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void OnShutdownSignal(int signo) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, signo)) {
    // Second signal: leave now. _exit is async-signal-safe; nothing is flushed, so the state is
    // the last completed checkpoint and the output file is cut back to it on the next start.
    _exit(128 + signo);
  }
  g_stop.store(true);
}

}  // namespace

ShutdownSignals::ShutdownSignals() {
  g_signal.store(0);
  g_stop.store(false);
  struct sigaction sa {};
  sa.sa_handler = OnShutdownSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read of stdin returns EINTR and sees the flag
  sigaction(SIGINT, &sa, &old_int_);
  sigaction(SIGTERM, &sa, &old_term_);
}

ShutdownSignals::~ShutdownSignals() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

bool ShutdownSignals::Requested() { return g_signal.load(std::memory_order_relaxed) != 0; }

const std::atomic<bool>* ShutdownSignals::Flag() { return &g_stop; }

int ShutdownSignals::Signal() { return g_signal.load(); }

void ShutdownSignals::RequestForTesting(int signo) {
  g_signal.store(signo);
  g_stop.store(true);
}

}  // namespace varpulis::cli

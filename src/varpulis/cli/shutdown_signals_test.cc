#include "varpulis/cli/shutdown_signals.h"

#include <csignal>
#include <cstdlib>

#include <gtest/gtest.h>

namespace varpulis::cli {
namespace {

TEST(ShutdownSignalsTest, FirstSignalOnlyRequestsShutdown) {
  ShutdownSignals signals;
  EXPECT_FALSE(ShutdownSignals::Requested());
  std::raise(SIGTERM);
  EXPECT_TRUE(ShutdownSignals::Requested());
  EXPECT_EQ(ShutdownSignals::Signal(), SIGTERM);
}

TEST(ShutdownSignalsDeathTest, SecondSigintExits130) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        std::raise(SIGINT);
        std::raise(SIGINT);
        std::exit(0);  // not reached
      },
      ::testing::ExitedWithCode(130), "");
}

TEST(ShutdownSignalsDeathTest, SecondSigtermExits143) {
  EXPECT_EXIT(
      {
        ShutdownSignals signals;
        std::raise(SIGTERM);
        std::raise(SIGTERM);
        std::exit(0);
      },
      ::testing::ExitedWithCode(143), "");
}

TEST(ShutdownSignalsTest, DestructorRestoresTheOldHandlers) {
  struct sigaction before {};
  sigaction(SIGINT, nullptr, &before);
  { ShutdownSignals signals; }
  struct sigaction after {};
  sigaction(SIGINT, nullptr, &after);
  EXPECT_EQ(before.sa_handler, after.sa_handler);
}

}  // namespace
}  // namespace varpulis::cli

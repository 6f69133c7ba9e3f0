#include "varpulis/io/event_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/core/crc32c.h"
#include "varpulis/core/symbol_table.h"

namespace varpulis::io {
namespace {

std::string Describe(const core::SymbolTable& symbols, const core::Record& r) {
  std::string out(symbols.Name(r.type));
  out += " @" + std::to_string(r.ts) + " ";
  r.AppendFieldsJson(out);
  return out;
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "varpulis_io_" + std::to_string(::getpid()) + "_" + name;
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

// A mixed input: .evt named and positional records, JSON lines, BATCH lines, comments, blank
// lines and a few long lines, so that positions land on every kind of line.
std::string MixedInput(int events, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out = "# generated\n";
  for (int i = 0; i < events; ++i) {
    switch (rng() % 7) {
      case 0:
        out += "BATCH " + std::to_string(i) + "s\n";
        break;
      case 1:
        out += "\n# comment " + std::to_string(i) + "\n";
        break;
      default:
        break;
    }
    switch (rng() % 4) {
      case 0:
        out += "@" + std::to_string(i * 10) + " Reading { sensor: \"s" + std::to_string(i % 5) +
               "\", value: " + std::to_string(i) + ".5 }\n";
        break;
      case 1:
        out += "Trade(\"T" + std::to_string(i % 3) + "\", " + std::to_string(i) + ", [1, 2])\n";
        break;
      case 2:
        out += R"({"event_type": "Json", "fields": {"i": )" + std::to_string(i) +
               R"(, "tag": "x"}})" + "\n";
        break;
      default:
        out += "Long { s: \"" + std::string(rng() % 3000, 'z') + "\", i: " + std::to_string(i) +
               " }\n";
        break;
    }
  }
  return out;
}

class EventSourceTest : public ::testing::Test {
 protected:
  std::vector<std::string> ReadAll(EventSource& source, std::size_t limit = SIZE_MAX) {
    std::vector<std::string> out;
    core::Record r;
    while (out.size() < limit) {
      auto got = source.Next(r);
      EXPECT_TRUE(got.ok()) << got.status().message();
      if (!got.ok() || !*got) break;
      out.push_back(Describe(symbols_, r));
    }
    return out;
  }

  core::SymbolTable symbols_;
  EventDeclarations decls_;
};

TEST_F(EventSourceTest, MissingFileIsNotFound) {
  auto source = EventSource::Open(TempPath("does_not_exist.evt"), symbols_, decls_);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), core::StatusCode::kNotFound);
}

TEST_F(EventSourceTest, FileEqualsMemoryWithTinyAndOddBlockSizes) {
  unsigned seed = 1234;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::string data = MixedInput(3000, seed);
  std::string path = TempPath("mixed.evt");
  WriteFile(path, data);
  auto memory = EventSource::FromString("m", data, symbols_, decls_);
  std::vector<std::string> expected = ReadAll(*memory);
  ASSERT_EQ(expected.size(), 3000u);
  for (std::size_t block :
       {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{1} << 20}) {
    SCOPED_TRACE("block " + std::to_string(block));
    EventSourceOptions options;
    options.block_size = block;
    auto source = EventSource::Open(path, symbols_, decls_, options);
    ASSERT_TRUE(source.ok()) << source.status().message();
    EXPECT_EQ(ReadAll(**source), expected);
    SourcePosition end = (*source)->position();
    EXPECT_EQ(end.offset, data.size());
    EXPECT_EQ(end.events, 3000u);
    EXPECT_EQ(end.prefix_crc, core::Crc32c(data));
  }
  std::remove(path.c_str());
}

TEST_F(EventSourceTest, PositionRoundTripAtEverySplit) {
  unsigned seed = 99;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::string data = MixedInput(200, seed);
  std::string path = TempPath("split.evt");
  WriteFile(path, data);
  auto whole = EventSource::FromString("m", data, symbols_, decls_);
  std::vector<std::string> expected = ReadAll(*whole);
  for (std::size_t split = 0; split <= expected.size(); split += 7) {
    SCOPED_TRACE("split " + std::to_string(split));
    EventSourceOptions options;
    options.block_size = 512;
    auto first = EventSource::Open(path, symbols_, decls_, options);
    ASSERT_TRUE(first.ok());
    std::vector<std::string> got = ReadAll(**first, split);
    SourcePosition position = (*first)->position();
    EXPECT_EQ(position.events, split);
    EXPECT_EQ(position.prefix_crc, core::Crc32c(std::string_view(data).substr(0, position.offset)));

    auto second = EventSource::Open(path, symbols_, decls_, options, &position);
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE((*second)->resumed());
    EXPECT_EQ((*second)->position(), position);
    std::vector<std::string> rest = ReadAll(**second);
    got.insert(got.end(), rest.begin(), rest.end());
    ASSERT_EQ(got, expected);
  }
  std::remove(path.c_str());
}

TEST_F(EventSourceTest, ResumedLineNumbersAndBatchTimeContinue) {
  std::string path = TempPath("lines.evt");
  WriteFile(path, "BATCH 4s\nA {n: 1}\nA {n: 2}\n\nA {n 3}\n");
  auto first = EventSource::Open(path, symbols_, decls_);
  ASSERT_TRUE(first.ok());
  core::Record r;
  ASSERT_TRUE(*(*first)->Next(r));
  SourcePosition position = (*first)->position();
  EXPECT_EQ(position.line, 3u);
  EXPECT_EQ(position.batch_time, 4000);
  auto second = EventSource::Open(path, symbols_, decls_, {}, &position);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(*(*second)->Next(r));
  EXPECT_EQ(Describe(symbols_, r), "A @4000 {\"n\":2}");
  auto bad = (*second)->Next(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind(path + ":5:6: error: ", 0), 0u) << bad.status().message();
  std::remove(path.c_str());
}

TEST_F(EventSourceTest, ResumeOnAnotherFileReadsFromTheStart) {
  std::string path = TempPath("resume.evt");
  WriteFile(path, "A {n: 1}\nA {n: 2}\nA {n: 3}\n");
  auto first = EventSource::Open(path, symbols_, decls_);
  ASSERT_TRUE(first.ok());
  core::Record r;
  ASSERT_TRUE(*(*first)->Next(r));
  SourcePosition position = (*first)->position();

  // Edited prefix: same length, different bytes.
  WriteFile(path, "A {n: 9}\nA {n: 2}\nA {n: 3}\n");
  auto edited = EventSource::Open(path, symbols_, decls_, {}, &position);
  ASSERT_TRUE(edited.ok());
  EXPECT_FALSE((*edited)->resumed());
  EXPECT_EQ(ReadAll(**edited).size(), 3u);

  // Shorter than the offset.
  WriteFile(path, "A {}\n");
  auto shorter = EventSource::Open(path, symbols_, decls_, {}, &position);
  ASSERT_TRUE(shorter.ok());
  EXPECT_FALSE((*shorter)->resumed());
  EXPECT_EQ(ReadAll(**shorter).size(), 1u);

  // Same prefix, grown by appends: resumes and reads only the new part.
  WriteFile(path, "A {n: 1}\nA {n: 2}\nA {n: 3}\nA {n: 4}\n");
  auto grown = EventSource::Open(path, symbols_, decls_, {}, &position);
  ASSERT_TRUE(grown.ok());
  EXPECT_TRUE((*grown)->resumed());
  EXPECT_EQ(ReadAll(**grown),
            (std::vector<std::string>{"A @0 {\"n\":2}", "A @0 {\"n\":3}", "A @0 {\"n\":4}"}));
  std::remove(path.c_str());
}

TEST_F(EventSourceTest, LinesLongerThanTheBlockAreReadWhole) {
  std::string big(300000, 'q');
  std::string data = "A { s: \"" + big + "\" }\nB {}\n";
  std::string path = TempPath("long.evt");
  WriteFile(path, data);
  EventSourceOptions options;
  options.block_size = 1000;
  auto source = EventSource::Open(path, symbols_, decls_, options);
  ASSERT_TRUE(source.ok());
  core::Record r;
  ASSERT_TRUE(*(*source)->Next(r));
  EXPECT_EQ(r.Get("s").AsStr().size(), big.size());
  ASSERT_TRUE(*(*source)->Next(r));
  EXPECT_EQ(symbols_.Name(r.type), "B");
  std::remove(path.c_str());
}

TEST_F(EventSourceTest, OverlongLineIsAnErrorOrSkippedWithoutUnboundedMemory) {
  std::string data = "A {n: 1}\nA { s: \"" + std::string(50000, 'q') + "\" }\nA {n: 3}\n";
  std::string path = TempPath("overlong.evt");
  WriteFile(path, data);
  EventSourceOptions options;
  options.block_size = 1024;
  options.max_line_bytes = 8192;
  {
    auto source = EventSource::Open(path, symbols_, decls_, options);
    ASSERT_TRUE(source.ok());
    core::Record r;
    ASSERT_TRUE(*(*source)->Next(r));
    auto bad = (*source)->Next(r);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().message(), path + ":2: error: line longer than 8192 bytes");
  }
  options.skip_bad_events = true;
  auto source = EventSource::Open(path, symbols_, decls_, options);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(ReadAll(**source), (std::vector<std::string>{"A @0 {\"n\":1}", "A @0 {\"n\":3}"}));
  EXPECT_EQ((*source)->bad_events(), 1u);
  SourcePosition end = (*source)->position();
  EXPECT_EQ(end.line, 4u);
  EXPECT_EQ(end.offset, data.size());
  EXPECT_EQ(end.prefix_crc, core::Crc32c(data));
  std::remove(path.c_str());
}

TEST_F(EventSourceTest, LiveStdinYieldsEachCompleteLineWithoutWaitingForMore) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  int saved_stdin = ::dup(STDIN_FILENO);
  ASSERT_GE(saved_stdin, 0);
  ASSERT_EQ(::dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
  ::close(fds[0]);
  auto source = EventSource::Open("-", symbols_, decls_);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->name(), "<stdin>");
  auto write_all = [&](const std::string& s) {
    ASSERT_EQ(::write(fds[1], s.data(), s.size()), static_cast<ssize_t>(s.size()));
  };
  core::Record r;
  // Only a line and a half are available; the first event must come out now (a reader waiting
  // for a full block or for EOF would block forever here, since the writer is this thread).
  write_all("@1s A {n: 1}\nA {n:");
  ASSERT_TRUE(*(*source)->Next(r));
  EXPECT_EQ(Describe(symbols_, r), "A @1000 {\"n\":1}");
  write_all(" 2}\n{\"event_type\": \"B\"}");
  ASSERT_TRUE(*(*source)->Next(r));
  EXPECT_EQ(Describe(symbols_, r), "A @0 {\"n\":2}");
  ::close(fds[1]);  // EOF: the last line has no newline and still counts
  ASSERT_TRUE(*(*source)->Next(r));
  EXPECT_EQ(Describe(symbols_, r), "B @0 {}");
  EXPECT_FALSE(*(*source)->Next(r));
  EXPECT_EQ((*source)->position().events, 3u);
  ASSERT_EQ(::dup2(saved_stdin, STDIN_FILENO), STDIN_FILENO);
  ::close(saved_stdin);
}

TEST_F(EventSourceTest, EmptyInputHasNoEvents) {
  auto source = EventSource::FromString("empty", "", symbols_, decls_);
  core::Record r;
  EXPECT_FALSE(*source->Next(r));
  EXPECT_EQ(source->position(), SourcePosition{});
}

}  // namespace
}  // namespace varpulis::io

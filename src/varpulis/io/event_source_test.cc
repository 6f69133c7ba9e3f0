#include "varpulis/io/event_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
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

TEST_F(EventSourceTest, LargeFilesOfBothFormats) {
  constexpr int kEvents = 200000;
  std::string evt;
  std::string jsonl;
  for (int i = 0; i < kEvents; ++i) {
    evt += "@" + std::to_string(i) + " R { s: \"s" + std::to_string(i % 10) +
           "\", v: " + std::to_string(i) + ".5, n: " + std::to_string(i) + " }\n";
    jsonl += R"({"event_type":"R","ts":)" + std::to_string(i) + R"(,"fields":{"s":"s)" +
             std::to_string(i % 10) + R"(","v":)" + std::to_string(i) + R"(.5,"n":)" +
             std::to_string(i) + "}}\n";
  }
  for (const std::string* data : {&evt, &jsonl}) {
    std::string path = TempPath("large");
    WriteFile(path, *data);
    EventSourceOptions options;
    options.block_size = 65536;  // many refills, lines cut at block ends
    auto source = EventSource::Open(path, symbols_, decls_, options);
    ASSERT_TRUE(source.ok());
    core::Record r;
    const core::Schema* schema = nullptr;
    for (int i = 0; i < kEvents; ++i) {
      auto got = (*source)->Next(r);
      ASSERT_TRUE(got.ok() && *got) << i;
      ASSERT_EQ(r.ts, i);
      ASSERT_EQ(r.values[2], core::Value::Int(i));
      ASSERT_EQ(r.values[1], core::Value::Float(i + 0.5));
      if (schema == nullptr) schema = r.schema.get();
      ASSERT_EQ(r.schema.get(), schema);  // one schema for the whole file
    }
    EXPECT_FALSE(*(*source)->Next(r));
    SourcePosition end = (*source)->position();
    EXPECT_EQ(end.offset, data->size());
    EXPECT_EQ(end.line, static_cast<std::uint64_t>(kEvents) + 1);
    EXPECT_EQ(end.prefix_crc, core::Crc32c(*data));
    std::remove(path.c_str());
  }
}

// Corrupted input never crashes or hangs: every line is either an event or one reported error.
TEST_F(EventSourceTest, RandomCorruptionIsReportedLineByLine) {
  unsigned seed = static_cast<unsigned>(std::random_device{}());
  std::fprintf(stderr, "RandomCorruptionIsReportedLineByLine seed %u\n", seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::string data = MixedInput(400, seed);
  const char kNasty[] = "{}[]()\"'\\:,;@#/ \t\r\n0123456789eE.+-_aZ\x00\xff\xc3";
  for (int round = 0; round < 200; ++round) {
    std::string mutated = data;
    int edits = 1 + static_cast<int>(rng() % 20);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % mutated.size();
      switch (rng() % 3) {
        case 0:
          mutated[at] = kNasty[rng() % (sizeof(kNasty) - 1)];
          break;
        case 1:
          mutated.erase(at, 1 + rng() % 8);
          break;
        default:
          mutated.insert(at, 1, kNasty[rng() % (sizeof(kNasty) - 1)]);
          break;
      }
      if (mutated.empty()) mutated = "x";
    }
    EventSourceOptions options;
    options.skip_bad_events = true;
    std::uint64_t reported = 0;
    options.on_bad_event = [&](const core::Status& s) {
      ++reported;
      ASSERT_EQ(s.code(), core::StatusCode::kInvalidArgument);
      ASSERT_EQ(s.message().rfind("fuzz:", 0), 0u) << s.message();
    };
    auto source = EventSource::FromString("fuzz", mutated, symbols_, decls_, options);
    core::Record r;
    std::uint64_t events = 0;
    while (true) {
      auto got = source->Next(r);
      ASSERT_TRUE(got.ok()) << got.status().message();
      if (!*got) break;
      ++events;
      ASSERT_TRUE(r.schema != nullptr);
      ASSERT_EQ(r.values.size(), r.schema->size());
    }
    std::uint64_t lines =
        static_cast<std::uint64_t>(std::count(mutated.begin(), mutated.end(), '\n'));
    if (mutated.back() != '\n') ++lines;
    EXPECT_LE(events + reported, lines);
    EXPECT_EQ(source->bad_events(), reported);
    EXPECT_EQ(source->position().offset, mutated.size());
  }
}

TEST_F(EventSourceTest, EveryConformanceEventFileParses) {
  namespace fs = std::filesystem;
  fs::path cases = fs::path(VARPULIS_SHARED_DIR) / "conformance" / "cases";
  if (!fs::exists(cases)) GTEST_SKIP() << "no conformance cases at " << cases;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(cases)) {
    if (entry.path().extension() != ".evt") continue;
    ++files;
    auto source = EventSource::Open(entry.path().string(), symbols_, decls_);
    ASSERT_TRUE(source.ok()) << entry.path();
    EXPECT_GT(ReadAll(**source).size(), 0u) << entry.path();
  }
  EXPECT_GT(files, 0);
}

TEST_F(EventSourceTest, ValidateEventFileFindsTheFirstBadLine) {
  std::string path = TempPath("validate.evt");
  WriteFile(path, "A {n: 1}\n{\"event_type\": \"B\"}\n");
  EXPECT_TRUE(ValidateEventFile(path, decls_).ok());
  WriteFile(path, "A {n: 1}\nA {n 2}\nA {n: }\n");
  core::Status status = ValidateEventFile(path, decls_);
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), path + ":2:6: error: expected ':' after field name 'n', found '2'");
  EXPECT_EQ(symbols_.Find("A"), core::SymbolTable::kUnknown);  // the caller's table is untouched
  std::remove(path.c_str());
  EXPECT_EQ(ValidateEventFile(path, decls_).code(), core::StatusCode::kNotFound);
}

TEST_F(EventSourceTest, EmptyInputHasNoEvents) {
  auto source = EventSource::FromString("empty", "", symbols_, decls_);
  core::Record r;
  EXPECT_FALSE(*source->Next(r));
  EXPECT_EQ(source->position(), SourcePosition{});
}

}  // namespace
}  // namespace varpulis::io

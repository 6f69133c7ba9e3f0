#include "varpulis/io/output_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace varpulis::io {
namespace {

core::Record MakeRecord(std::int64_t ts, std::vector<std::string> names,
                        std::vector<core::Value> values) {
  core::Record r;
  r.ts = ts;
  r.schema = std::make_shared<const core::Schema>(std::move(names));
  r.values = std::move(values);
  return r;
}

std::string Line(OutputFormat format, std::string_view stream, const core::Record& r) {
  std::string out;
  AppendOutputLine(format, stream, r, out);
  return out;
}

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "varpulis_out_" + std::to_string(::getpid()) + "_" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(OutputFormatTest, JsonLineIsExact) {
  core::Record r = MakeRecord(1234, {"sum", "n", "avg", "name"},
                              {core::Value::Int(150), core::Value::Int(5), core::Value::Float(30.0),
                               core::Value::Str("s1")});
  EXPECT_EQ(Line(OutputFormat::kJsonLines, "WindowedSum", r),
            "{\"stream\":\"WindowedSum\",\"ts\":1234,\"fields\":{\"sum\":150,\"n\":5,\"avg\":30.0,"
            "\"name\":\"s1\"}}\n");
}

TEST(OutputFormatTest, FloatsAlwaysLookLikeFloats) {
  core::Record r =
      MakeRecord(0, {"a", "b", "c", "d", "e", "f", "g"},
                 {core::Value::Float(3.0), core::Value::Float(1e16), core::Value::Float(2.5),
                  core::Value::Float(-0.0001), core::Value::Float(0.1 + 0.2),
                  core::Value::Float(1e-7), core::Value::Float(123456789012345.0)});
  EXPECT_EQ(Line(OutputFormat::kJsonLines, "F", r),
            "{\"stream\":\"F\",\"ts\":0,\"fields\":{\"a\":3.0,\"b\":1e+16,\"c\":2.5,"
            "\"d\":-0.0001,\"e\":0.30000000000000004,\"f\":1e-07,\"g\":123456789012345.0}}\n");
}

TEST(OutputFormatTest, StringsEscapesNullsBoolsNestedArraysAndMaps) {
  core::ValueMap inner = {{"k", core::Value::Array({core::Value::Int(1), core::Value()})},
                          {"q\"", core::Value::Bool(false)}};
  core::Record r =
      MakeRecord(-5, {"s", "n", "b", "nested"},
                 {core::Value::Str("a\"b\\c\nd\te\x01"), core::Value(), core::Value::Bool(true),
                  core::Value::Array(
                      {core::Value::Array({}), core::Value::Map(inner), core::Value::Str("x")})});
  EXPECT_EQ(Line(OutputFormat::kJsonLines, "S\"1", r),
            "{\"stream\":\"S\\\"1\",\"ts\":-5,\"fields\":{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\","
            "\"n\":null,\"b\":true,\"nested\":[[],{\"k\":[1,null],\"q\\\"\":false},\"x\"]}}\n");
}

TEST(OutputFormatTest, DurationsAndTimestampsAsMilliseconds) {
  core::Record r =
      MakeRecord(0, {"d", "t", "frac"},
                 {core::Value::Duration(5'000'000'000), core::Value::Timestamp(1'500'000'000),
                  core::Value::Duration(1'500'000)});
  EXPECT_EQ(Line(OutputFormat::kJsonLines, "D", r),
            "{\"stream\":\"D\",\"ts\":0,\"fields\":{\"d\":5000,\"t\":1500,\"frac\":1.5}}\n");
}

TEST(OutputFormatTest, EmptyRecordAndMissingSchema) {
  core::Record empty;
  empty.ts = 7;
  EXPECT_EQ(Line(OutputFormat::kJsonLines, "E", empty),
            "{\"stream\":\"E\",\"ts\":7,\"fields\":{}}\n");
  EXPECT_EQ(Line(OutputFormat::kText, "E", empty), "E @7 {}\n");
}

TEST(OutputFormatTest, TextFormat) {
  core::Record r =
      MakeRecord(1234, {"a", "b", "name", "xs"},
                 {core::Value::Int(1), core::Value::Float(2.5), core::Value::Str("x y"),
                  core::Value::Array({core::Value::Int(1), core::Value::Float(2.0)})});
  EXPECT_EQ(Line(OutputFormat::kText, "S", r),
            "S @1234 {a: 1, b: 2.5, name: \"x y\", xs: [1,2.0]}\n");
}

TEST(OutputFormatTest, ParseOutputFormat) {
  EXPECT_EQ(ParseOutputFormat("jsonl"), OutputFormat::kJsonLines);
  EXPECT_EQ(ParseOutputFormat("json"), OutputFormat::kJsonLines);
  EXPECT_EQ(ParseOutputFormat("text"), OutputFormat::kText);
  EXPECT_EQ(ParseOutputFormat("xml"), std::nullopt);
}

TEST(OutputWriterTest, BuffersUntilFlushThenWritesEverything) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
  auto writer = OutputWriter::ForFd(fds[1], OutputFormat::kJsonLines);
  core::Record r = MakeRecord(1, {"x"}, {core::Value::Int(1)});
  ASSERT_TRUE(writer->Write("S", r).ok());
  ASSERT_TRUE(writer->Write("S", r).ok());
  char buf[256];
  EXPECT_EQ(::read(fds[0], buf, sizeof(buf)), -1);  // nothing written yet: EAGAIN
  std::string line = "{\"stream\":\"S\",\"ts\":1,\"fields\":{\"x\":1}}\n";
  EXPECT_EQ(writer->length(), 2 * line.size());
  EXPECT_EQ(writer->lines(), 2u);
  ASSERT_TRUE(writer->Flush().ok());
  ssize_t n = ::read(fds[0], buf, sizeof(buf));
  ASSERT_EQ(n, static_cast<ssize_t>(2 * line.size()));
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), line + line);
  writer.reset();
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(OutputWriterTest, SmallBufferWritesAsItFills) {
  std::string path = TempPath("small.jsonl");
  auto writer = OutputWriter::OpenFile(path, OutputFormat::kText, std::nullopt, 16);
  ASSERT_TRUE(writer.ok());
  core::Record r = MakeRecord(1, {"x"}, {core::Value::Int(1)});
  ASSERT_TRUE((*writer)->Write("Stream", r).ok());  // longer than the buffer: written at once
  EXPECT_EQ(ReadFile(path), "Stream @1 {x: 1}\n");
  std::remove(path.c_str());
}

TEST(OutputWriterTest, FileLengthTruncateToRecordedLengthAndAppend) {
  std::string path = TempPath("exactly_once.jsonl");
  core::Record r1 = MakeRecord(1, {"n"}, {core::Value::Int(1)});
  core::Record r2 = MakeRecord(2, {"n"}, {core::Value::Int(2)});
  core::Record r3 = MakeRecord(3, {"n"}, {core::Value::Int(3)});
  std::uint64_t committed = 0;
  {
    auto writer = OutputWriter::OpenFile(path, OutputFormat::kJsonLines);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("S", r1).ok());
    ASSERT_TRUE((*writer)->Sync().ok());
    committed = (*writer)->length();  // what a checkpoint would record
    ASSERT_TRUE((*writer)->Write("S", r2).ok());
    ASSERT_TRUE((*writer)->Flush().ok());  // output after the checkpoint, then a "crash"
  }
  auto length = OutputWriter::FileLength(path);
  ASSERT_TRUE(length.ok());
  EXPECT_GT(*length, committed);
  {
    auto writer = OutputWriter::OpenFile(path, OutputFormat::kJsonLines, committed);
    ASSERT_TRUE(writer.ok()) << writer.status().message();
    EXPECT_EQ((*writer)->length(), committed);
    EXPECT_EQ(*OutputWriter::FileLength(path), committed);
    ASSERT_TRUE((*writer)->Write("S", r2).ok());  // replayed
    ASSERT_TRUE((*writer)->Write("S", r3).ok());
    ASSERT_TRUE((*writer)->Flush().ok());
    EXPECT_EQ((*writer)->length(), *OutputWriter::FileLength(path));
  }
  EXPECT_EQ(ReadFile(path),
            "{\"stream\":\"S\",\"ts\":1,\"fields\":{\"n\":1}}\n"
            "{\"stream\":\"S\",\"ts\":2,\"fields\":{\"n\":2}}\n"
            "{\"stream\":\"S\",\"ts\":3,\"fields\":{\"n\":3}}\n");

  // Fresh open without a recorded length truncates to zero.
  {
    auto writer = OutputWriter::OpenFile(path, OutputFormat::kJsonLines);
    ASSERT_TRUE(writer.ok());
  }
  EXPECT_EQ(*OutputWriter::FileLength(path), 0u);
  std::remove(path.c_str());
}

TEST(OutputWriterTest, RecordedLengthBeyondTheFileIsAFailedPrecondition) {
  std::string path = TempPath("short.jsonl");
  {
    std::ofstream f(path);
    f << "abc";
  }
  auto writer = OutputWriter::OpenFile(path, OutputFormat::kJsonLines, 10);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(path), "abc");  // untouched
  std::remove(path.c_str());
  auto missing = OutputWriter::OpenFile(path, OutputFormat::kJsonLines, 0);
  EXPECT_EQ(missing.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_EQ(OutputWriter::FileLength(path).status().code(), core::StatusCode::kNotFound);
}

TEST(OutputWriterTest, WriteErrorIsReportedAndSticky) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // no reader: write fails with EPIPE (SIGPIPE ignored below)
  auto old = std::signal(SIGPIPE, SIG_IGN);
  auto writer = OutputWriter::ForFd(fds[1], OutputFormat::kJsonLines);
  core::Record r = MakeRecord(1, {"x"}, {core::Value::Int(1)});
  ASSERT_TRUE(writer->Write("S", r).ok());
  core::Status status = writer->Flush();
  EXPECT_EQ(status.code(), core::StatusCode::kIo);
  EXPECT_NE(status.message().find("Broken pipe"), std::string::npos) << status.message();
  EXPECT_EQ(writer->Write("S", r), status);
  writer.reset();
  std::signal(SIGPIPE, old);
  ::close(fds[1]);
}

}  // namespace
}  // namespace varpulis::io

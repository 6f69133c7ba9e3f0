// output_writer.h — writes emitted records as output lines (spec/vpl.md §11) to a file
// descriptor, buffered.
//
// Formats:
//   kJsonLines  {"stream":"S","ts":1234,"fields":{"a":1,"b":2.5}}   fields in record order,
//               values as core::Value::AppendJson (floats always with '.' or exponent: 3.0, 1e+16)
//   kText       S @1234 {a: 1, b: 2.5, name: "x"}   for people: field names bare, values as in
//               JSON (strings quoted and escaped, so a line is unambiguous)
//
// Lines are formatted into one large buffer and handed to write(2) in large chunks; nothing is
// written per record unless the buffer is full. Call Flush() where output must become visible
// (`varpulis run` flushes after each input event's output) and before recording a committed
// length for a checkpoint.
//
//   auto out = OutputWriter::ForFd(1, OutputFormat::kJsonLines);   // stdout, not owned
//   VP_RETURN_IF_ERROR(out->Write("Totals", record));
//   VP_RETURN_IF_ERROR(out->Flush());
//
// File output for exactly-once delivery (spec/state-and-server.md §4.6): OpenFile creates the
// file, or keeps its first `keep_length` bytes and truncates the rest (the length a checkpoint
// recorded), then appends. length() is the file's logical length including buffered bytes;
// after Flush() it is what a checkpoint records, after Sync() it is durable.
//
// Not thread-safe. Errors are kIo with the path (or fd) and strerror; after a failed write the
// writer keeps returning that error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "varpulis/core/record.h"
#include "varpulis/core/result.h"
#include "varpulis/core/status.h"

namespace varpulis::io {

enum class OutputFormat { kJsonLines, kText };

// "jsonl" (also "json") or "text"; nullopt for anything else.
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);

// Appends one output line (with '\n') for `record` emitted by stream `stream`.
void AppendOutputLine(OutputFormat format, std::string_view stream, const core::Record& record,
                      std::string& out);

class OutputWriter {
 public:
  static constexpr std::size_t kDefaultBufferBytes = std::size_t{1} << 20;

  ~OutputWriter();  // flushes what is buffered (errors are ignored: call Flush() to see them)
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  // A writer on `fd`, which it does not own (stdout: 1).
  static std::unique_ptr<OutputWriter> ForFd(int fd, OutputFormat format,
                                             std::size_t buffer_bytes = kDefaultBufferBytes);

  // Opens `path` for output. keep_length nullopt: create or truncate to 0. keep_length n: the
  // file must exist with at least n bytes (else kFailedPrecondition, the checkpoint is unusable);
  // it is truncated to exactly n bytes and writing continues there. Errors: kIo.
  static core::Result<std::unique_ptr<OutputWriter>> OpenFile(
      const std::string& path, OutputFormat format,
      std::optional<std::uint64_t> keep_length = std::nullopt,
      std::size_t buffer_bytes = kDefaultBufferBytes);

  // Size of the file at `path`: kNotFound when it does not exist, kIo otherwise. Lets recovery
  // check a checkpoint's recorded length before choosing it.
  static core::Result<std::uint64_t> FileLength(const std::string& path);

  // Formats one line into the buffer; writes the buffer out when it is full.
  core::Status Write(std::string_view stream, const core::Record& record);
  // Writes every buffered byte.
  core::Status Flush();
  // Flush, then fsync (files; a no-op for pipes and terminals).
  core::Status Sync();

  // Bytes in the output so far: the kept prefix plus everything written or buffered.
  std::uint64_t length() const;
  // Lines written (buffered included) by this writer.
  std::uint64_t lines() const;

 private:
  OutputWriter(int fd, bool owns_fd, std::string name, OutputFormat format,
               std::size_t buffer_bytes, std::uint64_t start_length);
  core::Status WriteOut();

  int fd_;
  bool owns_fd_;
  std::string name_;
  OutputFormat format_;
  std::size_t buffer_bytes_;
  std::string buffer_;
  std::uint64_t flushed_length_;
  std::uint64_t lines_ = 0;
  core::Status error_;
};

}  // namespace varpulis::io

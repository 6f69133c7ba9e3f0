// event_source.h — reads input events (.evt and JSON lines, spec/vpl.md §10) from a file, stdin
// or memory, and yields them as core::Records with interned type ids.
//
// Input is read in large blocks (read(2), never iostreams) and split into lines; a line whose
// first non-blank character is `{` is a JSON object (§10.2), any other line follows the .evt
// grammar (§10.1). Both formats may be mixed in one file. Records of one type and field layout
// share one SchemaPtr (EventTypeCache).
//
//   core::SymbolTable symbols;
//   EventDeclarations decls;  // filled from the program
//   VP_ASSIGN_OR_RETURN(auto source, EventSource::Open("events.evt", symbols, decls));
//   core::Record record;
//   while (true) {
//     VP_ASSIGN_OR_RETURN(bool got, source->Next(record));
//     if (!got) break;  // end of input
//     ... route record.type ...
//   }
//
// Stdin ("-") may be a live, unbounded stream: Next() returns each complete line's event as soon
// as read(2) delivers it and blocks only when no complete line is buffered. EOF ends it; a last
// line without '\n' still counts.
//
// Errors. By default the first malformed line ends reading with kInvalidArgument
// "events.evt:12: error: expected ':' after field name 'x'" (every later Next returns the same
// status). With EventSourceOptions::skip_bad_events each bad line is counted, handed to
// `on_bad_event` (if set) and skipped. I/O failures are kIo and always fatal.
//
// Position (for checkpoints, spec/state-and-server.md §4.5). position() describes the point
// right after the last event returned: the next unread line's byte offset and number, the BATCH
// time in effect there, the events returned so far and the CRC32C of bytes [0, offset). Opening a
// file with `resume` set continues at that point when the file still holds the same prefix
// (length >= offset and equal CRC32C); otherwise it reads from the start and resumed() is false.
// Stdin and memory inputs cannot be resumed.
//
// Not thread-safe; one thread reads a source.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "varpulis/core/record.h"
#include "varpulis/core/result.h"
#include "varpulis/core/status.h"
#include "varpulis/core/symbol_table.h"
#include "varpulis/io/event_declarations.h"

namespace varpulis::io {

struct SourcePosition {
  std::uint64_t offset = 0;      // byte offset of the next unread line
  std::uint64_t line = 1;        // its line number, 1-based
  std::int64_t batch_time = 0;   // BATCH time (ms) in effect at `offset`
  std::uint64_t events = 0;      // events returned before `offset` (the stdin position)
  std::uint32_t prefix_crc = 0;  // CRC32C of bytes [0, offset); 0 when not tracked

  friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
};

struct EventSourceOptions {
  // Report, count and skip malformed lines instead of failing on the first one.
  bool skip_bad_events = false;
  // With skip_bad_events: called with each bad line's kInvalidArgument status (message as above).
  std::function<void(const core::Status&)> on_bad_event;
  // Maintain SourcePosition::prefix_crc (needed to resume a file; costs a CRC pass over input).
  bool track_prefix_crc = true;
  // Bytes per read(2). Lines longer than this are still read whole (the buffer grows), up to
  // max_line_bytes; a longer line is a bad line.
  std::size_t block_size = std::size_t{1} << 20;
  std::size_t max_line_bytes = std::size_t{64} << 20;
};

class EventSource {
 public:
  ~EventSource();
  EventSource(const EventSource&) = delete;
  EventSource& operator=(const EventSource&) = delete;

  // Opens `path`, or stdin when path is "-". `symbols` and `declarations` are borrowed and must
  // outlive the source. `resume`: see above. Errors: kNotFound (no such file), kIo.
  static core::Result<std::unique_ptr<EventSource>> Open(const std::string& path,
                                                         core::SymbolTable& symbols,
                                                         const EventDeclarations& declarations,
                                                         EventSourceOptions options = {},
                                                         const SourcePosition* resume = nullptr);

  // A source over bytes in memory (REST injection, tests). `name` appears in error messages.
  static std::unique_ptr<EventSource> FromString(std::string name, std::string data,
                                                 core::SymbolTable& symbols,
                                                 const EventDeclarations& declarations,
                                                 EventSourceOptions options = {});

  // The next event into `out` (its previous contents are replaced): true, or false at the end of
  // input. Errors: kInvalidArgument for a malformed line (unless skipping), kIo.
  core::Result<bool> Next(core::Record& out);

  // The point right after the last event returned (see above).
  SourcePosition position();

  // True when Open was given `resume` and reading continued from it.
  bool resumed() const;
  // The name used in messages: the path as given, "<stdin>" for "-".
  const std::string& name() const;
  // The canonical (absolute, symlink-free) path of a file input; empty for stdin and memory.
  const std::string& canonical_path() const;
  // Malformed lines skipped so far (skip_bad_events only).
  std::uint64_t bad_events() const;

 private:
  class Impl;
  explicit EventSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads the whole file at `path` and returns the first malformed line's error (the same message
// EventSource gives), or OK. For `simulate`, where a bad line must stop the run before anything is
// processed (spec/vpl.md §10.1): one extra parsing pass, in constant memory. Not for stdin.
// Errors: kInvalidArgument (bad line), kNotFound, kIo.
core::Status ValidateEventFile(const std::string& path, const EventDeclarations& declarations);

}  // namespace varpulis::io

#include "varpulis/io/event_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <sys/stat.h>

#include "varpulis/core/crc32c.h"
#include "varpulis/io/event_type_cache.h"
#include "varpulis/io/evt_parser.h"
#include "varpulis/io/jsonl_parser.h"

namespace varpulis::io {
namespace {

core::Status IoError(const std::string& what, const std::string& name, int err) {
  return core::Status::Io(what + " " + name + ": " + std::strerror(err));
}

}  // namespace

// Buffer invariant: buf_[0, end_) holds input bytes starting at file offset buf_offset_, and the
// capacity is at least end_ + kJsonPadding, so any line inside can go to simdjson in place.
// begin_ is the start of the next unread line; crc_ covers input bytes [0, crc_offset_) with
// buf_offset_ <= crc_offset_ <= buf_offset_ + begin_ (bytes are checksummed before they leave the
// buffer).
class EventSource::Impl {
 public:
  Impl(std::string name, std::string canonical, int fd, bool owns_fd, core::SymbolTable& symbols,
       const EventDeclarations& declarations, EventSourceOptions options)
      : name_(std::move(name)),
        canonical_(std::move(canonical)),
        fd_(fd),
        owns_fd_(owns_fd),
        options_(std::move(options)),
        types_(symbols, declarations),
        parser_(types_) {
    if (options_.block_size == 0) options_.block_size = 1;
  }
  ~Impl() {
    if (owns_fd_) ::close(fd_);
  }

  void LoadMemory(std::string_view data) {
    Reserve(data.size());
    std::memcpy(buf_.get(), data.data(), data.size());
    end_ = data.size();
    eof_ = true;
  }

  // Positions a regular file at `resume` if its prefix still matches. Errors: kIo.
  core::Status Resume(const SourcePosition& resume);

  core::Result<bool> Next(core::Record& out);

  SourcePosition position() {
    if (options_.track_prefix_crc) CrcUpTo(begin_);
    SourcePosition p;
    p.offset = buf_offset_ + begin_;
    p.line = line_;
    p.batch_time = parser_.batch_time();
    p.events = events_;
    p.prefix_crc = options_.track_prefix_crc ? crc_ : 0;
    return p;
  }

  bool resumed() const { return resumed_; }
  const std::string& name() const { return name_; }
  const std::string& canonical_path() const { return canonical_; }
  std::uint64_t bad_events() const { return bad_events_; }

 private:
  void Reserve(std::size_t bytes) {
    std::size_t need = bytes + kJsonPadding;
    if (need <= capacity_) return;
    std::size_t cap = std::max(need, capacity_ * 2);
    auto grown = std::make_unique_for_overwrite<char[]>(cap);
    if (end_ > 0) std::memcpy(grown.get(), buf_.get(), end_);
    std::memset(grown.get() + bytes, 0, cap - bytes);
    buf_ = std::move(grown);
    capacity_ = cap;
  }
  void CrcUpTo(std::size_t index) {
    std::uint64_t target = buf_offset_ + index;
    if (target <= crc_offset_) return;
    std::size_t from = static_cast<std::size_t>(crc_offset_ - buf_offset_);
    crc_ = core::Crc32c(std::string_view(buf_.get() + from, index - from), crc_);
    crc_offset_ = target;
  }
  // Reads more input after end_ (blocking until some arrives). False at end of input.
  core::Result<bool> Fill();
  // The error for a bad line, with its place. Handles skip mode: returns OK when skipped.
  core::Status BadLine(std::uint64_t line, std::size_t column, const core::Status& status);

  std::string name_;
  std::string canonical_;
  int fd_;
  bool owns_fd_;
  EventSourceOptions options_;
  EventTypeCache types_;
  EvtParser parser_;

  std::unique_ptr<char[]> buf_;
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t scanned_ = 0;  // buf_[begin_, scanned_) holds no '\n'
  std::uint64_t buf_offset_ = 0;
  bool eof_ = false;
  bool discarding_ = false;  // dropping the rest of an over-long line (skip mode)

  std::uint64_t line_ = 1;
  std::uint64_t events_ = 0;
  std::uint64_t bad_events_ = 0;
  std::uint32_t crc_ = 0;
  std::uint64_t crc_offset_ = 0;
  bool resumed_ = false;
  core::Status fatal_;
};

core::Status EventSource::Impl::Resume(const SourcePosition& resume) {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return IoError("cannot stat", name_, errno);
  if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) < resume.offset) {
    return core::Status::Ok();
  }
  // Checksum the first `offset` bytes to make sure this is the input the position belongs to.
  std::uint32_t crc = 0;
  std::uint64_t done = 0;
  Reserve(options_.block_size);
  while (done < resume.offset) {
    std::size_t want = static_cast<std::size_t>(
        std::min<std::uint64_t>(options_.block_size, resume.offset - done));
    ssize_t n = ::pread(fd_, buf_.get(), want, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", name_, errno);
    }
    if (n == 0) return core::Status::Ok();  // shrank meanwhile: read from the start
    crc = core::Crc32c(std::string_view(buf_.get(), static_cast<std::size_t>(n)), crc);
    done += static_cast<std::uint64_t>(n);
  }
  if (crc != resume.prefix_crc) return core::Status::Ok();
  if (::lseek(fd_, static_cast<off_t>(resume.offset), SEEK_SET) < 0) {
    return IoError("cannot seek", name_, errno);
  }
  buf_offset_ = resume.offset;
  crc_offset_ = resume.offset;
  crc_ = crc;
  line_ = resume.line;
  events_ = resume.events;
  parser_.set_batch_time(resume.batch_time);
  resumed_ = true;
  return core::Status::Ok();
}

core::Result<bool> EventSource::Impl::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    // Move the unfinished line to the front; what leaves the buffer is checksummed first.
    if (options_.track_prefix_crc) CrcUpTo(begin_);
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    buf_offset_ += begin_;
    end_ -= begin_;
    scanned_ -= begin_;
    begin_ = 0;
  }
  Reserve(end_ + options_.block_size);
  while (true) {
    ssize_t n = ::read(fd_, buf_.get() + end_, options_.block_size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", name_, errno);
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<std::size_t>(n);
    // Readable padding past the data (bytes beyond end_ may hold stale data; simdjson never
    // interprets them, it only needs them mapped).
    return true;
  }
}

core::Status EventSource::Impl::BadLine(std::uint64_t line, std::size_t column,
                                        const core::Status& status) {
  std::string place = name_ + ":" + std::to_string(line) + ":";
  if (column > 0) place += std::to_string(column) + ":";
  core::Status located = core::Status::InvalidArgument(place + " error: " + status.message());
  if (!options_.skip_bad_events) {
    fatal_ = located;
    return located;
  }
  ++bad_events_;
  if (options_.on_bad_event) options_.on_bad_event(located);
  return core::Status::Ok();
}

core::Result<bool> EventSource::Impl::Next(core::Record& out) {
  if (!fatal_.ok()) return fatal_;
  while (true) {
    std::size_t search = std::max(begin_, scanned_);
    const void* hit =
        search < end_ ? std::memchr(buf_.get() + search, '\n', end_ - search) : nullptr;
    std::size_t line_end;
    if (hit != nullptr) {
      line_end = static_cast<std::size_t>(static_cast<const char*>(hit) - buf_.get());
    } else {
      scanned_ = end_;
      if (discarding_) {
        // Still inside an over-long line that was already reported: drop what we have.
        if (options_.track_prefix_crc) CrcUpTo(end_);
        begin_ = end_;
      } else if (end_ - begin_ > options_.max_line_bytes) {
        core::Status status =
            BadLine(line_, 0,
                    core::Status::InvalidArgument(
                        "line longer than " + std::to_string(options_.max_line_bytes) + " bytes"));
        if (!status.ok()) return status;
        discarding_ = true;
        if (options_.track_prefix_crc) CrcUpTo(end_);
        begin_ = end_;
      }
      VP_ASSIGN_OR_RETURN(bool more, Fill());
      if (more) continue;
      if (begin_ == end_) {
        if (discarding_) {
          discarding_ = false;
          ++line_;
        }
        return false;
      }
      line_end = end_;  // the last line has no '\n'
    }
    std::size_t line_begin = begin_;
    std::uint64_t line_number = line_++;
    begin_ = line_end < end_ ? line_end + 1 : end_;
    scanned_ = begin_;
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    std::string_view line(buf_.get() + line_begin, line_end - line_begin);
    bool is_event = false;
    core::Status status = parser_.ParseLine(line, end_ + kJsonPadding - line_end, out, is_event);
    if (!status.ok()) {
      VP_RETURN_IF_ERROR(BadLine(line_number, parser_.error_column(), status));
      continue;
    }
    if (is_event) {
      ++events_;
      return true;
    }
  }
}

EventSource::EventSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventSource::~EventSource() = default;

core::Result<std::unique_ptr<EventSource>> EventSource::Open(const std::string& path,
                                                             core::SymbolTable& symbols,
                                                             const EventDeclarations& declarations,
                                                             EventSourceOptions options,
                                                             const SourcePosition* resume) {
  if (path == "-") {
    return std::unique_ptr<EventSource>(new EventSource(std::make_unique<Impl>(
        "<stdin>", "", STDIN_FILENO, false, symbols, declarations, std::move(options))));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      return core::Status::NotFound("cannot open " + path + ": " + std::strerror(err));
    }
    return IoError("cannot open", path, err);
  }
  std::string canonical;
  if (char* real = ::realpath(path.c_str(), nullptr)) {
    canonical = real;
    std::free(real);
  }
  auto impl = std::make_unique<Impl>(path, std::move(canonical), fd, true, symbols, declarations,
                                     std::move(options));
  if (resume != nullptr) VP_RETURN_IF_ERROR(impl->Resume(*resume));
  return std::unique_ptr<EventSource>(new EventSource(std::move(impl)));
}

std::unique_ptr<EventSource> EventSource::FromString(std::string name, std::string data,
                                                     core::SymbolTable& symbols,
                                                     const EventDeclarations& declarations,
                                                     EventSourceOptions options) {
  auto impl = std::make_unique<Impl>(std::move(name), "", -1, false, symbols, declarations,
                                     std::move(options));
  impl->LoadMemory(data);
  return std::unique_ptr<EventSource>(new EventSource(std::move(impl)));
}

core::Status ValidateEventFile(const std::string& path, const EventDeclarations& declarations) {
  core::SymbolTable symbols;  // private: validation must not intern names into the runtime's table
  EventSourceOptions options;
  options.track_prefix_crc = false;
  VP_ASSIGN_OR_RETURN(std::unique_ptr<EventSource> source,
                      EventSource::Open(path, symbols, declarations, options));
  core::Record record;
  while (true) {
    VP_ASSIGN_OR_RETURN(bool got, source->Next(record));
    if (!got) return core::Status::Ok();
  }
}

core::Result<bool> EventSource::Next(core::Record& out) { return impl_->Next(out); }
SourcePosition EventSource::position() { return impl_->position(); }
bool EventSource::resumed() const { return impl_->resumed(); }
const std::string& EventSource::name() const { return impl_->name(); }
const std::string& EventSource::canonical_path() const { return impl_->canonical_path(); }
std::uint64_t EventSource::bad_events() const { return impl_->bad_events(); }

}  // namespace varpulis::io

#include "varpulis/io/output_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include <sys/stat.h>

namespace varpulis::io {
namespace {

void AppendInt(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  out.append(buf, end);
}

core::Status IoError(const std::string& what, const std::string& name, int err) {
  return core::Status::Io(what + " " + name + ": " + std::strerror(err));
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "jsonl" || name == "json") return OutputFormat::kJsonLines;
  if (name == "text") return OutputFormat::kText;
  return std::nullopt;
}

void AppendOutputLine(OutputFormat format, std::string_view stream, const core::Record& record,
                      std::string& out) {
  if (format == OutputFormat::kJsonLines) {
    out += "{\"stream\":";
    core::AppendJsonString(out, stream);
    out += ",\"ts\":";
    AppendInt(out, record.ts);
    out += ",\"fields\":";
    record.AppendFieldsJson(out);
    out += "}\n";
    return;
  }
  out.append(stream);
  out += " @";
  AppendInt(out, record.ts);
  out += " {";
  for (std::size_t i = 0; record.schema && i < record.schema->size(); ++i) {
    if (i) out += ", ";
    out += record.schema->name(i);
    out += ": ";
    record.values[i].AppendJson(out);
  }
  out += "}\n";
}

OutputWriter::OutputWriter(int fd, bool owns_fd, std::string name, OutputFormat format,
                           std::size_t buffer_bytes, std::uint64_t start_length)
    : fd_(fd),
      owns_fd_(owns_fd),
      name_(std::move(name)),
      format_(format),
      buffer_bytes_(buffer_bytes == 0 ? 1 : buffer_bytes),
      flushed_length_(start_length) {
  buffer_.reserve(buffer_bytes_ + 4096);
}

OutputWriter::~OutputWriter() {
  Flush().IgnoreError();
  if (owns_fd_) ::close(fd_);
}

std::unique_ptr<OutputWriter> OutputWriter::ForFd(int fd, OutputFormat format,
                                                  std::size_t buffer_bytes) {
  return std::unique_ptr<OutputWriter>(
      new OutputWriter(fd, false, "fd " + std::to_string(fd), format, buffer_bytes, 0));
}

core::Result<std::uint64_t> OutputWriter::FileLength(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return core::Status::NotFound("output file " + path + " does not exist");
    return IoError("cannot stat", path, errno);
  }
  return static_cast<std::uint64_t>(st.st_size);
}

core::Result<std::unique_ptr<OutputWriter>> OutputWriter::OpenFile(
    const std::string& path, OutputFormat format, std::optional<std::uint64_t> keep_length,
    std::size_t buffer_bytes) {
  int flags = O_WRONLY | O_CLOEXEC | (keep_length ? 0 : O_CREAT | O_TRUNC);
  int fd = ::open(path.c_str(), flags, 0644);
  if (fd < 0) {
    if (keep_length && errno == ENOENT) {
      return core::Status::FailedPrecondition("output file " + path +
                                              " does not exist; cannot keep " +
                                              std::to_string(*keep_length) + " bytes");
    }
    return IoError("cannot open", path, errno);
  }
  std::uint64_t length = 0;
  if (keep_length) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return IoError("cannot stat", path, err);
    }
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (size < *keep_length) {
      ::close(fd);
      return core::Status::FailedPrecondition("output file " + path + " has " +
                                              std::to_string(size) + " bytes, fewer than the " +
                                              std::to_string(*keep_length) + " recorded");
    }
    if (::ftruncate(fd, static_cast<off_t>(*keep_length)) != 0) {
      int err = errno;
      ::close(fd);
      return IoError("cannot truncate", path, err);
    }
    length = *keep_length;
  }
  if (::lseek(fd, static_cast<off_t>(length), SEEK_SET) < 0) {
    int err = errno;
    ::close(fd);
    return IoError("cannot seek", path, err);
  }
  return std::unique_ptr<OutputWriter>(
      new OutputWriter(fd, true, path, format, buffer_bytes, length));
}

core::Status OutputWriter::Write(std::string_view stream, const core::Record& record) {
  if (!error_.ok()) return error_;
  AppendOutputLine(format_, stream, record, buffer_);
  ++lines_;
  if (buffer_.size() >= buffer_bytes_) return WriteOut();
  return core::Status::Ok();
}

core::Status OutputWriter::Flush() {
  if (!error_.ok()) return error_;
  return WriteOut();
}

core::Status OutputWriter::WriteOut() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = IoError("cannot write", name_, errno);
      // What did land counts as flushed; the rest stays buffered.
      buffer_.erase(0, done);
      flushed_length_ += done;
      return error_;
    }
    done += static_cast<std::size_t>(n);
  }
  flushed_length_ += done;
  buffer_.clear();
  return core::Status::Ok();
}

core::Status OutputWriter::Sync() {
  VP_RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
    error_ = IoError("cannot fsync", name_, errno);
    return error_;
  }
  return core::Status::Ok();
}

std::uint64_t OutputWriter::length() const { return flushed_length_ + buffer_.size(); }

std::uint64_t OutputWriter::lines() const { return lines_; }

}  // namespace varpulis::io

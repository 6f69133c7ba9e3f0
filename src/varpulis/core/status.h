// status.h — the outcome of an operation that can fail for reasons outside our control.
//
// Our code never throws. A failure travels as a Status whose code tells the caller what to do
// next (retry, skip, report), and a message naming the place and the cause. OK carries no
// message and allocates nothing.
//
//   Status s = store.Put(key, value);
//   if (!s.ok()) return s;             // or VP_RETURN_IF_ERROR(store.Put(key, value));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace varpulis::core {

enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,     // the caller passed something wrong; fix the input
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // the named thing exists and may not be replaced
  kFailedPrecondition,  // the system is not in a state for this; wait for a fix
  kResourceExhausted,   // a quota or limit was hit; back off
  kUnavailable,         // transient; retry the same call
  kDataLoss,            // stored data is damaged
  kUnimplemented,       // not supported by this build or release
  kInternal,            // a bug of ours or an unexpected library failure
  kInvalidKey,          // state store: a key breaks the key rules
  kIo,                  // OS, RocksDB or network failure
  kCorrupt,             // stored bytes fail verification (magic, crc, length, decode)
  kIncompatible,        // stored data is of a newer or different format/program
  kLocked,              // a directory is held by another process
};

// Stable lower-case name of a code ("invalid_argument"), used in messages and JSON errors.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status InvalidKey(std::string m) { return {StatusCode::kInvalidKey, std::move(m)}; }
  static Status Io(std::string m) { return {StatusCode::kIo, std::move(m)}; }
  static Status Corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
  static Status Incompatible(std::string m) { return {StatusCode::kIncompatible, std::move(m)}; }
  static Status Locked(std::string m) { return {StatusCode::kLocked, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "corrupt: checkpoint 7: crc mismatch"; "ok" for OK.
  std::string ToString() const;

  // Marks a deliberately ignored status, so a grep finds every such place.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace varpulis::core

#define VP_STATUS_CONCAT_INNER(a, b) a##b
#define VP_STATUS_CONCAT(a, b) VP_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define VP_RETURN_IF_ERROR(expr)                  \
  do {                                            \
    ::varpulis::core::Status vp_status_ = (expr); \
    if (!vp_status_.ok()) return vp_status_;      \
  } while (false)

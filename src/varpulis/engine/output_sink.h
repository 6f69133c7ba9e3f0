// output_sink.h — where `.emit` writes its records (spec/vpl.md §6.5, §11).
//
// The engine does not format or write bytes itself (that is io/): the CLI or server hands the
// runtime an OutputSink, and every `.emit` calls Write the moment it creates a record, so output
// order is emission order. Called on the runtime's event thread only.
#pragma once

#include <string_view>

#include "varpulis/core/record.h"
#include "varpulis/core/status.h"

namespace varpulis::engine {

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // One emitted record of stream `stream`. An error (kIo) stops the run.
  virtual core::Status Write(std::string_view stream, const core::Record& record) = 0;
};

}  // namespace varpulis::engine

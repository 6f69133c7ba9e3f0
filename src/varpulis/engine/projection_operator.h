// projection_operator.h — `.select(...)` and `.emit(...)` / `.emit as T(...)` / `.emit()`
// (spec/vpl.md §6.4): build a record with exactly the listed fields, in order, keeping ts.
// `.emit` also writes the record to the OutputSink the moment it is built. Stateless.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/output_sink.h"

namespace varpulis::engine {

struct ProjectionItem {
  std::string name;
  ExpressionPtr value;
};

class ProjectionOperator final : public Operator {
 public:
  // `items` empty with `sink` set is `.emit()`: the record itself is written and passed on.
  // `sink` null is `.select`. `stream` is the name written in output lines; `stream_type` the
  // interned id stamped on built records. Borrowed pointers outlive the operator.
  ProjectionOperator(std::vector<ProjectionItem> items, EvalContext* ctx, OutputSink* sink,
                     std::string stream, std::uint32_t stream_type);

  core::Status OnEvent(core::Record record, Emitter& out) override;

  // The same work in place, for the runtime's direct path: `record` becomes the built record
  // (its value storage is reused, so a projection allocates nothing per record).
  core::Status Apply(core::Record& record);

 private:
  std::vector<core::Value> scratch_;
  std::vector<ProjectionItem> items_;
  // Slot in the built record of each item: a later item with the same name replaces the
  // earlier one in place (names stay unique, §4.2).
  std::vector<int> slots_;
  core::SchemaPtr schema_;
  EvalContext* ctx_;
  OutputSink* sink_;
  std::string stream_;
  std::uint32_t stream_type_;
};

}  // namespace varpulis::engine

// program.h — a compiled VPL program: the streams graph the runtime executes.
//
// Built by CompileProgram (plan_compiler.cc) from a checked AST. Owns everything the operators
// borrow: the symbol table, the evaluation context (globals), user functions, and the output
// router `.emit` writes through. Streams are in declaration order; `topological_order` lists
// them so that every stream comes after the streams it reads (ties by declaration order).
//
//   VP_ASSIGN_OR_RETURN(std::unique_ptr<Program> program, CompileProgram(ast, options));
//   Runtime runtime(std::move(program), &sink);
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/result.h"
#include "varpulis/core/symbol_table.h"
#include "varpulis/engine/compile_scope.h"
#include "varpulis/engine/expression.h"
#include "varpulis/engine/operator.h"
#include "varpulis/engine/output_sink.h"
#include "varpulis/lang/ast.h"

namespace varpulis::engine {

class PatternOperator;

// `.emit` writes here; the runtime points it at the real sink and counts what passes.
class OutputRouter final : public OutputSink {
 public:
  core::Status Write(std::string_view stream, const core::Record& record) override {
    ++outputs_;
    if (target_ == nullptr) return core::Status::Ok();
    return target_->Write(stream, record);
  }
  void set_target(OutputSink* target) { target_ = target; }
  std::uint64_t outputs() const { return outputs_; }
  void set_outputs(std::uint64_t n) { outputs_ = n; }

 private:
  OutputSink* target_ = nullptr;
  std::uint64_t outputs_ = 0;
};

// One member of a stream's source: an event type or another stream, with an optional filter
// (the `.where` of an inline merge member).
struct SourceMember {
  bool is_stream = false;
  std::uint32_t type = 0;  // event type id (is_stream false)
  int stream = -1;         // stream index (is_stream true)
  ExpressionPtr filter;    // may be null
};

struct CompiledStream {
  std::string name;
  std::uint32_t type = 0;  // interned stream name: Record::type of what it passes on
  std::vector<SourceMember> members;
  std::vector<std::unique_ptr<Operator>> ops;
  std::vector<std::string> op_ids;                  // stable snapshot ids, one per op
  std::optional<std::int64_t> out_of_order_ms;      // .watermark(out_of_order: d)
  std::optional<std::int64_t> allowed_lateness_ms;  // .allowed_lateness(d)
  PatternOperator* pattern = nullptr;               // ops[0] of a pattern stream, else null
};

// A declared event type, as the input readers need it (int→float widening, positional fields).
struct DeclaredEvent {
  std::string name;
  std::vector<std::pair<std::string, bool>> fields;  // name, declared float; base fields first
};

class Program {
 public:
  core::SymbolTable symbols;
  EvalContext context;
  GlobalTable globals;
  FunctionTable functions;
  OutputRouter output;
  std::vector<CompiledStream> streams;
  std::vector<int> topological_order;
  std::vector<DeclaredEvent> events;
};

struct CompileOptions {
  std::FILE* diagnostics = stderr;  // `.print`/`.log` lines and load-time warnings
  std::int64_t max_runs = 10000;    // pattern run cap (--max-runs)
};

// Compiles a checked program: evaluates top-level let/var/const/:= in order, compiles user
// functions and streams. kInvalidArgument / kUnimplemented with a message naming the construct
// for what the checker would reject or this release does not run.
core::Result<std::unique_ptr<Program>> CompileProgram(const lang::ast::Program& ast,
                                                      const CompileOptions& options = {});

}  // namespace varpulis::engine

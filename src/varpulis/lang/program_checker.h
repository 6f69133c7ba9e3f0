// program_checker.h — internal: the state shared by the checker's passes. Only checker*.cc
// include it; the public API is checker.h.
//
// The checker runs in three passes over one Program:
//   1. declarations (checker.cc): events, type aliases, globals, functions, connectors, streams
//      and patterns are entered into name tables; duplicates are reported.
//   2. stream graph (checker_graph.cc): source references between streams, cycles (E023) and a
//      dependency order, so that a stream is checked after the streams it reads.
//   3. bodies: globals (checker.cc), functions (checker_functions.cc), streams
//      (checker_streams.cc, with window and setting arguments in checker_settings.cc), patterns
//      (checker_patterns.cc); expressions are resolved and typed by checker_expressions.cc,
//      constant arguments and `const` initializers by checker_constants.cc.
// Diagnostics are collected in any order and sorted by source position at the end.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "varpulis/core/value.h"
#include "varpulis/lang/ast.h"
#include "varpulis/lang/checker.h"
#include "varpulis/lang/diagnostics.h"
#include "varpulis/lang/source.h"
#include "varpulis/lang/static_type.h"

namespace varpulis::lang::internal {

// A record schema during checking: unknown, or an ordered field list.
struct Schema {
  bool known = false;
  std::vector<SchemaField> fields;

  const SchemaField* Find(std::string_view name) const {
    for (const SchemaField& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
  static Schema Unknown() { return Schema{}; }
};

struct EventInfo {
  const ast::EventDecl* decl = nullptr;
  Schema schema;  // base fields first (extends), then own fields
  bool resolved = false;
  bool resolving = false;
};

struct GlobalInfo {
  const ast::VarDecl* decl = nullptr;
  StaticType type = StaticType::kUnknown;
  // The value when the initializer is a literal (possibly negated) or names another global with
  // a constant value; used for `.window`, `.limit`, `.watermark` arguments. Only for let/const.
  std::optional<core::Value> constant;
  bool checked = false;  // initializer already checked (globals are checked in source order)
};

struct FunctionInfo {
  const ast::FunctionDecl* decl = nullptr;
  StaticType return_type = StaticType::kUnknown;
  std::vector<StaticType> param_types;
};

// An alias visible in a pattern's expressions.
struct AliasInfo {
  std::string name;
  Span span;
  std::string type;  // event type or stream name of its step
  const Schema* schema = nullptr;
  int step = 0;         // written order among positive steps
  int alternative = 0;  // OR alternative (declared patterns), else 0
};

// A parameter or local of a function body.
struct Local {
  std::string_view name;
  StaticType type = StaticType::kUnknown;
  bool is_mutable = true;  // parameters and `var`; `let`/`const` are not
  ast::VarKind kind = ast::VarKind::kVar;
  bool typed = false;  // declared with a type annotation: assignments must fit it
};

// What names mean inside an expression being checked.
struct Scope {
  enum class Kind : std::uint8_t {
    kGlobalInit,    // top-level let/var/const initializer or `:=`: earlier globals only
    kFunctionBody,  // parameters, locals, globals; no record
    kRecord,        // a stream operation: fields of the current record, then globals
    kAggregate,     // an item of `.aggregate`: fields only inside aggregate calls (E053)
  };
  Kind kind = Kind::kRecord;
  const Schema* record = nullptr;  // kRecord/kAggregate; may be unknown
  // Names that denote the current record in `X.f` (the stream's source name and its alias);
  // empty when unused. Kept inline: scopes are copied per aggregate call.
  std::string_view record_name;
  std::string_view record_alias;
  // A merge source: `Member.f` reads the current record for every member name (and alias).
  const std::vector<std::string_view>* record_member_names = nullptr;
  // Pattern aliases usable in this expression, with binding rules.
  const std::vector<AliasInfo>* aliases = nullptr;
  // Step predicates (S2): aliases of steps >= this index are not bound yet; -1: all bound.
  int first_unbound_step = -1;
  int alternative = -1;   // -1: any alternative
  bool negation = false;  // a `.not`/NOT predicate: an unknown `x.f` is S3 (E026)
  // kAggregate: the partition key, usable outside aggregate calls.
  std::string_view partition_field;
  // kFunctionBody: parameters and locals, innermost last.
  const std::vector<Local>* locals = nullptr;
  // kGlobalInit: index of the statement being initialized (earlier globals only).
  std::size_t statement_index = 0;
  // Inside the arguments of an aggregate call (fields allowed, aggregates not).
  bool in_aggregate_call = false;
  // The operation or construct the expression belongs to, for messages ("'.where'").
  std::string_view context;
};

// A resolved reference from one stream to another (for the dependency graph).
struct StreamRef {
  int target = -1;  // index into streams_
  Span span;        // where the reference is written
};

struct StreamInfo {
  const ast::StreamDecl* decl = nullptr;
  std::vector<StreamRef> deps;
  Schema output;
  bool checked = false;
  bool in_cycle = false;
};

struct PatternInfo {
  const ast::PatternDecl* decl = nullptr;
  std::vector<AliasInfo> aliases;
  Schema match;  // the match record
  bool checked = false;
};

class ProgramChecker {
 public:
  ProgramChecker(const ast::Program& program, const SourceFile& file);
  CheckResult Run();

  // --- diagnostics
  void Error(std::string_view code, Span span, std::string message, std::string hint = {});
  void Warning(std::string_view code, Span span, std::string message, std::string hint = {});
  // "did you mean 'x'?" for the closest candidate, or "" when none is close enough.
  static std::string DidYouMean(std::string_view name,
                                std::span<const std::string_view> candidates);

  // --- declarations (checker.cc)
  void CollectDeclarations();
  const Schema& ResolveEvent(EventInfo& event);
  // The static type of a type expression; unknown names are E022.
  StaticType ResolveType(const ast::TypeExpr* type, int depth = 0);
  StaticType ResolveAliasType(const ast::TypeAliasDecl& alias);
  void CheckGlobal(std::size_t statement_index, const ast::VarDecl& decl);
  void CheckAssign(std::size_t statement_index, const ast::AssignStmt& assign);
  void CheckFunction(const ast::FunctionDecl& fn);
  void CheckBody(const std::vector<ast::StmtPtr>& body, std::vector<Local>& locals,
                 const FunctionInfo& fn);
  // E041 at the first part of `expr` that is not constant (a non-const name, a user call).
  void CheckConstant(const ast::Expr& expr, const std::vector<Local>* locals);
  void CheckTopLevelUnsupported(const ast::Stmt& stmt);

  // --- expressions (checker_expressions.cc)
  StaticType CheckExpr(const ast::Expr& expr, const Scope& scope);
  StaticType CheckIdentifier(const ast::Identifier& id, const Scope& scope);
  StaticType CheckMember(const ast::MemberExpr& member, const Scope& scope);
  StaticType CheckCall(const ast::CallExpr& call, const Scope& scope);
  StaticType CheckBinary(const ast::BinaryExpr& binary, const Scope& scope);
  StaticType CheckUnary(const ast::UnaryExpr& unary, const Scope& scope);
  // A condition (`.where`, `.having`, `if`): E060 when statically not bool.
  void CheckCondition(const ast::Expr& expr, const Scope& scope, std::string_view what);
  // Field lookup in the scope's record; nullopt when the scope has no known record.
  const SchemaField* FindField(const Scope& scope, std::string_view name) const;
  const GlobalInfo* VisibleGlobal(const Scope& scope, std::string_view name) const;
  const AliasInfo* FindAlias(const Scope& scope, std::string_view name) const;
  // The constant value of an expression (literal, negated literal, let/const global), if any.
  std::optional<core::Value> ConstantValue(const ast::Expr& expr) const;

  // --- stream graph (checker_graph.cc)
  void BuildStreamGraph();
  // Stream indices in dependency order: a stream comes after the streams it reads (cyclic
  // streams last, in declaration order).
  std::vector<int> DependencyOrder();
  void ReportCycles();

  // --- streams (checker_streams.cc)
  void CheckStream(int index);
  // Resolves a source / step type name. Returns the schema of the records it delivers and sets
  // *stream_index when it names a stream. Reports E020 / W030.
  const Schema* ResolveSourceName(std::string_view name, Span span, int* stream_index);
  Schema CheckSource(const ast::StreamDecl& stream, bool* fed_by_events);
  // Checks `ops` applied to records of `schema` (named `owner` in messages) and stores the
  // schema of what leaves the chain in *output.
  void CheckChain(const ast::StreamDecl& stream, std::span<const ast::StreamOp* const> ops,
                  Schema schema, std::string owner, Scope scope, bool fed_by_events,
                  Schema* output);
  // The record built by `.select`/`.emit` items; args[i] is the argument of fields[i].
  Schema CheckRecordItems(const ast::StreamOp& op, const Scope& scope,
                          std::vector<const ast::Argument*>* args);
  void CheckEmitAs(const ast::StreamOp& op, const Schema& emitted,
                   const std::vector<const ast::Argument*>& args);
  void CheckConnectorUse(const ast::Expr* connector, Span span);

  // --- settings (checker_settings.cc)
  void CheckWindow(const ast::StreamOp& op);
  void CheckLimit(const ast::StreamOp& op);
  void CheckWatermark(const ast::StreamOp& op, bool fed_by_events);
  void CheckAllowedLateness(const ast::StreamOp& op, bool fed_by_events);
  void CheckLog(const ast::StreamOp& op, const Scope& scope);
  // E051 when the op's positional argument count is outside [min, max]; E080 for any named one.
  bool CheckOpArity(const ast::StreamOp& op, int min, int max);

  // --- patterns (checker_patterns.cc)
  void CheckPipelinePattern(const ast::StreamDecl& stream, Schema* output);
  void CheckPatternStreamTail(const ast::StreamDecl& stream, const PatternInfo& pattern,
                              Schema* output);
  void CheckPatternDecl(PatternInfo& pattern);
  bool CheckWithinArg(const ast::Expr* within, Span where);

  const ast::Program& program_;
  const SourceFile& file_;
  Diagnostics diags_;

  std::unordered_map<std::string_view, EventInfo> events_;
  std::vector<std::string_view> event_order_;
  std::unordered_map<std::string_view, const ast::TypeAliasDecl*> type_aliases_;
  std::vector<std::string_view> type_alias_order_;
  struct AliasState {
    StaticType type = StaticType::kUnknown;
    bool resolving = false;
  };
  std::unordered_map<std::string_view, AliasState> alias_types_;
  std::unordered_map<std::string_view, GlobalInfo> globals_;
  std::vector<std::string_view> global_order_;
  std::unordered_map<std::string_view, std::size_t> global_statement_;  // name -> statement index
  std::unordered_map<std::string_view, FunctionInfo> functions_;
  std::vector<std::string_view> function_order_;
  std::unordered_map<std::string_view, const ast::ConnectorDecl*> connectors_;
  std::vector<std::string_view> connector_order_;
  std::vector<StreamInfo> streams_;
  std::unordered_map<std::string_view, int> stream_index_;
  std::vector<PatternInfo> patterns_;
  std::unordered_map<std::string_view, int> pattern_index_;
  // Streams, patterns and events in declaration order: candidates for an unknown source.
  std::vector<std::string_view> source_candidates_;
  // Streams and patterns in declaration order: candidates for W030.
  std::vector<std::string_view> declared_stream_names_;
  bool program_has_watermark_ = false;
  int stream_being_checked_ = -1;
  // The stream or pattern being checked: never suggested for its own sources.
  std::string_view enclosing_name_;
};

// The schema of records whose fields are not known (shared, immutable).
const Schema& UnknownSchema();

// Spans and text helpers shared by the passes.
std::string Quote(std::string_view name);       // 'name'
std::string OpLabel(std::string_view op_name);  // '.name'
// "'f' takes 1 or 2 arguments, got 3"
std::string ArityMessage(std::string_view name, int min, int max, std::size_t got);

}  // namespace varpulis::lang::internal

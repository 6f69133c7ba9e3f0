// plan_compiler.cc — checked AST → Program (program.h).
//
// Passes, in order: (1) declared events (extends flattened), (2) names of all globals, user
// functions and streams, so that bodies and sources may refer to later declarations, (3) user
// function bodies, (4) top-level let/var/const/:= evaluated in source order (§3.3), (5) each
// stream's source members and operator chain, (6) the topological order.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "varpulis/engine/aggregate_spec.h"
#include "varpulis/engine/diagnostic_operator.h"
#include "varpulis/engine/distinct_operator.h"
#include "varpulis/engine/expression_compiler.h"
#include "varpulis/engine/expression_nodes.h"
#include "varpulis/engine/filter_operator.h"
#include "varpulis/engine/limit_operator.h"
#include "varpulis/engine/pattern_compiler.h"
#include "varpulis/engine/pattern_operator.h"
#include "varpulis/engine/program.h"
#include "varpulis/engine/projection_operator.h"
#include "varpulis/engine/user_function.h"
#include "varpulis/engine/window_factory.h"
#include "varpulis/engine/window_spec.h"

namespace varpulis::engine {

namespace ast = lang::ast;
using core::Result;
using core::Status;
using core::Value;

namespace {

const core::Record& EmptyRecord() {
  static const core::Record* empty = new core::Record();
  return *empty;
}

class PlanCompiler {
 public:
  PlanCompiler(const ast::Program& program, const CompileOptions& options)
      : ast_(program), options_(options), out_(std::make_unique<Program>()) {}

  Result<std::unique_ptr<Program>> Run() {
    VP_RETURN_IF_ERROR(CollectEvents());
    VP_RETURN_IF_ERROR(DeclareNames());
    VP_RETURN_IF_ERROR(CompileFunctions());
    VP_RETURN_IF_ERROR(EvaluateGlobals());
    for (const ast::StmtPtr& s : ast_.statements) {
      if (s->Is<ast::StreamDecl>()) VP_RETURN_IF_ERROR(CompileStream(s->As<ast::StreamDecl>()));
    }
    VP_RETURN_IF_ERROR(Order());
    return std::move(out_);
  }

 private:
  CompileScope GlobalScope() const {
    CompileScope s;
    s.globals = &out_->globals;
    s.functions = &out_->functions;
    return s;
  }

  Status CollectEvents() {
    std::map<std::string, const ast::EventDecl*> decls;
    for (const ast::StmtPtr& s : ast_.statements) {
      if (s->Is<ast::EventDecl>()) decls[s->As<ast::EventDecl>().name] = &s->As<ast::EventDecl>();
    }
    for (const ast::StmtPtr& s : ast_.statements) {
      if (!s->Is<ast::EventDecl>()) continue;
      const auto& e = s->As<ast::EventDecl>();
      DeclaredEvent out;
      out.name = e.name;
      // Base fields first (§3.1), following `extends` up to a bounded depth (cycles are E-errors
      // in the checker; the bound keeps an unchecked program from looping).
      std::vector<const ast::EventDecl*> chain = {&e};
      for (int depth = 0; depth < 64 && !chain.back()->extends.empty(); ++depth) {
        auto it = decls.find(chain.back()->extends);
        if (it == decls.end()) break;
        chain.push_back(it->second);
      }
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        for (const ast::FieldDecl& f : (*it)->fields) {
          bool dup = false;
          for (auto& [n, fl] : out.fields) dup = dup || n == f.name;
          if (!dup) out.fields.emplace_back(f.name, IsFloatType(f.type.get()));
        }
      }
      out_->symbols.Intern(e.name);
      out_->events.push_back(std::move(out));
    }
    return Status::Ok();
  }

  Status DeclareNames() {
    for (const ast::StmtPtr& s : ast_.statements) {
      switch (s->kind) {
        case ast::StmtKind::kVar: {
          const auto& v = s->As<ast::VarDecl>();
          GlobalKind kind = v.var_kind == ast::VarKind::kVar   ? GlobalKind::kVar
                            : v.var_kind == ast::VarKind::kLet ? GlobalKind::kLet
                                                               : GlobalKind::kConst;
          if (out_->globals.Find(v.name) == nullptr) {
            out_->globals.Add(v.name, kind, IsFloatType(v.type.get()));
          }
          break;
        }
        case ast::StmtKind::kFunction: {
          const auto& f = s->As<ast::FunctionDecl>();
          out_->functions.Add(
              std::make_unique<UserFunction>(f.name, static_cast<int>(f.params.size())));
          break;
        }
        case ast::StmtKind::kPattern: {
          const auto& p = s->As<ast::PatternDecl>();
          pattern_decls_[p.name] = &p;
          break;
        }
        case ast::StmtKind::kStream: {
          const auto& st = s->As<ast::StreamDecl>();
          stream_index_[st.name] = static_cast<int>(stream_index_.size());
          break;
        }
        default:
          break;
      }
    }
    out_->context.globals.resize(out_->globals.all().size());
    return Status::Ok();
  }

  Status CompileFunctions() {
    for (const ast::StmtPtr& s : ast_.statements) {
      if (!s->Is<ast::FunctionDecl>()) continue;
      const auto& f = s->As<ast::FunctionDecl>();
      UserFunction* fn = out_->functions.Find(f.name);
      Status st = CompileFunctionBody(f, *fn, GlobalScope());
      if (!st.ok()) return Status::InvalidArgument("function '" + f.name + "': " + st.message());
    }
    return Status::Ok();
  }

  Status EvaluateGlobals() {
    for (const ast::StmtPtr& s : ast_.statements) {
      if (s->Is<ast::VarDecl>()) {
        const auto& v = s->As<ast::VarDecl>();
        VP_ASSIGN_OR_RETURN(ExpressionPtr e, CompileExpression(*v.init, GlobalScope()));
        const GlobalInfo* g = out_->globals.Find(v.name);
        out_->context.globals[static_cast<std::size_t>(g->slot)] =
            WidenIfFloat(e->Eval(EmptyRecord(), out_->context), g->is_float);
      } else if (s->Is<ast::AssignStmt>()) {
        const auto& a = s->As<ast::AssignStmt>();
        const GlobalInfo* g = out_->globals.Find(a.name);
        if (g == nullptr || g->kind != GlobalKind::kVar) {
          return Status::InvalidArgument("assignment to '" + a.name + "', which is not a var");
        }
        VP_ASSIGN_OR_RETURN(ExpressionPtr e, CompileExpression(*a.value, GlobalScope()));
        out_->context.globals[static_cast<std::size_t>(g->slot)] =
            WidenIfFloat(e->Eval(EmptyRecord(), out_->context), g->is_float);
      } else if (s->Is<ast::IfStmt>() || s->Is<ast::ForStmt>() || s->Is<ast::WhileStmt>() ||
                 s->Is<ast::ExprStmt>() || s->Is<ast::EmitStmt>() || s->Is<ast::ImportStmt>() ||
                 s->Is<ast::ConfigStmt>() || s->Is<ast::ContextStmt>()) {
        return Status::Unimplemented(std::string("top-level '") +
                                     std::string(ast::StmtKindName(s->kind)) +
                                     "' statements are not supported in this release");
      }
    }
    return Status::Ok();
  }

  // A constant argument (literal, or an expression over globals), evaluated now.
  Result<Value> ConstantArg(const ast::Expr& e) {
    VP_ASSIGN_OR_RETURN(ExpressionPtr c, CompileExpression(e, GlobalScope()));
    return c->Eval(EmptyRecord(), out_->context);
  }

  Result<std::int64_t> DurationMs(const ast::Expr& e, std::string_view what) {
    VP_ASSIGN_OR_RETURN(Value v, ConstantArg(e));
    if (v.kind() != core::ValueKind::kDuration || v.AsInt() < 0 || v.AsInt() % 1000000 != 0) {
      return Status::InvalidArgument(std::string(what) +
                                     " needs a non-negative duration in whole milliseconds");
    }
    return v.AsInt() / 1000000;
  }

  Result<std::uint32_t> TypeOrStream(const std::string& name, SourceMember& m) {
    auto it = stream_index_.find(name);
    if (it != stream_index_.end()) {
      m.is_stream = true;
      m.stream = it->second;
      return 0u;
    }
    m.type = out_->symbols.Intern(name);
    return m.type;
  }

  Status CompileSource(const ast::StreamDecl& decl, CompiledStream& stream,
                       std::vector<std::string>& record_names) {
    const ast::Source& src = decl.source;
    switch (src.kind) {
      case ast::SourceKind::kName: {
        SourceMember m;
        VP_RETURN_IF_ERROR(TypeOrStream(src.name, m).status());
        stream.members.push_back(std::move(m));
        record_names.push_back(src.name);
        if (!src.alias.empty()) record_names.push_back(src.alias);
        return Status::Ok();
      }
      case ast::SourceKind::kMerge:
        for (const ast::SourceMember& member : src.members) {
          SourceMember m;
          if (member.is_inline()) {
            const ast::Source& inner = *member.inline_source;
            VP_RETURN_IF_ERROR(TypeOrStream(inner.name, m).status());
            CompileScope scope = GlobalScope();
            scope.record_names = {inner.name};
            if (!inner.alias.empty()) scope.record_names.push_back(inner.alias);
            ExpressionPtr filter;
            for (const ast::StreamOp& op : member.inline_ops) {
              if (op.kind != ast::OpKind::kWhere || op.args.size() != 1) {
                return Status::Unimplemented("inline merge member '" + member.name +
                                             "': only .where(...) is supported");
              }
              VP_ASSIGN_OR_RETURN(ExpressionPtr cond, CompileExpression(*op.args[0].value, scope));
              filter = filter ? std::make_unique<AndExpr>(std::move(filter), std::move(cond))
                              : std::move(cond);
            }
            m.filter = std::move(filter);
            record_names.push_back(inner.name);
          } else {
            VP_RETURN_IF_ERROR(TypeOrStream(member.name, m).status());
            record_names.push_back(member.name);
            if (!member.alias.empty()) record_names.push_back(member.alias);
          }
          stream.members.push_back(std::move(m));
        }
        return Status::Ok();
      case ast::SourceKind::kJoin:
        return Status::Unimplemented("stream '" + decl.name + "': join sources are Tier 2");
      case ast::SourceKind::kCall:
        return Status::Unimplemented("stream '" + decl.name + "': source '" + src.name +
                                     "(...)' is not supported");
    }
    return Status::Ok();
  }

  Result<std::vector<ProjectionItem>> Items(const ast::StreamOp& op, const CompileScope& scope) {
    std::vector<ProjectionItem> items;
    for (const ast::Argument& a : op.args) {
      ProjectionItem item;
      if (a.is_named()) {
        item.name = a.name;
      } else if (a.value->Is<ast::Identifier>()) {
        item.name = a.value->As<ast::Identifier>().name;
      } else if (a.value->Is<ast::MemberExpr>()) {
        item.name = a.value->As<ast::MemberExpr>().member;
      } else {
        return Status::InvalidArgument("." + op.name + "(...): an unnamed item must be a field");
      }
      VP_ASSIGN_OR_RETURN(item.value, CompileExpression(*a.value, scope));
      items.push_back(std::move(item));
    }
    return items;
  }

  Result<WindowSpec> Window(const ast::StreamOp& op) {
    std::optional<Value> size;
    std::optional<Value> sliding;
    std::optional<Value> session;
    for (const ast::Argument& a : op.args) {
      VP_ASSIGN_OR_RETURN(Value v, ConstantArg(*a.value));
      if (!a.is_named()) {
        size = v;
      } else if (a.name == "sliding") {
        sliding = v;
      } else if (a.name == "session") {
        session = v;
      } else {
        return Status::InvalidArgument(".window: unknown parameter '" + a.name + "'");
      }
    }
    auto ms = [](const Value& v) -> std::optional<std::int64_t> {
      if (v.kind() != core::ValueKind::kDuration || v.AsInt() <= 0 || v.AsInt() % 1000000 != 0) {
        return std::nullopt;
      }
      return v.AsInt() / 1000000;
    };
    WindowSpec spec;
    if (session && !size && !sliding) {
      auto g = ms(*session);
      if (!g) return Status::InvalidArgument(".window(session: G): G must be a duration > 0");
      spec = WindowSpec::Session(*g);
    } else if (size && size->is_int() && !session) {
      if (sliding && !sliding->is_int()) {
        return Status::InvalidArgument(".window(N, sliding: K): K must be an int");
      }
      spec = sliding ? WindowSpec::SlidingCount(size->AsInt(), sliding->AsInt())
                     : WindowSpec::Count(size->AsInt());
    } else if (size && ms(*size) && !session) {
      if (sliding) {
        auto s = ms(*sliding);
        if (!s) return Status::InvalidArgument(".window(D, sliding: S): S must be a duration");
        spec = WindowSpec::SlidingTime(*ms(*size), *s);
      } else {
        spec = WindowSpec::Tumbling(*ms(*size));
      }
    } else {
      return Status::InvalidArgument(".window: invalid arguments");
    }
    VP_RETURN_IF_ERROR(ValidateWindowSpec(spec));
    return spec;
  }

  Result<AggregateSpec> Aggregate(const ast::StreamOp& op, const std::string& group_field,
                                  std::uint32_t record_type) {
    AggregateCollector collector;
    AggregateSpec spec;
    CompileScope scope = GlobalScope();
    scope.aggregates = &collector;
    scope.group_field = group_field;
    for (const ast::Argument& a : op.args) {
      std::string name;
      if (a.is_named()) {
        name = a.name;
      } else if (a.value->Is<ast::Identifier>()) {
        name = a.value->As<ast::Identifier>().name;
      } else {
        return Status::InvalidArgument(".aggregate(...): every item needs a name");
      }
      VP_ASSIGN_OR_RETURN(ExpressionPtr e, CompileExpression(*a.value, scope));
      spec.output_names.push_back(std::move(name));
      spec.outputs.push_back(std::move(e));
    }
    spec.calls = std::move(collector.calls);
    if (!group_field.empty()) spec.group_field = group_field;
    spec.record_type = record_type;
    VP_RETURN_IF_ERROR(ValidateAggregateSpec(spec));
    return spec;
  }

  // One per-record operation (not window/aggregate/partition/settings).
  Result<std::unique_ptr<Operator>> PerRecordOp(const ast::StreamOp& op, const CompileScope& scope,
                                                CompiledStream& stream) {
    EvalContext* ctx = &out_->context;
    switch (op.kind) {
      case ast::OpKind::kWhere:
      case ast::OpKind::kHaving: {
        if (op.args.size() != 1)
          return Status::InvalidArgument("." + op.name + " takes one condition");
        VP_ASSIGN_OR_RETURN(ExpressionPtr cond, CompileExpression(*op.args[0].value, scope));
        return std::unique_ptr<Operator>(std::make_unique<FilterOperator>(std::move(cond), ctx));
      }
      case ast::OpKind::kSelect: {
        VP_ASSIGN_OR_RETURN(std::vector<ProjectionItem> items, Items(op, scope));
        return std::unique_ptr<Operator>(std::make_unique<ProjectionOperator>(
            std::move(items), ctx, nullptr, stream.name, stream.type));
      }
      case ast::OpKind::kEmit: {
        VP_ASSIGN_OR_RETURN(std::vector<ProjectionItem> items, Items(op, scope));
        return std::unique_ptr<Operator>(std::make_unique<ProjectionOperator>(
            std::move(items), ctx, &out_->output, stream.name, stream.type));
      }
      case ast::OpKind::kPrint: {
        std::vector<ExpressionPtr> args;
        for (const ast::Argument& a : op.args) {
          VP_ASSIGN_OR_RETURN(ExpressionPtr e, CompileExpression(*a.value, scope));
          args.push_back(std::move(e));
        }
        return std::unique_ptr<Operator>(std::make_unique<PrintOperator>(
            stream.name, std::move(args), ctx, options_.diagnostics));
      }
      case ast::OpKind::kLog: {
        ExpressionPtr level;
        ExpressionPtr message;
        ExpressionPtr data;
        for (const ast::Argument& a : op.args) {
          VP_ASSIGN_OR_RETURN(ExpressionPtr e, CompileExpression(*a.value, scope));
          if (a.name == "level") {
            level = std::move(e);
          } else if (a.name == "message") {
            message = std::move(e);
          } else if (a.name == "data") {
            data = std::move(e);
          } else {
            return Status::InvalidArgument(".log: unknown parameter '" + a.name + "'");
          }
        }
        return std::unique_ptr<Operator>(
            std::make_unique<LogOperator>(stream.name, std::move(level), std::move(message),
                                          std::move(data), ctx, options_.diagnostics));
      }
      case ast::OpKind::kDistinct: {
        ExpressionPtr key;
        if (!op.args.empty()) {
          VP_ASSIGN_OR_RETURN(key, CompileExpression(*op.args[0].value, scope));
        }
        return MakeDistinctOperator(std::move(key), ctx);
      }
      case ast::OpKind::kLimit: {
        if (op.args.size() != 1) return Status::InvalidArgument(".limit takes one argument");
        VP_ASSIGN_OR_RETURN(Value n, ConstantArg(*op.args[0].value));
        if (!n.is_int() || n.AsInt() < 0) {
          return Status::InvalidArgument(".limit(n): n must be a non-negative int");
        }
        return MakeLimitOperator(n.AsInt());
      }
      default:
        return Status::Unimplemented("stream '" + stream.name + "': ." + op.name +
                                     " is not supported in this release");
    }
  }

  static std::string PartitionField(const ast::StreamOp& op) {
    if (op.args.size() == 1 && op.args[0].value->Is<ast::Identifier>()) {
      return op.args[0].value->As<ast::Identifier>().name;
    }
    return "";
  }

  void AddOp(CompiledStream& stream, std::unique_ptr<Operator> op, std::string_view kind) {
    stream.op_ids.push_back(stream.name + "/" + std::to_string(stream.ops.size()) + ":" +
                            std::string(kind));
    stream.ops.push_back(std::move(op));
  }

  // Compiles a chain of operations into operators appended to `out` (ids as AddOp would give
  // them, offset by `id_base`). Window/aggregate shapes follow window_factory.h.
  Status CompileChain(const std::vector<const ast::StreamOp*>& ops, const CompileScope& scope,
                      CompiledStream& stream, std::vector<std::unique_ptr<Operator>>& out,
                      std::vector<std::string>& ids) {
    auto add = [&](std::unique_ptr<Operator> op, std::string_view kind) {
      ids.push_back(stream.name + "/" + std::to_string(ids.size()) + ":" + std::string(kind));
      out.push_back(std::move(op));
    };
    std::string partition_before;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const ast::StreamOp& op = *ops[i];
      switch (op.kind) {
        case ast::OpKind::kWatermark:
        case ast::OpKind::kAllowedLateness:
        case ast::OpKind::kTo:
          continue;
        case ast::OpKind::kPartitionBy:
          partition_before = PartitionField(op);
          if (partition_before.empty()) {
            return Status::InvalidArgument(".partition_by needs a field name");
          }
          continue;
        case ast::OpKind::kAggregate:
          return Status::InvalidArgument("stream '" + stream.name +
                                         "': .aggregate without a preceding .window");
        case ast::OpKind::kWindow: {
          VP_ASSIGN_OR_RETURN(WindowSpec w, Window(op));
          // Look ahead for `.aggregate` and a group-by `.partition_by` after the window.
          std::size_t agg = ops.size();
          std::string group_after;
          std::vector<std::size_t> mid;
          for (std::size_t j = i + 1; j < ops.size(); ++j) {
            if (ops[j]->kind == ast::OpKind::kAggregate) {
              agg = j;
              break;
            }
            if (ops[j]->kind == ast::OpKind::kPartitionBy) {
              group_after = PartitionField(*ops[j]);
            } else if (ops[j]->kind != ast::OpKind::kWatermark &&
                       ops[j]->kind != ast::OpKind::kAllowedLateness &&
                       ops[j]->kind != ast::OpKind::kTo) {
              mid.push_back(j);
            }
          }
          std::optional<std::string> partition;
          if (!partition_before.empty()) partition = partition_before;
          if (agg == ops.size()) {
            VP_ASSIGN_OR_RETURN(auto window,
                                MakeWindowOperator(w, partition, std::nullopt, &out_->context));
            add(std::move(window), "window");
            continue;  // later ops compile normally (a group-by partition_by is then moot)
          }
          std::string group = !partition_before.empty() ? partition_before : group_after;
          VP_ASSIGN_OR_RETURN(AggregateSpec spec, Aggregate(*ops[agg], group, stream.type));
          if (mid.empty()) {
            VP_ASSIGN_OR_RETURN(auto window,
                                MakeWindowOperator(w, partition, std::move(spec), &out_->context));
            add(std::move(window), "window");
          } else {
            VP_ASSIGN_OR_RETURN(auto window,
                                MakeWindowOperator(w, partition, std::nullopt, &out_->context));
            add(std::move(window), "window");
            for (std::size_t j : mid) {
              VP_ASSIGN_OR_RETURN(auto m, PerRecordOp(*ops[j], scope, stream));
              add(std::move(m), ast::OpKindName(ops[j]->kind));
            }
            VP_ASSIGN_OR_RETURN(auto aggregate,
                                MakeAggregateOperator(std::move(spec), &out_->context));
            add(std::move(aggregate), "aggregate");
          }
          i = agg;
          continue;
        }
        default: {
          VP_ASSIGN_OR_RETURN(auto m, PerRecordOp(op, scope, stream));
          add(std::move(m), ast::OpKindName(op.kind));
        }
      }
    }
    return Status::Ok();
  }

  // A pattern stream (patterns.md): one PatternOperator holding the matcher and the tail.
  Status CompilePatternStream(const ast::StreamDecl& decl, const ast::PatternDecl* pattern_decl) {
    CompiledStream stream;
    stream.name = decl.name;
    stream.type = out_->symbols.Intern(decl.name);
    CompileScope scope = GlobalScope();
    PatternCompileContext pc;
    pc.scope = &scope;
    pc.intern = [this](std::string_view n) { return out_->symbols.Intern(n); };
    Result<CompiledPatternStream> compiled = engine::CompilePatternStream(decl, pattern_decl, pc);
    if (!compiled.ok()) return compiled.status();
    CompiledPatternStream& cp = *compiled;
    CompileScope tail_scope = GlobalScope();
    tail_scope.pattern_aliases = cp.plan.alias_names;
    std::vector<std::unique_ptr<Operator>> tail;
    std::vector<std::string> tail_ids;  // the tail's state is inside the pattern operator's
    VP_RETURN_IF_ERROR(CompileChain(cp.tail, tail_scope, stream, tail, tail_ids));
    if (!cp.has_emit) {
      // patterns.md §11.2: a pattern stream without .emit writes its match records.
      tail.push_back(std::make_unique<ProjectionOperator>(
          std::vector<ProjectionItem>{}, &out_->context, &out_->output, stream.name, stream.type));
    }
    PatternOperatorOptions options;
    options.ctx = &out_->context;
    options.output_type = stream.type;
    options.max_runs = options_.max_runs;
    options.tail = std::move(tail);
    VP_ASSIGN_OR_RETURN(std::unique_ptr<PatternOperator> op,
                        MakePatternOperator(std::move(cp.plan), std::move(options)));
    // Route what the matcher reads: event types from the input, stream names from that stream.
    for (std::uint32_t t : op->InputTypes()) {
      SourceMember m;
      std::string_view name = out_->symbols.Name(t);
      auto it = stream_index_.find(name);
      if (it != stream_index_.end()) {
        m.is_stream = true;
        m.stream = it->second;
      } else {
        m.type = t;
      }
      stream.members.push_back(std::move(m));
    }
    stream.pattern = op.get();
    AddOp(stream, std::move(op), "pattern");
    out_->streams.push_back(std::move(stream));
    return Status::Ok();
  }

  Status CompileStream(const ast::StreamDecl& decl) {
    const ast::PatternDecl* pattern_decl = nullptr;
    if (decl.source.kind == ast::SourceKind::kName) {
      auto it = pattern_decls_.find(decl.source.name);
      if (it != pattern_decls_.end()) pattern_decl = it->second;
    }
    if (IsPatternStream(decl, pattern_decl)) return CompilePatternStream(decl, pattern_decl);
    CompiledStream stream;
    stream.name = decl.name;
    stream.type = out_->symbols.Intern(decl.name);
    std::vector<std::string> record_names;
    VP_RETURN_IF_ERROR(CompileSource(decl, stream, record_names));
    CompileScope scope = GlobalScope();
    scope.record_names = record_names;

    // Settings first: their position in the chain is irrelevant (§6.4).
    for (const ast::StreamOp& op : decl.ops) {
      if (op.kind == ast::OpKind::kWatermark) {
        for (const ast::Argument& a : op.args) {
          if (a.name != "out_of_order") {
            return Status::InvalidArgument(".watermark: unknown parameter '" + a.name + "'");
          }
          VP_ASSIGN_OR_RETURN(std::int64_t d, DurationMs(*a.value, ".watermark(out_of_order:)"));
          stream.out_of_order_ms = std::max(stream.out_of_order_ms.value_or(0), d);
        }
        if (!stream.out_of_order_ms) stream.out_of_order_ms = 0;
      } else if (op.kind == ast::OpKind::kAllowedLateness) {
        if (op.args.size() != 1)
          return Status::InvalidArgument(".allowed_lateness takes one duration");
        VP_ASSIGN_OR_RETURN(std::int64_t l, DurationMs(*op.args[0].value, ".allowed_lateness"));
        stream.allowed_lateness_ms = l;
      }
    }

    std::vector<const ast::StreamOp*> ops;
    for (const ast::StreamOp& op : decl.ops) ops.push_back(&op);
    VP_RETURN_IF_ERROR(CompileChain(ops, scope, stream, stream.ops, stream.op_ids));
    out_->streams.push_back(std::move(stream));
    return Status::Ok();
  }

  // Kahn's algorithm; among ready streams the earliest declared goes first.
  Status Order() {
    const std::size_t n = out_->streams.size();
    std::vector<int> indegree(n, 0);
    std::vector<std::vector<int>> dependents(n);
    for (std::size_t s = 0; s < n; ++s) {
      for (const SourceMember& m : out_->streams[s].members) {
        if (m.is_stream) {
          ++indegree[s];
          dependents[static_cast<std::size_t>(m.stream)].push_back(static_cast<int>(s));
        }
      }
    }
    std::vector<bool> done(n, false);
    for (std::size_t k = 0; k < n; ++k) {
      int next = -1;
      for (std::size_t s = 0; s < n; ++s) {
        if (!done[s] && indegree[s] == 0) {
          next = static_cast<int>(s);
          break;
        }
      }
      if (next < 0) return Status::InvalidArgument("stream dependency cycle");
      done[static_cast<std::size_t>(next)] = true;
      out_->topological_order.push_back(next);
      for (int d : dependents[static_cast<std::size_t>(next)])
        --indegree[static_cast<std::size_t>(d)];
    }
    return Status::Ok();
  }

  const ast::Program& ast_;
  const CompileOptions& options_;
  std::unique_ptr<Program> out_;
  std::map<std::string, int, std::less<>> stream_index_;
  std::map<std::string, const ast::PatternDecl*, std::less<>> pattern_decls_;
};

}  // namespace

Result<std::unique_ptr<Program>> CompileProgram(const ast::Program& ast,
                                                const CompileOptions& options) {
  PlanCompiler compiler(ast, options);
  return compiler.Run();
}

}  // namespace varpulis::engine

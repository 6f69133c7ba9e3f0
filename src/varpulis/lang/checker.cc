#include "varpulis/lang/checker.h"

#include <string>
#include <utility>

#include "varpulis/lang/program_checker.h"
#include "varpulis/lang/suggest.h"

namespace varpulis::lang {

CheckResult Check(const ast::Program& program, const SourceFile& file) {
  internal::ProgramChecker checker(program, file);
  return checker.Run();
}

namespace internal {
namespace {

constexpr std::string_view kBuiltinTypeNames[] = {"bool", "duration",  "float", "int",
                                                  "str",  "timestamp", "Stream"};

StaticType BuiltinType(std::string_view name) {
  if (name == "int") return StaticType::kInt;
  if (name == "float") return StaticType::kFloat;
  if (name == "bool") return StaticType::kBool;
  if (name == "str") return StaticType::kStr;
  if (name == "timestamp") return StaticType::kTimestamp;
  if (name == "duration") return StaticType::kDuration;
  return StaticType::kUnknown;
}

Span KeywordSpan(const ast::Stmt& stmt, std::string_view keyword) {
  return Span{stmt.span.begin, stmt.span.begin + static_cast<std::uint32_t>(keyword.size())};
}

}  // namespace

std::string Quote(std::string_view name) { return "'" + std::string(name) + "'"; }
std::string OpLabel(std::string_view op_name) { return "'." + std::string(op_name) + "'"; }

ProgramChecker::ProgramChecker(const ast::Program& program, const SourceFile& file)
    : program_(program), file_(file) {}

void ProgramChecker::Error(std::string_view code, Span span, std::string message,
                           std::string hint) {
  diags_.Error(std::string(code), span, std::move(message), std::move(hint));
}

void ProgramChecker::Warning(std::string_view code, Span span, std::string message,
                             std::string hint) {
  diags_.Warning(std::string(code), span, std::move(message), std::move(hint));
}

std::string ProgramChecker::DidYouMean(std::string_view name,
                                       std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best = Suggest(name, candidates);
  if (!best) return {};
  return "did you mean " + Quote(*best) + "?";
}

CheckResult ProgramChecker::Run() {
  CollectDeclarations();
  for (std::string_view name : event_order_) ResolveEvent(events_.at(name));
  for (std::string_view name : type_alias_order_) ResolveAliasType(*type_aliases_.at(name));
  for (std::string_view name : function_order_) {
    FunctionInfo& fn = functions_.at(name);
    for (const ast::Param& p : fn.decl->params) fn.param_types.push_back(ResolveType(p.type.get()));
    fn.return_type = ResolveType(fn.decl->return_type.get());
  }

  const auto& statements = program_.statements;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const ast::Stmt& stmt = *statements[i];
    switch (stmt.kind) {
      case ast::StmtKind::kVar:
        CheckGlobal(i, stmt.As<ast::VarDecl>());
        break;
      case ast::StmtKind::kAssign:
        CheckAssign(i, stmt.As<ast::AssignStmt>());
        break;
      case ast::StmtKind::kFunction:
        CheckFunction(stmt.As<ast::FunctionDecl>());
        break;
      case ast::StmtKind::kEvent:
      case ast::StmtKind::kTypeAlias:
      case ast::StmtKind::kConnector:
      case ast::StmtKind::kStream:
      case ast::StmtKind::kPattern:
        break;
      default:
        CheckTopLevelUnsupported(stmt);
        break;
    }
  }

  for (PatternInfo& pattern : patterns_) CheckPatternDecl(pattern);
  BuildStreamGraph();
  ReportCycles();
  for (int index : DependencyOrder()) CheckStream(index);

  CheckResult result;
  for (const StreamInfo& s : streams_) {
    StreamSchema schema;
    schema.name = s.decl->name;
    schema.known = s.output.known;
    schema.fields = s.output.fields;
    result.streams.push_back(std::move(schema));
  }
  diags_.SortBySourceOrder();
  result.diagnostics = std::move(diags_);
  return result;
}

void ProgramChecker::CollectDeclarations() {
  // One pass to size the tables: a large generated program otherwise rehashes many times.
  std::size_t counts[static_cast<std::size_t>(ast::StmtKind::kContext) + 1] = {};
  for (const ast::StmtPtr& stmt : program_.statements)
    ++counts[static_cast<std::size_t>(stmt->kind)];
  auto count_of = [&](ast::StmtKind k) { return counts[static_cast<std::size_t>(k)]; };
  events_.reserve(count_of(ast::StmtKind::kEvent));
  globals_.reserve(count_of(ast::StmtKind::kVar));
  global_statement_.reserve(count_of(ast::StmtKind::kVar));
  functions_.reserve(count_of(ast::StmtKind::kFunction));
  streams_.reserve(count_of(ast::StmtKind::kStream));
  stream_index_.reserve(count_of(ast::StmtKind::kStream));
  patterns_.reserve(count_of(ast::StmtKind::kPattern));
  source_candidates_.reserve(count_of(ast::StmtKind::kEvent) + count_of(ast::StmtKind::kStream) +
                             count_of(ast::StmtKind::kPattern));
  auto first_declared = [&](Span span) {
    return "first declared at line " + std::to_string(file_.LineOf(span.begin));
  };
  for (const ast::StmtPtr& stmt_ptr : program_.statements) {
    const ast::Stmt& stmt = *stmt_ptr;
    switch (stmt.kind) {
      case ast::StmtKind::kEvent: {
        const auto& decl = stmt.As<ast::EventDecl>();
        if (auto it = events_.find(decl.name); it != events_.end()) {
          Error("E001", decl.name_span, "duplicate event " + Quote(decl.name),
                first_declared(it->second.decl->name_span));
        } else if (auto alias = type_aliases_.find(decl.name); alias != type_aliases_.end()) {
          Error("E001", decl.name_span,
                "duplicate event " + Quote(decl.name) + ": a type alias has this name",
                first_declared(alias->second->name_span));
        } else {
          events_[decl.name].decl = &decl;
          event_order_.push_back(decl.name);
          source_candidates_.push_back(decl.name);
        }
        break;
      }
      case ast::StmtKind::kTypeAlias: {
        const auto& decl = stmt.As<ast::TypeAliasDecl>();
        if (auto it = type_aliases_.find(decl.name); it != type_aliases_.end()) {
          Error("E006", decl.name_span, "duplicate type alias " + Quote(decl.name),
                first_declared(it->second->name_span));
        } else if (auto ev = events_.find(decl.name); ev != events_.end()) {
          Error("E006", decl.name_span,
                "duplicate type alias " + Quote(decl.name) + ": an event has this name",
                first_declared(ev->second.decl->name_span));
        } else {
          type_aliases_[decl.name] = &decl;
          type_alias_order_.push_back(decl.name);
        }
        break;
      }
      case ast::StmtKind::kVar: {
        const auto& decl = stmt.As<ast::VarDecl>();
        if (auto it = globals_.find(decl.name); it != globals_.end()) {
          Error("E005", decl.name_span, "duplicate variable " + Quote(decl.name),
                first_declared(it->second.decl->name_span));
        } else {
          globals_[decl.name].decl = &decl;
          global_order_.push_back(decl.name);
          global_statement_[decl.name] =
              static_cast<std::size_t>(&stmt_ptr - program_.statements.data());
        }
        break;
      }
      case ast::StmtKind::kFunction: {
        const auto& decl = stmt.As<ast::FunctionDecl>();
        if (auto it = functions_.find(decl.name); it != functions_.end()) {
          Error("E003", decl.name_span, "duplicate function " + Quote(decl.name),
                first_declared(it->second.decl->name_span));
        } else {
          functions_[decl.name].decl = &decl;
          function_order_.push_back(decl.name);
        }
        break;
      }
      case ast::StmtKind::kConnector: {
        const auto& decl = stmt.As<ast::ConnectorDecl>();
        if (auto it = connectors_.find(decl.name); it != connectors_.end()) {
          Error("E004", decl.name_span, "duplicate connector " + Quote(decl.name),
                first_declared(it->second->name_span));
        } else {
          connectors_[decl.name] = &decl;
          connector_order_.push_back(decl.name);
        }
        break;
      }
      case ast::StmtKind::kStream: {
        const auto& decl = stmt.As<ast::StreamDecl>();
        if (auto it = stream_index_.find(decl.name); it != stream_index_.end()) {
          Error("E002", decl.name_span, "duplicate stream " + Quote(decl.name),
                first_declared(streams_[static_cast<std::size_t>(it->second)].decl->name_span));
          break;
        }
        if (auto it = pattern_index_.find(decl.name); it != pattern_index_.end()) {
          Error("E002", decl.name_span,
                "duplicate stream " + Quote(decl.name) + ": a pattern has this name",
                first_declared(patterns_[static_cast<std::size_t>(it->second)].decl->name_span));
          break;
        }
        stream_index_[decl.name] = static_cast<int>(streams_.size());
        streams_.push_back(StreamInfo{&decl, {}, {}, false, false});
        source_candidates_.push_back(decl.name);
        declared_stream_names_.push_back(decl.name);
        break;
      }
      case ast::StmtKind::kPattern: {
        const auto& decl = stmt.As<ast::PatternDecl>();
        Span first;
        bool duplicate = false;
        if (auto it = pattern_index_.find(decl.name); it != pattern_index_.end()) {
          first = patterns_[static_cast<std::size_t>(it->second)].decl->name_span;
          duplicate = true;
        } else if (auto s = stream_index_.find(decl.name); s != stream_index_.end()) {
          first = streams_[static_cast<std::size_t>(s->second)].decl->name_span;
          duplicate = true;
        }
        if (duplicate) {
          Error("E002", decl.name_span, "duplicate pattern " + Quote(decl.name),
                first_declared(first));
          break;
        }
        pattern_index_[decl.name] = static_cast<int>(patterns_.size());
        patterns_.push_back(PatternInfo{&decl, {}, {}, false});
        source_candidates_.push_back(decl.name);
        declared_stream_names_.push_back(decl.name);
        break;
      }
      default:
        break;
    }
  }
  // Streams, patterns and events share one namespace (§6.2).
  for (const StreamInfo& s : streams_) {
    if (auto ev = events_.find(s.decl->name); ev != events_.end()) {
      Error("E007", s.decl->name_span,
            "stream " + Quote(s.decl->name) + " has the same name as event type " +
                Quote(s.decl->name),
            "streams and event types share one namespace; rename the stream");
    }
  }
  for (const PatternInfo& p : patterns_) {
    if (events_.count(p.decl->name) != 0) {
      Error("E007", p.decl->name_span,
            "pattern " + Quote(p.decl->name) + " has the same name as event type " +
                Quote(p.decl->name),
            "patterns, streams and event types share one namespace; rename the pattern");
    }
  }
  for (const ast::StmtPtr& stmt : program_.statements) {
    if (stmt->kind != ast::StmtKind::kStream) continue;
    for (const ast::StreamOp& op : stmt->As<ast::StreamDecl>().ops) {
      if (op.kind == ast::OpKind::kWatermark) program_has_watermark_ = true;
    }
  }
}

const Schema& ProgramChecker::ResolveEvent(EventInfo& event) {
  if (event.resolved || event.resolving) return event.schema;
  event.resolving = true;
  const ast::EventDecl& decl = *event.decl;
  Schema schema;
  schema.known = true;
  if (!decl.extends.empty()) {
    auto base = events_.find(decl.extends);
    if (base == events_.end()) {
      Error("E020", decl.extends_span, "unknown event " + Quote(decl.extends),
            DidYouMean(decl.extends, event_order_));
    } else if (base->second.resolving) {
      Error("E023", decl.extends_span,
            "event " + Quote(decl.name) + " extends itself through " + Quote(decl.extends));
    } else {
      schema.fields = ResolveEvent(base->second).fields;
    }
  }
  for (const ast::FieldDecl& field : decl.fields) {
    if (schema.Find(field.name) != nullptr) {
      Error("E001", field.name_span,
            "duplicate field " + Quote(field.name) + " in event " + Quote(decl.name));
      continue;
    }
    SchemaField f;
    f.name = field.name;
    f.optional = field.type != nullptr && field.type->kind == ast::TypeKind::kOptional;
    f.type = ResolveType(field.type.get());
    schema.fields.push_back(std::move(f));
  }
  event.schema = std::move(schema);
  event.resolving = false;
  event.resolved = true;
  return event.schema;
}

StaticType ProgramChecker::ResolveType(const ast::TypeExpr* type, int depth) {
  if (type == nullptr || depth > ast::kMaxNestingDepth) return StaticType::kUnknown;
  switch (type->kind) {
    case ast::TypeKind::kArray:
    case ast::TypeKind::kTuple:
      for (const auto& arg : type->args) ResolveType(arg.get(), depth + 1);
      return StaticType::kArray;
    case ast::TypeKind::kMap:
      for (const auto& arg : type->args) ResolveType(arg.get(), depth + 1);
      return StaticType::kMap;
    case ast::TypeKind::kOptional:
      return type->args.empty() ? StaticType::kUnknown
                                : ResolveType(type->args[0].get(), depth + 1);
    case ast::TypeKind::kNamed:
      break;
  }
  for (const auto& arg : type->args) ResolveType(arg.get(), depth + 1);
  StaticType builtin = BuiltinType(type->name);
  if (builtin != StaticType::kUnknown) return builtin;
  if (type->name == "Stream") return StaticType::kUnknown;
  if (events_.count(type->name) != 0) return StaticType::kUnknown;
  if (auto alias = type_aliases_.find(type->name); alias != type_aliases_.end()) {
    return ResolveAliasType(*alias->second);
  }
  std::vector<std::string_view> candidates(std::begin(kBuiltinTypeNames),
                                           std::end(kBuiltinTypeNames));
  for (std::string_view a : type_alias_order_) candidates.push_back(a);
  for (std::string_view e : event_order_) candidates.push_back(e);
  Error("E022", type->span, "unknown type " + Quote(type->name),
        DidYouMean(type->name, candidates));
  return StaticType::kUnknown;
}

StaticType ProgramChecker::ResolveAliasType(const ast::TypeAliasDecl& alias) {
  auto [it, inserted] = alias_types_.try_emplace(alias.name, AliasState{});
  if (!inserted) {
    if (it->second.resolving) {
      Error("E023", alias.name_span, "type alias " + Quote(alias.name) + " refers to itself");
      it->second.resolving = false;  // report the cycle once
    }
    return it->second.type;
  }
  it->second.resolving = true;
  StaticType t = ResolveType(alias.type.get());
  AliasState& state = alias_types_.at(alias.name);  // the map may have grown
  state.resolving = false;
  state.type = t;
  return t;
}

void ProgramChecker::CheckGlobal(std::size_t statement_index, const ast::VarDecl& decl) {
  GlobalInfo& info = globals_.at(decl.name);
  if (info.decl != &decl) {
    // A duplicate (E005): check its initializer for other errors, then ignore it.
    Scope scope;
    scope.kind = Scope::Kind::kGlobalInit;
    scope.statement_index = statement_index;
    if (decl.init) CheckExpr(*decl.init, scope);
    return;
  }
  Scope scope;
  scope.kind = Scope::Kind::kGlobalInit;
  scope.statement_index = statement_index;
  StaticType init_type = decl.init ? CheckExpr(*decl.init, scope) : StaticType::kUnknown;
  if (decl.var_kind == ast::VarKind::kConst && decl.init) CheckConstant(*decl.init, nullptr);
  StaticType type = init_type;
  if (decl.type) {
    StaticType declared = ResolveType(decl.type.get());
    if (decl.init && !IsAssignable(declared, init_type)) {
      Error("E061", decl.init->span,
            Quote(decl.name) + " is declared " + std::string(StaticTypeName(declared)) +
                " but its initializer is " + std::string(StaticTypeName(init_type)));
    }
    if (declared != StaticType::kUnknown) type = declared;
  }
  info.type = type;
  if (decl.var_kind != ast::VarKind::kVar && decl.init) info.constant = ConstantValue(*decl.init);
  info.checked = true;
}

void ProgramChecker::CheckAssign(std::size_t statement_index, const ast::AssignStmt& assign) {
  Scope scope;
  scope.kind = Scope::Kind::kGlobalInit;
  scope.statement_index = statement_index;
  StaticType value = assign.value ? CheckExpr(*assign.value, scope) : StaticType::kUnknown;
  const GlobalInfo* global = VisibleGlobal(scope, assign.name);
  if (global == nullptr) {
    std::vector<std::string_view> vars;
    for (std::string_view g : global_order_) {
      if (global_statement_.at(g) < statement_index &&
          globals_.at(g).decl->var_kind == ast::VarKind::kVar) {
        vars.push_back(g);
      }
    }
    Error("E040", assign.name_span, "cannot assign to undeclared variable " + Quote(assign.name),
          DidYouMean(assign.name, vars).empty()
              ? "declare it first with 'var " + assign.name + " = ...'"
              : DidYouMean(assign.name, vars));
    return;
  }
  if (global->decl->var_kind != ast::VarKind::kVar) {
    Error("E040", assign.name_span,
          "cannot assign to " + Quote(assign.name) + ": it is declared with " +
              std::string(ast::VarKindName(global->decl->var_kind)),
          "declare it with 'var' to make it mutable");
    return;
  }
  if (global->decl->type && !IsAssignable(global->type, value)) {
    Error("E061", assign.value->span,
          "cannot assign " + std::string(StaticTypeName(value)) + " to " + Quote(assign.name) +
              " of type " + std::string(StaticTypeName(global->type)));
  }
}

void ProgramChecker::CheckTopLevelUnsupported(const ast::Stmt& stmt) {
  switch (stmt.kind) {
    case ast::StmtKind::kIf:
      Error("E090", KeywordSpan(stmt, "if"), "top-level 'if' is not supported yet",
            "conditions belong in '.where' or in a function body");
      break;
    case ast::StmtKind::kFor:
      Error("E090", KeywordSpan(stmt, "for"), "top-level 'for' is not supported yet");
      break;
    case ast::StmtKind::kWhile:
      Error("E090", KeywordSpan(stmt, "while"), "top-level 'while' is not supported yet");
      break;
    case ast::StmtKind::kExpr:
      Error("E090", stmt.span, "top-level expression statements are not supported yet");
      break;
    case ast::StmtKind::kEmit:
      Error("E090", KeywordSpan(stmt, "emit"), "'emit' statements are not supported yet",
            "use '.emit(...)' in a stream");
      break;
    case ast::StmtKind::kImport:
      Error("E090", KeywordSpan(stmt, "import"), "'import' is not supported yet");
      break;
    case ast::StmtKind::kConfig:
      Error("E090", KeywordSpan(stmt, "config"), "'config' is not supported yet");
      break;
    case ast::StmtKind::kContext:
      Error("E090", KeywordSpan(stmt, "context"), "'context' is not supported yet");
      break;
    default:
      Error("E090", stmt.span,
            Quote(ast::StmtKindName(stmt.kind)) + " is not supported at top level");
      break;
  }
}

}  // namespace internal
}  // namespace varpulis::lang

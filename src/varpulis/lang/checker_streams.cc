// Stream declarations: sources (§6.2), operation chains (§6.3–§6.4, §7) and record schemas.
#include <string>
#include <vector>

#include "varpulis/lang/program_checker.h"
#include "varpulis/lang/suggest.h"

namespace varpulis::lang::internal {
namespace {

constexpr std::string_view kTier1OpNames[] = {
    "aggregate", "allowed_lateness", "distinct", "emit",   "having", "limit",     "log",
    "not",       "partition_by",     "print",    "select", "to",     "watermark", "where",
    "window",    "within",
};

bool IsTier2(ast::OpKind kind) {
  switch (kind) {
    case ast::OpKind::kOrderBy:
    case ast::OpKind::kMap:
    case ast::OpKind::kFilter:
    case ast::OpKind::kTap:
    case ast::OpKind::kFork:
    case ast::OpKind::kAny:
    case ast::OpKind::kAll:
    case ast::OpKind::kFirst:
    case ast::OpKind::kContext:
    case ast::OpKind::kTrendAggregate:
    case ast::OpKind::kPattern:
    case ast::OpKind::kCollect:
    case ast::OpKind::kOn:
    case ast::OpKind::kOnError:
      return true;
    default:
      return false;
  }
}

bool IsOutOfScope(ast::OpKind kind) {
  switch (kind) {
    case ast::OpKind::kScore:
    case ast::OpKind::kForecast:
    case ast::OpKind::kEnrich:
    case ast::OpKind::kConcurrent:
    case ast::OpKind::kProcess:
      return true;
    default:
      return false;
  }
}

// Merge members' schemas: the union of their fields (a field is provably absent only when no
// member has it); a field whose members disagree on its type has an unknown type.
Schema MergeSchemas(const std::vector<const Schema*>& members) {
  Schema out;
  out.known = !members.empty();
  for (const Schema* s : members) out.known = out.known && s->known;
  if (!out.known) return out;
  for (const Schema* s : members) {
    for (const SchemaField& f : s->fields) {
      bool found = false;
      for (SchemaField& existing : out.fields) {
        if (existing.name == f.name) {
          found = true;
          if (existing.type != f.type) existing.type = StaticType::kUnknown;
        }
      }
      if (!found) out.fields.push_back(f);
    }
  }
  return out;
}

}  // namespace

const Schema& UnknownSchema() {
  static const Schema unknown;
  return unknown;
}

void ProgramChecker::CheckStream(int index) {
  StreamInfo& info = streams_[static_cast<std::size_t>(index)];
  const ast::StreamDecl& decl = *info.decl;
  stream_being_checked_ = index;
  enclosing_name_ = decl.name;
  if (decl.annotation) ResolveType(decl.annotation.get());
  const ast::Source& source = decl.source;
  if (decl.has_followed_by()) {
    CheckPipelinePattern(decl, &info.output);
  } else if (auto p = pattern_index_.find(source.name); source.kind == ast::SourceKind::kName &&
                                                        p != pattern_index_.end() &&
                                                        stream_index_.count(source.name) == 0) {
    CheckPatternStreamTail(decl, patterns_[static_cast<std::size_t>(p->second)], &info.output);
  } else {
    if (source.kleene_all) {
      Error("E028", source.all_span,
            "'all' marks the first step of a pattern and needs a following '->' step");
    }
    bool fed_by_events = true;
    Schema input = CheckSource(decl, &fed_by_events);
    Scope scope;
    scope.kind = Scope::Kind::kRecord;
    std::vector<std::string_view> member_names;
    if (source.kind == ast::SourceKind::kName) {
      scope.record_name = source.name;
      scope.record_alias = source.alias;
    } else if (source.kind == ast::SourceKind::kMerge) {
      for (const ast::SourceMember& m : source.members) {
        if (m.is_inline()) member_names.push_back(m.inline_source->name);
        if (!m.name.empty()) member_names.push_back(m.name);
        if (!m.alias.empty()) member_names.push_back(m.alias);
      }
      scope.record_member_names = &member_names;
    }
    std::vector<const ast::StreamOp*> ops;
    for (const ast::StreamOp& op : decl.ops) ops.push_back(&op);
    std::string owner = source.kind == ast::SourceKind::kName ? source.name : decl.name;
    CheckChain(decl, ops, std::move(input), owner, scope, fed_by_events, &info.output);
  }
  info.checked = true;
  stream_being_checked_ = -1;
  enclosing_name_ = {};
}

const Schema* ProgramChecker::ResolveSourceName(std::string_view name, Span span,
                                                int* stream_index) {
  if (auto s = stream_index_.find(name); s != stream_index_.end()) {
    if (stream_index != nullptr) *stream_index = s->second;
    const StreamInfo& target = streams_[static_cast<std::size_t>(s->second)];
    return target.checked ? &target.output : &UnknownSchema();
  }
  if (auto e = events_.find(name); e != events_.end()) return &e->second.schema;
  if (pattern_index_.count(name) != 0) {
    Error("E028", span,
          "pattern " + Quote(name) + " can only be used as the whole source of a stream",
          "write 'stream S = " + std::string(name) + "' and add tail operations");
    return &UnknownSchema();
  }
  // A stream never means itself: leave its own name out of the suggestions.
  const std::string_view self = enclosing_name_;
  auto without_self = [&](const std::vector<std::string_view>& names) {
    std::vector<std::string_view> out;
    out.reserve(names.size());
    for (std::string_view n : names) {
      if (n != self) out.push_back(n);
    }
    return out;
  };
  if (!event_order_.empty()) {
    Error("E020", span, "unknown source " + Quote(name),
          DidYouMean(name, without_self(source_candidates_)));
  } else if (std::optional<std::string_view> near =
                 Suggest(name, without_self(declared_stream_names_))) {
    Warning("W030", span, Quote(name) + " is not declared; it is read as an implicit event type",
            "did you mean " + Quote(*near) + "?");
  }
  return &UnknownSchema();
}

Schema ProgramChecker::CheckSource(const ast::StreamDecl& stream, bool* fed_by_events) {
  const ast::Source& source = stream.source;
  *fed_by_events = true;
  switch (source.kind) {
    case ast::SourceKind::kName: {
      if (source.has_from) {
        CheckConnectorUse(source.from_args.empty() ? nullptr : source.from_args[0].value.get(),
                          source.from_span);
      }
      if (source.name == stream.name) {
        // A stream named like an event type was reported as E007 already.
        if (auto e = events_.find(source.name); e != events_.end()) return e->second.schema;
        Error("E007", source.name_span,
              "stream " + Quote(stream.name) + " reads from an event type of its own name",
              "streams and event types share one namespace; rename the stream");
        return Schema::Unknown();
      }
      int target = -1;
      const Schema* schema = ResolveSourceName(source.name, source.name_span, &target);
      *fed_by_events = target < 0;
      return *schema;
    }
    case ast::SourceKind::kMerge: {
      std::vector<Schema> member_schemas;
      member_schemas.reserve(source.members.size());
      for (const ast::SourceMember& m : source.members) {
        int target = -1;
        if (!m.is_inline()) {
          member_schemas.push_back(*ResolveSourceName(m.name, m.name_span, &target));
          if (target >= 0) *fed_by_events = false;
          continue;
        }
        const ast::Source& inner = *m.inline_source;
        const Schema* schema = ResolveSourceName(inner.name, inner.name_span, &target);
        if (target >= 0) *fed_by_events = false;
        if (inner.has_from) {
          CheckConnectorUse(inner.from_args.empty() ? nullptr : inner.from_args[0].value.get(),
                            inner.from_span);
        }
        Scope scope;
        scope.kind = Scope::Kind::kRecord;
        scope.record = schema;
        scope.record_name = inner.name;
        for (const ast::StreamOp& op : m.inline_ops) {
          if (op.kind != ast::OpKind::kWhere) {
            Error("E090", op.name_span,
                  "only '.where' is supported in an inline merge member, not " + OpLabel(op.name));
            continue;
          }
          if (CheckOpArity(op, 1, 1)) {
            CheckCondition(*op.args[0].value, scope, "'.where' condition");
          }
        }
        member_schemas.push_back(*schema);
      }
      std::vector<const Schema*> pointers;
      for (const Schema& s : member_schemas) pointers.push_back(&s);
      return MergeSchemas(pointers);
    }
    case ast::SourceKind::kJoin:
      *fed_by_events = false;
      Error("E090", source.name_span, "join sources are not supported yet");
      return Schema::Unknown();
    case ast::SourceKind::kCall:
      *fed_by_events = false;
      if (source.name == "timer") {
        Error("E090", source.name_span, "timer sources are not supported yet");
      } else if (source.name == "sequence") {
        Error("E090", source.name_span, "'sequence(...)' sources are not supported",
              "write the pattern with '->' steps");
      } else {
        Error("E090", source.name_span,
              Quote(source.name + "(...)") + " is not a supported source");
      }
      return Schema::Unknown();
  }
  return Schema::Unknown();
}

void ProgramChecker::CheckConnectorUse(const ast::Expr* connector, Span span) {
  if (connector != nullptr && connector->kind == ast::ExprKind::kIdentifier) {
    const std::string& name = connector->As<ast::Identifier>().name;
    if (connectors_.count(name) == 0) {
      Error("E030", connector->span, "unknown connector " + Quote(name),
            DidYouMean(name, connector_order_));
      return;
    }
  } else if (connector == nullptr || connector->kind != ast::ExprKind::kIdentifier) {
    Error("E030", connector != nullptr ? connector->span : span,
          "expected the name of a declared connector");
    return;
  }
  Error("E090", span, "connectors are not supported yet",
        "'connector' declarations are accepted; '.from' and '.to' come in a later release");
}

Schema ProgramChecker::CheckRecordItems(const ast::StreamOp& op, const Scope& scope,
                                        std::vector<const ast::Argument*>* args) {
  Schema out;
  out.known = true;
  for (const ast::Argument& a : op.args) {
    std::string name;
    if (a.is_named()) {
      name = a.name;
    } else if (a.value->kind == ast::ExprKind::kIdentifier) {
      name = a.value->As<ast::Identifier>().name;
    } else if (a.value->kind == ast::ExprKind::kMember) {
      name = a.value->As<ast::MemberExpr>().member;
    } else {
      CheckExpr(*a.value, scope);
      Error("E100", a.value->span, "items of " + OpLabel(op.name) + " need a name",
            "write 'name: expression'");
      continue;
    }
    SchemaField field;
    field.type = CheckExpr(*a.value, scope);
    field.name = std::move(name);
    out.fields.push_back(std::move(field));
    args->push_back(&a);
  }
  return out;
}

void ProgramChecker::CheckEmitAs(const ast::StreamOp& op, const Schema& emitted,
                                 const std::vector<const ast::Argument*>& args) {
  auto event = events_.find(op.emit_as);
  if (event == events_.end()) {
    Error("E025", op.emit_as_span,
          "'.emit as' needs a declared event type, and " + Quote(op.emit_as) + " is not one",
          DidYouMean(op.emit_as, event_order_));
    return;
  }
  const Schema& target = ResolveEvent(event->second);
  if (!emitted.known) return;
  std::vector<std::string_view> target_fields;
  for (const SchemaField& f : target.fields) target_fields.push_back(f.name);
  for (std::size_t i = 0; i < emitted.fields.size(); ++i) {
    const SchemaField& f = emitted.fields[i];
    const ast::Argument* arg = i < args.size() ? args[i] : nullptr;
    const Span name_span = arg == nullptr    ? op.emit_as_span
                           : arg->is_named() ? arg->name_span
                                             : arg->value->span;
    const SchemaField* declared = target.Find(f.name);
    if (declared == nullptr) {
      Error("E025", name_span, "event " + Quote(op.emit_as) + " has no field " + Quote(f.name),
            DidYouMean(f.name, target_fields));
      continue;
    }
    if (!IsAssignable(declared->type, f.type)) {
      Error("E025", arg != nullptr ? arg->value->span : op.emit_as_span,
            "field " + Quote(f.name) + " of event " + Quote(op.emit_as) + " is " +
                std::string(StaticTypeName(declared->type)) + ", got " +
                std::string(StaticTypeName(f.type)));
    }
  }
  for (const SchemaField& f : target.fields) {
    if (f.optional || emitted.Find(f.name) != nullptr) continue;
    Error("E025", op.emit_as_span,
          "missing field " + Quote(f.name) + " required by event " + Quote(op.emit_as),
          "declare it '" + f.name + ": " + std::string(StaticTypeName(f.type)) +
              "?' in the event to make it optional");
  }
}

void ProgramChecker::CheckChain(const ast::StreamDecl& stream,
                                std::span<const ast::StreamOp* const> ops, Schema schema,
                                std::string owner, Scope scope, bool fed_by_events,
                                Schema* output) {
  scope.record = &schema;
  bool has_window = false;
  bool has_aggregate = false;
  std::string partition_field;
  StaticType partition_type = StaticType::kUnknown;
  auto unknown_field = [&](const std::string& name, Span span) {
    std::vector<std::string_view> fields;
    for (const SchemaField& f : schema.fields) fields.push_back(f.name);
    Error("E021", span, "unknown field " + Quote(name) + " of " + Quote(owner),
          DidYouMean(name, fields));
  };
  for (const ast::StreamOp* op_ptr : ops) {
    const ast::StreamOp& op = *op_ptr;
    switch (op.kind) {
      case ast::OpKind::kWhere:
        if (CheckOpArity(op, 1, 1)) {
          CheckCondition(*op.args[0].value, scope, "'.where' condition");
        }
        break;
      case ast::OpKind::kHaving:
        if (!has_aggregate) {
          Error("E010", op.name_span, "'.having' requires a preceding '.aggregate'",
                "use '.where' to filter records");
        }
        if (CheckOpArity(op, 1, 1)) {
          CheckCondition(*op.args[0].value, scope, "'.having' condition");
        }
        break;
      case ast::OpKind::kSelect: {
        std::vector<const ast::Argument*> args;
        Schema selected = CheckRecordItems(op, scope, &args);
        if (op.args.empty()) {
          Error("E051", op.name_span, "'.select' needs at least one field");
          break;
        }
        schema = std::move(selected);
        owner = stream.name;
        break;
      }
      case ast::OpKind::kEmit: {
        std::vector<const ast::Argument*> args;
        Schema emitted = op.args.empty() ? schema : CheckRecordItems(op, scope, &args);
        if (!op.emit_as.empty()) CheckEmitAs(op, emitted, args);
        schema = std::move(emitted);
        owner = stream.name;
        break;
      }
      case ast::OpKind::kWindow:
        if (has_window) {
          Error("E012", op.name_span, "more than one '.window' in stream " + Quote(stream.name));
        }
        has_window = true;
        CheckWindow(op);
        break;
      case ast::OpKind::kAggregate: {
        if (has_aggregate) {
          Error("E011", op.name_span, "more than one '.aggregate' in stream " + Quote(stream.name));
        } else if (!has_window) {
          Error("E013", op.name_span, "'.aggregate' requires a preceding '.window'",
                "add a window first, e.g. '.window(10s)' or '.window(100)'");
        }
        Scope agg = scope;
        agg.kind = Scope::Kind::kAggregate;
        agg.partition_field = partition_field;
        Schema result;
        result.known = true;
        for (const ast::Argument& a : op.args) {
          StaticType t = CheckExpr(*a.value, agg);
          if (!a.is_named()) {
            Error("E100", a.value->span, "items of '.aggregate' need a name",
                  "write 'name: aggregate(...)'");
            continue;
          }
          result.fields.push_back(SchemaField{a.name, t, false});
        }
        if (op.args.empty()) {
          Error("E051", op.name_span, "'.aggregate' needs at least one item");
        }
        if (!partition_field.empty() && result.Find(partition_field) == nullptr) {
          result.fields.insert(result.fields.begin(),
                               SchemaField{partition_field, partition_type, false});
        }
        has_aggregate = true;
        schema = std::move(result);
        owner = stream.name;
        break;
      }
      case ast::OpKind::kPartitionBy: {
        if (!CheckOpArity(op, 1, 1)) break;
        const ast::Expr& arg = *op.args[0].value;
        if (arg.kind != ast::ExprKind::kIdentifier) {
          CheckExpr(arg, scope);
          Error("E014", arg.span, "'.partition_by' needs a field name",
                "compute the key first, e.g. '.select(..., key: expr).partition_by(key)'");
          break;
        }
        partition_field = arg.As<ast::Identifier>().name;
        partition_type = StaticType::kUnknown;
        if (schema.known) {
          if (const SchemaField* f = schema.Find(partition_field)) {
            partition_type = f->type;
          } else {
            unknown_field(partition_field, arg.span);
          }
        }
        break;
      }
      case ast::OpKind::kWatermark:
        CheckWatermark(op, fed_by_events);
        break;
      case ast::OpKind::kAllowedLateness:
        CheckAllowedLateness(op, fed_by_events);
        break;
      case ast::OpKind::kDistinct:
        if (CheckOpArity(op, 0, 1) && !op.args.empty()) CheckExpr(*op.args[0].value, scope);
        break;
      case ast::OpKind::kLimit:
        CheckLimit(op);
        break;
      case ast::OpKind::kPrint:
        for (const ast::Argument& a : op.args) {
          if (a.is_named()) {
            Error("E080", a.name_span, "unknown parameter " + Quote(a.name) + " for '.print'",
                  "'.print' takes expressions only");
          }
          CheckExpr(*a.value, scope);
        }
        break;
      case ast::OpKind::kLog:
        CheckLog(op, scope);
        break;
      case ast::OpKind::kTo:
        CheckConnectorUse(op.args.empty() ? nullptr : op.args[0].value.get(), op.span);
        break;
      case ast::OpKind::kWithin:
      case ast::OpKind::kNot:
        Error("E027", op.name_span,
              OpLabel(op.name) + " applies only to pattern streams (with '->' steps)");
        break;
      case ast::OpKind::kFollowedBy:
        break;  // pattern streams are checked by CheckPipelinePattern
      case ast::OpKind::kFilter:
        Error("E090", op.name_span, "'.filter' is not supported yet", "use '.where(...)'");
        break;
      case ast::OpKind::kFirst:
        Error("E090", op.name_span, "'.first' is not supported yet", "use '.limit(1)'");
        break;
      case ast::OpKind::kUnknown: {
        Error("E050", op.name_span, "unknown operation " + OpLabel(op.name),
              DidYouMean(op.name, kTier1OpNames));
        break;
      }
      default:
        if (IsTier2(op.kind)) {
          Error("E090", op.name_span, OpLabel(op.name) + " is not supported yet");
        } else if (IsOutOfScope(op.kind)) {
          Error("E090", op.name_span, OpLabel(op.name) + " is not supported");
        }
        break;
    }
  }
  *output = std::move(schema);
}

}  // namespace varpulis::lang::internal

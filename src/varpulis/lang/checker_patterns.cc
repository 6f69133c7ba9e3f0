// Patterns: the static checks S1–S13 of patterns.md §4 and the name resolution of §5, for
// pipeline patterns (`A as a -> B ...`) and declared patterns (`pattern P = SEQ(...)`).
//
// Codes: E026 alias errors (S1 duplicate, S2 self/forward reference, S3 unbound alias in a
// negation), E027 `.within` errors and `.within`/`.not` without `->` (S4, S5), E028 shape errors
// (S6–S10, S13), E029 structure added to a stream using a declared pattern (S11), E014 (S12).
#include <string>
#include <vector>

#include "varpulis/lang/program_checker.h"

namespace varpulis::lang::internal {
namespace {

struct Step {
  std::string_view type;
  Span type_span;
  std::string_view alias;
  Span alias_span;
  const ast::Expr* where = nullptr;
  std::vector<const ast::Expr*> extra_wheres;  // mid-chain `.where` attached to this step
  const Schema* schema = nullptr;
};

// The match record (§11.1): `<alias>_<field>` for each alias in order; unknown as soon as one
// aliased step has an unknown schema.
Schema MatchSchema(const std::vector<AliasInfo>& aliases) {
  Schema out;
  out.known = true;
  for (const AliasInfo& a : aliases) {
    if (a.schema == nullptr || !a.schema->known) return Schema::Unknown();
    for (const SchemaField& f : a.schema->fields) {
      std::string name = a.name + "_" + f.name;
      bool replaced = false;
      for (SchemaField& existing : out.fields) {
        if (existing.name == name) {
          existing.type = f.type;  // the later alias wins
          replaced = true;
        }
      }
      if (!replaced) out.fields.push_back(SchemaField{std::move(name), f.type, false});
    }
  }
  return out;
}

void FlattenOr(const ast::PatternExpr& e, std::vector<const ast::PatternExpr*>* out) {
  if (e.kind != ast::PatternExprKind::kOr) {
    out->push_back(&e);
    return;
  }
  for (const auto& operand : e.operands) FlattenOr(*operand, out);
}

}  // namespace

bool ProgramChecker::CheckWithinArg(const ast::Expr* within, Span where) {
  if (within == nullptr) {
    Error("E027", where, "'.within' needs a duration literal, e.g. '.within(30s)'");
    return false;
  }
  if (within->kind != ast::ExprKind::kLiteral ||
      within->As<ast::Literal>().value.kind() != core::ValueKind::kDuration) {
    Error("E027", within->span, "'within' needs a duration literal, e.g. 30s");
    return false;
  }
  if (within->As<ast::Literal>().value.AsInt() <= 0) {
    Error("E027", within->span, "'within' must be a positive duration");
    return false;
  }
  return true;
}

void ProgramChecker::CheckPipelinePattern(const ast::StreamDecl& stream, Schema* output) {
  const ast::Source& source = stream.source;
  if (source.kind != ast::SourceKind::kName) {
    Error("E028", source.span, "a pattern's first step must be an event type or a stream");
    *output = Schema::Unknown();
    return;
  }
  if (source.has_from) {
    CheckConnectorUse(source.from_args.empty() ? nullptr : source.from_args[0].value.get(),
                      source.from_span);
  }
  if (pattern_index_.count(source.name) != 0 && stream_index_.count(source.name) == 0) {
    Span arrow = stream.ops.front().name_span;
    for (const ast::StreamOp& op : stream.ops) {
      if (op.kind == ast::OpKind::kFollowedBy) {
        arrow = op.name_span;
        break;
      }
    }
    Error("E029", arrow,
          "a stream that uses pattern " + Quote(source.name) + " cannot add '->' steps",
          "add the steps to the pattern declaration");
    *output = Schema::Unknown();
    return;
  }

  std::vector<Step> steps;
  Step first;
  first.type = source.name;
  first.type_span = source.name_span;
  first.alias = source.alias;
  first.alias_span = source.alias_span;
  steps.push_back(first);

  std::size_t last_arrow = 0;
  for (std::size_t i = 0; i < stream.ops.size(); ++i) {
    if (stream.ops[i].kind == ast::OpKind::kFollowedBy) last_arrow = i;
  }
  std::vector<const ast::StreamOp*> mid_tail;
  std::vector<const ast::StreamOp*> tail;
  std::vector<const ast::StreamOp*> withins;
  std::vector<const ast::StreamOp*> nots;
  std::vector<const ast::StreamOp*> partitions;
  for (std::size_t i = 0; i < stream.ops.size(); ++i) {
    const ast::StreamOp& op = stream.ops[i];
    switch (op.kind) {
      case ast::OpKind::kFollowedBy: {
        Step s;
        s.type = op.step->type;
        s.type_span = op.step->type_span;
        s.alias = op.step->alias;
        s.alias_span = op.step->alias_span;
        s.where = op.step->where.get();
        steps.push_back(s);
        break;
      }
      case ast::OpKind::kWithin:
        withins.push_back(&op);
        break;
      case ast::OpKind::kNot:
        nots.push_back(&op);
        break;
      case ast::OpKind::kPartitionBy:
        partitions.push_back(&op);
        break;
      case ast::OpKind::kWhere:
        if (i < last_arrow) {
          if (CheckOpArity(op, 1, 1)) steps.back().extra_wheres.push_back(op.args[0].value.get());
          break;
        }
        tail.push_back(&op);
        break;
      default:
        (i < last_arrow ? mid_tail : tail).push_back(&op);
        break;
    }
  }

  // Step types and aliases (S1).
  std::vector<AliasInfo> aliases;
  bool fed_by_events = true;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Step& s = steps[i];
    int target = -1;
    if (i == 0 && s.type == stream.name) {
      if (events_.count(s.type) == 0) {
        Error("E007", s.type_span,
              "stream " + Quote(stream.name) + " reads from an event type of its own name",
              "streams and event types share one namespace; rename the stream");
      }
      auto e = events_.find(s.type);
      s.schema = e != events_.end() ? &e->second.schema : &UnknownSchema();
    } else {
      s.schema = ResolveSourceName(s.type, s.type_span, &target);
    }
    if (i == 0 && target >= 0) fed_by_events = false;
    if (s.alias.empty()) continue;
    bool duplicate = false;
    for (const AliasInfo& a : aliases) {
      if (a.name == s.alias) {
        Error("E026", s.alias_span, "alias " + Quote(s.alias) + " is already used in this pattern",
              "first bound at line " + std::to_string(file_.LineOf(a.span.begin)));
        duplicate = true;
        break;
      }
    }
    if (!duplicate) {
      aliases.push_back(AliasInfo{std::string(s.alias), s.alias_span, std::string(s.type), s.schema,
                                  static_cast<int>(i), 0});
    }
  }

  // Step predicates (S2): bare names are fields of the candidate event.
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Scope scope;
    scope.kind = Scope::Kind::kRecord;
    scope.record = steps[i].schema;
    scope.record_name = steps[i].type;
    scope.aliases = &aliases;
    scope.first_unbound_step = static_cast<int>(i);
    if (steps[i].where) CheckCondition(*steps[i].where, scope, "the step condition");
    for (const ast::Expr* w : steps[i].extra_wheres)
      CheckCondition(*w, scope, "'.where' condition");
  }

  // `.not(T where p)` (S3): the alias must be bound by some positive step.
  for (const ast::StreamOp* op : nots) {
    if (!op->step) continue;
    int target = -1;
    const Schema* schema = ResolveSourceName(op->step->type, op->step->type_span, &target);
    if (!op->step->where) continue;
    Scope scope;
    scope.kind = Scope::Kind::kRecord;
    scope.record = schema;
    scope.record_name = op->step->type;
    scope.aliases = &aliases;
    scope.negation = true;
    CheckCondition(*op->step->where, scope, "the '.not' condition");
  }

  // `.within` (S4).
  for (std::size_t i = 0; i < withins.size(); ++i) {
    const ast::StreamOp& op = *withins[i];
    if (i > 0) {
      Error("E027", op.name_span, "'.within' is given twice",
            "a pattern has one deadline; keep a single '.within'");
      continue;
    }
    if (op.args.size() != 1 || op.args[0].is_named()) {
      Error("E027", op.name_span, "'.within' takes one duration literal, e.g. '.within(30s)'");
      continue;
    }
    CheckWithinArg(op.args[0].value.get(), op.name_span);
  }

  // `.partition_by` (S12): a bare field name that some step's event has.
  for (const ast::StreamOp* op : partitions) {
    if (!CheckOpArity(*op, 1, 1)) continue;
    const ast::Expr& arg = *op->args[0].value;
    if (arg.kind != ast::ExprKind::kIdentifier) {
      Error("E014", arg.span, "'.partition_by' needs a field name");
      continue;
    }
    const std::string& field = arg.As<ast::Identifier>().name;
    bool all_known = true;
    bool found = false;
    std::vector<std::string_view> candidates;
    for (const Step& s : steps) {
      if (s.schema == nullptr || !s.schema->known) {
        all_known = false;
        continue;
      }
      for (const SchemaField& f : s.schema->fields) candidates.push_back(f.name);
      found = found || s.schema->Find(field) != nullptr;
    }
    if (all_known && !found) {
      Error("E021", arg.span, "unknown field " + Quote(field) + ": no event of this pattern has it",
            DidYouMean(field, candidates));
    }
  }

  std::vector<const ast::StreamOp*> tail_ops = mid_tail;
  tail_ops.insert(tail_ops.end(), tail.begin(), tail.end());
  Scope scope;
  scope.kind = Scope::Kind::kRecord;
  scope.aliases = &aliases;
  CheckChain(stream, tail_ops, MatchSchema(aliases), stream.name, scope, fed_by_events, output);
}

void ProgramChecker::CheckPatternStreamTail(const ast::StreamDecl& stream,
                                            const PatternInfo& pattern, Schema* output) {
  const ast::Source& source = stream.source;
  if (source.kleene_all) {
    Error("E028", source.all_span,
          "'all' cannot be applied to the declared pattern " + Quote(source.name));
  }
  if (source.has_from) {
    CheckConnectorUse(source.from_args.empty() ? nullptr : source.from_args[0].value.get(),
                      source.from_span);
  }
  std::vector<const ast::StreamOp*> tail;
  for (const ast::StreamOp& op : stream.ops) {
    switch (op.kind) {
      case ast::OpKind::kWithin:
      case ast::OpKind::kNot:
      case ast::OpKind::kPartitionBy:
        Error(
            "E029", op.name_span,
            "a stream that uses pattern " + Quote(source.name) + " cannot add " + OpLabel(op.name),
            "put it in the declaration of " + Quote(source.name));
        break;
      default:
        tail.push_back(&op);
        break;
    }
  }
  Scope scope;
  scope.kind = Scope::Kind::kRecord;
  scope.aliases = &pattern.aliases;
  CheckChain(stream, tail, pattern.match, stream.name, scope, true, output);
}

void ProgramChecker::CheckPatternDecl(PatternInfo& pattern) {
  const ast::PatternDecl& decl = *pattern.decl;
  if (!decl.pattern) return;
  enclosing_name_ = decl.name;
  std::vector<const ast::PatternExpr*> alternatives;
  FlattenOr(*decl.pattern, &alternatives);

  // An alternative's items in written order, with the index of each positive step.
  struct Entry {
    const ast::PatternItem* item;
    int step;  // positive step index, -1 for NOT items
    const Schema* schema;
  };
  std::vector<std::vector<Entry>> entries(alternatives.size());
  std::vector<AliasInfo>& aliases = pattern.aliases;

  for (std::size_t alt = 0; alt < alternatives.size(); ++alt) {
    const ast::PatternExpr& e = *alternatives[alt];
    std::vector<const ast::PatternItem*> items;
    switch (e.kind) {
      case ast::PatternExprKind::kItem:
        items.push_back(&e.item);
        if (e.item.negated) {
          Error("E028", e.item.not_span, "NOT is only allowed between the items of a SEQ",
                "write SEQ(A as a, NOT B where ...) with a 'within'");
        }
        break;
      case ast::PatternExprKind::kSeq:
        for (const auto& operand : e.operands) items.push_back(&operand->item);
        break;
      case ast::PatternExprKind::kAnd:
        for (const auto& operand : e.operands) {
          if (operand->kind != ast::PatternExprKind::kItem) {
            Error("E028", operand->span, "each AND operand must be a single positive item");
            continue;
          }
          if (operand->item.negated) {
            Error("E028", operand->item.not_span, "NOT is only allowed between the items of a SEQ");
            continue;
          }
          if (operand->item.kleene != ast::Kleene::kNone) {
            Error("E028", operand->item.kleene_span,
                  "each AND operand must be a single positive item, without a Kleene marker");
          }
          items.push_back(&operand->item);
        }
        break;
      case ast::PatternExprKind::kOr:
        break;  // flattened above
    }
    int positives = 0;
    int first_positive = -1;
    int last_positive = -1;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i]->negated) {
        if (first_positive < 0) first_positive = static_cast<int>(i);
        last_positive = static_cast<int>(i);
        ++positives;
      }
    }
    if (e.kind == ast::PatternExprKind::kSeq) {
      if (!items.empty() && items[0]->negated) {
        Error("E028", items[0]->not_span, "a SEQ cannot start with NOT",
              "a negation needs an earlier step to anchor it");
      }
      bool only_kleene =
          positives == 1 &&
          items[static_cast<std::size_t>(first_positive)]->kleene != ast::Kleene::kNone;
      if (only_kleene) {
        const ast::PatternItem& k = *items[static_cast<std::size_t>(first_positive)];
        Error("E028", k.kleene_span,
              "a pattern whose only step is a Kleene step would re-match on every event",
              "add a step before or after it");
      } else if (positives > 0) {
        const ast::PatternItem& head = *items[static_cast<std::size_t>(first_positive)];
        const ast::PatternItem& tail = *items[static_cast<std::size_t>(last_positive)];
        auto optional = [](const ast::PatternItem& it) {
          return it.kleene == ast::Kleene::kStar || it.kleene == ast::Kleene::kOptional;
        };
        if (optional(head)) {
          Error("E028", head.kleene_span,
                "the first step of a SEQ cannot be optional ('*' or '?')");
        }
        if (optional(tail) && last_positive != first_positive) {
          Error("E028", tail.kleene_span, "the last step of a SEQ cannot be optional ('*' or '?')");
        }
      }
      if (last_positive >= 0 && decl.within == nullptr) {
        for (std::size_t i = static_cast<std::size_t>(last_positive) + 1; i < items.size(); ++i) {
          Error("E028", items[i]->not_span, "a trailing NOT needs 'within'",
                "without a deadline the absence is never confirmed");
          break;
        }
      }
    } else if (e.kind == ast::PatternExprKind::kItem && !e.item.negated &&
               e.item.kleene != ast::Kleene::kNone) {
      Error("E028", e.item.kleene_span,
            "a pattern whose only step is a Kleene step would re-match on every event",
            "add a step before or after it");
    }

    int step = 0;
    for (const ast::PatternItem* item : items) {
      const Schema* schema = ResolveSourceName(item->type, item->type_span, nullptr);
      if (item->negated) {
        if (item->kleene != ast::Kleene::kNone) {
          Error("E028", item->kleene_span, "a NOT item cannot have a Kleene marker");
        }
        if (!item->alias.empty()) {
          Error("E028", item->alias_span, "a NOT item cannot have an alias",
                "nothing is bound by a negative item");
        }
        entries[alt].push_back(Entry{item, -1, schema});
        continue;
      }
      entries[alt].push_back(Entry{item, step, schema});
      if (!item->alias.empty()) {
        bool duplicate = false;
        for (const AliasInfo& a : aliases) {
          if (a.name == item->alias) {
            Error("E026", item->alias_span,
                  "alias " + Quote(item->alias) + " is already used in this pattern",
                  "first bound at line " + std::to_string(file_.LineOf(a.span.begin)));
            duplicate = true;
            break;
          }
        }
        if (!duplicate) {
          aliases.push_back(AliasInfo{item->alias, item->alias_span, item->type, schema, step,
                                      static_cast<int>(alt)});
        }
      }
      ++step;
    }
  }

  // Predicates, once every alias is known (S2, S3).
  for (std::size_t alt = 0; alt < entries.size(); ++alt) {
    for (const Entry& entry : entries[alt]) {
      if (!entry.item->where) continue;
      Scope scope;
      scope.kind = Scope::Kind::kRecord;
      scope.record = entry.schema;
      scope.record_name = entry.item->type;
      scope.aliases = &aliases;
      scope.alternative = static_cast<int>(alt);
      if (entry.step < 0) {
        scope.negation = true;
        CheckCondition(*entry.item->where, scope, "the NOT condition");
      } else {
        scope.first_unbound_step = entry.step;
        CheckCondition(*entry.item->where, scope, "the step condition");
      }
    }
  }

  if (decl.within) CheckWithinArg(decl.within.get(), decl.within->span);
  if (decl.partition_by && decl.partition_by->kind != ast::ExprKind::kIdentifier) {
    Error("E014", decl.partition_by->span, "'partition by' needs a field name");
  }
  pattern.match = MatchSchema(aliases);
  pattern.checked = true;
  enclosing_name_ = {};
}

}  // namespace varpulis::lang::internal

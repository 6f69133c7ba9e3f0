// pattern_plan.h — the compiled description of one SASE+ pattern (spec/patterns.md).
//
// Produced by the pattern compiler (engine/pattern_compiler.h) from a pipeline pattern stream or a
// `pattern` declaration, consumed by PatternMatcher. All names are resolved: event types are the
// interned ids that Record::type carries, aliases are indices into EvalContext::aliases, every
// predicate is a compiled Expression. A plan is plain data owned by one operator (expressions
// carry per-schema slot caches, so a plan is never shared between threads).
//
// Shape (§3, §10): a pattern is a list of alternatives (OR); an alternative is either a sequence
// of positive steps with negative items in its gaps (SEQ, or the pipeline `->` chain), or an AND
// of single positive items.
//
//   A as a -> all B where k == a.k as b -> C as c .within(1m) .not(X where k == a.k)
//   => one kSequence alternative, steps {A a}, {B+ b pred}, {C c}, negation {X pred, kWholeRun},
//      within_ms = 60000.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "varpulis/core/status.h"
#include "varpulis/engine/expression.h"

namespace varpulis::engine {

// Kleene marker of a step (§7.1). `all T` is kPlus.
enum class KleeneKind : std::uint8_t { kNone = 0, kPlus, kStar, kOptional };

// One positive item.
struct PatternStep {
  std::uint32_t type = 0;  // Record::type of the events this step takes
  int alias = -1;          // index into EvalContext::aliases / PatternPlan::alias_names; -1: none
  KleeneKind kleene = KleeneKind::kNone;
  // Null: every event of `type` qualifies. Otherwise the event qualifies iff the predicate is
  // `true`, evaluated with the candidate event as the record and EvalContext::aliases holding the
  // run's bindings (null for unbound aliases). Mid-chain `.where` clauses are AND-ed in here.
  ExpressionPtr predicate;
};

// Gap index of a pipeline `.not`: active for the whole life of a run (§9.1).
inline constexpr int kWholeRun = -1;

// One negative item (`.not(T where p)` or `NOT T where p` in a SEQ).
struct PatternNegation {
  std::uint32_t type = 0;
  ExpressionPtr predicate;  // null: any event of `type`; evaluated like a step predicate
  // kWholeRun, or the number of positive steps of the SEQ written before this item (1..n).
  // gap == n (the number of steps) is a trailing NOT (§9.3): the run waits for its deadline.
  // A NOT in gap g is active while the run's last taken step i satisfies i < g and every step
  // strictly between i and g is optional (* or ?) — i.e. the run could reach step g next.
  int gap = kWholeRun;
  // Aliases the predicate reads. While any of them is unbound in a run, the item is not
  // satisfied for that run (§5: "if x is not bound yet, the predicate is not satisfied").
  std::vector<int> aliases_used;
};

enum class AlternativeKind : std::uint8_t { kSequence = 0, kAnd };

struct PatternAlternative {
  AlternativeKind kind = AlternativeKind::kSequence;
  std::vector<PatternStep> steps;          // kAnd: the operands, each kNone, in written order
  std::vector<PatternNegation> negations;  // kAnd: none (S8)
};

// Event type and the field of it that partitions runs.
struct PartitionKey {
  std::uint32_t type = 0;
  std::string field;
};

struct PatternPlan {
  std::string name;                              // the stream's name, for messages
  std::vector<PatternAlternative> alternatives;  // OR; at least one
  // Alias index -> name, in pattern order (the order of fields in the match record, §11.1).
  std::vector<std::string> alias_names;
  std::optional<std::int64_t> within_ms;  // §8.2; none: runs never expire
  // Run partitioning (§10.3): an event of type T only touches runs whose key equals the value of
  // the field listed for T (null when absent: the null partition). Empty: no partitioning.
  // The compiler lists every input type with the `.partition_by` field; it may also derive keys
  // from equality predicates (`k == a.k` on every later step and negation), which is exact
  // because those predicates are still evaluated — the key only narrows which runs are tried.
  std::vector<PartitionKey> partition_keys;
  // Identifies the pattern's structure; a snapshot taken with a different fingerprint is
  // discarded on restore with a warning (§13).
  std::uint64_t fingerprint = 0;

  // Every event type the pattern reads (steps and negations), sorted, unique. The runtime routes
  // events of these types to the operator.
  std::vector<std::uint32_t> InputTypes() const;

  // Structural checks a matcher relies on (alias indices in range, no Kleene in AND, gaps in
  // range, at least one step per alternative). The compiler's diagnostics catch these for user
  // programs; this guards hand-built plans. kInvalidArgument names the problem.
  core::Status Validate() const;
};

}  // namespace varpulis::engine

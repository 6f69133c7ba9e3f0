#include "varpulis/engine/pattern_matcher.h"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/engine/operator.h"
#include "varpulis/engine/pattern_test_support.h"

namespace varpulis::engine {
namespace {

using core::Value;
using testing::And;
using testing::EventFactory;
using testing::FieldEqAlias;
using testing::FieldGt;
using testing::Not;
using testing::Plan;
using testing::Seq;
using testing::Step;

constexpr std::uint32_t kA = 1, kB = 2, kC = 3, kX = 4, kL = 5;
constexpr KleeneKind kNone = KleeneKind::kNone, kPlus = KleeneKind::kPlus,
                     kStar = KleeneKind::kStar, kOpt = KleeneKind::kOptional;

// Feeds events in §6.1 order and renders matches as "ts:a=n,b=n" (field `n` of each bound alias).
class Harness {
 public:
  explicit Harness(PatternPlan plan, std::int64_t max_runs = 10000)
      : names_(plan.alias_names), matcher_(std::move(plan), &ctx_, max_runs) {}

  Harness& Ev(std::uint32_t type, std::int64_t ts, std::int64_t n,
              std::initializer_list<std::pair<const char*, Value>> more = {}) {
    core::Record r = events_.Make(type, ts, {{"n", Value::Int(n)}});
    if (more.size() > 0) {
      std::vector<std::pair<const char*, Value>> all{{"n", Value::Int(n)}};
      all.insert(all.end(), more.begin(), more.end());
      r = MakeWith(type, ts, all);
    }
    matcher_.AdvanceClock(ts, out_);
    matcher_.OnEvent(std::move(r), out_);
    return *this;
  }
  void Drain() { matcher_.AdvanceClock(kWatermarkInfinity, out_); }

  std::vector<std::string> Take() {
    std::vector<std::string> rendered;
    for (const PatternMatch& m : out_) {
      std::string s = std::to_string(m.ts) + ":";
      bool first = true;
      for (std::size_t i = 0; i < m.bindings.size(); ++i) {
        if (!m.bindings[i]) continue;
        if (!first) s += ",";
        first = false;
        s += names_[i] + "=" + m.bindings[i]->Get("n").ToJson();
      }
      rendered.push_back(s);
    }
    out_.clear();
    return rendered;
  }
  PatternMatcher& matcher() { return matcher_; }
  EvalContext& ctx() { return ctx_; }

 private:
  core::Record MakeWith(std::uint32_t type, std::int64_t ts,
                        const std::vector<std::pair<const char*, Value>>& fields) {
    std::vector<std::string> names;
    core::Record r;
    r.type = type;
    r.ts = ts;
    for (const auto& [name, value] : fields) {
      names.emplace_back(name);
      r.values.push_back(value);
    }
    r.schema = std::make_shared<const core::Schema>(names);
    return r;
  }

  std::vector<std::string> names_;
  EvalContext ctx_;
  EventFactory events_;
  PatternMatcher matcher_;
  PatternMatches out_;
};

using Lines = std::vector<std::string>;

PatternPlan AB() {
  std::vector<PatternStep> steps;
  steps.push_back(Step(kA, 0));
  steps.push_back(Step(kB, 1));
  std::vector<PatternAlternative> alts;
  alts.push_back(Seq(std::move(steps)));
  return Plan(std::move(alts), {"a", "b"});
}

PatternPlan SeqPlan(std::vector<PatternStep> steps, std::vector<std::string> aliases,
                    std::vector<PatternNegation> negations = {},
                    std::optional<std::int64_t> within = std::nullopt) {
  std::vector<PatternAlternative> alts;
  alts.push_back(Seq(std::move(steps), std::move(negations)));
  PatternPlan plan = Plan(std::move(alts), std::move(aliases));
  plan.within_ms = within;
  return plan;
}

template <class... S>
std::vector<PatternStep> Steps(S... s) {
  std::vector<PatternStep> v;
  (v.push_back(std::move(s)), ...);
  return v;
}
template <class... N>
std::vector<PatternNegation> Nots(N... n) {
  std::vector<PatternNegation> v;
  (v.push_back(std::move(n)), ...);
  return v;
}

// --- §6.4 worked examples -------------------------------------------------------------------

TEST(PatternMatcher, E1EachRunTakesFirstLaterB) {
  Harness h(AB());
  h.Ev(kA, 0, 1).Ev(kB, 1, 1).Ev(kA, 2, 2).Ev(kB, 3, 2);
  EXPECT_EQ(h.Take(), (Lines{"1:a=1,b=1", "3:a=2,b=2"}));
}

TEST(PatternMatcher, E2BothRunsTakeTheSameBOldestFirst) {
  Harness h(AB());
  h.Ev(kA, 0, 1).Ev(kA, 1, 2).Ev(kB, 2, 1).Ev(kB, 3, 2);
  EXPECT_EQ(h.Take(), (Lines{"2:a=1,b=1", "2:a=2,b=1"}));
  EXPECT_EQ(h.matcher().live_runs(), 0);
}

TEST(PatternMatcher, E3IrrelevantEventsAreSkipped) {
  Harness h(AB());
  h.Ev(kA, 0, 1).Ev(kX, 1, 9).Ev(kB, 2, 1);
  EXPECT_EQ(h.Take(), (Lines{"2:a=1,b=1"}));
}

TEST(PatternMatcher, E5StepPredicateSkipsNonQualifyingEvent) {
  auto pred = testing::Lambda([](const core::Record& r, EvalContext& ctx) {
    Value a = testing::AliasField(ctx, 0, "v");
    Value v = r.Get("v");
    if (!a.is_numeric() || !v.is_numeric()) return Value();
    return Value::Bool(v.AsDouble() > a.AsDouble());
  });
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kNone, std::move(pred))), {"a", "b"}));
  h.Ev(kA, 0, 1, {{"v", Value::Int(1)}})
      .Ev(kB, 1, 2, {{"v", Value::Int(0)}})
      .Ev(kB, 2, 3, {{"v", Value::Int(5)}});
  EXPECT_EQ(h.Take(), (Lines{"2:a=1,b=3"}));
}

TEST(PatternMatcher, E6RunTakesFirstMiddle) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1), Step(kC, 2)), {"a", "b", "c"}));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1).Ev(kB, 2, 2).Ev(kC, 3, 1);
  EXPECT_EQ(h.Take(), (Lines{"3:a=1,b=1,c=1"}));
}

TEST(PatternMatcher, E7EventCompletesOneRunAndStartsAnother) {
  Harness h(SeqPlan(Steps(Step(kL, 0), Step(kL, 1, kNone, FieldEqAlias("u", 0, "u"))), {"x", "y"}));
  h.Ev(kL, 0, 1, {{"u", Value::Int(7)}})
      .Ev(kL, 1, 2, {{"u", Value::Int(7)}})
      .Ev(kL, 2, 3, {{"u", Value::Int(7)}});
  EXPECT_EQ(h.Take(), (Lines{"1:x=1,y=2", "2:x=2,y=3"}));
  EXPECT_EQ(h.matcher().live_runs(), 1);  // started by L3
}

TEST(PatternMatcher, E8NegationIsCheckedBeforeAdvance) {
  auto neg = testing::Lambda([](const core::Record& r, EvalContext&) {
    Value v = r.Get("v");
    return Value::Bool(v.is_numeric() && v.AsDouble() < 0);
  });
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1)), {"a", "b"},
                    Nots(Not(kB, kWholeRun, std::move(neg)))));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1, {{"v", Value::Int(-1)}}).Ev(kB, 2, 2, {{"v", Value::Int(1)}});
  EXPECT_EQ(h.Take(), Lines{});
  EXPECT_EQ(h.matcher().counters().negated, 1);
}

// --- §7 Kleene ------------------------------------------------------------------------------

TEST(PatternMatcher, KleeneMiddleAbsorbsQualifyingAndBindsLast) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kPlus, FieldGt("v", 0)), Step(kC, 2)),
                    {"a", "b", "c"}));
  h.Ev(kA, 0, 1)
      .Ev(kB, 1, 1, {{"v", Value::Int(2)}})
      .Ev(kB, 2, 2, {{"v", Value::Int(-1)}})
      .Ev(kB, 3, 3, {{"v", Value::Int(7)}})
      .Ev(kC, 4, 1)
      .Ev(kC, 5, 2);
  EXPECT_EQ(h.Take(), (Lines{"4:a=1,b=3,c=1"}));
}

TEST(PatternMatcher, KleenePlusNeedsOneEvent) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kPlus), Step(kC, 2)), {"a", "b", "c"}));
  h.Ev(kA, 0, 1).Ev(kC, 1, 1);
  EXPECT_EQ(h.Take(), Lines{});
  h.Ev(kB, 2, 1).Ev(kC, 3, 2);
  EXPECT_EQ(h.Take(), (Lines{"3:a=1,b=1,c=2"}));
}

TEST(PatternMatcher, KleeneLastEmitsPerAbsorbedEvent) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kPlus)), {"a", "b"}));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1).Ev(kB, 2, 2);
  EXPECT_EQ(h.Take(), (Lines{"1:a=1,b=1", "2:a=1,b=2"}));
  EXPECT_EQ(h.matcher().live_runs(), 1);
}

TEST(PatternMatcher, KleeneLastRunEndsAtDeadline) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kPlus)), {"a", "b"}, {}, 10));
  h.Ev(kA, 0, 1).Ev(kB, 10, 1).Ev(kB, 11, 2);
  EXPECT_EQ(h.Take(), (Lines{"10:a=1,b=1"}));
  EXPECT_EQ(h.matcher().live_runs(), 0);
}

TEST(PatternMatcher, KleeneGreedyAbsorbsEventAlsoQualifyingForNextStep) {
  // A -> all B -> B where v > 5: every B goes to the Kleene step, the run never completes.
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kPlus), Step(kB, 2, kNone, FieldGt("v", 5))),
                    {"a", "k", "b"}));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1, {{"v", Value::Int(1)}}).Ev(kB, 2, 2, {{"v", Value::Int(9)}});
  EXPECT_EQ(h.Take(), Lines{});
}

TEST(PatternMatcher, KleeneFirstStepEveryAStartsAndIsAbsorbed) {
  Harness h(SeqPlan(Steps(Step(kA, 0, kPlus), Step(kB, 1)), {"a", "b"}));
  h.Ev(kA, 0, 1).Ev(kA, 1, 2).Ev(kB, 2, 1);
  EXPECT_EQ(h.Take(), (Lines{"2:a=2,b=1", "2:a=2,b=1"}));
}

TEST(PatternMatcher, StarStepMayBeSkipped) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kStar), Step(kC, 2)), {"a", "b", "c"}));
  h.Ev(kA, 0, 1).Ev(kC, 1, 1);
  EXPECT_EQ(h.Take(), (Lines{"1:a=1,c=1"}));
  h.Ev(kA, 2, 2).Ev(kB, 3, 1).Ev(kB, 4, 2).Ev(kC, 5, 2);
  EXPECT_EQ(h.Take(), (Lines{"5:a=2,b=2,c=2"}));
}

TEST(PatternMatcher, OptionalStepTakesAtMostOne) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kOpt), Step(kC, 2)), {"a", "b", "c"}));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1).Ev(kB, 2, 2).Ev(kC, 3, 1);
  EXPECT_EQ(h.Take(), (Lines{"3:a=1,b=1,c=1"}));
}

TEST(PatternMatcher, MandatoryStepStopsScanPastOptional) {
  // A -> B? -> C -> D: a D before C does nothing.
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kOpt), Step(kC, 2), Step(kX, 3)),
                    {"a", "b", "c", "d"}));
  h.Ev(kA, 0, 1).Ev(kX, 1, 1).Ev(kC, 2, 1).Ev(kX, 3, 2);
  EXPECT_EQ(h.Take(), (Lines{"3:a=1,c=1,d=2"}));
}

// --- §8 time --------------------------------------------------------------------------------

TEST(PatternMatcher, WithinIsInclusive) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1)), {"a", "b"}, {}, 10000));
  h.Ev(kA, 0, 1).Ev(kB, 10000, 1);
  EXPECT_EQ(h.Take(), (Lines{"10000:a=1,b=1"}));
  h.Ev(kA, 20000, 2).Ev(kB, 30001, 2);
  EXPECT_EQ(h.Take(), Lines{});
}

TEST(PatternMatcher, UnrelatedClockAdvanceExpiresRun) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1)), {"a", "b"}, {}, 10000));
  h.Ev(kA, 0, 1);
  PatternMatches out;
  h.matcher().AdvanceClock(11000, out);  // an event of a type the pattern does not read
  EXPECT_EQ(h.matcher().live_runs(), 0);
  EXPECT_EQ(h.matcher().counters().expired, 1);
  h.Ev(kB, 11000, 1);
  EXPECT_EQ(h.Take(), Lines{});
}

TEST(PatternMatcher, ClockNeverMovesBackwards) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1)), {"a", "b"}, {}, 10));
  h.Ev(kA, 100, 1);
  h.Ev(kX, 200, 0);  // expires the run
  h.Ev(kA, 50, 2);   // late event: deadline 60 < clock 200
  h.Ev(kB, 55, 1);   // the run was resolved at this event's step 1
  EXPECT_EQ(h.Take(), Lines{});
  EXPECT_EQ(h.matcher().clock(), 200);
}

// --- §9 negation ----------------------------------------------------------------------------

TEST(PatternMatcher, PipelineNotCancelsOnlyMatchingRun) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kNone, FieldEqAlias("id", 0, "id"))), {"o", "s"},
                    Nots(Not(kX, kWholeRun, FieldEqAlias("id", 0, "id"), {0}))));
  h.Ev(kA, 0, 1, {{"id", Value::Int(1)}})
      .Ev(kA, 1, 2, {{"id", Value::Int(2)}})
      .Ev(kX, 2, 0, {{"id", Value::Int(1)}})
      .Ev(kB, 3, 1, {{"id", Value::Int(1)}})
      .Ev(kB, 4, 2, {{"id", Value::Int(2)}})
      .Ev(kX, 5, 0, {{"id", Value::Int(2)}});
  EXPECT_EQ(h.Take(), (Lines{"4:o=2,s=2"}));
}

TEST(PatternMatcher, NegationWithUnboundAliasIsNotSatisfied) {
  // .not(X where id == b.id): before b is bound nothing cancels, even an X without id
  // (null == null would be true).
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1), Step(kC, 2)), {"a", "b", "c"},
                    Nots(Not(kX, kWholeRun, FieldEqAlias("id", 1, "id"), {1}))));
  h.Ev(kA, 0, 1).Ev(kX, 1, 0).Ev(kB, 2, 1).Ev(kC, 3, 1);
  EXPECT_EQ(h.Take(), (Lines{"3:a=1,b=1,c=1"}));
  h.Ev(kA, 4, 2).Ev(kB, 5, 2).Ev(kX, 6, 0).Ev(kC, 7, 2);
  EXPECT_EQ(h.Take(), Lines{});
}

TEST(PatternMatcher, SeqNotIsActiveOnlyInItsGap) {
  // SEQ(A, NOT X, B, C): X after B does not cancel.
  Harness h(
      SeqPlan(Steps(Step(kA, 0), Step(kB, 1), Step(kC, 2)), {"a", "b", "c"}, Nots(Not(kX, 1))));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1).Ev(kX, 2, 0).Ev(kC, 3, 1);
  EXPECT_EQ(h.Take(), (Lines{"3:a=1,b=1,c=1"}));
  h.Ev(kA, 4, 2).Ev(kX, 5, 0).Ev(kB, 6, 2).Ev(kC, 7, 2);
  EXPECT_EQ(h.Take(), Lines{});
}

TEST(PatternMatcher, SeqNotAfterKleeneActiveFromFirstKleeneEvent) {
  // SEQ(A, B+, NOT X, C)
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kPlus), Step(kC, 2)), {"a", "b", "c"},
                    Nots(Not(kX, 2))));
  h.Ev(kA, 0, 1).Ev(kX, 1, 0).Ev(kB, 2, 1).Ev(kC, 3, 1);
  EXPECT_EQ(h.Take(), (Lines{"3:a=1,b=1,c=1"}));
  h.Ev(kA, 4, 2).Ev(kB, 5, 2).Ev(kX, 6, 0).Ev(kC, 7, 2);
  EXPECT_EQ(h.Take(), Lines{});
}

TEST(PatternMatcher, TrailingNotFiresAtDeadlineWithDeadlineTs) {
  Harness h(SeqPlan(Steps(Step(kA, 0)), {"r"}, Nots(Not(kB, 1, FieldEqAlias("req", 0, "id"), {0})),
                    10000));
  h.Ev(kA, 0, 1, {{"id", Value::Int(1)}})
      .Ev(kA, 2000, 2, {{"id", Value::Int(2)}})
      .Ev(kB, 4000, 0, {{"req", Value::Int(1)}})
      .Ev(kA, 5000, 3, {{"id", Value::Int(3)}})
      .Ev(kX, 12000, 0);
  EXPECT_EQ(h.Take(), Lines{});  // 12000 is not > deadline 12000
  h.Ev(kX, 13000, 0).Ev(kB, 14000, 0, {{"req", Value::Int(3)}});
  EXPECT_EQ(h.Take(), (Lines{"12000:r=2"}));
  h.Ev(kA, 20000, 4, {{"id", Value::Int(4)}});
  h.Drain();
  EXPECT_EQ(h.Take(), (Lines{"30000:r=4"}));
  EXPECT_EQ(h.matcher().live_runs(), 0);
  EXPECT_EQ(h.matcher().clock(), 20000);  // the drain does not store +inf
}

TEST(PatternMatcher, TrailingNotViolationAtDeadlineCancels) {
  Harness h(SeqPlan(Steps(Step(kA, 0)), {"r"}, Nots(Not(kB, 1)), 10));
  h.Ev(kA, 0, 1).Ev(kB, 10, 0).Ev(kX, 11, 0);
  EXPECT_EQ(h.Take(), Lines{});
}

TEST(PatternMatcher, TimersFireInDeadlineThenCreationOrderBeforeEvent) {
  Harness h(SeqPlan(Steps(Step(kA, 0)), {"r"}, Nots(Not(kB, 1)), 10));
  h.Ev(kA, 5, 1).Ev(kA, 0, 2).Ev(kA, 5, 3);
  h.Ev(kA, 100, 4);
  EXPECT_EQ(h.Take(), (Lines{"10:r=2", "15:r=1", "15:r=3"}));
}

TEST(PatternMatcher, DrainDiscardsPlainRuns) {
  Harness h(AB());
  h.Ev(kA, 0, 1);
  h.Drain();
  EXPECT_EQ(h.Take(), Lines{});
  EXPECT_EQ(h.matcher().live_runs(), 0);
}

TEST(PatternMatcher, KleeneLastWithTrailingNotEmitsOnceAtDeadline) {
  Harness h(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kPlus)), {"a", "b"}, Nots(Not(kX, 2)), 10));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1).Ev(kB, 2, 2).Ev(kC, 11, 0);
  EXPECT_EQ(h.Take(), (Lines{"10:a=1,b=2"}));
}

// --- §10 AND, OR, partitions ----------------------------------------------------------------

TEST(PatternMatcher, AndMatchesInAnyOrderAndEveryEventStartsARun) {
  std::vector<PatternAlternative> alts;
  alts.push_back(And(Steps(Step(kA, 0), Step(kB, 1))));
  Harness h(Plan(std::move(alts), {"a", "b"}));
  h.Ev(kA, 0, 1).Ev(kB, 1, 1).Ev(kA, 2, 2);
  EXPECT_EQ(h.Take(), (Lines{"1:a=1,b=1", "2:a=2,b=1"}));
}

TEST(PatternMatcher, OrAlternativesMatchIndependently) {
  std::vector<PatternAlternative> alts;
  alts.push_back(Seq(Steps(Step(kA, 0), Step(kB, 1))));
  alts.push_back(Seq(Steps(Step(kC, 2))));
  Harness h(Plan(std::move(alts), {"a", "b", "c"}));
  h.Ev(kA, 0, 1).Ev(kC, 1, 1).Ev(kB, 2, 1);
  EXPECT_EQ(h.Take(), (Lines{"1:c=1", "2:a=1,b=1"}));
}

TEST(PatternMatcher, PartitionIsolatesRunsAndNullPartitionIsShared) {
  PatternPlan plan = AB();
  plan.partition_keys = {{kA, "user"}, {kB, "user"}};
  Harness h(std::move(plan));
  h.Ev(kA, 0, 1, {{"user", Value::Str("ann")}})
      .Ev(kA, 1, 2, {{"user", Value::Str("bob")}})
      .Ev(kB, 2, 1, {{"user", Value::Str("bob")}})
      .Ev(kA, 3, 3)  // no user: null partition
      .Ev(kB, 4, 2)  // null partition
      .Ev(kB, 5, 3, {{"user", Value::Str("ann")}});
  EXPECT_EQ(h.Take(), (Lines{"2:a=2,b=1", "4:a=3,b=2", "5:a=1,b=3"}));
  EXPECT_EQ(h.matcher().partitions(), 0);
}

// --- §12 limits -----------------------------------------------------------------------------

TEST(PatternMatcher, CapEvictsOldest) {
  Harness h(AB(), /*max_runs=*/2);
  h.Ev(kA, 0, 1).Ev(kA, 1, 2).Ev(kA, 2, 3).Ev(kB, 3, 1);
  EXPECT_EQ(h.Take(), (Lines{"3:a=2,b=1", "3:a=3,b=1"}));
  EXPECT_EQ(h.matcher().counters().evicted, 1);
}

TEST(PatternMatcher, EvictionSkipsRunsThatMatchedOnTheEvent) {
  // §12: runs that match on an event are never evicted by it. Alternative 0 ends with a Kleene
  // step (its run stays alive after each match); alternative 1 is started by every B.
  std::vector<PatternAlternative> alts;
  alts.push_back(Seq(Steps(Step(kA, 0), Step(kB, 1, kPlus))));
  alts.push_back(Seq(Steps(Step(kB, 2), Step(kC, 3))));
  Harness h(Plan(std::move(alts), {"a", "b", "y", "c"}), /*max_runs=*/2);
  h.Ev(kA, 0, 1);  // r1
  h.Ev(kB, 1, 1);  // r1 matches; B1 starts r2 (2 live)
  // B2: r1 matches again; B2 starts r3 at the cap. The oldest run, r1, matched on this event,
  // so r2 is evicted instead.
  h.Ev(kB, 2, 2);
  EXPECT_EQ(h.matcher().counters().evicted, 1);
  h.Ev(kC, 3, 1);
  h.Ev(kB, 4, 3);
  EXPECT_EQ(h.Take(), (Lines{"1:a=1,b=1", "2:a=1,b=2", "3:y=2,c=1", "4:a=1,b=3"}));
}

TEST(PatternMatcher, AdversarialStreamStaysBounded) {
  // Every event starts a run in its own partition and none completes; no within.
  PatternPlan plan = AB();
  plan.partition_keys = {{kA, "k"}, {kB, "k"}};
  Harness h(std::move(plan), /*max_runs=*/1000);
  std::size_t peak = 0;
  for (int i = 0; i < 50000; ++i) {
    h.Ev(kA, i, i, {{"k", Value::Int(i)}});
    if (i == 10000) peak = h.matcher().ApproximateRunBytes();
  }
  EXPECT_EQ(h.matcher().live_runs(), 1000);
  EXPECT_EQ(h.matcher().partitions(), 1000);
  EXPECT_EQ(h.matcher().counters().evicted, 49000);
  EXPECT_LE(h.matcher().ApproximateRunBytes(), peak + peak / 4);
}

TEST(PatternMatcher, ShortLivedRunsDoNotAccumulateTimers) {
  PatternPlan plan = AB();
  plan.within_ms = 1000000000;
  Harness g(std::move(plan), 10);
  for (int i = 0; i < 100000; ++i) g.Ev(kA, i, i).Ev(kB, i, i);
  EXPECT_EQ(g.matcher().live_runs(), 0);
  EXPECT_LT(g.matcher().ApproximateRunBytes(), 64 * 1024);
}

// --- §13 snapshot / restore -----------------------------------------------------------------

PatternPlan RichPlan() {
  // A as a -> all B where k == a.k as b -> C where k == a.k as c, .not(X where k == a.k),
  // within 100, partition by k; plus an OR alternative with a trailing NOT.
  std::vector<PatternAlternative> alts;
  alts.push_back(Seq(Steps(Step(kA, 0), Step(kB, 1, kPlus, FieldEqAlias("k", 0, "k")),
                           Step(kC, 2, kNone, FieldEqAlias("k", 0, "k"))),
                     Nots(Not(kX, kWholeRun, FieldEqAlias("k", 0, "k"), {0}))));
  alts.push_back(Seq(Steps(Step(kL, 3)), Nots(Not(kX, 1, FieldEqAlias("k", 3, "k"), {3}))));
  PatternPlan plan = Plan(std::move(alts), {"a", "b", "c", "l"});
  plan.within_ms = 100;
  plan.partition_keys = {{kA, "k"}, {kB, "k"}, {kC, "k"}, {kX, "k"}, {kL, "k"}};
  return plan;
}

struct RandomEvent {
  std::uint32_t type;
  std::int64_t ts;
  std::int64_t n;
  std::int64_t k;
};

std::vector<RandomEvent> RandomStream(unsigned seed, int count) {
  std::mt19937 rng(seed);
  const std::uint32_t types[] = {kA, kB, kB, kC, kX, kL};
  std::vector<RandomEvent> events;
  std::int64_t ts = 0;
  for (int i = 0; i < count; ++i) {
    ts += static_cast<std::int64_t>(rng() % 15);
    events.push_back({types[rng() % 6], ts, i, static_cast<std::int64_t>(rng() % 4)});
  }
  return events;
}

TEST(PatternMatcher, SnapshotRestoreMidPatternContinuesIdentically) {
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  const std::vector<RandomEvent> events = RandomStream(seed, 400);
  for (std::size_t split : {std::size_t{1}, std::size_t{57}, std::size_t{200}, std::size_t{399}}) {
    Harness whole(RichPlan(), 7);
    for (const RandomEvent& e : events) whole.Ev(e.type, e.ts, e.n, {{"k", Value::Int(e.k)}});
    whole.Drain();
    const Lines expected = whole.Take();
    ASSERT_GT(expected.size(), 5u) << "seed " << seed;  // the stream must exercise matches

    Harness first(RichPlan(), 7);
    for (std::size_t i = 0; i < split; ++i) {
      const RandomEvent& e = events[i];
      first.Ev(e.type, e.ts, e.n, {{"k", Value::Int(e.k)}});
    }
    Lines got = first.Take();
    core::Encoder enc;
    first.matcher().Snapshot(enc);
    Harness second(RichPlan(), 7);
    core::Decoder dec(enc.data());
    ASSERT_TRUE(second.matcher().Restore(dec).ok()) << "split " << split;
    EXPECT_TRUE(dec.done());
    EXPECT_EQ(second.matcher().live_runs(), first.matcher().live_runs());
    for (std::size_t i = split; i < events.size(); ++i) {
      const RandomEvent& e = events[i];
      second.Ev(e.type, e.ts, e.n, {{"k", Value::Int(e.k)}});
    }
    second.Drain();
    for (std::string& line : second.Take()) got.push_back(std::move(line));
    EXPECT_EQ(got, expected) << "seed " << seed << " split " << split;
    EXPECT_EQ(second.matcher().counters().evicted, whole.matcher().counters().evicted);
  }
}

TEST(PatternMatcher, RestoreRejectsCorruptBytesAndStaysFresh) {
  Harness first(RichPlan());
  first.Ev(kA, 0, 1, {{"k", Value::Int(1)}}).Ev(kB, 1, 2, {{"k", Value::Int(1)}});
  core::Encoder enc;
  first.matcher().Snapshot(enc);
  const std::string bytes = enc.data();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    Harness second(RichPlan());
    core::Decoder dec(std::string_view(bytes).substr(0, cut));
    core::Status st = second.matcher().Restore(dec);
    EXPECT_FALSE(st.ok()) << "cut " << cut;
    EXPECT_EQ(second.matcher().live_runs(), 0);
  }
}

TEST(PatternMatcher, RestoreOfDifferentPatternIsIncompatibleAndKeepsClock) {
  Harness first(RichPlan());
  first.Ev(kA, 500, 1, {{"k", Value::Int(1)}});
  core::Encoder enc;
  first.matcher().Snapshot(enc);
  PatternPlan other = AB();
  other.fingerprint = 7;
  Harness second(std::move(other));
  core::Decoder dec(enc.data());
  EXPECT_EQ(second.matcher().Restore(dec).code(), core::StatusCode::kIncompatible);
  EXPECT_EQ(second.matcher().live_runs(), 0);
  EXPECT_EQ(second.matcher().clock(), 500);
}

TEST(PatternPlanValidate, RejectsMalformedPlans) {
  EXPECT_FALSE(Plan({}, {}).Validate().ok());
  EXPECT_FALSE(SeqPlan(Steps(Step(kA, 3)), {"a"}).Validate().ok());
  EXPECT_FALSE(SeqPlan(Steps(Step(kA, 0, kStar), Step(kB, 1)), {"a", "b"}).Validate().ok());
  EXPECT_FALSE(SeqPlan(Steps(Step(kA, 0), Step(kB, 1, kOpt)), {"a", "b"}).Validate().ok());
  EXPECT_FALSE(SeqPlan(Steps(Step(kA, 0)), {"a"}, Nots(Not(kB, 1))).Validate().ok());
  EXPECT_TRUE(SeqPlan(Steps(Step(kA, 0)), {"a"}, Nots(Not(kB, 1)), 5).Validate().ok());
  EXPECT_EQ(AB().InputTypes(), (std::vector<std::uint32_t>{kA, kB}));
}

}  // namespace
}  // namespace varpulis::engine

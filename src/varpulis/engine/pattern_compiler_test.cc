#include "varpulis/engine/pattern_compiler.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "varpulis/core/symbol_table.h"
#include "varpulis/engine/expression_compiler.h"
#include "varpulis/engine/filter_operator.h"
#include "varpulis/engine/output_sink.h"
#include "varpulis/engine/pattern_operator.h"
#include "varpulis/engine/projection_operator.h"
#include "varpulis/lang/parser.h"

namespace varpulis::engine {
namespace {

namespace ast = lang::ast;
using core::Value;

class CapturingSink final : public OutputSink {
 public:
  core::Status Write(std::string_view stream, const core::Record& record) override {
    std::string line = "{\"stream\":\"" + std::string(stream) +
                       "\",\"ts\":" + std::to_string(record.ts) + ",\"fields\":";
    record.AppendFieldsJson(line);
    line += "}";
    lines.push_back(std::move(line));
    return core::Status::Ok();
  }
  std::vector<std::string> lines;
};

// Parses a program, compiles one pattern stream and builds its operator with a tail of `.where`
// and `.emit` (what the plan compiler does for every tail operation).
class PatternProgram {
 public:
  explicit PatternProgram(std::string text) : file_("test.vpl", std::move(text)) {
    lang::ParseResult parsed = lang::Parse(file_);
    parse_error_ = parsed.diagnostics.Render(file_);
    program_ = std::move(parsed.program);
  }

  core::Status Compile(const std::string& stream_name, std::int64_t max_runs = 10000) {
    if (!program_) return core::Status::InvalidArgument("parse error: " + parse_error_);
    const ast::StreamDecl* stream = nullptr;
    std::map<std::string, const ast::PatternDecl*> decls;
    for (const ast::StmtPtr& s : program_->statements) {
      if (s->Is<ast::StreamDecl>() && s->As<ast::StreamDecl>().name == stream_name) {
        stream = &s->As<ast::StreamDecl>();
      }
      if (s->Is<ast::PatternDecl>())
        decls[s->As<ast::PatternDecl>().name] = &s->As<ast::PatternDecl>();
    }
    if (stream == nullptr) return core::Status::NotFound(stream_name);
    auto d = decls.find(stream->source.name);
    const ast::PatternDecl* decl = d == decls.end() ? nullptr : d->second;
    scope_.globals = &globals_;
    PatternCompileContext pc{&scope_, [this](std::string_view n) { return symbols_.Intern(n); },
                             &file_};
    core::Result<CompiledPatternStream> compiled = CompilePatternStream(*stream, decl, pc);
    if (!compiled.ok()) return compiled.status();
    fingerprint_ = compiled->plan.fingerprint;
    keys_ = compiled->plan.partition_keys;
    CompileScope tail_scope = scope_;
    tail_scope.pattern_aliases = compiled->plan.alias_names;
    const std::uint32_t stream_type = symbols_.Intern(stream_name);
    std::vector<std::unique_ptr<Operator>> tail;
    for (const ast::StreamOp* op : compiled->tail) {
      tail_names_.push_back(op->name);
      if (op->kind == ast::OpKind::kWhere) {
        core::Result<ExpressionPtr> cond = CompileExpression(*op->args[0].value, tail_scope);
        if (!cond.ok()) return cond.status();
        tail.push_back(std::make_unique<FilterOperator>(std::move(*cond), &ctx_));
      } else if (op->kind == ast::OpKind::kEmit) {
        std::vector<ProjectionItem> items;
        for (const ast::Argument& a : op->args) {
          core::Result<ExpressionPtr> e = CompileExpression(*a.value, tail_scope);
          if (!e.ok()) return e.status();
          items.push_back(ProjectionItem{a.name, std::move(*e)});
        }
        tail.push_back(std::make_unique<ProjectionOperator>(std::move(items), &ctx_, &sink_,
                                                            stream_name, stream_type));
      }
    }
    if (!compiled->has_emit) {
      tail.push_back(std::make_unique<ProjectionOperator>(std::vector<ProjectionItem>{}, &ctx_,
                                                          &sink_, stream_name, stream_type));
    }
    PatternOperatorOptions options;
    options.ctx = &ctx_;
    options.output_type = stream_type;
    options.max_runs = max_runs;
    options.tail = std::move(tail);
    options.warn = [this](std::string_view line) { warnings_.emplace_back(line); };
    core::Result<std::unique_ptr<PatternOperator>> op =
        MakePatternOperator(std::move(compiled->plan), std::move(options));
    if (!op.ok()) return op.status();
    op_ = std::move(*op);
    return core::Status::Ok();
  }

  // One input event: clock first (any type), then the operator if it reads the type.
  void Ev(const std::string& type, std::int64_t ts,
          std::vector<std::pair<std::string, Value>> fields) {
    core::Record r;
    r.type = symbols_.Intern(type);
    r.ts = ts;
    std::vector<std::string> names;
    for (auto& [n, v] : fields) {
      names.push_back(n);
      r.values.push_back(v);
    }
    r.schema = std::make_shared<const core::Schema>(names);
    Emitter out;
    ASSERT_TRUE(op_->AdvanceClock(ts, out).ok());
    const auto& types = op_->InputTypes();
    if (std::binary_search(types.begin(), types.end(), r.type)) {
      ASSERT_TRUE(op_->OnEvent(std::move(r), out).ok());
    }
  }
  void Drain() {
    Emitter out;
    ASSERT_TRUE(op_->Drain(out).ok());
  }

  std::vector<std::string>& lines() { return sink_.lines; }
  PatternOperator& op() { return *op_; }
  std::uint64_t fingerprint() const { return fingerprint_; }
  const std::vector<PartitionKey>& keys() const { return keys_; }
  const std::vector<std::string>& tail_names() const { return tail_names_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::uint32_t Type(const std::string& name) { return symbols_.Intern(name); }

 private:
  lang::SourceFile file_;
  std::unique_ptr<ast::Program> program_;
  std::string parse_error_;
  core::SymbolTable symbols_;
  GlobalTable globals_;
  CompileScope scope_;
  EvalContext ctx_;
  CapturingSink sink_;
  std::unique_ptr<PatternOperator> op_;
  std::uint64_t fingerprint_ = 0;
  std::vector<PartitionKey> keys_;
  std::vector<std::string> tail_names_;
  std::vector<std::string> warnings_;
};

Value I(std::int64_t v) { return Value::Int(v); }
Value S(const char* s) { return Value::Str(s); }

// --- static checks (§4) ---------------------------------------------------------------------

struct RejectCase {
  const char* name;
  const char* program;
  const char* message;  // a substring of the error
};

class PatternCompilerRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(PatternCompilerRejects, WithAClearError) {
  PatternProgram p(GetParam().program);
  core::Status st = p.Compile("S");
  ASSERT_FALSE(st.ok()) << GetParam().name;
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find(GetParam().message), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("stream 'S'"), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(
    StaticChecks, PatternCompilerRejects,
    ::testing::Values(
        RejectCase{"S1", "stream S = A as a -> B as a", "(S1)"},
        RejectCase{"S2self", "stream S = A as a -> B where v > b.v as b", "(S2)"},
        RejectCase{"S2forward", "stream S = A as a -> B where v > c.v as b -> C as c", "(S2)"},
        RejectCase{"S4twice", "stream S = A as a -> B as b .within(1s) .within(2s)", "(S4)"},
        RejectCase{"S4literal", "stream S = A as a -> B as b .within(1 + 2)", "(S4)"},
        RejectCase{"S6first", "pattern P = SEQ(A* as a, B as b)\nstream S = P", "(S6)"},
        RejectCase{"S6last", "pattern P = SEQ(A as a, B? as b)\nstream S = P", "(S6)"},
        RejectCase{"S7", "pattern P = SEQ(A+ as a)\nstream S = P", "(S7)"},
        RejectCase{"S8first", "pattern P = SEQ(NOT X, A as a) within 1s\nstream S = P", "(S8)"},
        RejectCase{"S8outside", "pattern P = A as a AND NOT B\nstream S = P", "(S8)"},
        RejectCase{"S9", "pattern P = SEQ(A as a, NOT B)\nstream S = P", "(S9)"},
        RejectCase{"S10", "pattern P = SEQ(A as a, B as b) AND C as c\nstream S = P", "(S10)"},
        RejectCase{"S10kleene", "pattern P = A+ as a AND B as b\nstream S = P", "(S10)"},
        RejectCase{"S11", "pattern P = SEQ(A as a, B as b)\nstream S = P .within(5s)", "(S11)"},
        RejectCase{"S11arrow", "pattern P = SEQ(A as a, B as b)\nstream S = P -> C as c", "(S11)"},
        RejectCase{"S12", "stream S = A as a -> B as b .partition_by(a.k)", "(S12)"},
        RejectCase{"S12decl", "pattern P = SEQ(A as a, B as b) partition by k + 1\nstream S = P",
                   "(S12)"},
        RejectCase{"S13", "pattern P = SEQ(A as a, NOT B+, C as c)\nstream S = P", "(S13)"}),
    [](const ::testing::TestParamInfo<RejectCase>& param_info) { return param_info.param.name; });

TEST(PatternCompiler, NegationAliasMustBeBoundByAPositiveStep) {
  PatternProgram p("stream S = A as a -> B as b .not(X where k == b.k)");
  EXPECT_TRUE(p.Compile("S").ok());
  // `z` is no alias of S: ordinary member access, accepted.
  PatternProgram q("stream S = A as a -> B as b .not(X where k == z.k)");
  EXPECT_TRUE(q.Compile("S").ok());
  PatternProgram r(
      "pattern P = SEQ(A as a, B as b) OR SEQ(C as c, NOT X where k == a.k, D as d) within 1s\n"
      "stream S = P");
  core::Status st = r.Compile("S");
  EXPECT_NE(st.message().find("(S3)"), std::string::npos) << st.message();
}

TEST(PatternCompiler, ErrorsNameLineAndColumn) {
  PatternProgram p("# comment\nstream S = A as a\n    -> B where v > b.v as b");
  core::Status st = p.Compile("S");
  EXPECT_EQ(st.message().rfind("3:", 0), 0u) << st.message();
}

// --- compilation and end-to-end behaviour ----------------------------------------------------

TEST(PatternCompiler, SpecTakeoverExample) {
  PatternProgram p(R"(stream Takeover = Login as l
    -> Reset where user == l.user as r
    -> all Buy where user == l.user and amount < 5.0 as probe
    -> Buy where user == l.user and amount >= 500.0 as big
    .within(30m)
    .not(Logout where user == l.user)
    .where(big.amount > 100.0 * probe.amount)
    .emit(user: l.user, spent: big.amount)
)");
  ASSERT_TRUE(p.Compile("Takeover").ok());
  p.Ev("Login", 0, {{"user", S("u1")}});
  p.Ev("Login", 1, {{"user", S("u2")}});
  p.Ev("Reset", 2, {{"user", S("u1")}});
  p.Ev("Reset", 3, {{"user", S("u2")}});
  p.Ev("Buy", 4, {{"user", S("u1")}, {"amount", Value::Float(1.0)}});
  p.Ev("Buy", 5, {{"user", S("u2")}, {"amount", Value::Float(2.0)}});
  p.Ev("Buy", 6, {{"user", S("u1")}, {"amount", Value::Float(3.0)}});
  p.Ev("Logout", 7, {{"user", S("u2")}});
  p.Ev("Buy", 8, {{"user", S("u2")}, {"amount", Value::Float(900.0)}});
  p.Ev("Buy", 9, {{"user", S("u1")}, {"amount", Value::Float(600.0)}});
  EXPECT_EQ(p.lines(),
            (std::vector<std::string>{
                R"({"stream":"Takeover","ts":9,"fields":{"user":"u1","spent":600.0}})"}));
  // Every later step and the negation correlate on `user`: runs are keyed by it.
  EXPECT_EQ(p.keys().size(), 4u);
}

TEST(PatternCompiler, MidChainWhereIsAStepPredicateTailWhereFiltersMatches) {
  // §6.4 E4/E5 through the language.
  PatternProgram mid("stream S = A as a -> B as b .where(v > a.v) -> C as c .emit(b: b.v)");
  ASSERT_TRUE(mid.Compile("S").ok());
  mid.Ev("A", 0, {{"v", I(1)}});
  mid.Ev("B", 1, {{"v", I(0)}});
  mid.Ev("B", 2, {{"v", I(5)}});
  mid.Ev("C", 3, {});
  EXPECT_EQ(mid.lines(), (std::vector<std::string>{R"({"stream":"S","ts":3,"fields":{"b":5}})"}));

  PatternProgram tail("stream S = A as a -> B as b .where(b.v > a.v) .emit(b: b.v)");
  ASSERT_TRUE(tail.Compile("S").ok());
  tail.Ev("A", 0, {{"v", I(1)}});
  tail.Ev("B", 1, {{"v", I(0)}});
  tail.Ev("B", 2, {{"v", I(5)}});
  EXPECT_TRUE(tail.lines().empty());
  // A mid-chain `.where` naming its own step's alias is S2.
  PatternProgram own("stream S = A as a -> B as b .where(b.v > a.v) -> C as c");
  EXPECT_NE(own.Compile("S").message().find("(S2)"), std::string::npos);
}

TEST(PatternCompiler, FirstStepWhereFiltersStarts) {
  PatternProgram p("stream S = A as a .where(v > 1) -> B as b .emit(a: a.v)");
  ASSERT_TRUE(p.Compile("S").ok());
  p.Ev("A", 0, {{"v", I(1)}});
  p.Ev("A", 1, {{"v", I(2)}});
  p.Ev("B", 2, {});
  EXPECT_EQ(p.lines(), (std::vector<std::string>{R"({"stream":"S","ts":2,"fields":{"a":2}})"}));
}

TEST(PatternCompiler, MidChainOperationsMoveToTheStartOfTheTail) {
  PatternProgram p(
      "stream S = A as a .print() -> B as b .log(message: \"x\") -> C as c "
      ".within(1s) .emit(x: 1) .where(x > 0)");
  ASSERT_TRUE(p.Compile("S").ok());
  EXPECT_EQ(p.tail_names(), (std::vector<std::string>{"print", "log", "emit", "where"}));
}

TEST(PatternCompiler, NoEmitWritesTheMatchRecord) {
  PatternProgram p("stream Pair = Order as o -> Ship where oid == o.id as s");
  ASSERT_TRUE(p.Compile("Pair").ok());
  p.Ev("Order", 1000, {{"id", I(7)}, {"qty", I(2)}});
  p.Ev("Ship", 4000, {{"oid", I(7)}});
  EXPECT_EQ(p.lines(),
            (std::vector<std::string>{
                R"({"stream":"Pair","ts":4000,"fields":{"o_id":7,"o_qty":2,"s_oid":7}})"}));
}

TEST(PatternCompiler, DeclarationWithTrailingNotFiresAtDeadlineAndDrain) {
  PatternProgram p(
      "pattern Unanswered = SEQ(Request as r, NOT Response where req == r.id) within 10s\n"
      "stream Missing = Unanswered .emit(req: r.id)");
  ASSERT_TRUE(p.Compile("Missing").ok());
  p.Ev("Request", 0, {{"id", I(1)}});
  p.Ev("Request", 2000, {{"id", I(2)}});
  p.Ev("Response", 4000, {{"req", I(1)}});
  p.Ev("Heartbeat", 13000, {});
  p.Ev("Request", 20000, {{"id", I(4)}});
  EXPECT_EQ(p.lines().size(), 1u);
  p.Drain();
  EXPECT_EQ(p.lines(),
            (std::vector<std::string>{R"({"stream":"Missing","ts":12000,"fields":{"req":2}})",
                                      R"({"stream":"Missing","ts":30000,"fields":{"req":4}})"}));
}

TEST(PatternCompiler, OrAndDeclarations) {
  PatternProgram p(
      "pattern P = SEQ(A as a, B as b) OR (C as c AND D where k == c.k as d)\n"
      "stream S = P");
  ASSERT_TRUE(p.Compile("S").ok());
  p.Ev("D", 0, {{"k", I(1)}});  // d's predicate reads unbound c: null == 1 is false, no run
  p.Ev("C", 1, {{"k", I(1)}});
  p.Ev("A", 2, {{"n", I(1)}});
  p.Ev("D", 3, {{"k", I(1)}});
  p.Ev("B", 4, {{"n", I(2)}});
  EXPECT_EQ(p.lines(),
            (std::vector<std::string>{R"({"stream":"S","ts":3,"fields":{"c_k":1,"d_k":1}})",
                                      R"({"stream":"S","ts":4,"fields":{"a_n":1,"b_n":2}})"}));
}

TEST(PatternCompiler, KleeneDeclarationMarkers) {
  PatternProgram p("pattern P = SEQ(A as a, B* as b, C? as c, D as d)\nstream S = P");
  ASSERT_TRUE(p.Compile("S").ok());
  p.Ev("A", 0, {{"n", I(1)}});
  p.Ev("D", 1, {{"n", I(2)}});
  p.Ev("A", 2, {{"n", I(3)}});
  p.Ev("B", 3, {{"n", I(4)}});
  p.Ev("B", 4, {{"n", I(5)}});
  p.Ev("C", 5, {{"n", I(6)}});
  p.Ev("C", 6, {{"n", I(7)}});
  p.Ev("D", 7, {{"n", I(8)}});
  EXPECT_EQ(p.lines(), (std::vector<std::string>{
                           R"({"stream":"S","ts":1,"fields":{"a_n":1,"d_n":2}})",
                           R"({"stream":"S","ts":7,"fields":{"a_n":3,"b_n":5,"c_n":6,"d_n":8}})"}));
}

TEST(PatternCompiler, ImplicitKeysOnlyWhenExact) {
  auto keys_of = [](const char* text) {
    PatternProgram p(text);
    EXPECT_TRUE(p.Compile("S").ok()) << text;
    return p.keys().size();
  };
  EXPECT_EQ(keys_of("stream S = A as a -> B where k == a.k as b -> C where b.k == k"), 3u);
  // A negation without a key conjunct cancels across keys: no keying.
  EXPECT_EQ(keys_of("stream S = A as a -> B where k == a.k as b .not(X)"), 0u);
  // A disjunction is not an equality conjunct.
  EXPECT_EQ(keys_of("stream S = A as a -> B where k == a.k or z > 1 as b"), 0u);
  // One type keyed by two different fields.
  EXPECT_EQ(keys_of("stream S = L as a -> L where v == a.u as b"), 0u);
  // Kleene first step absorbs across keys.
  EXPECT_EQ(keys_of("stream S = all A as a -> B where k == a.k as b"), 0u);
  // Explicit partition wins (every input type keyed by it).
  EXPECT_EQ(keys_of("stream S = A as a -> B as b .partition_by(user)"), 2u);
}

TEST(PatternCompiler, FingerprintFollowsStructure) {
  auto fp = [](const char* text) {
    PatternProgram p(text);
    EXPECT_TRUE(p.Compile("S").ok()) << text;
    return p.fingerprint();
  };
  EXPECT_EQ(fp("stream S = A as a -> B where k == a.k as b .emit(x: 1)"),
            fp("stream S = A as a\n  -> B where k == a.k as b\n  .emit(y: 2)"));
  EXPECT_NE(fp("stream S = A as a -> B where k == a.k as b"),
            fp("stream S = A as a -> B where k != a.k as b"));
  EXPECT_NE(fp("stream S = A as a -> B as b .within(1s)"),
            fp("stream S = A as a -> B as b .within(2s)"));
}

TEST(PatternCompiler, SnapshotRestoreThroughTheOperatorMidPattern) {
  const char* text =
      "stream Delivered = Order as o -> Delivery where order_id == o.id as d .within(1h)\n"
      "    .emit(order: o.id, customer: o.customer, courier: d.courier)";
  PatternProgram first(text);
  ASSERT_TRUE(first.Compile("Delivered").ok());
  first.Ev("Order", 0, {{"id", I(1)}, {"customer", S("ann")}});
  first.Ev("Order", 10000, {{"id", I(2)}, {"customer", S("bob")}});
  first.Ev("Delivery", 20000, {{"order_id", I(2)}, {"courier", S("c9")}});
  core::Encoder enc;
  ASSERT_TRUE(first.op().Snapshot(enc).ok());

  PatternProgram second(text);
  ASSERT_TRUE(second.Compile("Delivered").ok());
  core::Decoder dec(enc.data());
  ASSERT_TRUE(second.op().Restore(dec).ok());
  EXPECT_TRUE(dec.done());
  EXPECT_EQ(second.op().stats().live_runs, 1);
  second.Ev("Delivery", 30000, {{"order_id", I(1)}, {"courier", S("c7")}});
  EXPECT_EQ(second.lines(),
            (std::vector<std::string>{R"({"stream":"Delivered","ts":30000,"fields":{"order":1,)"
                                      R"("customer":"ann","courier":"c7"}})"}));

  // A different program discards the pattern state with a warning.
  PatternProgram other("stream Delivered = Order as o -> Delivery where order_id != o.id as d");
  ASSERT_TRUE(other.Compile("Delivered").ok());
  core::Decoder dec2(enc.data());
  ASSERT_TRUE(other.op().Restore(dec2).ok());
  EXPECT_EQ(other.op().stats().live_runs, 0);
  ASSERT_EQ(other.warnings().size(), 1u);
  EXPECT_NE(other.warnings()[0].find("different pattern"), std::string::npos);

  // Unknown version.
  core::Encoder bad;
  bad.PutVarint(99);
  core::Decoder dec3(bad.data());
  PatternProgram fresh(text);
  ASSERT_TRUE(fresh.Compile("Delivered").ok());
  EXPECT_EQ(fresh.op().Restore(dec3).code(), core::StatusCode::kIncompatible);
}

TEST(PatternCompiler, MaxRunsEvictsWithOneWarningPerEvent) {
  PatternProgram p("stream S = A as a -> B as b");
  ASSERT_TRUE(p.Compile("S", /*max_runs=*/2).ok());
  p.Ev("A", 0, {{"n", I(1)}});
  p.Ev("A", 1, {{"n", I(2)}});
  p.Ev("A", 2, {{"n", I(3)}});
  p.Ev("A", 3, {{"n", I(4)}});
  p.Ev("B", 4, {{"n", I(5)}});
  EXPECT_EQ(p.warnings().size(), 2u);
  EXPECT_EQ(p.op().stats().evicted, 2);
  EXPECT_EQ(p.lines().size(), 2u);
}

}  // namespace
}  // namespace varpulis::engine

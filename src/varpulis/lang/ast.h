// ast.h — the typed syntax tree of a VPL program, as the parser builds it (spec/vpl.md §3–§6,
// spec/patterns.md §2–§3). Nothing here is resolved or checked: names are strings, and Tier 2 /
// out-of-scope constructs are kept as ordinary nodes so the checker can report E090 with a span.
//
// Ownership: a Program owns its statements; every node owns its children through unique_ptr (or
// by value, for small records such as Argument, StreamOp and Source). There are no parent
// pointers and no sharing, so the tree is freed with the Program. Expr/Stmt/TypeExpr nodes are
// neither copyable nor movable (hold them by unique_ptr); the value records are move-only.
//
// How to walk it: Expr, Stmt and TypeExpr carry a `kind` enum; switch on it and downcast with
// `As<T>()` (checked in debug builds) — every node struct declares `static constexpr kKind`:
//
//   void Visit(const ast::Expr& e) {
//     switch (e.kind) {
//       case ast::ExprKind::kBinary: {
//         const auto& b = e.As<ast::BinaryExpr>();
//         Visit(*b.lhs); Visit(*b.rhs);
//         break;
//       }
//       ...
//     }
//   }
//
// Recursion is safe: the parser rejects (E100 "nesting too deep") programs whose expression trees
// are higher than kMaxExpressionHeight or whose brackets/blocks nest deeper than
// kMaxNestingDepth, so a recursive walker needs at most a few thousand frames.
//
// Every node has a Span (byte range into the SourceFile); SourceFile::PositionOf turns it into a
// line and column. A pointer field documented "may be null" is optional syntax that was absent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/core/check.h"
#include "varpulis/core/value.h"
#include "varpulis/lang/source.h"

namespace varpulis::lang::ast {

// Limits enforced by the parser (E100 "nesting too deep").
inline constexpr int kMaxNestingDepth = 256;       // nested brackets, blocks, types, patterns
inline constexpr int kMaxExpressionHeight = 1024;  // longest root-to-leaf path in one Expr tree

// Downcast helper shared by the three node families.
template <class Base, class Kind>
struct Node {
  Node(Kind k, Span s) : kind(k), span(s) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  template <class T>
  bool Is() const {
    return kind == T::kKind;
  }
  template <class T>
  const T& As() const {
    VP_DCHECK(kind == T::kKind, "ast node downcast to the wrong kind");
    return static_cast<const T&>(static_cast<const Base&>(*this));
  }
  template <class T>
  T& As() {
    VP_DCHECK(kind == T::kKind, "ast node downcast to the wrong kind");
    return static_cast<T&>(static_cast<Base&>(*this));
  }

  const Kind kind;
  Span span;
};

// ---------------------------------------------------------------------------------------------
// Types (spec §3.1): int float bool str timestamp duration, [T], {K: V}, (T1, T2), Name<T>, T?

enum class TypeKind {
  kNamed,     // `int`, `Reading`, `Stream<T>` (generic arguments in `args`)
  kArray,     // `[T]`: args = {T}
  kMap,       // `{K: V}`: args = {K, V}
  kTuple,     // `(T1, T2, ...)`: args = elements
  kOptional,  // `T?`: args = {T}
};

struct TypeExpr : Node<TypeExpr, TypeKind> {
  TypeExpr(TypeKind k, Span s) : Node(k, s) {}
  std::string name;  // kNamed only
  std::vector<std::unique_ptr<TypeExpr>> args;
};
using TypeExprPtr = std::unique_ptr<TypeExpr>;

// ---------------------------------------------------------------------------------------------
// Expressions (spec §5)

enum class ExprKind {
  kLiteral,     // int, float, string, bool, null, duration, timestamp
  kIdentifier,  // `x`
  kArray,       // `[a, b]`
  kMap,         // `{k: v, "k": v}`
  kUnary,       // `-x`, `~x`, `not x`
  kBinary,      // `a + b`, `a in b`, `a ?? b`, `a..b`, ...
  kIf,          // `if c then a else b`
  kMember,      // `a.b`, `a?.b`
  kIndex,       // `a[i]`
  kSlice,       // `a[i:j]`, `a[:j]`, `a[i:]`
  kCall,        // `f(x, name: y)`
  kLambda,      // `x => e`, `(a, b) => e` (Tier 2)
  kIs,          // `x is T` (Tier 2)
};

struct Expr : Node<Expr, ExprKind> {
  Expr(ExprKind k, Span s) : Node(k, s) {}
  // 1 + the largest height among children (1 for a leaf); at most kMaxExpressionHeight.
  std::uint32_t height = 1;
};
using ExprPtr = std::unique_ptr<Expr>;

// A call or operation argument: positional (`name` empty) or named (`name: value`).
struct Argument {
  Span span;  // the whole argument, including `name:`
  std::string name;
  Span name_span;
  ExprPtr value;
  bool is_named() const { return !name.empty(); }
};

// A literal. value.kind() says which: kNull, kBool, kInt, kFloat, kStr, kDuration (ns),
// kTimestamp (ns since the epoch). Strings have their escapes processed.
struct Literal : Expr {
  static constexpr ExprKind kKind = ExprKind::kLiteral;
  explicit Literal(Span s) : Expr(kKind, s) {}
  core::Value value;
};

struct Identifier : Expr {
  static constexpr ExprKind kKind = ExprKind::kIdentifier;
  explicit Identifier(Span s) : Expr(kKind, s) {}
  std::string name;
};

struct ArrayExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kArray;
  explicit ArrayExpr(Span s) : Expr(kKind, s) {}
  std::vector<ExprPtr> elements;
};

struct MapEntry {
  std::string key;  // identifier or decoded string key
  Span key_span;
  ExprPtr value;
};

struct MapExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kMap;
  explicit MapExpr(Span s) : Expr(kKind, s) {}
  std::vector<MapEntry> entries;  // in source order; duplicates are the checker's business
};

enum class UnaryOp { kNegate, kBitNot, kNot };

struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  explicit UnaryExpr(Span s) : Expr(kKind, s) {}
  UnaryOp op = UnaryOp::kNegate;
  ExprPtr operand;
};

enum class BinaryOp {
  kPow,             // **
  kMul,             // *
  kDiv,             // /
  kMod,             // %
  kAdd,             // +
  kSub,             // -
  kShl,             // <<
  kShr,             // >>
  kBitAnd,          // &
  kBitXor,          // ^
  kBitOr,           // |
  kRange,           // ..
  kRangeInclusive,  // ..=
  kEq,              // ==
  kNe,              // !=
  kLt,              // <
  kLe,              // <=
  kGt,              // >
  kGe,              // >=
  kIn,              // in
  kNotIn,           // not in
  kAnd,             // and
  kOr,              // or
  kCoalesce,        // ??
};

struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  explicit BinaryExpr(Span s) : Expr(kKind, s) {}
  BinaryOp op = BinaryOp::kAdd;
  Span op_span;  // the operator token(s)
  ExprPtr lhs;
  ExprPtr rhs;
};

struct IfExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIf;
  explicit IfExpr(Span s) : Expr(kKind, s) {}
  ExprPtr condition;
  ExprPtr then_branch;
  ExprPtr else_branch;
};

// `object.member`, or `object?.member` (optional_chain; same semantics, spec §5.2). For
// `alias.field` in patterns, object is an Identifier naming the alias.
struct MemberExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kMember;
  explicit MemberExpr(Span s) : Expr(kKind, s) {}
  ExprPtr object;
  std::string member;
  Span member_span;
  bool optional_chain = false;
};

struct IndexExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIndex;
  explicit IndexExpr(Span s) : Expr(kKind, s) {}
  ExprPtr object;
  ExprPtr index;
};

struct SliceExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSlice;
  explicit SliceExpr(Span s) : Expr(kKind, s) {}
  ExprPtr object;
  ExprPtr begin;  // may be null (`a[:j]`)
  ExprPtr end;    // may be null (`a[i:]`)
};

// `callee(args)`. For builtin, aggregate and user function calls the callee is an Identifier;
// anything else (`a.b(x)`, `f(x)(y)`) is syntactically valid but has no Tier 1 meaning.
struct CallExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCall;
  explicit CallExpr(Span s) : Expr(kKind, s) {}
  ExprPtr callee;
  std::vector<Argument> args;
  // The callee's name when it is a plain identifier, else empty.
  std::string_view function_name() const;
};

struct LambdaParam {
  std::string name;
  Span span;
};

struct LambdaExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLambda;
  explicit LambdaExpr(Span s) : Expr(kKind, s) {}
  std::vector<LambdaParam> params;
  ExprPtr body;
};

struct IsExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIs;
  explicit IsExpr(Span s) : Expr(kKind, s) {}
  ExprPtr value;
  TypeExprPtr type;
};

// ---------------------------------------------------------------------------------------------
// Streams (spec §6) and pipeline patterns (patterns.md §2)

// One positive step of a pipeline pattern (`-> [all] T [where p] [as a]`), or the clause of
// `.not(T [where p])` (then kleene_all is false and alias empty).
struct PatternStep {
  Span span;
  bool kleene_all = false;  // `all T`
  Span all_span;
  std::string type;  // event type or stream name
  Span type_span;
  ExprPtr where;  // may be null
  std::string alias;
  Span alias_span;
};

// Operation names after `.` (spec §6.3), plus kFollowedBy for `->` steps. Unlisted names are
// kUnknown (the checker reports them); `name` always holds the text as written.
enum class OpKind {
  // Tier 1
  kWhere,
  kSelect,
  kEmit,
  kWindow,
  kAggregate,
  kHaving,
  kPartitionBy,
  kWatermark,
  kAllowedLateness,
  kDistinct,
  kLimit,
  kPrint,
  kLog,
  kTo,
  kWithin,
  kNot,
  kFollowedBy,  // `-> step`
  // Tier 2
  kOrderBy,
  kMap,
  kFilter,
  kTap,
  kFork,
  kAny,
  kAll,
  kFirst,
  kContext,
  kTrendAggregate,
  kPattern,
  kCollect,
  kOn,
  kOnError,
  // Out of scope
  kScore,
  kForecast,
  kEnrich,
  kConcurrent,
  kProcess,
  kUnknown,
};

// The OpKind of an operation name ("where" -> kWhere, "frob" -> kUnknown).
OpKind OpKindFromName(std::string_view name);

// True for the Tier 2 and out-of-scope operations (between kOrderBy and kProcess); the checker
// rejects them with E090.
inline bool IsTier2OrOutOfScope(OpKind kind) {
  return kind >= OpKind::kOrderBy && kind <= OpKind::kProcess;
}

// The canonical name ("where", "->" for kFollowedBy, "unknown" for kUnknown).
std::string_view OpKindName(OpKind kind);

// One element of a stream's chain: `.name(args)`, `.emit as T(args)`, `.not(T where p)`, or a
// `-> step`. Chain order is source order (a mid-chain `.where` attaches to the step before it).
struct StreamOp {
  OpKind kind = OpKind::kUnknown;
  Span span;         // from '.' (or '->') to the closing ')' (or the end of the step)
  std::string name;  // as written after '.'; "->" for kFollowedBy
  Span name_span;
  std::vector<Argument> args;  // every kind except kNot and kFollowedBy
  std::string emit_as;         // `.emit as T(...)`: "T"; empty otherwise
  Span emit_as_span;
  std::unique_ptr<PatternStep> step;  // kFollowedBy and kNot only
};

enum class SourceKind {
  kName,   // `T`, `T as a`, `all T as a`, `T.from(Conn, k: v)`
  kMerge,  // `merge(A, B, stream n = T.where(c))`
  kJoin,   // `join(...)` (Tier 2)
  kCall,   // any other `name(args)` source: `timer(5s)`, `sequence(...)` (Tier 2 / out of scope)
};

struct Source;

// A member of merge(...) / join(...): a plain name (`A`, `A as a`) or an inline stream
// (`stream n = T.where(c)`; `name` is then only a label).
struct SourceMember {
  Span span;
  std::string name;
  Span name_span;
  std::string alias;  // plain members only; may be empty
  Span alias_span;
  std::unique_ptr<Source> inline_source;  // inline members only, else null
  std::vector<StreamOp> inline_ops;       // inline members only
  bool is_inline() const { return inline_source != nullptr; }
};

struct Source {
  SourceKind kind = SourceKind::kName;
  Span span;
  std::string name;  // kName: event type, stream or pattern name; kCall: the function name;
                     // kMerge/kJoin: "merge"/"join"
  Span name_span;
  std::string alias;  // `T as a`; may be empty
  Span alias_span;
  bool kleene_all = false;  // `all T` (the first step of a pattern is a Kleene step)
  Span all_span;
  bool has_from = false;              // `T.from(Conn, k: v)`
  Span from_span;                     // from '.' to ')'
  std::vector<Argument> from_args;    // first is normally the connector name (an Identifier)
  std::vector<SourceMember> members;  // kMerge, kJoin
  std::vector<Argument> args;         // kCall
};

// ---------------------------------------------------------------------------------------------
// Declared patterns (patterns.md §3): pattern Name = SEQ(...) / AND / OR / NOT ...

enum class Kleene { kNone, kPlus, kStar, kOptional };  // '', '+', '*', '?'

struct PatternItem {
  bool negated = false;  // `NOT T`
  Span not_span;
  std::string type;
  Span type_span;
  Kleene kleene = Kleene::kNone;
  Span kleene_span;
  ExprPtr where;  // may be null
  std::string alias;
  Span alias_span;
};

enum class PatternExprKind {
  kItem,  // one item
  kSeq,   // `SEQ(i1, i2, ...)`: operands are kItem nodes, in order
  kAnd,   // `a AND b AND c`: operands in order (n-ary, n >= 2)
  kOr,    // `a OR b OR c`: operands in order (n-ary, n >= 2)
};

struct PatternExpr {
  PatternExprKind kind = PatternExprKind::kItem;
  Span span;
  PatternItem item;  // kItem only
  std::vector<std::unique_ptr<PatternExpr>> operands;
};
using PatternExprPtr = std::unique_ptr<PatternExpr>;

// ---------------------------------------------------------------------------------------------
// Statements: top-level declarations and function-body statements.

enum class StmtKind {
  kEvent,      // event Name (extends Base)?: fields
  kTypeAlias,  // type Name = Type
  kVar,        // let / var / const
  kAssign,     // name := expr
  kFunction,   // fn name(params) -> T: body
  kConnector,  // connector Name = kind (params)
  kStream,     // stream Name = source ops
  kPattern,    // pattern Name = pexpr within d partition by f
  kIf,         // if/elif/else (in a function body; Tier 2 at top level)
  kFor,        // for x in e: (in a function body; Tier 2 at top level)
  kWhile,      // while c: (in a function body; Tier 2 at top level)
  kBreak,      // inside a loop only (the parser checks)
  kContinue,   // inside a loop only (the parser checks)
  kReturn,     // inside a function only (the parser checks)
  kExpr,       // expression statement (Tier 2 at top level)
  kEmit,       // `emit T(args)` statement (Tier 2)
  kImport,     // import "path" (as name)? (Tier 2)
  kConfig,     // config (name)?: block of `key: value` (Tier 2)
  kContext,    // context name (args)? (Tier 2)
};

struct Stmt : Node<Stmt, StmtKind> {
  Stmt(StmtKind k, Span s) : Node(k, s) {}
};
using StmtPtr = std::unique_ptr<Stmt>;

struct FieldDecl {
  Span span;
  std::string name;
  Span name_span;
  TypeExprPtr type;  // `T?` is a kOptional TypeExpr
};

struct EventDecl : Stmt {
  static constexpr StmtKind kKind = StmtKind::kEvent;
  explicit EventDecl(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  std::string extends;  // empty when absent
  Span extends_span;
  std::vector<FieldDecl> fields;  // own fields only, in order (the base's are not copied in)
};

struct TypeAliasDecl : Stmt {
  static constexpr StmtKind kKind = StmtKind::kTypeAlias;
  explicit TypeAliasDecl(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  TypeExprPtr type;
};

enum class VarKind { kLet, kVar, kConst };

struct VarDecl : Stmt {
  static constexpr StmtKind kKind = StmtKind::kVar;
  explicit VarDecl(Span s) : Stmt(kKind, s) {}
  VarKind var_kind = VarKind::kLet;
  std::string name;
  Span name_span;
  TypeExprPtr type;  // may be null
  ExprPtr init;
};

struct AssignStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kAssign;
  explicit AssignStmt(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  ExprPtr value;
};

struct Param {
  Span span;
  std::string name;
  Span name_span;
  TypeExprPtr type;  // may be null (`fn f(x)`)
};

struct FunctionDecl : Stmt {
  static constexpr StmtKind kKind = StmtKind::kFunction;
  explicit FunctionDecl(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  std::vector<Param> params;
  TypeExprPtr return_type;    // may be null
  std::vector<StmtPtr> body;  // never empty (an empty block is E101)
};

struct ConnectorDecl : Stmt {
  static constexpr StmtKind kKind = StmtKind::kConnector;
  explicit ConnectorDecl(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  std::string connector_kind;  // mqtt, kafka, ... or any identifier
  Span connector_kind_span;
  std::vector<Argument> params;  // `(param: value, ...)`; empty when no parentheses
};

struct StreamDecl : Stmt {
  static constexpr StmtKind kKind = StmtKind::kStream;
  explicit StreamDecl(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  TypeExprPtr annotation;  // `: Stream<T>`; may be null; ignored in release 1
  Source source;
  std::vector<StreamOp> ops;  // chain in source order, including `->` steps
  // True when the chain has at least one `->` step (a pipeline pattern stream).
  bool has_followed_by() const;
};

struct PatternDecl : Stmt {
  static constexpr StmtKind kKind = StmtKind::kPattern;
  explicit PatternDecl(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  PatternExprPtr pattern;
  ExprPtr within;        // `within d`; may be null
  ExprPtr partition_by;  // `partition by f`; may be null (normally an Identifier)
};

struct IfBranch {
  Span span;  // from `if`/`elif` to the end of its block
  ExprPtr condition;
  std::vector<StmtPtr> body;
};

struct IfStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kIf;
  explicit IfStmt(Span s) : Stmt(kKind, s) {}
  std::vector<IfBranch> branches;  // `if` then each `elif`, in order (at least one)
  bool has_else = false;
  Span else_span;
  std::vector<StmtPtr> else_body;
};

struct ForStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kFor;
  explicit ForStmt(Span s) : Stmt(kKind, s) {}
  std::string variable;
  Span variable_span;
  ExprPtr iterable;
  std::vector<StmtPtr> body;
};

struct WhileStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kWhile;
  explicit WhileStmt(Span s) : Stmt(kKind, s) {}
  ExprPtr condition;
  std::vector<StmtPtr> body;
};

struct BreakStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kBreak;
  explicit BreakStmt(Span s) : Stmt(kKind, s) {}
};

struct ContinueStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kContinue;
  explicit ContinueStmt(Span s) : Stmt(kKind, s) {}
};

struct ReturnStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kReturn;
  explicit ReturnStmt(Span s) : Stmt(kKind, s) {}
  ExprPtr value;  // may be null
};

struct ExprStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kExpr;
  explicit ExprStmt(Span s) : Stmt(kKind, s) {}
  ExprPtr expr;
};

struct EmitStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kEmit;
  explicit EmitStmt(Span s) : Stmt(kKind, s) {}
  std::string type;  // may be empty (`emit(args)`)
  Span type_span;
  std::vector<Argument> args;
};

struct ImportStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kImport;
  explicit ImportStmt(Span s) : Stmt(kKind, s) {}
  std::string path;  // the string, or the dotted name as written
  Span path_span;
  std::string alias;  // may be empty
  Span alias_span;
};

struct ConfigStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kConfig;
  explicit ConfigStmt(Span s) : Stmt(kKind, s) {}
  std::string name;  // may be empty (`config:`)
  Span name_span;
  std::vector<Argument> entries;  // one `key: value` (or `key = value`) per line
};

struct ContextStmt : Stmt {
  static constexpr StmtKind kKind = StmtKind::kContext;
  explicit ContextStmt(Span s) : Stmt(kKind, s) {}
  std::string name;
  Span name_span;
  std::vector<Argument> args;
};

struct Program {
  Span span;                        // the whole text
  std::vector<StmtPtr> statements;  // in source order
};

// Names used in diagnostics and in the JSON dump.
std::string_view ExprKindName(ExprKind kind);                // "literal", "binary", ...
std::string_view StmtKindName(StmtKind kind);                // "event", "stream", ...
std::string_view TypeKindName(TypeKind kind);                // "named", "array", ...
std::string_view BinaryOpSymbol(BinaryOp op);                // "+", "not in", "??", ...
std::string_view UnaryOpSymbol(UnaryOp op);                  // "-", "~", "not"
std::string_view VarKindName(VarKind kind);                  // "let", "var", "const"
std::string_view SourceKindName(SourceKind kind);            // "name", "merge", "join", "call"
std::string_view KleeneSymbol(Kleene kleene);                // "", "+", "*", "?"
std::string_view PatternExprKindName(PatternExprKind kind);  // "item", "seq", "and", "or"

}  // namespace varpulis::lang::ast

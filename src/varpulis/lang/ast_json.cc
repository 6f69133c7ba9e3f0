#include "varpulis/lang/ast_json.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace varpulis::lang {

namespace {

using namespace ast;  // NOLINT(google-build-using-namespace): .cc-local, every name is ast's

// A small streaming JSON writer with indentation. Objects and arrays nest; commas and newlines
// are inserted automatically.
class JsonWriter {
 public:
  explicit JsonWriter(const SourceFile& file) : file_(file) {}

  std::string Take() {
    out_ += '\n';
    return std::move(out_);
  }

  void BeginObject() {
    BeforeValue();
    out_ += '{';
    first_.push_back(true);
  }
  void EndObject() { Close('}'); }
  void BeginArray() {
    BeforeValue();
    out_ += '[';
    first_.push_back(true);
  }
  void EndArray() { Close(']'); }

  void Key(std::string_view key) {
    Separator();
    core::AppendJsonString(out_, key);
    out_ += ": ";
    after_key_ = true;
  }
  void String(std::string_view s) {
    BeforeValue();
    core::AppendJsonString(out_, s);
  }
  void Int(std::int64_t v) {
    BeforeValue();
    out_ += std::to_string(v);
  }
  void Bool(bool b) {
    BeforeValue();
    out_ += b ? "true" : "false";
  }
  void Null() {
    BeforeValue();
    out_ += "null";
  }
  void Raw(const std::string& json) {
    BeforeValue();
    out_ += json;
  }

  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const std::string& value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const char* value) {
    Key(key);
    String(value);
  }
  void FieldInt(std::string_view key, std::int64_t v) {
    Key(key);
    Int(v);
  }
  void FieldBool(std::string_view key, bool v) {
    Key(key);
    Bool(v);
  }

  // "span": {"line", "col", "end_line", "end_col"}
  void SpanField(std::string_view key, Span span) {
    Key(key);
    const SourceFile::Position b = file_.PositionOf(span.begin);
    const SourceFile::Position e = file_.PositionOf(span.end);
    BeforeValue();
    out_ += "{\"line\": " + std::to_string(b.line) + ", \"col\": " + std::to_string(b.column) +
            ", \"end_line\": " + std::to_string(e.line) +
            ", \"end_col\": " + std::to_string(e.column) + "}";
  }

 private:
  void Separator() {
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
    Newline();
  }
  void BeforeValue() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) Separator();
  }
  void Close(char c) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) Newline();
    out_ += c;
  }
  void Newline() {
    out_ += '\n';
    out_.append(2 * first_.size(), ' ');
  }

  const SourceFile& file_;
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

class AstWriter {
 public:
  explicit AstWriter(const SourceFile& file) : w_(file) {}

  std::string Write(const Program& program, const std::string& file_name) {
    w_.BeginObject();
    w_.Field("kind", "program");
    w_.SpanField("span", program.span);
    w_.Field("file", file_name);
    w_.Key("statements");
    Statements(program.statements);
    w_.EndObject();
    return w_.Take();
  }

 private:
  void Head(std::string_view kind, Span span) {
    w_.BeginObject();
    w_.Field("kind", kind);
    w_.SpanField("span", span);
  }

  void Name(std::string_view key, const std::string& value, Span span) {
    w_.Field(key, value);
    std::string span_key(key);
    span_key += "_span";
    w_.SpanField(span_key, span);
  }

  void Statements(const std::vector<StmtPtr>& stmts) {
    w_.BeginArray();
    for (const StmtPtr& s : stmts) Statement(*s);
    w_.EndArray();
  }

  void Type(const TypeExpr& t) {
    Head(TypeKindName(t.kind), t.span);
    if (t.kind == TypeKind::kNamed) w_.Field("name", t.name);
    if (!t.args.empty()) {
      w_.Key("args");
      w_.BeginArray();
      for (const TypeExprPtr& a : t.args) Type(*a);
      w_.EndArray();
    }
    w_.EndObject();
  }

  void OptionalType(std::string_view key, const TypeExprPtr& t) {
    if (t == nullptr) return;
    w_.Key(key);
    Type(*t);
  }

  void OptionalExpr(std::string_view key, const ExprPtr& e) {
    if (e == nullptr) return;
    w_.Key(key);
    Expression(*e);
  }

  void Arguments(std::string_view key, const std::vector<Argument>& args) {
    w_.Key(key);
    w_.BeginArray();
    for (const Argument& a : args) {
      Head("argument", a.span);
      if (a.is_named()) Name("name", a.name, a.name_span);
      w_.Key("value");
      Expression(*a.value);
      w_.EndObject();
    }
    w_.EndArray();
  }

  void Literal(const ast::Literal& lit) {
    const core::Value& v = lit.value;
    switch (v.kind()) {
      case core::ValueKind::kNull:
        w_.Field("type", "null");
        w_.Key("value");
        w_.Null();
        break;
      case core::ValueKind::kBool:
        w_.Field("type", "bool");
        w_.FieldBool("value", v.AsBool());
        break;
      case core::ValueKind::kInt:
        w_.Field("type", "int");
        w_.FieldInt("value", v.AsInt());
        break;
      case core::ValueKind::kFloat: {
        w_.Field("type", "float");
        std::string f;
        core::AppendFloat(f, v.AsFloat());
        w_.Key("value");
        w_.Raw(f);
        break;
      }
      case core::ValueKind::kStr:
        w_.Field("type", "string");
        w_.Field("value", v.AsStr());
        break;
      case core::ValueKind::kDuration:
        w_.Field("type", "duration");
        w_.FieldInt("value", v.AsInt());
        break;
      case core::ValueKind::kTimestamp:
        w_.Field("type", "timestamp");
        w_.FieldInt("value", v.AsInt());
        break;
      default:
        w_.Field("type", core::ValueKindName(v.kind()));
        break;
    }
  }

  void Expression(const Expr& e) {
    Head(ExprKindName(e.kind), e.span);
    switch (e.kind) {
      case ExprKind::kLiteral:
        Literal(e.As<ast::Literal>());
        break;
      case ExprKind::kIdentifier:
        w_.Field("name", e.As<Identifier>().name);
        break;
      case ExprKind::kArray: {
        w_.Key("elements");
        w_.BeginArray();
        for (const ExprPtr& el : e.As<ArrayExpr>().elements) Expression(*el);
        w_.EndArray();
        break;
      }
      case ExprKind::kMap: {
        w_.Key("entries");
        w_.BeginArray();
        for (const MapEntry& entry : e.As<MapExpr>().entries) {
          Head("entry", Span::Cover(entry.key_span, entry.value->span));
          Name("key", entry.key, entry.key_span);
          w_.Key("value");
          Expression(*entry.value);
          w_.EndObject();
        }
        w_.EndArray();
        break;
      }
      case ExprKind::kUnary: {
        const auto& u = e.As<UnaryExpr>();
        w_.Field("op", UnaryOpSymbol(u.op));
        w_.Key("operand");
        Expression(*u.operand);
        break;
      }
      case ExprKind::kBinary: {
        const auto& b = e.As<BinaryExpr>();
        w_.Field("op", BinaryOpSymbol(b.op));
        w_.SpanField("op_span", b.op_span);
        w_.Key("lhs");
        Expression(*b.lhs);
        w_.Key("rhs");
        Expression(*b.rhs);
        break;
      }
      case ExprKind::kIf: {
        const auto& i = e.As<IfExpr>();
        w_.Key("condition");
        Expression(*i.condition);
        w_.Key("then");
        Expression(*i.then_branch);
        w_.Key("else");
        Expression(*i.else_branch);
        break;
      }
      case ExprKind::kMember: {
        const auto& m = e.As<MemberExpr>();
        w_.Key("object");
        Expression(*m.object);
        Name("member", m.member, m.member_span);
        if (m.optional_chain) w_.FieldBool("optional_chain", true);
        break;
      }
      case ExprKind::kIndex: {
        const auto& i = e.As<IndexExpr>();
        w_.Key("object");
        Expression(*i.object);
        w_.Key("index");
        Expression(*i.index);
        break;
      }
      case ExprKind::kSlice: {
        const auto& s = e.As<SliceExpr>();
        w_.Key("object");
        Expression(*s.object);
        OptionalExpr("begin", s.begin);
        OptionalExpr("end", s.end);
        break;
      }
      case ExprKind::kCall: {
        const auto& c = e.As<CallExpr>();
        w_.Key("callee");
        Expression(*c.callee);
        Arguments("args", c.args);
        break;
      }
      case ExprKind::kLambda: {
        const auto& l = e.As<LambdaExpr>();
        w_.Key("params");
        w_.BeginArray();
        for (const LambdaParam& p : l.params) {
          Head("param", p.span);
          w_.Field("name", p.name);
          w_.EndObject();
        }
        w_.EndArray();
        w_.Key("body");
        Expression(*l.body);
        break;
      }
      case ExprKind::kIs: {
        const auto& i = e.As<IsExpr>();
        w_.Key("value");
        Expression(*i.value);
        w_.Key("type");
        Type(*i.type);
        break;
      }
    }
    w_.EndObject();
  }

  void Step(const PatternStep& s) {
    Head("step", s.span);
    if (s.kleene_all) w_.FieldBool("all", true);
    Name("type", s.type, s.type_span);
    OptionalExpr("where", s.where);
    if (!s.alias.empty()) Name("alias", s.alias, s.alias_span);
    w_.EndObject();
  }

  void Ops(std::string_view key, const std::vector<StreamOp>& ops) {
    w_.Key(key);
    w_.BeginArray();
    for (const StreamOp& op : ops) {
      Head(op.kind == OpKind::kFollowedBy ? "followed_by" : "op", op.span);
      Name("name", op.name, op.name_span);
      if (op.kind != OpKind::kFollowedBy && op.kind != OpKind::kNot) Arguments("args", op.args);
      if (!op.emit_as.empty()) Name("emit_as", op.emit_as, op.emit_as_span);
      if (op.step != nullptr) {
        w_.Key("step");
        Step(*op.step);
      }
      w_.EndObject();
    }
    w_.EndArray();
  }

  void SourceNode(const ast::Source& s) {
    Head(SourceKindName(s.kind), s.span);
    Name("name", s.name, s.name_span);
    if (s.kleene_all) w_.FieldBool("all", true);
    if (!s.alias.empty()) Name("alias", s.alias, s.alias_span);
    if (s.has_from) {
      w_.SpanField("from_span", s.from_span);
      Arguments("from_args", s.from_args);
    }
    if (s.kind == SourceKind::kMerge || s.kind == SourceKind::kJoin) {
      w_.Key("members");
      w_.BeginArray();
      for (const SourceMember& m : s.members) {
        Head(m.is_inline() ? "inline_stream" : "member", m.span);
        Name("name", m.name, m.name_span);
        if (!m.alias.empty()) Name("alias", m.alias, m.alias_span);
        if (m.is_inline()) {
          w_.Key("source");
          SourceNode(*m.inline_source);
          Ops("ops", m.inline_ops);
        }
        w_.EndObject();
      }
      w_.EndArray();
    }
    if (s.kind == SourceKind::kCall) Arguments("args", s.args);
    w_.EndObject();
  }

  void Pattern(const PatternExpr& p) {
    Head(PatternExprKindName(p.kind), p.span);
    if (p.kind == PatternExprKind::kItem) {
      const PatternItem& i = p.item;
      if (i.negated) w_.FieldBool("negated", true);
      Name("type", i.type, i.type_span);
      if (i.kleene != Kleene::kNone) {
        w_.Field("kleene", KleeneSymbol(i.kleene));
        w_.SpanField("kleene_span", i.kleene_span);
      }
      OptionalExpr("where", i.where);
      if (!i.alias.empty()) Name("alias", i.alias, i.alias_span);
    } else {
      w_.Key("operands");
      w_.BeginArray();
      for (const PatternExprPtr& o : p.operands) Pattern(*o);
      w_.EndArray();
    }
    w_.EndObject();
  }

  void Statement(const Stmt& s) {
    Head(StmtKindName(s.kind), s.span);
    switch (s.kind) {
      case StmtKind::kEvent: {
        const auto& d = s.As<EventDecl>();
        Name("name", d.name, d.name_span);
        if (!d.extends.empty()) Name("extends", d.extends, d.extends_span);
        w_.Key("fields");
        w_.BeginArray();
        for (const FieldDecl& f : d.fields) {
          Head("field", f.span);
          Name("name", f.name, f.name_span);
          w_.Key("type");
          Type(*f.type);
          w_.EndObject();
        }
        w_.EndArray();
        break;
      }
      case StmtKind::kTypeAlias: {
        const auto& d = s.As<TypeAliasDecl>();
        Name("name", d.name, d.name_span);
        w_.Key("type");
        Type(*d.type);
        break;
      }
      case StmtKind::kVar: {
        const auto& d = s.As<VarDecl>();
        w_.Field("var_kind", VarKindName(d.var_kind));
        Name("name", d.name, d.name_span);
        OptionalType("type", d.type);
        w_.Key("init");
        Expression(*d.init);
        break;
      }
      case StmtKind::kAssign: {
        const auto& a = s.As<AssignStmt>();
        Name("name", a.name, a.name_span);
        w_.Key("value");
        Expression(*a.value);
        break;
      }
      case StmtKind::kFunction: {
        const auto& f = s.As<FunctionDecl>();
        Name("name", f.name, f.name_span);
        w_.Key("params");
        w_.BeginArray();
        for (const Param& p : f.params) {
          Head("param", p.span);
          Name("name", p.name, p.name_span);
          OptionalType("type", p.type);
          w_.EndObject();
        }
        w_.EndArray();
        OptionalType("return_type", f.return_type);
        w_.Key("body");
        Statements(f.body);
        break;
      }
      case StmtKind::kConnector: {
        const auto& c = s.As<ConnectorDecl>();
        Name("name", c.name, c.name_span);
        Name("connector_kind", c.connector_kind, c.connector_kind_span);
        Arguments("params", c.params);
        break;
      }
      case StmtKind::kStream: {
        const auto& d = s.As<StreamDecl>();
        Name("name", d.name, d.name_span);
        OptionalType("annotation", d.annotation);
        w_.Key("source");
        SourceNode(d.source);
        Ops("ops", d.ops);
        break;
      }
      case StmtKind::kPattern: {
        const auto& d = s.As<PatternDecl>();
        Name("name", d.name, d.name_span);
        w_.Key("pattern");
        Pattern(*d.pattern);
        OptionalExpr("within", d.within);
        OptionalExpr("partition_by", d.partition_by);
        break;
      }
      case StmtKind::kIf: {
        const auto& i = s.As<IfStmt>();
        w_.Key("branches");
        w_.BeginArray();
        for (const IfBranch& b : i.branches) {
          Head("branch", b.span);
          w_.Key("condition");
          Expression(*b.condition);
          w_.Key("body");
          Statements(b.body);
          w_.EndObject();
        }
        w_.EndArray();
        if (i.has_else) {
          w_.SpanField("else_span", i.else_span);
          w_.Key("else_body");
          Statements(i.else_body);
        }
        break;
      }
      case StmtKind::kFor: {
        const auto& f = s.As<ForStmt>();
        Name("variable", f.variable, f.variable_span);
        w_.Key("iterable");
        Expression(*f.iterable);
        w_.Key("body");
        Statements(f.body);
        break;
      }
      case StmtKind::kWhile: {
        const auto& wh = s.As<WhileStmt>();
        w_.Key("condition");
        Expression(*wh.condition);
        w_.Key("body");
        Statements(wh.body);
        break;
      }
      case StmtKind::kBreak:
      case StmtKind::kContinue:
        break;
      case StmtKind::kReturn:
        OptionalExpr("value", s.As<ReturnStmt>().value);
        break;
      case StmtKind::kExpr:
        w_.Key("expr");
        Expression(*s.As<ExprStmt>().expr);
        break;
      case StmtKind::kEmit: {
        const auto& e = s.As<EmitStmt>();
        if (!e.type.empty()) Name("type", e.type, e.type_span);
        Arguments("args", e.args);
        break;
      }
      case StmtKind::kImport: {
        const auto& i = s.As<ImportStmt>();
        Name("path", i.path, i.path_span);
        if (!i.alias.empty()) Name("alias", i.alias, i.alias_span);
        break;
      }
      case StmtKind::kConfig: {
        const auto& c = s.As<ConfigStmt>();
        if (!c.name.empty()) Name("name", c.name, c.name_span);
        Arguments("entries", c.entries);
        break;
      }
      case StmtKind::kContext: {
        const auto& c = s.As<ContextStmt>();
        Name("name", c.name, c.name_span);
        Arguments("args", c.args);
        break;
      }
    }
    w_.EndObject();
  }

  JsonWriter w_;
};

}  // namespace

std::string AstToJson(const ast::Program& program, const SourceFile& file) {
  AstWriter writer(file);
  return writer.Write(program, file.name());
}

}  // namespace varpulis::lang

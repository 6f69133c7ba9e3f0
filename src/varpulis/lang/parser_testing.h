// parser_testing.h — test support for the parser tests, header only (never in the library):
// parse text, render expressions compactly.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "varpulis/lang/ast.h"
#include "varpulis/lang/parser.h"
#include "varpulis/lang/source.h"

namespace varpulis::lang::testing {

// A SourceFile plus its parse, kept together so spans stay valid.
struct Parsed {
  explicit Parsed(std::string text) : file("t.vpl", std::move(text)), result(Parse(file)) {}
  SourceFile file;
  ParseResult result;
  std::string errors() const { return result.diagnostics.Render(file); }
  const ast::Program& program() const { return *result.program; }
  template <class T>
  const T& stmt(std::size_t i) const {
    return result.program->statements.at(i)->As<T>();
  }
  // "line:col" of a span's start.
  std::string At(Span span) const {
    SourceFile::Position p = file.PositionOf(span.begin);
    return std::to_string(p.line) + ":" + std::to_string(p.column);
  }
  std::string Text(Span span) const {
    return std::string(file.text().substr(span.begin, span.size()));
  }
};

// Fully parenthesized rendering: (+ a (* b c)), (- x), (call f a b:2), (. a b), (idx a i) ...
inline std::string Sexpr(const ast::Expr& e) {
  using namespace ast;  // NOLINT(google-build-using-namespace): test helper
  switch (e.kind) {
    case ExprKind::kLiteral: {
      const core::Value& v = e.As<Literal>().value;
      if (v.kind() == core::ValueKind::kStr) return "\"" + std::string(v.AsStr()) + "\"";
      if (v.kind() == core::ValueKind::kDuration) return std::to_string(v.AsInt()) + "ns";
      if (v.kind() == core::ValueKind::kTimestamp) return "@" + std::to_string(v.AsInt());
      return v.ToDisplayString();
    }
    case ExprKind::kIdentifier:
      return e.As<Identifier>().name;
    case ExprKind::kArray: {
      std::string s = "[";
      for (const ExprPtr& x : e.As<ArrayExpr>().elements) {
        if (s.size() > 1) s += " ";
        s += Sexpr(*x);
      }
      return s + "]";
    }
    case ExprKind::kMap: {
      std::string s = "{";
      for (const MapEntry& x : e.As<MapExpr>().entries) {
        if (s.size() > 1) s += " ";
        s += x.key + ":" + Sexpr(*x.value);
      }
      return s + "}";
    }
    case ExprKind::kUnary: {
      const auto& u = e.As<UnaryExpr>();
      return "(" + std::string(UnaryOpSymbol(u.op)) + " " + Sexpr(*u.operand) + ")";
    }
    case ExprKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      return "(" + std::string(BinaryOpSymbol(b.op)) + " " + Sexpr(*b.lhs) + " " + Sexpr(*b.rhs) +
             ")";
    }
    case ExprKind::kIf: {
      const auto& i = e.As<IfExpr>();
      return "(if " + Sexpr(*i.condition) + " " + Sexpr(*i.then_branch) + " " +
             Sexpr(*i.else_branch) + ")";
    }
    case ExprKind::kMember: {
      const auto& m = e.As<MemberExpr>();
      return "(" + std::string(m.optional_chain ? "?." : ".") + " " + Sexpr(*m.object) + " " +
             m.member + ")";
    }
    case ExprKind::kIndex: {
      const auto& i = e.As<IndexExpr>();
      return "(idx " + Sexpr(*i.object) + " " + Sexpr(*i.index) + ")";
    }
    case ExprKind::kSlice: {
      const auto& s = e.As<SliceExpr>();
      return "(slice " + Sexpr(*s.object) + " " + (s.begin ? Sexpr(*s.begin) : "_") + " " +
             (s.end ? Sexpr(*s.end) : "_") + ")";
    }
    case ExprKind::kCall: {
      const auto& c = e.As<CallExpr>();
      std::string s = "(call " + Sexpr(*c.callee);
      for (const Argument& a : c.args) {
        s += " ";
        if (a.is_named()) s += a.name + ":";
        s += Sexpr(*a.value);
      }
      return s + ")";
    }
    case ExprKind::kLambda: {
      const auto& l = e.As<LambdaExpr>();
      std::string s = "(lambda (";
      for (std::size_t i = 0; i < l.params.size(); ++i) {
        if (i > 0) s += " ";
        s += l.params[i].name;
      }
      return s + ") " + Sexpr(*l.body) + ")";
    }
    case ExprKind::kIs: {
      const auto& i = e.As<IsExpr>();
      return "(is " + Sexpr(*i.value) + " " + i.type->name + ")";
    }
  }
  return "?";
}

// Parses `let x = <expr>` and renders the initializer; "ERROR: <diagnostic>" on failure.
inline std::string ParseExpr(const std::string& expr) {
  Parsed p("let x = " + expr);
  if (!p.result.ok()) return "ERROR: " + p.errors();
  return Sexpr(*p.stmt<ast::VarDecl>(0).init);
}

}  // namespace varpulis::lang::testing

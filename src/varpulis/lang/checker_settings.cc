// Arguments of operations that configure a stream rather than compute values: `.window` (§7.1),
// `.limit` (§6.4), `.watermark` / `.allowed_lateness` (§8.2, §8.5) and `.log` (§6.4).
#include <cstdint>
#include <string>
#include <vector>

#include "varpulis/lang/program_checker.h"

namespace varpulis::lang::internal {
namespace {

constexpr std::int64_t kNanosPerMilli = 1'000'000;

bool IsDuration(const core::Value& v) { return v.kind() == core::ValueKind::kDuration; }

std::string KindName(const core::Value& v) {
  if (v.kind() == core::ValueKind::kStr) return "str";
  return std::string(core::ValueKindName(v.kind()));
}

}  // namespace

bool ProgramChecker::CheckOpArity(const ast::StreamOp& op, int min, int max) {
  bool ok = true;
  int positional = 0;
  for (const ast::Argument& a : op.args) {
    if (a.is_named()) {
      Error("E080", a.name_span, "unknown parameter " + Quote(a.name) + " for " + OpLabel(op.name));
      ok = false;
    } else {
      ++positional;
    }
  }
  if (positional < min || positional > max) {
    Error("E051", op.name_span,
          ArityMessage("." + op.name, min, max, static_cast<std::size_t>(positional)));
    ok = false;
  }
  return ok;
}

void ProgramChecker::CheckWindow(const ast::StreamOp& op) {
  static constexpr std::string_view kParams[] = {"policy", "session", "sliding"};
  std::vector<const ast::Argument*> positional;
  const ast::Argument* sliding = nullptr;
  const ast::Argument* session = nullptr;
  for (const ast::Argument& a : op.args) {
    if (!a.is_named()) {
      positional.push_back(&a);
    } else if (a.name == "sliding") {
      sliding = &a;
    } else if (a.name == "session") {
      session = &a;
    } else if (a.name == "policy") {
      Error("E090", a.name_span, "window 'policy:' is not supported yet");
    } else {
      Error("E080", a.name_span, "unknown parameter " + Quote(a.name) + " for '.window'",
            DidYouMean(a.name, kParams));
    }
  }
  // A positive duration of whole milliseconds, else E015 at the argument.
  auto check_duration = [&](const core::Value& v, Span span, std::string_view what) {
    if (v.AsInt() <= 0) {
      Error("E015", span, std::string(what) + " must be positive");
    } else if (v.AsInt() % kNanosPerMilli != 0) {
      Error("E015", span, std::string(what) + " must be a whole number of milliseconds");
    }
  };
  auto constant = [&](const ast::Argument& a, std::string_view what) -> std::optional<core::Value> {
    std::optional<core::Value> v = ConstantValue(*a.value);
    if (!v) {
      Error("E015", a.value->span,
            std::string(what) + " must be a literal or the name of a let/const global");
    }
    return v;
  };

  if (session != nullptr) {
    if (!positional.empty() || sliding != nullptr) {
      Error("E015", session->name_span,
            "'session:' cannot be combined with a window size or 'sliding:'");
      return;
    }
    std::optional<core::Value> gap = constant(*session, "the session gap");
    if (!gap) return;
    if (!IsDuration(*gap)) {
      Error("E015", session->value->span,
            "the session gap must be a duration, got " + KindName(*gap));
      return;
    }
    check_duration(*gap, session->value->span, "the session gap");
    return;
  }
  if (positional.empty()) {
    Error("E015", op.name_span, "'.window' needs a size: a count, a duration or 'session: gap'");
    return;
  }
  if (positional.size() > 1) {
    Error("E015", positional[1]->value->span, "'.window' takes a single size argument",
          "write a sliding window as '.window(size, sliding: step)'");
    return;
  }
  const ast::Argument& size_arg = *positional[0];
  std::optional<core::Value> size = constant(size_arg, "the window size");
  if (!size) return;
  std::optional<core::Value> step;
  if (sliding != nullptr) step = constant(*sliding, "'sliding:'");
  if (size->is_int()) {
    if (size->AsInt() < 1) {
      Error("E015", size_arg.value->span,
            "a count window needs at least 1 record, got " + std::to_string(size->AsInt()));
    }
    if (step) {
      if (IsDuration(*step)) {
        Error("E015", sliding->value->span, "cannot mix a count window with a time slide",
              "slide a count window by a number of records, e.g. 'sliding: 2'");
      } else if (!step->is_int()) {
        Error("E015", sliding->value->span,
              "the slide of a count window must be an int, got " + KindName(*step));
      } else if (step->AsInt() < 1) {
        Error(
            "E015", sliding->value->span,
            "the slide of a count window must be at least 1, got " + std::to_string(step->AsInt()));
      }
    }
    return;
  }
  if (IsDuration(*size)) {
    check_duration(*size, size_arg.value->span, "the window duration");
    if (step) {
      if (step->is_int()) {
        Error("E015", sliding->value->span, "cannot mix a time window with a count slide",
              "slide a time window by a duration, e.g. 'sliding: 5s'");
      } else if (!IsDuration(*step)) {
        Error("E015", sliding->value->span,
              "the slide of a time window must be a duration, got " + KindName(*step));
      } else {
        check_duration(*step, sliding->value->span, "the slide");
      }
    }
    return;
  }
  Error("E015", size_arg.value->span,
        "the window size must be an int count or a duration, got " + KindName(*size));
}

void ProgramChecker::CheckLimit(const ast::StreamOp& op) {
  if (op.args.size() != 1 || op.args[0].is_named()) {
    Error("E016", op.name_span, "'.limit' takes one argument, a non-negative int");
    return;
  }
  const ast::Expr& arg = *op.args[0].value;
  std::optional<core::Value> v = ConstantValue(arg);
  if (!v || !v->is_int()) {
    Error("E016", arg.span, "'.limit' needs a non-negative int literal or int constant");
  } else if (v->AsInt() < 0) {
    Error("E016", arg.span,
          "'.limit' count must not be negative, got " + std::to_string(v->AsInt()));
  }
}

void ProgramChecker::CheckWatermark(const ast::StreamOp& op, bool fed_by_events) {
  static constexpr std::string_view kParams[] = {"out_of_order"};
  if (!fed_by_events) {
    Error("E024", op.name_span, "'.watermark' needs a stream fed by event types",
          "declare it on the stream that reads the input events");
  }
  const ast::Argument* out_of_order = nullptr;
  for (const ast::Argument& a : op.args) {
    if (!a.is_named()) {
      Error("E024", a.value->span, "'.watermark' takes a named parameter, 'out_of_order: d'");
      return;
    }
    if (a.name != "out_of_order") {
      Error("E024", a.name_span, "unknown '.watermark' parameter " + Quote(a.name),
            DidYouMean(a.name, kParams));
      return;
    }
    out_of_order = &a;
  }
  if (out_of_order == nullptr) {
    Error("E024", op.name_span, "'.watermark' needs 'out_of_order: d'");
    return;
  }
  std::optional<core::Value> v = ConstantValue(*out_of_order->value);
  if (!v || !IsDuration(*v) || v->AsInt() < 0 || v->AsInt() % kNanosPerMilli != 0) {
    Error("E024", out_of_order->value->span,
          "'out_of_order' must be a duration of whole milliseconds, at least 0");
  }
}

void ProgramChecker::CheckAllowedLateness(const ast::StreamOp& op, bool fed_by_events) {
  if (!fed_by_events) {
    Error("E024", op.name_span,
          "'.allowed_lateness' applies to input events only, and this stream reads a stream");
  } else if (!program_has_watermark_) {
    Warning("W001", op.name_span,
            "'.allowed_lateness' has no effect: the program declares no '.watermark'");
  }
  if (op.args.size() != 1 || op.args[0].is_named()) {
    Error("E024", op.name_span, "'.allowed_lateness' takes one duration");
    return;
  }
  std::optional<core::Value> v = ConstantValue(*op.args[0].value);
  if (!v || !IsDuration(*v) || v->AsInt() < 0 || v->AsInt() % kNanosPerMilli != 0) {
    Error("E024", op.args[0].value->span,
          "'.allowed_lateness' needs a duration of whole milliseconds, at least 0");
  }
}

void ProgramChecker::CheckLog(const ast::StreamOp& op, const Scope& scope) {
  static constexpr std::string_view kParams[] = {"level", "message", "data"};
  for (const ast::Argument& a : op.args) {
    if (!a.is_named()) {
      Error("E080", a.value->span, "'.log' takes named parameters: level, message, data");
    } else if (a.name != "level" && a.name != "message" && a.name != "data") {
      Error("E080", a.name_span, "unknown parameter " + Quote(a.name) + " for '.log'",
            DidYouMean(a.name, kParams));
    }
    CheckExpr(*a.value, scope);
  }
}

}  // namespace varpulis::lang::internal

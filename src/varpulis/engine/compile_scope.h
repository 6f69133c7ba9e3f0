// compile_scope.h — what an identifier can mean where an expression is compiled (spec §5.2).
//
// The plan compiler fills one GlobalTable and one FunctionTable per program; each expression is
// compiled with a CompileScope saying what else is visible there: the stream's source name and
// alias (`Trade.price`, `t.price` read the current record), pattern aliases (`a.f` reads the
// event alias `a` captured, EvalContext::aliases[i]), function locals, and — inside
// `.aggregate` — an AggregateCollector that turns aggregate calls into `$i` fields.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "varpulis/engine/aggregate_spec.h"
#include "varpulis/engine/user_function.h"

namespace varpulis::engine {

enum class GlobalKind : std::uint8_t { kLet, kVar, kConst };

struct GlobalInfo {
  std::string name;
  int slot = 0;  // index into EvalContext::globals
  GlobalKind kind = GlobalKind::kLet;
  bool is_float = false;  // declared `float`: int values widen
};

// Globals by name, in declaration order (slot = position). Compile time only.
class GlobalTable {
 public:
  const GlobalInfo* Find(std::string_view name) const {
    for (const GlobalInfo& g : globals_) {
      if (g.name == name) return &g;
    }
    return nullptr;
  }
  const GlobalInfo& Add(std::string name, GlobalKind kind, bool is_float) {
    globals_.push_back(
        GlobalInfo{std::move(name), static_cast<int>(globals_.size()), kind, is_float});
    return globals_.back();
  }
  const std::vector<GlobalInfo>& all() const { return globals_; }

 private:
  std::vector<GlobalInfo> globals_;
};

// User functions by name. Owns them; the program keeps the table alive while it runs.
class FunctionTable {
 public:
  UserFunction* Find(std::string_view name) const {
    for (const auto& f : functions_) {
      if (f->name() == name) return f.get();
    }
    return nullptr;
  }
  UserFunction* Add(std::unique_ptr<UserFunction> f) {
    functions_.push_back(std::move(f));
    return functions_.back().get();
  }

 private:
  std::vector<std::unique_ptr<UserFunction>> functions_;
};

// Collects the aggregate calls of one `.aggregate` item list (AggregateSpec::calls); each call
// compiles to a read of field "$i" of the scratch record (aggregate_spec.h).
struct AggregateCollector {
  std::vector<AggregateCall> calls;
};

// Locals of the function being compiled: name -> frame slot. Blocks do not open scopes (a
// local declared anywhere in the body is visible after its declaration, Python-like).
struct LocalScope {
  std::vector<std::string> names;  // slot = index; parameters first
  std::vector<bool> is_float;      // per slot: declared float (ints widen on assignment)
  int Find(std::string_view name) const {
    for (std::size_t i = names.size(); i-- > 0;) {
      if (names[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

struct CompileScope {
  const GlobalTable* globals = nullptr;      // required
  const FunctionTable* functions = nullptr;  // may be null: no user functions
  // Names that denote the current record: the stream's source name(s) and alias. `X.f` with X
  // one of these reads field f of the record.
  std::vector<std::string> record_names;
  // Pattern aliases in alias-index order: `a.f` reads field f of EvalContext::aliases[i].
  std::vector<std::string> pattern_aliases;
  // Inside a function body: its locals (record fields are then not visible, §3.4).
  const LocalScope* locals = nullptr;
  // Inside `.aggregate`: collects aggregate calls. Null elsewhere (then count/stddev/... are
  // errors and sum/avg/min/max/first/last are the scalar builtins, §5.8).
  AggregateCollector* aggregates = nullptr;
  // Inside `.aggregate`: the partition/group field, the one field an item may read outside a
  // call (§7.6); it is read from the scratch record by name.
  std::string group_field;
};

}  // namespace varpulis::engine

#include "varpulis/engine/pattern_plan.h"

#include <algorithm>
#include <string>

namespace varpulis::engine {

std::vector<std::uint32_t> PatternPlan::InputTypes() const {
  std::vector<std::uint32_t> types;
  for (const PatternAlternative& alt : alternatives) {
    for (const PatternStep& step : alt.steps) types.push_back(step.type);
    for (const PatternNegation& neg : alt.negations) types.push_back(neg.type);
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

core::Status PatternPlan::Validate() const {
  auto bad = [this](const std::string& what) {
    return core::Status::InvalidArgument("pattern '" + name + "': " + what);
  };
  if (alternatives.empty()) return bad("no alternative");
  if (within_ms.has_value() && *within_ms < 0) return bad("negative within");
  const int num_aliases = static_cast<int>(alias_names.size());
  for (std::size_t a = 0; a < alternatives.size(); ++a) {
    const PatternAlternative& alt = alternatives[a];
    const std::string where = "alternative " + std::to_string(a) + ": ";
    if (alt.steps.empty()) return bad(where + "no positive step");
    const int n = static_cast<int>(alt.steps.size());
    for (const PatternStep& step : alt.steps) {
      if (step.alias < -1 || step.alias >= num_aliases) return bad(where + "alias out of range");
      if (alt.kind == AlternativeKind::kAnd && step.kleene != KleeneKind::kNone) {
        return bad(where + "Kleene operand in AND");
      }
    }
    if (alt.kind == AlternativeKind::kAnd) {
      if (n > 64) return bad(where + "more than 64 AND operands");
      if (!alt.negations.empty()) return bad(where + "negation in AND");
      continue;
    }
    if (alt.steps.front().kleene == KleeneKind::kStar ||
        alt.steps.front().kleene == KleeneKind::kOptional) {
      return bad(where + "first step is optional");
    }
    if (alt.steps.back().kleene == KleeneKind::kStar ||
        alt.steps.back().kleene == KleeneKind::kOptional) {
      return bad(where + "last step is optional");
    }
    for (const PatternNegation& neg : alt.negations) {
      if (neg.gap != kWholeRun && (neg.gap < 1 || neg.gap > n)) {
        return bad(where + "negation gap out of range");
      }
      if (neg.gap == n && !within_ms.has_value()) return bad(where + "trailing NOT without within");
      for (int alias : neg.aliases_used) {
        if (alias < 0 || alias >= num_aliases) return bad(where + "negation alias out of range");
      }
    }
  }
  for (const PartitionKey& key : partition_keys) {
    if (key.field.empty()) return bad("empty partition field");
  }
  return core::Status::Ok();
}

}  // namespace varpulis::engine

// match_record.h — turns a pattern match into its match record (spec/patterns.md §11.1).
//
// Fields: for each alias in pattern order, if bound, each field of the bound event in the
// event's input order, named `<alias>_<field>`. When two names collide the later alias's value
// wins, at the position where the name first appeared. `ts` is the match's ts.
//
// The output schema depends only on which aliases are bound and on the schemas of their events,
// so it is computed once per such combination and cached (a small, bounded cache: input types
// usually share one schema each).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "varpulis/core/record.h"
#include "varpulis/engine/pattern_matcher.h"

namespace varpulis::engine {

class MatchRecordBuilder {
 public:
  MatchRecordBuilder(std::vector<std::string> alias_names, std::uint32_t output_type);

  core::Record Build(const PatternMatch& match);

 private:
  struct Layout {
    std::vector<core::SchemaPtr> inputs;  // by alias; null when unbound (the cache key)
    core::SchemaPtr schema;
    // For each output field: the alias and the slot in that alias's event.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> sources;
  };
  static constexpr std::size_t kMaxLayouts = 64;

  const Layout& LayoutFor(const PatternMatch& match);
  bool Matches(const Layout& layout, const PatternMatch& match) const;

  std::vector<std::string> alias_names_;
  std::uint32_t output_type_;
  std::vector<Layout> layouts_;
  std::size_t last_ = 0;
};

}  // namespace varpulis::engine

#include "varpulis/engine/match_record.h"

#include <utility>

namespace varpulis::engine {

MatchRecordBuilder::MatchRecordBuilder(std::vector<std::string> alias_names,
                                       std::uint32_t output_type)
    : alias_names_(std::move(alias_names)), output_type_(output_type) {}

bool MatchRecordBuilder::Matches(const Layout& layout, const PatternMatch& match) const {
  if (layout.inputs.size() != match.bindings.size()) return false;
  for (std::size_t i = 0; i < layout.inputs.size(); ++i) {
    const core::Schema* bound = match.bindings[i] ? match.bindings[i]->schema.get() : nullptr;
    if (layout.inputs[i].get() != bound) return false;
    // An unbound alias and a bound event without schema differ.
    if (bound == nullptr && (match.bindings[i] != nullptr) != (layout.inputs[i] != nullptr)) {
      return false;
    }
  }
  return true;
}

const MatchRecordBuilder::Layout& MatchRecordBuilder::LayoutFor(const PatternMatch& match) {
  if (last_ < layouts_.size() && Matches(layouts_[last_], match)) return layouts_[last_];
  for (std::size_t i = 0; i < layouts_.size(); ++i) {
    if (Matches(layouts_[i], match)) {
      last_ = i;
      return layouts_[i];
    }
  }
  // Inputs with ever-changing schemas must not grow the cache without bound.
  if (layouts_.size() >= kMaxLayouts) layouts_.clear();
  Layout layout;
  std::vector<std::string> names;
  for (std::size_t a = 0; a < match.bindings.size(); ++a) {
    const CapturedEvent& event = match.bindings[a];
    layout.inputs.push_back(event ? event->schema : nullptr);
    if (!event || !event->schema) continue;
    const std::string& alias = a < alias_names_.size() ? alias_names_[a] : std::string();
    for (std::size_t f = 0; f < event->schema->size(); ++f) {
      std::string name = alias + "_" + event->schema->name(f);
      std::pair<std::uint32_t, std::uint32_t> source{static_cast<std::uint32_t>(a),
                                                     static_cast<std::uint32_t>(f)};
      bool replaced = false;
      for (std::size_t k = 0; k < names.size(); ++k) {
        if (names[k] == name) {
          layout.sources[k] = source;  // the later alias wins
          replaced = true;
          break;
        }
      }
      if (!replaced) {
        names.push_back(std::move(name));
        layout.sources.push_back(source);
      }
    }
  }
  layout.schema = std::make_shared<const core::Schema>(std::move(names));
  layouts_.push_back(std::move(layout));
  last_ = layouts_.size() - 1;
  return layouts_.back();
}

core::Record MatchRecordBuilder::Build(const PatternMatch& match) {
  const Layout& layout = LayoutFor(match);
  core::Record record;
  record.type = output_type_;
  record.ts = match.ts;
  record.schema = layout.schema;
  record.values.reserve(layout.sources.size());
  for (const auto& [alias, slot] : layout.sources) {
    record.values.push_back(match.bindings[alias]->values[slot]);
  }
  return record;
}

}  // namespace varpulis::engine

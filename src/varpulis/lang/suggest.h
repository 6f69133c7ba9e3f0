// suggest.h — "did you mean" for unknown names (spec/vpl.md §12.1).
//
// The closest candidate by case-insensitive Levenshtein distance is suggested when the distance
// is at most clamp(len(name) / 2, 1, 3). Among equally close candidates the one listed first
// wins, so callers pass candidates in preference order: declaration order for user names,
// alphabetical order for builtins.
//
//   std::vector<std::string_view> fields = {"sensor", "value"};
//   Suggest("valeu", fields);   // "value" (distance 2, limit 2)
//   Suggest("x", fields);       // nullopt
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace varpulis::lang {

// Levenshtein distance (insert, delete, substitute; cost 1 each) between `a` and `b` after
// ASCII lower-casing. Other bytes compare exactly.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The largest distance accepted for a name of `length` characters: clamp(length / 2, 1, 3).
std::size_t MaxSuggestionDistance(std::size_t length);

// The first candidate with the smallest distance to `name` if that distance is acceptable,
// else nullopt. A candidate equal to `name` (exact, case-sensitive) is never suggested.
std::optional<std::string_view> Suggest(std::string_view name,
                                        std::span<const std::string_view> candidates);

}  // namespace varpulis::lang

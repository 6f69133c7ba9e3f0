#include "varpulis/lang/suggest.h"

#include <algorithm>
#include <vector>

namespace varpulis::lang {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters of a UTF-8 string (continuation bytes are not counted).
std::size_t CharCount(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

std::size_t EditDistance(std::string_view a, std::string_view b) {
  // Two rows of the classic dynamic programme; names are short, so this is cheap.
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitute = prev[j - 1] + (Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::size_t MaxSuggestionDistance(std::size_t length) {
  return std::clamp<std::size_t>(length / 2, 1, 3);
}

std::optional<std::string_view> Suggest(std::string_view name,
                                        std::span<const std::string_view> candidates) {
  const std::size_t limit = MaxSuggestionDistance(CharCount(name));
  std::optional<std::string_view> best;
  std::size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    if (candidate == name) continue;
    // Length difference bounds the distance from below: skip hopeless candidates cheaply.
    std::size_t diff = candidate.size() > name.size() ? candidate.size() - name.size()
                                                      : name.size() - candidate.size();
    if (diff >= best_distance) continue;
    std::size_t d = EditDistance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace varpulis::lang

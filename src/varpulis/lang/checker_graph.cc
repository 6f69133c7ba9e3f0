// The stream dependency graph: which stream reads which, cycles (E023), and the order in which
// streams are checked so that a stream's input schema is known before it is checked.
#include <algorithm>
#include <deque>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "varpulis/lang/program_checker.h"

namespace varpulis::lang::internal {
namespace {

void CollectPatternTypes(const ast::PatternExpr& p, std::vector<const ast::PatternItem*>* out) {
  std::vector<const ast::PatternExpr*> stack = {&p};
  while (!stack.empty()) {
    const ast::PatternExpr* e = stack.back();
    stack.pop_back();
    if (e->kind == ast::PatternExprKind::kItem) {
      out->push_back(&e->item);
      continue;
    }
    for (auto it = e->operands.rbegin(); it != e->operands.rend(); ++it) stack.push_back(it->get());
  }
}

}  // namespace

void ProgramChecker::BuildStreamGraph() {
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    StreamInfo& info = streams_[i];
    const ast::StreamDecl& decl = *info.decl;
    auto add = [&](std::string_view name, Span span) {
      if (name == decl.name) return;  // a self-reference is E007, reported by CheckSource
      auto it = stream_index_.find(name);
      if (it != stream_index_.end()) info.deps.push_back(StreamRef{it->second, span});
    };
    const ast::Source& source = decl.source;
    if (source.kind == ast::SourceKind::kName) {
      add(source.name, source.name_span);
      if (auto p = pattern_index_.find(source.name); p != pattern_index_.end()) {
        const ast::PatternDecl& pattern = *patterns_[static_cast<std::size_t>(p->second)].decl;
        std::vector<const ast::PatternItem*> items;
        if (pattern.pattern) CollectPatternTypes(*pattern.pattern, &items);
        for (const ast::PatternItem* item : items) add(item->type, source.name_span);
      }
    }
    for (const ast::SourceMember& m : source.members) {
      if (m.is_inline()) {
        add(m.inline_source->name, m.inline_source->name_span);
      } else {
        add(m.name, m.name_span);
      }
    }
    for (const ast::StreamOp& op : decl.ops) {
      if ((op.kind == ast::OpKind::kFollowedBy || op.kind == ast::OpKind::kNot) && op.step) {
        add(op.step->type, op.step->type_span);
      }
    }
  }
}

void ProgramChecker::ReportCycles() {
  // Tarjan's strongly connected components, iteratively (a generated program may chain
  // thousands of streams; recursion would risk the stack).
  const int n = static_cast<int>(streams_.size());
  std::vector<int> index(static_cast<std::size_t>(n), -1);
  std::vector<int> low(static_cast<std::size_t>(n), 0);
  std::vector<bool> on_stack(static_cast<std::size_t>(n), false);
  std::vector<int> stack;
  std::vector<std::vector<int>> components;
  int next_index = 0;
  struct Frame {
    int node;
    std::size_t edge;
  };
  for (int root = 0; root < n; ++root) {
    if (index[static_cast<std::size_t>(root)] >= 0) continue;
    std::vector<Frame> frames = {{root, 0}};
    index[static_cast<std::size_t>(root)] = low[static_cast<std::size_t>(root)] = next_index++;
    stack.push_back(root);
    on_stack[static_cast<std::size_t>(root)] = true;
    while (!frames.empty()) {
      Frame& f = frames.back();
      const auto v = static_cast<std::size_t>(f.node);
      const std::vector<StreamRef>& deps = streams_[v].deps;
      if (f.edge < deps.size()) {
        const auto w = static_cast<std::size_t>(deps[f.edge++].target);
        if (index[w] < 0) {
          index[w] = low[w] = next_index++;
          stack.push_back(static_cast<int>(w));
          on_stack[w] = true;
          frames.push_back({static_cast<int>(w), 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::vector<int> component;
        int w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[static_cast<std::size_t>(w)] = false;
          component.push_back(w);
        } while (w != f.node);
        if (component.size() > 1) components.push_back(std::move(component));
      }
      const int finished = f.node;
      frames.pop_back();
      if (!frames.empty()) {
        const auto parent = static_cast<std::size_t>(frames.back().node);
        low[parent] = std::min(low[parent], low[static_cast<std::size_t>(finished)]);
      }
    }
  }

  for (std::vector<int>& component : components) {
    std::sort(component.begin(), component.end());
    std::vector<bool> member(static_cast<std::size_t>(n), false);
    for (int c : component) {
      member[static_cast<std::size_t>(c)] = true;
      streams_[static_cast<std::size_t>(c)].in_cycle = true;
    }
    // Shortest path from the earliest-declared member back to itself, inside the component.
    const int start = component.front();
    std::vector<int> parent(static_cast<std::size_t>(n), -1);
    std::deque<int> queue;
    for (const StreamRef& ref : streams_[static_cast<std::size_t>(start)].deps) {
      const auto t = static_cast<std::size_t>(ref.target);
      if (member[t] && parent[t] < 0 && ref.target != start) {
        parent[t] = start;
        queue.push_back(ref.target);
      }
    }
    int last = -1;
    while (!queue.empty() && last < 0) {
      int v = queue.front();
      queue.pop_front();
      for (const StreamRef& ref : streams_[static_cast<std::size_t>(v)].deps) {
        if (ref.target == start) {
          last = v;
          break;
        }
        const auto t = static_cast<std::size_t>(ref.target);
        if (member[t] && parent[t] < 0 && ref.target != start) {
          parent[t] = v;
          queue.push_back(ref.target);
        }
      }
    }
    std::vector<int> path;  // start -> ... -> last
    for (int v = last; v != start && v >= 0; v = parent[static_cast<std::size_t>(v)]) {
      path.push_back(v);
    }
    path.push_back(start);
    std::reverse(path.begin(), path.end());
    std::string text;
    for (int v : path) text += streams_[static_cast<std::size_t>(v)].decl->name + " -> ";
    text += streams_[static_cast<std::size_t>(start)].decl->name;
    Span span = streams_[static_cast<std::size_t>(start)].decl->name_span;
    const int next = path.size() > 1 ? path[1] : start;
    for (const StreamRef& ref : streams_[static_cast<std::size_t>(start)].deps) {
      if (ref.target == next) {
        span = ref.span;
        break;
      }
    }
    Error("E023", span, "stream dependency cycle: " + text,
          "a stream cannot read, directly or indirectly, from itself");
  }
}

std::vector<int> ProgramChecker::DependencyOrder() {
  const std::size_t n = streams_.size();
  std::vector<std::vector<int>> dependents(n);
  std::vector<int> pending(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<int> targets;
    for (const StreamRef& ref : streams_[i].deps) targets.push_back(ref.target);
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    pending[i] = static_cast<int>(targets.size());
    for (int t : targets) dependents[static_cast<std::size_t>(t)].push_back(static_cast<int>(i));
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (std::size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(static_cast<int>(i));
  }
  std::vector<int> order;
  order.reserve(n);
  std::vector<bool> placed(n, false);
  while (!ready.empty()) {
    int v = ready.top();
    ready.pop();
    order.push_back(v);
    placed[static_cast<std::size_t>(v)] = true;
    for (int d : dependents[static_cast<std::size_t>(v)]) {
      if (--pending[static_cast<std::size_t>(d)] == 0) ready.push(d);
    }
  }
  // Streams in or behind a cycle: checked last, reading unknown schemas from unchecked streams.
  for (std::size_t i = 0; i < n; ++i) {
    if (!placed[i]) order.push_back(static_cast<int>(i));
  }
  return order;
}

}  // namespace varpulis::lang::internal

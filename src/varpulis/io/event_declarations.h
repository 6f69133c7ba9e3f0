// event_declarations.h — what the input readers need to know about declared event types.
//
// The runtime fills this from the program's `event` declarations (spec/vpl.md §3.1), with
// `extends` already flattened (base fields first) and aliases resolved. Readers use it for two
// things only (§4.3, §10.1):
//   - a field declared `float` (or `float?`) that arrives as an int is widened to float;
//   - a positional `.evt` record `Type(v1, v2, ...)` maps its values to the declared fields in
//     order (an undeclared type gets `field_0`, `field_1`, ...).
// Nothing else is validated: missing fields read as null, extra fields are kept.
//
//   EventDeclarations decls;
//   decls.events.push_back({"Reading", {{"sensor", false}, {"value", true}}});
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace varpulis::io {

struct DeclaredField {
  std::string name;
  bool is_float = false;  // declared `float` or `float?`: ints widen to float on ingestion
};

struct EventDeclaration {
  std::string name;
  std::vector<DeclaredField> fields;  // in declaration order
};

struct EventDeclarations {
  std::vector<EventDeclaration> events;

  // The declaration of `type`, or nullptr. Linear: called once per distinct input type.
  const EventDeclaration* Find(std::string_view type) const {
    for (const EventDeclaration& e : events) {
      if (e.name == type) return &e;
    }
    return nullptr;
  }
};

}  // namespace varpulis::io

// memory_store.h — MemoryStore, the default store: an ordered map that lives as long as the
// process (spec/state-and-server.md §2.1). Private to state/: callers use OpenStore("memory:").
#pragma once

#include <memory>

#include "varpulis/state/state_store.h"

namespace varpulis::state {

std::unique_ptr<StateStore> NewMemoryStore();

}  // namespace varpulis::state

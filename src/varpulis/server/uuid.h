// uuid.h — random (version 4) UUIDs in their lowercase 36-character text form, the ids of
// tenants and pipelines (spec/state-and-server.md §3).
//
//   VP_ASSIGN_OR_RETURN(std::string id, NewUuidV4());   // "6f1c2d3e-9a4b-4c1d-8e2f-0123456789ab"
#pragma once

#include <string>
#include <string_view>

#include "varpulis/core/result.h"

namespace varpulis::server {

// Errors: kIo when the CSPRNG cannot be read.
core::Result<std::string> NewUuidV4();

// True when `text` is a lowercase UUID v4 (version nibble 4, variant 10xx).
bool IsUuidV4(std::string_view text);

}  // namespace varpulis::server

// random_bytes.h — bytes from the kernel CSPRNG (getrandom), for API keys and UUIDs.
//
//   std::array<std::uint8_t, 16> raw;
//   VP_RETURN_IF_ERROR(FillRandom(raw.data(), raw.size()));
#pragma once

#include <cstddef>
#include <cstdint>

#include "varpulis/core/status.h"

namespace varpulis::server {

// Fills `out` with `size` bytes from getrandom(2) (blocking until the pool is seeded, retried on
// EINTR). Errors: kIo with the OS text — never falls back to a weaker generator.
core::Status FillRandom(std::uint8_t* out, std::size_t size);

}  // namespace varpulis::server

#include "varpulis/server/random_bytes.h"

#include <cerrno>
#include <cstring>
#include <string>

#include <sys/random.h>

namespace varpulis::server {

core::Status FillRandom(std::uint8_t* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::getrandom(out + done, size - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::Status::Io(std::string("getrandom: ") + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return core::Status::Ok();
}

}  // namespace varpulis::server

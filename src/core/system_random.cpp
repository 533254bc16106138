#include "core/system_random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace endhost::core {

namespace {

void get_random(std::uint8_t* out, std::size_t size) {
  std::size_t filled = 0;
  while (filled < size) {
    // Flags 0: blocks only until the kernel's pool is first initialised at boot, never afterwards.
    const ssize_t n = ::getrandom(out + filled, size - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(n);
  }
}

}  // namespace

void SystemRandom::refill() {
  get_random(pool_.data(), pool_.size());
  used_ = 0;
}

void SystemRandom::fill(std::span<std::uint8_t> out) {
  if (out.size() > pool_.size()) {
    get_random(out.data(), out.size());
    return;
  }
  if (used_ + out.size() > pool_.size()) refill();
  std::memcpy(out.data(), pool_.data() + used_, out.size());
  // Bytes handed out are wiped from the pool: nothing later (a core dump, a reused object) can see them.
  std::memset(pool_.data() + used_, 0, out.size());
  used_ += out.size();
}

}  // namespace endhost::core

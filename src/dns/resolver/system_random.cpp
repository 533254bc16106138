#include "dns/resolver/system_random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace endhost::dns::resolver {

void SystemRandom::refill() {
  std::size_t filled = 0;
  while (filled < pool_.size()) {
    ssize_t n = ::getrandom(pool_.data() + filled, pool_.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Without randomness the resolver would be trivially spoofable: better to stop than to guess.
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(n);
  }
  used_ = 0;
}

std::uint32_t SystemRandom::next() {
  if (used_ + 4 > pool_.size()) refill();
  std::uint32_t v;
  std::memcpy(&v, pool_.data() + used_, 4);
  used_ += 4;
  return v;
}

}  // namespace endhost::dns::resolver

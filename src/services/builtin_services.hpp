// Every service this build has, registered by name: what `endhost <service> serve` and the lab's hosts are
// built from. Generated from the endhost_register_service() calls (src/services/CMakeLists.txt); a fresh
// registry on each call, so nothing is shared between its users.
#pragma once

#include "core/service_registry.hpp"

namespace endhost::services {

core::ServiceRegistry builtin_services();

}  // namespace endhost::services

#include "core/service_registry.hpp"

#include <stdexcept>

#include "core/privileged_ports.hpp"

namespace endhost::core {

std::uint16_t ServiceDescriptor::default_serve_port() const {
  if (!serve_port) return port;
  if (prefer_well_known_port && port < serve_port && may_bind_port(port)) return port;
  return serve_port;
}

void ServiceRegistry::add(ServiceDescriptor descriptor) {
  if (descriptor.name.empty() || !descriptor.make)
    throw std::logic_error("a service needs a name and a factory");
  if (find(descriptor.name)) throw std::logic_error("service '" + descriptor.name + "' registered twice");
  services_.push_back(std::move(descriptor));
}

const ServiceDescriptor* ServiceRegistry::find(std::string_view name) const {
  for (const auto& s : services_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> ServiceRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& s : services_) out.push_back(s.name);
  return out;
}

}  // namespace endhost::core

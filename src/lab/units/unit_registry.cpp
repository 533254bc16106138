// Which service kinds this build can run in the lab, and the shared listening log line.
#include "lab/unit.hpp"

namespace endhost::lab {

const UnitFactory* unit_factory(ServiceKind kind) {
  static const UnitFactory echo = make_echo_unit;
  static const UnitFactory ping = make_ping_unit;
  static const UnitFactory dns = make_dns_unit;
  static const UnitFactory resolver = make_resolver_unit;
  static const UnitFactory web = make_web_unit;
  static const UnitFactory proxy = make_proxy_unit;
  switch (kind) {
    case ServiceKind::echo:
      return &echo;
    case ServiceKind::ping:
      return &ping;
    case ServiceKind::dns:
      return &dns;
    case ServiceKind::resolver:
      return &resolver;
    case ServiceKind::web:
      return &web;
    case ServiceKind::proxy:
      return &proxy;
    default:
      return nullptr;
  }
}

const char* to_string(UnitState state) {
  switch (state) {
    case UnitState::bound:
      return "bound";
    case UnitState::listening:
      return "listening";
    case UnitState::failed:
      return "failed";
    case UnitState::draining:
      return "draining";
  }
  return "?";
}

void log_listening(core::Logger& log, const UnitContext& ctx, const char* protocol,
                   const std::string& address) {
  log.info("listening", {{"service", to_string(ctx.service.kind)},
                         {"host", ctx.planned.name},
                         {"protocol", protocol},
                         {"address", address}});
}

}  // namespace endhost::lab

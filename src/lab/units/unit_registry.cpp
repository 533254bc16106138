// Which service kinds this build can run in the lab, and the shared listening log line.
#include "lab/unit.hpp"

namespace endhost::lab {

const UnitFactory* unit_factory(ServiceKind kind) {
  static const UnitFactory echo = make_echo_unit;
  static const UnitFactory ping = make_ping_unit;
  switch (kind) {
    case ServiceKind::echo:
      return &echo;
    case ServiceKind::ping:
      return &ping;
    default:
      return nullptr;
  }
}

void log_listening(core::Logger& log, const UnitContext& ctx, const char* protocol,
                   const std::string& address) {
  log.info("listening", {{"service", to_string(ctx.service.kind)},
                         {"host", ctx.planned.name},
                         {"protocol", protocol},
                         {"address", address}});
}

}  // namespace endhost::lab

// The registry of services by name, the one list that both the `endhost` program and the lab read: each
// entry says what `endhost <name> serve` and a lab host's `<name> = { … }` table accept (its options), which
// port and transports it uses, and how to build it from settings and what the host gives it (ServiceEnv).
// A new service is its library plus one registration (src/services/builtin_services.cpp); neither the CLI
// nor the lab has a list of services of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/event_loop.hpp"
#include "core/expected.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/service.hpp"
#include "core/settings.hpp"
#include "core/socket_place.hpp"
#include "core/transcript.hpp"

namespace endhost::core {

class NameResolver;
class TlsServerContext;

// What the host running a service gives it: the loops, the logger and metrics registry, its transcript,
// where to listen, TLS, and how to resolve the names it dials.
struct ServiceEnv {
  ServiceEnv(EventLoops& l, Logger& lg, MetricsRegistry& m, Transcript t)
      : loops(l), log(lg), metrics(m), transcript(std::move(t)) {}

  EventLoops& loops;
  Logger& log;
  MetricsRegistry& metrics;
  Transcript transcript;
  // Where to listen; the service binds the ones its transports use (a TCP-only service ignores udp_listen).
  std::vector<asio::ip::tcp::endpoint> tcp_listen;
  std::vector<asio::ip::udp::endpoint> udp_listen;
  std::size_t max_connections = 10'000;          // per listening address
  std::shared_ptr<TlsServerContext> tls;         // --tls-cert/--tls-key (null: plain TCP)
  std::shared_ptr<const NameResolver> resolver;  // for names the service dials (null: the system's)
  TranscriptSink* transcripts = nullptr;  // for a second transcript of its own (the proxy's origin side)
  std::string host;                       // the lab host's name; empty under `endhost … serve`
  // Where the service's own client sockets send from (upstream queries, origin connections, zone
  // transfers): the lab host's address, so that logs and transcripts show who talks to whom. Empty: the
  // kernel chooses, as for any client.
  std::optional<asio::ip::address> source_address;
  // Where every socket of the service is made: the lab host's network namespace, when the lab gives each
  // host one (docs/internals/core.md, "Namespaces, TUN devices and socket places"). Listeners get it through
  // the Binder, which the host builds with the same place; client sockets and sockets made at run time (FTP
  // data listeners) through each service's configuration, copied here in its factory as source_address is.
  // Empty: the process's own network.
  SocketPlace socket_place{};
};

// Why a service could not be built: `usage` when the settings are wrong (the CLI then points at --help), not
// when a file could not be opened or a store could not be read.
struct ServiceError {
  std::string message;
  bool usage = true;
};

struct Transports {
  bool tcp = false;
  bool udp = false;
};

using ServiceFactory =
    std::function<Expected<std::unique_ptr<Service>, ServiceError>(const Settings&, ServiceEnv&)>;

struct ServiceDescriptor {
  std::string name;        // "web": `endhost web serve`, and `web = { … }` on a lab host
  std::string summary;     // `endhost web --help`: "HTTP/1.1 web server for static files"
  std::string serve_help;  // `endhost web serve --help`'s first line
  std::string examples;    // the footer of `serve --help`
  std::uint16_t port = 0;  // its well-known port: the lab's in real mode (80, 53, 3128, 12000)
  // The port of `endhost <name> serve` without --listen, when it is not `port` (the web server's 8080,
  // which needs no privilege). 0: `port`.
  std::uint16_t serve_port = 0;
  // In the lab's high-port mode the port becomes lab.port_base + port; false for ports anyone may bind
  // already (the textbook's 12000).
  bool shift_in_high_mode = true;
  Transports transports;  // what it listens on (TCP-only services get --max-connections and TLS)
  // When the transports depend on the settings (echo's --tcp and --udp). Empty: `transports`.
  std::function<Transports(const Settings&)> transports_for;
  std::vector<OptionInfo> options;
  // What a lab host's table starts from before its own keys (echo serves both TCP and UDP there unless told
  // otherwise; on the command line it asks which).
  Settings lab_defaults;
  // Checks each value without building anything (SettingTable::checker), so that the lab can refuse a bad
  // table when it reads its configuration, before it writes or binds anything.
  std::function<Expected<void, std::string>(const Settings&)> check;
  ServiceFactory make;

  // Whether `serve` without --listen takes `port` when this process may bind it (mail's 25, as Postfix), and
  // `serve_port` only when it may not.
  bool prefer_well_known_port = false;

  std::uint16_t default_serve_port() const;
  Transports transports_of(const Settings& settings) const {
    return transports_for ? transports_for(settings) : transports;
  }
  const OptionInfo* option(std::string_view option_name) const {
    for (const auto& o : options) {
      if (o.name == option_name) return &o;
    }
    return nullptr;
  }
};

// Fills a descriptor's options, check and factory from the service's SettingTable: `build(options, env)`
// gets the settings applied to an Options{} and builds the service. `table` must outlive the descriptor
// (registrations keep theirs in a function-local static).
template <class Options, class Build>
void use_settings(ServiceDescriptor& d, const SettingTable<Options>& table, Build build) {
  d.options = table.options();
  d.check = table.checker();
  d.make = [&table, build](const Settings& settings,
                           ServiceEnv& env) -> Expected<std::unique_ptr<Service>, ServiceError> {
    Options options{};
    if (auto ok = table.apply(settings, options); !ok) return Unexpected(ServiceError{ok.error()});
    return build(std::move(options), env);
  };
}

class ServiceRegistry {
 public:
  // Registers a service; a second one with the same name is a programming error (std::logic_error).
  void add(ServiceDescriptor descriptor);
  const ServiceDescriptor* find(std::string_view name) const;
  const std::vector<ServiceDescriptor>& all() const { return services_; }
  std::vector<std::string> names() const;

 private:
  std::vector<ServiceDescriptor> services_;
};

}  // namespace endhost::core

// `endhost proxy purge`: removes a URL from a running proxy's cache. `proxy serve` (the Web cache of the
// textbook, a forward or reverse caching proxy with its own disk storage) comes from the service registry
// (http/proxy/proxy_service.hpp).

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/resolver_option.hpp"
#include "cli/server_options.hpp"
#include "cli/service_commands.hpp"
#include "core/byte_buffer.hpp"
#include "core/dialer.hpp"
#include "core/host_port.hpp"
#include "core/run_client.hpp"
#include "core/stream.hpp"
#include "core/timeout.hpp"
#include "http/proxy/proxy_service.hpp"
#include "http/response_parser.hpp"
#include "http/url.hpp"

namespace endhost::cli {

namespace {

using http::proxy::kProxyPort;

struct PurgeOptions {
  std::string url;
  std::string proxy = "127.0.0.1:3128";
  double timeout = 10;
  std::string dns_server;
};

awaitable<int> purge(const PurgeOptions& o) {
  auto url = http::parse_url(o.url);
  if (!url) throw UsageError(url.error());
  auto hp = core::parse_host_port(o.proxy, kProxyPort);
  if (!hp) throw UsageError("--proxy: " + hp.error());
  const auto limit =
      std::chrono::duration_cast<std::chrono::milliseconds>(seconds_option(o.timeout, "--timeout"));
  const auto resolver = make_name_resolver(o.dns_server);
  const core::Dialer dialer(*resolver, core::DialOptions{limit, std::nullopt, true});
  auto connected = co_await dialer.connect(hp->host, hp->port);
  if (!connected) {
    if (connected.error().code == core::DialErrc::connect)
      throw RuntimeError(connected.error().message + " (is `endhost proxy serve` running there?)");
    throw RuntimeError(connected.error().message);
  }
  core::Stream socket(std::move(*connected));
  const std::string request = "PURGE " + url->to_string() + " HTTP/1.1\r\nHost: " + url->authority() +
                              "\r\nConnection: close\r\n\r\n";
  co_await asio::async_write(socket, asio::buffer(request), use_nothrow);
  core::ByteBuffer response(64 * 1024);
  for (;;) {
    auto space = response.read_space();
    if (!space) break;  // enough of an answer to show
    auto r = co_await core::with_timeout(
        socket.async_read_some(asio::buffer(space->data(), space->size()), use_nothrow), limit);
    if (!r) throw RuntimeError("the proxy did not answer within the timeout");
    auto [ec, n] = *r;
    response.commit(n);
    if (ec) break;
  }
  http::ResponseParser parser;
  auto step = parser.parse_head(response.readable());
  if (!step || step->progress != http::Progress::complete)
    throw RuntimeError("the proxy's answer is not HTTP");
  const unsigned code = http::to_int(parser.head().status);
  std::cout << response.readable().substr(step->consumed);
  if (code == 200) co_return 0;
  if (code == 404) co_return 3;  // nothing to purge: distinct, so scripts can tell it from a failure
  std::cerr << "endhost: the proxy refused the purge: " << code << " " << parser.head().reason << "\n";
  co_return 1;
}

}  // namespace

void add_proxy_commands(CLI::App& root, RunFn& run) {
  auto* proxy = &service_command(root, "proxy");

  auto po = std::make_shared<PurgeOptions>();
  auto* purge_cmd = proxy->add_subcommand("purge", "Remove a URL from a running proxy's cache (sends PURGE)");
  purge_cmd->add_option("url", po->url, "The URL to purge, as clients request it")->required();
  purge_cmd->add_option("--proxy", po->proxy, "The proxy, HOST[:PORT]")->capture_default_str();
  purge_cmd->add_option("--timeout", po->timeout, "Seconds to wait for the proxy")->capture_default_str();
  purge_cmd->add_option("--dns-servers", po->dns_server, kDnsServersHelp)->type_name("ADDR[:PORT]");
  purge_cmd->footer(
      "Exit status: 0 purged, 3 the URL was not in the cache, 1 error.\n"
      "Example:\n  endhost proxy purge http://example.com/logo.png --proxy 127.0.0.1:3128");
  purge_cmd->callback([po, &run] {
    run = [po] { return core::run_client([po] { return purge(*po); }, std::cerr, "endhost"); };
  });
}

}  // namespace endhost::cli

// The `--admin ADDR:PORT` endpoint: GET /metrics answers with every metric of the host's registry in the
// Prometheus text exposition format 0.0.4 (requests by status, bytes, open connections, the latency
// histogram). A listener of its own, off the public address, and deliberately simple: one small request at
// a time per connection, no bodies.
#pragma once

#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/metrics.hpp"

namespace endhost::web {

awaitable<void> serve_admin(core::Connection& conn, const core::MetricsRegistry& metrics);

}  // namespace endhost::web

// The webmail (`endhost mail serve --webmail ADDR:PORT`, issue 12 §3, docs/internals/webmail.md): a web
// application over the mail store, on the project's HTTP/1.1 codec. Webmail holds what every connection
// shares (the sessions, the login limiter, the configuration, the backend); serve_webmail runs one
// connection: requests parsed by http::RequestParser with every read timed out and every size bounded,
// answered by the route table (route.hpp), JSON for the API, the embedded page for the browser, and
// Server-Sent Events fed by the INBOX's change listener for new mail.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/address_acl.hpp"
#include "core/asio.hpp"
#include "core/connection.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "http/fields.hpp"
#include "http/limits.hpp"
#include "http/server_driver.hpp"
#include "http/status.hpp"
#include "mail/webmail/backend.hpp"
#include "mail/webmail/login_limiter.hpp"
#include "mail/webmail/session_table.hpp"

namespace endhost::mail::webmail {

struct WebmailConfig {
  // A compose may carry attachments up to the server's message size; base64 makes them 4/3 larger in the
  // message but not in the form, so the form's limit is the message size plus room for the fields.
  http::Limits limits = [] {
    http::Limits l;
    l.max_head_bytes = 16 * 1024;
    l.max_fields = 64;
    l.max_body_size = 10 * 1024 * 1024;
    return l;
  }();
  std::chrono::milliseconds header_timeout{10'000};  // the first byte of a head to its end
  std::chrono::milliseconds idle_timeout{60'000};    // between requests on a kept-alive connection
  std::chrono::milliseconds read_timeout{30'000};    // each read of a body
  std::chrono::milliseconds send_timeout{30'000};    // each write
  std::chrono::seconds heartbeat{25};                // an event stream's comment line when nothing happened
  SessionLimits sessions;
  LoginLimits logins;
  std::size_t page_size = 50;                 // messages per page of the list
  std::size_t max_page_size = 200;            // what ?size= may ask for
  std::size_t max_search_scan = 5'000;        // messages a search reads, newest first
  std::size_t max_uids = 1'000;               // UIDs in one mark/move/delete
  std::size_t max_attachments = 20;           // files in one compose
  std::uint64_t max_read = 64 * 1024 * 1024;  // a stored message read whole (view, download, search)
  std::size_t header_bytes = 64 * 1024;       // what the list reads of each message for its summary
  core::AddressAcl trusted_networks;  // --trusted-networks: may log in over plain HTTP, as loopback may
  bool secure = false;  // served over TLS (--tls-cert): the cookie says Secure, as on any HTTPS request
};

struct WebmailCounters {
  explicit WebmailCounters(core::MetricsRegistry& metrics);
  core::Counter* requests = nullptr;
  core::Counter* logins = nullptr;
  core::Counter* login_failures = nullptr;
  core::Counter* rate_limited = nullptr;  // logins refused with 429
  core::Counter* csrf_refused = nullptr;
  core::Counter* sent = nullptr;  // messages submitted by compose
  core::Counter* streams = nullptr;
};

// A response, whole or streamed. Security headers are added by the connection loop for every response.
struct Response {
  http::Status status = http::Status::ok;
  std::string content_type = "application/json";
  std::string body;
  http::Fields fields;    // Set-Cookie, Retry-After, Content-Disposition, Allow…
  std::string csp;        // "" : the application's policy (webmail.cpp kAppPolicy)
  bool framable = false;  // the message frame: may be framed by our own page (frame-ancestors 'self')
  // Set: an event stream, run by this function after the head; the connection closes after it.
  std::function<awaitable<void>(http::BodyStream&)> stream;
};

struct Request {
  std::string method;
  std::string path;
  std::string query;
  http::Fields fields;
  std::string body;
  std::string peer_address;   // the client's IP, for the login limiter
  bool trusted_peer = false;  // the client is this machine (127.0.0.0/8, ::1) or in --trusted-networks
  bool tls = false;           // the connection is HTTPS
};

class Webmail {
 public:
  Webmail(Backend& backend, WebmailConfig config, const WebmailCounters& counters, core::Logger& log);

  const WebmailConfig& config() const { return config_; }
  // Runs on the connection's loop. Never throws for bad input: answers 4xx.
  awaitable<Response> handle(const Request& request, std::size_t loop_index);

  SessionTable& sessions() { return sessions_; }

 private:
  struct Context;  // webmail.cpp: one request's session and parameters

  awaitable<Response> login(const Request& request, std::size_t loop_index);
  awaitable<Response> send(const Request& request, const SessionInfo& session, std::size_t loop_index);
  Response events(const SessionInfo& session);
  bool secure(const Request& request) const { return config_.secure || request.tls; }
  // The routes that only read or change the store: run whole on the blocking pool.
  Response on_pool(const Request& request, const SessionInfo& session, int route);
  std::chrono::milliseconds now() const;

  Backend& backend_;
  WebmailConfig config_;
  const WebmailCounters& counters_;
  core::Logger& log_;
  SessionTable sessions_;
  LoginLimiter limiter_;
};

// One connection (TcpServerOptions::session). `webmail` outlives every connection.
awaitable<void> serve_webmail(core::Connection& conn, Webmail& webmail);
// Past --max-connections: 503 and close.
awaitable<void> refuse_webmail(core::Connection& conn);

// The embedded front end (generated from web/ at build time).
std::string_view page_html();
std::string_view page_script();
std::string_view page_style();

}  // namespace endhost::mail::webmail

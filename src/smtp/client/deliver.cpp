#include "smtp/client/deliver.hpp"

#include <array>
#include <mutex>

#include "core/deadline.hpp"
#include "core/starttls.hpp"
#include "text/coded_reply_parser.hpp"
#include "text/read_error.hpp"

namespace endhost::smtp::client {

namespace {

using Stage = DeliveryResult::Stage;
constexpr std::size_t kWriteBlock = 64 * 1024;  // one "data block" of §4.5.3.2.5 per deadline

// The shared contexts when the caller gives none: one that verifies (the system's store) and one that
// does not (opportunistic TLS, RFC 7435 §4: better than plaintext even unauthenticated).
std::shared_ptr<const core::TlsClientContext> default_context(bool verify, std::string& error) {
  static std::mutex mutex;
  static std::shared_ptr<const core::TlsClientContext> contexts[2];
  const std::lock_guard lock(mutex);
  auto& slot = contexts[verify ? 1 : 0];
  if (!slot) {
    core::TlsClientOptions o;
    o.insecure = !verify;
    auto made = core::TlsClientContext::make(o);
    if (!made) {
      error = made.error();
      return nullptr;
    }
    slot = std::move(*made);
  }
  return slot;
}

// RFC 5321 §4.2.1: "250-first" … "250 last", as the server's --trace prints it.
void trace_reply(const core::Transcript* trace, std::string_view peer, const text::CodedReply& r) {
  if (!trace) return;
  const std::string code = std::to_string(r.code);
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const bool last = i + 1 == r.lines.size();
    trace->server(peer, code + (last ? " " : "-") + r.lines[i]);
  }
}

// STARTTLS's input purge (core::starttls_client) over the reply parser: a fresh parser holds nothing.
struct ParserInput {
  std::unique_ptr<text::CodedReplyParser>* parser;
  std::size_t discard_buffered() {
    const bool had = (*parser)->has_buffered_input();
    *parser = std::make_unique<text::CodedReplyParser>(text::ReplyDialect::Smtp);
    return had ? 1 : 0;
  }
};

std::string seconds_text(std::chrono::seconds s) {
  return std::to_string(s.count()) + " s";
}

}  // namespace

awaitable<DeliveryResult> deliver(std::unique_ptr<core::Stream> stream, std::string peer_name,
                                  const Transaction& t, const ClientOptions& options) {
  std::string peer = peer_name;
  {
    boost::system::error_code ec;
    const auto ep = stream->lowest_layer().remote_endpoint(ec);
    if (!ec) peer += "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
  }
  const std::string trace_peer = options.trace_peer.empty() ? peer : options.trace_peer;
  const core::Transcript* trace = options.trace && options.trace->enabled() ? options.trace : nullptr;
  const std::string server_name = options.tls_server_name.empty() ? peer_name : options.tls_server_name;

  std::string context_error;
  std::shared_ptr<const core::TlsClientContext> context = options.tls_context;
  if (!context && options.tls != TlsMode::None)
    context = default_context(options.verify_certificate, context_error);

  SessionSettings settings;
  settings.helo_name = options.helo_name;
  settings.tls = options.tls;
  settings.auth = options.auth;
  settings.use_chunking = options.use_chunking;
  settings.tls_available = context != nullptr;
  ClientSession session(std::move(settings), t);

  const auto executor = co_await asio::this_coro::executor;
  core::Deadline deadline(executor, stream->lowest_layer());
  auto parser = std::make_unique<text::CodedReplyParser>(text::ReplyDialect::Smtp);

  if (options.tls == TlsMode::Implicit) {
    // RFC 8314 §3.3: TLS from the first byte, before the greeting.
    bool ok = context != nullptr;
    std::string why = context ? "" : "no TLS context: " + context_error;
    if (ok) {
      auto begun = stream->begin_tls_client(context->native(), server_name, context->verifies());
      if (!begun) {
        ok = false;
        why = begun.error();
      }
    }
    if (ok) {
      deadline.expires_after(options.connect_timeout);
      auto [ec] = co_await stream->async_handshake(use_nothrow);
      deadline.expires_never();
      if (ec) {
        ok = false;
        why = "TLS handshake with " + server_name +
              " failed: " + (deadline.timed_out() ? std::string("timed out") : core::Stream::error_text(ec));
      }
    }
    if (!ok) {
      session.network_error(why);
      session.result().failed_at = Stage::Tls;
    } else if (trace) {
      trace->note(trace_peer, "TLS: " + core::tls_summary(*stream));
    }
  }

  std::array<char, 4096> buf;
  for (;;) {
    if (trace)
      for (const auto& line : session.take_trace()) trace->client(trace_peer, line);
    // Send what is pending, a block at a time, each within its deadline.
    bool write_failed = false;
    while (!session.pending().empty()) {
      const std::string_view chunk = session.pending().substr(0, kWriteBlock);
      const auto limit = session.sending_body() ? options.data_block_timeout : options.command_timeout;
      deadline.expires_after(limit);
      auto [ec, n] =
          co_await asio::async_write(*stream, asio::buffer(chunk.data(), chunk.size()), use_nothrow);
      deadline.expires_never();
      if (ec) {
        const bool late = deadline.timed_out();
        deadline.clear_timed_out();
        session.network_error(late ? "the server did not take the data within " + seconds_text(limit)
                                   : "the connection failed while sending: " + ec.message());
        write_failed = true;
        break;
      }
      session.consumed(n);
    }
    if (write_failed || session.next() == Next::Close) break;

    if (session.next() == Next::StartTls) {
      // RFC 3207 §4.2 / CVE-2011-0411: replies sent with the 220 would read as if protected: refused.
      if (parser->has_buffered_input()) {
        session.tls_ready(false, "the server sent more after its 220 to STARTTLS");
        continue;
      }
      ParserInput input{&parser};
      deadline.expires_after(options.connect_timeout);
      auto up =
          co_await core::starttls_client(*stream, context->native(), server_name, context->verifies(), input);
      deadline.expires_never();
      if (!up) {
        const std::string why = deadline.timed_out() ? "the TLS handshake timed out" : up.error();
        deadline.clear_timed_out();
        session.tls_ready(false, why);
        continue;
      }
      if (trace) trace->note(trace_peer, "TLS: " + core::tls_summary(*stream));
      session.tls_ready(true);
      continue;
    }

    // Read one reply.
    std::chrono::seconds limit = options.command_timeout;
    switch (session.timeout()) {
      case TimeoutKind::Greeting:
        limit = options.greeting_timeout;
        break;
      case TimeoutKind::DataEnd:
        limit = options.data_end_timeout;
        break;
      case TimeoutKind::Command:
        break;
    }
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto next = parser->next();
      if (!next) {
        session.network_error("not an SMTP reply: " + std::string(text::describe(next.error())));
        break;
      }
      if (*next) {
        trace_reply(trace, trace_peer, **next);
        session.on_reply(**next);
        break;
      }
      const std::size_t room = std::min(buf.size(), parser->room());
      deadline.expires_at(until);
      auto [ec, n] = co_await stream->async_read_some(asio::buffer(buf.data(), room), use_nothrow);
      deadline.expires_never();
      if (ec) {
        const bool late = deadline.timed_out();
        deadline.clear_timed_out();
        if (late) {
          session.network_error("no reply within " + seconds_text(limit));
        } else if (ec == asio::error::eof) {
          session.network_error("the server closed the connection");
        } else {
          session.network_error("the connection failed: " + ec.message());
        }
        break;
      }
      parser->feed(std::string_view(buf.data(), n));
    }
  }
  if (trace)
    for (const auto& line : session.take_trace()) trace->client(trace_peer, line);
  stream->shutdown();
  stream->close();
  DeliveryResult result = std::move(session.result());
  result.peer = std::move(peer);
  co_return result;
}

}  // namespace endhost::smtp::client

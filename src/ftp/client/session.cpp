#include "ftp/client/session.hpp"

#include <openssl/ssl.h>

#include <array>
#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include "core/dialer.hpp"

#include "core/timeout.hpp"
#include "ftp/ascii.hpp"
#include "ftp/client/command_line.hpp"
#include "ftp/host_port.hpp"

namespace endhost::ftp::client {

namespace {

using tcp = asio::ip::tcp;
using boost::system::error_code;

Error make_error(ErrorKind kind, std::string message, int code = 0) {
  return Error{kind, code, std::move(message)};
}

Error dial_error(const core::DialError& e) {
  switch (e.code) {
    case core::DialErrc::not_found:
    case core::DialErrc::resolver_failed:
      return make_error(ErrorKind::dns, e.message);
    case core::DialErrc::timeout:
      return make_error(ErrorKind::timeout, e.message);
    default:
      return make_error(ErrorKind::connect, e.message);
  }
}

// The reply as the server's --trace shows it, one entry per line (RFC 959 §4.2: "NNN-" first, "NNN " last).
void trace_reply(const TraceHook& hook, const text::CodedReply& r) {
  if (!hook) return;
  const std::string code = std::to_string(r.code);
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    std::string line = "S: ";
    if (r.lines.size() == 1) {
      line += code + " " + r.lines[i];
    } else if (i == 0) {
      line += code + "-" + r.lines[i];
    } else if (i + 1 == r.lines.size()) {
      line += code + " " + r.lines[i];
    } else {
      line += r.lines[i];
    }
    hook(line);
  }
}

}  // namespace

// A data connection: the stream once connected (passive: before the command; active: accepted after it),
// and the listener of active mode until then.
struct Session::Data {
  std::optional<tcp::acceptor> acceptor;
  std::unique_ptr<core::Stream> stream;
  std::unique_ptr<core::Deadline> deadline;  // after stream
};

Session::Session(const core::NameResolver& resolver, SessionOptions options)
    : resolver_(&resolver), options_(std::move(options)) {}

Session::~Session() = default;

// The lab's hosts send from their own address (docs/internals/core.md, "Source addresses"). For a data
// connection, whose destination is known, one of the other IP version is left out rather than failing it.
core::DialOptions Session::dial_options(const asio::ip::address* to) const {
  core::DialOptions d{options_.connect_timeout, std::nullopt, true};
  if (options_.local_address && (!to || to->is_v4() == options_.local_address->is_v4()))
    d.local_address = options_.local_address;
  return d;
}

Error Session::reply_error(const text::CodedReply& reply) const {
  return make_error(ErrorKind::reply, reply_summary(reply), reply.code);
}

void Session::close() {
  if (control_) control_->close();
  parser_.reset();
  deadline_.reset();
  control_.reset();
}

awaitable<Result<void>> Session::write_line(std::string_view line) {
  if (!control_) co_return Unexpected(make_error(ErrorKind::closed, "not connected"));
  if (line.find_first_of("\r\n") != line.npos)
    co_return Unexpected(make_error(ErrorKind::local, "a command cannot hold a line break"));
  trace("C: " + traced_command(line));
  std::string wire(line);
  wire += "\r\n";
  deadline_->expires_after(options_.read_timeout);
  auto [ec, n] = co_await asio::async_write(*control_, asio::buffer(wire), use_nothrow);
  deadline_->expires_never();
  if (ec) {
    const bool late = deadline_->timed_out();
    deadline_->clear_timed_out();
    close();
    co_return Unexpected(
        late ? make_error(ErrorKind::timeout, "the server did not take the command in time")
             : make_error(ErrorKind::closed, "the control connection failed: " + ec.message()));
  }
  co_return Result<void>{};
}

awaitable<Result<text::CodedReply>> Session::read_reply() {
  if (!control_) co_return Unexpected(make_error(ErrorKind::closed, "not connected"));
  std::array<char, 4096> buf;
  for (;;) {
    auto next = parser_->next();
    if (!next) {
      close();
      co_return Unexpected(
          make_error(ErrorKind::protocol, "not an FTP reply: " + std::string(text::describe(next.error()))));
    }
    if (*next) {
      trace_reply(options_.trace, **next);
      co_return std::move(**next);
    }
    const std::size_t room = std::min(buf.size(), parser_->room());
    deadline_->expires_after(options_.read_timeout);
    auto [ec, n] = co_await control_->async_read_some(asio::buffer(buf.data(), room), use_nothrow);
    deadline_->expires_never();
    if (ec) {
      const bool late = deadline_->timed_out();
      deadline_->clear_timed_out();
      close();
      if (late)
        co_return Unexpected(
            make_error(ErrorKind::timeout,
                       "no reply within " + std::to_string(options_.read_timeout.count() / 1000) + " s"));
      co_return Unexpected(make_error(
          ErrorKind::closed, ec == asio::error::eof ? "the server closed the control connection"
                                                    : "the control connection failed: " + ec.message()));
    }
    parser_->feed(std::string_view(buf.data(), n));
  }
}

awaitable<Result<text::CodedReply>> Session::command(std::string_view line) {
  auto sent = co_await write_line(line);
  if (!sent) co_return Unexpected(sent.error());
  for (;;) {
    auto reply = co_await read_reply();
    if (!reply) co_return reply;
    // A 1yz to a command that opens no data connection is not a final reply (RFC 959 §4.2): read on.
    if (!is_class(*reply, ReplyClass::Preliminary)) co_return reply;
  }
}

awaitable<Result<text::CodedReply>> Session::require(std::string_view line, ReplyClass expected) {
  auto reply = co_await command(line);
  if (!reply) co_return reply;
  if (!is_class(*reply, expected)) co_return Unexpected(reply_error(*reply));
  co_return reply;
}

awaitable<Result<void>> Session::start_tls() {
  // Bytes after 234 and before the handshake would be read as if protected: refuse them (the reply
  // injection twin of CVE-2011-0411; core/starttls.hpp drops them on the server side).
  if (parser_->has_buffered_input()) {
    close();
    co_return Unexpected(make_error(ErrorKind::protocol, "the server sent more after 234 (AUTH TLS)"));
  }
  auto done = co_await core::tls_client_handshake(*control_, *options_.tls, host_);
  if (!done) {
    const ErrorKind kind =
        done.error().code == core::TlsClientErrc::certificate ? ErrorKind::certificate : ErrorKind::tls;
    close();
    co_return Unexpected(make_error(kind, done.error().message));
  }
  trace("* " + core::tls_summary(*control_));
  co_return Result<void>{};
}

awaitable<Result<void>> Session::open(std::string_view host, std::uint16_t port, const LoginConfig& config) {
  LoginConfig login = config;
  close();
  host_ = std::string(host);
  protected_ = false;
  no_epsv_ = no_eprt_ = false;
  type_ = TransferType::ascii;
  login.tls = options_.tls != nullptr;
  const core::Dialer dialer(*resolver_, dial_options(nullptr));
  auto dialled = co_await dialer.dial(host_, port);
  if (!dialled) co_return Unexpected(dial_error(dialled.error()));
  control_ = std::move(*dialled);
  const auto executor = co_await asio::this_coro::executor;
  deadline_ = std::make_unique<core::Deadline>(executor, control_->lowest_layer());
  parser_ = std::make_unique<text::CodedReplyParser>(text::ReplyDialect::Ftp);
  {
    error_code ec;
    const auto peer = control_->lowest_layer().remote_endpoint(ec);
    if (!ec) trace("* connected to " + peer.address().to_string() + " port " + std::to_string(peer.port()));
  }
  LoginSequence sequence(std::move(login));
  auto reply = co_await read_reply();
  for (;;) {
    if (!reply) co_return Unexpected(reply.error());
    LoginStep step = sequence.on_reply(*reply);
    for (;;) {
      if (std::holds_alternative<login_step::StartTls>(step)) {
        auto up = co_await start_tls();
        if (!up) co_return Unexpected(up.error());
        step = sequence.tls_ready();
        continue;
      }
      break;
    }
    if (std::holds_alternative<login_step::Done>(step)) {
      protected_ = options_.tls != nullptr;
      co_return Result<void>{};
    }
    if (auto* failed = std::get_if<login_step::Failed>(&step)) {
      const Error e = make_error(ErrorKind::reply, failed->message, failed->code);
      co_await quit();
      co_return Unexpected(e);
    }
    if (auto* send = std::get_if<login_step::Send>(&step)) {
      auto sent = co_await write_line(send->line);
      if (!sent) co_return Unexpected(sent.error());
    }
    reply = co_await read_reply();
  }
}

awaitable<Result<void>> Session::set_type(TransferType type) {
  if (type == type_) co_return Result<void>{};
  const std::string_view line = type == TransferType::binary ? "TYPE I" : "TYPE A";
  auto r = co_await require(line, ReplyClass::Completion);
  if (!r) co_return Unexpected(r.error());
  type_ = type;
  co_return Result<void>{};
}

awaitable<Result<std::optional<std::uint64_t>>> Session::size(std::string_view path) {
  const std::string line = "SIZE " + std::string(path);
  auto r = co_await command(line);
  if (!r) co_return Unexpected(r.error());
  co_return parse_size_reply(*r);
}

awaitable<Result<std::string>> Session::pwd() {
  auto r = co_await require("PWD", ReplyClass::Completion);
  if (!r) co_return Unexpected(r.error());
  auto name = parse_pwd_reply(*r);
  if (!name)
    co_return Unexpected(
        make_error(ErrorKind::protocol, "PWD's reply names no directory: " + reply_summary(*r)));
  co_return *name;
}

awaitable<Result<std::unique_ptr<Session::Data>>> Session::prepare_data() {
  if (options_.passive) co_return co_await prepare_passive();
  co_return co_await prepare_active();
}

awaitable<Result<std::unique_ptr<Session::Data>>> Session::prepare_passive() {
  error_code ec;
  const tcp::endpoint peer = control_->lowest_layer().remote_endpoint(ec);
  if (ec) co_return Unexpected(make_error(ErrorKind::closed, "the control connection is gone"));
  std::uint16_t port = 0;
  if (!no_epsv_) {
    auto r = co_await command("EPSV");
    if (!r) co_return Unexpected(r.error());
    if (r->code == 229) {
      auto p = parse_229_text(r->lines.front());
      if (!p)
        co_return Unexpected(
            make_error(ErrorKind::protocol, "cannot read EPSV's reply: " + reply_summary(*r)));
      port = *p;
    } else if (is_class(*r, ReplyClass::Permanent)) {
      no_epsv_ = true;  // RFC 2428 §3: an old server; PASV from now on
    } else {
      co_return Unexpected(reply_error(*r));
    }
  }
  if (port == 0) {
    if (!peer.address().is_v4() && !peer.address().to_v6().is_v4_mapped())
      co_return Unexpected(make_error(ErrorKind::reply, "EPSV refused and PASV cannot do IPv6"));
    auto r = co_await require("PASV", ReplyClass::Completion);
    if (!r) co_return Unexpected(r.error());
    auto hp = parse_227_text(r->lines.front());
    if (!hp)
      co_return Unexpected(make_error(ErrorKind::protocol, "cannot read PASV's reply: " + reply_summary(*r)));
    // The address in 227 is ignored for the control connection's peer, as curl does (--ftp-skip-pasv-ip):
    // a server behind NAT announces its private address, and a hostile one a third host (the bounce
    // attack in reverse).
    if (!same_host(hp->address, peer.address().to_string()))
      trace("* 227 names " + hp->address + ": connecting to " + peer.address().to_string() + " instead");
    port = hp->port;
  }
  const asio::ip::address server = peer.address();
  const core::Dialer dialer(dial_options(&server));
  const tcp::endpoint to(server, port);
  auto dialled = co_await dialer.dial(to);
  if (!dialled) co_return Unexpected(dial_error(dialled.error()));
  auto data = std::make_unique<Data>();
  data->stream = std::move(*dialled);
  co_return data;
}

awaitable<Result<std::unique_ptr<Session::Data>>> Session::prepare_active() {
  error_code ec;
  const tcp::endpoint local = control_->lowest_layer().local_endpoint(ec);
  if (ec) co_return Unexpected(make_error(ErrorKind::closed, "the control connection is gone"));
  const auto executor = co_await asio::this_coro::executor;
  auto data = std::make_unique<Data>();
  // The listener is on the control connection's local address: the one address the server is known to
  // reach us at (RFC 959 §3.2's default data port is on the same host).
  data->acceptor.emplace(executor);
  data->acceptor->open(local.protocol(), ec);
  if (!ec) data->acceptor->bind(tcp::endpoint(local.address(), 0), ec);
  if (!ec) data->acceptor->listen(1, ec);
  if (ec)
    co_return Unexpected(
        make_error(ErrorKind::connect, "cannot listen for the data connection: " + ec.message()));
  HostPort hp;
  hp.address = local.address().to_string();
  hp.port = data->acceptor->local_endpoint(ec).port();
  hp.v6 = local.address().is_v6();
  if (hp.v6 && local.address().to_v6().is_v4_mapped()) {
    hp.address = asio::ip::make_address_v4(asio::ip::v4_mapped, local.address().to_v6()).to_string();
    hp.v6 = false;
  }
  if (!no_eprt_) {
    const std::string line = "EPRT " + format_eprt_argument(hp);
    auto r = co_await command(line);
    if (!r) co_return Unexpected(r.error());
    if (is_class(*r, ReplyClass::Completion)) co_return data;
    if (!is_class(*r, ReplyClass::Permanent) || hp.v6) co_return Unexpected(reply_error(*r));
    no_eprt_ = true;  // RFC 2428 §2: not understood; PORT from now on
  }
  const std::string line = "PORT " + format_port_argument(hp);
  auto r = co_await require(line, ReplyClass::Completion);
  if (!r) co_return Unexpected(r.error());
  co_return data;
}

// The reply that opens a transfer; anything but a 1yz cancels the data connection's setup beside it.
awaitable<Result<text::CodedReply>> Session::opening_reply(Data& data) {
  auto reply = co_await read_reply();
  if (!reply || !is_class(*reply, ReplyClass::Preliminary)) {
    boost::system::error_code ignored;
    if (data.acceptor) data.acceptor->close(ignored);
    if (data.stream) data.stream->cancel();
  }
  co_return reply;
}

// Beside the 1yz: accept the active connection (from the server's address only) and put TLS over it.
awaitable<Result<void>> Session::finish_data_setup(Data& data) {
  if (data.acceptor) {
    auto accepted =
        co_await core::with_timeout(data.acceptor->async_accept(use_nothrow), options_.connect_timeout);
    if (!accepted)
      co_return Unexpected(make_error(ErrorKind::timeout, "the server did not open the data connection"));
    auto [ec, socket] = std::move(*accepted);
    if (ec)
      co_return Unexpected(make_error(ErrorKind::connect, "accepting the data connection: " + ec.message()));
    // The opening reply runs beside this and may have ended the session meanwhile.
    if (!control_) co_return Unexpected(make_error(ErrorKind::closed, "the control connection is gone"));
    error_code pec, cec;
    const auto from = socket.remote_endpoint(pec);
    const auto server = control_->lowest_layer().remote_endpoint(cec);
    // Only the server may connect to our port; anyone else is stealing the transfer (RFC 2577 §5).
    if (pec || cec || !same_host(from.address().to_string(), server.address().to_string()))
      co_return Unexpected(
          make_error(ErrorKind::connect, "the data connection came from " +
                                             (pec ? std::string("?") : from.address().to_string()) +
                                             ", not from the server"));
    data.acceptor.reset();
    data.stream = std::make_unique<core::Stream>(std::move(socket));
  }
  const auto executor = co_await asio::this_coro::executor;
  data.deadline = std::make_unique<core::Deadline>(executor, data.stream->lowest_layer());
  if (protected_) {
    if (!control_) co_return Unexpected(make_error(ErrorKind::closed, "the control connection is gone"));
    auto begun = data.stream->begin_tls_client(options_.tls->native(), host_, options_.tls->verifies());
    if (!begun) co_return Unexpected(make_error(ErrorKind::tls, begun.error()));
    // RFC 4217 §10.2 leaves it open; vsftpd (require_ssl_reuse) and others insist that the data
    // connection resume the control connection's session, proving it comes from the same client.
    if (SSL_SESSION* s = SSL_get_session(control_->native_tls()))
      SSL_set_session(data.stream->native_tls(), s);
    data.deadline->expires_after(options_.read_timeout);
    auto [ec] = co_await data.stream->async_handshake(use_nothrow);
    data.deadline->expires_never();
    if (ec)
      co_return Unexpected(
          make_error(ErrorKind::tls, "TLS on the data connection: " + core::Stream::error_text(ec)));
  }
  co_return Result<void>{};
}

awaitable<Result<std::uint64_t>> Session::transfer(std::string_view line, std::uint64_t offset,
                                                   const DataSink* sink, const DataSource* source) {
  if (!control_) co_return Unexpected(make_error(ErrorKind::closed, "not connected"));
  auto prepared = co_await prepare_data();
  if (!prepared) co_return Unexpected(prepared.error());
  std::unique_ptr<Data> data = std::move(*prepared);
  if (offset > 0) {
    // RFC 3659 §5: REST then the transfer command; 350 says the server will start there.
    const std::string rest = "REST " + std::to_string(offset);
    auto r = co_await require(rest, ReplyClass::Intermediate);
    if (!r) co_return Unexpected(r.error());
  }
  auto sent = co_await write_line(line);
  if (!sent) co_return Unexpected(sent.error());
  // The 1yz and the data connection's setup (accepting it, its TLS handshake) run side by side: servers
  // differ in their order. vsftpd sends 150 and then waits for the handshake; others finish the handshake
  // before they send 150 (curl copes with both). RFC 4217 does not say.
  using namespace asio::experimental::awaitable_operators;
  auto [first, ready] = co_await (opening_reply(*data) && finish_data_setup(*data));
  if (!first) co_return Unexpected(first.error());
  // 125/150 open the transfer (RFC 959 §5.4); a 4yz/5yz ends it before it starts (550 no such file).
  if (!is_class(*first, ReplyClass::Preliminary)) {
    if (is_class(*first, ReplyClass::Completion))
      co_return Unexpected(make_error(
          ErrorKind::protocol, "the server answered " + reply_summary(*first) + " without a transfer"));
    co_return Unexpected(reply_error(*first));
  }
  if (!ready) {
    data.reset();
    auto last = co_await read_reply();  // 425/426 most likely; the control connection stays in step
    (void)last;
    co_return Unexpected(ready.error());
  }
  std::uint64_t moved = 0;
  std::optional<Error> local_failure;
  std::optional<Error> data_failure;
  std::array<char, 64 * 1024> buf;
  core::Stream& stream = *data->stream;
  // TYPE A (RFC 959 §3.1.1.1): CRLF on the wire, the system's LF in local files and on the terminal.
  const bool ascii = type_ == TransferType::ascii;
  AsciiDecoder decoder;
  AsciiEncoder encoder;
  std::string converted;
  if (sink) {
    for (;;) {
      data->deadline->expires_after(options_.read_timeout);
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), use_nothrow);
      data->deadline->expires_never();
      if (n > 0) {
        moved += n;
        std::string_view chunk(buf.data(), n);
        if (ascii) {
          converted.clear();
          decoder.decode(chunk, converted);
          chunk = converted;
        }
        if (!chunk.empty() && !(*sink)(chunk)) {
          local_failure = make_error(ErrorKind::local, "cannot write the file");
          break;
        }
      }
      if (ec == asio::error::eof) {
        converted.clear();
        if (ascii) decoder.finish(converted);
        if (!converted.empty() && !(*sink)(converted))
          local_failure = make_error(ErrorKind::local, "cannot write the file");
        break;
      }
      if (ec) {
        data_failure = data->deadline->timed_out()
                           ? make_error(ErrorKind::timeout, "the data connection stalled")
                           : make_error(ErrorKind::closed, "the data connection failed: " + ec.message());
        break;
      }
    }
  } else {
    for (;;) {
      // In TYPE A a chunk can double (LF → CRLF): read half a buffer then.
      const std::size_t want = ascii ? buf.size() / 2 : buf.size();
      auto got = (*source)(std::span<char>(buf.data(), want));
      if (!got) {
        local_failure = make_error(ErrorKind::local, got.error());
        break;
      }
      if (*got == 0) break;
      asio::const_buffer out = asio::buffer(buf.data(), *got);
      if (ascii) {
        converted.clear();
        encoder.encode(std::string_view(buf.data(), *got), converted);
        out = asio::buffer(converted);
      }
      data->deadline->expires_after(options_.read_timeout);
      auto [ec, n] = co_await asio::async_write(stream, out, use_nothrow);
      data->deadline->expires_never();
      moved += n;
      if (ec) {
        data_failure = data->deadline->timed_out()
                           ? make_error(ErrorKind::timeout, "the data connection stalled")
                           : make_error(ErrorKind::closed, "the data connection failed: " + ec.message());
        break;
      }
    }
    // The end of the file is the end of the connection (RFC 959 §3.4, stream mode): close_notify, then
    // FIN, then wait for the server's end. Closing at once would turn bytes still unread here (a TLS 1.3
    // server's session tickets) into a RST, and the server may see the RST before the last of the file:
    // vsftpd answers 426 then.
    if (!local_failure && !data_failure) {
      stream.shutdown_send();
      for (std::uint64_t drained = 0; drained < (1u << 20);) {
        data->deadline->expires_after(options_.read_timeout);
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), use_nothrow);
        data->deadline->expires_never();
        drained += n;
        if (ec) break;
      }
    }
  }
  trace("data: " + std::to_string(moved) + " bytes");
  data.reset();
  // A local failure mid-transfer leaves the server writing into a closed connection: its 426 (or 226)
  // comes all the same, so the control connection stays in step.
  auto last = co_await read_reply();
  if (local_failure) co_return Unexpected(*local_failure);
  if (!last) co_return Unexpected(last.error());
  if (!is_class(*last, ReplyClass::Completion)) co_return Unexpected(reply_error(*last));
  if (data_failure) co_return Unexpected(*data_failure);
  co_return moved;
}

awaitable<Result<std::uint64_t>> Session::retrieve(std::string_view path, std::uint64_t offset,
                                                   const DataSink& sink) {
  const std::string line = "RETR " + std::string(path);
  co_return co_await transfer(line, offset, &sink, nullptr);
}

awaitable<Result<std::uint64_t>> Session::store(std::string_view path, bool append, std::uint64_t offset,
                                                const DataSource& source) {
  const std::string line = (append ? "APPE " : "STOR ") + std::string(path);
  co_return co_await transfer(line, offset, nullptr, &source);
}

awaitable<Result<std::uint64_t>> Session::listing(std::string_view verb, std::string_view path,
                                                  const DataSink& sink) {
  const std::string line = std::string(verb) + (path.empty() ? "" : " " + std::string(path));
  co_return co_await transfer(line, 0, &sink, nullptr);
}

awaitable<void> Session::quit() {
  if (!control_) co_return;
  auto r = co_await command("QUIT");
  (void)r;
  close();
}

}  // namespace endhost::ftp::client

// One FTP client session (RFC 959): the control connection, dialled through core::Dialer with an injected
// core::NameResolver (the lab resolves its own names), the login of login.hpp, and a new data connection
// for each transfer or listing — passive (EPSV first, RFC 2428 §3, then PASV, RFC 959 §4.1.2) or active
// (EPRT, then PORT, to a listener on the control connection's local address). With a TLS context the
// control connection is protected by AUTH TLS and every data connection by PROT P (RFC 4217), the data
// connections resuming the control connection's TLS session (servers such as vsftpd insist on that).
//
// Every read and write on either connection has a deadline (SessionOptions::read_timeout); replies are
// judged by their class (reply.hpp). Errors are values: a sentence quoting the server's reply when there is
// one ("550 No such file or directory"). The trace hook sees the conversation as the server's --trace
// prints it: `C: RETR a.txt`, `S: 150 …`, `data: 1048576 bytes`, `S: 226 …` (PASS is shown as ****).
//
// A Session lives on one event loop and runs one operation at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/asio.hpp"
#include "core/deadline.hpp"
#include "core/dialer.hpp"
#include "core/expected.hpp"
#include "core/name_resolver.hpp"
#include "core/stream.hpp"
#include "core/tls_client.hpp"
#include "ftp/client/login.hpp"
#include "ftp/client/reply.hpp"
#include "text/coded_reply_parser.hpp"

namespace endhost::ftp::client {

enum class ErrorKind {
  dns,          // the host name has no address
  connect,      // the control or a data connection could not be made
  timeout,      // a deadline passed
  closed,       // the server closed the control connection
  protocol,     // a reply that is not FTP, or a passive reply that does not parse
  reply,        // the server refused (4yz/5yz); `code` holds it
  tls,          // the TLS handshake failed
  certificate,  // the server's certificate does not verify
  local,        // a local file could not be read or written
};

struct Error {
  ErrorKind kind = ErrorKind::protocol;
  int code = 0;         // the reply code for ErrorKind::reply (and login failures)
  std::string message;  // one line for a human
};

template <class T>
using Result = Expected<T, Error>;

// Takes received data; false stops the transfer (a local write failed; the sink says why in `why`).
using DataSink = std::function<bool(std::string_view data)>;
// Fills `space` with the next bytes to upload: the count, 0 at the end, or an error sentence.
using DataSource = std::function<Expected<std::size_t, std::string>(std::span<char> space)>;
using TraceHook = std::function<void(std::string_view line)>;

struct SessionOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // each connection, name resolution included
  std::chrono::milliseconds read_timeout{60'000};  // each read or write on the control or a data connection
  bool passive = true;                             // false: active (EPRT/PORT)
  std::shared_ptr<const core::TlsClientContext> tls;  // set: AUTH TLS, PBSZ 0, PROT P
  TraceHook trace;                                    // C:/S:/data: lines; empty: none
  // Where the control and passive data connections are dialled from (the lab's host address); none: the
  // kernel's choice. The active listener is on the control connection's local address either way.
  std::optional<asio::ip::address> local_address;
};

enum class TransferType { binary, ascii };

class Session {
 public:
  Session(const core::NameResolver& resolver, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Connects, reads the greeting and logs in (with TLS first when the options have a context).
  awaitable<Result<void>> open(std::string_view host, std::uint16_t port, const LoginConfig& login);
  bool is_open() const { return control_ != nullptr; }

  // Sends one command line (no CRLF; a line holding CR or LF is refused) and reads its final reply, of any
  // class: the caller decides. Only a transport or syntax failure is an error.
  awaitable<Result<text::CodedReply>> command(std::string_view line);
  // The same, and a reply of another class than `expected` is an ErrorKind::reply error.
  awaitable<Result<text::CodedReply>> require(std::string_view line, ReplyClass expected);

  // TYPE I or A (RFC 959 §3.1.1), sent only when it changes.
  awaitable<Result<void>> set_type(TransferType type);
  TransferType type() const { return type_; }
  void set_passive(bool passive) { options_.passive = passive; }
  bool passive() const { return options_.passive; }

  // SIZE (RFC 3659 §4): the size, or none when the server does not say (502, 550 for a directory).
  awaitable<Result<std::optional<std::uint64_t>>> size(std::string_view path);
  // PWD's directory (RFC 959 §4.1.3, the quoted name of 257 with "" for a quote).
  awaitable<Result<std::string>> pwd();

  // RETR `path` from byte `offset` (REST, RFC 3659 §5) into `sink`; the byte count.
  awaitable<Result<std::uint64_t>> retrieve(std::string_view path, std::uint64_t offset,
                                            const DataSink& sink);
  // STOR (or APPE when `append`) `path` from `source`; with `offset` > 0, REST first (STOR from there).
  awaitable<Result<std::uint64_t>> store(std::string_view path, bool append, std::uint64_t offset,
                                         const DataSource& source);
  // LIST or NLST (`verb`) of `path` ("" for the current directory) into `sink`.
  awaitable<Result<std::uint64_t>> listing(std::string_view verb, std::string_view path,
                                           const DataSink& sink);

  // QUIT and close; errors are ignored (the session is over either way).
  awaitable<void> quit();
  void close();

 private:
  struct Data;  // one data connection being set up or in use
  awaitable<Result<void>> write_line(std::string_view line);
  awaitable<Result<text::CodedReply>> read_reply();
  awaitable<Result<void>> start_tls();
  awaitable<Result<std::unique_ptr<Data>>> prepare_data();
  awaitable<Result<std::unique_ptr<Data>>> prepare_passive();
  awaitable<Result<std::unique_ptr<Data>>> prepare_active();
  awaitable<Result<text::CodedReply>> opening_reply(Data& data);
  awaitable<Result<void>> finish_data_setup(Data& data);
  awaitable<Result<std::uint64_t>> transfer(std::string_view line, std::uint64_t offset, const DataSink* sink,
                                            const DataSource* source);
  void trace(std::string_view line) const {
    if (options_.trace) options_.trace(line);
  }
  Error reply_error(const text::CodedReply& reply) const;
  core::DialOptions dial_options(const asio::ip::address* to) const;

  const core::NameResolver* resolver_;
  SessionOptions options_;
  std::string host_;  // as dialled: the TLS name checks and data connections' SNI
  std::unique_ptr<core::Stream> control_;
  std::unique_ptr<core::Deadline> deadline_;  // after control_: it refers to its socket
  std::unique_ptr<text::CodedReplyParser> parser_;
  bool protected_ = false;                   // PROT P is on: data connections are TLS
  bool no_epsv_ = false;                     // EPSV was refused once: PASV from then on (as curl does)
  bool no_eprt_ = false;                     // EPRT was refused once: PORT from then on
  TransferType type_ = TransferType::ascii;  // RFC 959 §3.1.1.1: ASCII until TYPE says otherwise; converted
                                             // to and from local LF line ends (ftp/ascii.hpp)
};

}  // namespace endhost::ftp::client

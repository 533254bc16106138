#include "ftp/client/ftp_fetch.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/run_client.hpp"
#include "core/timeout.hpp"
#include "ftp/client/command_line.hpp"
#include "ftp/client/ftp_url.hpp"
#include "ftp/client/session.hpp"
#include "http/client/fetch_support.hpp"

namespace endhost::ftp::client {

namespace {

namespace fs = std::filesystem;
namespace fx = http::fetch_exit;

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(seconds));
}

// One URL's transfer, on one control connection.
class FtpTransfer {
 public:
  FtpTransfer(const http::FetchOptions& o, const FtpFetchExtras& x, std::ostream& err)
      : o_(o), x_(x), err_(err) {}
  awaitable<int> run(const std::string& text, const std::string& output);

 private:
  int fail(int code, const std::string& message) {
    if (!o_.silent || o_.show_error || o_.verbose) err_ << "endhost fetch: " << where_ << message << "\n";
    return code;
  }
  int fail(int code, const Error& e) { return fail(code, e.message); }
  // The exit code for a session error, curl's where it has one; `refused` for a refusing reply.
  int code_for(const Error& e, int refused) {
    switch (e.kind) {
      case ErrorKind::dns:
        return fx::dns;
      case ErrorKind::connect:
        return fx::connect;
      case ErrorKind::timeout:
        return fx::timeout;
      case ErrorKind::closed:
        return fx::empty;
      case ErrorKind::protocol:
        return ftp_exit::weird_reply;
      case ErrorKind::tls:
        return fx::tls;
      case ErrorKind::certificate:
        return fx::certificate;
      case ErrorKind::local:
        return fx::write;
      case ErrorKind::reply:
        return refused;
    }
    return fx::failed;
  }
  awaitable<int> download(Session& s, const FtpUrl& url, const std::string& output);
  awaitable<int> upload(Session& s, const FtpUrl& url);

  const http::FetchOptions& o_;
  const FtpFetchExtras& x_;
  std::ostream& err_;
  std::string where_;  // "ftp://h/x: "
};

awaitable<int> FtpTransfer::run(const std::string& text, const std::string& output) {
  where_ = text + ": ";
  auto parsed = parse_ftp_url(text);
  if (!parsed) {
    where_.clear();
    co_return fail(fx::bad_url, parsed.error());
  }
  const FtpUrl url = *parsed;
  where_ = url.display() + ": ";
  LoginConfig login;
  if (url.user) {
    login.user = *url.user;
    login.password = url.password.value_or("");
  } else if (!o_.user.empty()) {
    const auto colon = o_.user.find(':');
    login.user = o_.user.substr(0, colon);
    login.password = colon == std::string::npos ? "" : o_.user.substr(colon + 1);
  }
  SessionOptions so;
  so.connect_timeout = to_ms(o_.connect_timeout);
  so.read_timeout = std::chrono::minutes(5);
  so.passive = !x_.active;
  if (x_.tls) {
    auto tls = core::TlsClientContext::make(core::TlsClientOptions{o_.insecure, o_.cacert});
    if (!tls) co_return fail(fx::cacert, tls.error());
    so.tls = std::move(*tls);
  }
  std::ostream* err = &err_;
  if (o_.verbose) so.trace = [err](std::string_view line) { *err << line << "\n" << std::flush; };
  const core::SystemNameResolver system;
  const core::NameResolver& resolver = o_.resolver ? *o_.resolver : system;
  Session session(resolver, so);
  auto opened = co_await session.open(url.host, url.port, login);
  if (!opened) {
    const bool refused = opened.error().kind == ErrorKind::reply;
    co_return fail(code_for(opened.error(), refused ? ftp_exit::login : fx::failed), opened.error());
  }
  // RFC 1738 §3.2.2: one CWD per segment, from the login directory.
  for (const std::string& dir : url.dirs) {
    const std::string line = "CWD " + dir;
    auto r = co_await session.require(line, ReplyClass::Completion);
    if (!r) {
      co_await session.quit();
      co_return fail(code_for(r.error(), ftp_exit::access_denied), r.error());
    }
  }
  // Listings are text (curl lists in TYPE A too); files are bytes unless ;type=a asks for text.
  const bool textual = url.type == 'a' || url.type == 'd' || (url.is_directory() && x_.upload.empty());
  const TransferType type = textual ? TransferType::ascii : TransferType::binary;
  auto typed = co_await session.set_type(type);
  if (!typed) co_return fail(code_for(typed.error(), fx::failed), typed.error());
  int code = 0;
  if (!x_.upload.empty())
    code = co_await upload(session, url);
  else
    code = co_await download(session, url, output);
  co_await session.quit();
  co_return code;
}

awaitable<int> FtpTransfer::download(Session& s, const FtpUrl& url, const std::string& output) {
  std::string path = output;
  if (o_.remote_name) {
    if (url.file.empty()) co_return fail(fx::write, "-O: the URL has no file name (use -o FILE)");
    path = url.file;
  }
  std::uint64_t offset = 0;
  if (o_.resume) {
    if (path.empty()) co_return fail(fx::failed, "-C - needs an output file (-o or -O)");
    std::error_code ec;
    if (fs::exists(path, ec)) offset = fs::file_size(path, ec);
  }
  std::optional<std::uint64_t> total;
  if (!url.is_directory() && url.type != 'd') {
    auto sized = co_await s.size(url.file);
    if (!sized) co_return fail(code_for(sized.error(), fx::failed), sized.error());
    total = *sized;
    if (offset > 0 && total && offset >= *total) {
      // Nothing left to fetch (curl says the same and exits 0 when the sizes match).
      if (offset > *total) co_return fail(36, "the local file is larger than the remote one");
      if (o_.verbose) err_ << "* the file is already complete\n";
      co_return fx::ok;
    }
  }
  std::FILE* file = stdout;
  if (!path.empty()) {
    file = std::fopen(path.c_str(), offset > 0 ? "ab" : "wb");
    if (!file) co_return fail(fx::write, "cannot write " + path + ": " + std::strerror(errno));
  }
  http::ProgressMeter progress;
  progress.start(total ? std::optional<std::uint64_t>(*total - offset) : std::nullopt,
                 !o_.silent && !o_.verbose && ::isatty(2) && (!path.empty() || !::isatty(1)));
  bool write_failed = false;
  const DataSink sink = [file, &progress, &write_failed](std::string_view data) {
    progress.add(data.size());
    if (std::fwrite(data.data(), 1, data.size(), file) != data.size()) write_failed = true;
    return !write_failed;
  };
  Result<std::uint64_t> got = std::uint64_t{0};
  if (url.is_directory() || url.type == 'd') {
    // ;type=d asks for names only (NLST, RFC 1738 §3.2.2), a directory URL for the full listing.
    const std::string_view verb = url.type == 'd' ? "NLST" : "LIST";
    got = co_await s.listing(verb, url.file, sink);
  } else {
    got = co_await s.retrieve(url.file, offset, sink);
  }
  progress.finish();
  const bool closed = path.empty() ? std::fflush(file) == 0 : std::fclose(file) == 0;
  if (write_failed || !closed)
    co_return fail(fx::write, "cannot write " + (path.empty() ? "the output" : path));
  if (!got) {
    const int refused = got.error().code == 550 ? ftp_exit::not_found : ftp_exit::transfer;
    co_return fail(code_for(got.error(), refused), got.error());
  }
  if (total && *got + offset != *total && url.type != 'a')
    co_return fail(fx::partial,
                   std::to_string(*got + offset) + " of " + std::to_string(*total) + " bytes arrived");
  co_return fx::ok;
}

awaitable<int> FtpTransfer::upload(Session& s, const FtpUrl& url) {
  const std::string name = url.file.empty() ? base_name(x_.upload) : url.file;
  std::FILE* file = std::fopen(x_.upload.c_str(), "rb");
  if (!file) co_return fail(ftp_exit::read_file, "cannot read " + x_.upload + ": " + std::strerror(errno));
  std::uint64_t offset = 0;
  if (o_.resume) {
    // curl's -C - for uploads: the server's size is where to go on from, then APPE.
    auto sized = co_await s.size(name);
    if (!sized) {
      std::fclose(file);
      co_return fail(code_for(sized.error(), fx::failed), sized.error());
    }
    offset = sized->value_or(0);
    if (offset > 0 && ::fseeko(file, static_cast<off_t>(offset), SEEK_SET) != 0) {
      std::fclose(file);
      co_return fail(ftp_exit::read_file, "cannot seek in " + x_.upload);
    }
  }
  std::error_code ec;
  const auto local_size = fs::file_size(x_.upload, ec);
  http::ProgressMeter progress;
  progress.start(ec || local_size < offset ? std::nullopt : std::optional<std::uint64_t>(local_size - offset),
                 !o_.silent && !o_.verbose && ::isatty(2));
  // GCC 12 (docs/internals/core.md): the lambdas of a coroutine capture named locals, not its parameters.
  const std::string upload_path = x_.upload;
  const DataSource source = [file, &progress,
                             &upload_path](std::span<char> space) -> Expected<std::size_t, std::string> {
    const std::size_t n = std::fread(space.data(), 1, space.size(), file);
    if (n == 0 && std::ferror(file))
      return Unexpected("cannot read " + upload_path + ": " + std::strerror(errno));
    progress.add(n);
    return n;
  };
  auto sent = co_await s.store(name, offset > 0, 0, source);
  progress.finish();
  std::fclose(file);
  if (!sent) {
    const int code = sent.error().kind == ErrorKind::local ? ftp_exit::read_file
                                                           : code_for(sent.error(), ftp_exit::upload);
    co_return fail(code, sent.error());
  }
  co_return fx::ok;
}

}  // namespace

int run_ftp_fetch(const http::FetchOptions& options, const FtpFetchExtras& extras, std::ostream& out,
                  std::ostream& err) {
  (void)out;
  const std::vector<std::string> urls =
      options.urls.empty() ? std::vector<std::string>{options.url} : options.urls;
  return core::run_client(
      [&]() -> awaitable<int> {
        int code = fx::ok;
        for (std::size_t i = 0; i < urls.size(); ++i) {
          const std::string output = i < options.outputs.size() ? options.outputs[i] : std::string();
          FtpTransfer transfer(options, extras, err);
          int result = fx::ok;
          if (options.max_time > 0) {
            auto r = co_await core::with_timeout(transfer.run(urls[i], output), to_ms(options.max_time));
            if (!r) {
              if (!options.silent || options.show_error)
                err << "endhost fetch: the whole operation took longer than --max-time\n";
              result = fx::timeout;
            } else {
              result = *r;
            }
          } else {
            result = co_await transfer.run(urls[i], output);
          }
          if (result != fx::ok) code = result;
        }
        co_return code;
      },
      err, "endhost fetch");
}

}  // namespace endhost::ftp::client

#include "ftp/client/interactive.hpp"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <vector>

#include "core/run_client.hpp"
#include "ftp/client/command_line.hpp"
#include "ftp/client/session.hpp"

namespace endhost::ftp::client {

namespace {

using Words = std::vector<std::string>;

// Local file names matching `pattern` (glob(3)), sorted; none when nothing matches.
std::vector<std::string> local_glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0)
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  return out;
}

const char* kHelp =
    "ls [DIR]  dir [DIR]  cd DIR  cdup  pwd  get REMOTE [LOCAL]  put LOCAL [REMOTE]  mget PATTERN...\n"
    "mput PATTERN...  rename FROM TO  delete FILE  mkdir DIR  rmdir DIR  size FILE  passive  active\n"
    "binary  ascii  quote LINE  help  quit\n";

class Interactive {
 public:
  Interactive(const InteractiveOptions& o, std::istream& in, std::ostream& out, std::ostream& err,
              const core::NameResolver& resolver)
      : o_(o), in_(in), out_(out), err_(err), session_(resolver, session_options()) {}

  awaitable<int> run();

 private:
  SessionOptions session_options() {
    SessionOptions so;
    so.connect_timeout = o_.connect_timeout;
    so.read_timeout = o_.read_timeout;
    so.passive = o_.passive;
    so.tls = o_.tls;
    if (o_.trace) so.trace = [this](std::string_view line) { out_ << line << "\n" << std::flush; };
    return so;
  }
  bool scripted() const { return o_.commands.has_value(); }
  // A failure of `what`: one line on stderr.
  bool failed(const std::string& what, const std::string& why) {
    err_ << "endhost ftp: " << what << ": " << why << "\n" << std::flush;
    return false;
  }
  // ftp(1) prints the server's answer in interactive mode; a script shows only what it asked for.
  void show(const text::CodedReply& r) {
    if (!scripted() && !o_.trace) out_ << reply_summary(r) << "\n" << std::flush;
  }
  awaitable<bool> execute(const std::string& line);
  awaitable<bool> simple(const std::string& what, const std::string& command);
  awaitable<bool> get(const std::string& remote, const std::string& local);
  awaitable<bool> put(const std::string& local, const std::string& remote);
  awaitable<bool> list(std::string_view verb, const std::string& path, std::vector<std::string>* names);

  const InteractiveOptions& o_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  Session session_;
  bool quit_ = false;
};

awaitable<bool> Interactive::simple(const std::string& what, const std::string& command) {
  auto r = co_await session_.command(command);
  if (!r) co_return failed(what, r.error().message);
  if (!is_class(*r, ReplyClass::Completion)) co_return failed(what, reply_summary(*r));
  show(*r);
  co_return true;
}

awaitable<bool> Interactive::get(const std::string& remote, const std::string& local) {
  std::FILE* file = std::fopen(local.c_str(), "wb");
  if (!file) co_return failed("get " + remote, "cannot write " + local + ": " + std::strerror(errno));
  bool write_failed = false;
  const DataSink sink = [file, &write_failed](std::string_view data) {
    write_failed = std::fwrite(data.data(), 1, data.size(), file) != data.size();
    return !write_failed;
  };
  auto got = co_await session_.retrieve(remote, 0, sink);
  const bool closed = std::fclose(file) == 0;
  if (!got) {
    std::remove(local.c_str());  // no half file under the name asked for
    co_return failed("get " + remote, got.error().message);
  }
  if (write_failed || !closed) co_return failed("get " + remote, "cannot write " + local);
  if (!scripted() && !o_.trace) out_ << remote << ": " << *got << " bytes\n" << std::flush;
  co_return true;
}

awaitable<bool> Interactive::put(const std::string& local, const std::string& remote) {
  std::FILE* file = std::fopen(local.c_str(), "rb");
  if (!file) co_return failed("put " + local, "cannot read " + local + ": " + std::strerror(errno));
  // GCC 12 (docs/internals/core.md): the lambdas of a coroutine capture named locals, not its parameters.
  const std::string name = local;
  const DataSource source = [file, &name](std::span<char> space) -> Expected<std::size_t, std::string> {
    const std::size_t n = std::fread(space.data(), 1, space.size(), file);
    if (n == 0 && std::ferror(file)) return Unexpected("cannot read " + name + ": " + std::strerror(errno));
    return n;
  };
  auto sent = co_await session_.store(remote, false, 0, source);
  std::fclose(file);
  if (!sent) co_return failed("put " + local, sent.error().message);
  if (!scripted() && !o_.trace) out_ << local << ": " << *sent << " bytes\n" << std::flush;
  co_return true;
}

// LIST/NLST to stdout, or with `names` the NLST lines collected (for mget).
awaitable<bool> Interactive::list(std::string_view verb, const std::string& path,
                                  std::vector<std::string>* names) {
  std::string text;
  const bool collect = names != nullptr;
  std::ostream* out = &out_;
  const DataSink sink = [&text, collect, out](std::string_view data) {
    if (collect) {
      if (text.size() + data.size() > (16u << 20)) return false;  // a listing bigger than this is not names
      text.append(data);
    } else {
      out->write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    return true;
  };
  auto got = co_await session_.listing(verb, path, sink);
  out_ << std::flush;
  if (!got) co_return failed(std::string(verb == "NLST" ? "ls" : "dir"), got.error().message);
  if (names) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) names->push_back(line);
    }
  }
  co_return true;
}

awaitable<bool> Interactive::execute(const std::string& line) {
  auto split = split_words(line);
  if (!split) co_return failed("command", split.error());
  const Words w = std::move(*split);
  if (w.empty()) co_return true;
  const std::string& verb = w[0];
  const auto need = [&](std::size_t lo, std::size_t hi, const char* usage) {
    if (w.size() - 1 >= lo && w.size() - 1 <= hi) return true;
    err_ << "endhost ftp: usage: " << usage << "\n";
    return false;
  };
  if (verb == "quit" || verb == "bye" || verb == "exit") {
    quit_ = true;
    co_return true;
  }
  if (verb == "help" || verb == "?") {
    out_ << kHelp << std::flush;
    co_return true;
  }
  if (verb == "passive" || verb == "active") {
    session_.set_passive(verb == "passive");
    if (!scripted()) out_ << (verb == "passive" ? "Passive mode on.\n" : "Active mode on.\n") << std::flush;
    co_return true;
  }
  if (verb == "binary" || verb == "ascii" || verb == "image") {
    const TransferType type = verb == "ascii" ? TransferType::ascii : TransferType::binary;
    auto r = co_await session_.set_type(type);
    if (!r) co_return failed(verb, r.error().message);
    co_return true;
  }
  if (verb == "ls" || verb == "dir") {
    if (!need(0, 1, "ls [DIR]")) co_return false;
    const std::string path = w.size() > 1 ? w[1] : "";
    const std::string_view list_verb = verb == "ls" ? "NLST" : "LIST";
    co_return co_await list(list_verb, path, nullptr);
  }
  if (verb == "cd") {
    if (!need(1, 1, "cd DIR")) co_return false;
    const std::string what = "cd " + w[1], command = "CWD " + w[1];
    co_return co_await simple(what, command);
  }
  if (verb == "cdup") {
    const std::string what = "cdup", command = "CDUP";
    co_return co_await simple(what, command);
  }
  if (verb == "pwd") {
    auto r = co_await session_.pwd();
    if (!r) co_return failed("pwd", r.error().message);
    out_ << *r << "\n" << std::flush;
    co_return true;
  }
  if (verb == "get" || verb == "recv") {
    if (!need(1, 2, "get REMOTE [LOCAL]")) co_return false;
    const std::string local = w.size() > 2 ? w[2] : base_name(w[1]);
    co_return co_await get(w[1], local);
  }
  if (verb == "put" || verb == "send") {
    if (!need(1, 2, "put LOCAL [REMOTE]")) co_return false;
    const std::string remote = w.size() > 2 ? w[2] : base_name(w[1]);
    co_return co_await put(w[1], remote);
  }
  if (verb == "mget") {
    if (!need(1, 64, "mget PATTERN...")) co_return false;
    bool ok = true;
    for (std::size_t i = 1; i < w.size(); ++i) {
      // NLST of the pattern's directory, matched here: servers differ in the globbing they do themselves.
      const std::string& pattern = w[i];
      const auto slash = pattern.rfind('/');
      const std::string dir = slash == std::string::npos ? "" : pattern.substr(0, slash + 1);
      const std::string name_pattern = slash == std::string::npos ? pattern : pattern.substr(slash + 1);
      std::vector<std::string> names;
      const bool listed = co_await list("NLST", dir, &names);
      if (!listed) {
        ok = false;
        continue;
      }
      std::vector<std::string> matched;
      for (const auto& n : names) {
        const std::string base = base_name(n);
        if (has_glob(name_pattern) ? glob_match(name_pattern, base) : base == name_pattern)
          matched.push_back(dir + base);
      }
      if (matched.empty()) {
        ok = failed("mget " + pattern, "no remote file matches");
        continue;
      }
      for (const auto& remote : matched) {
        const std::string local = base_name(remote);
        const bool got = co_await get(remote, local);
        ok = ok && got;
      }
    }
    co_return ok;
  }
  if (verb == "mput") {
    if (!need(1, 64, "mput PATTERN...")) co_return false;
    bool ok = true;
    for (std::size_t i = 1; i < w.size(); ++i) {
      std::vector<std::string> files = has_glob(w[i]) ? local_glob(w[i]) : std::vector<std::string>{w[i]};
      if (files.empty()) {
        ok = failed("mput " + w[i], "no local file matches");
        continue;
      }
      for (const auto& local : files) {
        const std::string remote = base_name(local);
        const bool sent = co_await put(local, remote);
        ok = ok && sent;
      }
    }
    co_return ok;
  }
  if (verb == "rename") {
    if (!need(2, 2, "rename FROM TO")) co_return false;
    // RFC 959 §4.1.3: RNFR's 350 asks for RNTO.
    const std::string from = "RNFR " + w[1];
    auto r = co_await session_.command(from);
    if (!r) co_return failed("rename", r.error().message);
    if (!is_class(*r, ReplyClass::Intermediate)) co_return failed("rename " + w[1], reply_summary(*r));
    const std::string what = "rename " + w[1], command = "RNTO " + w[2];
    co_return co_await simple(what, command);
  }
  if (verb == "delete" || verb == "rm") {
    if (!need(1, 1, "delete FILE")) co_return false;
    const std::string what = "delete " + w[1], command = "DELE " + w[1];
    co_return co_await simple(what, command);
  }
  if (verb == "mkdir") {
    if (!need(1, 1, "mkdir DIR")) co_return false;
    const std::string what = "mkdir " + w[1], command = "MKD " + w[1];
    co_return co_await simple(what, command);
  }
  if (verb == "rmdir") {
    if (!need(1, 1, "rmdir DIR")) co_return false;
    const std::string what = "rmdir " + w[1], command = "RMD " + w[1];
    co_return co_await simple(what, command);
  }
  if (verb == "size") {
    if (!need(1, 1, "size FILE")) co_return false;
    auto r = co_await session_.size(w[1]);
    if (!r) co_return failed("size " + w[1], r.error().message);
    if (!*r) co_return failed("size " + w[1], "the server does not say");
    out_ << **r << "\n" << std::flush;
    co_return true;
  }
  if (verb == "quote") {
    if (w.size() < 2) co_return need(1, 1, "quote LINE");
    const auto at = line.find(w[1]);
    const std::string raw = line.substr(at == std::string::npos ? 0 : at);
    auto r = co_await session_.command(raw);
    if (!r) co_return failed("quote", r.error().message);
    if (!o_.trace) out_ << reply_summary(*r) << "\n" << std::flush;
    co_return reply_class(r->code) <= ReplyClass::Intermediate;
  }
  co_return failed(verb, "unknown command (try help)");
}

awaitable<int> Interactive::run() {
  LoginConfig login;
  if (o_.user) {
    login.user = *o_.user;
    login.password = o_.password;
  }
  auto opened = co_await session_.open(o_.host, o_.port, login);
  if (!opened) {
    err_ << "endhost ftp: " << o_.host << ": " << opened.error().message << "\n";
    co_return 1;
  }
  // Binary by default, as ftp(1) between Unix systems: files arrive byte for byte ('ascii' switches).
  auto typed = co_await session_.set_type(TransferType::binary);
  if (!typed) {
    err_ << "endhost ftp: " << o_.host << ": " << typed.error().message << "\n";
    co_return 1;
  }
  if (!scripted() && !o_.trace)
    out_ << "Connected to " << o_.host << ", logged in as " << login.user << ".\n";
  int status = 0;
  if (scripted()) {
    auto commands = split_script(*o_.commands);
    if (!commands) {
      err_ << "endhost ftp: " << commands.error() << "\n";
      co_await session_.quit();
      co_return 2;
    }
    for (const std::string& c : *commands) {
      const bool ok = co_await execute(c);
      if (!ok) {
        status = 1;
        break;
      }
      if (quit_ || !session_.is_open()) break;
    }
  } else {
    const bool prompt = ::isatty(0);
    std::string line;
    for (;;) {
      if (prompt) out_ << "ftp> " << std::flush;
      if (!std::getline(in_, line)) break;
      const bool ok = co_await execute(line);
      if (!ok && !session_.is_open()) {
        err_ << "endhost ftp: the connection is gone\n";
        status = 1;
        break;
      }
      if (quit_) break;
    }
  }
  co_await session_.quit();
  co_return status;
}

}  // namespace

int run_interactive(const InteractiveOptions& options, std::istream& in, std::ostream& out,
                    std::ostream& err) {
  const core::SystemNameResolver system;
  const core::NameResolver& resolver = options.resolver ? *options.resolver : system;
  return core::run_client(
      [&]() -> awaitable<int> {
        Interactive client(options, in, out, err, resolver);
        co_return co_await client.run();
      },
      err, "endhost ftp");
}

}  // namespace endhost::ftp::client

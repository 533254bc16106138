// What the FTP client reads from others, from arbitrary bytes: a server's replies (parsed in FTP mode, fed
// to the login sequence with and without TLS, and to the SIZE and PWD readers) and the same bytes as an
// ftp:// URL. Checks: no command the client would send holds CR, LF or NUL (command injection), a login
// ends (Done or Failed) within as many replies as were sent, and a parsed URL holds no line break either.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ftp/client/ftp_url.hpp"
#include "ftp/client/login.hpp"
#include "ftp/client/reply.hpp"

using namespace endhost::ftp::client;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool clean(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == s.npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  if (auto url = parse_ftp_url(s)) {
    check(url->user ? clean(*url->user) : true);
    check(url->password ? clean(*url->password) : true);
    check(clean(url->file));
    for (const auto& d : url->dirs) check(clean(d) && !d.empty());
    check(url->port != 0);
  }
  endhost::text::CodedReplyParser parser(endhost::text::ReplyDialect::Ftp);
  LoginSequence plain(LoginConfig{"user", "pass", false});
  LoginSequence tls(LoginConfig{"user", "pass", true});
  bool plain_over = false, tls_over = false;
  std::string_view rest = s;
  while (!rest.empty()) {
    const std::size_t n = parser.feed(rest.substr(0, parser.room()));
    rest.remove_prefix(n);
    for (;;) {
      auto next = parser.next();
      if (!next) return 0;  // out of step: the client closes
      if (!*next) break;
      const auto& reply = **next;
      (void)parse_size_reply(reply);
      if (auto name = parse_pwd_reply(reply)) check(name->find('\0') == std::string::npos);
      for (auto* login : {&plain, &tls}) {
        bool& over = login == &plain ? plain_over : tls_over;
        if (over) continue;
        LoginStep step = login->on_reply(reply);
        if (std::holds_alternative<login_step::StartTls>(step)) step = login->tls_ready();
        if (const auto* send = std::get_if<login_step::Send>(&step)) check(clean(send->line));
        over = std::holds_alternative<login_step::Done>(step) ||
               std::holds_alternative<login_step::Failed>(step);
      }
    }
    if (n == 0) break;
  }
  return 0;
}

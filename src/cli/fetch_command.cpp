// `endhost fetch URL`: a curl-like HTTP and FTP client (ftp:// URLs: ftp/client/ftp_fetch.hpp), and `endhost
// fetch --page URL --mode …`, the textbook's persistent/non-persistent/parallel comparison.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/password_prompt.hpp"
#include "cli/resolver_option.hpp"
#include "ftp/client/ftp_fetch.hpp"
#include "ftp/client/ftp_url.hpp"
#include "http/client/fetch.hpp"

namespace endhost::cli {

namespace {

// -w @FILE reads the format from a file (@- from standard input), as curl does.
std::string write_out_format(const std::string& value) {
  if (value.empty() || value.front() != '@') return value;
  const std::string path = value.substr(1);
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("-w " + value + ": cannot read " + path + ": " + std::strerror(errno));
    text << in.rdbuf();
  }
  return text.str();
}

}  // namespace

void add_fetch_commands(CLI::App& root, RunFn& run) {
  auto o = std::make_shared<http::FetchOptions>();
  auto page_url = std::make_shared<std::string>();
  auto dns_server = std::make_shared<std::string>();
  auto write_out = std::make_shared<std::string>();
  auto resolve = std::make_shared<std::vector<std::string>>();
  auto ftp = std::make_shared<ftp::client::FtpFetchExtras>();
  auto* cmd = root.add_subcommand(
      "fetch", "HTTP and FTP client like curl: options, cookie jar, local cache, --page timing");
  cmd->add_option("url", o->urls,
                  "The URLs to fetch, in order over the same connections (http://, https:// or ftp://; "
                  "without a scheme, http://)");
  cmd->add_option("-o,--output", o->outputs,
                  "Write the body to FILE instead of standard output; one per URL, in order")
      ->allow_extra_args(false);
  cmd->add_flag("-O,--remote-name", o->remote_name,
                "Write the body to a file named like the URL's last segment");
  cmd->add_flag("-I,--head", o->head, "Send HEAD and print the response head");
  cmd->add_flag("-i,--include", o->include, "Print the response head before the body");
  cmd->add_option("-X,--request", o->method, "Request method (default GET, or POST with -d)");
  // One value per occurrence (curl's way), so `-d a=1 URL` does not swallow the URL.
  cmd->add_option("-H,--header", o->headers,
                  "Extra header 'Name: value' ('Name:' removes a default); repeatable")
      ->allow_extra_args(false);
  cmd->add_option("-d,--data", o->data, "POST this body (form-encoded; @FILE reads a file); repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--data-binary", o->data_binary, "POST this body as is (@FILE reads a file)")
      ->allow_extra_args(false);
  cmd->add_option("-u,--user", o->user, "Basic authentication, user:password");
  cmd->add_flag("-L,--location", o->follow, "Follow redirects");
  cmd->add_option("--max-redirs", o->max_redirs, "Most redirects followed with -L")->capture_default_str();
  cmd->add_option(
      "-x,--proxy", o->proxy,
      "Use this HTTP proxy, also with --page (default: http_proxy, or https_proxy for https://, from the "
      "environment; '' for none). https:// goes through it with CONNECT, TLS end to end");
  cmd->add_option("--noproxy", o->no_proxy, "Hosts to reach directly, comma-separated (like no_proxy)");
  cmd->add_flag("-k,--insecure", o->insecure, "https: do not verify the server's certificate or name");
  cmd->add_option("--cacert", o->cacert,
                  "https: trust the CA certificates in this PEM file instead of the system's");
  cmd->add_option(
         "-C,--continue-at",
         [o](const std::vector<std::string>& v) {
           if (v.size() != 1 || v.front() != "-")
             throw UsageError("-C takes '-' (resume where the output file ends)");
           o->resume = true;
           return true;
         },
         "'-': resume a download where the output file ends (Range request)")
      ->type_name("-");
  cmd->add_flag("--compressed", o->compressed, "Ask for gzip, deflate, br or zstd and decode the body");
  cmd->add_flag("--http2", o->http2,
                "HTTP/2 for https:// when the server agrees by ALPN, else HTTP/1.1 (-v shows the frames)");
  cmd->add_flag("--http2-prior-knowledge", o->http2_prior_knowledge,
                "HTTP/2 without asking, also in clear for http:// (h2c)");
  cmd->add_flag("-v,--verbose", o->verbose, "Show the request and response heads (C: / S: lines) on stderr");
  cmd->add_flag("-s,--silent", o->silent, "No progress meter and no error messages");
  cmd->add_flag("-S,--show-error", o->show_error, "With -s: still print error messages");
  cmd->add_flag("-f,--fail", o->fail,
                "HTTP status 400 or more: write no body and exit 22 (without it such a reply exits 0)");
  cmd->add_flag("--fail-with-body", o->fail_with_body, "HTTP status 400 or more: write the body, exit 22");
  cmd->add_option("-w,--write-out", *write_out,
                  "Print FORMAT on stdout after each transfer (@FILE reads it from a file): %{http_code}, "
                  "%{time_total}, %{time_connect}, %{time_starttransfer}, %{size_download}, %{num_connects}, "
                  "%{url_effective}; \\n for a newline")
      ->type_name("FORMAT");
  cmd->add_option("-D,--dump-header", o->dump_header,
                  "Write each response head received to FILE ('-': standard output)")
      ->type_name("FILE");
  cmd->add_option("--resolve", *resolve,
                  "Connect to HOST:PORT at ADDR instead of resolving HOST (curl's --resolve); repeatable")
      ->type_name("HOST:PORT:ADDR")
      ->allow_extra_args(false);
  cmd->add_option("-b,--cookie", o->cookie_in,
                  "Send cookies from this Netscape cookie file (or 'name=value')");
  cmd->add_option("-c,--cookie-jar", o->cookie_out,
                  "Save the cookies to this file afterwards, whatever the outcome (curl's format)");
  cmd->add_option("--cache", o->cache_dir,
                  "Keep responses in this cache directory; repeat fetches revalidate");
  cmd->add_option("--dns-servers", *dns_server, kDnsServersHelp)->type_name("ADDR[:PORT]");
  cmd->add_option("--connect-timeout", o->connect_timeout, "Seconds to connect")->capture_default_str();
  cmd->add_option("-m,--max-time", o->max_time, "Seconds the whole operation may take (0: no limit)")
      ->capture_default_str();
  cmd->add_option("-A,--user-agent", o->user_agent, "User-Agent to send")->capture_default_str();
  cmd->add_option("-T,--upload-file", ftp->upload,
                  "ftp://: upload FILE to the URL (a URL ending in '/' gets the file's name); with -C -, "
                  "append what the server lacks (SIZE, then APPE)")
      ->type_name("FILE");
  cmd->add_flag_callback(
      "--ftp-pasv", [ftp] { ftp->active = false; },
      "ftp://: passive data connections, EPSV then PASV (the default)");
  cmd->add_flag("--ftp-port", ftp->active,
                "ftp://: active data connections, EPRT then PORT, to a port on the control connection's "
                "local address");
  cmd->add_option(
         "-P",
         [ftp](const std::vector<std::string>& v) {
           if (v.size() != 1 || v.front() != "-")
             throw UsageError("-P takes '-' (the control connection's address), like --ftp-port");
           ftp->active = true;
           return true;
         },
         "ftp://: '-': the same as --ftp-port")
      ->type_name("-");
  cmd->add_flag("--ftp-ssl,--ssl-reqd", ftp->tls,
                "ftp://: AUTH TLS on the control connection and PROT P on the data connections (RFC 4217); "
                "fails rather than go on in the clear");
  cmd->add_option("--page", *page_url,
                  "Fetch a page and the objects it references on the same server, and report connections, "
                  "requests and time");
  cmd->add_option("--mode", o->mode,
                  "With --page: non-persistent, persistent, parallel=N or h2 (one HTTP/2 connection, a "
                  "stream per object)")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "With --page: the report as JSON");
  cmd->footer(
      "Exit status: 0 ok (also for an HTTP error status without -f), 3 bad URL, 6 host not found, 7 cannot\n"
      "connect, 8 bad HTTP reply, 18 body cut short, 22 HTTP status 400 or more with -f or "
      "--fail-with-body,\n"
      "23 cannot write, 28 timeout, 47 too many redirects, 35 TLS handshake failed, 52 empty reply, 60\n"
      "certificate does not verify, 77 unreadable --cacert file, 1 other errors. With several URLs: the\n"
      "last failure's. ftp:// also: 9 CWD refused, 19 RETR failed, 25 upload refused, 26 cannot read the -T\n"
      "file, 67 login refused, 78 no such remote file.\n"
      "Examples:\n"
      "  endhost fetch http://127.0.0.1:8080/ -v\n"
      "  endhost fetch -s -o /dev/null -w '%{http_code} %{time_total}\\n' 127.0.0.1:8080/ 127.0.0.1:8080/a\n"
      "  endhost fetch --resolve www.lab:80:127.20.0.10 http://www.lab/\n"
      "  endhost fetch -L -o page.html -c jar.txt -b jar.txt http://127.0.0.1:8080/login\n"
      "  endhost fetch -x http://127.0.0.1:3128 http://example.test/\n"
      "  endhost fetch --cacert ca.pem -v https://localhost:8443/\n"
      "  endhost fetch --page http://127.0.0.1:8080/index.html --mode parallel=5 --json\n"
      "  endhost fetch -o a.txt ftp://127.0.0.1:2121/pub/a.txt\n"
      "  endhost fetch -T report.pdf ftp://alice:secret@127.0.0.1:2121/incoming/");
  cmd->callback([o, page_url, dns_server, write_out, resolve, ftp, &run] {
    if (!page_url->empty()) {
      if (o->urls.size() > 1 || (!o->urls.empty() && o->urls.front() != *page_url))
        throw UsageError("give the URL once: either --page URL or URL");
      o->urls = {*page_url};
      o->page = true;
    }
    if (o->urls.empty()) throw UsageError("no URL given (endhost fetch http://host/path)");
    o->url = o->urls.front();
    if (o->outputs.size() > o->urls.size())
      throw UsageError("more -o files (" + std::to_string(o->outputs.size()) + ") than URLs (" +
                       std::to_string(o->urls.size()) + ")");
    if (!o->outputs.empty()) o->output = o->outputs.front();
    for (const auto& r : *resolve) {
      auto pin = http::parse_pinned_address(r);
      if (!pin) throw UsageError(pin.error());
      o->pinned.push_back(std::move(*pin));
    }
    o->write_out = write_out_format(*write_out);
    if (o->max_redirs < 0) throw UsageError("--max-redirs must be 0 or more");
    if (!(o->connect_timeout > 0)) throw UsageError("--connect-timeout must be a positive number of seconds");
    if (o->max_time < 0) throw UsageError("--max-time must be 0 (no limit) or more");
    o->resolver = make_name_resolver(*dns_server);
    std::size_t ftp_urls = 0;
    for (const auto& u : o->urls) ftp_urls += ftp::client::is_ftp_url(u) ? 1 : 0;
    if (ftp_urls > 0) {
      if (ftp_urls != o->urls.size())
        throw UsageError("give either ftp:// URLs or http(s):// URLs, not both");
      if (o->page) throw UsageError("--page is for http:// URLs");
      if (!ftp->upload.empty() && o->urls.size() != 1) throw UsageError("-T uploads to one URL");
      run = [o, ftp] {
        if (!o->user.empty() && o->user.find(':') == std::string::npos)
          o->user += ":" + read_password("Enter host password for user '" + o->user + "':");
        return ftp::client::run_ftp_fetch(*o, *ftp, std::cout, std::cerr);
      };
      return;
    }
    if (!ftp->upload.empty() || ftp->active || ftp->tls)
      throw UsageError("-T, --ftp-port and --ftp-ssl are for ftp:// URLs");
    run = [o] {
      // -u user without ':password': asked for now, as curl does, without echo on a terminal.
      if (!o->user.empty() && o->user.find(':') == std::string::npos)
        o->user += ":" + read_password("Enter host password for user '" + o->user + "':");
      return http::run_fetch(*o, std::cout, std::cerr);
    };
  });
}

}  // namespace endhost::cli

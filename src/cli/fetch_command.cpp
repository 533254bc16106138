// `endhost fetch URL`: a curl-like HTTP client, and `endhost fetch --page URL --mode …`, the textbook's
// persistent/non-persistent/parallel comparison.

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/resolver_option.hpp"
#include "http/client/fetch.hpp"

namespace endhost::cli {

void add_fetch_commands(CLI::App& root, RunFn& run) {
  auto o = std::make_shared<http::FetchOptions>();
  auto page_url = std::make_shared<std::string>();
  auto dns_server = std::make_shared<std::string>();
  auto* cmd =
      root.add_subcommand("fetch", "HTTP client like curl: options, cookie jar, local cache, --page timing");
  cmd->add_option("url", o->url, "The URL to fetch (http:// or https://)");
  cmd->add_option("-o,--output", o->output, "Write the body to FILE instead of standard output");
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
  cmd->add_flag("-v,--verbose", o->verbose, "Show the request and response heads (C: / S: lines) on stderr");
  cmd->add_flag("-s,--silent", o->silent, "No progress meter and no error messages");
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
  cmd->add_option("--page", *page_url,
                  "Fetch a page and the objects it references on the same server, and report connections, "
                  "requests and time");
  cmd->add_option("--mode", o->mode, "With --page: non-persistent, persistent or parallel=N")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "With --page: the report as JSON");
  cmd->footer(
      "Exit status: 0 ok, 3 bad URL, 6 host not found, 7 cannot connect, 8 bad HTTP reply, 18 body cut "
      "short,\n"
      "22 HTTP status 400 or more (the body is still written), 23 cannot write, 28 timeout, 47 too many\n"
      "redirects, 35 TLS handshake failed, 52 empty reply, 60 certificate does not verify, 77 unreadable\n"
      "--cacert file, 1 other errors.\n"
      "Examples:\n"
      "  endhost fetch http://127.0.0.1:8080/ -v\n"
      "  endhost fetch -L -o page.html -c jar.txt -b jar.txt http://127.0.0.1:8080/login\n"
      "  endhost fetch -x http://127.0.0.1:3128 http://example.test/\n"
      "  endhost fetch --cacert ca.pem -v https://localhost:8443/\n"
      "  endhost fetch --page http://127.0.0.1:8080/index.html --mode parallel=5 --json");
  cmd->callback([o, page_url, dns_server, &run] {
    if (!page_url->empty()) {
      if (!o->url.empty() && o->url != *page_url)
        throw UsageError("give the URL once: either --page URL or URL");
      o->url = *page_url;
      o->page = true;
    }
    if (o->url.empty()) throw UsageError("no URL given (endhost fetch http://host/path)");
    if (o->max_redirs < 0) throw UsageError("--max-redirs must be 0 or more");
    if (!(o->connect_timeout > 0)) throw UsageError("--connect-timeout must be a positive number of seconds");
    if (o->max_time < 0) throw UsageError("--max-time must be 0 (no limit) or more");
    o->resolver = make_name_resolver(*dns_server);
    run = [o] { return http::run_fetch(*o, std::cout, std::cerr); };
  });
}

}  // namespace endhost::cli

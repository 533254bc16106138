// `endhost mail send` (issue 11 §3): the socket assignment's mail client made into a tool like swaks. It
// builds an RFC 5322 message with MIME (mail/message/message.hpp), delivers it with the SMTP client
// (smtp/client/deliver.hpp) to --server or, without it, to the MX hosts of each recipient's domain (RFC
// 5321 §5.1, looked up through --resolver), prints the conversation as the textbook shows it with -v, and
// exits 1 with the server's reply when the message was not accepted.
//
// The `mail` command itself belongs to the mail service (`endhost mail serve`); service_command() finds it,
// or adds it when the service is not built in, so this file builds either way.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/password_prompt.hpp"
#include "cli/resolver_option.hpp"
#include "cli/server_options.hpp"
#include "cli/service_commands.hpp"
#include "core/dialer.hpp"
#include "core/host_port.hpp"
#include "core/run_client.hpp"
#include "core/system_random.hpp"
#include "core/transcript.hpp"
#include "mail/dns/mail_dns.hpp"
#include "mail/message/message.hpp"
#include "smtp/client/deliver.hpp"

namespace endhost::cli {

namespace {

namespace client = smtp::client;
namespace message = mail::message;

struct MailSendArgs {
  std::string server;
  std::string from;
  std::vector<std::string> to;
  std::vector<std::string> cc;
  std::vector<std::string> bcc;
  std::string subject;
  std::string body;
  std::string body_file;
  std::vector<std::string> attach;
  bool starttls = false;
  bool tls = false;
  std::string auth;
  bool verbose = false;
  bool verify = false;
  std::string cacert;
  std::string helo;
  std::string resolver;
  std::uint16_t mx_port = 25;
  double timeout = 0;  // 0: RFC 5321 §4.5.3.2's limits, each its own
  double connect_timeout = 30;
  bool chunking = false;
};

// -v: the conversation as the textbook prints it, "C: HELO crepes.fr" / "S: 250 …", on standard output.
class TextbookSink final : public core::TranscriptSink {
 public:
  void record(const core::TranscriptEntry& e) override {
    const char* who = e.who == core::Speaker::Client ? "C: " : e.who == core::Speaker::Server ? "S: " : "* ";
    std::cout << who << e.text << "\n";
    std::cout.flush();
  }
};

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw RuntimeError(std::string("cannot read the ") + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::uint64_t random64(core::RandomSource& random) {
  return static_cast<std::uint64_t>(random.next()) << 32 | random.next();
}

// The resolver of --resolver (ADDR[:PORT]) or else the first nameserver of /etc/resolv.conf, for MX.
asio::ip::udp::endpoint mx_resolver(const std::string& spec) {
  std::string text = spec;
  if (text.empty()) {
    std::ifstream conf("/etc/resolv.conf");
    std::string line;
    while (std::getline(conf, line)) {
      std::istringstream words(line);
      std::string key, value;
      if (words >> key >> value && key == "nameserver") {
        text = value;
        break;
      }
    }
    if (text.empty()) throw UsageError("no --resolver and no nameserver in /etc/resolv.conf");
  }
  auto hp = core::parse_host_port(text, 53);
  if (!hp) throw UsageError("--resolver: " + hp.error());
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(hp->host, ec);
  if (ec) throw UsageError("--resolver: '" + hp->host + "' is not an IP address");
  return asio::ip::udp::endpoint(address, hp->port);
}

// What one delivery came to, printed (a line per refused recipient, or one for what ended it), and whether it
// delivered to every recipient. `implicit_tls`: --tls was asked for, which a plain port answers in clear.
bool report(const client::DeliveryResult& r, std::size_t recipients, bool implicit_tls) {
  bool all = r.delivered();
  std::size_t refused = 0;
  for (const auto& rr : r.recipients) {
    if (rr.reply.code / 100 != 2) {
      all = false;
      ++refused;
      std::cerr << "endhost mail send: " << rr.recipient << " refused: " << client::reply_summary(rr.reply)
                << "\n";
    }
  }
  // Every recipient refused at RCPT: their lines above say all there is.
  if (!r.delivered() && r.failed_at == client::DeliveryResult::Stage::Rcpt && refused > 0 &&
      refused == r.recipients.size())
    return false;
  if (r.delivered()) {
    std::size_t accepted = 0;
    for (const auto& rr : r.recipients)
      if (rr.reply.code / 100 == 2) ++accepted;
    std::cout << "sent to " << accepted << " of " << recipients << " recipient"
              << (recipients == 1 ? "" : "s") << " via " << r.peer << (r.tls ? " (TLS)" : "") << ": "
              << client::reply_summary(r.reply) << "\n";
  } else {
    std::cerr << "endhost mail send: " << (r.peer.empty() ? "" : r.peer + ": ") << "failed at "
              << client::stage_name(r.failed_at) << ": " << client::reply_summary(r.reply);
    if (implicit_tls && r.failed_at == client::DeliveryResult::Stage::Tls)
      std::cerr << " (--tls is for an implicit-TLS port such as 465; use --starttls on a plain one)";
    std::cerr << "\n";
  }
  return all;
}

struct Job {
  const MailSendArgs* args;
  client::Transaction transaction;
  client::ClientOptions options;
  std::shared_ptr<const core::NameResolver> names;
  core::HostPort server;  // --server, checked before anything is sent
};

// --server: one connection to that host.
awaitable<int> send_to_server(const Job& job) {
  const MailSendArgs& a = *job.args;
  const core::HostPort& hp = job.server;
  core::DialOptions dial;
  dial.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(job.options.connect_timeout);
  const core::Dialer dialer(*job.names, dial);
  const std::string host = hp.host;
  auto stream = co_await dialer.dial(host, hp.port);
  if (!stream) {
    std::cerr << "endhost mail send: " << stream.error().message << "\n";
    co_return 1;
  }
  if (job.options.trace) job.options.trace->note("", "connected to " + core::host_port_text(host, hp.port));
  const client::DeliveryResult r =
      co_await client::deliver(std::move(*stream), host, job.transaction, job.options);
  const bool ok = report(r, job.transaction.recipients.size(), a.tls);
  co_return ok ? 0 : 1;
}

// No --server: each recipient domain's MX hosts by preference, the domain itself when it has none (RFC 5321
// §5.1), nothing for a null MX (RFC 7505).
awaitable<int> send_by_mx(const Job& job, std::shared_ptr<const mail::dns::MailDns> dns) {
  const MailSendArgs& a = *job.args;
  std::map<std::string, std::vector<std::string>> by_domain;
  for (const auto& r : job.transaction.recipients) {
    std::string d = message::address_domain(r);
    if (d.empty()) throw UsageError("'" + r + "' has no domain: without --server it needs one");
    by_domain[d].push_back(r);
  }
  int status = 0;
  for (const auto& [domain, recipients] : by_domain) {
    client::Transaction t = job.transaction;
    t.recipients = recipients;
    std::string name = domain;
    auto [mx_status, hosts] = co_await dns->mx(name);
    std::vector<std::string> targets;
    if (mx_status == mail::dns::LookupStatus::Ok) {
      for (const auto& h : hosts) targets.push_back(h.host);
    } else if (mx_status == mail::dns::LookupStatus::NoData) {
      targets.push_back(domain);  // §5.1: the implicit MX
    } else {
      std::cerr << "endhost mail send: MX of " << domain << ": " << mail::dns::to_string(mx_status) << "\n";
      status = 1;
      continue;
    }
    if (targets.size() == 1 && targets[0].empty()) {
      std::cerr << "endhost mail send: " << domain << " accepts no mail (null MX, RFC 7505)\n";
      status = 1;
      continue;
    }
    bool done = false;
    std::optional<client::DeliveryResult> last;
    for (const auto& host : targets) {
      if (done) break;
      std::string host_name = host;
      auto [a_status, addresses] = co_await dns->addresses(host_name);
      if (a_status != mail::dns::LookupStatus::Ok) {
        if (job.options.trace) job.options.trace->note("", host + ": " + mail::dns::to_string(a_status));
        continue;
      }
      for (const auto& address : addresses) {
        core::DialOptions dial;
        dial.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(job.options.connect_timeout);
        const core::Dialer dialer(dial);
        const asio::ip::tcp::endpoint to(address, a.mx_port);
        if (job.options.trace)
          job.options.trace->note(
              "", "MX " + host + " (" + address.to_string() + ") port " + std::to_string(a.mx_port));
        auto stream = co_await dialer.dial(to);
        if (!stream) {
          if (job.options.trace) job.options.trace->note("", stream.error().message);
          continue;
        }
        client::DeliveryResult r = co_await client::deliver(std::move(*stream), host, t, job.options);
        // A 4yz or a broken connection: the next MX (§5.1); a 5xx or a delivery: this domain is done.
        const bool next_host = !r.delivered() && r.temporary();
        last = std::move(r);
        if (!next_host) {
          done = true;
          break;
        }
      }
    }
    if (!last) {
      std::cerr << "endhost mail send: no mail host of " << domain << " could be reached\n";
      status = 1;
      continue;
    }
    if (!report(*last, recipients.size(), job.args->tls)) status = 1;
  }
  co_return status;
}

int mail_send(const MailSendArgs& a) {
  if (a.to.empty() && a.cc.empty() && a.bcc.empty()) throw UsageError("give at least one --to");
  if (a.starttls && a.tls) throw UsageError("--starttls and --tls exclude each other");
  if (!a.body.empty() && !a.body_file.empty()) throw UsageError("--body and --body-file exclude each other");
  core::SystemRandom random;
  core::SystemClock clock;

  message::MessageSpec spec;
  spec.from = a.from;
  spec.to = a.to;
  spec.cc = a.cc;
  spec.subject = a.subject;
  spec.body = a.body_file.empty() ? a.body : read_file(a.body_file, "body file");
  for (const auto& path : a.attach)
    spec.attachments.push_back(message::Attachment{base_name(path), "", read_file(path, "attachment")});
  spec.date = clock.wall_now();
  const std::string from_address = message::envelope_address(a.from);
  const std::string from_domain = message::address_domain(from_address);
  spec.message_id = message::make_message_id(spec.date, random64(random), from_domain);
  spec.boundary = message::make_boundary(random64(random));
  spec.extra_headers.emplace_back("User-Agent", "endhost mail send");
  const message::BuiltMessage built = message::build_message(spec);

  Job job;
  job.args = &a;
  job.transaction.sender = from_address;
  for (const auto* list : {&a.to, &a.cc, &a.bcc})
    for (const auto& r : *list) job.transaction.recipients.push_back(message::envelope_address(r));
  job.transaction.message = built.text;
  job.transaction.smtputf8 = built.smtputf8;
  job.transaction.eight_bit = built.eight_bit;

  client::ClientOptions& o = job.options;
  o.helo_name = !a.helo.empty() ? a.helo : !from_domain.empty() ? from_domain : "localhost";
  o.tls = a.tls              ? client::TlsMode::Implicit
          : a.starttls       ? client::TlsMode::Required
          : a.server.empty() ? client::TlsMode::Opportunistic  // as a mail server would (RFC 7435)
                             : client::TlsMode::None;
  o.verify_certificate = a.verify;
  if (o.tls != client::TlsMode::None) {
    auto context = core::TlsClientContext::make(core::TlsClientOptions{!a.verify, a.cacert});
    if (!context) throw RuntimeError(context.error());
    o.tls_context = std::move(*context);
  }
  if (!a.auth.empty()) {
    const auto colon = a.auth.find(':');
    std::string user = a.auth.substr(0, colon);
    std::string password;
    if (colon != std::string::npos) {
      password = a.auth.substr(colon + 1);
    } else if (!::isatty(0)) {
      if (!std::getline(std::cin, password))
        throw UsageError("--auth " + user + ": no password on standard input");
      if (!password.empty() && password.back() == '\r') password.pop_back();
    } else {
      password = read_password("Password for " + user + ": ");
    }
    o.auth = std::pair{std::move(user), std::move(password)};
  }
  if (a.timeout != 0) {
    const auto timeout =
        std::chrono::duration_cast<std::chrono::seconds>(seconds_option(a.timeout, "--timeout"));
    if (timeout.count() < 1) throw UsageError("--timeout must be at least 1 second");
    o.command_timeout = o.greeting_timeout = o.data_block_timeout = o.data_end_timeout = timeout;
  }
  o.connect_timeout =
      std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(
                                            seconds_option(a.connect_timeout, "--connect-timeout")));
  o.use_chunking = a.chunking;
  TextbookSink sink;
  core::Transcript transcript(&sink, "mail");
  if (a.verbose) o.trace = &transcript;

  std::shared_ptr<const mail::dns::MailDns> dns;
  if (a.server.empty()) {
    dns = mail::dns::resolver_mail_dns(mx_resolver(a.resolver));
  } else {
    // Checked here, not in the coroutine: a usage error must end as one (exit 2), whatever runs the client.
    auto hp = core::parse_host_port(a.server, a.tls ? 465 : 25);
    if (!hp) throw UsageError("--server: " + hp.error());
    job.server = std::move(*hp);
    job.names = make_name_resolver(a.resolver);
  }
  const Job& j = job;
  return core::run_client(
      [&j, dns]() -> awaitable<int> {
        if (dns) return send_by_mx(j, dns);
        return send_to_server(j);
      },
      std::cerr, "endhost mail send");
}

}  // namespace

void add_mail_send_commands(CLI::App& root, RunFn& run) {
  auto* mail = &service_command(root, "mail", "E-mail: an SMTP server with a queue, and a client");
  auto a = std::make_shared<MailSendArgs>();
  auto* send = mail->add_subcommand("send", "Send a message by SMTP, as a user agent does (like swaks)");
  send->add_option("--server", a->server,
                   "The SMTP server, HOST[:PORT] (port 25, 465 with --tls); without it, each recipient "
                   "domain's MX")
      ->type_name("HOST[:PORT]");
  send->add_option("--from", a->from, "The sender: alice@crepes.fr or 'Alice <alice@crepes.fr>'")
      ->required()
      ->type_name("ADDRESS");
  send->add_option("--to", a->to, "A recipient (repeatable)")->type_name("ADDRESS");
  send->add_option("--cc", a->cc, "A recipient shown in Cc: (repeatable)")->type_name("ADDRESS");
  send->add_option("--bcc", a->bcc, "A recipient not shown in the message (repeatable)")
      ->type_name("ADDRESS");
  send->add_option("--subject", a->subject, "The subject (UTF-8; encoded per RFC 2047 when not ASCII)")
      ->type_name("TEXT");
  send->add_option("--body", a->body, "The text of the message")->type_name("TEXT");
  send->add_option("--body-file", a->body_file, "Read the text of the message from this file")
      ->type_name("FILE");
  send->add_option("--attach", a->attach, "Attach this file (repeatable; multipart/mixed)")
      ->type_name("FILE");
  send->add_flag("--starttls", a->starttls, "Insist on STARTTLS (RFC 3207) before anything else");
  send->add_flag("--tls", a->tls, "TLS from the first byte (port 465, RFC 8314)");
  send->add_option("--auth", a->auth,
                   "AUTH PLAIN (or LOGIN) as USER; without :PASS the password is asked for (or read from "
                   "standard input)")
      ->type_name("USER[:PASS]");
  send->add_flag("-v,--verbose", a->verbose, "Print the SMTP conversation: C: and S: lines");
  send->add_flag("--verify", a->verify, "With TLS: verify the server's certificate and name");
  send->add_option("--cacert", a->cacert, "With --verify: trust the CA certificates in this PEM file")
      ->type_name("FILE");
  send->add_option("--helo", a->helo, "The name for EHLO (default: the sender's domain)")->type_name("NAME");
  send->add_option("--resolver", a->resolver,
                   "The DNS server for MX and host lookups (ADDR[:PORT]; default: /etc/resolv.conf's)")
      ->type_name("ADDR[:PORT]");
  send->add_option("--mx-port", a->mx_port, "Without --server: the port of the MX hosts")
      ->capture_default_str();
  send->add_option(
          "--timeout", a->timeout,
          "Seconds to wait for each reply (default: RFC 5321 §4.5.3.2's: 5 minutes, 10 after the data)")
      ->type_name("S");
  send->add_option("--connect-timeout", a->connect_timeout, "Seconds to connect")->capture_default_str();
  send->add_flag("--chunking", a->chunking, "Send with BDAT (RFC 3030) when the server offers CHUNKING");
  send->footer(
      "Exit status: 0 when every recipient was accepted, 1 otherwise (the server's reply is printed), 2 for "
      "a usage error.\n"
      "Examples:\n"
      "  endhost mail send --server 127.0.0.1:2525 --from alice@crepes.fr --to bob@hamburger.edu \\\n"
      "      --subject 'Ketchup?' --body 'Do you like ketchup?' -v\n"
      "  endhost mail send --server 127.0.0.1:2587 --starttls --auth alice --from alice@crepes.fr \\\n"
      "      --to bob@hamburger.edu --subject Report --attach report.pdf\n"
      "  endhost mail send --resolver 127.0.0.1:5353 --mx-port 2525 --from alice@crepes.fr --to "
      "bob@hamburger.edu --body Hi");
  send->callback([a, &run] { run = [a] { return mail_send(*a); }; });
}

}  // namespace endhost::cli

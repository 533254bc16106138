// `endhost mail dkim-key --mail-dir DIR --domain D [--selector S] [--algorithm rsa|ed25519]`: makes the
// domain's DKIM key in DIR/dkim when it has none (the key `endhost mail serve` signs with) and prints the TXT
// record as a zone file line, `S._domainkey.D. IN TXT ( "…" )`, which `endhost dns serve --zone` loads. The
// `mail` command itself comes from the service registry when the mail service is built in; service_command()
// finds it or adds it, so this file works with and without it.

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/service_commands.hpp"
#include "mail/checks/keys.hpp"

namespace endhost::cli {

namespace {

struct DkimKeyArgs {
  std::string mail_dir;
  std::string domain;
  std::string selector = "endhost";
  // rsa-sha256, as `mail serve --dkim-algorithm`: every verifier checks it, while many (Gmail among them)
  // still ignore ed25519-sha256 (RFC 8463), and a key made here is the one the server signs with.
  std::string algorithm = "rsa";
  bool record_only = false;
};

int dkim_key(const DkimKeyArgs& a) {
  auto algorithm = mail::checks::parse_key_algorithm(a.algorithm);
  if (!algorithm) throw UsageError(algorithm.error());
  const std::filesystem::path dir = std::filesystem::path(a.mail_dir) / "dkim";
  auto key = mail::checks::ensure_key(dir, a.domain, a.selector, *algorithm);
  if (!key) throw RuntimeError(key.error());
  if (key->created) {
    std::cerr << "made " << key->key_file.string() << " (" << mail::dkim::key_type_name(key->algorithm())
              << ")\n";
  } else if (key->algorithm() != *algorithm) {
    std::cerr << "kept the existing " << mail::dkim::key_type_name(key->algorithm()) << " key "
              << key->key_file.string() << "; remove it (and republish) to change the algorithm\n";
  }
  std::cout << (a.record_only ? key->record_text() : key->zone_line()) << "\n";
  return 0;
}

}  // namespace

void add_mail_dkim_commands(CLI::App& root, RunFn& run) {
  auto* mail = &service_command(root, "mail", "E-mail: an SMTP server with a queue and relay, and a client");
  auto a = std::make_shared<DkimKeyArgs>();
  auto* cmd = mail->add_subcommand(
      "dkim-key", "Make a domain's DKIM key if it has none and print its DNS TXT record (a zone file line)");
  cmd->add_option("--mail-dir", a->mail_dir, "The mail directory of `mail serve` (the key goes in DIR/dkim)")
      ->required()
      ->type_name("DIR");
  cmd->add_option("--domain", a->domain, "The signing domain (d=)")->required()->type_name("DOMAIN");
  cmd->add_option("--selector", a->selector, "The selector (s=), one label; `mail serve --dkim-selector`")
      ->capture_default_str()
      ->type_name("NAME");
  cmd->add_option("--algorithm", a->algorithm, "rsa (2048 bits) or ed25519 (RFC 8463), for a new key")
      ->capture_default_str()
      ->check(CLI::IsMember({"rsa", "ed25519"}));
  cmd->add_flag("--record", a->record_only, "Print only the record's text (v=DKIM1; k=…; p=…)");
  cmd->footer(
      "An existing key is never replaced. Add the printed line to the domain's zone file.\n"
      "Examples:\n"
      "  endhost mail dkim-key --mail-dir /var/mail/endhost --domain crepes.fr >> crepes.fr.zone\n"
      "  endhost mail dkim-key --mail-dir mail --domain hamburger.edu --selector lab --algorithm ed25519");
  cmd->callback([a, &run] { run = [a] { return dkim_key(*a); }; });
}

}  // namespace endhost::cli

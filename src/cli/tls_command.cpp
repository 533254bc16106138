// `endhost tls ca|cert`: a private certificate authority and leaf certificates signed by it, so that every
// TLS listener and client can be tried without a public CA (tests, the lab, a local HTTPS site).

#include <iostream>
#include <memory>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "tls/certificates.hpp"

namespace endhost::cli {

namespace {

struct CaCommand {
  std::string out;
  tls::CaOptions ca;
};

struct CertCommand {
  std::string ca_dir;
  std::vector<std::string> names;
  std::string out = ".";
  int days = tls::LeafOptions{}.days;
};

int make_ca(const CaCommand& o) {
  auto files = tls::make_ca(o.out, o.ca);
  if (!files) throw RuntimeError(files.error());
  std::cout << "CA certificate: " << files->cert << " (give it to clients: --cacert " << files->cert
            << ")\nCA key:         " << files->key << " (keep it private)\n";
  return 0;
}

int make_cert(const CertCommand& o) {
  tls::LeafOptions leaf;
  leaf.days = o.days;
  for (const auto& n : o.names) {
    auto name = tls::parse_subject_name(n);
    if (!name) throw UsageError("cannot make a certificate for " + name.error());
    leaf.names.push_back(*name);
  }
  auto files = tls::make_leaf(o.ca_dir, leaf, o.out);
  if (!files) throw RuntimeError(files.error());
  std::cout << "certificate: " << files->cert
            << " (with the CA's, the chain for --tls-cert)\nkey:         " << files->key
            << "\nnames:       " << tls::subject_alt_name(leaf.names) << "\n";
  return 0;
}

}  // namespace

void add_tls_commands(CLI::App& root, RunFn& run) {
  auto* tls = root.add_subcommand("tls", "A private certificate authority and certificates for TLS servers");
  tls->require_subcommand(1);

  auto ca = std::make_shared<CaCommand>();
  auto* ca_cmd = tls->add_subcommand("ca", "Make a CA: a key and a self-signed CA certificate");
  ca_cmd->add_option("--out", ca->out, "Directory for ca.pem and ca-key.pem (created 0700 if missing)")
      ->required()
      ->type_name("DIR");
  ca_cmd->add_option("--name", ca->ca.common_name, "The CA's common name")->capture_default_str();
  ca_cmd->add_option("--days", ca->ca.days, "Days the CA is valid")
      ->check(CLI::Range(1, 36500))
      ->capture_default_str();
  ca_cmd->footer(
      "The key is EC P-256, the certificate CA:TRUE with keyCertSign. An existing CA is never replaced.\n"
      "Examples:\n"
      "  endhost tls ca --out ./ca\n"
      "  endhost tls cert --ca ./ca localhost 127.0.0.1 --out ./certs\n"
      "  curl --cacert ./ca/ca.pem https://localhost:8443/");
  ca_cmd->callback([ca, &run] { run = [ca] { return make_ca(*ca); }; });

  auto cert = std::make_shared<CertCommand>();
  auto* cert_cmd = tls->add_subcommand("cert", "Make a server key and certificate signed by a CA");
  cert_cmd->add_option("--ca", cert->ca_dir, "The CA's directory (from 'endhost tls ca')")
      ->required()
      ->type_name("DIR");
  cert_cmd
      ->add_option("names", cert->names,
                   "Host names (*.example.test for a wildcard) and IP addresses the certificate is for")
      ->required()
      ->type_name("NAME...");
  cert_cmd->add_option("--out", cert->out, "Directory for NAME.pem and NAME-key.pem")->capture_default_str();
  cert_cmd->add_option("--days", cert->days, "Days the certificate is valid")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  cert_cmd->footer(
      "NAME.pem holds the certificate then the CA's (the chain a server sends); NAME-key.pem the key (mode\n"
      "0600). Every name becomes a subjectAltName; the first names the files. Files of the same name are\n"
      "replaced.\n"
      "Examples:\n"
      "  endhost tls cert --ca ./ca localhost 127.0.0.1 ::1\n"
      "  endhost tls cert --ca ./ca www.example.test '*.example.test' --out ./certs\n"
      "  endhost web serve --tls-cert ./certs/www.example.test.pem --tls-key "
      "./certs/www.example.test-key.pem");
  cert_cmd->callback([cert, &run] { run = [cert] { return make_cert(*cert); }; });
}

}  // namespace endhost::cli

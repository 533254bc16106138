// The lab's recipes, one per service that needs what only the lab knows (recipe.hpp). Each returns its
// recipe by value; recipes.cpp keeps them in one table by service name.
#pragma once

#include "lab/recipe.hpp"

namespace endhost::lab {

LabRecipe dns_recipe();       // zones → --zone ORIGIN=FILE for the zone files the lab wrote
LabRecipe resolver_recipe();  // the lab's root hints and its one DNS port
LabRecipe web_recipe();       // site → --root STATE/sites/<site>; sessions and the access log under STATE
LabRecipe proxy_recipe();     // capacity_mb, max_object_kb; the lab's web hosts as origins; cache under STATE
LabRecipe ping_recipe();      // delay_ms and jitter_ms → --delay MS:JITTER
LabRecipe
ftp_recipe();  // the tree under STATE/ftp/<host>, login/password → the users file; site → pub/ over HTTP

LabRecipe mail_recipe();  // the mail directory, login/password, DKIM and SPF records, resolver, switch

// A mail host's domains: its mail.domain values, else the closest of `origins` above its name.
std::vector<std::string> lab_mail_domains(const HostConfig& host, const std::vector<std::string>& origins);
// Where a lab mail host's users reach it besides SMTP, on the host's own address: submission (RFC 6409) on
// 587, POP3 (RFC 1939) on 110, IMAP (RFC 9051) on 143 and the webmail on 80, or port_base + each on the
// high ports. 0 for a listener the host does not have: all of them need the table's login (the server
// takes only its users), and the webmail a port 80 no other service of the host has.
struct MailAccessPorts {
  std::uint16_t submission = 0;
  std::uint16_t pop3 = 0;
  std::uint16_t imap = 0;
  std::uint16_t webmail = 0;
};
MailAccessPorts mail_access_ports(const PlannedHost& host, const AddressPlan& plan, const LabConfig& config);
// Where a lab web host listens with TLS (h2 and http/1.1 by ALPN, its certificate from the lab's CA) beside
// its clear port: 443, or port_base + 443 on the high ports. 0 when the host has no web server, or another of
// its services has that port, or it is one browsers refuse.
std::uint16_t web_tls_port(const PlannedHost& host, const AddressPlan& plan, const LabConfig& config);
std::vector<std::string> zone_origins(const ZonePlan& zones);

// A key of the settings the way the lab's TOML spells it, for messages: capacity-mb → capacity_mb.
std::string toml_key(std::string key);

// Sets --access-log to STATE/logs/<host>.access.log (the directory made first): where the lab keeps a host's
// access log.
Expected<void, std::string> set_access_log(const RecipeContext& ctx, core::Settings& settings);

}  // namespace endhost::lab

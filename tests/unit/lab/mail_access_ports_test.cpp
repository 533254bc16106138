// Where the lab's mail users read their mail (recipes/mail_recipe.cpp's mail_access_ports, lab_map.cpp): the
// POP3, IMAP, submission and webmail ports of each mail host with a login, in lab.json and read back, the
// map's "Read mail" lines with the curl and python commands, none of it for a host without a login, and no
// webmail where the host's own web server has port 80.
#include <gtest/gtest.h>

#include "lab/address_plan.hpp"
#include "lab/config_toml.hpp"
#include "lab/default_config.hpp"
#include "lab/lab_map.hpp"
#include "lab/recipes/recipes.hpp"
#include "lab/zone_plan.hpp"
#include "services/builtin_services.hpp"

namespace endhost::lab {
namespace {

const core::ServiceRegistry& services() {
  static const core::ServiceRegistry registry = services::builtin_services();
  return registry;
}

struct Lab {
  LabConfig config;
  AddressPlan plan;
  ZonePlan zones;
  MapInputs inputs() const {
    MapInputs in;
    in.config = &config;
    in.plan = &plan;
    in.zones = &zones;
    in.net = "127.20";
    in.state_dir = "/tmp/x";
    return in;
  }
};

Lab make_lab(const std::string& toml, PortMode mode) {
  auto c = parse_config(toml, "t.toml", services());
  EXPECT_TRUE(c) << (c ? "" : c.error());
  Lab lab{std::move(*c), {}, {}};
  auto plan = plan_addresses(lab.config, {mode, "test"}, services());
  EXPECT_TRUE(plan) << (plan ? "" : plan.error());
  lab.plan = std::move(*plan);
  auto zones = plan_zones(lab.config, lab.plan);
  EXPECT_TRUE(zones) << (zones ? "" : zones.error());
  lab.zones = std::move(*zones);
  return lab;
}

const LabInfo::MailHost* mail_host(const LabInfo& info, std::string_view host) {
  for (const auto& m : info.mail) {
    if (m.host == host) return &m;
  }
  return nullptr;
}

TEST(MailAccessPorts, DefaultLabOnTheHighPorts) {
  const Lab lab = make_lab(std::string(default_config_toml()), PortMode::high);
  const MapInputs in = lab.inputs();
  auto info = parse_lab_json(lab_json(in));
  ASSERT_TRUE(info) << info.error();
  const LabInfo::MailHost* bob = mail_host(*info, "mail.hamburger.edu");
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->login, "bob");
  EXPECT_EQ(bob->submission_port, 20587);
  EXPECT_EQ(bob->pop3_port, 20110);
  EXPECT_EQ(bob->imap_port, 20143);
  EXPECT_EQ(bob->webmail_port, 20080);
  ASSERT_NE(mail_host(*info, "mail.crepes.fr"), nullptr);
  EXPECT_EQ(mail_host(*info, "mail.crepes.fr")->imap_port, 20143);

  const std::string map = format_map(in);
  const std::string a = bob->address;
  EXPECT_NE(map.find("Read mail"), std::string::npos) << map;
  EXPECT_NE(map.find("mail.hamburger.edu  user bob, password hamburger  (bob@hamburger.edu)"),
            std::string::npos)
      << map;
  EXPECT_NE(map.find("POP3 " + a + ":20110   IMAP " + a + ":20143   webmail http://" + a + ":20080/"),
            std::string::npos)
      << map;
  EXPECT_NE(map.find("submission " + a + ":20587"), std::string::npos) << map;
  EXPECT_NE(map.find("curl -u bob:hamburger pop3://" + a + ":20110/1\n"), std::string::npos) << map;
  EXPECT_NE(map.find("curl -u bob:hamburger 'imap://" + a + ":20143/INBOX;UID=1'\n"), std::string::npos)
      << map;
  EXPECT_NE(map.find("poplib.POP3('" + a + "', 20110); p.user('bob'); p.pass_('hamburger')"),
            std::string::npos)
      << map;
  EXPECT_NE(map.find("imaplib.IMAP4('" + a + "', 20143); m.login('bob', 'hamburger')"), std::string::npos)
      << map;
  EXPECT_NE(map.find("endhost lab experiment mail-access --state /tmp/x"), std::string::npos) << map;
  // The same commands in lab.json, for the dashboard.
  EXPECT_NE(lab_json(in).find("pop3://" + a + ":20110/1"), std::string::npos);
}

TEST(MailAccessPorts, RealPortsAreTheWellKnownOnes) {
  const Lab lab = make_lab(std::string(default_config_toml()), PortMode::real);
  const PlannedHost* h = lab.plan.find_host("mail.crepes.fr");
  ASSERT_NE(h, nullptr);
  const MailAccessPorts p = mail_access_ports(*h, lab.plan, lab.config);
  EXPECT_EQ(p.submission, 587);  // RFC 6409
  EXPECT_EQ(p.pop3, 110);        // RFC 1939
  EXPECT_EQ(p.imap, 143);        // RFC 9051
  EXPECT_EQ(p.webmail, 80);
}

TEST(MailAccessPorts, NoneWithoutALoginAndNoWebmailBesideAWebServer) {
  const Lab lab = make_lab(std::string(default_config_toml()) +
                               "\n[[host]]\nname = \"dns.example.com\"\ndns.zones = [\"example.com\"]\n"
                               "[[host]]\nname = \"mail.example.com\"\nmail = {}\n"
                               "[[host]]\nname = \"www.example.com\"\nweb.site = \"gaia\"\nmail = { login = "
                               "\"carol\", password = \"x1\" }\n"
                               "[[zone]]\nname = \"example.com\"\nrecords = [\"@ MX 10 mail\"]\n",
                           PortMode::high);
  const PlannedHost* anonymous = lab.plan.find_host("mail.example.com");
  const PlannedHost* shared = lab.plan.find_host("www.example.com");
  ASSERT_NE(anonymous, nullptr);
  ASSERT_NE(shared, nullptr);
  const MailAccessPorts none = mail_access_ports(*anonymous, lab.plan, lab.config);
  EXPECT_EQ(none.submission, 0);
  EXPECT_EQ(none.pop3, 0);
  EXPECT_EQ(none.imap, 0);
  EXPECT_EQ(none.webmail, 0);
  const MailAccessPorts beside = mail_access_ports(*shared, lab.plan, lab.config);
  EXPECT_EQ(beside.pop3, 20110);
  EXPECT_EQ(beside.webmail, 0);  // the web server has 20080 on that address

  const std::string map = format_map(lab.inputs());
  EXPECT_EQ(map.find("mail.example.com  user"), std::string::npos) << map;
  EXPECT_NE(map.find("www.example.com  user carol"), std::string::npos) << map;
  const std::string a = shared->address;
  EXPECT_NE(map.find("POP3 " + a + ":20110   IMAP " + a + ":20143\n"), std::string::npos) << map;  // no webmail
  auto info = parse_lab_json(lab_json(lab.inputs()));
  ASSERT_TRUE(info) << info.error();
  ASSERT_NE(mail_host(*info, "mail.example.com"), nullptr);
  EXPECT_EQ(mail_host(*info, "mail.example.com")->pop3_port, 0);
}

TEST(MailAccessPorts, ALabJsonFromBeforeThemReadsAsNone) {
  const std::string old = R"({"pid": 1, "state": "/s", "ports": {"dns": 53}, "hosts": [],
    "mail": [{"host": "m", "address": "127.0.0.2", "port": 25, "submission_port": 587, "domains": ["d"],
              "login": "bob", "password": "p", "mail_dir": "/s/mail/m"}]})";
  auto info = parse_lab_json(old);
  ASSERT_TRUE(info) << info.error();
  ASSERT_EQ(info->mail.size(), 1u);
  EXPECT_EQ(info->mail[0].pop3_port, 0);
  EXPECT_EQ(info->mail[0].imap_port, 0);
  EXPECT_EQ(info->mail[0].webmail_port, 0);
}

}  // namespace
}  // namespace endhost::lab

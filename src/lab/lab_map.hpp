// What the user sees of a running lab: the printed map (hosts, their services' addresses and ports, what to
// configure, commands to try) and the same facts as STATE/lab.json for scripts and `endhost lab experiment`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/asio.hpp"
#include "core/expected.hpp"
#include "lab/address_plan.hpp"
#include "lab/site_files.hpp"
#include "lab/topology_plan.hpp"
#include "lab/zone_plan.hpp"

namespace endhost::lab {

struct MapInputs {
  const LabConfig* config = nullptr;
  const AddressPlan* plan = nullptr;
  const ZonePlan* zones = nullptr;
  const TopologyPlan* topology = nullptr;  // the network (plan_topology); null: none shown
  std::string net;                         // "127.20"
  std::string state_dir;
  bool state_removed_on_exit = false;
  std::int64_t pid = 0;
  std::map<std::string, std::vector<WrittenFile>> sites;  // site name → the files the lab wrote
  std::string ca_cert;     // STATE/tls/ca.pem: the lab's private CA, for --cacert (empty: none)
  std::string root_hints;  // STATE/zones/root.hints (empty: the lab serves no root zone)
  std::string log_file;    // STATE/lab.log, when `endhost lab` logs there (empty: the logger's own output)
  // With emulated links, each host's network namespace by host name (lab.json hosts[].netns), and the
  // loopback address the dashboard also listens on in the root namespace, for this machine's browser.
  std::map<std::string, std::string> namespaces;
  std::string dashboard_loopback;
};

std::string format_map(const MapInputs& in);
std::string lab_json(const MapInputs& in);

// Commands to copy and paste (dig through the resolver, curl through the cache, endhost ping…), for the map,
// lab.json and the dashboard.
std::vector<std::string> try_commands(const MapInputs& in);
// A URL of a running web host: its site's first image (campus.gif in the default lab), else its first file.
std::string example_url(const MapInputs& in);

// lab.json read back, the parts the experiments and tests use.
struct Endpoint {
  std::string host;
  std::string address;
  std::uint16_t port = 0;
};
struct LabInfo {
  std::int64_t pid = 0;
  std::string state_dir;
  std::uint16_t dns_port = 0;
  std::optional<Endpoint> resolver, cache, dashboard;
  struct Service {
    std::string kind;
    std::string address;
    std::uint16_t port = 0;
  };
  struct Host {
    std::string name;
    std::string address;
    std::vector<Service> services;
    std::string netns;  // its network namespace with emulated links; empty on loopback
  };

  std::vector<Host> hosts;
  // What each running web host serves (lab.json "web"): every URL path, and the pages with their objects.
  struct Page {
    std::string path;
    std::vector<std::string> objects;
  };
  struct WebHost {
    std::string host;
    std::string address;
    std::uint16_t port = 0;
    std::uint16_t tls_port = 0;  // HTTPS (h2 and http/1.1 by ALPN, the lab's CA); 0: none
    std::string site;
    std::vector<std::string> paths;
    std::vector<Page> pages;
  };
  std::vector<WebHost> web;
  // Each FTP host (lab.json "ftp"): where it listens, its login (empty: anonymous only) and the site whose
  // web host serves the same pub/ (empty: none).
  struct FtpHost {
    std::string host;
    std::string address;
    std::uint16_t port = 0;
    std::string site;
    std::string login;
    std::string password;
  };
  std::vector<FtpHost> ftp;
  // Each mail host (lab.json "mail"): its SMTP, submission, POP3, IMAP and webmail ports (0: none), domains,
  // the lab's user and password, and its mail directory (STATE/mail/<host>: users/<name>/ Maildirs, queue/).
  struct MailHost {
    std::string host;
    std::string address;
    std::uint16_t port = 0;
    std::uint16_t submission_port = 0;
    std::uint16_t pop3_port = 0;
    std::uint16_t imap_port = 0;
    std::uint16_t webmail_port = 0;
    std::vector<std::string> domains;
    std::string login;
    std::string password;
    std::string mail_dir;
  };
  std::vector<MailHost> mail;
  // Each UDP pinger (lab.json "ping"): where it listens and the loss and delay it simulates itself.
  struct PingHost {
    std::string host;
    std::string address;
    std::uint16_t port = 0;
    double loss = 0;  // the server's own drop probability (--loss)
    double delay_ms = 0;
    double jitter_ms = 0;
  };
  std::vector<PingHost> ping;
  // lab.json "network": "emulated" or "loopback", and why; and the network the lab runs or describes.
  std::string network = "loopback";
  std::string network_reason;
  std::optional<TopologyPlan> topology;
  // The host the user's side of an experiment stands at: the topology's user host when emulated, else the
  // dashboard's host (client_address()), else "".
  std::string user_host() const;
  // Zone origin → its servers' names (lab.json "zones").
  std::vector<std::pair<std::string, std::vector<std::string>>> zones;

  const Host* find_host(std::string_view name) const;
  // The first service of that kind on that host (any host when `host` is empty).
  std::optional<Endpoint> service(std::string_view kind, std::string_view host = {}) const;
  // Where the user's clients (experiments, the dashboard's buttons) send from: the dashboard host's address,
  // so that the lab's logs tell them from the lab's own hosts; with emulated links the user host's, inside
  // whose namespace the experiments run. Nullopt without either.
  std::optional<asio::ip::address> client_address() const;
};
Expected<LabInfo, std::string> parse_lab_json(std::string_view text);

}  // namespace endhost::lab

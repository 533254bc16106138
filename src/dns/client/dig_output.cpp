#include "dns/client/dig_output.hpp"

#include <tuple>

#include "dns/rdata.hpp"

namespace endhost::dns::client {

std::string format_banner(const std::string& arguments) {
  return "; <<>> endhost dns query <<>> " + arguments + "\n;; global options: +cmd\n";
}

std::string format_records(const std::vector<ResourceRecord>& records) {
  std::string out;
  for (const auto& rr : records) out += to_string(rr) + "\n";
  return out;
}

std::string format_response(const Message& m, const ExchangeFacts& facts) {
  std::string out;
  if (facts.retried_over_tcp) out += ";; Truncated, retrying in TCP mode.\n";
  out += ";; Got answer:\n";
  std::string body = to_string(m);
  // dig warns right after the flags line when recursion was asked for but the server does not offer it.
  if (m.header.rd && !m.header.ra) {
    auto flags_end = body.find('\n', body.find(";; flags:"));
    if (flags_end != std::string::npos)
      body.insert(flags_end + 1, ";; WARNING: recursion requested but not available\n");
  }
  out += body;
  out += "\n;; Query time: " + std::to_string(facts.query_ms) + " msec\n";
  out += ";; SERVER: " + facts.server_address + "(" + facts.server_name + ") (" +
         (facts.tcp ? "TCP" : "UDP") + ")\n";
  if (!facts.when.empty()) out += ";; WHEN: " + facts.when + "\n";
  out += ";; MSG SIZE  rcvd: " + std::to_string(facts.size) + "\n";
  return out;
}

std::string format_response(const Message& m, const ExchangeFacts& facts, const Display& d) {
  if (d.everything()) return format_response(m, facts);
  std::string out;
  if (d.short_form) {
    // dig +short: each answer's RDATA alone, one per line.
    for (const auto& rr : m.answers) out += rdata_to_string(rr.type, rr.rdata) + "\n";
    return out;
  }
  if (d.comments) {
    if (facts.retried_over_tcp) out += ";; Truncated, retrying in TCP mode.\n";
    const std::string all = to_string(m);
    out += ";; Got answer:\n" + all.substr(0, all.find("\n;; QUESTION SECTION:"));  // ends with its newline
  }
  if (d.question && !m.questions.empty()) {
    if (d.comments) out += "\n;; QUESTION SECTION:\n";
    for (const auto& q : m.questions) out += to_string(q) + "\n";
  }
  const std::tuple<bool, const std::vector<ResourceRecord>*, const char*> sections[] = {
      {d.answer, &m.answers, "ANSWER"},
      {d.authority, &m.authorities, "AUTHORITY"},
      {d.additional, &m.additionals, "ADDITIONAL"}};
  for (auto [on, records, title] : sections) {
    if (!on || records->empty()) continue;
    if (d.comments) out += std::string("\n;; ") + title + " SECTION:\n";
    out += format_records(*records);
  }
  if (d.stats) {
    out += "\n;; Query time: " + std::to_string(facts.query_ms) + " msec\n";
    out += ";; SERVER: " + facts.server_address + "(" + facts.server_name + ") (" +
           (facts.tcp ? "TCP" : "UDP") + ")\n";
    if (!facts.when.empty()) out += ";; WHEN: " + facts.when + "\n";
    out += ";; MSG SIZE  rcvd: " + std::to_string(facts.size) + "\n";
  }
  return out;
}

}  // namespace endhost::dns::client

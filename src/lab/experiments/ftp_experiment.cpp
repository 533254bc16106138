// ftp (Kurose & Ross ch. 2, FTP): FTP sends its control information out of band, on one control connection
// that stays open for the whole session, and opens a new TCP connection for every file and every listing
// (RFC 959 §3.2, stream mode: the end of the file is the end of the connection). The experiment logs in
// anonymously, lists pub/ and downloads its three largest files: the listing and the first download over
// passive data connections (EPSV, RFC 2428 §3), the other two over active ones (EPRT: the server dials the
// client, RFC 2428 §2), then QUIT. It shows every reply on the control connection in order, and the same
// three files fetched from the site's web server over one persistent HTTP connection.
//
// What is measured: the client's own trace of the conversation (ftp::client::Session's trace hook); the
// server's side from its transcript (the dashboard's /api/transcripts: its control connections, its replies,
// one "data:" note per data connection) and its counters (sessions, transfers). The model counts round trips:
//   FTP: 1 (control handshake) + 3 (USER, PASS, TYPE I) + 4 x 3 (EPSV/EPRT, data handshake, RETR/LIST)
//        + 1 (QUIT) = 17 RTT + T, over 1 + 4 connections;
//   persistent HTTP: 1 (handshake) + 3 (one GET each) = 4 RTT + T, over 1 connection.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <vector>

#include "core/name_resolver.hpp"
#include "ftp/client/session.hpp"
#include "lab/experiments/experiments_impl.hpp"
#include "lab/experiments/lab_status.hpp"
#include "lab/experiments/table.hpp"
#include "lab/http_fetch.hpp"

namespace endhost::lab {

namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::milliseconds(10'000);
constexpr std::size_t kFiles = 3;
constexpr const char* kDirectory = "pub";

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// FNV-1a over a stream of pieces: FTP's and HTTP's copies of a file are the same bytes when these agree.
struct Fnv {
  std::uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  }
};

// One line of the client's trace: "C: …" (a command), "S: …" (a reply line), "data: N bytes", "* …".
struct Traced {
  Clock::time_point at;
  std::string line;
};

// A reply line's code when it is the last line of a reply ("226 Transfer complete"), else 0.
int final_reply_code(std::string_view text) {
  if (text.size() < 3 ||
      !std::all_of(text.begin(), text.begin() + 3, [](char c) { return c >= '0' && c <= '9'; }))
    return 0;
  if (text.size() > 3 && text[3] != ' ') return 0;
  return (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
}

struct Downloaded {
  std::string name;
  std::uint64_t bytes = 0;
  std::uint64_t hash = 0;
};

// A data connection as the client saw it: the command that set it up, the transfer, its bytes.
struct DataConnection {
  std::string mode;      // passive / active
  std::string setup;     // "EPSV" / "EPRT |1|…|"
  std::string command;   // "LIST pub" / "RETR pub/file-8MiB.bin"
  double opened_ms = 0;  // the setup command's reply (the data connection is made after it)
  double closed_ms = 0;  // the client read the end of the data (the server closed it: RFC 959 §3.4)
  std::uint64_t bytes = 0;
};

struct FtpRun {
  Clock::time_point start, end;
  std::vector<Traced> trace;
  std::vector<Downloaded> files;
  std::string listing;
};

// The names of the `count` largest regular files in a LIST reply (ls -l lines: '-' first, the size the fifth
// field, the name after the eighth), largest first.
std::vector<std::pair<std::string, std::uint64_t>> largest_files(const std::string& listing,
                                                                 std::size_t count) {
  std::vector<std::pair<std::string, std::uint64_t>> files;
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] != '-') continue;
    std::istringstream fields(line);
    std::string f[8];
    for (auto& x : f) fields >> x;
    std::string name;
    std::getline(fields >> std::ws, name);
    if (name.empty()) continue;
    std::uint64_t size = 0;
    try {
      size = std::stoull(f[4]);
    } catch (const std::exception&) {
      continue;
    }
    files.emplace_back(name, size);
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (files.size() > count) files.resize(count);
  return files;
}

std::string describe(const ftp::client::Error& e) {
  return e.message;
}

awaitable<Expected<FtpRun, std::string>> run_ftp(const LabInfo::FtpHost& host,
                                                 std::optional<asio::ip::address> source) {
  FtpRun run;
  // The lab's own name for its host, as the lab's DNS has it (no system resolver involved).
  std::map<std::string, core::Addresses> table;
  table[host.host] = {asio::ip::make_address(host.address)};
  const core::FixedNameResolver names(table);
  ftp::client::SessionOptions options;
  options.connect_timeout = kTimeout;
  options.read_timeout = kTimeout;
  options.passive = true;
  // From the user's side of the lab (the dashboard host), as the other experiments: the server's transcript
  // names that host, and the active data connections are dialled back to it.
  options.local_address = source;
  std::vector<Traced>* trace = &run.trace;
  options.trace = [trace](std::string_view line) { trace->push_back({Clock::now(), std::string(line)}); };
  ftp::client::Session session(names, std::move(options));
  run.start = Clock::now();
  const ftp::client::LoginConfig anonymous;
  auto opened = co_await session.open(host.host, host.port, anonymous);
  if (!opened) co_return Unexpected("login: " + describe(opened.error()));
  auto typed = co_await session.set_type(ftp::client::TransferType::binary);
  if (!typed) co_return Unexpected("TYPE I: " + describe(typed.error()));
  std::string* listing = &run.listing;
  const ftp::client::DataSink to_listing = [listing](std::string_view d) {
    listing->append(d);
    return listing->size() < (1u << 20);
  };
  auto listed = co_await session.listing("LIST", kDirectory, to_listing);
  if (!listed) co_return Unexpected(std::string("LIST ") + kDirectory + ": " + describe(listed.error()));
  const auto chosen = largest_files(run.listing, kFiles);
  if (chosen.size() < kFiles)
    co_return Unexpected(fmt::format("LIST {} shows {} files, not {}", kDirectory, chosen.size(), kFiles));
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (i == 1) session.set_passive(false);  // the first download passive, the other two active
    Fnv fnv;
    Fnv* f = &fnv;
    const std::string path = std::string(kDirectory) + "/" + chosen[i].first;
    const ftp::client::DataSink to_hash = [f](std::string_view d) {
      f->add(d);
      return true;
    };
    auto got = co_await session.retrieve(path, 0, to_hash);
    if (!got) co_return Unexpected("RETR " + path + ": " + describe(got.error()));
    run.files.push_back({chosen[i].first, *got, fnv.h});
  }
  co_await session.quit();
  run.end = Clock::now();
  co_return run;
}

struct HttpRun {
  double millis = 0;
  double connect_ms = 0, connected_ms = 0;
  std::size_t connections = 0;
  std::size_t requests = 0;
  std::vector<Downloaded> files;
  json::array requests_json;
};

awaitable<Expected<HttpRun, std::string>> run_http(const LabInfo::WebHost& web,
                                                   const std::vector<Downloaded>& files,
                                                   std::optional<asio::ip::address> source) {
  HttpRun r;
  const asio::ip::tcp::endpoint server(asio::ip::make_address(web.address), web.port);
  const std::string host = web.port == 80 ? web.host : fmt::format("{}:{}", web.host, web.port);
  const auto start = Clock::now();
  auto conn = co_await HttpConnection::open(server, kTimeout, source);
  if (!conn) co_return Unexpected(conn.error());
  r.connections = 1;
  r.connect_ms = ms_between(start, (*conn)->dial_started());
  r.connected_ms = ms_between(start, (*conn)->connected());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const bool last = i + 1 == files.size();
    const std::string path = std::string("/") + kDirectory + "/" + files[i].name;
    auto res = co_await (*conn)->get(path, host, !last, kTimeout);
    if (!res) co_return Unexpected(path + ": " + res.error());
    if (res->status != http::Status::ok)
      co_return Unexpected(path + ": status " + std::to_string(http::to_int(res->status)));
    if (!last && !res->keep_alive)
      co_return Unexpected(path + ": the server closed the persistent connection");
    ++r.requests;
    Fnv fnv;
    fnv.add(res->body);
    r.files.push_back({files[i].name, res->body.size(), fnv.h});
    r.requests_json.push_back(json::object{{"path", path},
                                           {"bytes", res->body.size()},
                                           {"request_ms", ms_between(start, res->sent)},
                                           {"first_byte_ms", ms_between(start, res->first_byte)},
                                           {"last_byte_ms", ms_between(start, res->done)}});
  }
  r.millis = ms_between(start, Clock::now());
  co_return r;
}

// The server's side of the run, from its transcript: control connections (distinct peers of its 'C' lines,
// each announced by a "connection opened" note), the codes of its final reply lines in order, and one
// "data: N bytes" note per data connection.
struct ServerView {
  std::set<std::string> control_peers;
  std::size_t opened_notes = 0;
  std::vector<int> replies;
  std::vector<std::uint64_t> data_bytes;
};

ServerView server_view(const std::vector<TranscriptLine>& lines, const std::string& service) {
  ServerView v;
  for (const auto& l : lines) {
    if (l.service != service) continue;
    if (l.who == 'C') v.control_peers.insert(l.peer);
    if (l.who == 'N' && l.text == "connection opened") ++v.opened_notes;
    if (l.who == 'N' && l.text.starts_with("data: ")) {
      try {
        v.data_bytes.push_back(std::stoull(l.text.substr(6)));
      } catch (const std::exception&) {
      }
    }
    if (l.who == 'S') {
      std::istringstream in(l.text);
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (int code = final_reply_code(line)) v.replies.push_back(code);
      }
    }
  }
  return v;
}

std::string codes_text(const std::vector<int>& codes) {
  std::string out;
  for (int c : codes) out += (out.empty() ? "" : " ") + std::to_string(c);
  return out;
}

}  // namespace

awaitable<int> ftp_experiment(const LabInfo& lab, const ExperimentOptions& /*options*/, std::ostream& out,
                              json::object& data) {
  if (lab.ftp.empty()) {
    out << "ftp: this lab has no FTP host (a host with ftp = { … })\n";
    co_return 1;
  }
  const LabInfo::FtpHost& ftp_host = lab.ftp.front();
  const LabInfo::WebHost* web = nullptr;
  for (const auto& w : lab.web) {
    if (!ftp_host.site.empty() && w.site == ftp_host.site) web = &w;
  }
  if (!web) {
    out << "ftp: no web host serves the FTP host's files (ftp.site = \"NAME\" with a host web.site = "
           "\"NAME\")\n";
    co_return 1;
  }
  const auto source = lab.client_address();
  const asio::ip::tcp::endpoint web_server(asio::ip::make_address(web->address), web->port);

  // RTT: a TCP handshake costs one round trip (median of 9, to the web server: a handshake to the FTP
  // server would be a session of its own).
  std::vector<double> handshakes;
  for (int i = 0; i < 9; ++i) {
    const auto start = Clock::now();
    auto conn = co_await HttpConnection::open(web_server, kTimeout, source);
    if (!conn) {
      out << "ftp: " << conn.error() << "\n";
      co_return 1;
    }
    handshakes.push_back(ms_between(start, Clock::now()));
  }
  const double rtt = median(handshakes);

  const auto seq_before = co_await read_transcript_seq(lab);
  const auto counters_before = co_await read_counters(lab);
  auto ftp = co_await run_ftp(ftp_host, source);
  if (!ftp) {
    out << "ftp: " << ftp.error() << "\n";
    co_return 1;
  }
  const auto counters_after = co_await read_counters(lab);
  std::optional<std::vector<TranscriptLine>> transcript;
  if (seq_before) transcript = co_await read_transcripts(lab, *seq_before);

  const auto http_seq = co_await read_transcript_seq(lab);
  auto http_run = co_await run_http(*web, ftp->files, source);
  if (!http_run) {
    out << "ftp: HTTP: " << http_run.error() << "\n";
    co_return 1;
  }
  // The web server's side: the connections its transcript saw requests on (distinct peers of 'C' lines).
  std::optional<std::size_t> web_connections;
  if (http_seq) {
    auto web_lines = co_await read_transcripts(lab, *http_seq);
    if (web_lines) {
      std::set<std::string> peers;
      for (const auto& l : *web_lines) {
        if (l.service == web->host + "/web" && l.who == 'C') peers.insert(l.peer);
      }
      web_connections = peers.size();
    }
  }

  // Transmission rate: the largest file again on a warm persistent connection (each GET costs one RTT plus
  // its transmission and the server's time).
  double rate = 0;  // bytes per ms
  {
    auto conn = co_await HttpConnection::open(web_server, kTimeout, source);
    if (!conn) {
      out << "ftp: " << conn.error() << "\n";
      co_return 1;
    }
    const std::string host = web->port == 80 ? web->host : fmt::format("{}:{}", web->host, web->port);
    const std::string largest = std::string("/") + kDirectory + "/" + ftp->files.front().name;
    std::vector<double> rates;
    for (int i = 0; i < 4; ++i) {
      const auto start = Clock::now();
      auto res = co_await (*conn)->get(largest, host, true, kTimeout);
      const double took = ms_between(start, Clock::now());
      if (!res) {
        out << "ftp: " << res.error() << "\n";
        co_return 1;
      }
      if (i > 0) rates.push_back(static_cast<double>(res->body.size()) / std::max(took - rtt, 1e-3));
    }
    rate = median(rates);
  }

  // The client's view, from its trace.
  const Clock::time_point t0 = ftp->start;
  json::array conversation, data_json;
  std::vector<int> replies;
  std::vector<DataConnection> data_conns;
  std::size_t commands = 0;
  std::string last_setup;
  double last_setup_ms = 0;
  std::string pending_command;
  for (const auto& t : ftp->trace) {
    const double at = ms_between(t0, t.at);
    std::string who, text = t.line;
    if (t.line.starts_with("C: ")) {
      who = "C";
      text = t.line.substr(3);
      ++commands;
      if (text.starts_with("EPSV") || text.starts_with("PASV") || text.starts_with("EPRT") ||
          text.starts_with("PORT")) {
        last_setup = text;
      } else if (!last_setup.empty() &&
                 (text.starts_with("RETR") || text.starts_with("LIST") || text.starts_with("NLST"))) {
        pending_command = text;
      }
    } else if (t.line.starts_with("S: ")) {
      who = "S";
      text = t.line.substr(3);
      const int code = final_reply_code(text);
      if (code) replies.push_back(code);
      if (code && !last_setup.empty() && pending_command.empty()) last_setup_ms = at;  // 229 / 200
    } else if (t.line.starts_with("data: ")) {
      who = "data";
      DataConnection d;
      d.setup = last_setup;
      d.mode = last_setup.starts_with("EPSV") || last_setup.starts_with("PASV") ? "passive" : "active";
      d.command = pending_command;
      d.opened_ms = last_setup_ms;
      d.closed_ms = at;
      try {
        d.bytes = std::stoull(t.line.substr(6));
      } catch (const std::exception&) {
      }
      data_conns.push_back(d);
      last_setup.clear();
      pending_command.clear();
    } else {
      who = "note";
    }
    json::object line{{"t_ms", at}, {"who", who}, {"text", text}};
    line["connection"] = who == "data" ? fmt::format("data {}", data_conns.size()) : std::string("control");
    conversation.push_back(std::move(line));
  }
  const std::size_t client_control = 1;  // one Session::open, one dial
  const std::size_t client_data = data_conns.size();
  const std::size_t ftp_round_trips = client_control + client_data + commands;
  const double ftp_ms = ms_between(ftp->start, ftp->end);

  std::uint64_t ftp_bytes = 0, listing_bytes = ftp->listing.size();
  for (const auto& f : ftp->files) ftp_bytes += f.bytes;
  const double transfer_ms = rate > 0 ? static_cast<double>(ftp_bytes) / rate : 0;

  // The server's view.
  const std::string service = ftp_host.host + "/ftp";
  ServerView sv;
  if (transcript) sv = server_view(*transcript, service);
  std::optional<std::uint64_t> sessions, transfers;
  if (counters_before && counters_after) {
    sessions = counters_after->sum("ftp", "sessions") - counters_before->sum("ftp", "sessions");
    transfers = counters_after->sum("ftp", "transfers") - counters_before->sum("ftp", "transfers");
  }

  // The model.
  const std::size_t model_data = kFiles + 1;  // a connection per file and per listing
  const double model_ftp_rtts = 1 + 3 + 3.0 * model_data + 1;
  const double model_http_rtts = 1 + static_cast<double>(kFiles);

  out << fmt::format(
      "ftp: ftp://{}:{}/{}/ (anonymous), the {} largest files and a listing; the same files "
      "from http://{}/{}/\n",
      ftp_host.host, ftp_host.port, kDirectory, kFiles, web->host, kDirectory);
  out << fmt::format(
      "RTT (TCP handshake, median of 9): {} ms; T, transmission of {} bytes: {} ms ({:.1f} MB/s "
      "on a warm connection)\n\n",
      ms(rtt), ftp_bytes, ms(transfer_ms), rate / 1000.0);
  out << "The control connection (client's trace, t in ms since the dial):\n";
  Table conv({"t ms", "connection", "line"});
  std::size_t data_seen = 0;
  for (const auto& t : ftp->trace) {
    const bool is_data = t.line.starts_with("data: ");
    if (is_data) ++data_seen;
    conv.add({ms(ms_between(t0, t.at)), is_data ? fmt::format("data {}", data_seen) : "control", t.line});
  }
  out << conv.render() << "\n";

  out << "The data connections, one per transfer, each closed by the server at the end of the data:\n";
  Table dt({"#", "mode", "set up by", "carried", "bytes", "opened ms", "closed ms"});
  for (std::size_t i = 0; i < data_conns.size(); ++i) {
    const auto& d = data_conns[i];
    dt.add({std::to_string(i + 1), d.mode, d.setup, d.command, std::to_string(d.bytes), ms(d.opened_ms),
            ms(d.closed_ms)});
    data_json.push_back(json::object{{"mode", d.mode},
                                     {"setup", d.setup},
                                     {"command", d.command},
                                     {"bytes", d.bytes},
                                     {"opened_ms", d.opened_ms},
                                     {"closed_ms", d.closed_ms}});
  }
  out << dt.render() << "\n";

  Table table({"setting", "connections", "round trips", "model RTTs", "measured ms", "model ms"});
  table.add({"FTP: 1 control + data per transfer", fmt::format("{} + {}", client_control, client_data),
             std::to_string(ftp_round_trips), fmt::format("{:g}", model_ftp_rtts), ms(ftp_ms),
             ms(model_ftp_rtts * rtt + transfer_ms)});
  table.add({"persistent HTTP", std::to_string(http_run->connections),
             std::to_string(http_run->connections + http_run->requests), fmt::format("{:g}", model_http_rtts),
             ms(http_run->millis), ms(model_http_rtts * rtt + transfer_ms)});
  out << table.render();
  out << fmt::format("\nReplies on the control connection, in order: {}\n", codes_text(replies));
  if (transcript) {
    out << fmt::format(
        "The server's transcript: {} control connection(s), {} data connection(s), replies {}\n",
        sv.control_peers.size(), sv.data_bytes.size(), codes_text(sv.replies));
  } else {
    out << "(no dashboard: the server's side is not shown)\n";
  }
  if (sessions && transfers)
    out << fmt::format("The server's counters: {} session(s), {} transfer(s)\n", *sessions, *transfers);
  if (web_connections)
    out << fmt::format("The web server's transcript: requests on {} connection(s)\n", *web_connections);
  out << fmt::format(
      "\nThe model (Kurose & Ross ch. 2): FTP keeps one control connection for the session and opens a TCP\n"
      "connection for each file and each listing: {} RTT + T, {} connections. Persistent HTTP sends the\n"
      "same files on one connection, one request each: {} RTT + T. {}\n",
      model_ftp_rtts, 1 + model_data, model_http_rtts,
      lab.network == "emulated"
          ? fmt::format("Here an RTT is {} ms; the model leaves out TCP's slow start,\n"
                        "which a connection pays before it fills the link (each FTP data connection anew), "
                        "so both times\nare above it and FTP's more so; the counts are exact.",
                        ms(rtt))
          : fmt::format("On loopback an RTT is {} ms, so the\n"
                        "time mostly shows the work per command and per connection; the counts are exact.",
                        ms(rtt)));

  // Checks: the counts the model predicts, both sides agreeing, the same bytes over both protocols.
  std::vector<std::string> problems;
  if (client_data != model_data)
    problems.push_back(fmt::format("{} data connections, not {}", client_data, model_data));
  if (transcript) {
    if (sv.control_peers.size() != 1)
      problems.push_back(fmt::format("the server saw {} control connections", sv.control_peers.size()));
    if (sv.data_bytes.size() != client_data)
      problems.push_back(fmt::format("the server noted {} data connections", sv.data_bytes.size()));
    if (sv.replies != replies) problems.push_back("the server's replies are not the ones the client read");
  }
  if (sessions && *sessions != 1)
    problems.push_back(fmt::format("the server counted {} sessions", *sessions));
  if (transfers && *transfers != client_data)
    problems.push_back(fmt::format("the server counted {} transfers", *transfers));
  if (http_run->connections != 1) problems.push_back("HTTP used more than one connection");
  if (web_connections && *web_connections != 1)
    problems.push_back(fmt::format("the web server saw requests on {} connections", *web_connections));
  for (std::size_t i = 0; i < ftp->files.size(); ++i) {
    const auto& a = ftp->files[i];
    const auto& b = http_run->files[i];
    if (a.bytes != b.bytes || a.hash != b.hash)
      problems.push_back(fmt::format("{}: FTP and HTTP gave different bytes", a.name));
  }
  for (const auto& p : problems) out << "ftp: " << p << "\n";

  json::array files_json;
  for (const auto& f : ftp->files) files_json.push_back(json::object{{"name", f.name}, {"bytes", f.bytes}});
  json::array reply_codes, server_codes;
  for (int c : replies) reply_codes.push_back(c);
  for (int c : sv.replies) server_codes.push_back(c);
  data["ftp_server"] =
      json::object{{"host", ftp_host.host}, {"address", ftp_host.address}, {"port", ftp_host.port}};
  data["web_server"] = json::object{{"host", web->host}, {"address", web->address}, {"port", web->port}};
  data["files"] = std::move(files_json);
  data["rtt_ms"] = rtt;
  data["transmission_ms"] = transfer_ms;
  data["ftp"] = json::object{
      {"control_connections", client_control},
      {"data_connections", client_data},
      {"commands", commands},
      {"round_trips", ftp_round_trips},
      {"bytes", ftp_bytes},
      {"listing_bytes", listing_bytes},
      {"measured_ms", ftp_ms},
      {"model_rtts", model_ftp_rtts},
      {"model_ms", model_ftp_rtts * rtt + transfer_ms},
      {"model_connections", 1 + model_data},
      {"replies", std::move(reply_codes)},
      {"conversation", std::move(conversation)},
      {"data", std::move(data_json)},
  };
  json::object server{{"replies", std::move(server_codes)}};
  if (transcript) {
    server["control_connections"] = sv.control_peers.size();
    server["data_connections"] = sv.data_bytes.size();
  }
  if (sessions) server["sessions_counted"] = *sessions;
  if (transfers) server["transfers_counted"] = *transfers;
  data["ftp_server_view"] = std::move(server);
  data["http"] = json::object{
      {"connections", http_run->connections},
      {"requests", http_run->requests},
      {"round_trips", http_run->connections + http_run->requests},
      {"measured_ms", http_run->millis},
      {"connect_ms", http_run->connect_ms},
      {"connected_ms", http_run->connected_ms},
      {"server_connections", web_connections ? json::value(*web_connections) : json::value(nullptr)},
      {"model_rtts", model_http_rtts},
      {"model_ms", model_http_rtts * rtt + transfer_ms},
      {"objects", std::move(http_run->requests_json)}};
  co_return problems.empty() ? 0 : 1;
}

}  // namespace endhost::lab

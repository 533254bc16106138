// dig's command-line grammar for `endhost dns query`, beside endhost's own options: `@server`, `-p PORT`,
// a type and class before or after the name, several names (each with its own type), `-x ADDR` for the
// reverse lookup, `-t TYPE`, `-c CLASS`, `-q NAME`, and the `+option`s a user types most (+short, +trace,
// +[no]recurse, +tcp/+vc, +[no]edns, +bufsize=N, +time=N, +tries=N, +[no]all with the section switches
// +[no]answer, +[no]question, +[no]authority, +[no]additional, +[no]comments, +[no]stats, +[no]cmd).
// Pure: words in, what to ask and how to print out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "dns/types.hpp"

namespace endhost::dns::client {

// What dig prints of each response (its display flags); +short prints only the answers' RDATA.
struct Display {
  bool cmd = true;       // the "; <<>> … <<>>" banner
  bool comments = true;  // ";; Got answer:", the header, flags and OPT lines, section titles
  bool question = true;
  bool answer = true;
  bool authority = true;
  bool additional = true;
  bool stats = true;  // query time, server, when, size
  bool short_form = false;
  bool everything() const {
    return cmd && comments && question && answer && authority && additional && stats && !short_form;
  }
};

struct DigQuestion {
  std::string name;
  RRType type = RRType::A;
  RRClass klass = RRClass::IN;
  std::string typed;  // the words as given, for the banner ("www.example.com MX")
};

struct DigArgs {
  std::vector<DigQuestion> questions;  // none given: ". NS", as dig asks
  std::string server;                  // @server (an address, or ADDR:PORT)
  std::optional<std::uint16_t> port;   // -p
  std::optional<bool> tcp, recurse, trace, edns;
  std::optional<std::uint16_t> bufsize;
  std::optional<double> timeout;  // +time=N seconds
  std::optional<int> tries;       // +tries=N
  Display display;
};

// Errors are one sentence naming the word: "'+shrot' is not a dig option (+short, +trace, +norecurse, …)".
Expected<DigArgs, std::string> parse_dig_words(const std::vector<std::string>& words);

// -x: the in-addr.arpa (RFC 1035 §3.5) or ip6.arpa (RFC 3596 §2.5) name of an address.
Expected<std::string, std::string> reverse_name(std::string_view address);

// --trace's hints: the file given, else the system's named.root (as `resolver serve` does), else an error
// saying which file to give.
Expected<std::string, std::string> trace_root_hints(const std::string& given, bool system_hints_exist,
                                                    const std::string& system_hints);

}  // namespace endhost::dns::client

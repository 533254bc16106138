// The iterative walk of `endhost dns query --trace` (RFC 1034 §5.3.3, the textbook's dig exercise), as a
// sans-I/O state machine: it says which server to ask next, classifies each response (referral, answer,
// NXDOMAIN, NODATA, lame), and follows referrals from the root down until an authoritative answer. The
// driver does the sending and the printing.
//
// Referrals are taken only when they make progress: the child zone must be strictly below the zone asked and
// at or above the query name, and glue is used only inside the zone asked (its bailiwick); other server
// names are returned by needs_address() for the driver to resolve with a walk of their own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/types.hpp"

namespace endhost::dns::client {

struct ServerAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first four octets
  std::string to_string() const;
  friend bool operator==(const ServerAddress&, const ServerAddress&) = default;
};

struct NameServer {
  Name name;
  std::vector<ServerAddress> addresses;
};

struct TraceLimits {
  std::size_t max_referrals = 32;  // zone cuts followed
  std::size_t max_queries = 64;    // queries sent by one walk
};

class TraceWalk {
 public:
  TraceWalk(Name qname, RRType qtype, std::vector<NameServer> roots, TraceLimits limits = {});

  struct Ask {
    Name zone;    // the zone the server is asked as an authority for
    Name server;  // its name (for the printout)
    ServerAddress address;
  };
  // The next query to send (qname/qtype to `address`), or nothing: the walk ended (outcome()) or it waits
  // for addresses (needs_address()).
  std::optional<Ask> next();

  enum class Reply : std::uint8_t { referral, answer, nxdomain, nodata, lame, error };
  // Classifies the response to the last Ask and moves on. For a referral, `zone()` is then the child.
  Reply on_response(const Message& response);
  // The last Ask got no usable response (timeout, unreachable): the next address is tried.
  void on_no_response();

  // A server of the current zone whose address must be found before the walk can continue: only when no
  // other address is left to try. provide_addresses() answers it (an empty list: could not be resolved).
  std::optional<Name> needs_address() const;
  void provide_addresses(const Name& server, std::vector<ServerAddress> addresses);

  enum class Outcome : std::uint8_t { running, answer, nxdomain, nodata, failed };
  Outcome outcome() const { return outcome_; }
  const std::string& failure() const { return failure_; }
  const Name& zone() const { return zone_; }
  const Name& qname() const { return qname_; }
  RRType qtype() const { return qtype_; }
  const std::vector<NameServer>& servers() const { return servers_; }

 private:
  struct Target {
    std::size_t server;
    ServerAddress address;
  };
  void enter_zone(Name zone, std::vector<NameServer> servers);
  void fail(std::string why);

  Name qname_;
  RRType qtype_;
  TraceLimits limits_;
  Name zone_;
  std::vector<NameServer> servers_;
  std::vector<bool> resolved_;  // per server: an address lookup was already done
  std::vector<Target> targets_;
  std::size_t next_target_ = 0;
  std::optional<Ask> pending_;
  std::size_t referrals_ = 0;
  std::size_t queries_ = 0;
  Outcome outcome_ = Outcome::running;
  std::string failure_;
};

const char* to_string(TraceWalk::Reply reply);

}  // namespace endhost::dns::client

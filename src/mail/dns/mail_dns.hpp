// The DNS questions mail asks: MX for the relay (RFC 5321 §5.1), TXT for SPF and DKIM keys (RFC 7208,
// RFC 6376 §3.6.2), A/AAAA for the next hop and SPF's a/mx mechanisms. One interface so that the relay, the
// checks and `endhost mail send` share one resolver client, and their unit tests share one fake.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/asio.hpp"
#include "core/socket_place.hpp"
#include "mail/dns/mail_dns_types.hpp"

namespace endhost::mail::dns {

class MailDns {
 public:
  virtual ~MailDns() = default;
  // Sorted by preference (RFC 5321 §5.1); hosts of equal preference keep the order of the answer.
  virtual awaitable<std::pair<LookupStatus, std::vector<MxHost>>> mx(std::string domain) const = 0;
  // Each TXT RR's character-strings joined without separator (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
  virtual awaitable<std::pair<LookupStatus, std::vector<std::string>>> txt(std::string name) const = 0;
  // A records then AAAA records. Ok when either has an address; NoData when the name exists with neither.
  virtual awaitable<std::pair<LookupStatus, std::vector<asio::ip::address>>> addresses(
      std::string host) const = 0;
};

// Asks one recursive resolver (`--resolver ADDR:PORT`, the lab's) over src/dns/client/transport.hpp: UDP
// with strict answer matching, TCP when the answer is truncated, CNAMEs followed within the answer.
// `source`: the address to send from (a lab host's own); `place`: where its sockets are made (the lab host's
// namespace). Usable from any loop.
std::shared_ptr<const MailDns> resolver_mail_dns(asio::ip::udp::endpoint resolver,
                                                 std::optional<asio::ip::address> source = {},
                                                 core::SocketPlace place = {});

// In-memory answers for tests. Names compare case-insensitively and without a trailing dot. A name in
// none of the maps is NxDomain; a name present in some map but not the one asked is NoData; a name in
// `temp_fail` gives TempFail for every type.
class FakeMailDns final : public MailDns {
 public:
  std::map<std::string, std::vector<MxHost>> mx_records;
  std::map<std::string, std::vector<std::string>> txt_records;
  std::map<std::string, std::vector<asio::ip::address>> address_records;
  std::vector<std::string> temp_fail;

  awaitable<std::pair<LookupStatus, std::vector<MxHost>>> mx(std::string domain) const override;
  awaitable<std::pair<LookupStatus, std::vector<std::string>>> txt(std::string name) const override;
  awaitable<std::pair<LookupStatus, std::vector<asio::ip::address>>> addresses(
      std::string host) const override;

  // How many questions were asked (tests check SPF's lookup limits with it).
  mutable std::size_t queries = 0;

 private:
  LookupStatus status_of(const std::string& name, bool present) const;
};

}  // namespace endhost::mail::dns

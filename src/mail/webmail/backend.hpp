// What the webmail needs from the mail server it runs in, as an interface, so that the webmail library
// depends on the store and the HTTP codec but not on the SMTP server (which owns the listener and
// implements this: mail/server/webmail_backend.cpp), and its handlers can be tested over a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asio.hpp"
#include "core/blocking_pool.hpp"
#include "mail/store/store.hpp"

namespace endhost::mail::webmail {

struct Submission {
  std::string user;                     // the users-file name of the sender (the "AUTH" identity)
  std::string sender;                   // the envelope sender (MAIL FROM): the user's address
  std::vector<std::string> recipients;  // envelope recipients, local@domain
  std::string message;                  // CRLF lines, as build_message wrote it
  bool smtputf8 = false;
  std::string peer_address;  // the browser's IP, for Received:
};

struct SubmitResult {
  bool accepted = false;
  bool temporary = false;  // not accepted, but a later try may be (queue full, disk)
  std::string id;          // the transaction id (Received: … id ID) when accepted
  std::string error;       // one sentence for the user when not accepted
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual store::Store& store() = 0;
  // For every store call: the store blocks on the disk.
  virtual core::BlockingPool& pool() = 0;
  // The users-file name when `password` is the user's (the check runs on the pool); nullopt otherwise.
  virtual awaitable<std::optional<std::string>> login(std::string_view user, std::string_view password) = 0;
  // The address the user sends from: the name itself when it has a domain, else name@first-domain.
  virtual std::string address_of(std::string_view user) const = 0;
  // The SMTP server's submission path for an authenticated sender: local recipients into their Maildirs,
  // remote ones into the queue, DKIM-signed as AUTH submissions are. `s` must outlive the await.
  virtual awaitable<SubmitResult> submit(Submission& s) = 0;
  virtual std::size_t max_recipients() const = 0;
  virtual std::uint64_t max_message_size() const = 0;
};

}  // namespace endhost::mail::webmail

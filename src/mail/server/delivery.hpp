// The delivery of one accepted message, shared by the SMTP session (mail_session.cpp) and the webmail's
// compose (webmail_backend.cpp), so that mail a user sends from the browser takes the same submission path
// as mail sent with AUTH: our users' mail DKIM-signed (RFC 6376 §5), remote recipients into the queue first
// (one .msg and one .env, fsynced), then the local copies into the Maildirs, durable before it answers
// Accepted (RFC 5321 §6.1); local copies that fail go into the queue when others were written already.
#pragma once

#include <string>
#include <string_view>

#include "core/asio.hpp"
#include "core/clock.hpp"
#include "mail/server/mail_server.hpp"
#include "smtp/server_session.hpp"

namespace endhost::mail::server {

// `message` with a DKIM-Signature of its From domain in front when the server has that domain's key;
// "" when it has none (the message goes unsigned).
std::string sign_outbound(const MailServer& server, std::string_view message, core::WallTime now);

// Where the delivery's log lines and counters go: the transcript's peer name and the loop's counter shard.
struct DeliveryContext {
  std::string_view peer;     // "127.0.0.1:40122", for --trace notes
  std::string_view peer_ip;  // for Received: (`from HELO (unknown [ip])`)
  std::size_t loop_index = 0;
};

// Delivers `message` (after the checks or the signature: what goes into the mailboxes and the queue) to
// `env`'s recipients. `env.transaction_id` must be set; it is replaced by a fresh one if the queue has that
// id already (the value left in it is the one to report). Runs the blocking work on the server's pool.
// `env`, `ctx` and `message` must outlive the await.
awaitable<smtp::DeliveryOutcome> deliver_message(MailServer& server, smtp::Envelope& env,
                                                 const DeliveryContext& ctx, std::string_view message,
                                                 core::WallTime now);

}  // namespace endhost::mail::server

// The three messages of the mail-access experiment, the same for each way of reading them: two short notes
// from Alice and one with a large attachment (the part an IMAP client can leave on the server or fetch a
// piece of, RFC 9051 §6.4.5 BODY[2]<0.1024>). Built by the project's own MIME builder; sans I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace endhost::lab {

// The attachment's size before base64: 200 KiB, large beside the notes and beside the 1 KiB fetched of it.
inline constexpr std::size_t kAttachmentBytes = 200 * 1024;
inline constexpr const char* kAttachmentName = "measurements.bin";

struct AccessMessage {
  std::string subject;
  std::string message_id;  // "<…>", unique per run
  std::string text;        // CRLF lines, ready for SMTP
  bool has_attachment = false;
};

// `run` makes the Message-IDs unique ("pop3-delete.1733…"), `domain` is the sender's. The attachment's
// bytes are the same in every run (a fixed pseudo-random sequence: base64 of it does not compress).
std::vector<AccessMessage> mail_access_messages(const std::string& from, const std::string& to,
                                                const std::string& run, const std::string& domain,
                                                core::WallTime date);

// The attachment's bytes, for checking what a client got back.
std::string mail_access_attachment();

}  // namespace endhost::lab

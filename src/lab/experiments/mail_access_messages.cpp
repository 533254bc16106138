#include "lab/experiments/mail_access_messages.hpp"

#include "mail/message/message.hpp"

namespace endhost::lab {

std::string mail_access_attachment() {
  // xorshift64: a fixed sequence, no randomness needed, every run the same bytes.
  std::string out(kAttachmentBytes, '\0');
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x >> 56);
  }
  return out;
}

std::vector<AccessMessage> mail_access_messages(const std::string& from, const std::string& to,
                                                const std::string& run, const std::string& domain,
                                                core::WallTime date) {
  struct Spec {
    const char* subject;
    const char* body;
    bool attachment;
  };
  static constexpr Spec kSpecs[] = {
      {"Notes from Tuesday", "Bob,\n\nThe notes from Tuesday's lecture: section 2.3, mail.\n\nAlice\n",
       false},
      {"Lab on Friday", "Bob,\n\nThe lab is on Friday at ten, room 2.16.\n\nAlice\n", false},
      {"Measurements", "Bob,\n\nThe measurements from the lab are attached (200 KiB).\n\nAlice\n", true},
  };
  std::vector<AccessMessage> out;
  int n = 0;
  for (const auto& s : kSpecs) {
    ++n;
    mail::message::MessageSpec spec;
    spec.from = "Alice <" + from + ">";
    spec.to = {"Bob <" + to + ">"};
    spec.subject = s.subject;
    spec.body = s.body;
    spec.date = date;
    spec.message_id = "<" + run + "." + std::to_string(n) + "@" + domain + ">";
    spec.boundary = "=_endhost_lab_" + std::to_string(n);
    if (s.attachment)
      spec.attachments.push_back({kAttachmentName, "application/octet-stream", mail_access_attachment()});
    out.push_back({s.subject, spec.message_id, mail::message::build_message(spec).text, s.attachment});
  }
  return out;
}

}  // namespace endhost::lab

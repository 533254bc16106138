#include "ftp/ascii.hpp"

namespace endhost::ftp {

void AsciiEncoder::encode(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + in.size() / 32);
  std::size_t start = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\n') {
      const bool has_cr = i > 0 ? in[i - 1] == '\r' : last_was_cr_;
      if (!has_cr) {
        out.append(in.substr(start, i - start));
        out += "\r\n";
        start = i + 1;
      }
    }
  }
  out.append(in.substr(start));
  if (!in.empty()) last_was_cr_ = in.back() == '\r';
}

void AsciiDecoder::decode(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + 1);
  std::size_t i = 0;
  if (pending_cr_ && !in.empty()) {
    pending_cr_ = false;
    if (in[0] != '\n') out += '\r';  // a lone CR is data; CRLF becomes the LF that follows
  }
  std::size_t start = i;
  for (; i < in.size(); ++i) {
    if (in[i] != '\r') continue;
    if (i + 1 == in.size()) {  // what follows is in the next chunk
      out.append(in.substr(start, i - start));
      pending_cr_ = true;
      return;
    }
    if (in[i + 1] == '\n') {
      out.append(in.substr(start, i - start));
      start = i + 1;  // keep the LF
    }
  }
  out.append(in.substr(start));
}

void AsciiDecoder::finish(std::string& out) {
  if (pending_cr_) out += '\r';
  pending_cr_ = false;
}

}  // namespace endhost::ftp

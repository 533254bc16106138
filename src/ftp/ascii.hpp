// TYPE A (RFC 959 §3.1.1.1): the data connection carries NVT-ASCII lines, each ended by CRLF. The server
// stores files with the system's LF, so a download turns every LF into CRLF and an upload every CRLF into
// LF. Both converters are streaming and keep the one byte of state a chunk boundary needs, so the output is
// the same whichever way the input is split (the unit tests try every split point). Standard library only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace endhost::ftp {

// Downloads (RETR, LIST and NLST in TYPE A): LF → CRLF. A CR already followed by LF in the file stays one
// CRLF (vsftpd and wu-ftpd do the same: a file that already has CRLF is not doubled to CR CR LF).
class AsciiEncoder {
 public:
  // Appends the converted `in` to `out`.
  void encode(std::string_view in, std::string& out);
  // Bytes a chunk of n input bytes can grow to, at most.
  static constexpr std::size_t max_output(std::size_t n) { return 2 * n; }

 private:
  bool last_was_cr_ = false;
};

// Uploads (STOR, APPE, STOU in TYPE A): CRLF → LF. A CR that is not followed by LF is data and is kept; a
// CR at the end of a chunk is held until the next chunk (or finish()) says what follows it.
class AsciiDecoder {
 public:
  void decode(std::string_view in, std::string& out);
  // End of the upload: a CR held back is written out.
  void finish(std::string& out);

 private:
  bool pending_cr_ = false;
};

}  // namespace endhost::ftp

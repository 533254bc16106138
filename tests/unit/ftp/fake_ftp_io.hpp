// A fake I/O layer for ServerSession tests: a reader for the control connection, a small in-memory tree,
// one user (bob / secret), passive port 50000, and transfers that complete at once (except /pub/slow.bin,
// which runs until ABOR). Each action the session asks for is noted (`N:` lines in the transcripts), then
// answered through the session's completions, as src/ftp/server/ does over real sockets.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ftp/server_session.hpp"
#include "text/command_reader.hpp"

namespace endhost::ftp::test {

struct FakeFile {
  std::uint64_t size = 0;
  core::WallTime mtime{};
};

class FakeFtpIo {
 public:
  explicit FakeFtpIo(SessionConfig config, std::size_t max_line = 512);

  // What a client sent (any split); runs every complete line through the session.
  void receive(std::string_view bytes);
  std::string take_output();
  std::vector<std::string> take_notes();
  void advance(std::chrono::milliseconds by) { now_ += by; }
  bool closed() const { return closed_ && session_.writer().empty(); }

  ServerSession& session() { return session_; }
  std::map<std::string, FakeFile>& files() { return files_; }
  std::set<std::string>& dirs() { return dirs_; }

  // Carries out `action` and every action that follows from it, then the lines the session kept.
  void perform(Action action);

 private:
  void carry_out(Action& action);
  FsResult do_fs(const action::Fs& fs);
  Action do_transfer(const action::Transfer& t);
  void note(std::string text) { notes_.push_back(std::move(text)); }

  ServerSession session_;
  text::CommandReader reader_;
  std::map<std::string, FakeFile> files_;
  std::set<std::string> dirs_;
  std::vector<std::string> notes_;
  core::Instant now_{std::chrono::milliseconds(1'000'000)};
  bool closed_ = false;
  bool tls_ = false;
  int stou_counter_ = 0;
};

// The configuration the transcripts run with; a file name prefix changes it: `tls_required_`, `readonly_`,
// `noanon_`, `v6_`, `limited_` (3 commands per second).
SessionConfig transcript_config(const std::string& file_name);

}  // namespace endhost::ftp::test

// Feeds arbitrary bytes to the command reader, under a configuration and read size the input picks, playing a
// session that starts DATA on `DATA` and decides literals by their size. Checks the reader's promises: no
// line over the limit, no line end inside a line, nothing held past the buffer's maximum, a DATA body within
// its limit, an accepted literal delivered exactly; and the same events whether the input comes whole or in
// pieces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "text/command_reader.hpp"

namespace {

using endhost::text::CommandReader;
using endhost::text::LineEnding;
using endhost::text::ReaderConfig;
using endhost::text::ReadEvent;
using Kind = ReadEvent::Kind;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

class Session {
 public:
  explicit Session(const ReaderConfig& config) : reader_(config), config_(reader_.config()) {}

  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const std::size_t n = reader_.feed(bytes);
      check(n > 0);  // never stuck once drained
      bytes.remove_prefix(n);
      check(reader_.buffered() <= config_.limits.max_buffer);
      drain();
    }
  }

  std::string log;  // chunks merged, so that it does not depend on how the input was split

 private:
  void append(char tag, std::string_view text) {
    if (tag == last_ && (tag == 'd' || tag == 'b')) {
      log.append(text);
      return;
    }
    log += '|';
    log += tag;
    log.append(text);
    last_ = tag;
  }

  void drain() {
    for (;;) {
      const ReadEvent e = reader_.next();
      switch (e.kind) {
        case Kind::NeedMore:
          return;
        case Kind::AwaitingDecision:
          check(false);
          return;
        case Kind::Line:
          check(e.text.size() <= config_.limits.max_line);
          if (config_.line_ending == LineEnding::Crlf)
            check(e.text.find_first_of("\r\n") == std::string_view::npos);
          if (config_.line_ending == LineEnding::LfOrCrlf) check(e.text.find('\n') == std::string_view::npos);
          append('l', e.text);
          if (e.text == "DATA") {
            reader_.begin_data(max_data_);
            data_ = 0;
          }
          break;
        case Kind::LiteralAnnounced:
          append('a', e.text);
          if (e.literal_size % 3 != 0 && reader_.accept_literal()) {
            check(e.literal_size <= config_.limits.max_literal);
            literal_left_ = e.literal_size;
            in_literal_ = true;
          } else {
            reader_.refuse_literal();
          }
          break;
        case Kind::LiteralChunk:
          check(in_literal_ && e.text.size() <= literal_left_ && !e.text.empty());
          literal_left_ -= e.text.size();
          append('b', e.text);
          break;
        case Kind::LiteralEnd:
          check(in_literal_ && literal_left_ == 0);
          in_literal_ = false;
          append('e', {});
          break;
        case Kind::DataChunk:
          data_ += e.text.size();
          check(data_ <= max_data_ && !e.text.empty());
          append('d', e.text);
          break;
        case Kind::DataEnd:
          append(e.has_error ? 'X' : 'E', {});
          break;
        case Kind::Error:
          append('!', describe(e.error));
          break;
      }
    }
  }

  CommandReader reader_;
  const ReaderConfig& config_;
  std::uint64_t max_data_ = 100;
  std::uint64_t data_ = 0;
  std::uint64_t literal_left_ = 0;
  bool in_literal_ = false;
  char last_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  ReaderConfig config;
  config.line_ending = (data[0] & 1) != 0 ? LineEnding::LfOrCrlf : LineEnding::Crlf;
  config.literals = (data[0] & 2) != 0;
  config.limits.max_line = 1 + (data[0] >> 2) % 40;
  config.limits.max_buffer = config.limits.max_line + 2 + data[1] % 64;
  config.limits.max_literal = 16;
  const std::size_t piece = 1 + data[1] % 13;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  Session whole(config);
  whole.feed(input);
  Session pieces(config);
  for (std::size_t at = 0; at < input.size(); at += piece) pieces.feed(input.substr(at, piece));
  check(whole.log == pieces.log);
  return 0;
}

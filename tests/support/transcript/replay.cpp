#include "replay.hpp"

#include <algorithm>
#include <filesystem>

namespace endhost::test {

namespace {

std::string quote(std::string_view bytes) {
  constexpr std::size_t kShown = 120;
  std::string text = visible(bytes.substr(0, kShown));
  return "`" + text + (bytes.size() > kShown ? "…" : "") + "`";
}

class Replayer {
 public:
  Replayer(const TranscriptScript& script, ReplaySession& session, Feeding feeding)
      : script_(script), session_(session), feeding_(feeding) {}

  std::string run() {
    for (const TranscriptStep& step : script_.steps) {
      std::string failure = play(step);
      if (!failure.empty()) return failure;
    }
    std::string failure = flush_client();
    if (failure.empty()) failure = check(nullptr);
    return failure;
  }

 private:
  std::string at(int line, const std::string& what) const {
    return script_.name + ":" + std::to_string(line) + ": " + what;
  }

  std::string play(const TranscriptStep& step) {
    using Kind = TranscriptStep::Kind;
    std::string failure;
    switch (step.kind) {
      case Kind::Client:
        if (!expected_.empty() || !notes_.empty()) failure = check(&step);
        client_.push_back(&step);
        return failure;
      case Kind::Server:
        failure = flush_client();
        expected_.push_back(&step);
        return failure;
      case Kind::Note:
        failure = flush_client();
        notes_.push_back(&step);
        return failure;
      default:
        break;
    }
    failure = flush_client();
    if (failure.empty()) failure = check(&step);
    if (!failure.empty()) return failure;
    if (step.kind == Kind::Eof) session_.end_of_input();
    if (step.kind == Kind::Advance) session_.advance(step.delay);
    if (step.kind == Kind::Closed && !session_.closed()) {
      return at(step.line, "the session should have ended here but is still open");
    }
    return {};
  }

  std::string flush_client() {
    if (!client_.empty() && session_.closed()) {
      return at(client_.front()->line,
                "the session had already ended before " + quote(client_.front()->source));
    }
    for (const TranscriptStep* step : client_) {
      if (script_.datagram || feeding_ == Feeding::WholeBlocks) {
        if (script_.datagram) {
          session_.receive(step->bytes);
        } else {
          pending_ += step->bytes;  // consecutive C: lines arrive as one read (pipelining)
        }
      } else {
        for (const char c : step->bytes) session_.receive(std::string_view(&c, 1));
      }
    }
    if (!pending_.empty()) session_.receive(pending_);
    pending_.clear();
    client_.clear();
    return {};
  }

  // Compares what the session sent with the S: lines gathered since the last check. `next` is the step
  // after them, for messages about output nobody expected.
  std::string check(const TranscriptStep* next) {
    std::string notes = check_notes(next);
    if (!notes.empty()) return notes;
    std::vector<std::string> got = session_.take_output();
    std::vector<const TranscriptStep*> expected = std::move(expected_);
    expected_.clear();
    const int line_after =
        next != nullptr ? next->line : (script_.steps.empty() ? 0 : script_.steps.back().line);
    if (script_.datagram) {
      for (std::size_t i = 0; i < std::max(got.size(), expected.size()); ++i) {
        if (i >= got.size())
          return at(expected[i]->line,
                    "expected the datagram " + quote(expected[i]->bytes) + ", the session sent none");
        if (i >= expected.size())
          return at(line_after,
                    "the session sent an unexpected datagram " + quote(got[i]) + " before this line");
        if (got[i] != expected[i]->bytes) {
          return at(expected[i]->line, "expected the datagram " + quote(expected[i]->bytes) +
                                           ", the session sent " + quote(got[i]));
        }
      }
      return {};
    }
    std::string sent;
    for (const std::string& piece : got) sent += piece;
    std::size_t offset = 0;
    for (const TranscriptStep* step : expected) {
      const std::string_view want = step->bytes;
      const std::string_view have = std::string_view(sent).substr(std::min(offset, sent.size()), want.size());
      if (have != want) {
        // The session's line from where this one should start, up to its first LF, to show next to it.
        std::string_view rest = std::string_view(sent).substr(std::min(offset, sent.size()));
        const std::size_t lf = rest.find('\n');
        if (lf != std::string_view::npos) rest = rest.substr(0, lf + 1);
        return at(step->line, "expected " + quote(want) + ", the session sent " +
                                  (rest.empty() ? std::string("nothing") : quote(rest)));
      }
      offset += want.size();
    }
    if (offset < sent.size()) {
      return at(line_after, "the session sent more than expected before this line: " +
                                quote(std::string_view(sent).substr(offset)));
    }
    return {};
  }

  std::string check_notes(const TranscriptStep* next) {
    std::vector<std::string> got = session_.take_notes();
    std::vector<const TranscriptStep*> expected = std::move(notes_);
    notes_.clear();
    if (!script_.notes) return {};
    const int line_after =
        next != nullptr ? next->line : (script_.steps.empty() ? 0 : script_.steps.back().line);
    for (std::size_t i = 0; i < std::max(got.size(), expected.size()); ++i) {
      if (i >= got.size())
        return at(expected[i]->line,
                  "expected the note " + quote(expected[i]->bytes) + ", the session noted nothing");
      if (i >= expected.size())
        return at(line_after, "the session noted " + quote(got[i]) + " before this line");
      if (got[i] != expected[i]->bytes) {
        return at(expected[i]->line,
                  "expected the note " + quote(expected[i]->bytes) + ", the session noted " + quote(got[i]));
      }
    }
    return {};
  }

  const TranscriptScript& script_;
  ReplaySession& session_;
  Feeding feeding_;
  std::vector<const TranscriptStep*> client_;
  std::vector<const TranscriptStep*> expected_;
  std::vector<const TranscriptStep*> notes_;
  std::string pending_;
};

}  // namespace

std::string replay(const TranscriptScript& script, ReplaySession& session, Feeding feeding) {
  return Replayer(script, session, feeding).run();
}

std::string replay_file(const std::string& path,
                        const std::function<std::unique_ptr<ReplaySession>()>& make) {
  auto script = load_transcript(path);
  if (!script) return script.error();
  std::string failures;
  for (const Feeding feeding : {Feeding::WholeBlocks, Feeding::ByteByByte}) {
    if (feeding == Feeding::ByteByByte && (script->datagram || script->whole_reads)) break;
    auto session = make();
    const std::string failure = replay(*script, *session, feeding);
    if (!failure.empty()) {
      failures += failure + (feeding == Feeding::ByteByByte ? " (fed a byte at a time)" : "") + "\n";
    }
  }
  return failures;
}

std::vector<std::string> transcript_files(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace endhost::test

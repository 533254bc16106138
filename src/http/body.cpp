#include "http/body.hpp"

#include <algorithm>

namespace endhost::http {

void BodyReader::start(Framing framing) noexcept {
  framing_ = framing;
  read_ = 0;
  chunked_.reset();
  done_ = framing.kind == BodyKind::none || framing.kind == BodyKind::tunnel ||
          (framing.kind == BodyKind::length && framing.length == 0);
}

Expected<BodyStep, Error> BodyReader::read(std::string_view buf) noexcept {
  if (done_) return BodyStep{0, {}, true};
  switch (framing_.kind) {
    case BodyKind::length: {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(framing_.length - read_, buf.size()));
      read_ += n;
      done_ = read_ == framing_.length;
      return BodyStep{n, buf.substr(0, n), done_};
    }
    case BodyKind::chunked: {
      auto step = chunked_.decode(buf);
      if (step) done_ = step->done;
      return step;
    }
    case BodyKind::until_close:
      if (buf.size() > limits_.max_body_size - read_)
        return Unexpected(Error{Errc::body_too_large, Status::content_too_large, true});
      read_ += buf.size();
      return BodyStep{buf.size(), buf, false};
    case BodyKind::none:
    case BodyKind::tunnel:
      break;
  }
  return BodyStep{0, {}, true};
}

Expected<void, Error> BodyReader::on_eof() noexcept {
  if (done_) return {};
  if (framing_.kind == BodyKind::until_close) {
    done_ = true;
    return {};
  }
  return Unexpected(Error{Errc::unexpected_eof, Status::bad_request, true});
}

std::uint64_t BodyReader::body_size() const noexcept {
  return framing_.kind == BodyKind::chunked ? chunked_.body_size() : read_;
}

}  // namespace endhost::http

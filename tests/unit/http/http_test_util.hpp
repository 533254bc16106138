// Test driver for the HTTP parsers: plays the part of a session that owns a receive buffer, feeding the wire
// bytes in the given pieces and keeping only unconsumed bytes, as the web server and proxy will.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/expected.hpp"
#include "http/message.hpp"
#include "http/request_parser.hpp"
#include "http/response_parser.hpp"

namespace endhost::http::test {

template <class Message>
struct Parsed {
  Message message;
  Fields trailers;
  std::size_t leftover = 0;  // bytes after the message (pipelined)
};

// Cuts `wire` at the given offsets (sorted, within the string).
inline std::vector<std::string_view> split_at(std::string_view wire, const std::vector<std::size_t>& cuts) {
  std::vector<std::string_view> pieces;
  std::size_t prev = 0;
  for (std::size_t cut : cuts) {
    pieces.push_back(wire.substr(prev, cut - prev));
    prev = cut;
  }
  pieces.push_back(wire.substr(prev));
  return pieces;
}

inline std::vector<std::string_view> bytewise(std::string_view wire) {
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < wire.size(); ++i) pieces.push_back(wire.substr(i, 1));
  return pieces;
}

// Parses one message from `pieces`. Returns the first error, or unexpected_eof if the pieces end first
// (after calling on_eof for responses, which completes bodies read until close).
template <class Parser, class Message>
Expected<Parsed<Message>, Error> parse_pieces(Parser& parser, const std::vector<std::string_view>& pieces) {
  std::string buf;
  Parsed<Message> out;
  for (std::size_t i = 0; i <= pieces.size(); ++i) {
    if (i < pieces.size()) {
      buf.append(pieces[i]);
    } else if constexpr (std::is_same_v<Message, Response>) {
      if (!parser.head_done()) break;
      if (auto ok = parser.on_eof(); !ok) return Unexpected(ok.error());
      out.leftover = buf.size();
      return out;
    } else {
      break;
    }
    while (true) {
      if (!parser.head_done()) {
        auto step = parser.parse_head(buf);
        if (!step) return Unexpected(step.error());
        if (step->progress == Progress::need_more) {
          if (step->consumed != 0)
            return Unexpected(Error{Errc::bad_request_line, Status::bad_request, true});
          break;
        }
        out.message = parser.head().to_owned();
        buf.erase(0, step->consumed);
      }
      auto body = parser.parse_body(buf);
      if (!body) return Unexpected(body.error());
      out.message.body.append(body->data);
      if (body->done) {
        out.trailers = Fields(parser.trailers());
        buf.erase(0, body->consumed);
        out.leftover = buf.size();
        if (i + 1 < pieces.size())
          for (std::size_t j = i + 1; j < pieces.size(); ++j) out.leftover += pieces[j].size();
        return out;
      }
      buf.erase(0, body->consumed);
      if (body->consumed == 0) break;
    }
  }
  return Unexpected(Error{Errc::unexpected_eof, Status::bad_request, true});
}

inline Expected<Parsed<Request>, Error> parse_request(std::string_view wire, const Limits& limits = {}) {
  RequestParser parser(limits);
  return parse_pieces<RequestParser, Request>(parser, {wire});
}

inline Expected<Parsed<Response>, Error> parse_response(std::string_view wire, Method method = Method::get,
                                                        const Limits& limits = Limits::for_responses()) {
  ResponseParser parser(limits, method);
  return parse_pieces<ResponseParser, Response>(parser, {wire});
}

}  // namespace endhost::http::test

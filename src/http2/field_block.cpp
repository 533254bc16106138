#include "http2/field_block.hpp"

#include "http2/frame/serializer.hpp"
#include "http2/request_head.hpp"

namespace endhost::http2 {

void append_headers_frames(std::string& out, std::uint32_t stream_id, std::string_view block, bool end_stream,
                           std::uint32_t max_frame_size) {
  std::string_view first = block.substr(0, max_frame_size);
  block.remove_prefix(first.size());
  append_frame(out, Headers{stream_id, first, end_stream, block.empty(), std::nullopt, std::nullopt});
  while (!block.empty()) {
    const std::string_view piece = block.substr(0, max_frame_size);
    block.remove_prefix(piece.size());
    append_frame(out, Continuation{stream_id, piece, block.empty()});
  }
}

void append_push_promise_frames(std::string& out, std::uint32_t stream_id, std::uint32_t promised,
                                std::string_view block, std::uint32_t max_frame_size) {
  std::string_view first = block.substr(0, max_frame_size - 4);  // the promised id takes 4 octets
  block.remove_prefix(first.size());
  append_frame(out, PushPromise{stream_id, promised, first, block.empty(), std::nullopt});
  while (!block.empty()) {
    const std::string_view piece = block.substr(0, max_frame_size);
    block.remove_prefix(piece.size());
    append_frame(out, Continuation{stream_id, piece, block.empty()});
  }
}

bool is_secret_field(std::string_view n) noexcept {
  return n == "authorization" || n == "proxy-authorization";
}

void lowercase_fields(std::span<const hpack::FieldView> pseudo, std::span<const http::FieldView> fields,
                      std::string& names, std::vector<hpack::FieldView>& out) {
  // One buffer sized up front, so the views into it stay valid while it fills; written through a pointer
  // (push_back per character was most of this function's time).
  std::size_t name_bytes = 0;
  for (const http::FieldView& f : fields) name_bytes += f.name.size();
  names.resize(name_bytes);
  out.clear();
  out.insert(out.end(), pseudo.begin(), pseudo.end());
  std::size_t used = 0;
  for (const http::FieldView& f : fields) {
    char* d = names.data() + used;
    for (std::size_t i = 0; i < f.name.size(); ++i) {
      const char c = f.name[i];
      d[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    }
    const std::string_view n(d, f.name.size());
    if (is_connection_specific(n) || n == "te" || n == "host")
      continue;  // host: :authority carries it (§8.3.1)
    used += n.size();
    out.push_back({n, f.value, is_secret_field(n)});
  }
  names.resize(used);
}

namespace {
template <class F>
void append_trace_fields(std::string& line, std::span<const F> fields) {
  for (const F& f : fields) {
    line += ' ';
    line += f.name;
    line += '=';
    if (is_secret_field(f.name)) {
      line += "<redacted>";
    } else {
      line += f.value;
    }
  }
}
}  // namespace

void append_fields_trace(std::string& line, std::span<const hpack::HeaderField> fields) {
  append_trace_fields(line, fields);
}
void append_fields_trace(std::string& line, std::span<const hpack::FieldView> fields) {
  append_trace_fields(line, fields);
}

}  // namespace endhost::http2

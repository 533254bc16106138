// Writing a field block on the wire and reading one off it, the parts an HTTP/2 server and client share:
// HEADERS or PUSH_PROMISE followed by CONTINUATION frames when the block is larger than the peer's
// SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.3), the fields lowercased for HPACK with HTTP/1's connection-specific
// ones left out (§8.2), and a block's fields as a --trace suffix.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/fields.hpp"
#include "http2/hpack/field.hpp"

namespace endhost::http2 {

// HEADERS (END_STREAM if asked) and as many CONTINUATIONs as the block needs, nothing in between (§4.3).
void append_headers_frames(std::string& out, std::uint32_t stream_id, std::string_view block, bool end_stream,
                           std::uint32_t max_frame_size);
// PUSH_PROMISE for `promised` on `stream_id` (§6.6), continued likewise.
void append_push_promise_frames(std::string& out, std::uint32_t stream_id, std::uint32_t promised,
                                std::string_view block, std::uint32_t max_frame_size);

// Fields ready for the HPACK encoder: `pseudo` first, as given; then `fields` with names lowercased into
// `names` (§8.2.1) and connection-specific ones and te dropped (§8.2.2); authorization marked never indexed.
// The views point into `names` and the callers' strings.
void lowercase_fields(std::span<const hpack::FieldView> pseudo, std::span<const http::FieldView> fields,
                      std::string& names, std::vector<hpack::FieldView>& out);

// Whether a field's value stays out of traces.
bool is_secret_field(std::string_view lowercase_name) noexcept;

// " name=value" for each field, secrets as <redacted>.
void append_fields_trace(std::string& line, std::span<const hpack::HeaderField> fields);
void append_fields_trace(std::string& line, std::span<const hpack::FieldView> fields);

}  // namespace endhost::http2

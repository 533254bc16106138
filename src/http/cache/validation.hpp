// Validation (RFC 9111 §4.3): the conditional request a cache sends to refresh a stored response (§4.3.1),
// what a 304 updates (§3.2, §4.3.4), and how the cache itself answers a client's conditional request from a
// stored response (§4.3.2 with RFC 9110 §13.1.1, §13.1.3). Entity-tags compare as RFC 9110 §8.8.3.2 says.
#pragma once

#include <optional>
#include <string_view>

#include "http/cache/time.hpp"
#include "http/fields.hpp"

namespace endhost::http::cache {

// RFC 9110 §8.8.3.2. Strong: both strong and the same opaque-tag; weak: the same opaque-tag either way.
bool etag_strong_equal(std::string_view a, std::string_view b) noexcept;
bool etag_weak_equal(std::string_view a, std::string_view b) noexcept;
// Whether an If-None-Match / If-Match list value names `etag` ("*" names any), by weak comparison.
bool etag_list_matches(std::string_view list, std::string_view etag) noexcept;

// §4.3.1: sets If-None-Match from the stored ETag and If-Modified-Since from its Last-Modified on
// `request` (replacing the client's own). Returns false when the stored response has no validator: then
// only an unconditional request can refresh it.
bool add_validators(Fields& request, const Fields& stored);

// §4.3.4: whether a 304 received for our conditional request applies to the stored response: a strong
// ETag in it must equal the stored one strongly, a weak one weakly, a Last-Modified must equal. A 304 with
// no validator at all is accepted (it answers the validators we sent; many servers omit them).
bool not_modified_selects(const Fields& stored, FieldsView not_modified);

// §3.2: the stored fields updated from a 304: each field in it replaces the stored ones of that name,
// except Content-Length (§3.2), the framing and hop-by-hop fields, and the fields describing the stored
// content (Content-Encoding, Content-Range, Content-Type) that a 304 has no business changing.
Fields freshen_fields(const Fields& stored, FieldsView not_modified);

// §4.3.2: a client's If-None-Match (weak comparison), else If-Modified-Since against Last-Modified (else
// Date), for a GET or HEAD that the stored response can answer. true: answer 304 Not Modified.
bool client_not_modified(FieldsView request, const Fields& stored, Time now);

// The fields of a 304 generated from a stored response (RFC 9110 §15.4.5): those a 200 would have carried
// that describe the representation's metadata, not its content.
Fields not_modified_fields(const Fields& stored);

}  // namespace endhost::http::cache

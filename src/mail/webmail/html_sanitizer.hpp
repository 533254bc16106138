// The webmail's HTML sanitiser: a message's text/html part made safe to show in the sandboxed message frame.
// An allow-list over an HTML5-like tokenizer (WHATWG HTML §13.2.5, simplified): only the elements and
// attributes of formatted mail survive; scripts, styles, frames, forms, objects and their content go; event
// handlers, `javascript:`/`vbscript:`/`data:` links and CSS that can run code or fetch (expression(), url(),
// @import, behavior, escapes) are dropped; images whose source is remote are not loaded unless asked for
// (the page offers a click), `cid:` images point at the message's own parts. The output is well formed: every
// element it opens it closes, attribute values are quoted and re-escaped, comments and doctype are gone.
// Sans-I/O and linear in the input (each byte is looked at a bounded number of times).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace endhost::mail::webmail {

struct SanitizeOptions {
  bool allow_remote_images = false;  // http(s) image sources kept (the user clicked "show remote content")
  // A `cid:` reference (RFC 2392, without the "cid:") to the URL of that part, or "" when there is none.
  std::function<std::string(std::string_view content_id)> resolve_cid;
  std::size_t max_depth = 100;  // open elements; tags deeper than this are dropped (their text stays)
};

struct SanitizedHtml {
  std::string html;                  // a body fragment (no <html>, <head> or <body>)
  std::size_t remote_blocked = 0;    // remote images (and background images) left out
  std::size_t removed_elements = 0;  // elements dropped with or without their content
};

SanitizedHtml sanitize_html(std::string_view html, const SanitizeOptions& options = {});

// A `style` attribute's declarations that are safe to keep ("color: red; font-weight: bold"), the others
// dropped; "" when none is. `remote_blocked` counts declarations dropped for fetching a URL.
std::string filter_style(std::string_view style, std::size_t* remote_blocked = nullptr);

// A URL as the browser would read it from an attribute: entities already decoded; leading and trailing
// spaces and every ASCII control and whitespace byte inside the scheme removed (browsers ignore them, so
// "java\tscript:" is javascript:). Returns the lower-case scheme ("" for a relative URL).
std::string url_scheme(std::string_view url);

// HTML character references decoded (numeric, and the named ones mail uses: amp lt gt quot apos nbsp and a
// few more); unknown or malformed ones stay as they are. For attribute values, before they are checked.
std::string decode_entities(std::string_view text);

// `&<>"'` escaped, for text and attribute values the webmail writes itself.
void append_escaped(std::string& out, std::string_view text);
std::string escape_html(std::string_view text);

}  // namespace endhost::mail::webmail

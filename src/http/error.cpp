#include "http/error.hpp"

namespace endhost::http {

Status default_status(Errc code) noexcept {
  switch (code) {
    case Errc::start_line_too_long:
      return Status::uri_too_long;
    case Errc::head_too_large:
    case Errc::too_many_fields:
      return Status::request_header_fields_too_large;
    case Errc::unsupported_version:
      return Status::http_version_not_supported;
    case Errc::unknown_transfer_coding:
      return Status::not_implemented;
    case Errc::body_too_large:
      return Status::content_too_large;
    case Errc::expectation_failed:
      return Status::expectation_failed;
    default:
      return Status::bad_request;
  }
}

std::string_view describe(Errc code) noexcept {
  switch (code) {
    case Errc::bad_request_line:
      return "malformed request line";
    case Errc::bad_method:
      return "method is not a token";
    case Errc::bad_target:
      return "malformed request-target";
    case Errc::bad_version:
      return "malformed HTTP version";
    case Errc::unsupported_version:
      return "unsupported HTTP major version";
    case Errc::start_line_too_long:
      return "start line too long";
    case Errc::http09_request:
      return "HTTP/0.9 request line (no HTTP version)";
    case Errc::tls_on_plain_port:
      return "TLS handshake sent to a plain-HTTP port";
    case Errc::userinfo_in_target:
      return "user information in the request-target";
    case Errc::bad_status_line:
      return "malformed status line";
    case Errc::head_too_large:
      return "header section too large";
    case Errc::too_many_fields:
      return "too many header fields";
    case Errc::bare_lf:
      return "bare LF line ending";
    case Errc::bare_cr:
      return "bare CR";
    case Errc::bad_field_name:
      return "invalid field name";
    case Errc::space_before_colon:
      return "whitespace between field name and colon";
    case Errc::obs_fold:
      return "obsolete line folding";
    case Errc::bad_field_value:
      return "invalid character in field value";
    case Errc::missing_host:
      return "HTTP/1.1 request without Host";
    case Errc::duplicate_host:
      return "more than one Host field";
    case Errc::bad_host:
      return "invalid Host value";
    case Errc::te_and_cl:
      return "both Transfer-Encoding and Content-Length";
    case Errc::te_in_http10:
      return "Transfer-Encoding in an HTTP/1.0 message";
    case Errc::bad_transfer_encoding:
      return "invalid Transfer-Encoding";
    case Errc::unknown_transfer_coding:
      return "unsupported transfer coding";
    case Errc::bad_content_length:
      return "invalid Content-Length";
    case Errc::body_too_large:
      return "body too large";
    case Errc::bad_chunk_size:
      return "invalid chunk size";
    case Errc::bad_chunk_ext:
      return "invalid chunk extension";
    case Errc::bad_chunk_end:
      return "chunk data not followed by CRLF";
    case Errc::bad_trailer:
      return "invalid trailer section";
    case Errc::unexpected_eof:
      return "connection closed inside a message";
    case Errc::expectation_failed:
      return "unsupported expectation";
  }
  return "unknown error";
}

}  // namespace endhost::http

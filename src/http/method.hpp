// Request methods (RFC 9110 §9, plus PATCH from RFC 5789) as an enum for fast dispatch. Methods are
// case-sensitive (RFC 9110 §9.1): "get" is a valid token but not GET, so it maps to Method::unknown and a
// server answers 501 Not Implemented.
#pragma once

#include <cstdint>
#include <string_view>

namespace endhost::http {

enum class Method : std::uint8_t { unknown, get, head, post, put, delete_, connect, options, trace, patch };

// The method named by `token`, or Method::unknown.
Method method_from_token(std::string_view token) noexcept;
// The canonical spelling; "" for Method::unknown.
std::string_view to_string(Method m) noexcept;

}  // namespace endhost::http

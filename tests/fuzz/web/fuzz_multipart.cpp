// multipart/form-data: arbitrary bodies fed in arbitrary pieces (the first byte picks the piece size).
// Besides not crashing: the parser never asks for more than it was given, never buffers past its limits
// (the pending bytes stay bounded), and the same body gives the same parts whatever the split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/server/multipart.hpp"

using namespace endhost::web;

namespace {

// Returns a digest of what was parsed (names, filenames, content), and whether parsing succeeded.
std::string run(std::string_view body, std::size_t piece, bool& ok) {
  MultipartParser p("bnd", MultipartLimits{8, 512});
  std::string buf, digest;
  std::size_t fed = 0;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    auto step = p.next(buf);
    if (!step) {
      ok = false;
      return digest;
    }
    if (step->consumed > buf.size()) std::abort();
    if (step->kind == MultipartStep::Kind::part_begin) {
      digest += "|P:" + p.part().name + ":" + p.part().filename + ":";
    } else if (step->kind == MultipartStep::Kind::data) {
      digest += step->data;
    }
    buf.erase(0, step->consumed);
    // Part headers are bounded by the limit, the rest by the delimiter's length.
    if (buf.size() > 512 + 2 * piece + 16) std::abort();
    const bool progress = step->consumed > 0 || step->kind == MultipartStep::Kind::part_begin;
    if (progress && step->kind != MultipartStep::Kind::done) continue;
    if (step->kind == MultipartStep::Kind::done && buf.empty() && fed == body.size()) break;
    if (fed == body.size()) break;
    const std::size_t n = std::min(piece, body.size() - fed);
    buf.append(body.substr(fed, n));
    fed += n;
  }
  ok = p.finish().has_value();
  return digest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 64;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  bool ok_whole = true, ok_split = true;
  const std::string whole = run(body, body.size() + 1, ok_whole);
  const std::string split = run(body, piece, ok_split);
  if (ok_whole != ok_split) std::abort();
  if (ok_whole && whole != split) std::abort();
  (void)form_data_boundary(body);
  (void)safe_upload_name(body);
  return 0;
}

#include "http/proxy/access_log.hpp"

#include <fmt/format.h>

#include "core/log.hpp"

namespace endhost::http::proxy {

namespace {
constexpr std::size_t kFlushAt = 32 * 1024;
}

AccessLog::AccessLog(std::FILE* out, bool owned, Format format, std::size_t loops)
    : out_(out), owned_(owned), format_(format), buffers_(std::make_unique<Buffer[]>(loops)), loops_(loops) {}

AccessLog::~AccessLog() {
  flush_all();
  if (owned_ && out_) std::fclose(out_);
}

void AccessLog::format(std::string& out, Format format, const AccessRecord& r) {
  if (format == Format::json) {
    out += "{\"time\":\"";
    out += core::format_utc_micros(r.unix_micros);
    out += "\",\"client\":\"";
    core::append_json_escaped(out, r.client);
    out += "\",\"method\":\"";
    core::append_json_escaped(out, r.method);
    out += "\",\"url\":\"";
    core::append_json_escaped(out, r.url);
    out += fmt::format(
        "\",\"status\":{},\"bytes\":{},\"cache\":\"{}\",\"upstream_status\":{},\"seconds\":{:.6f}}}\n",
        r.status, r.bytes, r.cache_result, r.upstream_status, r.seconds);
    return;
  }
  // time client "METHOD url" status bytes CACHE upstream-status seconds
  out += core::format_utc_micros(r.unix_micros);
  out += ' ';
  out += r.client;
  out += " \"";
  out += r.method;
  out += ' ';
  // The URL came from the client: keep the line one line and its quotes balanced.
  for (char c : r.url) out += (c == '"' || static_cast<unsigned char>(c) < 0x20) ? '%' : c;
  out += fmt::format("\" {} {} {} {} {:.6f}\n", r.status, r.bytes, r.cache_result,
                     r.upstream_status ? std::to_string(r.upstream_status) : std::string("-"), r.seconds);
}

void AccessLog::write(std::size_t loop, const AccessRecord& r) {
  Buffer& b = buffers_[loop % loops_];
  format(b.text, format_, r);
  if (b.text.size() >= kFlushAt) flush(loop);
}

void AccessLog::flush(std::size_t loop) {
  Buffer& b = buffers_[loop % loops_];
  if (b.text.empty()) return;
  {
    std::lock_guard lock(mu_);
    std::fwrite(b.text.data(), 1, b.text.size(), out_);
    std::fflush(out_);
  }
  b.text.clear();
}

bool AccessLog::reopen(const std::string& path) {
  if (!owned_) return false;
  std::FILE* fresh = std::fopen(path.c_str(), "a");
  if (!fresh) return false;
  std::FILE* old = nullptr;
  {
    std::lock_guard lock(mu_);  // the loops' block writes take it: none is half-written into either file
    old = out_;
    out_ = fresh;
  }
  std::fclose(old);
  return true;
}

void AccessLog::flush_all() {
  for (std::size_t i = 0; i < loops_; ++i) flush(i);
}

}  // namespace endhost::http::proxy

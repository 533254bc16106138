#include "http/server/gzip_stream.hpp"

namespace endhost::web {

GzipStream::GzipStream(int level) {
  // windowBits 15 + 16: a gzip wrapper rather than zlib's (RFC 9110 §8.4.1.3 "gzip" is RFC 1952).
  ok_ = deflateInit2(&z_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipStream::~GzipStream() {
  if (ok_) deflateEnd(&z_);
}

void GzipStream::reset() noexcept {
  if (ok_) ok_ = deflateReset(&z_) == Z_OK;
}

bool GzipStream::write(std::string_view in, std::string& out, bool finish) {
  if (!ok_) return false;
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z_.avail_in = static_cast<uInt>(in.size());
  for (;;) {
    const std::size_t start = out.size();
    const std::size_t room = deflateBound(&z_, z_.avail_in) + 64;
    out.resize(start + room);
    z_.next_out = reinterpret_cast<Bytef*>(out.data() + start);
    z_.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&z_, finish ? Z_FINISH : Z_NO_FLUSH);
    out.resize(start + (room - z_.avail_out));
    if (rc == Z_STREAM_END) return true;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    if (z_.avail_in == 0 && !finish) return true;
    if (rc == Z_BUF_ERROR && z_.avail_out != 0) return false;  // no progress possible
  }
}

std::unique_ptr<GzipStream> GzipPool::take() {
  if (!spare_.empty()) {
    auto s = std::move(spare_.back());
    spare_.pop_back();
    return s;
  }
  return std::make_unique<GzipStream>(level_);
}

void GzipPool::give(std::unique_ptr<GzipStream> s) {
  s->reset();
  if (s->ok() && spare_.size() < kMaxSpare) spare_.push_back(std::move(s));
}

}  // namespace endhost::web

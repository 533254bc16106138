#include "http/client/content_decoder.hpp"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>

#include "http/field_value.hpp"

namespace endhost::http {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

class ZlibDecoder final : public ContentDecoder {
 public:
  explicit ZlibDecoder(bool gzip) {
    // 16+15: gzip wrapper only; 15: zlib wrapper (what "deflate" means in HTTP, RFC 9110 §8.4.1.2).
    ok_ = inflateInit2(&z_, gzip ? 16 + MAX_WBITS : MAX_WBITS) == Z_OK;
  }
  ~ZlibDecoder() override { inflateEnd(&z_); }
  Expected<void, std::string> decode(std::string_view in, std::string& out) override {
    if (!ok_) return Unexpected(std::string("zlib initialisation failed"));
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    while (!ended_) {
      const std::size_t old = out.size();
      out.resize(old + kChunk);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
      z_.avail_out = kChunk;
      const int rc = inflate(&z_, Z_NO_FLUSH);
      const bool full = z_.avail_out == 0;
      out.resize(old + kChunk - z_.avail_out);
      if (rc == Z_STREAM_END)
        ended_ = true;
      else if (rc == Z_BUF_ERROR)
        break;  // no progress possible: needs more input
      else if (rc != Z_OK)
        return Unexpected(std::string("corrupt deflate data"));
      else if (!full && z_.avail_in == 0)
        break;
    }
    return {};
  }
  Expected<void, std::string> finish(std::string& out) override {
    if (auto ok = decode({}, out); !ok) return ok;
    if (!ended_) return Unexpected(std::string("compressed body truncated"));
    return {};
  }

 private:
  z_stream z_{};
  bool ok_ = false;
  bool ended_ = false;
};

class BrotliDecoder final : public ContentDecoder {
 public:
  BrotliDecoder() : s_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
  ~BrotliDecoder() override { BrotliDecoderDestroyInstance(s_); }
  Expected<void, std::string> decode(std::string_view in, std::string& out) override {
    std::size_t avail_in = in.size();
    auto next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    for (;;) {
      const std::size_t old = out.size();
      out.resize(old + kChunk);
      std::size_t avail_out = kChunk;
      auto next_out = reinterpret_cast<std::uint8_t*>(out.data() + old);
      const BrotliDecoderResult r =
          BrotliDecoderDecompressStream(s_, &avail_in, &next_in, &avail_out, &next_out, nullptr);
      out.resize(old + kChunk - avail_out);
      if (r == BROTLI_DECODER_RESULT_ERROR) return Unexpected(std::string("corrupt brotli data"));
      if (r == BROTLI_DECODER_RESULT_SUCCESS) ended_ = true;
      if (r != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return {};
    }
  }
  Expected<void, std::string> finish(std::string&) override {
    if (!ended_) return Unexpected(std::string("compressed body truncated"));
    return {};
  }

 private:
  BrotliDecoderState* s_;
  bool ended_ = false;
};

class ZstdDecoder final : public ContentDecoder {
 public:
  ZstdDecoder() : s_(ZSTD_createDStream()) {
    // RFC 8878 §3.1.1.1.2: HTTP decoders need not support windows over 8 MiB.
    ZSTD_DCtx_setParameter(s_, ZSTD_d_windowLogMax, 23);
  }
  ~ZstdDecoder() override { ZSTD_freeDStream(s_); }
  Expected<void, std::string> decode(std::string_view in_bytes, std::string& out) override {
    ZSTD_inBuffer in{in_bytes.data(), in_bytes.size(), 0};
    for (;;) {
      const std::size_t old = out.size();
      out.resize(old + kChunk);
      ZSTD_outBuffer o{out.data() + old, kChunk, 0};
      const std::size_t r = ZSTD_decompressStream(s_, &o, &in);
      out.resize(old + o.pos);
      if (ZSTD_isError(r)) return Unexpected(std::string("corrupt zstd data: ") + ZSTD_getErrorName(r));
      last_ = r;
      if (in.pos == in.size && o.pos < o.size) return {};
    }
  }
  Expected<void, std::string> finish(std::string&) override {
    if (last_ != 0) return Unexpected(std::string("compressed body truncated"));
    return {};
  }

 private:
  ZSTD_DStream* s_;
  std::size_t last_ = 1;
};

// Applies decoders in order (the reverse of the order the codings were applied), and bounds the output.
class Chain final : public ContentDecoder {
 public:
  Chain(std::vector<std::unique_ptr<ContentDecoder>> decoders, std::uint64_t max_ratio)
      : decoders_(std::move(decoders)), max_ratio_(max_ratio) {}
  Expected<void, std::string> decode(std::string_view in, std::string& out) override {
    in_total_ += in.size();
    std::string current(in), next;
    for (auto& d : decoders_) {
      next.clear();
      if (auto ok = d->decode(current, next); !ok) return ok;
      current.swap(next);
    }
    return emit(current, out);
  }
  Expected<void, std::string> finish(std::string& out) override {
    std::string current, next;
    for (auto& d : decoders_) {
      next.clear();
      if (!current.empty())
        if (auto ok = d->decode(current, next); !ok) return ok;
      if (auto ok = d->finish(next); !ok) return ok;
      current.swap(next);
    }
    return emit(current, out);
  }

 private:
  Expected<void, std::string> emit(const std::string& data, std::string& out) {
    out_total_ += data.size();
    if (out_total_ > 1024 * 1024 && out_total_ / std::max<std::uint64_t>(in_total_, 1) > max_ratio_)
      return Unexpected("decoded body is over " + std::to_string(max_ratio_) + " times its compressed size");
    out += data;
    return {};
  }
  std::vector<std::unique_ptr<ContentDecoder>> decoders_;
  std::uint64_t max_ratio_;
  std::uint64_t in_total_ = 0;
  std::uint64_t out_total_ = 0;
};

}  // namespace

Expected<std::unique_ptr<ContentDecoder>, std::string> make_content_decoder(std::string_view value,
                                                                            std::uint64_t max_ratio) {
  std::vector<std::string> codings;
  ListReader list(value);
  while (auto c = list.next()) {
    std::string coding(*c);
    for (char& ch : coding) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (coding != "identity") codings.push_back(std::move(coding));
  }
  if (codings.empty()) return std::unique_ptr<ContentDecoder>();
  if (codings.size() > 4) return Unexpected(std::string("too many content codings"));
  std::vector<std::unique_ptr<ContentDecoder>> decoders;
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    if (*it == "gzip" || *it == "x-gzip")
      decoders.push_back(std::make_unique<ZlibDecoder>(true));
    else if (*it == "deflate")
      decoders.push_back(std::make_unique<ZlibDecoder>(false));
    else if (*it == "br")
      decoders.push_back(std::make_unique<BrotliDecoder>());
    else if (*it == "zstd")
      decoders.push_back(std::make_unique<ZstdDecoder>());
    else
      return Unexpected("unsupported content coding '" + *it + "'");
  }
  return std::unique_ptr<ContentDecoder>(std::make_unique<Chain>(std::move(decoders), max_ratio));
}

}  // namespace endhost::http

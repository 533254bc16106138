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

// The decompression-bomb bound, shared by the decoders of one chain: each may produce at most `ratio` times
// the compressed bytes received so far (but always 1 MiB). Every decoder checks it after each output block
// of kChunk, so a tiny input that would expand to gigabytes stops within one block of the bound instead of
// being decoded whole first.
struct OutputBudget {
  std::uint64_t ratio = 1000;
  std::uint64_t in = 0;  // compressed bytes given to the chain so far
  bool exceeded(std::uint64_t produced) const {
    return produced > std::max<std::uint64_t>(std::uint64_t{1} << 20, ratio * in);
  }
  Unexpected<std::string> error() const {
    return Unexpected("decoded body is over " + std::to_string(ratio) + " times its compressed size");
  }
};

class ZlibDecoder final : public ContentDecoder {
 public:
  ZlibDecoder(bool gzip, const OutputBudget& budget) : budget_(budget) {
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
      produced_ += kChunk - z_.avail_out;
      if (budget_.exceeded(produced_)) return budget_.error();
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
  const OutputBudget& budget_;
  std::uint64_t produced_ = 0;
  z_stream z_{};
  bool ok_ = false;
  bool ended_ = false;
};

class BrotliDecoder final : public ContentDecoder {
 public:
  explicit BrotliDecoder(const OutputBudget& budget)
      : budget_(budget), s_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
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
      produced_ += kChunk - avail_out;
      if (budget_.exceeded(produced_)) return budget_.error();
      if (r == BROTLI_DECODER_RESULT_SUCCESS) ended_ = true;
      if (r != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) return {};
    }
  }
  Expected<void, std::string> finish(std::string&) override {
    if (!ended_) return Unexpected(std::string("compressed body truncated"));
    return {};
  }

 private:
  const OutputBudget& budget_;
  std::uint64_t produced_ = 0;
  BrotliDecoderState* s_;
  bool ended_ = false;
};

class ZstdDecoder final : public ContentDecoder {
 public:
  explicit ZstdDecoder(const OutputBudget& budget) : budget_(budget), s_(ZSTD_createDStream()) {
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
      produced_ += o.pos;
      if (budget_.exceeded(produced_)) return budget_.error();
      last_ = r;
      if (in.pos == in.size && o.pos < o.size) return {};
    }
  }
  Expected<void, std::string> finish(std::string&) override {
    if (last_ != 0) return Unexpected(std::string("compressed body truncated"));
    return {};
  }

 private:
  const OutputBudget& budget_;
  std::uint64_t produced_ = 0;
  ZSTD_DStream* s_;
  std::size_t last_ = 1;
};

// Applies decoders in order (the reverse of the order the codings were applied); the last one writes straight
// into the caller's output. The decoders share the chain's OutputBudget.
class Chain final : public ContentDecoder {
 public:
  explicit Chain(std::unique_ptr<OutputBudget> budget) : budget_(std::move(budget)) {}
  void add(std::unique_ptr<ContentDecoder> d) { decoders_.push_back(std::move(d)); }
  const OutputBudget& budget() const { return *budget_; }
  Expected<void, std::string> decode(std::string_view in, std::string& out) override {
    budget_->in += in.size();
    std::string_view current = in;
    for (std::size_t i = 0; i < decoders_.size(); ++i) {
      std::string& target = i + 1 == decoders_.size() ? out : stage_[i % 2];
      if (&target != &out) target.clear();
      if (auto ok = decoders_[i]->decode(current, target); !ok) return ok;
      current = target;
    }
    return {};
  }
  Expected<void, std::string> finish(std::string& out) override {
    std::string_view current;
    for (std::size_t i = 0; i < decoders_.size(); ++i) {
      std::string& target = i + 1 == decoders_.size() ? out : stage_[i % 2];
      if (&target != &out) target.clear();
      if (!current.empty())
        if (auto ok = decoders_[i]->decode(current, target); !ok) return ok;
      if (auto ok = decoders_[i]->finish(target); !ok) return ok;
      current = target;
    }
    return {};
  }

 private:
  std::unique_ptr<OutputBudget> budget_;  // on the heap: the decoders keep a reference
  std::vector<std::unique_ptr<ContentDecoder>> decoders_;
  std::string stage_[2];  // intermediate outputs of chained codings, alternating
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
  auto budget = std::make_unique<OutputBudget>();
  budget->ratio = max_ratio;
  auto chain = std::make_unique<Chain>(std::move(budget));
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    if (*it == "gzip" || *it == "x-gzip")
      chain->add(std::make_unique<ZlibDecoder>(true, chain->budget()));
    else if (*it == "deflate")
      chain->add(std::make_unique<ZlibDecoder>(false, chain->budget()));
    else if (*it == "br")
      chain->add(std::make_unique<BrotliDecoder>(chain->budget()));
    else if (*it == "zstd")
      chain->add(std::make_unique<ZstdDecoder>(chain->budget()));
    else
      return Unexpected("unsupported content coding '" + *it + "'");
  }
  return std::unique_ptr<ContentDecoder>(std::move(chain));
}

}  // namespace endhost::http

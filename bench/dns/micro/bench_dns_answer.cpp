// Micro-benchmark of the authoritative fast path: query octets → response octets, against the example
// networkutopia.com zone. Also checks that the path does not touch the heap (global operator new counter).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "dns/answer.hpp"
#include "dns/message.hpp"
#include "dns/zone_parser.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {
using namespace endhost::dns;

const ZoneSet& zones() {
  static const ZoneSet set = [] {
    ZoneSet zs;
    for (auto [file, origin] : {std::pair{"root.zone", "."}, std::pair{"com.zone", "com."},
                                std::pair{"networkutopia.com.zone", "networkutopia.com."}}) {
      ZoneParseOptions o;
      o.origin = *Name::from_string(origin);
      auto z = load_zone_file(std::string(ENDHOST_EXAMPLE_ZONES) + "/" + file, o);
      if (!z || !zs.add(std::move(*z))) std::abort();
    }
    return zs;
  }();
  return set;
}

void run(benchmark::State& state, const char* qname, RRType qtype, bool edns) {
  auto q = *encode_message(make_query(1, *Name::from_string(qname), qtype, false,
                                      edns ? std::optional<Edns>(Edns{}) : std::nullopt));
  std::vector<std::uint8_t> out(65535);
  AnswerOptions opt;
  const ZoneSet& zs = zones();
  std::size_t before = g_allocations.load();
  std::uint32_t rotation = 0;
  for (auto _ : state) {
    opt.rotation = rotation++;
    AnswerResult r = answer(q, zs, opt, out);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["allocs_per_query"] = benchmark::Counter(static_cast<double>(g_allocations.load() - before) /
                                                          static_cast<double>(state.iterations()));
}

void BM_A(benchmark::State& s) {
  run(s, "www.networkutopia.com.", RRType::A, false);
}
void BM_A_edns(benchmark::State& s) {
  run(s, "www.networkutopia.com.", RRType::A, true);
}
void BM_cname(benchmark::State& s) {
  run(s, "ftp.networkutopia.com.", RRType::A, true);
}
void BM_mx_additional(benchmark::State& s) {
  run(s, "networkutopia.com.", RRType::MX, true);
}
void BM_nxdomain(benchmark::State& s) {
  run(s, "nope.networkutopia.com.", RRType::A, true);
}
void BM_referral_root(benchmark::State& s) {
  run(s, "www.example.fr.", RRType::A, true);
}
void BM_refused(benchmark::State& s) {
  run(s, "www.example.org.", RRType::A, false);
}

void BM_parse_query(benchmark::State& state) {
  auto q =
      *encode_message(make_query(1, *Name::from_string("www.networkutopia.com."), RRType::A, false, Edns{}));
  for (auto _ : state) benchmark::DoNotOptimize(parse_query(q));
}

BENCHMARK(BM_parse_query);
BENCHMARK(BM_A);
BENCHMARK(BM_A_edns);
BENCHMARK(BM_cname);
BENCHMARK(BM_mx_additional);
BENCHMARK(BM_nxdomain);
BENCHMARK(BM_referral_root);
BENCHMARK(BM_refused);

}  // namespace

BENCHMARK_MAIN();

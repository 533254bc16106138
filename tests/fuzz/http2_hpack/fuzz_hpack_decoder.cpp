// Decodes a sequence of HPACK blocks with one Decoder whose limits the first byte picks; each block is
// length-prefixed by one byte, and a 0xff prefix instead changes SETTINGS_HEADER_TABLE_SIZE to the value
// the next byte picks. Checks the decoder's promises: the fields delivered fit the header list limit, the
// table fits its maximum and our setting, header_list_too_large keeps the decoder usable, any other error
// fails it for good. Every decoded list is re-encoded by an Encoder and decoded again by a second Decoder
// (both ends told of every settings change), which must give back the same fields and tables.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http2/hpack/decoder.hpp"
#include "http2/hpack/encoder.hpp"

namespace {

using namespace endhost::http2::hpack;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

constexpr std::uint32_t kTableSizes[] = {0, 64, 256, 4096};
constexpr std::uint32_t kListSizes[] = {100, 1000, 16 * 1024, 64 * 1024};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t bits = data[0];
  const std::uint32_t table_size = kTableSizes[bits & 3];
  DecoderLimits limits{table_size, kListSizes[(bits >> 2) & 3]};
  Decoder decoder(limits);
  Encoder encoder({.max_table_size = (bits & 0x20) ? 4096u : 512u, .huffman = (bits & 0x10) != 0});
  Decoder again({table_size, 1u << 24});
  encoder.set_peer_header_table_size(table_size);

  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool failed = false;
  std::vector<HeaderField> fields;
  std::string block;
  while (!in.empty()) {
    const auto length = static_cast<std::uint8_t>(in[0]);
    in.remove_prefix(1);
    if (length == 0xff) {  // a SETTINGS change, acknowledged by the peer
      if (in.empty()) break;
      const std::uint32_t setting =
          kTableSizes[static_cast<std::uint8_t>(in[0]) & 3] + (static_cast<std::uint8_t>(in[0]) >> 2);
      in.remove_prefix(1);
      decoder.set_header_table_size(setting);
      again.set_header_table_size(setting);
      encoder.set_peer_header_table_size(setting);
      continue;
    }
    const std::string_view input = in.substr(0, length);
    in.remove_prefix(input.size());

    fields.clear();
    std::uint64_t list_size = 0;
    auto r = decoder.decode(input, [&](const FieldView& f) {
      list_size += field_size(f.name, f.value);
      fields.push_back({std::string(f.name), std::string(f.value), f.never_indexed});
    });
    check(list_size <= decoder.limits().max_header_list_size);
    check(decoder.table().size() <= decoder.table().max_size());
    if (failed) {
      check(!r && r.error() == DecodeError::failed);
      continue;
    }
    if (!r) {
      check(is_compression_error(r.error()) == decoder.failed());
      failed = decoder.failed();
      continue;
    }
    check(decoder.table().max_size() <= decoder.limits().header_table_size);

    block.clear();
    encoder.encode(fields, block);
    std::vector<HeaderField> round;
    const auto r2 = again.decode(block, round);
    check(r2.has_value());
    check(round.size() == fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      check(round[i].name == fields[i].name && round[i].value == fields[i].value);
      check(round[i].never_indexed == is_sensitive(fields[i].view()));
    }
    check(again.table().count() == encoder.table().count());
    check(again.table().size() == encoder.table().size());
    for (std::size_t i = 0; i < encoder.table().count(); ++i) {
      check(again.table().entry(i).name == encoder.table().entry(i).name);
      check(again.table().entry(i).value == encoder.table().entry(i).value);
    }
  }
  return 0;
}

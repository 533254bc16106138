// Master-file (zone file) parser, RFC 1035 §5.1 with RFC 2308 §4 ($TTL) and RFC 3597 §5 (`\#` RDATA).
// Text in, records out; it never opens a file itself: $INCLUDE goes through the caller's loader, and
// load_zone_file() (zone_file.cpp) is the thin file-reading wrapper. Every error names `file:line: what`.
//
// Supported: $ORIGIN, $TTL, $INCLUDE <file> [<origin>] (depth-limited, path relative to the including file,
// origin and current owner restored afterwards), `@`, relative and absolute names, `( … )` across lines,
// `;` comments, quoted strings, `\X` and `\DDD` escapes, owner/TTL/class inherited from the previous record,
// TTLs with units (1h30m, 2w), class and TTL in either order, `\# len hex` for any type.
// Only class IN. Not supported: $GENERATE and presentation RDATA for types without a typed form here (use
// `\#` for those).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "dns/limits.hpp"
#include "dns/message.hpp"
#include "dns/name.hpp"
#include "dns/zone.hpp"

namespace endhost::dns {

struct ZoneLimits {
  std::size_t max_file_bytes = kDefaultMaxZoneFileBytes;  // all files of one parse together
  std::size_t max_records = kDefaultMaxZoneRecords;
  std::size_t max_line_length = kDefaultMaxLineLength;  // one physical line
  std::size_t max_include_depth = kDefaultMaxIncludeDepth;
};

struct ZoneError {
  std::string file;
  std::size_t line = 0;  // 0 when the error is about the zone as a whole
  std::string message;
  std::string to_string() const;  // "file:line: message" (or "file: message")
};

// Returns the contents of `path` or a message saying why it could not be read.
using IncludeLoader = std::function<endhost::Expected<std::string, std::string>(const std::string& path)>;
// Receives each record in file order; an error string is reported at the record's file:line.
using RecordSink = std::function<endhost::Expected<void, std::string>(ResourceRecord&&)>;

struct ZoneParseOptions {
  Name origin;                     // initial $ORIGIN, normally the zone's name
  std::optional<Ttl> default_ttl;  // as if the file began with $TTL
  ZoneLimits limits;
  IncludeLoader include_loader;  // empty: $INCLUDE is an error
};

endhost::Expected<void, ZoneError> parse_master_file(std::string_view text, std::string_view file_name,
                                                     const ZoneParseOptions& options, const RecordSink& sink);
endhost::Expected<std::vector<ResourceRecord>, ZoneError> parse_master_file(std::string_view text,
                                                                            std::string_view file_name,
                                                                            const ZoneParseOptions& options);
// Parses and builds a Zone whose origin is options.origin.
endhost::Expected<Zone, ZoneError> load_zone(std::string_view text, std::string_view file_name,
                                             const ZoneParseOptions& options);
// Reads `path` from disk (and $INCLUDEs relative to it, unless options has a loader) and loads it.
endhost::Expected<Zone, ZoneError> load_zone_file(const std::string& path, ZoneParseOptions options);
// The loader load_zone_file uses: reads a whole file, refusing files over max_bytes.
IncludeLoader file_loader(std::size_t max_bytes = kDefaultMaxZoneFileBytes);

// Parses a TTL with optional units: "3600", "1h30m", "2w" (s, m, h, d, w; case-insensitive), ≤ 2^31-1.
std::optional<Ttl> parse_ttl(std::string_view text);

}  // namespace endhost::dns

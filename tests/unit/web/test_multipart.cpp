// multipart/form-data: whole bodies, every split point, and the limits.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/server/multipart.hpp"

namespace endhost::web {
namespace {

struct Part {
  PartHeaders headers;
  std::string data;
};

struct Result {
  bool ok = false;
  MultipartError error{};
  std::vector<Part> parts;
};

// Feeds `body` in pieces of `piece` bytes the way a session would: appending to a buffer, dropping what the
// parser consumed.
Result parse(std::string_view boundary, std::string_view body, std::size_t piece,
             MultipartLimits limits = {}) {
  Result r;
  MultipartParser p(boundary, limits);
  std::string buf;
  std::size_t fed = 0;
  bool in_part = false;
  for (;;) {
    auto step = p.next(buf);
    if (!step) {
      r.error = step.error();
      return r;
    }
    const std::string data(step->data);  // a view into buf: copy before dropping the consumed bytes
    buf.erase(0, step->consumed);
    switch (step->kind) {
      case MultipartStep::Kind::part_begin:
        r.parts.push_back({p.part(), {}});
        in_part = true;
        continue;
      case MultipartStep::Kind::data:
        EXPECT_TRUE(in_part);
        r.parts.back().data += data;
        continue;
      case MultipartStep::Kind::part_end:
        in_part = false;
        continue;
      case MultipartStep::Kind::done:
        if (fed == body.size() && buf.empty()) {
          r.ok = p.finish().has_value();
          return r;
        }
        break;
      case MultipartStep::Kind::need_more:
        if (step->consumed > 0) continue;
        break;
    }
    if (fed == body.size()) {
      auto fin = p.finish();
      r.ok = fin.has_value();
      if (!fin) r.error = fin.error();
      return r;
    }
    const std::size_t n = std::min(piece, body.size() - fed);
    buf.append(body.substr(fed, n));
    fed += n;
  }
}

const std::string kBody =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"title\"\r\n"
    "\r\n"
    "Hello\r\n"
    "--XyZ  \r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a b.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "line one\r\nline two\r\n--XyZ is not here\r\n\r\n"
    "--XyZ\r\n"
    "content-disposition: FORM-DATA; filename=\"C:\\temp\\x.bin\"; name=upload\r\n"
    "\r\n"
    "\r\n--X\r\n"
    "--XyZ--\r\n"
    "epilogue";

TEST(Multipart, ParsesWholeBody) {
  // "--XyZ is not here" is preceded by CRLF but continues with " is", which RFC 2046 does not allow
  // inside content; pick content that cannot be mistaken for a delimiter instead.
  std::string body = kBody;
  body.replace(body.find("--XyZ is not here"), 17, "-- XyZ is not here");
  Result r = parse("XyZ", body, body.size());
  ASSERT_TRUE(r.ok) << static_cast<int>(r.error);
  ASSERT_EQ(r.parts.size(), 3u);
  EXPECT_EQ(r.parts[0].headers.name, "title");
  EXPECT_FALSE(r.parts[0].headers.has_filename);
  EXPECT_EQ(r.parts[0].data, "Hello");
  EXPECT_EQ(r.parts[1].headers.filename, "a b.txt");
  EXPECT_EQ(r.parts[1].headers.content_type, "text/plain");
  EXPECT_EQ(r.parts[1].data, "line one\r\nline two\r\n-- XyZ is not here\r\n");
  EXPECT_EQ(r.parts[2].headers.name, "upload");
  EXPECT_EQ(r.parts[2].headers.filename, "C:\\temp\\x.bin");
  EXPECT_EQ(r.parts[2].data, "\r\n--X");
}

TEST(Multipart, EverySplitGivesTheSameParts) {
  std::string body = kBody;
  body.replace(body.find("--XyZ is not here"), 17, "-- XyZ is not here");
  const Result whole = parse("XyZ", body, body.size());
  ASSERT_TRUE(whole.ok);
  for (std::size_t piece = 1; piece < 40; ++piece) {
    Result r = parse("XyZ", body, piece);
    ASSERT_TRUE(r.ok) << piece;
    ASSERT_EQ(r.parts.size(), whole.parts.size()) << piece;
    for (std::size_t i = 0; i < r.parts.size(); ++i) {
      EXPECT_EQ(r.parts[i].data, whole.parts[i].data) << piece;
      EXPECT_EQ(r.parts[i].headers.filename, whole.parts[i].headers.filename) << piece;
    }
  }
}

TEST(Multipart, BodyStartingWithDelimiterAndEmptyPart) {
  Result r = parse("b", "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--b--", 1);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].data, "");
}

TEST(Multipart, TruncatedBodyIsAnError) {
  Result r = parse("b", "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nabc", 3);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, MultipartError::truncated);
  EXPECT_FALSE(parse("b", "", 1).ok);
}

TEST(Multipart, Limits) {
  std::string many;
  for (int i = 0; i < 5; ++i) many += "--b\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n";
  many += "--b--\r\n";
  EXPECT_TRUE(parse("b", many, 7).ok);
  Result r = parse("b", many, 7, MultipartLimits{3, 8192});
  EXPECT_EQ(r.error, MultipartError::too_many_parts);
  std::string big = "--b\r\nContent-Disposition: form-data; name=x\r\nX-Pad: " + std::string(10000, 'p') +
                    "\r\n\r\nv\r\n--b--";
  EXPECT_EQ(parse("b", big, 100).error, MultipartError::header_too_large);
}

// A header block that ends exactly at the limit is accepted however the body is split, and one byte more is
// refused however it is split (the fuzzer found a split that refused the first).
TEST(Multipart, HeaderLimitIsTheSameForEverySplit) {
  const std::string head = "Content-Disposition: form-data; name=x\r\nX-Pad: ";
  for (std::size_t extra : {0u, 1u}) {
    const std::size_t limit = 100;
    // The block counted by the limit runs to the CRLF ending its last field.
    const std::string block = head + std::string(limit - head.size() - 2 + extra, 'p') + "\r\n";
    const std::string body = "--b\r\n" + block + "\r\nv\r\n--b--";
    for (std::size_t piece = 1; piece <= body.size(); ++piece) {
      const Result r = parse("b", body, piece, MultipartLimits{8, limit});
      if (extra == 0) {
        EXPECT_TRUE(r.ok) << piece;
      } else {
        EXPECT_EQ(r.error, MultipartError::header_too_large) << piece;
      }
    }
  }
}

TEST(Multipart, BadHeadersAndDelimiters) {
  EXPECT_EQ(parse("b", "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", 5).error,
            MultipartError::bad_header);
  EXPECT_EQ(parse("b", "--b\r\nContent-Disposition: attachment\r\n\r\nv\r\n--b--", 5).error,
            MultipartError::bad_header);
  EXPECT_EQ(parse("b", "--bX\r\n", 10).error, MultipartError::bad_delimiter);
}

TEST(Multipart, BoundaryFromContentType) {
  EXPECT_EQ(form_data_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
            "----WebKitFormBoundary7MA4YWxkTrZu0gW");
  EXPECT_EQ(form_data_boundary("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(form_data_boundary("multipart/form-data; charset=utf-8; boundary=x"), "x");
  EXPECT_FALSE(form_data_boundary("multipart/mixed; boundary=x"));
  EXPECT_FALSE(form_data_boundary("multipart/form-data"));
  EXPECT_FALSE(form_data_boundary("multipart/form-data; boundary=" + std::string(71, 'a')));
  EXPECT_FALSE(form_data_boundary("multipart/form-data; boundary=\"a\r\nb\""));
}

TEST(Multipart, SafeUploadNames) {
  EXPECT_EQ(safe_upload_name("report.pdf"), "report.pdf");
  EXPECT_EQ(safe_upload_name("C:\\Users\\me\\report.pdf"), "report.pdf");
  EXPECT_EQ(safe_upload_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(safe_upload_name("caf\xC3\xA9 menu.txt"), "caf\xC3\xA9 menu.txt");
  EXPECT_FALSE(safe_upload_name(""));
  EXPECT_FALSE(safe_upload_name("dir/"));
  EXPECT_FALSE(safe_upload_name(".."));
  EXPECT_FALSE(safe_upload_name(".htaccess"));
  EXPECT_FALSE(safe_upload_name(std::string("a\0b", 3)));
  EXPECT_FALSE(safe_upload_name("a\nb"));
  EXPECT_FALSE(safe_upload_name(std::string(256, 'x')));
}

}  // namespace
}  // namespace endhost::web

// The DKIM-Signature tag list and its checks (RFC 6376 §3.2, §3.5, §6.1.1).
#include <gtest/gtest.h>

#include "mail/dkim/base64.hpp"
#include "mail/dkim/signature.hpp"
#include "mail/dkim/tag_list.hpp"

namespace endhost::mail::dkim {
namespace {

// RFC 6376 Appendix A.2, the value after "DKIM-Signature:", with its folding.
constexpr std::string_view kAppendixA2 =
    " v=1; a=rsa-sha256; s=brisbane; d=example.com;\r\n"
    "      c=simple/simple; q=dns/txt; i=joe@football.example.com;\r\n"
    "      h=Received : From : To : Subject : Date : Message-ID;\r\n"
    "      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    "      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n"
    "        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n"
    "        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n"
    "        4bmp/YzhwvcubU4=;";

TEST(TagList, ParsesTheRfc6376AppendixA2Signature) {
  auto tags = parse_tag_list(kAppendixA2);
  ASSERT_TRUE(tags) << tags.error();
  ASSERT_EQ(tags->size(), 10u);
  EXPECT_EQ((*tags)[0].name, "v");
  EXPECT_EQ((*tags)[0].value, "1");
  EXPECT_EQ(find_tag(*tags, "h"), "Received : From : To : Subject : Date : Message-ID");
  EXPECT_EQ(find_tag(*tags, "s"), "brisbane");
  EXPECT_EQ(
      strip_fws(*find_tag(*tags, "b")),
      "AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/"
      "LbvaHutKVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV4bmp/YzhwvcubU4=");
}

TEST(TagList, RefusesWhatTheGrammarRefuses) {
  EXPECT_FALSE(parse_tag_list("v=1; v=1"));                     // duplicate (§3.2)
  EXPECT_FALSE(parse_tag_list("v=1;; a=x"));                    // empty tag-spec inside
  EXPECT_FALSE(parse_tag_list("1v=1"));                         // name starts with a digit
  EXPECT_FALSE(parse_tag_list("v"));                            // no '='
  EXPECT_FALSE(parse_tag_list("v=1\r\na=b"));                   // a line break that does not fold
  EXPECT_FALSE(parse_tag_list(std::string_view("v=\x01", 3)));  // control character
  EXPECT_FALSE(parse_tag_list("v=caf\xc3\xa9"));                // 8-bit, outside VALCHAR
  EXPECT_TRUE(parse_tag_list("v=1;"));                          // trailing ';'
  EXPECT_TRUE(parse_tag_list("v=1 ; a = b c ;\r\n "));
  auto t = parse_tag_list("a = b  c ");
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)[0].value, "b  c");
  EXPECT_TRUE(parse_tag_list(""));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "t" + std::to_string(i) + "=x;";
  EXPECT_FALSE(parse_tag_list(many));
}

TEST(Signature, ParsesTheAppendixA2Tags) {
  auto s = parse_signature(kAppendixA2);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->algorithm, Algorithm::RsaSha256);
  EXPECT_EQ(s->domain, "example.com");
  EXPECT_EQ(s->selector, "brisbane");
  EXPECT_EQ(s->identity, "joe@football.example.com");
  EXPECT_EQ(s->header_canon, Canon::Simple);
  EXPECT_EQ(s->body_canon, Canon::Simple);
  EXPECT_EQ(s->headers,
            (std::vector<std::string>{"Received", "From", "To", "Subject", "Date", "Message-ID"}));
  EXPECT_EQ(s->body_hash.size(), 32u);
  EXPECT_EQ(s->signature.size(), 128u);  // a 1024-bit key
  EXPECT_FALSE(s->body_length);
}

std::string base(std::string_view extra) {
  return "v=1; a=ed25519-sha256; d=example.com; s=sel; h=from:to; bh=AAAA; b=AAAA" + std::string(extra);
}

TEST(Signature, AppliesTheChecksOfSection611) {
  EXPECT_TRUE(parse_signature(base("")));
  EXPECT_FALSE(parse_signature("v=2; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA"));
  EXPECT_FALSE(parse_signature("a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA"));
  EXPECT_FALSE(parse_signature("v=1; a=rsa-md5; d=example.com; s=sel; h=from; bh=AAAA; b=AAAA"));
  EXPECT_FALSE(parse_signature("v=1; a=rsa-sha256; d=example.com; s=sel; h=to:subject; bh=AAAA; b=AAAA"));
  EXPECT_FALSE(parse_signature("v=1; a=rsa-sha256; d=example.com; h=from; bh=AAAA; b=AAAA"));
  EXPECT_FALSE(parse_signature(base("; i=joe@example.org")));     // i= not under d=
  EXPECT_FALSE(parse_signature(base("; i=joe@badexample.com")));  // a suffix is not a subdomain
  EXPECT_TRUE(parse_signature(base("; i=joe@mail.example.com")));
  EXPECT_FALSE(parse_signature(base("; c=relaxed/loose")));
  EXPECT_FALSE(parse_signature(base("; q=http")));
  EXPECT_FALSE(parse_signature(base("; t=200; x=100")));
  EXPECT_FALSE(parse_signature(base("; t=12x")));
  EXPECT_FALSE(parse_signature("v=1; a=rsa-sha256; d=exa mple.com; s=sel; h=from; bh=AAAA; b=AAAA"));
  EXPECT_FALSE(parse_signature("v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=AAAA; b=A!AA"));
  auto relaxed = parse_signature(base("; c=relaxed"));
  ASSERT_TRUE(relaxed);
  EXPECT_EQ(relaxed->header_canon, Canon::Relaxed);
  EXPECT_EQ(relaxed->body_canon, Canon::Simple);  // §3.5: "c=relaxed" is relaxed/simple
  auto with_l = parse_signature(base("; l=42"));
  ASSERT_TRUE(with_l);
  EXPECT_EQ(with_l->body_length, 42u);
}

TEST(Signature, WithoutBValueKeepsEverythingElse) {
  EXPECT_EQ(without_b_value("DKIM-Signature: v=1; b=abc\r\n\t def; bh=xyz\r\n"),
            "DKIM-Signature: v=1; b=; bh=xyz\r\n");
  EXPECT_EQ(without_b_value("DKIM-Signature: v=1; bh=xyz; b=abc\r\n"), "DKIM-Signature: v=1; bh=xyz; b=\r\n");
  EXPECT_EQ(without_b_value("DKIM-Signature: v=1; b= abc ;\r\n"), "DKIM-Signature: v=1; b=  ;\r\n");
}

TEST(Base64, RoundTripsAndIgnoresFoldingWhiteSpace) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_decode("Zm9v YmFy"), "foobar");
  EXPECT_EQ(base64_decode("Zg\r\n =="), "f");
  EXPECT_FALSE(base64_decode("Zg=a"));
  EXPECT_FALSE(base64_decode("Z"));
  EXPECT_FALSE(base64_decode("Zm9v!"));
}

}  // namespace
}  // namespace endhost::mail::dkim

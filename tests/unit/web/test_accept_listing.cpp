#include <gtest/gtest.h>

#include <vector>

#include "http/server/accept_encoding.hpp"
#include "http/server/listing.hpp"
#include "http/server/response.hpp"

namespace endhost::web {
namespace {

AcceptedCodings accept(std::vector<http::FieldView> f) {
  return accepted_codings(http::FieldsView(f));
}

TEST(AcceptEncoding, ListedCodings) {
  auto a = accept({{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_TRUE(a.gzip);
  EXPECT_TRUE(a.br);
  EXPECT_FALSE(a.zstd);
}

TEST(AcceptEncoding, NoFieldMeansIdentityOnly) {
  EXPECT_FALSE(accept({}).any());
}

TEST(AcceptEncoding, QZeroRefuses) {
  auto a = accept({{"Accept-Encoding", "gzip;q=0, br;q=0.5, zstd; q=0.000"}});
  EXPECT_FALSE(a.gzip);
  EXPECT_TRUE(a.br);
  EXPECT_FALSE(a.zstd);
  EXPECT_TRUE(accept({{"Accept-Encoding", "gzip;q=0.001"}}).gzip);
  EXPECT_TRUE(accept({{"Accept-Encoding", "GZIP;Q=1"}}).gzip);
}

TEST(AcceptEncoding, StarCoversUnlisted) {
  auto a = accept({{"Accept-Encoding", "*, gzip;q=0"}});
  EXPECT_TRUE(a.br);
  EXPECT_TRUE(a.zstd);
  EXPECT_FALSE(a.gzip);
  EXPECT_FALSE(accept({{"Accept-Encoding", "*;q=0"}}).any());
  EXPECT_FALSE(accept({{"Accept-Encoding", "identity"}}).any());
}

TEST(AcceptEncoding, SeveralLines) {
  auto a = accept({{"Accept-Encoding", "gzip"}, {"accept-encoding", "zstd"}});
  EXPECT_TRUE(a.gzip);
  EXPECT_TRUE(a.zstd);
}

TEST(Listing, EscapesNamesAndSortsDirectoriesFirst) {
  std::vector<ListingEntry> e = {{"z.txt", false, 3, 0},
                                 {"<b>&\"x\".html", false, 10, 0},
                                 {"sub dir", true, 0, 0},
                                 {"a:b", false, 1, 0}};
  std::string html;
  append_listing(html, "/docs/", e, false);
  EXPECT_NE(html.find("<title>Index of /docs/</title>"), std::string::npos);
  EXPECT_NE(html.find("href=\"../\""), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;&amp;&quot;x&quot;.html"), std::string::npos);
  EXPECT_EQ(html.find("<b>&"), std::string::npos);
  EXPECT_NE(html.find("href=\"./%3Cb%3E%26%22x%22.html\""), std::string::npos);
  EXPECT_NE(html.find("href=\"./sub%20dir/\""), std::string::npos);
  EXPECT_NE(html.find("href=\"./a%3Ab\""), std::string::npos);
  EXPECT_LT(html.find("sub dir"), html.find("z.txt"));
  EXPECT_EQ(html.find("cut short"), std::string::npos);
}

TEST(Listing, RootHasNoParentLinkAndTruncationNote) {
  std::vector<ListingEntry> e;
  std::string html;
  append_listing(html, "/", e, true);
  EXPECT_EQ(html.find("../"), std::string::npos);
  EXPECT_NE(html.find("cut short"), std::string::npos);
}

TEST(Response, HeadFraming) {
  std::string out;
  begin_response(out, http::Status::ok, "Sun, 06 Nov 1994 08:49:37 GMT");
  append_content_length(out, 0);
  end_response(out, true, http::http11);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: endhost\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: "
            "0\r\n\r\n");
  out.clear();
  end_response(out, true, http::http10);
  EXPECT_EQ(out, "Connection: keep-alive\r\n\r\n");
  out.clear();
  end_response(out, false, http::http11);
  EXPECT_EQ(out, "Connection: close\r\n\r\n");
}

TEST(Response, ErrorPageEscapesDetail) {
  std::string page;
  append_error_page(page, http::Status::not_found, "<x>");
  EXPECT_NE(page.find("<h1>404 Not Found</h1>"), std::string::npos);
  EXPECT_NE(page.find("&lt;x&gt;"), std::string::npos);
}

}  // namespace
}  // namespace endhost::web

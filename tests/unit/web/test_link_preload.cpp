// The Link rel=preload targets server push promises (link_preload.hpp).
#include "http/server/link_preload.hpp"

#include <gtest/gtest.h>

namespace endhost::web {
namespace {

constexpr LinkBase kBase{"https", "www.example.com", "/shop/index.html"};

std::vector<std::string> paths(std::string_view value, std::size_t limit = 8) {
  std::vector<std::string> out;
  append_preload_paths(value, kBase, out, limit);
  return out;
}

TEST(LinkPreload, TakesPathsWithRelPreload) {
  EXPECT_EQ(paths("</style.css>; rel=preload; as=style"), std::vector<std::string>{"/style.css"});
  EXPECT_EQ(paths("</a.js>; rel=preload, </b.css>;rel=\"preload\";as=style"),
            (std::vector<std::string>{"/a.js", "/b.css"}));
  // rel is a space-separated list, compared case-insensitively (RFC 8288 §3.3).
  EXPECT_EQ(paths("</c.css>; REL=\"stylesheet Preload\""), std::vector<std::string>{"/c.css"});
  // A comma inside the target or a quoted parameter does not split the link-value.
  EXPECT_EQ(paths("</x,y.css>; title=\"a, b\"; rel=preload"), std::vector<std::string>{"/x,y.css"});
}

TEST(LinkPreload, ResolvesAgainstTheRequest) {
  EXPECT_EQ(paths("<logo.png>; rel=preload"), std::vector<std::string>{"/shop/logo.png"});
  EXPECT_EQ(paths("<https://WWW.example.com/img/1.png?v=2#top>; rel=preload"),
            std::vector<std::string>{"/img/1.png?v=2"});
  EXPECT_EQ(paths("<//www.example.com/n.js>; rel=preload"), std::vector<std::string>{"/n.js"});
}

TEST(LinkPreload, LeavesOutWhatIsNotToBePushed) {
  EXPECT_TRUE(paths("</next.html>; rel=prefetch").empty());
  EXPECT_TRUE(paths("</style.css>; rel=preload; nopush").empty());            // as h2o and nginx read it
  EXPECT_TRUE(paths("<https://cdn.example.net/x.js>; rel=preload").empty());  // another origin
  EXPECT_TRUE(paths("<http://www.example.com/x.js>; rel=preload").empty());   // another scheme
  EXPECT_TRUE(paths("<//cdn.example.net/x.js>; rel=preload").empty());
  EXPECT_TRUE(paths("</a b.css>; rel=preload").empty());  // cannot be a :path
  EXPECT_TRUE(paths("/style.css; rel=preload").empty());  // no <>
  EXPECT_TRUE(paths("</unclosed; rel=preload").empty());
  EXPECT_TRUE(paths("").empty());
  EXPECT_EQ(paths("</a.css>; rel=preload, </a.css>; rel=preload"), std::vector<std::string>{"/a.css"});
}

TEST(LinkPreload, StopsAtTheLimit) {
  std::vector<std::string> out{"/already"};
  append_preload_paths("</1>; rel=preload, </2>; rel=preload, </3>; rel=preload", kBase, out, 3);
  EXPECT_EQ(out, (std::vector<std::string>{"/already", "/1", "/2"}));
}

}  // namespace
}  // namespace endhost::web

// The webmail's HTML sanitiser against what mail uses to attack a reader: scripts and their raw text, event
// handlers, javascript:/vbscript:/data: links spelled with entities, tabs and case, remote images and
// backgrounds, CSS that runs code or fetches, frames and forms, nested and malformed markup, comments that
// hide tags. The output is checked for what must not be in it, and for what must stay.
#include <gtest/gtest.h>

#include <string>

#include "mail/webmail/html_sanitizer.hpp"

namespace endhost::mail::webmail {
namespace {

std::string clean(std::string_view html, bool remote = false) {
  SanitizeOptions o;
  o.allow_remote_images = remote;
  return sanitize_html(html, o).html;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Nothing a browser could run or fetch: no script element, no handler, no javascript: anywhere.
void expect_inert(const std::string& out) {
  const std::string l = lower(out);
  EXPECT_EQ(l.find("<script"), std::string::npos) << out;
  EXPECT_EQ(l.find("javascript:"), std::string::npos) << out;
  EXPECT_EQ(l.find("vbscript:"), std::string::npos) << out;
  EXPECT_EQ(l.find(" on"), std::string::npos) << out;
  EXPECT_EQ(l.find("<iframe"), std::string::npos) << out;
  EXPECT_EQ(l.find("<style"), std::string::npos) << out;
  EXPECT_EQ(l.find("expression("), std::string::npos) << out;
  EXPECT_EQ(l.find("url("), std::string::npos) << out;
}

TEST(Sanitizer, KeepsFormattedMail) {
  EXPECT_EQ(clean("<p>Hello <b>Bob</b>,<br>see <a href=\"https://example.org/x?a=1&amp;b=2\">this</a>.</p>"),
            "<p>Hello <b>Bob</b>,<br>see <a href=\"https://example.org/x?a=1&amp;b=2\" target=\"_blank\" "
            "rel=\"noopener noreferrer\">this</a>.</p>");
  EXPECT_EQ(clean("<table border=1><tr><td colspan=\"2\">x</td></tr></table>"),
            "<table border=\"1\"><tr><td colspan=\"2\">x</td></tr></table>");
}

TEST(Sanitizer, DropsScriptsWithTheirContent) {
  EXPECT_EQ(clean("a<script>alert(1)</script>b"), "ab");
  EXPECT_EQ(clean("a<SCRIPT type=x>if (a<b) alert('</p>')</SCRIPT >b"), "ab");
  EXPECT_EQ(clean("a<script>never closed <b>x</b>"), "a");
  EXPECT_EQ(clean("a<style>body{background:url(http://evil/)}</style>b"), "ab");
  EXPECT_EQ(clean("a<textarea><script>x</script></textarea>b"), "ab");
  EXPECT_EQ(clean("a<noscript><img src=x onerror=alert(1)></noscript>b"), "ab");
  // "</scriptx>" does not end a script (WHATWG §13.2.5.3): the text after it is still script.
  EXPECT_EQ(clean("a<script></scriptx>alert(1)</script>b"), "ab");
}

TEST(Sanitizer, DropsEventHandlersAndUnknownAttributes) {
  const std::string out =
      clean("<p onclick=\"x()\" OnMouseOver='y()' id=a class=b style=\"color:red\">t</p>");
  EXPECT_EQ(out, "<p style=\"color: red\">t</p>");
  expect_inert(clean("<img src=x onerror=alert(1)>"));
  expect_inert(clean("<svg onload=alert(1)><circle/></svg>"));
  expect_inert(clean("<body onload=alert(1)>x</body>"));
  expect_inert(clean("<p/onclick=alert(1)>x</p>"));
}

TEST(Sanitizer, RefusesScriptUrlsHoweverSpelled) {
  for (const char* href :
       {"javascript:alert(1)", "JaVaScRiPt:alert(1)", " \tjavascript:alert(1)", "java\tscript:alert(1)",
        "java&#x09;script:alert(1)", "jav&#x61;script:alert(1)", "jav&#97script:alert(1)",
        "javascript&colon;alert(1)",
        "&#106;&#97;&#118;&#97;&#115;&#99;"
        "&#114;&#105;&#112;&#116;&#58;alert(1)",
        "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "/relative", "#frag"}) {
    const std::string out = clean(std::string("<a href=\"") + href + "\">x</a>");
    EXPECT_EQ(out.find("href"), std::string::npos) << href << " -> " << out;
    expect_inert(out);
  }
  EXPECT_NE(clean("<a href=\"mailto:bob@hamburger.edu\">x</a>").find("href=\"mailto:"), std::string::npos);
}

TEST(Sanitizer, BlocksRemoteImagesUnlessAsked) {
  const std::string html = "<img src=\"http://tracker.example/p.gif?u=bob\" alt=\"logo\" width=1>";
  const SanitizedHtml blocked = sanitize_html(html);
  EXPECT_EQ(blocked.html, "<img alt=\"logo\" width=\"1\">");
  EXPECT_EQ(blocked.remote_blocked, 1u);
  SanitizeOptions o;
  o.allow_remote_images = true;
  EXPECT_EQ(sanitize_html(html, o).html,
            "<img src=\"http://tracker.example/p.gif?u=bob\" alt=\"logo\" width=\"1\">");
  // Backgrounds and CSS urls fetch too: dropped and counted, with no way back.
  const SanitizedHtml bg = sanitize_html(
      "<table background=\"https://x/y.png\"><tr><td style=\"background: url(https://x/z.png); color: "
      "blue\">a"
      "</td></tr></table>");
  EXPECT_EQ(bg.remote_blocked, 2u);
  EXPECT_EQ(bg.html.find("https://"), std::string::npos) << bg.html;
  EXPECT_NE(bg.html.find("color: blue"), std::string::npos) << bg.html;
  // Inline raster images stay; SVG in a data: URL and other schemes do not.
  EXPECT_NE(clean("<img src=\"data:image/png;base64,iVBORw0KGgo=\">").find("src="), std::string::npos);
  EXPECT_EQ(clean("<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">").find("src="), std::string::npos);
  EXPECT_EQ(clean("<img src=\"file:///etc/passwd\">").find("src="), std::string::npos);
}

TEST(Sanitizer, ResolvesCidImages) {
  SanitizeOptions o;
  o.resolve_cid = [](std::string_view id) {
    return id == "logo@x" ? std::string("data:image/png;base64,AA==") : "";
  };
  EXPECT_EQ(sanitize_html("<img src=\"cid:logo%40x\">", o).html, "<img src=\"data:image/png;base64,AA==\">");
  EXPECT_EQ(sanitize_html("<img src=\"cid:other\">", o).html, "<img>");
}

TEST(Sanitizer, FiltersCss) {
  EXPECT_EQ(filter_style("color: red; font-weight: bold"), "color: red; font-weight: bold");
  EXPECT_EQ(filter_style("width: expression(alert(1))"), "");
  EXPECT_EQ(filter_style("behavior: url(x.htc); color: #fff"), "color: #fff");
  EXPECT_EQ(filter_style("-moz-binding: url(http://x/#y)"), "");
  EXPECT_EQ(filter_style("color: re\\64"), "");  // escapes could spell anything
  EXPECT_EQ(filter_style("color: red /* */ ; margin: 0"), "margin: 0");
  EXPECT_EQ(filter_style("position: fixed; top: 0"), "");  // could cover the reader
  EXPECT_EQ(filter_style("color: rgb(1, 2, 3)"), "color: rgb(1, 2, 3)");
  EXPECT_EQ(filter_style("color: var(--x)"), "");
  expect_inert(clean("<div style=\"background-image: url(javascript:alert(1))\">x</div>"));
  expect_inert(clean("<div style=\"width: &#101;xpression(alert(1))\">x</div>"));
}

TEST(Sanitizer, DropsFramesFormsAndObjectsWithTheirContent) {
  EXPECT_EQ(clean("a<iframe src=\"https://evil/\"></iframe>b"), "ab");
  EXPECT_EQ(clean("a<object data=x><param name=a><b>fallback</b></object>b"), "ab");
  EXPECT_EQ(clean("a<svg><svg></svg><script>alert(1)</script></svg>b"), "ab");
  EXPECT_EQ(clean("a<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>b"), "ab");
  // A form's tags go (no submitting anywhere from a message), its text stays; inputs go.
  EXPECT_EQ(clean("<form action=\"https://evil/\">name <input name=p></form>"), "name ");
  EXPECT_EQ(
      clean("<base href=\"https://evil/\"><meta http-equiv=refresh content=0><link rel=stylesheet href=x>t"),
      "t");
}

TEST(Sanitizer, MalformedAndNestedMarkupComesOutWellFormed) {
  EXPECT_EQ(clean("<b><i>x</b>y</i>"), "<b><i>x</i></b>y");
  EXPECT_EQ(clean("<div><p>unclosed"), "<div><p>unclosed</p></div>");
  EXPECT_EQ(clean("</div>stray</p>"), "stray");
  EXPECT_EQ(clean("a < b > c"), "a &lt; b &gt; c");
  EXPECT_EQ(clean("<p title=\"x\" title=\"y\">t</p>"), "<p title=\"x\">t</p>");  // the first counts
  EXPECT_EQ(clean("<p title=\"unterminated>t</p>"), "");                         // the tag never ends
  EXPECT_EQ(clean("<p title='a\"b'>t</p>"), "<p title=\"a&quot;b\">t</p>");
  // Depth is bounded: tags past max_depth are dropped, their text kept, the output still closes.
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "<div>";
  deep += "x";
  SanitizeOptions o;
  o.max_depth = 10;
  std::string expected;
  for (int i = 0; i < 10; ++i) expected += "<div>";
  expected += "x";
  for (int i = 0; i < 10; ++i) expected += "</div>";
  EXPECT_EQ(sanitize_html(deep, o).html, expected);
}

TEST(Sanitizer, CommentsAndDeclarationsGo) {
  EXPECT_EQ(clean("a<!-- <script>alert(1)</script> -->b"), "ab");
  EXPECT_EQ(clean("a<!-->b"), "ab");
  EXPECT_EQ(clean("<!DOCTYPE html><?xml x?>a<![CDATA[<script>]]>b"), "a]]&gt;b");
  EXPECT_EQ(clean("a<!-- never closed <b>x</b>"), "a");
  expect_inert(clean("<!--[if IE]><script>alert(1)</script><![endif]-->"));
}

TEST(Sanitizer, EntityTricks) {
  // In text, a reference stays (the browser shows a character, never a tag); a bare & is escaped.
  EXPECT_EQ(clean("&lt;script&gt;alert(1)&lt;/script&gt; &amp; AT&T &copy;"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; AT&amp;T &copy;");
  // In attributes, values are decoded and written escaped: what was checked is what the browser sees.
  EXPECT_EQ(clean("<p title=\"&quot;&gt;&lt;script&gt;\">t</p>"),
            "<p title=\"&quot;&gt;&lt;script&gt;\">t</p>");
  EXPECT_EQ(decode_entities("a&#x3C;b&#60;c&lt;d&unknown;e&#0;f&#x110000;"),
            "a<b<c<d&unknown;e\xEF\xBF\xBD"
            "f\xEF\xBF\xBD");
  EXPECT_EQ(url_scheme("  JAVA\nSCRIPT:x"), "javascript");
  EXPECT_EQ(url_scheme("/a:b"), "");
  EXPECT_EQ(url_scheme("java script:x"), "");
}

TEST(Sanitizer, NulBytesAndAttackStrings) {
  expect_inert(clean(std::string("<scr\0ipt>alert(1)</script>", 26)));
  expect_inert(clean("<a href=\"jav&#x0A;ascript:alert(1)\">x</a>"));
  expect_inert(clean("<img src=`x` onerror=alert(1)>"));
  expect_inert(clean("<<script>script>alert(1)<</script>/script>"));
  expect_inert(clean("<img \"\"\"><script>alert(1)</script>\">"));
  expect_inert(clean("<a href=\"https://x\" onclick=\"y\" style=\"x:expression(alert(1))\">"));
}

}  // namespace
}  // namespace endhost::mail::webmail

// The proxy's route policy (route.hpp): which requests it forwards where, and which it refuses, so that it
// is neither an open relay to internal services nor a way around a reverse proxy's origins.
#include "http/proxy/route.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/request_parser.hpp"
#include "http2/request_head.hpp"

namespace endhost::http::proxy {
namespace {

// Parses one request head; the text stays owned by the fixture, since RequestHead borrows it.
class RouteTest : public ::testing::Test {
 protected:
  const RequestHead& head(std::string text) {
    text_ = std::move(text);
    parser_ = RequestParser();
    auto step = parser_.parse_head(text_);
    EXPECT_TRUE(step) << text_;
    EXPECT_TRUE(parser_.head_done()) << text_;
    return parser_.head();
  }

  static RouteConfig reverse(std::vector<OriginRule> rules) {
    RouteConfig config;
    config.mode = ProxyMode::reverse;
    config.origins = std::move(rules);
    return config;
  }

  static OriginRule rule(std::string host, std::string_view origin) {
    auto url = parse_url(origin);
    EXPECT_TRUE(url) << origin;
    return OriginRule{std::move(host), *url};
  }

 private:
  std::string text_;
  RequestParser parser_;
};

// RFC 9112 §3.2.2: a forward proxy takes absolute-form; the target's authority is the upstream and the Host.
TEST_F(RouteTest, ForwardAbsoluteFormGoesToTheTargetsAuthority) {
  auto route = route_request(head("GET http://Example.COM:8080/a?b HTTP/1.1\r\nHost: other\r\n\r\n"), {});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_host, "example.com");
  EXPECT_EQ(route->upstream_port, 8080);
  EXPECT_EQ(route->host_header, "example.com:8080");
  EXPECT_EQ(route->target.to_string(), "http://example.com:8080/a?b");
}

TEST_F(RouteTest, ForwardDefaultPortIsEighty) {
  auto route = route_request(head("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n"), {});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_port, 80);
  EXPECT_EQ(route->host_header, "example.com");
}

// Squid's Safe_ports: no HTTP at SMTP, SSH or any other privileged port but 80.
TEST_F(RouteTest, ForwardRefusesPrivilegedPortsOtherThanEighty) {
  for (const char* port : {"25", "22", "443", "1023", "0"}) {
    const std::string text = std::string("GET http://127.0.0.1:") + port + "/ HTTP/1.1\r\nHost: x\r\n\r\n";
    auto route = route_request(head(text), {});
    if (std::string(port) == "0") {
      ASSERT_FALSE(route) << port;  // not a valid URL port, or not allowed: refused either way
      continue;
    }
    ASSERT_FALSE(route) << port;
    EXPECT_EQ(route.error().status, Status::forbidden) << port;
    EXPECT_NE(route.error().reason.find(port), std::string::npos) << route.error().reason;
  }
  for (const char* port : {"80", "1024", "8080", "65535"}) {
    const std::string text = std::string("GET http://127.0.0.1:") + port + "/ HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_TRUE(route_request(head(text), {})) << port;
  }
}

TEST_F(RouteTest, ForwardPortsAreConfigurable) {
  RouteConfig config;
  config.forward_ports = {{8000, 8999}};
  EXPECT_TRUE(route_request(head("GET http://h:8000/ HTTP/1.1\r\nHost: h\r\n\r\n"), config));
  EXPECT_TRUE(route_request(head("GET http://h:8999/ HTTP/1.1\r\nHost: h\r\n\r\n"), config));
  EXPECT_FALSE(route_request(head("GET http://h:9000/ HTTP/1.1\r\nHost: h\r\n\r\n"), config));
  EXPECT_FALSE(route_request(head("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n"), config));
}

// A forward proxy is not an origin server: origin-form has no authority to go to.
TEST_F(RouteTest, ForwardRefusesOriginForm) {
  auto route = route_request(head("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"), {});
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().status, Status::bad_request);
  EXPECT_NE(route.error().reason.find("absolute form"), std::string::npos);
}

TEST_F(RouteTest, HttpsTargetsNeedATunnel) {
  auto route = route_request(head("GET https://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n"), {});
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().status, Status::not_implemented);
}

TEST_F(RouteTest, AsteriskFormIsNotProxied) {
  auto route = route_request(head("OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n"), {});
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().status, Status::bad_request);
}

// Reverse mode: the Host picks the origin; the client's view of the URI (the cache key) keeps its Host.
TEST_F(RouteTest, ReverseRoutesTheHostToItsOrigin) {
  const RouteConfig config =
      reverse({rule("a.test", "http://127.0.0.1:8001"), rule("b.test", "http://127.0.0.1:8002")});
  auto route = route_request(head("GET /x HTTP/1.1\r\nHost: B.Test:8443\r\n\r\n"), config);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_host, "127.0.0.1");
  EXPECT_EQ(route->upstream_port, 8002);
  EXPECT_EQ(route->host_header, "B.Test:8443");
  EXPECT_EQ(route->target.to_string(), "http://b.test:8443/x");
}

TEST_F(RouteTest, ReverseUsesTheDefaultOriginForOtherHosts) {
  const RouteConfig config =
      reverse({rule("a.test", "http://127.0.0.1:8001"), rule("", "http://127.0.0.1:9")});
  auto route = route_request(head("GET / HTTP/1.1\r\nHost: unknown.test\r\n\r\n"), config);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_port, 9);
  auto exact = route_request(head("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"), config);
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->upstream_port, 8001);
}

TEST_F(RouteTest, ReverseWithoutAnOriginForTheHostIsMisdirected) {
  const RouteConfig config = reverse({rule("a.test", "http://127.0.0.1:8001")});
  auto route = route_request(head("GET / HTTP/1.1\r\nHost: b.test\r\n\r\n"), config);
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().status, Status::misdirected_request);
}

// HTTP/1.0 may leave Host out: the default origin serves it, under the origin's own authority.
TEST_F(RouteTest, ReverseWithoutHostUsesTheDefaultOrigin) {
  const RouteConfig config = reverse({rule("", "http://127.0.0.1:8001")});
  auto route = route_request(head("GET /p HTTP/1.0\r\n\r\n"), config);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->host_header, "127.0.0.1:8001");
  EXPECT_EQ(route->target.to_string(), "http://127.0.0.1:8001/p");
}

// An accelerator is no open relay: an absolute-form target names the origin rule, never the upstream.
TEST_F(RouteTest, ReverseNeverConnectsWhereAnAbsoluteTargetSays) {
  const RouteConfig with_default = reverse({rule("", "http://127.0.0.1:8001")});
  auto route =
      route_request(head("GET http://internal.example:25/ HTTP/1.1\r\nHost: x\r\n\r\n"), with_default);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_host, "127.0.0.1");
  EXPECT_EQ(route->upstream_port, 8001);

  const RouteConfig named = reverse({rule("a.test", "http://127.0.0.1:8001")});
  auto refused = route_request(head("GET http://internal.example/ HTTP/1.1\r\nHost: a.test\r\n\r\n"), named);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, Status::misdirected_request);
}

// RFC 9110 §9.3.6: CONNECT in forward mode, to the allowed ports only.
TEST_F(RouteTest, ConnectGoesToAllowedPortsOnly) {
  const std::vector<PortRange> ports{{443, 443}};
  auto ok =
      route_connect(head("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), {}, ports);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->host, "example.com");
  EXPECT_EQ(ok->port, 443);
  for (const char* target : {"127.0.0.1:25", "mail.example:587", "[::1]:22", "example.com:444"}) {
    const std::string text = std::string("CONNECT ") + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
    auto refused = route_connect(head(text), {}, ports);
    ASSERT_FALSE(refused) << target;
    EXPECT_EQ(refused.error().status, Status::forbidden) << target;
    EXPECT_NE(refused.error().reason.find("--connect-port"), std::string::npos);
  }
  const std::vector<PortRange> ranges{{443, 443}, {8000, 8999}};
  auto v6 = route_connect(head("CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n"), {}, ranges);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(route_connect(head("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"), {}, {}));
}

TEST_F(RouteTest, ConnectIsRefusedByAReverseProxy) {
  const RouteConfig config = reverse({rule("", "http://127.0.0.1:8001")});
  const std::vector<PortRange> ports{{443, 443}};
  auto refused =
      route_connect(head("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"), config, ports);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, Status::method_not_allowed);
}

// Issue 18: "Host: a.test." is a.test written fully qualified, and goes to a.test's origin.
TEST_F(RouteTest, ReverseTrailingDotInHostIsTheSameHost) {
  auto config = reverse({rule("", "http://127.0.0.1:1"), rule("a.test", "http://127.0.0.1:2")});
  auto route = route_request(head("GET /x HTTP/1.1\r\nHost: a.test.\r\n\r\n"), config);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_port, 2);
  route = route_request(head("GET /x HTTP/1.1\r\nHost: A.TEST.:8080\r\n\r\n"), config);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_port, 2);
  EXPECT_EQ(find_origin(".", config)->origin.port, 1);
}

// Characters browsers send unencoded ({ } | ^ \ ` " < >) are routed and kept as received.
TEST_F(RouteTest, BrowserUrlCharactersAreForwardedAsReceived) {
  const std::string target = "http://example.com/a?filter={\"a\":1}|x^`\\<>";
  auto route = route_request(head("GET " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n"), {});
  ASSERT_TRUE(route) << route.error().reason;
  EXPECT_EQ(route->target.path_query, "/a?filter={\"a\":1}|x^`\\<>");
  auto config = reverse({rule("", "http://127.0.0.1:1")});
  route = route_request(head("GET /b?q={x}|y HTTP/1.1\r\nHost: a.test\r\n\r\n"), config);
  ASSERT_TRUE(route) << route.error().reason;
  EXPECT_EQ(route->target.path_query, "/b?q={x}|y");
}

TEST_F(RouteTest, UnderscoreOptionIsCarriedByTheRoute) {
  RouteConfig config;
  auto route = route_request(head("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n"), config);
  ASSERT_TRUE(route);
  EXPECT_FALSE(route->keep_underscore_fields);
  config.keep_underscore_fields = true;
  route = route_request(head("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n"), config);
  ASSERT_TRUE(route);
  EXPECT_TRUE(route->keep_underscore_fields);
}

TEST(HostWithoutPort, LowerCasesAndDropsThePort) {
  EXPECT_EQ(host_without_port("Example.COM:8080"), "example.com");
  EXPECT_EQ(host_without_port("example.com"), "example.com");
  EXPECT_EQ(host_without_port("[::1]:80"), "::1");
  EXPECT_EQ(host_without_port("[::1"), "::1");
  EXPECT_EQ(host_without_port(""), "");
}

TEST(FindOrigin, ExactRuleBeatsTheDefaultWhateverTheOrder) {
  RouteConfig config;
  config.origins = {OriginRule{"", *parse_url("http://127.0.0.1:1")},
                    OriginRule{"a.test", *parse_url("http://127.0.0.1:2")}};
  ASSERT_NE(find_origin("A.TEST", config), nullptr);
  EXPECT_EQ(find_origin("A.TEST", config)->origin.port, 2);
  EXPECT_EQ(find_origin("b.test", config)->origin.port, 1);
  config.origins.erase(config.origins.begin());
  EXPECT_EQ(find_origin("b.test", config), nullptr);
}

// RFC 9110 §7.6.3: the loop check reads received-by, across fields and members, past commented commas.
TEST(ViaNames, FindsOurPseudonymInAnyMember) {
  const std::vector<FieldView> list{{"Via", "1.0 fred, 1.1 p.example (Apache/1.1, a comment)"},
                                    {"via", "1.1 ENDHOST"}};
  const FieldsView fields(list);
  EXPECT_TRUE(via_names(fields, "endhost"));
  EXPECT_TRUE(via_names(fields, "p.example"));
  EXPECT_TRUE(via_names(fields, "fred"));
  EXPECT_FALSE(via_names(fields, "a"));         // inside a comment
  EXPECT_FALSE(via_names(fields, "comment)"));  // inside a comment, after its comma
  EXPECT_FALSE(via_names(fields, "1.1"));       // the protocol, not the name
  EXPECT_FALSE(via_names(fields, ""));
  EXPECT_FALSE(via_names(FieldsView(), "endhost"));
}

// ---- HTTP/2 requests (RFC 9113 §8.3.1) ----------------------------------------------------------------

namespace h2 {

// A request as the HTTP/2 server core hands it over: built from a decoded field block.
struct Built {
  explicit Built(std::vector<FieldView> block) : fields(std::move(block)) {
    auto ok = http2::build_request_head(fields, storage, head);
    EXPECT_TRUE(ok);
  }
  std::vector<FieldView> fields;
  http2::RequestStorage storage;
  RequestHead head;
};

}  // namespace h2

TEST(Http2ToProxy, ForwardFormBecomesAbsoluteAndRoutesToTheAuthority) {
  h2::Built in({{":method", "GET"},
                {":scheme", "http"},
                {":authority", "origin.test:8080"},
                {":path", "/a?b"},
                {"accept", "*/*"}});
  Request owned;
  std::vector<FieldView> views;
  RequestHead out;
  http2_request_to_proxy(in.head, ProxyMode::forward, owned, views, out);
  // Nothing of the stream's own storage is referenced: overwrite it and the copy still reads the same.
  in.storage = {};
  in.fields.clear();
  EXPECT_EQ(out.target, "http://origin.test:8080/a?b");
  EXPECT_EQ(out.target_form, TargetForm::absolute);
  EXPECT_EQ(out.host, "origin.test:8080");
  EXPECT_EQ(out.fields.get("host"), "origin.test:8080");  // HTTP/1.1 upstream needs Host
  EXPECT_EQ(out.fields.get("accept"), "*/*");
  EXPECT_EQ(out.method_id, Method::get);
  auto route = route_request(out, {});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_host, "origin.test");
  EXPECT_EQ(route->upstream_port, 8080);
  EXPECT_EQ(route->target.to_string(), "http://origin.test:8080/a?b");
}

TEST(Http2ToProxy, HttpsSchemeIsKeptSoTheRouteRefusesIt) {
  h2::Built in({{":method", "GET"}, {":scheme", "https"}, {":authority", "origin.test"}, {":path", "/"}});
  Request owned;
  std::vector<FieldView> views;
  RequestHead out;
  http2_request_to_proxy(in.head, ProxyMode::forward, owned, views, out);
  EXPECT_EQ(out.target, "https://origin.test/");
  auto route = route_request(out, {});
  ASSERT_FALSE(route);
  EXPECT_EQ(route.error().status, Status::not_implemented);
}

TEST(Http2ToProxy, ReverseModeKeepsTheOriginFormWithAuthorityAsHost) {
  h2::Built in({{":method", "GET"}, {":scheme", "https"}, {":authority", "www.test"}, {":path", "/p"}});
  Request owned;
  std::vector<FieldView> views;
  RequestHead out;
  http2_request_to_proxy(in.head, ProxyMode::reverse, owned, views, out);
  EXPECT_EQ(out.target, "/p");
  EXPECT_EQ(out.target_form, TargetForm::origin);
  EXPECT_EQ(out.host, "www.test");
  RouteConfig config;
  config.mode = ProxyMode::reverse;
  config.origins.push_back(OriginRule{"www.test", *parse_url("http://127.0.0.1:9000")});
  auto route = route_request(out, config);
  ASSERT_TRUE(route);
  EXPECT_EQ(route->upstream_port, 9000);
  EXPECT_EQ(route->target.to_string(), "http://www.test/p");
}

TEST(Http2ToProxy, AHostFieldIsNotAddedTwice) {
  h2::Built in({{":method", "POST"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.test"}});
  Request owned;
  std::vector<FieldView> views;
  RequestHead out;
  http2_request_to_proxy(in.head, ProxyMode::forward, owned, views, out);
  EXPECT_EQ(owned.fields.size(), 1u);
  EXPECT_EQ(out.target, "http://h.test/");
  EXPECT_EQ(out.method, "POST");
}

}  // namespace
}  // namespace endhost::http::proxy

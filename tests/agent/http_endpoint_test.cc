// The agent's HTTP server, spoken to by another HTTP implementation (cpp-httplib's client) and by
// hand over a raw socket for what a client library would never send.
#include "agent/http_endpoint.h"

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kiriwake::agent {
namespace {

std::unique_ptr<HttpEndpoint> Serve(HttpEndpointOptions options = {}) {
  std::map<std::string, HttpHandler> routes;
  routes["/healthz"] = [](const UrlQuery&) { return HttpResponse{200, "text/plain", "ok\n"}; };
  routes["/echo"] = [](const UrlQuery& q) {
    return HttpResponse{200, "text/plain", "since=" + q.Get("since").value_or("(none)")};
  };
  routes["/big"] = [](const UrlQuery&) {
    return HttpResponse{200, "text/plain", std::string(3 << 20, 'x')};
  };
  probe::Endpoint any_port = *probe::ParseEndpoint("127.0.0.1", 1);
  any_port.set_port(0);
  auto ep = HttpEndpoint::Listen(any_port, std::move(routes), options);
  EXPECT_TRUE(ep.ok()) << ep.status().ToString();
  if (!ep.ok()) return nullptr;
  (*ep)->Start();
  return std::move(*ep);
}

// Sends `request` on a fresh connection and returns everything the server sends until it closes.
std::string Raw(uint16_t port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return "(connect failed)";
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TEST(HttpEndpoint, ServesRoutesWithDecodedQueryOverKeepAlive) {
  auto ep = Serve();
  ASSERT_NE(ep, nullptr);
  ASSERT_NE(ep->port(), 0);
  httplib::Client c("127.0.0.1", ep->port());
  c.set_keep_alive(true);
  auto r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok\n");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain");
  r = c.Get("/echo?since=2026-11-26T20%3A31%3A58Z");  // the same connection
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "since=2026-11-26T20:31:58Z");
  r = c.Get("/big");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), size_t{3} << 20);
}

TEST(HttpEndpoint, RefusesWhatItDoesNotServeWithTheReason) {
  auto ep = Serve();
  ASSERT_NE(ep, nullptr);
  httplib::Client c("127.0.0.1", ep->port());
  auto r = c.Get("/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("/nope"), std::string::npos);
  r = c.Post("/healthz", "x", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  r = c.Get("/echo?since=20%G1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("two hex digits"), std::string::npos) << r->body;
  // Not HTTP at all: a 400 that says so, then the connection is closed.
  std::string raw = Raw(ep->port(), "HELLO\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw;
  EXPECT_NE(raw.find("bad request"), std::string::npos) << raw;
  // Headers past the limit: 431, which names the cause.
  raw = Raw(ep->port(), "GET /healthz HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 431", 0), 0u) << raw.substr(0, 200);
  EXPECT_NE(raw.find("request header fields too large"), std::string::npos) << raw.substr(0, 200);
  // HTTP/1.0 without keep-alive: answered, then closed (Raw returns at the close).
  raw = Raw(ep->port(), "GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.0 200", 0), 0u) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 3), "ok\n");
}

// A connected TCP socket to the endpoint, or -1.
int Connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(HttpEndpoint, AtTheLimitTheLongestWaitingConnectionMakesRoom) {
  HttpEndpointOptions o;
  o.max_connections = 2;
  auto ep = Serve(o);
  ASSERT_NE(ep, nullptr);
  // Two connections that send nothing hold both slots, the first the longer.
  std::vector<int> held;
  for (int i = 0; i < 2; ++i) {
    int fd = Connect(ep->port());
    ASSERT_GE(fd, 0);
    held.push_back(fd);
    usleep(100'000);  // accepted in this order
  }
  // A third client is served at once, not refused until a timeout frees a slot.
  std::string raw =
      Raw(ep->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  // The first connection was closed to make room; the second still holds its slot.
  timeval tv{2, 0};
  setsockopt(held[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  EXPECT_EQ(read(held[0], &c, 1), 0);
  timeval short_wait{0, 200'000};
  setsockopt(held[1], SOL_SOCKET, SO_RCVTIMEO, &short_wait, sizeof short_wait);
  errno = 0;
  EXPECT_EQ(read(held[1], &c, 1), -1);  // nothing yet, and not closed
  EXPECT_EQ(errno, EAGAIN);
  // It is still served.
  std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(send(held[1], get.data(), get.size(), MSG_NOSIGNAL), static_cast<ssize_t>(get.size()));
  setsockopt(held[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = read(held[1], buf, sizeof buf)) > 0;) answer.append(buf, size_t(n));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  for (int fd : held) close(fd);
}

TEST(HttpEndpoint, HeadersUpToTheLimitAreServedNotABufferOverflow) {
  auto ep = Serve();
  ASSERT_NE(ep, nullptr);
  // 10 KB of headers: over the 4 KB the read buffer once held, under the 16 KiB limit.
  std::string raw =
      Raw(ep->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(10000, 'a') +
                          "\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw.substr(0, 200);
  EXPECT_EQ(raw.substr(raw.size() - 3), "ok\n");
}

TEST(HttpEndpoint, HeadIsAnsweredLikeGetWithoutABody) {
  auto ep = Serve();
  ASSERT_NE(ep, nullptr);
  std::string raw =
      Raw(ep->port(), "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  EXPECT_NE(raw.find("Content-Length: 3\r\n"), std::string::npos) << raw;
  ASSERT_GE(raw.size(), 4u);
  EXPECT_EQ(raw.substr(raw.size() - 4), "\r\n\r\n") << raw;  // the header, and nothing after
  // Not even an error carries a body to a HEAD; a kept-alive HEAD is followed by a GET.
  raw = Raw(ep->port(), "HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 404", 0), 0u) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 4), "\r\n\r\n") << raw;
  raw = Raw(ep->port(),
            "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  EXPECT_EQ(raw.find("HTTP/1.1 200", 1), raw.rfind("HTTP/1.1 200")) << raw;
  EXPECT_NE(raw.find("HTTP/1.1 200", 1), std::string::npos) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 3), "ok\n") << raw;
  // Other methods are refused without a body to HEAD's sake, and say what is allowed.
  raw = Raw(ep->port(), "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 405", 0), 0u) << raw;
  EXPECT_NE(raw.find("Allow: GET, HEAD\r\n"), std::string::npos) << raw;
}

TEST(HttpEndpoint, AbsoluteFormAndPercentEncodedPathsReachTheirRoute) {
  auto ep = Serve();
  ASSERT_NE(ep, nullptr);
  std::string raw = Raw(ep->port(),
                        "GET http://127.0.0.1:9/echo?since=1 HTTP/1.1\r\nHost: x\r\n"
                        "Connection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 7), "since=1") << raw;
  raw = Raw(ep->port(), "GET /%68ealthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  // A bad escape names its column in the whole target.
  raw = Raw(ep->port(), "GET /echo?since=%G1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw;
  EXPECT_NE(raw.find("/echo?since=%G1:1:13"), std::string::npos) << raw;
}

TEST(HttpEndpoint, Http11WithoutExactlyOneHostIsABadRequest) {
  auto ep = Serve();
  ASSERT_NE(ep, nullptr);
  std::string raw = Raw(ep->port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw;
  EXPECT_NE(raw.find("Host"), std::string::npos) << raw;
  raw = Raw(ep->port(), "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw;
  raw = Raw(ep->port(), "GET /healthz HTTP/1.0\r\n\r\n");  // HTTP/1.0 has no Host to require
  EXPECT_EQ(raw.rfind("HTTP/1.0 200", 0), 0u) << raw;
}

TEST(HttpEndpoint, HalfSentRequestsCannotLockOtherClientsOut) {
  HttpEndpointOptions o;
  o.max_connections = 4;
  o.header_timeout_ms = 200;
  auto ep = Serve(o);
  ASSERT_NE(ep, nullptr);
  // Every slot held by a request that never completes.
  std::vector<int> held;
  for (int i = 0; i < o.max_connections; ++i) {
    int fd = Connect(ep->port());
    ASSERT_GE(fd, 0);
    std::string half = "GET /healthz HTTP/1.1\r\nHo";
    ASSERT_EQ(send(fd, half.data(), half.size(), MSG_NOSIGNAL), static_cast<ssize_t>(half.size()));
    held.push_back(fd);
  }
  // A normal client is served within a few header timeouts, not after the 30 s idle timeout.
  auto start = std::chrono::steady_clock::now();
  std::string raw;
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    raw = Raw(ep->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    if (raw.rfind("HTTP/1.1 200", 0) == 0) break;
    usleep(50'000);
  }
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // The half-sent connections were closed by the server.
  for (int fd : held) {
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    EXPECT_LE(read(fd, &c, 1), 0);
    close(fd);
  }
}

TEST(HttpEndpoint, KeptAliveConnectionWaitsTheIdleTimeoutNotTheHeaderTimeout) {
  HttpEndpointOptions o;
  o.header_timeout_ms = 200;
  auto ep = Serve(o);
  ASSERT_NE(ep, nullptr);
  int fd = Connect(ep->port());
  ASSERT_GE(fd, 0);
  timeval tv{3, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto ask = [&](const std::string& request) {
    (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string out;
    char buf[4096];
    while (out.find("\r\n\r\n") == std::string::npos || !out.ends_with("ok\n")) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  };
  EXPECT_EQ(ask("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
  usleep(500'000);  // idle past the header timeout, well within the idle timeout
  std::string again = ask("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(again.rfind("HTTP/1.1 200", 0), 0u) << again;
  close(fd);
}

TEST(HttpEndpoint, ListenErrorNamesTheAddress) {
  auto first = Serve();
  ASSERT_NE(first, nullptr);
  std::string at = "127.0.0.1:" + std::to_string(first->port());
  auto second = HttpEndpoint::Listen(*probe::ParseEndpoint(at, 0), {});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().ToString().find("cannot listen for HTTP on " + at), std::string::npos)
      << second.status().ToString();
}

TEST(HttpEndpoint, StopsWithOpenConnectionsAndTwice) {
  auto ep = Serve();
  ASSERT_NE(ep, nullptr);
  httplib::Client c("127.0.0.1", ep->port());
  c.set_keep_alive(true);
  ASSERT_TRUE(c.Get("/healthz"));  // leaves a kept-alive connection open
  uint16_t port = ep->port();
  ep->Stop();
  ep->Stop();
  httplib::Client c2("127.0.0.1", port);
  EXPECT_FALSE(c2.Get("/healthz"));
}

}  // namespace
}  // namespace kiriwake::agent

// agent/http_endpoint.h: the agent's HTTP server: GET on a few fixed paths (/metrics, /healthz,
// /api/v1/observations), plain HTTP/1.1 with keep-alive, on one thread of its own.
//
// Boost.Beast on Asio rather than cpp-httplib (which the CLI's clients use): Debian builds
// libcpp-httplib with OpenSSL and initialises OpenSSL from a static constructor in every process
// that loads it, 3.4 MB resident before main() in a daemon whose whole budget is 12 MB. The
// agent serves plain HTTP on localhost or a management network (put a TLS proxy in front where
// that is not enough), so its binary (kiriwake-agent) links neither. See docs/design.md.
#ifndef KIRIWAKE_AGENT_HTTP_ENDPOINT_H_
#define KIRIWAKE_AGENT_HTTP_ENDPOINT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "probe/endpoint.h"
#include "util/result.h"
#include "util/url_query.h"

namespace kiriwake::agent {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Called on the endpoint's thread with the decoded query of the request target. Must be safe to
// call while the rest of the agent runs (it reads shared state under that state's own lock).
using HttpHandler = std::function<HttpResponse(const UrlQuery& query)>;

struct HttpEndpointOptions {
  // Connections open at once (a scrape or a collect needs one each). At the limit a new
  // connection closes the one that has waited longest for a request; when every one is
  // answering a request, the new one is closed instead.
  int max_connections = 32;
  // An idle keep-alive connection is closed after this.
  int idle_timeout_ms = 30'000;
  // A request line and headers must arrive whole within this of the connection's accept, or of
  // the first byte of a later request on a kept-alive connection; else the connection is
  // closed. Short, so clients that send half a request (slowloris) cannot hold every one of the
  // max_connections slots for the idle timeout.
  int header_timeout_ms = 5'000;
};

class HttpEndpoint {
 public:
  // Binds and listens on `at` (port 0: any free port, see port()). Serving starts at Start().
  static Result<std::unique_ptr<HttpEndpoint>> Listen(const probe::Endpoint& at,
                                                      std::map<std::string, HttpHandler> routes,
                                                      HttpEndpointOptions options = {});
  ~HttpEndpoint();  // Stop()s
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Serves on a new thread until Stop(). GET and HEAD (the same answer without its body) are
  // served; unknown paths get 404, other methods 405, a request line and headers over 16 KiB 431,
  // a malformed request or query (an HTTP/1.1 request without exactly one Host among them) 400
  // with the reason, and the connection is closed after an error.
  void Start();
  // Closes the listener and every connection and joins the thread. Idempotent.
  void Stop();

  uint16_t port() const;

  struct Impl;  // Beast and Asio stay out of this header (and out of every includer's build time)

 private:
  explicit HttpEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiriwake::agent

#endif  // KIRIWAKE_AGENT_HTTP_ENDPOINT_H_

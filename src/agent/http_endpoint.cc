#include "agent/http_endpoint.h"

#include <chrono>
#include <list>
#include <optional>
#include <thread>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace kiriwake::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
class Session;
}

struct HttpEndpoint::Impl {
  std::map<std::string, HttpHandler> routes;
  HttpEndpointOptions options;
  // The connections that hold a slot, longest waiting first (a connection moves to the back
  // each time it starts waiting for a request). Touched on the endpoint's thread only.
  std::list<Session*> sessions;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  bool stopped = false;

  void Accept();
  HttpResponse Handle(const http::request<http::empty_body>& req) const;
};

namespace {

// A request line and headers larger than this are refused (ours are a few hundred bytes).
constexpr uint32_t kHeaderLimit = 16 * 1024;

bool IsHttpError(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_target).category();
}

// One connection: read a request, answer it, and again while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpEndpoint::Impl* endpoint)
      : stream_(std::move(socket)), endpoint_(endpoint) {
    slot_ = endpoint_->sessions.insert(endpoint_->sessions.end(), this);
  }
  ~Session() { Release(); }

  // The first request of a connection: its header is due within the header timeout.
  void Start() { ReadHeader(); }

  // Waiting for a request (idle, or its header still arriving), not answering one.
  bool waiting() const { return waiting_; }

  // Gives up the slot now and closes the connection: its pending read ends with an error, and
  // the session is gone once that handler has run.
  void Evict() {
    Release();
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

 private:
  void Release() {
    if (!released_) endpoint_->sessions.erase(slot_);
    released_ = true;
  }

  // Marks the session as waiting for a request, and the youngest to wait.
  void Waiting() {
    waiting_ = true;
    if (!released_) {
      endpoint_->sessions.splice(endpoint_->sessions.end(), endpoint_->sessions, slot_);
    }
  }

  // A kept-alive connection waits up to the idle timeout for the next request's first bytes;
  // from them on, its header is due within the header timeout.
  void AwaitNext() {
    if (buffer_.size() > 0) return ReadHeader();  // pipelined: already here
    Waiting();
    stream_.expires_after(std::chrono::milliseconds(endpoint_->options.idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec)
                                return self->Close();  // closed by the client, timed out, reset
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    Waiting();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(std::chrono::milliseconds(endpoint_->options.header_timeout_ms));
    // The header alone: a method we do not serve, or a body, is refused without reading the body.
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    waiting_ = false;
    if (ec == http::error::end_of_stream) return Close();
    head_ = false;
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      Reply(HttpResponse{431, "text/plain; charset=utf-8",
                         fmt::format("request header fields too large: over {} bytes\n",
                                     kHeaderLimit)},
            11, /*keep_alive=*/false);
      return;
    }
    if (ec && IsHttpError(ec)) {
      // Not HTTP, or a request we do not take (a body on a GET, headers past the limit): say why.
      Reply(HttpResponse{400, "text/plain; charset=utf-8",
                         fmt::format("bad request: {}\n", ec.message())},
            11, /*keep_alive=*/false);
      return;
    }
    if (ec) return;  // timed out, reset: nothing to answer
    const auto& req = parser_->get();
    head_ = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head_) {
      Reply(HttpResponse{405, "text/plain; charset=utf-8", "only GET and HEAD are served here\n"},
            req.version(), /*keep_alive=*/false);
      return;
    }
    if (!parser_->is_done()) {
      Reply(
          HttpResponse{400, "text/plain; charset=utf-8",
                       fmt::format("bad request: a {} carries no body\n", head_ ? "HEAD" : "GET")},
          req.version(), /*keep_alive=*/false);
      return;
    }
    // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without a Host, and to any
    // request with more than one.
    auto hosts = req.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && req.version() >= 11)) {
      Reply(HttpResponse{400, "text/plain; charset=utf-8",
                         hosts > 1 ? "bad request: more than one Host header\n"
                                   : "bad request: an HTTP/1.1 request needs a Host header\n"},
            req.version(), /*keep_alive=*/false);
      return;
    }
    HttpResponse r = endpoint_->Handle(req);
    bool keep_alive = req.keep_alive() && r.status < 400;
    Reply(std::move(r), req.version(), keep_alive);
  }

  void Reply(HttpResponse r, unsigned version, bool keep_alive) {
    res_ = {};
    res_.version(version);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(http::field::server, "kiriwake-agent");
    res_.set(http::field::content_type, r.content_type);
    if (r.status == 405) res_.set(http::field::allow, "GET, HEAD");
    res_.body() = std::move(r.body);  // moved: a /metrics page for 1,000 peers is ~2 MB
    res_.keep_alive(keep_alive);
    res_.prepare_payload();  // Content-Length of the body, which a HEAD answer states too
    stream_.expires_after(std::chrono::milliseconds(endpoint_->options.idle_timeout_ms));
    serializer_.emplace(res_);
    auto done = [self = shared_from_this()](beast::error_code ec, size_t) {
      bool again = !ec && self->res_.keep_alive();
      self->serializer_.reset();
      self->res_ = {};  // the page is not kept until the next request
      if (again) {
        self->AwaitNext();
      } else {
        self->Close();
      }
    };
    // A response to HEAD has no body (RFC 9110 9.3.2), whatever its status: the header only.
    if (head_) {
      http::async_write_header(stream_, *serializer_, std::move(done));
    } else {
      http::async_write(stream_, *serializer_, std::move(done));
    }
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  HttpEndpoint::Impl* endpoint_;
  // flat_buffer's argument is its maximum size: room for a whole header of kHeaderLimit, so the
  // parser's limit (431) is what refuses a large one, not the buffer.
  static constexpr size_t kFirstRead = 512;
  beast::flat_buffer buffer_{kHeaderLimit + 4096};
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  bool head_ = false;  // the request being answered is a HEAD
  std::list<Session*>::iterator slot_;
  bool released_ = false;  // the slot is given back (evicted)
  bool waiting_ = false;
};

}  // namespace

void HttpEndpoint::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;  // stopping
    if (!ec) {
      // At the limit, the connection that has waited longest for a request makes room: clients
      // that open connections and send nothing, or half a request, cannot hold every slot by
      // reopening them as they time out. One answering a request is never closed for this.
      if (static_cast<int>(sessions.size()) >= options.max_connections) {
        for (Session* s : sessions) {
          if (s->waiting()) {
            s->Evict();
            break;
          }
        }
      }
      if (static_cast<int>(sessions.size()) >= options.max_connections) {
        beast::error_code ignored;
        socket.close(ignored);  // every slot is answering: a flood costs a close each, not memory
      } else {
        std::make_shared<Session>(std::move(socket), this)->Start();
      }
    }
    Accept();
  });
}

HttpResponse HttpEndpoint::Impl::Handle(const http::request<http::empty_body>& req) const {
  std::string_view target(req.target().data(), req.target().size());
  // RFC 9112 3.2.2: a server must accept the absolute form ("http://host:port/path?q") that
  // clients send to proxies; the path and query are what follow the authority.
  size_t path_start = 0;
  if (size_t scheme = target.find("://");
      scheme != std::string_view::npos && target.substr(0, 1) != "/") {
    path_start = target.find_first_of("/?", scheme + 3);
    if (path_start == std::string_view::npos) path_start = target.size();
  }
  size_t q = target.find('?', path_start);
  std::string_view raw_path =
      target.substr(path_start, q == std::string_view::npos ? q : q - path_start);
  auto path = DecodeUrlPath(raw_path.empty() ? "/" : raw_path, target, path_start);
  if (!path.ok()) return {400, "text/plain; charset=utf-8", path.status().ToString() + "\n"};
  auto route = routes.find(*path);
  if (route == routes.end()) {
    return {404, "text/plain; charset=utf-8", fmt::format("no such path: {}\n", raw_path)};
  }
  auto query = q == std::string_view::npos ? ParseUrlQuery("", target)
                                           : ParseUrlQuery(target.substr(q + 1), target, q + 1);
  if (!query.ok()) return {400, "text/plain; charset=utf-8", query.status().ToString() + "\n"};
  return route->second(*query);
}

HttpEndpoint::HttpEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpEndpoint::~HttpEndpoint() { Stop(); }

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Listen(
    const probe::Endpoint& at, std::map<std::string, HttpHandler> routes,
    HttpEndpointOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->routes = std::move(routes);
  impl->options = options;
  beast::error_code ec;
  auto address = asio::ip::make_address(at.AddressString(), ec);
  auto fail = [&](std::string_view what) {
    return Status::IOError(
        fmt::format("cannot listen for HTTP on {}: {}: {}", at.ToString(), what, ec.message()));
  };
  if (ec) return fail("address");
  tcp::endpoint ep(address, at.port());
  impl->acceptor.open(ep.protocol(), ec);
  if (ec) return fail("socket");
  impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("SO_REUSEADDR");
  impl->acceptor.bind(ep, ec);
  if (ec) return fail("bind");
  impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  return std::unique_ptr<HttpEndpoint>(new HttpEndpoint(std::move(impl)));
}

void HttpEndpoint::Start() {
  if (impl_->thread.joinable() || impl_->stopped) return;
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

void HttpEndpoint::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->thread.joinable()) {
    asio::post(impl_->ioc, [impl = impl_.get()] {
      beast::error_code ignored;
      impl->acceptor.close(ignored);
      impl->ioc.stop();  // open connections are dropped with the io_context's pending handlers
    });
    impl_->thread.join();
  } else {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  }
}

uint16_t HttpEndpoint::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace kiriwake::agent

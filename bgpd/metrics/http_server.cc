#include "bgpd/metrics/http_server.h"

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "bgpd/io/log.h"

// After bgpd/io/asio.h (through http_server.h): Beast includes Asio itself.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace evpnd::bgpd::metrics {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

constexpr size_t kMaxConnections = 16;
constexpr uint32_t kHeaderLimit = 8 * 1024;
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr auto kResponseTimeout = std::chrono::seconds(30);
constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

struct HttpServer::Registry {
  std::function<std::string()> render;
  std::map<Connection*, std::weak_ptr<Connection>> open;
};

class HttpServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<Registry> registry)
      : stream_(std::move(socket)), registry_(std::move(registry)) {}
  ~Connection() { registry_->open.erase(this); }

  void Run() {
    registry_->open[this] = weak_from_this();
    Read();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(0);  // a scrape has no body
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      Close();
      return;
    }
    if (ec) {
      if (ec.category() == beast::http::make_error_code(http::error::bad_target).category()) {
        spdlog::debug("metrics: bad HTTP request: {}", ec.message());
        Respond(http::status::bad_request, "bad request\n", /*head=*/false, /*keep_alive=*/false,
                11);
      } else {
        Close();
      }
      return;
    }
    const http::request<http::string_body>& req = parser_->get();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head) {
      Respond(http::status::method_not_allowed, "only GET and HEAD\n", false, keep_alive,
              req.version());
      return;
    }
    absl::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    if (target == "/metrics") {
      Respond(http::status::ok, registry_->render(), head, keep_alive, req.version());
    } else if (target == "/") {
      Respond(http::status::ok, "evpnd: metrics at /metrics\n", head, keep_alive,
              req.version());
    } else {
      Respond(http::status::not_found, "not found: the metrics are at /metrics\n", head,
              keep_alive, req.version());
    }
  }

  void Respond(http::status status, std::string body, bool head, bool keep_alive,
               unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(status, version);
    res->set(http::field::server, "evpnd");
    res->set(http::field::content_type,
             status == http::status::ok ? kContentType : "text/plain; charset=utf-8");
    if (status == http::status::method_not_allowed) res->set(http::field::allow, "GET, HEAD");
    res->keep_alive(keep_alive);
    const size_t length = body.size();
    if (!head) res->body() = std::move(body);
    res->content_length(length);
    stream_.expires_after(kResponseTimeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
                        if (ec || !keep_alive) {
                          self->Close();
                          return;
                        }
                        self->Read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Registry> registry_;
};

HttpServer::HttpServer(asio::io_context& io, std::function<std::string()> render)
    : io_(io), registry_(std::make_shared<Registry>()) {
  registry_->render = std::move(render);
}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start(const evpn::IpAddress& address, uint16_t port) {
  Stop();
  const tcp::endpoint endpoint(asio::ip::make_address(address.ToString()), port);
  auto acceptor = std::make_unique<tcp::acceptor>(io_);
  boost::system::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", address.ToString(),
                                               " port ", port, ": ", ec.message()));
  }
  port_ = acceptor->local_endpoint().port();
  acceptor_ = std::move(acceptor);
  spdlog::info("metrics: Prometheus endpoint on http://{}:{}/metrics",
               address.is_v4() ? address.ToString() : absl::StrCat("[", address.ToString(), "]"),
               port_);
  Accept();
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (acceptor_ != nullptr) {
    boost::system::error_code ec;
    acceptor_->close(ec);
    acceptor_.reset();
  }
  std::vector<std::shared_ptr<Connection>> open;
  for (auto& [raw, weak] : registry_->open) {
    if (auto c = weak.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open) c->Close();
}

void HttpServer::Accept() {
  tcp::acceptor* acceptor = acceptor_.get();
  acceptor->async_accept([this, acceptor](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || acceptor_.get() != acceptor) return;
    if (!ec) {
      if (registry_->open.size() >= kMaxConnections) {
        spdlog::debug("metrics: {} connections open, closing a new one", kMaxConnections);
        socket.close(ec);
      } else {
        std::make_shared<Connection>(std::move(socket), registry_)->Run();
      }
    }
    Accept();
  });
}

}  // namespace evpnd::bgpd::metrics

// The Prometheus scrape endpoint: a small HTTP/1.1 server (Boost.Beast) answering GET /metrics
// with the text the `render` callback returns. Off unless global.metrics.http_address is set.
//
// NOTE:
//   Threading: runs on the core io_context, so `render` reads daemon state directly on the core
//     thread, without locks or copies; every socket operation is asynchronous, so a slow or
//     stuck client never holds the core up.
//   Limits: at most 16 connections (more are closed at once), requests of at most 8 KiB of
//     headers and no body, 10 s to send a request, keep-alive honoured.
//   Errors: GET/HEAD of any other path gets 404, other methods 405, malformed requests 400 and
//     the connection is closed; none of it is logged above debug.
// Standards: RFC 9110/9112 (HTTP/1.1), Prometheus exposition format 0.0.4.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "bgpd/io/asio.h"
#include "evpn/ip_address.h"

namespace evpnd::bgpd::metrics {

class HttpServer {
 public:
  HttpServer(asio::io_context& io, std::function<std::string()> render);
  ~HttpServer();

  // Listens on address:port (port 0: any free port, see port()). Stops a previous listener.
  absl::Status Start(const evpn::IpAddress& address, uint16_t port);
  // Closes the listener and every open connection.
  void Stop();
  uint16_t port() const { return port_; }

  class Connection;  // http_server.cc
  struct Registry;   // the open connections, shared with them

 private:
  void Accept();

  asio::io_context& io_;
  std::shared_ptr<Registry> registry_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  uint16_t port_ = 0;
};

}  // namespace evpnd::bgpd::metrics

// The gRPC management API (proto/api.proto) of the daemon. gRPC's threads hold no state: every
// call is posted to the core thread as a closure, which reads or changes the Daemon and fills a
// response of its own; the gRPC thread waits for it with a deadline and copies it out. Listens
// on a Unix socket (mode 0660, optional group) and optionally on TCP.
//
// NOTE:
//   Threading: Start/Stop on the main thread; handlers on gRPC threads; Daemon access only
//     inside closures posted to the core io_context.
//   Errors: absl::Status from the Daemon maps to the gRPC code of the same name; input is
//     checked here first (INVALID_ARGUMENT naming the field) and nothing changes on an error.
// Standards: gRPC status codes; RFC 4271, RFC 7432 (what is shown).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "bgpd/config/config.h"
#include "bgpd/io/asio.h"

namespace grpc {
class Server;
}

namespace evpnd::bgpd {

class Daemon;

class ApiServer {
 public:
  // `reload` re-reads the configuration file and applies it (on the core thread), as SIGHUP.
  ApiServer(asio::io_context& core, Daemon& daemon, std::function<absl::Status()> reload);
  ~ApiServer();

  absl::Status Start(const ApiConfig& config);
  // Refuses new calls, lets the core finish what it was asked, stops the server.
  void Stop();

 private:
  class Service;
  class EventHub;
  asio::io_context& core_;
  Daemon& daemon_;
  std::function<absl::Status()> reload_;
  std::shared_ptr<EventHub> hub_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string socket_path_;
};

}  // namespace evpnd::bgpd

// Listens for BGP connections on the configured addresses and port and hands each accepted
// socket to the peer session configured for its source address; connections from addresses
// that are not configured peers are closed at once.
// Standards: RFC 4271 §8 (a BGP speaker accepts connections only from configured peers).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bgpd/io/asio.h"
#include "evpn/ip_address.h"

namespace evpnd::bgpd {

class Listener {
 public:
  // Returns false when no peer is configured for the address (the socket is then closed).
  using Dispatch = std::function<bool(const evpn::IpAddress& from, tcp::socket socket)>;

  Listener(asio::io_context& io, Dispatch dispatch) : io_(io), dispatch_(std::move(dispatch)) {}
  // `md5_keys` (peer address -> RFC 2385 key) are installed before listen(), so that no SYN of
  // a peer with a password is ever accepted unsigned.
  absl::Status Listen(const evpn::IpAddress& address, uint16_t port,
                      const std::map<evpn::IpAddress, std::string>& md5_keys = {});
  struct Socket {
    int fd;
    bool ipv6;
  };
  // The listening sockets, e.g. for TCP-MD5 keys per peer.
  std::vector<Socket> Sockets();
  void Close();

 private:
  void AcceptNext(std::shared_ptr<tcp::acceptor> acceptor);

  asio::io_context& io_;
  Dispatch dispatch_;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
};

}  // namespace evpnd::bgpd

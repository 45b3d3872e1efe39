// See listener.h.
#include "bgpd/io/listener.h"

#include "bgpd/io/socket_options.h"

#include "absl/strings/str_cat.h"
#include "bgpd/io/log.h"

namespace evpnd::bgpd {
namespace {

evpn::IpAddress FromAsio(const asio::ip::address& a) {
  if (a.is_v4()) return evpn::IpAddress::V4(a.to_v4().to_uint());
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    return evpn::IpAddress::V4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
  }
  const auto b = v6.to_bytes();
  std::array<uint8_t, 16> bytes;
  std::copy(b.begin(), b.end(), bytes.begin());
  return evpn::IpAddress::V6(bytes);
}

}  // namespace

absl::Status Listener::Listen(const evpn::IpAddress& address, uint16_t port,
                              const std::map<evpn::IpAddress, std::string>& md5_keys) {
  boost::system::error_code ec;
  const asio::ip::address addr = asio::ip::make_address(address.ToString(), ec);
  const tcp::endpoint endpoint(addr, port);
  auto acceptor = std::make_shared<tcp::acceptor>(io_);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec && addr.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) {
    // RFC 5082: SYN-ACKs leave with TTL 255, or a GTSM peer's connecting socket drops them.
    if (absl::Status s = SetListenerTtlForGtsm(acceptor->native_handle(), addr.is_v6());
        !s.ok()) {
      spdlog::warn("listener {}: {}; GTSM peers cannot connect here", address.ToString(),
                   s.message());
    }
    if (absl::Status s = SaveSyn(acceptor->native_handle()); !s.ok()) {
      spdlog::warn("listener {}: {}; GTSM checks connections from their first data segment",
                   address.ToString(), s.message());
    }
    for (const auto& [peer, key] : md5_keys) {
      if (peer.is_v6() != addr.is_v6()) continue;  // a v6-only socket takes no IPv4 key
      if (absl::Status s = SetTcpMd5(acceptor->native_handle(), peer, key); !s.ok()) {
        spdlog::warn("peer {}: TCP-MD5 key not installed on a listener: {}", peer.ToString(),
                     s.message());
      }
    }
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address.ToString(), " port ",
                                               port, ": ", ec.message()));
  }
  spdlog::info("listening on {} port {}", address.ToString(), port);
  AcceptNext(acceptor);
  acceptors_.push_back(std::move(acceptor));
  return absl::OkStatus();
}

void Listener::AcceptNext(std::shared_ptr<tcp::acceptor> acceptor) {
  // The handlers hold the acceptor; Close() ends them with operation_aborted.
  acceptor->async_accept([this, acceptor](const boost::system::error_code& ec,
                                          tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      boost::system::error_code rec;
      const tcp::endpoint remote = socket.remote_endpoint(rec);
      if (!rec) {
        const evpn::IpAddress from = FromAsio(remote.address());
        if (!dispatch_(from, std::move(socket))) {
          spdlog::info("connection from {} refused: not a configured peer", from.ToString());
        }
      }
    } else {
      // EMFILE, ENFILE, ENOBUFS fail at once and again: retry after a pause, not in a loop.
      spdlog::warn("accept failed: {}; retrying in 1 s", ec.message());
      auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(1));
      timer->async_wait([this, acceptor, timer](const boost::system::error_code& wait) {
        if (!wait && acceptor->is_open()) AcceptNext(acceptor);
      });
      return;
    }
    AcceptNext(acceptor);
  });
}

std::vector<Listener::Socket> Listener::Sockets() {
  std::vector<Socket> sockets;
  for (auto& a : acceptors_) {
    boost::system::error_code ec;
    const bool v6 = a->local_endpoint(ec).address().is_v6();
    sockets.push_back({a->native_handle(), v6});
  }
  return sockets;
}

void Listener::Close() {
  for (auto& a : acceptors_) {
    boost::system::error_code ec;
    a->close(ec);
  }
  acceptors_.clear();
}

}  // namespace evpnd::bgpd

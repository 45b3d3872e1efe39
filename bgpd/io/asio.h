// The one include of Boost.Asio for evpnd. Boost 1.74's Asio with -std=c++20 on GCC 12 needs
// <utility> first (std::exchange in boost/asio/awaitable.hpp).
#pragma once

#include <utility>

#include <boost/asio.hpp>

namespace evpnd::bgpd {
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
}  // namespace evpnd::bgpd

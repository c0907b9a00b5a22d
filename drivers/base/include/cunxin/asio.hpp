// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The one way to include Boost.Asio in Cunxin.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>;
// GCC 12 then fails to compile it. Include it first.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cunxin {
namespace asio = boost::asio;
}  // namespace cunxin

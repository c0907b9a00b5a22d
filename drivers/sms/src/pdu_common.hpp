// SPDX-License-Identifier: Apache-2.0
#pragma once
// Small helpers shared by the codec's sources.

#include <string>
#include <utility>

#include "cunxin/sms/error.hpp"

namespace cunxin::sms::detail {

inline Error err(Errc c, std::string detail) { return Error{c, -1, std::move(detail)}; }

}  // namespace cunxin::sms::detail

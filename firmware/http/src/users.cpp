// SPDX-License-Identifier: Apache-2.0
#include "store_map.hpp"

namespace cunxin::http {

void register_users(Router&) {}

}  // namespace cunxin::http

// SPDX-License-Identifier: Apache-2.0
#include "store_map.hpp"

namespace cunxin::http {

void register_messages(Router&) {}

}  // namespace cunxin::http

// SPDX-License-Identifier: Apache-2.0
// Modems and SIMs: status, limits and price, restart, USSD.

#include "store_map.hpp"

namespace cunxin::http {

int modems_ready(ServerImpl& s) {
    if (!s.hooks.core) return 0;
    CoreApi* core = s.hooks.core;
    auto r = s.call_core([core] { return core->modems_ready(); });
    return r ? *r : 0;
}

void register_modems(Router&) {}

}  // namespace cunxin::http

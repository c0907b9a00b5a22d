// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What the county API asks of the hub's core (`cunxin hub`). Called only on the core thread
/// (inside CoreHooks::post). Lean header.

#include <string>
#include <vector>

#include "cunxin/http/core_api.hpp"

namespace cunxin::http {

/// A county notice (POST /api/v1/county/notices).
struct CountyNoticeRequest {
    std::vector<std::string> boxes;   ///< township box ids (ignored with `all`)
    bool all = false;                 ///< every known box
    std::string text;                 ///< template: {name} {village}
    std::vector<std::string> roles;   ///< 村支书, 村主任, 党员 … (none: every contact)
    std::vector<std::string> villages;  ///< none: every village
    std::string actor;
};

/// The hub's operations.
class HubApi {
public:
    virtual ~HubApi() = default;
    /// Stores and publishes a notice; its id.
    virtual CoreResult<std::string> create_notice(const CountyNoticeRequest& request) = 0;
    /// Cancels a notice at every box.
    virtual CoreResult<void> cancel_notice(const std::string& id) = 0;
    /// Connected to the broker now.
    virtual bool broker_connected() = 0;
};

}  // namespace cunxin::http

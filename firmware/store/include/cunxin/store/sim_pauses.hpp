// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Paused SIMs (carrier blocking): which SIM sends nothing, why and since when.

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// One paused SIM.
struct SimPause {
    std::string iccid;
    std::string reason;   ///< "send_failures" or "carrier_notice"
    std::string detail;   ///< the last send error, or the notice's text
    std::string sender;   ///< the service number that sent the notice ("" otherwise)
    Seconds paused_at = 0;
};

/// Records a pause; a SIM already paused keeps its first reason and time (returns false then).
Result<bool> pause_sim(Database& db, const SimPause& pause);
/// Lifts a SIM's pause; false when it was not paused.
Result<bool> resume_sim(Database& db, const std::string& iccid);
/// Every paused SIM, oldest pause first.
Result<std::vector<SimPause>> list_sim_pauses(Database& db);

}  // namespace cunxin::store

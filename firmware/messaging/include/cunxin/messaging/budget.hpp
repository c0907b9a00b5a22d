// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Monthly SIM budgets (segments and/or fen) as configured in the store.

#include <cstdint>
#include <string>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/cost.hpp"
#include "cunxin/messaging/error.hpp"

namespace cunxin::store {
class Database;
}

namespace cunxin::messaging {

/// State of one SIM's monthly budget for a planned number of segments.
struct SimBudget {
    std::string iccid;
    int price_fen_per_segment = 0;
    std::int64_t used_segments = 0;     ///< this local month
    BudgetCheck segments;               ///< against monthly_budget_segments
    BudgetCheck fen;                    ///< against monthly_budget_fen
    bool within = true;                 ///< both checks pass (or no budget)
};

/// Checks `planned_segments` more on SIM `iccid` against its monthly budgets.
/// An unknown SIM has no budget.
Result<SimBudget> check_sim_budget(store::Database& db, const Clock& clock,
                                   const std::string& iccid, std::int64_t planned_segments);

}  // namespace cunxin::messaging

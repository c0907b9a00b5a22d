// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/budget.hpp"

#include "cunxin/store/contacts.hpp"
#include "cunxin/store/reports.hpp"

namespace cunxin::messaging {

Result<SimBudget> check_sim_budget(store::Database& db, const Clock& clock, const std::string& iccid,
                                   std::int64_t planned_segments) {
    SimBudget b;
    b.iccid = iccid;
    auto sim = store::get_sim(db, iccid);
    if (!sim) return cunxin::unexpected(Error{Errc::store, -1, sim.error().detail});
    if (!sim->has_value()) {
        b.segments = check_budget({}, 0, planned_segments, 0);
        b.fen = b.segments;
        return b;
    }
    const auto& s = **sim;
    b.price_fen_per_segment = s.price_fen_per_segment;
    if (s.monthly_budget_segments > 0 || s.monthly_budget_fen > 0) {
        auto used = store::segments_billed_since(db, iccid, clock.local_month_start(clock.now()));
        if (!used) return cunxin::unexpected(Error{Errc::store, -1, used.error().detail});
        b.used_segments = *used;
    }
    b.segments = check_budget(Budget{BudgetUnit::Segments, s.monthly_budget_segments}, b.used_segments,
                              planned_segments, s.price_fen_per_segment);
    b.fen = check_budget(Budget{BudgetUnit::Fen, s.monthly_budget_fen},
                         cost_fen(b.used_segments, s.price_fen_per_segment), planned_segments,
                         s.price_fen_per_segment);
    b.within = b.segments.within && b.fen.within;
    return b;
}

}  // namespace cunxin::messaging

// SPDX-License-Identifier: Apache-2.0
// GET /api/v1/health: liveness for scripts and monitoring (no auth).

#include "mapping.hpp"

namespace cunxin::http {

void register_health(Router& r) {
    r.get("/api/v1/health", Need::open, [](Ctx& ctx) -> Result<Reply> {
        json out = {{"status", "ok"}, {"modems", 0}, {"version", "0.1.0"}};
        auto db = ctx.db();
        out["database"] = db ? "ok" : "unavailable";
        if (db) {
            auto q = store::count_queued_segments(**db);
            if (q) out["queued_segments"] = *q;
        }
        out["modems"] = modems_ready(ctx.srv);
        // The last SIM-to-SIM self-test result of every SIM (issue 14).
        json selftest = json::array();
        if (db) {
            if (auto rows = store::latest_selftests(**db)) {
                for (const auto& row : *rows) selftest.push_back(selftest_json(row, false));
            }
        }
        out["selftest"] = selftest;
        // The office's clock and zone: the panel shows every time in them, whatever the
        // browser's zone (a board without a battery clock follows the network's time).
        out["now"] = now_seconds(ctx.srv);
        out["utc_offset_minutes"] = office_offset(ctx.srv);
        if (!db) out["status"] = "degraded";
        return ok(out);
    });
}

}  // namespace cunxin::http

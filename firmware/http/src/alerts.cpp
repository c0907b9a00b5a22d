// SPDX-License-Identifier: Apache-2.0
// GET /api/v1/alerts: the duty list and alert settings (read-only, from the config file) and the
// recent alerts with their delivery to each duty number. Operators and admins: duty numbers are
// the office's staff; an alert's text never holds an anonymous sender (messaging makes it so).

#include <cunxin/store/alerts.hpp>

#include "mapping.hpp"

namespace cunxin::http {

void register_alerts(Router& r) {
    r.get("/api/v1/alerts", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        auto limit = ctx.query_int("limit", 20, 1, 200);
        if (!limit) return cunxin::unexpected(limit.error());
        auto db = ctx.db();
        if (!db) return cunxin::unexpected(db.error());
        auto list = store::list_alerts(**db, static_cast<int>(*limit));
        if (!list) return cunxin::unexpected(from_store(list.error(), "alerts"));
        auto waiting = store::count_waiting_alert_sends(**db);
        if (!waiting) return cunxin::unexpected(from_store(waiting.error(), "alerts"));
        const auto& cfg = ctx.srv.cfg.alerts;
        const int off = ctx.srv.cfg.utc_offset_minutes;
        json duty = json::array();
        for (const auto& d : cfg.duty) duty.push_back({{"name", d.name}, {"number", d.number}, {"role", d.role}});
        json alerts = json::array();
        for (const auto& a : *list) {
            json sends = json::array();
            for (const auto& s : a.sends) {
                sends.push_back({{"number", s.number},
                                 {"name", s.name},
                                 {"state", s.state},
                                 {"reason", s.reason},
                                 {"due_at", s.due_at},
                                 {"message_id", s.message_id ? json(*s.message_id) : json(nullptr)},
                                 {"sent_at", s.sent_at ? json(*s.sent_at) : json(nullptr)}});
            }
            alerts.push_back({{"id", a.id},
                              {"kind", a.kind},
                              {"subject", a.subject},
                              {"text", a.text},
                              {"created_at", a.created_at},
                              {"local_time", office_time(a.created_at, off, "%m-%d %H:%M")},
                              {"sends", std::move(sends)}});
        }
        return ok({{"duty", std::move(duty)},
                   {"urgent_categories", cfg.urgent_categories},
                   {"quiet_hours", cfg.quiet_hours.empty() ? json(nullptr) : json(cfg.quiet_hours)},
                   {"urgent_in_quiet_hours", cfg.urgent_in_quiet_hours},
                   {"max_per_hour", cfg.max_per_hour},
                   {"digest_at", cfg.digest_at.empty() ? json(nullptr) : json(cfg.digest_at)},
                   {"kinds", cfg.kinds},
                   {"waiting", *waiting},
                   {"alerts", std::move(alerts)}});
    });
}

}  // namespace cunxin::http

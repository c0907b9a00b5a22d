// SPDX-License-Identifier: Apache-2.0
// Reports (JSON and CSV) and the dashboard summary.

#include "cunxin/messaging/cost.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

constexpr int kOffsetMinutes = 8 * 60;  // China Standard Time for "today" and per-day rows

store::Seconds local_midnight(store::Seconds now) {
    const store::Seconds off = kOffsetMinutes * 60;
    return (now + off) / 86400 * 86400 - off;
}

json rows_json(const std::vector<store::CountRow>& rows) {
    json out = json::array();
    for (const auto& r : rows) out.push_back({{"key", r.key}, {"count", r.count}});
    return out;
}

// 14 days of sent/received per local day, zero-filled.
Result<json> daily(store::Database& db, store::Seconds from, store::Seconds to) {
    CX_TRY(in, store::messages_per_day(db, "in", from, to, kOffsetMinutes), "per day in");
    CX_TRY(out, store::messages_per_day(db, "out", from, to, kOffsetMinutes), "per day out");
    json days = json::array();
    for (store::Seconds d = from; d < to; d += 86400) {
        const std::string key = iso_time(d + kOffsetMinutes * 60).substr(0, 10);
        std::int64_t ni = 0;
        std::int64_t no = 0;
        for (const auto& r : in) {
            if (r.key == key) ni = r.count;
        }
        for (const auto& r : out) {
            if (r.key == key) no = r.count;
        }
        days.push_back({{"day", key}, {"in", ni}, {"out", no}});
    }
    return days;
}

// The dashboard's content (the same for every role).
Result<json> dashboard(Ctx& ctx) {
    CX_CHECK(db, ctx.db());
    const auto now = now_seconds();
    const auto today = local_midnight(now);
    CX_TRY(cats, store::incoming_per_category(*db, today, today + 86400), "per category");
    CX_TRY(menu, store::list_menu(*db), "menu");
    json jcats = json::array();
    for (const auto& c : cats) {
        json row = {{"code", c.key}, {"count", c.count}, {"label_zh", ""}, {"label_en", ""}};
        for (const auto& m : menu) {
            if (m.code == c.key) {
                row["label_zh"] = m.label_zh;
                row["label_en"] = m.label_en;
            }
        }
        jcats.push_back(row);
    }
    CX_CHECK(days, daily(*db, today - 13 * 86400, today + 86400));
    CX_TRY(camps, store::list_campaigns(*db, 20), "campaigns");
    json running = json::array();
    for (const auto& c : camps) {
        if (c.status != store::CampaignStatus::Running && c.status != store::CampaignStatus::Paused &&
            c.status != store::CampaignStatus::Scheduled) {
            continue;
        }
        CX_TRY(p, store::campaign_progress(*db, c.id), "progress");
        json j = campaign_json(c);
        j["progress"] = progress_json(p);
        const int done = p.sent + p.delivered + p.failed + p.skipped;
        j["eta_seconds"] = nullptr;
        if (c.started_at && done > 0 && done < p.recipients) {
            j["eta_seconds"] = static_cast<std::int64_t>(static_cast<double>(now - *c.started_at) / done *
                                                         (p.recipients - done));
        }
        running.push_back(j);
    }
    CX_TRY(queued, store::count_queued_segments(*db), "queue");
    store::MessageQuery q;
    q.direction = store::Direction::In;
    q.status = "new";
    q.limit = 200;
    CX_TRY(unhandled, store::list_messages(*db, q), "new replies");
    json modems = json::array();
    if (ctx.srv.hooks.core) {
        CoreApi* core = ctx.srv.hooks.core;
        auto mods = ctx.srv.call_core([core] { return core->modems(); });
        if (mods) {
            for (const auto& m : *mods) {
                modems.push_back(modem_json(m));
            }
        }
    }
    return json{{"now", now},
                {"modems", modems},
                {"replies_today", jcats},
                {"new_replies", unhandled.items.size()},
                {"campaigns", running},
                {"queued_segments", queued},
                {"days", days}};
}

// Every open panel polls the dashboard and reloads it on live events; its day counts scan the
// messages table. One computation a second serves every panel (tools/bench/bench_http.sh).
constexpr auto kDashboardTtl = std::chrono::seconds(1);

}  // namespace

void register_reports(Router& r) {
    r.get("/api/v1/dashboard", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        auto& s = ctx.srv;
        Reply rep;
        std::unique_lock compute(s.dashboard_compute_mu, std::defer_lock);
        {
            std::lock_guard lock(s.dashboard_mu);
            const bool have = !s.dashboard_body.empty();
            if (have && Clock::now() - s.dashboard_at < kDashboardTtl) {
                rep.raw = s.dashboard_body;
                return rep;
            }
            // Stale: one thread recomputes, the others keep serving the previous one.
            if (have && !compute.try_lock()) {
                rep.raw = s.dashboard_body;
                return rep;
            }
        }
        if (!compute.owns_lock()) compute.lock();  // first one: everybody waits for it
        {
            std::lock_guard lock(s.dashboard_mu);
            if (!s.dashboard_body.empty() && Clock::now() - s.dashboard_at < kDashboardTtl) {
                rep.raw = s.dashboard_body;  // made by the thread we waited for
                return rep;
            }
        }
        CX_CHECK(d, dashboard(ctx));
        std::string body = d.dump(-1, ' ', false, json::error_handler_t::replace);
        {
            std::lock_guard lock(s.dashboard_mu);
            s.dashboard_body = body;
            s.dashboard_at = Clock::now();
        }
        rep.raw = std::move(body);
        return rep;
    });

    r.get("/api/v1/reports", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        const auto now = now_seconds();
        const std::string table = ctx.query("table").value_or("");
        if (!table.empty() && table != "category" && table != "village" && table != "daily" && table != "cost" &&
            table != "campaigns") {
            return fail(Errc::bad_request, "table must be category, village, daily, cost or campaigns");
        }
        CX_CHECK(to, ctx.query_int("to", local_midnight(now) + 86400, 0, 4102444800LL));
        CX_CHECK(from, ctx.query_int("from", to - 30 * 86400, 0, 4102444800LL));
        if (from >= to) return fail(Errc::bad_request, "from must be before to");
        if (to - from > 400LL * 86400) return fail(Errc::bad_request, "period too long (400 days at most)");
        CX_CHECK(db, ctx.db());
        CX_TRY(cats, store::incoming_per_category(*db, from, to), "per category");
        CX_TRY(villages, store::incoming_per_village(*db, from, to), "per village");
        CX_CHECK(days, daily(*db, local_midnight(from), to));
        CX_TRY(costs, store::cost_per_sim(*db, from, to), "cost");
        CX_TRY(rates, store::campaign_rates(*db, from, to), "rates");
        if (ctx.query("format").value_or("") == "csv") {
            std::vector<std::vector<std::string>> rows;
            if (table == "village") {
                rows.push_back({"village", "replies"});
                for (const auto& v : villages) rows.push_back({v.key, std::to_string(v.count)});
            } else if (table == "daily") {
                rows.push_back({"day", "received", "sent"});
                for (const auto& d : days) {
                    rows.push_back({d["day"].get<std::string>(), std::to_string(d["in"].get<std::int64_t>()),
                                    std::to_string(d["out"].get<std::int64_t>())});
                }
            } else if (table == "cost") {
                rows.push_back({"iccid", "operator", "segments", "cost_yuan"});
                for (const auto& c : costs) {
                    rows.push_back({c.iccid, c.operator_name, std::to_string(c.segments), messaging::format_yuan(c.cost_fen)});
                }
            } else if (table == "campaigns") {
                rows.push_back({"id", "name", "recipients", "sent", "delivered", "failed", "replied", "response_rate"});
                for (const auto& c : rates) {
                    rows.push_back({std::to_string(c.campaign_id), c.name, std::to_string(c.recipients),
                                    std::to_string(c.sent), std::to_string(c.delivered), std::to_string(c.failed),
                                    std::to_string(c.replied), std::to_string(c.response_rate)});
                }
            } else {
                rows.push_back({"category", "replies"});
                for (const auto& c : cats) rows.push_back({c.key, std::to_string(c.count)});
            }
            return csv_reply(to_csv(rows), "report-" + (table.empty() ? std::string("category") : table) + ".csv");
        }
        json jcost = json::array();
        for (const auto& c : costs) {
            jcost.push_back({{"iccid", c.iccid}, {"operator", c.operator_name}, {"segments", c.segments},
                             {"cost_fen", c.cost_fen}, {"cost_yuan", messaging::format_yuan(c.cost_fen)},
                             {"price_fen_per_segment", c.price_fen_per_segment}});
        }
        json jrates = json::array();
        for (const auto& c : rates) {
            jrates.push_back({{"id", c.campaign_id}, {"name", c.name}, {"recipients", c.recipients},
                              {"sent", c.sent}, {"delivered", c.delivered}, {"failed", c.failed},
                              {"replied", c.replied}, {"confirmed", c.confirmed},
                              {"delivery_rate", c.delivery_rate}, {"response_rate", c.response_rate}});
        }
        return ok({{"from", from}, {"to", to}, {"per_category", rows_json(cats)},
                   {"per_village", rows_json(villages)}, {"per_day", days},
                   {"cost_per_sim", jcost}, {"campaigns", jrates}});
    });
}

}  // namespace cunxin::http

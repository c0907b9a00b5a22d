// SPDX-License-Identifier: Apache-2.0
// Reports (JSON and CSV) and the dashboard summary.

#include <chrono>
#include <cstdio>

#include "cunxin/messaging/cost.hpp"
#include "cunxin/messaging/phone.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

// "Today", per-day rows, report periods and CSV times are in the office's time zone
// (`utc_offset_minutes` of the config; China: +480).
store::Seconds local_midnight(store::Seconds now, int offset_minutes) {
    const store::Seconds off = static_cast<store::Seconds>(offset_minutes) * 60;
    const store::Seconds local = now + off;
    return (local - ((local % 86400) + 86400) % 86400) - off;
}

json rows_json(const std::vector<store::CountRow>& rows) {
    json out = json::array();
    for (const auto& r : rows) out.push_back({{"key", r.key}, {"count", r.count}});
    return out;
}

// 14 days of sent/received per local day, zero-filled.
Result<json> daily(store::Database& db, store::Seconds from, store::Seconds to, int offset_minutes) {
    CX_TRY(in, store::messages_per_day(db, "in", from, to, offset_minutes), "per day in");
    CX_TRY(out, store::messages_per_day(db, "out", from, to, offset_minutes), "per day out");
    json days = json::array();
    for (store::Seconds d = from; d < to; d += 86400) {
        const std::string key = office_time(d, offset_minutes, "%Y-%m-%d");
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

// ---- Reports -------------------------------------------------------------------------------

// A report's period: [from, to) in unix seconds, both on office midnights when given as dates.
struct Period {
    store::Seconds from = 0;
    store::Seconds to = 0;
    std::string kind;  ///< "week", "month", "custom" or "range"
};

Result<Period> report_period(Ctx& ctx) {
    const int offset = office_offset(ctx.srv);
    const store::Seconds off = static_cast<store::Seconds>(offset) * 60;
    const auto now = now_seconds(ctx.srv);
    const auto today = local_midnight(now, offset);
    Period p;
    const std::string kind = ctx.query("period").value_or("");
    const auto start = ctx.query("start");
    const auto end = ctx.query("end");
    if (kind == "week" || kind == "month") {
        // Local calendar date of today, then back to Monday / the first of the month.
        const std::chrono::sys_days day{std::chrono::days{(today + off) / 86400}};
        std::int64_t first = day.time_since_epoch().count();
        if (kind == "week") {
            const unsigned wd = std::chrono::weekday{day}.iso_encoding();  // Monday = 1
            first -= static_cast<std::int64_t>(wd) - 1;
        } else {
            const std::chrono::year_month_day ymd{day};
            first = std::chrono::sys_days(ymd.year() / ymd.month() / 1).time_since_epoch().count();
        }
        p.from = first * 86400 - off;
        p.to = today + 86400;
        p.kind = kind;
    } else if (start || end) {
        const auto a = parse_iso_day(start.value_or(""));
        const auto b = parse_iso_day(end.value_or(""));
        if (!a || !b) return fail(Errc::bad_request, "日期格式应为 YYYY-MM-DD（例如 2026-12-01）");
        p.from = *a * 86400 - off;
        p.to = (*b + 1) * 86400 - off;
        p.kind = "custom";
    } else if (!kind.empty()) {
        return fail(Errc::bad_request, "period 只能是 week 或 month");
    } else {
        CX_CHECK(to, ctx.query_int("to", today + 86400, 0, 4102444800LL));
        CX_CHECK(from, ctx.query_int("from", to - 30 * 86400, 0, 4102444800LL));
        p.from = from;
        p.to = to;
        p.kind = "range";
    }
    if (p.from >= p.to) return fail(Errc::bad_request, "开始日期必须早于结束日期");
    if (p.to - p.from > 400LL * 86400) return fail(Errc::bad_request, "时间段太长（最多 400 天）");
    return p;
}

// Everything a report shows, read once for the JSON, the page and each CSV table.
struct ReportData {
    Period period;
    std::vector<store::CountRow> per_category;
    std::vector<store::CountRow> per_village;
    std::vector<store::CategoryVillageRow> per_category_village;
    json days;
    std::vector<store::SimCost> costs;
    std::vector<store::CampaignRates> rates;
    std::vector<store::MenuItem> menu;
};

Result<ReportData> collect_report(store::Database& db, const Period& period, int offset_minutes) {
    ReportData d;
    d.period = period;
    CX_TRY(cats, store::incoming_per_category(db, period.from, period.to), "per category");
    CX_TRY(villages, store::incoming_per_village(db, period.from, period.to), "per village");
    CX_TRY(cv, store::incoming_per_category_village(db, period.from, period.to), "per category and village");
    CX_CHECK(days, daily(db, local_midnight(period.from, offset_minutes), period.to, offset_minutes));
    CX_TRY(costs, store::cost_per_sim(db, period.from, period.to), "cost");
    CX_TRY(rates, store::campaign_rates(db, period.from, period.to), "rates");
    CX_TRY(menu, store::list_menu(db), "menu");
    d.per_category = std::move(cats);
    d.per_village = std::move(villages);
    d.per_category_village = std::move(cv);
    d.days = std::move(days);
    d.costs = std::move(costs);
    d.rates = std::move(rates);
    d.menu = std::move(menu);
    return d;
}

// "01 政策咨询"; "未分类" for replies that chose no menu entry.
std::string category_label_zh(const ReportData& d, const std::string& code) {
    if (code.empty()) return "未分类";
    for (const auto& m : d.menu) {
        if (m.code == code) return m.label_zh.empty() ? code : code + " " + m.label_zh;
    }
    return code;
}

// A rate as a percentage with one decimal ("12.5%"); "—" when nothing was sent.
std::string percent(int part, int whole) {
    if (whole <= 0) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * part / whole);
    return buf;
}

std::string carrier_zh(const std::string& operator_name) {
    const auto c = messaging::carrier_from_operator(operator_name);
    if (c == messaging::Carrier::Unknown) return operator_name;
    return messaging::carrier_name_zh(c);
}

json report_json(const ReportData& d, int offset_minutes) {
    json cats = json::array();
    for (const auto& m : d.menu) {
        cats.push_back({{"code", m.code}, {"label_zh", m.label_zh}, {"label_en", m.label_en}, {"anonymous", m.anonymous}});
    }
    json cv = json::array();
    for (const auto& r : d.per_category_village) {
        cv.push_back({{"category", r.category}, {"village", r.village}, {"anonymous", r.anonymous}, {"count", r.count}});
    }
    json jcost = json::array();
    for (const auto& c : d.costs) {
        const auto carrier = messaging::carrier_from_operator(c.operator_name);
        jcost.push_back({{"iccid", c.iccid}, {"operator", c.operator_name},
                         {"carrier", messaging::to_string(carrier)}, {"segments", c.segments},
                         {"cost_fen", c.cost_fen}, {"cost_yuan", messaging::format_yuan(c.cost_fen)},
                         {"price_fen_per_segment", c.price_fen_per_segment}});
    }
    json jrates = json::array();
    for (const auto& c : d.rates) {
        jrates.push_back({{"id", c.campaign_id}, {"name", c.name}, {"created_at", c.created_at},
                          {"recipients", c.recipients}, {"sent", c.sent}, {"delivered", c.delivered},
                          {"failed", c.failed}, {"replied", c.replied}, {"confirmed", c.confirmed},
                          {"delivery_rate", c.delivery_rate}, {"response_rate", c.response_rate}});
    }
    const store::Seconds last_day = d.period.to - 1;
    return {{"from", d.period.from},
            {"to", d.period.to},
            {"period", {{"kind", d.period.kind},
                        {"start", office_time(d.period.from, offset_minutes, "%Y-%m-%d")},
                        {"end", office_time(last_day, offset_minutes, "%Y-%m-%d")}}},
            {"utc_offset_minutes", offset_minutes},
            {"categories", cats},
            {"per_category", rows_json(d.per_category)},
            {"per_village", rows_json(d.per_village)},
            {"per_category_village", cv},
            {"per_day", d.days},
            {"cost_per_sim", jcost},
            {"campaigns", jrates}};
}

// One table as CSV for a spreadsheet: Chinese headers and values, office time, percentages.
Result<Reply> report_csv(const ReportData& d, const std::string& table, int offset_minutes) {
    std::vector<std::vector<std::string>> rows;
    if (table == "category") {
        rows.push_back({"类别", "回复数"});
        for (const auto& c : d.per_category) rows.push_back({category_label_zh(d, c.key), std::to_string(c.count)});
    } else if (table == "village") {
        rows.push_back({"村", "回复数"});
        for (const auto& v : d.per_village) rows.push_back({v.key.empty() ? "未知" : v.key, std::to_string(v.count)});
    } else if (table == "category_village") {
        rows.push_back({"类别", "村", "回复数"});
        for (const auto& r : d.per_category_village) {
            rows.push_back({category_label_zh(d, r.category), r.anonymous ? "（匿名）" : (r.village.empty() ? "未知" : r.village),
                            std::to_string(r.count)});
        }
    } else if (table == "daily") {
        rows.push_back({"日期", "收到", "发出"});
        for (const auto& x : d.days) {
            rows.push_back({x["day"].get<std::string>(), std::to_string(x["in"].get<std::int64_t>()),
                            std::to_string(x["out"].get<std::int64_t>())});
        }
    } else if (table == "cost") {
        rows.push_back({"SIM 卡（ICCID）", "运营商", "短信条数", "单价（元/条）", "费用（元）"});
        for (const auto& c : d.costs) {
            rows.push_back({c.iccid, carrier_zh(c.operator_name), std::to_string(c.segments),
                            messaging::format_yuan(c.price_fen_per_segment), messaging::format_yuan(c.cost_fen)});
        }
    } else if (table == "campaigns") {
        rows.push_back({"编号", "名称", "创建时间", "接收人数", "已发出", "已送达", "失败", "已回复", "已确认", "送达率", "回复率"});
        for (const auto& c : d.rates) {
            rows.push_back({std::to_string(c.campaign_id), c.name, office_time(c.created_at, offset_minutes, "%Y-%m-%d %H:%M"),
                            std::to_string(c.recipients), std::to_string(c.sent), std::to_string(c.delivered),
                            std::to_string(c.failed), std::to_string(c.replied), std::to_string(c.confirmed),
                            percent(c.delivered, c.sent), percent(c.replied, c.sent)});
        }
    } else {
        return fail(Errc::bad_request, "table 只能是 category、village、category_village、daily、cost 或 campaigns");
    }
    const std::string name = "cunxin-" + table + "-" + office_time(d.period.from, offset_minutes, "%Y%m%d") + "-" +
                             office_time(d.period.to - 1, offset_minutes, "%Y%m%d") + ".csv";
    return csv_reply(to_csv(rows), name);
}

// The dashboard's content (the same for every role).
Result<json> dashboard(Ctx& ctx) {
    CX_CHECK(db, ctx.db());
    const auto now = now_seconds(ctx.srv);
    const int offset = office_offset(ctx.srv);
    const auto today = local_midnight(now, offset);
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
    CX_CHECK(days, daily(*db, today - 13 * 86400, today + 86400, offset));
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

    // The report for a period: `period=week|month` (office time, up to the end of today),
    // `start=YYYY-MM-DD&end=YYYY-MM-DD` (whole office days, both included) or `from`/`to`
    // (unix seconds). `format=csv&table=…` gives one table as a CSV file in Chinese.
    r.get("/api/v1/reports", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(period, report_period(ctx));
        CX_CHECK(db, ctx.db());
        CX_CHECK(data, collect_report(*db, period, office_offset(ctx.srv)));
        if (ctx.query("format").value_or("") == "csv") {
            return report_csv(data, ctx.query("table").value_or("category"), office_offset(ctx.srv));
        }
        return ok(report_json(data, office_offset(ctx.srv)));
    });
}

}  // namespace cunxin::http

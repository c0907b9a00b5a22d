// SPDX-License-Identifier: Apache-2.0
// Campaigns: preview with cost estimate, create/schedule, progress with ETA, recipients,
// launch/pause/resume/cancel; and the segment counter.

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "cunxin/messaging/campaigns.hpp"
#include "cunxin/messaging/carrier.hpp"
#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/cost.hpp"
#include "cunxin/messaging/csv.hpp"
#include "cunxin/messaging/phone.hpp"
#include "cunxin/messaging/template.hpp"
#include "cunxin/sms/segment.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

struct Targets {
    store::CampaignTargets t;
    bool empty() const {
        return t.group_ids.empty() && t.villages.empty() && t.tags.empty() && t.mobiles.empty() &&
               t.contact_ids.empty() && t.roles.empty();
    }
};

Result<Targets> read_targets(const json& body) {
    const json* src = &body;
    if (auto it = body.find("targets"); it != body.end()) {
        if (!it->is_object()) return fail(Errc::invalid_field, "targets must be an object");
        src = &*it;
    }
    Targets out;
    CX_CHECK(g, id_list(*src, "group_ids", 1000));
    CX_CHECK(v, string_list(*src, "villages", 1000));
    CX_CHECK(tags, string_list(*src, "tags", 1000));
    CX_CHECK(m, string_list(*src, "mobiles", 10000));
    CX_CHECK(c, id_list(*src, "contact_ids", 10000));
    CX_CHECK(roles, string_list(*src, "roles", 50));
    out.t.roles = roles;
    out.t.group_ids = g;
    out.t.villages = v;
    out.t.tags = tags;
    out.t.contact_ids = c;
    for (const auto& raw : m) {
        auto n = messaging::normalize_msisdn(raw);
        if (!n) return fail(Errc::invalid_field, "bad number: " + raw);
        out.t.mobiles.push_back(*n);
    }
    return out;
}


json problems_json(const std::vector<messaging::TemplateProblem>& ps) {
    json out = json::array();
    for (const auto& p : ps) {
        out.push_back({{"code", messaging::to_string(p.code)}, {"offset", p.offset}, {"name", p.name}});
    }
    return out;
}

json segment_json(const std::string& text) {
    const auto s = sms::plan_segments(text);
    return {{"encoding", s.encoding == sms::Encoding::Gsm7 ? "gsm7" : "ucs2"},
            {"segments", s.segments},
            {"units", s.units},
            {"units_per_segment", s.units_per_segment},
            {"remaining", s.remaining}};
}

std::int64_t price_fen(store::Database& db) {
    auto sims = store::list_sims(db);
    if (sims && !sims->empty()) return sims->front().price_fen_per_segment;
    return 10;
}

Result<json> campaign_detail(store::Database& db, const store::Campaign& c, store::Seconds now) {
    json out = campaign_json(c);
    CX_TRY(p, store::campaign_progress(db, c.id), "progress");
    out["progress"] = progress_json(p);
    const int done = p.sent + p.delivered + p.failed + p.skipped;
    json eta = nullptr;
    if (c.status == store::CampaignStatus::Running && c.started_at && done > 0 && done < p.recipients) {
        const double elapsed = static_cast<double>(now - *c.started_at);
        eta = static_cast<std::int64_t>(elapsed / done * (p.recipients - done));
    }
    out["eta_seconds"] = eta;
    return out;
}

// Broadcasts above this many recipients need the count typed back (setting
// large_broadcast_threshold; 100 when unset).
std::int64_t large_threshold(store::Database& db) {
    auto v = store::get_setting(db, "large_broadcast_threshold");
    if (v && v->has_value() && !(*v)->empty()) return std::atoll((*v)->c_str());
    return 100;
}

// Per-SIM sent-today and daily limit, from the modem pool (empty without a core).
std::vector<messaging::SimToday> sims_today(ServerImpl& srv) {
    std::vector<messaging::SimToday> out;
    if (!srv.hooks.core) return out;
    CoreApi* core = srv.hooks.core;
    auto mods = srv.call_core([core] { return core->modems(); });
    if (!mods) return out;
    for (const auto& m : *mods) {
        if (!m.iccid.empty()) out.push_back(messaging::SimToday{m.iccid, m.sent_today, m.limit_per_day});
    }
    return out;
}

// The SIMs that would share a broadcast (known, not paused) and the smallest hourly limit in
// force among them (0: none).
std::pair<int, int> sending_sims(ServerImpl& srv) {
    if (!srv.hooks.core) return {0, 0};
    CoreApi* core = srv.hooks.core;
    auto mods = srv.call_core([core] { return core->modems(); });
    if (!mods) return {0, 0};
    int n = 0;
    int per_hour = 0;
    for (const auto& m : *mods) {
        if (m.iccid.empty() || m.paused) continue;
        ++n;
        if (m.limit_per_hour > 0 && (per_hour == 0 || m.limit_per_hour < per_hour)) per_hour = m.limit_per_hour;
    }
    return {n, per_hour};
}

// The preview of a request body (template + targets): opted-out recipients are skipped and
// neither counted nor charged; budgets and daily limits are checked per SIM.
Result<messaging::CampaignPreview> preview_of(Ctx& ctx, store::Database& db, const std::string& tpl,
                                              const Targets& targets, int max_rows) {
    messaging::CampaignSpec spec;
    spec.template_text = tpl;
    spec.targets = targets.t;
    messaging::SystemClock clock;
    auto p = messaging::preview_campaign(db, clock, spec, static_cast<int>(price_fen(db)), max_rows);
    if (!p) return fail(Errc::internal, "preview failed");
    messaging::apply_daily_limits(*p, sims_today(ctx.srv));
    return *p;
}

bool live(store::CampaignStatus s) {
    return s == store::CampaignStatus::Running || s == store::CampaignStatus::Paused;
}

}  // namespace

void Server::publish_campaign_progress(store::Database& db) {
    auto& last = impl_->campaign_last;
    const auto now = now_seconds(*impl_);
    auto list = store::list_campaigns(db, 50);
    if (!list) return;  // the next second tries again; the panel's poll covers the gap
    for (const auto& c : *list) {
        auto it = last.find(c.id);
        if (!live(c.status) && it == last.end()) continue;
        auto p = store::campaign_progress(db, c.id);
        if (!p) continue;
        json ev = {{"id", c.id},
                   {"status", store::to_string(c.status)},
                   {"progress", progress_json(*p)},
                   {"pending", p->queued + p->sending}};
        std::string key = ev.dump();
        if (it != last.end() && it->second == key) continue;
        const int done = p->sent + p->delivered + p->failed + p->skipped;
        ev["eta_seconds"] = nullptr;
        if (c.status == store::CampaignStatus::Running && c.started_at && done > 0 && done < p->recipients) {
            const double elapsed = static_cast<double>(now - *c.started_at);
            ev["eta_seconds"] = static_cast<std::int64_t>(elapsed / done * (p->recipients - done));
        }
        impl_->hub.publish("campaign", ev.dump(-1, ' ', false, json::error_handler_t::replace));
        if (live(c.status)) {
            last[c.id] = std::move(key);
        } else {
            last.erase(c.id);  // its final state went out
        }
    }
}

void register_campaigns(Router& r) {
    r.post("/api/v1/segments", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(text, need_string(body, "text", 20000));
        return ok(segment_json(text));
    });

    r.get("/api/v1/campaigns", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(limit, ctx.query_int("limit", 100, 1, 500));
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_campaigns(*db, static_cast<int>(limit)), "list campaigns");
        json items = json::array();
        for (const auto& c : list) {
            CX_CHECK(d, campaign_detail(*db, c, now_seconds(ctx.srv)));
            items.push_back(d);
        }
        return ok({{"items", items}});
    });

    r.post("/api/v1/campaigns/preview", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(tpl, need_string(body, "template", 4000));
        CX_CHECK(targets, read_targets(body));
        const auto problems = messaging::validate_template(tpl);
        CX_CHECK(db, ctx.db());
        messaging::CampaignPreview p;
        if (!targets.empty()) {
            CX_CHECK(got, preview_of(ctx, *db, tpl, targets, 200));
            p = std::move(got);
        }
        json samples = json::array();
        std::int64_t longest_units = 0;
        for (const auto& rp : p.recipients) {
            if (!rp.problem.empty()) continue;
            const auto seg = sms::plan_segments(rp.text);
            longest_units = std::max<std::int64_t>(longest_units, seg.units);
            if (samples.size() < 5) {
                json s = {{"name", rp.name}, {"mobile", rp.mobile}, {"village", rp.village}, {"text", rp.text}};
                s.update(segment_json(rp.text));
                samples.push_back(s);
            }
        }
        json per_sim = json::array();
        json warnings = json::array();
        for (const auto& e : p.per_sim) {
            json j = {{"iccid", e.iccid}, {"operator", e.operator_name}, {"recipients", e.recipients},
                      {"segments", e.segments}, {"cost_fen", e.cost_fen}, {"cost_yuan", messaging::format_yuan(e.cost_fen)},
                      {"within_budget", e.within_budget},
                      {"budget_remaining_segments", e.budget_remaining_segments < 0 ? json(nullptr) : json(e.budget_remaining_segments)},
                      {"budget_remaining_fen", e.budget_remaining_fen < 0 ? json(nullptr) : json(e.budget_remaining_fen)},
                      {"daily_remaining", e.daily_remaining < 0 ? json(nullptr) : json(e.daily_remaining)},
                      {"within_daily_limit", e.within_daily_limit}};
            if (!e.within_budget) warnings.push_back({{"code", "budget"}, {"iccid", e.iccid}, {"operator", e.operator_name}});
            if (!e.within_daily_limit) {
                warnings.push_back({{"code", "daily_limit"}, {"iccid", e.iccid}, {"operator", e.operator_name},
                                    {"remaining", e.daily_remaining}, {"segments", e.segments}});
            }
            per_sim.push_back(j);
        }
        {
            // One identical text to many recipients from few SIMs is what carriers block cards for.
            std::vector<std::string> texts;
            for (const auto& rp : p.recipients) {
                if (rp.problem.empty()) texts.push_back(rp.text);
            }
            const auto [sims, per_hour] = sending_sims(ctx.srv);
            const auto risk = messaging::assess_bulk(texts, p.sendable, sims, per_hour);
            if (risk.warn) {
                warnings.push_back({{"code", "identical_bulk"},
                                    {"recipients", risk.identical},
                                    {"sims", risk.sims},
                                    {"per_sim", risk.per_sim},
                                    {"threshold", risk.threshold},
                                    {"hours", risk.hours},
                                    {"message", "同一内容将发给 " + std::to_string(risk.identical) + " 人，每张卡约 " +
                                                    std::to_string(risk.per_sim) + " 条，容易被运营商判为垃圾短信而停卡。"
                                                    "建议在内容中加入 {姓名} 等个性化字段，并分时段发送。"}});
            }
        }
        const auto fen = price_fen(*db);
        const auto threshold = large_threshold(*db);
        return ok({{"recipients", p.sendable},
                   {"targeted", p.total_recipients},
                   {"renderable", p.sendable},
                   {"skipped", p.skipped},
                   {"opted_out", p.opted_out},
                   {"invalid", p.invalid},
                   {"missing_values", p.missing_values},
                   {"problems", problems_json(problems)},
                   {"samples", samples},
                   {"template_segments", segment_json(tpl)},
                   {"longest", {{"segments", p.max_segments}, {"units", longest_units}}},
                   {"per_sim", per_sim},
                   {"warnings", warnings},
                   {"large_broadcast_threshold", threshold},
                   {"needs_typed_confirmation", p.sendable > threshold},
                   {"estimate",
                    {{"segments", p.total_segments}, {"cost_fen", p.total_cost_fen},
                     {"cost_yuan", messaging::format_yuan(p.total_cost_fen)}, {"max_segments", p.max_segments},
                     {"multipart_messages", p.multipart}, {"price_fen_per_segment", fen}}}});
    });

    r.post("/api/v1/campaigns", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(name, need_string(body, "name", 200));
        CX_CHECK(tpl, need_string(body, "template", 4000));
        if (name.empty()) return fail(Errc::invalid_field, "name must not be empty");
        if (tpl.empty()) return fail(Errc::invalid_field, "template must not be empty");
        if (auto ps = messaging::validate_template(tpl); !ps.empty()) {
            return fail(Errc::invalid_field, std::string("template: ") + messaging::to_string(ps.front().code));
        }
        CX_CHECK(targets, read_targets(body));
        if (targets.empty()) return fail(Errc::missing_field, "choose at least one recipient");
        CX_CHECK(at, opt_int(body, "scheduled_at", 0, 4102444800LL));
        {
            // A large broadcast leaves only when the clerk typed its recipient count back.
            CX_CHECK(db0, ctx.db());
            CX_CHECK(pv, preview_of(ctx, *db0, tpl, targets, 0));
            const auto threshold = large_threshold(*db0);
            if (pv.sendable > threshold) {
                CX_CHECK(typed, opt_int(body, "confirm_count", 0, 100000000));
                if (!typed || *typed != pv.sendable) {
                    return fail(Errc::conflict, "发送给 " + std::to_string(pv.sendable) + " 人，超过 " +
                                                    std::to_string(threshold) + " 人：请输入收件人数 " +
                                                    std::to_string(pv.sendable) + " 确认发送");
                }
            }
        }
        CampaignRequest req;
        req.name = name;
        req.template_text = tpl;
        req.group_ids = targets.t.group_ids;
        req.villages = targets.t.villages;
        req.tags = targets.t.tags;
        req.mobiles = targets.t.mobiles;
        req.contact_ids = targets.t.contact_ids;
        req.roles = targets.t.roles;
        req.scheduled_at = at;
        req.start_now = body.value("start_now", false);
        req.confirm_request = body.value("confirm_request", false);
        if (body.contains("missed_call_confirms") && !body.at("missed_call_confirms").is_boolean())
            return fail(Errc::invalid_field, "missed_call_confirms 必须是 true 或 false");
        req.missed_call_confirms = req.confirm_request && body.value("missed_call_confirms", false);
        CX_CHECK(remind, opt_int(body, "remind_after_hours", 0, 24 * 30));
        req.remind_after_seconds = remind ? *remind * 3600 : 24 * 3600;
        req.actor = ctx.who.name;
        CX_CHECK(id, core_call(ctx.srv, [req](CoreApi& c) { return c.create_campaign(req); }));
        ctx.srv.audit(ctx.who, "campaign.create", std::to_string(id), name, ctx.address());
        CX_CHECK(db, ctx.db());
        CX_TRY(c, store::get_campaign(*db, id), "get campaign");
        CX_CHECK(d, campaign_detail(*db, c, now_seconds(ctx.srv)));
        publish(ctx.srv, "campaign.updated", {{"id", id}});
        return created(d);
    });

    r.get(R"(/api/v1/campaigns/(\d+))", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(db, ctx.db());
        CX_TRY(c, store::get_campaign(*db, id), "get campaign");
        CX_CHECK(d, campaign_detail(*db, c, now_seconds(ctx.srv)));
        return ok(d);
    });

    r.get(R"(/api/v1/campaigns/(\d+)/recipients)", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(db, ctx.db());
        CX_TRY(c, store::get_campaign(*db, id), "get campaign");
        (void)c;
        CX_TRY(list, store::campaign_recipients(*db, id), "recipients");
        json items = json::array();
        auto opt = [](const std::optional<store::Seconds>& s) { return s ? json(*s) : json(nullptr); };
        for (const auto& x : list) {
            items.push_back({{"mobile", x.mobile}, {"name", x.name}, {"village", x.village}, {"text", x.text},
                             {"message_id", x.message_id ? json(*x.message_id) : json(nullptr)},
                             {"status", x.message_status}, {"confirmed_at", opt(x.confirmed_at)},
                             {"replied_at", opt(x.replied_at)}, {"reminded_at", opt(x.reminded_at)}});
        }
        if (ctx.query("format").value_or("") == "csv") {
            const int off = office_offset(ctx.srv);
            std::vector<std::vector<std::string>> rows = {{"手机号", "姓名", "村", "状态", "回复时间"}};
            for (const auto& x : list) {
                rows.push_back({x.mobile, x.name, x.village, status_zh(x.message_status),
                                x.replied_at ? office_time(*x.replied_at, off) : ""});
            }
            return csv_reply(to_csv(rows), "campaign-" + std::to_string(id) + ".csv");
        }
        return ok({{"items", items}});
    });

    r.post(R"(/api/v1/campaigns/(\d+)/(launch|pause|resume|cancel))", Need::operator_,
           [](Ctx& ctx) -> Result<Reply> {
               CX_CHECK(id, ctx.id());
               const std::string verb = ctx.req.matches[2];
               CampaignAction a = CampaignAction::launch;
               if (verb == "pause") a = CampaignAction::pause;
               else if (verb == "resume") a = CampaignAction::resume;
               else if (verb == "cancel") a = CampaignAction::cancel;
               CX_CHECK(db, ctx.db());
               CX_TRY(c, store::get_campaign(*db, id), "get campaign");
               (void)c;
               const std::string actor = ctx.who.name;
               CX_CHECK_VOID(core_call(ctx.srv, [id, a, actor](CoreApi& core) {
                   return core.campaign_action(id, a, actor);
               }));
               ctx.srv.audit(ctx.who, "campaign." + verb, std::to_string(id), "", ctx.address());
               CX_TRY(after, store::get_campaign(*db, id), "get campaign");
               CX_CHECK(d, campaign_detail(*db, after, now_seconds(ctx.srv)));
               publish(ctx.srv, "campaign.updated", {{"id", id}, {"status", store::to_string(after.status)}});
               return ok(d);
           });
}

}  // namespace cunxin::http

// SPDX-License-Identifier: Apache-2.0
// Modems and SIMs: status, limits and price, restart, USSD.

#include <map>

#include "cunxin/messaging/budget.hpp"
#include "cunxin/messaging/carrier.hpp"
#include "cunxin/store/sim_pauses.hpp"
#include "cunxin/messaging/field.hpp"
#include "cunxin/messaging/phone.hpp"
#include "mapping.hpp"

namespace cunxin::http {

json modem_json(const ModemInfo& m) {
    return {{"id", m.id},
            {"port", m.port},
            {"state", m.state},
            {"ready", m.ready},
            {"manufacturer", m.manufacturer},
            {"model", m.model},
            {"imei", m.imei},
            {"imsi", m.imsi},
            {"iccid", m.iccid},
            {"operator", m.operator_name},
            {"carrier", messaging::to_string(messaging::carrier_from_operator(m.operator_name))},
            {"own_number", m.own_number},
            {"registered", m.registered},
            {"signal", m.signal_dbm ? json(*m.signal_dbm) : json(nullptr)},
            {"queue", m.queue},
            {"sent_today", m.sent_today},
            {"limit_per_day", m.limit_per_day},
            {"limit_per_minute", m.limit_per_minute},
            {"limit_per_hour", m.limit_per_hour},
            {"storage", m.storage_total > 0 ? json{{"mem", m.storage}, {"used", m.storage_used}, {"total", m.storage_total}}
                                            : json(nullptr)},
            {"error", m.last_error},
            {"access_technology", m.access_technology.empty() ? json(nullptr) : json(m.access_technology)},
            {"ims", m.ims ? json(*m.ims) : json(nullptr)},
            {"paused", m.paused},
            {"sms_refused_on_lte", m.sms_refused_on_lte},
            {"lte_remedy", m.lte_remedy ? json{{"at", m.lte_remedy->at},
                                               {"commands", m.lte_remedy->commands},
                                               {"moved", m.lte_remedy->moved},
                                               {"technology", m.lte_remedy->technology.empty()
                                                                  ? json(nullptr)
                                                                  : json(m.lte_remedy->technology)},
                                               {"sent", m.lte_remedy->sent},
                                               {"error", m.lte_remedy->error}}
                                        : json(nullptr)}};
}

namespace {

bool valid_modem_id(const std::string& s) { return !s.empty() && s.size() <= 64; }

// A SIM's carrier-blocking pause as the panel shows it (reason in Chinese), or null.
json pause_json(const std::vector<store::SimPause>& pauses, const std::string& iccid) {
    for (const auto& p : pauses) {
        if (p.iccid != iccid) continue;
        return {{"reason_code", p.reason}, {"reason", messaging::CarrierWatch::reason_zh(p)}, {"detail", p.detail},
                {"sender", p.sender.empty() ? json(nullptr) : json(p.sender)}, {"at", p.paused_at}};
    }
    return nullptr;
}

// The limits in force for every SIM (one call to the core); a SIM the core cannot tell gets null.
std::map<std::string, SimLimitsInForce> limits_in_force(ServerImpl& srv, const std::vector<store::Sim>& sims) {
    std::map<std::string, SimLimitsInForce> out;
    if (!srv.hooks.core) return out;
    CoreApi* core = srv.hooks.core;
    std::vector<std::string> ids;
    for (const auto& s : sims) ids.push_back(s.iccid);
    auto r = srv.call_core([core, ids] {
        std::map<std::string, SimLimitsInForce> m;
        for (const auto& id : ids) {
            if (auto l = core->sim_limits(id)) m[id] = *l;
        }
        return m;
    });
    if (r) out = std::move(*r);
    return out;
}

// A SIM with its settings, the limits in force and its budget this month.
json sim_full_json(store::Database& db, const store::Sim& s, const std::map<std::string, SimLimitsInForce>& force) {
    json j = sim_json(s);
    if (auto it = force.find(s.iccid); it != force.end()) {
        const auto& l = it->second;
        j["limits_in_force"] = {{"per_minute", l.per_minute}, {"per_hour", l.per_hour}, {"per_day", l.per_day}};
        j["limits_default"] = {{"per_minute", l.default_per_minute}, {"per_hour", l.default_per_hour},
                               {"per_day", l.default_per_day}};
    } else {
        j["limits_in_force"] = nullptr;
        j["limits_default"] = nullptr;
    }
    messaging::SystemClock clock;
    if (auto b = messaging::check_sim_budget(db, clock, s.iccid, 1)) {
        j["budget"] = {{"used_segments", b->used_segments},
                       {"remaining_segments", b->segments.unlimited ? json(nullptr) : json(b->segments.remaining)},
                       {"remaining_fen", b->fen.unlimited ? json(nullptr) : json(b->fen.remaining)},
                       {"exhausted", !b->within}};
    }
    return j;
}

// One limit field of PUT /sims: absent keeps it, null returns to the configured default,
// a positive number sets it, 0 (no limit) only with "no_limit_confirmed": true.
Result<void> limit_field(const json& body, const char* key, int hi, std::optional<std::optional<int>>& target) {
    auto it = body.find(key);
    if (it == body.end()) return {};
    if (it->is_null()) {
        target.emplace(std::nullopt);
        return {};
    }
    CX_CHECK(v, opt_int(body, key, 0, hi));
    if (*v == 0 && !body.value("no_limit_confirmed", false)) {
        return fail(Errc::invalid_field, std::string(key) +
                                             ": 0 表示不限，会取消运营商防封保护；确需不限请同时提交 no_limit_confirmed: true");
    }
    target = static_cast<int>(*v);
    return {};
}

}  // namespace

int modems_ready(ServerImpl& s) {
    if (!s.hooks.core) return 0;
    CoreApi* core = s.hooks.core;
    auto r = s.call_core([core] { return core->modems_ready(); });
    return r ? *r : 0;
}

void register_modems(Router& r) {
    r.get("/api/v1/modems", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(sims, store::list_sims(*db), "list sims");
        CX_TRY(pauses, store::list_sim_pauses(*db), "list sim pauses");
        json items = json::array();
        if (ctx.srv.hooks.core) {
            CoreApi* core = ctx.srv.hooks.core;
            CX_CHECK(mods, ctx.srv.call_core([core] { return core->modems(); }));
            for (const auto& m : mods) {
                json j = modem_json(m);
                j["pause"] = pause_json(pauses, m.iccid);
                for (const auto& s : sims) {
                    if (s.iccid == m.iccid) j["sim"] = sim_json(s);
                }
                items.push_back(j);
            }
        }
        // Field checks (issue 14): the last credit reading and self-test result of each SIM.
        CX_TRY(balances, store::latest_balances(*db), "balances");
        CX_TRY(tests, store::latest_selftests(*db), "self-test");
        const auto now = now_seconds(ctx.srv);
        for (auto& j : items) {
            const std::string iccid = j.value("iccid", "");
            j["balance"] = nullptr;
            j["balance_at"] = nullptr;
            j["balance_raw"] = nullptr;
            j["days_left"] = nullptr;
            j["selftest"] = nullptr;
            for (const auto& b : balances) {
                if (b.iccid != iccid || iccid.empty()) continue;
                j["balance_at"] = b.at;
                j["balance_raw"] = b.raw;
                if (b.fen) {
                    j["balance"] = static_cast<double>(*b.fen) / 100.0;
                    if (auto d = messaging::estimate_days_left(*db, iccid, *b.fen, 10, now)) j["days_left"] = *d;
                }
            }
            for (const auto& t : tests) {
                if (t.iccid == iccid && !iccid.empty()) j["selftest"] = selftest_json(t, true);
            }
        }
        json jsims = json::array();
        const auto force = limits_in_force(ctx.srv, sims);
        for (const auto& s : sims) {
            jsims.push_back(sim_full_json(*db, s, force));
            jsims.back()["pause"] = pause_json(pauses, s.iccid);
        }
        for (auto& j : items) {
            for (const auto& s : sims) {
                if (j.value("iccid", "") == s.iccid && j.contains("sim")) j["sim"] = sim_full_json(*db, s, force);
            }
        }
        return ok({{"items", items}, {"sims", jsims}, {"ready", modems_ready(ctx.srv)}});
    });

    // Partial update: a field not given keeps its value (see limit_field for the limits).
    r.put(R"(/api/v1/sims/(\d{6,22}))", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const std::string iccid = ctx.req.matches[1];
        CX_CHECK(body, ctx.body());
        messaging::SimPatch p;
        CX_CHECK_VOID(limit_field(body, "limit_per_minute", 1000, p.limit_per_minute));
        CX_CHECK_VOID(limit_field(body, "limit_per_hour", 100000, p.limit_per_hour));
        CX_CHECK_VOID(limit_field(body, "limit_per_day", 1000000, p.limit_per_day));
        CX_CHECK(price, opt_int(body, "price_fen_per_segment", 0, 10000));
        CX_CHECK(bs, opt_int(body, "monthly_budget_segments", 0, 100000000));
        CX_CHECK(bf, opt_int(body, "monthly_budget_fen", 0, 10000000000LL));
        if (price) p.price_fen_per_segment = static_cast<int>(*price);
        if (bs) p.monthly_budget_segments = static_cast<int>(*bs);
        p.monthly_budget_fen = bf;
        CX_CHECK(s, command(ctx.srv, [iccid, p](messaging::Commands& c) { return c.update_sim(iccid, p); }));
        CX_CHECK(db, ctx.db());
        ctx.srv.audit(ctx.who, "sim.update", iccid, body.dump(), ctx.address());
        const auto force = limits_in_force(ctx.srv, {s});
        return ok(sim_full_json(*db, s, force));
    });

    // 恢复发送: an admin lifts a SIM's carrier-blocking pause (after checking with the carrier).
    r.post(R"(/api/v1/sims/(\d{6,22})/resume)", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const std::string iccid = ctx.req.matches[1];
        const std::string actor = ctx.who.name;
        CX_CHECK_VOID(core_call(ctx.srv, [iccid, actor](CoreApi& c) { return c.resume_sim(iccid, actor); }));
        ctx.srv.audit(ctx.who, "sim.resume", iccid, "", ctx.address());
        publish(ctx.srv, "modem.updated", {{"iccid", iccid}, {"paused", false}});
        return ok({{"iccid", iccid}, {"paused", false}});
    });

    r.post(R"(/api/v1/modems/([A-Za-z0-9:._-]{1,64})/restart)", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const std::string id = ctx.req.matches[1];
        if (!valid_modem_id(id)) return fail(Errc::not_found, "no such modem");
        CX_CHECK_VOID(core_call(ctx.srv, [id](CoreApi& c) { return c.restart_modem(id); }));
        ctx.srv.audit(ctx.who, "modem.restart", id, "", ctx.address());
        publish(ctx.srv, "modem.updated", {{"id", id}});
        return accepted({{"id", id}, {"restarting", true}});
    });

    r.post(R"(/api/v1/modems/([A-Za-z0-9:._-]{1,64})/ussd)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        const std::string id = ctx.req.matches[1];
        CX_CHECK(body, ctx.body());
        CX_CHECK(code, need_string(body, "code", 32));
        if (code.empty()) return fail(Errc::invalid_field, "code must not be empty");
        for (char c : code) {
            if (!((c >= '0' && c <= '9') || c == '*' || c == '#')) {
                return fail(Errc::invalid_field, "code may hold only digits, * and #");
            }
        }
        auto& srv = ctx.srv;
        if (!srv.hooks.core || !srv.hooks.post) return fail(Errc::unavailable, "the messaging core is not running");
        CoreApi* core = srv.hooks.core;
        auto p = std::make_shared<std::promise<CoreResult<std::string>>>();
        auto fut = p->get_future();
        srv.hooks.post([core, id, code, p] {
            auto once = std::make_shared<std::atomic<bool>>(false);
            core->ussd(id, code, [p, once](CoreResult<std::string> answer) {
                if (!once->exchange(true)) p->set_value(std::move(answer));
            });
        });
        if (fut.wait_for(std::chrono::seconds(40)) != std::future_status::ready) {
            return fail(Errc::core_unavailable, "no USSD answer in time");
        }
        auto res = fut.get();
        if (!res) return unexpected(from_core(res.error()));
        srv.audit(ctx.who, "modem.ussd", id, code, ctx.address());
        return ok({{"id", id}, {"code", code}, {"reply", *res}});
    });
}

}  // namespace cunxin::http

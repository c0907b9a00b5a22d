// SPDX-License-Identifier: Apache-2.0
// Modems and SIMs: status, limits and price, restart, USSD.

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
            {"storage", m.storage_total > 0 ? json{{"mem", m.storage}, {"used", m.storage_used}, {"total", m.storage_total}}
                                            : json(nullptr)},
            {"error", m.last_error}};
}

namespace {

bool valid_modem_id(const std::string& s) { return !s.empty() && s.size() <= 64; }

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
        json items = json::array();
        if (ctx.srv.hooks.core) {
            CoreApi* core = ctx.srv.hooks.core;
            CX_CHECK(mods, ctx.srv.call_core([core] { return core->modems(); }));
            for (const auto& m : mods) {
                json j = modem_json(m);
                for (const auto& s : sims) {
                    if (s.iccid == m.iccid) j["sim"] = sim_json(s);
                }
                items.push_back(j);
            }
        }
        json jsims = json::array();
        for (const auto& s : sims) jsims.push_back(sim_json(s));
        return ok({{"items", items}, {"sims", jsims}, {"ready", modems_ready(ctx.srv)}});
    });

    r.put(R"(/api/v1/sims/(\d{6,22}))", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const std::string iccid = ctx.req.matches[1];
        CX_CHECK(body, ctx.body());
        CX_CHECK(db, ctx.db());
        CX_TRY(found, store::get_sim(*db, iccid), "get sim");
        if (!found) return fail(Errc::not_found, "no such SIM");
        store::Sim s = *found;
        CX_CHECK(pm, opt_int(body, "limit_per_minute", 0, 1000));
        CX_CHECK(ph, opt_int(body, "limit_per_hour", 0, 100000));
        CX_CHECK(pd, opt_int(body, "limit_per_day", 0, 1000000));
        CX_CHECK(price, opt_int(body, "price_fen_per_segment", 0, 10000));
        CX_CHECK(bs, opt_int(body, "monthly_budget_segments", 0, 100000000));
        CX_CHECK(bf, opt_int(body, "monthly_budget_fen", 0, 10000000000LL));
        if (pm) s.limit_per_minute = static_cast<int>(*pm);
        if (ph) s.limit_per_hour = static_cast<int>(*ph);
        if (pd) s.limit_per_day = static_cast<int>(*pd);
        if (price) s.price_fen_per_segment = static_cast<int>(*price);
        if (bs) s.monthly_budget_segments = static_cast<int>(*bs);
        if (bf) s.monthly_budget_fen = *bf;
        CoreApi* core = ctx.srv.hooks.core;
        CX_CHECK_VOID(core_write(ctx.srv, "sim settings", [s, core](store::Database& d) {
            auto res = store::update_sim_settings(d, s);
            if (res && core) core->settings_changed();
            return res;
        }));
        ctx.srv.audit(ctx.who, "sim.update", iccid, body.dump(), ctx.address());
        return ok(sim_json(s));
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

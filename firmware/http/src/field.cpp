// SPDX-License-Identifier: Apache-2.0
// Field checks: the SIM-to-SIM self-test, SIM credit and the carriers' system messages.

#include <atomic>
#include <cmath>

#include "cunxin/messaging/field.hpp"
#include "mapping.hpp"

namespace cunxin::http {

json selftest_json(const store::SelftestRow& r, bool full) {
    json j = {{"iccid", r.iccid},
              {"ok", r.ok ? json(*r.ok) : json(nullptr)},
              {"at", r.finished_at ? json(*r.finished_at) : json(r.started_ms / 1000)},
              {"seconds", r.received_ms ? json(std::round(static_cast<double>(*r.received_ms - r.started_ms) / 100.0) / 10.0)
                                        : json(nullptr)}};
    if (full) {
        j["round"] = r.round;
        j["to_iccid"] = r.to_iccid;
        j["to_number"] = r.to_number;
        j["started_at"] = r.started_ms / 1000;
        j["received"] = r.received_ms.has_value();
        j["detail"] = r.detail;
    }
    return j;
}

json balance_json(const store::BalanceRow& b) {
    return {{"iccid", b.iccid},
            {"at", b.at},
            {"balance", b.fen ? json(static_cast<double>(*b.fen) / 100.0) : json(nullptr)},
            {"raw", b.raw},
            {"source", b.source}};
}

namespace {

bool valid_modem_id(const std::string& s) { return !s.empty() && s.size() <= 64; }

}  // namespace

void register_field(Router& r) {
    // Starts a round now: every SIM sends a test text to another SIM of the box.
    r.post("/api/v1/selftest", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        const std::string actor = ctx.who.name;
        CX_CHECK(round, core_call(ctx.srv, [actor](CoreApi& c) { return c.start_selftest(actor); }));
        ctx.srv.audit(ctx.who, "selftest.start", std::to_string(round), "", ctx.address());
        publish(ctx.srv, "selftest", {{"round", round}});
        return accepted({{"round", round}});
    });

    // The round running now, the last result of every SIM, and earlier results.
    r.get("/api/v1/selftest", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_CHECK(limit, ctx.query_int("limit", 50, 1, 500));
        CX_TRY(running, store::running_selftests(*db), "self-test");
        CX_TRY(latest, store::latest_selftests(*db), "self-test");
        CX_TRY(history, store::selftest_history(*db, static_cast<int>(limit)), "self-test");
        json jr = json::array();
        json jl = json::array();
        json jh = json::array();
        for (const auto& x : running) jr.push_back(selftest_json(x, true));
        for (const auto& x : latest) jl.push_back(selftest_json(x, true));
        for (const auto& x : history) jh.push_back(selftest_json(x, true));
        return ok({{"running", jr}, {"results", jl}, {"history", jh}});
    });

    // Asks a SIM for its credit: by SMS to the carrier (the answer comes as a system message)
    // or by USSD (answered here).
    r.post(R"(/api/v1/modems/([A-Za-z0-9:._-]{1,64})/balance)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        const std::string id = ctx.req.matches[1];
        if (!valid_modem_id(id)) return fail(Errc::not_found, "no such modem");
        auto& srv = ctx.srv;
        if (!srv.hooks.core || !srv.hooks.post) return fail(Errc::unavailable, "the messaging core is not running");
        CoreApi* core = srv.hooks.core;
        auto p = std::make_shared<std::promise<CoreResult<BalanceQueryResult>>>();
        auto fut = p->get_future();
        srv.hooks.post([core, id, p] {
            auto once = std::make_shared<std::atomic<bool>>(false);
            core->query_balance(id, [p, once](CoreResult<BalanceQueryResult> answer) {
                if (!once->exchange(true)) p->set_value(std::move(answer));
            });
        });
        if (fut.wait_for(std::chrono::seconds(40)) != std::future_status::ready) {
            return fail(Errc::core_unavailable, "no USSD answer in time");
        }
        auto res = fut.get();
        if (!res) return unexpected(from_core(res.error()));
        srv.audit(ctx.who, "modem.balance", id, res->method + " " + res->to, ctx.address());
        json j = {{"id", id}, {"iccid", res->iccid}, {"method", res->method}, {"to", res->to}, {"text", res->text}};
        if (res->method == "ussd") {
            j["reply"] = res->reply;
            j["balance"] = res->fen ? json(static_cast<double>(*res->fen) / 100.0) : json(nullptr);
            return ok(j);
        }
        return accepted(j);
    });

    // A SIM's credit readings, newest first.
    r.get(R"(/api/v1/sims/(\d{6,22}|[0-9A-Fa-f]{6,22})/balances)", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        const std::string iccid = ctx.req.matches[1];
        CX_CHECK(db, ctx.db());
        CX_CHECK(limit, ctx.query_int("limit", 30, 1, 500));
        CX_TRY(rows, store::balance_history(*db, iccid, static_cast<int>(limit)), "balance history");
        json items = json::array();
        for (const auto& b : rows) items.push_back(balance_json(b));
        return ok({{"iccid", iccid}, {"items", items}});
    });

    // Messages to and from carriers' service numbers and self-test texts: never in the inbox.
    r.get("/api/v1/system-messages", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_CHECK(limit, ctx.query_int("limit", 50, 1, 200));
        CX_CHECK(before, ctx.query_int("before", 0, 0, INT64_MAX));
        store::MessageQuery q;
        q.system = true;
        q.limit = static_cast<int>(limit);
        q.before_id = before;
        CX_TRY(page, store::list_messages(*db, q), "system messages");
        json items = json::array();
        for (const auto& m : page.items) {
            json j = message_json(m);
            j["kind"] = store::to_string(m.kind);
            items.push_back(std::move(j));
        }
        return ok({{"items", items}, {"next_cursor", page.next_cursor ? json(page.next_cursor) : json(nullptr)}});
    });
}

}  // namespace cunxin::http

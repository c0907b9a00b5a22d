// SPDX-License-Identifier: Apache-2.0
// Field operations: missed calls (GET /api/v1/calls) and the support bundle (GET /api/v1/doctor).

#include "mapping.hpp"

#include <cunxin/store/calls.hpp>

namespace cunxin::http {

namespace {

json call_json(const store::Call& c) {
    return {{"id", c.id},
            {"number", c.number.empty() ? json(nullptr) : json(c.number)},
            {"contact_id", c.contact_id ? json(*c.contact_id) : json(nullptr)},
            {"contact_name", c.contact_name.empty() ? json(nullptr) : json(c.contact_name)},
            {"village", c.village.empty() ? json(nullptr) : json(c.village)},
            {"iccid", c.iccid},
            {"at", iso_time(c.at)}};
}

}  // namespace

void register_doctor(Router& r) {
    // Calls to the box: each was hung up (ATH) and recorded against the caller's contact.
    r.get("/api/v1/calls", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(limit, ctx.query_int("limit", 50, 1, 500));
        CX_CHECK(before, ctx.query_int("before", 0, 0, INT64_MAX));
        CX_CHECK(db, ctx.db());
        CX_TRY(calls, store::list_calls(*db, static_cast<int>(limit), before), "list calls");
        CX_TRY(today, store::count_calls_since(*db, now_seconds(ctx.srv) - 24 * 3600), "count calls");
        json items = json::array();
        for (const auto& c : calls) items.push_back(call_json(c));
        json next = nullptr;
        if (static_cast<std::int64_t>(calls.size()) == limit && !calls.empty()) next = calls.back().id;
        return ok({{"items", items}, {"last_24h", today}, {"next_before", next}});
    });

    // The support bundle with the daemon's live parts (the same document as `cunxin doctor`).
    r.get("/api/v1/doctor", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        if (!ctx.srv.hooks.support_bundle) return fail(Errc::unavailable, "支持包不可用");
        Reply rep;
        rep.raw = ctx.srv.hooks.support_bundle();
        rep.content_type = "application/json; charset=utf-8";
        rep.headers.emplace_back("Content-Disposition",
                                 "attachment; filename=\"cunxin-support-" + std::to_string(now_seconds(ctx.srv)) + ".json\"");
        rep.headers.emplace_back("Cache-Control", "no-store");
        ctx.srv.audit(ctx.who, "system.doctor", "support_bundle", "", ctx.address());
        return rep;
    });
}

}  // namespace cunxin::http

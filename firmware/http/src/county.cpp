// SPDX-License-Identifier: Apache-2.0
// The county hub's API (`cunxin hub`): township boxes, county notices with progress per box,
// replies from every box (an anonymous category's reply carries no number and no village),
// and the summary by box, village and category. Reads use this thread's read connection;
// a notice goes to the hub's core (HubApi) on the core thread.
#include <algorithm>
#include <map>

#include "cunxin/http/hub_api.hpp"
#include "cunxin/store/federation.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

Result<std::vector<std::string>> string_list(const json& body, const char* key) {
    std::vector<std::string> out;
    if (!body.contains(key) || body.at(key).is_null()) return out;
    if (!body.at(key).is_array()) return fail(Errc::invalid_field, std::string(key) + " 必须是列表");
    for (const auto& v : body.at(key)) {
        if (!v.is_string()) return fail(Errc::invalid_field, std::string(key) + " 只能包含文字");
        if (!v.get<std::string>().empty()) out.push_back(v.get<std::string>());
    }
    return out;
}

json progress_json(const store::HubProgress& p) {
    return {{"box", p.box},
            {"published", p.published_at.has_value()},
            {"reported", p.seq > 0},
            {"recipients", p.recipients},
            {"queued", p.queued},
            {"sent", p.sent},
            {"delivered", p.delivered},
            {"failed", p.failed},
            {"updated_at", p.updated_at ? json(*p.updated_at) : json()}};
}

json notice_json(const store::HubNotice& n, bool with_boxes) {
    json j{{"id", n.id},
           {"text", n.text},
           {"roles", json::parse(n.roles_json, nullptr, false)},
           {"villages", json::parse(n.villages_json, nullptr, false)},
           {"created_by", n.created_by},
           {"created_at", n.created_at},
           {"cancelled_at", n.cancelled_at ? json(*n.cancelled_at) : json()}};
    json totals{{"boxes", n.boxes.size()}, {"reported", 0}, {"recipients", 0}, {"queued", 0},
                {"sent", 0}, {"delivered", 0}, {"failed", 0}};
    json boxes = json::array();
    for (const auto& p : n.boxes) {
        totals["reported"] = totals["reported"].get<int>() + (p.seq > 0 ? 1 : 0);
        for (const char* k : {"recipients", "queued", "sent", "delivered", "failed"}) {
            totals[k] = totals[k].get<int>() + progress_json(p)[k].get<int>();
        }
        boxes.push_back(progress_json(p));
    }
    j["totals"] = totals;
    if (with_boxes) j["boxes"] = boxes;
    return j;
}

json box_json(const store::HubBox& b) {
    json j{{"id", b.id}, {"name", b.name.empty() ? b.id : b.name}, {"first_seen", b.first_seen},
           {"last_seen", b.last_seen}, {"online", b.online}};
    const json h = json::parse(b.health, nullptr, false);
    for (const char* k : {"modems", "modems_ready", "queue", "selftest", "balance", "last_error", "outbox"}) {
        j[k] = h.is_object() && h.contains(k) ? h.at(k) : json();
    }
    j["health_at"] = h.is_object() && h.contains("at") ? h.at("at") : json();
    return j;
}

json reply_json(const store::HubReply& r) {
    json j{{"id", r.id},
           {"box", r.box},
           {"notice_id", r.notice_id ? json(*r.notice_id) : json()},
           {"village", r.village ? json(*r.village) : json()},
           {"category", r.category ? json(*r.category) : json()},
           {"text", r.text},
           {"at", r.at},
           {"anonymous", !r.number.has_value() && !r.village.has_value()}};
    if (r.number) j["number"] = *r.number;  // absent for anonymous categories
    return j;
}

Result<HubApi*> hub_of(Ctx& ctx) {
    if (!ctx.srv.hooks.hub) return fail(Errc::unavailable, "县级平台未运行");
    return ctx.srv.hooks.hub;
}

}  // namespace

void register_county(Router& r) {
    r.get("/api/v1/county/boxes", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(boxes, store::hub_list_boxes(*db), "boxes");
        json items = json::array();
        for (const auto& b : boxes) items.push_back(box_json(b));
        return ok({{"items", items}});
    });

    r.post("/api/v1/county/notices", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(hub, hub_of(ctx));
        CX_CHECK(body, ctx.body());
        CountyNoticeRequest req;
        if (!body.contains("text") || !body["text"].is_string()) return fail(Errc::missing_field, "请填写通知内容");
        req.text = body["text"].get<std::string>();
        if (body.contains("boxes") && body["boxes"].is_string() && body["boxes"] == "all") {
            req.all = true;
        } else {
            CX_CHECK(boxes, string_list(body, "boxes"));
            if (boxes.empty()) return fail(Errc::missing_field, "请至少选择一个乡镇");
            req.boxes = std::move(boxes);
        }
        CX_CHECK(roles, string_list(body, "roles"));
        CX_CHECK(villages, string_list(body, "villages"));
        req.roles = std::move(roles);
        req.villages = std::move(villages);
        req.actor = ctx.who.name;
        auto id = ctx.srv.call_core([hub, req] { return hub->create_notice(req); });
        if (!id) return unexpected(id.error());
        if (!*id) return unexpected(from_core(id->error()));
        ctx.srv.audit(ctx.who, "county.notice", **id, req.text.substr(0, 60), ctx.address());
        return accepted({{"id", **id}});
    });

    r.get("/api/v1/county/notices", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(limit, ctx.query_int("limit", 50, 1, 500));
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::hub_list_notices(*db, static_cast<int>(limit)), "notices");
        json items = json::array();
        for (const auto& n : list) items.push_back(notice_json(n, false));
        return ok({{"items", items}});
    });

    r.get(R"(/api/v1/county/notices/([A-Za-z0-9-]{1,64}))", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(n, store::hub_get_notice(*db, ctx.req.matches[1]), "notice");
        return ok(notice_json(n, true));
    });

    r.post(R"(/api/v1/county/notices/([A-Za-z0-9-]{1,64})/cancel)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(hub, hub_of(ctx));
        const std::string id = ctx.req.matches[1];
        auto done = ctx.srv.call_core([hub, id] { return hub->cancel_notice(id); });
        if (!done) return unexpected(done.error());
        if (!*done) return unexpected(from_core(done->error()));
        ctx.srv.audit(ctx.who, "county.notice.cancel", id, "", ctx.address());
        return ok({{"id", id}, {"cancelled", true}});
    });

    r.get("/api/v1/county/replies", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        store::HubReplyQuery q;
        q.box = ctx.query("box").value_or("");
        q.village = ctx.query("village").value_or("");
        q.category = ctx.query("category").value_or("");
        CX_CHECK(limit, ctx.query_int("limit", 100, 1, 500));
        CX_CHECK(cursor, ctx.query_int("cursor", 0, 0, std::int64_t{1} << 62));
        q.limit = static_cast<int>(limit);
        q.before_id = cursor;
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::hub_list_replies(*db, q), "replies");
        json items = json::array();
        for (const auto& x : list) items.push_back(reply_json(x));
        json next = list.size() == static_cast<std::size_t>(q.limit) && !list.empty() ? json(list.back().id) : json();
        return ok({{"items", items}, {"next_cursor", next}});
    });

    r.get("/api/v1/county/summary", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(rows, store::hub_reply_summary(*db), "summary");
        std::map<std::string, std::int64_t> by_box, by_village, by_category;
        json lines = json::array();
        std::int64_t total = 0;
        for (const auto& c : rows) {
            by_box[c.box] += c.count;
            if (!c.village.empty()) by_village[c.village] += c.count;
            by_category[c.category] += c.count;
            total += c.count;
            lines.push_back({{"box", c.box},
                             {"village", c.village.empty() ? json() : json(c.village)},
                             {"category", c.category.empty() ? json() : json(c.category)},
                             {"count", c.count}});
        }
        auto pairs = [](const std::map<std::string, std::int64_t>& m, const char* key) {
            json a = json::array();
            for (const auto& [k, v] : m) a.push_back({{key, k.empty() ? json() : json(k)}, {"count", v}});
            return a;
        };
        return ok({{"total", total},
                   {"by_box", pairs(by_box, "box")},
                   {"by_village", pairs(by_village, "village")},
                   {"by_category", pairs(by_category, "category")},
                   {"rows", lines}});
    });
}

}  // namespace cunxin::http

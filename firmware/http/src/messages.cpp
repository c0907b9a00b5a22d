// SPDX-License-Identifier: Apache-2.0
// Messages: send, list (cursor), one message, threads, triage, assignment, notes, re-classify,
// reply, CSV export. The sender of an anonymous message never appears in any answer, for any
// role: the store leaves it out of every read and out of every filter on the sender.

#include "mapping.hpp"
#include "text_checks.hpp"

namespace cunxin::http {
namespace {

constexpr std::size_t kMaxText = 4000;        // bytes of UTF-8; ~ 20 UCS2 segments
constexpr std::size_t kMaxRecipients = 5000;

std::string peer_param(std::string p) {
    // "13800000000" → "+8613800000000"; anything else as given.
    if (p.size() == 11 && p[0] == '1') return "+86" + p;
    if (!p.empty() && p[0] == ' ') p[0] = '+';  // a '+' decoded as space in a query string
    return p;
}

Result<store::MessageQuery> read_query(Ctx& ctx) {
    store::MessageQuery q;
    if (auto d = ctx.query("direction")) {
        if (*d == "in") q.direction = store::Direction::In;
        else if (*d == "out") q.direction = store::Direction::Out;
        else if (!d->empty()) return fail(Errc::bad_request, "direction must be in or out");
    }
    if (auto s = ctx.query("status"); s && !s->empty()) {
        if (!store::parse_segment_status(*s) && !store::parse_triage_status(*s)) {
            return fail(Errc::bad_request, "unknown status");
        }
        q.status = *s;
    }
    if (auto p = ctx.query("peer"); p && !p->empty()) q.peer = peer_param(*p);
    if (auto c = ctx.query("category"); c && !c->empty()) q.category = *c;
    if (auto v = ctx.query("village"); v && !v->empty()) q.village = *v;
    if (auto s = ctx.query("q"); s && !s->empty()) {
        if (s->size() > 200) return fail(Errc::bad_request, "search text too long");
        if (!plain_text(*s)) return fail(Errc::bad_request, "search text must be UTF-8 without control characters");
        q.search = *s;
    }
    CX_CHECK(campaign, ctx.query_int("campaign_id", 0, 0, INT64_MAX));
    if (campaign > 0) q.campaign_id = campaign;
    CX_CHECK(contact, ctx.query_int("contact_id", 0, 0, INT64_MAX));
    if (contact > 0) q.contact_id = contact;
    if (auto a = ctx.query("assigned"); a && *a == "me") {
        q.assigned_user_id = ctx.who.user_id;
    } else {
        CX_CHECK(assigned, ctx.query_int("assigned", 0, 0, INT64_MAX));
        if (assigned > 0) q.assigned_user_id = assigned;
    }
    CX_CHECK(limit, ctx.query_int("limit", 50, 1, 200));
    q.limit = static_cast<int>(limit);
    CX_CHECK(cursor, ctx.query_int("cursor", 0, 0, INT64_MAX));
    q.before_id = cursor;
    return q;
}

Result<SendResult> send_text(Ctx& ctx, std::vector<std::string> to, std::string text) {
    SendRequest req;
    req.to = std::move(to);
    req.text = std::move(text);
    req.actor = ctx.who.name;
    CX_CHECK(res, core_call(ctx.srv, [req](CoreApi& c) { return c.send(req); }));
    return res;
}

json send_json(const SendResult& r) {
    json rejected = json::array();
    for (const auto& [n, why] : r.rejected) rejected.push_back({{"number", n}, {"reason", why}});
    return {{"ids", r.ids}, {"rejected", rejected}};
}

}  // namespace

void register_messages(Router& r) {
    r.get("/api/v1/messages", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(q, read_query(ctx));
        CX_CHECK(db, ctx.db());
        CX_TRY(page, store::list_messages(*db, q), "list messages");
        json items = json::array();
        for (const auto& m : page.items) items.push_back(message_json(m));
        return ok({{"items", items},
                   {"next_cursor", page.next_cursor > 0 ? json(page.next_cursor) : json(nullptr)}});
    });

    r.get("/api/v1/messages/export.csv", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(q, read_query(ctx));
        CX_CHECK(db, ctx.db());
        const int off = office_offset(ctx.srv);
        std::vector<std::vector<std::string>> rows = {
            {"编号", "方向", "时间", "号码", "姓名", "村", "类别", "状态", "内容"}};
        q.limit = 200;
        for (int page_no = 0; page_no < 500; ++page_no) {
            CX_TRY(page, store::list_messages(*db, q), "export messages");
            for (const auto& m : page.items) {
                const bool hide = m.anonymous;
                rows.push_back({std::to_string(m.id), m.direction == store::Direction::In ? "收到" : "发出",
                                office_time(m.created_at, off), hide ? "" : m.peer,
                                hide ? "" : m.contact_name, hide ? "" : m.village,
                                m.category.value_or(""), status_zh(m.status), m.text});
            }
            if (page.next_cursor == 0) break;
            q.before_id = page.next_cursor;
        }
        return csv_reply(to_csv(rows), "messages.csv");
    });

    r.get(R"(/api/v1/messages/(\d+))", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(db, ctx.db());
        CX_TRY(m, store::get_message(*db, id), "get message");
        json out = message_json(m);
        CX_TRY(notes, store::notes_of(*db, id), "notes");
        json jn = json::array();
        for (const auto& n : notes) {
            jn.push_back({{"id", n.id}, {"author", n.author}, {"text", n.text}, {"created_at", n.created_at}});
        }
        out["notes"] = jn;
        if (m.direction == store::Direction::Out) {
            CX_TRY(segs, store::segments_of(*db, id), "segments");
            json js = json::array();
            for (const auto& s : segs) {
                js.push_back({{"part", s.part}, {"total", s.total}, {"status", store::to_string(s.status)},
                              {"iccid", s.iccid}, {"attempts", s.attempts}, {"error", s.last_error},
                              {"message_reference", s.message_reference ? json(*s.message_reference) : json(nullptr)}});
            }
            out["segment_list"] = js;
        } else {
            // The acknowledgement and the replies sent for it: the conversation of a message,
            // also when its sender is anonymous (no thread by number exists then).
            CX_TRY(replies, store::replies_to(*db, id), "replies");
            json jr = json::array();
            for (const auto& x : replies) jr.push_back(message_json(x));
            out["replies"] = jr;
        }
        return ok(out);
    });

    r.post("/api/v1/messages", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        std::vector<std::string> to;
        auto it = body.find("to");
        if (it == body.end() || it->is_null()) return fail(Errc::missing_field, "missing field: to");
        if (it->is_string()) {
            to.push_back(it->get<std::string>());
        } else {
            CX_CHECK(list, string_list(body, "to", kMaxRecipients));
            to = std::move(list);
        }
        if (to.empty()) return fail(Errc::invalid_field, "to must name at least one number");
        CX_CHECK(text, need_string(body, "text", kMaxText));
        if (text.empty()) return fail(Errc::invalid_field, "text must not be empty");
        CX_CHECK(res, send_text(ctx, to, text));
        if (res.ids.empty()) {
            return fail(Errc::invalid_field, "no valid recipient");
        }
        ctx.srv.audit(ctx.who, "message.send", std::to_string(res.ids.size()) + " recipients",
                      text.substr(0, 200), ctx.address());
        publish(ctx.srv, "messages.queued", {{"ids", res.ids}});
        return accepted(send_json(res));
    });

    r.get(R"(/api/v1/threads/([+]?\d{3,20}))", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        const std::string peer = peer_param(ctx.req.matches[1]);
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::thread_with(*db, peer, 200), "thread");
        json items = json::array();
        for (const auto& m : list) items.push_back(message_json(m));
        std::optional<store::Contact> contact;
        CX_TRY(c, store::find_contact_by_mobile(*db, peer), "contact");
        return ok({{"peer", peer}, {"items", items}, {"contact", c ? contact_json(*c) : json(nullptr)}});
    });

    r.post(R"(/api/v1/messages/(\d+)/status)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        CX_CHECK(status, need_string(body, "status", 32));
        auto s = store::parse_triage_status(status);
        if (!s) return fail(Errc::invalid_field, "status must be new, in_progress or handled");
        const auto st = *s;
        CX_CHECK_VOID(command(ctx.srv, [id, st](messaging::Commands& c) { return c.set_triage_status(id, st); }));
        ctx.srv.audit(ctx.who, "message.status", std::to_string(id), status, ctx.address());
        publish(ctx.srv, "message.updated", {{"id", id}, {"status", status}});
        return ok({{"id", id}, {"status", status}});
    });

    r.post(R"(/api/v1/messages/(\d+)/assign)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        CX_CHECK(user, opt_int(body, "user_id", 1, INT64_MAX));
        CX_CHECK_VOID(command(ctx.srv, [id, user](messaging::Commands& c) { return c.assign(id, user); }));
        ctx.srv.audit(ctx.who, "message.assign", std::to_string(id),
                      user ? std::to_string(*user) : "none", ctx.address());
        publish(ctx.srv, "message.updated", {{"id", id}});
        return ok({{"id", id}, {"assigned_user_id", user ? json(*user) : json(nullptr)}});
    });

    r.post(R"(/api/v1/messages/(\d+)/notes)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        CX_CHECK(text, need_string(body, "text", 4000));
        const std::string author = ctx.who.name;
        CX_CHECK(note, command(ctx.srv, [id, author, text](messaging::Commands& c) { return c.add_note(id, author, text); }));
        ctx.srv.audit(ctx.who, "message.note", std::to_string(id), "", ctx.address());
        return created({{"id", note.id}, {"message_id", id}, {"author", note.author}, {"text", note.text},
                        {"created_at", note.created_at}});
    });

    r.post(R"(/api/v1/messages/(\d+)/reply)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        CX_CHECK(text, need_string(body, "text", kMaxText));
        if (text.empty()) return fail(Errc::invalid_field, "text must not be empty");
        // The core looks the number up itself: it never passes through this layer.
        const std::string actor = ctx.who.name;
        CX_CHECK(rid, core_call(ctx.srv, [id, text, actor](CoreApi& c) { return c.reply(id, text, actor); }));
        ctx.srv.audit(ctx.who, "message.reply", std::to_string(id), text.substr(0, 200), ctx.address());
        publish(ctx.srv, "messages.queued", {{"ids", json::array({rid})}});
        return accepted({{"id", rid}, {"reply_to", id}, {"ids", json::array({rid})}});
    });

    r.post(R"(/api/v1/messages/(\d+)/category)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        std::optional<std::string> category;
        if (auto it = body.find("category"); it == body.end()) {
            return fail(Errc::missing_field, "missing field: category");
        } else if (it->is_string() && !it->get_ref<const std::string&>().empty()) {
            category = it->get<std::string>();
        } else if (!it->is_null() && !it->is_string()) {
            return fail(Errc::invalid_field, "category must be a menu code or null");
        }
        CX_CHECK(m, command(ctx.srv, [id, category](messaging::Commands& c) { return c.classify(id, category); }));
        CX_CHECK(db, ctx.db());
        ctx.srv.audit(ctx.who, "message.category", std::to_string(id),
                      m.category.value_or("") + " -> " + category.value_or(""), ctx.address());
        CX_TRY(after, store::get_message(*db, id), "get message");
        publish(ctx.srv, "message.updated", {{"id", id}, {"category", category ? json(*category) : json(nullptr)}});
        return ok(message_json(after));
    });

    r.post(R"(/api/v1/messages/(\d+)/uncertain)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        auto it = body.find("resend");
        if (it == body.end() || !it->is_boolean()) return fail(Errc::missing_field, "resend must be true or false");
        const bool resend = it->get<bool>();
        CX_CHECK(n, core_call(ctx.srv, [id, resend](CoreApi& c) { return c.decide_uncertain(id, resend); }));
        ctx.srv.audit(ctx.who, resend ? "message.resend" : "message.give_up", std::to_string(id), "", ctx.address());
        return ok({{"id", id}, {"segments", n}});
    });
}

}  // namespace cunxin::http

// SPDX-License-Identifier: Apache-2.0
// Users and roles, API tokens, the audit log.

#include "cunxin/http/auth.hpp"
#include "mapping.hpp"

namespace cunxin::http {

void register_quarantine(Router& r);  // quarantine.cpp: admin diagnostics, registered with the users

namespace {

json token_json(const store::ApiToken& t) {
    return {{"id", t.id},           {"name", t.name},
            {"role", store::to_string(t.role)}, {"created_at", t.created_at},
            {"last_used_at", t.last_used_at ? json(t.last_used_at) : json(nullptr)},
            {"revoked", t.revoked}};
}

Result<store::Role> read_role(const json& body, const char* def) {
    CX_CHECK(role, opt_string(body, "role", 16));
    auto r = store::parse_role(role.value_or(def));
    if (!r) return fail(Errc::invalid_field, "role must be admin, operator or viewer");
    return *r;
}

}  // namespace

void register_users(Router& r) {
    register_quarantine(r);
    // Names only, for the "assign to" list: every role may read them.
    r.get("/api/v1/users/names", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_users(*db), "list users");
        json items = json::array();
        for (const auto& u : list) {
            if (!u.disabled) {
                items.push_back({{"id", u.id}, {"username", u.username}, {"display_name", u.display_name}});
            }
        }
        return ok({{"items", items}});
    });

    r.get("/api/v1/users", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_users(*db), "list users");
        json items = json::array();
        for (const auto& u : list) items.push_back(user_json(u));
        return ok({{"items", items}});
    });

    r.post("/api/v1/users", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(username, need_string(body, "username", 64));
        CX_CHECK(password, need_string(body, "password", 256));
        CX_CHECK(display, opt_string(body, "display_name", 100));
        CX_CHECK(role, read_role(body, "operator"));
        if (username.empty()) return fail(Errc::invalid_field, "username must not be empty");
        for (unsigned char c : username) {
            if (c < 0x21 || c == 0x7f) return fail(Errc::invalid_field, "bad username");
        }
        if (password.size() < kMinPasswordLength) {
            return fail(Errc::invalid_field, "password must have at least 8 characters");
        }
        store::User u;
        u.username = username;
        u.password_hash = hash_password(password);
        u.role = role;
        u.display_name = display.value_or(username);
        CX_CHECK(saved, command(ctx.srv, [u](messaging::Commands& c) { return c.create_user(u); }));
        u = saved;
        ctx.srv.audit(ctx.who, "user.create", username, store::to_string(role), ctx.address());
        return created(user_json(u));
    });

    r.put(R"(/api/v1/users/(\d+))", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        messaging::UserPatch patch;
        if (body.contains("role")) {
            CX_CHECK(role, read_role(body, "viewer"));
            patch.role = role;
        }
        CX_CHECK(display, opt_string(body, "display_name", 100));
        patch.display_name = display;
        if (auto it = body.find("disabled"); it != body.end() && !it->is_null()) {
            if (!it->is_boolean()) return fail(Errc::invalid_field, "disabled must be true or false");
            patch.disabled = it->get<bool>();
        }
        CX_CHECK(password, opt_string(body, "password", 256));
        if (password) {
            if (password->size() < kMinPasswordLength) {
                return fail(Errc::invalid_field, "password must have at least 8 characters");
            }
            patch.password_hash = hash_password(*password);
        }
        const std::int64_t actor = ctx.who.user_id;
        CX_CHECK(u, command(ctx.srv, [id, patch, actor](messaging::Commands& c) { return c.update_user(id, patch, actor); }));
        // Another user: every session ends. Oneself: a new password ends the other sessions only.
        if (id != ctx.who.user_id) {
            ctx.srv.sessions.remove_user(id);
        } else if (password) {
            ctx.srv.sessions.remove_user(id, ctx.who.bearer ? std::string() : ctx.who.session);
        }
        ctx.srv.audit(ctx.who, "user.update", u.username, store::to_string(u.role), ctx.address());
        return ok(user_json(u));
    });

    r.del(R"(/api/v1/users/(\d+))", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        const std::int64_t actor = ctx.who.user_id;
        CX_CHECK(u, command(ctx.srv, [id, actor](messaging::Commands& c) { return c.delete_user(id, actor); }));
        ctx.srv.sessions.remove_user(id);
        ctx.srv.audit(ctx.who, "user.delete", u.username, "", ctx.address());
        return ok({{"id", id}, {"deleted", true}});
    });

    r.get("/api/v1/tokens", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_api_tokens(*db), "list tokens");
        json items = json::array();
        for (const auto& t : list) items.push_back(token_json(t));
        return ok({{"items", items}});
    });

    r.post("/api/v1/tokens", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(name, need_string(body, "name", 100));
        if (name.empty()) return fail(Errc::invalid_field, "name must not be empty");
        CX_CHECK(role, read_role(body, "operator"));
        const auto fresh = new_api_token();
        store::ApiToken t;
        t.name = name;
        t.token_hash = fresh.hash;
        t.role = role;
        CX_CHECK(saved, command(ctx.srv, [t](messaging::Commands& c) { return c.create_token(t); }));
        t = saved;
        ctx.srv.audit(ctx.who, "token.create", name, store::to_string(role), ctx.address());
        json out = token_json(t);
        out["token"] = fresh.token;  // shown once, never stored
        return created(out);
    });

    r.del(R"(/api/v1/tokens/(\d+))", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK_VOID(command(ctx.srv, [id](messaging::Commands& c) { return c.revoke_token(id); }));
        ctx.srv.audit(ctx.who, "token.revoke", std::to_string(id), "", ctx.address());
        return ok({{"id", id}, {"revoked", true}});
    });

    r.get("/api/v1/audit", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(cursor, ctx.query_int("cursor", 0, 0, INT64_MAX));
        CX_CHECK(limit, ctx.query_int("limit", 100, 1, 500));
        store::AuditQuery q;
        q.before_id = cursor;
        q.limit = static_cast<int>(limit);
        q.actor = ctx.query("actor").value_or("").substr(0, 100);
        q.action = ctx.query("action").value_or("").substr(0, 64);
        CX_CHECK(from, ctx.query_int("from", 0, 0, 4102444800LL));
        CX_CHECK(to, ctx.query_int("to", 0, 0, 4102444800LL));
        q.from = from;
        q.to = to;
        // Whole office days (`start`/`end` = YYYY-MM-DD, both included), as the panel's filter gives them.
        const store::Seconds off = static_cast<store::Seconds>(office_offset(ctx.srv)) * 60;
        if (auto start = ctx.query("start"); start && !start->empty()) {
            const auto day = parse_iso_day(*start);
            if (!day) return fail(Errc::bad_request, "日期格式应为 YYYY-MM-DD（例如 2026-12-01）");
            q.from = *day * 86400 - off;
        }
        if (auto end = ctx.query("end"); end && !end->empty()) {
            const auto day = parse_iso_day(*end);
            if (!day) return fail(Errc::bad_request, "日期格式应为 YYYY-MM-DD（例如 2026-12-01）");
            q.to = (*day + 1) * 86400 - off;
        }
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_audit(*db, q), "audit");
        CX_TRY(actors, store::audit_actors(*db), "audit actors");
        json items = json::array();
        for (const auto& a : list) {
            json detail = json::parse(a.detail, nullptr, false);
            if (detail.is_discarded()) detail = a.detail;
            items.push_back({{"id", a.id}, {"at", a.at}, {"actor", a.actor}, {"action", a.action}, {"detail", detail}});
        }
        const bool more = static_cast<std::int64_t>(list.size()) == limit;
        return ok({{"items", items}, {"actors", actors},
                   {"next_cursor", more && !list.empty() ? json(list.back().id) : json(nullptr)}});
    });
}

}  // namespace cunxin::http

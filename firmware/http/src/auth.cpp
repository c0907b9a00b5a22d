// SPDX-License-Identifier: Apache-2.0
// First-start setup code, login/logout, sessions, bearer tokens, the audit helper.

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include "cunxin/http/auth.hpp"
#include "store_map.hpp"

namespace cunxin::http {
namespace {

constexpr const char* kCookie = "cunxin_session";

// Password guesses back off per address and per (address, account): a wrong password from one
// address never locks the account out for the others. Each failure past the free ones doubles
// the wait (2 s, 4 s, 8 s … up to 15 min).
constexpr LoginLimiter::Policy kPerAddress{10, std::chrono::seconds(2), std::chrono::minutes(15),
                                           std::chrono::hours(1)};
constexpr LoginLimiter::Policy kPerAccount{3, std::chrono::seconds(2), std::chrono::minutes(15),
                                           std::chrono::hours(1)};

std::string address_key(const std::string& kind, const std::string& address) {
    return kind + "|" + address;
}
std::string account_key(const std::string& kind, const std::string& address, const std::string& account) {
    return kind + "|" + address + "|" + account;
}

/// Seconds the longest of `keys` must still wait (0: none).
long long backing_off(ServerImpl& srv, std::initializer_list<std::string> keys) {
    long long wait = 0;
    const auto now = LoginLimiter::Clock::now();
    for (const auto& k : keys) wait = std::max(wait, srv.limiter.wait_seconds(k, now));
    return wait;
}

/// 429 with Retry-After.
Result<Reply> rate_limited(long long wait) {
    Reply r;
    r.status = status_of(Errc::rate_limited);
    r.body = {{"error", {{"code", to_string(Errc::rate_limited)},
                         {"message", "尝试次数过多，请 " + std::to_string(wait) + " 秒后再试"}}}};
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
}

std::string make_setup_code() {
    // No 0/O/1/I: read from a console and typed on a phone.
    static constexpr char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    std::string code;
    for (int i = 0; i < 9; ++i) {
        if (i == 4) {
            code += '-';
            continue;
        }
        code += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
    }
    return code;
}

// `tls`: the request came over HTTPS, so the cookie must never travel over plain HTTP.
std::string session_cookie(ServerImpl& srv, const std::string& id, long max_age, bool tls) {
    std::string c = std::string(kCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                    std::to_string(max_age);
    if (srv.cfg.secure_cookies || tls) c += "; Secure";
    return c;
}

std::string read_cookie(const Request& req) {
    const std::string all = req.get_header_value("Cookie");
    const std::string key = std::string(kCookie) + "=";
    std::size_t pos = 0;
    while ((pos = all.find(key, pos)) != std::string::npos) {
        if (pos == 0 || all[pos - 1] == ' ' || all[pos - 1] == ';') {
            const std::size_t start = pos + key.size();
            const std::size_t end = all.find(';', start);
            return all.substr(start, end == std::string::npos ? std::string::npos : end - start);
        }
        pos += key.size();
    }
    return {};
}

json principal_json(const Principal& p) {
    return {{"id", p.user_id}, {"username", p.name}, {"role", to_string(p.role)}};
}

Result<Reply> login_reply(ServerImpl& srv, const store::User& u, int status, bool tls) {
    const std::string sid = srv.sessions.create(u.id, u.username, to_http(u.role));
    auto s = srv.sessions.find(sid, false);
    Reply r;
    r.status = status;
    r.body = {{"user", user_json(u)}, {"csrf", s ? s->csrf : ""}};
    r.headers.emplace_back("Set-Cookie",
                           session_cookie(srv, sid, static_cast<long>(srv.cfg.session_ttl.count()), tls));
    return r;
}

Result<void> check_password_rules(const std::string& pw) {
    if (pw.size() < kMinPasswordLength) {
        return fail(Errc::invalid_field, "password must have at least 8 characters");
    }
    if (pw.size() > 256) return fail(Errc::invalid_field, "password is too long");
    return {};
}

Result<void> check_username(const std::string& name) {
    if (name.empty() || name.size() > 64) return fail(Errc::invalid_field, "bad username");
    for (unsigned char c : name) {
        if (c < 0x21 || c == 0x7f) return fail(Errc::invalid_field, "bad username");
    }
    return {};
}

}  // namespace

const char* to_string(Role r) noexcept {
    switch (r) {
        case Role::viewer: return "viewer";
        case Role::operator_: return "operator";
        case Role::admin: return "admin";
    }
    return "viewer";
}

std::optional<Role> parse_role(std::string_view s) {
    if (s == "viewer") return Role::viewer;
    if (s == "operator") return Role::operator_;
    if (s == "admin") return Role::admin;
    return std::nullopt;
}

void init_setup_code(ServerImpl& s) {
    store::OpenOptions o;
    o.access = store::Access::ReadOnly;
    o.check_integrity = false;
    auto db = store::Database::open(s.cfg.db_path.string(), o);
    std::int64_t users = 1;
    if (db) {
        auto n = store::count_users(*db);
        if (n) users = *n;
    }
    std::lock_guard lock(s.setup_mu);
    if (users == 0 && s.setup_code.empty()) {
        s.setup_code = make_setup_code();
        std::fprintf(stderr, "[http] no admin account yet: open the panel and enter the\n");
        std::fprintf(stderr, "[http] setup code: %s\n", s.setup_code.c_str());
        std::fflush(stderr);
    }
}

Result<Principal> ServerImpl::authenticate(const Request& req, bool touch) {
    const std::string auth = req.get_header_value("Authorization");
    if (!auth.empty()) {
        if (auth.rfind("Bearer ", 0) != 0 || auth.size() < 10 || auth.size() > 200) {
            return fail(Errc::unauthorized, "bad Authorization header");
        }
        const std::string hash = hash_token(auth.substr(7));
        CX_CHECK(db, read_db());
        auto t = store::find_api_token(*db, hash);
        if (!t) return unexpected(from_store(t.error(), "find token"));
        if (!*t) return fail(Errc::unauthorized, "unknown or revoked token");
        Principal p;
        p.user_id = 0;
        p.name = "token:" + (*t)->name;
        p.role = to_http((*t)->role);
        p.bearer = true;
        if (hooks.post && hooks.core) {
            CoreApi* core = hooks.core;
            const auto id = (*t)->id;
            hooks.post([core, id] { (void)core->commands().touch_token(id); });
        }
        return p;
    }
    const std::string sid = read_cookie(req);
    auto s = sessions.find(sid, touch);
    if (!s) return fail(Errc::unauthorized, "please log in");
    Principal p;
    p.user_id = s->user_id;
    p.name = s->name;
    p.role = s->role;
    p.session = sid;
    p.csrf = s->csrf;
    return p;
}

void ServerImpl::audit(const Principal& who, const std::string& action, const std::string& target,
                       const std::string& detail, const std::string& address) {
    if (!hooks.post || !hooks.core) return;
    CoreApi* core = hooks.core;
    json d = {{"target", target}, {"address", address}};
    if (!detail.empty()) d["detail"] = detail;
    std::string text = d.dump(-1, ' ', false, json::error_handler_t::replace);
    messaging::AuditEntry entry{who.name, action, std::move(text)};
    // Fire and forget: the entry follows the command it records on the core's queue.
    hooks.post([core, entry] {
        auto r = core->commands().audit(entry);
        if (!r) std::fprintf(stderr, "[http] audit write failed: %s\n", r.error().detail.c_str());
    });
}

void register_auth(Router& r) {
    // What the panel needs at start: is setup required, who am I, my CSRF token.
    r.get("/api/v1/auth/state", Need::open, [](Ctx& ctx) -> Result<Reply> {
        bool setup = false;
        {
            std::lock_guard lock(ctx.srv.setup_mu);
            setup = !ctx.srv.setup_code.empty();
        }
        json out = {{"setup_required", setup}, {"user", nullptr}, {"csrf", nullptr},
                    {"utc_offset_minutes", office_offset(ctx.srv)}};
        auto who = ctx.srv.authenticate(ctx.req, false);
        if (who && !who->bearer) {
            out["user"] = principal_json(*who);
            out["csrf"] = who->csrf;
        }
        return ok(out);
    });

    // First start: the setup code creates the first admin account.
    r.post("/api/v1/auth/setup", Need::open, [](Ctx& ctx) -> Result<Reply> {
        auto& srv = ctx.srv;
        const std::string addr_key = address_key("setup", ctx.address());
        if (auto wait = backing_off(srv, {addr_key}); wait > 0) return rate_limited(wait);
        CX_CHECK(body, ctx.body());
        CX_CHECK(code, need_string(body, "code", 32));
        CX_CHECK(username, need_string(body, "username", 64));
        CX_CHECK(password, need_string(body, "password", 256));
        if (auto c = check_username(username); !c) return unexpected(c.error());
        if (auto c = check_password_rules(password); !c) return unexpected(c.error());
        {
            std::lock_guard lock(srv.setup_mu);
            if (srv.setup_code.empty()) return fail(Errc::conflict, "setup already done");
            std::string typed;
            for (char c : code) {
                if (c == ' ') continue;
                typed += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            if (typed.size() == 8) typed.insert(4, "-");
            if (typed.size() != srv.setup_code.size() ||
                sodium_memcmp(typed.data(), srv.setup_code.data(), typed.size()) != 0) {
                srv.limiter.fail(addr_key, kPerAddress, LoginLimiter::Clock::now());
                return fail(Errc::bad_credentials, "wrong setup code");
            }
        }
        store::User u;
        u.username = username;
        u.password_hash = hash_password(password);
        u.role = store::Role::Admin;
        u.display_name = username;
        CX_CHECK(saved, command(srv, [u](messaging::Commands& c) { return c.create_user(u); }));
        u = saved;
        const auto id = u.id;
        {
            std::lock_guard lock(srv.setup_mu);
            srv.setup_code.clear();
        }
        Principal who;
        who.user_id = id;
        who.name = username;
        who.role = Role::admin;
        srv.audit(who, "user.setup", username, "first admin account", ctx.address());
        return login_reply(srv, u, 201, ctx.tls);
    });

    r.post("/api/v1/auth/login", Need::open, [](Ctx& ctx) -> Result<Reply> {
        auto& srv = ctx.srv;
        const std::string addr_key = address_key("login", ctx.address());
        if (auto wait = backing_off(srv, {addr_key}); wait > 0) return rate_limited(wait);
        CX_CHECK(body, ctx.body());
        CX_CHECK(username, need_string(body, "username", 64));
        CX_CHECK(password, need_string(body, "password", 256));
        const std::string user_key = account_key("login", ctx.address(), username);
        if (auto wait = backing_off(srv, {user_key}); wait > 0) return rate_limited(wait);
        CX_CHECK(db, ctx.db());
        CX_TRY(found, store::find_user(*db, username), "find user");
        // Verify against a dummy hash for unknown users too: same time either way.
        static const std::string dummy = hash_password("cunxin-dummy-password");
        const bool good = found && !found->disabled &&
                          verify_password(found->password_hash, password);
        if (!found) (void)verify_password(dummy, password);
        if (!good) {
            const auto now = LoginLimiter::Clock::now();
            srv.limiter.fail(addr_key, kPerAddress, now);
            srv.limiter.fail(user_key, kPerAccount, now);
            Principal anon;
            anon.name = username;
            srv.audit(anon, "auth.login_failed", username, "", ctx.address());
            return fail(Errc::bad_credentials, "wrong user name or password");
        }
        srv.limiter.clear(user_key);
        Principal who;
        who.user_id = found->id;
        who.name = found->username;
        who.role = to_http(found->role);
        srv.audit(who, "auth.login", found->username, "", ctx.address());
        return login_reply(srv, *found, 200, ctx.tls);
    });

    r.post("/api/v1/auth/logout", Need::session_only, [](Ctx& ctx) -> Result<Reply> {
        if (!ctx.who.bearer) ctx.srv.sessions.remove(ctx.who.session);
        Reply rep = ok({{"ok", true}});
        rep.headers.emplace_back("Set-Cookie", session_cookie(ctx.srv, "", 0, ctx.tls));
        return rep;
    });

    r.get("/api/v1/auth/me", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        json out = principal_json(ctx.who);
        out["bearer"] = ctx.who.bearer;
        return ok(out);
    });

    r.post("/api/v1/auth/password", Need::session_only, [](Ctx& ctx) -> Result<Reply> {
        if (ctx.who.bearer) return fail(Errc::forbidden, "log in to change a password");
        CX_CHECK(body, ctx.body());
        CX_CHECK(old_pw, need_string(body, "old_password", 256));
        CX_CHECK(new_pw, need_string(body, "new_password", 256));
        if (auto c = check_password_rules(new_pw); !c) return unexpected(c.error());
        auto& srv = ctx.srv;
        const std::string addr_key = address_key("password", ctx.address());
        const std::string user_key = account_key("password", ctx.address(), std::to_string(ctx.who.user_id));
        if (auto wait = backing_off(srv, {addr_key, user_key}); wait > 0) return rate_limited(wait);
        CX_CHECK(db, ctx.db());
        CX_TRY(u, store::get_user(*db, ctx.who.user_id), "get user");
        if (!verify_password(u.password_hash, old_pw)) {
            const auto now = LoginLimiter::Clock::now();
            srv.limiter.fail(addr_key, kPerAddress, now);
            srv.limiter.fail(user_key, kPerAccount, now);
            ctx.srv.audit(ctx.who, "user.password_failed", u.username, "", ctx.address());
            return fail(Errc::bad_credentials, "wrong password");
        }
        srv.limiter.clear(user_key);
        messaging::UserPatch patch;
        patch.password_hash = hash_password(new_pw);
        const auto uid = u.id;
        CX_CHECK_VOID(command(ctx.srv, [uid, patch](messaging::Commands& c) { return c.update_user(uid, patch, uid); }));
        ctx.srv.sessions.remove_user(u.id);
        ctx.srv.audit(ctx.who, "user.password", u.username, "", ctx.address());
        return login_reply(ctx.srv, u, 200, ctx.tls);
    });
}

}  // namespace cunxin::http

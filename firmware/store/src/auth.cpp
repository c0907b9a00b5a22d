// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/auth.hpp"

#include "sql.hpp"

namespace cunxin::store {

const char* to_string(Role r) noexcept {
    switch (r) {
        case Role::Admin: return "admin";
        case Role::Operator: return "operator";
        case Role::Viewer: return "viewer";
    }
    return "viewer";
}

std::optional<Role> parse_role(const std::string& s) noexcept {
    if (s == "admin") return Role::Admin;
    if (s == "operator") return Role::Operator;
    if (s == "viewer") return Role::Viewer;
    return std::nullopt;
}

namespace {

constexpr const char* kUserCols = "id, username, password_hash, role, display_name, disabled, created_at";

User read_user(const Stmt& s, int o = 0) {
    User u;
    u.id = s.i64(o + 0);
    u.username = s.str(o + 1);
    u.password_hash = s.str(o + 2);
    u.role = parse_role(s.str(o + 3)).value_or(Role::Viewer);
    u.display_name = s.str(o + 4);
    u.disabled = s.i64(o + 5) != 0;
    u.created_at = s.i64(o + 6);
    return u;
}

constexpr const char* kTokenCols = "id, name, token_hash, role, created_at, last_used_at, revoked";

ApiToken read_token(const Stmt& s) {
    ApiToken t;
    t.id = s.i64(0);
    t.name = s.str(1);
    t.token_hash = s.str(2);
    t.role = parse_role(s.str(3)).value_or(Role::Viewer);
    t.created_at = s.i64(4);
    t.last_used_at = s.i64(5);
    t.revoked = s.i64(6) != 0;
    return t;
}

}  // namespace

Result<std::int64_t> create_user(Database& db, const User& u, Seconds now) {
    return guard([&] {
        if (u.username.empty()) throw_error(Errc::invalid_argument, "empty username");
        db.impl()
            .prepare("INSERT INTO users(username, password_hash, role, display_name, disabled, created_at) "
                     "VALUES (?,?,?,?,?,?)")
            .args(u.username, u.password_hash, to_string(u.role), u.display_name, u.disabled, now)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<void> update_user(Database& db, const User& u) {
    return guard([&] {
        int n = db.impl()
                    .prepare("UPDATE users SET role=?, display_name=?, disabled=?, "
                             "password_hash=CASE WHEN ? <> '' THEN ? ELSE password_hash END WHERE id=?")
                    .args(to_string(u.role), u.display_name, u.disabled, u.password_hash,
                          u.password_hash, u.id)
                    .exec();
        if (n == 0) throw_error(Errc::not_found, "user " + std::to_string(u.id));
        if (u.disabled) db.impl().prepare("DELETE FROM sessions WHERE user_id=?").args(u.id).exec();
    });
}

Result<void> delete_user(Database& db, std::int64_t id) {
    return guard([&] {
        if (db.impl().prepare("DELETE FROM users WHERE id=?").args(id).exec() == 0)
            throw_error(Errc::not_found, "user " + std::to_string(id));
    });
}

Result<User> get_user(Database& db, std::int64_t id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE id=?");
        s.args(id);
        if (!s.step()) throw_error(Errc::not_found, "user " + std::to_string(id));
        return read_user(s);
    });
}

Result<std::optional<User>> find_user(Database& db, const std::string& username) {
    return guard([&]() -> std::optional<User> {
        auto s = db.impl().prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE username=?");
        s.args(username);
        if (!s.step()) return std::nullopt;
        return read_user(s);
    });
}

Result<std::vector<User>> list_users(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kUserCols + " FROM users ORDER BY id");
        std::vector<User> out;
        while (s.step()) out.push_back(read_user(s));
        return out;
    });
}

Result<std::int64_t> count_users(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM users");
        s.step();
        return s.i64(0);
    });
}

Result<void> create_session(Database& db, const Session& x) {
    return guard([&] {
        db.impl()
            .prepare("INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen, expires_at) "
                     "VALUES (?,?,?,?,?,?)")
            .args(x.token_hash, x.user_id, x.csrf_token, x.created_at, x.last_seen, x.expires_at)
            .exec();
    });
}

Result<std::optional<std::pair<Session, User>>> find_session(Database& db, const std::string& token_hash,
                                                              Seconds now) {
    return guard([&]() -> std::optional<std::pair<Session, User>> {
        auto s = db.impl().prepare(
            "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.last_seen, s.expires_at, "
            "u.id, u.username, u.password_hash, u.role, u.display_name, u.disabled, u.created_at "
            "FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash=? AND s.expires_at > ? AND u.disabled = 0");
        s.args(token_hash, now);
        if (!s.step()) return std::nullopt;
        Session x{s.str(0), s.i64(1), s.str(2), s.i64(3), s.i64(4), s.i64(5)};
        return std::make_pair(x, read_user(s, 6));
    });
}

Result<void> touch_session(Database& db, const std::string& token_hash, Seconds now, Seconds expires_at) {
    return guard([&] {
        db.impl().prepare("UPDATE sessions SET last_seen=?, expires_at=? WHERE token_hash=?")
            .args(now, expires_at, token_hash).exec();
    });
}

Result<void> delete_session(Database& db, const std::string& token_hash) {
    return guard([&] { db.impl().prepare("DELETE FROM sessions WHERE token_hash=?").args(token_hash).exec(); });
}

Result<int> delete_user_sessions(Database& db, std::int64_t user_id) {
    return guard([&] { return db.impl().prepare("DELETE FROM sessions WHERE user_id=?").args(user_id).exec(); });
}

Result<int> delete_expired_sessions(Database& db, Seconds now) {
    return guard([&] { return db.impl().prepare("DELETE FROM sessions WHERE expires_at <= ?").args(now).exec(); });
}

Result<std::int64_t> create_api_token(Database& db, const ApiToken& t, Seconds now) {
    return guard([&] {
        if (t.token_hash.empty()) throw_error(Errc::invalid_argument, "empty token hash");
        db.impl()
            .prepare("INSERT INTO api_tokens(name, token_hash, role, created_at) VALUES (?,?,?,?)")
            .args(t.name, t.token_hash, to_string(t.role), now)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<std::optional<ApiToken>> find_api_token(Database& db, const std::string& token_hash) {
    return guard([&]() -> std::optional<ApiToken> {
        auto s = db.impl().prepare(std::string("SELECT ") + kTokenCols +
                                   " FROM api_tokens WHERE token_hash=? AND revoked=0");
        s.args(token_hash);
        if (!s.step()) return std::nullopt;
        return read_token(s);
    });
}

Result<std::vector<ApiToken>> list_api_tokens(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kTokenCols + " FROM api_tokens ORDER BY id");
        std::vector<ApiToken> out;
        while (s.step()) out.push_back(read_token(s));
        return out;
    });
}

Result<void> revoke_api_token(Database& db, std::int64_t id) {
    return guard([&] {
        if (db.impl().prepare("UPDATE api_tokens SET revoked=1 WHERE id=?").args(id).exec() == 0)
            throw_error(Errc::not_found, "token " + std::to_string(id));
    });
}

Result<void> touch_api_token(Database& db, std::int64_t id, Seconds now) {
    return guard([&] { db.impl().prepare("UPDATE api_tokens SET last_used_at=? WHERE id=?").args(now, id).exec(); });
}

Result<std::int64_t> audit(Database& db, const std::string& actor, const std::string& action,
                           const std::string& detail, Seconds now) {
    return guard([&] {
        db.impl().prepare("INSERT INTO audit_log(at, actor, action, detail) VALUES (?,?,?,?)")
            .args(now, actor, action, detail).exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<std::vector<AuditEntry>> list_audit(Database& db, std::int64_t before_id, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT id, at, actor, action, detail FROM audit_log WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2");
        s.args(before_id, limit);
        std::vector<AuditEntry> out;
        while (s.step()) out.push_back(AuditEntry{s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4)});
        return out;
    });
}

Result<std::vector<AuditEntry>> list_audit(Database& db, const AuditQuery& q) {
    return guard([&] {
        const bool prefix = !q.action.empty() && q.action.back() == '.';
        auto s = db.impl().prepare(
            "SELECT id, at, actor, action, detail FROM audit_log WHERE (?1 = 0 OR id < ?1) "
            "AND (?2 = '' OR actor = ?2) "
            "AND (?3 = '' OR (?4 = 0 AND action = ?3) OR (?4 = 1 AND substr(action, 1, length(?3)) = ?3)) "
            "AND (?5 = 0 OR at >= ?5) AND (?6 = 0 OR at < ?6) ORDER BY id DESC LIMIT ?7");
        s.args(q.before_id, q.actor, q.action, prefix ? 1 : 0, q.from, q.to, q.limit);
        std::vector<AuditEntry> out;
        while (s.step()) out.push_back(AuditEntry{s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4)});
        return out;
    });
}

Result<std::vector<std::string>> audit_actors(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT DISTINCT actor FROM audit_log ORDER BY actor");
        std::vector<std::string> out;
        while (s.step()) out.push_back(s.str(0));
        return out;
    });
}

}  // namespace cunxin::store

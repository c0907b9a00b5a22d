// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Users, panel sessions, API tokens and the audit log. Secrets are stored hashed: the HTTP
/// layer hashes (libsodium) and passes hashes; the store never sees a password or raw token.

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// Who may do what.
enum class Role { Admin, Operator, Viewer };
/// "admin", "operator", "viewer".
const char* to_string(Role r) noexcept;
/// Parses "admin"/"operator"/"viewer".
std::optional<Role> parse_role(const std::string& s) noexcept;

/// A panel user.
struct User {
    std::int64_t id = 0;
    std::string username;
    std::string password_hash;  ///< crypto_pwhash_str output
    Role role = Role::Viewer;
    std::string display_name;
    bool disabled = false;
    Seconds created_at = 0;
};
/// Creates a user; Errc::constraint when the username exists.
Result<std::int64_t> create_user(Database& db, const User& u, Seconds now);
/// Updates role, display name, disabled flag and (when non-empty) password hash.
Result<void> update_user(Database& db, const User& u);
/// Deletes a user (their sessions and tokens go too).
Result<void> delete_user(Database& db, std::int64_t id);
/// By id (Errc::not_found).
Result<User> get_user(Database& db, std::int64_t id);
/// By username, nullopt when unknown.
Result<std::optional<User>> find_user(Database& db, const std::string& username);
/// Every user by id.
Result<std::vector<User>> list_users(Database& db);
/// Number of users (0 on first start: the panel asks for an admin).
Result<std::int64_t> count_users(Database& db);

/// A panel session, keyed by the hash of its cookie value.
struct Session {
    std::string token_hash;
    std::int64_t user_id = 0;
    std::string csrf_token;
    Seconds created_at = 0;
    Seconds last_seen = 0;
    Seconds expires_at = 0;
};
/// Stores a new session.
Result<void> create_session(Database& db, const Session& s);
/// A live session (expires_at > now) with its user; nullopt when absent, expired or disabled.
Result<std::optional<std::pair<Session, User>>> find_session(Database& db,
                                                              const std::string& token_hash,
                                                              Seconds now);
/// Moves last_seen/expires_at (user activity only, not background polls).
Result<void> touch_session(Database& db, const std::string& token_hash, Seconds now,
                           Seconds expires_at);
/// Ends a session.
Result<void> delete_session(Database& db, const std::string& token_hash);
/// Ends every session of a user (password or role change); returns how many.
Result<int> delete_user_sessions(Database& db, std::int64_t user_id);
/// Deletes expired sessions; returns how many.
Result<int> delete_expired_sessions(Database& db, Seconds now);

/// An API token for scripts (`cunxin token create`).
struct ApiToken {
    std::int64_t id = 0;
    std::string name;
    std::string token_hash;   ///< e.g. hex SHA-256 of the token
    Role role = Role::Operator;
    Seconds created_at = 0;
    Seconds last_used_at = 0;
    bool revoked = false;
};
/// Stores a token; Errc::constraint on a duplicate hash.
Result<std::int64_t> create_api_token(Database& db, const ApiToken& t, Seconds now);
/// A non-revoked token by hash, nullopt otherwise.
Result<std::optional<ApiToken>> find_api_token(Database& db, const std::string& token_hash);
/// Every token (hashes included; do not show them).
Result<std::vector<ApiToken>> list_api_tokens(Database& db);
/// Revokes a token.
Result<void> revoke_api_token(Database& db, std::int64_t id);
/// Records a use.
Result<void> touch_api_token(Database& db, std::int64_t id, Seconds now);

/// One audit-log line.
struct AuditEntry {
    std::int64_t id = 0;
    Seconds at = 0;
    std::string actor;    ///< username, "token:<name>", or "system"
    std::string action;   ///< e.g. "message.send", "campaign.cancel", "user.create"
    std::string detail;
};
/// Appends to the audit log.
Result<std::int64_t> audit(Database& db, const std::string& actor, const std::string& action,
                           const std::string& detail, Seconds now);
/// Newest first, ids below `before_id` (0 = from the newest).
Result<std::vector<AuditEntry>> list_audit(Database& db, std::int64_t before_id = 0,
                                           int limit = 100);

/// Which audit lines to list; empty/zero fields do not filter.
struct AuditQuery {
    std::int64_t before_id = 0;  ///< ids below this one (0 = from the newest)
    int limit = 100;
    std::string actor;           ///< exact actor
    std::string action;          ///< exact action, or a prefix ending in '.' ("campaign.")
    Seconds from = 0;            ///< at >= from
    Seconds to = 0;              ///< at < to
};
/// Newest first, filtered.
Result<std::vector<AuditEntry>> list_audit(Database& db, const AuditQuery& q);
/// Every actor named in the audit log (for the panel's filter), sorted.
Result<std::vector<std::string>> audit_actors(Database& db);

}  // namespace cunxin::store

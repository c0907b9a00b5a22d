// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal API of firmware/http: errors, replies, principals, the request context and the router.
// Only firmware/http/src includes this (it pulls in httplib and nlohmann::json).

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cunxin/http/server.hpp"
#include "cunxin/result.hpp"

namespace cunxin::store {
class Database;
struct Error;
}  // namespace cunxin::store

namespace cunxin::http {

using json = nlohmann::json;

/// Why a request failed; mapped to an HTTP status in one place (errors.cpp).
enum class Errc {
    bad_request,        ///< malformed request (bad query parameter, bad path)
    bad_json,           ///< body is not valid JSON or not an object
    missing_field,      ///< a required field is absent
    invalid_field,      ///< a field has the wrong type or an unusable value
    unauthorized,       ///< no valid session or token
    bad_credentials,    ///< wrong user name or password / setup code
    forbidden,          ///< the role may not do this
    csrf_failed,        ///< state change with a session but without the right CSRF token
    not_found,          ///< no such resource / id
    conflict,           ///< state does not allow it (duplicate name, campaign finished…)
    payload_too_large,  ///< body over the limit
    rate_limited,       ///< too many attempts
    setup_required,     ///< no admin account yet
    core_unavailable,   ///< the core did not answer in time
    unavailable,        ///< storage busy / feature not wired in this build
    internal,           ///< anything unexpected (details only in the log)
};

/// An HTTP-layer error. `detail` is a safe, client-facing message (never SQL or what()).
struct Error {
    Errc code = Errc::internal;
    int gsm_code = -1;
    std::string detail;
};

/// Value or Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

/// Builds an error result.
inline Unexpected<Error> fail(Errc code, std::string message) {
    return {Error{code, -1, std::move(message)}};
}

/// snake_case code of an error, as sent in {"error":{"code"}}.
const char* to_string(Errc code) noexcept;
/// The HTTP status for an error code.
int status_of(Errc code) noexcept;
/// THE mapping: writes status and {"error":{"code","message"}} to `res`.
void write_error(httplib::Response& res, const Error& e);
/// Maps a store failure to an HTTP error (store details go to the log only).
Error from_store(const store::Error& e, const char* what);

/// Panel/API roles, ordered by power.
enum class Role { viewer = 0, operator_ = 1, admin = 2 };
/// "viewer" / "operator" / "admin".
const char* to_string(Role r) noexcept;
/// Parses a role name.
std::optional<Role> parse_role(std::string_view s);

/// Who is calling.
struct Principal {
    std::int64_t user_id = 0;   ///< user id, or the token's owner/creator (0 for none)
    std::string name;           ///< user name, or "token:<name>"
    Role role = Role::viewer;
    bool bearer = false;        ///< authenticated by Authorization: Bearer
    std::string session;        ///< session id (cookie) when not bearer
    std::string csrf;           ///< the session's CSRF token
};

/// A successful reply.
struct Reply {
    int status = 200;
    json body;                  ///< sent as JSON unless `raw` is set
    std::optional<std::string> raw;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

inline Reply ok(json body) { return Reply{200, std::move(body), std::nullopt, "application/json", {}}; }
inline Reply created(json body) { return Reply{201, std::move(body), std::nullopt, "application/json", {}}; }
inline Reply accepted(json body) { return Reply{202, std::move(body), std::nullopt, "application/json", {}}; }

/// Who may call a route.
enum class Need { open, session_only, viewer, operator_, admin };

struct ServerImpl;

/// Per-request context handed to handlers.
class Ctx {
public:
    Ctx(ServerImpl& srv, const httplib::Request& req, httplib::Response& res)
        : srv(srv), req(req), res(res) {}
    ServerImpl& srv;
    const httplib::Request& req;
    httplib::Response& res;
    Principal who;
    bool authenticated = false;
    bool tls = false;  ///< the request came over HTTPS

    /// The request body as a JSON object (bad_json otherwise).
    Result<json> body() const;
    /// Regex capture i of the path as a positive id (not_found otherwise).
    Result<std::int64_t> id(int i = 1) const;
    /// A query parameter, or nullopt.
    std::optional<std::string> query(const char* name) const;
    /// Integer query parameter within [lo, hi], default when absent; bad_request when invalid.
    Result<std::int64_t> query_int(const char* name, std::int64_t def, std::int64_t lo,
                                   std::int64_t hi) const;
    /// This thread's read-only connection to the database.
    Result<store::Database*> db() const;
    /// Client address (for rate limits and the audit log).
    std::string address() const { return req.remote_addr; }
};

/// Route handler.
using Handler = std::function<Result<Reply>(Ctx&)>;

/// Registers routes on the underlying server, wrapping auth, CSRF and error mapping.
class Router {
public:
    /// Routes go to `target` (the plain or the HTTPS listener); `tls` marks its requests.
    Router(ServerImpl& srv, httplib::Server& target, bool tls) : srv_(srv), target_(target), tls_(tls) {}
    void get(const std::string& pattern, Need need, Handler h);
    void post(const std::string& pattern, Need need, Handler h);
    void put(const std::string& pattern, Need need, Handler h);
    void patch(const std::string& pattern, Need need, Handler h);
    void del(const std::string& pattern, Need need, Handler h);

private:
    httplib::Server::Handler wrap(Need need, bool mutating, Handler h);
    ServerImpl& srv_;
    httplib::Server& target_;
    bool tls_;
};

/// Registration of each resource (one file each).
void register_auth(Router& r);
void register_health(Router& r);
void register_messages(Router& r);
void register_modems(Router& r);
void register_contacts(Router& r);
void register_campaigns(Router& r);
void register_settings(Router& r);
void register_users(Router& r);
void register_reports(Router& r);
void register_system(Router& r);
void register_events(Router& r);
void register_doctor(Router& r);

/// Required string field of a JSON object.
Result<std::string> need_string(const json& o, const char* key, std::size_t max_len = 4096);
/// Optional string field (nullopt when absent or null).
Result<std::optional<std::string>> opt_string(const json& o, const char* key,
                                              std::size_t max_len = 4096);
/// Optional integer field.
Result<std::optional<std::int64_t>> opt_int(const json& o, const char* key, std::int64_t lo,
                                            std::int64_t hi);

}  // namespace cunxin::http

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal API of firmware/http: errors, replies, principals, the request context and the router.
// Only firmware/http/src includes this (it pulls in nlohmann::json; the transport, Boost.Beast,
// stays in transport.cpp).

#include <chrono>
#include <cstdint>
#include <filesystem>
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
#include "fields.hpp"

namespace cunxin::store {
class Database;
struct Error;
}  // namespace cunxin::store

namespace cunxin::http {


/// A parsed HTTP request as handlers see it (names follow cpp-httplib's, which it replaced).
struct Request {
    std::string method;                 ///< "GET", "POST"…
    std::string target;                 ///< as sent: path and query
    std::string path;                   ///< percent-decoded path
    std::vector<std::pair<std::string, std::string>> params;   ///< decoded query parameters
    std::vector<std::pair<std::string, std::string>> headers;  ///< as sent
    std::string body;                   ///< the body (routes that take it in memory)
    std::filesystem::path body_file;    ///< the body streamed to a temporary file (upload routes)
    std::uint64_t body_size = 0;        ///< bytes in `body` or `body_file`
    std::vector<std::string> matches;   ///< regex captures of the route's pattern (0 = whole path)
    std::string remote_addr;            ///< client address
    bool tls = false;                   ///< came over HTTPS

    /// The first header `name` (case-insensitive), or "".
    std::string get_header_value(std::string_view name) const;
    /// True when header `name` is present.
    bool has_header(std::string_view name) const;
    /// True when query parameter `name` is present.
    bool has_param(std::string_view name) const;
    /// The first query parameter `name`, or "".
    std::string get_param_value(std::string_view name) const;
};

/// An HTTP response a handler fills.
struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close = false;                 ///< close the connection after this response
    /// Server-Sent Events: after the headers the transport streams the hub's events; `on_end`
    /// runs (on any thread) when the stream ends.
    bool sse = false;
    std::function<void()> on_end;

    /// Sets (replaces) a header.
    void set_header(std::string_view name, std::string value);
    /// True when header `name` is set.
    bool has_header(std::string_view name) const;
    /// The header `name`, or "".
    std::string get_header_value(std::string_view name) const;
    /// Sets body and Content-Type.
    void set_content(std::string body, std::string_view content_type);
};

/// THE mapping: writes status and {"error":{"code","message"}} to `res`.
void write_error(Response& res, const Error& e);
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
    Ctx(ServerImpl& srv, const Request& req, Response& res) : srv(srv), req(req), res(res) {}
    ServerImpl& srv;
    const Request& req;
    Response& res;
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

/// How a route takes its request body.
enum class Body {
    memory,  ///< in Request::body, up to max_body (max_upload for the CSV import)
    file,    ///< streamed to a temporary file in the data directory (Request::body_file), any
             ///< size up to the free space minus `upload_reserve`; removed after the handler
};

/// A raw route: runs on a worker thread, fills the response.
using RawHandler = std::function<void(const Request&, Response&)>;

/// One entry of the route table (matched in registration order, on the full decoded path).
struct Route {
    std::string method;
    std::string pattern;
    RawHandler handler;
    Body body = Body::memory;
    /// Body::file: runs on a worker before the body is read (auth, CSRF, role); false when the
    /// response holds the refusal.
    std::function<bool(const Request&, Response&)> admit;
};

/// Registers routes in the server's table, wrapping auth, CSRF and error mapping.
class Router {
public:
    explicit Router(ServerImpl& srv) : srv_(srv) {}
    void get(const std::string& pattern, Need need, Handler h);
    void post(const std::string& pattern, Need need, Handler h);
    void put(const std::string& pattern, Need need, Handler h);
    void patch(const std::string& pattern, Need need, Handler h);
    void del(const std::string& pattern, Need need, Handler h);
    /// POST whose body is streamed to a temporary file (Request::body_file).
    void post_file(const std::string& pattern, Need need, Handler h);
    /// A route without the wrapper (assets, fallbacks).
    void raw(const std::string& method, const std::string& pattern, RawHandler h);

private:
    RawHandler wrap(Need need, bool mutating, Handler h);
    ServerImpl& srv_;
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
void register_templates(Router& r);
void register_doctor(Router& r);
void register_alerts(Router& r);
void register_field(Router& r);
void register_county(Router& r);


}  // namespace cunxin::http

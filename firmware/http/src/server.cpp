// SPDX-License-Identifier: Apache-2.0
// The server: requests and responses, security headers, the router wrapper (auth, CSRF, roles,
// errors), embedded assets (gzip or identity), the SSE route and start/stop. The network side
// (Boost.Beast) is transport.cpp.

#include <sodium.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "assets.hpp"
#include "cunxin/store/database.hpp"
#include "server_impl.hpp"

namespace cunxin::http {
namespace {

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

bool is_upload_path(const std::string& path) {
    return path == "/api/v1/contacts/import" || path == "/api/v1/system/restore";
}

// Routes that create a session: refused over plain HTTP when HTTPS is configured.
bool creates_session(const std::string& path) {
    return path == "/api/v1/auth/login" || path == "/api/v1/auth/setup" ||
           path == "/api/v1/auth/password";
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

void write_reply(Response& res, Reply&& r) {
    if (r.status < 0) return;  // a streaming handler prepared the response itself
    res.status = r.status;
    for (auto& [k, v] : r.headers) res.set_header(k, v);
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    if (r.raw) {
        res.set_content(std::move(*r.raw), r.content_type);
    } else if (r.status != 204) {
        res.set_content(r.body.dump(-1, ' ', false, json::error_handler_t::replace),
                        "application/json");
    }
}

std::atomic<std::uint64_t> g_serial{0};

thread_local struct {
    std::uint64_t owner = 0;
    std::unique_ptr<store::Database> db;
} t_read;

}  // namespace

// ---- SSE hub ------------------------------------------------------------------------------

SseHub::SseHub() : impl_(std::make_unique<Impl>()) {}
SseHub::~SseHub() = default;

void SseHub::publish(const std::string& event, const std::string& json_text) {
    std::string name;
    for (char c : event) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') {
            name += c;
        }
    }
    std::string data = json_text;
    std::erase(data, '\n');
    std::erase(data, '\r');
    std::function<void()> wake;
    {
        std::lock_guard lock(impl_->mu);
        const auto id = ++impl_->seq;
        impl_->recent.emplace_back(
            id, "id: " + std::to_string(id) + "\nevent: " + name + "\ndata: " + data + "\n\n");
        while (impl_->recent.size() > 256) impl_->recent.pop_front();
        wake = impl_->wake;
    }
    impl_->cv.notify_all();
    if (wake) wake();
}

int SseHub::clients() const {
    std::lock_guard lock(impl_->mu);
    return impl_->clients;
}

// ---- server state ---------------------------------------------------------------------------

ServerImpl::ServerImpl(ServerConfig c, CoreHooks h)
    : cfg(std::move(c)),
      hooks(std::move(h)),
      sessions(*this, cfg.session_ttl, cfg.session_idle),
      serial(++g_serial) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium init failed");
}

Result<store::Database*> ServerImpl::read_db() {
    if (t_read.owner != serial || !t_read.db) {
        t_read.db.reset();
        store::OpenOptions o;
        o.access = store::Access::ReadOnly;
        o.check_integrity = false;
        auto db = store::Database::open(cfg.db_path.string(), o);
        if (!db) return unexpected(from_store(db.error(), "open read connection"));
        t_read.db = std::make_unique<store::Database>(std::move(*db));
        t_read.owner = serial;
    }
    return t_read.db.get();
}

// ---- context helpers ------------------------------------------------------------------------

Result<json> Ctx::body() const { return parse_json_body(req.body); }

Result<std::int64_t> Ctx::id(int i) const {
    if (static_cast<std::size_t>(i) >= req.matches.size()) return fail(Errc::not_found, "not found");
    const std::string s = req.matches[i];
    if (s.empty() || s.size() > 18) return fail(Errc::not_found, "not found");
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return fail(Errc::not_found, "not found");
        v = v * 10 + (c - '0');
    }
    if (v <= 0) return fail(Errc::not_found, "not found");
    return v;
}

std::optional<std::string> Ctx::query(const char* name) const {
    if (!req.has_param(name)) return std::nullopt;
    return req.get_param_value(name);
}

Result<std::int64_t> Ctx::query_int(const char* name, std::int64_t def, std::int64_t lo,
                                    std::int64_t hi) const {
    auto v = query(name);
    if (!v || v->empty()) return def;
    return parse_int_param(*v, name, lo, hi);
}

Result<store::Database*> Ctx::db() const { return srv.read_db(); }



// ---- requests and responses -------------------------------------------------------------------

std::string Request::get_header_value(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) return v;
    }
    return {};
}

bool Request::has_header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.first, name)) return true;
    }
    return false;
}

bool Request::has_param(std::string_view name) const {
    for (const auto& p : params) {
        if (p.first == name) return true;
    }
    return false;
}

std::string Request::get_param_value(std::string_view name) const {
    for (const auto& [k, v] : params) {
        if (k == name) return v;
    }
    return {};
}

void Response::set_header(std::string_view name, std::string value) {
    for (auto& [k, v] : headers) {
        if (iequals(k, name)) {
            v = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::string(name), std::move(value));
}

bool Response::has_header(std::string_view name) const {
    for (const auto& h : headers) {
        if (iequals(h.first, name)) return true;
    }
    return false;
}

std::string Response::get_header_value(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) return v;
    }
    return {};
}

void Response::set_content(std::string b, std::string_view content_type) {
    body = std::move(b);
    set_header("Content-Type", std::string(content_type));
}

std::size_t memory_body_limit(const ServerImpl& s, const std::string& path) {
    return is_upload_path(path) ? s.cfg.max_upload : s.cfg.max_body;
}

void finish_response(const ServerImpl& s, Response& res, bool tls) {
    static const std::pair<const char*, const char*> kHeaders[] = {
        {"Content-Security-Policy", kCsp},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
        {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
    };
    for (const auto& [k, v] : kHeaders) {
        if (!res.has_header(k)) res.headers.emplace_back(k, v);
    }
    // Browsers ignore HSTS from a certificate they had to be told to accept; it still tells
    // them not to fall back to plain HTTP once the official accepted it.
    if (tls && s.cfg.https && s.cfg.https->redirect_http) {
        res.set_header("Strict-Transport-Security", "max-age=31536000");
    }
}

Response error_response(Errc code, std::string message) {
    Response res;
    write_error(res, Error{code, -1, std::move(message)});
    return res;
}

// ---- router -----------------------------------------------------------------------------------

namespace {

// Everything before the handler: body size, HTTPS for logins, authentication, CSRF, role.
// False when `res` already holds the refusal.
bool admit(ServerImpl& srv, Need need, bool mutating, const Request& req, Response& res, Ctx& ctx) {
    if (mutating && !is_upload_path(req.path) && req.body.size() > srv.cfg.max_body) {
        write_error(res, Error{Errc::payload_too_large, -1, "request body too large"});
        return false;
    }
    if (!req.tls && srv.cfg.https && creates_session(req.path)) {
        // A password or session cookie must not cross the LAN in clear text.
        const int port = srv.tls_port.load();
        write_error(res, Error{Errc::https_required, -1,
                               "本机已启用 HTTPS，请改用 https://（端口 " + std::to_string(port) + "）登录"});
        return false;
    }
    if (need == Need::open) return true;
    // Background requests (polls, SSE) do not extend the session's idle timer.
    const bool touch = req.get_header_value("X-Cunxin-Background") != "1";
    auto who = srv.authenticate(req, touch);
    if (!who) {
        write_error(res, who.error());
        return false;
    }
    ctx.who = std::move(*who);
    ctx.authenticated = true;
    if (mutating && !ctx.who.bearer) {
        const std::string sent = req.get_header_value("X-CSRF-Token");
        if (sent.size() != ctx.who.csrf.size() ||
            sodium_memcmp(sent.data(), ctx.who.csrf.data(), sent.size()) != 0) {
            write_error(res, Error{Errc::csrf_failed, -1, "missing or wrong CSRF token"});
            return false;
        }
    }
    const Role min = need == Need::admin       ? Role::admin
                     : need == Need::operator_ ? Role::operator_
                                               : Role::viewer;
    if (need != Need::session_only && ctx.who.role < min) {
        write_error(res, Error{Errc::forbidden, -1, "your role may not do this"});
        return false;
    }
    return true;
}

}  // namespace

RawHandler Router::wrap(Need need, bool mutating, Handler h) {
    ServerImpl* srv = &srv_;
    return [srv, need, mutating, h = std::move(h)](const Request& req, Response& res) {
        Ctx ctx(*srv, req, res);
        ctx.tls = req.tls;
        try {
            if (!admit(*srv, need, mutating, req, res, ctx)) return;
            auto r = h(ctx);
            if (!r) {
                write_error(res, r.error());
                return;
            }
            write_reply(res, std::move(*r));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "[http] %s %s: exception: %s\n", req.method.c_str(),
                         req.path.c_str(), e.what());
            write_error(res, Error{Errc::internal, -1, ""});
        } catch (...) {
            std::fprintf(stderr, "[http] %s %s: unknown exception\n", req.method.c_str(),
                         req.path.c_str());
            write_error(res, Error{Errc::internal, -1, ""});
        }
    };
}

void Router::raw(const std::string& method, const std::string& pattern, RawHandler h) {
    srv_.routes.push_back(CompiledRoute{Route{method, pattern, std::move(h), Body::memory},
                                        std::regex(pattern, std::regex::ECMAScript)});
}
void Router::get(const std::string& p, Need n, Handler h) { raw("GET", p, wrap(n, false, std::move(h))); }
void Router::post(const std::string& p, Need n, Handler h) { raw("POST", p, wrap(n, true, std::move(h))); }
void Router::put(const std::string& p, Need n, Handler h) { raw("PUT", p, wrap(n, true, std::move(h))); }
void Router::patch(const std::string& p, Need n, Handler h) { raw("PATCH", p, wrap(n, true, std::move(h))); }
void Router::del(const std::string& p, Need n, Handler h) { raw("DELETE", p, wrap(n, true, std::move(h))); }
void Router::post_file(const std::string& p, Need n, Handler h) {
    raw("POST", p, wrap(n, true, std::move(h)));
    auto& route = srv_.routes.back().route;
    route.body = Body::file;
    // Who may upload is decided before a byte of the body is written to disk.
    ServerImpl* srv = &srv_;
    route.admit = [srv, n](const Request& req, Response& res) {
        Ctx ctx(*srv, req, res);
        ctx.tls = req.tls;
        try {
            return admit(*srv, n, true, req, res, ctx);
        } catch (...) {
            write_error(res, Error{Errc::internal, -1, ""});
            return false;
        }
    };
}

const CompiledRoute* find_route(const ServerImpl& s, const std::string& method,
                                const std::string& path, std::vector<std::string>& matches) {
    const std::string& m = method == "HEAD" ? std::string("GET") : method;
    for (const auto& r : s.routes) {
        if (r.route.method != m) continue;
        std::smatch sm;
        if (std::regex_match(path, sm, r.re)) {
            matches.clear();
            for (const auto& x : sm) matches.push_back(x.str());
            return &r;
        }
    }
    return nullptr;
}

// ---- assets -----------------------------------------------------------------------------------

const Asset* find_asset(std::string_view path) {
    std::size_t lo = 0;
    std::size_t hi = kAssetCount;
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        const std::string_view p = kAssets[mid].path;
        if (p == path) return &kAssets[mid];
        if (p < path) lo = mid + 1;
        else hi = mid;
    }
    return nullptr;
}

bool accepts_gzip(std::string_view accept_encoding) {
    // RFC 9110 §12.5.3: a coding is acceptable when listed (or matched by "*") without q=0.
    bool gzip = false;
    std::optional<bool> star;
    std::size_t pos = 0;
    while (pos <= accept_encoding.size()) {
        auto end = accept_encoding.find(',', pos);
        if (end == std::string_view::npos) end = accept_encoding.size();
        std::string_view item = accept_encoding.substr(pos, end - pos);
        pos = end + 1;
        std::string_view name = item.substr(0, item.find(';'));
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        bool zero = false;
        if (const auto q = item.find(";"); q != std::string_view::npos) {
            std::string params(item.substr(q + 1));
            std::erase(params, ' ');
            std::erase(params, '\t');
            if (params.rfind("q=", 0) == 0 || params.rfind("Q=", 0) == 0) {
                const std::string v = params.substr(2);
                zero = !v.empty() && v.find_first_not_of("0.") == std::string::npos;
            }
        }
        if (iequals(name, "gzip") || iequals(name, "x-gzip")) {
            if (zero) return false;
            gzip = true;
        } else if (name == "*") {
            star = !zero;
        }
    }
    return gzip || star.value_or(false);
}

std::optional<std::string> gunzip(const unsigned char* data, std::size_t size) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
    std::string out;
    z.next_in = const_cast<unsigned char*>(data);
    z.avail_in = static_cast<uInt>(size);
    int rc = Z_OK;
    while (rc == Z_OK) {
        char buf[16384];
        z.next_out = reinterpret_cast<unsigned char*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) break;
        out.append(buf, sizeof buf - z.avail_out);
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return std::nullopt;
    return out;
}

namespace {

const char* type_for(std::string_view path) {
    auto ends = [&](std::string_view s) {
        return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".json")) return "application/json; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    return "application/octet-stream";
}

bool safe_relative(std::string_view rel) {
    if (rel.empty() || rel.size() > 200 || rel.front() == '/') return false;
    for (char c : rel) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' ||
                        c == '-' || c == '_';
        if (!ok) return false;
    }
    return rel.find("..") == std::string_view::npos && rel.find("//") == std::string_view::npos;
}

// The identity variant has its own strong ETag (RFC 9110 §8.8.3: one per representation).
std::string identity_etag(const char* etag) {
    std::string e = etag;
    if (e.size() >= 2 && e.back() == '"') e.insert(e.size() - 1, "-identity");
    return e;
}

bool etag_matches(const std::string& if_none_match, const std::string& etag) {
    if (if_none_match.empty()) return false;
    if (if_none_match == "*") return true;
    std::size_t pos = 0;
    while (pos < if_none_match.size()) {
        auto end = if_none_match.find(',', pos);
        if (end == std::string::npos) end = if_none_match.size();
        std::string one = if_none_match.substr(pos, end - pos);
        pos = end + 1;
        std::erase(one, ' ');
        if (one.rfind("W/", 0) == 0) one = one.substr(2);
        if (one == etag) return true;
    }
    return false;
}

void serve_asset(ServerImpl& srv, const Request& req, Response& res, std::string rel) {
    if (!safe_relative(rel)) {
        write_error(res, Error{Errc::not_found, -1, "not found"});
        return;
    }
    if (!srv.cfg.web_root.empty()) {
        std::ifstream in(std::filesystem::path(srv.cfg.web_root) / rel, std::ios::binary);
        if (!in) {
            write_error(res, Error{Errc::not_found, -1, "not found"});
            return;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        res.set_header("Cache-Control", "no-store");
        res.set_content(ss.str(), type_for(rel));
        return;
    }
    const Asset* a = find_asset(rel);
    if (!a) {
        write_error(res, Error{Errc::not_found, -1, "not found"});
        return;
    }
    const bool gzip = accepts_gzip(req.get_header_value("Accept-Encoding"));
    const std::string etag = gzip ? std::string(a->etag) : identity_etag(a->etag);
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Vary", "Accept-Encoding");
    // Either variant's ETag revalidates: both hold the same bytes once decoded.
    const std::string inm = req.get_header_value("If-None-Match");
    if (etag_matches(inm, a->etag) || etag_matches(inm, identity_etag(a->etag))) {
        res.status = 304;
        return;
    }
    if (gzip) {
        res.set_header("Content-Encoding", "gzip");
        res.set_content(std::string(reinterpret_cast<const char*>(a->gz), a->size), a->content_type);
        return;
    }
    auto plain = gunzip(a->gz, a->size);
    if (!plain) {
        std::fprintf(stderr, "[http] embedded asset %s does not inflate\n", a->path);
        write_error(res, Error{Errc::internal, -1, ""});
        return;
    }
    res.set_content(std::move(*plain), a->content_type);
}

// Plain HTTP when `redirect_http`: every request is sent to the same path over HTTPS.
void redirect_to_https(ServerImpl& s, const Request& req, Response& res) {
    std::string host = req.get_header_value("Host");
    if (!host.empty() && host.front() == '[') {
        host = host.substr(0, host.find(']') + 1);  // [v6]:port
    } else if (const auto colon = host.find(':'); colon != std::string::npos) {
        host.resize(colon);
    }
    bool ok = !host.empty() && host.size() < 256;
    for (char c : host) {
        ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                    c == ':' || c == '[' || c == ']');
    }
    if (!ok) host = "localhost";
    std::string target = req.target.empty() || req.target.front() != '/' ? "/" : req.target;
    const int port = s.tls_port.load();
    res.status = 308;  // keeps the method and body (API scripts)
    res.set_header("Location",
                   "https://" + host + (port == 443 ? "" : ":" + std::to_string(port)) + target);
    res.set_header("Cache-Control", "no-store");
}

// The county hub's page while web/hub/ has none (the hub panel lives there).
constexpr const char* kHubFallbackPage =
    "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width\"><title>村信 县级平台</title></head>"
    "<body><h1>村信 县级平台</h1><p>接口：/api/v1/county/boxes、/api/v1/county/notices、"
    "/api/v1/county/replies、/api/v1/county/summary</p></body></html>";

// The hub's table: sign-in, users, health, the county API; pages from web/hub/ first, then the
// panel's shared files (js/, css/, i18n/).
void register_hub_routes(ServerImpl& s, Router& r) {
    register_health(r);
    register_auth(r);
    register_events(r);
    register_users(r);
    register_county(r);
    ServerImpl* sp = &s;
    r.raw("GET", "/api/v1/openapi.json", [sp](const Request& req, Response& res) {
        serve_asset(*sp, req, res, "openapi.json");
    });
    r.raw("GET", R"(/api/.*)", [](const Request&, Response& res) {
        write_error(res, Error{Errc::not_found, -1, "no such endpoint"});
    });
    r.raw("GET", R"(/(.*))", [sp](const Request& req, Response& res) {
        std::string rel = req.matches.size() > 1 ? req.matches[1] : std::string();
        if (rel.empty() || rel == "hub/") rel = "index.html";
        if (rel.rfind("hub/", 0) == 0) rel = rel.substr(4);
        const bool from_disk = !sp->cfg.web_root.empty();
        const bool hub_has = from_disk ? std::filesystem::exists(std::filesystem::path(sp->cfg.web_root) / "hub" / rel)
                                       : find_asset("hub/" + rel) != nullptr;
        if (hub_has) {
            serve_asset(*sp, req, res, "hub/" + rel);
        } else if (rel == "index.html") {
            res.set_header("Cache-Control", "no-store");
            res.set_content(kHubFallbackPage, "text/html; charset=utf-8");
        } else {
            serve_asset(*sp, req, res, rel);
        }
    });
}

// The route table: API routes, then the catch-alls for /api and the panel's assets.
void register_routes(ServerImpl& s) {
    Router r(s);
    if (s.cfg.hub) {
        register_hub_routes(s, r);
        return;
    }
    register_health(r);
    register_auth(r);
    register_events(r);
    register_messages(r);
    register_modems(r);
    register_contacts(r);
    register_campaigns(r);
    register_settings(r);
    register_users(r);
    register_reports(r);
    register_system(r);
    register_templates(r);
    register_doctor(r);
    register_alerts(r);
    register_field(r);

    ServerImpl* sp = &s;
    r.raw("GET", "/api/v1/openapi.json", [sp](const Request& req, Response& res) {
        serve_asset(*sp, req, res, "openapi.json");
    });
    r.raw("GET", R"(/api/.*)", [](const Request&, Response& res) {
        write_error(res, Error{Errc::not_found, -1, "no such endpoint"});
    });
    r.raw("GET", R"(/(.*))", [sp](const Request& req, Response& res) {
        std::string rel = req.matches.size() > 1 ? req.matches[1] : std::string();
        if (rel.empty()) rel = "index.html";
        serve_asset(*sp, req, res, rel);
    });
}

}  // namespace

void dispatch(ServerImpl& s, const CompiledRoute* route, const Request& req, Response& res) {
    if (!req.tls && s.cfg.https && s.cfg.https->redirect_http) {
        redirect_to_https(s, req, res);
        return;
    }
    if (!route) {
        write_error(res, Error{Errc::not_found, -1, "no such endpoint"});
        return;
    }
    try {
        route->route.handler(req, res);
    } catch (...) {
        write_error(res, Error{Errc::internal, -1, ""});
    }
}

// ---- public Server ----------------------------------------------------------------------------

ServerImpl::~ServerImpl() = default;

Server::Server(ServerConfig config, CoreHooks hooks)
    : impl_(std::make_unique<ServerImpl>(std::move(config), std::move(hooks))) {
    register_routes(*impl_);
}

Server::~Server() { stop(); }

void Server::start() {
    auto& s = *impl_;
    if (s.running) return;
    // Fail early (start-up failure) when the database cannot be read.
    {
        store::OpenOptions o;
        o.access = store::Access::ReadOnly;
        o.check_integrity = false;
        auto db = store::Database::open(s.cfg.db_path.string(), o);
        if (!db) throw std::runtime_error("http: cannot open database " + s.cfg.db_path.string());
    }
    init_setup_code(s);
    if (s.cfg.https) {
        const auto& h = *s.cfg.https;
        s.certificate = ensure_certificate(h.cert, h.key);
    }
    {
        std::lock_guard lock(s.hub.impl().mu);
        s.hub.impl().closing = false;
    }
    s.transport = start_transport(s);
    s.bound_port = s.transport->port();
    s.tls_port = s.transport->tls_port();
    s.running = true;
}

void Server::stop() {
    auto& s = *impl_;
    if (!s.running.exchange(false)) return;
    {
        std::lock_guard lock(s.hub.impl().mu);
        s.hub.impl().closing = true;
    }
    s.hub.impl().cv.notify_all();
    if (s.transport) s.transport->stop();
    s.transport.reset();
}

int Server::port() const { return impl_->bound_port; }
int Server::https_port() const { return impl_->tls_port; }
const CertificateInfo& Server::certificate() const { return impl_->certificate; }
SseHub& Server::events() { return impl_->hub; }

std::string Server::setup_code() {
    std::lock_guard lock(impl_->setup_mu);
    return impl_->setup_code;
}

// ---- SSE stream ---------------------------------------------------------------------------------

void register_events(Router& r) {
    r.get("/api/v1/events", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        auto& hub = ctx.srv.hub.impl();
        const std::string addr = ctx.address();
        {
            std::lock_guard lock(hub.mu);
            if (hub.closing) return fail(Errc::unavailable, "shutting down");
            if (hub.clients >= ctx.srv.cfg.max_sse) {
                return fail(Errc::unavailable, "too many live streams; poll instead");
            }
            int& mine = hub.per_address[addr];
            if (mine >= ctx.srv.cfg.limits.max_sse_per_address) {
                if (mine == 0) hub.per_address.erase(addr);
                return fail(Errc::unavailable, "too many live streams from this address; poll instead");
            }
            ++mine;
            ++hub.clients;
        }
        auto* hp = &hub;
        ctx.res.set_header("Cache-Control", "no-store");
        ctx.res.set_header("X-Accel-Buffering", "no");
        ctx.res.set_header("Content-Type", "text/event-stream");
        ctx.res.sse = true;
        ctx.res.on_end = [hp, addr] {
            std::lock_guard lock(hp->mu);
            --hp->clients;
            if (auto it = hp->per_address.find(addr); it != hp->per_address.end() && --it->second <= 0) {
                hp->per_address.erase(it);
            }
        };
        Reply rep;
        rep.status = -1;  // marker: response already prepared
        return rep;
    });
}

}  // namespace cunxin::http

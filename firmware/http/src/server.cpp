// SPDX-License-Identifier: Apache-2.0
// The server: httplib setup, security headers, the router wrapper (auth, CSRF, roles, errors),
// embedded assets and start/stop.

#include <sodium.h>

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

// Deeply nested JSON would recurse the parser off the stack: refuse it first.
bool json_depth_ok(std::string_view s, int max_depth) {
    int depth = 0;
    bool in_string = false;
    bool escape = false;
    for (char c : s) {
        if (in_string) {
            if (escape) escape = false;
            else if (c == '\\') escape = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') --depth;
    }
    return true;
}

bool is_upload_path(const std::string& path) {
    return path == "/api/v1/contacts/import" || path == "/api/v1/system/restore";
}

Errc errc_for_status(int status) {
    switch (status) {
        case 401: return Errc::unauthorized;
        case 403: return Errc::forbidden;
        case 404: return Errc::not_found;
        case 413: return Errc::payload_too_large;
        case 429: return Errc::rate_limited;
        case 503: return Errc::unavailable;
        default: return status >= 500 ? Errc::internal : Errc::bad_request;
    }
}

void write_reply(httplib::Response& res, Reply&& r) {
    if (r.status < 0) {  // a streaming handler prepared the response itself
        res.status = 200;
        return;
    }
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

struct SseHub::Impl {
    mutable std::mutex mu;
    std::condition_variable cv;
    std::uint64_t seq = 0;
    std::deque<std::pair<std::uint64_t, std::string>> recent;  // formatted events
    int clients = 0;
    bool closing = false;
};

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
    {
        std::lock_guard lock(impl_->mu);
        const auto id = ++impl_->seq;
        impl_->recent.emplace_back(
            id, "id: " + std::to_string(id) + "\nevent: " + name + "\ndata: " + data + "\n\n");
        while (impl_->recent.size() > 256) impl_->recent.pop_front();
    }
    impl_->cv.notify_all();
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

Result<json> Ctx::body() const {
    if (req.body.empty()) return fail(Errc::bad_json, "request body must be a JSON object");
    if (!json_depth_ok(req.body, 32)) return fail(Errc::bad_json, "JSON nested too deeply");
    json j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return fail(Errc::bad_json, "request body must be a JSON object");
    }
    return j;
}

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
    std::int64_t out = 0;
    std::size_t i = 0;
    bool neg = false;
    if ((*v)[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i == v->size() || v->size() > 19) {
        return fail(Errc::bad_request, std::string("bad value for ") + name);
    }
    for (; i < v->size(); ++i) {
        const char c = (*v)[i];
        if (c < '0' || c > '9') return fail(Errc::bad_request, std::string("bad value for ") + name);
        out = out * 10 + (c - '0');
    }
    if (neg) out = -out;
    if (out < lo || out > hi) return fail(Errc::bad_request, std::string("bad value for ") + name);
    return out;
}

Result<store::Database*> Ctx::db() const { return srv.read_db(); }

Result<std::string> need_string(const json& o, const char* key, std::size_t max_len) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) {
        return fail(Errc::missing_field, std::string("missing field: ") + key);
    }
    if (!it->is_string()) return fail(Errc::invalid_field, std::string(key) + " must be a string");
    auto s = it->get<std::string>();
    if (s.size() > max_len) return fail(Errc::invalid_field, std::string(key) + " is too long");
    return s;
}

Result<std::optional<std::string>> opt_string(const json& o, const char* key, std::size_t max_len) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string()) return fail(Errc::invalid_field, std::string(key) + " must be a string");
    auto s = it->get<std::string>();
    if (s.size() > max_len) return fail(Errc::invalid_field, std::string(key) + " is too long");
    return std::optional<std::string>{std::move(s)};
}

Result<std::optional<std::int64_t>> opt_int(const json& o, const char* key, std::int64_t lo,
                                            std::int64_t hi) {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return std::optional<std::int64_t>{};
    if (!it->is_number_integer()) {
        return fail(Errc::invalid_field, std::string(key) + " must be an integer");
    }
    const auto v = it->get<std::int64_t>();
    if (v < lo || v > hi) return fail(Errc::invalid_field, std::string(key) + " is out of range");
    return std::optional<std::int64_t>{v};
}

// ---- router -----------------------------------------------------------------------------------

httplib::Server::Handler Router::wrap(Need need, bool mutating, Handler h) {
    ServerImpl* srv = &srv_;
    const bool tls = tls_;
    return [srv, need, mutating, tls, h = std::move(h)](const httplib::Request& req,
                                                        httplib::Response& res) {
        Ctx ctx(*srv, req, res);
        ctx.tls = tls;
        try {
            if (mutating && !is_upload_path(req.path) && req.body.size() > srv->cfg.max_body) {
                write_error(res, Error{Errc::payload_too_large, -1, "request body too large"});
                return;
            }
            if (need != Need::open) {
                // Background requests (polls, SSE) do not extend the session's idle timer.
                const bool touch = req.get_header_value("X-Cunxin-Background") != "1";
                auto who = srv->authenticate(req, touch);
                if (!who) {
                    write_error(res, who.error());
                    return;
                }
                ctx.who = std::move(*who);
                ctx.authenticated = true;
                if (mutating && !ctx.who.bearer) {
                    const std::string sent = req.get_header_value("X-CSRF-Token");
                    if (sent.size() != ctx.who.csrf.size() ||
                        sodium_memcmp(sent.data(), ctx.who.csrf.data(), sent.size()) != 0) {
                        write_error(res, Error{Errc::csrf_failed, -1, "missing or wrong CSRF token"});
                        return;
                    }
                }
                const Role min = need == Need::admin       ? Role::admin
                                 : need == Need::operator_ ? Role::operator_
                                                           : Role::viewer;
                if (need != Need::session_only && ctx.who.role < min) {
                    write_error(res, Error{Errc::forbidden, -1, "your role may not do this"});
                    return;
                }
            }
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

void Router::get(const std::string& p, Need n, Handler h) { target_.Get(p, wrap(n, false, std::move(h))); }
void Router::post(const std::string& p, Need n, Handler h) { target_.Post(p, wrap(n, true, std::move(h))); }
void Router::put(const std::string& p, Need n, Handler h) { target_.Put(p, wrap(n, true, std::move(h))); }
void Router::patch(const std::string& p, Need n, Handler h) { target_.Patch(p, wrap(n, true, std::move(h))); }
void Router::del(const std::string& p, Need n, Handler h) { target_.Delete(p, wrap(n, true, std::move(h))); }

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

void serve_asset(ServerImpl& srv, const httplib::Request& req, httplib::Response& res,
                 std::string rel) {
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
    res.set_header("ETag", a->etag);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Vary", "Accept-Encoding");
    if (req.get_header_value("If-None-Match") == a->etag) {
        res.status = 304;
        return;
    }
    res.set_header("Content-Encoding", "gzip");
    res.set_content(reinterpret_cast<const char*>(a->gz), a->size, a->content_type);
}

}  // namespace

// ---- public Server ----------------------------------------------------------------------------

namespace {

// Everything but the routes' listener: limits, timeouts, headers, error mapping, routes, assets.
void configure(ServerImpl& s, httplib::Server& svr, bool tls) {
    const int threads = std::max(2, s.cfg.threads);
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    svr.set_payload_max_length(std::max(s.cfg.max_body, s.cfg.max_upload));
    svr.set_read_timeout(10, 0);
    svr.set_write_timeout(10, 0);
    svr.set_keep_alive_timeout(5);
    // Headers and body leave in separate writes: without this, Nagle's algorithm and the
    // client's delayed ACK hold every response ~40 ms (tools/bench/bench_http.sh showed it).
    svr.set_tcp_nodelay(true);
    httplib::Headers headers = {
        {"Content-Security-Policy", kCsp},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
        {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
    };
    // Browsers ignore HSTS from a certificate they had to be told to accept; it still tells
    // them not to fall back to plain HTTP once the official accepted it.
    if (tls && s.cfg.https && s.cfg.https->redirect_http) {
        headers.emplace("Strict-Transport-Security", "max-age=31536000");
    }
    svr.set_default_headers(headers);
    ServerImpl* sp = &s;
    svr.set_pre_routing_handler([sp](const httplib::Request& req, httplib::Response& res) {
        // Refuse oversized bodies before reading them.
        const std::string cl = req.get_header_value("Content-Length");
        std::uint64_t len = 0;
        for (char c : cl) {
            if (c < '0' || c > '9' || len > (1ull << 40)) break;
            len = len * 10 + static_cast<std::uint64_t>(c - '0');
        }
        const std::size_t limit = is_upload_path(req.path) ? sp->cfg.max_upload : sp->cfg.max_body;
        if (len > limit) {
            res.set_header("Connection", "close");
            write_error(res, Error{Errc::payload_too_large, -1, "request body too large"});
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    svr.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty() && res.status >= 400) {
            write_error(res, Error{errc_for_status(res.status), -1, ""});
        }
        return httplib::Server::HandlerResponse::Handled;
    }));
    svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        write_error(res, Error{Errc::internal, -1, ""});
    });

    Router r(s, svr, tls);
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
    register_doctor(r);

    svr.Get("/api/v1/openapi.json", [sp](const httplib::Request& req, httplib::Response& res) {
        serve_asset(*sp, req, res, "openapi.json");
    });
    svr.Get(R"(/api/.*)", [](const httplib::Request&, httplib::Response& res) {
        write_error(res, Error{Errc::not_found, -1, "no such endpoint"});
    });
    svr.Get(R"(/(.*))", [sp](const httplib::Request& req, httplib::Response& res) {
        std::string rel = req.matches[1];
        if (rel.empty()) rel = "index.html";
        serve_asset(*sp, req, res, rel);
    });
}

// Plain HTTP when `redirect_http`: every request is sent to the same path over HTTPS.
void configure_redirect(ServerImpl& s, httplib::Server& svr) {
    svr.new_task_queue = [] { return new httplib::ThreadPool(2); };
    svr.set_read_timeout(10, 0);
    svr.set_keep_alive_timeout(5);
    svr.set_tcp_nodelay(true);
    svr.set_payload_max_length(s.cfg.max_body);
    ServerImpl* sp = &s;
    auto redirect = [sp](const httplib::Request& req, httplib::Response& res) {
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
        const int port = sp->tls_port.load();
        res.status = 308;  // keeps the method and body (API scripts)
        res.set_header("Location",
                       "https://" + host + (port == 443 ? "" : ":" + std::to_string(port)) + target);
        res.set_header("Cache-Control", "no-store");
    };
    const std::string any = R"(.*)";
    svr.Get(any, redirect);
    svr.Post(any, redirect);
    svr.Put(any, redirect);
    svr.Patch(any, redirect);
    svr.Delete(any, redirect);
    svr.Options(any, redirect);
}

}  // namespace

Server::Server(ServerConfig config, CoreHooks hooks)
    : impl_(std::make_unique<ServerImpl>(std::move(config), std::move(hooks))) {
    auto& s = *impl_;
    if (s.cfg.https && s.cfg.https->redirect_http) {
        configure_redirect(s, s.svr);
    } else {
        configure(s, s.svr, false);
    }
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
        s.tls_svr = std::make_unique<httplib::SSLServer>(h.cert.c_str(), h.key.c_str());
        if (!s.tls_svr->is_valid()) {
            s.tls_svr.reset();
            throw std::runtime_error("https: cannot use " + h.cert.string() + " with " + h.key.string());
        }
        configure(s, *s.tls_svr, true);
        int tls_port = h.port;
        if (tls_port == 0) {
            tls_port = s.tls_svr->bind_to_any_port(h.host);
            if (tls_port <= 0) throw std::runtime_error("https: cannot bind " + h.host);
        } else if (!s.tls_svr->bind_to_port(h.host, tls_port)) {
            throw std::runtime_error("https: cannot bind " + h.host + ":" + std::to_string(tls_port));
        }
        s.tls_port = tls_port;
    }
    int port = s.cfg.port;
    if (port == 0) {
        port = s.svr.bind_to_any_port(s.cfg.host);
        if (port <= 0) throw std::runtime_error("http: cannot bind " + s.cfg.host);
    } else if (!s.svr.bind_to_port(s.cfg.host, port)) {
        throw std::runtime_error("http: cannot bind " + s.cfg.host + ":" + std::to_string(port));
    }
    s.bound_port = port;
    s.running = true;
    {
        std::lock_guard lock(s.hub.impl().mu);
        s.hub.impl().closing = false;
    }
    s.thread = std::thread([&s] { s.svr.listen_after_bind(); });
    if (s.tls_svr) s.tls_thread = std::thread([&s] { s.tls_svr->listen_after_bind(); });
    // Return only once the accept loops run, so that an early stop() cannot be lost.
    for (int i = 0; i < 5000 && (!s.svr.is_running() || (s.tls_svr && !s.tls_svr->is_running())); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void Server::stop() {
    auto& s = *impl_;
    if (!s.running.exchange(false)) return;
    {
        std::lock_guard lock(s.hub.impl().mu);
        s.hub.impl().closing = true;
    }
    s.hub.impl().cv.notify_all();
    s.svr.stop();
    if (s.tls_svr) s.tls_svr->stop();
    if (s.thread.joinable()) s.thread.join();
    if (s.tls_thread.joinable()) s.tls_thread.join();
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
        std::uint64_t start = 0;
        {
            std::lock_guard lock(hub.mu);
            if (hub.clients >= ctx.srv.cfg.max_sse) {
                return fail(Errc::unavailable, "too many live streams; poll instead");
            }
            ++hub.clients;
            start = hub.seq;
        }
        auto last = std::make_shared<std::uint64_t>(start);
        auto* hp = &hub;
        ctx.res.set_header("Cache-Control", "no-store");
        ctx.res.set_header("X-Accel-Buffering", "no");
        ctx.res.set_chunked_content_provider(
            "text/event-stream",
            [hp, last](std::size_t, httplib::DataSink& sink) {
                std::string out;
                {
                    std::unique_lock lock(hp->mu);
                    if (*last == 0 && hp->seq == 0) out = ": hello\n\n";
                    const auto deadline = Clock::now() + std::chrono::seconds(10);
                    while (out.empty() && !hp->closing) {
                        if (hp->seq > *last) {
                            for (auto& [id, text] : hp->recent) {
                                if (id > *last) out += text;
                            }
                            *last = hp->seq;
                            break;
                        }
                        if (hp->cv.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::seconds(1))) ==
                                std::cv_status::timeout &&
                            Clock::now() >= deadline) {
                            out = ": ping\n\n";
                        }
                    }
                    if (hp->closing) return false;
                }
                if (!sink.is_writable() || !sink.write(out.data(), out.size())) return false;
                return true;
            },
            [hp](bool) {
                std::lock_guard lock(hp->mu);
                --hp->clients;
            });
        Reply rep;
        rep.status = 200;
        rep.raw = std::nullopt;
        rep.status = -1;  // marker: response already prepared
        return rep;
    });
}

}  // namespace cunxin::http

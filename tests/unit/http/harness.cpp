// SPDX-License-Identifier: Apache-2.0
#include "harness.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <future>
#include <stdexcept>

namespace cxtest {

namespace store = cunxin::store;
namespace http = cunxin::http;

// ---- client ----------------------------------------------------------------------------------

Client::Client(int port) : cli("127.0.0.1", port) {
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(10, 0);
}

Client::Client(int port, const std::string& ca_cert)
    : cli("https://127.0.0.1:" + std::to_string(port)) {
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(10, 0);
    cli.set_ca_cert_path(ca_cert.c_str());
    cli.enable_server_certificate_verification(true);
}

httplib::Headers Client::headers(httplib::Headers extra) const {
    if (!cookie.empty()) extra.emplace("Cookie", cookie);
    if (send_csrf && !csrf.empty()) extra.emplace("X-CSRF-Token", csrf);
    if (!bearer.empty()) extra.emplace("Authorization", "Bearer " + bearer);
    return extra;
}

Res Client::wrap(const httplib::Result& r) {
    Res out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.headers = r->headers;
    out.j = json::parse(r->body, nullptr, false);
    const std::string sc = r->get_header_value("Set-Cookie");
    if (sc.rfind("cunxin_session=", 0) == 0) {
        cookie = sc.substr(0, sc.find(';'));
        if (cookie == "cunxin_session=") cookie.clear();
    }
    if (out.j.is_object() && out.j.contains("csrf") && out.j["csrf"].is_string()) {
        csrf = out.j["csrf"].get<std::string>();
    }
    return out;
}

Client Client::at(int port) const {
    Client c(port);
    c.cookie = cookie;
    c.csrf = csrf;
    c.bearer = bearer;
    c.send_csrf = send_csrf;
    return c;
}

Res Client::get(const std::string& path, httplib::Headers extra) {
    return wrap(cli.Get(path, headers(std::move(extra))));
}
Res Client::post_raw(const std::string& path, const std::string& body, httplib::Headers extra) {
    return wrap(cli.Post(path, headers(std::move(extra)), body, "application/json"));
}
Res Client::put(const std::string& path, const json& body) {
    return wrap(cli.Put(path, headers({}), body.dump(), "application/json"));
}
Res Client::patch(const std::string& path, const json& body) {
    return wrap(cli.Patch(path, headers({}), body.dump(), "application/json"));
}
Res Client::del(const std::string& path) { return wrap(cli.Delete(path, headers({}))); }

// ---- harness ----------------------------------------------------------------------------------

Harness::Harness() : Harness([](http::ServerConfig&) {}) {}

Harness::Harness(const std::function<void(http::ServerConfig&)>& tweak) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cunxin-http-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    auto opened = store::Database::open((dir / "cunxin.db").string());
    if (!opened) throw std::runtime_error("store open failed: " + opened.error().detail);
    db = std::make_unique<store::Database>(std::move(*opened));
    clock = std::make_unique<cunxin::messaging::NetworkAwareClock>(
        [this] { return std::chrono::system_clock::now() + std::chrono::seconds(skew.load()); },
        std::chrono::system_clock::time_point{});
    clock->set_utc_offset_minutes(config.utc_offset_minutes);
    messaging = std::make_unique<cunxin::messaging::MessagingCore>(*db, *clock);
    if (auto r = messaging->start(); !r) throw std::runtime_error("messaging start failed: " + r.error().detail);
    pool = std::make_unique<cunxin::modem::ModemPool>(ioc.get_executor(), cunxin::modem::PoolConfig{},
                                                      messaging->outbox(), messaging->inbox());
    core = std::make_unique<cunxin::app::CoreApiImpl>(ioc, *db, *clock, *messaging, *pool, config);
    work_.emplace(ioc.get_executor());
    core_thread_ = std::thread([this] { ioc.run(); });
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.db_path = dir / "cunxin.db";
    cfg.threads = 4;
    cfg.max_body = 64 * 1024;
    cfg.max_upload = 1 << 20;
    tweak(cfg);
    clock->set_utc_offset_minutes(cfg.utc_offset_minutes);  // as the app does: one office zone
    hooks.post = [this](std::function<void()> f) { cunxin::asio::post(ioc, std::move(f)); };
    hooks.core = core.get();
    server = std::make_unique<http::Server>(cfg, hooks);
    server->start();
    port = server->port();
}

Harness::~Harness() {
    server->stop();
    work_.reset();
    ioc.stop();
    if (core_thread_.joinable()) core_thread_.join();
    server.reset();
    core.reset();
    pool.reset();
    messaging.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

void Harness::restart_server() {
    server->stop();
    server.reset();
    server = std::make_unique<http::Server>(cfg, hooks);
    server->start();
    port = server->port();
    admin_.reset();
}

void Harness::on_core(std::function<void()> fn) {
    std::promise<void> p;
    cunxin::asio::post(ioc, [&] {
        fn();
        p.set_value();
    });
    p.get_future().wait();
}

Client& Harness::admin() {
    if (admin_) return *admin_;
    admin_ = std::make_unique<Client>(port);
    Client& c = *admin_;
    const std::string code = server->setup_code();
    REQUIRE(!code.empty());
    auto r = c.post("/api/v1/auth/setup",
                    json{{"code", code}, {"username", "admin"}, {"password", "correct horse"}});
    REQUIRE(r.status == 201);
    REQUIRE(!c.cookie.empty());
    REQUIRE(!c.csrf.empty());
    return c;
}

Client Harness::user(const std::string& name, const std::string& role) {
    auto r = admin().post("/api/v1/users",
                          json{{"username", name}, {"password", "password-" + name}, {"role", role}});
    REQUIRE(r.status == 201);
    Client c(port);
    auto l = c.post("/api/v1/auth/login", json{{"username", name}, {"password", "password-" + name}});
    REQUIRE(l.status == 200);
    return c;
}

}  // namespace cxtest

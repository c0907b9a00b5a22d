// SPDX-License-Identifier: Apache-2.0
// Server core: health, security headers, errors for hostile requests, assets, setup and login.

#include <doctest/doctest.h>

#include "harness.hpp"

using cxtest::Harness;
using cxtest::Client;
using cxtest::json;

TEST_CASE("health needs no auth and counts ready modems") {
    Harness h;
    Client c(h.port);
    auto r = c.get("/api/v1/health");
    CHECK(r.status == 200);
    CHECK(r.j["status"] == "ok");
    CHECK(r.j["modems"] == 0);  // the test core's pool has no modem
}

TEST_CASE("security headers on API, assets and errors") {
    Harness h;
    Client c(h.port);
    for (const char* path : {"/api/v1/health", "/", "/api/v1/nope", "/no-such-file.js"}) {
        CAPTURE(path);
        auto r = c.get(path);
        CHECK(r.status != 0);
        const auto csp = r.header("Content-Security-Policy");
        CHECK(csp.find("script-src 'self'") != std::string::npos);
        CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
        CHECK(csp.find("unsafe-inline") == std::string::npos);
        CHECK(r.header("X-Content-Type-Options") == "nosniff");
        CHECK(r.header("X-Frame-Options") == "DENY");
        CHECK(r.header("Referrer-Policy") == "no-referrer");
    }
}

TEST_CASE("embedded assets are gzip with ETag and 304") {
    Harness h;
    httplib::Client raw("127.0.0.1", h.port);
    raw.set_decompress(false);
    auto r = raw.Get("/", {{"Accept-Encoding", "gzip"}});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Encoding") == "gzip");
    CHECK(r->get_header_value("Content-Type").find("text/html") == 0);
    REQUIRE(r->body.size() > 2);
    CHECK(static_cast<unsigned char>(r->body[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(r->body[1]) == 0x8b);
    const auto etag = r->get_header_value("ETag");
    REQUIRE(!etag.empty());
    auto again = raw.Get("/", {{"If-None-Match", etag}});
    REQUIRE(again);
    CHECK(again->status == 304);
    CHECK(again->body.empty());
    Client c(h.port);
    auto api = c.get("/api/v1/openapi.json");
    CHECK(api.status == 200);
    CHECK(api.j["openapi"].is_string());
    CHECK(c.get("/../../etc/passwd").status == 404);
    CHECK(c.get("/js/%2e%2e/%2e%2e/etc/passwd").status == 404);
}

TEST_CASE("unknown endpoints and methods give JSON errors") {
    Harness h;
    Client c(h.port);
    auto r = c.get("/api/v1/does-not-exist");
    CHECK(r.status == 404);
    CHECK(r.j["error"]["code"] == "not_found");
    auto p = c.post_raw("/api/v1/does-not-exist", "{}");
    CHECK(p.status == 404);
    CHECK(p.j["error"]["code"].is_string());
}

TEST_CASE("first start: setup code creates the admin once") {
    Harness h;
    const std::string code = h.server->setup_code();
    REQUIRE(code.size() == 9);
    CHECK(code[4] == '-');
    Client c(h.port);
    auto st = c.get("/api/v1/auth/state");
    CHECK(st.j["setup_required"] == true);
    CHECK(st.j["user"].is_null());
    // A protected endpoint before setup: 401.
    CHECK(c.get("/api/v1/messages").status == 401);
    auto bad = c.post("/api/v1/auth/setup",
                      json{{"code", "AAAA-AAAA"}, {"username", "admin"}, {"password", "correct horse"}});
    CHECK(bad.status == 401);
    CHECK(bad.j["error"]["code"] == "bad_credentials");
    auto weak = c.post("/api/v1/auth/setup",
                       json{{"code", code}, {"username", "admin"}, {"password", "short"}});
    CHECK(weak.status == 422);
    auto good = c.post("/api/v1/auth/setup",
                       json{{"code", code}, {"username", "admin"}, {"password", "correct horse"}});
    CHECK(good.status == 201);
    CHECK(good.j["user"]["role"] == "admin");
    CHECK(good.j["user"].contains("password_hash") == false);
    const auto cookie = good.header("Set-Cookie");
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    CHECK(h.server->setup_code().empty());
    Client other(h.port);
    auto again = other.post("/api/v1/auth/setup",
                            json{{"code", code}, {"username", "evil"}, {"password", "correct horse"}});
    CHECK(again.status == 409);
    // The admin is logged in.
    auto me = c.get("/api/v1/auth/me");
    CHECK(me.status == 200);
    CHECK(me.j["username"] == "admin");
}

TEST_CASE("login, logout, wrong passwords are rate limited") {
    Harness h;
    h.admin();
    Client c(h.port);
    auto bad = c.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "nope nope"}});
    CHECK(bad.status == 401);
    auto good = c.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "correct horse"}});
    CHECK(good.status == 200);
    CHECK(c.get("/api/v1/auth/me").status == 200);
    // Logout needs the CSRF token too.
    c.send_csrf = false;
    CHECK(c.post_raw("/api/v1/auth/logout", "{}").status == 403);
    c.send_csrf = true;
    CHECK(c.post_raw("/api/v1/auth/logout", "{}").status == 200);
    CHECK(c.get("/api/v1/auth/me").status == 401);
    // Per address and account: after 3 free failures each one locks for a doubling while (the
    // 4th: 2 s), even with the right password (test_login_limiter.cpp: other addresses get in).
    Client d(h.port);
    for (int i = 0; i < 4; ++i) {
        CHECK(d.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "wrong pass"}}).status == 401);
    }
    auto locked = d.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "correct horse"}});
    CHECK(locked.status == 429);
    CHECK(locked.j["error"]["code"] == "rate_limited");
}

TEST_CASE("bad JSON, wrong types, deep nesting and oversized bodies") {
    Harness h;
    Client c(h.port);
    CHECK(c.post_raw("/api/v1/auth/login", "{not json").j["error"]["code"] == "bad_json");
    CHECK(c.post_raw("/api/v1/auth/login", "[1,2]").status == 400);
    CHECK(c.post_raw("/api/v1/auth/login", "").status == 400);
    auto miss = c.post("/api/v1/auth/login", json{{"username", "x"}});
    CHECK(miss.status == 422);
    CHECK(miss.j["error"]["code"] == "missing_field");
    auto type = c.post("/api/v1/auth/login", json{{"username", 5}, {"password", "x"}});
    CHECK(type.status == 422);
    CHECK(type.j["error"]["code"] == "invalid_field");
    std::string deep(5000, '[');
    auto d = c.post_raw("/api/v1/auth/login", deep);
    CHECK(d.status == 400);
    std::string big = "{\"username\":\"" + std::string(200 * 1024, 'a') + "\"}";
    auto b = c.post_raw("/api/v1/auth/login", big);
    CHECK(b.status == 413);
    // The server is still fine afterwards.
    CHECK(Client(h.port).get("/api/v1/health").status == 200);
}

// SPDX-License-Identifier: Apache-2.0
// Panel sessions survive a restart (they are in the store, as the SHA-256 of the cookie value);
// logout and expiry remove them.

#include <doctest/doctest.h>

#include <thread>

#include "cunxin/http/auth.hpp"
#include "harness.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
namespace store = cunxin::store;
namespace http = cunxin::http;

namespace {

// Is a row for this cookie value in the store (expired or not)?
bool stored(Harness& h, const std::string& cookie, bool by_raw_value = false) {
    const std::string raw = cookie.substr(cookie.find('=') + 1);
    bool found = false;
    h.on_core([&] {
        auto r = store::find_session(*h.db, by_raw_value ? raw : http::hash_token(raw), 0);
        REQUIRE(r);
        found = r->has_value();
    });
    return found;
}

}  // namespace

TEST_CASE("sessions: a login survives a server restart, logout ends it for good") {
    Harness h;
    auto& admin = h.admin();
    auto op = h.user("olga", "operator");
    REQUIRE(op.get("/api/v1/auth/me").j["username"] == "olga");
    CHECK(stored(h, op.cookie));
    CHECK_FALSE(stored(h, op.cookie, true));  // never the cookie value itself

    h.restart_server();
    // Same cookie and CSRF token after the restart (power cut, upgrade, watchdog restart).
    Client op2 = op.at(h.port);
    auto me = op2.get("/api/v1/auth/me");
    REQUIRE(me.status == 200);
    CHECK(me.j["username"] == "olga");
    CHECK(me.j["role"] == "operator");
    CHECK(op2.post("/api/v1/contacts", json{{"name", "李娜"}, {"mobile", "13800138001"}}).status == 201);
    const std::string csrf = op2.csrf;
    auto state = op2.get("/api/v1/auth/state");
    CHECK(state.j["csrf"] == csrf);

    // Logout removes it from the store: not valid now, nor after another restart.
    const std::string old = op2.cookie;
    REQUIRE(op2.post("/api/v1/auth/logout", json::object()).status == 200);
    CHECK_FALSE(stored(h, old));
    h.restart_server();
    Client replay(h.port);
    replay.cookie = old;
    CHECK(replay.get("/api/v1/auth/me").status == 401);
    (void)admin;
}

TEST_CASE("sessions: a password change ends the user's other sessions, stored ones included") {
    Harness h;
    (void)h.admin();
    auto a = h.user("wang", "viewer");
    Client b(h.port);
    REQUIRE(b.post("/api/v1/auth/login", json{{"username", "wang"}, {"password", "password-wang"}}).status == 200);
    REQUIRE(a.post("/api/v1/auth/password",
                   json{{"old_password", "password-wang"}, {"new_password", "a new password"}})
                .status == 200);
    CHECK_FALSE(stored(h, b.cookie));
    h.restart_server();
    CHECK(b.at(h.port).get("/api/v1/auth/me").status == 401);
    CHECK(a.at(h.port).get("/api/v1/auth/me").status == 200);  // the session the change gave back
}

TEST_CASE("sessions: an idle session expires and is deleted from the store") {
    Harness h([](http::ServerConfig& c) { c.session_idle = std::chrono::seconds(1); });
    auto& admin = h.admin();
    const std::string old = admin.cookie;
    CHECK(stored(h, old));
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    CHECK(admin.get("/api/v1/auth/me").status == 401);
    Client again(h.port);
    REQUIRE(again.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "correct horse"}}).status == 200);
    CHECK_FALSE(stored(h, old));  // a new login sweeps expired sessions
    CHECK(stored(h, again.cookie));
}

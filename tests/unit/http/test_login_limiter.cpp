// SPDX-License-Identifier: Apache-2.0
// Password guessing backs off per address and per (address, account): the right password from
// another address still gets in; the table stays bounded without forgetting active lockouts;
// wrong old passwords on /auth/password back off too; a new password ends one's other sessions.

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "cunxin/http/login_limiter.hpp"
#include "harness.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
using cunxin::http::LoginLimiter;
using namespace std::chrono_literals;

namespace {

/// One HTTP/1.1 POST over a socket bound to `source` (e.g. 127.0.0.2): another client address.
/// Returns the status code (0 when the exchange failed).
int post_from(const char* source, int port, const std::string& path, const std::string& body) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    int status = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
        const std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
            char buf[64] = {};
            const ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
            if (n > 12 && std::string(buf, 9) == "HTTP/1.1 ") status = std::stoi(std::string(buf + 9, 3));
        }
    }
    ::close(fd);
    return status;
}

const LoginLimiter::Policy kPolicy{3, 2s, 15min, 1h};

}  // namespace

TEST_CASE("login limiter: free failures, then waits that double up to the cap") {
    LoginLimiter lim;
    const auto t0 = LoginLimiter::Clock::time_point{} + 1000h;
    for (int i = 0; i < 3; ++i) CHECK(lim.fail("k", kPolicy, t0) == 0);
    CHECK(lim.wait_seconds("k", t0) == 0);
    CHECK(lim.fail("k", kPolicy, t0) == 2);
    CHECK(lim.wait_seconds("k", t0 + 1s) == 1);
    CHECK(lim.wait_seconds("k", t0 + 2s) == 0);
    CHECK(lim.fail("k", kPolicy, t0 + 2s) == 4);
    CHECK(lim.fail("k", kPolicy, t0 + 6s) == 8);
    auto t = t0 + 14s;
    long long last = 0;
    for (int i = 0; i < 20; ++i) {
        last = lim.fail("k", kPolicy, t);
        t += std::chrono::seconds(last);
    }
    CHECK(last == 15 * 60);
    CHECK(lim.wait_seconds("other", t) == 0);
    lim.clear("k");
    CHECK(lim.wait_seconds("k", t0) == 0);
}

TEST_CASE("login limiter: a full table never forgets an active lockout") {
    // Fails on the old limiter, which cleared every counter once it held 10,000 keys.
    LoginLimiter lim(100);
    const auto t0 = LoginLimiter::Clock::time_point{} + 1000h;
    for (int i = 0; i < 4; ++i) lim.fail("victim-attacker", kPolicy, t0);
    CHECK(lim.wait_seconds("victim-attacker", t0) == 2);
    // A flood of other keys (one failure each: nothing locked) at the same moment.
    for (int i = 0; i < 10'000; ++i) lim.fail("flood-" + std::to_string(i), kPolicy, t0);
    CHECK(lim.size() <= 100);
    CHECK(lim.wait_seconds("victim-attacker", t0) == 2);

    // Expired entries (idle past forget_after) go before anything else.
    LoginLimiter lim2(16);
    for (int i = 0; i < 16; ++i) lim2.fail("old-" + std::to_string(i), kPolicy, t0);
    const auto later = t0 + 2h;
    for (int i = 0; i < 4; ++i) lim2.fail("locked", kPolicy, later);
    CHECK(lim2.size() <= 16);
    CHECK(lim2.wait_seconds("locked", later) == 2);

    // Every key locked: a newcomer shares one overflow entry instead of evicting a lockout.
    LoginLimiter lim3(16);
    for (int i = 0; i < 16; ++i) {
        for (int j = 0; j < 4; ++j) lim3.fail("l-" + std::to_string(i), kPolicy, t0);
    }
    for (int j = 0; j < 4; ++j) lim3.fail("newcomer", kPolicy, t0);
    CHECK(lim3.size() == 16);
    for (int i = 0; i < 16; ++i) CHECK(lim3.wait_seconds("l-" + std::to_string(i), t0) == 2);
    CHECK(lim3.wait_seconds("newcomer", t0) == 2);
}

TEST_CASE("login: wrong passwords from one address do not lock the admin out elsewhere") {
    Harness h;
    (void)h.admin();
    const std::string wrong = json{{"username", "admin"}, {"password", "wrong password"}}.dump();
    const std::string right = json{{"username", "admin"}, {"password", "correct horse"}}.dump();
    // Three free failures, the fourth locks for 2 s, the fifth is refused without a check.
    for (int i = 0; i < 4; ++i) CHECK(post_from("127.0.0.3", h.port, "/api/v1/auth/login", wrong) == 401);
    CHECK(post_from("127.0.0.3", h.port, "/api/v1/auth/login", wrong) == 429);  // backs off there
    CHECK(post_from("127.0.0.3", h.port, "/api/v1/auth/login", right) == 429);
    // The old limiter locked the account for everyone (429 here for 15 minutes).
    CHECK(post_from("127.0.0.2", h.port, "/api/v1/auth/login", right) == 200);
    Client local(h.port);
    CHECK(local.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "correct horse"}}).status == 200);
}

TEST_CASE("auth/password: wrong old passwords back off") {
    Harness h;
    (void)h.admin();
    auto u = h.user("zhao", "operator");
    int last = 0;
    for (int i = 0; i < 5; ++i) {
        last = u.post("/api/v1/auth/password", json{{"old_password", "not it"}, {"new_password", "another secret"}}).status;
    }
    CHECK(last == 429);  // was 401 every time
    auto r = u.post("/api/v1/auth/password", json{{"old_password", "password-zhao"}, {"new_password", "another secret"}});
    CHECK(r.status == 429);
    CHECK_FALSE(r.header("Retry-After").empty());
}

TEST_CASE("users: changing one's own password ends one's other sessions, keeps this one") {
    Harness h;
    Client admin = h.admin().at(h.port);  // a copy: restart_server() drops the harness's own
    Client other(h.port);
    REQUIRE(other.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "correct horse"}}).status == 200);
    REQUIRE(other.get("/api/v1/auth/me").status == 200);
    auto me = admin.get("/api/v1/auth/me");
    const auto id = me.j["id"].get<std::int64_t>();
    REQUIRE(admin.put("/api/v1/users/" + std::to_string(id), json{{"password", "a brand new one"}}).status == 200);
    CHECK(other.get("/api/v1/auth/me").status == 401);  // was still 200
    CHECK(admin.get("/api/v1/auth/me").status == 200);
    h.restart_server();
    CHECK(other.at(h.port).get("/api/v1/auth/me").status == 401);
    CHECK(admin.at(h.port).get("/api/v1/auth/me").status == 200);
    // A change of display name alone keeps the other sessions.
    Client third(h.port);
    REQUIRE(third.post("/api/v1/auth/login", json{{"username", "admin"}, {"password", "a brand new one"}}).status == 200);
    Client again = admin.at(h.port);
    REQUIRE(again.put("/api/v1/users/" + std::to_string(id), json{{"display_name", "管理员"}}).status == 200);
    CHECK(third.get("/api/v1/auth/me").status == 200);
}

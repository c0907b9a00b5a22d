// SPDX-License-Identifier: Apache-2.0
// The truth on time-outs (issue 13): a write the client was told failed never commits, and a
// write already running is waited for so that the client learns what happened.

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <future>
#include <thread>

#include "harness.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
using namespace std::chrono_literals;

namespace {

int templates_named(Client& c, const std::string& name) {
    auto r = c.get("/api/v1/templates");
    REQUIRE(r.status == 200);
    int n = 0;
    for (const auto& t : r.j["items"]) n += t["name"] == name ? 1 : 0;
    return n;
}

}  // namespace

TEST_CASE("a write not started when the client gets 503 busy never runs") {
    Harness h([](cunxin::http::ServerConfig& c) { c.core_timeout = 300ms; });
    Client& admin = h.admin();
    // A real post that keeps the core thread busy far longer than the time-out.
    std::promise<void> release;
    auto released = release.get_future().share();
    cunxin::asio::post(h.ioc, [released] { released.wait_for(3s); });
    auto r = admin.post("/api/v1/templates", json{{"name", "超时模板"}, {"body", "通知：明天开会"}});
    CHECK(r.status == 503);
    CHECK(r.j["error"]["code"] == "busy");
    CHECK(r.j["error"]["message"] == "系统繁忙，未执行，请重试");
    release.set_value();
    h.on_core([] {});  // everything posted before has run (or was dropped)
    CHECK(templates_named(admin, "超时模板") == 0);
}

TEST_CASE("a write already running at the time-out is waited for and its outcome told") {
    Harness h([](cunxin::http::ServerConfig& c) { c.core_timeout = 300ms; });
    Client& admin = h.admin();
    // Another connection holds the write lock: the core's write starts, then waits for it
    // (the store's busy timeout), well past the HTTP time-out.
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open((h.dir / "cunxin.db").string().c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    std::thread unlock([other] {
        std::this_thread::sleep_for(1200ms);
        sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto r = admin.post("/api/v1/templates", json{{"name", "慢模板"}, {"body", "通知：明天开会"}});
    const auto waited = std::chrono::steady_clock::now() - t0;
    unlock.join();
    sqlite3_close(other);
    CHECK(waited > 1s);
    CHECK(r.status == 201);  // the client is told it was saved: and it was
    CHECK(templates_named(admin, "慢模板") == 1);
}

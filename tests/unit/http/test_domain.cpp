// SPDX-License-Identifier: Apache-2.0
// One domain layer (issue 13): every write is a messaging command that reads and writes in one
// core step, so concurrent edits lose nothing; HTTP uses the core's clock and the office zone.

#include <doctest/doctest.h>

#include <algorithm>
#include <future>
#include <thread>

#include "harness.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
using namespace std::chrono_literals;
namespace store = cunxin::store;

namespace {

std::int64_t new_group(Client& c, const std::string& name) {
    auto r = c.post("/api/v1/groups", json{{"name", name}});
    REQUIRE(r.status == 201);
    return r.j["id"].get<std::int64_t>();
}

}  // namespace

TEST_CASE("two concurrent edits of one contact lose nothing") {
    Harness h;
    auto& admin = h.admin();
    const auto a = new_group(admin, "甲组");
    const auto b = new_group(admin, "乙组");
    const auto c = new_group(admin, "丙组");
    auto made = admin.post("/api/v1/contacts", json{{"name", "张三"}, {"mobile", "13800138000"}, {"village", "东村"},
                                                    {"notes", "旧备注"}, {"group_ids", {a}}});
    REQUIRE(made.status == 201);
    const std::string path = "/api/v1/contacts/" + std::to_string(made.j["id"].get<std::int64_t>());

    // The core is busy while both edits arrive: each edit's request is in before either is
    // written (the old handlers read the contact and its groups on the HTTP thread here).
    std::promise<void> release;
    auto released = release.get_future().share();
    cunxin::asio::post(h.ioc, [released] { released.wait_for(5s); });
    Client one = admin.at(h.port);
    Client two = admin.at(h.port);
    cxtest::Res r1;
    cxtest::Res r2;
    std::thread t1([&] { r1 = one.put(path, json{{"notes", "新备注"}, {"group_ids", {a, b}}}); });
    std::thread t2([&] { r2 = two.put(path, json{{"village", "西村"}, {"group_ids", {c}}}); });
    std::this_thread::sleep_for(600ms);
    release.set_value();
    t1.join();
    t2.join();
    REQUIRE(r1.status == 200);
    REQUIRE(r2.status == 200);

    auto after = admin.get(path);
    REQUIRE(after.status == 200);
    CHECK(after.j["notes"] == "新备注");  // the first edit's field
    CHECK(after.j["village"] == "西村");  // and the second's
    auto groups = after.j["group_ids"].get<std::vector<std::int64_t>>();
    std::sort(groups.begin(), groups.end());
    CAPTURE(groups.size());
    // One edit came last: its group list is the contact's, whole.
    const bool first_last = groups == std::vector<std::int64_t>{a, b};
    const bool second_last = groups == std::vector<std::int64_t>{c};
    CHECK((first_last || second_last));
}

TEST_CASE("membership edits of a group from two clerks at once both count") {
    Harness h;
    auto& admin = h.admin();
    const auto g = new_group(admin, "党员");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 4; ++i) {
        auto r = admin.post("/api/v1/contacts", json{{"name", "村民" + std::to_string(i)},
                                                     {"mobile", "1390013900" + std::to_string(i)}});
        REQUIRE(r.status == 201);
        ids.push_back(r.j["id"].get<std::int64_t>());
    }
    std::promise<void> release;
    auto released = release.get_future().share();
    cunxin::asio::post(h.ioc, [released] { released.wait_for(5s); });
    Client one = admin.at(h.port);
    Client two = admin.at(h.port);
    const std::string path = "/api/v1/groups/" + std::to_string(g) + "/members";
    cxtest::Res r1;
    cxtest::Res r2;
    std::thread t1([&] { r1 = one.post(path, json{{"add", {ids[0], ids[1]}}}); });
    std::thread t2([&] { r2 = two.post(path, json{{"add", {ids[2], ids[3]}}, {"remove", {ids[0]}}}); });
    std::this_thread::sleep_for(600ms);
    release.set_value();
    t1.join();
    t2.join();
    CHECK(r1.status == 200);
    CHECK(r2.status == 200);
    auto groups = admin.get("/api/v1/groups");
    REQUIRE(groups.status == 200);
    int members = -1;
    for (const auto& x : groups.j["items"]) {
        if (x["id"] == g) members = x["members"].get<int>();
    }
    CHECK((members == 3 || members == 4));  // 0 removed before or after it was added
    CHECK(admin.post("/api/v1/groups/999/members", json{{"add", {ids[0]}}}).status == 404);
}

TEST_CASE("HTTP uses the core's clock and the office offset, not the system clock") {
    // The board has no battery clock: the core's (network-corrected) clock is 2024-03-10 02:00
    // UTC whatever the system says, and the office is at UTC-5 (not the usual +8).
    Harness h([](cunxin::http::ServerConfig& c) { c.utc_offset_minutes = -300; });
    const auto system_now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const long long core_now = 1710036000;  // 2024-03-10 02:00 UTC = 9 March 21:00 at UTC-5
    h.skew = core_now - system_now;
    auto& admin = h.admin();

    // A reply at 2024-03-09 15:00 UTC: 10:00 on the office's 9 March, "today" there; on a UTC+8
    // calendar it was 8 March (23:00), and by the system clock it is years away.
    h.on_core([&] {
        store::NewIncoming m;
        m.peer = "+8613900000001";
        m.text = "01 补贴怎么领";
        m.scts = 1710010800;
        m.text_hash = "clock-test";
        m.iccid = "89860000000000000001";
        m.category = "01";
        REQUIRE(store::insert_incoming(*h.db, m, 1710010800));
    });
    auto dash = admin.get("/api/v1/dashboard");
    REQUIRE(dash.status == 200);
    CHECK(std::llabs(dash.j["now"].get<long long>() - core_now) < 60);
    int today = 0;
    for (const auto& c : dash.j["replies_today"]) today += c["count"].get<int>();
    CHECK(today == 1);

    auto week = admin.get("/api/v1/reports?period=week");
    REQUIRE(week.status == 200);
    CHECK(week.j["period"]["end"] == "2024-03-09");  // the office's today, by the core's clock
    auto settings = admin.get("/api/v1/settings");
    REQUIRE(settings.status == 200);
    CHECK(std::llabs(settings.j["server_time"].get<long long>() - core_now) < 60);
    // What a clerk writes is stamped by the core's clock too.
    auto t = admin.post("/api/v1/templates", json{{"name", "时钟检查模板"}, {"body", "{name}您好"}});
    REQUIRE(t.status == 201);
    CHECK(std::llabs(t.j["created_at"].get<long long>() - core_now) < 60);
    auto health = Client(h.port).get("/api/v1/health");
    CHECK(health.j["utc_offset_minutes"] == -300);
    CHECK(std::llabs(health.j["now"].get<long long>() - core_now) < 60);
}

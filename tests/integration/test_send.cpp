// SPDX-License-Identifier: Apache-2.0
// The daemon's sending limits and budgets over the API: the limits in force are shown, a
// partial update keeps the others, and a SIM at its budget does not strand its contacts.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "common.hpp"

using namespace cunxin::itest;

namespace {

HttpReply put(Appliance& a, const std::string& target, const Json& body) {
    return http(a.port(), "PUT", target, a.token(), body.dump());
}

Json sim_of(Appliance& a, const std::string& iccid) {
    const auto all = a.get("/api/v1/modems").json();
    for (const auto& s : all.at("sims")) {
        if (s.at("iccid") == iccid) return s;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the SIM form's API shows the limits in force and a partial update keeps the others") {
    Appliance a({.modems = 1});
    a.start();
    const auto mods = a.get("/api/v1/modems").json();
    const std::string iccid = mods.at("items").at(0).at("iccid");
    const bool known = wait_until([&] { return !sim_of(a, iccid).is_null(); }, 10s);
    INFO(a.get("/api/v1/modems").body);
    REQUIRE(known);
    auto s = sim_of(a, iccid);
    // Nothing set in the panel: the config file's limits (all 0 in these tests) are in force.
    CHECK(s.at("limit_per_hour").is_null());
    CHECK(s.at("limits_in_force") == Json{{"per_minute", 0}, {"per_hour", 0}, {"per_day", 0}});
    auto r = put(a, "/api/v1/sims/" + iccid, {{"limit_per_minute", 20}, {"limit_per_hour", 150}});
    REQUIRE(r.status == 200);
    r = put(a, "/api/v1/sims/" + iccid, {{"limit_per_day", 500}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.json().at("limits_in_force") == Json{{"per_minute", 20}, {"per_hour", 150}, {"per_day", 500}});
    CHECK(put(a, "/api/v1/sims/" + iccid, {{"limit_per_hour", 0}}).status == 422);
    CHECK(sim_of(a, iccid).at("limits_in_force").at("per_hour") == 150);
    // The modem card shows the pool's limits, the same ones.
    const auto m = a.get("/api/v1/modems").json().at("items").at(0);
    CHECK(m.at("limit_per_hour") == 150);
    CHECK(m.at("limit_per_day") == 500);
    CHECK(a.stop() == 0);
}

TEST_CASE("a SIM at its monthly budget hands its sticky contact's messages to another SIM within a minute") {
    Appliance a({.modems = 2});
    a.start();
    const std::string to = mobile(7);
    auto first = a.post("/api/v1/messages", {{"to", {to}}, {"text", "第一条通知"}});
    REQUIRE(first.status == 202);
    const auto id = first.json().at("ids").at(0).get<std::int64_t>();
    std::string used;
    REQUIRE(wait_until([&] {
        const auto m = a.get("/api/v1/messages/" + std::to_string(id)).json();
        const auto st = m.value("status", "");
        if (st == "sent" || st == "delivered") used = m.value("iccid", "");
        return !used.empty();
    }, 30s));
    // That SIM's budget is spent (1 segment this month): the contact sticks to it no longer.
    REQUIRE(put(a, "/api/v1/sims/" + used, {{"monthly_budget_segments", 1}}).status == 200);
    CHECK(sim_of(a, used).at("budget").at("exhausted") == true);
    auto more = a.post("/api/v1/messages", {{"to", {to}}, {"text", "第二条通知"}});
    REQUIRE(more.status == 202);
    const auto second = more.json().at("ids").at(0).get<std::int64_t>();
    std::string via;
    const bool moved = wait_until([&] {
        const auto m = a.get("/api/v1/messages/" + std::to_string(second)).json();
        const auto st = m.value("status", "");
        if (st == "sent" || st == "delivered") via = m.value("iccid", "");
        return !via.empty();
    }, 60s);
    INFO(a.log());
    REQUIRE(moved);
    CHECK(via != used);
    CHECK(a.stop() == 0);
}

TEST_CASE("a reply 1 to a confirmation request is counted on the campaign, never filed as policy question 01") {
    Appliance a({.modems = 2});
    a.start();
    for (int i = 0; i < 2; ++i) {
        auto c = a.post("/api/v1/contacts", {{"name", "村干部" + std::to_string(i)}, {"mobile", mobile(200 + i)}, {"village", "东村"}});
        REQUIRE(c.status == 201);
    }
    auto created = a.post("/api/v1/campaigns", {{"name", "明早开会"}, {"template", "{姓名}：明早九点开会。"},
                                                {"targets", {{"villages", {"东村"}}}}, {"start_now", true},
                                                {"confirm_request", true}, {"remind_after_hours", 2}});
    INFO(created.body);
    REQUIRE(created.status == 201);
    const auto id = std::to_string(created.json().at("id").get<std::int64_t>());
    REQUIRE(wait_until([&] {
        const auto p = a.get("/api/v1/campaigns/" + id).json().at("progress");
        return p.at("sent").get<int>() + p.at("delivered").get<int>() == 2;
    }, 60s));
    cunxin::modemsim::Incoming in;
    in.modem = 0;
    in.from = mobile(200);
    in.text = "1";
    a.sim().inject(in);
    REQUIRE(wait_until([&] { return a.get("/api/v1/campaigns/" + id).json().at("progress").at("confirmed") == 1; }, 30s));
    const auto got = a.all_messages("in");
    REQUIRE(got.size() == 1);
    CHECK(got[0].at("category").is_null());  // not 01 政策咨询
    CHECK(got[0].at("status") == "handled");
    const auto rs = a.get("/api/v1/campaigns/" + id + "/recipients").json().at("items");
    int confirmed = 0;
    for (const auto& r : rs) confirmed += r.at("confirmed_at").is_null() ? 0 : 1;
    CHECK(confirmed == 1);
    CHECK(a.stop() == 0);
}

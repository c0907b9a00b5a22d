// SPDX-License-Identifier: Apache-2.0
// Sending safety over real HTTP: the preview skips (and does not charge) opted-out contacts,
// a large broadcast needs its count typed back, partial SIM updates keep the other fields,
// saved templates, audiences by role, the anniversary preview.

#include <doctest/doctest.h>

#include "harness.hpp"

using cxtest::Harness;
using cxtest::json;
namespace store = cunxin::store;

TEST_CASE("the broadcast preview skips opted-out contacts and a large broadcast needs its count typed") {
    Harness h;
    auto& admin = h.admin();
    for (int i = 0; i < 4; ++i) {
        json c = {{"name", "村民" + std::to_string(i)}, {"mobile", "1380013800" + std::to_string(i)}, {"village", "东村"}};
        if (i == 3) c["opted_out"] = true;
        REQUIRE(admin.post("/api/v1/contacts", c).status == 201);
    }
    const json targets = {{"villages", {"东村"}}};
    auto pv = admin.post("/api/v1/campaigns/preview", json{{"template", "{姓名}您好，{村}周五开会。"}, {"targets", targets}});
    REQUIRE(pv.status == 200);
    CHECK(pv.j["targeted"] == 4);
    CHECK(pv.j["recipients"] == 3);  // the opted-out one is not counted
    CHECK(pv.j["opted_out"] == 1);
    CHECK(pv.j["estimate"]["segments"] == 3);
    CHECK(pv.j["estimate"]["cost_fen"] == 30);  // nor charged
    CHECK(pv.j["estimate"]["cost_yuan"] == "0.30");
    CHECK(pv.j["longest"]["segments"] == 1);
    // The rendered text is measured, not the template with its {placeholders}.
    CHECK(pv.j["samples"][0]["text"].get<std::string>() == "村民0您好，东村周五开会。");
    CHECK(pv.j["longest"]["units"] == 13);
    CHECK(pv.j["needs_typed_confirmation"] == false);

    REQUIRE(admin.put("/api/v1/settings", json{{"large_broadcast_threshold", 2}}).status == 200);
    pv = admin.post("/api/v1/campaigns/preview", json{{"template", "{姓名}您好"}, {"targets", targets}});
    CHECK(pv.j["large_broadcast_threshold"] == 2);
    CHECK(pv.j["needs_typed_confirmation"] == true);
    const json body = {{"name", "周五会议"}, {"template", "{姓名}您好"}, {"targets", targets}};
    auto refused = admin.post("/api/v1/campaigns", body);
    CHECK(refused.status == 409);
    CHECK(refused.j["error"]["message"].get<std::string>().find("3") != std::string::npos);
    json wrong = body;
    wrong["confirm_count"] = 4;  // the opted-out contact is not a recipient
    CHECK(admin.post("/api/v1/campaigns", wrong).status == 409);
    json typed = body;
    typed["confirm_count"] = 3;
    typed["confirm_request"] = true;
    typed["remind_after_hours"] = 4;
    auto c = admin.post("/api/v1/campaigns", typed);
    REQUIRE(c.status == 201);
    CHECK(c.j["confirm_request"] == true);
}

TEST_CASE("a partial SIM update keeps the fields not given, and no limit is an explicit choice") {
    Harness h;
    auto& admin = h.admin();
    const std::string iccid = "89860000000000000001";
    h.on_core([&] {
        store::Sim s;
        s.iccid = iccid;
        REQUIRE(store::touch_sim(*h.db, s, 1700000000));
    });
    auto put = admin.put("/api/v1/sims/" + iccid, json{{"limit_per_hour", 150}, {"limit_per_minute", 8}});
    REQUIRE(put.status == 200);
    CHECK(put.j["limit_per_day"].is_null());  // never set: the configured default applies
    put = admin.put("/api/v1/sims/" + iccid, json{{"limit_per_day", 500}});
    REQUIRE(put.status == 200);
    CHECK(put.j["limit_per_hour"] == 150);  // kept
    CHECK(put.j["limit_per_minute"] == 8);  // kept
    CHECK(put.j["limit_per_day"] == 500);
    // 0 lifts the carrier protection: refused unless confirmed.
    auto careless = admin.put("/api/v1/sims/" + iccid, json{{"limit_per_hour", 0}});
    CHECK(careless.status == 422);
    auto sims = admin.get("/api/v1/modems").j["sims"];
    REQUIRE(sims.size() == 1);
    CHECK(sims[0]["limit_per_hour"] == 150);
    auto chosen = admin.put("/api/v1/sims/" + iccid, json{{"limit_per_hour", 0}, {"no_limit_confirmed", true}});
    CHECK(chosen.status == 200);
    CHECK(chosen.j["limit_per_hour"] == 0);
    CHECK(chosen.j["limit_per_day"] == 500);
    // null: back to the configured default.
    auto reset = admin.put("/api/v1/sims/" + iccid, json{{"limit_per_hour", nullptr}});
    CHECK(reset.j["limit_per_hour"].is_null());
    CHECK(reset.j["limit_per_minute"] == 8);
    // A budget: what is left this month is shown.
    auto budget = admin.put("/api/v1/sims/" + iccid, json{{"monthly_budget_segments", 100}});
    CHECK(budget.j["budget"]["remaining_segments"] == 100);
    CHECK(budget.j["budget"]["exhausted"] == false);
    CHECK(budget.j["limit_per_day"] == 500);
}

TEST_CASE("saved templates, audiences by role and the anniversary preview") {
    Harness h;
    auto& admin = h.admin();
    auto list = admin.get("/api/v1/templates");
    REQUIRE(list.status == 200);
    const auto seeded = list.j["items"].size();
    CHECK(seeded >= 2);
    auto t = admin.post("/api/v1/templates", json{{"name", "秋收通知"}, {"body", "{姓名}同志：{村}秋收工作会议周五召开。"}});
    REQUIRE(t.status == 201);
    const auto id = std::to_string(t.j["id"].get<std::int64_t>());
    CHECK(admin.post("/api/v1/templates", json{{"name", "秋收通知"}, {"body", "x"}}).status == 409);
    CHECK(admin.post("/api/v1/templates", json{{"name", "坏模板"}, {"body", "{nmae}"}}).status == 422);
    auto u = admin.put("/api/v1/templates/" + id, json{{"body", "{姓名}：秋收会议改到周六。"}});
    CHECK(u.status == 200);
    CHECK(u.j["name"] == "秋收通知");
    CHECK(admin.get("/api/v1/templates").j["items"].size() == seeded + 1);
    auto viewer = h.user("vera", "viewer");
    CHECK(viewer.post("/api/v1/templates", json{{"name", "a"}, {"body", "b"}}).status == 403);
    CHECK(admin.del("/api/v1/templates/" + id).status == 200);
    CHECK(admin.del("/api/v1/templates/" + id).status == 404);

    // Roles: the usual four are offered; 党员 also takes anyone with a 入党日期.
    REQUIRE(admin.post("/api/v1/contacts", json{{"name", "王书记"}, {"mobile", "13800138001"}, {"role", "村支书"},
                                                {"party_join_date", "1990-01-01"}}).status == 201);
    REQUIRE(admin.post("/api/v1/contacts", json{{"name", "李主任"}, {"mobile", "13800138002"}, {"role", "村主任"}}).status == 201);
    auto roles = admin.get("/api/v1/roles").j["items"];
    REQUIRE(roles.size() >= 4);
    CHECK(roles[0] == json{{"role", "村支书"}, {"contacts", 1}});
    CHECK(roles[1] == json{{"role", "村主任"}, {"contacts", 1}});
    CHECK(roles[3] == json{{"role", "党员"}, {"contacts", 1}});
    auto pv = admin.post("/api/v1/campaigns/preview", json{{"template", "{姓名}您好"}, {"targets", {{"roles", {"党员"}}}}});
    CHECK(pv.j["recipients"] == 1);
    CHECK(pv.j["samples"][0]["name"] == "王书记");

    auto g = admin.get("/api/v1/greetings/upcoming?days=7");
    REQUIRE(g.status == 200);
    CHECK(g.j["days"].size() == 7);
    CHECK(g.j["days"][0]["offset_days"] == 0);
    CHECK(admin.get("/api/v1/greetings/upcoming?days=99").status == 400);
}

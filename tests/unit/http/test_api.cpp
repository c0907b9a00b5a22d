// SPDX-License-Identifier: Apache-2.0
// API resources over real HTTP: messages, triage, contacts, groups, campaigns, modems,
// settings, users, tokens, audit, reports, backup; auth rules and hostile input.

#include <ctime>

#include <doctest/doctest.h>

#include "harness.hpp"

using cxtest::Client;
using cxtest::Harness;
using cxtest::json;
namespace store = cunxin::store;

namespace {

std::int64_t add_incoming(Harness& h, const std::string& peer, const std::string& text,
                          std::optional<std::string> category = std::nullopt) {
    std::int64_t id = 0;
    h.on_core([&] {
        store::NewIncoming m;
        m.peer = peer;
        m.text = text;
        m.scts = 1700000000;
        m.text_hash = std::to_string(std::hash<std::string>{}(text + peer));
        m.iccid = "89860000000000000001";
        m.category = category;
        auto r = store::insert_incoming(*h.db, m, 1700000000);
        REQUIRE(r);
        id = *r;
    });
    return id;
}

}  // namespace

TEST_CASE("send: operator queues, viewer cannot, CSRF or bearer required") {
    Harness h;
    auto& admin = h.admin();
    auto r = admin.post("/api/v1/messages", json{{"to", {"+8613800000001", "13800000002", "12345"}}, {"text", "通知：明天开会"}});
    REQUIRE(r.status == 202);
    CHECK(r.j["ids"].size() == 2);
    CHECK(r.j["rejected"].size() == 1);
    const auto id = r.j["ids"][0].get<std::int64_t>();
    auto one = admin.get("/api/v1/messages/" + std::to_string(id));
    CHECK(one.status == 200);
    CHECK(one.j["direction"] == "out");
    CHECK(one.j["peer"] == "+8613800000001");
    CHECK(one.j["text"] == "通知：明天开会");
    CHECK(one.j["status"] == "queued");
    CHECK(one.j["created_at"].is_number());

    // Missing fields and wrong types.
    CHECK(admin.post("/api/v1/messages", json{{"text", "x"}}).status == 422);
    CHECK(admin.post("/api/v1/messages", json{{"to", {"+8613800000001"}}}).status == 422);
    CHECK(admin.post("/api/v1/messages", json{{"to", 5}, {"text", "x"}}).status == 422);
    CHECK(admin.post("/api/v1/messages", json{{"to", {"12"}}, {"text", "x"}}).status == 422);
    CHECK(admin.post_raw("/api/v1/messages", "{\"to\":").status == 400);

    // No CSRF token: refused, nothing queued.
    admin.send_csrf = false;
    auto no_csrf = admin.post("/api/v1/messages", json{{"to", {"+8613800000003"}}, {"text", "x"}});
    CHECK(no_csrf.status == 403);
    CHECK(no_csrf.j["error"]["code"] == "csrf_failed");
    admin.send_csrf = true;
    auto list = admin.get("/api/v1/messages?direction=out");
    CHECK(list.j["items"].size() == 2);

    // A viewer can read but not send.
    auto viewer = h.user("vera", "viewer");
    CHECK(viewer.get("/api/v1/messages").status == 200);
    auto denied = viewer.post("/api/v1/messages", json{{"to", {"+8613800000003"}}, {"text", "x"}});
    CHECK(denied.status == 403);
    CHECK(denied.j["error"]["code"] == "forbidden");

    // Bearer tokens: no CSRF needed; a viewer token cannot send; a revoked token is refused.
    auto tok = admin.post("/api/v1/tokens", json{{"name", "script"}, {"role", "operator"}});
    REQUIRE(tok.status == 201);
    const std::string secret = tok.j["token"];
    Client script(h.port);
    script.bearer = secret;
    auto s = script.post("/api/v1/messages", json{{"to", {"+8613800000004"}}, {"text", "from a script"}});
    CHECK(s.status == 202);
    auto vt = admin.post("/api/v1/tokens", json{{"name", "ro"}, {"role", "viewer"}});
    Client ro(h.port);
    ro.bearer = vt.j["token"];
    CHECK(ro.get("/api/v1/messages").status == 200);
    CHECK(ro.post("/api/v1/messages", json{{"to", {"+8613800000004"}}, {"text", "x"}}).status == 403);
    CHECK(admin.del("/api/v1/tokens/" + std::to_string(tok.j["id"].get<std::int64_t>())).status == 200);
    CHECK(script.get("/api/v1/messages").status == 401);
    Client bogus(h.port);
    bogus.bearer = "cx_not-a-token";
    CHECK(bogus.get("/api/v1/messages").status == 401);
    // Token list never shows hashes or secrets.
    auto tl = admin.get("/api/v1/tokens");
    CHECK(tl.body.find(secret) == std::string::npos);
    CHECK(tl.body.find("hash") == std::string::npos);
}

TEST_CASE("message list: filters, cursor, unknown ids, hostile text stays plain JSON") {
    Harness h;
    auto& admin = h.admin();
    const std::string xss = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    for (int i = 0; i < 5; ++i) add_incoming(h, "+861390000000" + std::to_string(i), "02 路灯坏了 " + std::to_string(i), "02");
    const auto evil = add_incoming(h, "+8613900000009", xss);
    auto page = admin.get("/api/v1/messages?direction=in&limit=4");
    REQUIRE(page.status == 200);
    CHECK(page.j["items"].size() == 4);
    CHECK(page.j["items"][0]["id"] == evil);  // newest first
    REQUIRE(page.j["next_cursor"].is_number());
    auto next = admin.get("/api/v1/messages?direction=in&limit=4&cursor=" + std::to_string(page.j["next_cursor"].get<std::int64_t>()));
    CHECK(next.j["items"].size() == 2);
    CHECK(next.j["next_cursor"].is_null());
    auto cat = admin.get("/api/v1/messages?direction=in&category=02");
    CHECK(cat.j["items"].size() == 5);
    CHECK(cat.j["items"][0]["category"] == "02");
    auto by_peer = admin.get("/api/v1/messages?peer=13900000001");
    CHECK(by_peer.j["items"].size() == 1);
    CHECK(admin.get("/api/v1/messages?direction=sideways").status == 400);
    CHECK(admin.get("/api/v1/messages?limit=0").status == 400);
    CHECK(admin.get("/api/v1/messages?limit=abc").status == 400);
    CHECK(admin.get("/api/v1/messages?status=bogus").status == 400);
    auto unknown = admin.get("/api/v1/messages/999999");
    CHECK(unknown.status == 404);
    CHECK(unknown.j["error"]["code"] == "not_found");
    CHECK(admin.get("/api/v1/messages/0").status == 404);
    CHECK(admin.get("/api/v1/messages/99999999999999999999").status == 404);
    auto e = admin.get("/api/v1/messages/" + std::to_string(evil));
    CHECK(e.header("Content-Type").find("application/json") == 0);
    CHECK(e.j["text"] == xss);  // returned as a JSON string, for the panel to show as text
    CHECK(e.j["category"].is_null());
    auto search = admin.get("/api/v1/messages?q=%E8%B7%AF%E7%81%AF");  // 路灯
    CHECK(search.status == 200);
    CHECK(search.j["items"].size() == 5);
    auto csv = admin.get("/api/v1/messages/export.csv?direction=in");
    CHECK(csv.status == 200);
    CHECK(csv.header("Content-Type").find("text/csv") == 0);
    CHECK(csv.body.find("路灯坏了") != std::string::npos);
}

TEST_CASE("triage: status, assign, notes, thread, reply") {
    Harness h;
    auto& admin = h.admin();
    const auto id = add_incoming(h, "+8613900000001", "03 河堤有裂缝", "03");
    const auto path = "/api/v1/messages/" + std::to_string(id);
    CHECK(admin.post(path + "/status", json{{"status", "in_progress"}}).status == 200);
    CHECK(admin.get(path).j["status"] == "in_progress");
    CHECK(admin.post(path + "/status", json{{"status", "done-ish"}}).status == 422);
    CHECK(admin.post("/api/v1/messages/424242/status", json{{"status", "handled"}}).status == 404);
    auto me = admin.get("/api/v1/auth/me");
    CHECK(admin.post(path + "/assign", json{{"user_id", me.j["id"]}}).status == 200);
    CHECK(admin.get(path).j["assigned_user_id"] == me.j["id"]);
    CHECK(admin.post(path + "/assign", json{{"user_id", 9999}}).status == 404);
    auto n = admin.post(path + "/notes", json{{"text", "已联系水利站 <b>"}});
    CHECK(n.status == 201);
    auto full = admin.get(path);
    REQUIRE(full.j["notes"].size() == 1);
    CHECK(full.j["notes"][0]["text"] == "已联系水利站 <b>");
    auto reply = admin.post(path + "/reply", json{{"text", "收到，已安排。"}});
    CHECK(reply.status == 202);
    auto thread = admin.get("/api/v1/threads/+8613900000001");
    REQUIRE(thread.status == 200);
    CHECK(thread.j["items"].size() == 2);
    CHECK(admin.post(path + "/status", json{{"status", "handled"}}).status == 200);
    auto viewer = h.user("vic", "viewer");
    CHECK(viewer.post(path + "/status", json{{"status", "new"}}).status == 403);
    CHECK(admin.get(path).j["status"] == "handled");
}

TEST_CASE("contacts, groups, CSV import preview then commit, export") {
    Harness h;
    auto& admin = h.admin();
    auto c = admin.post("/api/v1/contacts", json{{"name", "张三"}, {"mobile", "138 0013 8000"}, {"village", "东村"}, {"tags", {"党员"}}});
    REQUIRE(c.status == 201);
    CHECK(c.j["mobile"] == "+8613800138000");
    const auto cid = c.j["id"].get<std::int64_t>();
    CHECK(admin.post("/api/v1/contacts", json{{"name", "李四"}, {"mobile", "010-12345678"}}).status == 422);
    CHECK(admin.post("/api/v1/contacts", json{{"mobile", "13800138001"}}).status == 422);
    CHECK(admin.post("/api/v1/contacts", json{{"name", "重复"}, {"mobile", "13800138000"}}).status == 409);
    auto upd = admin.put("/api/v1/contacts/" + std::to_string(cid), json{{"village", "西村"}});
    CHECK(upd.status == 200);
    CHECK(admin.get("/api/v1/contacts/" + std::to_string(cid)).j["village"] == "西村");
    CHECK(admin.put("/api/v1/contacts/77777", json{{"village", "x"}}).status == 404);
    auto g = admin.post("/api/v1/groups", json{{"name", "村支书"}});
    REQUIRE(g.status == 201);
    const auto gid = g.j["id"].get<std::int64_t>();
    CHECK(admin.post("/api/v1/groups/" + std::to_string(gid) + "/members", json{{"add", {cid}}}).status == 200);
    auto groups = admin.get("/api/v1/groups");
    CHECK(groups.j["items"][0]["members"] == 1);
    CHECK(admin.post("/api/v1/groups/999/members", json{{"add", {cid}}}).status == 404);

    const std::string csv = "姓名,手机号,村\r\n王五,13900139000,南村\r\n坏号码,12345,北村\r\n<script>x</script>,13900139001,南村\r\n";
    auto preview = admin.post("/api/v1/contacts/import", json{{"csv", csv}});
    REQUIRE(preview.status == 200);
    CHECK(preview.j["committed"] == false);
    CHECK(preview.j["accepted"] == 2);
    CHECK(preview.j["rows_rejected"] == 1);
    CHECK(preview.j["rejections"][0]["row"].is_number());
    CHECK(admin.get("/api/v1/contacts").j["total"] == 1);  // nothing written by a preview
    auto commit = admin.post("/api/v1/contacts/import", json{{"csv", csv}, {"commit", true}, {"group_id", gid}});
    CHECK(commit.status == 200);
    CHECK(commit.j["imported"] == 2);
    auto all = admin.get("/api/v1/contacts?q=%E5%8D%97%E6%9D%91");  // 南村
    CHECK(all.j["items"].size() == 2);
    auto exp = admin.get("/api/v1/contacts/export.csv");
    CHECK(exp.status == 200);
    CHECK(exp.body.find("王五") != std::string::npos);
    CHECK(admin.get("/api/v1/villages").j["items"].size() >= 2);
    CHECK(admin.del("/api/v1/contacts/" + std::to_string(cid)).status == 200);
    CHECK(admin.del("/api/v1/contacts/" + std::to_string(cid)).status == 404);
    auto viewer = h.user("val", "viewer");
    CHECK(viewer.post("/api/v1/contacts", json{{"name", "x"}, {"mobile", "13800138009"}}).status == 403);
}

TEST_CASE("campaigns: preview with cost, create, actions, progress, recipients") {
    Harness h;
    auto& admin = h.admin();
    for (int i = 0; i < 3; ++i) {
        REQUIRE(admin.post("/api/v1/contacts", json{{"name", "村民" + std::to_string(i)}, {"mobile", "1380013800" + std::to_string(i)}, {"village", "东村"}}).status == 201);
    }
    auto pv = admin.post("/api/v1/campaigns/preview", json{{"template", "{name}您好，{village}周五开会。"}, {"targets", {{"villages", {"东村"}}}}});
    REQUIRE(pv.status == 200);
    CHECK(pv.j["recipients"] == 3);
    CHECK(pv.j["samples"][0]["text"].get<std::string>().find("村民") == 0);
    CHECK(pv.j["samples"][0]["encoding"] == "ucs2");
    CHECK(pv.j["estimate"]["segments"] == 3);
    CHECK(pv.j["estimate"]["cost_fen"] == 30);
    auto bad = admin.post("/api/v1/campaigns/preview", json{{"template", "{nmae}"}, {"targets", {{"villages", {"东村"}}}}});
    CHECK(bad.j["problems"].size() == 1);
    CHECK(admin.post("/api/v1/campaigns", json{{"name", "x"}, {"template", "{nmae}"}, {"villages", {"东村"}}}).status == 422);
    CHECK(admin.post("/api/v1/campaigns", json{{"name", "x"}, {"template", "hi"}}).status == 422);
    auto c = admin.post("/api/v1/campaigns", json{{"name", "周五会议"}, {"template", "{name}您好"}, {"targets", {{"villages", {"东村"}}}}});
    REQUIRE(c.status == 201);
    const auto id = std::to_string(c.j["id"].get<std::int64_t>());
    CHECK(c.j["status"] == "draft");
    CHECK(c.j["progress"]["recipients"] == 3);
    CHECK(admin.post("/api/v1/campaigns/" + id + "/launch", json::object()).j["status"] == "running");
    CHECK(admin.post("/api/v1/campaigns/" + id + "/pause", json::object()).j["status"] == "paused");
    CHECK(admin.post("/api/v1/campaigns/" + id + "/cancel", json::object()).j["status"] == "cancelled");
    CHECK(admin.post("/api/v1/campaigns/" + id + "/resume", json::object()).status == 409);
    CHECK(admin.post("/api/v1/campaigns/4242/launch", json::object()).status == 404);
    CHECK(admin.get("/api/v1/campaigns/" + id + "/recipients").j["items"].size() == 3);
    CHECK(admin.get("/api/v1/campaigns").j["items"].size() == 1);
    auto seg = admin.post("/api/v1/segments", json{{"text", std::string(161, 'a')}});
    CHECK(seg.j["segments"] == 2);
    CHECK(seg.j["encoding"] == "gsm7");
}

TEST_CASE("modems, SIM settings, restart, USSD") {
    Harness h;
    auto& admin = h.admin();
    // The test core's pool has no modem (the modems' fields are checked by the integration
    // tests, with simulated modems).
    auto m = admin.get("/api/v1/modems");
    REQUIRE(m.status == 200);
    CHECK(m.j["items"].empty());
    auto d = admin.get("/api/v1/dashboard");
    REQUIRE(d.status == 200);
    CHECK(d.j["modems"].empty());
    CHECK(admin.post("/api/v1/modems/860000000000001/restart", json::object()).status == 404);
    CHECK(admin.post("/api/v1/modems/nope/restart", json::object()).status == 404);
    CHECK(admin.post("/api/v1/modems/860000000000001/ussd", json{{"code", "*100#"}}).status == 503);
    CHECK(admin.post("/api/v1/modems/860000000000001/ussd", json{{"code", "AT+CFUN=0"}}).status == 422);
    h.on_core([&] {
        store::Sim s;
        s.iccid = "89860000000000000001";
        REQUIRE(store::touch_sim(*h.db, s, 1700000000));
    });
    auto put = admin.put("/api/v1/sims/89860000000000000001", json{{"limit_per_hour", 150}, {"price_fen_per_segment", 8}});
    CHECK(put.status == 200);
    CHECK(put.j["limit_per_hour"] == 150);
    std::optional<cunxin::http::SimLimitsInForce> force;
    h.on_core([&] { force = h.core->sim_limits("89860000000000000001"); });
    REQUIRE(force);
    CHECK(force->per_hour == 150);
    CHECK(admin.put("/api/v1/sims/89860000000000000009", json{{"limit_per_hour", 1}}).status == 404);
    CHECK(admin.put("/api/v1/sims/89860000000000000001", json{{"limit_per_hour", -1}}).status == 422);
    auto op = h.user("oscar", "operator");
    CHECK(op.put("/api/v1/sims/89860000000000000001", json{{"limit_per_hour", 1}}).status == 403);
}

TEST_CASE("settings, menu, users, audit, reports, dashboard, backup") {
    Harness h;
    auto& admin = h.admin();
    CHECK(admin.put("/api/v1/settings", json{{"anniversary_hour", 9}, {"anniversary_template", "{name}同志，祝贺入党{years}周年！"}}).status == 200);
    auto s = admin.get("/api/v1/settings");
    CHECK(s.j["settings"]["anniversary_hour"] == 9);
    CHECK(admin.put("/api/v1/settings", json{{"anniversary_hour", 25}}).status == 422);
    CHECK(admin.put("/api/v1/settings", json{{"rm -rf", "x"}}).status == 422);
    CHECK(admin.put("/api/v1/menu/04", json{{"label_zh", "求助"}, {"auto_ack", "已收到"}}).status == 200);
    bool found = false;
    auto menu = admin.get("/api/v1/settings");
    for (const auto& m : menu.j["menu"]) found = found || m["code"] == "04";
    CAPTURE(menu.body);
    CHECK(found);
    CHECK(admin.del("/api/v1/menu/99").status == 404);

    auto op = h.user("olga", "operator");
    CHECK(op.get("/api/v1/users").status == 403);
    CHECK(op.put("/api/v1/settings", json{{"anniversary_hour", 8}}).status == 403);
    auto users = admin.get("/api/v1/users");
    CHECK(users.j["items"].size() == 2);
    CHECK(users.body.find("password") == std::string::npos);
    const auto olga = users.j["items"][1]["id"].get<std::int64_t>();
    CHECK(admin.put("/api/v1/users/" + std::to_string(olga), json{{"role", "viewer"}}).status == 200);
    CHECK(op.get("/api/v1/messages").status == 401);  // sessions end when the role changes
    CHECK(admin.post("/api/v1/users", json{{"username", "olga"}, {"password", "12345678"}}).status == 409);
    CHECK(admin.post("/api/v1/users", json{{"username", "new"}, {"password", "1234"}}).status == 422);
    CHECK(admin.post("/api/v1/users", json{{"username", "x"}, {"password", "12345678"}, {"role", "god"}}).status == 422);
    auto me = admin.get("/api/v1/auth/me");
    CHECK(admin.del("/api/v1/users/" + std::to_string(me.j["id"].get<std::int64_t>())).status == 409);

    // Every change is audited (written on the core thread; poll briefly).
    json audit;
    for (int i = 0; i < 50; ++i) {
        audit = admin.get("/api/v1/audit").j;
        if (audit.contains("items") && audit["items"].size() >= 5) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    audit = admin.get("/api/v1/audit").j;
    bool saw_settings = false;
    for (const auto& a : audit["items"]) saw_settings = saw_settings || a["action"] == "settings.update";
    CHECK(saw_settings);

    add_incoming(h, "+8613900000001", "01 补贴怎么领", "01");
    auto rep = admin.get("/api/v1/reports?from=1699900000&to=1700100000");
    REQUIRE(rep.status == 200);
    CHECK(rep.j["per_category"][0]["key"] == "01");
    CHECK(admin.get("/api/v1/reports?from=5&to=1").status == 400);
    auto csv = admin.get("/api/v1/reports?from=1699900000&to=1700100000&format=csv&table=category");
    CHECK(csv.header("Content-Type").find("text/csv") == 0);
    auto dash = admin.get("/api/v1/dashboard");
    REQUIRE(dash.status == 200);
    CHECK(dash.j["days"].size() == 14);
    CHECK(dash.j["modems"].empty());

    httplib::Client raw("127.0.0.1", h.port);
    auto b = raw.Get("/api/v1/system/backup", {{"Cookie", admin.cookie}});
    REQUIRE(b);
    CHECK(b->status == 200);
    CHECK(b->body.rfind("SQLite format 3", 0) == 0);
    auto bad = raw.Post("/api/v1/system/restore", {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}},
                        std::string(1000, 'x'), "application/octet-stream");
    REQUIRE(bad);
    CHECK(bad->status == 422);
    auto good = raw.Post("/api/v1/system/restore", {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}},
                         b->body, "application/octet-stream");
    REQUIRE(good);
    CHECK(good->status == 202);
    CHECK(std::filesystem::exists(h.dir / "cunxin.db.restore"));
}

TEST_CASE("SSE stream delivers published events to a logged-in panel") {
    Harness h;
    auto& admin = h.admin();
    std::string got;
    std::atomic<bool> done{false};
    std::thread reader([&] {
        httplib::Client c("127.0.0.1", h.port);
        c.set_read_timeout(5, 0);
        c.Get("/api/v1/events", {{"Cookie", admin.cookie}}, [&](const char* data, size_t n) {
            got.append(data, n);
            return got.find("reply.new") == std::string::npos;
        });
        done = true;
    });
    for (int i = 0; i < 100 && h.server->events().clients() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(h.server->events().clients() == 1);
    h.server->events().publish("reply.new", R"({"id":7,"text":"<script>"})");
    for (int i = 0; i < 200 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reader.join();
    CHECK(got.find("event: reply.new") != std::string::npos);
    CHECK(got.find(R"(data: {"id":7,"text":"<script>"})") != std::string::npos);
    Client anon(h.port);
    CHECK(anon.get("/api/v1/events").status == 401);
}

TEST_CASE("reports and backups use the configured office time zone, CSV in Chinese") {
    // UTC-5: the reply at 2023-11-14 22:13 UTC is on the office's 14 November (17:13), where a
    // hard-coded UTC+8 would put it on the 15th.
    Harness h([](cunxin::http::ServerConfig& c) { c.utc_offset_minutes = -300; });
    auto& admin = h.admin();
    add_incoming(h, "+8613900000001", "01 补贴怎么领", "01");
    auto day = admin.get("/api/v1/reports?start=2023-11-14&end=2023-11-14");
    REQUIRE(day.status == 200);
    CHECK(day.j["from"] == 1699938000);  // 2023-11-14 00:00 at UTC-5
    CHECK(day.j["period"]["start"] == "2023-11-14");
    CHECK(day.j["per_category"].size() == 1);
    CHECK(day.j["per_day"][0]["day"] == "2023-11-14");
    CHECK(day.j["per_day"][0]["in"] == 1);
    CHECK(admin.get("/api/v1/reports?start=2023-11-15&end=2023-11-15").j["per_category"].empty());
    CHECK(admin.get("/api/v1/reports?start=2023-02-29&end=2023-03-01").status == 400);
    CHECK(admin.get("/api/v1/reports?period=year").status == 400);
    CHECK(admin.get("/api/v1/reports?period=week").status == 200);

    auto cat = admin.get("/api/v1/reports?start=2023-11-14&end=2023-11-14&format=csv&table=category");
    CAPTURE(cat.body);
    CHECK(cat.body.find("类别,回复数") != std::string::npos);
    CHECK(cat.body.find("01 政策咨询,1") != std::string::npos);
    auto daily = admin.get("/api/v1/reports?start=2023-11-14&end=2023-11-14&format=csv&table=daily");
    CHECK(daily.body.find("日期,收到,发出") != std::string::npos);
    CHECK(daily.body.find("2023-11-14,1,0") != std::string::npos);
    CHECK(daily.header("Content-Disposition").find("cunxin-daily-20231114-20231114.csv") != std::string::npos);
    CHECK(admin.get("/api/v1/reports?format=csv&table=secrets").status == 400);
    auto msgs = admin.get("/api/v1/messages/export.csv?direction=in");
    CAPTURE(msgs.body);
    CHECK(msgs.body.find("编号,方向,时间,号码,姓名,村,类别,状态,内容") != std::string::npos);
    CHECK(msgs.body.find(",收到,2023-11-14 17:13:20,") != std::string::npos);
    CHECK(msgs.body.find(",新,01 补贴怎么领") != std::string::npos);

    const auto before = std::time(nullptr) - 300 * 60;
    auto b = admin.get("/api/v1/system/backup");
    const auto after = std::time(nullptr) - 300 * 60;
    REQUIRE(b.status == 200);
    auto name = [](std::time_t t) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[64];
        std::strftime(buf, sizeof buf, "attachment; filename=\"cunxin-%Y%m%d-%H%M.db\"", &tm);
        return std::string(buf);
    };
    const auto got = b.header("Content-Disposition");
    CAPTURE(got);
    CHECK((got == name(before) || got == name(after)));
}

TEST_CASE("audit: filters by user, kind and office day, paged") {
    Harness h;
    auto& admin = h.admin();
    for (int i = 0; i < 3; ++i) CHECK(admin.put("/api/v1/settings", json{{"anniversary_hour", 8 + i}}).status == 200);
    json items;
    for (int i = 0; i < 100; ++i) {
        items = admin.get("/api/v1/audit?action=settings.").j["items"];
        if (items.size() >= 3) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(items.size() == 3);
    auto all = admin.get("/api/v1/audit?limit=500").j;
    CHECK(admin.get("/api/v1/audit?actor=nobody").j["items"].empty());
    CHECK(admin.get("/api/v1/audit?actor=" + all["items"][0]["actor"].get<std::string>()).j["items"].size() ==
          all["items"].size());
    bool listed = false;
    for (const auto& a : all["actors"]) listed = listed || a == all["items"][0]["actor"];
    CHECK(listed);
    CHECK(admin.get("/api/v1/audit?start=2001-01-01&end=2001-01-02").j["items"].empty());
    CHECK(admin.get("/api/v1/audit?start=2001-13-01").status == 400);
    auto page = admin.get("/api/v1/audit?limit=2").j;
    CHECK(page["items"].size() == 2);
    REQUIRE(page["next_cursor"].is_number());
    auto next = admin.get("/api/v1/audit?limit=2&cursor=" + std::to_string(page["next_cursor"].get<std::int64_t>())).j;
    CHECK(next["items"][0]["id"].get<std::int64_t>() == page["items"][1]["id"].get<std::int64_t>() - 1);
}

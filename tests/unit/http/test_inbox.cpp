// SPDX-License-Identifier: Apache-2.0
// Inbox work over real HTTP (issue 11 item 7, issue 12 item 1): re-classifying a reply by hand
// (operator, audited), replying to any message by id without the number passing through the
// client, and a category made anonymous hiding its earlier messages from every role.

#include <doctest/doctest.h>

#include "harness.hpp"

using cxtest::Harness;
using cxtest::json;
namespace store = cunxin::store;

namespace {

std::int64_t incoming(Harness& h, const std::string& peer, const std::string& text,
                      std::optional<std::string> category) {
    std::int64_t id = 0;
    h.on_core([&] {
        store::NewIncoming m;
        m.peer = peer;
        m.text = text;
        m.scts = 1700000000;
        m.text_hash = std::to_string(std::hash<std::string>{}(text + peer));
        m.category = category;
        auto r = store::insert_incoming(*h.db, m, 1700000000);
        REQUIRE(r);
        id = *r;
    });
    return id;
}

}  // namespace

TEST_CASE("a reply is re-classified by hand by an operator and the change is audited") {
    Harness h;
    auto& admin = h.admin();
    auto op = h.user("oper", "operator");
    auto viewer = h.user("view", "viewer");
    const auto id = incoming(h, "+8613900000011", "1 村口路灯坏了", "01");
    const auto path = "/api/v1/messages/" + std::to_string(id) + "/category";
    CHECK(viewer.post(path, json{{"category", "02"}}).status == 403);
    CHECK(op.post(path, json{{"category", "77"}}).status == 422);
    CHECK(op.post(path, json{{"colour", "02"}}).status == 422);
    auto r = op.post(path, json{{"category", "02"}});
    REQUIRE(r.status == 200);
    CHECK(r.j["category"] == "02");
    CHECK(viewer.get("/api/v1/messages/" + std::to_string(id)).j["category"] == "02");
    CHECK(viewer.get("/api/v1/messages?category=02").j["items"].size() == 1);
    CHECK(viewer.get("/api/v1/messages?category=01").j["items"].empty());
    r = op.post(path, json{{"category", nullptr}});
    REQUIRE(r.status == 200);
    CHECK(r.j["category"].is_null());
    auto audit = admin.get("/api/v1/audit?limit=50");
    bool found = false;
    for (const auto& a : audit.j["items"]) found = found || a["action"] == "message.category";
    CHECK(found);
    // Only incoming messages have a category.
    auto sent = op.post("/api/v1/messages", json{{"to", {"+8613900000012"}}, {"text", "通知"}});
    REQUIRE(sent.status == 202);
    const auto out_id = sent.j["ids"][0].get<std::int64_t>();
    CHECK(op.post("/api/v1/messages/" + std::to_string(out_id) + "/category", json{{"category", "02"}}).status == 409);
}

TEST_CASE("replying by message id links the reply and a category made anonymous hides its past") {
    Harness h;
    auto& admin = h.admin();
    auto op = h.user("oper", "operator");
    const std::string number = "+8613900000021";
    const auto id = incoming(h, number, "03 有人占用耕地", "03");
    auto r = op.post("/api/v1/messages/" + std::to_string(id) + "/reply", json{{"text", "已转国土所"}});
    REQUIRE(r.status == 202);
    const auto rid = r.j["id"].get<std::int64_t>();
    CHECK(r.j["reply_to"] == id);
    CHECK(r.body.find("13900000021") == std::string::npos);
    auto one = op.get("/api/v1/messages/" + std::to_string(id));
    REQUIRE(one.j["replies"].size() == 1);
    CHECK(one.j["replies"][0]["id"] == rid);
    CHECK(one.j["replies"][0]["peer"] == number);  // not anonymous: shown
    CHECK(op.post("/api/v1/messages/424242/reply", json{{"text", "x"}}).status == 404);
    CHECK(op.post("/api/v1/messages/" + std::to_string(id) + "/reply", json{{"text", ""}}).status == 422);
    // The category becomes anonymous: the message and the reply lose their sender for all roles.
    auto m = admin.put("/api/v1/menu/03", json{{"label_zh", "反映情况"}, {"anonymous", true}});
    REQUIRE(m.status == 200);
    for (auto* c : {&admin, &op}) {
        auto list = c->get("/api/v1/messages");
        REQUIRE(list.status == 200);
        CHECK(list.body.find("13900000021") == std::string::npos);
        CHECK(c->get("/api/v1/messages?peer=%2B8613900000021").j["items"].empty());
        CHECK(c->get("/api/v1/threads/+8613900000021").j["items"].empty());
        auto again = c->get("/api/v1/messages/" + std::to_string(id));
        CHECK(again.j["peer"].is_null());
        CHECK(again.j["anonymous"] == true);
        CHECK(again.j["replies"][0]["peer"].is_null());
    }
    // Unmarking the category does not reveal what was sent under anonymity.
    REQUIRE(admin.put("/api/v1/menu/03", json{{"label_zh", "反映情况"}, {"anonymous", false}}).status == 200);
    CHECK(admin.get("/api/v1/messages/" + std::to_string(id)).j["peer"].is_null());
    // Replying still works and stays anonymous.
    r = op.post("/api/v1/messages/" + std::to_string(id) + "/reply", json{{"text", "已处理"}});
    REQUIRE(r.status == 202);
    CHECK(op.get("/api/v1/messages/" + std::to_string(r.j["id"].get<std::int64_t>())).j["peer"].is_null());
}

// SPDX-License-Identifier: Apache-2.0
// The quarantine is listed for admins only (raw PDUs hold numbers); damaged messages say so.

#include <doctest/doctest.h>

#include "harness.hpp"

using cxtest::Harness;
using cxtest::json;
namespace store = cunxin::store;

TEST_CASE("quarantine: admins list it with a count and a cursor, other roles get 403") {
    Harness h;
    auto& admin = h.admin();
    auto viewer = h.user("xiao", "viewer");
    auto op = h.user("lao", "operator");
    CHECK(admin.get("/api/v1/quarantine").j["count"] == 0);
    h.on_core([&] {
        for (int i = 0; i < 3; ++i) {
            store::QuarantineEntry q;
            q.at = 1'760'000'000 + i;
            q.kind = "incoming_pdu";
            q.iccid = "89860000000000000001";
            q.raw = "0004" + std::to_string(i);
            q.reason = "short_pdu: PDU ends before TP-OA (octet 2)";
            REQUIRE(store::quarantine(*h.db, q));
        }
    });
    auto all = admin.get("/api/v1/quarantine");
    REQUIRE(all.status == 200);
    CHECK(all.j["count"] == 3);
    REQUIRE(all.j["items"].size() == 3);
    CHECK(all.j["items"][0]["raw"] == "00042");  // newest first
    CHECK(all.j["items"][0]["reason"].get<std::string>().rfind("short_pdu", 0) == 0);
    auto page = admin.get("/api/v1/quarantine?limit=2");
    REQUIRE(page.j["items"].size() == 2);
    REQUIRE(page.j["next_cursor"].is_number());
    auto rest = admin.get("/api/v1/quarantine?limit=2&cursor=" + std::to_string(page.j["next_cursor"].get<std::int64_t>()));
    REQUIRE(rest.j["items"].size() == 1);
    CHECK(rest.j["items"][0]["raw"] == "00040");
    CHECK(viewer.get("/api/v1/quarantine").status == 403);
    CHECK(op.get("/api/v1/quarantine").status == 403);
    CHECK(admin.get("/api/v1/quarantine?cursor=abc").status == 400);
}

TEST_CASE("messages: a damaged incoming message carries damaged and its reason") {
    Harness h;
    auto& admin = h.admin();
    h.on_core([&] {
        store::NewIncoming in;
        in.peer = "+8613800000001";
        in.text = "你\xEF\xBF\xBD好";
        in.scts = 1'760'000'000;
        in.text_hash = "x1";
        in.damage = "invalid_utf16";
        REQUIRE(store::insert_incoming(*h.db, in, 1'760'000'001));
        in.text = "完好";
        in.text_hash = "x2";
        in.damage.clear();
        REQUIRE(store::insert_incoming(*h.db, in, 1'760'000'002));
    });
    auto list = admin.get("/api/v1/messages?direction=in");
    REQUIRE(list.j["items"].size() == 2);
    CHECK(list.j["items"][0]["damaged"] == false);
    CHECK(list.j["items"][1]["damaged"] == true);
    CHECK(list.j["items"][1]["error"] == "invalid_utf16");
}

// SPDX-License-Identifier: Apache-2.0
// Federation tables (migration 8): the box's outbox (seq never reused, coalescing keys, folding)
// and commands once per id; the hub's events once per id and newest progress wins. Every test
// starts from every earlier schema version.
#include <doctest/doctest.h>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

namespace {

constexpr Seconds kT0 = 1'760'000'000;

/// A database created at version `from` (with a contact when it has the table), then migrated.
Database upgraded(cunxin::test::TempDir& dir, int from) {
    const auto path = dir.file("fed.db");
    {
        OpenOptions o;
        o.migrate_to = from;
        auto db = Database::open(path, o);
        REQUIRE(db);
        if (from >= 1) {
            Contact c;
            c.name = "王五";
            c.mobile = "+8613800000005";
            c.village = "东村";
            REQUIRE(insert_contact(*db, c, kT0));
        }
    }
    auto db = Database::open(path);
    REQUIRE(db);
    CHECK(*db->integrity_check() == "ok");
    return std::move(*db);
}

}  // namespace

TEST_CASE("box outbox after upgrading from every earlier version: seq never reused, keys coalesce, replies fold") {
    for (int from = 0; from < Database::latest_version(); ++from) {
        CAPTURE(from);
        cunxin::test::TempDir dir;
        auto db = upgraded(dir, from);
        auto a = fed_enqueue(db, "progress", "progress:n1", R"({"sent":1})", kT0);
        REQUIRE(a);
        auto b = fed_enqueue(db, "progress", "progress:n1", R"({"sent":2})", kT0 + 1);
        REQUIRE(b);
        CHECK(*b > *a);
        auto r1 = fed_enqueue(db, "reply", "", R"({"text":"1"})", kT0 + 2, "东村", "02");
        auto r2 = fed_enqueue(db, "reply", "", R"({"text":"2"})", kT0 + 3, "", "08");
        REQUIRE(r1);
        REQUIRE(r2);
        auto pending = fed_pending(db, 0, 10);
        REQUIRE(pending);
        REQUIRE(pending->size() == 3);  // the older progress was replaced
        CHECK((*pending)[0].payload == R"({"sent":2})");
        CHECK((*pending)[1].type == "reply");

        auto oldest = fed_oldest_replies(db, 10);
        REQUIRE(oldest);
        REQUIRE(oldest->size() == 2);
        CHECK((*oldest)[0].village == "东村");
        CHECK((*oldest)[1].category == "08");
        auto folded = fed_fold(db, {*r1, *r2}, R"({"replies":[]})", kT0 + 4);
        REQUIRE(folded);
        CHECK(*folded > *r2);
        CHECK(*fed_pending_count(db) == 2);
        REQUIRE(fed_ack(db, *b));
        REQUIRE(fed_ack(db, *folded));
        CHECK(*fed_pending_count(db) == 0);
        // Deleted rows never give their seq back: ids stay unique across the box's life.
        auto c = fed_enqueue(db, "health", "health", "{}", kT0 + 5);
        REQUIRE(c);
        CHECK(*c > *folded);

        // A command is recorded once.
        CHECK(*fed_record_command(db, "n1:box", "notice", "n1", std::nullopt, kT0));
        CHECK_FALSE(*fed_record_command(db, "n1:box", "notice", "n1", std::nullopt, kT0 + 1));
        CHECK_FALSE(fed_campaign_for_notice(db, "n1")->has_value());
    }
}

TEST_CASE("hub counts an event id once and keeps the newest progress per box") {
    for (int from = 0; from < Database::latest_version(); ++from) {
        CAPTURE(from);
        cunxin::test::TempDir dir;
        auto db = upgraded(dir, from);
        HubNotice n;
        n.id = "n1";
        n.text = "{name}同志：开会";
        n.created_at = kT0;
        n.boxes = {HubProgress{.box = "xinglong", .command_id = "n1:xinglong"},
                   HubProgress{.box = "baiyun", .command_id = "n1:baiyun"}};
        REQUIRE(hub_insert_notice(db, n));
        CHECK(*hub_record_event(db, "xinglong:5", "xinglong", 5, "progress", kT0 + 1));
        CHECK_FALSE(*hub_record_event(db, "xinglong:5", "xinglong", 5, "progress", kT0 + 2));
        CHECK(*hub_set_progress(db, "n1", "xinglong", 5, 10, 2, 8, 7, 0, kT0 + 1));
        CHECK_FALSE(*hub_set_progress(db, "n1", "xinglong", 4, 10, 10, 0, 0, 0, kT0 + 2));  // older: ignored
        auto pending = hub_notices_without_progress(db, "");
        REQUIRE(pending);
        REQUIRE(pending->size() == 1);
        CHECK(pending->front().boxes.front().box == "baiyun");
        auto got = hub_get_notice(db, "n1");
        REQUIRE(got);
        REQUIRE(got->boxes.size() == 2);
        CHECK(got->boxes[1].box == "xinglong");
        CHECK(got->boxes[1].sent == 8);
        CHECK(got->boxes[1].queued == 2);

        HubReply r;
        r.event_id = "xinglong:6";
        r.box = "xinglong";
        r.category = "08";
        r.text = "匿名";
        r.at = kT0;
        REQUIRE(hub_insert_reply(db, r));
        REQUIRE(hub_insert_reply(db, r));  // same event id: kept once
        REQUIRE(hub_add_reply_counts(db, "xinglong", "东村", "02", 3));
        auto list = hub_list_replies(db, HubReplyQuery{});
        REQUIRE(list);
        REQUIRE(list->size() == 1);
        CHECK_FALSE(list->front().number.has_value());
        CHECK(hub_list_replies(db, HubReplyQuery{.village = "东村"})->empty());  // anonymous never matches a village
        auto summary = hub_reply_summary(db);
        REQUIRE(summary);
        std::int64_t total = 0;
        for (const auto& c : *summary) total += c.count;
        CHECK(total == 4);
        auto boxes = hub_list_boxes(db);
        REQUIRE(boxes);
        REQUIRE(boxes->size() == 1);
        CHECK(boxes->front().online);
    }
}

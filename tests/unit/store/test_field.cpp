// SPDX-License-Identifier: Apache-2.0
// Migration 8 (field checks): self-test rows, credit history, messages pinned to a SIM, and the
// system/self-test kinds kept out of the message lists — on a fresh database and on one upgraded
// from every earlier version.
#include <doctest/doctest.h>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

namespace {

constexpr Seconds kT0 = 1'760'000'000;

/// The first version that has the field tables: the last migration of the list (derived, so a
/// renumbering at merge changes nothing here).
int field_version() { return Database::latest_version(); }

void exercise(Database& db) {
    // A self-test round of two SIMs.
    auto round = next_selftest_round(db);
    REQUIRE(round);
    SelftestRow a;
    a.round = *round;
    a.iccid = "89860000000000000001";
    a.to_iccid = "89860000000000000002";
    a.to_number = "+8613800000002";
    a.started_ms = kT0 * 1000;
    auto ida = insert_selftest(db, a);
    REQUIRE(ida);
    SelftestRow b = a;
    b.iccid = a.to_iccid;
    b.to_iccid = a.iccid;
    auto idb = insert_selftest(db, b);
    REQUIRE(idb);
    CHECK(running_selftests(db)->size() == 2);
    CHECK(*mark_selftest_received(db, *ida, kT0 * 1000 + 1500) == true);
    CHECK(*mark_selftest_received(db, *ida, kT0 * 1000 + 2500) == false);  // only the first arrival counts
    REQUIRE(finish_selftest(db, *ida, true, "", kT0 + 2));
    REQUIRE(finish_selftest(db, *idb, false, "没有收到", kT0 + 600));
    CHECK(running_selftests(db)->empty());
    auto latest = latest_selftests(db);
    REQUIRE(latest);
    REQUIRE(latest->size() == 2);
    CHECK((*latest)[0].ok == std::optional<bool>(true));
    CHECK((*latest)[0].received_ms == std::optional<std::int64_t>(kT0 * 1000 + 1500));
    CHECK((*latest)[1].ok == std::optional<bool>(false));
    CHECK((*latest)[1].detail == "没有收到");
    CHECK(*next_selftest_round(db) == *round + 1);

    // Credit readings: the newest per SIM, the history newest first, unreadable ones kept.
    REQUIRE(insert_balance(db, BalanceRow{0, a.iccid, kT0, 1250, "您的账户余额为12.50元", "sms", std::nullopt}));
    REQUIRE(insert_balance(db, BalanceRow{0, a.iccid, kT0 + 86400, std::nullopt, "无法识别", "sms", std::nullopt}));
    REQUIRE(insert_balance(db, BalanceRow{0, b.iccid, kT0, -320, "您已欠费3.20元", "ussd", std::nullopt}));
    auto lb = latest_balances(db);
    REQUIRE(lb);
    REQUIRE(lb->size() == 2);
    CHECK_FALSE((*lb)[0].fen.has_value());
    CHECK((*lb)[1].fen == std::optional<std::int64_t>(-320));
    auto h = balance_history(db, a.iccid, 10);
    REQUIRE(h->size() == 2);
    CHECK((*h)[1].fen == std::optional<std::int64_t>(1250));

    // A message pinned to one SIM says so to the dispatcher; system kinds stay out of the lists.
    NewOutgoing q;
    q.peer = "10086";
    q.text = "CXYE";
    q.kind = MessageKind::System;
    q.via_iccid = a.iccid;
    q.segments = {NewSegment{"00310005810180F60000A904436CB608", 15}};
    auto ids = insert_outgoing(db, {q}, kT0);
    REQUIRE(ids);
    auto due = due_segments(db, kT0, 100);
    REQUIRE(due);
    bool pinned = false;
    for (const auto& d : *due) {
        if (d.segment.message_id == ids->front()) pinned = d.via_iccid == a.iccid && d.kind == MessageKind::System;
    }
    CHECK(pinned);
    NewIncoming in;
    in.peer = "10086";
    in.text = "您的账户余额为12.50元";
    in.scts = kT0;
    in.text_hash = "sys";
    in.kind = MessageKind::System;
    in.status = "handled";
    REQUIRE(insert_incoming(db, in, kT0));
    MessageQuery office;
    auto listed = list_messages(db, office);
    REQUIRE(listed);
    for (const auto& m : listed->items) CHECK(m.kind != MessageKind::System);
    MessageQuery sys;
    sys.system = true;
    auto s = list_messages(db, sys);
    REQUIRE(s);
    CHECK(s->items.size() == 2);
    CHECK(*count_messages(db, sys) == 2);
    REQUIRE(fail_queued_segments(db, ids->front(), "timed out", kT0 + 700));
    CHECK(get_message(db, ids->front())->status == "failed");
}

}  // namespace

TEST_CASE("the field tables work on a fresh database") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    exercise(*db);
    CHECK(*db->integrity_check() == "ok");
}

TEST_CASE("the field tables work after upgrading from every earlier version") {
    for (int from = 0; from < field_version(); ++from) {
        CAPTURE(from);
        cunxin::test::TempDir dir;
        const auto path = dir.file("old.db");
        {
            OpenOptions o;
            o.migrate_to = from;
            auto db = Database::open(path, o);
            REQUIRE(db);
            if (from >= 1) {
                NewIncoming in;  // a villager's reply written before the field checks existed
                in.peer = "+8613800000001";
                in.text = "02 村口路灯坏了";
                in.scts = kT0;
                in.text_hash = "h1";
                REQUIRE(insert_incoming(*db, in, kT0));
            }
        }
        auto db = Database::open(path);
        REQUIRE(db);
        CHECK(db->schema_version() == Database::latest_version());
        if (from >= 1) {
            MessageQuery q;
            q.direction = Direction::In;
            auto page = list_messages(*db, q);
            REQUIRE(page);
            REQUIRE(page->items.size() == 1);  // old messages are 'normal', still in the inbox
            CHECK(page->items[0].text == "02 村口路灯坏了");
        }
        exercise(*db);
        CHECK(*db->integrity_check() == "ok");
    }
}

// SPDX-License-Identifier: Apache-2.0
// Every migration is tested by upgrading a database filled at each earlier version.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <string>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

namespace {

constexpr Seconds kT0 = 1'760'000'000;
/// The migration that adds saved templates and nullable SIM limits (m006_templates_sim_limits).
constexpr int kTemplatesMigration = 6;

/// Fills a database with data using only what exists at `version` (every version >= 1 has
/// contacts, messages and SIMs; 0 is an empty file).
void fill(Database& db, int version) {
    if (version < 1) return;
    Contact c;
    c.name = "张三";
    c.mobile = "+8613800000001";
    c.village = "东村";
    c.party_join_date = "1987-07-01";
    c.tags = {"党员"};
    auto id = insert_contact(db, c, kT0);
    REQUIRE(id);
    NewOutgoing out;
    out.peer = c.mobile;
    out.text = "通知：明天上午九点在村委会开会";
    out.segments = {NewSegment{"0011000D91683108000000F10008FF00", 16}};
    REQUIRE(insert_outgoing(db, {out}, kT0));
    NewIncoming in;
    in.peer = c.mobile;
    in.text = "02 村口路灯坏了";
    in.category = "02";
    in.scts = kT0;
    in.text_hash = "h1";
    REQUIRE(insert_incoming(db, in, kT0 + 5));
    if (version == 3) {
        // Migration 4 renames the dotted keys of migration 3 and must keep their values.
        REQUIRE(set_setting(db, "anniversary.hour", "7"));
    }
}

}  // namespace

TEST_CASE("a fresh database reaches the latest schema version") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    CHECK(db->schema_version() == Database::latest_version());
    CHECK(Database::latest_version() >= 4);
    auto ok = db->integrity_check();
    REQUIRE(ok);
    CHECK(*ok == "ok");
}

TEST_CASE("upgrading from every earlier version keeps the data and adds the new features") {
    for (int from = 0; from < Database::latest_version(); ++from) {
        CAPTURE(from);
        cunxin::test::TempDir dir;
        const auto path = dir.file("old.db");
        {
            OpenOptions o;
            o.migrate_to = from;
            auto db = Database::open(path, o);
            REQUIRE(db);
            CHECK(db->schema_version() == from);
            fill(*db, from);
        }
        if (from >= 1 && from < kTemplatesMigration) {
            // SIM rows as versions 1-4 wrote them: 0/0/0 was "never set", anything else an override.
            sqlite3* raw = nullptr;
            REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
            REQUIRE(sqlite3_exec(raw,
                                 "INSERT INTO sims(iccid, first_seen, last_seen) VALUES ('8986000000000000001', 1, 1);"
                                 "INSERT INTO sims(iccid, limit_per_minute, limit_per_hour, limit_per_day, first_seen,"
                                 " last_seen) VALUES ('8986000000000000002', 0, 150, 0, 1, 1);",
                                 nullptr, nullptr, nullptr) == SQLITE_OK);
            sqlite3_close(raw);
        }
        if (from >= 1) {
            // A confirmation campaign as every version since 1 wrote it (migration 8 adds an option).
            sqlite3* raw = nullptr;
            REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
            REQUIRE(sqlite3_exec(raw,
                                 "INSERT INTO campaigns(id, name, template_text, status, created_at, confirm_request)"
                                 " VALUES (77, '防汛', '收到请回复1', 'done', 1, 1);",
                                 nullptr, nullptr, nullptr) == SQLITE_OK);
            sqlite3_close(raw);
        }
        auto db = Database::open(path);
        REQUIRE(db);
        CHECK(db->schema_version() == Database::latest_version());
        if (from >= 1) {
            // Migration 8: older campaigns take no missed call as confirmation.
            auto old = get_campaign(*db, 77);
            REQUIRE(old);
            CHECK(old->confirm_request);
            CHECK_FALSE(old->missed_call_confirms);
        }
        {
            // Migration 8: alerts and their deliveries, whatever the starting version.
            AlertRecord alert;
            alert.kind = "urgent_reply";
            alert.subject = "reply:1";
            alert.text = "【村信告警】紧急反映 03";
            alert.created_at = kT0;
            AlertSend send;
            send.number = "+8613900000001";
            send.due_at = kT0;
            alert.sends.push_back(send);
            REQUIRE(insert_alert(*db, alert));
            auto listed = list_alerts(*db, 10);
            REQUIRE(listed);
            REQUIRE(listed->size() == 1);
            CHECK((*listed)[0].sends.at(0).state == "waiting");
            CHECK(*count_waiting_alert_sends(*db) == 1);
        }
        if (from >= 1 && from < kTemplatesMigration) {
            // Never-set limits become "the configured default" (null), set ones stay.
            auto unset = get_sim(*db, "8986000000000000001");
            REQUIRE(unset);
            REQUIRE(unset->has_value());
            CHECK_FALSE((*unset)->limit_per_hour.has_value());
            CHECK_FALSE((*unset)->limit_per_minute.has_value());
            auto set = get_sim(*db, "8986000000000000002");
            REQUIRE(set->has_value());
            CHECK((*set)->limit_per_hour == std::optional<int>(150));
            CHECK((*set)->limit_per_minute == std::optional<int>(0));
        }
        // Saved templates: seeded, and usable whatever the starting version.
        auto tpls = list_templates(*db);
        REQUIRE(tpls);
        CHECK(tpls->size() >= 2);
        SavedTemplate t;
        t.name = "换届选举";
        t.body = "{姓名}同志：请于周五到{村}参加换届选举。";
        auto tid = insert_template(*db, t, kT0);
        REQUIRE(tid);
        CHECK(get_template(*db, *tid)->body == t.body);
        CHECK(insert_template(*db, t, kT0).error().code == Errc::constraint);  // names are unique
        CHECK(*db->integrity_check() == "ok");
        if (from >= 1) {
            auto c = find_contact_by_mobile(*db, "+8613800000001");
            REQUIRE(c);
            REQUIRE(c->has_value());
            CHECK((*c)->village == "东村");
            // Full-text search (migration 2) finds rows written before it existed.
            MessageQuery q;
            q.search = "路灯坏";
            auto page = list_messages(*db, q);
            REQUIRE(page);
            REQUIRE(page->items.size() == 1);
            CHECK(page->items[0].category == std::optional<std::string>("02"));
            q.search = "村委会开会";
            CHECK(list_messages(*db, q)->items.size() == 1);
            // Anniversary rows (migration 3) work for contacts made before it.
            CHECK(*claim_anniversary(*db, (*c)->id, 2026, kT0) == true);
            CHECK(*claim_anniversary(*db, (*c)->id, 2026, kT0) == false);
        }
        // Settings seeded by migration 3 (renamed by 4) are there whatever the starting version.
        auto hour = get_setting(*db, "anniversary_hour");
        REQUIRE(hour);
        CHECK(hour->value_or("") == (from == 3 ? "7" : "9"));
        CHECK_FALSE(get_setting(*db, "anniversary.hour")->has_value());
        CHECK(get_setting(*db, "anniversary_enabled")->value_or("") == "1");
        // The default reply menu from migration 1.
        auto menu = list_menu(*db);
        REQUIRE(menu);
        REQUIRE(menu->size() == 3);
        CHECK((*menu)[1].label_zh == "意见建议");
    }
}

TEST_CASE("a database from a newer build is refused, not damaged") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("a.db");
    { REQUIRE(Database::open(path)); }
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
        REQUIRE(sqlite3_exec(raw, "PRAGMA user_version=999", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(raw);
    }
    auto db = Database::open(path);
    REQUIRE_FALSE(db);
    CHECK(db.error().code == Errc::too_new);
}

TEST_CASE("the write connection is WAL with synchronous=FULL and foreign keys on") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    auto pragma = [&](const char* sql) {
        sqlite3_stmt* s = nullptr;
        REQUIRE(sqlite3_prepare_v2(db->handle(), sql, -1, &s, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(s) == SQLITE_ROW);
        std::string v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return v;
    };
    CHECK(pragma("PRAGMA journal_mode") == "wal");
    CHECK(pragma("PRAGMA synchronous") == "2");  // FULL
    CHECK(pragma("PRAGMA foreign_keys") == "1");
    CHECK(std::stoi(pragma("PRAGMA busy_timeout")) > 0);
}

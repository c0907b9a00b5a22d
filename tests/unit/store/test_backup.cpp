// SPDX-License-Identifier: Apache-2.0
// Restore: validate_backup on real SQLite files (random bytes, truncated, wrong versions,
// extra schema objects, a large genuine backup) and the start-up path that applies a pending
// restore or sets a broken one aside; every case ends with a database that opens with its data.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>

#include "cunxin/store/backup.hpp"
#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;
namespace fs = std::filesystem;

namespace {

constexpr Seconds kT0 = 1'760'000'000;

void exec(const std::string& path, const std::string& sql) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    char* msg = nullptr;
    const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &msg);
    INFO(sql, " -> ", (msg ? msg : ""));
    sqlite3_free(msg);
    sqlite3_close(raw);
    REQUIRE(rc == SQLITE_OK);
}

/// A genuine backup of a live database holding `contacts` contacts (made with backup_to).
std::string make_backup(const cunxin::test::TempDir& dir, const std::string& name, int contacts = 3,
                        int notes_bytes = 0) {
    const auto live = dir.file(name + ".live.db");
    {
        auto db = Database::open(live);
        REQUIRE(db);
        Transaction tx(*db);
        for (int i = 0; i < contacts; ++i) {
            Contact c;
            c.name = "联系人" + std::to_string(i);
            c.mobile = "+86138" + std::to_string(10000000 + i);
            c.village = "东村";
            c.notes = std::string(static_cast<std::size_t>(notes_bytes), 'n');
            REQUIRE(insert_contact(*db, c, kT0));
        }
        REQUIRE(tx.commit());
        const auto out = dir.file(name);
        REQUIRE(db->backup_to(out));
    }
    return dir.file(name);
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::set<std::string> files_in(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

BackupProblem refused(const std::string& path) {
    const auto before = files_in(fs::path(path).parent_path());
    auto r = validate_backup(path);
    CHECK(files_in(fs::path(path).parent_path()) == before);  // nothing left behind
    REQUIRE_FALSE(r);
    INFO(r.error().detail);
    CHECK_FALSE(r.error().detail.empty());
    return r.error().problem;
}

}  // namespace

TEST_CASE("a genuine backup passes and leaves no side file") {
    cunxin::test::TempDir dir;
    const auto b = make_backup(dir, "good.db");
    const auto before = files_in(fs::path(b).parent_path());
    auto r = validate_backup(b);
    REQUIRE(r);
    CHECK(r->schema_version == Database::latest_version());
    CHECK(files_in(fs::path(b).parent_path()) == before);
    CHECK_FALSE(fs::exists(b + "-wal"));
    CHECK_FALSE(fs::exists(b + "-shm"));
}

TEST_CASE("random bytes, a missing file and a truncated backup are refused") {
    cunxin::test::TempDir dir;
    std::mt19937 rng(7);
    std::string noise(64 * 1024, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    write_file(dir.file("noise.db"), noise);
    CHECK(refused(dir.file("noise.db")) == BackupProblem::not_sqlite);
    // A SQLite header followed by noise.
    std::string fake = std::string("SQLite format 3", 16) + noise;
    write_file(dir.file("fake.db"), fake);
    CHECK(refused(dir.file("fake.db")) == BackupProblem::damaged);
    CHECK(refused(dir.file("absent.db")) == BackupProblem::unreadable);
    write_file(dir.file("empty.db"), "");
    CHECK(refused(dir.file("empty.db")) == BackupProblem::not_sqlite);

    const auto good = read_file(make_backup(dir, "good.db", 2000));
    REQUIRE(good.size() > 100'000);
    write_file(dir.file("cut.db"), good.substr(0, good.size() / 2));
    CHECK(refused(dir.file("cut.db")) == BackupProblem::damaged);
    // A page in the middle overwritten with zeros: the header is fine, the b-tree is not.
    std::string holed = good;
    std::fill(holed.begin() + 8192, holed.begin() + 8192 + 4096 * 4, '\0');
    write_file(dir.file("holed.db"), holed);
    CHECK(refused(dir.file("holed.db")) == BackupProblem::damaged);
}

TEST_CASE("schema versions 0, older-than-the-file and newer than this build are refused") {
    cunxin::test::TempDir dir;
    const auto good = make_backup(dir, "good.db");
    for (int v : {0, 1, 2, Database::latest_version() + 1, 999}) {
        CAPTURE(v);
        const auto p = dir.file("v" + std::to_string(v) + ".db");
        fs::copy_file(good, p);
        exec(p, "PRAGMA user_version=" + std::to_string(v));
        const auto problem = refused(p);
        if (v == 0) CHECK(problem == BackupProblem::no_version);
        else if (v > Database::latest_version()) CHECK(problem == BackupProblem::too_new);
        else CHECK(problem == BackupProblem::wrong_schema);
    }
    // The file: user_version = 4 and one dummy table.
    exec(dir.file("dummy.db"), "CREATE TABLE t(x); PRAGMA user_version=4");
    CHECK(refused(dir.file("dummy.db")) == BackupProblem::wrong_schema);
}

TEST_CASE("a genuine database of every older version passes") {
    for (int v = 1; v <= Database::latest_version(); ++v) {
        CAPTURE(v);
        cunxin::test::TempDir dir;
        OpenOptions o;
        o.migrate_to = v;
        { REQUIRE(Database::open(dir.file("old.db"), o)); }
        auto r = validate_backup(dir.file("old.db"));
        REQUIRE(r);
        CHECK(r->schema_version == v);
    }
}

TEST_CASE("extra or missing triggers, views, tables and indexes are refused") {
    cunxin::test::TempDir dir;
    const auto good = make_backup(dir, "good.db");
    const char* tampering[] = {
        "CREATE TRIGGER zz_evil AFTER INSERT ON messages BEGIN DELETE FROM contacts; END",
        "CREATE VIEW v_all AS SELECT * FROM contacts",
        "CREATE TABLE extra(x)",
        "CREATE INDEX extra_idx ON contacts(name)",
        "DROP INDEX contacts_village",
        "ANALYZE",
    };
    int i = 0;
    for (const char* sql : tampering) {
        CAPTURE(sql);
        const auto p = dir.file("t" + std::to_string(i++) + ".db");
        fs::copy_file(good, p);
        exec(p, sql);
        CHECK(refused(p) == BackupProblem::wrong_schema);
    }
    // A genuine trigger rewritten in place (same name, another body) through writable_schema.
    const auto p = dir.file("rewritten.db");
    fs::copy_file(good, p);
    exec(p, "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = "
            "'CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN DELETE FROM contacts; END' "
            "WHERE name = 'messages_fts_ai'");
    CHECK(refused(p) == BackupProblem::wrong_schema);
    // Whitespace differences alone are the same schema.
    const auto q = dir.file("spaced.db");
    fs::copy_file(good, q);
    exec(q, "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql, 'name TEXT NOT NULL', "
            "'name  TEXT\n  NOT NULL') WHERE type = 'table' AND name = 'contacts'");
    CHECK(validate_backup(q));
}

TEST_CASE("a large genuine backup passes") {
    cunxin::test::TempDir dir;
    const auto b = make_backup(dir, "big.db", 1000);
    // Tens of MB quickly: 60,000 contacts with 500-byte notes in one statement.
    exec(b, "PRAGMA journal_mode=DELETE; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) "
            "INSERT INTO contacts(name, mobile, notes, created_at, updated_at) "
            "SELECT '联系人' || i, '+86139' || (10000000 + i), hex(randomblob(250)), 1, 1 FROM n");
    REQUIRE(fs::file_size(b) > 30'000'000u);
    auto r = validate_backup(b);
    REQUIRE(r);
    CHECK(r->bytes == static_cast<std::int64_t>(fs::file_size(b)));
}

TEST_CASE("at start a pending restore is applied and the previous database is kept") {
    cunxin::test::TempDir dir;
    const auto live = dir.file("cunxin.db");
    {
        auto db = Database::open(live);
        REQUIRE(db);
        Contact c;
        c.name = "旧";
        c.mobile = "+8613800000001";
        REQUIRE(insert_contact(*db, c, kT0));
    }
    const auto b = make_backup(dir, "upload.db", 5);
    fs::rename(b, pending_restore_path(live));
    auto s = open_at_start(live, "20261206-120000", kT0);
    REQUIRE(s);
    REQUIRE(s->restore);
    CHECK(s->restore->applied);
    CHECK_FALSE(s->restore->set_aside);
    CHECK(*count_contacts(s->db) == 5);
    CHECK(fs::exists(live + ".before-restore-20261206-120000"));
    CHECK_FALSE(fs::exists(pending_restore_path(live)));
    CHECK(get_setting(s->db, "restore_result")->value_or("") == "applied");
}

TEST_CASE("at start a restore that cannot be opened is set aside and the previous data is used") {
    const std::vector<std::string> bad = {
        "",
        std::string(10000, 'x'),
        "dummy-v4",
        "v1-of-latest",
    };
    for (const auto& kind : bad) {
        CAPTURE(kind);
        cunxin::test::TempDir dir;
        const auto live = dir.file("cunxin.db");
        {
            auto db = Database::open(live);
            REQUIRE(db);
            for (int i = 0; i < 100; ++i) {
                Contact c;
                c.name = "联系人";
                c.mobile = "+86138" + std::to_string(10000000 + i);
                REQUIRE(insert_contact(*db, c, kT0));
            }
        }
        const auto pending = pending_restore_path(live);
        if (kind == "dummy-v4") {
            exec(pending, "CREATE TABLE t(x); PRAGMA user_version=4");
        } else if (kind == "v1-of-latest") {
            fs::copy_file(make_backup(dir, "b.db"), pending);
            exec(pending, "PRAGMA user_version=1");
        } else {
            write_file(pending, kind);
        }
        {
        auto s = open_at_start(live, "20261206-120000", kT0);
        REQUIRE(s);
        REQUIRE(s->restore);
        CHECK_FALSE(s->restore->applied);
        CHECK(s->restore->set_aside);
        CHECK_FALSE(s->restore->reason.empty());
        CHECK(*count_contacts(s->db) == 100);
        CHECK(fs::exists(live + ".restore-failed-20261206-120000"));
        CHECK_FALSE(fs::exists(pending));
        CHECK(get_setting(s->db, "restore_result")->value_or("") == "set_aside");
        CHECK_FALSE(get_setting(s->db, "restore_reason")->value_or("").empty());
        }
        // And the next start is an ordinary one on the same data.
        auto again = open_at_start(live, "20261206-130000", kT0);
        REQUIRE(again);
        CHECK_FALSE(again->restore);
        CHECK(*count_contacts(again->db) == 100);
    }
}

TEST_CASE("a restore outcome in the same second as a dismissed one is shown again") {
    cunxin::test::TempDir dir;
    const auto live = dir.file("cunxin.db");
    REQUIRE(Database::open(live));
    fs::rename(make_backup(dir, "upload.db", 5), pending_restore_path(live));
    {
        auto s = open_at_start(live, "20261206-120000", kT0);
        REQUIRE(s);
        REQUIRE(s->restore);
        // The admin dismisses the notice: the panel stores the outcome's time as seen.
        const auto at = get_setting(s->db, "restore_at")->value_or("");
        REQUIRE_FALSE(at.empty());
        REQUIRE(set_setting(s->db, "restore_notice_seen", at));
    }
    write_file(pending_restore_path(live), std::string(10000, 'x'));
    auto s = open_at_start(live, "20261206-120001", kT0);  // the same second: the same restore_at
    REQUIRE(s);
    REQUIRE(s->restore);
    CHECK(s->restore->set_aside);
    CHECK(get_setting(s->db, "restore_at")->value_or("") == std::to_string(kT0));
    CHECK(get_setting(s->db, "restore_notice_seen")->value_or("x").empty());  // was the old time: hidden
}

TEST_CASE("a copy of the live database file in WAL mode passes without side files") {
    cunxin::test::TempDir dir;
    const auto live = dir.file("cunxin.db");
    {
        auto db = Database::open(live);
        REQUIRE(db);
        Contact c;
        c.name = "王";
        c.mobile = "+8613800000009";
        REQUIRE(insert_contact(*db, c, kT0));
        REQUIRE(db->checkpoint_truncate());
    }
    const auto copy = dir.file("copy.db");
    fs::copy_file(live, copy);
    const auto header = read_file(copy).substr(18, 2);
    CHECK(header == std::string("\x02\x02", 2));  // WAL mode in the header
    auto r = validate_backup(copy);
    REQUIRE(r);
    CHECK_FALSE(fs::exists(copy + "-wal"));
    CHECK_FALSE(fs::exists(copy + "-shm"));
}

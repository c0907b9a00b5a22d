// SPDX-License-Identifier: Apache-2.0
// Database::checkpoint_truncate (idle WAL checkpoint) and the WAL settings, on real files.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;
namespace fs = std::filesystem;

namespace {

Contact person(int i) {
    Contact c;
    c.name = "村民" + std::to_string(i);
    c.mobile = "+86138" + std::to_string(10000000 + i);
    c.village = "东村";
    return c;
}

long long pragma(Database& db, const char* sql) {
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.handle(), sql, -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    const long long v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

}  // namespace

TEST_CASE("checkpoint_truncate empties the WAL file and leaves every row in the database file") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("c.db");
    auto db = Database::open(path);
    REQUIRE(db);
    for (int i = 0; i < 50; ++i) REQUIRE(insert_contact(*db, person(i), 1'760'000'000));
    REQUIRE(fs::file_size(path + "-wal") > 0);

    auto r = db->checkpoint_truncate();
    REQUIRE(r);
    CHECK(*r);
    CHECK(fs::file_size(path + "-wal") == 0);
    // The main file alone (no WAL beside it) holds all 50 contacts.
    const auto copy = dir.file("copy.db");
    fs::copy_file(path, copy);
    auto alone = Database::open(copy);
    REQUIRE(alone);
    CHECK(pragma(*alone, "SELECT count(*) FROM contacts") == 50);
    // The connection goes on writing after it.
    CHECK(insert_contact(*db, person(99), 1'760'000'000));
    CHECK(fs::file_size(path + "-wal") > 0);
    CHECK(pragma(*db, "PRAGMA busy_timeout") == 5000);  // restored after the checkpoint
}

TEST_CASE("checkpoint_truncate reports 'not now' while a reader holds an old snapshot, quickly") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("c.db");
    auto db = Database::open(path);
    REQUIRE(db);
    REQUIRE(insert_contact(*db, person(1), 1'760'000'000));
    OpenOptions ro;
    ro.access = Access::ReadOnly;
    auto reader = Database::open(path, ro);
    REQUIRE(reader);
    REQUIRE(sqlite3_exec(reader->handle(), "BEGIN; SELECT count(*) FROM contacts;", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    REQUIRE(insert_contact(*db, person(2), 1'760'000'000));  // newer than the reader's snapshot

    const auto t0 = std::chrono::steady_clock::now();
    auto busy = db->checkpoint_truncate();
    const auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE(busy);
    CHECK_FALSE(*busy);
    CHECK(waited < std::chrono::seconds(2));  // not the 5 s busy_timeout: the core loop waits
    CHECK(fs::file_size(path + "-wal") > 0);

    REQUIRE(sqlite3_exec(reader->handle(), "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
    auto done = db->checkpoint_truncate();
    REQUIRE(done);
    CHECK(*done);
    CHECK(fs::file_size(path + "-wal") == 0);
}

TEST_CASE("checkpoint on a read-only connection is refused, and the WAL settings of a read-write one") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("c.db");
    auto db = Database::open(path);
    REQUIRE(db);
    CHECK(pragma(*db, "PRAGMA wal_autocheckpoint") == 1000);
    CHECK(pragma(*db, "PRAGMA journal_size_limit") == 4 * 1024 * 1024);
    OpenOptions ro;
    ro.access = Access::ReadOnly;
    auto reader = Database::open(path, ro);
    REQUIRE(reader);
    auto r = reader->checkpoint_truncate();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::read_only);
}

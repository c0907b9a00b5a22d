// SPDX-License-Identifier: Apache-2.0
// The database, its -wal/-shm and backups are the owner's only (0600) whatever the umask.

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

namespace {

unsigned mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 07777;
    return st.st_mode & 0777;
}

/// Sets a umask for the scope of a test.
struct Umask {
    explicit Umask(mode_t m) : old(::umask(m)) {}
    ~Umask() { ::umask(old); }
    mode_t old;
};

}  // namespace

TEST_CASE("store: database, -wal, -shm and backups are 0600 under umask 000") {
    Umask u(0);
    cunxin::test::TempDir dir;
    const auto path = dir.file("cunxin.db");
    {
        auto db = Database::open(path);
        REQUIRE(db);
        Contact c;
        c.name = "王五";
        c.mobile = "+8613800000009";
        REQUIRE(insert_contact(*db, c, 1'760'000'000));
        CHECK(mode_of(path) == 0600);  // was 0666 & ~umask: 0666 here, 0644 under umask 022
        CHECK(mode_of(path + "-wal") == 0600);
        CHECK(mode_of(path + "-shm") == 0600);
        const auto backup = dir.file("backup.db");
        REQUIRE(db->backup_to(backup));
        CHECK(mode_of(backup) == 0600);
    }
    // An existing database left readable by others is narrowed when opened for writing.
    const auto old = dir.file("old.db");
    { REQUIRE(Database::open(old)); }
    ::chmod(old.c_str(), 0644);
    {
        auto db = Database::open(old);
        REQUIRE(db);
        CHECK(mode_of(old) == 0600);
    }
    // A read-only connection changes nothing.
    ::chmod(old.c_str(), 0640);
    {
        OpenOptions o;
        o.access = Access::ReadOnly;
        o.check_integrity = false;
        auto db = Database::open(old, o);
        REQUIRE(db);
        CHECK(mode_of(old) == 0640);
    }
}

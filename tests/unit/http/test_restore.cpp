// SPDX-License-Identifier: Apache-2.0
// POST /api/v1/system/restore refuses what would brick or tamper with the box (issue 12 item 3):
// 422 with a Chinese reason, nothing left next to the database; a genuine backup is accepted.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "harness.hpp"

using namespace cxtest;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A changed copy of a backup: `sql` run on it with the sqlite3 library.
std::string tampered(const fs::path& dir, const std::string& backup, const std::string& sql) {
    const auto p = dir / "tamper.db";
    fs::remove(p);
    {
        std::ofstream out(p, std::ios::binary);
        out.write(backup.data(), static_cast<std::streamsize>(backup.size()));
    }
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(p.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
    auto bytes = slurp(p);
    fs::remove(p);
    return bytes;
}

std::set<std::string> listing(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

bool has_cjk(const std::string& s) {
    // Any three-byte UTF-8 sequence starting with 0xE4..0xE9 (U+4000..U+9FFF).
    for (unsigned char c : s) {
        if (c >= 0xE4 && c <= 0xE9) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("restore refuses files that would brick or tamper with the box, with a Chinese reason") {
    Harness h;
    auto& admin = h.admin();
    httplib::Client raw("127.0.0.1", h.port);
    const httplib::Headers hdr = {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}};
    auto b = raw.Get("/api/v1/system/backup", hdr);
    REQUIRE(b);
    REQUIRE(b->status == 200);
    const std::string backup = b->body;
    const auto work = h.dir / "work";
    fs::create_directory(work);
    const auto before = listing(h.dir);

    std::mt19937 rng(12);
    std::string noise(200'000, '\0');
    for (auto& c : noise) c = static_cast<char>(rng());
    struct Case {
        std::string what;
        std::string bytes;
    };
    const std::vector<Case> cases = {
        {"random bytes", noise},
        {"SQLite header and noise", std::string("SQLite format 3", 16) + noise},
        {"truncated", backup.substr(0, backup.size() / 2)},
        {"user_version 4 and a dummy table", tampered(work, "", "CREATE TABLE t(x); PRAGMA user_version=4")},
        {"user_version 0", tampered(work, backup, "PRAGMA user_version=0")},
        {"user_version 1", tampered(work, backup, "PRAGMA user_version=1")},
        {"user_version from the future", tampered(work, backup, "PRAGMA user_version=99")},
        {"evil trigger", tampered(work, backup,
                                  "CREATE TRIGGER zz_evil AFTER INSERT ON messages BEGIN DELETE FROM contacts; END")},
        {"extra view", tampered(work, backup, "CREATE VIEW v AS SELECT * FROM contacts")},
        {"extra table", tampered(work, backup, "CREATE TABLE extra(x)")},
        {"extra index", tampered(work, backup, "CREATE INDEX extra_i ON contacts(name)")},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        auto r = raw.Post("/api/v1/system/restore", hdr, c.bytes, "application/octet-stream");
        REQUIRE(r);
        CHECK(r->status == 422);
        auto j = json::parse(r->body, nullptr, false);
        REQUIRE(j.is_object());
        REQUIRE(j["error"].is_object());
        const std::string message = j["error"]["message"].get<std::string>();
        CAPTURE(message);
        CHECK(has_cjk(message));
        CHECK(listing(h.dir) == before);  // no .restore, no .tmp, no -wal/-shm
    }
    auto good = raw.Post("/api/v1/system/restore", hdr, backup, "application/octet-stream");
    REQUIRE(good);
    CHECK(good->status == 202);
    CHECK(fs::exists(h.dir / "cunxin.db.restore"));
    CHECK_FALSE(fs::exists(h.dir / "cunxin.db.restore.tmp"));
    CHECK_FALSE(fs::exists(h.dir / "cunxin.db.restore.tmp-wal"));
    CHECK_FALSE(fs::exists(h.dir / "cunxin.db.restore.tmp-shm"));
}

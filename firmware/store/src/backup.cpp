// SPDX-License-Identifier: Apache-2.0
// Restore: the check of an uploaded backup and the start-up swap with its fallback.
#include "cunxin/store/backup.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cunxin/store/contacts.hpp"
#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {
namespace {

namespace fs = std::filesystem;

/// One schema object as compared: type, name, table, SQL with whitespace runs collapsed.
using SchemaObject = std::tuple<std::string, std::string, std::string, std::string>;
using Schema = std::multiset<SchemaObject>;

std::string normalise_sql(const unsigned char* text) {
    std::string out;
    if (text == nullptr) return out;
    bool space = false;
    for (const unsigned char* p = text; *p != 0; ++p) {
        const bool ws = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v';
        if (ws) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(*p);
    }
    return out;
}

/// Reads sqlite_master; false (and SQLite's message in `why`) when the schema is unreadable.
bool read_schema(sqlite3* db, Schema& out, std::string& why) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_master", -1, &s, nullptr);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            auto col = [&](int c) {
                const auto* p = sqlite3_column_text(s, c);
                return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
            };
            out.emplace(col(0), col(1), col(2), normalise_sql(sqlite3_column_text(s, 3)));
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) why = sqlite3_errmsg(db);
    sqlite3_finalize(s);
    return rc == SQLITE_OK;
}

/// The schema the real migrations build at `version`, in an in-memory database (cached).
Schema expected_schema(int version) {
    static std::mutex mutex;
    static std::map<int, Schema> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(version); it != cache.end()) return it->second;
    Database::Impl impl;
    if (sqlite3_open_v2(":memory:", &impl.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        throw_error(Errc::open_failed, "in-memory database");
    }
    impl.exec("PRAGMA foreign_keys=ON");
    for (int v = 0; v < version; ++v) migrations()[static_cast<std::size_t>(v)](impl);
    Schema schema;
    std::string why;
    if (!read_schema(impl.db, schema, why)) throw_error(Errc::sql, why);
    return cache.emplace(version, std::move(schema)).first->second;
}

std::string describe(const SchemaObject& o) {
    return std::get<0>(o) + " " + std::get<1>(o);
}

/// A file path as an SQLite URI path (RFC 3986 percent-encoding of what is not plain).
std::string uri_path(const std::string& path) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

/// A read-only, immutable connection: no lock, no -wal or -shm file is created.
struct ImmutableDb {
    sqlite3* db = nullptr;
    ~ImmutableDb() {
        if (db != nullptr) sqlite3_close_v2(db);
    }
};

cunxin::Unexpected<BackupRefusal> refuse(BackupProblem p, std::string detail) {
    return cunxin::unexpected(BackupRefusal{p, std::move(detail)});
}

void move_with_side_files(const std::string& from, const std::string& to) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal"}) {
        const std::string f = from + suffix;
        if (fs::exists(f, ec)) fs::rename(f, to + suffix);
    }
    fs::remove(from + "-shm", ec);  // rebuilt from the WAL at the next open
}

void record(Database& db, const RestoreOutcome& o, Seconds now) {
    (void)set_setting(db, "restore_result", o.applied ? "applied" : "set_aside");
    (void)set_setting(db, "restore_at", std::to_string(now));
    (void)set_setting(db, "restore_kept", fs::path(o.kept).filename().string());
    (void)set_setting(db, "restore_reason", o.reason);
    // A new outcome is always unread, even when it falls in the second of one already dismissed.
    (void)set_setting(db, "restore_notice_seen", "");
}

}  // namespace

const char* to_string(BackupProblem p) noexcept {
    switch (p) {
        case BackupProblem::unreadable: return "unreadable";
        case BackupProblem::not_sqlite: return "not_sqlite";
        case BackupProblem::damaged: return "damaged";
        case BackupProblem::no_version: return "no_version";
        case BackupProblem::too_new: return "too_new";
        case BackupProblem::wrong_schema: return "wrong_schema";
    }
    return "unknown";
}

cunxin::Expected<BackupInfo, BackupRefusal> validate_backup(const std::string& path) {
    BackupInfo info;
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) return refuse(BackupProblem::unreadable, "cannot open " + path);
        std::array<char, 100> header{};
        in.read(header.data(), header.size());
        if (in.gcount() < 100 || std::string_view(header.data(), 16) != std::string_view("SQLite format 3\0", 16)) {
            return refuse(BackupProblem::not_sqlite, "no SQLite header");
        }
        std::error_code ec;
        info.bytes = static_cast<std::int64_t>(fs::file_size(path, ec));
        if (ec) return refuse(BackupProblem::unreadable, ec.message());
        // Header: page size at offset 16 (1 = 65536), page count at 28 (valid when the
        // change counter at 24 equals the version-valid-for number at 92).
        const auto u8 = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(header[i])); };
        const auto be32 = [&](int i) { return (u8(i) << 24) | (u8(i + 1) << 16) | (u8(i + 2) << 8) | u8(i + 3); };
        std::uint32_t page = (u8(16) << 8) | u8(17);
        if (page == 1) page = 65536;
        if (page < 512 || page > 65536 || (page & (page - 1)) != 0) {
            return refuse(BackupProblem::damaged, "bad page size " + std::to_string(page));
        }
        if (info.bytes % page != 0) return refuse(BackupProblem::damaged, "size is not a whole number of pages");
        if (be32(24) == be32(92) && static_cast<std::int64_t>(be32(28)) * page != info.bytes) {
            return refuse(BackupProblem::damaged, "the header counts " + std::to_string(be32(28)) +
                                                      " pages, the file holds " + std::to_string(info.bytes / page));
        }
    }
    ImmutableDb c;
    const std::string uri = "file:" + uri_path(path) + "?immutable=1";
    if (sqlite3_open_v2(uri.c_str(), &c.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        return refuse(BackupProblem::unreadable, c.db ? sqlite3_errmsg(c.db) : "open failed");
    }
    // Nothing in the file runs: no schema functions, no writes to the schema.
    sqlite3_db_config(c.db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(c.db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_exec(c.db, "PRAGMA query_only=ON", nullptr, nullptr, nullptr);

    Schema found;
    std::string why;
    if (!read_schema(c.db, found, why)) return refuse(BackupProblem::damaged, why);
    {
        sqlite3_stmt* s = nullptr;
        int version = -1;
        if (sqlite3_prepare_v2(c.db, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW) {
            version = sqlite3_column_int(s, 0);
        }
        sqlite3_finalize(s);
        if (version < 0) return refuse(BackupProblem::damaged, "no schema version");
        if (version == 0) return refuse(BackupProblem::no_version, "schema version 0");
        if (version > Database::latest_version()) {
            return refuse(BackupProblem::too_new, "schema version " + std::to_string(version) + " > " +
                                                      std::to_string(Database::latest_version()));
        }
        info.schema_version = version;
    }
    Schema expected;
    try {
        expected = expected_schema(info.schema_version);
    } catch (const SqlError& e) {
        return refuse(BackupProblem::unreadable, "expected schema: " + e.error.detail);
    }
    if (found != expected) {
        std::vector<SchemaObject> extra;
        std::vector<SchemaObject> missing;
        std::set_difference(found.begin(), found.end(), expected.begin(), expected.end(), std::back_inserter(extra));
        std::set_difference(expected.begin(), expected.end(), found.begin(), found.end(), std::back_inserter(missing));
        std::string detail;
        int listed = 0;
        for (const auto& o : extra) {
            if (++listed > 5) break;
            const bool changed = std::any_of(missing.begin(), missing.end(), [&](const SchemaObject& m) {
                return std::get<0>(m) == std::get<0>(o) && std::get<1>(m) == std::get<1>(o);
            });
            detail += (detail.empty() ? "" : ", ") + std::string(changed ? "changed " : "extra ") + describe(o);
        }
        for (const auto& o : missing) {
            if (++listed > 5) break;
            const bool changed = std::any_of(extra.begin(), extra.end(), [&](const SchemaObject& e) {
                return std::get<0>(e) == std::get<0>(o) && std::get<1>(e) == std::get<1>(o);
            });
            if (!changed) detail += (detail.empty() ? "" : ", ") + std::string("missing ") + describe(o);
        }
        if (extra.size() + missing.size() > 6) detail += ", … (" + std::to_string(extra.size()) + " extra, " +
                                                   std::to_string(missing.size()) + " missing)";
        return refuse(BackupProblem::wrong_schema, "schema version " + std::to_string(info.schema_version) + ": " + detail);
    }
    {
        sqlite3_stmt* s = nullptr;
        std::string result;
        int rc = sqlite3_prepare_v2(c.db, "PRAGMA integrity_check(5)", -1, &s, nullptr);
        if (rc == SQLITE_OK) {
            while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                const auto* p = sqlite3_column_text(s, 0);
                result += (result.empty() ? "" : "; ") + std::string(p ? reinterpret_cast<const char*>(p) : "");
            }
        }
        if (rc != SQLITE_DONE) result += (result.empty() ? "" : "; ") + std::string(sqlite3_errmsg(c.db));
        sqlite3_finalize(s);
        if (result != "ok") return refuse(BackupProblem::damaged, "integrity_check: " + result);
    }
    return info;
}

std::string pending_restore_path(const std::string& db_path) { return db_path + ".restore"; }

Result<StartupDatabase> open_at_start(const std::string& db_path, const std::string& stamp, Seconds now,
                                      OpenOptions options) {
    const std::string pending = pending_restore_path(db_path);
    std::error_code ec;
    if (!fs::exists(pending, ec)) {
        auto db = Database::open(db_path, options);
        if (!db) return cunxin::unexpected(db.error());
        return StartupDatabase{std::move(*db), std::nullopt};
    }
    RestoreOutcome outcome;
    const std::string failed = db_path + ".restore-failed-" + stamp;
    const std::string previous = db_path + ".before-restore-" + stamp;
    // The upload was checked, but a file may also have been put there by hand: check again.
    if (auto v = validate_backup(pending); !v) {
        outcome.reason = std::string(to_string(v.error().problem)) + ": " + v.error().detail;
    } else {
        try {
            if (fs::exists(db_path, ec)) move_with_side_files(db_path, previous);
            move_with_side_files(pending, db_path);
        } catch (const fs::filesystem_error& e) {
            return cunxin::unexpected(Error{Errc::open_failed, -1, std::string("restore: ") + e.what()});
        }
        auto db = Database::open(db_path, options);
        if (db) {
            outcome.applied = true;
            outcome.kept = previous;
            record(*db, outcome, now);
            return StartupDatabase{std::move(*db), outcome};
        }
        outcome.reason = std::string(to_string(db.error().code)) + ": " + db.error().detail;
        try {
            move_with_side_files(db_path, pending);
            if (fs::exists(previous, ec)) move_with_side_files(previous, db_path);
        } catch (const fs::filesystem_error& e) {
            return cunxin::unexpected(Error{Errc::open_failed, -1, std::string("restore fallback: ") + e.what()});
        }
    }
    try {
        move_with_side_files(pending, failed);
    } catch (const fs::filesystem_error& e) {
        return cunxin::unexpected(Error{Errc::open_failed, -1, std::string("restore set-aside: ") + e.what()});
    }
    outcome.set_aside = true;
    outcome.kept = failed;
    auto db = Database::open(db_path, options);
    if (!db) return cunxin::unexpected(db.error());
    record(*db, outcome, now);
    return StartupDatabase{std::move(*db), outcome};
}

}  // namespace cunxin::store

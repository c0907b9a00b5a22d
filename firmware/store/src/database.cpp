// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "migrations/migrations.hpp"
#include "sql.hpp"

namespace cunxin::store {

const char* to_string(Errc code) noexcept {
    switch (code) {
        case Errc::open_failed: return "open_failed";
        case Errc::corrupt: return "corrupt";
        case Errc::too_new: return "too_new";
        case Errc::read_only: return "read_only";
        case Errc::busy: return "busy";
        case Errc::constraint: return "constraint";
        case Errc::not_found: return "not_found";
        case Errc::invalid_argument: return "invalid_argument";
        case Errc::sql: return "sql";
    }
    return "unknown";
}

namespace {

/// The database (and its -wal/-shm, which SQLite creates with the database's mode) readable by
/// the owner only, whatever the umask: it holds every citizen's number and message. A file that
/// exists keeps its content; a mode open to others is narrowed. SQLite URIs and ":memory:" are
/// left alone.
void make_private(const std::string& path) {
    if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        const std::string p = path + suffix;
        const int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (suffix[0] == '\0' ? O_CREAT : 0);
        const int fd = ::open(p.c_str(), flags, 0600);
        if (fd < 0) continue;  // absent -wal/-shm, or not ours to change: SQLite reports real errors
        struct stat st {};
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
            (void)::fchmod(fd, st.st_mode & 0700);
        }
        ::close(fd);
    }
}

}  // namespace

Error error_from(sqlite3* db, int rc, std::string_view what) {
    Errc code = Errc::sql;
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED: code = Errc::busy; break;
        case SQLITE_CONSTRAINT: code = Errc::constraint; break;
        case SQLITE_READONLY: code = Errc::read_only; break;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: code = Errc::corrupt; break;
        case SQLITE_CANTOPEN: code = Errc::open_failed; break;
        default: break;
    }
    std::string detail(what);
    detail += ": ";
    detail += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return Error{code, rc, std::move(detail)};
}

void throw_sql(sqlite3* db, int rc, std::string_view what) { throw SqlError{error_from(db, rc, what)}; }

void throw_error(Errc code, std::string detail) { throw SqlError{Error{code, -1, std::move(detail)}}; }

Database::Impl::~Impl() {
    for (auto& [sql, s] : cache) sqlite3_finalize(s);
    if (db != nullptr) sqlite3_close_v2(db);
}

Stmt Database::Impl::prepare(const std::string& sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) {
        sqlite3_stmt* s = nullptr;
        int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &s, nullptr);
        if (rc != SQLITE_OK) throw_sql(db, rc, sql);
        it = cache.emplace(sql, s).first;
    }
    return Stmt(db, it->second, &before_write);
}

void Database::Impl::exec(const char* sql) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        std::string detail = msg ? msg : sqlite3_errstr(rc);
        sqlite3_free(msg);
        throw SqlError{Error{error_from(nullptr, rc, "").code, rc, detail}};
    }
}

namespace {

int user_version(Database::Impl& impl) {
    auto s = impl.prepare("PRAGMA user_version");
    return s.step() ? s.i32(0) : 0;
}

}  // namespace

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

int Database::latest_version() noexcept { return static_cast<int>(migrations().size()); }

int Database::schema_version() const {
    try {
        return user_version(*impl_);
    } catch (const SqlError&) {
        return -1;
    }
}

bool Database::read_only() const noexcept { return impl_->read_only; }

sqlite3* Database::handle() noexcept { return impl_->db; }

void Database::when_durable(std::function<void(bool ok)> done) {
    if (impl_->when_durable) {
        impl_->when_durable(std::move(done));
    } else {
        done(true);  // synchronous=FULL: every commit was flushed before it returned
    }
}

Result<Database> Database::open(const std::string& path, OpenOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->read_only = options.access == Access::ReadOnly;
    int flags = impl->read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;
    if (!impl->read_only) make_private(path);
    int rc = sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = error_from(impl->db, rc, "open " + path);
        e.code = Errc::open_failed;
        return cunxin::unexpected(e);
    }
    sqlite3_extended_result_codes(impl->db, 1);
    sqlite3_busy_timeout(impl->db, options.busy_timeout_ms);
    Database db(std::move(impl));
    auto r = guard([&]() -> void {
        Impl& i = *db.impl_;
        i.exec("PRAGMA foreign_keys=ON");
        if (!i.read_only) {
            {
                auto s = i.prepare("PRAGMA journal_mode=WAL");
                if (!s.step() || s.str(0) != "wal") throw_error(Errc::open_failed, "WAL mode refused");
            }
            // FULL: every commit is fsynced, so an acknowledged message survives a power cut.
            i.exec("PRAGMA synchronous=FULL");
            // Automatic checkpoints every 1,000 pages (~4 MB, SQLite's default, stated here), and a
            // WAL grown by a burst cut back to 4 MB after one: few, batched writes to the SD card.
            i.exec("PRAGMA wal_autocheckpoint=1000");
            i.exec("PRAGMA journal_size_limit=4194304");
            if (options.check_integrity) {
                auto s = i.prepare("PRAGMA integrity_check(5)");
                std::string result;
                while (s.step()) result += (result.empty() ? "" : "; ") + s.str(0);
                if (result != "ok") throw_error(Errc::corrupt, "integrity_check: " + result);
            }
        } else {
            i.exec("PRAGMA query_only=ON");
        }
        const int current = user_version(i);
        const int latest = latest_version();
        if (current > latest) {
            throw_error(Errc::too_new, "schema version " + std::to_string(current) +
                                           " is newer than this build (" +
                                           std::to_string(latest) + ")");
        }
        if (i.read_only) return;
        const int target = options.migrate_to < 0 ? latest : options.migrate_to;
        for (int v = current; v < target; ++v) {
            // Each migration and its version bump commit together.
            i.exec("BEGIN IMMEDIATE");
            try {
                migrations()[static_cast<std::size_t>(v)](i);
                i.exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
                i.exec("COMMIT");
            } catch (...) {
                sqlite3_exec(i.db, "ROLLBACK", nullptr, nullptr, nullptr);
                throw;
            }
        }
    });
    if (!r) return cunxin::unexpected(r.error());
    return db;
}

Result<std::string> Database::integrity_check() {
    return guard([&] {
        auto s = impl_->prepare("PRAGMA integrity_check");
        std::string result;
        while (s.step()) result += (result.empty() ? "" : "; ") + s.str(0);
        return result;
    });
}

Result<void> Database::backup_to(const std::string& path) {
    sqlite3* dest = nullptr;
    make_private(path);
    int rc = sqlite3_open_v2(path.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        Error e = error_from(dest, rc, "backup open " + path);
        sqlite3_close_v2(dest);
        e.code = Errc::open_failed;
        return cunxin::unexpected(e);
    }
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", impl_->db, "main");
    if (b == nullptr) {
        Error e = error_from(dest, sqlite3_errcode(dest), "backup init");
        sqlite3_close_v2(dest);
        return cunxin::unexpected(e);
    }
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    Result<void> out;
    if (rc != SQLITE_DONE) out = cunxin::unexpected(error_from(dest, rc, "backup step"));
    sqlite3_close_v2(dest);
    return out;
}

Result<bool> Database::checkpoint_truncate() {
    if (impl_->read_only) {
        return cunxin::unexpected(Error{Errc::read_only, -1, "checkpoint on a read-only connection"});
    }
    // TRUNCATE waits for readers through the busy handler: wait briefly here, not the
    // connection's busy_timeout (the caller is the core loop), then restore it.
    int timeout_ms = 0;
    {
        sqlite3_stmt* q = nullptr;
        if (sqlite3_prepare_v2(impl_->db, "PRAGMA busy_timeout", -1, &q, nullptr) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW) {
            timeout_ms = sqlite3_column_int(q, 0);
        }
        sqlite3_finalize(q);
    }
    sqlite3_busy_timeout(impl_->db, 100);
    int wal_frames = 0;
    int copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(impl_->db, "main", SQLITE_CHECKPOINT_TRUNCATE, &wal_frames, &copied);
    sqlite3_busy_timeout(impl_->db, timeout_ms);
    if (rc == SQLITE_BUSY) return false;
    if (rc != SQLITE_OK) return cunxin::unexpected(error_from(impl_->db, rc, "wal_checkpoint(TRUNCATE)"));
    return true;
}

Transaction::Transaction(Database& db) : db_(db) {
    auto& impl = db_.impl();
    // Under group commit the first write opens the batch; this transaction nests inside it.
    if (impl.tx_depth == 0 && impl.before_write && sqlite3_get_autocommit(impl.db) != 0) {
        try {
            impl.before_write();
        } catch (const SqlError&) {
            return;  // could not lock: ok() is false
        }
    }
    nested_ = impl.tx_depth > 0;
    depth_ = impl.tx_depth + 1;
    const std::string sql =
        nested_ ? "SAVEPOINT sp" + std::to_string(depth_) : std::string("BEGIN IMMEDIATE");
    if (sqlite3_exec(impl.db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) {
        active_ = true;
        impl.tx_depth = depth_;
    }
}

Transaction::~Transaction() {
    if (!active_) return;
    auto& impl = db_.impl();
    if (nested_) {
        const std::string sp = "sp" + std::to_string(depth_);
        sqlite3_exec(impl.db, ("ROLLBACK TO " + sp + "; RELEASE " + sp).c_str(), nullptr, nullptr,
                     nullptr);
    } else {
        sqlite3_exec(impl.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    impl.tx_depth = depth_ - 1;
}

Result<void> Transaction::commit() {
    if (!active_) return cunxin::unexpected(Error{Errc::busy, -1, "transaction not active"});
    auto& impl = db_.impl();
    const std::string sql = nested_ ? "RELEASE sp" + std::to_string(depth_) : std::string("COMMIT");
    int rc = sqlite3_exec(impl.db, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return cunxin::unexpected(error_from(impl.db, rc, sql));
    active_ = false;
    impl.tx_depth = depth_ - 1;
    return {};
}

std::string join_tags(const std::vector<std::string>& tags) {
    if (tags.empty()) return "";
    std::string out = ",";
    for (const auto& t : tags) {
        if (t.empty()) continue;
        out += t;
        out += ',';
    }
    return out == "," ? "" : out;
}

std::vector<std::string> split_tags(const std::string& stored) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : stored) {
        if (c == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

}  // namespace cunxin::store

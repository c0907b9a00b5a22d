// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One SQLite connection (WAL, synchronous=FULL, foreign keys, busy_timeout), migrations,
/// transactions and online backup. One read-write connection lives on the core thread (under a
/// store::GroupCommit: synchronous=NORMAL, flushed off the core thread, see group_commit.hpp);
/// each HTTP thread opens its own read-only connection. A Database is not thread-safe.

#include <functional>
#include <memory>
#include <string>

#include "cunxin/store/error.hpp"

struct sqlite3;

namespace cunxin::store {

/// Read-write (core thread, runs migrations) or read-only (HTTP threads).
enum class Access { ReadWrite, ReadOnly };

/// How to open a database.
struct OpenOptions {
    Access access = Access::ReadWrite;
    int busy_timeout_ms = 5000;      ///< wait this long for a lock before Errc::busy
    bool check_integrity = true;     ///< run PRAGMA integrity_check at open (read-write only)
    int migrate_to = -1;             ///< schema version to migrate to; -1 = latest (tests use others)
};

/// An open connection. Movable, not copyable.
class Database {
public:
    /// Opens (creating if needed, read-write only) and migrates the database at `path`.
    static Result<Database> open(const std::string& path, OpenOptions options = {});

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    ~Database();

    /// Newest schema version this build knows (number of migrations).
    static int latest_version() noexcept;
    /// The schema version of the open file (PRAGMA user_version).
    int schema_version() const;
    /// True for a read-only connection.
    bool read_only() const noexcept;

    /// Runs PRAGMA integrity_check; "ok" when healthy, otherwise the first problems.
    Result<std::string> integrity_check();
    /// Writes a consistent copy of the live database to `path` (sqlite3_backup), while running.
    Result<void> backup_to(const std::string& path);
    /// Copies the WAL into the database file and truncates the -wal file to zero bytes
    /// (PRAGMA wal_checkpoint(TRUNCATE)); for idle moments (SD-card wear, see board/README.md).
    /// Ok(false) when a reader or writer kept it from completing (try again later).
    Result<bool> checkpoint_truncate();

    /// Runs `done` once everything written so far on this connection is on disk: at once with
    /// ok=true without group commit (every commit is flushed), else on the core thread after the
    /// flush (ok=false: the batch rolled back or the flush failed; nothing depending on it may happen).
    void when_durable(std::function<void(bool ok)> done);

    /// Raw handle for the store's own implementation files.
    sqlite3* handle() noexcept;

    struct Impl;
    /// Internals (statement cache, transaction depth) for the store's implementation files.
    Impl& impl() noexcept { return *impl_; }

private:
    explicit Database(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// A transaction (BEGIN IMMEDIATE, or a SAVEPOINT when nested). Rolls back unless committed.
/// Lets the messaging core make several store calls atomic (e.g. anniversary row + message).
class Transaction {
public:
    explicit Transaction(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();
    /// Whether BEGIN succeeded (false: the store could not lock; do nothing).
    bool ok() const noexcept { return active_; }
    /// Commits (or releases the savepoint). Afterwards the destructor does nothing.
    Result<void> commit();

private:
    Database& db_;
    bool active_ = false;
    bool nested_ = false;
    int depth_ = 0;
};

}  // namespace cunxin::store

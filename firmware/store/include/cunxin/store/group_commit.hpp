// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Group commit for the core's write connection: SQL keeps running on the core thread, the
/// flush does not. The first write of a core turn opens one transaction ("batch", BEGIN
/// IMMEDIATE; store::Transaction nests inside it as savepoints); it is committed at the end of
/// the turn, or, while a flush is in flight, right after that flush returns. The connection runs
/// with synchronous=NORMAL, so COMMIT only write()s WAL frames; a flusher thread then calls
/// fdatasync on the -wal file once for everything committed so far and posts the completions
/// back to the core. Writes that arrive while a flush runs share the next commit and its flush.
/// Checkpoints run on a thread and connection of their own (PASSIVE past a WAL threshold,
/// TRUNCATE when asked at idle). Standard library only: the core hands in `post_to_core`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cunxin/store/error.hpp"

namespace cunxin::store {

class Database;

/// Tuning of the group commit.
struct GroupCommitOptions {
    /// A PASSIVE checkpoint runs (off the core) once the WAL holds this many frames (pages).
    int checkpoint_frames = 1000;
    /// Log sink for failures (a failed batch, a failed flush); may be empty.
    std::function<void(const std::string&)> log;
};

/// Counters since start (read on the core thread).
struct GroupCommitStats {
    std::uint64_t batches = 0;          ///< transactions committed
    std::uint64_t failed_batches = 0;   ///< batches rolled back or whose COMMIT failed
    std::uint64_t flushes = 0;          ///< fdatasync calls on the -wal file
    std::uint64_t failed_flushes = 0;   ///< fdatasync calls that failed
    std::uint64_t checkpoints = 0;      ///< checkpoints run by the checkpoint thread
    std::chrono::nanoseconds commit_time{0};  ///< core thread time spent in BEGIN/COMMIT
    std::chrono::nanoseconds sql_time{0};     ///< core thread time in every SQL statement (COMMIT's write()s included)
    std::uint64_t statements = 0;             ///< SQL statements run on the core connection
};

/// One batch open at a time on the core connection; one flush in flight at a time.
class GroupCommit {
public:
    /// Runs a function on the core thread (e.g. asio::post on the core io_context); thread-safe.
    using Post = std::function<void(std::function<void()>)>;

    /// Attaches to `db` (the core's read-write connection of the file at `path`): sets
    /// synchronous=NORMAL and wal_autocheckpoint=0 and starts the flusher and checkpoint threads.
    static Result<std::unique_ptr<GroupCommit>> attach(Database& db, const std::string& path, Post post_to_core,
                                                       GroupCommitOptions options = {});
    GroupCommit(const GroupCommit&) = delete;
    GroupCommit& operator=(const GroupCommit&) = delete;
    /// Calls close().
    ~GroupCommit();

    /// Runs `done` on the core thread once everything written so far is on disk (ok=false when
    /// the batch holding those writes rolled back or its flush failed). Core thread only.
    void when_durable(std::function<void(bool ok)> done);

    /// Commits the open batch now (normally posted for the end of the turn). Core thread only.
    void commit_now();

    /// Runs `task` with each of its writes committed before it returns (not batched), so that a
    /// caller on another thread reading through its own connection sees them at once (HTTP hands
    /// writes to the core this way); they are flushed with the next flush. Core thread only.
    void run_unbatched(const std::function<void()>& task);

    /// Asks the checkpoint thread for a TRUNCATE checkpoint (idle moments: SD-card wear).
    void checkpoint_truncate();

    /// Commits and flushes synchronously, stops the threads and detaches from the connection
    /// (shutdown). Waiters still pending get their answer run inline. Idempotent. Core thread only.
    Result<void> close();

    /// Counters since attach.
    GroupCommitStats stats() const;

    struct Impl;

private:
    explicit GroupCommit(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace cunxin::store

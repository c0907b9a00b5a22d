// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/group_commit.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "cunxin/store/database.hpp"
#include "sql.hpp"

namespace cunxin::store {

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Waiter {
    std::uint64_t batch = 0;  ///< resolved once this batch is flushed (or failed)
    std::function<void(bool)> done;
};

}  // namespace

struct GroupCommit::Impl {
    // ---- core thread
    Database& db;
    sqlite3* core = nullptr;
    Post post;
    GroupCommitOptions options;
    bool closed = false;
    bool closing = false;         ///< close() runs: answers are given inline
    bool unbatched = false;       ///< run_unbatched(): every write commits by itself
    bool waited_unbatched = false;  ///< when_durable() was called during run_unbatched()
    bool open = false;            ///< a batch (BEGIN IMMEDIATE) is open on the core connection
    bool commit_posted = false;   ///< commit_turn() is queued on the core
    bool flushing = false;        ///< a flush request is with the flusher thread
    std::uint64_t batch = 0;      ///< id of the open (or last opened) batch
    std::uint64_t committed = 0;  ///< last batch committed
    std::uint64_t flushed = 0;    ///< last batch whose flush finished (ok or not)
    std::deque<Waiter> waiters;
    GroupCommitStats stats;
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);

    // ---- flusher thread (fields under `m`, except the fd which only the flusher uses)
    std::string wal_path;
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t flush_request = 0;
    bool stop = false;
    std::thread flusher;
    int wal_fd = -1;
    ino_t wal_ino = 0;
    bool dir_synced = false;
    std::atomic<std::uint64_t> flush_count{0};
    std::atomic<std::uint64_t> flush_failures{0};

    // ---- checkpoint thread (its own connection)
    sqlite3* ckpt_db = nullptr;
    std::mutex cm;
    std::condition_variable ccv;
    bool passive_due = false;
    bool truncate_due = false;
    bool ckpt_stop = false;
    std::atomic<bool> ckpt_busy{false};
    int frames_at_checkpoint = 0;  ///< WAL frames when the last checkpoint was asked for (core thread)
    std::thread checkpointer;
    std::atomic<std::uint64_t> checkpoint_count{0};

    Impl(Database& d, Post p, GroupCommitOptions o) : db(d), core(d.handle()), post(std::move(p)), options(std::move(o)) {}

    void log(const std::string& what) const {
        if (options.log) options.log(what);
    }

    // Posts `f` to the core; it does nothing once this object is gone or closed.
    void on_core(std::function<void(Impl&)> f) {
        std::weak_ptr<bool> token = alive;
        post([this, token, f = std::move(f)] {
            auto a = token.lock();
            if (!a || !*a || closed) return;
            f(*this);
        });
    }

    // Store hook: the first write outside a transaction opens the batch.
    void before_write() {
        if (closed || unbatched) return;
        if (open && sqlite3_get_autocommit(core) != 0) {
            // SQLite rolled the batch back itself (disk full, I/O error): its writers learn it.
            fail_batch(batch, "rolled back by SQLite");
        }
        if (open) return;
        const auto t0 = SteadyClock::now();
        const int rc = sqlite3_exec(core, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
        stats.commit_time += SteadyClock::now() - t0;
        if (rc != SQLITE_OK) throw_sql(core, rc, "BEGIN IMMEDIATE (group commit)");
        open = true;
        ++batch;
        db.impl().tx_depth = 1;
        if (!flushing && !commit_posted) {
            commit_posted = true;
            on_core([](Impl& i) { i.commit_turn(); });
        }
    }

    void commit_turn() {
        commit_posted = false;
        if (!open || flushing) return;  // after the flush returns, on_flushed commits
        commit_batch();
    }

    // Commits the open batch (core thread); true when it committed.
    bool commit_batch() {
        if (!open) return true;
        if (db.impl().tx_depth > 1) {
            // A store::Transaction is still open (it should never span a turn): commit later.
            if (!commit_posted) {
                commit_posted = true;
                on_core([](Impl& i) { i.commit_turn(); });
            }
            return false;
        }
        open = false;
        db.impl().tx_depth = 0;
        if (sqlite3_get_autocommit(core) != 0) {
            fail_batch(batch, "rolled back by SQLite");
            return false;
        }
        const auto t0 = SteadyClock::now();
        int rc = sqlite3_exec(core, "COMMIT", nullptr, nullptr, nullptr);
        stats.commit_time += SteadyClock::now() - t0;
        if (rc != SQLITE_OK) {
            const std::string why = sqlite3_errmsg(core);
            sqlite3_exec(core, "ROLLBACK", nullptr, nullptr, nullptr);
            fail_batch(batch, "COMMIT failed: " + why);
            return false;
        }
        committed = batch;
        ++stats.batches;
        request_flush();
        return true;
    }

    void fail_batch(std::uint64_t id, const std::string& why) {
        open = false;
        db.impl().tx_depth = 0;
        ++stats.failed_batches;
        log("group commit: batch " + std::to_string(id) + " failed: " + why);
        std::deque<Waiter> keep;
        std::vector<std::function<void(bool)>> fire;
        for (auto& w : waiters) {
            if (w.batch == id) fire.push_back(std::move(w.done));
            else keep.push_back(std::move(w));
        }
        waiters.swap(keep);
        for (auto& f : fire) {
            if (closing) {
                f(false);
            } else {
                on_core([f = std::move(f)](Impl&) { f(false); });
            }
        }
    }

    void request_flush() {
        flushing = true;
        {
            std::lock_guard lock(m);
            flush_request = committed;
        }
        cv.notify_one();
    }

    void on_flushed(std::uint64_t id, bool ok) {
        flushing = false;
        flushed = std::max(flushed, id);
        ++stats.flushes;
        if (!ok) ++stats.failed_flushes;
        std::vector<std::function<void(bool)>> fire;
        while (!waiters.empty() && waiters.front().batch <= id) {
            fire.push_back(std::move(waiters.front().done));
            waiters.pop_front();
        }
        // What was written during the flush commits now and goes to the next flush.
        if (open) {
            commit_batch();
        } else if (committed > id) {
            request_flush();  // unbatched commits made during the flush
        }
        for (auto& f : fire) f(ok);
    }

    void when_durable(std::function<void(bool)> done) {
        std::uint64_t id = 0;
        if (unbatched && !closed) {
            id = batch + 1;  // the id run_unbatched() gives this task's commits when it returns
            waited_unbatched = true;
        } else if (open && !closed) id = batch;
        else if (committed > flushed && !closed) id = committed;
        if (id == 0) {
            if (closed) {
                done(true);  // detached: the connection flushes every commit itself again
            } else {
                on_core([done = std::move(done)](Impl&) { done(true); });
            }
            return;
        }
        waiters.push_back(Waiter{id, std::move(done)});
    }

    // ---- flusher thread

    bool flush_wal() {
        struct stat st {};
        if (::stat(wal_path.c_str(), &st) != 0) {
            log("group commit: no WAL file to flush: " + std::string(std::strerror(errno)));
            return false;
        }
        if (wal_fd < 0 || st.st_ino != wal_ino) {
            if (wal_fd >= 0) ::close(wal_fd);
            wal_fd = ::open(wal_path.c_str(), O_RDWR | O_CLOEXEC);
            if (wal_fd < 0) {
                log("group commit: cannot open " + wal_path + ": " + std::strerror(errno));
                return false;
            }
            wal_ino = st.st_ino;
        }
        if (::fdatasync(wal_fd) != 0) {
            log("group commit: fdatasync " + wal_path + ": " + std::strerror(errno));
            return false;
        }
        if (!dir_synced) {
            // The -wal file's directory entry, once: a new file must survive a power cut too.
            const auto dir = std::filesystem::path(wal_path).parent_path();
            const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) {
                dir_synced = ::fsync(dfd) == 0;
                ::close(dfd);
            }
        }
        return true;
    }

    void flusher_loop() {
        for (;;) {
            std::uint64_t id = 0;
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return stop || flush_request != 0; });
                if (flush_request == 0) return;  // stopping, nothing left
                id = flush_request;
                flush_request = 0;
            }
            const bool ok = flush_wal();
            flush_count.fetch_add(1);
            if (!ok) flush_failures.fetch_add(1);
            on_core([id, ok](Impl& i) { i.on_flushed(id, ok); });
        }
    }

    // Core thread: SQLite's profile of each statement run on the core connection.
    static int profile(unsigned type, void* self, void*, void* x) {
        if (type == SQLITE_TRACE_PROFILE) {
            auto* i = static_cast<Impl*>(self);
            i->stats.sql_time += std::chrono::nanoseconds(*static_cast<sqlite3_int64*>(x));
            ++i->stats.statements;
        }
        return 0;
    }

    // ---- checkpoint thread

    static int wal_hook(void* self, sqlite3*, const char*, int frames) {
        auto* i = static_cast<Impl*>(self);
        // Under steady writes a PASSIVE checkpoint racing with the core's commits rarely leaves
        // the WAL fully copied, so the WAL does not start again: ask for the next one only after
        // another checkpoint_frames of growth (each page goes to the card once per such step, not
        // at every commit). After a quiet moment the WAL starts again and the count falls.
        if (frames < i->frames_at_checkpoint) i->frames_at_checkpoint = 0;
        if (frames - i->frames_at_checkpoint >= i->options.checkpoint_frames && !i->ckpt_busy.load()) {
            i->frames_at_checkpoint = frames;
            {
                std::lock_guard lock(i->cm);
                i->passive_due = true;
            }
            i->ccv.notify_one();
        }
        return SQLITE_OK;
    }

    void checkpoint_loop() {
        for (;;) {
            bool truncate = false;
            {
                std::unique_lock lock(cm);
                ccv.wait(lock, [&] { return ckpt_stop || passive_due || truncate_due; });
                if (ckpt_stop) return;
                truncate = truncate_due;
                passive_due = false;
                truncate_due = false;
                ckpt_busy = true;
            }
            int log_frames = 0;
            int copied = 0;
            int rc = sqlite3_wal_checkpoint_v2(ckpt_db, "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
            if (rc == SQLITE_OK && truncate) {
                rc = sqlite3_wal_checkpoint_v2(ckpt_db, "main", SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &copied);
            }
            if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
                log(std::string("group commit: checkpoint failed: ") + sqlite3_errmsg(ckpt_db));
            }
            checkpoint_count.fetch_add(1);
            ckpt_busy = false;
        }
    }

    void stop_threads() {
        {
            std::lock_guard lock(m);
            stop = true;
        }
        cv.notify_one();
        if (flusher.joinable()) flusher.join();
        {
            std::lock_guard lock(cm);
            ckpt_stop = true;
        }
        ccv.notify_one();
        if (checkpointer.joinable()) checkpointer.join();
    }

    ~Impl() {
        stop_threads();
        if (wal_fd >= 0) ::close(wal_fd);
        if (ckpt_db != nullptr) sqlite3_close_v2(ckpt_db);
    }
};

Result<std::unique_ptr<GroupCommit>> GroupCommit::attach(Database& db, const std::string& path, Post post_to_core,
                                                         GroupCommitOptions options) {
    if (db.read_only()) return cunxin::unexpected(Error{Errc::read_only, -1, "group commit on a read-only connection"});
    if (db.impl().tx_depth != 0 || sqlite3_get_autocommit(db.handle()) == 0) {
        return cunxin::unexpected(Error{Errc::invalid_argument, -1, "group commit attached inside a transaction"});
    }
    auto impl = std::make_unique<Impl>(db, std::move(post_to_core), std::move(options));
    impl->wal_path = path + "-wal";
    auto r = guard([&] {
        // NORMAL in WAL mode: COMMIT writes the frames, the flusher makes them durable.
        db.impl().exec("PRAGMA synchronous=NORMAL");
        db.impl().exec("PRAGMA wal_autocheckpoint=0");
    });
    if (!r) return cunxin::unexpected(r.error());
    int rc = sqlite3_open_v2(path.c_str(), &impl->ckpt_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        Error e = error_from(impl->ckpt_db, rc, "open checkpoint connection " + path);
        db.impl().exec("PRAGMA synchronous=FULL");
        db.impl().exec("PRAGMA wal_autocheckpoint=1000");
        return cunxin::unexpected(e);
    }
    sqlite3_busy_timeout(impl->ckpt_db, 100);
    sqlite3_exec(impl->ckpt_db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    sqlite3_exec(impl->ckpt_db, "PRAGMA journal_size_limit=4194304", nullptr, nullptr, nullptr);
    Impl* raw = impl.get();
    sqlite3_wal_hook(db.handle(), &Impl::wal_hook, raw);
    sqlite3_trace_v2(db.handle(), SQLITE_TRACE_PROFILE, &Impl::profile, raw);
    db.impl().before_write = [raw] { raw->before_write(); };
    db.impl().when_durable = [raw](std::function<void(bool)> done) { raw->when_durable(std::move(done)); };
    raw->flusher = std::thread([raw] { raw->flusher_loop(); });
    raw->checkpointer = std::thread([raw] { raw->checkpoint_loop(); });
    return std::unique_ptr<GroupCommit>(new GroupCommit(std::move(impl)));
}

GroupCommit::GroupCommit(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GroupCommit::~GroupCommit() { (void)close(); }

void GroupCommit::when_durable(std::function<void(bool ok)> done) { impl_->when_durable(std::move(done)); }

void GroupCommit::commit_now() {
    if (impl_->closed || impl_->flushing) return;
    impl_->commit_batch();
}

void GroupCommit::run_unbatched(const std::function<void()>& task) {
    auto& i = *impl_;
    if (i.closed) {
        task();
        return;
    }
    // The open batch commits first (even while a flush runs: the flusher flushes again after,
    // and each flush answers the waiters of what was committed before it started).
    if (i.open) i.commit_batch();
    const auto changes_before = sqlite3_total_changes64(i.core);
    i.unbatched = true;
    i.waited_unbatched = false;
    struct Reset {
        Impl& i;
        ~Reset() { i.unbatched = false; }
    } reset{i};
    task();
    i.unbatched = false;
    if (sqlite3_total_changes64(i.core) != changes_before || i.waited_unbatched) {
        // Its commits count as one batch for when_durable.
        i.committed = ++i.batch;
        if (!i.flushing) i.request_flush();
    }
}

void GroupCommit::checkpoint_truncate() {
    {
        std::lock_guard lock(impl_->cm);
        impl_->truncate_due = true;
    }
    impl_->ccv.notify_one();
}

Result<void> GroupCommit::close() {
    auto& i = *impl_;
    if (i.closed) return {};
    Result<void> out;
    const std::uint64_t failed_before = i.stats.failed_batches;
    i.closing = true;
    i.commit_posted = true;  // nothing more gets posted; commit here
    if (i.open) i.commit_batch();
    // The flusher may hold a request: stop it (it finishes the one in progress), then flush here.
    i.stop_threads();
    *i.alive = false;
    i.closed = true;
    const bool flushed_ok = i.flush_wal();
    if (!flushed_ok) out = cunxin::unexpected(Error{Errc::sql, -1, "flush of " + i.wal_path + " failed at close"});
    if (i.stats.failed_batches != failed_before && out) {
        out = cunxin::unexpected(Error{Errc::sql, -1, "the last batch failed at close"});
    }
    // Detach: the connection is synchronous again, every commit flushed before it returns.
    i.db.impl().before_write = nullptr;
    i.db.impl().when_durable = nullptr;
    sqlite3_wal_hook(i.core, nullptr, nullptr);
    sqlite3_trace_v2(i.core, 0, nullptr, nullptr);
    sqlite3_exec(i.core, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
    sqlite3_wal_autocheckpoint(i.core, 1000);
    auto pending = std::move(i.waiters);
    i.waiters.clear();
    for (auto& w : pending) w.done(flushed_ok && w.batch <= i.committed);
    return out;
}

GroupCommitStats GroupCommit::stats() const {
    auto s = impl_->stats;
    s.checkpoints = impl_->checkpoint_count.load();
    return s;
}

}  // namespace cunxin::store

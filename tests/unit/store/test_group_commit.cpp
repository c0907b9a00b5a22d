// SPDX-License-Identifier: Apache-2.0
// GroupCommit on a real SQLite file: batches per core turn, writes during a flush share the next
// commit, when_durable order, a failed batch, a crash before the flush. The "core loop" here is a
// plain task queue pumped by the test thread (the appliance uses asio::post on its io_context).
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cunxin/store/group_commit.hpp"
#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;
using namespace std::chrono_literals;

namespace {

/// The core thread's queue: post() from any thread, pump on the test thread.
class CoreQueue {
public:
    GroupCommit::Post poster() {
        return [this](std::function<void()> f) {
            {
                std::lock_guard lock(m_);
                q_.push_back(std::move(f));
            }
            cv_.notify_one();
        };
    }
    /// Runs one queued task, waiting up to 5 s for one; false when none came.
    bool run_one() {
        std::function<void()> f;
        {
            std::unique_lock lock(m_);
            if (!cv_.wait_for(lock, 5s, [&] { return !q_.empty(); })) return false;
            f = std::move(q_.front());
            q_.pop_front();
        }
        f();
        return true;
    }
    /// Runs the tasks queued now, without waiting for more.
    void drain() {
        for (;;) {
            std::function<void()> f;
            {
                std::lock_guard lock(m_);
                if (q_.empty()) return;
                f = std::move(q_.front());
                q_.pop_front();
            }
            f();
        }
    }
    /// Runs tasks until `done` holds (at most 5 s).
    bool run_until(const std::function<bool()>& done) {
        const auto end = std::chrono::steady_clock::now() + 5s;
        while (!done()) {
            if (std::chrono::steady_clock::now() > end) return false;
            std::function<void()> f;
            {
                std::unique_lock lock(m_);
                cv_.wait_for(lock, 50ms, [&] { return !q_.empty(); });
                if (q_.empty()) continue;
                f = std::move(q_.front());
                q_.pop_front();
            }
            f();
        }
        return true;
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> q_;
};

/// A setting as another connection (an HTTP reader) sees it.
std::optional<std::string> seen_by_reader(const std::string& path, const std::string& key) {
    auto ro = Database::open(path, {.access = Access::ReadOnly});
    REQUIRE(ro);
    auto v = get_setting(*ro, key);
    REQUIRE(v);
    return *v;
}

}  // namespace

TEST_CASE("group commit: one turn's writes are one transaction, committed at the end of the turn") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("gc.db");
    auto db = Database::open(path);
    REQUIRE(db);
    CoreQueue core;
    auto gc = GroupCommit::attach(*db, path, core.poster());
    REQUIRE(gc);
    REQUIRE(set_setting(*db, "a", "1"));
    REQUIRE(set_setting(*db, "b", "2"));
    // Nested transactions (savepoints) inside the batch work and roll back alone.
    {
        Transaction tx(*db);
        REQUIRE(tx.ok());
        REQUIRE(set_setting(*db, "c", "never"));
    }
    CHECK(get_setting(*db, "c")->has_value() == false);
    CHECK(*get_setting(*db, "a") == std::optional<std::string>("1"));  // the core reads its own writes
    CHECK_FALSE(seen_by_reader(path, "a").has_value());                   // others: not before COMMIT
    bool durable = false;
    bool result = false;
    db->when_durable([&](bool ok) {
        durable = true;
        result = ok;
    });
    REQUIRE(core.run_one());  // the end of the turn: COMMIT
    CHECK(seen_by_reader(path, "b") == std::optional<std::string>("2"));
    REQUIRE(core.run_until([&] { return durable; }));
    CHECK(result);
    const auto s = (*gc)->stats();
    CHECK(s.batches == 1);
    CHECK(s.flushes == 1);
    CHECK(s.failed_batches == 0);
}

TEST_CASE("group commit: writes made while a flush is in flight share the next commit and its flush") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("gc.db");
    auto db = Database::open(path);
    REQUIRE(db);
    CoreQueue core;
    auto gc = GroupCommit::attach(*db, path, core.poster());
    REQUIRE(gc);
    std::vector<std::string> order;
    REQUIRE(set_setting(*db, "k1", "v"));
    db->when_durable([&](bool ok) { order.push_back(ok ? "1" : "1-failed"); });
    REQUIRE(core.run_one());  // COMMIT of batch 1; its flush is now in flight until the core hears back
    // Three later turns of the core, all while the flush runs: no commit of their own.
    for (int i = 2; i <= 4; ++i) {
        REQUIRE(set_setting(*db, "k" + std::to_string(i), "v"));
        db->when_durable([&order, i](bool ok) { order.push_back(std::to_string(i) + (ok ? "" : "-failed")); });
    }
    CHECK_FALSE(seen_by_reader(path, "k2").has_value());
    CHECK((*gc)->stats().batches == 1);
    REQUIRE(core.run_until([&] { return order.size() == 4; }));
    CHECK(order == std::vector<std::string>{"1", "2", "3", "4"});
    const auto s = (*gc)->stats();
    CHECK(s.batches == 2);  // k2..k4 in one transaction
    CHECK(s.flushes == 2);  // and one flush for all three
    CHECK(seen_by_reader(path, "k4") == std::optional<std::string>("v"));
    // Nothing written since: when_durable answers on the next turn without a flush.
    bool again = false;
    db->when_durable([&](bool ok) { again = ok; });
    REQUIRE(core.run_until([&] { return again; }));
    CHECK((*gc)->stats().flushes == 2);
}

TEST_CASE("group commit: a batch whose COMMIT fails reports ok=false to its waiters, the next batch works") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("gc.db");
    auto db = Database::open(path);
    REQUIRE(db);
    CoreQueue core;
    std::vector<std::string> logged;
    GroupCommitOptions opts;
    opts.log = [&](const std::string& l) { logged.push_back(l); };
    auto gc = GroupCommit::attach(*db, path, core.poster(), opts);
    REQUIRE(gc);
    REQUIRE(set_setting(*db, "doomed", "1"));
    // A foreign key checked only at COMMIT (deferred) and violated: the COMMIT itself fails.
    REQUIRE(sqlite3_exec(db->handle(),
                         "PRAGMA defer_foreign_keys=ON; INSERT INTO group_members(group_id, contact_id) VALUES(424242, 434343)",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    int answers = 0;
    bool ok1 = true;
    db->when_durable([&](bool ok) {
        ++answers;
        ok1 = ok;
    });
    REQUIRE(core.run_until([&] { return answers == 1; }));
    CHECK_FALSE(ok1);
    CHECK((*gc)->stats().failed_batches == 1);
    CHECK_FALSE(logged.empty());
    CHECK_FALSE(get_setting(*db, "doomed")->has_value());  // rolled back
    REQUIRE(set_setting(*db, "fine", "1"));
    bool ok2 = false;
    db->when_durable([&](bool ok) {
        ++answers;
        ok2 = ok;
    });
    REQUIRE(core.run_until([&] { return answers == 2; }));
    CHECK(ok2);
    CHECK(seen_by_reader(path, "fine") == std::optional<std::string>("1"));
}

TEST_CASE("group commit: close commits and flushes what is open and answers the waiters") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("gc.db");
    {
        auto db = Database::open(path);
        REQUIRE(db);
        CoreQueue core;
        auto gc = GroupCommit::attach(*db, path, core.poster());
        REQUIRE(gc);
        REQUIRE(set_setting(*db, "last", "words"));
        bool answered = false;
        db->when_durable([&](bool ok) { answered = ok; });
        REQUIRE((*gc)->close());
        CHECK(answered);
        // Detached: the connection commits and flushes by itself again.
        REQUIRE(set_setting(*db, "after", "close"));
        CHECK(seen_by_reader(path, "after") == std::optional<std::string>("close"));
    }
    auto again = Database::open(path);
    REQUIRE(again);
    CHECK(*get_setting(*again, "last") == std::optional<std::string>("words"));
}

TEST_CASE("group commit: a crash before the flush loses only what was not reported durable") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("gc.db");
    { REQUIRE(Database::open(path)); }
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child: its own core queue and group commit; reports each durable key on the pipe.
        ::close(fds[0]);
        auto db = Database::open(path);
        if (!db) ::_exit(2);
        CoreQueue core;
        auto gc = GroupCommit::attach(*db, path, core.poster());
        if (!gc) ::_exit(3);
        bool durable = false;
        for (int i = 0; i < 20; ++i) {
            const std::string key = "durable" + std::to_string(i);
            if (!set_setting(*db, key, "x")) ::_exit(4);
            durable = false;
            db->when_durable([&](bool ok) { durable = ok; });
            if (!core.run_until([&] { return durable; })) ::_exit(5);
            const std::string line = key + "\n";
            if (::write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(6);
        }
        // Written but never committed (the turn does not end): gone after the crash.
        if (!set_setting(*db, "open-batch", "x")) ::_exit(7);
        ::_exit(0);  // no destructors, no close: as kill -9
    }
    ::close(fds[1]);
    std::string reported;
    char buf[256];
    for (;;) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        reported.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    auto db = Database::open(path);
    REQUIRE(db);
    int found = 0;
    for (int i = 0; i < 20; ++i) {
        const std::string key = "durable" + std::to_string(i);
        if (reported.find(key + "\n") == std::string::npos) continue;
        CAPTURE(key);
        CHECK(get_setting(*db, key)->has_value());
        ++found;
    }
    CHECK(found == 20);
    CHECK_FALSE(get_setting(*db, "open-batch")->has_value());
}

TEST_CASE("group commit: run_unbatched commits each write at once and its when_durable waits for a flush") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("gc.db");
    auto db = Database::open(path);
    REQUIRE(db);
    CoreQueue core;
    auto gc = GroupCommit::attach(*db, path, core.poster());
    REQUIRE(gc);
    REQUIRE(set_setting(*db, "batched", "1"));  // an open batch: committed before the task runs
    bool durable = false;
    (*gc)->run_unbatched([&] {
        REQUIRE(set_setting(*db, "http", "1"));
        db->when_durable([&](bool ok) { durable = ok; });
    });
    // Another connection (an HTTP thread) sees both as soon as the task returned.
    CHECK(seen_by_reader(path, "http") == std::optional<std::string>("1"));
    CHECK(seen_by_reader(path, "batched") == std::optional<std::string>("1"));
    CHECK_FALSE(durable);
    REQUIRE(core.run_until([&] { return durable; }));
    CHECK((*gc)->stats().flushes >= 1);
    // A task that writes nothing and waits for nothing costs no flush.
    const auto flushes = (*gc)->stats().flushes;
    (*gc)->run_unbatched([&] { (void)get_setting(*db, "http"); });
    std::this_thread::sleep_for(100ms);
    core.drain();
    CHECK((*gc)->stats().flushes == flushes);
}

TEST_CASE("group commit: the checkpoint thread copies the WAL once per threshold of growth, not at every commit") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("gc.db");
    auto db = Database::open(path);
    REQUIRE(db);
    CoreQueue core;
    GroupCommitOptions opts;
    opts.checkpoint_frames = 20;
    auto gc = GroupCommit::attach(*db, path, core.poster(), opts);
    REQUIRE(gc);
    for (int turn = 0; turn < 60; ++turn) {
        for (int k = 0; k < 5; ++k) REQUIRE(set_setting(*db, "k" + std::to_string(turn * 5 + k), std::string(300, 'x')));
        bool durable = false;
        db->when_durable([&](bool ok) { durable = ok; });
        REQUIRE(core.run_until([&] { return durable; }));
        core.drain();
    }
    std::this_thread::sleep_for(200ms);  // the last checkpoint runs
    const auto s = (*gc)->stats();
    const auto wal_frames = std::filesystem::file_size(path + "-wal") / 4120;
    MESSAGE(s.batches << " commits, " << s.checkpoints << " checkpoints, -wal file of " << wal_frames << " frames");
    CHECK(s.checkpoints >= 2);
    CHECK(s.checkpoints <= wal_frames / 20 + 2);  // one per 20 frames of growth at most
    CHECK(s.checkpoints < s.batches / 2);
    auto ro = Database::open(path, {.access = Access::ReadOnly});
    REQUIRE(ro);
    CHECK(*get_setting(*ro, "k299") == std::optional<std::string>(std::string(300, 'x')));
}

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: prepared-statement cache and binding helpers. Failures throw SqlError inside the
// store; every public function converts them to Result values with guard().

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

struct SqlError {
    Error error;
};

Error error_from(sqlite3* db, int rc, std::string_view what);
[[noreturn]] void throw_sql(sqlite3* db, int rc, std::string_view what);
[[noreturn]] void throw_error(Errc code, std::string detail);

/// Called before the first write on a connection with no open transaction (group commit opens
/// its batch there); set by GroupCommit, empty otherwise.
using BeforeWrite = std::function<void()>;

/// A cached prepared statement; reset on acquire.
class Stmt {
public:
    Stmt(sqlite3* db, sqlite3_stmt* s, const BeforeWrite* before_write = nullptr)
        : db_(db), s_(s), before_write_(before_write) {}
    ~Stmt() {
        if (s_ != nullptr) {
            sqlite3_reset(s_);
            sqlite3_clear_bindings(s_);
        }
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_), before_write_(o.before_write_) { o.s_ = nullptr; }
    Stmt& operator=(Stmt&&) = delete;

    void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(s_, i, v)); }
    void bind(int i, int v) { check(sqlite3_bind_int64(s_, i, v)); }
    void bind(int i, bool v) { check(sqlite3_bind_int64(s_, i, v ? 1 : 0)); }
    void bind(int i, double v) { check(sqlite3_bind_double(s_, i, v)); }
    void bind(int i, std::string_view v) {
        check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
    void bind(int i, const char* v) { bind(i, std::string_view(v)); }
    void bind(int i, std::nullptr_t) { check(sqlite3_bind_null(s_, i)); }
    template <class T>
    void bind(int i, const std::optional<T>& v) {
        if (v) bind(i, *v); else bind(i, nullptr);
    }
    template <class... A>
    Stmt& args(const A&... a) {
        int i = 0;
        (bind(++i, a), ...);
        return *this;
    }
    /// Steps once: true when a row is available.
    bool step() {
        if (before_write_ != nullptr && *before_write_ && sqlite3_get_autocommit(db_) != 0 &&
            sqlite3_stmt_readonly(s_) == 0 && sqlite3_stmt_busy(s_) == 0) {
            (*before_write_)();
        }
        int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw_sql(db_, rc, sqlite3_sql(s_));
    }
    /// Runs to completion; returns changes().
    int exec() {
        while (step()) {
        }
        return sqlite3_changes(db_);
    }
    std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
    int i32(int c) const { return sqlite3_column_int(s_, c); }
    double dbl(int c) const { return sqlite3_column_double(s_, c); }
    bool null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
    std::string str(int c) const {
        auto* p = sqlite3_column_text(s_, c);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(s_, c)))
                 : std::string();
    }
    std::optional<std::int64_t> opt_i64(int c) const {
        return null(c) ? std::nullopt : std::optional<std::int64_t>(i64(c));
    }
    std::optional<std::string> opt_str(int c) const {
        return null(c) ? std::nullopt : std::optional<std::string>(str(c));
    }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) throw_sql(db_, rc, "bind");
    }
    sqlite3* db_;
    sqlite3_stmt* s_;
    const BeforeWrite* before_write_;
};

struct Database::Impl {
    sqlite3* db = nullptr;
    bool read_only = false;
    int tx_depth = 0;
    std::unordered_map<std::string, sqlite3_stmt*> cache;
    /// Group commit: opens the batch before the first write outside a transaction.
    BeforeWrite before_write;
    /// Group commit: runs the callback once everything written so far is durable.
    std::function<void(std::function<void(bool)>)> when_durable;
    ~Impl();
    /// Prepared statement for `sql` (cached by text).
    Stmt prepare(const std::string& sql);
    /// Executes one or more statements without results.
    void exec(const char* sql);
};

/// Runs `f` (which may throw SqlError) and returns its value or the error.
template <class F>
auto guard(F&& f) -> Result<decltype(f())> {
    try {
        if constexpr (std::is_void_v<decltype(f())>) {
            f();
            return {};
        } else {
            return f();
        }
    } catch (const SqlError& e) {
        return cunxin::unexpected(e.error);
    }
}

/// Runs `f` inside a transaction (savepoint when nested); rolls back on SqlError.
template <class F>
auto in_tx(Database& db, F&& f) -> Result<decltype(f())> {
    if (db.read_only()) return cunxin::unexpected(Error{Errc::read_only, -1, "read-only connection"});
    Transaction tx(db);
    if (!tx.ok()) {
        return cunxin::unexpected(error_from(db.handle(), sqlite3_errcode(db.handle()), "begin"));
    }
    auto r = guard(std::forward<F>(f));
    if (!r) return r;
    if (auto c = tx.commit(); !c) return cunxin::unexpected(c.error());
    return r;
}

/// Tags stored as ",a,b," so that LIKE '%,tag,%' matches one tag.
std::string join_tags(const std::vector<std::string>& tags);
std::vector<std::string> split_tags(const std::string& stored);

struct Contact;

/// Columns of a contact row (table alias `c`), in the order read_contact() reads them.
inline constexpr const char* kContactCols =
    "c.id, c.name, c.mobile, c.village, c.role, c.party_join_date, c.tags, c.opted_out, c.notes, "
    "c.created_at, c.updated_at";
/// A contact from a row selected with kContactCols.
Contact read_contact(const Stmt& s);

/// Recomputes messages.status (and updated_at) of an outgoing message from its segments.
void refresh_outgoing_status(Database& db, std::int64_t message_id, Seconds now);

}  // namespace cunxin::store

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Errors of the store: what went wrong, with SQLite's message in `detail` (never shown to clients).

#include <cstdint>
#include <string>

#include "cunxin/result.hpp"

namespace cunxin::store {

/// Why a store operation failed.
enum class Errc {
    open_failed,       ///< the database file could not be opened or created
    corrupt,           ///< PRAGMA integrity_check did not answer "ok"
    too_new,           ///< the file's schema version is newer than this build knows
    read_only,         ///< a write on a read-only connection
    busy,              ///< another connection held the lock past busy_timeout
    constraint,        ///< a UNIQUE/FOREIGN KEY/CHECK constraint refused the change
    not_found,         ///< no row with that key
    invalid_argument,  ///< the caller's input is unusable (empty number, bad role…)
    sql,               ///< any other SQLite failure (I/O, full disk…)
};

/// Short snake_case name of an error reason.
const char* to_string(Errc code) noexcept;

/// A store error: reason, SQLite extended result code (in gsm_code, -1 if none), detail.
struct Error {
    Errc code = Errc::sql;
    int gsm_code = -1;
    std::string detail;
};

/// Value or Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

/// Unix time in seconds (UTC). The store never reads a clock: callers pass `now`.
using Seconds = std::int64_t;

}  // namespace cunxin::store

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Restoring a backup: the check of an uploaded file before it is accepted, and the start-up
/// path that swaps a pending restore in, or sets it aside and keeps the previous database.

#include <cstdint>
#include <optional>
#include <string>

#include "cunxin/result.hpp"
#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// Why an uploaded file cannot be restored.
enum class BackupProblem {
    unreadable,    ///< the file cannot be read (missing, permissions)
    not_sqlite,    ///< no SQLite header: not a database file at all
    damaged,       ///< SQLite cannot read it, or integrity_check finds damage
    no_version,    ///< schema version 0: an empty or foreign database
    too_new,       ///< a schema version newer than this build knows
    wrong_schema,  ///< tables, indexes, triggers or views differ from that version's schema
};

/// Short snake_case name ("wrong_schema").
const char* to_string(BackupProblem p) noexcept;

/// A refused backup: the reason and a technical detail (e.g. "extra trigger zz_evil").
struct BackupRefusal {
    BackupProblem problem = BackupProblem::unreadable;
    std::string detail;
};

/// What a valid backup holds.
struct BackupInfo {
    int schema_version = 0;
    std::int64_t bytes = 0;
};

/// Checks a backup file without changing it or leaving any file behind: SQLite header,
/// a schema version this build can migrate (1..latest), exactly the schema objects the
/// real migrations build at that version (no extra or missing table, index, trigger or
/// view), and integrity_check. Opens the file read-only and immutable.
cunxin::Expected<BackupInfo, BackupRefusal> validate_backup(const std::string& path);

/// Name of the pending restore next to the database ("<db>.restore").
std::string pending_restore_path(const std::string& db_path);

/// What happened to a pending restore at start-up.
struct RestoreOutcome {
    bool applied = false;     ///< the restored database is now the live one
    bool set_aside = false;   ///< it failed to open or migrate and was renamed; the previous one is used
    std::string kept;         ///< where the other database (previous or failed restore) now lives
    std::string reason;       ///< why it was set aside (technical, for the log and admins)
};

/// The live database, opened at start-up, and what happened to a pending restore (if any).
struct StartupDatabase {
    Database db;
    std::optional<RestoreOutcome> restore;
};

/// Opens the live database at start-up. A pending "<db>.restore" takes its place first (the
/// previous database, with its -wal/-shm, is kept as "<db>.before-restore-<YYYYMMDD-HHMMSS>");
/// when the restored file fails to open or migrate it is renamed "<db>.restore-failed-<date>"
/// and the previous database is put back and opened. The outcome is also stored as the
/// setting "restore_status" (JSON) in the database that is opened. `stamp` names the files.
Result<StartupDatabase> open_at_start(const std::string& db_path, const std::string& stamp,
                                      Seconds now, OpenOptions options = {});

}  // namespace cunxin::store

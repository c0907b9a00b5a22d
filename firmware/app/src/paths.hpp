// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Where the appliance keeps its files inside the data directory.

#include <filesystem>
#include <system_error>

namespace cunxin::app {

/// The SQLite database of a data directory.
inline std::filesystem::path database_path(const std::filesystem::path& data_dir) {
    return data_dir / "cunxin.db";
}

/// Creates the data directory (and missing parents) as the owner's only (0700), whatever the
/// umask: it holds the database, its backups and the TLS key. An existing one loses any access
/// for others (the package's 0750, for the cunxin group, stays).
inline void prepare_data_dir(const std::filesystem::path& data_dir) {
    namespace fs = std::filesystem;
    const bool existed = fs::exists(data_dir);
    fs::create_directories(data_dir);
    if (existed) {
        fs::permissions(data_dir, fs::perms::others_all, fs::perm_options::remove);
    } else {
        fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace);
    }
}

}  // namespace cunxin::app

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Where the appliance keeps its files inside the data directory.

#include <filesystem>

namespace cunxin::app {

/// The SQLite database of a data directory.
inline std::filesystem::path database_path(const std::filesystem::path& data_dir) {
    return data_dir / "cunxin.db";
}

}  // namespace cunxin::app

// SPDX-License-Identifier: Apache-2.0
// Fuzzes store::validate_backup with whole database files (seeds: a genuine backup with 512-byte
// pages, tampered and damaged ones). Invariants: no crash, a verdict with a reason, an accepted
// file has a version this build knows, and no -wal/-shm/-journal file is left next to it.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "cunxin/store/backup.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path =
        (std::filesystem::temp_directory_path() / ("cunxin-fuzz-restore-" + std::to_string(::getpid()) + ".db"))
            .string();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    auto r = cunxin::store::validate_backup(path);
    if (r) {
        require(r->schema_version >= 1 && r->schema_version <= cunxin::store::Database::latest_version());
        require(r->bytes == static_cast<std::int64_t>(size));
    } else {
        require(!r.error().detail.empty());
    }
    for (const char* side : {"-wal", "-shm", "-journal"}) require(!std::filesystem::exists(path + side));
    std::remove(path.c_str());
    return 0;
}

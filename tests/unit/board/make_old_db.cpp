// SPDX-License-Identifier: Apache-2.0
// Test helper for package_install_test.sh: creates a database at an older schema version,
// as an older cunxin package would have left it, so an upgrade has a migration to run.
// usage: board_make_old_db PATH VERSION   prints "<VERSION> <latest version of this build>"
#include <cstdio>
#include <string>

#include <cunxin/store/database.hpp>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: board_make_old_db PATH VERSION\n");
        return 2;
    }
    cunxin::store::OpenOptions options;
    options.migrate_to = std::stoi(argv[2]);
    auto db = cunxin::store::Database::open(argv[1], options);
    if (!db) {
        std::fprintf(stderr, "cannot create %s: %s\n", argv[1], db.error().detail.c_str());
        return 1;
    }
    std::printf("%d %d\n", db->schema_version(), cunxin::store::Database::latest_version());
    return 0;
}

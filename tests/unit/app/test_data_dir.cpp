// SPDX-License-Identifier: Apache-2.0
// The data directory `cunxin run` creates is the owner's only (0700) whatever the umask.

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "../../../firmware/app/src/paths.hpp"

namespace fs = std::filesystem;

namespace {
unsigned mode_of(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return 07777;
    return st.st_mode & 0777;
}
}  // namespace

TEST_CASE("data dir: created 0700 under umask 000, an existing one closed to others") {
    const mode_t old_mask = ::umask(0);
    std::string tmpl = (fs::temp_directory_path() / "cunxin-datadir-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    const fs::path root = tmpl;
    const fs::path dir = root / "var" / "lib" / "cunxin";
    cunxin::app::prepare_data_dir(dir);
    CHECK(mode_of(dir) == 0700);  // create_directories alone gave 0777 & ~umask
    fs::permissions(dir, fs::perms(0755), fs::perm_options::replace);  // made by an older version
    cunxin::app::prepare_data_dir(dir);
    CHECK(mode_of(dir) == 0750);
    fs::permissions(dir, fs::perms(0750), fs::perm_options::replace);  // the package's mode stays
    cunxin::app::prepare_data_dir(dir);
    CHECK(mode_of(dir) == 0750);
    ::umask(old_mask);
    fs::remove_all(root);
}

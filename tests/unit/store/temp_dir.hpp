// SPDX-License-Identifier: Apache-2.0
#pragma once
// A temporary directory removed at scope exit (tests only).

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace cunxin::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "cunxin-test-XXXXXX").string();
        char* p = ::mkdtemp(tmpl.data());
        if (p == nullptr) std::abort();
        path_ = p;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace cunxin::test

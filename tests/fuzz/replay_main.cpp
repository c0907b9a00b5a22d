// SPDX-License-Identifier: Apache-2.0
// Replays a fuzz corpus through LLVMFuzzerTestOneInput without libFuzzer (a ctest unit test).
// Usage: replay_<name> DIR...   Fails when a directory holds no file.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs("usage: replay DIR...\n", stderr);
        return 2;
    }
    for (int a = 1; a < argc; ++a) {
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(argv[a], ec)) {
            if (e.is_regular_file()) files.push_back(e.path());
        }
        if (ec || files.empty()) {
            std::fprintf(stderr, "replay: no corpus files in %s\n", argv[a]);
            return 1;
        }
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                          std::istreambuf_iterator<char>()};
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        }
        std::printf("replay: %zu inputs from %s\n", files.size(), argv[a]);
    }
    return 0;
}

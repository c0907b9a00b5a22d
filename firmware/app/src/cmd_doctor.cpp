// SPDX-License-Identifier: Apache-2.0
// `cunxin doctor [--config FILE] [--data-dir DIR] [--out FILE]`: the support bundle from the
// config and the data directory (the daemon may be stopped). The live parts (modems, AT
// transcripts, recent problems) come from the running daemon: GET /api/v1/doctor.

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "commands.hpp"
#include "config.hpp"
#include "doctor.hpp"

namespace cunxin::app {

int cmd_doctor(const Args& args) {
    std::optional<std::string> config_file, data_dir, out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(args[i] + " needs a value");
            return args[++i];
        };
        if (args[i] == "--config") config_file = value();
        else if (args[i] == "--data-dir") data_dir = value();
        else if (args[i] == "--out") out = value();
        else {
            std::fputs("usage: cunxin doctor [--config FILE] [--data-dir DIR] [--out FILE]\n", stderr);
            return 2;
        }
    }
    Config config;
    std::optional<std::filesystem::path> file;
    if (config_file) {
        file = *config_file;
    } else if (std::filesystem::exists("/etc/cunxin/config.json")) {
        file = "/etc/cunxin/config.json";
    }
    if (file) config = load_config(*file);
    if (data_dir) config.data_dir = *data_dir;
    const auto text = support_bundle(config, file, nullptr).dump(2) + "\n";
    if (!out) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }
    std::ofstream f(*out, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + *out);
    std::fprintf(stderr, "support bundle written to %s (%zu bytes)\n", out->c_str(), text.size());
    return 0;
}

}  // namespace cunxin::app

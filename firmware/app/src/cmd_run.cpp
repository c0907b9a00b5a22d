// SPDX-License-Identifier: Apache-2.0
// `cunxin run [--config FILE] [--data-dir DIR] [--listen HOST:PORT] [--modem PORT]...`

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "appliance.hpp"
#include "commands.hpp"
#include "config.hpp"

namespace cunxin::app {

int cmd_run(const Args& args) {
    std::optional<std::string> config_file, data_dir, listen;
    std::vector<std::string> modems;
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(args[i] + " needs a value");
            return args[++i];
        };
        if (args[i] == "--config") config_file = value();
        else if (args[i] == "--data-dir") data_dir = value();
        else if (args[i] == "--listen") listen = value();
        else if (args[i] == "--modem") modems.push_back(value());
        else {
            std::fputs("usage: cunxin run [--config FILE] [--data-dir DIR] [--listen HOST:PORT] "
                       "[--modem PORT]...\n",
                       stderr);
            return 2;
        }
    }
    Config config;
    if (config_file) {
        config = load_config(*config_file);
        config.config_file = *config_file;
    } else if (std::filesystem::exists("/etc/cunxin/config.json")) {
        config = load_config("/etc/cunxin/config.json");
        config.config_file = "/etc/cunxin/config.json";
    }
    if (data_dir) config.data_dir = *data_dir;
    if (listen) parse_listen(*listen, config.listen_host, config.listen_port);
    if (!modems.empty()) config.modems = modems;
    return run_appliance(config);
}

}  // namespace cunxin::app

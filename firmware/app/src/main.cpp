// SPDX-License-Identifier: Apache-2.0
// cunxin: one binary, subcommands.

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "commands.hpp"

namespace {

struct Command {
    std::string_view name;
    int (*run)(const cunxin::app::Args&);
    std::string_view help;
};

constexpr Command kCommands[] = {
    {"pdu", cunxin::app::cmd_pdu, "decode, encode and segment SMS PDUs"},
#ifdef CUNXIN_WITH_MODEM
    {"modems", cunxin::app::cmd_modems, "probe the modems and print what they are (JSON)"},
    {"send", cunxin::app::cmd_send, "send one message through one modem (no daemon)"},
#endif
#ifdef CUNXIN_WITH_DAEMON
    {"run", cunxin::app::cmd_run, "run the appliance"},
    {"demo", cunxin::app::cmd_demo, "run the appliance on simulated modems with sample data"},
    {"token", cunxin::app::cmd_token, "create, list and revoke API tokens"},
    {"hub", cunxin::app::cmd_hub, "run the county hub; `hub add-box NAME` prints a box's credentials"},
    {"doctor", cunxin::app::cmd_doctor, "write a support bundle (versions, config without secrets, modems)"},
#endif
};

void usage() {
    std::fputs("usage: cunxin <command> [options]\n\ncommands:\n", stderr);
    for (const auto& c : kCommands) {
        std::fprintf(stderr, "  %-8.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                     static_cast<int>(c.help.size()), c.help.data());
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    const std::string_view name = argv[1];
    if (name == "-h" || name == "--help" || name == "help") {
        usage();
        return 0;
    }
    cunxin::app::Args args(argv + 2, argv + argc);
    for (const auto& c : kCommands) {
        if (c.name == name) {
            try {
                return c.run(args);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "cunxin %s: %s\n", argv[1], e.what());
                return 1;
            }
        }
    }
    std::fprintf(stderr, "cunxin: unknown command '%s'\n", argv[1]);
    usage();
    return 2;
}

// SPDX-License-Identifier: Apache-2.0
// cunxin-modemsim: runs N simulated modems on ptys until SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "control_json.hpp"
#include "cunxin/modemsim/simulator.hpp"

namespace {

using cunxin::modemsim::Config;
using cunxin::modemsim::Faults;
using cunxin::modemsim::ModemConfig;
using cunxin::modemsim::Simulator;

constexpr const char* kUsage =
    "usage: cunxin-modemsim [--modems N] [--latency-ms L] [--command-latency-ms L]\n"
    "         [--control 127.0.0.1:PORT | --control unix:PATH] [--link-dir DIR]\n"
    "         [--profile ec25,sim7600,e3372] [--operator mobile,unicom,telecom]\n"
    "         [--tcp] [--pin PIN] [--sim-slots N] [--sim-full] [--no-nitz] [--periodic-urcs]\n"
    "         [--reset-reenumerates]\n"
    "         [--reset-quiet-ms L] [--seed S] [--fault JSON]...\n"
    "  --fault takes the keys of the control command \"fault\", e.g.\n"
    "    '{\"modem\":1,\"error_rate\":0.2,\"error_codes\":[38,500]}' or '{\"modem\":0,\"hang_after\":5}'\n"
    "Prints one JSON line {\"modems\":[...],\"control\":...} when ready.\n";

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

int run(int argc, char** argv) {
    Config cfg;
    std::vector<std::string> profiles;
    std::vector<std::string> operators;
    std::vector<nlohmann::json> faults;
    bool tcp = false;
    bool sim_full = false;
    bool nitz = true;
    bool periodic = false;
    bool reenumerate = false;
    std::string pin;
    int slots = 30;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--modems") {
            cfg.modems = std::stoi(next());
        } else if (a == "--latency-ms") {
            cfg.cmgs_latency = std::chrono::milliseconds(std::stoi(next()));
        } else if (a == "--command-latency-ms") {
            cfg.command_latency = std::chrono::milliseconds(std::stoi(next()));
        } else if (a == "--reset-quiet-ms") {
            cfg.reset_quiet = std::chrono::milliseconds(std::stoi(next()));
        } else if (a == "--control") {
            cfg.control = next();
        } else if (a == "--link-dir") {
            cfg.link_dir = next();
        } else if (a == "--profile") {
            profiles = split(next());
        } else if (a == "--operator") {
            operators = split(next());
        } else if (a == "--fault") {
            auto j = nlohmann::json::parse(next(), nullptr, false);
            if (j.is_discarded() || !j.is_object()) throw std::runtime_error("--fault needs a JSON object");
            faults.push_back(j);
        } else if (a == "--tcp") {
            tcp = true;
        } else if (a == "--pin") {
            pin = next();
        } else if (a == "--sim-slots") {
            slots = std::stoi(next());
        } else if (a == "--sim-full") {
            sim_full = true;
        } else if (a == "--no-nitz") {
            nitz = false;
        } else if (a == "--reset-reenumerates") {
            reenumerate = true;
        } else if (a == "--periodic-urcs") {
            periodic = true;
        } else if (a == "--seed") {
            cfg.seed = static_cast<std::uint32_t>(std::stoul(next()));
        } else if (a == "--help" || a == "-h") {
            std::cout << kUsage;
            return 0;
        } else {
            throw std::runtime_error("unknown option " + a);
        }
    }
    if (cfg.modems < 1) throw std::runtime_error("--modems must be at least 1");
    for (int i = 0; i < cfg.modems; ++i) {
        ModemConfig mc;
        if (!profiles.empty()) {
            auto p = cunxin::modemsim::parse_profile(profiles[static_cast<std::size_t>(i) % profiles.size()]);
            if (!p) throw std::runtime_error("unknown profile");
            mc.profile = *p;
        }
        if (!operators.empty()) {
            auto o = cunxin::modemsim::parse_operator(operators[static_cast<std::size_t>(i) % operators.size()]);
            if (!o) throw std::runtime_error("unknown operator");
            mc.op = *o;
        }
        mc.tcp = tcp;
        mc.pin = pin;
        mc.sm_slots = slots;
        mc.sim_full = sim_full;
        mc.nitz = nitz;
        mc.periodic_urcs = periodic;
        mc.reset_reenumerates = reenumerate;
        for (const auto& f : faults) {
            if (f.contains("modem") && f["modem"].is_number() && f["modem"].get<int>() != i) continue;
            cunxin::modemsim::apply_faults(f, mc.faults);
        }
        cfg.modem.push_back(mc);
    }

    // Block the stop signals before any thread starts, then wait for one.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    Simulator sim(cfg);
    sim.start();
    nlohmann::json ready;
    ready["modems"] = nlohmann::json::array();
    for (const auto& m : sim.modems()) ready["modems"].push_back(cunxin::modemsim::to_json(m));
    ready["control"] = sim.control_endpoint();
    std::cout << ready.dump() << std::endl;

    int sig = 0;
    sigwait(&set, &sig);
    sim.stop();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "cunxin-modemsim: " << e.what() << "\n" << kUsage;
        return 1;
    }
}

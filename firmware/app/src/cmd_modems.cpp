// SPDX-License-Identifier: Apache-2.0
// `cunxin modems [--modem PORT]... [--pin PIN] [--baud N]`: probes modems (or discovers USB ones)
// and prints a JSON array: port, manufacturer, model, imei, imsi, iccid, operator, registered,
// signal (dBm), error where one failed.

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "cunxin/asio.hpp"
#include "cunxin/modem/modem.hpp"
#include "cunxin/modem/pool.hpp"

namespace cunxin::app {

namespace {

using namespace std::chrono_literals;

nlohmann::json probe(asio::io_context& io, const std::string& port, const modem::ModemConfig& base) {
    auto cfg = base;
    cfg.port = port;
    cfg.require_registration = false;  // a technician wants to see an unregistered SIM too
    auto m = modem::Modem::create(io.get_executor(), cfg, nullptr);
    std::optional<modem::Result<void>> result;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { result = co_await m->open_once(); }, asio::detached);
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (!result && std::chrono::steady_clock::now() < until) {
        io.restart();
        io.run_for(50ms);
    }
    const auto& id = m->identity();
    nlohmann::json j = {
        {"port", port},
        {"manufacturer", id.manufacturer},
        {"model", id.model},
        {"imei", id.imei},
        {"imsi", id.imsi},
        {"iccid", id.iccid},
        {"operator", id.operator_name},
        {"registered", at::is_registered(m->registration())},
        {"signal", nullptr},
    };
    if (auto s = m->signal_dbm()) j["signal"] = *s;
    if (!result) {
        j["error"] = "probe timed out";
    } else if (!*result) {
        j["error"] = std::string(modem::to_string(result->error().code)) + ": " + result->error().detail;
    }
    m->stop();
    io.restart();
    io.run_for(20ms);
    return j;
}

}  // namespace

int cmd_modems(const Args& args) {
    std::vector<std::string> ports;
    modem::ModemConfig cfg;
    cfg.registration_timeout = 5s;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
            return args[++i];
        };
        if (a == "--modem") {
            ports.push_back(value());
        } else if (a == "--pin") {
            cfg.pin = value();
        } else if (a == "--baud") {
            cfg.serial.baud = std::stoi(value());
        } else if (a == "-h" || a == "--help") {
            std::puts("usage: cunxin modems [--modem PORT]... [--pin PIN] [--baud N]");
            return 0;
        } else {
            throw std::runtime_error("unknown option " + a);
        }
    }
    asio::io_context io;
    if (ports.empty()) {
        bool done = false;
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            ports = co_await modem::discover_at_ports(1500ms);
            done = true;
        }, asio::detached);
        while (!done) {
            io.restart();
            io.run_for(50ms);
        }
    }
    auto out = nlohmann::json::array();
    bool all_ok = true;
    for (const auto& p : ports) {
        auto j = probe(io, p, cfg);
        all_ok = all_ok && !j.contains("error");
        out.push_back(std::move(j));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return all_ok ? 0 : 1;
}

}  // namespace cunxin::app

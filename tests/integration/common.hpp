// SPDX-License-Identifier: Apache-2.0
#pragma once
/// A running appliance for a test: simulator in this process, daemon as a child process.

#include <memory>
#include <string>
#include <vector>

#include <cunxin/modemsim/simulator.hpp>

#include "harness.hpp"

namespace cunxin::itest {

/// Options of one test appliance.
struct ApplianceOptions {
    int modems = 4;
    std::chrono::milliseconds cmgs_latency{5};
    std::string extra_config = "";  ///< JSON members appended to the config object
    std::vector<modemsim::ModemConfig> modem_configs;  ///< per-modem simulator settings (profiles, faults)
    std::vector<std::string> env;  ///< "NAME=value" added to the daemon's environment (e.g. LD_PRELOAD)
};

/// The `cunxin` binary under test: this build's, or $CUNXIN_ITEST_CUNXIN (to measure another build).
std::filesystem::path cunxin_binary();

/// The daemon under test, its data directory, its API token and its simulated modems.
class Appliance {
public:
    explicit Appliance(ApplianceOptions options = {});
    ~Appliance();

    /// Starts `cunxin run` on the simulator's ptys and waits until every modem is ready.
    void start(std::chrono::milliseconds ready_timeout = 60s);
    /// kill -9 the daemon (a power cut, as far as the process goes).
    void crash();
    /// SIGTERM and wait.
    int stop();
    bool running();

    modemsim::Simulator& sim() { return *sim_; }
    const std::filesystem::path& data_dir() const { return dir_.path(); }
    std::filesystem::path db_path() const;
    const std::string& token() const { return token_; }
    int port() const { return port_; }
    /// Process id of the running daemon (-1 when none).
    pid_t pid() const;
    std::string log() const;

    HttpReply get(const std::string& target) { return http(port_, "GET", target, token_); }
    HttpReply post(const std::string& target, const Json& body) {
        return http(port_, "POST", target, token_, body.dump());
    }
    /// Every message of a direction, following cursors.
    std::vector<Json> all_messages(const std::string& direction, const std::string& extra = "");
    /// Number of modems the health endpoint reports ready (-1: no answer).
    int ready_modems();

private:
    ApplianceOptions options_;
    TempDir dir_;
    std::unique_ptr<modemsim::Simulator> sim_;
    std::unique_ptr<Process> daemon_;
    std::string token_;
    int port_ = 0;
    int starts_ = 0;
};

/// A Chinese mobile number for recipient i.
std::string mobile(int i);

}  // namespace cunxin::itest

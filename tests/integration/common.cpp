// SPDX-License-Identifier: Apache-2.0
#include "common.hpp"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace cunxin::itest {

std::string mobile(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "+86138%08d", i);
    return buf;
}

std::filesystem::path cunxin_binary() {
    const char* other = std::getenv("CUNXIN_ITEST_CUNXIN");
    return other != nullptr && *other != '\0' ? std::filesystem::path(other) : built("firmware/app/cunxin");
}

Appliance::Appliance(ApplianceOptions options) : options_(std::move(options)) {
    modemsim::Config cfg;
    cfg.modems = options_.modems;
    cfg.cmgs_latency = options_.cmgs_latency;
    cfg.modem = options_.modem_configs;
    // The daemon is given stable names (as /dev/serial/by-id on a board), not /dev/pts/N: a modem
    // that vanishes takes its name with it, and the daemon's re-opening cannot land on a recycled
    // pty number that now belongs to a test running next to this one.
    cfg.link_dir = (dir_.path() / "modems").string();
    sim_ = std::make_unique<modemsim::Simulator>(cfg);
    sim_->start();
    std::string out;
    const int rc = run_capture({cunxin_binary().string(), "token", "create", "--data-dir",
                                dir_.path().string(), "--name", "itest", "--role", "admin"},
                               out);
    if (rc != 0) throw std::runtime_error("token create failed: " + out);
    // The token is the last non-empty line.
    std::string line;
    for (std::size_t pos = 0; pos < out.size();) {
        const auto nl = out.find('\n', pos);
        std::string l = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!l.empty()) line = l;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    token_ = line;
    std::ofstream(dir_.path() / "config.json")
        << R"({"sim_limits": {"per_minute": 0, "per_hour": 0, "per_day": 0}, "log_level": "info")"
        << (options_.extra_config.empty() ? "" : ", " + options_.extra_config) << "}\n";
}

Appliance::~Appliance() {
    daemon_.reset();
    sim_->stop();
}

pid_t Appliance::pid() const { return daemon_ ? daemon_->pid() : -1; }

std::filesystem::path Appliance::db_path() const { return dir_.path() / "cunxin.db"; }

void Appliance::start(std::chrono::milliseconds ready_timeout) {
    port_ = free_port();
    std::vector<std::string> argv = {cunxin_binary().string(), "run",
                                     "--config", (dir_.path() / "config.json").string(),
                                     "--data-dir", dir_.path().string(),
                                     "--listen", "127.0.0.1:" + std::to_string(port_)};
    for (const auto& m : sim_->modems()) {
        argv.push_back("--modem");
        argv.push_back(m.link_path.empty() ? m.pty_path : m.link_path);
    }
    ++starts_;
    daemon_ = std::make_unique<Process>(argv, dir_.path() / "daemon.log", options_.env);
    const bool ready = wait_until([&] { return ready_modems() == options_.modems || !daemon_->running(); },
                                  ready_timeout);
    if (!ready || !daemon_->running()) {
        throw std::runtime_error("daemon not ready; log:\n" + log());
    }
}

int Appliance::ready_modems() {
    const auto r = http(port_, "GET", "/api/v1/health", {}, {}, 2s);
    if (r.status != 200) return -1;
    const auto j = r.json();
    if (!j.is_object() || !j.contains("modems") || !j["modems"].is_number_integer()) return -1;
    return j["modems"].get<int>();
}

void Appliance::crash() {
    daemon_->signal(SIGKILL);
    daemon_->wait(10s);
}

int Appliance::stop() {
    daemon_->signal(SIGTERM);
    return daemon_->wait(30s).value_or(-1);
}

bool Appliance::running() { return daemon_ && daemon_->running(); }

std::string Appliance::log() const {
    std::ifstream in(dir_.path() / "daemon.log", std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s.size() > 20000 ? s.substr(s.size() - 20000) : s;
}

std::vector<Json> Appliance::all_messages(const std::string& direction, const std::string& extra) {
    std::vector<Json> all;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        std::string target = "/api/v1/messages?direction=" + direction + "&limit=200" + extra;
        if (!cursor.empty()) target += "&cursor=" + cursor;
        const auto r = get(target);
        if (r.status != 200) throw std::runtime_error("GET " + target + " -> " + std::to_string(r.status) + " " + r.body);
        const auto j = r.json();
        for (const auto& m : j.at("items")) all.push_back(m);
        if (!j.contains("next_cursor") || j["next_cursor"].is_null()) break;
        cursor = j["next_cursor"].is_string() ? j["next_cursor"].get<std::string>()
                                              : std::to_string(j["next_cursor"].get<long long>());
    }
    return all;
}

}  // namespace cunxin::itest

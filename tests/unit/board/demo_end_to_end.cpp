// SPDX-License-Identifier: Apache-2.0
// `cunxin demo` end to end, as the README's first command runs it: the demo starts the
// cunxin-modemsim program, its four simulated modems come up through the real serial path,
// a message sent through the API reaches a simulated modem, the sample replies injected through
// the simulator's control port arrive, and the simulator ends with the demo (even on kill -9).
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "harness.hpp"

using namespace cunxin::itest;
namespace fs = std::filesystem;

namespace {

fs::path cunxin_binary() { return built("firmware/app/cunxin"); }

/// A `cunxin demo` child on a free port, in a fresh data directory.
struct Demo {
    TempDir dir;
    int port = free_port();
    std::unique_ptr<Process> process;

    explicit Demo(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {cunxin_binary().string(), "demo", "--listen",
                                         "127.0.0.1:" + std::to_string(port), "--data-dir",
                                         (dir.path() / "data").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        process = std::make_unique<Process>(argv, dir.path() / "demo.log");
    }
    int ready_modems() {
        const auto r = http(port, "GET", "/api/v1/health", {}, {}, 2s);
        if (r.status != 200) return -1;
        const auto j = r.json();
        return j.is_object() && j.contains("modems") && j["modems"].is_number_integer() ? j["modems"].get<int>() : -1;
    }
    /// The simulator's pid and control port from the demo's log line; {0, 0} before it.
    std::pair<pid_t, int> simulator() const {
        std::smatch m;
        const std::string log = process->log();
        static const std::regex line(R"(\(pid ([0-9]+)\), control port 127\.0\.0\.1:([0-9]+))");
        if (!std::regex_search(log, m, line)) return {0, 0};
        return {static_cast<pid_t>(std::stol(m[1])), std::stoi(m[2])};
    }
};

/// wait_until for HTTP polls: every 200 ms rather than every 20 ms.
bool poll_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            if (pred()) return true;
            std::this_thread::sleep_for(180ms);
            return false;
        },
        timeout);
}

/// True once `pid` no longer runs (gone, or a zombie nobody reaped yet).
bool gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = all.rfind(')');
    return close != std::string::npos && close + 2 < all.size() && all[close + 2] == 'Z';
}

}  // namespace

TEST_CASE("cunxin demo runs on cunxin-modemsim - modems ready, an API message reaches a simulated modem, replies arrive") {
    Demo demo({"--reply-every", "1", "--latency-ms", "50"});
    const bool ready = wait_until([&] { return demo.ready_modems() == 4 || !demo.process->running(); }, 60s);
    INFO(demo.process->log());
    REQUIRE(ready);
    REQUIRE(demo.process->running());
    const auto [sim_pid, control_port] = demo.simulator();
    REQUIRE(sim_pid > 0);
    REQUIRE(control_port > 0);
    CHECK_FALSE(gone(sim_pid));
    // The simulator is the separate program, not a thread of cunxin.
    CHECK(fs::read_symlink("/proc/" + std::to_string(sim_pid) + "/exe").filename() == "cunxin-modemsim");

    std::string out;
    REQUIRE(run_capture({cunxin_binary().string(), "token", "create", "--data-dir",
                         (demo.dir.path() / "data").string(), "--name", "e2e", "--role", "operator"},
                        out) == 0);
    // The token is the last non-empty line.
    std::string token;
    for (std::size_t pos = 0; pos < out.size();) {
        const auto nl = out.find('\n', pos);
        const std::string l = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!l.empty()) token = l;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    REQUIRE_FALSE(token.empty());

    const std::string text = "演示端到端：明天上午九点在村委会开会 " + std::to_string(::getpid());
    const auto sent = http(demo.port, "POST", "/api/v1/messages", token,
                           Json{{"to", {"+8613800138000"}}, {"text", text}}.dump());
    INFO(sent.body);
    REQUIRE(sent.status == 202);
    // The simulator decoded the PDU the product submitted: recipient and text as sent.
    const bool on_air = poll_until(
        [&] {
            const auto r = control(control_port, {{"cmd", "sent"}});
            if (!r.is_object() || !r.contains("sent")) return false;
            for (const auto& s : r["sent"]) {
                if (s.value("text", "") == text && s.value("recipient", "").find("13800138000") != std::string::npos) {
                    return true;
                }
            }
            return false;
        },
        30s);
    CHECK(on_air);
    // The API shows it sent (or delivered: the simulator sends status reports).
    const bool done = poll_until(
        [&] {
            const auto r = http(demo.port, "GET", "/api/v1/messages?direction=out&limit=50", token, {}, 2s);
            if (r.status != 200) return false;
            for (const auto& m : r.json().value("items", Json::array())) {
                const auto st = m.value("status", "");
                if (m.value("text", "") == text && (st == "sent" || st == "delivered")) return true;
            }
            return false;
        },
        30s);
    CHECK(done);
    // Sample replies from the demo's contacts, injected through the control port (first after 5 s).
    const bool replies = poll_until(
        [&] {
            const auto r = http(demo.port, "GET", "/api/v1/messages?direction=in&limit=50", token, {}, 2s);
            return r.status == 200 && r.json().value("items", Json::array()).size() >= 2;
        },
        30s);
    CHECK(replies);

    // SIGTERM: the demo stops cleanly and takes the simulator with it.
    demo.process->signal(SIGTERM);
    CHECK(demo.process->wait(30s) == std::optional<int>(0));
    CHECK(wait_until([&] { return gone(sim_pid); }, 10s));
}

TEST_CASE("cunxin demo killed with SIGKILL takes cunxin-modemsim with it") {
    Demo demo({"--reply-every", "0"});
    REQUIRE(wait_until([&] { return demo.simulator().first > 0 || !demo.process->running(); }, 60s));
    const pid_t sim_pid = demo.simulator().first;
    INFO(demo.process->log());
    REQUIRE(sim_pid > 0);
    demo.process->signal(SIGKILL);
    demo.process->wait(10s);
    CHECK(wait_until([&] { return gone(sim_pid); }, 10s));
    if (!gone(sim_pid)) ::kill(sim_pid, SIGKILL);
}

TEST_CASE("cunxin demo without cunxin-modemsim says so in Chinese and English") {
    TempDir dir;
    // As installed from the package: no simulator next to the binary, no build tree around it.
    const fs::path lone = dir.path() / "bin" / "cunxin";
    fs::create_directories(lone.parent_path());
    fs::copy_file(cunxin_binary(), lone);
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {lone.string(), "demo", "--data-dir", (dir.path() / "a").string()},
             {cunxin_binary().string(), "demo", "--data-dir", (dir.path() / "b").string(), "--modemsim",
              (dir.path() / "nowhere" / "cunxin-modemsim").string()}}) {
        std::string out;
        const int rc = run_capture(argv, out);
        INFO(out);
        CHECK(rc == 1);
        CHECK(out.find("找不到模拟器程序 cunxin-modemsim") != std::string::npos);
        CHECK(out.find("cunxin-modemsim not found") != std::string::npos);
        CHECK(out.find("--modemsim PATH") != std::string::npos);
    }
}

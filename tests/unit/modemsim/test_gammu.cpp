// SPDX-License-Identifier: Apache-2.0
// A third-party AT stack against the simulator: Debian's gammu (libgammu) identifies a simulated
// modem and sends through it; the simulator's own decoder must read gammu's PDUs (an encoder
// that is neither ours nor the simulator's). Skipped when gammu is not installed
// (tools/debian-packages.txt lists it).
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cunxin/modemsim/simulator.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

namespace {

std::string find_gammu() {
    const char* path = std::getenv("PATH");
    std::stringstream ss(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(ss, dir, ':');) {
        const std::string p = dir + "/gammu";
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    return {};
}

struct Ran {
    int status = -1;  ///< exit status, -1 when killed at the deadline
    std::string out;  ///< stdout and stderr
};

// Runs a program with a deadline; killed (by its PID) when it overruns.
Ran run_bounded(std::vector<std::string> args, std::chrono::seconds limit) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    REQUIRE(::pipe(out) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(out[1], 2);
        ::close(out[0]);
        ::setenv("LC_ALL", "C.UTF-8", 1);  // gammu reads -text in the locale's charset
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    Ran r;
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buf[4096];
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        r.out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= until) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return r;
        }
        ::usleep(10000);
    }
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace

TEST_CASE("gammu identifies a simulated modem and sends through it, and the simulator decodes its PDUs") {
    const std::string gammu = find_gammu();
    if (gammu.empty()) {
        MESSAGE("gammu is not installed: skipped");
        return;
    }
    modemsim::Config cfg;
    cfg.modems = 1;
    cfg.cmgs_latency = 5ms;
    modemsim::Simulator sim(cfg);
    sim.start();
    const auto info = sim.modems().at(0);
    const auto dir = std::filesystem::temp_directory_path() / ("cunxin-gammu-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto rc = (dir / "gammurc").string();
    std::ofstream(rc) << "[gammu]\ndevice = " << info.pty_path << "\nconnection = at\n";

    const auto id = run_bounded({gammu, "-c", rc, "identify"}, 20s);
    CAPTURE(id.out);
    CHECK(id.status == 0);
    CHECK(id.out.find(info.imei) != std::string::npos);
    CHECK(id.out.find(info.manufacturer) != std::string::npos);

    // UCS2 (gammu's own encoder), then a GSM 7-bit text long enough for two concatenated parts.
    const auto one = run_bounded({gammu, "-c", rc, "sendsms", "TEXT", "+8613900000001", "-unicode", "-text",
                                  "村信 gammu 测试"}, 30s);
    CAPTURE(one.out);
    CHECK(one.status == 0);
    const std::string long_text(170, 'g');
    const auto two = run_bounded({gammu, "-c", rc, "sendsms", "TEXT", "10086", "-len", "170", "-text", long_text}, 40s);
    CAPTURE(two.out);
    CHECK(two.status == 0);

    REQUIRE(sim.wait_sent(3, 5s));
    const auto sent = sim.sent();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].recipient == "+8613900000001");
    CHECK(sent[0].encoding == "ucs2");
    CHECK(sent[0].text == "村信 gammu 测试");
    CHECK(sent[0].concat_total == 0);
    std::string joined;
    for (std::size_t i = 1; i < 3; ++i) {
        CHECK(sent[i].recipient == "10086");
        CHECK(sent[i].encoding == "gsm7");
        CHECK(sent[i].concat_total == 2);
        CHECK(sent[i].concat_part == static_cast<int>(i));
        CHECK(sent[i].concat_ref == sent[1].concat_ref);
        joined += sent[i].text;
    }
    CHECK(joined == long_text);
    sim.stop();
    std::filesystem::remove_all(dir);
}

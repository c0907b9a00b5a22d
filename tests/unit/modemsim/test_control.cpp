// SPDX-License-Identifier: Apache-2.0
// The JSON-lines control interface (TCP and UNIX socket) and the cunxin-modemsim binary.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <thread>

#include "cunxin/modemsim/simulator.hpp"
#include "pty_client.hpp"

using namespace cunxin::modemsim;
using namespace std::chrono_literals;
using cunxin::modemsim::test::PtyClient;
using nlohmann::json;

namespace {

/// A blocking line client with a receive timeout.
class LineClient {
public:
    explicit LineClient(const std::string& endpoint) {
        if (endpoint.rfind("unix:", 0) == 0) {
            fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            std::snprintf(a.sun_path, sizeof a.sun_path, "%s", endpoint.substr(5).c_str());
            ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        } else {
            auto colon = endpoint.rfind(':');
            fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(static_cast<std::uint16_t>(std::stoi(endpoint.substr(colon + 1))));
            ::inet_pton(AF_INET, endpoint.substr(0, colon).c_str(), &a.sin_addr);
            ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        }
        timeval tv{3, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~LineClient() { ::close(fd_); }
    bool ok() const { return ok_; }
    json ask(const json& req) {
        std::string line = req.dump() + "\n";
        if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return nullptr;
        while (buf_.find('\n') == std::string::npos) {
            char tmp[4096];
            ssize_t n = ::read(fd_, tmp, sizeof tmp);
            if (n <= 0) return nullptr;
            buf_.append(tmp, static_cast<std::size_t>(n));
        }
        auto pos = buf_.find('\n');
        std::string reply = buf_.substr(0, pos);
        buf_.erase(0, pos + 1);
        return json::parse(reply, nullptr, false);
    }

private:
    int fd_ = -1;
    bool ok_ = false;
    std::string buf_;
};

Config quick(int n, std::string control) {
    Config c;
    c.modems = n;
    c.cmgs_latency = 1ms;
    c.registration_delay = 10ms;
    c.control = std::move(control);
    return c;
}

}  // namespace

TEST_CASE("control over TCP: modems, inject (multipart, out of order), sent, fault, status") {
    Simulator sim(quick(2, "127.0.0.1:0"));
    sim.start();
    auto ep = sim.control_endpoint();
    REQUIRE(ep.rfind("127.0.0.1:", 0) == 0);
    LineClient ctl(ep);
    REQUIRE(ctl.ok());

    auto modems = ctl.ask({{"cmd", "modems"}});
    REQUIRE(modems["ok"] == true);
    REQUIRE(modems["modems"].size() == 2);
    CHECK(modems["modems"][1]["operator"] == "CHINA UNICOM");
    std::string path = modems["modems"][0]["path"];

    PtyClient c(path);
    REQUIRE(c.cmd("ATE0").find("OK") != std::string::npos);
    std::this_thread::sleep_for(30ms);

    std::string text = "02 ";
    for (int i = 0; i < 15; ++i) text += "村口路灯坏了";  // 93 UTF-16 units: 2 parts
    auto inj = ctl.ask({{"cmd", "inject"}, {"modem", 0}, {"from", "+8613800000001"}, {"text", text},
                        {"parts_order", {2, 1}}});
    CHECK(inj["ok"] == true);
    CHECK(inj["parts"] == 2);
    CHECK(c.read_until("+CMTI: \"SM\",1\r\n", 1000ms).find("+CMTI: \"SM\",0") != std::string::npos);
    auto first = c.cmd("AT+CMGR=0");
    CHECK(first.find("0500030") != std::string::npos);  // concat UDH
    CHECK(first.find("0202") != std::string::npos);     // part 2 of 2 delivered first

    // The product sends "你好" to +8613800138000 with a status report requested.
    c.send("AT+CMGS=19\r");
    c.read_until("> ");
    c.send("0031000D91683108108300F00008A7044F60597D\x1A");
    CHECK(c.read_final().find("+CMGS: 0") != std::string::npos);
    auto sent = ctl.ask({{"cmd", "sent"}});
    REQUIRE(sent["sent"].size() == 1);
    CHECK(sent["sent"][0]["recipient"] == "+8613800138000");
    CHECK(sent["sent"][0]["text"] == "你好");
    CHECK(sent["sent"][0]["encoding"] == "ucs2");
    CHECK(sent["sent"][0]["status_report"] == true);
    CHECK(sent["sent"][0]["concat"].is_null());
    CHECK(sent["sent"][0]["mr"] == 0);
    CHECK(sent["sent"][0]["modem"] == 0);

    auto fault = ctl.ask({{"cmd", "fault"}, {"modem", 0}, {"fail_next", 1}, {"error_codes", {28}}});
    CHECK(fault["ok"] == true);
    c.send("AT+CMGS=19\r");
    c.read_until("> ");
    c.send("0031000D91683108108300F00008A7044F60597D\x1A");
    CHECK(c.read_final().find("+CMS ERROR: 28") != std::string::npos);

    auto st = ctl.ask({{"cmd", "status"}});
    CHECK(st["modems"][0]["sends_ok"] == 1);
    CHECK(st["modems"][0]["sends_failed"] == 1);
    CHECK(st["modems"][0]["sm_used"] == 2);

    CHECK(ctl.ask({{"cmd", "fault"}, {"modem", 0}, {"hang", true}})["ok"] == true);
    CHECK(c.cmd("AT", 200ms).empty());
    CHECK(ctl.ask({{"cmd", "fault"}, {"modem", 0}, {"clear", true}})["faults"][0]["hang"] == false);
    CHECK(c.cmd("AT").find("OK") != std::string::npos);

    CHECK(ctl.ask({{"cmd", "nope"}})["ok"] == false);
    CHECK(ctl.ask({{"cmd", "fault"}, {"modem", 9}})["ok"] == false);
    CHECK(ctl.ask({{"cmd", "latency"}, {"cmgs_ms", 3000}})["ok"] == true);
    CHECK(ctl.ask({{"cmd", "status"}})["cmgs_latency_ms"] == 3000);
}

TEST_CASE("control over a UNIX socket and in-process control() give the same answers") {
    auto path = (std::filesystem::temp_directory_path() / ("modemsim-ctl-" + std::to_string(::getpid()))).string();
    Simulator sim(quick(1, "unix:" + path));
    sim.start();
    LineClient ctl("unix:" + path);
    REQUIRE(ctl.ok());
    auto over_socket = ctl.ask({{"cmd", "modems"}});
    auto in_process = json::parse(sim.control(R"({"cmd":"modems"})"));
    CHECK(over_socket == in_process);
    CHECK(json::parse(sim.control("not json"))["ok"] == false);
    sim.stop();
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("cunxin-modemsim binary: prints ptys as one JSON line, exits 0 on SIGTERM") {
    std::string bin = std::string(CUNXIN_BINARY_DIR) + "/tools/modemsim/cunxin-modemsim";
    REQUIRE(std::filesystem::exists(bin));
    int out[2];
    REQUIRE(::pipe(out) == 0);
    // argv built before fork (no allocation in the child). Cross builds run the binary through
    // the emulator (qemu-user), so no binfmt_misc registration is needed.
    std::vector<std::string> args;
#ifdef CUNXIN_TEST_EMULATOR
    std::istringstream emulator(CUNXIN_TEST_EMULATOR);
    for (std::string word; emulator >> word;) args.push_back(word);
#endif
    args.push_back(bin);
    for (const char* a : {"--modems", "2", "--latency-ms", "1", "--control", "127.0.0.1:0", "--profile",
                          "e3372", "--fault", R"({"modem":1,"fail_next":1,"error_codes":[500]})"}) {
        args.push_back(a);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::close(out[0]);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{out[0], POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            char tmp[4096];
            ssize_t n = ::read(out[0], tmp, sizeof tmp);
            if (n <= 0) break;
            line.append(tmp, static_cast<std::size_t>(n));
        }
    }
    auto j = json::parse(line, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    REQUIRE(j["modems"].size() == 2);
    CHECK(j["modems"][0]["manufacturer"] == "huawei");
    PtyClient c(j["modems"][1]["path"].get<std::string>());
    REQUIRE(c.cmd("ATE0").find("OK") != std::string::npos);
    std::this_thread::sleep_for(80ms);
    c.send("AT+CMGS=20\r");
    c.read_until("> ");
    c.send("0011000D91683119325476F80000AA05E8329BFD06\x1A");
    CHECK(c.read_final().find("+CMS ERROR: 500") != std::string::npos);
    LineClient ctl(j["control"].get<std::string>());
    CHECK(ctl.ask({{"cmd", "status"}})["modems"][1]["sends_failed"] == 1);
    ::kill(pid, SIGTERM);
    int status = -1;
    for (int i = 0; i < 100 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(20ms);
    if (!WIFEXITED(status)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        FAIL("cunxin-modemsim did not exit on SIGTERM");
    }
    CHECK(WEXITSTATUS(status) == 0);
    ::close(out[0]);
}

TEST_CASE("control stream: an incoming message every every_ms, count times, each from its own number, until stop") {
    Simulator sim(quick(2, ""));
    sim.start();
    PtyClient c(sim.modems()[0].pty_path);
    REQUIRE(c.cmd("ATE0").find("OK") != std::string::npos);
    std::this_thread::sleep_for(30ms);
    const auto t0 = std::chrono::steady_clock::now();
    auto started = json::parse(sim.control(
        R"({"cmd":"stream","modem":0,"every_ms":40,"count":4,"from":"+8613700000000","text":"02 收到"})"));
    CHECK(started["ok"] == true);
    const std::string urcs = c.read_until("+CMTI: \"SM\",3\r\n", 3000ms);
    // The first comes at once, the others on a fixed schedule: never earlier than 3 intervals.
    CHECK(std::chrono::steady_clock::now() - t0 >= 120ms);
    for (int i = 0; i < 4; ++i) CHECK(urcs.find("+CMTI: \"SM\"," + std::to_string(i)) != std::string::npos);
    auto st = json::parse(sim.control(R"({"cmd":"status"})"));
    CHECK(st["streamed"] == 4);
    CHECK(st["modems"][0]["delivered_parts"] == 4);
    CHECK(st["modems"][1]["delivered_parts"] == 0);
    // The second message: from +8613700000002 (TS 23.040 semi-octets 683107000000F2), text "02 收到 2".
    const auto second = c.cmd("AT+CMGR=1");
    CHECK(second.find("683107000000F2") != std::string::npos);
    CHECK(second.find("0030003200206536523000200032") != std::string::npos);

    CHECK(json::parse(sim.control(R"({"cmd":"stream","modem":"all","every_ms":10,"count":1000})"))["ok"] == true);
    const auto until = std::chrono::steady_clock::now() + 2s;
    while (json::parse(sim.control(R"({"cmd":"status"})"))["streamed"].get<long long>() < 8 &&
           std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(5ms);
    }
    CHECK(json::parse(sim.control(R"({"cmd":"stream","stop":true})"))["ok"] == true);
    const long long after_stop = json::parse(sim.control(R"({"cmd":"status"})"))["streamed"].get<long long>();
    std::this_thread::sleep_for(100ms);
    CHECK(json::parse(sim.control(R"({"cmd":"status"})"))["streamed"] == after_stop);
    CHECK(after_stop >= 8);
    CHECK(after_stop < 4 + 2000);
    CHECK(json::parse(sim.control(R"({"cmd":"stream","every_ms":0,"count":3})"))["ok"] == false);
    CHECK(json::parse(sim.control(R"({"cmd":"stream","modem":9,"every_ms":5})"))["ok"] == false);
}

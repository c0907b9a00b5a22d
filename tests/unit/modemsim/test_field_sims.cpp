// SPDX-License-Identifier: Apache-2.0
// The simulated network (issue 14): texts between the simulated SIMs' own numbers arrive there,
// a SIM marked no_receive gets none, and the carriers' service numbers answer balance queries
// in each carrier's wording.
#include <doctest/doctest.h>

#include <thread>

#include "carrier.hpp"
#include "cunxin/modemsim/simulator.hpp"
#include "pty_client.hpp"

using namespace cunxin::modemsim;
using namespace std::chrono_literals;
using cunxin::modemsim::test::PtyClient;

namespace {

Config quick(int n) {
    Config c;
    c.modems = n;
    c.cmgs_latency = 1ms;
    c.registration_delay = 10ms;
    c.delivery_delay = 20ms;
    return c;
}

// "hello" to +8613912345678 (test_simulator.cpp's hand-built SUBMIT).
const std::string kHello = "0011000D91683119325476F80000AA05E8329BFD06";
// "CXYE" to 10086, TP-SRR, relative VP (as the appliance sends it).
const std::string kCxye = "00310005810180F60000A904436CB608";

std::unique_ptr<PtyClient> connect(const Simulator& sim, int modem) {
    auto c = std::make_unique<PtyClient>(sim.modems().at(static_cast<std::size_t>(modem)).pty_path);
    REQUIRE(c->ok());
    REQUIRE(c->cmd("ATE0").find("OK") != std::string::npos);
    std::this_thread::sleep_for(30ms);
    return c;
}

void submit(PtyClient& c, const std::string& hex) {
    c.send("AT+CMGS=" + std::to_string(hex.size() / 2 - 1) + "\r");
    c.read_until("> ", 1000ms);
    c.send(hex + "\x1A");
    REQUIRE(c.read_final().find("+CMGS:") != std::string::npos);
}

}  // namespace

TEST_CASE("a text to another simulated SIM's number arrives there from the sender's number") {
    Config cfg = quick(2);
    cfg.modem.resize(2);
    cfg.modem[0].own_number = "+8613800000010";
    cfg.modem[1].own_number = "+8613912345678";
    Simulator sim(cfg);
    sim.start();
    auto a = connect(sim, 0);
    auto b = connect(sim, 1);
    submit(*a, kHello);
    CHECK(b->read_until("+CMTI: \"SM\",0\r\n", 2000ms).find("+CMTI") != std::string::npos);
    const auto listing = b->cmd("AT+CMGL=4");
    CHECK(listing.find("+CMGL: 0,0") != std::string::npos);
    // The originator in the stored PDU is the sender's number (+8613800000010, semi-octets swapped).
    CHECK(listing.find("0D91683108000010F0") != std::string::npos);
    CHECK(sim.status()[0].delivered_parts == 0);
}

TEST_CASE("a SIM that cannot receive gets no text from the other SIMs") {
    Config cfg = quick(2);
    cfg.modem.resize(2);
    cfg.modem[1].own_number = "+8613912345678";
    cfg.modem[1].faults.no_receive = true;
    Simulator sim(cfg);
    sim.start();
    auto a = connect(sim, 0);
    auto b = connect(sim, 1);
    submit(*a, kHello);
    std::this_thread::sleep_for(200ms);
    CHECK(b->drain(100ms).find("+CMTI") == std::string::npos);
    CHECK(sim.status()[1].delivered_parts == 0);
    CHECK(sim.sent().size() == 1);  // the network took it all the same
}

TEST_CASE("10086 answers CXYE with the SIM's balance") {
    Config cfg = quick(1);
    cfg.modem.resize(1);
    cfg.modem[0].balance_fen = 1250;
    Simulator sim(cfg);
    sim.start();
    auto c = connect(sim, 0);
    submit(*c, kCxye);
    CHECK(c->read_until("+CMTI: \"SM\",0\r\n", 2000ms).find("+CMTI") != std::string::npos);
    // 10086 as originator: 05 81 0180F6
    CHECK(c->cmd("AT+CMGL=4").find("0581" "0180F6") != std::string::npos);
    sim.set_balance(0, -320);
    CHECK(sim.control(R"({"cmd":"balance","modem":0,"yuan":3.5})").find("\"ok\":true") != std::string::npos);
}

TEST_CASE("the carriers word their balance answers their own way") {
    const auto t = std::chrono::system_clock::from_time_t(1796520600);  // 2026-12-06 09:30 Beijing
    auto mobile = service_answer("10086", "cxye", 1250, t);
    REQUIRE(mobile);
    CHECK(mobile->find("您的账户余额为12.50元") != std::string::npos);
    CHECK(mobile->find("2026年12月06日09时") != std::string::npos);
    CHECK(mobile->find("【中国移动】") != std::string::npos);
    CHECK(service_answer("10086", "CXYE", -320, t)->find("您已欠费3.20元") != std::string::npos);
    CHECK(service_answer("10010", "CXYE", 2345, t)->find("当前可用余额为23.45元") != std::string::npos);
    CHECK(service_answer("10010", "CXYE", -320, t)->find("余额为-3.20元") != std::string::npos);
    CHECK(service_answer("10001", "102", 800, t)->find("可用余额：8.00元，欠费：0.00元") != std::string::npos);
    CHECK(service_answer("10001", "102", -320, t)->find("可用余额：0.00元，欠费：3.20元") != std::string::npos);
    CHECK_FALSE(service_answer("10001", "CXYE", 800, t));  // Telecom wants 102
    CHECK_FALSE(service_answer("+8613800000001", "CXYE", 800, t));
    CHECK(number_key("+8613800000001") == number_key("13800000001"));
    CHECK(number_key("8613800000001") == "13800000001");
}

// SPDX-License-Identifier: Apache-2.0
// The simulator's carrier and LTE surface: COPS? with AcT, CIREG?, a suspended card, an LTE
// network that refuses SMS until the vendor's command moves the modem to 2G/3G.
#include <doctest/doctest.h>

#include <thread>

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
    c.command_latency = 0ms;
    c.registration_delay = 10ms;
    return c;
}

std::unique_ptr<PtyClient> connect(const Simulator& sim, int modem) {
    auto c = std::make_unique<PtyClient>(sim.modems().at(static_cast<std::size_t>(modem)).pty_path);
    REQUIRE(c->ok());
    REQUIRE(c->cmd("AT").find("OK") != std::string::npos);
    c->cmd("ATE0");
    std::this_thread::sleep_for(30ms);
    return c;
}

// "hello" to +8613912345678 (as in test_simulator.cpp).
const std::string kHello = "0011000D91683119325476F80000AA05E8329BFD06";

std::string send_pdu(PtyClient& c) {
    c.send("AT+CMGS=" + std::to_string(kHello.size() / 2 - 1) + "\r");
    c.read_until("> ", 1000ms);
    c.send(kHello + "\x1A");
    return c.read_final();
}

// Waits for registration after a radio change.
void settle() { std::this_thread::sleep_for(60ms); }

}  // namespace

TEST_CASE("COPS? gives the AcT, CIREG? the IMS state, the E3372 has no CIREG") {
    Config cfg = quick(3);
    cfg.modem.resize(3);
    cfg.modem[0].profile = Profile::QuectelEc25;
    cfg.modem[1].profile = Profile::SimcomSim7600;
    cfg.modem[2].profile = Profile::HuaweiE3372;
    Simulator sim(cfg);
    sim.start();
    auto ec25 = connect(sim, 0);
    CHECK(ec25->cmd("AT+COPS?").find("+COPS: 0,0,\"CHINA MOBILE\",7") != std::string::npos);
    CHECK(ec25->cmd("AT+CIREG?").find("+CIREG: 0,1") != std::string::npos);
    auto e3372 = connect(sim, 2);
    CHECK(e3372->cmd("AT+CIREG?").find("ERROR") != std::string::npos);
    CHECK(sim.status()[0].act == 7);
}

TEST_CASE("a suspended card fails every send with CMS 500 while registered") {
    Simulator sim(quick(1));
    sim.start();
    auto c = connect(sim, 0);
    CHECK(send_pdu(*c).find("+CMGS: ") != std::string::npos);
    Faults f;
    f.carrier_blocked = true;
    sim.set_faults(0, f);
    for (int i = 0; i < 3; ++i) CHECK(send_pdu(*c).find("+CMS ERROR: 500") != std::string::npos);
    CHECK(c->cmd("AT+CREG?").find("+CREG: 0,1") != std::string::npos);  // still registered
    CHECK(sim.status()[0].registered);
    CHECK(sim.control(R"({"cmd":"fault","modem":0})").find("\"carrier_blocked\":true") != std::string::npos);
}

TEST_CASE("the suspend control command blocks the card and texts the notice from the service number") {
    Simulator sim(quick(1));
    sim.start();
    auto c = connect(sim, 0);
    c->cmd("AT+CNMI=2,2,0,0,0");  // +CMT straight to the line
    CHECK(sim.control(R"({"cmd":"suspend","modem":0})").find("\"ok\":true") != std::string::npos);
    const auto urc = c->read_until("+CMT:", 2000ms);
    CHECK(urc.find("+CMT:") != std::string::npos);
    CHECK(sim.faults(0).carrier_blocked);
    CHECK(send_pdu(*c).find("+CMS ERROR: 500") != std::string::npos);
}

TEST_CASE("an LTE network refusing SMS: CMS 500 and no IMS until the vendor command moves the modem") {
    Config cfg = quick(3);
    cfg.modem.resize(3);
    cfg.modem[0].profile = Profile::QuectelEc25;
    cfg.modem[1].profile = Profile::SimcomSim7600;
    cfg.modem[2].profile = Profile::HuaweiE3372;
    for (auto& m : cfg.modem) m.faults.lte_refuses_sms = true;
    Simulator sim(cfg);
    sim.start();
    SUBCASE("Quectel: AT+QCFG=\"nwscanmode\",1,1 moves it to GSM") {
        auto c = connect(sim, 0);
        CHECK(c->cmd("AT+CIREG?").find("+CIREG: 0,0") != std::string::npos);
        CHECK(send_pdu(*c).find("+CMS ERROR: 500") != std::string::npos);
        CHECK(c->cmd("AT+CNMP=48").find("ERROR") != std::string::npos);  // not a SIMCom command
        CHECK(c->cmd("AT+QCFG=\"nwscanmode\",1,1").find("OK") != std::string::npos);
        settle();
        CHECK(c->cmd("AT+COPS?").find("\"CHINA MOBILE\",0") != std::string::npos);
        CHECK(c->cmd("AT+QCFG=\"nwscanmode\"").find("+QCFG: \"nwscanmode\",1") != std::string::npos);
        CHECK(send_pdu(*c).find("+CMGS: ") != std::string::npos);
        CHECK(sim.status()[0].act == 0);
    }
    SUBCASE("SIMCom: AT+CNMP=48 moves it off LTE (WCDMA on China Unicom)") {
        auto c = connect(sim, 1);
        CHECK(send_pdu(*c).find("+CMS ERROR: 500") != std::string::npos);
        CHECK(c->cmd("AT+QCFG=\"nwscanmode\",1,1").find("ERROR") != std::string::npos);
        CHECK(c->cmd("AT+CNMP=48").find("OK") != std::string::npos);
        settle();
        CHECK(c->cmd("AT+COPS?").find("\"CHINA UNICOM\",2") != std::string::npos);
        CHECK(send_pdu(*c).find("+CMGS: ") != std::string::npos);
    }
    SUBCASE("any vendor: AT+CGSMS=3 (circuit switched preferred) lets SMS through on LTE") {
        auto c = connect(sim, 2);
        CHECK(send_pdu(*c).find("+CMS ERROR: 500") != std::string::npos);
        CHECK(c->cmd("AT+CGSMS=3").find("OK") != std::string::npos);
        CHECK(c->cmd("AT+CGSMS?").find("+CGSMS: 3") != std::string::npos);
        CHECK(send_pdu(*c).find("+CMGS: ") != std::string::npos);
    }
}

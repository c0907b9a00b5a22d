// SPDX-License-Identifier: Apache-2.0
// The simulator over real ptys: AT surface, sending, receiving, faults, shutdown.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "cunxin/modemsim/simulator.hpp"
#include "pty_client.hpp"

using namespace cunxin::modemsim;
using namespace std::chrono_literals;
using cunxin::modemsim::test::PtyClient;

namespace {

Config quick(int n = 1) {
    Config c;
    c.modems = n;
    c.cmgs_latency = 1ms;
    c.command_latency = 0ms;
    c.reset_quiet = 150ms;
    c.registration_delay = 10ms;
    return c;
}

// Opens a modem's pty and waits until the simulator answers (it notices a new client within ~20 ms).
std::unique_ptr<PtyClient> connect(const Simulator& sim, int modem = 0) {
    auto c = std::make_unique<PtyClient>(sim.modems().at(static_cast<std::size_t>(modem)).pty_path);
    REQUIRE(c->ok());
    auto r = c->cmd("AT");
    REQUIRE(r.find("OK") != std::string::npos);
    std::this_thread::sleep_for(30ms);  // registration
    return c;
}

// The hand-built SUBMIT of test_pdu.cpp: "hello" to +8613912345678, relative VP.
const std::string kHello = "0011000D91683119325476F80000AA05E8329BFD06";
// "你好" to +8613800138000 with TP-SRR set.
const std::string kNihaoSrr = "0031000D91683108108300F00008A7044F60597D";

std::string send_pdu(PtyClient& c, const std::string& hex) {
    c.send("AT+CMGS=" + std::to_string(hex.size() / 2 - 1) + "\r");
    c.read_until("> ", std::chrono::milliseconds(1000));
    c.send(hex + "\x1A");
    return c.read_final();
}

// Polls pred every 10 ms for at most timeout.
template <class Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout = 2000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

}  // namespace

TEST_CASE("identity and basic AT answers differ per stick profile") {
    Config cfg = quick(3);
    cfg.modem.resize(3);
    cfg.modem[0].profile = Profile::QuectelEc25;
    cfg.modem[1].profile = Profile::SimcomSim7600;
    cfg.modem[2].profile = Profile::HuaweiE3372;
    Simulator sim(cfg);
    sim.start();
    auto infos = sim.modems();
    REQUIRE(infos.size() == 3);
    CHECK(infos[0].operator_name == "CHINA MOBILE");
    CHECK(infos[1].operator_name == "CHINA UNICOM");
    CHECK(infos[2].operator_name == "CHINA TELECOM");
    for (const auto& i : infos) {
        CHECK(i.imei.size() == 15);
        CHECK(i.iccid.size() == 20);
        CHECK(i.iccid.rfind("8986", 0) == 0);
        CHECK(i.pty_path.rfind("/dev/pts/", 0) == 0);
    }
    auto ec25 = connect(sim, 0);
    CHECK(ec25->cmd("AT+CGMI").find("\r\nQuectel\r\n") != std::string::npos);
    CHECK(ec25->cmd("AT+QCCID").find("+QCCID: " + infos[0].iccid) != std::string::npos);
    CHECK(ec25->cmd("AT+CCID").find("ERROR") != std::string::npos);
    CHECK(ec25->cmd("AT+CGSN").find("\r\n" + infos[0].imei + "\r\n") != std::string::npos);
    CHECK(ec25->cmd("AT+CIMI").find(infos[0].imsi) != std::string::npos);
    CHECK(ec25->cmd("AT+CNUM").find("\"" + infos[0].own_number + "\",145") != std::string::npos);

    auto simcom = connect(sim, 1);
    CHECK(simcom->cmd("AT+CICCID").find("+ICCID: " + infos[1].iccid) != std::string::npos);
    CHECK(simcom->cmd("AT+CGMR").find("+CGMR: ") != std::string::npos);

    auto huawei = connect(sim, 2);
    std::string swapped = infos[2].iccid;
    for (std::size_t i = 0; i + 1 < swapped.size(); i += 2) std::swap(swapped[i], swapped[i + 1]);
    CHECK(huawei->cmd("AT^ICCID?").find("^ICCID: " + swapped) != std::string::npos);
    CHECK(huawei->cmd("AT+QCCID").find("ERROR") != std::string::npos);
    CHECK(huawei->cmd("AT+CRSM=176,12258,0,0,10").find("+CRSM: 144,0,\"" + swapped + "\"") != std::string::npos);
}

TEST_CASE("echo, errors, registration, storage and indication settings") {
    Simulator sim(quick());
    sim.start();
    auto c = connect(sim);
    CHECK(c->cmd("AT+CSQ") == "AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n");  // echo on by default
    CHECK(c->cmd("ATE0") == "ATE0\r\r\nOK\r\n");
    CHECK(c->cmd("AT") == "\r\nOK\r\n");
    CHECK(c->cmd("AT+NOSUCH") == "\r\nERROR\r\n");
    CHECK(c->cmd("AT+CMEE=2;+CPIN?") == "\r\n+CPIN: READY\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CREG?") == "\r\n+CREG: 0,1\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CEREG=2;+CEREG?").find("+CEREG: 2,1,\"") != std::string::npos);
    CHECK(c->cmd("AT+COPS=3,2;+COPS?").find("+COPS: 0,2,\"46000\",7") != std::string::npos);
    CHECK(c->cmd("AT+CMGF=0") == "\r\nOK\r\n");
    CHECK(c->cmd("AT+CMGF=1").find("+CMS ERROR: 303") != std::string::npos);
    CHECK(c->cmd("AT+CPMS?") == "\r\n+CPMS: \"SM\",0,30,\"SM\",0,30,\"SM\",0,30\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CPMS=\"ME\",\"ME\",\"ME\"") == "\r\n+CPMS: 0,50,0,50,0,50\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CNMI=?") == "\r\n+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CNMI=2,1,0,2,0") == "\r\nOK\r\n");
    CHECK(c->cmd("AT+CNMI=2,5,0,2,0").find("+CMS ERROR: 303") != std::string::npos);
    CHECK(c->cmd("AT+CNMI?") == "\r\n+CNMI: 2,1,0,2,0\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CSMS=1") == "\r\n+CSMS: 1,1,1\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CCLK?").find("+32\"") != std::string::npos);
    CHECK(c->cmd("AT+CMGR=60").find("+CMS ERROR: 321") != std::string::npos);
    CHECK(c->cmd("AT+CMMS=2;+CMMS?").find("+CMMS: 2") != std::string::npos);
    auto cusd = c->cmd("AT+CUSD=1,\"*100#\",15");
    CHECK(cusd == "\r\nOK\r\n");
    CHECK(c->read_until(",72\r\n").find("+CUSD: 0,\"") != std::string::npos);
}

TEST_CASE("AT+CMGS: prompt, PDU, +CMGS reference, the decoded send is listed") {
    Simulator sim(quick());
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    c->send("AT+CMGS=20\r");
    CHECK(c->read_until("> ", 1000ms) == "\r\n> ");
    c->send(kHello + "\x1A");
    CHECK(c->read_final() == "\r\n+CMGS: 0\r\n\r\nOK\r\n");
    CHECK(send_pdu(*c, kNihaoSrr).find("+CMGS: 1\r\n") != std::string::npos);
    REQUIRE(sim.wait_sent(2, 1000ms));
    auto sent = sim.sent();
    REQUIRE(sent.size() == 2);
    CHECK(sent[0].recipient == "+8613912345678");
    CHECK(sent[0].text == "hello");
    CHECK(sent[0].encoding == "gsm7");
    CHECK(sent[0].mr == 0);
    CHECK(sent[1].text == "你好");
    CHECK(sent[1].encoding == "ucs2");
    CHECK(sent[1].status_report);
    CHECK(sent[1].mr == 1);

    SUBCASE("a wrong <length> or a broken PDU is refused with +CMS ERROR 304") {
        c->send("AT+CMGS=19\r");
        c->read_until("> ");
        c->send(kHello + "\x1A");
        CHECK(c->read_final().find("+CMS ERROR: 304") != std::string::npos);
        CHECK(sim.status()[0].bad_pdus == 1);
        CHECK(sim.sent().size() == 2);
    }
    SUBCASE("ESC cancels the send") {
        c->send("AT+CMGS=20\r");
        c->read_until("> ");
        c->send(kHello + "\x1B");
        CHECK(c->read_final() == "\r\nOK\r\n");
        CHECK(c->cmd("AT") == "\r\nOK\r\n");
        CHECK(sim.sent().size() == 2);
    }
}

TEST_CASE("random bytes and absurd commands never stop the modem") {
    Simulator sim(quick());
    sim.start();
    auto c = connect(sim);
    std::mt19937 rng(7);
    std::string junk;
    for (int i = 0; i < 20000; ++i) junk += static_cast<char>(rng() & 0xFF);
    c->send(junk);
    c->send("ATE99999999999999999\rAT+CMGR=99999999999999\rAT+CPMS=,,,,\rAT+CNMI=9,9,9,9,9,9\r");
    c->send("\x1B\rATE0\rAT+CGMM\r");
    CHECK(c->read_until("\r\nEC25\r\n\r\nOK\r\n", 10000ms).find("EC25") != std::string::npos);
    CHECK(c->cmd("AT") == "\r\nOK\r\n");
}

TEST_CASE("message reference wraps from 255 to 0") {
    Config cfg = quick();
    cfg.cmgs_latency = 0ms;
    Simulator sim(cfg);
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    std::string last;
    for (int i = 0; i < 257; ++i) last = send_pdu(*c, kHello);
    CHECK(last.find("+CMGS: 0\r\n") != std::string::npos);
    auto sent = sim.sent();
    REQUIRE(sent.size() == 257);
    CHECK(sent[255].mr == 255);
    CHECK(sent[256].mr == 0);
}

TEST_CASE("status reports: +CDS direct, +CDSI into SR memory") {
    Config cfg = quick();
    cfg.modem.resize(1);
    cfg.modem[0].faults.report_delay_ms = 5;
    cfg.modem[0].faults.report_status = 0;
    Simulator sim(cfg);
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    SUBCASE("ds=1: +CDS with the PDU") {
        c->cmd("AT+CNMI=2,1,0,1,0");
        CHECK(send_pdu(*c, kNihaoSrr).find("+CMGS: 0") != std::string::npos);
        auto urc = c->read_until("\r\n", 1000ms);  // leading CRLF
        urc = c->read_until("\r\n", 1000ms);
        CHECK(urc == "+CDS: 26\r\n");
        auto pdu = c->read_until("\r\n", 1000ms);
        // SMSC | 06 status report | MR 00 | RA +8613800138000 | SCTS | DT | ST 00
        CHECK(pdu.rfind("0891683108100005F0" "06" "00" "0D91683108108300F0", 0) == 0);
        CHECK(pdu.substr(pdu.size() - 4) == "00\r\n");
    }
    SUBCASE("ds=2: +CDSI, then read from SR") {
        c->cmd("AT+CNMI=2,1,0,2,0");
        send_pdu(*c, kNihaoSrr);
        CHECK(c->read_until("+CDSI: \"SR\",0\r\n", 1000ms).find("+CDSI") != std::string::npos);
        CHECK(c->cmd("AT+CPMS=\"SR\"").find("+CPMS: 1,30,") != std::string::npos);
        auto r = c->cmd("AT+CMGR=0");
        CHECK(r.find("+CMGR: 0,,26\r\n0891683108100005F00600") != std::string::npos);
    }
    SUBCASE("quirk: filed silently in SR although CNMI asked for +CDS; lost reports") {
        c->cmd("AT+CNMI=2,1,0,1,0");
        auto f = sim.faults(0);
        f.reports_to_sr = true;
        sim.set_faults(0, f);
        send_pdu(*c, kNihaoSrr);
        CHECK(c->drain(150ms).find("+CDS") == std::string::npos);
        CHECK(sim.status()[0].sr_used == 1);
        f.reports_to_sr = false;
        f.report_loss = 1.0;
        sim.set_faults(0, f);
        send_pdu(*c, kNihaoSrr);
        CHECK(c->drain(150ms).find("+CDS") == std::string::npos);
        CHECK(sim.status()[0].reports_sent == 1);
    }
    SUBCASE("no report unless TP-SRR was set; a failed outcome carries its TP-ST") {
        c->cmd("AT+CNMI=2,1,0,1,0");
        send_pdu(*c, kHello);
        CHECK(c->drain(100ms).find("+CDS") == std::string::npos);
        auto f = sim.faults(0);
        f.report_status = 0x41;
        sim.set_faults(0, f);
        send_pdu(*c, kNihaoSrr);
        auto got = c->read_until("\r\n", 1000ms) + c->read_until("\r\n", 1000ms) + c->read_until("\r\n", 1000ms);
        CHECK(got.find("41\r\n") != std::string::npos);
    }
}

TEST_CASE("incoming: +CMTI then AT+CMGR gives the DELIVER PDU, multipart out of order, +CMT direct") {
    Simulator sim(quick());
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    Incoming in;
    in.from = "+8613800000001";
    in.text = "Hi";
    in.scts = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours(5);
    CHECK(sim.inject(in) == 1);
    CHECK(c->read_until("\r\n+CMTI: \"SM\",0\r\n", 1000ms).find("+CMTI") != std::string::npos);
    auto r = c->cmd("AT+CMGR=0");
    CHECK(r == "\r\n+CMGR: 0,,22\r\n0891683108100005F0040D91683108000000F1000062112231000023" "02C834\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CMGR=0").find("+CMGR: 1,,22") != std::string::npos);  // now read
    CHECK(c->cmd("AT+CMGD=0") == "\r\nOK\r\n");
    CHECK(c->cmd("AT+CMGR=0") == "\r\nOK\r\n");  // EC25 answers an empty slot with OK

    std::string long_text = "02 ";
    for (int i = 0; i < 40; ++i) long_text += "村口路灯坏了";
    in.text = long_text;  // 243 UTF-16 units: 4 parts
    in.parts_order = {2, 4, 1, 3};
    CHECK(sim.inject(in) == 4);
    auto urcs = c->read_until("+CMTI: \"SM\",3\r\n", 1000ms);
    CHECK(urcs.find("+CMTI: \"SM\",0") != std::string::npos);
    auto list = c->cmd("AT+CMGL=4");
    // Slot 0 got part 2 of 4, slot 1 part 4, slot 2 part 1 (UDH 05 00 03 ref 04 nn).
    auto pos0 = list.find("+CMGL: 0,0,,");
    auto pos2 = list.find("+CMGL: 2,0,,");
    REQUIRE(pos0 != std::string::npos);
    REQUIRE(pos2 != std::string::npos);
    CHECK(list.find("05000", pos0) != std::string::npos);
    auto pdu0 = list.substr(list.find("\r\n", pos0) + 2, 200);
    auto pdu2 = list.substr(list.find("\r\n", pos2) + 2, 200);
    CHECK(pdu0.find("0402") != std::string::npos);
    CHECK(pdu2.find("0401") != std::string::npos);
    CHECK(c->cmd("AT+CMGL=0").find("+CMGL") == std::string::npos);  // all read now
    CHECK(c->cmd("AT+CMGD=0,4") == "\r\nOK\r\n");
    CHECK(c->cmd("AT+CPMS?").find("\"SM\",0,30") != std::string::npos);

    c->cmd("AT+CNMI=2,2,0,0,0");
    in.text = "Hi";
    in.parts_order.clear();
    sim.inject(in);
    auto cmt = c->read_until("C834\r\n", 1000ms);
    CHECK(cmt.find("\r\n+CMT: ,22\r\n0891683108100005F0040D9168") != std::string::npos);
    CHECK(c->cmd("AT+CPMS?").find("\"SM\",0,30") != std::string::npos);
}

TEST_CASE("+CMT with CSMS=1: acknowledged once with AT+CNMA, or delivered again") {
    Config cfg = quick();
    cfg.cnma_timeout = 100ms;
    Simulator sim(cfg);
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    CHECK(c->cmd("AT+CNMA").find("+CMS ERROR: 340") != std::string::npos);
    c->cmd("AT+CSMS=1");
    c->cmd("AT+CNMI=2,2,0,0,0");
    Incoming in;
    in.from = "+8613800000001";
    in.text = "ack me";
    sim.inject(in);
    CHECK(c->read_until("+CMT: ,", 1000ms).find("+CMT") != std::string::npos);
    c->read_until("\r\n");
    c->read_until("\r\n");
    CHECK(c->cmd("AT+CNMA") == "\r\nOK\r\n");
    CHECK(c->drain(250ms).find("+CMT") == std::string::npos);
    CHECK(sim.status()[0].redelivered == 0);

    sim.inject(in);  // not acknowledged this time
    CHECK(c->read_until("+CMT: ,", 1000ms).find("+CMT") != std::string::npos);
    CHECK(c->read_until("+CMT: ,", 1000ms).find("+CMT") != std::string::npos);  // the same, again
    CHECK(sim.status()[0].redelivered >= 1);
}

TEST_CASE("a full SIM: no +CMTI until space is freed, the message waits network-side") {
    Config cfg = quick();
    cfg.modem.resize(1);
    cfg.modem[0].sm_slots = 3;
    cfg.modem[0].sim_full = true;
    Simulator sim(cfg);
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    CHECK(c->cmd("AT+CPMS?").find("\"SM\",3,3") != std::string::npos);
    Incoming in;
    in.from = "+8613800000001";
    in.text = "after full";
    sim.inject(in);
    CHECK(c->drain(150ms).find("+CMTI") == std::string::npos);
    CHECK(sim.status()[0].network_queue == 1);
    CHECK(c->cmd("AT+CMGL=1").find("+CMGL: 2,1,,") != std::string::npos);  // the old messages
    CHECK(c->cmd("AT+CMGD=1") == "\r\nOK\r\n");
    CHECK(c->read_until("+CMTI: \"SM\",1\r\n", 1000ms).find("+CMTI") != std::string::npos);
    CHECK(sim.status()[0].network_queue == 0);
}

TEST_CASE("faults: +CMS ERROR codes, error rate, hang after K sends, garbage, slow answers") {
    Simulator sim(quick());
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    SUBCASE("fail_next takes the codes in turn, then sends succeed") {
        Faults f;
        f.fail_next = 2;
        f.error_codes = {38, 21};
        sim.set_faults(0, f);
        CHECK(send_pdu(*c, kHello).find("+CMS ERROR: 38") != std::string::npos);
        CHECK(send_pdu(*c, kHello).find("+CMS ERROR: 21") != std::string::npos);
        CHECK(send_pdu(*c, kHello).find("+CMGS: 0") != std::string::npos);
        CHECK(sim.status()[0].sends_failed == 2);
    }
    SUBCASE("error rate 1.0 fails every send") {
        Faults f;
        f.error_rate = 1.0;
        f.error_codes = {42};
        sim.set_faults(0, f);
        for (int i = 0; i < 3; ++i) CHECK(send_pdu(*c, kHello).find("+CMS ERROR: 42") != std::string::npos);
        CHECK(sim.sent().empty());
    }
    SUBCASE("hang after 2 sends: silence, until the fault is cleared") {
        Faults f;
        f.hang_after_sends = 2;
        sim.set_faults(0, f);
        CHECK(send_pdu(*c, kHello).find("+CMGS: 0") != std::string::npos);
        CHECK(send_pdu(*c, kHello).find("+CMGS: 1") != std::string::npos);
        CHECK(c->cmd("AT", 300ms).empty());
        CHECK(sim.status()[0].hung);
        sim.set_faults(0, Faults{});
        CHECK(c->cmd("AT") == "\r\nOK\r\n");
    }
    SUBCASE("garbage bytes on the line, then normal answers") {
        sim.inject_garbage(0, std::string("\xFF\x00\x13junk\r\n", 9));
        CHECK(c->drain(100ms) == std::string("\xFF\x00\x13junk\r\n", 9));
        Faults f;
        f.garbage_every_ms = 10;
        sim.set_faults(0, f);
        CHECK(c->drain(100ms).size() >= 6);
        sim.set_faults(0, Faults{});
        c->drain(50ms);
        CHECK(c->cmd("AT") == "\r\nOK\r\n");
    }
    SUBCASE("slow answers") {
        Faults f;
        f.slow_ms = 200;
        sim.set_faults(0, f);
        auto t0 = std::chrono::steady_clock::now();
        CHECK(c->cmd("AT") == "\r\nOK\r\n");
        CHECK(std::chrono::steady_clock::now() - t0 >= 190ms);
    }
    SUBCASE("no network: CREG searching, sends fail with 331") {
        Faults f;
        f.no_network = true;
        sim.set_faults(0, f);
        CHECK(c->cmd("AT+CREG?").find("+CREG: 0,2") != std::string::npos);
        CHECK(send_pdu(*c, kHello).find("+CMS ERROR: 331") != std::string::npos);
    }
}

TEST_CASE("network time: +CTZE on EC25 when asked, ^NWTIME on E3372, a default clock without NITZ") {
    Config cfg = quick(3);
    cfg.modem.resize(3);
    cfg.modem[1].profile = Profile::HuaweiE3372;
    cfg.modem[2].nitz = false;
    Simulator sim(cfg);
    sim.start();
    auto ec25 = connect(sim, 0);
    ec25->cmd("ATE0");
    CHECK(ec25->cmd("AT+CTZR=2;+CFUN=4") == "\r\nOK\r\n");
    CHECK(ec25->cmd("AT+CREG?").find("+CREG: 0,0") != std::string::npos);
    CHECK(ec25->cmd("AT+CFUN=1") == "\r\nOK\r\n");
    CHECK(ec25->read_until("\"\r\n", 1000ms).find("+CTZE: \"+32\",0,\"20") != std::string::npos);

    auto huawei = connect(sim, 1);
    huawei->cmd("ATE0;+CFUN=0");
    huawei->cmd("AT+CFUN=1");
    CHECK(huawei->read_until("+32,00\r\n", 1000ms).find("^NWTIME: ") != std::string::npos);

    auto no_nitz = connect(sim, 2);
    CHECK(no_nitz->cmd("AT+CCLK?").find("+CCLK: \"80/01/06,") != std::string::npos);
}

TEST_CASE("Huawei E3372: a full SIM says ^SMMEMFULL once") {
    Config cfg = quick();
    cfg.modem.resize(1);
    cfg.modem[0].profile = Profile::HuaweiE3372;
    cfg.modem[0].sm_slots = 2;
    Simulator sim(cfg);
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    Incoming in;
    in.from = "10086";
    in.text = "x";
    for (int i = 0; i < 4; ++i) sim.inject(in);
    auto got = c->read_until("^SMMEMFULL: \"SM\"\r\n", 1000ms);
    CHECK(got.find("+CMTI: \"SM\",1") != std::string::npos);
    CHECK(c->drain(100ms).find("SMMEMFULL") == std::string::npos);
    CHECK(sim.status()[0].network_queue == 2);
    CHECK(c->cmd("AT+CMGR=1").find("+CMGR: 0,,") != std::string::npos);  // empty slots answer 321 here
    c->cmd("AT+CMGD=0,4");
    CHECK(c->read_until("+CMTI: \"SM\",1\r\n", 1000ms).find("+CMTI: \"SM\",0") != std::string::npos);
    CHECK(c->cmd("AT+CMGD=0;+CMGR=0").find("+CMS ERROR: 321") != std::string::npos);
}

TEST_CASE("locked SIM: PIN, attempt counter, PUK") {
    Config cfg = quick();
    cfg.modem.resize(1);
    cfg.modem[0].pin = "1234";
    Simulator sim(cfg);
    sim.start();
    auto c = std::make_unique<PtyClient>(sim.modems()[0].pty_path);
    REQUIRE(c->cmd("ATE0").find("OK") != std::string::npos);
    CHECK(c->cmd("AT+CPIN?") == "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
    CHECK(c->cmd("AT+CMGL=4").find("+CMS ERROR: 311") != std::string::npos);
    CHECK(c->cmd("AT+CPIN=\"0000\"") == "\r\n+CME ERROR: 16\r\n");
    CHECK(c->cmd("AT+QPINC?").find("+QPINC: \"SC\",2,10") != std::string::npos);
    CHECK(c->cmd("AT+CPIN=\"1234\"") == "\r\nOK\r\n");
    CHECK(c->read_until("+QIND: SMS DONE\r\n", 1000ms).find("+CPIN: READY") != std::string::npos);
    CHECK(c->cmd("AT+CPIN?").find("READY") != std::string::npos);

    sim.lock_sim(0, "4321");
    c->cmd("AT+CPIN=\"1\"");
    c->cmd("AT+CPIN=\"2\"");
    CHECK(c->cmd("AT+CPIN=\"3\"").find("+CME ERROR: 16") != std::string::npos);
    CHECK(c->cmd("AT+CPIN?").find("SIM PUK") != std::string::npos);
    CHECK(c->cmd("AT+CPIN=\"12345678\",\"5555\"") == "\r\nOK\r\n");
    CHECK(c->cmd("AT+CPIN?").find("READY") != std::string::npos);
}

TEST_CASE("AT+CFUN=1,1: OK, a quiet port, then boot URCs and answers again") {
    Config cfg = quick();
    cfg.reset_quiet = 500ms;
    Simulator sim(cfg);
    sim.start();
    auto c = connect(sim);
    c->cmd("ATE0");
    CHECK(c->cmd("AT+CFUN=1,1") == "\r\nOK\r\n");
    CHECK(c->cmd("AT", 80ms).empty());
    auto boot = c->read_until("+QIND: SMS DONE\r\n", 1000ms);
    CHECK(boot.find("RDY") != std::string::npos);
    CHECK(c->cmd("AT") == "AT\r\r\nOK\r\n");  // echo is back on after a reset
}

TEST_CASE("AT+CFUN=1,1 on a stick that re-enumerates: the port drops and returns on a new pty") {
    Config cfg = quick();
    cfg.modem.resize(1);
    cfg.modem[0].reset_reenumerates = true;
    Simulator sim(cfg);
    sim.start();
    auto before = sim.modems()[0];
    auto c = connect(sim);
    CHECK(c->cmd("AT+CFUN=1,1").find("OK") != std::string::npos);
    CHECK(wait_for([&] {
        c->drain(20ms);
        return c->hangup;
    }));
    CHECK(wait_for([&] { return sim.modems()[0].present; }));
    auto after = sim.modems()[0];
    CHECK(after.present);
    CHECK(after.iccid == before.iccid);
    PtyClient again(after.pty_path);
    CHECK(again.cmd("AT").find("OK") != std::string::npos);
}

TEST_CASE("vanish: the pty goes away and comes back under a new path, the link follows") {
    auto dir = std::filesystem::temp_directory_path() / ("modemsim-" + std::to_string(::getpid()));
    Config cfg = quick();
    cfg.link_dir = dir.string();
    Simulator sim(cfg);
    sim.start();
    auto before = sim.modems()[0];
    CHECK(std::filesystem::read_symlink(before.link_path) == before.pty_path);
    auto c = connect(sim);
    sim.vanish(0, 800ms);
    CHECK_FALSE(sim.modems()[0].present);
    CHECK_FALSE(std::filesystem::exists(std::filesystem::symlink_status(before.link_path)));
    CHECK(wait_for([&] {
        c->drain(20ms);
        return c->hangup;
    }));
    CHECK(wait_for([&] { return sim.modems()[0].present; }));
    auto after = sim.modems()[0];
    CHECK(after.present);
    CHECK(after.imei == before.imei);
    CHECK(std::filesystem::read_symlink(after.link_path) == after.pty_path);
    PtyClient again(after.link_path);
    REQUIRE(again.ok());
    CHECK(again.cmd("AT").find("OK") != std::string::npos);
    sim.stop();
    std::filesystem::remove_all(dir);
}

TEST_CASE("loopback TCP endpoint speaks the same AT") {
    Config cfg = quick();
    cfg.modem.resize(1);
    cfg.modem[0].tcp = true;
    Simulator sim(cfg);
    sim.start();
    auto port = sim.modems()[0].tcp_port;
    REQUIRE(port != 0);
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string cmd = "AT+CGMM\r";
    REQUIRE(::write(fd, cmd.data(), cmd.size()) == static_cast<ssize_t>(cmd.size()));
    std::string got;
    char buf[256];
    while (got.find("OK\r\n") == std::string::npos) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    CHECK(got == "AT+CGMM\r\r\nEC25\r\n\r\nOK\r\n");
    ::close(fd);
}

TEST_CASE("stop is clean with clients still attached and work pending") {
    Config cfg = quick(2);
    cfg.cmgs_latency = 5000ms;
    auto sim = std::make_unique<Simulator>(cfg);
    sim->start();
    auto c = connect(*sim);
    c->send("AT+CMGS=20\r");
    c->read_until("> ");
    c->send(kHello + "\x1A");  // answer due in 5 s
    Faults f;
    f.garbage_every_ms = 5;
    sim->set_faults(1, f);
    auto t0 = std::chrono::steady_clock::now();
    sim.reset();
    CHECK(std::chrono::steady_clock::now() - t0 < 1000ms);
}

// SPDX-License-Identifier: Apache-2.0
// Modem against a small scripted modem on a real pty (PIN safety, receive-then-delete).
#include <doctest/doctest.h>

#include <map>

#include "../at/pty_peer.hpp"
#include "cunxin/modem/modem.hpp"
#include "fakes.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

namespace {

// A minimal, quiet EC25-like modem; `overrides` replace answers by command.
std::string answer(const std::string& cmd, const std::map<std::string, std::string>& overrides) {
    if (auto it = overrides.find(cmd); it != overrides.end()) return it->second;
    static const std::map<std::string, std::string> base = {
        {"AT+CGMI", "\r\nQuectel\r\n\r\nOK\r\n"},
        {"AT+CGMM", "\r\nEC25\r\n\r\nOK\r\n"},
        {"AT+CGMR", "\r\nEC25EFAR06A03M4G\r\n\r\nOK\r\n"},
        {"AT+CGSN", "\r\n867000000000001\r\n\r\nOK\r\n"},
        {"AT+CPIN?", "\r\n+CPIN: READY\r\n\r\nOK\r\n"},
        {"AT+CIMI", "\r\n460001234567890\r\n\r\nOK\r\n"},
        {"AT+QCCID", "\r\n+QCCID: 89860012345678901234\r\n\r\nOK\r\n"},
        {"AT+CNUM", "\r\nOK\r\n"},
        {"AT+CREG?", "\r\n+CREG: 0,1\r\n\r\nOK\r\n"},
        {"AT+CNMI=?", "\r\n+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)\r\n\r\nOK\r\n"},
        {"AT+CPMS=?", "\r\n+CPMS: (\"SM\",\"ME\",\"SR\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")\r\n\r\nOK\r\n"},
        {"AT+CPMS?", "\r\n+CPMS: \"SM\",0,50,\"SM\",0,50,\"SM\",0,50\r\n\r\nOK\r\n"},
        {"AT+COPS?", "\r\n+COPS: 0,0,\"CHINA MOBILE\",7\r\n\r\nOK\r\n"},
        {"AT+CCLK?", "\r\n+CCLK: \"24/03/05,14:30:00+32\"\r\n\r\nOK\r\n"},
        {"AT+CSQ", "\r\n+CSQ: 20,99\r\n\r\nOK\r\n"},
        {"AT+CMGL=4", "\r\nOK\r\n"},
    };
    if (auto it = base.find(cmd); it != base.end()) return it->second;
    if (cmd.rfind("AT+CMGR=", 0) == 0) {
        return "\r\n+CMGR: 0,,32\r\n0891683108100005F0040D91683109000000F10008423050415100230C4F60597DFF0C675159D44F1A\r\n\r\nOK\r\n";
    }
    return "\r\nOK\r\n";
}

modem::ModemConfig config(const std::string& port) {
    modem::ModemConfig c;
    c.port = port;
    c.command_timeout = 1s;
    c.cmgs_timeout = 1s;
    c.registration_timeout = 2s;
    c.health_interval = 10s;
    c.drain_interval = 60s;
    return c;
}

template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until) {
        io.restart();
        io.run_for(20ms);
    }
    return done();
}

bool logged(test::PtyPeer& peer, const std::string& prefix) {
    for (const auto& l : peer.log()) {
        if (l.rfind(prefix, 0) == 0) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("probe reads identity, registration, signal and network time") {
    test::PtyPeer peer;
    peer.run_responder([](const std::string& c) { return answer(c, {}); });
    asio::io_context io;
    test::FakeInbox inbox;
    auto m = modem::Modem::create(io.get_executor(), config(peer.slave_path()), &inbox);
    std::optional<modem::Result<void>> result;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { result = co_await m->open_once(); }, asio::detached);
    REQUIRE(run_until(io, [&] { return result.has_value(); }, 10s));
    REQUIRE(*result);
    CHECK(m->identity().imei == "867000000000001");
    CHECK(m->identity().iccid == "89860012345678901234");
    CHECK(m->identity().operator_name == "CHINA MOBILE");
    CHECK(m->quirks().name == "quectel");
    CHECK(m->signal_dbm() == -73);
    CHECK(m->registration() == at::RegStat::Home);
    REQUIRE(inbox.times.size() == 1);
    CHECK(inbox.times[0].second == 480);
    CHECK(logged(peer, "AT+CNMI=2,1,0,2,0"));  // +CMTI, and +CDSI (status reports filed in SR)
    CHECK(logged(peer, "AT+CPMS=\"SM\",\"SM\",\"SM\""));
    m->stop();
    peer.stop();
}

TEST_CASE("a PIN is never tried when it could lock the SIM into PUK") {
    test::PtyPeer peer;
    peer.run_responder([](const std::string& c) {
        return answer(c, {{"AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"},
                          {"AT+QPINC=\"SC\"", "\r\n+QPINC: \"SC\",1,10\r\n\r\nOK\r\n"}});
    });
    asio::io_context io;
    auto cfg = config(peer.slave_path());
    cfg.pin = "1234";
    auto m = modem::Modem::create(io.get_executor(), cfg, nullptr);
    std::optional<modem::Result<void>> result;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { result = co_await m->open_once(); }, asio::detached);
    REQUIRE(run_until(io, [&] { return result.has_value(); }, 10s));
    REQUIRE_FALSE(*result);
    CHECK(result->error().code == modem::Errc::PinRejected);
    peer.stop();
    CHECK_FALSE(logged(peer, "AT+CPIN=\""));
}

TEST_CASE("a wrong PIN is tried once, then never again") {
    test::PtyPeer peer;
    peer.run_responder([](const std::string& c) {
        return answer(c, {{"AT+CPIN?", "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"},
                          {"AT+QPINC=\"SC\"", "\r\n+QPINC: \"SC\",3,10\r\n\r\nOK\r\n"},
                          {"AT+CPIN=\"9999\"", "\r\n+CME ERROR: 16\r\n"}});
    });
    asio::io_context io;
    auto cfg = config(peer.slave_path());
    cfg.pin = "9999";
    cfg.reopen_backoff_min = 50ms;
    cfg.reopen_backoff_max = 100ms;
    auto m = modem::Modem::create(io.get_executor(), cfg, nullptr);
    m->start();
    CHECK(run_until(io, [&] { return m->state() == modem::State::OutOfService; }, 5s));
    // Several re-open rounds: an out-of-service modem keeps trying to open the port (it may be
    // "opening" at any instant) but never becomes ready and never sends the PIN again.
    bool ready = false;
    const auto end = std::chrono::steady_clock::now() + 500ms;
    while (std::chrono::steady_clock::now() < end) {
        io.run_for(10ms);
        ready = ready || m->state() == modem::State::Ready;
    }
    CHECK_FALSE(ready);
    m->stop();
    io.run_for(50ms);
    peer.stop();
    int tries = 0;
    for (const auto& l : peer.log()) tries += l.rfind("AT+CPIN=\"", 0) == 0 ? 1 : 0;
    CHECK(tries == 1);
}

TEST_CASE("message storage use is kept from AT+CPMS, and nearly full storage is logged once") {
    test::PtyPeer peer;
    peer.run_responder([](const std::string& c) {
        return answer(c, {{"AT+CPMS=\"SM\",\"SM\",\"SM\"", "\r\n+CPMS: 3,50,3,50,3,50\r\n\r\nOK\r\n"},
                          {"AT+CPMS?", "\r\n+CPMS: \"SM\",45,50,\"SM\",45,50,\"SM\",45,50\r\n\r\nOK\r\n"}});
    });
    asio::io_context io;
    auto cfg = config(peer.slave_path());
    std::vector<std::string> log;
    cfg.log = [&log](std::string_view l) { log.emplace_back(l); };
    auto m = modem::Modem::create(io.get_executor(), cfg, nullptr);
    std::optional<modem::Result<void>> result;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { result = co_await m->open_once(); }, asio::detached);
    REQUIRE(run_until(io, [&] { return result.has_value(); }, 10s));
    REQUIRE(*result);
    // After init: the set form's answer (no memory names: the one asked for).
    REQUIRE(m->storage());
    CHECK(m->storage()->mem == "SM");
    CHECK(m->storage()->used == 3);
    CHECK(m->storage()->total == 50);
    m->stop();
    io.run_for(20ms);
    // The supervisor drains at start: AT+CPMS? then says 45 of 50, which is noted (3 of 50 was not).
    auto m2 = modem::Modem::create(io.get_executor(), cfg, nullptr);
    m2->start();
    REQUIRE(run_until(io, [&] { return m2->storage() && m2->storage()->used == 45; }, 10s));
    CHECK(m2->storage()->total == 50);
    m2->stop();
    io.run_for(20ms);
    peer.stop();
    int notes = 0;
    for (const auto& l : log) notes += l.find("storage SM 45/50 used") != std::string::npos ? 1 : 0;
    CHECK(notes == 1);
}

TEST_CASE("a modem that stops answering gets one USB reset before it is out of service") {
    // The peer is a pty: the reset step runs and says why it cannot reset (not a USB device),
    // once, after the configured number of failed re-opens, and the ladder goes on.
    test::PtyPeer peer;
    peer.run_responder([](const std::string&) { return std::string(); });
    asio::io_context io;
    auto cfg = config(peer.slave_path());
    cfg.command_timeout = 100ms;
    cfg.reopen_backoff_min = 20ms;
    cfg.reopen_backoff_max = 40ms;
    cfg.failures_before_usb_reset = 2;
    cfg.failures_before_out_of_service = 3;
    std::vector<std::string> log;
    cfg.log = [&log](std::string_view l) { log.emplace_back(l); };
    auto m = modem::Modem::create(io.get_executor(), cfg, nullptr);
    m->start();
    REQUIRE(run_until(io, [&] { return m->state() == modem::State::OutOfService; }, 30s));
    m->stop();
    io.run_for(50ms);
    peer.stop();
    int resets = 0;
    int failures_before = 0;
    for (const auto& l : log) {
        if (l.find("recovery: no USB reset: ") != std::string::npos) {
            ++resets;
            CHECK(l.find("not a USB device") != std::string::npos);
        } else if (resets == 0 && l.find("open/init failed") != std::string::npos) {
            ++failures_before;
        }
    }
    CHECK(resets == 1);
    CHECK(failures_before == 2);
}

TEST_CASE("+CMTI: read, store, and delete only what the inbox stored") {
    for (const bool accept : {true, false}) {
        CAPTURE(accept);
        test::PtyPeer peer;
        peer.run_responder([](const std::string& c) { return answer(c, {}); });
        asio::io_context io;
        test::FakeInbox inbox;
        inbox.accept = accept;
        auto m = modem::Modem::create(io.get_executor(), config(peer.slave_path()), &inbox);
        m->start();
        REQUIRE(run_until(io, [&] { return m->ready(); }, 10s));
        io.run_for(100ms);
        peer.write_raw("\r\n+CMTI: \"SM\",7\r\n");
        run_until(io, [&] { return logged(peer, "AT+CMGR=7"); }, 3s);
        io.run_for(200ms);
        m->stop();
        io.run_for(20ms);
        peer.stop();
        CHECK(logged(peer, "AT+CMGR=7"));
        CHECK(logged(peer, "AT+CMGD=7") == accept);
        CHECK(inbox.pdus.size() == (accept ? 1u : 0u));
    }
}

TEST_CASE("send: CMGS answer gives the reference, +CMS ERROR is a classified rejection") {
    test::PtyPeer peer;
    int sends = 0;
    peer.run_responder([&sends](const std::string& c) -> std::string {
        if (c.rfind("AT+CMGS=", 0) == 0) return "\r\n> ";
        if (c.rfind("0031", 0) == 0) return ++sends == 1 ? "\r\n+CMGS: 42\r\n\r\nOK\r\n" : "\r\n+CMS ERROR: 38\r\n";
        return answer(c, {});
    });
    asio::io_context io;
    auto m = modem::Modem::create(io.get_executor(), config(peer.slave_path()), nullptr);
    m->start();
    REQUIRE(run_until(io, [&] { return m->ready(); }, 10s));
    modem::OutgoingSegment seg{1, "+8613900000004", "0031000D91683109000000F40008AA046D4B8BD5", 19, false};
    std::optional<modem::Result<int>> first, second;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        first = co_await m->send_segment(seg);
        second = co_await m->send_segment(seg);
    }, asio::detached);
    REQUIRE(run_until(io, [&] { return second.has_value(); }, 5s));
    REQUIRE(*first);
    CHECK(**first == 42);
    REQUIRE_FALSE(*second);
    CHECK(second->error().code == modem::Errc::Rejected);
    CHECK(second->error().gsm_code == 38);
    m->stop();
    io.run_for(20ms);
    peer.stop();
}

TEST_CASE("+CMTI: AT+CMGD waits until the stored part is on disk, and is never sent when it is not") {
    for (const bool durable : {true, false}) {
        CAPTURE(durable);
        test::PtyPeer peer;
        peer.run_responder([](const std::string& c) { return answer(c, {}); });
        asio::io_context io;
        test::FakeInbox inbox;
        inbox.hold_durable = true;  // the group commit's flush has not returned yet
        auto m = modem::Modem::create(io.get_executor(), config(peer.slave_path()), &inbox);
        m->start();
        REQUIRE(run_until(io, [&] { return m->ready(); }, 10s));
        io.run_for(100ms);
        peer.write_raw("\r\n+CMTI: \"SM\",7\r\n");
        REQUIRE(run_until(io, [&] { return inbox.held.size() == 1; }, 3s));
        io.run_for(200ms);
        CHECK(inbox.pdus.size() == 1);
        CHECK_FALSE(logged(peer, "AT+CMGD=7"));  // stored, not yet on disk: still on the SIM
        inbox.release_durable(durable);
        run_until(io, [&] { return logged(peer, "AT+CMGD=7"); }, 1s);
        io.run_for(100ms);
        m->stop();
        io.run_for(20ms);
        peer.stop();
        CHECK(logged(peer, "AT+CMGD=7") == durable);
    }
}

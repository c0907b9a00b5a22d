// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers for tests against cunxin::modemsim: SUBMIT PDUs built here (not with drivers/sms),
// modem settings with short timeouts, and a bounded io_context loop.

#include <chrono>
#include <cstdio>
#include <string>

#include "cunxin/asio.hpp"
#include "cunxin/modem/modem.hpp"

namespace cunxin::test {

using namespace std::chrono_literals;

// SMS-SUBMIT (TS 23.040 §9.2.2.2), UCS2, no SMSC (00), TP-MR 0, relative validity; ASCII text.
inline modem::OutgoingSegment submit(std::int64_t id, const std::string& international_digits,
                                     const std::string& ascii_text, bool status_report = false) {
    std::string da;
    std::string d = international_digits;
    if (d.size() % 2 != 0) d += 'F';
    for (std::size_t i = 0; i < d.size(); i += 2) {
        da += d[i + 1];
        da += d[i];
    }
    char buf[8];
    std::string ud;
    for (const char c : ascii_text) {
        std::snprintf(buf, sizeof buf, "00%02X", static_cast<unsigned char>(c));
        ud += buf;
    }
    std::string tpdu = status_report ? "3100" : "1100";  // TP-SRR (bit 5) when asked
    std::snprintf(buf, sizeof buf, "%02X", static_cast<unsigned>(international_digits.size()));
    tpdu += buf;
    tpdu += "91" + da + "0008AA";
    std::snprintf(buf, sizeof buf, "%02X", static_cast<unsigned>(ud.size() / 2));
    tpdu += buf;
    tpdu += ud;
    modem::OutgoingSegment s;
    s.segment_id = id;
    s.recipient = "+" + international_digits;
    s.pdu_hex = "00" + tpdu;
    s.tpdu_length = static_cast<int>(tpdu.size() / 2);
    return s;
}

inline modem::ModemConfig fast_config() {
    modem::ModemConfig c;
    c.command_timeout = 800ms;
    c.cmgs_timeout = 1500ms;
    c.registration_timeout = 3s;
    c.health_interval = 300ms;
    c.drain_interval = 2s;
    c.reopen_backoff_min = 100ms;
    c.reopen_backoff_max = 400ms;
    c.reset_wait = 400ms;
    c.failures_before_out_of_service = 3;
    return c;
}

template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until) {
        io.restart();
        io.run_for(10ms);
    }
    return done();
}

}  // namespace cunxin::test

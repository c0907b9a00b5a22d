// SPDX-License-Identifier: Apache-2.0
// `cunxin send --modem PORT --to NUMBER (--text TEXT | --text-file FILE) [--pin PIN]
//  [--status-report] [--baud N]`: sends one message straight through one modem (no daemon)
// and prints the message reference of each segment.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "cunxin/asio.hpp"
#include "cunxin/modem/modem.hpp"
#include "cunxin/sms/pdu.hpp"

namespace cunxin::app {

using namespace std::chrono_literals;

int cmd_send(const Args& args) {
    std::string port, to, text;
    bool have_text = false;
    bool status_report = false;
    modem::ModemConfig cfg;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
            return args[++i];
        };
        if (a == "--modem") {
            port = value();
        } else if (a == "--to") {
            to = value();
        } else if (a == "--text") {
            text = value();
            have_text = true;
        } else if (a == "--text-file") {
            const auto path = value();
            std::ifstream in(path, std::ios::binary);
            if (!in) throw std::runtime_error("cannot read " + path);
            text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            have_text = true;
        } else if (a == "--pin") {
            cfg.pin = value();
        } else if (a == "--baud") {
            cfg.serial.baud = std::stoi(value());
        } else if (a == "--status-report") {
            status_report = true;
        } else if (a == "-h" || a == "--help") {
            std::puts("usage: cunxin send --modem PORT --to NUMBER (--text TEXT | --text-file FILE)"
                      " [--pin PIN] [--status-report] [--baud N]");
            return 0;
        } else {
            throw std::runtime_error("unknown option " + a);
        }
    }
    if (port.empty() || to.empty() || !have_text) {
        throw std::runtime_error("needs --modem PORT, --to NUMBER and --text or --text-file");
    }
    sms::SubmitRequest req;
    req.recipient = to;
    req.text = text;
    req.status_report = status_report;
    req.concat_reference = static_cast<std::uint8_t>(
        std::chrono::system_clock::now().time_since_epoch().count() & 0xFF);
    auto pdus = sms::encode_submit(req);
    if (!pdus) throw std::runtime_error("cannot encode: " + pdus.error().detail);

    cfg.port = port;
    cfg.registration_timeout = 60s;
    asio::io_context io;
    auto m = modem::Modem::create(io.get_executor(), cfg, nullptr);
    int rc = 0;
    bool done = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        auto opened = co_await m->open_once();
        if (!opened) {
            std::fprintf(stderr, "cunxin send: %s: %s\n", modem::to_string(opened.error().code),
                         opened.error().detail.c_str());
            rc = 1;
            done = true;
            co_return;
        }
        const auto total = pdus->size();
        for (std::size_t i = 0; i < total; ++i) {
            const auto& p = (*pdus)[i];
            modem::OutgoingSegment seg;
            seg.segment_id = static_cast<std::int64_t>(i + 1);
            seg.recipient = to;
            seg.pdu_hex = p.hex;
            seg.tpdu_length = p.tpdu_length;
            seg.more_to_same = i + 1 < total;
            auto r = co_await m->send_segment(seg);
            if (!r) {
                std::fprintf(stderr, "cunxin send: segment %zu/%zu: %s: %s\n", i + 1, total,
                             modem::to_string(r.error().code), r.error().detail.c_str());
                rc = 1;
                break;
            }
            std::printf("segment %zu/%zu: message reference %d\n", i + 1, total, *r);
            std::fflush(stdout);
        }
        done = true;
    }, asio::detached);
    const auto until = std::chrono::steady_clock::now() + 10min;
    while (!done && std::chrono::steady_clock::now() < until) {
        io.restart();
        io.run_for(50ms);
    }
    m->stop();
    io.restart();
    io.run_for(20ms);
    if (!done) {
        std::fputs("cunxin send: timed out\n", stderr);
        return 1;
    }
    return rc;
}

}  // namespace cunxin::app

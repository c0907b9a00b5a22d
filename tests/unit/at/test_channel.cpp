// SPDX-License-Identifier: Apache-2.0
// at::Channel over a real pty with a scripted modem on the other side.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cunxin/at/channel.hpp"
#include "cunxin/at/framing.hpp"
#include "cunxin/at/transcript.hpp"
#include "cunxin/serial/byte_stream.hpp"
#include "pty_peer.hpp"

using namespace cunxin;
using namespace std::chrono_literals;

namespace {

struct Want {
    std::string command;
    std::string payload;
    bool ok = false;
    at::Errc error = at::Errc::Error;
    int gsm_code = -1;
    std::vector<std::string> lines;
};

// What a correct channel must report for a transcript.
void expectations(const std::vector<at::TranscriptLine>& t, std::vector<Want>& cmds,
                  std::vector<std::string>& urcs) {
    bool pdu_next = false;
    bool pdu_body = false;  // a PDU line of the answer comes next
    bool final_seen = false;
    for (const auto& l : t) {
        if (l.dir == at::TranscriptLine::Dir::ToModem) {
            if (l.text.size() > 2 && l.text.substr(l.text.size() - 2) == "^Z") {
                cmds.back().payload = l.text.substr(0, l.text.size() - 2);
            } else {
                cmds.push_back({l.text});
                final_seen = false;
                pdu_body = false;
            }
            continue;
        }
        const auto& line = l.text;
        if (pdu_next) {
            urcs.back() += "|" + line;
            pdu_next = false;
            continue;
        }
        auto& c = cmds.back();
        if (line == c.command || line == "> ") continue;
        const auto declared = at::expect_for(c.command);
        std::optional<at::Final> fin;
        if (!final_seen) fin = at::parse_final(line);
        const bool call_end = fin && (fin->kind == at::FinalKind::NoCarrier ||
                                      fin->kind == at::FinalKind::Busy ||
                                      fin->kind == at::FinalKind::NoAnswer ||
                                      fin->kind == at::FinalKind::NoDialtone);
        if (fin && !call_end) {
            final_seen = true;
            c.ok = fin->kind == at::FinalKind::Ok;
            c.error = fin->kind == at::FinalKind::CmsError   ? at::Errc::CmsError
                      : fin->kind == at::FinalKind::CmeError ? at::Errc::CmeError
                                                             : at::Errc::Error;
            continue;
        }
        bool answer = false;
        if (!final_seen && !call_end) {
            if (declared.declared) {
                if (pdu_body && at::is_hex_line(line)) {
                    answer = true;
                    pdu_body = false;
                } else {
                    for (const auto& p : declared.prefixes) {
                        if (line.rfind(p, 0) == 0) answer = true;
                    }
                    if (answer) pdu_body = declared.pdu;
                }
            } else {
                answer = !at::is_urc(line, at::expected_prefix(c.command));
            }
        }
        if (!answer && (call_end || (final_seen ? at::is_urc(line) : declared.declared || at::is_urc(line)))) {
            urcs.push_back(line);
            pdu_next = at::is_two_line_urc(line);
            continue;
        }
        if (!final_seen && answer) c.lines.push_back(line);
    }
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

template <class F>
void run_coro(asio::io_context& io, F f) {
    bool finished = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        co_await f();
        finished = true;
    }, asio::detached);
    io.run_for(10s);
    REQUIRE(finished);
}

}  // namespace

TEST_CASE("channel replays every transcript: answers, errors, URCs in between") {
    const std::filesystem::path dir = std::filesystem::path(CUNXIN_SOURCE_DIR) / "tests/unit/at/data";
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".at") continue;
        const auto name = e.path().filename().string();
        CAPTURE(name);
        const auto script = at::parse_transcript(read_file(e.path()));
        std::vector<Want> cmds;
        std::vector<std::string> want_urcs;
        expectations(script, cmds, want_urcs);

        test::PtyPeer peer;
        peer.run_script(script);
        asio::io_context io;
        auto stream = serial::open_device(io.get_executor(), peer.slave_path());
        REQUIRE(stream);
        auto ch = at::Channel::create(io.get_executor(), std::move(*stream));
        std::vector<std::string> urcs;
        std::vector<std::string> transcript;
        ch->on_urc([&](const at::Urc& u) { urcs.push_back(u.pdu.empty() ? u.line : u.line + "|" + u.pdu); });
        ch->on_transcript([&](std::string_view l) { transcript.emplace_back(l); });
        ch->start();
        run_coro(io, [&]() -> asio::awaitable<void> {
            for (const auto& c : cmds) {
                CAPTURE(c.command);
                // (GCC 12 miscompiles co_await inside ?:, so no conditional operator here)
                at::Result<at::Response> r;
                if (c.payload.empty()) {
                    r = co_await ch->command(c.command, 2s);
                } else {
                    r = co_await ch->command_with_prompt(c.command, c.payload, 2s);
                }
                CHECK(r.has_value() == c.ok);
                if (r) {
                    CHECK(r->lines == c.lines);
                } else {
                    CHECK(r.error().code == c.error);
                    if (c.error == at::Errc::CmsError || c.error == at::Errc::CmeError) {
                        CHECK(r.error().gsm_code > 0);
                    }
                }
            }
            // URCs after the last answer need a moment to arrive
            asio::steady_timer t(co_await asio::this_coro::executor);
            for (int i = 0; i < 50 && urcs.size() < want_urcs.size(); ++i) {
                t.expires_after(10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
        });
        peer.stop();
        CHECK(peer.log().empty());  // no mismatch between what we sent and the transcript
        CHECK(urcs == want_urcs);
        CHECK(ch->garbage_lines() == 0);
        CHECK_FALSE(transcript.empty());
        CHECK(transcript.front() == "> " + cmds.front().command);
    }
}

TEST_CASE("a command that gets no answer times out, the next one still works") {
    test::PtyPeer peer;
    peer.run_responder([](const std::string& cmd) -> std::string {
        if (cmd == "AT+HANG") return "";
        return "\r\nOK\r\n";
    });
    asio::io_context io;
    auto stream = serial::open_device(io.get_executor(), peer.slave_path());
    REQUIRE(stream);
    auto ch = at::Channel::create(io.get_executor(), std::move(*stream));
    ch->start();
    run_coro(io, [&]() -> asio::awaitable<void> {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = co_await ch->command("AT+HANG", 100ms);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == at::Errc::Timeout);
        CHECK(std::chrono::steady_clock::now() - t0 >= 100ms);
        CHECK(ch->consecutive_timeouts() == 1);
        auto ok = co_await ch->command("AT", 1s);
        CHECK(ok);
        CHECK(ch->consecutive_timeouts() == 0);
    });
}

TEST_CASE("queued commands run one at a time, in order") {
    test::PtyPeer peer;
    peer.run_responder([](const std::string& cmd) -> std::string {
        return "\r\n+X: " + cmd + "\r\nOK\r\n";
    });
    asio::io_context io;
    auto ch = at::Channel::create(io.get_executor(), std::move(*serial::open_device(io.get_executor(), peer.slave_path())));
    ch->start();
    std::vector<std::string> got;
    int done = 0;
    for (int i = 0; i < 5; ++i) {
        asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
            auto r = co_await ch->command("AT+X=" + std::to_string(i), 1s);
            REQUIRE(r);
            REQUIRE(r->lines.size() == 1);
            got.push_back(r->lines[0]);
            ++done;
        }, asio::detached);
    }
    io.run_for(5s);
    REQUIRE(done == 5);
    for (int i = 0; i < 5; ++i) CHECK(got[static_cast<std::size_t>(i)] == "+X: AT+X=" + std::to_string(i));
    peer.stop();
    CHECK(peer.log().size() == 5);
}

TEST_CASE("a vanished port fails the command in flight and everything queued") {
    test::PtyPeer peer;
    asio::io_context io;
    auto ch = at::Channel::create(io.get_executor(), std::move(*serial::open_device(io.get_executor(), peer.slave_path())));
    bool closed = false;
    ch->on_closed([&](const at::Error&) { closed = true; });
    ch->start();
    int port_closed = 0;
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            auto r = co_await ch->command("AT+CSQ", 5s);
            if (!r && r.error().code == at::Errc::PortClosed) ++port_closed;
        }, asio::detached);
    }
    io.run_for(50ms);
    peer.hang_up();
    io.run_for(2s);
    CHECK(closed);
    CHECK(port_closed == 3);
    CHECK_FALSE(ch->is_open());
}

TEST_CASE("garbage is counted and ignored, cancel fails pending commands") {
    test::PtyPeer peer;
    peer.run_responder([](const std::string& cmd) -> std::string {
        if (cmd == "AT+SLOW") return "";
        return std::string("\r\n\x01\x02\xff\xfe\r\n") + "\r\nOK\r\n";
    });
    asio::io_context io;
    auto ch = at::Channel::create(io.get_executor(), std::move(*serial::open_device(io.get_executor(), peer.slave_path())));
    ch->start();
    run_coro(io, [&]() -> asio::awaitable<void> {
        auto r = co_await ch->command("AT", 1s);
        CHECK(r);
        CHECK(r->lines.empty());
        CHECK(ch->garbage_lines() == 1);
    });
    int cancelled = 0;
    for (int i = 0; i < 2; ++i) {
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            auto r = co_await ch->command("AT+SLOW", 5s);
            if (!r && r.error().code == at::Errc::Cancelled) ++cancelled;
        }, asio::detached);
    }
    io.run_for(30ms);
    ch->cancel_all();
    io.run_for(100ms);
    CHECK(cancelled == 2);
}

TEST_CASE("a caller continues in the turn that read its answer, before handlers queued meanwhile") {
    // The pool relies on this: its next AT+CMGS leaves as soon as the previous answer is read,
    // not after everything else the loop had queued (no idle gap of its own between sends).
    test::PtyPeer peer;
    peer.run_responder([](const std::string& cmd) -> std::string {
        if (cmd == "AT+FIRST") return "\r\nRING\r\n\r\nOK\r\n";  // a URC, then the answer, in one write
        return "\r\nOK\r\n";
    });
    asio::io_context io;
    auto ch = at::Channel::create(io.get_executor(), std::move(*serial::open_device(io.get_executor(), peer.slave_path())));
    std::vector<std::string> order;
    bool next_in_flight_when_posted = false;
    ch->on_urc([&](const at::Urc& u) {
        if (u.line != "RING") return;
        // Queued while the bytes holding the answer are being read.
        asio::post(io, [&] {
            order.push_back("posted");
            next_in_flight_when_posted = ch->busy();
        });
    });
    ch->start();
    run_coro(io, [&]() -> asio::awaitable<void> {
        auto r = co_await ch->command("AT+FIRST", 1s);
        CHECK(r);
        order.push_back("resumed");
        auto r2 = co_await ch->command("AT+NEXT", 1s);
        CHECK(r2);
    });
    REQUIRE(order.size() == 2);
    CHECK(order[0] == "resumed");
    CHECK(order[1] == "posted");
    CHECK(next_in_flight_when_posted);
}

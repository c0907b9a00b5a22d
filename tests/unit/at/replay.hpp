// SPDX-License-Identifier: Apache-2.0
#pragma once
// Replays a transcript (STYLE.md §6) through the real at::Channel over a pty: the scripted
// modem answers each ">" line with the "<" lines after it. Used by the unit tests and by the
// support-bundle test (a transcript captured by `cunxin doctor` must replay here).

#include <chrono>
#include <string>
#include <vector>

#include "cunxin/at/channel.hpp"
#include "cunxin/at/transcript.hpp"
#include "cunxin/serial/byte_stream.hpp"
#include "pty_peer.hpp"

namespace cunxin::test {

/// What the channel made of one replayed transcript.
struct Replayed {
    std::vector<std::string> commands;              ///< the ">" lines sent (payloads apart)
    std::vector<at::Result<at::Response>> results;  ///< one per command, in order
    std::vector<std::string> urcs;                  ///< "line" or "line|pdu"
    std::vector<std::string> peer_log;              ///< mismatches seen by the scripted modem
    std::uint64_t garbage = 0;                      ///< garbage lines counted by the channel
    bool finished = false;                          ///< every command got a result in time
};

/// Runs every command of `script` through a fresh channel, in order.
inline Replayed replay(const std::vector<at::TranscriptLine>& script,
                       std::chrono::milliseconds per_command = std::chrono::seconds(2)) {
    using namespace std::chrono_literals;
    struct Cmd {
        std::string line, payload;
    };
    std::vector<Cmd> cmds;
    std::size_t urc_lines = 0;
    for (const auto& l : script) {
        if (l.dir != at::TranscriptLine::Dir::ToModem) {
            ++urc_lines;
            continue;
        }
        if (l.text.size() >= 2 && l.text.substr(l.text.size() - 2) == "^Z" && !cmds.empty()) {
            cmds.back().payload = l.text.substr(0, l.text.size() - 2);
        } else {
            cmds.push_back({l.text, {}});
        }
    }
    Replayed out;
    PtyPeer peer;
    peer.run_script(script);
    asio::io_context io;
    auto stream = serial::open_device(io.get_executor(), peer.slave_path());
    if (!stream) return out;
    auto ch = at::Channel::create(io.get_executor(), std::move(*stream));
    ch->on_urc([&](const at::Urc& u) { out.urcs.push_back(u.pdu.empty() ? u.line : u.line + "|" + u.pdu); });
    ch->start();
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        for (const auto& c : cmds) {
            out.commands.push_back(c.line);
            at::Result<at::Response> r;
            if (c.payload.empty()) {
                r = co_await ch->command(c.line, per_command);
            } else {
                r = co_await ch->command_with_prompt(c.line, c.payload, per_command);
            }
            out.results.push_back(std::move(r));
        }
        out.finished = true;
        (void)urc_lines;
    }, asio::detached);
    const auto budget = per_command * static_cast<int>(cmds.size() + 1) + 2s;
    const auto until = std::chrono::steady_clock::now() + budget;
    while (!out.finished && std::chrono::steady_clock::now() < until) io.run_for(20ms);
    // URCs after the last answer need a moment to arrive
    io.run_for(100ms);
    peer.stop();
    out.peer_log = peer.log();
    out.garbage = ch->garbage_lines();
    ch->close();
    io.run_for(10ms);
    return out;
}

}  // namespace cunxin::test

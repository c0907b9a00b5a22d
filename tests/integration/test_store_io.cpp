// SPDX-License-Identifier: Apache-2.0
// What the store costs the disk per message, counted by the flush-latency model
// (tools/bench/fsync_delay.c, LD_PRELOAD) while every fsync/fdatasync takes 15 ms longer, as on
// an SD card: flushes and bytes written per message for a 400-recipient broadcast over 4 modems
// (issue 13: at most 1 flush and 30 KB) and for 400 single incoming replies (reported).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "common.hpp"

using namespace cunxin::itest;
namespace sim = cunxin::modemsim;

namespace {

/// [fsync calls, fdatasync calls, bytes written to regular files, write calls] so far.
std::array<std::uint64_t, 4> io_counters(const std::filesystem::path& file) {
    std::array<std::uint64_t, 4> c{};
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(c.data()), sizeof c);  // little-endian host (x86-64, arm64)
    return c;
}

struct PerMessage {
    double flushes = 0;
    double kbytes = 0;
};

PerMessage per_message(const std::array<std::uint64_t, 4>& before, const std::array<std::uint64_t, 4>& after,
                       int messages) {
    PerMessage p;
    p.flushes = static_cast<double>((after[0] - before[0]) + (after[1] - before[1])) / messages;
    p.kbytes = static_cast<double>(after[2] - before[2]) / 1024.0 / messages;
    return p;
}

}  // namespace

TEST_CASE("store I/O per message with a 15 ms flush: a 400-recipient broadcast over 4 modems, 400 replies") {
    constexpr int kMessages = 400;
    TempDir scratch;
    const auto stats = scratch.path() / "io.bin";
    ApplianceOptions o;
    o.modems = 4;
    o.cmgs_latency = std::chrono::milliseconds(5);
    // CUNXIN_ITEST_FSYNC_DELAY_MS measures with another flush delay (0: a fast disk).
    const char* delay = std::getenv("CUNXIN_ITEST_FSYNC_DELAY_MS");
    o.env = {"LD_PRELOAD=" + built("tools/bench/libcunxin_fsync_delay.so").string(),
             std::string("CUNXIN_FSYNC_DELAY_MS=") + (delay != nullptr ? delay : "15"),
             "CUNXIN_FSYNC_STATS=" + stats.string()};
    Appliance a(o);
    a.start();
    std::this_thread::sleep_for(std::chrono::seconds(1));  // start-up writes settle

    const auto before_out = io_counters(stats);
    Json to = Json::array();
    for (int i = 0; i < kMessages; ++i) to.push_back(mobile(70000 + i));
    const auto r = a.post("/api/v1/messages", {{"to", to}, {"text", "村委会通知：明早八点在村部开会。"}});
    REQUIRE(r.status == 202);
    auto all_out = [&] {
        int done = 0;
        for (const auto& m : a.all_messages("out")) {
            const auto st = m.at("status").get<std::string>();
            done += (st == "sent" || st == "delivered") ? 1 : 0;
        }
        return done == kMessages;
    };
    REQUIRE_MESSAGE(wait_until(all_out, std::chrono::seconds(60)), a.log());
    std::this_thread::sleep_for(std::chrono::seconds(1));  // status reports of the last ones
    const auto after_out = io_counters(stats);
    const auto out = per_message(before_out, after_out, kMessages);
    MESSAGE("broadcast of " << kMessages << " over 4 modems: " << out.flushes << " flushes and " << out.kbytes
                            << " KB written per message");

    const auto before_in = io_counters(stats);
    for (int i = 0; i < kMessages; ++i) {
        sim::Incoming in;
        in.modem = i % 4;
        in.from = mobile(80000 + i);
        in.text = "02 村口路灯坏了" + std::to_string(i);
        a.sim().inject(in);
    }
    REQUIRE_MESSAGE(wait_until([&] { return a.all_messages("in").size() == kMessages; }, std::chrono::seconds(60)),
                    a.log());
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const auto after_in = io_counters(stats);
    const auto in = per_message(before_in, after_in, kMessages);
    MESSAGE(kMessages << " single incoming replies: " << in.flushes << " flushes and " << in.kbytes
                      << " KB written per message");

    CHECK(out.flushes <= 1.0);
    CHECK(out.kbytes <= 30.0);

    // The core thread's time in SQL, as the daemon reports it at shutdown (whole run).
    CHECK(a.stop() == 0);
    const auto log = a.log();
    const std::string key = "core thread in SQL ";
    if (const auto at = log.find(key); at != std::string::npos) {
        const double us = std::stod(log.substr(at + key.size()));
        MESSAGE("core thread in SQL over the whole run (start-up, " << kMessages << " out, " << kMessages
                                                                    << " in): " << us / 1000.0 << " ms, "
                                                                    << us / (2.0 * kMessages) << " us per message");
    }
}

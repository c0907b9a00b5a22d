// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared set-up for the messaging core tests: a real SQLite file in a temp dir, a manual clock.

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../store/temp_dir.hpp"
#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/outbox.hpp"
#include "cunxin/store/store.hpp"

namespace cunxin::test {

/// 2026-03-05 10:00:00 +08:00.
inline std::chrono::system_clock::time_point t0() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1772676000));
}

inline modem::SimIdentity sim(const std::string& iccid, const std::string& op) {
    modem::SimIdentity s;
    s.iccid = iccid;
    s.imsi = "4600" + iccid;
    s.imei = "86" + iccid;
    s.operator_name = op;
    return s;
}

struct Core {
    TempDir dir;
    std::string path = dir.file("cunxin.db");
    messaging::ManualClock clock{t0()};
    std::unique_ptr<store::Database> db;
    std::unique_ptr<messaging::Outbox> outbox;
    int wakes = 0;

    Core() { open(); }
    /// Closes and reopens everything (a restart; a crash leaves the same file state since
    /// every step is committed before it returns).
    void open() {
        outbox.reset();
        db.reset();
        auto d = store::Database::open(path);
        REQUIRE(d);
        db = std::make_unique<store::Database>(std::move(*d));
        outbox = std::make_unique<messaging::Outbox>(*db, clock);
        outbox->wake = [this] { ++wakes; };
    }
    std::int64_t now() const { return clock.unix_now(); }
    std::string status(std::int64_t message_id) {
        auto m = store::get_message(*db, message_id);
        REQUIRE(m);
        return m->status;
    }
    /// Sends everything due through `s` (with `ready`), returns the segments sent.
    std::vector<modem::OutgoingSegment> drain(const modem::SimIdentity& s,
                                              std::vector<modem::SimIdentity> ready, int mr_start = 0) {
        std::vector<modem::OutgoingSegment> out;
        for (int i = 0; i < 10000; ++i) {
            auto seg = outbox->next_segment(s, ready);
            if (!seg) break;
            REQUIRE(outbox->mark_sending(seg->segment_id, s));
            outbox->mark_sent(seg->segment_id, s, (mr_start + i) % 256);
            out.push_back(*seg);
        }
        return out;
    }
};

}  // namespace cunxin::test

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test doubles of the layer above the pool (the outbox and the inbox), recording every call.

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cunxin/modem/work.hpp"

namespace cunxin::test {

struct FakeOutbox : modem::WorkSource {
    std::deque<modem::OutgoingSegment> queue;
    std::map<std::int64_t, std::string> state;  // queued, sending, sent, failed, uncertain
    std::map<std::int64_t, int> given;           // times next_segment returned it
    std::map<std::int64_t, int> mrs;
    std::map<std::int64_t, std::string> sim_of;  // ICCID that sent it
    std::vector<int> cms_errors;
    int temporary_failures = 0;
    bool refuse_sending = false;
    bool hold_durable = false;             // keep mark_sending's answers until release_durable()
    std::vector<modem::Durable> held;

    void add(modem::OutgoingSegment s) {
        state[s.segment_id] = "queued";
        all[s.segment_id] = s;
        queue.push_back(std::move(s));
    }
    std::optional<modem::OutgoingSegment> next_segment(const modem::SimIdentity&,
                                                       std::span<const modem::SimIdentity>) override {
        if (queue.empty()) return std::nullopt;
        auto s = queue.front();
        queue.pop_front();
        ++given[s.segment_id];
        return s;
    }
    void mark_sending(std::int64_t id, const modem::SimIdentity&, modem::Durable done) override {
        if (refuse_sending) {
            done(false);
            return;
        }
        state[id] = "sending";
        if (hold_durable) {
            held.push_back(std::move(done));
        } else {
            done(true);
        }
    }
    /// Answers every held `sending` mark (as the flush of a group commit returning).
    void release_durable(bool ok = true) {
        auto h = std::move(held);
        held.clear();
        for (auto& d : h) d(ok);
    }
    void mark_sent(std::int64_t id, const modem::SimIdentity& sim, int mr) override {
        state[id] = "sent";
        mrs[id] = mr;
        sim_of[id] = sim.iccid;
    }
    void mark_failed(std::int64_t id, const modem::SimIdentity&, bool permanent, int cms,
                     const std::string&) override {
        if (cms >= 0) cms_errors.push_back(cms);
        if (permanent) {
            state[id] = "failed";
            return;
        }
        ++temporary_failures;
        state[id] = "queued";
        queue.push_back(all.at(id));  // the real outbox retries later, preferably elsewhere
    }
    void mark_uncertain(std::int64_t id, const modem::SimIdentity&, const std::string&) override {
        state[id] = "uncertain";
    }
    int sent_since(const modem::SimIdentity&, std::chrono::system_clock::time_point) override {
        return 0;
    }
    int count(const std::string& st) const {
        int n = 0;
        for (const auto& [id, s] : state) n += s == st ? 1 : 0;
        return n;
    }
    std::map<std::int64_t, modem::OutgoingSegment> all;
};

struct FakeInbox : modem::InboxSink {
    std::vector<std::string> pdus;
    std::vector<std::string> reports;
    std::vector<std::pair<std::chrono::system_clock::time_point, int>> times;
    bool accept = true;
    bool store_incoming_pdu(const modem::SimIdentity&, const std::string& pdu) override {
        if (!accept) return false;
        pdus.push_back(pdu);
        return true;
    }
    bool store_status_report(const modem::SimIdentity&, const std::string& pdu) override {
        if (!accept) return false;
        reports.push_back(pdu);
        return true;
    }
    void network_time(const modem::SimIdentity&, std::chrono::system_clock::time_point utc,
                      int offset) override {
        times.emplace_back(utc, offset);
    }
    bool hold_durable = false;  // keep when_durable's answers until release_durable()
    std::vector<modem::Durable> held;
    void when_durable(modem::Durable done) override {
        if (hold_durable) {
            held.push_back(std::move(done));
        } else {
            done(true);
        }
    }
    /// Answers every held when_durable (as the flush of a group commit returning).
    void release_durable(bool ok) {
        auto h = std::move(held);
        held.clear();
        for (auto& d : h) d(ok);
    }
};

}  // namespace cunxin::test

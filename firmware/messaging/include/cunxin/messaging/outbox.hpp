// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The outbox: durable outgoing queue on top of the store, the pool's WorkSource.
/// Core thread only (no locks). Every state change is one store transaction.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"
#include "cunxin/modem/work.hpp"
#include "cunxin/store/messages.hpp"

namespace cunxin::store {
class Database;
}

namespace cunxin::messaging {

/// How the outbox sends and retries.
struct OutboxOptions {
    int max_attempts = 5;                          ///< temporary failures before `failed`
    std::chrono::seconds backoff_base{30};         ///< 30 s, 60 s, 120 s… after each attempt
    std::chrono::seconds backoff_max{3600};
    bool status_report = true;                     ///< ask for delivery reports (TP-SRR)
    std::optional<int> validity_minutes = 3 * 24 * 60;  ///< TP-VP
    int scan_limit = 200;  ///< due segments examined per next_segment(); a full scan (a big
                           ///< backlog) lets a SIM take another operator's recipients
                           ///< rather than idle
};

/// Options of one enqueue.
struct SendOptions {
    store::MessageKind kind = store::MessageKind::Normal;
    std::optional<std::int64_t> campaign_id;
    std::string created_by;                        ///< actor ("admin", "token:x", "system")
    bool ignore_opt_out = false;                   ///< automatic replies to keyword messages
    std::int64_t not_before = 0;                   ///< Unix seconds; 0 = now
    std::optional<std::int64_t> reply_to;          ///< the incoming message this answers
    std::string via_iccid;                         ///< only this SIM sends it ("" = any)
    bool any_number = false;                       ///< also a service or IoT number ("10086")
};

/// One message to queue (campaigns give each recipient its own text).
struct OutgoingRequest {
    std::string to;                                ///< any form normalize_msisdn accepts
    std::string text;
    std::optional<std::int64_t> contact_id;
};

/// The durable outgoing queue.
class Outbox final : public modem::WorkSource {
public:
    Outbox(store::Database& db, Clock& clock, OutboxOptions options = {});

    /// Called after work was queued (the pool then asks idle SIMs for segments).
    std::function<void()> wake;

    /// Start-up: every `sending` segment becomes `uncertain` (never resent silently).
    Result<int> recover();

    /// Queues one text to each number: messages + encoded segments in ONE transaction.
    /// An invalid number, unencodable text or opted-out recipient is stored `failed` with
    /// the reason (quarantined) and never blocks the others. Returns message ids in order.
    Result<std::vector<std::int64_t>> enqueue(const std::vector<std::string>& to,
                                              const std::string& text,
                                              const SendOptions& options = {});
    /// Same for individual texts (campaigns).
    Result<std::vector<std::int64_t>> enqueue(const std::vector<OutgoingRequest>& requests,
                                              const SendOptions& options);

    /// Answers a message (its sender; the recipient of an outgoing one) without the caller ever
    /// holding the number: queued like any message, linked to the incoming message (reply_to),
    /// anonymous when that one is. Returns the new message's id (Errc::not_found, bad_state).
    Result<std::int64_t> reply(std::int64_t message_id, const std::string& text,
                               const std::string& actor);

    /// A person decided to resend a message's uncertain segments.
    Result<int> resend_uncertain(std::int64_t message_id);
    /// A person decided the uncertain segments failed.
    Result<int> mark_uncertain_failed(std::int64_t message_id);

    /// Wakes the pool when segments are due (e.g. after a backoff); call from a timer.
    void poll();

    /// Segments handed out and not finished yet.
    std::size_t in_flight() const noexcept { return handed_out_.size(); }

    // modem::WorkSource
    std::optional<modem::OutgoingSegment> next_segment(
        const modem::SimIdentity& sim, std::span<const modem::SimIdentity> ready) override;
    /// Marks the segment `sending` (written, durable at the end of the turn's flush); false: do not send it.
    bool mark_sending(std::int64_t segment_id, const modem::SimIdentity& sim);
    void mark_sending(std::int64_t segment_id, const modem::SimIdentity& sim, modem::Durable done) override;
    void mark_sent(std::int64_t segment_id, const modem::SimIdentity& sim,
                   int message_reference) override;
    void mark_failed(std::int64_t segment_id, const modem::SimIdentity& sim, bool permanent,
                     int cms_error, const std::string& reason) override;
    void mark_uncertain(std::int64_t segment_id, const modem::SimIdentity& sim,
                        const std::string& reason) override;
    int sent_since(const modem::SimIdentity& sim,
                   std::chrono::system_clock::time_point since) override;

    /// The last store error swallowed by a WorkSource call (they cannot return one).
    const std::string& last_error() const noexcept { return last_error_; }

private:
    bool budget_allows(const modem::SimIdentity& sim);
    bool budget_allows_cached(const std::string& iccid, std::int64_t now);
    void remember_sim(const modem::SimIdentity& sim);
    void finish(std::int64_t segment_id);
    modem::OutgoingSegment hand_out(const store::Segment& seg, const modem::SimIdentity& sim);
    store::Database& db_;
    Clock& clock_;
    OutboxOptions options_;
    std::unordered_map<std::int64_t, std::int64_t> handed_out_;  ///< segment id -> message id
    std::unordered_map<std::int64_t, std::string> message_sim_;  ///< message id -> SIM holding a part
    std::unordered_set<std::string> known_sims_;
    std::unordered_map<std::string, std::pair<std::int64_t, bool>> budget_cache_;  ///< iccid -> (checked at, within)
    std::uint8_t next_concat_ref_ = 0;
    std::string last_error_;
};

}  // namespace cunxin::messaging

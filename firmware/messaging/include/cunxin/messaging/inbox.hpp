// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The inbox: the pool's InboxSink. Commits each received part before it may leave the SIM,
/// joins multipart messages (surviving restarts), drops duplicate deliveries, matches the
/// sender to a contact, classifies with the reply menu, honours opt-out/opt-in keywords,
/// records campaign replies/confirmations, sends rate-limited acknowledgements, and matches
/// status reports to sent segments. Core thread only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"
#include "cunxin/messaging/reply_menu.hpp"
#include "cunxin/modem/work.hpp"
#include "cunxin/store/messages.hpp"

namespace cunxin::sms {
class Reassembler;
}
namespace cunxin::store {
class Database;
}

namespace cunxin::messaging {

class Outbox;
class Alerts;

/// How the inbox behaves.
struct InboxOptions {
    std::chrono::seconds incomplete_after{std::chrono::hours(1)};  ///< then shown incomplete
    std::string gap_marker = "[…]";                  ///< stands for each missing part
    std::chrono::seconds ack_window{std::chrono::hours(24)};  ///< at most `max_acks` per sender
    int max_acks = 1;
    Keywords keywords;                                ///< opt-out / opt-in words
    std::string opt_out_reply = "您已退订，回复“订阅”可恢复接收。";  ///< empty: no reply
    std::string opt_in_reply = "您已恢复接收通知。";
    std::chrono::seconds report_window{std::chrono::hours(72)};   ///< status report matching
    std::chrono::seconds campaign_reply_window{std::chrono::hours(24 * 7)};
};

/// The receiving side of the messaging core.
class Inbox final : public modem::InboxSink {
public:
    Inbox(store::Database& db, Clock& clock, Outbox& outbox, InboxOptions options = {});
    ~Inbox() override;

    /// Rebuilds the reassembly state from parts stored before a restart and finishes any
    /// message they complete. Call once at start.
    Result<int> load();

    /// A new incoming message was stored (for SSE); not called for duplicates.
    std::function<void(const store::Message&)> on_new_message;
    /// A modem reported the network time (wire to NetworkAwareClock::offer_network_time).
    std::function<void(const std::string& iccid, Clock::time_point utc)> on_network_time;

    /// Urgent replies are alerted through `alerts` (may be null: none).
    void set_alerts(Alerts* alerts) noexcept { alerts_ = alerts; }
    /// Field checks: the kind of an incoming message that is no villager's (a self-test text, a
    /// carrier's service number); such a message is stored handled, never classified, never
    /// acknowledged, never a campaign reply, and not announced to the inbox.
    std::function<std::optional<store::MessageKind>(const store::NewIncoming&)> system_kind;
    /// A system message was stored (same transaction): the self-test and balance answers.
    std::function<void(std::int64_t id, const store::NewIncoming&)> on_system_message;

    /// A missed call was recorded (for SSE / the panel): the calls row id.
    std::function<void(std::int64_t call_id)> on_missed_call;

    /// Multipart messages waiting longer than `incomplete_after` become messages marked
    /// incomplete (gaps shown); returns how many. Call from a timer.
    int expire_incomplete();

    /// Parts waiting for their siblings.
    std::size_t pending_groups() const;

    /// The last error swallowed by an InboxSink call.
    const std::string& last_error() const noexcept { return last_error_; }

    // modem::InboxSink
    bool store_incoming_pdu(const modem::SimIdentity& sim, const std::string& pdu_hex) override;
    bool store_status_report(const modem::SimIdentity& sim, const std::string& pdu_hex) override;
    /// Once what was stored is on disk (the store's group commit), for AT+CMGD / AT+CNMA.
    void when_durable(modem::Durable done) override;
    void network_time(const modem::SimIdentity& sim, std::chrono::system_clock::time_point utc,
                      int utc_offset_minutes) override;
    void missed_call(const modem::SimIdentity& sim, const std::string& number,
                     std::chrono::system_clock::time_point at) override;

private:
    struct PartInfo {
        std::int64_t scts = 0;
        std::string iccid;
        std::string damage;  ///< decoded best-effort: why (sms::Pdu::damage)
    };
    bool quarantine(const modem::SimIdentity& sim, const std::string& kind, const std::string& raw,
                    const std::string& reason);
    void finish(const std::string& sender, const std::string& text,
                const std::vector<std::int64_t>& part_ids, bool incomplete);
    void route(store::NewIncoming& m);
    void reply(const std::string& to, const std::string& text, std::int64_t reply_to);
    void announce();

    store::Database& db_;
    Clock& clock_;
    Outbox& outbox_;
    Alerts* alerts_ = nullptr;
    InboxOptions options_;
    std::unique_ptr<sms::Reassembler> reassembler_;
    std::map<std::int64_t, PartInfo> parts_;  ///< part id -> what the reassembler does not keep
    std::vector<std::int64_t> announce_;  ///< stored, to announce after the commit
    bool reload_ = false;
    std::string last_error_;
};

/// Hex FNV-1a 64 of a text (dedupe key; not a security hash).
std::string text_hash(const std::string& text);

/// True when a reply means "I confirm" (1, 确认, 收到, 好, 是, OK, YES…).
bool is_confirmation(std::string_view text);

}  // namespace cunxin::messaging

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The messaging core in one object for the app: outbox, inbox, campaigns and the anniversary
/// job over one write connection, with start-up recovery and a periodic tick (the app calls
/// tick() from a core-thread timer, e.g. every 10 s). Core thread only.

#include <memory>

#include "cunxin/messaging/alerts.hpp"
#include "cunxin/messaging/campaigns.hpp"
#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"
#include "cunxin/messaging/greetings.hpp"
#include "cunxin/messaging/inbox.hpp"
#include "cunxin/messaging/outbox.hpp"

namespace cunxin::messaging {

/// What one tick did.
struct TickReport {
    int campaign_messages = 0;   ///< launched scheduled campaigns / reminders queued
    int greetings = 0;           ///< anniversary greetings queued
    int incomplete = 0;          ///< multipart messages given up as incomplete
    int alerts = 0;              ///< alert SMS queued (quiet hours ended, rate limit room, digest)
};

/// Options of the whole core.
struct CoreOptions {
    OutboxOptions outbox;
    InboxOptions inbox;
    int default_price_fen = 10;
    AlertSettings alerts = default_alert_settings();
};

/// Owns the messaging parts; `db` and `clock` must outlive it.
class MessagingCore {
public:
    MessagingCore(store::Database& db, Clock& clock, CoreOptions options = {});

    /// Start-up: `sending` → `uncertain`, reassembly state rebuilt. Returns uncertain count.
    Result<int> start();
    /// Periodic work: scheduled campaigns, reminders, anniversaries, incomplete messages,
    /// campaigns that finished, and a wake for segments whose backoff ended.
    Result<TickReport> tick();

    Outbox& outbox() noexcept { return *outbox_; }
    Inbox& inbox() noexcept { return *inbox_; }
    Campaigns& campaigns() noexcept { return *campaigns_; }
    AnniversaryJob& anniversaries() noexcept { return *anniversaries_; }
    Alerts& alerts() noexcept { return *alerts_; }

private:
    std::unique_ptr<Outbox> outbox_;
    std::unique_ptr<Inbox> inbox_;
    std::unique_ptr<Campaigns> campaigns_;
    std::unique_ptr<AnniversaryJob> anniversaries_;
    std::unique_ptr<Alerts> alerts_;
};

}  // namespace cunxin::messaging

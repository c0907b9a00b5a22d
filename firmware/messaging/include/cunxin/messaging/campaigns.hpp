// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Campaigns (broadcasts): targets, templates, preview with cost and budget warnings,
/// schedule, pause/resume/cancel, progress, confirmation requests with reminders.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"
#include "cunxin/store/campaigns.hpp"

namespace cunxin::store {
class Database;
}

namespace cunxin::messaging {

class Outbox;

/// What the office asks for.
struct CampaignSpec {
    std::string name;
    std::string template_text;              ///< {name} {village} {role} {years} {date}
    store::CampaignTargets targets;
    std::optional<std::int64_t> send_at;    ///< Unix seconds; unset = when started
    bool confirm_request = false;           ///< replies such as "1"/确认 count as confirmation
    std::int64_t remind_after = 0;          ///< seconds after start; 0 = no reminder
    std::string reminder_text;              ///< template; empty = "【提醒】" + original text
    std::string created_by;
    bool missed_call_confirms = false;      ///< a missed call from a recipient confirms (未接来电即确认)
};

/// One recipient as the preview shows it.
struct RecipientPreview {
    std::string mobile;
    std::string name;
    std::string village;
    std::string text;          ///< rendered; empty when `problem` is set
    int segments = 0;
    std::string problem;       ///< "opted_out", "invalid number", template problem…
    std::string expected_iccid;  ///< SIM expected to send (operator preference)
};

/// Expected use of one SIM by a campaign, with its budget state.
struct SimEstimate {
    std::string iccid;          ///< "" when no SIM is known yet (default price used)
    std::string operator_name;
    std::int64_t recipients = 0;
    std::int64_t segments = 0;
    std::int64_t cost_fen = 0;
    bool within_budget = true;
    std::int64_t budget_remaining_segments = -1;  ///< -1 = no segment budget
    std::int64_t budget_remaining_fen = -1;       ///< -1 = no fen budget
    std::int64_t daily_remaining = -1;            ///< segments left today under its daily limit; -1 = no limit/unknown
    bool within_daily_limit = true;               ///< the SIM's share fits in what is left today
};

/// What a SIM sent today and its daily limit in force (from the modem pool).
struct SimToday {
    std::string iccid;
    int sent_today = 0;
    int limit_per_day = 0;  ///< 0 = no limit
};

/// Preview of a campaign before it is sent.
struct CampaignPreview {
    std::vector<RecipientPreview> recipients;   ///< the first `max_rows`
    std::int64_t total_recipients = 0;
    std::int64_t sendable = 0;
    std::int64_t skipped = 0;
    std::int64_t opted_out = 0;                 ///< skipped because they unsubscribed (退订)
    std::int64_t invalid = 0;                   ///< skipped: not a mobile number
    std::int64_t missing_values = 0;            ///< skipped: a field the template needs is empty
    int max_segments = 0;                       ///< the longest rendered text, in segments
    std::int64_t multipart = 0;                 ///< rendered texts longer than one segment
    std::int64_t total_segments = 0;
    std::int64_t total_cost_fen = 0;
    std::vector<SimEstimate> per_sim;
    std::vector<std::string> warnings;          ///< budget overruns, template problems
};

/// Renders every recipient and estimates cost per SIM (segments × its price); opted-out
/// recipients are counted as skipped and neither counted nor charged. Reads only: any
/// connection (an HTTP read connection too).
Result<CampaignPreview> preview_campaign(store::Database& db, const Clock& clock, const CampaignSpec& spec,
                                         int default_price_fen = 10, int max_rows = 50);
/// Marks each SIM of a preview whose share exceeds what its daily limit leaves today.
void apply_daily_limits(CampaignPreview& preview, const std::vector<SimToday>& sims);

/// Campaign operations (core thread).
class Campaigns {
public:
    Campaigns(store::Database& db, Clock& clock, Outbox& outbox, int default_price_fen = 10);

    /// A running campaign became done (nothing left to send): its id (alerts).
    std::function<void(std::int64_t)> on_finished;

    /// Renders every recipient and estimates cost per SIM (segments × its price).
    Result<CampaignPreview> preview(const CampaignSpec& spec, int max_rows = 50);
    /// Stores the campaign (draft) with its rendered recipients; invalid templates refused.
    Result<std::int64_t> create(const CampaignSpec& spec);
    /// Sends now, or schedules when send_at is in the future.
    Result<void> start(std::int64_t id);
    /// Stops handing out its segments (queued ones wait).
    Result<void> pause(std::int64_t id);
    /// Lets a paused campaign continue.
    Result<void> resume(std::int64_t id);
    /// Cancels: queued segments fail with "campaign cancelled"; sent ones stay sent.
    Result<void> cancel(std::int64_t id);
    /// Progress counts.
    Result<store::CampaignProgress> progress(std::int64_t id);
    /// Launches due scheduled campaigns, sends due reminders, marks finished ones done.
    /// Returns the number of messages queued. Call from a timer.
    Result<int> tick();

private:
    Result<void> launch(const store::Campaign& c);
    store::Database& db_;
    Clock& clock_;
    Outbox& outbox_;
    int default_price_fen_;
};

}  // namespace cunxin::messaging

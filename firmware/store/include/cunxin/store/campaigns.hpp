// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Campaigns (broadcasts) and their recipients, anniversary sends.

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"
#include "cunxin/store/contacts.hpp"

namespace cunxin::store {

/// Lifecycle of a campaign.
enum class CampaignStatus { Draft, Scheduled, Running, Paused, Cancelled, Done };
/// "draft", "scheduled", "running", "paused", "cancelled", "done".
const char* to_string(CampaignStatus s) noexcept;
/// Parses the names above.
std::optional<CampaignStatus> parse_campaign_status(const std::string& s) noexcept;

/// Who a campaign goes to (union of every non-empty list).
struct CampaignTargets {
    std::vector<std::int64_t> group_ids;
    std::vector<std::string> villages;
    std::vector<std::string> tags;
    std::vector<std::string> mobiles;   ///< E.164 numbers given by hand (contacts or not)
    std::vector<std::int64_t> contact_ids;
    std::vector<std::string> roles;     ///< 职务 such as "村支书"; "党员" also takes every contact with a 入党日期
};

/// A role (职务) with how many contacts hold it, for choosing an audience by role.
struct RoleCount {
    std::string role;
    int contacts = 0;
};
/// The usual roles (村支书, 村主任, 村委委员, 党员) first, then any other role in use.
Result<std::vector<RoleCount>> role_counts(Database& db);

/// A campaign.
struct Campaign {
    std::int64_t id = 0;
    std::string name;
    std::string template_text;        ///< with {name}, {village}, {role}, {years}
    CampaignStatus status = CampaignStatus::Draft;
    std::string created_by;
    Seconds created_at = 0;
    std::optional<Seconds> scheduled_at;
    std::optional<Seconds> started_at;
    std::optional<Seconds> finished_at;
    bool confirm_request = false;     ///< recipients are asked to reply to confirm
    Seconds remind_after = 0;         ///< seconds after start to remind non-confirmers (0 = never)
    std::string reminder_text;        ///< template of the reminder
    std::string targets_json;         ///< the targets as given (for display)
    bool missed_call_confirms = false;  ///< a missed call from a recipient confirms (未接来电即确认)
};

/// One recipient of a campaign with the text rendered for them.
struct CampaignRecipient {
    std::int64_t campaign_id = 0;
    std::string mobile;
    std::optional<std::int64_t> contact_id;
    std::string name;
    std::string village;
    std::string text;
    std::optional<std::int64_t> message_id;
    std::string message_status;       ///< of message_id ("" before launch; "opted_out" when skipped)
    std::optional<Seconds> confirmed_at;
    std::optional<Seconds> reminded_at;
    std::optional<Seconds> replied_at;
    std::optional<std::int64_t> reminder_message_id;
};

/// Resolves targets to distinct contacts (by mobile) in id order.
Result<std::vector<Contact>> resolve_targets(Database& db, const CampaignTargets& t);
/// Inserts a campaign (id ignored) with its recipients in one transaction.
Result<std::int64_t> insert_campaign(Database& db, const Campaign& c,
                                     const std::vector<CampaignRecipient>& recipients);
/// One campaign (Errc::not_found).
Result<Campaign> get_campaign(Database& db, std::int64_t id);
/// Campaigns newest first.
Result<std::vector<Campaign>> list_campaigns(Database& db, int limit = 100);
/// Sets the status (and started_at/finished_at when given).
Result<void> set_campaign_status(Database& db, std::int64_t id, CampaignStatus s,
                                 std::optional<Seconds> started_at = std::nullopt,
                                 std::optional<Seconds> finished_at = std::nullopt);
/// Recipients in mobile order (with the status of their message).
Result<std::vector<CampaignRecipient>> campaign_recipients(Database& db, std::int64_t id);
/// Links a recipient to the message sent to them (or marks them skipped: message_id unset,
/// `skipped_reason` such as "opted_out").
Result<void> set_recipient_message(Database& db, std::int64_t campaign_id, const std::string& mobile,
                                   std::optional<std::int64_t> message_id,
                                   const std::string& skipped_reason = "");
/// Scheduled campaigns whose time has come.
Result<std::vector<Campaign>> due_campaigns(Database& db, Seconds now);
/// Fails every queued segment of a campaign (cancel); returns how many.
Result<int> cancel_campaign_segments(Database& db, std::int64_t id, Seconds now);

/// Counts of a campaign's recipients by state.
struct CampaignProgress {
    int recipients = 0;
    int skipped = 0;      ///< opted out / invalid at launch
    int queued = 0;
    int sending = 0;
    int sent = 0;
    int delivered = 0;
    int failed = 0;
    int uncertain = 0;
    int confirmed = 0;
    int reminded = 0;
    int replied = 0;
    int segments = 0;
};
/// Progress of a campaign.
Result<CampaignProgress> campaign_progress(Database& db, std::int64_t id);

/// The newest running/done campaign recipient row for `mobile` started since `since`.
Result<std::optional<CampaignRecipient>> latest_campaign_for(Database& db, const std::string& mobile,
                                                             Seconds since);
/// The newest confirmation-request campaign sent to `mobile` since `since`, preferring one it
/// has not confirmed yet (a "1" answers it even when a later broadcast went to the same number).
Result<std::optional<CampaignRecipient>> open_confirmation_for(Database& db, const std::string& mobile,
                                                               Seconds since);
/// The newest open confirmation campaign with `missed_call_confirms` sent to `mobile` since
/// `since` that this number has not confirmed yet.
Result<std::optional<CampaignRecipient>> open_missed_call_confirmation_for(Database& db,
                                                                           const std::string& mobile,
                                                                           Seconds since);
/// Marks a recipient as having replied (and confirmed, when `confirmed`).
Result<void> mark_recipient_reply(Database& db, std::int64_t campaign_id, const std::string& mobile,
                                  bool confirmed, Seconds now);
/// Recipients of confirm-request campaigns started before `started_before`, sent, not
/// confirmed and not yet reminded.
Result<std::vector<CampaignRecipient>> recipients_to_remind(Database& db, std::int64_t campaign_id);
/// Records the reminder sent to a recipient.
Result<void> mark_reminded(Database& db, std::int64_t campaign_id, const std::string& mobile,
                           std::int64_t reminder_message_id, Seconds now);
/// Running campaigns with no queued/sending segment left become done; returns their ids.
Result<std::vector<std::int64_t>> finish_idle_campaigns(Database& db, Seconds now);

/// Inserts the (contact, year) anniversary row; false when that greeting was already sent.
Result<bool> claim_anniversary(Database& db, std::int64_t contact_id, int year, Seconds now);
/// Links the claimed anniversary row to its message.
Result<void> set_anniversary_message(Database& db, std::int64_t contact_id, int year,
                                     std::int64_t message_id);
/// Whether the (contact, year) greeting exists.
Result<bool> anniversary_sent(Database& db, std::int64_t contact_id, int year);

}  // namespace cunxin::store

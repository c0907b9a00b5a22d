// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Federation (county): the box's outbox of events for the hub and its executed commands; the
/// hub's boxes, counted events, notices with progress per box, replies and reports.
/// Payloads are JSON text the store keeps as given (firmware/federation writes and reads them).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

// ---- box side -------------------------------------------------------------------------------

/// One event waiting for the broker's acknowledgement.
struct FedEvent {
    std::int64_t seq = 0;     ///< per-box sequence number (the id is "<box_id>:<seq>")
    std::string type;         ///< progress, reply, summary, report, health
    std::string payload;      ///< JSON members of the body
    Seconds at = 0;
};

/// Keeps an event; a non-empty `key` replaces an unsent event with the same key. Returns its seq.
Result<std::int64_t> fed_enqueue(Database& db, const std::string& type, const std::string& key,
                                 const std::string& payload, Seconds at,
                                 const std::string& village = {}, const std::string& category = {});
/// Events after `after_seq` in seq order, at most `limit`.
Result<std::vector<FedEvent>> fed_pending(Database& db, std::int64_t after_seq, int limit);
/// Forgets an acknowledged event.
Result<void> fed_ack(Database& db, std::int64_t seq);
/// Number of events waiting.
Result<std::int64_t> fed_pending_count(Database& db);

/// A reply waiting in the outbox, as a summary keeps it.
struct FedReplyRow {
    std::int64_t seq = 0;
    std::string village;
    std::string category;
};
/// The oldest `limit` replies waiting (candidates for folding into a summary).
Result<std::vector<FedReplyRow>> fed_oldest_replies(Database& db, int limit);
/// Deletes the oldest events that are not replies, `count` of them (last resort of the bound).
Result<int> fed_drop_oldest(Database& db, int count);
/// Replaces events `seqs` with one summary event (one transaction); returns its seq.
Result<std::int64_t> fed_fold(Database& db, const std::vector<std::int64_t>& seqs,
                              const std::string& summary_payload, Seconds at);

/// Records a command id; false when it was recorded before (already executed).
Result<bool> fed_record_command(Database& db, const std::string& id, const std::string& type,
                                const std::string& notice_id, std::optional<std::int64_t> campaign_id,
                                Seconds now);
/// The campaign that carries a notice, nullopt when none.
Result<std::optional<std::int64_t>> fed_campaign_for_notice(Database& db, const std::string& notice_id);
/// The notice a campaign carries, nullopt when it is a local campaign.
Result<std::optional<std::string>> fed_notice_for_campaign(Database& db, std::int64_t campaign_id);
/// (notice id, campaign id) of every notice received since `since`.
Result<std::vector<std::pair<std::string, std::int64_t>>> fed_notices_since(Database& db, Seconds since);

// ---- hub side -------------------------------------------------------------------------------

/// Records an event id; false when it was counted before. Also notes the box as seen.
Result<bool> hub_record_event(Database& db, const std::string& id, const std::string& box,
                              std::int64_t seq, const std::string& type, Seconds now);
/// Notes a box as seen (created on first sight); `online` when given updates the presence.
Result<void> hub_touch_box(Database& db, const std::string& box, Seconds now,
                           std::optional<bool> online = std::nullopt);
/// Keeps a health body when its seq is newer than the one kept.
Result<void> hub_set_health(Database& db, const std::string& box, std::int64_t seq,
                            const std::string& health_json);

/// One box as the hub sees it.
struct HubBox {
    std::string id;
    std::string name;
    Seconds first_seen = 0;
    Seconds last_seen = 0;
    bool online = false;
    std::string health;       ///< JSON of the newest health event
};
/// Every box, by id.
Result<std::vector<HubBox>> hub_list_boxes(Database& db);

/// A notice's counts at one box.
struct HubProgress {
    std::string box;
    std::string command_id;
    std::optional<Seconds> published_at;
    std::int64_t seq = 0;
    int recipients = 0, queued = 0, sent = 0, delivered = 0, failed = 0;
    std::optional<Seconds> updated_at;
};
/// A county notice.
struct HubNotice {
    std::string id;
    std::string text;
    std::string roles_json;
    std::string villages_json;
    std::string created_by;
    Seconds created_at = 0;
    std::optional<Seconds> cancelled_at;
    std::vector<HubProgress> boxes;
};
/// Stores a notice with one command row per box.
Result<void> hub_insert_notice(Database& db, const HubNotice& n);
/// Marks the command to a box as acknowledged by the broker.
Result<void> hub_mark_published(Database& db, const std::string& command_id, Seconds now);
/// Marks a notice cancelled.
Result<void> hub_cancel_notice(Database& db, const std::string& notice_id, Seconds now);
/// Counts a progress event when its seq is newer than the one counted; false when unknown notice/box.
Result<bool> hub_set_progress(Database& db, const std::string& notice_id, const std::string& box,
                              std::int64_t seq, int recipients, int queued, int sent, int delivered,
                              int failed, Seconds now);
/// A notice with its per-box rows (Errc::not_found).
Result<HubNotice> hub_get_notice(Database& db, const std::string& id);
/// Notices newest first, each with its per-box rows.
Result<std::vector<HubNotice>> hub_list_notices(Database& db, int limit);
/// Notices whose command to `box` has no progress yet (empty box: every box): to (re)publish.
Result<std::vector<HubNotice>> hub_notices_without_progress(Database& db, const std::string& box);

/// A reply from a box. `number` and `village` are absent for anonymous categories.
struct HubReply {
    std::int64_t id = 0;
    std::string event_id;
    std::string box;
    std::optional<std::string> notice_id;
    std::optional<std::string> village;
    std::optional<std::string> category;
    std::string text;
    std::optional<std::string> number;
    Seconds at = 0;
    Seconds received_at = 0;
};
/// Stores a reply (once per event id).
Result<void> hub_insert_reply(Database& db, const HubReply& r);
/// Filter of hub_list_replies (empty: any).
struct HubReplyQuery {
    std::string box;
    std::string village;
    std::string category;
    std::int64_t before_id = 0;  ///< cursor: ids below this (newest first)
    int limit = 100;
};
/// Replies newest first.
Result<std::vector<HubReply>> hub_list_replies(Database& db, const HubReplyQuery& q);
/// Adds folded reply counts of a box.
Result<void> hub_add_reply_counts(Database& db, const std::string& box, const std::string& village,
                                  const std::string& category, int count);
/// Keeps a box's daily report for a day when its seq is newer.
Result<void> hub_set_report(Database& db, const std::string& box, const std::string& day,
                            std::int64_t seq, const std::string& payload);

/// One line of the county summary.
struct HubCount {
    std::string box;
    std::string village;      ///< "" for anonymous categories
    std::string category;     ///< "" when none
    std::int64_t count = 0;
};
/// Reply counts by box, village and category (stored replies plus folded counts).
Result<std::vector<HubCount>> hub_reply_summary(Database& db);

}  // namespace cunxin::store

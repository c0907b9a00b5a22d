// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Alerts to the officials on duty: each raised alert and its delivery to every duty number.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// The delivery of one alert to one duty number.
struct AlertSend {
    std::int64_t id = 0;
    std::int64_t alert_id = 0;
    std::string number;                     ///< the duty number (E.164)
    std::string name;                       ///< the duty official's name
    std::string state = "waiting";          ///< "waiting", "sent", "folded", "skipped"
    std::string reason;                     ///< why skipped ("own_number", "sender", "repeat"…) or waiting
    Seconds due_at = 0;                     ///< expected: the end of the quiet hours when raised in them
    std::optional<std::int64_t> message_id; ///< the SMS that carried it
    std::optional<Seconds> sent_at;
    std::string kind;                       ///< of the alert (read back only)
    std::string text;                       ///< of the alert (read back only)
};

/// One raised alert with its deliveries.
struct AlertRecord {
    std::int64_t id = 0;
    std::string kind;
    std::string subject;
    std::string text;
    Seconds created_at = 0;
    std::vector<AlertSend> sends;
};

/// Inserts an alert and its deliveries in one transaction; returns the alert's id.
Result<std::int64_t> insert_alert(Database& db, const AlertRecord& alert);
/// Alerts with `subject` raised at or after `since`.
Result<int> count_alerts_with_subject(Database& db, const std::string& subject, Seconds since);
/// Waiting deliveries (oldest first), with their alert's kind and text.
Result<std::vector<AlertSend>> waiting_alert_sends(Database& db);
/// Distinct alert SMS sent to `number` at or after `since` (the rate limit).
Result<int> alert_messages_to(Database& db, const std::string& number, Seconds since);
/// Marks deliveries sent or folded into `message_id`.
Result<void> mark_alert_sends(Database& db, const std::vector<std::int64_t>& ids, const std::string& state,
                              std::int64_t message_id, Seconds now);
/// The newest alerts first with their deliveries.
Result<std::vector<AlertRecord>> list_alerts(Database& db, int limit);
/// Deliveries still waiting (quiet hours or rate limit).
Result<int> count_waiting_alert_sends(Database& db);

/// What the daily digest counts since a time.
struct DigestCounts {
    std::vector<std::pair<std::string, int>> replies_by_category;  ///< code ("" = none) → new replies
    int replies = 0;           ///< incoming messages in total
    int failed = 0;            ///< outgoing messages that failed
    int alerts = 0;            ///< alerts raised (the digest itself not counted)
    int missed_calls = 0;
};
/// Counts for the digest over [since, now).
Result<DigestCounts> digest_counts(Database& db, Seconds since);

}  // namespace cunxin::store

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The daily Party-anniversary greeting job: at a configured local hour it queues a greeting
/// to each member whose joining date has its anniversary today, exactly once per member and
/// year (a unique store row claimed in the same transaction as the message), catching up
/// later the same day after downtime; tomorrow's greetings can be previewed.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"

namespace cunxin::store {
class Database;
}

namespace cunxin::messaging {

class Outbox;

/// One greeting as the preview shows it.
struct GreetingPreview {
    std::int64_t contact_id = 0;
    std::string name;
    std::string mobile;
    int years = 0;
    int year = 0;
    std::string text;
    bool already_sent = false;
};

/// Greetings due on local day `day` (opted-out members included: the send skips them).
Result<std::vector<GreetingPreview>> plan_greetings(store::Database& db, std::chrono::year_month_day day);

/// The anniversary job. Settings (store): "anniversary_hour" (0-23, default 9),
/// "anniversary_template" (default greeting), "anniversary_enabled" ("0" disables).
class AnniversaryJob {
public:
    AnniversaryJob(store::Database& db, Clock& clock, Outbox& outbox);
    /// Queues today's due greetings if the configured hour has passed; returns how many.
    /// Call from a timer (every minute is plenty); safe to call any number of times.
    Result<int> run();
    /// Greetings due on the local day after today.
    Result<std::vector<GreetingPreview>> preview_tomorrow();
    /// Greetings due today (sent or not).
    Result<std::vector<GreetingPreview>> preview_today();

private:
    Result<std::vector<GreetingPreview>> plan_for(std::chrono::year_month_day day);
    store::Database& db_;
    Clock& clock_;
    Outbox& outbox_;
};

}  // namespace cunxin::messaging

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Aggregates for reports and budgets (the HTTP layer maps them to JSON/CSV).

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// A label and a count.
struct CountRow {
    std::string key;      ///< category code, village, or "YYYY-MM-DD"
    std::int64_t count = 0;
};
/// Incoming messages in [from, to) per category ("" = unclassified).
Result<std::vector<CountRow>> incoming_per_category(Database& db, Seconds from, Seconds to);
/// Incoming messages in [from, to) per village of the sender ("" = unknown sender); anonymous
/// messages are not counted (a village's count would point at the sender).
Result<std::vector<CountRow>> incoming_per_village(Database& db, Seconds from, Seconds to);
/// Incoming messages of one category from one village.
struct CategoryVillageRow {
    std::string category;   ///< reply-menu code ("" = unclassified)
    std::string village;    ///< "" = unknown sender, or hidden (anonymous category)
    bool anonymous = false; ///< the category is anonymous: the village is never given
    std::int64_t count = 0;
};
/// Incoming messages in [from, to) per category and village; anonymous categories carry no village.
Result<std::vector<CategoryVillageRow>> incoming_per_category_village(Database& db, Seconds from, Seconds to);

/// Messages of `direction` ("in"/"out") in [from, to) per local day (`utc_offset_minutes`).
Result<std::vector<CountRow>> messages_per_day(Database& db, const std::string& direction,
                                               Seconds from, Seconds to, int utc_offset_minutes);

/// Segments sent and their cost for one SIM over a period.
struct SimCost {
    std::string iccid;
    std::string operator_name;
    std::int64_t segments = 0;
    std::int64_t cost_fen = 0;
    int price_fen_per_segment = 0;
};
/// Per SIM: segments that left in [from, to) (sent/delivered/failed after sending/uncertain).
Result<std::vector<SimCost>> cost_per_sim(Database& db, Seconds from, Seconds to);

/// Segments of one SIM that left the modem (sent_at set, or uncertain) since `since` (budgets).
Result<std::int64_t> segments_billed_since(Database& db, const std::string& iccid, Seconds since);

/// Campaign delivery and response rates.
struct CampaignRates {
    std::int64_t campaign_id = 0;
    std::string name;
    Seconds created_at = 0;
    int recipients = 0;
    int sent = 0;          ///< sent or delivered
    int delivered = 0;
    int failed = 0;
    int replied = 0;
    int confirmed = 0;
    double delivery_rate = 0;  ///< delivered / sent (0 when nothing sent)
    double response_rate = 0;  ///< replied / sent
};
/// Rates of campaigns created in [from, to).
Result<std::vector<CampaignRates>> campaign_rates(Database& db, Seconds from, Seconds to);

}  // namespace cunxin::store

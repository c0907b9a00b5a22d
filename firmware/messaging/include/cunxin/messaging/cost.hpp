// SPDX-License-Identifier: Apache-2.0
#pragma once
/// SMS cost and monthly budgets: segments × price per segment of a SIM, in fen (pure).

#include <cstdint>
#include <span>
#include <string>

namespace cunxin::messaging {

/// Cost in fen of `segments` at `fen_per_segment` (negative inputs count as 0;
/// saturates at INT64_MAX instead of overflowing).
std::int64_t cost_fen(std::int64_t segments, std::int64_t fen_per_segment) noexcept;

/// "12.34" yuan from fen ("-0.05" for negative).
std::string format_yuan(std::int64_t fen);

/// Cost estimate of a campaign sent through one SIM.
struct CampaignEstimate {
    std::int64_t recipients = 0;
    std::int64_t segments = 0;            ///< total SMS parts
    std::int64_t cost_fen = 0;            ///< segments × price
    int max_segments = 0;                 ///< longest message, in parts
    std::int64_t multipart_messages = 0;  ///< recipients whose text needs > 1 part
};

/// Estimate from each recipient's segment count (values < 1 count as 1).
CampaignEstimate estimate_campaign(std::span<const int> segments_per_recipient,
                                   std::int64_t fen_per_segment);

/// Estimate from each recipient's rendered text, segmented exactly as the SMS encoder
/// will (cunxin::sms::plan_segments: GSM 7-bit 160/153, UCS2 70/67).
CampaignEstimate estimate_campaign_texts(std::span<const std::string> rendered_texts,
                                         std::int64_t fen_per_segment);

/// What a monthly budget counts.
enum class BudgetUnit { Segments, Fen };

/// A SIM's monthly budget; limit <= 0 means no budget.
struct Budget {
    BudgetUnit unit = BudgetUnit::Segments;
    std::int64_t limit = 0;
};

/// Budget state before and after a planned send, in the budget's unit.
struct BudgetCheck {
    bool unlimited = false;  ///< no budget configured
    bool within = true;      ///< used + planned <= limit (always true if unlimited)
    std::int64_t limit = 0;
    std::int64_t used = 0;                 ///< already spent this month
    std::int64_t planned = 0;              ///< the planned send
    std::int64_t remaining = 0;            ///< limit - used, never below 0
    std::int64_t remaining_after = 0;      ///< limit - used - planned, never below 0
    std::int64_t over_by = 0;              ///< how far the send would exceed the budget, else 0
    std::int64_t segments_affordable = 0;  ///< how many of the planned segments fit
};

/// Checks a planned send of `planned_segments` against a monthly budget, given what was
/// already spent this month on that SIM in the budget's unit (segments or fen) and the
/// SIM's price per segment.
BudgetCheck check_budget(const Budget& budget, std::int64_t used, std::int64_t planned_segments,
                         std::int64_t fen_per_segment) noexcept;

}  // namespace cunxin::messaging

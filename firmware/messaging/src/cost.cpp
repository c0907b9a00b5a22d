// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/cost.hpp"

#include <algorithm>
#include <limits>

#include "cunxin/sms/segment.hpp"

namespace cunxin::messaging {

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::int64_t sat_add(std::int64_t a, std::int64_t b) noexcept {
    return a > kMax - b ? kMax : a + b;
}

}  // namespace

std::int64_t cost_fen(std::int64_t segments, std::int64_t fen_per_segment) noexcept {
    if (segments <= 0 || fen_per_segment <= 0) return 0;
    if (segments > kMax / fen_per_segment) return kMax;
    return segments * fen_per_segment;
}

std::string format_yuan(std::int64_t fen) {
    const bool negative = fen < 0;
    // Work in unsigned to survive INT64_MIN.
    const std::uint64_t abs =
        negative ? 0 - static_cast<std::uint64_t>(fen) : static_cast<std::uint64_t>(fen);
    std::string cents = std::to_string(abs % 100);
    if (cents.size() < 2) cents.insert(0, "0");
    return (negative ? "-" : "") + std::to_string(abs / 100) + "." + cents;
}

CampaignEstimate estimate_campaign(std::span<const int> segments_per_recipient,
                                   std::int64_t fen_per_segment) {
    CampaignEstimate e;
    for (const int raw : segments_per_recipient) {
        const int s = std::max(raw, 1);
        ++e.recipients;
        e.segments = sat_add(e.segments, s);
        e.max_segments = std::max(e.max_segments, s);
        if (s > 1) ++e.multipart_messages;
    }
    e.cost_fen = cost_fen(e.segments, fen_per_segment);
    return e;
}

CampaignEstimate estimate_campaign_texts(std::span<const std::string> rendered_texts,
                                         std::int64_t fen_per_segment) {
    std::vector<int> counts;
    counts.reserve(rendered_texts.size());
    for (const std::string& t : rendered_texts) {
        counts.push_back(cunxin::sms::plan_segments(t).segments);
    }
    return estimate_campaign(counts, fen_per_segment);
}

BudgetCheck check_budget(const Budget& budget, std::int64_t used, std::int64_t planned_segments,
                         std::int64_t fen_per_segment) noexcept {
    BudgetCheck c;
    used = std::max<std::int64_t>(used, 0);
    planned_segments = std::max<std::int64_t>(planned_segments, 0);
    c.used = used;
    c.planned = budget.unit == BudgetUnit::Segments ? planned_segments
                                                    : cost_fen(planned_segments, fen_per_segment);
    if (budget.limit <= 0) {
        c.unlimited = true;
        c.within = true;
        c.segments_affordable = planned_segments;
        return c;
    }
    c.limit = budget.limit;
    c.remaining = std::max<std::int64_t>(budget.limit - used, 0);
    const std::int64_t total = sat_add(used, c.planned);
    c.within = total <= budget.limit;
    c.remaining_after = c.within ? budget.limit - total : 0;
    c.over_by = c.within ? 0 : total - std::max(budget.limit, used);
    if (budget.unit == BudgetUnit::Segments) {
        c.segments_affordable = std::min(planned_segments, c.remaining);
    } else if (fen_per_segment <= 0) {
        c.segments_affordable = planned_segments;  // free SIM: the fen budget never binds
    } else {
        c.segments_affordable = std::min(planned_segments, c.remaining / fen_per_segment);
    }
    return c;
}

}  // namespace cunxin::messaging

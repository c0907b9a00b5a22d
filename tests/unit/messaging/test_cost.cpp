// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cunxin/messaging/cost.hpp"

using namespace cunxin::messaging;

namespace {

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

}  // namespace

TEST_CASE("cost_fen and format_yuan") {
    CHECK(cost_fen(10, 10) == 100);
    CHECK(cost_fen(5000, 10) == 50000);
    CHECK(cost_fen(0, 10) == 0);
    CHECK(cost_fen(-3, 10) == 0);
    CHECK(cost_fen(3, -10) == 0);
    CHECK(cost_fen(std::numeric_limits<std::int64_t>::max(), 2) ==
          std::numeric_limits<std::int64_t>::max());
    CHECK(format_yuan(0) == "0.00");
    CHECK(format_yuan(5) == "0.05");
    CHECK(format_yuan(1234) == "12.34");
    CHECK(format_yuan(50000) == "500.00");
    CHECK(format_yuan(-5) == "-0.05");
    CHECK(format_yuan(std::numeric_limits<std::int64_t>::min()) == "-92233720368547758.08");
}

TEST_CASE("estimate_campaign from segment counts") {
    const std::vector<int> counts{1, 1, 2, 3, 0, -1};
    const CampaignEstimate e = estimate_campaign(counts, 10);
    CHECK(e.recipients == 6);
    CHECK(e.segments == 1 + 1 + 2 + 3 + 1 + 1);
    CHECK(e.cost_fen == 90);
    CHECK(e.max_segments == 3);
    CHECK(e.multipart_messages == 2);
    const CampaignEstimate empty = estimate_campaign({}, 10);
    CHECK(empty.recipients == 0);
    CHECK(empty.segments == 0);
    CHECK(empty.cost_fen == 0);
}

TEST_CASE("estimate_campaign_texts segments like the SMS encoder (70/67 UCS2, 160/153 GSM7)") {
    // 5,000 recipients of a 71-character Chinese notice: 2 parts each at 0.10 yuan.
    const std::string notice = repeat("通", 71);
    std::vector<std::string> texts(5000, notice);
    CampaignEstimate e = estimate_campaign_texts(texts, 10);
    CHECK(e.recipients == 5000);
    CHECK(e.segments == 10000);
    CHECK(e.cost_fen == 100000);
    CHECK(format_yuan(e.cost_fen) == "1000.00");
    CHECK(e.multipart_messages == 5000);

    struct Row {
        std::string text;
        int segments;
    };
    const Row rows[] = {
        {"", 1},
        {repeat("a", 160), 1},
        {repeat("a", 161), 2},
        {repeat("a", 306), 2},
        {repeat("a", 307), 3},
        {repeat("村", 70), 1},
        {repeat("村", 134), 2},
        {repeat("村", 135), 3},
        {repeat("a", 159) + "村", 3},  // one Chinese character makes it UCS2: 160 units
    };
    for (const Row& r : rows) {
        CAPTURE(r.text.size());
        const std::vector<std::string> one{r.text};
        CHECK(estimate_campaign_texts(one, 7).segments == r.segments);
        CHECK(estimate_campaign_texts(one, 7).cost_fen == 7 * r.segments);
    }
    // Personalised texts differ in length: names push some over a boundary.
    const std::vector<std::string> mixed{repeat("村", 68) + "张三", repeat("村", 68) + "欧阳修远"};
    e = estimate_campaign_texts(mixed, 10);
    CHECK(e.segments == 1 + 2);
    CHECK(e.max_segments == 2);
}

TEST_CASE("check_budget in segments") {
    const Budget b{BudgetUnit::Segments, 1000};
    BudgetCheck c = check_budget(b, 400, 500, 10);
    CHECK_FALSE(c.unlimited);
    CHECK(c.within);
    CHECK(c.limit == 1000);
    CHECK(c.used == 400);
    CHECK(c.planned == 500);
    CHECK(c.remaining == 600);
    CHECK(c.remaining_after == 100);
    CHECK(c.over_by == 0);
    CHECK(c.segments_affordable == 500);

    c = check_budget(b, 400, 600, 10);
    CHECK(c.within);
    CHECK(c.remaining_after == 0);

    c = check_budget(b, 400, 700, 10);
    CHECK_FALSE(c.within);
    CHECK(c.remaining == 600);
    CHECK(c.remaining_after == 0);
    CHECK(c.over_by == 100);
    CHECK(c.segments_affordable == 600);

    c = check_budget(b, 1200, 10, 10);  // already over (budget lowered mid-month)
    CHECK_FALSE(c.within);
    CHECK(c.remaining == 0);
    CHECK(c.over_by == 10);
    CHECK(c.segments_affordable == 0);

    c = check_budget(b, 1000, 0, 10);
    CHECK(c.within);
}

TEST_CASE("check_budget in fen (yuan budget)") {
    const Budget b{BudgetUnit::Fen, 50000};  // 500 yuan a month
    BudgetCheck c = check_budget(b, 45000, 400, 10);
    CHECK(c.within);
    CHECK(c.planned == 4000);
    CHECK(c.remaining == 5000);
    CHECK(c.remaining_after == 1000);
    CHECK(c.segments_affordable == 400);

    c = check_budget(b, 45000, 600, 10);
    CHECK_FALSE(c.within);
    CHECK(c.planned == 6000);
    CHECK(c.over_by == 1000);
    CHECK(c.segments_affordable == 500);

    c = check_budget(b, 45000, 333, 15);  // 15 fen: remaining 5000 buys 333 segments
    CHECK(c.within);
    CHECK(c.remaining_after == 5);
    c = check_budget(b, 45000, 334, 15);
    CHECK_FALSE(c.within);
    CHECK(c.segments_affordable == 333);

    c = check_budget(b, 45000, 1000000, 0);  // free SIM
    CHECK(c.within);
    CHECK(c.planned == 0);
    CHECK(c.segments_affordable == 1000000);
}

TEST_CASE("check_budget without a budget, and hostile numbers") {
    BudgetCheck c = check_budget(Budget{BudgetUnit::Segments, 0}, 99999, 99999, 10);
    CHECK(c.unlimited);
    CHECK(c.within);
    CHECK(c.segments_affordable == 99999);
    c = check_budget(Budget{BudgetUnit::Fen, -5}, 0, 10, 10);
    CHECK(c.unlimited);

    const auto big = std::numeric_limits<std::int64_t>::max();
    c = check_budget(Budget{BudgetUnit::Fen, 100}, big, big, big);
    CHECK_FALSE(c.within);
    CHECK(c.remaining == 0);
    CHECK(c.segments_affordable == 0);
    c = check_budget(Budget{BudgetUnit::Segments, 100}, -50, -5, 10);
    CHECK(c.within);
    CHECK(c.used == 0);
    CHECK(c.planned == 0);
}

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/campaigns.hpp"
#include "cunxin/messaging/inbox.hpp"

#include "fixture.hpp"
#include "pdu_builder.hpp"

using namespace cunxin;
using test::Core;

namespace {
const auto kSim = test::sim("89860000000000000001", "CHINA MOBILE");

struct CampaignCore : Core {
    std::unique_ptr<messaging::Campaigns> campaigns;
    std::unique_ptr<messaging::Inbox> inbox;
    std::int64_t group = 0;
    CampaignCore() {
        campaigns = std::make_unique<messaging::Campaigns>(*db, clock, *outbox);
        inbox = std::make_unique<messaging::Inbox>(*db, clock, *outbox);
        REQUIRE(inbox->load());
        group = *store::create_group(*db, "村支书");
        add("王芳", "+8613800000001", "东村", "村支书", "1987-03-05", true);
        add("李明", "+8613800000002", "西村", "村支书", "2001-07-01", true);
        add("赵强", "+8613800000003", "西村", "党员", "", false);
        add("孙丽", "+8613800000004", "南村", "党员", "", false);
    }
    std::int64_t add(const std::string& name, const std::string& mobile, const std::string& village,
                     const std::string& role, const std::string& joined, bool in_group) {
        store::Contact c;
        c.name = name;
        c.mobile = mobile;
        c.village = village;
        c.role = role;
        c.party_join_date = joined;
        auto id = store::insert_contact(*db, c, now());
        REQUIRE(id);
        if (in_group) REQUIRE(store::add_to_group(*db, group, *id));
        return *id;
    }
    messaging::CampaignSpec spec() {
        messaging::CampaignSpec s;
        s.name = "防汛通知";
        s.template_text = "{name}同志：请于今晚八点到{village}村委会开防汛会议。";
        s.targets.group_ids = {group};
        s.targets.villages = {"西村"};
        s.created_by = "admin";
        return s;
    }
    void register_sim(int price, int budget_segments) {
        store::Sim s;
        s.iccid = kSim.iccid;
        s.operator_name = kSim.operator_name;
        REQUIRE(store::touch_sim(*db, s, now()));
        s.price_fen_per_segment = price;
        s.monthly_budget_segments = budget_segments;
        REQUIRE(store::update_sim_settings(*db, s));
    }
};
}  // namespace

TEST_CASE("a campaign preview renders each recipient and estimates cost with the expected SIM's price") {
    CampaignCore c;
    c.register_sim(12, 0);
    REQUIRE(store::set_opted_out(*c.db, "+8613800000003", true, c.now()));
    auto s = c.spec();
    s.targets.mobiles = {"12345"};
    auto p = c.campaigns->preview(s);
    REQUIRE(p);
    CHECK(p->total_recipients == 4);  // 2 in the group + 西村's other member + a bad number
    CHECK(p->sendable == 2);
    CHECK(p->skipped == 2);
    REQUIRE(p->recipients.size() == 4);
    CHECK(p->recipients[0].text == "王芳同志：请于今晚八点到东村村委会开防汛会议。");
    CHECK(p->recipients[0].segments == 1);
    CHECK(p->recipients[0].expected_iccid == kSim.iccid);
    CHECK(p->recipients[2].problem == "opted_out");
    CHECK(p->recipients[3].problem == "invalid number");
    CHECK(p->total_segments == 2);
    CHECK(p->total_cost_fen == 24);
    CHECK(p->warnings.empty());
    // A budget of 1 segment: the preview warns before sending.
    c.register_sim(12, 1);
    p = c.campaigns->preview(s);
    REQUIRE(p->warnings.size() == 1);
    CHECK(p->warnings[0].find("budget") == 0);
    CHECK_FALSE(p->per_sim.front().within_budget);
    // A template problem is reported.
    s.template_text = "{nmae}你好";
    CHECK_FALSE(c.campaigns->preview(s)->warnings.empty());
    CHECK_FALSE(c.campaigns->create(s));
}

TEST_CASE("campaign start, pause, resume, cancel and progress") {
    CampaignCore c;
    auto id = c.campaigns->create(c.spec());
    REQUIRE(id);
    CHECK(store::get_campaign(*c.db, *id)->status == store::CampaignStatus::Draft);
    REQUIRE(c.campaigns->start(*id));
    auto p = c.campaigns->progress(*id);
    CHECK(p->recipients == 3);
    CHECK(p->queued == 3);
    CHECK(c.wakes >= 1);
    // One goes out, then the office pauses.
    auto s1 = c.outbox->next_segment(kSim, std::vector{kSim});
    REQUIRE(s1);
    REQUIRE(c.outbox->mark_sending(s1->segment_id, kSim));
    c.outbox->mark_sent(s1->segment_id, kSim, 1);
    REQUIRE(c.campaigns->pause(*id));
    CHECK_FALSE(c.outbox->next_segment(kSim, std::vector{kSim}));
    // Other traffic is not held up by a paused campaign.
    auto direct = c.outbox->enqueue({"+8613900000009"}, "单独通知");
    CHECK(c.drain(kSim, {kSim}).size() == 1);
    CHECK_FALSE(c.campaigns->pause(*id));  // already paused
    REQUIRE(c.campaigns->resume(*id));
    auto s2 = c.outbox->next_segment(kSim, std::vector{kSim});
    REQUIRE(s2);
    REQUIRE(c.outbox->mark_sending(s2->segment_id, kSim));
    c.outbox->mark_sent(s2->segment_id, kSim, 2);
    REQUIRE(c.campaigns->cancel(*id));
    p = c.campaigns->progress(*id);
    CHECK(p->sent == 2);
    CHECK(p->failed == 1);
    CHECK(p->queued == 0);
    CHECK_FALSE(c.outbox->next_segment(kSim, std::vector{kSim}));
    auto rs = store::campaign_recipients(*c.db, *id);
    REQUIRE(rs->size() == 3);
    int failed = 0;
    for (const auto& r : *rs) failed += r.message_status == "failed";
    CHECK(failed == 1);
}

TEST_CASE("a scheduled campaign waits for its time, opted-out recipients are skipped at launch") {
    CampaignCore c;
    auto s = c.spec();
    s.send_at = c.now() + 3600;
    auto id = c.campaigns->create(s);
    REQUIRE(c.campaigns->start(*id));
    CHECK(store::get_campaign(*c.db, *id)->status == store::CampaignStatus::Scheduled);
    CHECK(*c.campaigns->tick() == 0);
    CHECK(*store::count_queued_segments(*c.db) == 0);
    REQUIRE(store::set_opted_out(*c.db, "+8613800000002", true, c.now()));
    c.clock.advance(std::chrono::seconds(3601));
    CHECK(*c.campaigns->tick() == 2);
    auto p = c.campaigns->progress(*id);
    CHECK(p->queued == 2);
    CHECK(p->skipped == 1);
    // Everything sent: the campaign is done.
    c.drain(kSim, {kSim});
    REQUIRE(c.campaigns->tick());
    CHECK(store::get_campaign(*c.db, *id)->status == store::CampaignStatus::Done);
}

TEST_CASE("confirmation requests: replies confirm, the others are reminded once, rates follow") {
    CampaignCore c;
    auto s = c.spec();
    s.template_text = "{name}：明早九点开会，收到请回复1。";
    s.confirm_request = true;
    s.remind_after = 3600;
    s.reminder_text = "提醒：{name}，请回复1确认参加明早九点的会议。";
    auto id = c.campaigns->create(s);
    REQUIRE(c.campaigns->start(*id));
    CHECK(c.drain(kSim, {kSim}).size() == 3);
    // 王芳 confirms with "1" (not reply-menu item 01); 李明 sends an opinion instead.
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "１", 10)));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000002", "02 会议室太小", 11)));
    store::MessageQuery q;
    q.direction = store::Direction::In;
    auto in = store::list_messages(*c.db, q)->items;
    REQUIRE(in.size() == 2);
    CHECK(in[0].category == std::optional<std::string>("02"));
    CHECK_FALSE(in[1].category.has_value());
    CHECK(in[1].status == "handled");
    auto p = c.campaigns->progress(*id);
    CHECK(p->confirmed == 1);
    CHECK(p->replied == 2);
    CHECK(*c.campaigns->tick() == 0);  // not yet time
    c.clock.advance(std::chrono::seconds(3600));
    CHECK(*c.campaigns->tick() == 2);  // 李明 and 赵强, not 王芳
    CHECK(*c.campaigns->tick() == 0);  // once only
    auto rs = store::campaign_recipients(*c.db, *id);
    for (const auto& r : *rs) {
        CAPTURE(r.mobile);
        CHECK(r.reminded_at.has_value() == (r.mobile != "+8613800000001"));
    }
    auto reminder = store::get_message(*c.db, *rs->at(1).reminder_message_id);
    CHECK(reminder->text == "提醒：李明，请回复1确认参加明早九点的会议。");
    CHECK(reminder->kind == store::MessageKind::Reminder);
    auto rates = store::campaign_rates(*c.db, 0, c.now() + 1);
    REQUIRE(rates->size() == 1);
    CHECK(rates->front().sent == 3);
    CHECK(rates->front().replied == 2);
    CHECK(rates->front().response_rate == doctest::Approx(2.0 / 3.0));
}

TEST_CASE("a 1 answers an open confirmation request even after a later broadcast without one") {
    CampaignCore c;
    auto s = c.spec();
    s.template_text = "{name}：明早九点开会，收到请回复1。";
    s.confirm_request = true;
    auto first = c.campaigns->create(s);
    REQUIRE(c.campaigns->start(*first));
    CHECK(c.drain(kSim, {kSim}).size() == 3);
    c.clock.advance(std::chrono::seconds(600));
    // A later notice without a confirmation request to the same people.
    auto plain = c.spec();
    plain.name = "天气提醒";
    plain.template_text = "{name}：明天有雨，注意出行。";
    auto second = c.campaigns->create(plain);
    REQUIRE(c.campaigns->start(*second));
    CHECK(c.drain(kSim, {kSim}).size() == 3);
    c.clock.advance(std::chrono::seconds(60));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "1", 12)));
    store::MessageQuery q;
    q.direction = store::Direction::In;
    auto in = store::list_messages(*c.db, q)->items;
    REQUIRE(in.size() == 1);
    CHECK_FALSE(in[0].category.has_value());  // not reply-menu 01 政策咨询
    CHECK(in[0].status == "handled");
    CHECK(c.campaigns->progress(*first)->confirmed == 1);
    CHECK(c.campaigns->progress(*second)->confirmed == 0);
    CHECK(c.campaigns->progress(*first)->replied == 1);
    CHECK(c.campaigns->progress(*second)->replied == 0);  // the 1 answered the first one
    // A second "1" is still no policy question.
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "1", 13)));
    in = store::list_messages(*c.db, q)->items;
    REQUIRE(in.size() == 2);
    CHECK_FALSE(in[0].category.has_value());
}

TEST_CASE("the preview neither counts nor charges opted-out recipients and says how many were skipped") {
    CampaignCore c;
    c.register_sim(10, 0);
    REQUIRE(store::set_opted_out(*c.db, "+8613800000002", true, c.now()));
    auto p = c.campaigns->preview(c.spec());
    REQUIRE(p);
    CHECK(p->total_recipients == 3);
    CHECK(p->sendable == 2);
    CHECK(p->opted_out == 1);
    CHECK(p->skipped == 1);
    CHECK(p->total_cost_fen == 20);
    CHECK(p->max_segments == 1);
    // A SIM with 1 segment left today is flagged.
    messaging::apply_daily_limits(*p, {messaging::SimToday{kSim.iccid, 99, 100}});
    REQUIRE(p->per_sim.size() == 1);
    CHECK(p->per_sim[0].daily_remaining == 1);
    CHECK_FALSE(p->per_sim[0].within_daily_limit);
}

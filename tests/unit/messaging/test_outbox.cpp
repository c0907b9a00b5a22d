// SPDX-License-Identifier: Apache-2.0
#include "fixture.hpp"

using namespace cunxin;
using test::Core;

namespace {
const auto kMobile = test::sim("89860000000000000001", "CHINA MOBILE");
const auto kUnicom = test::sim("89860100000000000002", "CHN-UNICOM");
constexpr const char* kToMobile = "+8613800000001";   // 138: China Mobile
constexpr const char* kToMobile2 = "+8613900000002";
constexpr const char* kToUnicom = "+8613000000003";   // 130: China Unicom
}  // namespace

TEST_CASE("enqueue stores message and segments before anything is sent and wakes the pool") {
    Core c;
    auto ids = c.outbox->enqueue({"13800000001", "+86 139 0000 0002"}, "明天上午九点开会");
    REQUIRE(ids);
    REQUIRE(ids->size() == 2);
    CHECK(c.wakes == 1);
    CHECK(c.status((*ids)[0]) == "queued");
    auto segs = store::segments_of(*c.db, (*ids)[1]);
    REQUIRE(segs->size() == 1);
    CHECK(segs->front().recipient == "+8613900000002");
    CHECK(segs->front().pdu_hex.substr(0, 2) == "00");
    // A long Chinese text becomes several segments (UCS2 67 per part).
    std::string text;
    for (int i = 0; i < 100; ++i) text += "村";
    auto longer = c.outbox->enqueue({kToMobile}, text);
    REQUIRE(longer);
    CHECK(store::segments_of(*c.db, longer->front())->size() == 2);
}

TEST_CASE("a bad number or text is quarantined as failed and never blocks the queue") {
    Core c;
    auto ids = c.outbox->enqueue({"12345", "+8613800000001", "010-12345678"}, "通知");
    REQUIRE(ids);
    REQUIRE(ids->size() == 3);
    CHECK(c.status((*ids)[0]) == "failed");
    CHECK(store::get_message(*c.db, (*ids)[0])->error.find("invalid number") == 0);
    CHECK(c.status((*ids)[2]) == "failed");
    auto bad_text = c.outbox->enqueue({kToMobile2}, std::string("\xFF\xFE bad utf-8"));
    REQUIRE(bad_text);
    CHECK(c.status(bad_text->front()) == "failed");
    CHECK(store::get_message(*c.db, bad_text->front())->error.find("not encodable") == 0);
    auto sent = c.drain(kMobile, {kMobile});
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].recipient == "+8613800000001");
    CHECK(c.status((*ids)[1]) == "sent");
}

TEST_CASE("a crash while sending leaves the segment uncertain: never resent without a person") {
    Core c;
    auto ids = c.outbox->enqueue({kToMobile, kToMobile2}, "停电通知");
    REQUIRE(ids);
    auto seg = c.outbox->next_segment(kMobile, std::vector{kMobile});
    REQUIRE(seg);
    REQUIRE(c.outbox->mark_sending(seg->segment_id, kMobile));
    CHECK(c.status((*ids)[0]) == "sending");
    c.open();  // power cut after AT+CMGS was issued, before the answer
    auto n = c.outbox->recover();
    REQUIRE(n);
    CHECK(*n == 1);
    CHECK(c.status((*ids)[0]) == "uncertain");
    // Only the other message goes out.
    auto sent = c.drain(kMobile, {kMobile});
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].recipient == kToMobile2);
    // A person decides: resend.
    REQUIRE(c.outbox->resend_uncertain((*ids)[0]));
    CHECK(c.status((*ids)[0]) == "queued");
    sent = c.drain(kMobile, {kMobile});
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].recipient == kToMobile);
    CHECK(c.status((*ids)[0]) == "sent");
}

TEST_CASE("a person can mark an uncertain message failed") {
    Core c;
    auto ids = c.outbox->enqueue({kToMobile}, "x");
    auto seg = c.outbox->next_segment(kMobile, std::vector{kMobile});
    REQUIRE(c.outbox->mark_sending(seg->segment_id, kMobile));
    c.open();
    REQUIRE(c.outbox->recover());
    REQUIRE(*c.outbox->mark_uncertain_failed(ids->front()) == 1);
    CHECK(c.status(ids->front()) == "failed");
    CHECK_FALSE(c.outbox->next_segment(kMobile, std::vector{kMobile}));
}

TEST_CASE("a modem that hangs or vanishes after the PDU went out leaves the segment uncertain") {
    Core c;
    auto ids = c.outbox->enqueue({kToMobile}, "x");
    auto seg = c.outbox->next_segment(kMobile, std::vector{kMobile});
    REQUIRE(c.outbox->mark_sending(seg->segment_id, kMobile));
    c.outbox->mark_uncertain(seg->segment_id, kMobile, "no answer to AT+CMGS");
    CHECK(c.status(ids->front()) == "uncertain");
    CHECK(c.outbox->in_flight() == 0);
    // Neither this SIM nor another gets it again until a person decides.
    CHECK_FALSE(c.outbox->next_segment(kMobile, std::vector{kMobile}));
    REQUIRE(*c.outbox->resend_uncertain(ids->front()) == 1);
    CHECK(c.outbox->next_segment(kMobile, std::vector{kMobile}));
}

TEST_CASE("a segment handed out is not handed out again until it is finished") {
    Core c;
    REQUIRE(c.outbox->enqueue({kToMobile}, "x"));
    auto a = c.outbox->next_segment(kMobile, std::vector{kMobile});
    REQUIRE(a);
    CHECK_FALSE(c.outbox->next_segment(kMobile, std::vector{kMobile}));
    CHECK(c.outbox->in_flight() == 1);
}

TEST_CASE("the recipient's operator is preferred, then the SIM that already wrote to them sticks") {
    Core c;
    const std::vector ready{kMobile, kUnicom};
    REQUIRE(c.outbox->enqueue({kToUnicom}, "联通用户"));
    CHECK_FALSE(c.outbox->next_segment(kMobile, ready));  // a Unicom SIM is ready
    auto s = c.outbox->next_segment(kUnicom, ready);
    REQUIRE(s);
    CHECK(s->recipient == kToUnicom);
    c.outbox->mark_failed(s->segment_id, kUnicom, true, 500, "test");

    // Only the Unicom SIM is ready: it writes to a Mobile customer.
    REQUIRE(c.outbox->enqueue({kToMobile}, "第一条"));
    auto sent = c.drain(kUnicom, {kUnicom});
    REQUIRE(sent.size() == 1);
    // Both ready again: the customer stays on the Unicom SIM (sticky), not their operator's.
    REQUIRE(c.outbox->enqueue({kToMobile}, "第二条"));
    CHECK_FALSE(c.outbox->next_segment(kMobile, ready));
    auto again = c.outbox->next_segment(kUnicom, ready);
    REQUIRE(again);
    CHECK(again->recipient == kToMobile);
    c.outbox->mark_failed(again->segment_id, kUnicom, true, 500, "test");
    // The sticky SIM gone: the operator's SIM takes over.
    REQUIRE(c.outbox->enqueue({kToMobile}, "第三条"));
    CHECK(c.outbox->next_segment(kMobile, std::vector{kMobile}));
}

TEST_CASE("all parts of a message leave through the same SIM") {
    Core c;
    std::string text;
    for (int i = 0; i < 100; ++i) text += "党";
    REQUIRE(c.outbox->enqueue({kToUnicom}, text));
    const std::vector ready{kMobile, kUnicom};
    // Only the Mobile SIM was ready for part 1.
    auto p1 = c.outbox->next_segment(kMobile, std::vector{kMobile});
    REQUIRE(p1);
    CHECK(p1->more_to_same);
    REQUIRE(c.outbox->mark_sending(p1->segment_id, kMobile));
    c.outbox->mark_sent(p1->segment_id, kMobile, 7);
    // Part 2 waits for the Mobile SIM even though a Unicom SIM is ready.
    CHECK_FALSE(c.outbox->next_segment(kUnicom, ready));
    auto p2 = c.outbox->next_segment(kMobile, ready);
    REQUIRE(p2);
    CHECK_FALSE(p2->more_to_same);
}

TEST_CASE("temporary failures back off exponentially on another SIM, then give up") {
    Core c;
    auto ids = c.outbox->enqueue({kToMobile}, "重试");
    const std::vector ready{kMobile, kUnicom};
    auto s = c.outbox->next_segment(kMobile, ready);
    REQUIRE(s);
    REQUIRE(c.outbox->mark_sending(s->segment_id, kMobile));
    c.outbox->mark_failed(s->segment_id, kMobile, false, 42, "congestion");
    CHECK(c.status(ids->front()) == "queued");
    auto seg = store::get_segment(*c.db, s->segment_id);
    CHECK(seg->not_before == c.now() + 30);
    CHECK(seg->last_error.find("+CMS ERROR 42") == 0);
    CHECK_FALSE(c.outbox->next_segment(kUnicom, ready));  // not due yet
    c.clock.advance(std::chrono::seconds(31));
    CHECK_FALSE(c.outbox->next_segment(kMobile, ready));  // avoid the SIM that failed
    s = c.outbox->next_segment(kUnicom, ready);
    REQUIRE(s);
    REQUIRE(c.outbox->mark_sending(s->segment_id, kUnicom));
    c.outbox->mark_failed(s->segment_id, kUnicom, false, 42, "congestion");
    CHECK(store::get_segment(*c.db, s->segment_id)->not_before == c.now() + 60);
    for (int attempt = 3; attempt <= 5; ++attempt) {
        c.clock.advance(std::chrono::seconds(3600));
        s = c.outbox->next_segment(kMobile, std::vector{kMobile});
        REQUIRE(s);
        REQUIRE(c.outbox->mark_sending(s->segment_id, kMobile));
        c.outbox->mark_failed(s->segment_id, kMobile, false, 42, "congestion");
    }
    CHECK(c.status(ids->front()) == "failed");
    CHECK(store::get_message(*c.db, ids->front())->error.find("gave up after 5 attempts") == 0);
}

TEST_CASE("a permanent failure fails the message with its reason, the rest of the queue goes on") {
    Core c;
    std::string text;
    for (int i = 0; i < 100; ++i) text += "党";
    auto ids = c.outbox->enqueue({kToMobile, kToMobile2}, text);
    auto s = c.outbox->next_segment(kMobile, std::vector{kMobile});
    REQUIRE(c.outbox->mark_sending(s->segment_id, kMobile));
    c.outbox->mark_failed(s->segment_id, kMobile, true, 21, "short message transfer rejected");
    CHECK(c.status((*ids)[0]) == "failed");
    auto segs = store::segments_of(*c.db, (*ids)[0]);
    CHECK(segs->at(1).status == store::SegmentStatus::Failed);  // no orphan fragment sent
    auto sent = c.drain(kMobile, {kMobile});
    CHECK(sent.size() == 2);
    CHECK(c.status((*ids)[1]) == "sent");
}

TEST_CASE("an opt-out is honoured by sends queued before and after it") {
    Core c;
    auto before = c.outbox->enqueue({kToMobile}, "通知一");
    REQUIRE(store::set_opted_out(*c.db, kToMobile, true, c.now()));
    CHECK_FALSE(c.outbox->next_segment(kMobile, std::vector{kMobile}));
    CHECK(c.status(before->front()) == "failed");
    auto after = c.outbox->enqueue({kToMobile}, "通知二");
    CHECK(c.status(after->front()) == "failed");
    CHECK(store::get_message(*c.db, after->front())->error == "opted_out");
    // The acknowledgement of the opt-out itself may go.
    messaging::SendOptions ack;
    ack.kind = store::MessageKind::AutoAck;
    ack.ignore_opt_out = true;
    auto a = c.outbox->enqueue({kToMobile}, "您已退订", ack);
    CHECK(c.drain(kMobile, {kMobile}).size() == 1);
    CHECK(c.status(a->front()) == "sent");
}

TEST_CASE("a SIM's monthly budget stops it, another SIM carries on, sent_since counts") {
    Core c;
    REQUIRE(c.outbox->enqueue({kToMobile, kToMobile2, "+8613700000004"}, "预算"));
    CHECK_FALSE(c.outbox->next_segment(test::sim("", "x"), std::vector{kMobile}));
    // The SIM row exists once the pool has shown it; give it a 2-segment budget.
    c.outbox->next_segment(kMobile, std::vector<modem::SimIdentity>{});
    auto s = store::get_sim(*c.db, kMobile.iccid);
    REQUIRE(s->has_value());
    store::Sim cfg = **s;
    cfg.monthly_budget_segments = 2;
    REQUIRE(store::update_sim_settings(*c.db, cfg));
    c.open();
    auto sent = c.drain(kMobile, {kMobile});
    CHECK(sent.size() == 2);
    CHECK(c.outbox->sent_since(kMobile, c.clock.now() - std::chrono::hours(1)) == 2);
    sent = c.drain(kUnicom, {kUnicom});
    CHECK(sent.size() == 1);
}

TEST_CASE("with a big backlog no ready SIM idles for operator preference") {
    Core c;
    messaging::OutboxOptions o;
    o.scan_limit = 10;
    c.outbox = std::make_unique<messaging::Outbox>(*c.db, c.clock, o);
    std::vector<std::string> unicom;
    for (int i = 0; i < 12; ++i) unicom.push_back("+861300000" + std::to_string(1000 + i));
    REQUIRE(c.outbox->enqueue(unicom, "大批通知"));
    const std::vector ready{kMobile, kUnicom};
    auto s = c.outbox->next_segment(kMobile, ready);
    REQUIRE(s);
    CHECK(s->recipient == unicom[0]);
    // A small queue keeps the preference.
    c.drain(kUnicom, {kMobile, kUnicom});
    REQUIRE(c.outbox->enqueue({kToUnicom}, "一条"));
    CHECK_FALSE(c.outbox->next_segment(kMobile, ready));
}

TEST_CASE("a SIM at its monthly budget keeps no sticky recipient: another ready SIM takes their messages") {
    Core c;
    const std::vector ready{kMobile, kUnicom};
    // The Mobile SIM writes to a Mobile customer first: the customer sticks to it.
    REQUIRE(c.outbox->enqueue({kToMobile}, "第一条"));
    REQUIRE(c.drain(kMobile, {kMobile}).size() == 1);
    // Its budget is used up (1 segment this month).
    store::Sim cfg = **store::get_sim(*c.db, kMobile.iccid);
    cfg.monthly_budget_segments = 1;
    REQUIRE(store::update_sim_settings(*c.db, cfg));
    REQUIRE(c.outbox->enqueue({kToMobile}, "第二条"));
    // Both SIMs are ready (the pool knows no budgets): the capped SIM sends nothing, and the
    // Unicom SIM does not leave the customer's message waiting for it.
    CHECK_FALSE(c.outbox->next_segment(kMobile, ready));
    auto s = c.outbox->next_segment(kUnicom, ready);
    REQUIRE(s);
    CHECK(s->recipient == kToMobile);
}

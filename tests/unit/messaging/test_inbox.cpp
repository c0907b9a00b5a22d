// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/inbox.hpp"

#include "fixture.hpp"
#include "pdu_builder.hpp"

using namespace cunxin;
using test::Core;

namespace {
const auto kSim = test::sim("89860000000000000001", "CHINA MOBILE");

struct InboxCore : Core {
    std::unique_ptr<messaging::Inbox> inbox;
    std::vector<store::Message> seen;
    InboxCore() { start(); }
    void start() {
        inbox = std::make_unique<messaging::Inbox>(*db, clock, *outbox);
        inbox->on_new_message = [this](const store::Message& m) { seen.push_back(m); };
        REQUIRE(inbox->load());
    }
    void restart() {
        inbox.reset();
        open();
        start();
    }
    std::vector<store::Message> incoming() {
        store::MessageQuery q;
        q.direction = store::Direction::In;
        auto p = store::list_messages(*db, q);
        REQUIRE(p);
        return p->items;
    }
    std::vector<store::Message> acks() {
        store::MessageQuery q;
        q.direction = store::Direction::Out;
        return store::list_messages(*db, q)->items;
    }
    std::int64_t add_contact(const std::string& name, const std::string& mobile, const std::string& village) {
        store::Contact c;
        c.name = name;
        c.mobile = mobile;
        c.village = village;
        auto id = store::insert_contact(*db, c, now());
        REQUIRE(id);
        return *id;
    }
};
}  // namespace

TEST_CASE("a reply is stored, matched to its contact, classified and announced") {
    InboxCore c;
    auto id = c.add_contact("王芳", "+8613800000001", "东村");
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "02 村口路灯坏了")));
    auto in = c.incoming();
    REQUIRE(in.size() == 1);
    CHECK(in[0].peer == "+8613800000001");
    CHECK(in[0].text == "02 村口路灯坏了");
    CHECK(in[0].category == std::optional<std::string>("02"));
    CHECK(in[0].contact_id == std::optional<std::int64_t>(id));
    CHECK(in[0].village == "东村");
    CHECK_FALSE(in[0].unknown_sender);
    CHECK(in[0].status == "new");
    CHECK(in[0].scts == std::optional<std::int64_t>(test::t0().time_since_epoch().count() / 1000000000));
    REQUIRE(c.seen.size() == 1);
    CHECK(c.seen[0].id == in[0].id);
}

TEST_CASE("reply-menu forms are classified through the inbox, unknown senders flagged") {
    InboxCore c;
    struct Row {
        const char* text;
        const char* code;
    };
    const Row rows[] = {{"2 路灯", "02"}, {"０３，河道有垃圾", "03"}, {"一、医保怎么交", "01"},
                        {"【02】建议修路", "02"}, {"2024年的补贴发了吗", nullptr}, {"你好", nullptr}};
    int second = 0;
    for (const auto& r : rows) {
        CAPTURE(r.text);
        REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613900000002", r.text, 1, second++)));
        auto m = c.incoming().front();
        CHECK(m.text == r.text);
        if (r.code) {
            CHECK(m.category == std::optional<std::string>(r.code));
        } else {
            CHECK_FALSE(m.category.has_value());
        }
        CHECK(m.unknown_sender);
    }
}

TEST_CASE("duplicate deliveries of a part or a whole message are dropped but acknowledged") {
    InboxCore c;
    const auto pdu = test::deliver("8613800000001", "01 请问低保怎么申请");
    REQUIRE(c.inbox->store_incoming_pdu(kSim, pdu));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, pdu));  // true: it may be deleted from the SIM
    const auto other_sim = test::sim("89860100000000000002", "CHN-UNICOM");
    REQUIRE(c.inbox->store_incoming_pdu(other_sim, pdu));
    CHECK(c.incoming().size() == 1);
    CHECK(c.seen.size() == 1);
    // Same sender and text but another network time stamp: a new message.
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "01 请问低保怎么申请", 5)));
    CHECK(c.incoming().size() == 2);
}

TEST_CASE("a multipart reply split across a restart is reassembled") {
    InboxCore c;
    REQUIRE(c.inbox->store_incoming_pdu(
        kSim, test::deliver("8613800000001", "03 村东头的桥", 2, 0, test::ConcatInfo{77, 1, 2})));
    CHECK(c.incoming().empty());
    CHECK(c.inbox->pending_groups() == 1);
    c.restart();
    CHECK(c.inbox->pending_groups() == 1);
    REQUIRE(c.inbox->store_incoming_pdu(
        kSim, test::deliver("8613800000001", "栏杆断了，很危险", 2, 1, test::ConcatInfo{77, 2, 2})));
    auto in = c.incoming();
    REQUIRE(in.size() == 1);
    CHECK(in[0].text == "03 村东头的桥栏杆断了，很危险");
    CHECK(in[0].category == std::optional<std::string>("03"));
    CHECK_FALSE(in[0].incomplete);
    CHECK(c.inbox->pending_groups() == 0);
    c.restart();  // nothing left pending, nothing duplicated
    CHECK(c.incoming().size() == 1);
}

TEST_CASE("parts missing after the timeout give a message marked incomplete") {
    InboxCore c;
    REQUIRE(c.inbox->store_incoming_pdu(
        kSim, test::deliver("8613800000001", "第三部分", 3, 0, test::ConcatInfo{9, 3, 3})));
    CHECK(c.inbox->expire_incomplete() == 0);
    c.clock.advance(std::chrono::hours(2));
    CHECK(c.inbox->expire_incomplete() == 1);
    auto in = c.incoming();
    REQUIRE(in.size() == 1);
    CHECK(in[0].incomplete);
    CHECK(in[0].text.find("第三部分") != std::string::npos);
    CHECK(in[0].text.find("[…]") != std::string::npos);
}

TEST_CASE("a malformed PDU is quarantined with its reason and blocks nothing") {
    InboxCore c;
    CHECK(c.inbox->store_incoming_pdu(kSim, "0004"));
    CHECK(c.inbox->store_incoming_pdu(kSim, "ZZ"));
    auto q = store::list_quarantine(*c.db);
    REQUIRE(q->size() == 2);
    CHECK(q->back().raw == "0004");
    CHECK_FALSE(q->back().reason.empty());
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "你好")));
    CHECK(c.incoming().size() == 1);
}

TEST_CASE("opt-out and opt-in keywords are honoured by later broadcasts") {
    InboxCore c;
    c.add_contact("李明", "+8613800000001", "西村");
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "退订")));
    CHECK(*store::is_opted_out(*c.db, "+8613800000001"));
    auto in = c.incoming();
    CHECK(in[0].status == "handled");
    auto acks = c.acks();
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].kind == store::MessageKind::AutoAck);
    CHECK(acks[0].status == "queued");
    auto later = c.outbox->enqueue({"+8613800000001"}, "村民大会通知");
    CHECK(c.status(later->front()) == "failed");
    c.clock.advance(std::chrono::hours(25));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "订阅", 9)));
    CHECK_FALSE(*store::is_opted_out(*c.db, "+8613800000001"));
    auto again = c.outbox->enqueue({"+8613800000001"}, "村民大会通知");
    CHECK(c.status(again->front()) == "queued");
}

TEST_CASE("automatic acknowledgements are rate-limited per sender, anonymous categories flagged") {
    InboxCore c;
    store::MenuItem item{"01", "政策咨询", "Policy", "您的咨询已收到，我们会尽快答复。", false, 1};
    REQUIRE(store::upsert_menu_item(*c.db, item));
    store::MenuItem anon{"04", "匿名举报", "Anonymous report", "", true, 4};
    REQUIRE(store::upsert_menu_item(*c.db, anon));
    for (int i = 0; i < 5; ++i) {
        REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "01 问题" + std::to_string(i), 4, i)));
    }
    CHECK(c.acks().size() == 1);  // an auto-responder on the other side cannot start a loop
    c.clock.advance(std::chrono::hours(25));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "01 又一个问题", 5)));
    CHECK(c.acks().size() == 2);
    // No acknowledgement to service numbers.
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("10086", "01 余额提醒", 6)));
    CHECK(c.acks().size() == 2);
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613900000009", "04 有人占用耕地", 7)));
    auto m = c.incoming().front();
    CHECK(m.category == std::optional<std::string>("04"));
    CHECK(m.anonymous);
    // The panel's switch turns acknowledgements off.
    REQUIRE(store::set_setting(*c.db, "auto_ack_enabled", "0"));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613700000007", "01 请问", 8)));
    CHECK(c.acks().size() == 2);
}

TEST_CASE("extra opt-out words from the panel's settings are honoured") {
    InboxCore c;
    REQUIRE(store::set_setting(*c.db, "opt_out_keywords", "不要再发，别发了"));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000001", "别发了", 1)));
    CHECK(*store::is_opted_out(*c.db, "+8613800000001"));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000002", "不要再发", 2)));
    CHECK(*store::is_opted_out(*c.db, "+8613800000002"));
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000003", "发了吗", 3)));
    CHECK_FALSE(*store::is_opted_out(*c.db, "+8613800000003"));
}

TEST_CASE("status reports match by SIM, reference and recipient within the window, MR wraps") {
    InboxCore c;
    auto first = c.outbox->enqueue({"+8613800000001"}, "第一条");
    auto s1 = c.outbox->next_segment(kSim, std::vector{kSim});
    REQUIRE(c.outbox->mark_sending(s1->segment_id, kSim));
    c.outbox->mark_sent(s1->segment_id, kSim, 5);
    c.clock.advance(std::chrono::hours(1));
    // 256 sends later the modem's TP-MR is 5 again for the same recipient.
    auto second = c.outbox->enqueue({"+8613800000001"}, "第二条");
    auto s2 = c.outbox->next_segment(kSim, std::vector{kSim});
    REQUIRE(c.outbox->mark_sending(s2->segment_id, kSim));
    c.outbox->mark_sent(s2->segment_id, kSim, 5);
    REQUIRE(c.inbox->store_status_report(kSim, test::status_report(5, "8613800000001", 0)));
    CHECK(c.status(second->front()) == "delivered");
    CHECK(c.status(first->front()) == "sent");
    // Another SIM's report with the same MR matches nothing: kept unmatched.
    const auto other = test::sim("89860100000000000002", "CHN-UNICOM");
    REQUIRE(c.inbox->store_status_report(other, test::status_report(5, "8613800000001", 0)));
    // A failure report (TP-ST 0x41: permanent, e.g. incompatible destination).
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::status_report(5, "8613800000001", 0x41)));  // via +CMT path
    CHECK(c.status(second->front()) == "failed");
    // Too old: the first one's report arrives after the window.
    c.clock.advance(std::chrono::hours(80));
    auto third = c.outbox->enqueue({"+8613800000001"}, "第三条");
    REQUIRE(c.inbox->store_status_report(kSim, test::status_report(6, "8613800000001", 0)));
    auto unmatched = store::unmatched_status_reports(*c.db);
    CHECK(unmatched->size() == 2);
    CHECK(c.status(third->front()) == "queued");
}

TEST_CASE("a part redelivered with another time stamp is set aside, not shown as a message") {
    InboxCore c;
    REQUIRE(c.inbox->store_incoming_pdu(
        kSim, test::deliver("8613800000001", "上半句", 2, 0, test::ConcatInfo{5, 1, 2})));
    REQUIRE(c.inbox->store_incoming_pdu(
        kSim, test::deliver("8613800000001", "上半句", 2, 30, test::ConcatInfo{5, 1, 2})));
    CHECK(store::list_quarantine(*c.db)->size() == 1);
    c.restart();
    REQUIRE(c.inbox->store_incoming_pdu(
        kSim, test::deliver("8613800000001", "下半句", 2, 31, test::ConcatInfo{5, 2, 2})));
    auto in = c.incoming();
    REQUIRE(in.size() == 1);
    CHECK(in[0].text == "上半句下半句");
    c.clock.advance(std::chrono::hours(3));
    CHECK(c.inbox->expire_incomplete() == 0);
    CHECK(c.incoming().size() == 1);
}

TEST_CASE("a missed call is recorded against the contact, in the messaging clock's time") {
    InboxCore c;
    auto id = c.add_contact("赵六", "+8613800000009", "北村");
    std::vector<std::int64_t> announced;
    c.inbox->on_missed_call = [&](std::int64_t call) { announced.push_back(call); };
    // The modem's own clock may be years off: the messaging clock decides.
    c.inbox->missed_call(kSim, "13800000009", std::chrono::system_clock::time_point{});
    c.inbox->missed_call(kSim, "", std::chrono::system_clock::time_point{});
    auto calls = store::list_calls(*c.db, 10);
    REQUIRE(calls);
    REQUIRE(calls->size() == 2);
    CHECK((*calls)[1].number == "+8613800000009");
    CHECK((*calls)[1].contact_id == std::optional<std::int64_t>(id));
    CHECK((*calls)[1].at == c.now());
    CHECK((*calls)[1].iccid == kSim.iccid);
    CHECK((*calls)[0].number.empty());
    CHECK(announced.size() == 2);
    CHECK(c.incoming().empty());  // a call is not a message
}

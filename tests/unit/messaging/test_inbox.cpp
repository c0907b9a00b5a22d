// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/inbox.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

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

namespace {

/// An SMS-DELIVER from +8613800000001 with raw UCS2 user data (any code units, UDL as given).
std::string deliver_raw_ucs2(const std::vector<std::uint16_t>& units, int udl, std::optional<test::ConcatInfo> concat = {}) {
    std::vector<std::uint8_t> b{0x00, static_cast<std::uint8_t>(concat ? 0x44 : 0x04)};
    test::put_address(b, "8613800000001");
    b.push_back(0x00);
    b.push_back(0x08);
    test::put_time(b, 1, 2);
    b.push_back(static_cast<std::uint8_t>(udl));
    if (concat) {
        for (int v : {0x05, 0x00, 0x03, concat->ref, concat->total, concat->part}) b.push_back(static_cast<std::uint8_t>(v));
    }
    for (auto u : units) {
        b.push_back(static_cast<std::uint8_t>(u >> 8));
        b.push_back(static_cast<std::uint8_t>(u & 0xFF));
    }
    return test::hex(b);
}

/// What `fn` writes to stderr (the log).
template <class F>
std::string stderr_of(F fn) {
    std::fflush(stderr);
    char path[] = "/tmp/cunxin-log-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    const int saved = ::dup(2);
    ::dup2(fd, 2);
    fn();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::string out(4096, '\0');
    const auto n = ::pread(fd, out.data(), out.size(), 0);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    ::close(fd);
    ::unlink(path);
    return out;
}

}  // namespace

TEST_CASE("half an emoji: the SMS is stored with U+FFFD and marked damaged, not quarantined") {
    InboxCore c;
    // "你" + a lone high surrogate + "好": some phones cut an emoji in half.
    const std::string pdu = deliver_raw_ucs2({0x4F60, 0xD83D, 0x597D}, 6);
    std::string log;
    bool stored = false;
    log = stderr_of([&] { stored = c.inbox->store_incoming_pdu(kSim, pdu); });
    REQUIRE(stored);
    auto in = c.incoming();
    REQUIRE(in.size() == 1);  // the old decoder refused it: it went to the quarantine unseen
    CHECK(in[0].text == "你\xEF\xBF\xBD好");
    CHECK(in[0].damaged);
    CHECK(in[0].error == "invalid_utf16");
    CHECK(store::list_quarantine(*c.db)->empty());
    CHECK(log.find("damaged") != std::string::npos);
    CHECK(log.find("8613800000001") == std::string::npos);  // no number in the log
    auto sound = c.inbox->store_incoming_pdu(kSim, test::deliver("8613800000002", "你好"));
    REQUIRE(sound);
    CHECK_FALSE(c.incoming()[0].damaged);
}

TEST_CASE("a part cut short marks the joined message damaged, across a restart") {
    InboxCore c;
    // Part 1 announces 10 octets of text but carries 4; part 2 is sound.
    REQUIRE(c.inbox->store_incoming_pdu(kSim, deliver_raw_ucs2({0x6751, 0x53E3}, 6 + 10, test::ConcatInfo{7, 1, 2})));
    c.restart();  // the damage is not stored with the part: it is read again from its PDU
    REQUIRE(c.inbox->store_incoming_pdu(kSim, deliver_raw_ucs2({0x8DEF, 0x706F}, 6 + 4, test::ConcatInfo{7, 2, 2})));
    auto in = c.incoming();
    REQUIRE(in.size() == 1);
    CHECK(in[0].text == "村口路灯");
    CHECK(in[0].damaged);
    CHECK(in[0].error == "short_user_data");
}

TEST_CASE("a quarantined PDU is logged with its reason") {
    InboxCore c;
    const auto log = stderr_of([&] { CHECK(c.inbox->store_incoming_pdu(kSim, "0004")); });
    CHECK(log.find("quarantined") != std::string::npos);  // nothing was logged before
    CHECK(log.find("short_pdu") != std::string::npos);
    CHECK(store::count_quarantine(*c.db).value_or(0) == 1);
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

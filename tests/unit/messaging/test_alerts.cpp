// SPDX-License-Identifier: Apache-2.0
// Alerts to the officials on duty: quiet hours over midnight, the rate limit with its "and N
// more" SMS, the daily digest, the rules that keep alerts from looping, anonymity of urgent
// alerts, and the campaign option "a missed call counts as confirmation".
#include "cunxin/messaging/alerts.hpp"

#include "cunxin/messaging/campaigns.hpp"
#include "cunxin/messaging/inbox.hpp"
#include "fixture.hpp"
#include "pdu_builder.hpp"

using namespace cunxin;
using test::Core;

namespace {

const auto kSim = test::sim("89860000000000000001", "CHINA MOBILE");
constexpr const char* kDutyA = "+8613900000001";
constexpr const char* kDutyB = "+8613900000002";
constexpr const char* kOwn = "+8613700000009";

messaging::AlertSettings settings() {
    auto s = messaging::default_alert_settings();
    s.duty = {{"李书记", kDutyA, "书记"}, {"赵主任", kDutyB, "主任"}};
    s.quiet_hours.reset();
    s.max_per_hour = 0;
    return s;
}

struct AlertCore : Core {
    std::unique_ptr<messaging::Inbox> inbox;
    std::unique_ptr<messaging::Alerts> alerts;
    explicit AlertCore(messaging::AlertSettings s = settings()) {
        alerts = std::make_unique<messaging::Alerts>(*db, clock, *outbox, std::move(s));
        alerts->own_numbers = [] { return std::vector<std::string>{kOwn}; };
        inbox = std::make_unique<messaging::Inbox>(*db, clock, *outbox);
        inbox->set_alerts(alerts.get());
        REQUIRE(inbox->load());
    }
    /// Outgoing messages of kind `alert` to `number`, oldest first.
    std::vector<store::Message> sms_to(const std::string& number) {
        store::MessageQuery q;
        q.direction = store::Direction::Out;
        auto p = store::list_messages(*db, q);
        REQUIRE(p);
        std::vector<store::Message> out;
        for (auto it = p->items.rbegin(); it != p->items.rend(); ++it) {
            if (it->kind == store::MessageKind::Alert && it->peer == number) out.push_back(*it);
        }
        return out;
    }
    std::vector<store::AlertRecord> recorded() {
        auto l = store::list_alerts(*db, 100);
        REQUIRE(l);
        return *l;
    }
    void receive(const std::string& from_digits, const std::string& text) {
        REQUIRE(inbox->store_incoming_pdu(kSim, test::deliver(from_digits, text)));
    }
    void add_contact(const std::string& name, const std::string& mobile, const std::string& village) {
        store::Contact c;
        c.name = name;
        c.mobile = mobile;
        c.village = village;
        REQUIRE(store::insert_contact(*db, c, now()));
    }
};

}  // namespace

TEST_CASE("quiet hours are parsed and may run over midnight") {
    auto q = messaging::parse_quiet_hours("22:00-07:00");
    REQUIRE(q);
    CHECK(q->start == 22 * 60);
    CHECK(q->end == 7 * 60);
    CHECK(messaging::in_quiet_hours(*q, 22 * 60));
    CHECK(messaging::in_quiet_hours(*q, 23 * 60 + 59));
    CHECK(messaging::in_quiet_hours(*q, 0));
    CHECK(messaging::in_quiet_hours(*q, 6 * 60 + 59));
    CHECK_FALSE(messaging::in_quiet_hours(*q, 7 * 60));
    CHECK_FALSE(messaging::in_quiet_hours(*q, 12 * 60));
    CHECK_FALSE(messaging::in_quiet_hours(*q, 21 * 60 + 59));
    auto day = messaging::parse_quiet_hours("12:00-14:00");
    REQUIRE(day);
    CHECK(messaging::in_quiet_hours(*day, 13 * 60));
    CHECK_FALSE(messaging::in_quiet_hours(*day, 14 * 60));
    CHECK_FALSE(messaging::in_quiet_hours(*day, 11 * 60));
    CHECK_FALSE(messaging::in_quiet_hours({8 * 60, 8 * 60}, 8 * 60));  // start == end: none
    for (const char* bad : {"", "22:00", "22-07", "24:00-07:00", "22:00-07:60", "2200-0700", "22:00~07:00"}) {
        CAPTURE(bad);
        CHECK_FALSE(messaging::parse_quiet_hours(bad));
    }
    CHECK(messaging::parse_hhmm("08:30") == std::optional<int>(510));
    CHECK_FALSE(messaging::parse_hhmm("8:30"));
}

TEST_CASE("an urgent reply is texted to every duty number, ahead of queued work, never as a reply") {
    AlertCore c;
    c.add_contact("王芳", "+8613800000001", "东村");
    // A broadcast queued earlier: the alert still goes first.
    REQUIRE(c.outbox->enqueue({"+8613800000005", "+8613800000006"}, "通知：明天开会"));
    c.receive("8613800000001", "03 河堤有裂缝，请派人看看");
    auto a = c.sms_to(kDutyA);
    auto b = c.sms_to(kDutyB);
    REQUIRE(a.size() == 1);
    REQUIRE(b.size() == 1);
    CHECK(a[0].text.find("紧急反映 03") != std::string::npos);
    CHECK(a[0].text.find("河堤有裂缝") != std::string::npos);
    CHECK(a[0].text.find("王芳") != std::string::npos);
    CHECK(a[0].text.find("10:00") != std::string::npos);  // office time (UTC+8)
    CHECK_FALSE(a[0].reply_to.has_value());
    auto due = store::due_segments(*c.db, c.now(), 10);
    REQUIRE(due);
    REQUIRE(due->size() == 4);
    CHECK((*due)[0].kind == store::MessageKind::Alert);
    CHECK((*due)[1].kind == store::MessageKind::Alert);
    // A non-urgent category raises nothing; the inbox holds only the villagers' messages.
    c.receive("8613800000001", "02 路灯坏了");
    CHECK(c.sms_to(kDutyA).size() == 1);
    store::MessageQuery q;
    q.direction = store::Direction::In;
    auto in = store::list_messages(*c.db, q);
    REQUIRE(in);
    CHECK(in->items.size() == 2);
}

TEST_CASE("an anonymous category's alert carries no number, name or village") {
    AlertCore c;
    c.add_contact("王芳", "+8613800000001", "东村");
    auto menu = store::list_menu(*c.db);
    REQUIRE(menu);
    for (auto item : *menu) {
        if (item.code != "03") continue;
        item.anonymous = true;
        REQUIRE(store::upsert_menu_item(*c.db, item));
    }
    c.receive("8613800000001", "03 村干部吃拿卡要");
    auto a = c.sms_to(kDutyA);
    REQUIRE(a.size() == 1);
    CAPTURE(a[0].text);
    CHECK(a[0].text.find("吃拿卡要") != std::string::npos);
    CHECK(a[0].text.find("匿名") != std::string::npos);
    for (const char* secret : {"王芳", "东村", "13800000001", "8613800000001"}) {
        CAPTURE(secret);
        CHECK(a[0].text.find(secret) == std::string::npos);
    }
    for (const auto& r : c.recorded()) CHECK(r.text.find("13800000001") == std::string::npos);
}

TEST_CASE("alerts raised in the quiet hours wait until they end") {
    auto s = settings();
    s.quiet_hours = messaging::QuietHours{22 * 60, 7 * 60};
    AlertCore c(s);
    c.clock.set(test::t0() + std::chrono::hours(13));  // 23:00 local
    REQUIRE(c.alerts->raise(messaging::AlertKind::ModemOutOfService, "modem:a", "【村信告警】设备停止服务"));
    c.receive("8613800000001", "03 停电了");
    CHECK(c.sms_to(kDutyA).empty());
    auto rec = c.recorded();
    REQUIRE(rec.size() == 2);
    CHECK(rec[0].sends[0].state == "waiting");
    CHECK(rec[0].sends[0].reason == "quiet_hours");
    c.clock.advance(std::chrono::hours(7) + std::chrono::minutes(59));  // 06:59
    REQUIRE(c.alerts->tick());
    CHECK(c.sms_to(kDutyA).empty());
    c.clock.advance(std::chrono::minutes(1));  // 07:00
    auto n = c.alerts->tick();
    REQUIRE(n);
    CHECK(*n == 4);  // two alerts, two duty numbers
    CHECK(c.sms_to(kDutyA).size() == 2);
    CHECK(c.sms_to(kDutyB).size() == 2);

    // An office that wants urgent replies at night says so.
    auto night = settings();
    night.quiet_hours = messaging::QuietHours{22 * 60, 7 * 60};
    night.urgent_in_quiet_hours = true;
    AlertCore d(night);
    d.clock.set(test::t0() + std::chrono::hours(13));
    d.receive("8613800000001", "03 停电了");
    CHECK(d.sms_to(kDutyA).size() == 1);
    REQUIRE(d.alerts->raise(messaging::AlertKind::ModemOutOfService, "modem:a", "x"));
    CHECK(d.sms_to(kDutyA).size() == 1);
}

TEST_CASE("the rate limit per duty number folds the excess into one and-N-more SMS") {
    auto s = settings();
    s.max_per_hour = 2;
    AlertCore c(s);
    for (int i = 0; i < 5; ++i) {
        REQUIRE(c.alerts->raise(messaging::AlertKind::ModemOutOfService, "modem:" + std::to_string(i),
                                "【村信告警】设备" + std::to_string(i) + "停止服务"));
        c.clock.advance(std::chrono::minutes(1));
    }
    auto a = c.sms_to(kDutyA);
    REQUIRE(a.size() == 2);  // the hour's budget
    CHECK(a[0].text.find("设备0") != std::string::npos);
    CHECK(a[1].text.find("设备1") != std::string::npos);
    REQUIRE(c.alerts->tick());
    CHECK(c.sms_to(kDutyA).size() == 2);
    c.clock.advance(std::chrono::minutes(60));
    REQUIRE(c.alerts->tick());
    a = c.sms_to(kDutyA);
    REQUIRE(a.size() == 4);
    CHECK(a[2].text.find("设备2") != std::string::npos);
    CAPTURE(a[3].text);
    CHECK(a[3].text.find("另有2条告警") != std::string::npos);
    CHECK(a[3].text.find("设备停止服务2条") != std::string::npos);
    CHECK(a[3].text.find("设备4") != std::string::npos);
    auto rec = c.recorded();
    int folded = 0;
    for (const auto& r : rec) {
        for (const auto& x : r.sends) folded += x.state == "folded" ? 1 : 0;
    }
    CHECK(folded == 4);  // alerts 3 and 4, to both numbers
}

TEST_CASE("the same subject again is recorded without another SMS") {
    AlertCore c;
    REQUIRE(c.alerts->raise(messaging::AlertKind::StorageFull, "disk", "【村信告警】存储将满"));
    c.clock.advance(std::chrono::minutes(30));
    REQUIRE(c.alerts->raise(messaging::AlertKind::StorageFull, "disk", "【村信告警】存储将满"));
    CHECK(c.sms_to(kDutyA).size() == 1);
    auto rec = c.recorded();
    REQUIRE(rec.size() == 2);
    CHECK(rec[0].sends[0].state == "skipped");
    CHECK(rec[0].sends[0].reason == "repeat");
}

TEST_CASE("alerts never loop") {
    auto s = settings();
    s.duty.push_back({"本机", kOwn, ""});
    AlertCore c(s);
    // Never to the box's own SIM numbers.
    REQUIRE(c.alerts->raise(messaging::AlertKind::SelfTestFailed, "selftest", "【村信告警】自检失败"));
    CHECK(c.sms_to(kOwn).empty());
    CHECK(c.sms_to(kDutyA).size() == 1);
    // Never from the box's own SIMs (a self-test message), a service number, or an echo of an alert.
    c.receive("8613700000009", "03 自检");
    c.receive("10086", "03 尊敬的客户");
    c.receive("8613800000003", "【村信告警】紧急反映 03：停电了");
    CHECK(c.sms_to(kDutyA).size() == 1);
    // A duty number's own urgent message: the others hear of it, never the sender.
    c.clock.advance(std::chrono::minutes(30));
    c.receive("8613900000002", "03 桥被冲垮了");
    CHECK(c.sms_to(kDutyA).size() == 2);
    CHECK(c.sms_to(kDutyB).size() == 1);  // only the self-test alert
    // A duty phone answering an alert at once (an auto-reply "03…") raises nothing.
    c.receive("8613900000001", "03 我在开会，稍后回复");
    CHECK(c.sms_to(kDutyB).size() == 1);
    // Automatic messages never answer alerts: the duty number gets no acknowledgement.
    store::MessageQuery q;
    q.direction = store::Direction::Out;
    auto out = store::list_messages(*c.db, q);
    REQUIRE(out);
    for (const auto& m : out->items) {
        if (m.peer == kDutyA || m.peer == kDutyB) CHECK(m.kind == store::MessageKind::Alert);
    }
}

TEST_CASE("kinds switched off are recorded without an SMS") {
    auto s = settings();
    s.kinds = {messaging::AlertKind::UrgentReply};
    AlertCore c(s);
    REQUIRE(c.alerts->raise(messaging::AlertKind::CampaignFinished, "campaign:1", "【村信告警】群发完成"));
    CHECK(c.sms_to(kDutyA).empty());
    REQUIRE(c.recorded().size() == 1);
    CHECK(c.recorded()[0].sends[0].reason == "kind_off");
}

TEST_CASE("the daily digest counts the day at the set hour, once a day") {
    auto s = settings();
    s.digest_at = 10 * 60 + 30;
    s.kinds.erase(messaging::AlertKind::UrgentReply);
    AlertCore c(s);
    c.alerts->digest_extra = [] { return std::vector<std::string>{"SIM尾号0001余额12.50元"}; };
    REQUIRE(c.alerts->tick());  // 10:00: not yet
    c.clock.advance(std::chrono::minutes(31));
    REQUIRE(c.alerts->tick());  // the first day only starts counting
    CHECK(c.sms_to(kDutyA).empty());
    c.receive("8613800000001", "02 路灯坏了");
    c.receive("8613800000002", "03 河堤有裂缝");
    c.receive("8613800000003", "你好");
    c.clock.advance(std::chrono::hours(23));
    REQUIRE(c.alerts->tick());  // 09:31 the next day
    CHECK(c.sms_to(kDutyA).empty());
    c.clock.advance(std::chrono::hours(1));
    auto n = c.alerts->tick();
    REQUIRE(n);
    auto a = c.sms_to(kDutyA);
    REQUIRE(a.size() == 1);
    CAPTURE(a[0].text);
    CHECK(a[0].text.find("【村信日报】") == 0);
    CHECK(a[0].text.find("新回复3条") != std::string::npos);
    CHECK(a[0].text.find("02 意见建议 1") != std::string::npos);
    CHECK(a[0].text.find("03 反映情况 1") != std::string::npos);
    CHECK(a[0].text.find("余额12.50元") != std::string::npos);
    c.clock.advance(std::chrono::hours(2));
    REQUIRE(c.alerts->tick());
    CHECK(c.sms_to(kDutyA).size() == 1);  // once a day
}

TEST_CASE("a modem going out of service and a SIM storage nearly full alert once") {
    AlertCore c;
    c.alerts->observe_modem("ttyUSB2", "89860000000000000001", "ready", 2, 20);
    CHECK(c.recorded().empty());
    c.alerts->observe_modem("ttyUSB2", "89860000000000000001", "out-of-service", 2, 20);
    c.alerts->observe_modem("ttyUSB2", "89860000000000000001", "out-of-service", 2, 20);
    REQUIRE(c.recorded().size() == 1);
    CHECK(c.recorded()[0].kind == "modem_out_of_service");
    CHECK(c.recorded()[0].text.find("尾号0001") != std::string::npos);
    c.alerts->observe_modem("ttyUSB2", "89860000000000000001", "ready", 17, 20);
    c.alerts->observe_modem("ttyUSB2", "89860000000000000001", "ready", 18, 20);
    REQUIRE(c.recorded().size() == 2);
    CHECK(c.recorded()[0].kind == "storage_full");
    c.alerts->observe_disk(50ull << 20, 1000ull << 20);
    c.alerts->observe_disk(40ull << 20, 1000ull << 20);
    REQUIRE(c.recorded().size() == 3);
    CHECK(c.recorded()[0].subject == "disk");
    c.alerts->campaign_finished(7, "防汛通知", 10, 2, 8);
    CHECK(c.recorded()[0].kind == "campaign_failed");
    c.alerts->campaign_finished(8, "开会通知", 10, 10, 0);
    CHECK(c.recorded()[0].kind == "campaign_finished");
    // The hooks other parts call: self-test, credit, carrier blocking.
    c.alerts->selftest_failed("89860000000000000002", "测试短信10分钟未收到");
    CHECK(c.recorded()[0].kind == "selftest_failed");
    CHECK(c.recorded()[0].text.find("尾号0002") != std::string::npos);
    c.alerts->low_credit("89860000000000000002", 3.5, 10);
    CHECK(c.recorded()[0].kind == "low_credit");
    CHECK(c.recorded()[0].text.find("3.50元") != std::string::npos);
    c.alerts->sim_blocked("89860000000000000002", "连续5次 CMS 500");
    CHECK(c.recorded()[0].kind == "sim_blocked");
    CHECK(c.sms_to(kDutyA).size() == 8);
}

TEST_CASE("a missed call confirms a recipient of an open campaign that allows it") {
    AlertCore c;
    messaging::Campaigns campaigns(*c.db, c.clock, *c.outbox);
    auto make = [&](bool by_call) {
        messaging::CampaignSpec spec;
        spec.name = by_call ? "防汛" : "开会";
        spec.template_text = "收到请回复1";
        spec.targets.mobiles = {"+8613800000001", "+8613800000002"};
        spec.confirm_request = true;
        spec.missed_call_confirms = by_call;
        auto id = campaigns.create(spec);
        REQUIRE(id);
        REQUIRE(campaigns.start(*id));
        return *id;
    };
    const auto plain = make(false);
    c.clock.advance(std::chrono::minutes(1));
    const auto by_call = make(true);
    REQUIRE(store::get_campaign(*c.db, by_call)->missed_call_confirms);
    c.clock.advance(std::chrono::minutes(5));
    c.inbox->missed_call(kSim, "13800000001", c.clock.now());
    auto confirmed = [&](std::int64_t id, const std::string& mobile) {
        auto rs = store::campaign_recipients(*c.db, id);
        REQUIRE(rs);
        for (const auto& r : *rs) {
            if (r.mobile == mobile) return r.confirmed_at.has_value();
        }
        return false;
    };
    CHECK(confirmed(by_call, "+8613800000001"));
    CHECK_FALSE(confirmed(by_call, "+8613800000002"));
    CHECK_FALSE(confirmed(plain, "+8613800000001"));
    // A caller who is no recipient, or a withheld number, confirms nothing.
    c.inbox->missed_call(kSim, "13800000007", c.clock.now());
    c.inbox->missed_call(kSim, "", c.clock.now());
    CHECK_FALSE(confirmed(by_call, "+8613800000002"));
    CHECK(store::campaign_progress(*c.db, by_call)->confirmed == 1);
}

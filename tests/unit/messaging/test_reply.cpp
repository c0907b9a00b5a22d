// SPDX-License-Identifier: Apache-2.0
// Answering a message by id (Outbox::reply) and anonymous reports in the inbox: the
// acknowledgement and replies are linked to the message and hidden with it, the segments still
// go to the sender, and an anonymous report never counts as a campaign recipient's reply.
#include "cunxin/messaging/campaigns.hpp"
#include "cunxin/messaging/inbox.hpp"

#include "fixture.hpp"
#include "pdu_builder.hpp"

using namespace cunxin;
using test::Core;

namespace {
const auto kSim = test::sim("89860000000000000001", "CHINA MOBILE");

struct ReplyCore : Core {
    std::unique_ptr<messaging::Campaigns> campaigns;
    std::unique_ptr<messaging::Inbox> inbox;
    ReplyCore() {
        campaigns = std::make_unique<messaging::Campaigns>(*db, clock, *outbox);
        inbox = std::make_unique<messaging::Inbox>(*db, clock, *outbox);
        REQUIRE(inbox->load());
        store::MenuItem anon{"08", "匿名举报", "Anonymous report", "已收到您的匿名反映。", true, 8};
        REQUIRE(store::upsert_menu_item(*db, anon));
        store::Contact c;
        c.name = "赵守密";
        c.mobile = "+8613900020001";
        c.village = "石头沟村";
        REQUIRE(store::insert_contact(*db, c, now()));
    }
    store::Message only(store::Direction d) {
        store::MessageQuery q;
        q.direction = d;
        auto p = store::list_messages(*db, q);
        REQUIRE(p);
        REQUIRE(p->items.size() >= 1);
        return p->items.front();
    }
};
}  // namespace

TEST_CASE("an anonymous report's acknowledgement and an operator's reply are linked, hidden and sent") {
    ReplyCore c;
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613900020001", "08 村主任挪用扶贫款")));
    const auto report = c.only(store::Direction::In);
    CHECK(report.anonymous);
    CHECK(report.peer.empty());
    CHECK(report.contact_name.empty());
    const auto ack = c.only(store::Direction::Out);
    CHECK(ack.kind == store::MessageKind::AutoAck);
    CHECK(ack.reply_to == std::optional<std::int64_t>(report.id));
    CHECK(ack.anonymous);
    CHECK(ack.peer.empty());
    auto id = c.outbox->reply(report.id, "已转纪委核查。", "clerk");
    REQUIRE(id);
    auto reply = store::get_message(*c.db, *id);
    REQUIRE(reply);
    CHECK(reply->anonymous);
    CHECK(reply->peer.empty());
    CHECK(reply->reply_to == std::optional<std::int64_t>(report.id));
    CHECK(reply->created_by == "clerk");
    // Answering the acknowledgement joins the same conversation.
    auto again = c.outbox->reply(ack.id, "补充：请保留证据。", "clerk");
    REQUIRE(again);
    CHECK(store::get_message(*c.db, *again)->reply_to == std::optional<std::int64_t>(report.id));
    CHECK(store::replies_to(*c.db, report.id)->size() == 3);
    // On the air every one of them goes to the sender.
    const auto sent = c.drain(kSim, {kSim});
    REQUIRE(sent.size() == 3);
    for (const auto& s : sent) CHECK(s.recipient == "+8613900020001");
    CHECK(c.outbox->reply(424242, "x", "clerk").error().code == messaging::Errc::not_found);
    CHECK(c.outbox->reply(report.id, "", "clerk").error().code == messaging::Errc::invalid_argument);
}

TEST_CASE("a service sender cannot be answered and a normal reply keeps its number") {
    ReplyCore c;
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("10086", "您的余额不足", 4, 1)));
    const auto service = c.only(store::Direction::In);
    CHECK(c.outbox->reply(service.id, "收到", "clerk").error().code == messaging::Errc::bad_state);
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613900020002", "03 桥坏了", 4, 2)));
    const auto normal = c.only(store::Direction::In);
    auto id = c.outbox->reply(normal.id, "已安排", "clerk");
    REQUIRE(id);
    CHECK(store::get_message(*c.db, *id)->peer == "+8613900020002");
    CHECK_FALSE(store::get_message(*c.db, *id)->anonymous);
}

TEST_CASE("an anonymous report does not count as the reply of a campaign recipient") {
    ReplyCore c;
    messaging::CampaignSpec s;
    s.name = "通知";
    s.template_text = "{name}：明天开会。";
    s.targets.mobiles = {"+8613900020001"};
    s.created_by = "admin";
    auto id = c.campaigns->create(s);
    REQUIRE(id);
    REQUIRE(c.campaigns->start(*id));
    REQUIRE(c.drain(kSim, {kSim}).size() == 1);
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613900020001", "08 会议经费被挪用", 4, 3)));
    auto rs = store::campaign_recipients(*c.db, *id);
    REQUIRE(rs);
    REQUIRE(rs->size() == 1);
    CHECK_FALSE(rs->front().replied_at.has_value());
    CHECK(c.campaigns->progress(*id)->replied == 0);
    // A normal reply from the same person still counts.
    REQUIRE(c.inbox->store_incoming_pdu(kSim, test::deliver("8613900020001", "02 会议室太小", 4, 4)));
    CHECK(store::campaign_recipients(*c.db, *id)->front().replied_at.has_value());
}

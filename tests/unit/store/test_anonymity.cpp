// SPDX-License-Identifier: Apache-2.0
// Anonymous reply-menu categories at the store level: no read returns the sender, no filter
// on the sender matches (same answer for the right and a wrong number), replies are linked
// and anonymous with the message, and anonymity is sticky (issue 12 item 1).
#include <doctest/doctest.h>

#include <set>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

namespace {

constexpr Seconds kT0 = 1'760'000'000;
const std::string kSender = "+8613900020001";
const std::string kWrong = "+8613900029999";

std::set<std::int64_t> ids(const Result<MessagePage>& p) {
    REQUIRE(p);
    std::set<std::int64_t> out;
    for (const auto& m : p->items) out.insert(m.id);
    return out;
}

struct Fixture {
    cunxin::test::TempDir dir;
    Database db = std::move(*Database::open(dir.file("a.db")));
    std::int64_t contact = 0;
    std::int64_t anon = 0;
    std::int64_t ack = 0;

    Fixture() {
        MenuItem item;
        item.code = "08";
        item.label_zh = "匿名举报";
        item.anonymous = true;
        REQUIRE(upsert_menu_item(db, item));
        Contact c;
        c.name = "赵守密";
        c.mobile = kSender;
        c.village = "石头沟村";
        contact = *insert_contact(db, c, kT0);
        NewIncoming in;
        in.peer = kSender;
        in.text = "08 村主任挪用扶贫款";
        in.category = "08";
        in.anonymous = true;
        in.contact_id = contact;
        in.scts = kT0;
        in.text_hash = "h";
        anon = *insert_incoming(db, in, kT0);
        NewOutgoing out;
        out.peer = kSender;
        out.text = "已收到";
        out.kind = MessageKind::AutoAck;
        out.reply_to = anon;
        out.segments = {NewSegment{"00", 1}};
        ack = insert_outgoing(db, {out}, kT0 + 1)->front();
    }
};

}  // namespace

TEST_CASE("an anonymous message and its acknowledgement are read without sender, contact or village") {
    Fixture f;
    for (auto id : {f.anon, f.ack}) {
        auto m = get_message(f.db, id);
        REQUIRE(m);
        CHECK(m->anonymous);
        CHECK(m->peer.empty());
        CHECK_FALSE(m->contact_id.has_value());
        CHECK(m->contact_name.empty());
        CHECK(m->village.empty());
    }
    CHECK(get_message(f.db, f.ack)->reply_to == std::optional<std::int64_t>(f.anon));
    auto replies = replies_to(f.db, f.anon);
    REQUIRE(replies);
    REQUIRE(replies->size() == 1);
    CHECK(replies->front().id == f.ack);
    CHECK(replies->front().peer.empty());
    // The number stays in the store for the reply, and only there.
    auto target = reply_target(f.db, f.ack);
    REQUIRE(target);
    CHECK(target->number == kSender);
    CHECK(target->link_id == f.anon);
    CHECK(target->anonymous);
    // The segment still goes to the sender.
    CHECK(segments_of(f.db, f.ack)->front().recipient == kSender);
}

TEST_CASE("filters on the sender give the same answer for the right and a wrong sender") {
    Fixture f;
    auto with = [&](auto set) {
        MessageQuery q;
        set(q);
        return ids(list_messages(f.db, q));
    };
    CHECK(with([](MessageQuery& q) { q.peer = kSender; }).empty());
    CHECK(with([](MessageQuery& q) { q.peer = kSender; }) == with([](MessageQuery& q) { q.peer = kWrong; }));
    CHECK(with([&](MessageQuery& q) { q.peer = kSender; q.category = "08"; }).empty());
    CHECK(with([&](MessageQuery& q) { q.peer = kSender; q.direction = Direction::Out; }).empty());
    CHECK(with([&](MessageQuery& q) { q.peer = kSender; q.search = "挪用扶贫"; }).empty());
    CHECK(with([&](MessageQuery& q) { q.contact_id = f.contact; }).empty());
    CHECK(with([&](MessageQuery& q) { q.village = "石头沟村"; }).empty());
    MessageQuery count_q;
    count_q.peer = kSender;
    CHECK(*count_messages(f.db, count_q) == 0);
    CHECK(thread_with(f.db, kSender)->empty());
    // Unfiltered and by category it is listed (triage), both directions.
    CHECK(with([](MessageQuery& q) { q.category = "08"; }) == std::set<std::int64_t>{f.anon});
    CHECK(with([](MessageQuery&) {}) == std::set<std::int64_t>{f.anon, f.ack});
    CHECK(with([](MessageQuery& q) { q.search = "挪用扶贫"; }) == std::set<std::int64_t>{f.anon});
    // Per-village counts leave it out.
    auto villages = incoming_per_village(f.db, kT0 - 10, kT0 + 10);
    REQUIRE(villages);
    CHECK(villages->empty());
    // A normal message of the same person is found by the same filters.
    NewIncoming in;
    in.peer = kSender;
    in.text = "01 低保怎么申请";
    in.category = "01";
    in.contact_id = f.contact;
    in.scts = kT0 + 5;
    in.text_hash = "h2";
    auto normal = *insert_incoming(f.db, in, kT0 + 5);
    CHECK(with([](MessageQuery& q) { q.peer = kSender; }) == std::set<std::int64_t>{normal});
    CHECK(thread_with(f.db, kSender)->size() == 1);
}

TEST_CASE("anonymity is sticky: a category made anonymous, a message re-classified into one") {
    Fixture f;
    NewIncoming in;
    in.peer = "+8613900020002";
    in.text = "03 桥坏了";
    in.category = "03";
    in.scts = kT0;
    in.text_hash = "h3";
    auto id = *insert_incoming(f.db, in, kT0 + 2);
    NewOutgoing reply;
    reply.peer = in.peer;
    reply.text = "已安排";
    reply.reply_to = id;
    reply.segments = {NewSegment{"00", 1}};
    auto rid = insert_outgoing(f.db, {reply}, kT0 + 3)->front();
    CHECK(get_message(f.db, rid)->peer == in.peer);
    // Re-classified by hand into the anonymous category: the message and its reply hide.
    REQUIRE(set_category(f.db, id, std::string("08"), kT0 + 4));
    CHECK(get_message(f.db, id)->anonymous);
    CHECK(get_message(f.db, id)->category == std::optional<std::string>("08"));
    CHECK(get_message(f.db, rid)->anonymous);
    CHECK(get_message(f.db, rid)->peer.empty());
    // Moved back out: still anonymous (a promise made to the sender is kept).
    REQUIRE(set_category(f.db, id, std::string("03"), kT0 + 5));
    CHECK(get_message(f.db, id)->anonymous);
    CHECK(get_message(f.db, id)->category == std::optional<std::string>("03"));
    // A category marked anonymous later covers its earlier messages.
    in.peer = "+8613900020003";
    in.text = "02 路灯坏了";
    in.category = "02";
    in.text_hash = "h4";
    auto old = *insert_incoming(f.db, in, kT0 + 6);
    CHECK_FALSE(get_message(f.db, old)->anonymous);
    CHECK(*anonymize_category(f.db, "02") == 1);
    CHECK(get_message(f.db, old)->anonymous);
    CHECK(get_message(f.db, old)->peer.empty());
    // Re-classifying something that is not an incoming message fails.
    CHECK_FALSE(set_category(f.db, f.ack, std::string("01"), kT0 + 7));
}

TEST_CASE("migration 5 makes earlier messages of anonymous categories and their acknowledgements anonymous") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("old.db");
    std::int64_t report = 0;
    std::int64_t ack = 0;
    std::int64_t other_ack = 0;
    {
        OpenOptions o;
        o.migrate_to = 4;
        auto db = Database::open(path, o);
        REQUIRE(db);
        MenuItem item;
        item.code = "08";
        item.label_zh = "匿名举报";
        item.anonymous = true;
        REQUIRE(upsert_menu_item(*db, item));
        Contact c;
        c.name = "赵守密";
        c.mobile = kSender;
        c.village = "石头沟村";
        auto contact = *insert_contact(*db, c, kT0);
        // Written by an older build: no anonymity flag, contact linked, acknowledgement unlinked.
        NewIncoming in;
        in.peer = kSender;
        in.text = "08 村主任挪用扶贫款";
        in.category = "08";
        in.contact_id = contact;
        in.scts = kT0;
        in.text_hash = "h";
        report = *insert_incoming(*db, in, kT0);
        NewOutgoing out;
        out.peer = kSender;
        out.text = "已收到";
        out.kind = MessageKind::AutoAck;
        out.segments = {NewSegment{"00", 1}};
        ack = insert_outgoing(*db, {out}, kT0 + 1)->front();
        // An acknowledgement of a normal reply a day later stays as it was (linked, not hidden).
        in.text = "01 低保怎么申请";
        in.category = "01";
        in.text_hash = "h2";
        auto normal = *insert_incoming(*db, in, kT0 + 86400);
        (void)normal;
        other_ack = insert_outgoing(*db, {out}, kT0 + 86401)->front();
    }
    auto db = Database::open(path);
    REQUIRE(db);
    auto m = get_message(*db, report);
    CHECK(m->anonymous);
    CHECK(m->peer.empty());
    CHECK(m->contact_name.empty());
    auto a = get_message(*db, ack);
    CHECK(a->anonymous);
    CHECK(a->reply_to == std::optional<std::int64_t>(report));
    auto b = get_message(*db, other_ack);
    CHECK_FALSE(b->anonymous);
    CHECK(b->peer == kSender);
    CHECK(b->reply_to.has_value());
    MessageQuery q;
    q.peer = kSender;
    auto page = list_messages(*db, q);
    REQUIRE(page);
    CHECK(page->items.size() == 2);  // the normal reply and its acknowledgement only
}

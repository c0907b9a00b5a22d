// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "cunxin/store/store.hpp"
#include "temp_dir.hpp"

using namespace cunxin::store;

namespace {
constexpr Seconds kT0 = 1'760'000'000;

Contact contact(const std::string& name, const std::string& mobile, const std::string& village,
                std::vector<std::string> tags = {}) {
    Contact c;
    c.name = name;
    c.mobile = mobile;
    c.village = village;
    c.tags = std::move(tags);
    return c;
}

std::int64_t add_in(Database& db, const std::string& peer, const std::string& text, Seconds t) {
    NewIncoming in;
    in.peer = peer;
    in.text = text;
    in.scts = t;
    in.text_hash = std::to_string(t) + text;
    auto id = insert_incoming(db, in, t);
    REQUIRE(id);
    return *id;
}
}  // namespace

TEST_CASE("contacts: unique mobile, tags, villages, groups, opt-out") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    auto a = insert_contact(*db, contact("王芳", "+8613800000001", "东村", {"党员", "村干部"}), kT0);
    auto b = insert_contact(*db, contact("李明", "+8613800000002", "西村", {"党员"}), kT0);
    REQUIRE(a);
    REQUIRE(b);
    auto dup = insert_contact(*db, contact("重复", "+8613800000001", "东村"), kT0);
    REQUIRE_FALSE(dup);
    CHECK(dup.error().code == Errc::constraint);

    ContactQuery q;
    q.tag = "村干部";
    CHECK(list_contacts(*db, q)->size() == 1);
    q = {};
    q.search = "西村";
    CHECK(list_contacts(*db, q)->front().name == "李明");
    CHECK(list_villages(*db)->size() == 2);
    CHECK(*list_tags(*db) == std::vector<std::string>{"党员", "村干部"});

    auto g = create_group(*db, "村支书");
    REQUIRE(g);
    REQUIRE(add_to_group(*db, *g, *a));
    REQUIRE(add_to_group(*db, *g, *a));
    CHECK(list_groups(*db)->front().members == 1);

    CHECK(*is_opted_out(*db, "+8613800000002") == false);
    REQUIRE(set_opted_out(*db, "+8613800000002", true, kT0));
    CHECK(*is_opted_out(*db, "+8613800000002"));
    CHECK(get_contact(*db, *b)->opted_out);
    REQUIRE(set_opted_out(*db, "+8613800000002", false, kT0));
    CHECK_FALSE(*is_opted_out(*db, "+8613800000002"));
    // An unknown number can opt out too.
    REQUIRE(set_opted_out(*db, "+8613900000009", true, kT0));
    CHECK(*is_opted_out(*db, "+8613900000009"));

    CampaignTargets t;
    t.group_ids = {*g};
    t.villages = {"西村"};
    t.mobiles = {"+8613800000001", "+8613700000000"};
    auto r = resolve_targets(*db, t);
    REQUIRE(r);
    REQUIRE(r->size() == 3);
    CHECK((*r)[0].id == *a);
    CHECK((*r)[2].id == 0);  // a number given by hand, not a contact
}

TEST_CASE("auth: users, sessions, tokens, audit log") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    CHECK(*count_users(*db) == 0);
    User u;
    u.username = "admin";
    u.password_hash = "$argon2id$x";
    u.role = Role::Admin;
    auto uid = create_user(*db, u, kT0);
    REQUIRE(uid);
    CHECK_FALSE(create_user(*db, u, kT0));
    REQUIRE(create_session(*db, Session{"h1", *uid, "csrf", kT0, kT0, kT0 + 3600}));
    auto s = find_session(*db, "h1", kT0 + 10);
    REQUIRE(s);
    REQUIRE(s->has_value());
    CHECK((*s)->second.role == Role::Admin);
    CHECK_FALSE(find_session(*db, "h1", kT0 + 3600)->has_value());  // expired
    u.id = *uid;
    u.disabled = true;
    u.password_hash.clear();
    REQUIRE(update_user(*db, u));
    CHECK_FALSE(find_session(*db, "h1", kT0 + 10)->has_value());
    CHECK(get_user(*db, *uid)->password_hash == "$argon2id$x");

    ApiToken t;
    t.name = "script";
    t.token_hash = "abc";
    t.role = Role::Operator;
    auto tid = create_api_token(*db, t, kT0);
    REQUIRE(tid);
    CHECK(find_api_token(*db, "abc")->has_value());
    REQUIRE(revoke_api_token(*db, *tid));
    CHECK_FALSE(find_api_token(*db, "abc")->has_value());

    REQUIRE(audit(*db, "admin", "user.create", "operator1", kT0));
    REQUIRE(audit(*db, "admin", "campaign.start", "7", kT0 + 1));
    auto log = list_audit(*db);
    REQUIRE(log->size() == 2);
    CHECK(log->front().action == "campaign.start");
}

TEST_CASE("full-text search finds Chinese substrings, short queries fall back to substring match") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    add_in(*db, "+8613800000001", "02 村口路灯坏了，晚上很黑", kT0);
    add_in(*db, "+8613800000002", "01 请问医保缴费截止到哪天？", kT0 + 1);
    add_in(*db, "+8613800000003", "03 河道有人倒垃圾", kT0 + 2);
    MessageQuery q;
    q.search = "路灯坏";
    auto r = list_messages(*db, q);
    REQUIRE(r);
    REQUIRE(r->items.size() == 1);
    CHECK(r->items[0].peer == "+8613800000001");
    q.search = "医保";  // 2 characters: below the trigram length
    r = list_messages(*db, q);
    REQUIRE(r->items.size() == 1);
    CHECK(r->items[0].peer == "+8613800000002");
    q.search = "垃";
    CHECK(list_messages(*db, q)->items.size() == 1);
    q.search = "\"引号\" OR x";  // FTS syntax in user input is taken literally
    REQUIRE(list_messages(*db, q));
    CHECK(list_messages(*db, q)->items.empty());
    q.search = "路灯修好";
    CHECK(list_messages(*db, q)->items.empty());
    q.search = "";
    CHECK(*count_messages(*db, q) == 3);
    q.status = "new";
    q.search = "倒垃圾";
    CHECK(*count_messages(*db, q) == 1);
}

TEST_CASE("message listing is newest first with a cursor") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    for (int i = 0; i < 25; ++i) add_in(*db, "+8613800000001", "消息" + std::to_string(i), kT0 + i);
    MessageQuery q;
    q.limit = 10;
    q.direction = Direction::In;
    std::vector<std::int64_t> seen;
    for (int page = 0; page < 5; ++page) {
        auto r = list_messages(*db, q);
        REQUIRE(r);
        for (auto& m : r->items) seen.push_back(m.id);
        if (r->next_cursor == 0) break;
        q.before_id = r->next_cursor;
    }
    REQUIRE(seen.size() == 25);
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] < seen[i - 1]);
    CHECK(get_message(*db, seen.front())->text == "消息24");
}

TEST_CASE("read-only connections see committed writes and cannot write, and backup is consistent") {
    cunxin::test::TempDir dir;
    const auto path = dir.file("a.db");
    auto db = Database::open(path);
    REQUIRE(db);
    OpenOptions ro;
    ro.access = Access::ReadOnly;
    auto reader = Database::open(path, ro);
    REQUIRE(reader);
    CHECK(reader->read_only());
    add_in(*db, "+8613800000001", "你好", kT0);
    CHECK(list_messages(*reader, {})->items.size() == 1);
    auto w = insert_contact(*reader, contact("x", "+8613800000005", ""), kT0);
    REQUIRE_FALSE(w);
    CHECK(w.error().code == Errc::read_only);

    const auto copy = dir.file("backup.db");
    REQUIRE(db->backup_to(copy));
    auto b = Database::open(copy);
    REQUIRE(b);
    CHECK(*b->integrity_check() == "ok");
    CHECK(list_messages(*b, {})->items.size() == 1);
}

TEST_CASE("triage, assignment, notes and threads") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    User u;
    u.username = "op";
    u.password_hash = "h";
    u.role = Role::Operator;
    auto uid = *create_user(*db, u, kT0);
    auto mid = add_in(*db, "+8613800000001", "03 桥坏了", kT0);
    CHECK(get_message(*db, mid)->status == "new");
    REQUIRE(set_triage_status(*db, mid, TriageStatus::InProgress, kT0 + 1));
    REQUIRE(assign_message(*db, mid, uid, kT0 + 1));
    REQUIRE(add_note(*db, mid, "op", "已联系村委", kT0 + 2));
    auto m = get_message(*db, mid);
    CHECK(m->status == "in_progress");
    CHECK(m->assigned_user_id == std::optional<std::int64_t>(uid));
    CHECK(notes_of(*db, mid)->front().text == "已联系村委");
    NewOutgoing out;
    out.peer = "+8613800000001";
    out.text = "收到，已安排";
    out.segments = {NewSegment{"00", 1}};
    REQUIRE(insert_outgoing(*db, {out}, kT0 + 3));
    auto th = thread_with(*db, "+8613800000001");
    REQUIRE(th->size() == 2);
    CHECK(th->front().direction == Direction::In);
    CHECK(th->back().direction == Direction::Out);
    MessageQuery q;
    q.assigned_user_id = uid;
    CHECK(list_messages(*db, q)->items.size() == 1);
}

TEST_CASE("transactions roll back unless committed, nested ones as savepoints") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    {
        Transaction tx(*db);
        REQUIRE(tx.ok());
        REQUIRE(insert_contact(*db, contact("甲", "+8613800000001", ""), kT0));
        {
            Transaction inner(*db);
            REQUIRE(inner.ok());
            REQUIRE(insert_contact(*db, contact("乙", "+8613800000002", ""), kT0));
        }  // inner rolled back
        REQUIRE(insert_contact(*db, contact("丙", "+8613800000003", ""), kT0));
        REQUIRE(tx.commit());
    }
    CHECK(*count_contacts(*db) == 2);
    CHECK_FALSE(find_contact_by_mobile(*db, "+8613800000002")->has_value());
    {
        Transaction tx(*db);
        REQUIRE(insert_contact(*db, contact("丁", "+8613800000004", ""), kT0));
    }  // never committed
    CHECK(*count_contacts(*db) == 2);
    // A failing statement inside a multi-row write leaves nothing half-done.
    NewOutgoing ok;
    ok.peer = "+8613800000001";
    ok.text = "a";
    ok.segments = {NewSegment{"00", 1}};
    NewOutgoing bad = ok;
    bad.campaign_id = 999;  // no such campaign: foreign key violation
    auto r = insert_outgoing(*db, {ok, bad}, kT0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::constraint);
    CHECK(list_messages(*db, {})->items.empty());
}

TEST_CASE("reports: replies per category and village, an anonymous category never gives the village") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    const auto east = insert_contact(*db, contact("王芳", "+8613800000001", "东村"), kT0);
    const auto west = insert_contact(*db, contact("李明", "+8613800000002", "西村"), kT0);
    REQUIRE(east);
    REQUIRE(west);
    REQUIRE(upsert_menu_item(*db, MenuItem{"04", "匿名举报", "Anonymous report", "", true, 4}));
    auto add = [&](std::int64_t who, const char* cat, Seconds t, bool anonymous = false) {
        NewIncoming in;
        in.peer = who == *east ? "+8613800000001" : "+8613800000002";
        in.text = "x";
        in.scts = t;
        in.text_hash = std::to_string(t) + cat;
        if (*cat) in.category = cat;
        in.contact_id = who;
        in.anonymous = anonymous;
        REQUIRE(insert_incoming(*db, in, t));
    };
    add(*east, "01", kT0 + 1);
    add(*east, "01", kT0 + 2);
    add(*west, "01", kT0 + 3);
    add(*west, "", kT0 + 4);
    add(*east, "04", kT0 + 5, true);
    add(*west, "04", kT0 + 6, true);
    add(*east, "02", kT0 + 100000);  // outside the period
    auto rows = incoming_per_category_village(*db, kT0, kT0 + 86400);
    REQUIRE(rows);
    REQUIRE(rows->size() == 4);
    CHECK(((*rows)[0].category == "" && (*rows)[0].village == "西村" && (*rows)[0].count == 1));
    CHECK(((*rows)[1].category == "01" && (*rows)[1].village == "东村" && (*rows)[1].count == 2));
    CHECK(((*rows)[2].category == "01" && (*rows)[2].village == "西村" && (*rows)[2].count == 1));
    // Both villages' anonymous reports fold into one row without a village.
    CHECK(((*rows)[3].category == "04" && (*rows)[3].anonymous && (*rows)[3].village.empty() && (*rows)[3].count == 2));
}

TEST_CASE("audit log: filtered by actor, kind of action and time, paged by id") {
    cunxin::test::TempDir dir;
    auto db = Database::open(dir.file("a.db"));
    REQUIRE(db);
    for (int i = 0; i < 30; ++i) REQUIRE(audit(*db, i % 3 ? "admin" : "王会计", i % 2 ? "campaign.create" : "settings.update", "", kT0 + i * 60));
    REQUIRE(audit(*db, "admin", "campaigns.fake", "", kT0 + 3000));
    AuditQuery q;
    q.actor = "王会计";
    q.limit = 100;
    auto by_actor = list_audit(*db, q);
    REQUIRE(by_actor);
    CHECK(by_actor->size() == 10);
    q = AuditQuery{};
    q.action = "campaign.";  // a kind: every campaign.* action, not "campaigns.*"
    auto by_kind = list_audit(*db, q);
    REQUIRE(by_kind);
    CHECK(by_kind->size() == 15);
    q.action = "campaign.create";
    CHECK(list_audit(*db, q)->size() == 15);
    q = AuditQuery{};
    q.from = kT0 + 10 * 60;
    q.to = kT0 + 20 * 60;
    auto by_time = list_audit(*db, q);
    REQUIRE(by_time);
    REQUIRE(by_time->size() == 10);
    CHECK(by_time->front().at == kT0 + 19 * 60);  // newest first
    q = AuditQuery{};
    q.limit = 20;
    auto first = list_audit(*db, q);
    REQUIRE(first);
    REQUIRE(first->size() == 20);
    q.before_id = first->back().id;
    auto second = list_audit(*db, q);
    REQUIRE(second);
    CHECK(second->size() == 11);
    CHECK(second->front().id == first->back().id - 1);
    auto actors = audit_actors(*db);
    REQUIRE(actors);
    CHECK(*actors == std::vector<std::string>{"admin", "王会计"});
}

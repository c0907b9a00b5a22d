// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/contacts.hpp"

#include <algorithm>

#include "sql.hpp"

namespace cunxin::store {

namespace {

void require_mobile(const Contact& c) {
    if (c.mobile.empty()) throw_error(Errc::invalid_argument, "empty mobile");
}

std::int64_t do_insert(Database& db, const Contact& c, Seconds now) {
    require_mobile(c);
    auto& i = db.impl();
    i.prepare(
         "INSERT INTO contacts(name, mobile, village, role, party_join_date, tags, opted_out, notes, "
         "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)")
        .args(c.name, c.mobile, c.village, c.role, c.party_join_date, join_tags(c.tags),
              c.opted_out, c.notes, now, now)
        .exec();
    return sqlite3_last_insert_rowid(i.db);
}

void sync_opt_out(Database& db, const std::string& mobile, bool opted_out, Seconds now) {
    if (opted_out) {
        db.impl().prepare("INSERT OR IGNORE INTO opt_outs(mobile, at) VALUES (?,?)").args(mobile, now).exec();
    } else {
        db.impl().prepare("DELETE FROM opt_outs WHERE mobile = ?").args(mobile).exec();
    }
}

}  // namespace

Contact read_contact(const Stmt& s) {
    Contact c;
    c.id = s.i64(0);
    c.name = s.str(1);
    c.mobile = s.str(2);
    c.village = s.str(3);
    c.role = s.str(4);
    c.party_join_date = s.str(5);
    c.tags = split_tags(s.str(6));
    c.opted_out = s.i64(7) != 0;
    c.notes = s.str(8);
    c.created_at = s.i64(9);
    c.updated_at = s.i64(10);
    return c;
}

Result<std::int64_t> insert_contact(Database& db, const Contact& c, Seconds now) {
    return in_tx(db, [&] {
        auto id = do_insert(db, c, now);
        sync_opt_out(db, c.mobile, c.opted_out, now);
        return id;
    });
}

Result<void> update_contact(Database& db, const Contact& c, Seconds now) {
    return in_tx(db, [&] {
        require_mobile(c);
        int n = db.impl()
                    .prepare(
                        "UPDATE contacts SET name=?, mobile=?, village=?, role=?, party_join_date=?, "
                        "tags=?, opted_out=?, notes=?, updated_at=? WHERE id=?")
                    .args(c.name, c.mobile, c.village, c.role, c.party_join_date, join_tags(c.tags),
                          c.opted_out, c.notes, now, c.id)
                    .exec();
        if (n == 0) throw_error(Errc::not_found, "contact " + std::to_string(c.id));
        sync_opt_out(db, c.mobile, c.opted_out, now);
    });
}

Result<std::int64_t> upsert_contact(Database& db, const Contact& c, Seconds now) {
    return in_tx(db, [&]() -> std::int64_t {
        require_mobile(c);
        auto s = db.impl().prepare("SELECT id FROM contacts WHERE mobile = ?");
        s.args(c.mobile);
        if (s.step()) {
            Contact u = c;
            u.id = s.i64(0);
            db.impl()
                .prepare(
                    "UPDATE contacts SET name=?, village=?, role=?, party_join_date=?, tags=?, "
                    "opted_out=?, notes=?, updated_at=? WHERE id=?")
                .args(u.name, u.village, u.role, u.party_join_date, join_tags(u.tags), u.opted_out,
                      u.notes, now, u.id)
                .exec();
            sync_opt_out(db, c.mobile, c.opted_out, now);
            return u.id;
        }
        auto id = do_insert(db, c, now);
        sync_opt_out(db, c.mobile, c.opted_out, now);
        return id;
    });
}

Result<void> delete_contact(Database& db, std::int64_t id) {
    return guard([&] {
        if (db.impl().prepare("DELETE FROM contacts WHERE id = ?").args(id).exec() == 0)
            throw_error(Errc::not_found, "contact " + std::to_string(id));
    });
}

Result<Contact> get_contact(Database& db, std::int64_t id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kContactCols + " FROM contacts c WHERE id = ?");
        s.args(id);
        if (!s.step()) throw_error(Errc::not_found, "contact " + std::to_string(id));
        return read_contact(s);
    });
}

Result<std::optional<Contact>> find_contact_by_mobile(Database& db, const std::string& mobile) {
    return guard([&]() -> std::optional<Contact> {
        auto s = db.impl().prepare(std::string("SELECT ") + kContactCols +
                                   " FROM contacts c WHERE mobile = ?");
        s.args(mobile);
        if (!s.step()) return std::nullopt;
        return read_contact(s);
    });
}

Result<std::vector<Contact>> list_contacts(Database& db, const ContactQuery& q) {
    return guard([&] {
        std::string sql = std::string("SELECT ") + kContactCols + " FROM contacts c WHERE c.id > ?1";
        if (!q.search.empty())
            sql += " AND (instr(c.name, ?2) > 0 OR instr(c.mobile, ?2) > 0 OR instr(c.village, ?2) > 0)";
        if (!q.village.empty()) sql += " AND c.village = ?3";
        if (!q.tag.empty()) sql += " AND instr(c.tags, ',' || ?4 || ',') > 0";
        if (q.group_id)
            sql += " AND EXISTS (SELECT 1 FROM group_members g WHERE g.contact_id = c.id AND g.group_id = ?5)";
        sql += " ORDER BY c.id LIMIT ?6";
        auto s = db.impl().prepare(sql);
        s.bind(1, q.after_id);
        if (!q.search.empty()) s.bind(2, q.search);
        if (!q.village.empty()) s.bind(3, q.village);
        if (!q.tag.empty()) s.bind(4, q.tag);
        if (q.group_id) s.bind(5, *q.group_id);
        s.bind(6, q.limit);
        std::vector<Contact> out;
        while (s.step()) out.push_back(read_contact(s));
        return out;
    });
}

Result<std::int64_t> count_contacts(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM contacts");
        s.step();
        return s.i64(0);
    });
}

Result<std::vector<std::pair<std::string, int>>> list_villages(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT village, count(*) FROM contacts WHERE village <> '' GROUP BY village ORDER BY village");
        std::vector<std::pair<std::string, int>> out;
        while (s.step()) out.emplace_back(s.str(0), s.i32(1));
        return out;
    });
}

Result<std::vector<std::string>> list_tags(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT DISTINCT tags FROM contacts WHERE tags <> ''");
        std::vector<std::string> out;
        while (s.step()) {
            for (auto& t : split_tags(s.str(0))) {
                if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    });
}

Result<std::vector<Contact>> contacts_with_join_day(Database& db, const std::string& mm_dd) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kContactCols +
                                   " FROM contacts c WHERE party_join_date <> '' AND "
                                   "substr(party_join_date, 6, 5) = ? ORDER BY c.id");
        s.args(mm_dd);
        std::vector<Contact> out;
        while (s.step()) out.push_back(read_contact(s));
        return out;
    });
}

Result<std::int64_t> create_group(Database& db, const std::string& name, const std::string& description) {
    return guard([&] {
        if (name.empty()) throw_error(Errc::invalid_argument, "empty group name");
        db.impl().prepare("INSERT INTO groups(name, description) VALUES (?,?)").args(name, description).exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<void> update_group(Database& db, const Group& g) {
    return guard([&] {
        if (db.impl().prepare("UPDATE groups SET name=?, description=? WHERE id=?")
                .args(g.name, g.description, g.id).exec() == 0)
            throw_error(Errc::not_found, "group " + std::to_string(g.id));
    });
}

Result<void> delete_group(Database& db, std::int64_t id) {
    return guard([&] {
        if (db.impl().prepare("DELETE FROM groups WHERE id=?").args(id).exec() == 0)
            throw_error(Errc::not_found, "group " + std::to_string(id));
    });
}

Result<std::vector<Group>> list_groups(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT g.id, g.name, g.description, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) "
            "FROM groups g ORDER BY g.name");
        std::vector<Group> out;
        while (s.step()) out.push_back(Group{s.i64(0), s.str(1), s.str(2), s.i32(3)});
        return out;
    });
}

Result<void> add_to_group(Database& db, std::int64_t group_id, std::int64_t contact_id) {
    return guard([&] {
        db.impl().prepare("INSERT OR IGNORE INTO group_members(group_id, contact_id) VALUES (?,?)")
            .args(group_id, contact_id).exec();
    });
}

Result<void> remove_from_group(Database& db, std::int64_t group_id, std::int64_t contact_id) {
    return guard([&] {
        db.impl().prepare("DELETE FROM group_members WHERE group_id=? AND contact_id=?")
            .args(group_id, contact_id).exec();
    });
}

Result<std::vector<std::int64_t>> groups_of(Database& db, std::int64_t contact_id) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT group_id FROM group_members WHERE contact_id=? ORDER BY group_id");
        s.args(contact_id);
        std::vector<std::int64_t> out;
        while (s.step()) out.push_back(s.i64(0));
        return out;
    });
}

Result<void> set_opted_out(Database& db, const std::string& mobile, bool opted_out, Seconds now) {
    return in_tx(db, [&] {
        sync_opt_out(db, mobile, opted_out, now);
        db.impl().prepare("UPDATE contacts SET opted_out=?, updated_at=? WHERE mobile=?")
            .args(opted_out, now, mobile).exec();
    });
}

Result<bool> is_opted_out(Database& db, const std::string& mobile) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT 1 FROM opt_outs WHERE mobile=?");
        s.args(mobile);
        return s.step();
    });
}

namespace {
constexpr const char* kSimCols =
    "iccid, imei, imsi, operator_name, own_number, limit_per_minute, limit_per_hour, limit_per_day, "
    "price_fen_per_segment, monthly_budget_segments, monthly_budget_fen, first_seen, last_seen";
Sim read_sim(const Stmt& s) {
    Sim m;
    m.iccid = s.str(0);
    m.imei = s.str(1);
    m.imsi = s.str(2);
    m.operator_name = s.str(3);
    m.own_number = s.str(4);
    auto opt_int = [&](int c) { return s.null(c) ? std::nullopt : std::optional<int>(s.i32(c)); };
    m.limit_per_minute = opt_int(5);
    m.limit_per_hour = opt_int(6);
    m.limit_per_day = opt_int(7);
    m.price_fen_per_segment = s.i32(8);
    m.monthly_budget_segments = s.i32(9);
    m.monthly_budget_fen = s.i64(10);
    m.first_seen = s.i64(11);
    m.last_seen = s.i64(12);
    return m;
}
}  // namespace

Result<void> touch_sim(Database& db, const Sim& sim, Seconds now) {
    return guard([&] {
        if (sim.iccid.empty()) throw_error(Errc::invalid_argument, "empty iccid");
        db.impl()
            .prepare(
                "INSERT INTO sims(iccid, imei, imsi, operator_name, own_number, first_seen, last_seen) "
                "VALUES (?1,?2,?3,?4,?5,?6,?6) ON CONFLICT(iccid) DO UPDATE SET imei=?2, imsi=?3, "
                "operator_name=?4, own_number=CASE WHEN ?5 <> '' THEN ?5 ELSE own_number END, last_seen=?6")
            .args(sim.iccid, sim.imei, sim.imsi, sim.operator_name, sim.own_number, now)
            .exec();
    });
}

Result<void> update_sim_settings(Database& db, const Sim& s) {
    return guard([&] {
        if (db.impl()
                .prepare(
                    "UPDATE sims SET limit_per_minute=?, limit_per_hour=?, limit_per_day=?, "
                    "price_fen_per_segment=?, monthly_budget_segments=?, monthly_budget_fen=? WHERE iccid=?")
                .args(s.limit_per_minute, s.limit_per_hour, s.limit_per_day, s.price_fen_per_segment,
                      s.monthly_budget_segments, s.monthly_budget_fen, s.iccid)
                .exec() == 0)
            throw_error(Errc::not_found, "sim " + s.iccid);
    });
}

Result<std::optional<Sim>> get_sim(Database& db, const std::string& iccid) {
    return guard([&]() -> std::optional<Sim> {
        auto s = db.impl().prepare(std::string("SELECT ") + kSimCols + " FROM sims WHERE iccid=?");
        s.args(iccid);
        if (!s.step()) return std::nullopt;
        return read_sim(s);
    });
}

Result<std::vector<Sim>> list_sims(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSimCols + " FROM sims ORDER BY first_seen, iccid");
        std::vector<Sim> out;
        while (s.step()) out.push_back(read_sim(s));
        return out;
    });
}

Result<std::vector<MenuItem>> list_menu(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT code, label_zh, label_en, auto_ack, anonymous, position FROM reply_menu ORDER BY position, code");
        std::vector<MenuItem> out;
        while (s.step()) out.push_back(MenuItem{s.str(0), s.str(1), s.str(2), s.str(3), s.i64(4) != 0, s.i32(5)});
        return out;
    });
}

Result<void> upsert_menu_item(Database& db, const MenuItem& m) {
    return guard([&] {
        if (m.code.empty()) throw_error(Errc::invalid_argument, "empty menu code");
        db.impl()
            .prepare("INSERT OR REPLACE INTO reply_menu(code, label_zh, label_en, auto_ack, anonymous, position) "
                     "VALUES (?,?,?,?,?,?)")
            .args(m.code, m.label_zh, m.label_en, m.auto_ack, m.anonymous, m.position)
            .exec();
    });
}

Result<void> delete_menu_item(Database& db, const std::string& code) {
    return guard([&] { db.impl().prepare("DELETE FROM reply_menu WHERE code=?").args(code).exec(); });
}

Result<std::optional<std::string>> get_setting(Database& db, const std::string& key) {
    return guard([&]() -> std::optional<std::string> {
        auto s = db.impl().prepare("SELECT value FROM settings WHERE key=?");
        s.args(key);
        if (!s.step()) return std::nullopt;
        return s.str(0);
    });
}

Result<void> set_setting(Database& db, const std::string& key, const std::string& value) {
    return guard([&] {
        db.impl().prepare("INSERT OR REPLACE INTO settings(key, value) VALUES (?,?)").args(key, value).exec();
    });
}

Result<std::vector<std::pair<std::string, std::string>>> list_settings(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT key, value FROM settings ORDER BY key");
        std::vector<std::pair<std::string, std::string>> out;
        while (s.step()) out.emplace_back(s.str(0), s.str(1));
        return out;
    });
}

}  // namespace cunxin::store

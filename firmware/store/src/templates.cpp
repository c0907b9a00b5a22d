// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/templates.hpp"

#include "sql.hpp"

namespace cunxin::store {

namespace {
constexpr const char* kCols = "id, name, body, created_by, created_at, updated_at";
SavedTemplate read_template(const Stmt& s) {
    SavedTemplate t;
    t.id = s.i64(0);
    t.name = s.str(1);
    t.body = s.str(2);
    t.created_by = s.str(3);
    t.created_at = s.i64(4);
    t.updated_at = s.i64(5);
    return t;
}
void check(const SavedTemplate& t) {
    if (t.name.empty()) throw_error(Errc::invalid_argument, "empty template name");
    if (t.body.empty()) throw_error(Errc::invalid_argument, "empty template body");
}
}  // namespace

Result<std::vector<SavedTemplate>> list_templates(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kCols + " FROM templates ORDER BY name, id");
        std::vector<SavedTemplate> out;
        while (s.step()) out.push_back(read_template(s));
        return out;
    });
}

Result<SavedTemplate> get_template(Database& db, std::int64_t id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kCols + " FROM templates WHERE id=?");
        s.args(id);
        if (!s.step()) throw_error(Errc::not_found, "template " + std::to_string(id));
        return read_template(s);
    });
}

Result<std::int64_t> insert_template(Database& db, const SavedTemplate& t, Seconds now) {
    return guard([&] {
        check(t);
        db.impl()
            .prepare("INSERT INTO templates(name, body, created_by, created_at, updated_at) VALUES (?,?,?,?,?)")
            .args(t.name, t.body, t.created_by, now, now)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<void> update_template(Database& db, const SavedTemplate& t, Seconds now) {
    return guard([&] {
        check(t);
        if (db.impl().prepare("UPDATE templates SET name=?, body=?, updated_at=? WHERE id=?")
                .args(t.name, t.body, now, t.id)
                .exec() == 0)
            throw_error(Errc::not_found, "template " + std::to_string(t.id));
    });
}

Result<void> delete_template(Database& db, std::int64_t id) {
    return guard([&] {
        if (db.impl().prepare("DELETE FROM templates WHERE id=?").args(id).exec() == 0)
            throw_error(Errc::not_found, "template " + std::to_string(id));
    });
}

}  // namespace cunxin::store

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/commands.hpp"

#include <algorithm>
#include <cstdio>

#include "cunxin/log.hpp"
#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/contact_import.hpp"
#include "cunxin/messaging/phone.hpp"
#include "cunxin/messaging/template.hpp"
#include "cunxin/store/database.hpp"

namespace cunxin::messaging {

namespace {

Error invalid(std::string message) { return Error{Errc::invalid_argument, -1, std::move(message)}; }
Error missing(std::string message) { return Error{Errc::not_found, -1, std::move(message)}; }
Error refused(std::string message) { return Error{Errc::bad_state, -1, std::move(message)}; }

// Unwraps a store result inside a command, or returns the mapped error.
#define CX_STORE(var, expr, what)                                       \
    auto var##_r = (expr);                                              \
    if (!var##_r) return unexpected(from_store(var##_r.error(), what)); \
    auto var = std::move(*var##_r)

// Opens the command's transaction (the one step): a locked store is a "busy" failure.
#define CX_BEGIN(tx)                                                                  \
    store::Transaction tx(db_);                                                       \
    if (!tx.ok()) return unexpected(Error{Errc::store, -1, "存储繁忙，请重试"})

#define CX_STORE_VOID(expr, what)                                         \
    do {                                                                  \
        auto cx_s_ = (expr);                                              \
        if (!cx_s_) return unexpected(from_store(cx_s_.error(), what));   \
    } while (0)

// Applies the patch's fields to `c` and checks the contact's rules.
Result<void> apply(const ContactPatch& p, store::Contact& c) {
    if (p.name) c.name = *p.name;
    if (p.mobile) c.mobile = *p.mobile;
    if (p.village) c.village = *p.village;
    if (p.role) c.role = *p.role;
    if (p.party_join_date) c.party_join_date = *p.party_join_date;
    if (p.notes) c.notes = *p.notes;
    if (p.tags) c.tags = *p.tags;
    if (p.opted_out) c.opted_out = *p.opted_out;
    if (c.name.empty()) return unexpected(invalid("姓名不能为空"));
    auto n = normalize_msisdn(c.mobile);
    if (!n) return unexpected(invalid("手机号码无效：" + n.error().detail));
    c.mobile = *n;
    if (!c.party_join_date.empty() && !parse_date(c.party_join_date)) {
        return unexpected(invalid("入党日期应为 YYYY-MM-DD"));
    }
    return {};
}

Result<void> check_template(const store::SavedTemplate& t) {
    if (t.name.empty()) return unexpected(invalid("模板名称不能为空"));
    if (t.body.empty()) return unexpected(invalid("模板内容不能为空"));
    if (auto ps = validate_template(t.body); !ps.empty()) {
        return unexpected(invalid(std::string("模板有误：") + to_string(ps.front().code) +
                                  (ps.front().name.empty() ? "" : " {" + ps.front().name + "}")));
    }
    return {};
}

Result<store::Group> find_group(store::Database& db, std::int64_t id) {
    CX_STORE(list, store::list_groups(db), "groups");
    for (const auto& g : list) {
        if (g.id == id) return g;
    }
    return unexpected(missing("没有这个分组"));
}

}  // namespace

Error from_store(const store::Error& e, const char* what) {
    // Store details (SQLite's words) go to the log only.
    log::error("messaging", std::string(what) + ": " + store::to_string(e.code) + " (" + e.detail + ")");
    switch (e.code) {
        case store::Errc::not_found: return Error{Errc::not_found, -1, "没有找到"};
        case store::Errc::constraint: return Error{Errc::conflict, -1, "与已有数据冲突（名称或号码重复？）"};
        case store::Errc::invalid_argument: return Error{Errc::invalid_argument, -1, "取值无效"};
        case store::Errc::busy: return Error{Errc::store, -1, "存储繁忙，请重试"};
        case store::Errc::open_failed:
        case store::Errc::corrupt:
        case store::Errc::too_new:
        case store::Errc::read_only:
        case store::Errc::sql: break;
    }
    return Error{Errc::store, -1, "存储出错"};
}

Commands::Commands(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

std::int64_t Commands::now() const { return clock_.unix_now(); }

// ---- contacts and groups -----------------------------------------------------------------------

Result<SavedContact> Commands::create_contact(const ContactPatch& patch) {
    if (!patch.name || !patch.mobile) return unexpected(invalid("姓名和手机号码必填"));
    SavedContact out;
    if (auto r = apply(patch, out.contact); !r) return unexpected(r.error());
    const auto t = now();
    CX_BEGIN(tx);
    CX_STORE(id, store::insert_contact(db_, out.contact, t), "insert contact");
    for (auto g : patch.group_ids.value_or(std::vector<std::int64_t>{})) {
        CX_STORE_VOID(store::add_to_group(db_, g, id), "add to group");
    }
    CX_STORE_VOID(tx.commit(), "insert contact");
    out.contact.id = id;
    out.contact.created_at = out.contact.updated_at = t;
    out.group_ids = patch.group_ids.value_or(std::vector<std::int64_t>{});
    return out;
}

Result<SavedContact> Commands::update_contact(std::int64_t id, const ContactPatch& patch) {
    CX_BEGIN(tx);
    CX_STORE(c, store::get_contact(db_, id), "get contact");
    if (auto r = apply(patch, c); !r) return unexpected(r.error());
    const auto t = now();
    CX_STORE_VOID(store::update_contact(db_, c, t), "update contact");
    CX_STORE(groups, store::groups_of(db_, id), "groups of");
    if (patch.group_ids) {
        for (auto g : groups) {
            if (std::find(patch.group_ids->begin(), patch.group_ids->end(), g) == patch.group_ids->end()) {
                CX_STORE_VOID(store::remove_from_group(db_, g, id), "remove from group");
            }
        }
        for (auto g : *patch.group_ids) {
            if (std::find(groups.begin(), groups.end(), g) == groups.end()) {
                CX_STORE_VOID(store::add_to_group(db_, g, id), "add to group");
            }
        }
        CX_STORE(after, store::groups_of(db_, id), "groups of");
        groups = std::move(after);
    }
    CX_STORE_VOID(tx.commit(), "update contact");
    c.updated_at = t;
    return SavedContact{std::move(c), std::move(groups)};
}

Result<int> Commands::import_contacts(const std::vector<ContactRow>& rows, std::optional<std::int64_t> group_id) {
    CX_STORE(n, write_contact_chunk(db_, rows, group_id, now()), "import contacts");
    return n;
}

Result<store::Contact> Commands::delete_contact(std::int64_t id) {
    CX_BEGIN(tx);
    CX_STORE(c, store::get_contact(db_, id), "get contact");
    CX_STORE_VOID(store::delete_contact(db_, id), "delete contact");
    CX_STORE_VOID(tx.commit(), "delete contact");
    return c;
}

Result<store::Group> Commands::create_group(const std::string& name, const std::string& description) {
    if (name.empty()) return unexpected(invalid("分组名称不能为空"));
    auto id = store::create_group(db_, name, description);
    if (!id) {
        if (id.error().code == store::Errc::constraint) return unexpected(Error{Errc::conflict, -1, "已有同名分组"});
        return unexpected(from_store(id.error(), "create group"));
    }
    return store::Group{*id, name, description, 0};
}

Result<store::Group> Commands::update_group(std::int64_t id, const GroupPatch& patch) {
    CX_BEGIN(tx);
    auto g = find_group(db_, id);
    if (!g) return g;
    if (patch.name) g->name = *patch.name;
    if (patch.description) g->description = *patch.description;
    if (g->name.empty()) return unexpected(invalid("分组名称不能为空"));
    if (auto r = store::update_group(db_, *g); !r) {
        if (r.error().code == store::Errc::constraint) return unexpected(Error{Errc::conflict, -1, "已有同名分组"});
        return unexpected(from_store(r.error(), "update group"));
    }
    CX_STORE_VOID(tx.commit(), "update group");
    return g;
}

Result<void> Commands::delete_group(std::int64_t id) {
    CX_BEGIN(tx);
    if (auto g = find_group(db_, id); !g) return unexpected(g.error());
    CX_STORE_VOID(store::delete_group(db_, id), "delete group");
    CX_STORE_VOID(tx.commit(), "delete group");
    return {};
}

Result<MembershipChange> Commands::edit_members(std::int64_t group_id, const std::vector<std::int64_t>& add,
                                                const std::vector<std::int64_t>& remove) {
    CX_BEGIN(tx);
    if (auto g = find_group(db_, group_id); !g) return unexpected(g.error());
    for (auto c : add) CX_STORE_VOID(store::add_to_group(db_, group_id, c), "group members");
    for (auto c : remove) CX_STORE_VOID(store::remove_from_group(db_, group_id, c), "group members");
    auto after = find_group(db_, group_id);
    if (!after) return unexpected(after.error());
    CX_STORE_VOID(tx.commit(), "group members");
    return MembershipChange{static_cast<std::int64_t>(add.size()), static_cast<std::int64_t>(remove.size()),
                            after->members};
}

// ---- templates ---------------------------------------------------------------------------------

Result<store::SavedTemplate> Commands::create_template(const TemplatePatch& patch, const std::string& actor) {
    store::SavedTemplate t;
    t.name = patch.name.value_or("");
    t.body = patch.body.value_or("");
    t.created_by = actor;
    if (auto r = check_template(t); !r) return unexpected(r.error());
    CX_BEGIN(tx);
    CX_STORE(id, store::insert_template(db_, t, now()), "template");
    CX_STORE(saved, store::get_template(db_, id), "template");
    CX_STORE_VOID(tx.commit(), "template");
    return saved;
}

Result<store::SavedTemplate> Commands::update_template(std::int64_t id, const TemplatePatch& patch) {
    CX_BEGIN(tx);
    CX_STORE(t, store::get_template(db_, id), "template");
    if (patch.name) t.name = *patch.name;
    if (patch.body) t.body = *patch.body;
    if (auto r = check_template(t); !r) return unexpected(r.error());
    CX_STORE_VOID(store::update_template(db_, t, now()), "template");
    CX_STORE(saved, store::get_template(db_, id), "template");
    CX_STORE_VOID(tx.commit(), "template");
    return saved;
}

Result<void> Commands::delete_template(std::int64_t id) {
    CX_STORE_VOID(store::delete_template(db_, id), "template");
    return {};
}

// ---- replies -----------------------------------------------------------------------------------

Result<void> Commands::set_triage_status(std::int64_t message_id, store::TriageStatus status) {
    CX_BEGIN(tx);
    CX_STORE(m, store::get_message(db_, message_id), "get message");
    if (m.direction != store::Direction::In) return unexpected(refused("只有收到的回复可以标记处理状态"));
    CX_STORE_VOID(store::set_triage_status(db_, message_id, status, now()), "triage");
    CX_STORE_VOID(tx.commit(), "triage");
    return {};
}

Result<void> Commands::assign(std::int64_t message_id, std::optional<std::int64_t> user_id) {
    CX_BEGIN(tx);
    CX_STORE(m, store::get_message(db_, message_id), "get message");
    (void)m;
    if (user_id) {
        auto u = store::get_user(db_, *user_id);
        if (!u) {
            if (u.error().code == store::Errc::not_found) return unexpected(missing("没有这个用户"));
            return unexpected(from_store(u.error(), "get user"));
        }
    }
    CX_STORE_VOID(store::assign_message(db_, message_id, user_id, now()), "assign");
    CX_STORE_VOID(tx.commit(), "assign");
    return {};
}

Result<store::Note> Commands::add_note(std::int64_t message_id, const std::string& author, const std::string& text) {
    if (text.empty()) return unexpected(invalid("备注不能为空"));
    CX_BEGIN(tx);
    CX_STORE(m, store::get_message(db_, message_id), "get message");
    (void)m;
    const auto t = now();
    CX_STORE(id, store::add_note(db_, message_id, author, text, t), "add note");
    CX_STORE_VOID(tx.commit(), "add note");
    return store::Note{id, message_id, author, text, t};
}

Result<store::Message> Commands::classify(std::int64_t message_id, const std::optional<std::string>& category) {
    CX_BEGIN(tx);
    CX_STORE(m, store::get_message(db_, message_id), "get message");
    if (m.direction != store::Direction::In) return unexpected(refused("只有收到的回复可以分类"));
    if (category) {
        CX_STORE(menu, store::list_menu(db_), "menu");
        bool found = false;
        for (const auto& item : menu) found = found || item.code == *category;
        if (!found) return unexpected(invalid("回复菜单里没有这个代码"));
    }
    CX_STORE_VOID(store::set_category(db_, message_id, category, now()), "classify");
    CX_STORE_VOID(tx.commit(), "classify");
    return m;
}

// ---- settings, menu, SIMs ----------------------------------------------------------------------

Result<void> Commands::set_settings(const std::vector<std::pair<std::string, std::string>>& changes) {
    for (const auto& [k, v] : changes) {
        if (k == "anniversary_template" && !validate_template(v).empty()) {
            return unexpected(invalid("入党纪念日祝福模板里有未知的 {字段}"));
        }
        if (k == "time_source" && v != "network" && v != "browser" && v != "system") {
            return unexpected(invalid("time_source 只能是 network、browser 或 system"));
        }
    }
    CX_BEGIN(tx);
    for (const auto& [k, v] : changes) CX_STORE_VOID(store::set_setting(db_, k, v), "settings");
    CX_STORE_VOID(tx.commit(), "settings");
    if (settings_changed) settings_changed();
    return {};
}

Result<void> Commands::save_menu_item(const store::MenuItem& item) {
    if (item.label_zh.empty()) return unexpected(invalid("中文名称不能为空"));
    CX_BEGIN(tx);
    CX_STORE_VOID(store::upsert_menu_item(db_, item), "menu");
    // Anonymity covers the category's earlier messages too, and is never undone.
    if (item.anonymous) CX_STORE_VOID(store::anonymize_category(db_, item.code), "menu");
    CX_STORE_VOID(tx.commit(), "menu");
    if (settings_changed) settings_changed();
    return {};
}

Result<void> Commands::delete_menu_item(const std::string& code) {
    CX_BEGIN(tx);
    CX_STORE(menu, store::list_menu(db_), "menu");
    bool found = false;
    for (const auto& m : menu) found = found || m.code == code;
    if (!found) return unexpected(missing("回复菜单里没有这个代码"));
    CX_STORE_VOID(store::delete_menu_item(db_, code), "menu delete");
    CX_STORE_VOID(tx.commit(), "menu delete");
    if (settings_changed) settings_changed();
    return {};
}

Result<store::Sim> Commands::update_sim(const std::string& iccid, const SimPatch& patch) {
    CX_BEGIN(tx);
    CX_STORE(found, store::get_sim(db_, iccid), "get sim");
    if (!found) return unexpected(missing("没有这张 SIM 卡"));
    store::Sim s = *found;
    if (patch.limit_per_minute) s.limit_per_minute = *patch.limit_per_minute;
    if (patch.limit_per_hour) s.limit_per_hour = *patch.limit_per_hour;
    if (patch.limit_per_day) s.limit_per_day = *patch.limit_per_day;
    if (patch.price_fen_per_segment) s.price_fen_per_segment = *patch.price_fen_per_segment;
    if (patch.monthly_budget_segments) s.monthly_budget_segments = *patch.monthly_budget_segments;
    if (patch.monthly_budget_fen) s.monthly_budget_fen = *patch.monthly_budget_fen;
    CX_STORE_VOID(store::update_sim_settings(db_, s), "sim settings");
    CX_STORE_VOID(tx.commit(), "sim settings");
    if (settings_changed) settings_changed();
    return s;
}

// ---- system ------------------------------------------------------------------------------------

Result<void> Commands::backup_to(const std::string& path) {
    CX_STORE_VOID(db_.backup_to(path), "backup");
    return {};
}

Result<void> Commands::dismiss_restore_notice() {
    // Read and written in one step: a restore recorded meanwhile stays unread.
    CX_BEGIN(tx);
    CX_STORE(at, store::get_setting(db_, "restore_at"), "restore status");
    CX_STORE_VOID(store::set_setting(db_, "restore_notice_seen", at.value_or("")), "restore notice");
    CX_STORE_VOID(tx.commit(), "restore notice");
    return {};
}

Result<void> Commands::audit(const AuditEntry& entry) {
    CX_STORE(id, store::audit(db_, entry.actor.empty() ? "anonymous" : entry.actor, entry.action, entry.detail, now()),
             "audit");
    (void)id;
    return {};
}

// ---- users, tokens, sessions -------------------------------------------------------------------

Result<store::User> Commands::create_user(const store::User& user) {
    if (user.username.empty()) return unexpected(invalid("用户名不能为空"));
    const auto t = now();
    auto id = store::create_user(db_, user, t);
    if (!id) {
        if (id.error().code == store::Errc::constraint) return unexpected(Error{Errc::conflict, -1, "用户名已存在"});
        return unexpected(from_store(id.error(), "create user"));
    }
    store::User out = user;
    out.id = *id;
    out.created_at = t;
    return out;
}

Result<store::User> Commands::update_user(std::int64_t id, const UserPatch& patch, std::int64_t actor_id) {
    CX_BEGIN(tx);
    auto found = store::get_user(db_, id);
    if (!found) {
        if (found.error().code == store::Errc::not_found) return unexpected(missing("没有这个用户"));
        return unexpected(from_store(found.error(), "get user"));
    }
    store::User u = *found;
    if (patch.role) {
        if (id == actor_id && *patch.role != store::Role::Admin) return unexpected(refused("不能取消自己的管理员角色"));
        u.role = *patch.role;
    }
    if (patch.display_name) u.display_name = *patch.display_name;
    if (patch.disabled) {
        if (id == actor_id && *patch.disabled) return unexpected(refused("不能停用自己"));
        u.disabled = *patch.disabled;
    }
    // update_user keeps the stored hash when this is empty.
    u.password_hash = patch.password_hash.value_or("");
    CX_STORE_VOID(store::update_user(db_, u), "update user");
    CX_STORE_VOID(tx.commit(), "update user");
    u.password_hash.clear();
    return u;
}

Result<store::User> Commands::delete_user(std::int64_t id, std::int64_t actor_id) {
    if (id == actor_id) return unexpected(refused("不能删除自己"));
    CX_BEGIN(tx);
    auto found = store::get_user(db_, id);
    if (!found) {
        if (found.error().code == store::Errc::not_found) return unexpected(missing("没有这个用户"));
        return unexpected(from_store(found.error(), "get user"));
    }
    CX_STORE_VOID(store::delete_user(db_, id), "delete user");
    CX_STORE_VOID(tx.commit(), "delete user");
    return *found;
}

Result<store::ApiToken> Commands::create_token(const store::ApiToken& token) {
    if (token.name.empty()) return unexpected(invalid("名称不能为空"));
    const auto t = now();
    CX_STORE(id, store::create_api_token(db_, token, t), "create token");
    store::ApiToken out = token;
    out.id = id;
    out.created_at = t;
    return out;
}

Result<void> Commands::touch_token(std::int64_t id) {
    CX_STORE_VOID(store::touch_api_token(db_, id, now()), "touch token");
    return {};
}

Result<void> Commands::revoke_token(std::int64_t id) {
    CX_BEGIN(tx);
    CX_STORE(list, store::list_api_tokens(db_), "list tokens");
    bool found = false;
    for (const auto& t : list) found = found || t.id == id;
    if (!found) return unexpected(missing("没有这个令牌"));
    CX_STORE_VOID(store::revoke_api_token(db_, id), "revoke token");
    CX_STORE_VOID(tx.commit(), "revoke token");
    return {};
}

Result<void> Commands::create_session(const store::Session& session) {
    // The same short transaction drops expired sessions.
    CX_BEGIN(tx);
    CX_STORE_VOID(store::create_session(db_, session), "store session");
    CX_STORE(n, store::delete_expired_sessions(db_, session.created_at), "expired sessions");
    (void)n;
    CX_STORE_VOID(tx.commit(), "store session");
    return {};
}

Result<void> Commands::touch_session(const std::string& token_hash, store::Seconds last, store::Seconds expires_at) {
    CX_STORE_VOID(store::touch_session(db_, token_hash, last, expires_at), "touch session");
    return {};
}

Result<void> Commands::delete_session(const std::string& token_hash) {
    CX_STORE_VOID(store::delete_session(db_, token_hash), "delete session");
    return {};
}

Result<void> Commands::delete_user_sessions(std::int64_t user_id, const std::optional<store::Session>& keep) {
    // One step (nothing runs in between): the stored sessions go, the kept one is written back.
    CX_BEGIN(tx);
    CX_STORE(n, store::delete_user_sessions(db_, user_id), "delete sessions");
    (void)n;
    if (keep) CX_STORE_VOID(store::create_session(db_, *keep), "keep session");
    CX_STORE_VOID(tx.commit(), "delete sessions");
    return {};
}

}  // namespace cunxin::messaging

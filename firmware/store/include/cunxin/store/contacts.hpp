// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Contacts, groups, villages, opt-outs, SIMs, reply menus and settings.

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// A person the office writes to. `mobile` is E.164 ("+8613800000000"), unique.
struct Contact {
    std::int64_t id = 0;
    std::string name;
    std::string mobile;
    std::string village;
    std::string role;                 ///< e.g. 村支书, 村委委员, 党员
    std::string party_join_date;      ///< "YYYY-MM-DD" or empty
    std::vector<std::string> tags;
    bool opted_out = false;
    std::string notes;
    Seconds created_at = 0;
    Seconds updated_at = 0;
};

/// Filter for list_contacts (empty fields match everything).
struct ContactQuery {
    std::string search;               ///< substring of name, mobile or village
    std::string village;
    std::string tag;
    std::optional<std::int64_t> group_id;
    std::int64_t after_id = 0;        ///< cursor: ids greater than this (ascending)
    int limit = 100;
};

/// Inserts a contact (id ignored); Errc::constraint when the mobile exists.
Result<std::int64_t> insert_contact(Database& db, const Contact& c, Seconds now);
/// Updates every field of contact `c.id` (opted_out included).
Result<void> update_contact(Database& db, const Contact& c, Seconds now);
/// Inserts or, when the mobile exists, updates by mobile; returns the id.
Result<std::int64_t> upsert_contact(Database& db, const Contact& c, Seconds now);
/// Deletes a contact (its messages keep the number).
Result<void> delete_contact(Database& db, std::int64_t id);
/// One contact by id (Errc::not_found).
Result<Contact> get_contact(Database& db, std::int64_t id);
/// One contact by E.164 mobile, nullopt when unknown.
Result<std::optional<Contact>> find_contact_by_mobile(Database& db, const std::string& mobile);
/// Contacts in id order after the cursor.
Result<std::vector<Contact>> list_contacts(Database& db, const ContactQuery& q);
/// Number of contacts.
Result<std::int64_t> count_contacts(Database& db);
/// Distinct non-empty villages with their number of contacts.
Result<std::vector<std::pair<std::string, int>>> list_villages(Database& db);
/// Distinct tags in use.
Result<std::vector<std::string>> list_tags(Database& db);
/// Members with a Party-joining date whose month-day is `mm_dd` ("03-05").
Result<std::vector<Contact>> contacts_with_join_day(Database& db, const std::string& mm_dd);

/// A named group of contacts.
struct Group {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    int members = 0;  ///< filled by list_groups
};
/// Creates a group; Errc::constraint when the name exists.
Result<std::int64_t> create_group(Database& db, const std::string& name,
                                  const std::string& description = "");
/// Renames/redescribes a group.
Result<void> update_group(Database& db, const Group& g);
/// Deletes a group (memberships go with it).
Result<void> delete_group(Database& db, std::int64_t id);
/// Every group with its member count.
Result<std::vector<Group>> list_groups(Database& db);
/// Adds a contact to a group (no error if already a member).
Result<void> add_to_group(Database& db, std::int64_t group_id, std::int64_t contact_id);
/// Removes a contact from a group.
Result<void> remove_from_group(Database& db, std::int64_t group_id, std::int64_t contact_id);
/// Group ids a contact belongs to.
Result<std::vector<std::int64_t>> groups_of(Database& db, std::int64_t contact_id);

/// Records an opt-out (true) or opt-in (false) of a number; updates the contact if known.
Result<void> set_opted_out(Database& db, const std::string& mobile, bool opted_out, Seconds now);
/// Whether a number has opted out (contact or not).
Result<bool> is_opted_out(Database& db, const std::string& mobile);

/// A SIM (one per modem), known by ICCID, with its limits, price and budget.
struct Sim {
    std::string iccid;
    std::string imei;
    std::string imsi;
    std::string operator_name;
    std::string own_number;
    std::optional<int> limit_per_minute;  ///< set in the panel; nullopt = the configured default, 0 = no limit
    std::optional<int> limit_per_hour;    ///< same
    std::optional<int> limit_per_day;     ///< same
    int price_fen_per_segment = 10;    ///< 0.10 yuan default
    int monthly_budget_segments = 0;   ///< 0 = no budget
    std::int64_t monthly_budget_fen = 0;  ///< 0 = no budget
    Seconds first_seen = 0;
    Seconds last_seen = 0;
};
/// Records a SIM seen by the pool: identity fields are updated, limits/price/budget kept.
Result<void> touch_sim(Database& db, const Sim& identity, Seconds now);
/// Updates limits, price and budget of a SIM (identity fields ignored).
Result<void> update_sim_settings(Database& db, const Sim& s);
/// One SIM, nullopt when unknown.
Result<std::optional<Sim>> get_sim(Database& db, const std::string& iccid);
/// Every SIM ever seen.
Result<std::vector<Sim>> list_sims(Database& db);

/// One entry of the reply menu ("01" 政策咨询).
struct MenuItem {
    std::string code;        ///< "01"
    std::string label_zh;
    std::string label_en;
    std::string auto_ack;    ///< automatic acknowledgement text; empty = none
    bool anonymous = false;  ///< hide the sender from non-admin users
    int position = 0;
};
/// The reply menu in display order (defaults 01 政策咨询, 02 意见建议, 03 反映情况).
Result<std::vector<MenuItem>> list_menu(Database& db);
/// Inserts or replaces one menu entry.
Result<void> upsert_menu_item(Database& db, const MenuItem& item);
/// Removes one menu entry.
Result<void> delete_menu_item(Database& db, const std::string& code);

/// A setting value, nullopt when unset.
Result<std::optional<std::string>> get_setting(Database& db, const std::string& key);
/// Sets a setting.
Result<void> set_setting(Database& db, const std::string& key, const std::string& value);
/// Every setting (key, value) in key order.
Result<std::vector<std::pair<std::string, std::string>>> list_settings(Database& db);

}  // namespace cunxin::store

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The office's write commands (issue 13: one domain layer for every write). Each command
/// reads what it needs and writes in one step on the core thread (one transaction), applies
/// the business rules, and returns a typed result; a failure carries a code and a Chinese
/// message a clerk can read. HTTP maps requests to these and their results to responses.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cunxin/messaging/contact_import.hpp"
#include "cunxin/messaging/error.hpp"
#include "cunxin/store/auth.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/messages.hpp"
#include "cunxin/store/templates.hpp"

namespace cunxin::store {
class Database;
}  // namespace cunxin::store

namespace cunxin::messaging {

class Clock;

/// Changes to a contact: a field left empty (nullopt) keeps its value.
struct ContactPatch {
    std::optional<std::string> name;
    std::optional<std::string> mobile;           ///< as typed: normalised to E.164 by the command
    std::optional<std::string> village;
    std::optional<std::string> role;
    std::optional<std::string> party_join_date;  ///< "YYYY-MM-DD" or ""
    std::optional<std::string> notes;
    std::optional<std::vector<std::string>> tags;
    std::optional<bool> opted_out;
    std::optional<std::vector<std::int64_t>> group_ids;  ///< the contact's groups become exactly these
};

/// A contact and the groups it belongs to, as saved.
struct SavedContact {
    store::Contact contact;
    std::vector<std::int64_t> group_ids;
};

/// Changes to a group (nullopt keeps the value).
struct GroupPatch {
    std::optional<std::string> name;
    std::optional<std::string> description;
};

/// What a membership edit did.
struct MembershipChange {
    std::int64_t added = 0;    ///< contacts asked to be added
    std::int64_t removed = 0;  ///< contacts asked to be removed
    int members = 0;           ///< members after the edit
};

/// Changes to a saved template (nullopt keeps the value).
struct TemplatePatch {
    std::optional<std::string> name;
    std::optional<std::string> body;
};

/// Changes to a SIM's settings: nullopt keeps a field; for a limit, a set nullopt inside
/// returns it to the configured default and 0 means no limit.
struct SimPatch {
    std::optional<std::optional<int>> limit_per_minute;
    std::optional<std::optional<int>> limit_per_hour;
    std::optional<std::optional<int>> limit_per_day;
    std::optional<int> price_fen_per_segment;
    std::optional<int> monthly_budget_segments;
    std::optional<std::int64_t> monthly_budget_fen;
};

/// Changes to a user (nullopt keeps the value).
struct UserPatch {
    std::optional<store::Role> role;
    std::optional<std::string> display_name;
    std::optional<bool> disabled;
    std::optional<std::string> password_hash;  ///< a new password, hashed
};

/// An audit entry (who did what to what).
struct AuditEntry {
    std::string actor;   ///< user name, "token:<name>", or "" (anonymous)
    std::string action;  ///< e.g. "contact.update"
    std::string detail;  ///< JSON text with target, address, detail
};

/// The write commands of the office's data. Core thread only (owns no state but references).
class Commands {
public:
    Commands(store::Database& db, const Clock& clock);

    /// Called after a change the running core must reload (menu, settings, SIM limits).
    std::function<void()> settings_changed;

    // -- contacts and groups
    /// Creates a contact (name and mobile required) in the given groups.
    Result<SavedContact> create_contact(const ContactPatch& patch);
    /// Changes the given fields of a contact (read and written in one step: no lost update).
    Result<SavedContact> update_contact(std::int64_t id, const ContactPatch& patch);
    /// Writes one chunk of a CSV import (upsert by number, into `group_id` when given); returns
    /// the rows written (all or none).
    Result<int> import_contacts(const std::vector<ContactRow>& rows, std::optional<std::int64_t> group_id);
    /// Deletes a contact; returns it as it was.
    Result<store::Contact> delete_contact(std::int64_t id);
    /// Creates a group (name unique, not empty).
    Result<store::Group> create_group(const std::string& name, const std::string& description);
    /// Changes a group's name and/or description.
    Result<store::Group> update_group(std::int64_t id, const GroupPatch& patch);
    /// Deletes a group (its contacts stay).
    Result<void> delete_group(std::int64_t id);
    /// Adds and removes members of a group in one step.
    Result<MembershipChange> edit_members(std::int64_t group_id, const std::vector<std::int64_t>& add,
                                          const std::vector<std::int64_t>& remove);

    // -- templates
    /// Saves a new template (name and body required, body's {fields} known).
    Result<store::SavedTemplate> create_template(const TemplatePatch& patch, const std::string& actor);
    /// Changes a template.
    Result<store::SavedTemplate> update_template(std::int64_t id, const TemplatePatch& patch);
    /// Deletes a template.
    Result<void> delete_template(std::int64_t id);

    // -- replies in the inbox
    /// Sets the triage status of a reply (only incoming messages are triaged).
    Result<void> set_triage_status(std::int64_t message_id, store::TriageStatus status);
    /// Assigns a message to a user (nullopt: nobody).
    Result<void> assign(std::int64_t message_id, std::optional<std::int64_t> user_id);
    /// Adds a note to a message; returns the note.
    Result<store::Note> add_note(std::int64_t message_id, const std::string& author, const std::string& text);
    /// Sets or clears the category of a reply (a code of the menu); returns the message before.
    Result<store::Message> classify(std::int64_t message_id, const std::optional<std::string>& category);

    // -- settings, reply menu, SIMs
    /// Sets several settings at once (keys and values already checked).
    Result<void> set_settings(const std::vector<std::pair<std::string, std::string>>& changes);
    /// Saves a reply-menu entry; an anonymous one hides its category's earlier senders too.
    Result<void> save_menu_item(const store::MenuItem& item);
    /// Deletes a reply-menu entry.
    Result<void> delete_menu_item(const std::string& code);
    /// Changes a SIM's limits, price and budget; returns it as saved.
    Result<store::Sim> update_sim(const std::string& iccid, const SimPatch& patch);

    // -- system
    /// Writes a consistent copy of the database to `path`.
    Result<void> backup_to(const std::string& path);
    /// An admin has read the last restore's notice: it is no longer shown.
    Result<void> dismiss_restore_notice();
    /// Records an audit entry.
    Result<void> audit(const AuditEntry& entry);

    // -- users, tokens, sessions
    /// Creates a user (the first admin included); returns it as saved.
    Result<store::User> create_user(const store::User& user);
    /// Changes a user's given fields; `actor_id` (who asks) may not demote or disable itself.
    Result<store::User> update_user(std::int64_t id, const UserPatch& patch, std::int64_t actor_id);
    /// Deletes a user (not oneself); returns it as it was.
    Result<store::User> delete_user(std::int64_t id, std::int64_t actor_id);
    /// Creates an API token (hash stored); returns it as saved.
    Result<store::ApiToken> create_token(const store::ApiToken& token);
    /// Records an API token's use.
    Result<void> touch_token(std::int64_t id);
    /// Revokes an API token.
    Result<void> revoke_token(std::int64_t id);
    /// Stores a panel session.
    Result<void> create_session(const store::Session& session);
    /// Records a session's last activity and its new expiry.
    Result<void> touch_session(const std::string& token_hash, store::Seconds last, store::Seconds expires_at);
    /// Ends a session.
    Result<void> delete_session(const std::string& token_hash);
    /// Ends every session of a user, but `keep` (written back as given).
    Result<void> delete_user_sessions(std::int64_t user_id, const std::optional<store::Session>& keep);

    /// Unix seconds now by the core's clock.
    std::int64_t now() const;

private:
    store::Database& db_;
    const Clock& clock_;
};

/// A messaging error from a store failure: the detail for the log, a Chinese message.
Error from_store(const store::Error& e, const char* what);

}  // namespace cunxin::messaging

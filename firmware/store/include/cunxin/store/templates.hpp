// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Saved notice templates (通知模板) the office picks from when composing.

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"
#include "cunxin/store/error.hpp"

namespace cunxin::store {

/// One saved template.
struct SavedTemplate {
    std::int64_t id = 0;
    std::string name;        ///< unique, e.g. "会议通知"
    std::string body;        ///< template text with {姓名}/{name}… fields
    std::string created_by;
    Seconds created_at = 0;
    Seconds updated_at = 0;
};

/// Every saved template, by name.
Result<std::vector<SavedTemplate>> list_templates(Database& db);
/// One template (Errc::not_found).
Result<SavedTemplate> get_template(Database& db, std::int64_t id);
/// Saves a new template (Errc::constraint when the name is taken); returns its id.
Result<std::int64_t> insert_template(Database& db, const SavedTemplate& t, Seconds now);
/// Changes name and body (Errc::not_found, Errc::constraint).
Result<void> update_template(Database& db, const SavedTemplate& t, Seconds now);
/// Deletes a template (Errc::not_found).
Result<void> delete_template(Database& db, std::int64_t id);

}  // namespace cunxin::store

// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: numbered forward-only migrations. Migration N (1-based) takes the schema from
// version N-1 to N; it runs inside a transaction together with PRAGMA user_version=N.
// Never edit a released migration: add the next one.

#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

using Migration = void (*)(Database::Impl&);

void migration_001_core(Database::Impl& db);
void migration_002_fulltext(Database::Impl& db);
void migration_003_anniversaries_and_acks(Database::Impl& db);
void migration_004_setting_keys(Database::Impl& db);
void migration_005_reply_links(Database::Impl& db);
void migration_006_templates_sim_limits(Database::Impl& db);
void migration_007_calls(Database::Impl& db);
void migration_008_alerts(Database::Impl& db);
void migration_009_sim_pauses(Database::Impl& db);
void migration_010_field(Database::Impl& db);
void migration_011_federation(Database::Impl& db);

/// Every migration in order (index 0 = migration 1).
const std::vector<Migration>& migrations();

}  // namespace cunxin::store

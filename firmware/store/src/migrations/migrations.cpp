// SPDX-License-Identifier: Apache-2.0
#include "migrations/migrations.hpp"

namespace cunxin::store {

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list = {
        &migration_001_core,
        &migration_002_fulltext,
        &migration_003_anniversaries_and_acks,
        &migration_004_setting_keys,
        &migration_005_reply_links,
        &migration_006_templates_sim_limits,
        &migration_007_calls,
        &migration_008_alerts,
        &migration_009_sim_pauses,
        &migration_010_field,
        &migration_011_federation,
    };
    return list;
}

}  // namespace cunxin::store

// SPDX-License-Identifier: Apache-2.0
// The packaged /etc/cunxin/config.json must load with the daemon's own parser and
// state the documented defaults (a changed default shows up here).
#include <doctest/doctest.h>

#include <string>

#include "config.hpp"

TEST_CASE("packaged default config loads and matches the built-in defaults") {
    const auto file = std::string(CUNXIN_SOURCE_DIR) + "/board/config/config.json";
    const cunxin::app::Config c = cunxin::app::load_config(file);
    const cunxin::app::Config d{};
    CHECK(c.listen_host == "0.0.0.0");
    CHECK(c.listen_port == d.listen_port);
    CHECK(c.data_dir == "/var/lib/cunxin");
    CHECK(c.modems.empty());
    CHECK(c.sim_limits.per_minute == 10);
    CHECK(c.sim_limits.per_hour == 180);
    CHECK(c.sim_limits.per_day == 900);
    CHECK(c.sim_limits.per_minute == d.sim_limits.per_minute);
    CHECK(c.sim_limits.per_hour == d.sim_limits.per_hour);
    CHECK(c.sim_limits.per_day == d.sim_limits.per_day);
    CHECK(c.sims.empty());
    CHECK(c.price_fen == d.price_fen);
    CHECK(c.utc_offset_minutes == d.utc_offset_minutes);
    CHECK(c.status_reports == d.status_reports);
    CHECK(c.cmgs_timeout_s == 120);
    CHECK(c.cmgs_timeout_s == d.cmgs_timeout_s);
    CHECK(c.wal_checkpoint_s == d.wal_checkpoint_s);
    CHECK(c.log_level == d.log_level);
}

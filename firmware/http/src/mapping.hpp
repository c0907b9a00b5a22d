// SPDX-License-Identifier: Apache-2.0
#pragma once
// JSON and CSV mapping of store records (firmware/http is the only place that does this).

#include <optional>
#include <string>
#include <vector>

#include "store_map.hpp"

namespace cunxin::http {

/// A message as the API returns it, the same for every role: a message in an anonymous category
/// (and a reply linked to one) carries no peer, contact or village (the store never reads them).
json message_json(const store::Message& m);
/// A contact.
json contact_json(const store::Contact& c);
/// A campaign (without progress).
json campaign_json(const store::Campaign& c);
/// Progress counts of a campaign.
json progress_json(const store::CampaignProgress& p);
/// A SIM's settings.
json sim_json(const store::Sim& s);
/// A modem as the API shows it (GET /modems and the dashboard's cards).
json modem_json(const ModemInfo& m);

/// A self-test row: `iccid`, `ok`, `at`, `seconds` (health), and with `full` the round, target and reason.
json selftest_json(const store::SelftestRow& r, bool full);
/// A credit reading: `iccid`, `at`, `balance` (yuan or null), `raw`, `source`.
json balance_json(const store::BalanceRow& b);

/// One CSV cell: quoted when needed; a leading = + - @ is neutralised (spreadsheet injection).
std::string csv_cell(const std::string& v);
/// Rows to CSV text (UTF-8 with BOM so Excel shows Chinese).
std::string to_csv(const std::vector<std::vector<std::string>>& rows);
/// A CSV download reply.
Reply csv_reply(std::string body, const std::string& filename);
/// ISO-8601 UTC time of unix seconds ("2026-11-22T05:00:00Z").
std::string iso_time(store::Seconds s);
/// Unix seconds as office local time (`utc_offset_minutes`), strftime `format` ("2026-12-06 18:21:05").
std::string office_time(store::Seconds s, int utc_offset_minutes, const char* format = "%Y-%m-%d %H:%M:%S");
/// A message or recipient status in Chinese for CSV files ("delivered" → "已送达"); unknown ones unchanged.
std::string status_zh(const std::string& status);
/// "2026-12-06" as days since 1970-01-01; nullopt when it is not a real date (2000-2099).
std::optional<std::int64_t> parse_iso_day(const std::string& s);
/// Parses a list of strings from a JSON array field (absent = empty).
Result<std::vector<std::string>> string_list(const json& o, const char* key, std::size_t max_items);
/// Parses a list of positive ids from a JSON array field (absent = empty).
Result<std::vector<std::int64_t>> id_list(const json& o, const char* key, std::size_t max_items);
/// Publishes a live event to open panels.
void publish(ServerImpl& srv, const std::string& event, const json& data);

}  // namespace cunxin::http

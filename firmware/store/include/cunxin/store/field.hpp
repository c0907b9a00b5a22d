// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Field checks: SIM-to-SIM self-test rounds and the SIMs' credit history (migration 8).

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// One SIM's part of a self-test round: it sends a test text to `to_number` (another SIM).
struct SelftestRow {
    std::int64_t id = 0;              ///< also the token in the test text
    std::int64_t round = 0;
    std::string iccid;                ///< sending SIM
    std::string to_iccid;             ///< SIM that should receive it
    std::string to_number;
    std::optional<std::int64_t> message_id;  ///< the outgoing test message
    std::int64_t started_ms = 0;      ///< unix milliseconds
    std::optional<std::int64_t> received_ms;  ///< when the text arrived
    std::optional<Seconds> finished_at;
    std::optional<bool> ok;           ///< nullopt while the round runs
    std::string detail;               ///< why it failed, in Chinese ("" when ok)
};

/// The next round number (1 for the first).
Result<std::int64_t> next_selftest_round(Database& db);
/// Inserts a row (id assigned); returns the id.
Result<std::int64_t> insert_selftest(Database& db, const SelftestRow& row);
/// Links a row to its outgoing message.
Result<void> set_selftest_message(Database& db, std::int64_t id, std::int64_t message_id);
/// The test text of row `id` arrived at `at_ms`; false when it is unknown or already received.
Result<bool> mark_selftest_received(Database& db, std::int64_t id, std::int64_t at_ms);
/// The result of a row: ok or not, with the reason.
Result<void> finish_selftest(Database& db, std::int64_t id, bool ok, const std::string& detail, Seconds now);
/// Rows of one round, by id.
Result<std::vector<SelftestRow>> selftest_round(Database& db, std::int64_t round);
/// Rows whose result is not decided yet, oldest first.
Result<std::vector<SelftestRow>> running_selftests(Database& db);
/// One row (nullopt when unknown).
Result<std::optional<SelftestRow>> get_selftest(Database& db, std::int64_t id);
/// The newest decided row of every SIM, by ICCID.
Result<std::vector<SelftestRow>> latest_selftests(Database& db);
/// Decided rows, newest first.
Result<std::vector<SelftestRow>> selftest_history(Database& db, int limit);

/// One reading of a SIM's credit.
struct BalanceRow {
    std::int64_t id = 0;
    std::string iccid;
    Seconds at = 0;
    std::optional<std::int64_t> fen;  ///< credit in fen (negative: owing); nullopt: the text was not readable
    std::string raw;                  ///< the carrier's answer as received
    std::string source = "sms";       ///< "sms" or "ussd"
    std::optional<std::int64_t> message_id;
};
/// Records a reading; returns its id.
Result<std::int64_t> insert_balance(Database& db, const BalanceRow& row);
/// The newest reading of every SIM (readable or not), by ICCID.
Result<std::vector<BalanceRow>> latest_balances(Database& db);
/// A SIM's readings, newest first.
Result<std::vector<BalanceRow>> balance_history(Database& db, const std::string& iccid, int limit);

/// Queued segments of a message become failed with `reason` (a test or query that timed out);
/// returns how many.
Result<int> fail_queued_segments(Database& db, std::int64_t message_id, const std::string& reason, Seconds now);

}  // namespace cunxin::store

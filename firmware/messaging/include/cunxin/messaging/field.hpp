// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Field checks: the SIM-to-SIM self-test, SIM credit (balance queries, the carriers' answers,
/// days left) and messages from carriers' service numbers, which are system messages: never a
/// villager's reply, never classified, never acknowledged. Core thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"
#include "cunxin/store/messages.hpp"

namespace cunxin::store {
class Database;
}

namespace cunxin::messaging {

class Outbox;

/// Credit in fen read from a carrier's answer ("您的账户余额为12.50元" → 1250, "欠费3.20元" → -320);
/// nullopt when the text states no balance.
std::optional<std::int64_t> parse_balance_fen(std::string_view text);

/// True for a carrier's or platform's service number: digits only (an optional +86 or 86 in
/// front) starting with one of `prefixes` ("100", "106", "95"…) and not a mobile number.
bool is_service_number(std::string_view peer, const std::vector<std::string>& prefixes);

/// The default service-number prefixes: 100 (10086, 10010, 10001…), 106 (SMS platforms), 95, 96, 12.
std::vector<std::string> default_service_prefixes();

/// Unix seconds of the latest local `minutes_of_day` at or before `now` (office offset).
std::int64_t last_daily_slot(int minutes_of_day, int utc_offset_minutes, std::int64_t now);

/// True when a daily job at `minutes_of_day` is due: its latest slot came after `last_run`.
bool daily_due(int minutes_of_day, int utc_offset_minutes, std::int64_t last_run, std::int64_t now);

/// How a SIM's credit is asked: an SMS `keyword` to `number`, or a USSD code.
struct BalanceQuery {
    std::string number;   ///< "10086"
    std::string keyword;  ///< "CXYE"
    std::string ussd;     ///< non-empty: ask by USSD (e.g. "*100#") instead of SMS
};

/// The default query of an operator (AT+COPS name): China Mobile CXYE→10086, China Unicom
/// CXYE→10010, China Telecom 102→10001; nullopt for an unknown operator.
std::optional<BalanceQuery> default_balance_query(std::string_view operator_name);

/// Days the credit lasts at the SIM's sending rate of the last 7 days (segments × price);
/// nullopt when it sent nothing (no rate to go by). 0 when the credit is used up.
std::optional<double> estimate_days_left(store::Database& db, const std::string& iccid, std::int64_t fen,
                                         int default_price_fen, std::int64_t now);

/// Settings of the field checks (config file).
struct FieldOptions {
    std::string selftest_at = "09:30";                    ///< daily, office time; "" = only on demand
    std::chrono::seconds selftest_timeout{600};           ///< then a test text not received fails
    std::map<std::string, std::string> sim_numbers;       ///< ICCID → own number (over AT+CNUM)
    std::string balance_at = "08:00";                     ///< daily credit query; "" = only on demand
    std::chrono::seconds balance_timeout{600};            ///< a query unanswered by then is given up
    std::int64_t low_credit_fen = 1000;                   ///< warn below 10 yuan (0: never)
    std::map<std::string, BalanceQuery> balance;          ///< ICCID → query (over the operator's default)
    std::vector<std::string> service_prefixes = default_service_prefixes();
    int default_price_fen = 10;                           ///< for days left when a SIM has no price
};

/// A SIM as the field checks see it (from the pool).
struct FieldSim {
    std::string iccid;
    std::string operator_name;
    std::string own_number;  ///< AT+CNUM ("" when the SIM stores none)
    bool ready = false;
};

/// One SIM's self-test result.
struct SelftestResult {
    std::int64_t round = 0;
    std::string iccid;
    bool ok = false;
    std::int64_t at = 0;                 ///< unix seconds, when decided
    std::optional<double> seconds;       ///< round trip of its test text, when received
    std::string detail;                  ///< why it failed, in Chinese
};

/// A SIM's credit fell below the threshold.
struct LowCredit {
    std::string iccid;
    std::int64_t fen = 0;
    std::int64_t threshold_fen = 0;
    std::optional<double> days_left;
    std::string raw;                     ///< the carrier's answer
};

/// The self-test token in a text: "村信自检 #42" → 42.
std::optional<std::int64_t> selftest_token(std::string_view text);
/// The test text of row `id`.
std::string selftest_text(std::int64_t id);

/// Self-test rounds, balance queries and system messages.
class FieldChecks {
public:
    FieldChecks(store::Database& db, Clock& clock, Outbox& outbox, FieldOptions options = {});

    /// Every SIM's self-test result as decided (ok or not): the alerts connect here.
    std::function<void(const SelftestResult&)> on_result;
    /// A reading below the threshold: the alerts connect here.
    std::function<void(const LowCredit&)> on_low_credit;
    /// A new balance reading was stored (for live events).
    std::function<void(const std::string& iccid)> on_balance;

    /// Starts a round: each SIM sends a test text to the next SIM (by ICCID; with one SIM, to
    /// itself). Returns the round (Errc::bad_state while one runs, invalid_argument: no SIM).
    Result<std::int64_t> start_selftest(const std::vector<FieldSim>& sims);
    /// A round is running.
    bool selftest_running();

    /// How `sim`'s credit is asked (config over the operator's default; Errc::invalid_argument
    /// when neither applies).
    Result<BalanceQuery> balance_query(const FieldSim& sim) const;
    /// Sends the SMS query through `sim` itself; returns the message id.
    Result<std::int64_t> query_balance_sms(const FieldSim& sim, const BalanceQuery& q);
    /// Stores a carrier's answer (SMS or USSD) as a reading; returns the credit in fen (nullopt:
    /// not readable).
    Result<std::optional<std::int64_t>> record_balance(const std::string& iccid, const std::string& raw,
                                                       const std::string& source,
                                                       std::optional<std::int64_t> message_id);

    /// Inbox hook: the kind of an incoming message that is no villager's (nullopt: route it).
    std::optional<store::MessageKind> system_kind(const store::NewIncoming& m) const;
    /// Inbox hook: a system message was stored as `id` (self-test received, balance answer).
    void system_message(std::int64_t id, const store::NewIncoming& m);

    /// Periodic work: decides rounds that timed out or finished, gives up old queries, and
    /// starts the daily self-test and balance queries when due. `ussd` runs a USSD query (the
    /// pool's, for SIMs configured so); without it such SIMs are skipped.
    void tick(const std::vector<FieldSim>& sims,
              const std::function<void(const FieldSim&, const BalanceQuery&)>& ussd = nullptr);

    /// The options in force.
    const FieldOptions& options() const noexcept { return options_; }
    /// The last error swallowed by a hook.
    const std::string& last_error() const noexcept { return last_error_; }

private:
    void finish_round(std::int64_t round, bool timed_out);
    void run_scheduled(const std::vector<FieldSim>& sims,
                       const std::function<void(const FieldSim&, const BalanceQuery&)>& ussd);
    std::string number_of(const FieldSim& sim) const;

    store::Database& db_;
    Clock& clock_;
    Outbox& outbox_;
    FieldOptions options_;
    struct Pending {
        std::int64_t at = 0;              ///< asked at (unix seconds)
        std::int64_t message_id = 0;      ///< the query text (failed if still queued at the timeout)
    };
    std::map<std::string, Pending> pending_queries_;  ///< by ICCID
    std::string last_error_;
};

}  // namespace cunxin::messaging

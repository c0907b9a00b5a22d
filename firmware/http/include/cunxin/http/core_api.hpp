// SPDX-License-Identifier: Apache-2.0
#pragma once
/// What the HTTP layer asks of the core (messaging + modem pool). The app implements this
/// over its messaging objects; every call happens ON THE CORE THREAD (inside CoreHooks::post).
/// Lean header: standard library and cunxin/result.hpp only.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/result.hpp"

namespace cunxin::messaging {
class Commands;
}  // namespace cunxin::messaging

namespace cunxin::http {

/// A failure reported by the core; `code` is one of "invalid", "not_found", "conflict",
/// "unavailable"; `message` is safe to show to a user.
struct CoreError {
    std::string code = "unavailable";
    std::string message;
};
/// Value or CoreError.
template <class T>
using CoreResult = cunxin::Expected<T, CoreError>;

/// One modem/SIM as the panel shows it.
struct ModemInfo {
    std::string id;              ///< stable id (IMEI, else port)
    std::string port;            ///< device path or tcp:host:port
    std::string state;           ///< "opening", "initializing", "ready", "recovering", "out_of_service", "stopped"
    bool ready = false;          ///< can send now
    std::string manufacturer;
    std::string model;
    std::string imei;
    std::string imsi;
    std::string iccid;
    std::string operator_name;
    std::string own_number;
    bool registered = false;
    std::optional<int> signal_dbm;
    int queue = 0;               ///< segments waiting for this SIM
    int sent_today = 0;
    int limit_per_day = 0;       ///< 0 = no limit
    int limit_per_minute = 0;    ///< in force; 0 = no limit
    int limit_per_hour = 0;      ///< in force; 0 = no limit
    std::string storage;         ///< incoming-message storage ("SM"…), "" while unknown
    int storage_used = -1;       ///< messages in it, -1 while unknown
    int storage_total = -1;      ///< its capacity, -1 while unknown
    std::string last_error;
    std::string access_technology;  ///< "gsm", "umts", "lte", "nr"; "" unknown (null in the API)
    std::optional<bool> ims;        ///< IMS registration; nullopt when the modem does not tell
    bool paused = false;            ///< its SIM is paused (carrier blocking)
    bool sms_refused_on_lte = false;  ///< LTE refuses SMS and no remedy applies: gets no work
    /// The last LTE remedy (vendor command moving the modem off LTE), if one was applied.
    struct LteRemedy {
        std::int64_t at = 0;        ///< unix seconds
        std::string commands;       ///< AT commands sent
        bool moved = false;         ///< the modem took them and re-registered
        std::string technology;     ///< access technology afterwards
        bool sent = false;          ///< the retried send went out
        std::string error;          ///< why it did not help
    };
    std::optional<LteRemedy> lte_remedy;
};

/// Send a text to numbers now (POST /api/v1/messages).
struct SendRequest {
    std::vector<std::string> to;  ///< numbers as typed (normalised by the core)
    std::string text;
    std::string actor;            ///< who asked (audit / created_by)
};

/// Ids of the queued messages in the order of `to`; numbers refused with the reason.
struct SendResult {
    std::vector<std::int64_t> ids;
    std::vector<std::pair<std::string, std::string>> rejected;  ///< (number, reason)
};

/// A campaign to create (POST /api/v1/campaigns).
struct CampaignRequest {
    std::string name;
    std::string template_text;
    std::vector<std::int64_t> group_ids;
    std::vector<std::string> villages;
    std::vector<std::string> tags;
    std::vector<std::string> mobiles;
    std::vector<std::int64_t> contact_ids;
    std::vector<std::string> roles;            ///< 职务 ("党员": also anyone with a 入党日期)
    std::optional<std::int64_t> scheduled_at;  ///< unix seconds; nullopt = draft until launched
    bool start_now = false;                    ///< launch at once
    bool confirm_request = false;              ///< "收到请回复1": replies "1" count as confirmations
    bool missed_call_confirms = false;         ///< with confirm_request: a missed call confirms too (未接来电即确认)
    std::int64_t remind_after_seconds = 24 * 3600;  ///< reminder to those who did not confirm; 0 = none
    std::string actor;
};

/// A SIM's sending limits in force (0 = no limit) and the configured defaults behind them.
struct SimLimitsInForce {
    int per_minute = 0;
    int per_hour = 0;
    int per_day = 0;
    int default_per_minute = 0;  ///< what applies where the panel set nothing
    int default_per_hour = 0;
    int default_per_day = 0;
};

/// A SIM credit query that was started (SMS) or answered (USSD).
struct BalanceQueryResult {
    std::string iccid;
    std::string method;               ///< "sms" (the answer comes later as an SMS) or "ussd"
    std::string to;                   ///< the service number, or the USSD code
    std::string text;                 ///< the keyword sent (sms)
    std::string reply;                ///< the USSD answer
    std::optional<std::int64_t> fen;  ///< credit read from the USSD answer
};

/// What to do with a campaign.
enum class CampaignAction { launch, pause, resume, cancel };

/// The core's operations used by the HTTP layer. Called only on the core thread.
class CoreApi {
public:
    virtual ~CoreApi() = default;
    /// Modems ready to send now.
    virtual int modems_ready() = 0;
    /// Every modem with its state.
    virtual std::vector<ModemInfo> modems() = 0;
    /// Queues messages (one per number).
    virtual CoreResult<SendResult> send(const SendRequest& request) = 0;
    /// Creates a campaign (draft, scheduled, or started); returns its id.
    virtual CoreResult<std::int64_t> create_campaign(const CampaignRequest& request) = 0;
    /// Launches, pauses, resumes or cancels a campaign.
    virtual CoreResult<void> campaign_action(std::int64_t id, CampaignAction action,
                                             const std::string& actor) = 0;
    /// Answers message `message_id` (its sender) with `text` without revealing the number: the
    /// reply is queued like any message and linked to it (anonymous with it). Returns its id.
    virtual CoreResult<std::int64_t> reply(std::int64_t message_id, const std::string& text,
                                           const std::string& actor) {
        (void)message_id, (void)text, (void)actor;
        return cunxin::unexpected(CoreError{"unavailable", "replies are not available"});
    }
    /// Resends (true) or gives up (false) the uncertain segments of a message.
    virtual CoreResult<int> decide_uncertain(std::int64_t message_id, bool resend) = 0;
    /// Restarts a modem (by ModemInfo::id).
    virtual CoreResult<void> restart_modem(const std::string& id) = 0;
    /// Sends a USSD code (e.g. "*100#") through a modem; `done` is called on the core thread.
    virtual void ussd(const std::string& id, const std::string& code,
                      std::function<void(CoreResult<std::string>)> done) = 0;
    /// Starts a SIM-to-SIM self-test round now; returns the round ("conflict" while one runs).
    virtual CoreResult<std::int64_t> start_selftest(const std::string& actor) {
        (void)actor;
        return cunxin::unexpected(CoreError{"unavailable", "self-test is not available"});
    }
    /// Asks a modem's SIM for its credit (by ModemInfo::id); `done` is called on the core thread.
    virtual void query_balance(const std::string& id, std::function<void(CoreResult<BalanceQueryResult>)> done) {
        (void)id;
        done(cunxin::unexpected(CoreError{"unavailable", "balance queries are not available"}));
    }
    /// Settings changed through the API (menus, limits, templates): reload them.
    virtual void settings_changed() = 0;
    /// Lifts a SIM's carrier-blocking pause; "not_found" when it was not paused.
    virtual CoreResult<void> resume_sim(const std::string& iccid, const std::string& actor) {
        (void)iccid, (void)actor;
        return cunxin::unexpected(CoreError{"unavailable", "resuming SIMs is not available"});
    }
    /// The office's write commands (every write of the panel goes through them).
    virtual messaging::Commands& commands() = 0;
    /// Unix seconds now by the core's clock (network-corrected); ANY thread.
    virtual std::int64_t unix_now() const = 0;
    /// The limits in force for a SIM (panel settings over the config file); nullopt = unknown.
    virtual std::optional<SimLimitsInForce> sim_limits(const std::string& iccid) {
        (void)iccid;
        return std::nullopt;
    }
};

}  // namespace cunxin::http

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Alerts to the officials on duty by SMS: an urgent reply, a modem out of service, a blocked
/// SIM, low credit, storage nearly full, a failed self-test, a campaign that finished or
/// failed. Quiet hours, a rate limit per duty number (the excess folded into one "and N more"
/// SMS), an optional daily digest, and rules that keep alerts from looping. Core thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"

namespace cunxin::store {
class Database;
struct NewIncoming;
}  // namespace cunxin::store

namespace cunxin::messaging {

class Outbox;

/// What an alert is about.
enum class AlertKind {
    UrgentReply,         ///< a reply in an urgent reply-menu category
    ModemOutOfService,   ///< a modem gave up after its recovery ladder
    SimBlocked,          ///< a SIM paused because the carrier seems to block it
    LowCredit,           ///< a SIM's credit is below its threshold
    StorageFull,         ///< a SIM's message storage or the data disk is nearly full
    SelfTestFailed,      ///< the SIM-to-SIM self-test failed
    CampaignFinished,    ///< a broadcast finished
    CampaignFailed,      ///< a broadcast finished with most of its messages failed
    Digest,              ///< the daily digest
};
/// "urgent_reply", "modem_out_of_service", "sim_blocked", "low_credit", "storage_full",
/// "selftest_failed", "campaign_finished", "campaign_failed", "digest".
const char* to_string(AlertKind k) noexcept;
/// Parses the names above.
std::optional<AlertKind> parse_alert_kind(std::string_view s) noexcept;
/// Every kind, in declaration order.
const std::vector<AlertKind>& all_alert_kinds();
/// The kind's Chinese label as the SMS and the panel show it ("紧急反映"…).
const char* label_zh(AlertKind k) noexcept;

/// One official on duty.
struct DutyMember {
    std::string name;
    std::string number;   ///< E.164
    std::string role;
};

/// Quiet hours as minutes of the local day; start == end means none.
struct QuietHours {
    int start = 0;  ///< minute of the day the quiet hours begin (22:00 = 1320)
    int end = 0;    ///< minute they end (07:00 = 420); may be before start (over midnight)
};
/// "HH:MM" → minute of the day, or nullopt.
std::optional<int> parse_hhmm(std::string_view s) noexcept;
/// "22:00-07:00" → quiet hours, or nullopt.
std::optional<QuietHours> parse_quiet_hours(std::string_view s) noexcept;
/// True when `minute_of_day` lies in [start, end) (over midnight when end < start).
bool in_quiet_hours(const QuietHours& q, int minute_of_day) noexcept;

/// How alerts behave (the "alerts" config section).
struct AlertSettings {
    std::vector<DutyMember> duty;
    std::vector<std::string> urgent_categories{"03"};
    std::optional<QuietHours> quiet_hours;          ///< none: alerts go out at any hour (default 22:00-07:00)
    bool urgent_in_quiet_hours = false;             ///< urgent replies wake the duty phone at night
    int max_per_hour = 6;                           ///< alert SMS per duty number per hour; 0 = no limit
    std::optional<int> digest_at;                   ///< minute of the day for the daily digest
    std::set<AlertKind> kinds;                      ///< kinds that send SMS (all when built by default_alert_settings)
    std::chrono::seconds repeat_after{std::chrono::hours(6)};  ///< the same subject again is only recorded
    int sim_storage_percent = 80;                   ///< SIM message storage used at or above this alerts
    int disk_free_percent = 10;                     ///< data disk free at or below this alerts
    int reply_chars = 60;                           ///< characters of a reply's text quoted in its alert
};
/// The settings with every kind on (the config starts from this).
AlertSettings default_alert_settings();

/// Alerts (core thread). Records every alert; sends SMS through the outbox (kind `alert`,
/// ahead of other work) to each duty number.
class Alerts {
public:
    Alerts(store::Database& db, Clock& clock, Outbox& outbox, AlertSettings settings = default_alert_settings());

    /// The box's own SIM numbers now (from the modems): never alerted, never alerting.
    std::function<std::vector<std::string>()> own_numbers;
    /// Extra lines for the daily digest (credit, self-test…), joined with "；".
    std::function<std::vector<std::string>()> digest_extra;
    /// An alert was recorded (for the panel's live events): its id.
    std::function<void(std::int64_t)> on_alert;

    /// The settings in force.
    const AlertSettings& settings() const noexcept { return settings_; }

    /// Raises an alert. `subject` makes two alerts "the same": a repeat within `repeat_after`
    /// is recorded without an SMS. `from` is the number whose message caused it (never alerted
    /// back). Returns the alert's id.
    Result<std::int64_t> raise(AlertKind kind, const std::string& subject, const std::string& text,
                               const std::string& from = "");

    /// An incoming message was stored (id): alerts when its category is urgent and it is not
    /// from the box itself, a service number, an echo of an alert, or a duty number answering one.
    void on_incoming(const store::NewIncoming& m, std::int64_t id, const std::string& contact_name,
                     const std::string& village, const std::string& category_label);

    /// A modem's state and SIM storage as the pool reports them: alerts once when it goes out of
    /// service and once when its storage reaches the threshold (again after it recovered).
    void observe_modem(const std::string& port, const std::string& iccid, const std::string& state,
                       int storage_used, int storage_total);
    /// The data disk's free and total bytes: alerts once when free space falls to the threshold.
    void observe_disk(std::uint64_t free_bytes, std::uint64_t total_bytes);
    /// A campaign finished with these counts (failed ≥ half of those sent → campaign_failed).
    void campaign_finished(std::int64_t id, const std::string& name, int recipients, int delivered_or_sent,
                           int failed);

    /// Hooks of the self-test, credit and carrier-blocking parts (one line each at merge).
    /// The SIM-to-SIM self-test of `iccid` failed (`detail`: why, in Chinese).
    void selftest_failed(const std::string& iccid, const std::string& detail);
    /// A SIM's credit fell below the threshold (yuan).
    void low_credit(const std::string& iccid, double yuan, double threshold_yuan);
    /// A SIM was paused because the carrier seems to block it (`reason` in Chinese).
    void sim_blocked(const std::string& iccid, const std::string& reason);

    /// Sends waiting alerts whose quiet hours ended or whose rate limit has room, and the daily
    /// digest when due. Returns SMS queued. Call from a timer.
    Result<int> tick();

    /// The last error swallowed by a hook.
    const std::string& last_error() const noexcept { return last_error_; }

private:
    int minute_of_day() const;
    std::int64_t quiet_end_unix() const;
    bool is_own(const std::string& number) const;
    Result<int> flush();
    Result<int> digest();
    store::Database& db_;
    Clock& clock_;
    Outbox& outbox_;
    AlertSettings settings_;
    std::map<std::string, std::string> modem_state_;   ///< port → last state seen
    std::set<std::string> storage_full_;               ///< ICCIDs alerted as full
    bool disk_low_ = false;
    std::string last_error_;
};

}  // namespace cunxin::messaging

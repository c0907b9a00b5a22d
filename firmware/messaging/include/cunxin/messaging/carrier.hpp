// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Carrier blocking: when a SIM's sends keep failing or the carrier texts a suspension notice,
/// the SIM is paused (it still receives), its work goes to the other SIMs, and the pause and
/// its reason are kept durably until an admin resumes it. Also the compose-time warning about
/// identical bulk text. Core thread only.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/messaging/clock.hpp"
#include "cunxin/messaging/error.hpp"
#include "cunxin/store/sim_pauses.hpp"

namespace cunxin::store {
class Database;
}

namespace cunxin::messaging {

/// When failed sends mean a blocked card (config "carrier_blocking").
struct BlockRule {
    int failures = 5;                            ///< failures in a row…
    std::chrono::seconds window{10 * 60};        ///< …all within this time
    std::vector<int> cms_errors{500, 8, 10, 21, 29, 50};  ///< +CMS ERROR numbers that count
};

/// The failure streak of each SIM (pure: time is an argument).
class SendStreak {
public:
    explicit SendStreak(BlockRule rule = {}) : rule_(std::move(rule)) {}
    /// Records one send; true when this failure completes a streak that means blocking.
    /// A success, or a failure that does not count (other codes, LTE refusals), ends the streak.
    bool record(const std::string& iccid, bool ok, int cms_error, bool lte_refusal,
                std::chrono::system_clock::time_point at);
    /// Forgets a SIM's streak (it was resumed).
    void reset(const std::string& iccid) { fails_.erase(iccid); }
    /// The rule in force.
    const BlockRule& rule() const { return rule_; }

private:
    BlockRule rule_;
    std::map<std::string, std::deque<std::chrono::system_clock::time_point>> fails_;
};

/// True when `text` from `sender` reads as a carrier's notice that the card's SMS is suspended
/// or restricted (停机, 暂停短信, 限制发送, 涉嫌发送垃圾短信…); a low-balance reminder is not one.
bool is_suspension_notice(std::string_view sender, std::string_view text);
/// True for carrier service numbers (100xx, 1001x, 1000x, 106…, 95…, 12321…).
bool is_carrier_service_number(std::string_view sender);

/// Pauses, resumes and remembers paused SIMs.
class CarrierWatch {
public:
    CarrierWatch(store::Database& db, Clock& clock, BlockRule rule = {});

    /// Applies a pause (true) or a resume to the sending side (the modem pool).
    std::function<void(const std::string& iccid, bool paused)> apply;
    /// Raised once when a SIM gets paused (alerts connect here): `reason` is the Chinese text.
    std::function<void(const std::string& iccid, const std::string& reason)> on_sim_paused;

    /// Re-applies the pauses kept in the store (start-up); returns how many.
    Result<int> load();
    /// One AT+CMGS outcome of a SIM.
    void send_result(const std::string& iccid, bool ok, int cms_error, bool lte_refusal,
                     const std::string& detail);
    /// An incoming message on a SIM: a carrier's suspension notice pauses it.
    void incoming(const std::string& iccid, const std::string& sender, const std::string& text);
    /// Pauses a SIM now (kept in the store); false when it was already paused.
    Result<bool> pause(const store::SimPause& p);
    /// An admin resumed a SIM; false when it was not paused.
    Result<bool> resume(const std::string& iccid);

    /// Chinese explanation of a pause for the clerk.
    static std::string reason_zh(const store::SimPause& p);

private:
    store::Database& db_;
    Clock& clock_;
    SendStreak streak_;
};

/// The risk of one text going unchanged to many recipients from few SIMs.
struct BulkRisk {
    bool warn = false;
    std::int64_t identical = 0;  ///< recipients getting the same text
    int sims = 0;                ///< SIMs that would share them
    std::int64_t per_sim = 0;    ///< identical texts per SIM
    int threshold = 0;           ///< per SIM: half the hourly limit in force (100 without one)
    int hours = 0;               ///< hours to send them within the hourly limit
};
/// `texts`: the rendered texts of (a sample of) the recipients; `sendable`: all recipients;
/// `sims`: SIMs able to send; `per_hour`: the smallest hourly limit in force (0 = none).
BulkRisk assess_bulk(const std::vector<std::string>& texts, std::int64_t sendable, int sims, int per_hour);

}  // namespace cunxin::messaging

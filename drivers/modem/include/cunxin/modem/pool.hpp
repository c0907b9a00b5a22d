// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The modem pool: hot-plug, identity by IMEI/ICCID, dispatch with per-SIM limits.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cunxin/asio.hpp"
#include "cunxin/modem/modem.hpp"
#include "cunxin/modem/rate_limiter.hpp"
#include "cunxin/modem/work.hpp"

namespace cunxin::modem {

/// Pool settings.
struct PoolConfig {
    ModemConfig modem;                          ///< template for every modem (port is set per modem)
    SimLimits limits;                           ///< defaults for every SIM
    std::map<std::string, SimLimits> sim_limits;  ///< overrides keyed by ICCID
    std::chrono::milliseconds discovery_interval{5000};  ///< hot-plug scan period (discover mode)
    std::function<void(std::string_view)> log;  ///< log sink
};

/// A modem as the API shows it.
struct ModemStatus {
    std::string port;           ///< port spec
    std::string manufacturer;   ///< AT+CGMI
    std::string model;          ///< AT+CGMM
    std::string imei;           ///< modem identity
    std::string imsi;           ///< SIM IMSI
    std::string iccid;          ///< SIM identity
    std::string operator_name;  ///< network
    std::string own_number;     ///< AT+CNUM
    std::string state;          ///< "ready", "recovering", "out-of-service"...
    bool registered = false;    ///< on the network
    std::string registration;   ///< "home", "roaming", "searching"...
    std::optional<int> signal_dbm;  ///< latest CSQ
    bool sending = false;       ///< an AT+CMGS in flight
    int sent_minute = 0;        ///< this SIM's sends in the last minute
    int sent_hour = 0;          ///< ... hour
    int sent_today = 0;         ///< ... 24 hours
    SimLimits limits;           ///< limits in force for this SIM
    bool limited = false;       ///< idle because a limit is reached
    int sends_ok = 0;           ///< since this modem object started
    int sends_failed = 0;       ///< since this modem object started
    int received = 0;           ///< PDUs handed to the inbox
    int recoveries = 0;         ///< recovery ladder runs
    std::optional<at::CpmsMemory> storage;  ///< where incoming messages are stored, its use (AT+CPMS)
    std::string last_error;     ///< last failure text
    std::string revision;       ///< AT+CGMR (firmware)
    int missed_calls = 0;       ///< calls hung up since this modem object started
    std::string access_technology;  ///< "gsm", "umts", "lte", "nr"; "" unknown (AT+COPS? AcT)
    std::optional<bool> ims;    ///< IMS registration (AT+CIREG?), nullopt when the modem does not tell
    bool sms_refused_on_lte = false;  ///< CMS 500 on LTE without IMS and no remedy: gets no work
    std::optional<LteRemedy> lte_remedy;  ///< the last vendor remedy applied
    bool paused = false;        ///< its SIM is paused (carrier blocking): receives, sends nothing
};

/// What became of one AT+CMGS (for the carrier-blocking rule in messaging).
struct SendReport {
    std::string iccid;          ///< the SIM
    bool ok = false;            ///< +CMGS answered
    int cms_error = -1;         ///< +CMS ERROR number, -1 for other failures
    bool lte_refusal = false;   ///< failed as SMS over LTE without IMS (not a sign of blocking)
    std::string detail;         ///< the failure as the modem told it
};

/// The recent AT transcript of one modem (for the support bundle).
struct ModemTranscript {
    std::string port;  ///< port spec
    std::string text;  ///< STYLE.md §6 transcript, "# …" header first
};

/// Of a USB modem's ttys, the first that answers "AT" with OK (others are diagnostics, GPS, PPP).
asio::awaitable<std::optional<std::string>> find_at_port(std::vector<std::string> candidates,
                                                         std::chrono::milliseconds timeout);

/// The AT port of every USB modem plugged in now (by-id path when there is one).
asio::awaitable<std::vector<std::string>> discover_at_ports(std::chrono::milliseconds timeout);

/// Owns every modem; runs on the core executor.
class ModemPool {
public:
    /// `work` and `inbox` must outlive the pool.
    ModemPool(asio::any_io_executor executor, PoolConfig config, WorkSource& work, InboxSink& inbox);
    ~ModemPool();
    ModemPool(const ModemPool&) = delete;
    ModemPool& operator=(const ModemPool&) = delete;

    /// Adds and starts a modem on a port ("/dev/ttyUSB2", a pty, "tcp:HOST:PORT"); no-op if known.
    void add_port(const std::string& port);
    /// Stops and forgets the modem on a port.
    void remove_port(const std::string& port);
    /// Scans USB serial ports now and periodically; adds the AT port of each new modem.
    void start_discovery();
    /// New work was queued: idle modems ask for it now.
    void wake();
    /// Replaces one SIM's limits (the panel changed them); its counts are kept.
    void set_sim_limits(const std::string& iccid, SimLimits limits);
    /// Stops every modem.
    void stop();
    /// Pauses (true) or resumes a SIM's sending; a paused SIM still receives.
    void set_sim_paused(const std::string& iccid, bool paused);
    /// Allows or forbids the LTE remedy (ModemConfig::lte_sms_fallback) on every modem.
    void set_lte_sms_fallback(bool allowed);
    /// Called after every AT+CMGS with its outcome (core thread), before the next dispatch.
    std::function<void(const SendReport&)> on_send_report;
    /// Called when a modem applied the LTE remedy: its port, SIM and what was done.
    std::function<void(const std::string& port, const std::string& iccid, const LteRemedy&)> on_lte_remedy;

    /// One entry per modem.
    std::vector<ModemStatus> status() const;
    /// Each modem's AT lines of the last `window` (bounded per modem), replayable by the tests.
    std::vector<ModemTranscript> transcripts(std::chrono::seconds window) const;
    /// Modems that can send now.
    int ready_count() const;
    /// Restarts a modem (by port or IMEI); false when unknown.
    bool restart(const std::string& port_or_imei);
    /// Runs a USSD code on a modem (by port or IMEI).
    asio::awaitable<Result<std::string>> ussd(std::string port_or_imei, std::string code);
    /// Segments currently on a modem (for tests and the API).
    std::size_t in_flight() const { return in_flight_.size(); }

private:
    struct Entry;
    Entry* find(const std::string& port_or_imei);
    void on_modem_change(Entry& e);
    void dispatch();
    /// Claims work for every idle modem and marks it `sending`; its send starts once that mark
    /// is durable (sending_durable).
    void dispatch_for();
    RateLimiter::Clock::time_point claim(Entry& e, const OutgoingSegment& seg);
    /// Undoes claim() for a segment that will not be sent now.
    void unclaim(const std::shared_ptr<Modem>& modem, std::int64_t segment_id, RateLimiter::Clock::time_point counted_at,
                 const std::string& iccid);
    void sending_durable(const std::shared_ptr<Modem>& modem, OutgoingSegment seg,
                         RateLimiter::Clock::time_point counted_at, const SimIdentity& sim, bool ok);
    asio::awaitable<void> send_one(std::shared_ptr<Modem> modem, OutgoingSegment seg,
                                   RateLimiter::Clock::time_point counted_at);
    /// Sends one segment and records the outcome; false when the pool is gone. `modem` and `seg`
    /// live in the caller's frame (send_one) for the whole wait.
    asio::awaitable<bool> send_and_record(const std::shared_ptr<Modem>& modem, const OutgoingSegment& seg,
                                          RateLimiter::Clock::time_point counted_at);
    RateLimiter& limiter(const std::string& iccid);
    void arm_limit_timer(RateLimiter::Clock::time_point when);
    asio::awaitable<void> discovery_loop();
    void note(std::string_view what);

    asio::any_io_executor executor_;
    PoolConfig config_;
    WorkSource& work_;
    InboxSink& inbox_;
    std::vector<std::unique_ptr<Entry>> modems_;
    std::map<std::string, RateLimiter> limiters_;  ///< by ICCID: survives re-plugging
    std::set<std::int64_t> in_flight_;
    std::set<std::string> paused_;  ///< ICCIDs whose sending is paused
    std::size_t rotate_ = 0;
    bool dispatching_ = false;
    bool again_ = false;
    bool stopped_ = false;
    asio::steady_timer limit_timer_;
    std::optional<RateLimiter::Clock::time_point> limit_timer_at_;
    asio::steady_timer discovery_timer_;
    std::shared_ptr<bool> alive_;
};

}  // namespace cunxin::modem

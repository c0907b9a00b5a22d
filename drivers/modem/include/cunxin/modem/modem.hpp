// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One modem: probe, init, send, receive, health and recovery, as coroutines over at::Channel.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cunxin/asio.hpp"
#include "cunxin/at/parsers.hpp"
#include "cunxin/modem/error.hpp"
#include "cunxin/modem/quirks.hpp"
#include "cunxin/modem/transcript_ring.hpp"
#include "cunxin/modem/work.hpp"
#include "cunxin/serial/byte_stream.hpp"
#include "cunxin/serial/error.hpp"

namespace cunxin::at {
class Channel;
struct Urc;
struct Response;
}  // namespace cunxin::at

namespace cunxin::modem {

/// Life cycle of a modem.
enum class State { Opening, Initializing, Ready, Recovering, OutOfService, Stopped };
/// "opening", "ready"...
const char* to_string(State s) noexcept;

/// How to drive one modem.
struct ModemConfig {
    std::string port;                ///< "/dev/ttyUSB2", a pty, or "tcp:HOST:PORT"
    serial::Settings serial;         ///< baud and flow control for real ttys
    std::string pin;                 ///< SIM PIN; tried once, never when it could lock the SIM
    bool require_registration = true;  ///< init fails without network registration
    bool status_reports = true;      ///< sends ask for status reports (the PDU's TP-SRR; here: CNMI ds)
    std::chrono::milliseconds command_timeout{5000};        ///< ordinary commands
    std::chrono::milliseconds cmgs_timeout{120000};         ///< AT+CMGS (network round trip; EC25: up to 120 s)
    std::chrono::milliseconds registration_timeout{60000};  ///< waiting for CREG/CEREG
    std::chrono::milliseconds health_interval{30000};       ///< CSQ + registration poll
    std::chrono::milliseconds drain_interval{300000};       ///< AT+CMGL=4 sweep
    std::chrono::milliseconds reopen_backoff_min{500};      ///< first wait before re-opening
    std::chrono::milliseconds reopen_backoff_max{60000};    ///< longest wait between re-opens
    std::optional<std::chrono::milliseconds> reset_wait;    ///< after AT+CFUN=1,1 (default: quirks)
    int failures_before_out_of_service = 4;  ///< consecutive failed recoveries
    int failures_before_usb_reset = 2;       ///< failed re-opens before the USB device is reset (0: never)
    std::size_t history_size = 32;          ///< health samples kept
    std::function<void(std::string_view)> log;  ///< log lines ("[modem PORT] ..."); transcript at debug
    bool transcript = false;                    ///< log every AT line (STYLE.md §6 format)
    bool lte_sms_fallback = false;  ///< on CMS 500 over LTE without IMS, move the modem to 2G/3G and retry
};

/// What the box did when the network refused SMS over LTE (the vendor's remedy), for the panel.
struct LteRemedy {
    std::chrono::system_clock::time_point at;  ///< when it was applied
    std::string commands;       ///< the AT commands sent, "; "-separated
    bool moved = false;         ///< the modem left LTE (or the remedy was accepted) and was re-read
    std::string technology;     ///< access technology afterwards ("gsm", "umts", "lte", "" unknown)
    bool sent = false;          ///< the retried send went through
    std::string error;          ///< why it did not help ("" when it did)
};

/// What the modem told about itself.
struct Identity {
    std::string manufacturer;   ///< AT+CGMI
    std::string model;          ///< AT+CGMM
    std::string revision;       ///< AT+CGMR
    std::string imei;           ///< AT+CGSN
    std::string imsi;           ///< AT+CIMI
    std::string iccid;          ///< AT+CCID and vendor variants
    std::string operator_name;  ///< AT+COPS?
    std::string own_number;     ///< AT+CNUM, often empty
};

/// One health poll.
struct HealthSample {
    std::chrono::system_clock::time_point time;  ///< when
    std::optional<int> signal_dbm;               ///< AT+CSQ, nullopt when unknown
    at::RegStat registration = at::RegStat::Unknown;  ///< best of CREG/CEREG
};

/// One modem on one port. Create with Modem::create; all calls on the core executor.
class Modem : public std::enable_shared_from_this<Modem> {
public:
    /// A modem on `config.port`; `inbox` receives what arrives (may be null: messages stay on the SIM).
    static std::shared_ptr<Modem> create(asio::any_io_executor executor, ModemConfig config,
                                         InboxSink* inbox);
    ~Modem();
    Modem(const Modem&) = delete;
    Modem& operator=(const Modem&) = delete;

    /// Starts the supervisor: open, init, serve, recover, re-open — until stop().
    void start();
    /// Stops everything and closes the port.
    void stop();
    /// Opens and initializes once (no supervisor), for `cunxin modems` / `cunxin send`.
    asio::awaitable<Result<void>> open_once();

    /// Sends one segment (AT+CMGS); the TP-MR on success.
    asio::awaitable<Result<int>> send_segment(const OutgoingSegment& segment);
    /// Runs a USSD code (AT+CUSD=1,"code",15) and returns the network's answer text.
    asio::awaitable<Result<std::string>> ussd(std::string code, std::chrono::milliseconds timeout);
    /// Forces the recovery ladder (re-init, reset, re-open); SMS over LTE is tried afresh.
    void restart();
    /// Reads everything stored on the SIM (AT+CMGL=4) now.
    asio::awaitable<void> drain();

    /// Called whenever the state or health changes.
    void on_change(std::function<void()> f) { on_change_ = std::move(f); }

    State state() const { return state_; }                     ///< current state
    bool ready() const { return state_ == State::Ready; }      ///< can send now
    bool sending() const { return sending_; }                  ///< an AT+CMGS is in flight
    const std::string& port() const { return config_.port; }   ///< port spec
    const Identity& identity() const { return identity_; }     ///< what probe read
    SimIdentity sim_identity() const;                           ///< for the WorkSource
    const Quirks& quirks() const { return *quirks_; }          ///< matched quirks
    std::optional<int> signal_dbm() const;                      ///< latest CSQ
    at::RegStat registration() const { return registration_; } ///< latest registration
    const std::deque<HealthSample>& history() const { return history_; }  ///< recent polls
    const std::string& last_error() const { return last_error_; }         ///< last failure text
    int sends_ok() const { return sends_ok_; }          ///< segments sent since start
    int sends_failed() const { return sends_failed_; }  ///< segments failed since start
    int received() const { return received_; }          ///< PDUs handed to the inbox
    int recoveries() const { return recoveries_; }      ///< recovery ladder runs
    int missed_calls() const { return missed_calls_; }  ///< calls hung up since start
    /// Access technology of the serving network (AT+COPS? <AcT>): "gsm", "umts", "lte", "nr", nullptr unknown.
    const char* access_technology() const { return at::access_technology(act_); }
    /// IMS registration (AT+CIREG?); nullopt when the modem does not tell.
    std::optional<bool> ims_registered() const { return ims_; }
    /// Sends failed with CMS 500 on LTE without IMS and no remedy helped: no work for it now.
    bool sms_refused_on_lte() const { return lte_refused_; }
    /// The last LTE remedy applied, if any.
    const std::optional<LteRemedy>& lte_remedy() const { return lte_remedy_; }
    /// Allows or forbids the LTE remedy from now on (the admin's setting).
    void set_lte_sms_fallback(bool allowed);
    /// Called after an LTE remedy was applied (for the audit log).
    void on_lte_remedy(std::function<void(const LteRemedy&)> f) { on_lte_remedy_ = std::move(f); }
    /// The last AT lines of this modem (every line, whatever the log level).
    const TranscriptRing& transcript() const { return transcript_ring_; }
    /// Use of the storage incoming messages go to ("SM" …), as AT+CPMS last told (at init and
    /// after every drain); nullopt before. Nearly full means messages the inbox could not take
    /// are piling up on the SIM: reception stops when it is full.
    const std::optional<at::CpmsMemory>& storage() const { return storage_; }

private:
    Modem(asio::any_io_executor executor, ModemConfig config, InboxSink* inbox);
    asio::awaitable<void> supervise();
    asio::awaitable<Result<void>> open_port();
    asio::awaitable<Result<void>> initialize();
    asio::awaitable<Result<void>> unlock_sim();
    asio::awaitable<Result<void>> wait_registration();
    asio::awaitable<void> configure_messages();
    asio::awaitable<void> poll_health();
    asio::awaitable<void> read_network();  ///< AT+COPS? (operator, AcT) and AT+CIREG? (IMS)
    asio::awaitable<bool> leave_lte();     ///< the vendor's command to stop using LTE, then re-read
    asio::awaitable<at::Result<at::Response>> cmgs(const OutgoingSegment& segment);
    asio::awaitable<void> read_stored(std::string mem, int index);
    asio::awaitable<void> serve();
    asio::awaitable<void> sleep(std::chrono::milliseconds d);
    asio::awaitable<at::Result<at::Response>> cmd(std::string line);
    asio::awaitable<at::Result<at::Response>> cmd(std::string line, std::chrono::milliseconds t);
    void on_urc(const at::Urc& urc);
    void ring(std::string_view line);             ///< RING / +CRING / +CLIP: a call to hang up
    asio::awaitable<void> hang_up_call();
    void trouble(const std::string& why);
    void set_state(State s);
    void note(std::string_view what);
    void keep_storage(const at::CpmsMemory& st);  ///< storage_ = st; logs once when it gets nearly full
    bool store_pdu(const std::string& pdu);
    /// Waits until what store_pdu wrote is on disk (group commit); false: keep it on the SIM.
    asio::awaitable<bool> stored_durable();
    /// serial::reset_usb_device on a worker thread; the loop goes on meanwhile.
    asio::awaitable<serial::Result<bool>> reset_usb_off_loop(std::string port);
    void offer_time(const at::NetworkTime& t);

    asio::any_io_executor executor_;
    ModemConfig config_;
    InboxSink* inbox_;
    std::shared_ptr<at::Channel> channel_;
    asio::steady_timer wake_;
    State state_ = State::Stopped;
    bool stopped_ = true;
    bool trouble_ = false;
    bool sending_ = false;
    bool pin_tried_ = false;
    bool pin_rejected_ = false;
    bool cmms_ok_ = false;
    bool sr_ok_ = false;
    bool cnma_needed_ = false;
    bool drain_requested_ = false;
    std::string mem1_ = "SM";
    Identity identity_;
    const Quirks* quirks_;
    std::optional<int> signal_dbm_;
    at::RegStat registration_ = at::RegStat::Unknown;
    std::deque<HealthSample> history_;
    std::deque<std::pair<std::string, int>> to_read_;
    std::string last_error_;
    std::uint64_t garbage_seen_ = 0;
    int sends_ok_ = 0;
    int sends_failed_ = 0;
    int received_ = 0;
    int recoveries_ = 0;
    std::optional<at::CpmsMemory> storage_;
    std::optional<std::string> ussd_reply_;
    asio::steady_timer ussd_wait_;
    TranscriptRing transcript_ring_;
    enum class CallPhase { None, Waiting, Cooling } call_phase_ = CallPhase::None;
    std::string call_number_;        ///< +CLIP of the ringing call
    asio::steady_timer call_wait_;
    int missed_calls_ = 0;
    std::function<void()> on_change_;
    int act_ = -1;                    ///< AcT of the last AT+COPS?
    std::optional<bool> ims_;         ///< last AT+CIREG?
    bool cireg_supported_ = true;     ///< false after an ERROR (asked again after re-init)
    bool lte_refused_ = false;
    bool lte_remedy_tried_ = false;   ///< once until a person restarts the modem
    std::optional<LteRemedy> lte_remedy_;
    std::function<void(const LteRemedy&)> on_lte_remedy_;
};

}  // namespace cunxin::modem

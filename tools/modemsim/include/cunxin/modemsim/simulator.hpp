// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Simulated USB GSM/LTE modems on ptys (and loopback TCP) for tests, the demo and benchmarks.
///
/// Each modem speaks a realistic AT surface (27.007/27.005, PDU mode) with the answer formats of
/// a chosen stick profile, keeps SIM storage of limited size, raises +CMTI/+CMT/+CDS/+CDSI URCs,
/// and can be made to misbehave at start or at run time. What the product sends is decoded with
/// the simulator's own minimal PDU decoder (never drivers/sms), so codec bugs cannot cancel out.
/// The simulator runs its own thread; every public member is thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cunxin::modemsim {

/// Which real stick's answer formats a simulated modem imitates.
enum class Profile {
    QuectelEc25,   ///< Quectel EC25: +QCCID, +QPINC, +CTZE, RDY / +QIND: SMS DONE at boot
    SimcomSim7600, ///< SIMCom SIM7600CE: +CICCID (+ICCID:), +SPIC, +CTZV, SMS DONE / PB DONE at boot
    HuaweiE3372,   ///< Huawei E3372 stick firmware: ^ICCID (nibble-swapped), ^CPIN, ^SMMEMFULL, ^NWTIME
};

/// Home network of a simulated SIM.
enum class Operator {
    ChinaMobile,  ///< 中国移动, "CHINA MOBILE", 46000
    ChinaUnicom,  ///< 中国联通, "CHINA UNICOM", 46001
    ChinaTelecom, ///< 中国电信, "CHINA TELECOM", 46011
};

/// Parses "ec25" / "sim7600" / "e3372" (case-insensitive); nullopt when unknown.
std::optional<Profile> parse_profile(std::string_view name);
/// Short name of a profile ("ec25", "sim7600", "e3372").
std::string_view profile_name(Profile p);
/// Parses "mobile"/"cmcc", "unicom"/"cu", "telecom"/"ct"; nullopt when unknown.
std::optional<Operator> parse_operator(std::string_view name);

/// Behaviour that can be switched at start (ModemConfig::faults) and at run time (set_faults).
struct Faults {
    double error_rate = 0.0;            ///< probability that an AT+CMGS is answered +CMS ERROR
    std::vector<int> error_codes{500};  ///< +CMS ERROR codes drawn from (uniformly) on a failure
    int fail_next = 0;                  ///< the next N AT+CMGS fail for sure (codes taken in turn)
    int hang_after_sends = -1;          ///< after N more successful sends, stop answering (-1: never)
    bool hung = false;                  ///< not answering anything now (input read and dropped)
    int garbage_every_ms = 0;           ///< inject random garbage bytes on the line periodically (0: off)
    int slow_ms = 0;                    ///< extra delay before every answer
    bool no_network = false;            ///< not registered (CREG stat 2, sends fail with +CMS ERROR 331)
    int signal_csq = 20;                ///< rssi reported by AT+CSQ (0..31, 99 unknown)
    int report_status = 0;              ///< TP-ST of status reports (0 delivered, 0x20.. temp, 0x40.. perm)
    int report_delay_ms = 20;           ///< delay between +CMGS and the status report (when SRR was set)
    double report_loss = 0.0;           ///< probability that a requested status report never comes
    bool reports_to_sr = false;         ///< file reports silently in "SR" whatever CNMI says (EC25-like quirk)
    bool noise_in_responses = false;    ///< vendor URCs of the profile between the lines of every answer
    bool carrier_blocked = false;       ///< the carrier suspended the card: every AT+CMGS fails with
                                        ///< +CMS ERROR 500 while it stays registered (it still receives)
    bool lte_refuses_sms = false;       ///< the LTE network carries no SMS (no SGs, no IMS): on LTE every
                                        ///< AT+CMGS fails with +CMS ERROR 500 and AT+CIREG? says 0, until
                                        ///< the modem is moved to 2G/3G (EC25: AT+QCFG="nwscanmode";
                                        ///< SIM7600: AT+CNMP) or told AT+CGSMS=1/3
    bool no_receive = false;            ///< texts from the other simulated SIMs never reach this one
};

/// One simulated modem's identity and starting state; empty strings are generated from its index.
struct ModemConfig {
    Profile profile = Profile::QuectelEc25;  ///< answer formats
    std::optional<Operator> op;              ///< home network (default: cycles Mobile, Unicom, Telecom)
    std::string imei;                        ///< 15 digits with a valid Luhn check digit
    std::string imsi;                        ///< 15 digits starting with the operator's MCC/MNC
    std::string iccid;                       ///< 20 digits starting with 8986
    std::string own_number;                  ///< +86… given by AT+CNUM ("-" : SIM stores none)
    std::string pin;                         ///< non-empty: SIM starts locked with this PIN
    std::string puk = "12345678";            ///< unlocks a SIM blocked by 3 wrong PINs
    int sm_slots = 30;                       ///< capacity of SIM storage "SM"
    int me_slots = 50;                       ///< capacity of phone storage "ME"
    int sr_slots = 30;                       ///< capacity of status-report storage "SR"
    bool tcp = false;                        ///< also serve the modem on a loopback TCP port
    std::uint16_t tcp_port = 0;              ///< that port (0: ephemeral)
    bool nitz = true;                        ///< network time: CCLK valid; +CTZE/+CTZV when AT+CTZR asks, ^NWTIME (Huawei)
    bool periodic_urcs = false;              ///< vendor noise URCs every few seconds (^RSSI, +QIND: csq…)
    bool sim_full = false;                   ///< start with every SM slot holding an old message
    bool reset_reenumerates = false;         ///< AT+CFUN=1,1 drops the port and returns on a new pty (USB re-enumeration)
    Faults faults;                           ///< faults active from the start
    std::optional<std::int64_t> balance_fen; ///< credit the carrier's service number reports (default from the index)
};

/// Simulator-wide settings.
struct Config {
    int modems = 1;                                     ///< number of simulated modems
    std::vector<ModemConfig> modem;                     ///< per-modem settings (missing ones: defaults)
    std::chrono::milliseconds cmgs_latency{5};          ///< time an AT+CMGS takes before +CMGS:
    std::chrono::milliseconds command_latency{0};       ///< time any other command takes
    std::chrono::milliseconds reset_quiet{300};         ///< AT+CFUN=1,1: silence before answering again
    std::chrono::milliseconds registration_delay{50};   ///< searching time after unlock/reset
    std::chrono::milliseconds cnma_timeout{5000};       ///< CSMS=1: a +CMT not acked by AT+CNMA comes again
    std::string link_dir;                               ///< non-empty: symlinks <dir>/modem<i> to ptys
    std::string control;                                ///< "127.0.0.1:PORT" (0: ephemeral), "unix:PATH", "" none
    std::chrono::milliseconds delivery_delay{200};      ///< a text to another simulated SIM (or a service answer) arrives after this
    std::uint32_t seed = 1;                             ///< random faults and garbage are reproducible
};

/// What tests and tools see of a modem.
struct ModemInfo {
    int index = 0;            ///< 0-based modem number
    std::string pty_path;     ///< the path the product opens, e.g. /dev/pts/7 ("" while vanished)
    std::string link_path;    ///< stable symlink (when Config::link_dir is set)
    std::uint16_t tcp_port = 0;  ///< loopback port (0: none); use "tcp:127.0.0.1:PORT"
    bool present = true;      ///< false while vanished
    std::string manufacturer; ///< as AT+CGMI answers
    std::string model;        ///< as AT+CGMM answers
    std::string revision;     ///< as AT+CGMR answers
    std::string imei;         ///< 15 digits
    std::string imsi;         ///< 15 digits
    std::string iccid;        ///< 20 digits, unswapped
    std::string operator_name;  ///< e.g. "CHINA MOBILE"
    std::string own_number;   ///< +86… or ""
    Profile profile = Profile::QuectelEc25;  ///< answer formats
};

/// One segment the product submitted with AT+CMGS, as decoded by the simulator's own decoder.
struct Sent {
    int modem = 0;                   ///< which modem took it
    int mr = 0;                      ///< message reference answered in +CMGS: (per modem, wraps at 255)
    std::string recipient;           ///< TP-DA, "+" prefixed when international
    std::string text;                ///< UTF-8 (8-bit data: hex)
    std::string encoding;            ///< "gsm7", "ucs2" or "8bit"
    int concat_ref = -1;             ///< concatenation reference (-1: not concatenated)
    int concat_part = 0;             ///< 1-based part number (0: not concatenated)
    int concat_total = 0;            ///< number of parts (0: not concatenated)
    bool status_report = false;      ///< TP-SRR was set
    int tp_mr = 0;                   ///< TP-MR the product put in the PDU
    std::optional<int> validity;     ///< TP-VP relative octet, when present
    std::string pdu;                 ///< hex as received (with the SMSC field)
    std::chrono::system_clock::time_point time;  ///< when +CMGS: was answered
};

/// An incoming message to deliver to a modem as if from the network.
struct Incoming {
    int modem = 0;                   ///< receiving modem
    std::string from;                ///< originator, e.g. "+8613800000001" or "10086"
    std::string text;                ///< UTF-8
    std::string encoding = "auto";   ///< "auto" (GSM7 when possible), "gsm7" or "ucs2"
    std::vector<int> parts_order;    ///< 1-based order of delivery of the parts (empty: 1..n)
    std::optional<std::chrono::system_clock::time_point> scts;  ///< service centre time (default: now)
    int delay_ms = 0;                ///< delay between parts
};

/// Per-modem counters and state for status().
struct ModemStatus {
    int index = 0;               ///< modem number
    bool present = true;         ///< not vanished
    bool hung = false;           ///< not answering
    bool registered = true;      ///< CREG stat 1
    std::string sim;             ///< "READY", "SIM PIN" or "SIM PUK"
    int sends_ok = 0;            ///< +CMGS answered
    int sends_failed = 0;        ///< +CMS ERROR answered to AT+CMGS (faults and bad PDUs)
    int bad_pdus = 0;            ///< submitted PDUs our decoder rejected
    int sm_used = 0;             ///< messages in SM
    int sm_slots = 0;            ///< SM capacity
    int sr_used = 0;             ///< status reports in SR
    int network_queue = 0;       ///< incoming parts waiting for SIM space
    int delivered_parts = 0;     ///< incoming parts stored or shown to the product
    int reports_sent = 0;        ///< status reports emitted
    int redelivered = 0;         ///< +CMT parts delivered again for want of AT+CNMA
    int commands = 0;            ///< AT command lines processed
    int next_mr = 0;             ///< MR the next send will get
    int noise_urcs = 0;          ///< vendor URCs written inside answers (noise_in_responses)
    int calls = 0;               ///< incoming calls rung (ring control command)
    int hangups = 0;             ///< calls ended by ATH while ringing
    bool ringing = false;        ///< a call is ringing now
    int act = 7;                 ///< access technology of +COPS? (7 LTE, 2 UTRAN, 0 GSM)
    bool ims = true;             ///< AT+CIREG? registered (false while the LTE network refuses SMS)
};

/// Runs N simulated modems on their own thread.
class Simulator {
public:
    /// Prepares the simulator; nothing is opened before start().
    explicit Simulator(Config config);
    /// Stops (if running) and joins the thread.
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    /// Opens the ptys, ports and control socket and starts the thread; throws std::runtime_error.
    void start();
    /// Closes everything and joins the thread; idempotent.
    void stop();

    /// Paths, ports and identities of every modem.
    std::vector<ModemInfo> modems() const;
    /// Counters and state of every modem.
    std::vector<ModemStatus> status() const;

    /// Delivers an incoming message (split into parts as needed); returns the number of parts.
    int inject(const Incoming& message);
    /// Every segment accepted so far, in order of acceptance.
    std::vector<Sent> sent() const;
    /// Forgets the list returned by sent().
    void clear_sent();
    /// Waits until sent() holds at least n entries; false on timeout.
    bool wait_sent(std::size_t n, std::chrono::milliseconds timeout) const;

    /// Replaces a modem's faults.
    void set_faults(int modem, const Faults& faults);
    /// A modem's current faults.
    Faults faults(int modem) const;
    /// Closes a modem's pty and TCP port; comes back on a new pty after back_after (negative: never).
    void vanish(int modem, std::chrono::milliseconds back_after = std::chrono::milliseconds(-1));
    /// Writes bytes (random when empty) on a modem's line, as line noise would.
    void inject_garbage(int modem, std::string bytes = {});
    /// Fills every free slot of SM with old messages (a full SIM).
    void fill_sim(int modem);
    /// Locks the SIM with a PIN again (takes effect like a fresh boot: AT+CPIN? says SIM PIN).
    void lock_sim(int modem, std::string pin);
    /// Rings a voice call: RING (and +CLIP with `number` after AT+CLIP=1) every `every`, `rings`
    /// times, until ATH; unanswered, it ends with NO CARRIER.
    void ring(int modem, std::string number, int rings = 5,
              std::chrono::milliseconds every = std::chrono::milliseconds(1000));
    /// Sets the credit the carrier's service number reports for a modem's SIM (negative: owing).
    void set_balance(int modem, std::int64_t fen);
    /// Changes latencies at run time.
    void set_latency(std::chrono::milliseconds cmgs, std::chrono::milliseconds command);

    /// Runs one control command (a JSON object, as on the control socket) and returns the JSON reply.
    std::string control(std::string_view json_line);
    /// The control socket's address ("127.0.0.1:PORT" or "unix:PATH"), "" when none.
    std::string control_endpoint() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cunxin::modemsim

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// One simulated modem: endpoints (pty, loopback TCP), AT interpreter, SIM storage, network side.
/// Everything here runs on the simulator's io_context thread.

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cunxin/asio.hpp"
#include "cunxin/modemsim/simulator.hpp"
#include "pdu.hpp"

namespace cunxin::modemsim {

/// Latencies shared by all modems (changed at run time by set_latency).
struct Timing {
    std::chrono::milliseconds cmgs{5};          ///< per AT+CMGS
    std::chrono::milliseconds command{0};       ///< per other command
    std::chrono::milliseconds reset_quiet{300}; ///< silence after AT+CFUN=1,1
    std::chrono::milliseconds registration{50}; ///< searching time
    std::chrono::milliseconds cnma{5000};       ///< +CNMA window (CSMS=1)
};

/// Fills empty identity fields of a modem config from its index.
ModemConfig complete_identity(int index, ModemConfig cfg, std::uint32_t seed);

/// One simulated modem.
class SimModem {
public:
    /// Called on the io thread with every accepted segment.
    using SentHook = std::function<void(const Sent&)>;

    SimModem(asio::io_context& io, int index, ModemConfig cfg, const Timing& timing,
             std::string link_dir, std::uint32_t seed, SentHook on_sent);
    ~SimModem();
    SimModem(const SimModem&) = delete;
    SimModem& operator=(const SimModem&) = delete;

    /// Opens the pty (and TCP port) and boots; throws std::runtime_error.
    void open();
    /// Closes endpoints and cancels timers for good.
    void shutdown();
    /// Closes endpoints; reopens on a new pty after back_after (negative: never).
    void vanish(std::chrono::milliseconds back_after);

    /// Paths and identity.
    ModemInfo info() const;
    /// Counters and state.
    ModemStatus status() const;
    /// Queues incoming parts network-side in the given 1-based order, delay_ms apart.
    void deliver(std::vector<EncodedPdu> parts, const std::vector<int>& order, int delay_ms);
    /// Replaces the faults.
    void set_faults(const Faults& f);
    /// Current faults.
    const Faults& faults() const { return faults_; }
    /// Writes bytes (random when empty) on the line.
    void inject_garbage(std::string bytes);
    /// Fills every free SM slot.
    void fill_sim();
    /// Rings a call (see Simulator::ring).
    void ring(std::string number, int rings, std::chrono::milliseconds every);
    /// Locks the SIM with pin and reboots it.
    void lock_sim(std::string pin);
    /// Next concatenation reference for an incoming multipart message.
    int next_concat_ref();
    /// The SMSC address of this SIM's operator.
    std::string smsc() const;

private:
    struct Stored {
        std::string pdu;
        int length = 0;
        int stat = 0;  // 0 REC UNREAD, 1 REC READ
    };
    struct Storage {
        const char* name;
        std::vector<std::optional<Stored>> slots;
        int used() const;
        int free_index() const;
    };
    struct Reply {
        std::vector<std::string> lines;
        std::string final = "OK";
        bool prompt = false;
        bool reset = false;
        std::function<void()> after;
    };
    enum class Mode { Command, Pdu };
    enum class Sim { Ready, Pin, Puk, Blocked };

    // endpoints
    void open_pty();
    void open_tcp();
    void close_endpoints();
    void poll_pty();
    void start_pty_read();
    void start_accept();
    void start_tcp_read();
    void write(const std::string& bytes);
    void kick_pty();
    void kick_tcp();
    void update_link();

    // interpreter
    void on_input(const char* data, std::size_t n);
    void pump();
    void exec_line(const std::string& line);
    Reply exec_one(const std::string& cmd);
    Reply exec_basic(const std::string& cmd);
    void exec_submit(const std::string& hex);
    /// Writes text after delay (+ slow_ms): before() runs just before the write, after() just after.
    void respond(std::string text, std::chrono::milliseconds delay, std::function<void()> after,
                 std::function<void()> before = nullptr);
    std::string cme(int code) const;
    static std::string cms(int code);
    void urc(const std::string& line);
    void flush_urcs();

    // state
    void boot();
    void start_registration();
    bool registered() const;
    int reg_stat() const;
    void deliver_pending();
    void expect_ack(std::optional<EncodedPdu> redeliver);
    void status_report(int mr, const std::string& recipient, std::chrono::system_clock::time_point t);
    void schedule_garbage();
    void schedule_periodic();
    std::string random_garbage();
    std::string reg_line(const char* name, int n) const;
    std::string ati() const;

    asio::io_context& io_;
    int index_;
    ModemConfig cfg_;
    const Timing& timing_;
    std::string link_dir_;
    std::string link_path_;
    SentHook on_sent_;
    std::mt19937 rng_;
    Faults faults_;

    // endpoints
    unsigned gen_ = 0;
    bool present_ = false;
    bool shut_ = false;
    std::unique_ptr<asio::posix::stream_descriptor> pty_;
    std::string pty_path_;
    bool pty_connected_ = false;
    bool pty_writing_ = false;
    std::string pty_out_;
    std::string pty_wbuf_;
    std::array<char, 1024> pty_rbuf_{};
    std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
    std::unique_ptr<asio::ip::tcp::socket> client_;
    std::uint16_t tcp_port_ = 0;
    bool tcp_writing_ = false;
    std::string tcp_out_;
    std::string tcp_wbuf_;
    std::array<char, 1024> tcp_rbuf_{};
    asio::steady_timer poll_timer_;
    asio::steady_timer cmd_timer_;
    asio::steady_timer reg_timer_;
    asio::steady_timer back_timer_;
    asio::steady_timer garbage_timer_;
    asio::steady_timer periodic_timer_;
    asio::steady_timer retry_timer_;
    asio::steady_timer ring_timer_;
    void ring_once(unsigned gen);
    std::string noise_line();

    // interpreter
    std::string in_;
    Mode mode_ = Mode::Command;
    bool busy_ = false;
    bool quiet_ = false;
    bool pumping_ = false;
    int cmgs_len_ = 0;
    std::deque<std::string> urcs_;

    // settings reset at boot
    bool echo_ = true;
    int cmee_ = 1;
    int creg_n_ = 0;
    int cereg_n_ = 0;
    int cops_format_ = 0;
    int cfun_ = 1;
    int csms_ = 0;
    int cmms_ = 0;
    int ctzr_ = 0;
    std::array<int, 5> cnmi_{2, 1, 0, 0, 0};
    std::array<int, 3> mem_{0, 0, 0};  // indices into storages_: mem1, mem2, mem3
    std::string cscs_ = "IRA";
    bool registered_ = false;
    std::deque<std::pair<unsigned, std::optional<EncodedPdu>>> pending_acks_;  // oldest first
    unsigned ack_id_ = 0;
    int redelivered_ = 0;

    // SIM and network
    Sim sim_ = Sim::Ready;
    int pin_attempts_ = 3;
    int puk_attempts_ = 10;
    std::array<Storage, 3> storages_;
    std::deque<EncodedPdu> network_queue_;
    bool full_indicated_ = false;
    int mr_ = 0;
    int concat_ref_ = 0;

    // counters
    int sends_ok_ = 0;
    int sends_failed_ = 0;
    int bad_pdus_ = 0;
    int delivered_parts_ = 0;
    int reports_sent_ = 0;
    int commands_ = 0;
    int fail_code_turn_ = 0;
    int noise_turn_ = 0;
    int noise_urcs_ = 0;
    bool clip_ = false;        // AT+CLIP=1: +CLIP after each RING
    int rings_left_ = 0;       // rings of the ringing call (0: none)
    std::string caller_;
    std::chrono::milliseconds ring_every_{1000};
    int calls_ = 0;
    int hangups_ = 0;
    // radio (kept across reboots, as the vendors' settings are kept in NV)
    int act_ = 7;              // access technology +COPS? reports
    int scan_mode_ = 0;        // AT+QCFG="nwscanmode" (EC25)
    int cnmp_ = 2;             // AT+CNMP (SIM7600)
    int cgsms_ = 2;            // AT+CGSMS (27.007 §10.1.21): 2 packet preferred
    bool lte_sms_refused() const { return faults_.lte_refuses_sms && act_ == 7 && cgsms_ != 1 && cgsms_ != 3; }
    void set_act(int act);     // moves to another radio: re-registers
};

}  // namespace cunxin::modemsim

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/modem/modem.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <thread>
#include <vector>

#include "cunxin/at/channel.hpp"
#include "cunxin/at/gsm_errors.hpp"
#include "cunxin/serial/discovery.hpp"

namespace cunxin::modem {

using namespace std::chrono_literals;

const char* to_string(Errc e) noexcept {
    switch (e) {
        case Errc::NotReady: return "not-ready";
        case Errc::Rejected: return "rejected";
        case Errc::Unconfirmed: return "unconfirmed";
        case Errc::Timeout: return "timeout";
        case Errc::PortLost: return "port-lost";
        case Errc::OpenFailed: return "open-failed";
        case Errc::PinRequired: return "pin-required";
        case Errc::PinRejected: return "pin-rejected";
        case Errc::SimBlocked: return "sim-blocked";
        case Errc::NoSim: return "no-sim";
        case Errc::NotRegistered: return "not-registered";
        case Errc::Probe: return "probe";
        case Errc::Command: return "command";
    }
    return "?";
}

const char* to_string(State s) noexcept {
    switch (s) {
        case State::Opening: return "opening";
        case State::Initializing: return "initializing";
        case State::Ready: return "ready";
        case State::Recovering: return "recovering";
        case State::OutOfService: return "out-of-service";
        case State::Stopped: return "stopped";
    }
    return "?";
}

namespace {

/// The first memory an AT+CPMS answer (set or query form) reports; `mem` names it when the
/// answer does not (the set form).
std::optional<at::CpmsMemory> first_storage(const at::Response& r, const std::string& mem) {
    for (const auto& line : r.lines) {
        auto mm = at::parse_cpms(line);
        if (!mm || mm->empty()) continue;
        auto first = mm->front();
        if (first.mem.empty()) first.mem = mem;
        return first;
    }
    return std::nullopt;
}

/// 80 % or more used: what the inbox could not take is piling up.
bool nearly_full(const at::CpmsMemory& m) { return m.total > 0 && m.used * 5 >= m.total * 4; }

Error from_at(const at::Error& e, Errc fallback) {
    switch (e.code) {
        case at::Errc::Timeout: return Error{Errc::Timeout, -1, e.detail};
        case at::Errc::Unconfirmed: return Error{Errc::Unconfirmed, -1, e.detail};
        case at::Errc::PortClosed: return Error{Errc::PortLost, -1, e.detail};
        case at::Errc::Cancelled: return Error{Errc::NotReady, -1, e.detail};
        case at::Errc::CmsError:
        case at::Errc::CmeError:
        case at::Errc::Error:
        case at::Errc::NoCarrier:
        case at::Errc::Parse: return Error{fallback, e.gsm_code, e.detail};
    }
    return Error{fallback, e.gsm_code, e.detail};
}

// TP-MTI of a PDU with its SMSC field: 0 deliver, 1 submit, 2 status report; -1 unreadable.
int pdu_type(const std::string& hex) {
    auto octet = [&](std::size_t i) -> int {
        if (hex.size() < 2 * i + 2) return -1;
        unsigned v = 0;
        const auto [p, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
        return ec == std::errc{} ? static_cast<int>(v) : -1;
    };
    const int smsc_len = octet(0);
    if (smsc_len < 0) return -1;
    const int first = octet(static_cast<std::size_t>(smsc_len) + 1);
    if (first < 0) return -1;
    return first & 0x03;  // TS 23.040 §9.2.3.1
}

bool has(const at::Supported& s, std::size_t param, int value) {
    return param < s.size() && std::find(s[param].begin(), s[param].end(), value) != s[param].end();
}

// Network clocks earlier than this are modem defaults (2004/01/01, 1980...), never the truth.
constexpr auto kEarliestPlausible = std::chrono::system_clock::time_point(std::chrono::seconds(1704067200));

}  // namespace

std::shared_ptr<Modem> Modem::create(asio::any_io_executor executor, ModemConfig config, InboxSink* inbox) {
    return std::shared_ptr<Modem>(new Modem(std::move(executor), std::move(config), inbox));
}

Modem::Modem(asio::any_io_executor executor, ModemConfig config, InboxSink* inbox)
    : executor_(executor), config_(std::move(config)), inbox_(inbox), wake_(executor),
      quirks_(&quirks_for("", "")), ussd_wait_(executor), call_wait_(executor) {}

Modem::~Modem() {
    if (channel_) channel_->close();
}

SimIdentity Modem::sim_identity() const {
    return SimIdentity{identity_.iccid, identity_.imsi, identity_.imei, identity_.operator_name,
                       identity_.own_number};
}

std::optional<int> Modem::signal_dbm() const { return signal_dbm_; }

void Modem::note(std::string_view what) {
    if (!config_.log) return;
    std::string l = "[modem " + config_.port + "] ";
    l += what;
    config_.log(l);
}

void Modem::set_state(State s) {
    if (state_ == s) return;
    state_ = s;
    note(std::string("state ") + to_string(s));
    if (on_change_) on_change_();
}

void Modem::trouble(const std::string& why) {
    if (!trouble_) note("trouble: " + why);
    last_error_ = why;
    trouble_ = true;
    if (state_ == State::Ready) set_state(State::Recovering);  // no new work from now on
    wake_.cancel();
}

void Modem::start() {
    if (!stopped_) return;
    stopped_ = false;
    asio::co_spawn(executor_, [self = shared_from_this()]() { return self->supervise(); }, asio::detached);
}

void Modem::stop() {
    call_wait_.cancel();
    stopped_ = true;
    if (channel_) channel_->close();
    wake_.cancel();
    set_state(State::Stopped);
}

void Modem::restart() {
    // A person restarted it: SMS over LTE gets a fresh try, and the LTE remedy may run again.
    lte_refused_ = false;
    lte_remedy_tried_ = false;
    trouble("restart requested");
}

asio::awaitable<void> Modem::sleep(std::chrono::milliseconds d) {
    wake_.expires_after(d);
    boost::system::error_code ec;
    co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<at::Result<at::Response>> Modem::cmd(std::string line) {
    return cmd(std::move(line), config_.command_timeout);
}

asio::awaitable<at::Result<at::Response>> Modem::cmd(std::string line, std::chrono::milliseconds t) {
    auto ch = channel_;
    if (!ch || !ch->is_open()) co_return unexpected(at::Error{at::Errc::PortClosed, -1, "port closed"});
    auto r = co_await ch->command(std::move(line), t);
    if (!r && r.error().code == at::Errc::Timeout && ch->consecutive_timeouts() >= 2) {
        trouble("modem stopped answering");
    }
    co_return r;
}

asio::awaitable<Result<void>> Modem::open_port() {
    set_state(State::Opening);
    auto s = co_await serial::open_stream(config_.port, config_.serial);
    if (!s) co_return unexpected(Error{Errc::OpenFailed, s.error().gsm_code, s.error().detail});
    channel_ = at::Channel::create(executor_, std::move(*s));
    std::weak_ptr<Modem> weak = weak_from_this();
    channel_->on_urc([weak](const at::Urc& u) {
        if (auto self = weak.lock()) self->on_urc(u);
    });
    channel_->on_closed([weak](const at::Error& e) {
        if (auto self = weak.lock()) self->trouble("port lost: " + e.detail);
    });
    // Every AT line goes to the bounded ring (the support bundle); to the log at debug level.
    channel_->on_transcript([weak](std::string_view l) {
        auto self = weak.lock();
        if (!self) return;
        self->transcript_ring_.add(std::chrono::system_clock::now(), l);
        if (self->config_.transcript) self->note(l);
    });
    garbage_seen_ = 0;
    channel_->start();
    co_return co_await initialize();
}

asio::awaitable<Result<void>> Modem::open_once() {
    stopped_ = false;
    auto r = co_await open_port();
    if (r) {
        set_state(State::Ready);
    } else {
        last_error_ = r.error().detail;
    }
    co_return r;
}

asio::awaitable<Result<void>> Modem::initialize() {
    set_state(State::Initializing);
    trouble_ = false;
    bool alive = false;
    for (int i = 0; i < 3 && !alive && !stopped_; ++i) {
        // A modem left waiting for a PDU after "> " (the previous owner died mid AT+CMGS) takes
        // "AT" as PDU text; ESC (27.005 §3.5.1) cancels that entry before the retry.
        auto r = co_await cmd(i == 0 ? "AT" : "\x1b" "AT",
                              std::min<std::chrono::milliseconds>(config_.command_timeout, 1500ms));
        alive = r.has_value();
        if (!r && r.error().code == at::Errc::PortClosed) break;
    }
    if (!alive) co_return unexpected(Error{Errc::Timeout, -1, "no answer to AT"});
    if (auto r = co_await cmd("ATE0"); !r) co_return unexpected(from_at(r.error(), Errc::Command));
    co_await cmd("AT+CMEE=1");

    if (auto r = co_await cmd("AT+CGMI"); r) identity_.manufacturer = at::parse_text(r->lines, "+CGMI:").value_or("");
    if (auto r = co_await cmd("AT+CGMM"); r) identity_.model = at::parse_text(r->lines, "+CGMM:").value_or("");
    if (auto r = co_await cmd("AT+CGMR"); r) identity_.revision = at::parse_text(r->lines, "+CGMR:").value_or("");
    quirks_ = &quirks_for(identity_.manufacturer, identity_.model);
    {
        auto r = co_await cmd("AT+CGSN");
        if (!r) co_return unexpected(from_at(r.error(), Errc::Probe));
        auto imei = at::parse_imei(r->lines);
        if (!imei) co_return unexpected(Error{Errc::Probe, -1, "no IMEI: " + imei.error().detail});
        identity_.imei = *imei;
    }
    if (auto r = co_await unlock_sim(); !r) co_return r;
    if (auto r = co_await cmd("AT+CIMI"); r) identity_.imsi = at::parse_imsi(r->lines).value_or("");
    for (const auto c : quirks_->iccid_commands) {
        auto r = co_await cmd(std::string(c));
        if (!r) continue;
        if (auto id = at::parse_ccid(r->lines)) {
            identity_.iccid = *id;
            break;
        }
    }
    if (auto r = co_await cmd("AT+CNUM"); r) identity_.own_number = at::parse_cnum(r->lines);

    if (config_.require_registration) {
        if (auto r = co_await wait_registration(); !r) co_return r;
    }
    if (auto r = co_await cmd("AT+CMGF=0"); !r) co_return unexpected(from_at(r.error(), Errc::Command));
    co_await configure_messages();
    co_await cmd("AT+COPS=3,0");
    cireg_supported_ = true;
    co_await read_network();
    if (auto r = co_await cmd("AT+CCLK?"); r) {
        if (auto v = at::find_value(r->lines, "+CCLK:")) {
            if (auto t = at::parse_cclk("+CCLK: " + std::string(*v))) offer_time(*t);
        }
    }
    co_await poll_health();
    if (!channel_ || !channel_->is_open()) co_return unexpected(Error{Errc::PortLost, -1, "port lost during init"});
    note("ready: " + identity_.manufacturer + " " + identity_.model + " IMEI " + identity_.imei +
         " ICCID " + identity_.iccid + " " + identity_.operator_name);
    co_return Result<void>{};
}

asio::awaitable<Result<void>> Modem::unlock_sim() {
    for (int round = 0; round < 20 && !stopped_; ++round) {
        auto r = co_await cmd("AT+CPIN?");
        if (!r) {
            if (r.error().code == at::Errc::CmeError && r.error().gsm_code == 10) {
                co_return unexpected(Error{Errc::NoSim, 10, "SIM not inserted"});
            }
            if (r.error().code == at::Errc::CmeError && (r.error().gsm_code == 14 || r.error().gsm_code == 515)) {
                co_await sleep(300ms);  // SIM busy / modem still booting
                continue;
            }
            co_return unexpected(from_at(r.error(), Errc::Command));
        }
        auto v = at::find_value(r->lines, "+CPIN:");
        auto st = v ? at::parse_cpin("+CPIN: " + std::string(*v)) : at::Result<at::PinState>(at::PinState::Other);
        const auto state = st ? *st : at::PinState::Other;
        switch (state) {
            case at::PinState::Ready: co_return Result<void>{};
            case at::PinState::SimPuk:
            case at::PinState::SimPuk2:
                co_return unexpected(Error{Errc::SimBlocked, 12, "SIM blocked: PUK required"});
            case at::PinState::NotInserted:
                co_return unexpected(Error{Errc::NoSim, 10, "SIM not inserted"});
            case at::PinState::SimPin2:
            case at::PinState::PhSimPin:
            case at::PinState::Other:
                co_await sleep(300ms);
                continue;
            case at::PinState::SimPin: break;
        }
        if (config_.pin.empty()) co_return unexpected(Error{Errc::PinRequired, 11, "SIM PIN required, none configured"});
        if (pin_rejected_) co_return unexpected(Error{Errc::PinRejected, 16, "configured PIN was rejected before; not retrying"});
        if (!quirks_->pin_attempts_command.empty()) {
            if (auto a = co_await cmd(std::string(quirks_->pin_attempts_command)); a) {
                if (auto left = at::parse_pin_attempts(a->lines); left && *left < 2) {
                    pin_rejected_ = true;
                    co_return unexpected(Error{Errc::PinRejected, 16,
                        "only " + std::to_string(*left) + " PIN attempt(s) left: not risking a PUK lock"});
                }
            }
        }
        auto e = co_await cmd("AT+CPIN=\"" + config_.pin + "\"");
        if (!e) {
            if (e.error().code == at::Errc::CmeError || e.error().code == at::Errc::Error) {
                pin_rejected_ = true;
                co_return unexpected(Error{Errc::PinRejected, e.error().gsm_code, "SIM rejected the configured PIN"});
            }
            co_return unexpected(from_at(e.error(), Errc::Command));
        }
        note("SIM unlocked with the configured PIN");
        co_await sleep(200ms);
    }
    co_return unexpected(Error{Errc::Timeout, -1, "SIM never became ready"});
}

asio::awaitable<Result<void>> Modem::wait_registration() {
    const auto deadline = std::chrono::steady_clock::now() + config_.registration_timeout;
    while (!stopped_) {
        at::RegStat best = at::RegStat::Unknown;
        if (auto r = co_await cmd("AT+CREG?"); r) {
            if (auto v = at::find_value(r->lines, "+CREG:")) {
                if (auto g = at::parse_creg("+CREG: " + std::string(*v), true)) best = g->stat;
            }
        } else if (r.error().code == at::Errc::PortClosed) {
            co_return unexpected(Error{Errc::PortLost, -1, r.error().detail});
        }
        if (!at::is_registered(best)) {
            if (auto r = co_await cmd("AT+CEREG?"); r) {
                if (auto v = at::find_value(r->lines, "+CEREG:")) {
                    if (auto g = at::parse_cereg("+CEREG: " + std::string(*v), true); g && at::is_registered(g->stat)) {
                        best = g->stat;
                    }
                }
            }
        }
        registration_ = best;
        if (at::is_registered(best)) co_return Result<void>{};
        if (std::chrono::steady_clock::now() >= deadline) break;
        co_await sleep(250ms);
    }
    co_return unexpected(Error{Errc::NotRegistered, -1, std::string("not registered: ") + at::to_string(registration_)});
}

asio::awaitable<void> Modem::configure_messages() {
    // New-message indications: +CMTI (stored first, read, stored durably, then deleted) rather
    // than +CMT, so nothing is lost if we crash between delivery and the database commit.
    int mode = 2, mt = 1, ds = 0;
    if (auto r = co_await cmd("AT+CNMI=?"); r && !r->lines.empty()) {
        if (auto s = at::parse_test_ranges(r->lines.front())) {
            mode = has(*s, 0, 2) ? 2 : 1;
            mt = has(*s, 1, 1) ? 1 : 2;
            if (config_.status_reports) ds = has(*s, 3, 2) ? 2 : has(*s, 3, 1) ? 1 : 0;
        }
    }
    auto r = co_await cmd("AT+CNMI=" + std::to_string(mode) + "," + std::to_string(mt) + ",0," +
                          std::to_string(ds) + ",0");
    if (!r) r = co_await cmd("AT+CNMI=2,1,0,0,0");
    if (!r) r = co_await cmd("AT+CNMI=1,1");
    cnma_needed_ = quirks_->cnma_after_cmt;

    std::string mem = "SM";
    sr_ok_ = false;
    if (auto t = co_await cmd("AT+CPMS=?"); t && !t->lines.empty()) {
        if (auto s = at::parse_cpms_test(t->lines.front()); s && !s->empty()) {
            const auto& m1 = s->front();
            auto in = [&](const char* x) { return std::find(m1.begin(), m1.end(), x) != m1.end(); };
            mem = in("SM") ? "SM" : in("ME") ? "ME" : in("MT") ? "MT" : m1.empty() ? "SM" : m1.front();
            sr_ok_ = in("SR");
        }
    }
    if (auto c = co_await cmd("AT+CPMS=\"" + mem + "\",\"" + mem + "\",\"" + mem + "\""); c) {
        mem1_ = mem;
        if (auto st = first_storage(*c, mem)) keep_storage(*st);
    }
    cmms_ok_ = quirks_->cmms && (co_await cmd("AT+CMMS=?")).has_value();
    // The caller's number with each RING (+CLIP), so a missed call can be recorded against them.
    co_await cmd("AT+CLIP=1");
}

asio::awaitable<void> Modem::poll_health() {
    HealthSample h;
    h.time = std::chrono::system_clock::now();
    if (auto r = co_await cmd("AT+CSQ"); r) {
        if (auto v = at::find_value(r->lines, "+CSQ:")) {
            if (auto c = at::parse_csq("+CSQ: " + std::string(*v))) signal_dbm_ = c->signal_dbm;
        }
    }
    if (trouble_) co_return;
    at::RegStat best = at::RegStat::Unknown;
    if (auto r = co_await cmd("AT+CREG?"); r) {
        if (auto v = at::find_value(r->lines, "+CREG:")) {
            if (auto g = at::parse_creg("+CREG: " + std::string(*v), true)) best = g->stat;
        }
    }
    if (trouble_) co_return;
    if (!at::is_registered(best)) {
        if (auto r = co_await cmd("AT+CEREG?"); r) {
            if (auto v = at::find_value(r->lines, "+CEREG:")) {
                if (auto g = at::parse_cereg("+CEREG: " + std::string(*v), true); g && at::is_registered(g->stat)) best = g->stat;
            }
        }
    }
    registration_ = best;
    if (at::is_registered(best)) co_await read_network();
    if (trouble_) co_return;
    h.signal_dbm = signal_dbm_;
    h.registration = best;
    history_.push_back(h);
    while (history_.size() > config_.history_size) history_.pop_front();
    if (channel_) {
        const auto g = channel_->garbage_lines();
        if (g > garbage_seen_ + 20) trouble("garbage on the line");
        garbage_seen_ = g;
    }
    if (on_change_) on_change_();
}

asio::awaitable<void> Modem::read_network() {
    if (auto r = co_await cmd("AT+COPS?"); r) {
        if (auto v = at::find_value(r->lines, "+COPS:")) {
            if (auto c = at::parse_cops("+COPS: " + std::string(*v))) {
                if (!c->name.empty() || identity_.operator_name.empty()) identity_.operator_name = c->name;
                act_ = c->act;
            }
        }
    }
    if (trouble_ || !cireg_supported_) co_return;
    // IMS registration, TS 27.007 §8.71 (AT+CIREG?); modules without IMS answer ERROR: unknown.
    auto r = co_await cmd("AT+CIREG?");
    if (!r) {
        if (r.error().code == at::Errc::Error || r.error().code == at::Errc::CmeError) {
            cireg_supported_ = false;
            ims_.reset();
        }
        co_return;
    }
    if (auto v = at::find_value(r->lines, "+CIREG:")) {
        if (auto c = at::parse_cireg("+CIREG: " + std::string(*v))) ims_ = c->registered;
    }
    // Off LTE, or registered to IMS: SMS has a way out again.
    if (lte_refused_ && (!at::is_lte(act_) || ims_ == true)) {
        lte_refused_ = false;
        note("SMS path available again (" + std::string(access_technology() ? access_technology() : "?") + ")");
    }
}

void Modem::set_lte_sms_fallback(bool allowed) {
    config_.lte_sms_fallback = allowed;
    // Allowed now: a modem idle because LTE refused SMS gets its remedy at the next send.
    if (allowed && !lte_remedy_tried_) lte_refused_ = false;
}

asio::awaitable<bool> Modem::leave_lte() {
    std::vector<std::string> cmds;
    const auto& m = identity_.manufacturer;
    auto contains = [](std::string_view hay, std::string_view needle) {
        return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
               }) != hay.end();
    };
    const bool quectel = contains(m, "quectel");
    const bool simcom = contains(m, "simcom");
    if (quectel) {
        // Quectel EC2x AT Commands Manual, AT+QCFG="nwscanmode",<scanmode>[,<effect>]:
        // 1 GSM only, 2 UMTS only; <effect> 1 applies at once. China Unicom has switched GSM
        // off in most provinces: its cards go to UMTS (WCDMA), the others to GSM.
        const bool unicom = contains(identity_.operator_name, "unicom") || identity_.imsi.rfind("46001", 0) == 0 ||
                            identity_.imsi.rfind("46006", 0) == 0 || identity_.imsi.rfind("46009", 0) == 0;
        cmds.push_back(std::string("AT+QCFG=\"nwscanmode\",") + (unicom ? "2" : "1") + ",1");
    } else if (simcom) {
        // SIMCom SIM7500/SIM7600 AT Command Manual, AT+CNMP=<mode>: 48 any mode but LTE.
        cmds.push_back("AT+CNMP=48");
    } else {
        // TS 27.007 §10.1.21 AT+CGSMS=<service>: 3 circuit switched preferred (SMS over the CS
        // domain, SGs, instead of the packet domain).
        cmds.push_back("AT+CGSMS=3");
    }
    LteRemedy rem;
    rem.at = std::chrono::system_clock::now();
    bool accepted = true;
    for (const auto& c : cmds) {
        rem.commands += (rem.commands.empty() ? "" : "; ") + c;
        auto r = co_await cmd(c);
        if (!r) {
            accepted = false;
            rem.error = c + ": " + r.error().detail;
            break;
        }
    }
    note("LTE refuses SMS: applied " + rem.commands + (accepted ? "" : " (refused: " + rem.error + ")"));
    if (accepted) {
        // Re-register and read the access technology again.
        const auto deadline = std::chrono::steady_clock::now() + config_.registration_timeout;
        while (!stopped_ && !trouble_) {
            co_await sleep(250ms);
            at::RegStat best = at::RegStat::Unknown;
            if (auto r = co_await cmd("AT+CREG?"); r) {
                if (auto v = at::find_value(r->lines, "+CREG:")) {
                    if (auto g = at::parse_creg("+CREG: " + std::string(*v), true)) best = g->stat;
                }
            }
            if (at::is_registered(best)) {
                co_await read_network();
                registration_ = best;
                if (!at::is_lte(act_) || !(quectel || simcom)) break;
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                rem.error = "still on LTE after the mode change";
                break;
            }
        }
    }
    rem.technology = access_technology() ? access_technology() : "";
    rem.moved = accepted && rem.error.empty();
    lte_remedy_ = rem;
    co_return rem.moved;
}

void Modem::offer_time(const at::NetworkTime& t) {
    if (!t.has_offset || t.utc < kEarliestPlausible || inbox_ == nullptr) return;
    inbox_->network_time(sim_identity(), t.utc, t.utc_offset_minutes);
}

bool Modem::store_pdu(const std::string& pdu) {
    if (inbox_ == nullptr) return false;
    const int type = pdu_type(pdu);
    bool ok = false;
    if (type == 0) ok = inbox_->store_incoming_pdu(sim_identity(), pdu);
    else if (type == 2) ok = inbox_->store_status_report(sim_identity(), pdu);
    if (ok) ++received_;
    return ok;
}

asio::awaitable<serial::Result<bool>> Modem::reset_usb_off_loop(std::string port) {
    // The worker thread only touches `done`, never the io_context: it may outlive both the
    // modem and the loop (shutdown during a reset). The coroutine looks every 50 ms.
    struct Done {
        std::mutex m;
        std::optional<serial::Result<bool>> result;
    };
    auto done = std::make_shared<Done>();
    std::thread([done, port = std::move(port)] {
        auto r = serial::reset_usb_device(port);
        std::lock_guard lock(done->m);
        done->result = std::move(r);
    }).detach();
    for (;;) {
        {
            std::lock_guard lock(done->m);
            if (done->result) co_return std::move(*done->result);
        }
        co_await sleep(50ms);
        if (stopped_) co_return cunxin::unexpected(serial::Error{serial::Errc::Io, 0, "stopped during the USB reset"});
    }
}

asio::awaitable<bool> Modem::stored_durable() {
    if (inbox_ == nullptr) co_return false;
    // The answer may come at once or after a flush on another thread (posted back here): a
    // timer that never expires on its own is the event the coroutine waits for.
    auto timer = std::make_shared<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
    auto answer = std::make_shared<std::optional<bool>>();
    inbox_->when_durable([timer, answer](bool ok) {
        *answer = ok;
        timer->cancel();
    });
    if (!answer->has_value()) {
        boost::system::error_code ec;
        co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!answer->value_or(false)) note("stored message not on disk: left on the SIM");
    co_return answer->value_or(false);
}

void Modem::on_urc(const at::Urc& u) {
    const std::string_view line = u.line;
    auto starts = [&](std::string_view p) { return line.substr(0, p.size()) == p; };
    if (starts("+CMTI:") || starts("+CDSI:")) {
        if (auto s = at::parse_cmti(line)) {
            to_read_.emplace_back(s->mem, s->index);
            wake_.cancel();
        }
        return;
    }
    if (starts("+CMT:") || starts("+CDS:")) {
        const bool stored = store_pdu(u.pdu);
        // Acknowledge only what is stored: an unacknowledged message is delivered again.
        if (stored && cnma_needed_ && channel_) {
            asio::co_spawn(executor_, [self = shared_from_this()]() -> asio::awaitable<void> {
                if (co_await self->stored_durable()) co_await self->cmd("AT+CNMA");
            }, asio::detached);
        }
        return;
    }
    if (starts("+CREG:") || starts("+CEREG:")) {
        if (auto g = at::parse_creg(line, false)) registration_ = g->stat;
        return;
    }
    if (starts("+CTZV:") || starts("+CTZE:") || starts("*PSUTTZ:") || starts("^NWTIME:")) {
        if (auto t = at::parse_nitz(line)) offer_time(*t);
        return;
    }
    if (starts("^SMMEMFULL") || (starts("+CIEV:") && line.find("SMSFULL") != std::string_view::npos)) {
        drain_requested_ = true;
        wake_.cancel();
        return;
    }
    if (line == "RING" || starts("+CRING:") || starts("+CLIP:")) {
        ring(line);
        return;
    }
    if (starts("+CUSD:")) {
        ussd_reply_ = std::string(line);
        ussd_wait_.cancel();
        return;
    }
    if (state_ == State::Ready && (line == "RDY" || line == "+CFUN: 1")) {
        trouble("modem restarted by itself");
        return;
    }
    if (state_ == State::Ready && starts("+CPIN:") && line.find("READY") == std::string_view::npos) {
        trouble("SIM state changed: " + std::string(line));
    }
}

void Modem::ring(std::string_view line) {
    if (line.substr(0, 6) == "+CLIP:" && call_phase_ != CallPhase::Cooling) {
        if (auto n = at::parse_clip(line)) call_number_ = *n;
        if (call_phase_ == CallPhase::Waiting) {
            call_wait_.cancel();  // the number is in: hang up now
            return;
        }
    }
    if (call_phase_ != CallPhase::None || state_ != State::Ready) return;
    call_phase_ = CallPhase::Waiting;
    asio::co_spawn(executor_, [self = shared_from_this()]() { return self->hang_up_call(); },
                   asio::detached);
}

asio::awaitable<void> Modem::hang_up_call() {
    // The box takes no calls: wait briefly for +CLIP (it follows RING), hang up, report upward.
    boost::system::error_code ec;
    if (call_number_.empty()) {
        call_wait_.expires_after(std::chrono::milliseconds(1500));
        co_await call_wait_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    const auto at = std::chrono::system_clock::now();
    const std::string number = call_number_;
    auto r = co_await cmd("ATH");
    ++missed_calls_;
    note(r ? std::string("missed call: hung up (ATH)") : "missed call: ATH failed: " + r.error().detail);
    if (inbox_ != nullptr) inbox_->missed_call(sim_identity(), number, at);
    // RINGs already on their way belong to the same call.
    call_phase_ = CallPhase::Cooling;
    call_wait_.expires_after(std::chrono::seconds(3));
    co_await call_wait_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    call_phase_ = CallPhase::None;
    call_number_.clear();
}

asio::awaitable<void> Modem::read_stored(std::string mem, int index) {
    const bool switch_mem = mem != mem1_;
    if (switch_mem && !(co_await cmd("AT+CPMS=\"" + mem + "\""))) co_return;
    auto r = co_await cmd("AT+CMGR=" + std::to_string(index));
    if (r) {
        if (auto p = at::parse_cmgr(r->lines)) {
            if (store_pdu(p->pdu) && co_await stored_durable()) co_await cmd("AT+CMGD=" + std::to_string(index));
        }
    }
    if (switch_mem) co_await cmd("AT+CPMS=\"" + mem1_ + "\"");
}

void Modem::keep_storage(const at::CpmsMemory& st) {
    if (nearly_full(st) && !(storage_ && nearly_full(*storage_))) {
        note("storage " + st.mem + " " + std::to_string(st.used) + "/" + std::to_string(st.total) +
             " used: messages are piling up on the SIM");
    }
    storage_ = st;
}

asio::awaitable<void> Modem::drain() {
    std::vector<std::string> mems{mem1_};
    if (sr_ok_ && mem1_ != "SR") mems.push_back("SR");
    for (const auto& mem : mems) {
        if (!channel_ || !channel_->is_open() || trouble_) co_return;
        const bool switch_mem = mem != mem1_;
        if (switch_mem && !(co_await cmd("AT+CPMS=\"" + mem + "\""))) continue;
        auto r = co_await cmd("AT+CMGL=4", std::max<std::chrono::milliseconds>(config_.command_timeout, 30s));
        bool full = false;
        if (r) {
            auto list = at::parse_cmgl(r->lines);
            if (list) {
                // Every part stored first, one flush for all, then deleted from the SIM.
                std::vector<int> stored;
                for (const auto& m : *list) {
                    if (store_pdu(m.pdu)) stored.push_back(m.index);
                }
                if (!stored.empty() && co_await stored_durable()) {
                    for (const int index : stored) co_await cmd("AT+CMGD=" + std::to_string(index));
                }
            }
            if (auto c = co_await cmd("AT+CPMS?"); c) {
                if (auto st = first_storage(*c, mem)) {
                    full = st->total > 0 && st->used >= st->total;
                    if (!switch_mem) keep_storage(*st);  // the storage replies arrive in, not "SR"
                }
            }
            // A full storage blocks reception: drop what cannot be ours (stored outgoing copies).
            if (full && list) {
                note("storage " + mem + " full: deleting stored outgoing copies");
                for (const auto& m : *list) {
                    if (m.stat == 2 || m.stat == 3) co_await cmd("AT+CMGD=" + std::to_string(m.index));
                }
            }
        }
        if (switch_mem) co_await cmd("AT+CPMS=\"" + mem1_ + "\"");
    }
}

asio::awaitable<Result<int>> Modem::send_segment(const OutgoingSegment& segment) {
    if (state_ != State::Ready || !channel_ || !channel_->is_open()) {
        co_return unexpected(Error{Errc::NotReady, -1, std::string("modem ") + to_string(state_)});
    }
    if (sending_) co_return unexpected(Error{Errc::NotReady, -1, "a send is in flight"});
    sending_ = true;
    struct Clear {
        bool& flag;
        ~Clear() { flag = false; }
    } clear{sending_};
    if (segment.more_to_same && cmms_ok_) co_await cmd("AT+CMMS=2");
    auto r = co_await cmgs(segment);
    // CMS 500 while on LTE without IMS: the network may not carry SMS over LTE at all (SGs/IMS
    // missing). Nothing went out: with the admin's leave, apply the vendor's remedy and retry.
    if (!r && r.error().code == at::Errc::CmsError && r.error().gsm_code == 500 && at::is_lte(act_) &&
        ims_ != true) {
        lte_refused_ = true;
        if (config_.lte_sms_fallback && !lte_remedy_tried_) {
            lte_remedy_tried_ = true;
            if (co_await leave_lte() && channel_ && channel_->is_open() && !stopped_) {
                r = co_await cmgs(segment);
                lte_remedy_->sent = r.has_value();
                if (!r) lte_remedy_->error = "retry failed: " + r.error().detail;
            }
            if (r || !at::is_lte(act_)) lte_refused_ = false;
            if (on_lte_remedy_) on_lte_remedy_(*lte_remedy_);
            if (on_change_) on_change_();
        }
    }
    if (r) {
        auto mr = at::parse_cmgs_reference(r->lines);
        if (!mr) {
            ++sends_failed_;
            co_return unexpected(Error{Errc::Unconfirmed, -1, "OK without +CMGS reference"});
        }
        ++sends_ok_;
        co_return *mr;
    }
    ++sends_failed_;
    const auto& e = r.error();
    last_error_ = e.detail;
    if (e.code == at::Errc::Timeout || e.code == at::Errc::Unconfirmed) trouble("AT+CMGS got no answer");
    if (e.code == at::Errc::CmsError) {
        const auto info = at::describe_cms(e.gsm_code);
        last_error_ = "+CMS ERROR " + std::to_string(e.gsm_code) + " " + std::string(info.en);
    }
    co_return unexpected(from_at(e, Errc::Rejected));
}

asio::awaitable<at::Result<at::Response>> Modem::cmgs(const OutgoingSegment& segment) {
    auto ch = channel_;
    if (!ch || !ch->is_open()) co_return unexpected(at::Error{at::Errc::PortClosed, -1, "port closed"});
    co_return co_await ch->command_with_prompt("AT+CMGS=" + std::to_string(segment.tpdu_length), segment.pdu_hex,
                                               config_.cmgs_timeout);
}

asio::awaitable<Result<std::string>> Modem::ussd(std::string code, std::chrono::milliseconds timeout) {
    if (!channel_ || !channel_->is_open()) co_return unexpected(Error{Errc::NotReady, -1, "port closed"});
    ussd_reply_.reset();
    auto r = co_await cmd("AT+CUSD=1,\"" + code + "\",15", timeout);
    if (!r) co_return unexpected(from_at(r.error(), Errc::Command));
    // Some modems answer before OK, inside the command's own response.
    if (auto v = at::find_value(r->lines, "+CUSD:"); v && !ussd_reply_) {
        if (auto c = at::parse_cusd("+CUSD: " + std::string(*v)); c && !c->text.empty()) {
            ussd_reply_ = "+CUSD: " + std::string(*v);
        }
    }
    if (!ussd_reply_) {
        ussd_wait_.expires_after(timeout);
        boost::system::error_code ec;
        co_await ussd_wait_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (!ussd_reply_) co_return unexpected(Error{Errc::Timeout, -1, "no +CUSD answer"});
    auto c = at::parse_cusd(*ussd_reply_);
    if (!c) co_return unexpected(Error{Errc::Command, -1, c.error().detail});
    co_return c->text;
}

asio::awaitable<void> Modem::serve() {
    using clock = std::chrono::steady_clock;
    auto next_health = clock::now() + config_.health_interval;
    auto next_drain = clock::now() + config_.drain_interval;
    while (!stopped_ && !trouble_ && channel_ && channel_->is_open()) {
        while (!to_read_.empty() && !trouble_ && !stopped_) {
            auto [mem, index] = to_read_.front();
            to_read_.pop_front();
            co_await read_stored(mem, index);
        }
        if (drain_requested_) {
            drain_requested_ = false;
            co_await drain();
            next_drain = clock::now() + config_.drain_interval;
        }
        if (clock::now() >= next_health) {
            co_await poll_health();
            next_health = clock::now() + config_.health_interval;
        }
        if (clock::now() >= next_drain) {
            co_await drain();
            next_drain = clock::now() + config_.drain_interval;
        }
        if (trouble_ || stopped_ || !to_read_.empty() || drain_requested_) continue;
        const auto until = std::min(next_health, next_drain);
        const auto now = clock::now();
        if (until > now) {
            co_await sleep(std::chrono::duration_cast<std::chrono::milliseconds>(until - now) + 1ms);
        }
    }
}

asio::awaitable<void> Modem::supervise() {
    int failures = 0;
    auto backoff = config_.reopen_backoff_min;
    auto last_reinit = std::chrono::steady_clock::time_point{};
    while (!stopped_) {
        if (!channel_ || !channel_->is_open()) {
            auto r = co_await open_port();
            if (stopped_) break;
            if (!r) {
                last_error_ = r.error().detail;
                note("open/init failed: " + last_error_);
                if (channel_) channel_->close();
                ++failures;
                const bool hopeless = r.error().code == Errc::PinRejected || r.error().code == Errc::SimBlocked ||
                                      r.error().code == Errc::PinRequired || r.error().code == Errc::NoSim;
                if (!hopeless && failures == config_.failures_before_usb_reset) {
                    // Step 4: a modem that neither AT nor AT+CFUN=1,1 reaches is reset on USB
                    // (as if re-plugged). The ioctl blocks until the device is back on the bus
                    // (up to seconds): it runs on a thread of its own, never on the core loop.
                    auto u = co_await reset_usb_off_loop(config_.port);
                    if (stopped_) break;
                    note(u ? "recovery: USB device reset" : "recovery: no USB reset: " + u.error().detail);
                }
                if (hopeless || failures >= config_.failures_before_out_of_service) {
                    set_state(State::OutOfService);
                } else {
                    set_state(State::Recovering);
                }
                co_await sleep(hopeless ? config_.reopen_backoff_max : backoff);
                backoff = std::min(backoff * 2, config_.reopen_backoff_max);
                continue;
            }
        }
        failures = 0;
        backoff = config_.reopen_backoff_min;
        trouble_ = false;
        set_state(State::Ready);
        co_await drain();
        co_await serve();
        if (stopped_) break;
        ++recoveries_;
        set_state(State::Recovering);
        if (channel_ && channel_->is_open()) {
            // Ladder step 1: re-init on the same port, unless that was just tried.
            channel_->cancel_all();
            const auto now = std::chrono::steady_clock::now();
            if (now - last_reinit > 60s) {
                last_reinit = now;
                note("recovery: re-init");
                if (auto r = co_await initialize(); r && channel_->is_open()) continue;
            }
            // Step 2: reset the modem.
            note("recovery: AT+CFUN=1,1");
            co_await cmd("AT+CFUN=1,1", 3s);
            if (channel_) channel_->close();
            co_await sleep(config_.reset_wait.value_or(quirks_->boot_time));
        } else {
            // Step 3: the port vanished; re-open with backoff.
            co_await sleep(backoff);
        }
    }
    if (channel_) channel_->close();
    state_ = State::Stopped;
}

}  // namespace cunxin::modem

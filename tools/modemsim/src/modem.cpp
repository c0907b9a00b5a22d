// SPDX-License-Identifier: Apache-2.0
#include "modem.hpp"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace cunxin::modemsim {
namespace {

using std::chrono::milliseconds;

struct OperatorInfo {
    const char* long_name;
    const char* short_name;
    const char* numeric;
    const char* iccid_issuer;
    const char* number_prefix;
    const char* smsc;
    const char* balance;
};

const OperatorInfo& op_info(Operator op) {
    static const OperatorInfo kMobile{"CHINA MOBILE", "CMCC", "46000", "00", "138", "+8613800100500",
                                      "尊敬的客户，您的账户余额为23.45元。【中国移动】"};
    static const OperatorInfo kUnicom{"CHINA UNICOM", "CU", "46001", "01", "130", "+8613010112500",
                                      "您的账户余额为18.60元。【中国联通】"};
    static const OperatorInfo kTelecom{"CHINA TELECOM", "CT", "46011", "03", "133", "+8613800100569",
                                       "您的可用余额为31.20元。【中国电信】"};
    switch (op) {
        case Operator::ChinaMobile: return kMobile;
        case Operator::ChinaUnicom: return kUnicom;
        case Operator::ChinaTelecom: return kTelecom;
    }
    return kMobile;
}

struct ProfileInfo {
    const char* manufacturer;
    const char* model;
    const char* revision;
    const char* tac;
};

const ProfileInfo& profile_info(Profile p) {
    static const ProfileInfo kEc25{"Quectel", "EC25", "EC25EFAR06A06M4G", "86130604"};
    static const ProfileInfo kSim7600{"SIMCOM INCORPORATED", "SIMCOM_SIM7600CE-T", "LE20B04SIM7600CE-T",
                                      "86214705"};
    static const ProfileInfo kE3372{"huawei", "E3372", "22.315.01.00.00", "86314403"};
    switch (p) {
        case Profile::QuectelEc25: return kEc25;
        case Profile::SimcomSim7600: return kSim7600;
        case Profile::HuaweiE3372: return kE3372;
    }
    return kEc25;
}

char luhn_digit(const std::string& digits) {
    int sum = 0;
    bool dbl = true;  // the check digit will be appended at the right
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (dbl) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        dbl = !dbl;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string digits_from(std::uint64_t v, std::size_t n) {
    std::string s(n, '0');
    for (std::size_t i = 0; i < n; ++i) {
        s[n - 1 - i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    return s;
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(std::string s) {
    auto issp = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && issp(static_cast<unsigned char>(s.back()))) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && issp(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

// Splits "a,\"b,c\",d" at commas outside quotes; quotes are removed, fields trimmed.
std::vector<std::string> split_args(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    bool any = false;
    for (char c : s) {
        any = true;
        if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (any) out.push_back(trim(cur));
    return out;
}

std::optional<int> to_int(const std::string& s) {
    if (s.empty() || s.size() > 9) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

std::string ucs2_hex(const std::string& utf8) {
    std::string out;
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char16_t c : utf8_to_utf16(utf8)) {
        for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(c >> shift) & 0xF];
    }
    return out;
}

std::string fmt_time(std::time_t t, const char* f) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, f, &tm);
    return buf;
}

std::string swap_nibbles(const std::string& iccid) {
    std::string s = iccid;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) std::swap(s[i], s[i + 1]);
    return s;
}

}  // namespace

std::optional<Profile> parse_profile(std::string_view name) {
    std::string n = upper(std::string(name));
    if (n == "EC25" || n == "QUECTEL" || n == "QUECTEL-EC25") return Profile::QuectelEc25;
    if (n == "SIM7600" || n == "SIMCOM" || n == "SIM7600CE") return Profile::SimcomSim7600;
    if (n == "E3372" || n == "HUAWEI" || n == "HUAWEI-E3372") return Profile::HuaweiE3372;
    return std::nullopt;
}

std::string_view profile_name(Profile p) {
    switch (p) {
        case Profile::QuectelEc25: return "ec25";
        case Profile::SimcomSim7600: return "sim7600";
        case Profile::HuaweiE3372: return "e3372";
    }
    return "ec25";
}

std::optional<Operator> parse_operator(std::string_view name) {
    std::string n = upper(std::string(name));
    if (n == "MOBILE" || n == "CMCC" || n == "CHINA MOBILE" || n == "46000") return Operator::ChinaMobile;
    if (n == "UNICOM" || n == "CU" || n == "CHINA UNICOM" || n == "46001") return Operator::ChinaUnicom;
    if (n == "TELECOM" || n == "CT" || n == "CHINA TELECOM" || n == "46011") return Operator::ChinaTelecom;
    return std::nullopt;
}

ModemConfig complete_identity(int index, ModemConfig cfg, std::uint32_t seed) {
    if (!cfg.op) cfg.op = static_cast<Operator>(index % 3);
    const auto& op = op_info(*cfg.op);
    std::uint64_t k = static_cast<std::uint64_t>(index) * 104729ULL + static_cast<std::uint64_t>(seed) * 7919ULL;
    if (cfg.imei.empty()) {
        std::string body = std::string(profile_info(cfg.profile).tac) + digits_from(100000 + k % 900000, 6);
        cfg.imei = body + luhn_digit(body);
    }
    if (cfg.imsi.empty()) cfg.imsi = std::string(op.numeric) + digits_from(1234500000ULL + k, 10);
    if (cfg.iccid.empty()) {
        std::string body = std::string("8986") + op.iccid_issuer + digits_from(1170000000000ULL + k, 13);
        cfg.iccid = body + luhn_digit(body);
    }
    if (cfg.own_number.empty()) cfg.own_number = std::string("+86") + op.number_prefix + digits_from(10000000 + k % 90000000, 8);
    if (cfg.own_number == "-") cfg.own_number.clear();
    return cfg;
}

int SimModem::Storage::used() const {
    return static_cast<int>(std::count_if(slots.begin(), slots.end(), [](const auto& s) { return s.has_value(); }));
}

int SimModem::Storage::free_index() const {
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (!slots[i]) return static_cast<int>(i);
    }
    return -1;
}

SimModem::SimModem(asio::io_context& io, int index, ModemConfig cfg, const Timing& timing,
                   std::string link_dir, std::uint32_t seed, SentHook on_sent)
    : io_(io),
      index_(index),
      cfg_(complete_identity(index, std::move(cfg), seed)),
      timing_(timing),
      link_dir_(std::move(link_dir)),
      on_sent_(std::move(on_sent)),
      rng_(seed * 2654435761U + static_cast<std::uint32_t>(index)),
      faults_(cfg_.faults),
      poll_timer_(io),
      cmd_timer_(io),
      reg_timer_(io),
      back_timer_(io),
      garbage_timer_(io),
      periodic_timer_(io),
      retry_timer_(io), ring_timer_(io) {
    storages_[0] = Storage{"SM", std::vector<std::optional<Stored>>(static_cast<std::size_t>(std::max(1, cfg_.sm_slots)))};
    storages_[1] = Storage{"ME", std::vector<std::optional<Stored>>(static_cast<std::size_t>(std::max(1, cfg_.me_slots)))};
    storages_[2] = Storage{"SR", std::vector<std::optional<Stored>>(static_cast<std::size_t>(std::max(1, cfg_.sr_slots)))};
    if (!cfg_.pin.empty()) sim_ = Sim::Pin;
    concat_ref_ = (index * 37 + 11) & 0xFF;
    if (!link_dir_.empty()) link_path_ = link_dir_ + "/modem" + std::to_string(index_);
    if (cfg_.sim_full) fill_sim();
}

SimModem::~SimModem() {
    close_endpoints();
    if (!link_path_.empty()) ::unlink(link_path_.c_str());
}

std::string SimModem::smsc() const { return op_info(*cfg_.op).smsc; }

int SimModem::next_concat_ref() {
    concat_ref_ = (concat_ref_ + 1) & 0xFF;
    return concat_ref_;
}

// ---------------------------------------------------------------- endpoints

void SimModem::open() {
    open_pty();
    if (cfg_.tcp) open_tcp();
    present_ = true;
    boot();
    schedule_garbage();
    schedule_periodic();
}

void SimModem::open_pty() {
    int master = -1;
    int slave = -1;
    char name[256] = {};
    termios tio{};
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    cfsetispeed(&tio, B115200);
    cfsetospeed(&tio, B115200);
    if (::openpty(&master, &slave, name, &tio, nullptr) != 0) {
        throw std::runtime_error(std::string("modemsim: openpty failed: ") + std::strerror(errno));
    }
    // No slave left open here: reads then fail with EIO until the product opens the port,
    // which is how we know whether anyone listens (output to nobody is dropped, like a real port).
    ::close(slave);
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
    pty_ = std::make_unique<asio::posix::stream_descriptor>(io_, master);
    pty_path_ = name;
    pty_connected_ = false;
    pty_writing_ = false;
    pty_out_.clear();
    update_link();
    poll_pty();
}

void SimModem::update_link() {
    if (link_path_.empty()) return;
    std::string tmp = link_path_ + ".tmp";
    ::unlink(tmp.c_str());
    if (::symlink(pty_path_.c_str(), tmp.c_str()) == 0) {
        if (::rename(tmp.c_str(), link_path_.c_str()) != 0) ::unlink(tmp.c_str());
    }
}

void SimModem::open_tcp() {
    using asio::ip::tcp;
    acceptor_ = std::make_unique<tcp::acceptor>(io_);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), tcp_port_ != 0 ? tcp_port_ : cfg_.tcp_port);
    acceptor_->open(ep.protocol());
    acceptor_->set_option(tcp::acceptor::reuse_address(true));
    boost::system::error_code ec;
    acceptor_->bind(ep, ec);
    if (ec && tcp_port_ != 0) {  // coming back: the old port is taken, take a new one
        acceptor_->bind(tcp::endpoint(ep.address(), 0), ec);
    }
    if (ec) throw std::runtime_error("modemsim: cannot bind TCP port: " + ec.message());
    acceptor_->listen();
    tcp_port_ = acceptor_->local_endpoint().port();
    start_accept();
}

void SimModem::close_endpoints() {
    ++gen_;
    boost::system::error_code ec;
    if (pty_) {
        pty_->close(ec);
        pty_.reset();
    }
    if (client_) {
        client_->close(ec);
        client_.reset();
    }
    if (acceptor_) {
        acceptor_->close(ec);
        acceptor_.reset();
    }
    poll_timer_.cancel();
    pty_connected_ = false;
    pty_writing_ = false;
    tcp_writing_ = false;
    pty_out_.clear();
    tcp_out_.clear();
    pty_path_.clear();
}

void SimModem::shutdown() {
    shut_ = true;
    present_ = false;
    close_endpoints();
    for (auto* t : {&cmd_timer_, &reg_timer_, &back_timer_, &garbage_timer_, &periodic_timer_, &retry_timer_}) {
        t->cancel();
    }
    if (!link_path_.empty()) ::unlink(link_path_.c_str());
}

void SimModem::vanish(milliseconds back_after) {
    if (shut_) return;
    present_ = false;
    close_endpoints();
    if (!link_path_.empty()) ::unlink(link_path_.c_str());
    cmd_timer_.cancel();
    reg_timer_.cancel();
    busy_ = false;
    quiet_ = false;
    in_.clear();
    urcs_.clear();
    mode_ = Mode::Command;
    back_timer_.cancel();
    if (back_after.count() >= 0) {
        back_timer_.expires_after(back_after);
        back_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || shut_ || present_) return;
            open_pty();
            if (cfg_.tcp) open_tcp();
            present_ = true;
            boot();
        });
    }
}

void SimModem::poll_pty() {
    if (!pty_) return;
    unsigned gen = gen_;
    poll_timer_.expires_after(milliseconds(20));
    poll_timer_.async_wait([this, gen](const boost::system::error_code& ec) {
        if (ec || gen != gen_ || !pty_) return;
        ssize_t n = ::read(pty_->native_handle(), pty_rbuf_.data(), pty_rbuf_.size());
        if (n > 0) {
            pty_connected_ = true;
            on_input(pty_rbuf_.data(), static_cast<std::size_t>(n));
            if (gen == gen_) start_pty_read();
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pty_connected_ = true;
            start_pty_read();
        } else {
            poll_pty();  // EIO: nobody has the port open
        }
    });
}

void SimModem::start_pty_read() {
    if (!pty_) return;
    unsigned gen = gen_;
    pty_->async_read_some(asio::buffer(pty_rbuf_), [this, gen](const boost::system::error_code& ec, std::size_t n) {
        if (gen != gen_ || !pty_) return;
        if (ec) {
            if (ec == asio::error::operation_aborted) return;
            pty_connected_ = false;  // the product closed the port
            pty_out_.clear();
            poll_pty();
            return;
        }
        on_input(pty_rbuf_.data(), n);
        if (gen == gen_) start_pty_read();
    });
}

void SimModem::start_accept() {
    if (!acceptor_) return;
    unsigned gen = gen_;
    acceptor_->async_accept([this, gen](const boost::system::error_code& ec, asio::ip::tcp::socket sock) {
        if (gen != gen_ || ec) return;
        boost::system::error_code ignored;
        if (client_) client_->close(ignored);
        client_ = std::make_unique<asio::ip::tcp::socket>(std::move(sock));
        client_->set_option(asio::ip::tcp::no_delay(true), ignored);
        tcp_out_.clear();
        tcp_writing_ = false;
        start_tcp_read();
        start_accept();
    });
}

void SimModem::start_tcp_read() {
    if (!client_) return;
    unsigned gen = gen_;
    auto* sock = client_.get();
    sock->async_read_some(asio::buffer(tcp_rbuf_), [this, gen, sock](const boost::system::error_code& ec, std::size_t n) {
        if (gen != gen_ || client_.get() != sock) return;
        if (ec) {
            boost::system::error_code ignored;
            client_->close(ignored);
            client_.reset();
            tcp_out_.clear();
            return;
        }
        on_input(tcp_rbuf_.data(), n);
        if (gen == gen_ && client_.get() == sock) start_tcp_read();
    });
}

void SimModem::write(const std::string& bytes) {
    if (!present_ || bytes.empty()) return;
    if (pty_ && pty_connected_) {
        pty_out_ += bytes;
        kick_pty();
    }
    if (client_) {
        tcp_out_ += bytes;
        kick_tcp();
    }
}

void SimModem::kick_pty() {
    if (pty_writing_ || pty_out_.empty() || !pty_) return;
    pty_writing_ = true;
    pty_wbuf_.swap(pty_out_);
    pty_out_.clear();
    unsigned gen = gen_;
    asio::async_write(*pty_, asio::buffer(pty_wbuf_), [this, gen](const boost::system::error_code& ec, std::size_t) {
        if (gen != gen_) return;
        pty_writing_ = false;
        pty_wbuf_.clear();
        if (ec) {
            pty_out_.clear();
            return;
        }
        kick_pty();
    });
}

void SimModem::kick_tcp() {
    if (tcp_writing_ || tcp_out_.empty() || !client_) return;
    tcp_writing_ = true;
    tcp_wbuf_.swap(tcp_out_);
    tcp_out_.clear();
    unsigned gen = gen_;
    auto* sock = client_.get();
    asio::async_write(*client_, asio::buffer(tcp_wbuf_), [this, gen, sock](const boost::system::error_code& ec, std::size_t) {
        if (gen != gen_ || client_.get() != sock) return;
        tcp_writing_ = false;
        tcp_wbuf_.clear();
        if (ec) {
            tcp_out_.clear();
            return;
        }
        kick_tcp();
    });
}

// ---------------------------------------------------------------- boot and network

void SimModem::boot() {
    echo_ = true;
    cmee_ = cfg_.profile == Profile::QuectelEc25 ? 1 : 0;
    creg_n_ = 0;
    cereg_n_ = 0;
    cops_format_ = 0;
    cfun_ = 1;
    csms_ = 0;
    cmms_ = 0;
    ctzr_ = 0;
    cnmi_ = {2, 1, 0, 0, 0};
    mem_ = {0, 0, 0};
    cscs_ = "IRA";
    mode_ = Mode::Command;
    busy_ = false;
    in_.clear();
    urcs_.clear();
    pending_acks_.clear();
    full_indicated_ = false;
    if (!cfg_.pin.empty() && sim_ == Sim::Ready) {
        sim_ = Sim::Pin;  // a PIN-protected SIM asks again after every power-up
        pin_attempts_ = std::max(pin_attempts_, 1);
    }
    registered_ = false;
    switch (cfg_.profile) {
        case Profile::QuectelEc25:
            urc("RDY");
            urc(sim_ == Sim::Ready ? "+CPIN: READY" : "+CPIN: SIM PIN");
            if (sim_ == Sim::Ready) urc("+QIND: SMS DONE");
            break;
        case Profile::SimcomSim7600:
            urc("RDY");
            urc(sim_ == Sim::Ready ? "+CPIN: READY" : "+CPIN: SIM PIN");
            if (sim_ == Sim::Ready) {
                urc("SMS DONE");
                urc("PB DONE");
            }
            break;
        case Profile::HuaweiE3372:
            urc("^SIMST: 1");
            break;
    }
    start_registration();
}

void SimModem::start_registration() {
    reg_timer_.cancel();
    registered_ = false;
    if (sim_ != Sim::Ready || cfun_ != 1 || faults_.no_network) return;
    reg_timer_.expires_after(timing_.registration);
    reg_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || shut_ || sim_ != Sim::Ready || cfun_ != 1 || faults_.no_network) return;
        registered_ = true;
        if (creg_n_ > 0) urc(reg_line("+CREG", creg_n_));
        if (cereg_n_ > 0) urc(reg_line("+CEREG", cereg_n_));
        if (cfg_.nitz) {
            std::time_t now = std::time(nullptr);
            switch (cfg_.profile) {
                case Profile::QuectelEc25:
                    if (ctzr_ == 2) urc("+CTZE: \"+32\",0,\"" + fmt_time(now, "%Y/%m/%d,%H:%M:%S") + "\"");
                    if (ctzr_ == 1) urc("+CTZV: \"+32\"");
                    break;
                case Profile::SimcomSim7600:
                    if (ctzr_ >= 1) urc("+CTZV: +32,0");
                    urc("*PSUTTZ: " + fmt_time(now, "%Y,%m,%d,%H,%M,%S") + ",\"+32\",0");
                    break;
                case Profile::HuaweiE3372:
                    urc("^NWTIME: " + fmt_time(now + 8 * 3600, "%y/%m/%d,%H:%M:%S") + "+32,00");
                    break;
            }
        }
        deliver_pending();
    });
}

void SimModem::set_act(int act) {
    if (act == act_) return;
    act_ = act;
    // Leaving one radio for another: a short deregistration, then registration on the new one.
    registered_ = false;
    if (creg_n_ > 0) urc(reg_line("+CREG", creg_n_));
    start_registration();
}

bool SimModem::registered() const {
    return registered_ && sim_ == Sim::Ready && cfun_ == 1 && !faults_.no_network;
}

int SimModem::reg_stat() const {
    if (registered()) return 1;
    if (sim_ != Sim::Ready || cfun_ != 1) return 0;
    return 2;
}

std::string SimModem::reg_line(const char* name, int n) const {
    std::string s = std::string(name) + ": ";
    int stat = reg_stat();
    s += std::to_string(stat);
    if (n == 2 && (stat == 1 || stat == 5)) {
        s += std::string(",\"5A1F\",\"0B2C3D") + static_cast<char>('0' + index_ % 10) + "\"";
        if (cfg_.profile != Profile::HuaweiE3372) s += "," + std::to_string(act_);
    }
    return s;
}

void SimModem::deliver(std::vector<EncodedPdu> parts, const std::vector<int>& order, int delay_ms) {
    std::vector<EncodedPdu> ordered;
    if (order.empty()) {
        ordered = std::move(parts);
    } else {
        for (int k : order) {
            if (k >= 1 && k <= static_cast<int>(parts.size())) ordered.push_back(parts[static_cast<std::size_t>(k - 1)]);
        }
    }
    if (delay_ms <= 0) {
        for (auto& p : ordered) network_queue_.push_back(std::move(p));
        deliver_pending();
        return;
    }
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        auto timer = std::make_shared<asio::steady_timer>(io_, milliseconds(delay_ms * static_cast<int>(i)));
        timer->async_wait([this, timer, p = ordered[i]](const boost::system::error_code& ec) {
            if (ec || shut_) return;
            network_queue_.push_back(p);
            deliver_pending();
        });
    }
}

void SimModem::deliver_pending() {
    if (!present_ || !registered() || faults_.hung || quiet_) return;
    while (!network_queue_.empty()) {
        const EncodedPdu& p = network_queue_.front();
        int mt = cnmi_[1];
        if (mt == 2) {  // 27.005 §3.4.1: route directly to the TE
            urc("+CMT: ," + std::to_string(p.tpdu_octets) + "\r\n" + p.hex);
            if (csms_ == 1) expect_ack(p);
            ++delivered_parts_;
            network_queue_.pop_front();
            continue;
        }
        Storage& st = storages_[static_cast<std::size_t>(mem_[2])];
        int idx = st.free_index();
        if (idx < 0) {
            // A full SIM: the network keeps the message and retries once space is freed.
            if (!full_indicated_) {
                full_indicated_ = true;
                if (cfg_.profile == Profile::HuaweiE3372) urc(std::string("^SMMEMFULL: \"") + st.name + "\"");
                if (cfg_.profile == Profile::QuectelEc25) urc(std::string("+QIND: \"smsfull\",\"") + st.name + "\"");
            }
            return;
        }
        st.slots[static_cast<std::size_t>(idx)] = Stored{p.hex, p.tpdu_octets, 0};
        ++delivered_parts_;
        network_queue_.pop_front();
        if (mt == 1 || mt == 3) urc(std::string("+CMTI: \"") + st.name + "\"," + std::to_string(idx));
    }
}

void SimModem::expect_ack(std::optional<EncodedPdu> redeliver) {
    unsigned id = ++ack_id_;
    pending_acks_.emplace_back(id, std::move(redeliver));
    auto timer = std::make_shared<asio::steady_timer>(io_, timing_.cnma);
    timer->async_wait([this, timer, id](const boost::system::error_code& ec) {
        if (ec || shut_) return;
        auto it = std::find_if(pending_acks_.begin(), pending_acks_.end(), [id](const auto& p) { return p.first == id; });
        if (it == pending_acks_.end()) return;
        auto pdu = std::move(it->second);
        pending_acks_.erase(it);
        if (pdu) {  // no RP-ACK reached the network: the SMSC delivers the same message again
            ++redelivered_;
            network_queue_.push_back(std::move(*pdu));
            deliver_pending();
        }
    });
}

void SimModem::status_report(int mr, const std::string& recipient, std::chrono::system_clock::time_point t) {
    if (faults_.report_loss > 0.0) {
        std::uniform_real_distribution<double> u(0.0, 1.0);
        if (u(rng_) < faults_.report_loss) return;  // the network never sends it
    }
    auto timer = std::make_shared<asio::steady_timer>(io_, milliseconds(std::max(0, faults_.report_delay_ms)));
    timer->async_wait([this, timer, mr, recipient, t](const boost::system::error_code& ec) {
        if (ec || shut_ || !present_ || faults_.hung) return;
        auto pdu = encode_status_report(smsc(), mr, recipient, t, std::chrono::system_clock::now(),
                                        faults_.report_status);
        ++reports_sent_;
        int ds = faults_.reports_to_sr ? 0 : cnmi_[3];
        if (ds == 1) {
            urc("+CDS: " + std::to_string(pdu.tpdu_octets) + "\r\n" + pdu.hex);
            if (csms_ == 1) expect_ack(std::nullopt);
            return;
        }
        // ds=2 files it in SR and says so; ds=0 files it silently (as many modems do).
        Storage& sr = storages_[2];
        int idx = sr.free_index();
        if (idx < 0) return;
        sr.slots[static_cast<std::size_t>(idx)] = Stored{pdu.hex, pdu.tpdu_octets, 0};
        if (ds == 2) urc("+CDSI: \"SR\"," + std::to_string(idx));
    });
}

std::string SimModem::noise_line() {
    // Wordings from the vendors' AT manuals (Quectel EC25, SIMCom SIM7600, Huawei E3372).
    static const std::array<const char*, 4> kQuectel = {"+QIND: \"csq\",20,99", "+QIURC: \"pdpdeact\",1",
                                                        "+QIND: SMS DONE", "+QUSIM: 1"};
    static const std::array<const char*, 4> kSimcom = {"+CGEV: ME PDN ACT 1", "SMS DONE", "PB DONE",
                                                       "+CPIN: READY"};
    static const std::array<const char*, 4> kHuawei = {"^RSSI:12", "^HCSQ:\"LTE\",48,45,112,20",
                                                       "^MODE:17,17", "^BOOT:20770955,0,0,0,75"};
    const auto i = static_cast<std::size_t>(noise_turn_++ % 4);
    ++noise_urcs_;
    switch (cfg_.profile) {
        case Profile::QuectelEc25: return kQuectel[i];
        case Profile::SimcomSim7600: return kSimcom[i];
        case Profile::HuaweiE3372: return kHuawei[i];
    }
    return kQuectel[i];
}

void SimModem::ring(std::string number, int rings, milliseconds every) {
    if (rings_left_ > 0) return;  // one call at a time
    ++calls_;
    caller_ = std::move(number);
    rings_left_ = std::max(1, rings);
    ring_every_ = every;
    ring_once(gen_);
}

void SimModem::ring_once(unsigned gen) {
    if (gen != gen_ || shut_ || rings_left_ <= 0) return;
    urc("RING");
    if (clip_) urc("+CLIP: \"" + caller_ + "\",145,,,,0");
    --rings_left_;
    ring_timer_.expires_after(ring_every_);
    ring_timer_.async_wait([this, gen](const boost::system::error_code& ec) {
        if (ec || gen != gen_ || shut_) return;
        if (rings_left_ <= 0) {
            urc("NO CARRIER");  // the caller gave up
            return;
        }
        ring_once(gen);
    });
}

void SimModem::fill_sim() {
    Storage& sm = storages_[0];
    auto now = std::chrono::system_clock::now();
    int n = 0;
    for (auto& slot : sm.slots) {
        if (slot) continue;
        DeliverSpec spec;
        spec.smsc = smsc();
        spec.from = "10086";
        spec.text = "旧短信 " + std::to_string(++n) + "：您本月的话费账单已出。";
        spec.scts = now - std::chrono::hours(24 * 30) + std::chrono::minutes(n);
        auto parts = encode_deliver(spec);
        slot = Stored{parts[0].hex, parts[0].tpdu_octets, 1};
    }
}

void SimModem::lock_sim(std::string pin) {
    cfg_.pin = std::move(pin);
    sim_ = cfg_.pin.empty() ? Sim::Ready : Sim::Pin;
    pin_attempts_ = 3;
    puk_attempts_ = 10;
    start_registration();
}

void SimModem::set_faults(const Faults& f) {
    bool net_changed = f.no_network != faults_.no_network;
    bool unhung = faults_.hung && !f.hung;
    bool garbage_changed = f.garbage_every_ms != faults_.garbage_every_ms;
    faults_ = f;
    if (faults_.hung) {
        in_.clear();
        urcs_.clear();
    }
    if (unhung) {
        busy_ = false;
        mode_ = Mode::Command;
        deliver_pending();
    }
    if (net_changed) {
        if (faults_.no_network) {
            registered_ = false;
            reg_timer_.cancel();
            if (creg_n_ > 0) urc(reg_line("+CREG", creg_n_));
            if (cereg_n_ > 0) urc(reg_line("+CEREG", cereg_n_));
        } else {
            start_registration();
        }
    }
    if (garbage_changed) schedule_garbage();
}

std::string SimModem::random_garbage() {
    std::uniform_int_distribution<int> len(6, 24);
    std::uniform_int_distribution<int> byte(0, 255);
    std::string g;
    int n = len(rng_);
    for (int i = 0; i < n; ++i) g += static_cast<char>(byte(rng_));
    return g;
}

void SimModem::inject_garbage(std::string bytes) {
    if (bytes.empty()) bytes = random_garbage();
    write(bytes);
}

void SimModem::schedule_garbage() {
    garbage_timer_.cancel();
    if (faults_.garbage_every_ms <= 0 || shut_) return;
    garbage_timer_.expires_after(milliseconds(faults_.garbage_every_ms));
    garbage_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || shut_) return;
        write(random_garbage());
        schedule_garbage();
    });
}

void SimModem::schedule_periodic() {
    if (!cfg_.periodic_urcs || shut_) return;
    periodic_timer_.expires_after(std::chrono::seconds(5));
    periodic_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || shut_) return;
        std::string csq = std::to_string(faults_.signal_csq);
        switch (cfg_.profile) {
            case Profile::QuectelEc25: urc("+QIND: \"csq\"," + csq + ",99"); break;
            case Profile::SimcomSim7600: urc("+CSQ: " + csq + ",99"); break;
            case Profile::HuaweiE3372: urc("^RSSI: " + csq); break;
        }
        schedule_periodic();
    });
}

// ---------------------------------------------------------------- interpreter

void SimModem::urc(const std::string& line) {
    if (!present_ || faults_.hung || quiet_) return;
    urcs_.push_back(line);
    flush_urcs();
}

void SimModem::flush_urcs() {
    if (busy_ || mode_ != Mode::Command || faults_.hung || quiet_) return;
    while (!urcs_.empty()) {
        write("\r\n" + urcs_.front() + "\r\n");
        urcs_.pop_front();
    }
}

void SimModem::on_input(const char* data, std::size_t n) {
    if (faults_.hung || quiet_ || !present_) return;
    in_.append(data, n);
    if (in_.size() > 65536) in_.erase(0, in_.size() - 4096);
    pump();
}

void SimModem::pump() {
    if (pumping_) return;
    pumping_ = true;
    while (!busy_ && !faults_.hung && !quiet_ && present_) {
        if (mode_ == Mode::Command) {
            auto pos = in_.find('\r');
            if (pos == std::string::npos) break;
            std::string raw = in_.substr(0, pos);
            in_.erase(0, pos + 1);
            if (echo_) write(raw + "\r");
            exec_line(raw);
        } else {
            auto pos = in_.find_first_of("\x1A\x1B");
            if (pos == std::string::npos) break;
            std::string body = in_.substr(0, pos);
            char term = in_[pos];
            in_.erase(0, pos + 1);
            if (echo_) write(body + std::string(1, term));
            mode_ = Mode::Command;
            if (term == '\x1B') {  // ESC: cancel the send
                respond("\r\nOK\r\n", milliseconds(0), nullptr);
            } else {
                exec_submit(body);
            }
        }
    }
    pumping_ = false;
}

void SimModem::respond(std::string text, milliseconds delay, std::function<void()> after,
                       std::function<void()> before) {
    delay += milliseconds(std::max(0, faults_.slow_ms));
    if (delay.count() <= 0) {
        if (before) before();
        write(text);
        if (after) after();
        flush_urcs();
        return;
    }
    busy_ = true;
    unsigned gen = gen_;
    // A simulated modem answers `delay` after it read the command, not `delay` plus the time this
    // thread takes to wake up (~0.1 ms on a loaded VM, more in spikes): that lateness is the
    // simulator's, not the product's. So the timer is armed a little early and the rest is
    // waited on the CPU; the answer never leaves before the deadline. The margin is small: while
    // this thread waits it serves no other simulated modem (0.25 ms made N = 16 slower).
    const auto deadline = std::chrono::steady_clock::now() + delay;
    constexpr auto kWakeMargin = std::chrono::microseconds(60);
    cmd_timer_.expires_at(delay > 4 * kWakeMargin ? deadline - kWakeMargin : deadline);
    cmd_timer_.async_wait([this, gen, deadline, text = std::move(text), after = std::move(after),
                           before = std::move(before)](const boost::system::error_code& ec) {
        if (ec || gen != gen_ || shut_) return;
        while (std::chrono::steady_clock::now() < deadline) {
        }
        busy_ = false;
        if (faults_.hung) return;
        if (before) before();
        write(text);
        if (after) after();
        flush_urcs();
        pump();
    });
}

std::string SimModem::cme(int code) const {
    if (cmee_ == 0) return "ERROR";
    if (cmee_ == 1) return "+CME ERROR: " + std::to_string(code);
    const char* text = "unknown";
    switch (code) {
        case 3: text = "operation not allowed"; break;
        case 4: text = "operation not supported"; break;
        case 10: text = "SIM not inserted"; break;
        case 11: text = "SIM PIN required"; break;
        case 12: text = "SIM PUK required"; break;
        case 13: text = "SIM failure"; break;
        case 16: text = "incorrect password"; break;
        case 30: text = "no network service"; break;
        case 50: text = "Incorrect parameters"; break;
        default: break;
    }
    return std::string("+CME ERROR: ") + text;
}

std::string SimModem::cms(int code) { return "+CMS ERROR: " + std::to_string(code); }

void SimModem::exec_line(const std::string& raw) {
    std::string line = trim(raw);
    std::string up = upper(line);
    auto at = up.find("AT");
    if (at == std::string::npos) return;  // noise or an empty line: real modems stay silent
    ++commands_;
    line = line.substr(at + 2);
    // Split "AT+A;+B" into commands at ';' outside quotes.
    std::vector<std::string> cmds;
    std::string cur;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        if (c == ';' && !quoted) {
            cmds.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    cmds.push_back(cur);
    std::string out;
    std::string final = "OK";
    std::vector<std::function<void()>> afters;
    bool prompt = false;
    bool reset = false;
    for (std::size_t i = 0; i < cmds.size(); ++i) {
        std::string c = trim(cmds[i]);
        if (c.empty() && i > 0) continue;
        Reply r = exec_one(c);
        if (!r.lines.empty()) {
            out += "\r\n";
            for (std::size_t k = 0; k < r.lines.size(); ++k) {
                if (k > 0) out += "\r\n";
                out += r.lines[k];
                // Real modems put their URCs between the lines of an answer (issue 14 item 6).
                if (faults_.noise_in_responses) out += "\r\n" + noise_line();
            }
            out += "\r\n";
        }
        if (r.after) afters.push_back(std::move(r.after));
        if (r.final != "OK") {
            final = r.final;
            break;
        }
        if (r.prompt) {
            prompt = i + 1 == cmds.size();
            if (!prompt) final = cms(302);
            break;
        }
        reset = reset || r.reset;
    }
    auto run_afters = [afters = std::move(afters)] {
        for (const auto& a : afters) a();
    };
    if (prompt) {
        mode_ = Mode::Pdu;
        if (faults_.noise_in_responses) out += "\r\n" + noise_line() + "\r\n";
        respond(out + "\r\n> ", timing_.command, run_afters);
        return;
    }
    out += "\r\n" + final + "\r\n";
    if (reset) {
        respond(out, timing_.command, [this, run_afters] {
            run_afters();
            if (cfg_.reset_reenumerates) {  // a Qualcomm stick leaves the USB bus and comes back
                quiet_ = true;
                auto t = std::make_shared<asio::steady_timer>(io_, milliseconds(20));  // let OK drain first
                t->async_wait([this, t, gen = gen_](const boost::system::error_code& ec) {
                    if (ec || gen != gen_ || shut_) return;
                    vanish(timing_.reset_quiet);
                });
                return;
            }
            // AT+CFUN=1,1: the modem reboots; the port is quiet, then it talks again.
            quiet_ = true;
            in_.clear();
            urcs_.clear();
            registered_ = false;
            reg_timer_.cancel();
            cmd_timer_.cancel();
            unsigned gen = gen_;
            auto timer = std::make_shared<asio::steady_timer>(io_, timing_.reset_quiet);
            timer->async_wait([this, timer, gen](const boost::system::error_code& ec) {
                if (ec || gen != gen_ || shut_) return;
                quiet_ = false;
                busy_ = false;
                boot();
                deliver_pending();
            });
        });
        return;
    }
    respond(out, timing_.command, run_afters);
}

SimModem::Reply SimModem::exec_basic(const std::string& cmd) {
    Reply r;
    std::size_t i = 0;
    std::string up = upper(cmd);
    while (i < up.size()) {
        char c = up[i++];
        std::string name(1, c);
        if (c == '&' && i < up.size()) name += up[i++];
        std::string num;
        while (i < up.size() && std::isdigit(static_cast<unsigned char>(up[i]))) num += up[i++];
        int v = num.empty() ? 0 : to_int(num).value_or(-1);  // never throws on the io thread
        if (name == "E") {
            if (v != 0 && v != 1) {
                r.final = "ERROR";
                return r;
            }
            echo_ = v != 0;
        } else if (name == "I") {
            std::string text = ati();
            std::size_t p = 0;
            while (p <= text.size()) {
                auto q = text.find("\r\n", p);
                if (q == std::string::npos) q = text.size();
                r.lines.push_back(text.substr(p, q - p));
                p = q + 2;
            }
        } else if (name == "Z" || name == "&F") {
            echo_ = true;
            cmee_ = cfg_.profile == Profile::QuectelEc25 ? 1 : 0;
            cnmi_ = {2, 1, 0, 0, 0};
        } else if (name == "H") {
            if (rings_left_ > 0) {  // hang up the ringing call
                rings_left_ = 0;
                ++hangups_;
                ring_timer_.cancel();
            }
        } else if (name == "V" || name == "Q" || name == "X" || name == "&W" || name == "&D" || name == "&C") {
            // accepted, no effect
        } else if (name == "S") {
            if (i < up.size() && (up[i] == '=' || up[i] == '?')) {
                bool query = up[i] == '?';
                ++i;
                std::string val;
                while (i < up.size() && std::isdigit(static_cast<unsigned char>(up[i]))) val += up[i++];
                if (query) {
                    int reg = num.empty() ? 0 : to_int(num).value_or(-1);
                    r.lines.push_back(reg == 3 ? "013" : reg == 4 ? "010" : reg == 5 ? "008" : "000");
                }
            }
        } else {
            r.final = "ERROR";
            return r;
        }
    }
    return r;
}

std::string SimModem::ati() const {
    const auto& p = profile_info(cfg_.profile);
    switch (cfg_.profile) {
        case Profile::QuectelEc25:
            return std::string(p.manufacturer) + "\r\n" + p.model + "\r\nRevision: " + p.revision;
        case Profile::SimcomSim7600:
            return std::string("Manufacturer: ") + p.manufacturer + "\r\nModel: " + p.model +
                   "\r\nRevision: " + p.revision + "\r\nIMEI: " + cfg_.imei + "\r\n+GCAP: +CGSM";
        case Profile::HuaweiE3372:
            return std::string("Manufacturer: ") + p.manufacturer + "\r\nModel: " + p.model +
                   "\r\nRevision: " + p.revision + "\r\nIMEI: " + cfg_.imei + "\r\n+GCAP: +CGSM,+DS,+ES";
    }
    return {};
}

SimModem::Reply SimModem::exec_one(const std::string& cmd) {
    Reply r;
    if (cmd.empty()) return r;  // plain "AT"
    if (cmd[0] != '+' && cmd[0] != '^' && cmd[0] != '$') return exec_basic(cmd);
    // Name, then form: "?" read, "=?" test, "=args" set, nothing: action.
    std::size_t k = 1;
    while (k < cmd.size() && (std::isalnum(static_cast<unsigned char>(cmd[k])) || cmd[k] == '_')) ++k;
    std::string name = upper(cmd.substr(0, k));
    std::string rest = cmd.substr(k);
    bool read = rest == "?";
    bool test = rest == "=?";
    bool set = !read && !test && !rest.empty() && rest[0] == '=';
    bool action = rest.empty();
    if (!read && !test && !set && !action) {
        r.final = "ERROR";
        return r;
    }
    std::vector<std::string> args = set ? split_args(rest.substr(1)) : std::vector<std::string>{};
    auto arg_int = [&](std::size_t i) -> std::optional<int> { return i < args.size() ? to_int(args[i]) : std::nullopt; };
    const auto& prof = profile_info(cfg_.profile);
    const auto& op = op_info(*cfg_.op);
    const bool quectel = cfg_.profile == Profile::QuectelEc25;
    const bool simcom = cfg_.profile == Profile::SimcomSim7600;
    const bool huawei = cfg_.profile == Profile::HuaweiE3372;
    auto err = [&](std::string e) {
        r.final = std::move(e);
        return r;
    };
    // SIM-locked gate (27.007 §8.3): identity, PIN and radio commands still work.
    static const std::vector<std::string> kNoSim = {"+CGMI", "+CGMM", "+CGMR", "+CGSN", "+GSN",  "+GMI",
                                                   "+GMM",  "+GMR",  "+CMEE", "+CPIN", "+QPINC", "+SPIC",
                                                   "^CPIN", "+CFUN", "+CSQ",  "+CREG", "+CEREG", "+QCCID",
                                                   "+CICCID", "^ICCID", "+CCID", "+CSCS", "+CTZR", "+CTZU",
                                                   "+CCLK", "+CGREG", "+GCAP"};
    bool sms_cmd = name.rfind("+CMG", 0) == 0 || name == "+CPMS" || name == "+CNMI" || name == "+CSMS" ||
                   name == "+CNMA" || name == "+CSCA" || name == "+CMMS";
    if (sim_ != Sim::Ready && std::find(kNoSim.begin(), kNoSim.end(), name) == kNoSim.end()) {
        int code = sim_ == Sim::Pin ? 11 : sim_ == Sim::Puk ? 12 : 13;
        if (sms_cmd) return err(cms(sim_ == Sim::Pin ? 311 : sim_ == Sim::Puk ? 316 : 310));
        return err(cme(code));
    }

    if (name == "+CGMI" || name == "+GMI") {
        if (!action) return err("ERROR");
        r.lines.push_back(prof.manufacturer);
    } else if (name == "+CGMM" || name == "+GMM") {
        if (!action) return err("ERROR");
        r.lines.push_back(prof.model);
    } else if (name == "+CGMR" || name == "+GMR") {
        if (!action) return err("ERROR");
        r.lines.push_back(simcom ? std::string("+CGMR: ") + prof.revision : std::string(prof.revision));
    } else if (name == "+CGSN" || name == "+GSN") {
        if (!action && !(set && arg_int(0) == 1)) return err(action ? "ERROR" : cme(50));
        r.lines.push_back(set ? "+CGSN: \"" + cfg_.imei + "\"" : cfg_.imei);
    } else if (name == "+GCAP") {
        r.lines.push_back(huawei ? "+GCAP: +CGSM,+DS,+ES" : "+GCAP: +CGSM");
    } else if (name == "+CIMI") {
        if (!action) return err("ERROR");
        r.lines.push_back(cfg_.imsi);
    } else if (name == "+QCCID" && quectel && action) {
        r.lines.push_back("+QCCID: " + cfg_.iccid);
    } else if (name == "+CICCID" && simcom && action) {
        r.lines.push_back("+ICCID: " + cfg_.iccid);
    } else if (name == "+CCID" && simcom && (action || read)) {
        r.lines.push_back("+CCID: " + cfg_.iccid);
    } else if (name == "^ICCID" && huawei && read) {
        r.lines.push_back("^ICCID: " + swap_nibbles(cfg_.iccid));  // raw EF_ICCID order
    } else if (name == "+CRSM" && set) {
        // 27.007 §8.18: READ BINARY of EF_ICCID (2FE2) gives the raw, nibble-swapped digits.
        if (arg_int(0) == 176 && arg_int(1) == 12258) {
            r.lines.push_back("+CRSM: 144,0,\"" + swap_nibbles(cfg_.iccid) + "\"");
        } else {
            r.lines.push_back("+CRSM: 106,130,\"\"");
        }
    } else if (name == "+CNUM" && action) {
        if (!cfg_.own_number.empty()) {
            r.lines.push_back(std::string("+CNUM: ") + (simcom ? "" : "\"\"") + ",\"" + cfg_.own_number + "\",145");
        }
    } else if (name == "+CMEE") {
        if (read) {
            r.lines.push_back("+CMEE: " + std::to_string(cmee_));
        } else if (test) {
            r.lines.push_back("+CMEE: (0-2)");
        } else if (set && arg_int(0) && *arg_int(0) <= 2) {
            cmee_ = *arg_int(0);
        } else {
            return err(cme(50));
        }
    } else if (name == "+CPIN") {
        if (read) {
            if (sim_ == Sim::Blocked) return err(cme(13));
            r.lines.push_back(sim_ == Sim::Ready ? "+CPIN: READY" : sim_ == Sim::Pin ? "+CPIN: SIM PIN" : "+CPIN: SIM PUK");
        } else if (test) {
        } else if (set && !args.empty()) {
            if (sim_ == Sim::Ready) return err(cme(3));
            if (sim_ == Sim::Blocked) return err(cme(13));
            if (sim_ == Sim::Pin) {
                if (args[0] == cfg_.pin) {
                    sim_ = Sim::Ready;
                    pin_attempts_ = 3;
                    r.after = [this] {
                        if (cfg_.profile == Profile::QuectelEc25) {
                            urc("+CPIN: READY");
                            urc("+QIND: SMS DONE");
                        } else if (cfg_.profile == Profile::SimcomSim7600) {
                            urc("+CPIN: READY");
                            urc("SMS DONE");
                        }
                        start_registration();
                    };
                } else {
                    if (--pin_attempts_ <= 0) {
                        pin_attempts_ = 0;
                        sim_ = Sim::Puk;
                    }
                    return err(cme(16));
                }
            } else {  // PUK: AT+CPIN="<puk>","<new pin>"
                if (args.size() < 2) return err(cme(12));
                if (args[0] == cfg_.puk) {
                    cfg_.pin = args[1];
                    sim_ = Sim::Ready;
                    pin_attempts_ = 3;
                    puk_attempts_ = 10;
                    r.after = [this] { start_registration(); };
                } else {
                    if (--puk_attempts_ <= 0) sim_ = Sim::Blocked;
                    return err(cme(16));
                }
            }
        } else {
            return err(cme(50));
        }
    } else if (name == "+QPINC" && quectel) {
        r.lines.push_back("+QPINC: \"SC\"," + std::to_string(pin_attempts_) + "," + std::to_string(puk_attempts_));
        if (read) r.lines.push_back("+QPINC: \"P2\",3,10");
    } else if (name == "+SPIC" && simcom) {
        r.lines.push_back("+SPIC: " + std::to_string(pin_attempts_) + "," + std::to_string(puk_attempts_) + ",3,10");
    } else if (name == "^CPIN" && huawei && read) {
        std::string code = sim_ == Sim::Ready ? "READY" : sim_ == Sim::Pin ? "SIM PIN" : "SIM PUK";
        int times = sim_ == Sim::Pin ? pin_attempts_ : sim_ == Sim::Ready ? 0 : puk_attempts_;
        r.lines.push_back("^CPIN: " + code + "," + (sim_ == Sim::Ready ? "" : std::to_string(times)) + "," +
                          std::to_string(puk_attempts_) + "," + std::to_string(pin_attempts_) + ",10,3");
    } else if (name == "+CFUN") {
        if (read) {
            r.lines.push_back("+CFUN: " + std::to_string(cfun_));
        } else if (test) {
            r.lines.push_back("+CFUN: (0,1,4),(0-1)");
        } else if (set && arg_int(0)) {
            int f = *arg_int(0);
            if (f != 0 && f != 1 && f != 4) return err(cme(50));
            if (arg_int(1) == 1) {
                r.reset = true;
            } else {
                cfun_ = f;
                r.after = [this] {
                    if (cfun_ == 1) {
                        start_registration();
                    } else {
                        registered_ = false;
                        reg_timer_.cancel();
                    }
                };
            }
        } else {
            return err(cme(50));
        }
    } else if (name == "+CREG" || name == "+CEREG" || name == "+CGREG") {
        int& n = name == "+CEREG" ? cereg_n_ : creg_n_;
        if (read) {
            std::string line = reg_line(name.c_str(), n);
            r.lines.push_back(name + ": " + std::to_string(n) + "," + line.substr(name.size() + 2));
        } else if (test) {
            r.lines.push_back(name + ": (0-2)");
        } else if (set && arg_int(0) && *arg_int(0) <= 2) {
            n = *arg_int(0);
        } else {
            return err(cme(50));
        }
    } else if (name == "+COPS") {
        if (read) {
            if (registered()) {
                std::string oper = cops_format_ == 2 ? op.numeric : cops_format_ == 1 ? op.short_name : op.long_name;
                r.lines.push_back("+COPS: 0," + std::to_string(cops_format_) + ",\"" + oper + "\"," + std::to_string(act_));
            } else {
                r.lines.push_back("+COPS: 0");
            }
        } else if (test) {
            r.lines.push_back(std::string("+COPS: (2,\"") + op.long_name + "\",\"" + op.short_name + "\",\"" + op.numeric +
                              "\",7),,(0-4),(0-2)");
        } else if (set && arg_int(0)) {
            if (*arg_int(0) == 3 && arg_int(1) && *arg_int(1) <= 2) cops_format_ = *arg_int(1);
        } else {
            return err(cme(50));
        }
    } else if (name == "+CIREG" && !huawei) {
        // 27.007 §8.71; the E3372 stick firmware has no IMS and answers ERROR.
        if (read) {
            r.lines.push_back("+CIREG: 0," + std::string(lte_sms_refused() || act_ != 7 ? "0" : "1"));
        } else if (test) {
            r.lines.push_back("+CIREG: (0-2)");
        } else if (!set) {
            return err(cme(50));
        }
    } else if (name == "+CGSMS") {
        if (read) {
            r.lines.push_back("+CGSMS: " + std::to_string(cgsms_));
        } else if (test) {
            r.lines.push_back("+CGSMS: (0-3)");
        } else if (set && arg_int(0) && *arg_int(0) >= 0 && *arg_int(0) <= 3) {
            cgsms_ = *arg_int(0);
        } else {
            return err(cme(50));
        }
    } else if (name == "+QCFG" && quectel && !args.empty() && upper(args[0]) == "NWSCANMODE") {
        // Quectel EC25: AT+QCFG="nwscanmode"[,<scanmode>[,<effect>]]: 0 auto, 1 GSM, 2 UMTS, 3 LTE.
        if (args.size() == 1) {
            r.lines.push_back("+QCFG: \"nwscanmode\"," + std::to_string(scan_mode_));
        } else if (arg_int(1) && *arg_int(1) >= 0 && *arg_int(1) <= 3) {
            scan_mode_ = *arg_int(1);
            const int act = scan_mode_ == 1 ? 0 : scan_mode_ == 2 ? 2 : 7;
            r.after = [this, act] { set_act(act); };
        } else {
            return err("ERROR");
        }
    } else if (name == "+CNMP" && simcom) {
        // SIMCom SIM7600: AT+CNMP=<mode>: 2 auto, 13 GSM, 14 WCDMA, 38 LTE, 48 any but LTE.
        if (read) {
            r.lines.push_back("+CNMP: " + std::to_string(cnmp_));
        } else if (test) {
            r.lines.push_back("+CNMP: (2,9,10,13,14,19,22,38,39,48,51,54,59,60,63,67)");
        } else if (set && arg_int(0)) {
            const int m = *arg_int(0);
            int act = -1;
            if (m == 2 || m == 38 || m == 39) act = 7;
            if (m == 13) act = 0;
            if (m == 14 || m == 19) act = 2;
            if (m == 48) act = *cfg_.op == Operator::ChinaUnicom ? 2 : 0;
            if (act < 0) return err(cme(50));
            cnmp_ = m;
            r.after = [this, act] { set_act(act); };
        } else {
            return err(cme(50));
        }
    } else if (name == "+CSQ") {
        if (test) {
            r.lines.push_back("+CSQ: (0-31,99),(0-7,99)");
        } else {
            int rssi = registered() ? faults_.signal_csq : 99;
            r.lines.push_back("+CSQ: " + std::to_string(rssi) + ",99");
        }
    } else if (name == "+CSCS") {
        if (read) {
            r.lines.push_back("+CSCS: \"" + cscs_ + "\"");
        } else if (test) {
            r.lines.push_back("+CSCS: (\"GSM\",\"IRA\",\"UCS2\")");
        } else if (set && !args.empty()) {
            std::string cs = upper(args[0]);
            if (cs != "GSM" && cs != "IRA" && cs != "UCS2") return err(cme(50));
            cscs_ = cs;
        }
    } else if (name == "+CMGF") {
        if (read) {
            r.lines.push_back("+CMGF: 0");
        } else if (test) {
            r.lines.push_back("+CMGF: (0-1)");
        } else if (set && arg_int(0) == 0) {
        } else {
            return err(cms(303));  // text mode is not simulated
        }
    } else if (name == "+CSMS") {
        if (read) {
            r.lines.push_back("+CSMS: " + std::to_string(csms_) + ",1,1,1");
        } else if (test) {
            r.lines.push_back("+CSMS: (0-1)");
        } else if (set && arg_int(0) && *arg_int(0) <= 1) {
            csms_ = *arg_int(0);
            r.lines.push_back("+CSMS: 1,1,1");
        } else {
            return err(cms(302));
        }
    } else if (name == "+CSCA") {
        if (read) r.lines.push_back("+CSCA: \"" + smsc() + "\",145");
    } else if (name == "+CPMS") {
        auto mem_index = [](const std::string& s) {
            std::string u = upper(s);
            return u == "SM" ? 0 : u == "ME" ? 1 : u == "SR" ? 2 : u == "MT" ? 0 : -1;
        };
        if (test) {
            r.lines.push_back("+CPMS: (\"SM\",\"ME\",\"SR\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")");
        } else if (read) {
            std::string line = "+CPMS: ";
            for (int i = 0; i < 3; ++i) {
                const auto& st = storages_[static_cast<std::size_t>(mem_[static_cast<std::size_t>(i)])];
                if (i > 0) line += ",";
                line += std::string("\"") + st.name + "\"," + std::to_string(st.used()) + "," + std::to_string(st.slots.size());
            }
            r.lines.push_back(line);
        } else if (set && !args.empty() && args.size() <= 3) {
            std::array<int, 3> m = mem_;
            for (std::size_t i = 0; i < args.size(); ++i) {
                int x = mem_index(args[i]);
                if (x < 0 || (i > 0 && x == 2)) return err(cms(302));
                m[i] = x;
            }
            mem_ = m;
            std::string line = "+CPMS: ";
            for (std::size_t i = 0; i < 3; ++i) {
                const auto& st = storages_[static_cast<std::size_t>(mem_[i])];
                if (i > 0) line += ",";
                line += std::to_string(st.used()) + "," + std::to_string(st.slots.size());
            }
            r.lines.push_back(line);
            r.after = [this] { deliver_pending(); };
        } else {
            return err(cms(302));
        }
    } else if (name == "+CNMI") {
        // Supported values (27.005 §3.4.1), as the sticks' test commands list them.
        static const std::array<std::vector<int>, 5> kRanges = {{{0, 1, 2}, {0, 1, 2, 3}, {0, 2}, {0, 1, 2}, {0, 1}}};
        if (test) {
            r.lines.push_back(huawei ? "+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)"
                                     : "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)");
        } else if (read) {
            r.lines.push_back("+CNMI: " + std::to_string(cnmi_[0]) + "," + std::to_string(cnmi_[1]) + "," +
                              std::to_string(cnmi_[2]) + "," + std::to_string(cnmi_[3]) + "," + std::to_string(cnmi_[4]));
        } else if (set && !args.empty() && args.size() <= 5) {
            auto next = cnmi_;
            for (std::size_t i = 0; i < args.size(); ++i) {
                if (args[i].empty()) continue;
                auto v = to_int(args[i]);
                if (!v || std::find(kRanges[i].begin(), kRanges[i].end(), *v) == kRanges[i].end()) return err(cms(303));
                next[i] = *v;
            }
            cnmi_ = next;
            r.after = [this] { deliver_pending(); };
        } else {
            return err(cms(302));
        }
    } else if (name == "+CMMS") {
        if (read) {
            r.lines.push_back("+CMMS: " + std::to_string(cmms_));
        } else if (test) {
            r.lines.push_back("+CMMS: (0-2)");
        } else if (set && arg_int(0) && *arg_int(0) <= 2) {
            cmms_ = *arg_int(0);
        } else {
            return err(cms(302));
        }
    } else if (name == "+CMGS") {
        if (test) return r;
        if (!set || !arg_int(0)) return err(cms(302));
        int len = *arg_int(0);
        if (len < 7 || len > 164) return err(cms(304));
        cmgs_len_ = len;
        r.prompt = true;
    } else if (name == "+CMGR") {
        if (test) return r;
        if (!set || !arg_int(0)) return err(cms(302));
        Storage& st = storages_[static_cast<std::size_t>(mem_[0])];
        int idx = *arg_int(0);
        if (idx < 0 || idx >= static_cast<int>(st.slots.size())) return err(cms(321));
        auto& slot = st.slots[static_cast<std::size_t>(idx)];
        if (!slot) {
            if (quectel) return r;  // quirk: EC25 answers a bare OK for an empty index
            return err(cms(321));
        }
        r.lines.push_back("+CMGR: " + std::to_string(slot->stat) + ",," + std::to_string(slot->length));
        r.lines.push_back(slot->pdu);
        slot->stat = 1;
    } else if (name == "+CMGL") {
        if (test) {
            r.lines.push_back("+CMGL: (0-4)");
            return r;
        }
        int stat = 4;
        if (set) {
            if (!arg_int(0) || *arg_int(0) > 4) return err(cms(302));
            stat = *arg_int(0);
        }
        Storage& st = storages_[static_cast<std::size_t>(mem_[0])];
        for (std::size_t i = 0; i < st.slots.size(); ++i) {
            auto& slot = st.slots[i];
            if (!slot || (stat != 4 && slot->stat != stat)) continue;
            r.lines.push_back("+CMGL: " + std::to_string(i) + "," + std::to_string(slot->stat) + ",," +
                              std::to_string(slot->length));
            r.lines.push_back(slot->pdu);
            slot->stat = 1;
        }
    } else if (name == "+CMGD") {
        if (test) {
            r.lines.push_back("+CMGD: (0-" + std::to_string(storages_[static_cast<std::size_t>(mem_[0])].slots.size() - 1) + "),(0-4)");
            return r;
        }
        if (!set || !arg_int(0)) return err(cms(302));
        Storage& st = storages_[static_cast<std::size_t>(mem_[0])];
        int idx = *arg_int(0);
        int flag = arg_int(1).value_or(0);
        if (flag < 0 || flag > 4) return err(cms(302));
        if (flag == 0) {
            if (idx < 0 || idx >= static_cast<int>(st.slots.size())) return err(cms(321));
            st.slots[static_cast<std::size_t>(idx)].reset();
        } else {
            // 27.005 §3.5.4: 1 read, 2 read+sent, 3 read+sent+unsent, 4 all (we store no MO messages).
            for (auto& slot : st.slots) {
                if (slot && (flag == 4 || slot->stat == 1)) slot.reset();
            }
        }
        r.after = [this] {
            full_indicated_ = false;
            // The network retries a held message a moment after space is freed.
            retry_timer_.expires_after(milliseconds(30));
            retry_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec && !shut_) deliver_pending();
            });
        };
    } else if (name == "+CLIP") {
        if (set) {
            clip_ = arg_int(0).value_or(0) == 1;
        } else if (read) {
            r.lines.push_back(std::string("+CLIP: ") + (clip_ ? "1" : "0") + ",1");
        } else if (test) {
            r.lines.push_back("+CLIP: (0,1)");
        }
    } else if (name == "+CNMA") {
        // 27.005 §3.4.4: acknowledges the oldest +CMT/+CDS still waiting.
        if (pending_acks_.empty()) return err(cms(340));
        pending_acks_.pop_front();
    } else if (name == "+CCLK") {
        if (read) {
            if (cfg_.nitz) {
                r.lines.push_back("+CCLK: \"" + fmt_time(std::time(nullptr) + 8 * 3600, "%y/%m/%d,%H:%M:%S") + "+32\"");
            } else {
                r.lines.push_back("+CCLK: \"80/01/06,00:00:07+00\"");
            }
        }
    } else if (name == "+CTZR") {
        if (read) {
            r.lines.push_back("+CTZR: " + std::to_string(ctzr_));
        } else if (set && arg_int(0) && *arg_int(0) <= 2) {
            ctzr_ = *arg_int(0);
        } else if (!test) {
            return err(cme(50));
        }
    } else if (name == "+CTZU" || name == "+CGSMS" || name == "+CSDH" || name == "+CSMP") {
        if (read) r.lines.push_back(name + ": " + (name == "+CGSMS" ? "1" : "0"));
    } else if (name == "+CUSD") {
        if (read) {
            r.lines.push_back("+CUSD: 1");
        } else if (set) {
            if (args.size() >= 2 && registered()) {
                std::string answer = op.balance;
                r.after = [this, answer] {
                    auto timer = std::make_shared<asio::steady_timer>(io_, milliseconds(50));
                    timer->async_wait([this, timer, answer](const boost::system::error_code& ec) {
                        if (!ec && !shut_) urc("+CUSD: 0,\"" + ucs2_hex(answer) + "\",72");
                    });
                };
            } else if (args.size() >= 2) {
                return err(cme(30));
            }
        }
    } else {
        return err(huawei || quectel ? "ERROR" : cme(100));
    }
    return r;
}

void SimModem::exec_submit(const std::string& body) {
    std::string hex;
    for (char c : body) {
        if (!std::isspace(static_cast<unsigned char>(c))) hex += c;
    }
    auto decoded = decode_submit(hex);
    if (!decoded || decoded->tpdu_octets != cmgs_len_) {
        ++bad_pdus_;
        ++sends_failed_;
        respond("\r\n" + cms(304) + "\r\n", timing_.command, nullptr);
        return;
    }
    int code = 0;
    if (!registered()) {
        code = 331;
    } else if (faults_.carrier_blocked || lte_sms_refused()) {
        code = 500;  // a suspended card, or SMS refused on LTE: registered, and nothing goes out
    } else if (faults_.fail_next > 0) {
        --faults_.fail_next;
        const auto& codes = faults_.error_codes;
        code = codes.empty() ? 500 : codes[static_cast<std::size_t>(fail_code_turn_++) % codes.size()];
    } else if (faults_.error_rate > 0.0) {
        std::uniform_real_distribution<double> u(0.0, 1.0);
        if (u(rng_) < faults_.error_rate) {
            const auto& codes = faults_.error_codes;
            std::uniform_int_distribution<std::size_t> pick(0, codes.empty() ? 0 : codes.size() - 1);
            code = codes.empty() ? 500 : codes[pick(rng_)];
        }
    }
    if (code != 0) {
        ++sends_failed_;
        respond("\r\n" + cms(code) + "\r\n", timing_.cmgs, nullptr);
        return;
    }
    int mr = mr_;
    mr_ = (mr_ + 1) % 256;
    Submit s = std::move(*decoded);
    // The send is recorded just before its answer goes out, so whoever saw +CMGS finds it in sent().
    auto record = [this, mr, s, hex] {
        Sent rec;
        rec.modem = index_;
        rec.mr = mr;
        rec.recipient = s.recipient;
        rec.text = s.text;
        rec.encoding = s.encoding;
        rec.concat_ref = s.concat_ref;
        rec.concat_part = s.concat_part;
        rec.concat_total = s.concat_total;
        rec.status_report = s.status_report;
        rec.tp_mr = s.mr;
        rec.validity = s.validity;
        rec.pdu = hex;
        rec.time = std::chrono::system_clock::now();
        ++sends_ok_;
        if (on_sent_) on_sent_(rec);
        if (s.status_report) status_report(mr, s.recipient, rec.time);
    };
    respond("\r\n+CMGS: " + std::to_string(mr) + "\r\n\r\nOK\r\n", timing_.cmgs, [this] {
        if (faults_.hang_after_sends > 0 && --faults_.hang_after_sends == 0) {
            faults_.hung = true;  // stops answering from now on
            faults_.hang_after_sends = -1;
            in_.clear();
            urcs_.clear();
        }
    }, record);
}

ModemInfo SimModem::info() const {
    ModemInfo i;
    const auto& p = profile_info(cfg_.profile);
    i.index = index_;
    i.pty_path = pty_path_;
    i.link_path = link_path_;
    i.tcp_port = acceptor_ ? tcp_port_ : 0;
    i.present = present_;
    i.manufacturer = p.manufacturer;
    i.model = p.model;
    i.revision = p.revision;
    i.imei = cfg_.imei;
    i.imsi = cfg_.imsi;
    i.iccid = cfg_.iccid;
    i.operator_name = op_info(*cfg_.op).long_name;
    i.own_number = cfg_.own_number;
    i.profile = cfg_.profile;
    return i;
}

ModemStatus SimModem::status() const {
    ModemStatus s;
    s.index = index_;
    s.present = present_;
    s.hung = faults_.hung;
    s.registered = registered();
    s.sim = sim_ == Sim::Ready ? "READY" : sim_ == Sim::Pin ? "SIM PIN" : sim_ == Sim::Puk ? "SIM PUK" : "BLOCKED";
    s.sends_ok = sends_ok_;
    s.sends_failed = sends_failed_;
    s.bad_pdus = bad_pdus_;
    s.sm_used = storages_[0].used();
    s.sm_slots = static_cast<int>(storages_[0].slots.size());
    s.sr_used = storages_[2].used();
    s.network_queue = static_cast<int>(network_queue_.size());
    s.delivered_parts = delivered_parts_;
    s.reports_sent = reports_sent_;
    s.redelivered = redelivered_;
    s.commands = commands_;
    s.next_mr = mr_;
    s.noise_urcs = noise_urcs_;
    s.calls = calls_;
    s.hangups = hangups_;
    s.ringing = rings_left_ > 0;
    s.act = act_;
    s.ims = act_ == 7 && !lte_sms_refused();
    return s;
}

}  // namespace cunxin::modemsim

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/modemsim/simulator.hpp"

#include <unistd.h>

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <ctime>
#include <future>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "carrier.hpp"
#include "control_json.hpp"
#include "modem.hpp"

namespace cunxin::modemsim {
namespace {

using nlohmann::json;

/// One control connection: JSON lines in, JSON lines out.
template <class Socket>
class ControlSession : public std::enable_shared_from_this<ControlSession<Socket>> {
public:
    ControlSession(Socket sock, std::function<std::string(const std::string&)> handler)
        : sock_(std::move(sock)), handler_(std::move(handler)) {}
    void start() { read(); }
    void close() {
        boost::system::error_code ec;
        sock_.close(ec);
    }

private:
    void read() {
        auto self = this->shared_from_this();
        asio::async_read_until(sock_, buf_, '\n', [self](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return;
            std::string line(asio::buffers_begin(self->buf_.data()),
                             asio::buffers_begin(self->buf_.data()) + static_cast<std::ptrdiff_t>(n));
            self->buf_.consume(n);
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
            if (line.empty()) {
                self->read();
                return;
            }
            self->out_ = self->handler_(line) + "\n";
            asio::async_write(self->sock_, asio::buffer(self->out_), [self](const boost::system::error_code& wec, std::size_t) {
                if (!wec) self->read();
            });
        });
    }

    Socket sock_;
    std::function<std::string(const std::string&)> handler_;
    asio::streambuf buf_{1 << 20};
    std::string out_;
};

/// Accepts control connections on a TCP or UNIX acceptor.
template <class Protocol>
class ControlServer {
public:
    ControlServer(asio::io_context& io, typename Protocol::endpoint ep,
                  std::function<std::string(const std::string&)> handler)
        : acceptor_(io), handler_(std::move(handler)) {
        acceptor_.open(ep.protocol());
        if constexpr (std::is_same_v<Protocol, asio::ip::tcp>) {
            acceptor_.set_option(asio::socket_base::reuse_address(true));
        }
        acceptor_.bind(ep);
        acceptor_.listen();
        accept();
    }
    typename Protocol::endpoint local() const { return acceptor_.local_endpoint(); }
    void close() {
        boost::system::error_code ec;
        acceptor_.close(ec);
        for (auto& w : sessions_) {
            if (auto s = w.lock()) s->close();
        }
        sessions_.clear();
    }

private:
    using Session = ControlSession<typename Protocol::socket>;
    void accept() {
        acceptor_.async_accept([this](const boost::system::error_code& ec, typename Protocol::socket sock) {
            if (ec) return;
            auto s = std::make_shared<Session>(std::move(sock), handler_);
            sessions_.remove_if([](const auto& w) { return w.expired(); });
            sessions_.push_back(s);
            s->start();
            accept();
        });
    }
    typename Protocol::acceptor acceptor_;
    std::function<std::string(const std::string&)> handler_;
    std::list<std::weak_ptr<Session>> sessions_;
};

}  // namespace

struct Simulator::Impl {
    explicit Impl(Config c) : config(std::move(c)) {
        timing.cmgs = config.cmgs_latency;
        timing.command = config.command_latency;
        timing.reset_quiet = config.reset_quiet;
        timing.registration = config.registration_delay;
        timing.cnma = config.cnma_timeout;
    }

    Config config;
    Timing timing;
    asio::io_context io{1};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::thread thread;
    std::mutex run_mutex;  // orders call()'s posts against stop()
    bool running = false;
    std::vector<std::unique_ptr<SimModem>> modems;
    std::unique_ptr<ControlServer<asio::ip::tcp>> tcp_control;
    std::unique_ptr<ControlServer<asio::local::stream_protocol>> unix_control;
    std::string control_endpoint;
    std::string unix_path;

    /// Credit reported by the carriers' service numbers, per modem (fen).
    std::vector<std::int64_t> balances;
    /// Parts of multipart texts between simulated SIMs: (modem, ref) → part → text.
    std::map<std::pair<int, int>, std::map<int, std::string>> concat_parts;

    /// The network side of a submitted segment: to another simulated SIM's number it arrives
    /// there (from the sender's number); to a carrier's service number, the carrier answers.
    void route(const Sent& s) {
        std::string text = s.text;
        if (s.concat_ref >= 0 && s.concat_total > 1) {
            auto& parts = concat_parts[{s.modem, s.concat_ref}];
            parts[s.concat_part] = s.text;
            if (static_cast<int>(parts.size()) < s.concat_total) return;
            text.clear();
            for (const auto& [n, t] : parts) text += t;
            concat_parts.erase({s.modem, s.concat_ref});
        }
        SimModem& from = modem(s.modem);
        const std::string key = number_key(s.recipient);
        const auto fen = balances[static_cast<std::size_t>(s.modem)];
        std::optional<Incoming> in;
        if (auto answer = service_answer(s.recipient, text, fen, std::chrono::system_clock::now())) {
            in = Incoming{};
            in->modem = s.modem;
            in->from = key;
            in->text = *answer;
        } else {
            for (std::size_t j = 0; j < modems.size(); ++j) {
                const auto info = modems[j]->info();
                if (info.own_number.empty() || number_key(info.own_number) != key) continue;
                if (modems[j]->faults().no_receive) return;  // this SIM cannot receive
                in = Incoming{};
                in->modem = static_cast<int>(j);
                const auto own = from.info().own_number;
                in->from = own.empty() ? std::string("+8614400000000") : own;
                in->text = text;
                break;
            }
        }
        if (!in) return;
        auto timer = std::make_shared<asio::steady_timer>(io, config.delivery_delay);
        timer->async_wait([this, timer, msg = *in](const boost::system::error_code& ec) {
            if (ec) return;
            try {
                inject(msg);
            } catch (const std::exception&) {
                // the modem is gone
            }
        });
    }

    mutable std::mutex sent_mutex;
    mutable std::condition_variable sent_cv;
    std::vector<Sent> sent;

    /// A steady stream of incoming messages to one modem (control command "stream").
    struct Stream {
        std::unique_ptr<asio::steady_timer> timer;
        int left = 0;
    };
    std::vector<Stream> streams;  // by modem index; destroyed before io
    long long streamed = 0;       // messages injected by streams so far (numbers them too)

    /// Runs f on the io thread (or here when not running / already on it) and returns its result.
    template <class F>
    auto call(F f) -> decltype(f()) {
        using R = decltype(f());
        if (io.get_executor().running_in_this_thread()) return f();
        auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
        auto fut = task->get_future();
        {
            std::unique_lock lock(run_mutex);
            if (!running) {
                lock.unlock();
                (*task)();
                return fut.get();
            }
            asio::post(io, [task] { (*task)(); });
        }
        return fut.get();
    }

    SimModem& modem(int i) {
        if (i < 0 || i >= static_cast<int>(modems.size())) {
            throw std::out_of_range("modemsim: no modem " + std::to_string(i));
        }
        return *modems[static_cast<std::size_t>(i)];
    }

    int inject(const Incoming& m) {
        SimModem& md = modem(m.modem);
        DeliverSpec spec;
        spec.smsc = md.smsc();
        spec.from = m.from;
        spec.text = m.text;
        spec.encoding = m.encoding;
        spec.scts = m.scts.value_or(std::chrono::system_clock::now());
        spec.concat_ref = md.next_concat_ref();
        auto parts = encode_deliver(spec);
        int n = static_cast<int>(parts.size());
        md.deliver(std::move(parts), m.parts_order, m.delay_ms);
        return n;
    }

    /// Injects one message into modem i every `every` (on a fixed schedule from now), `count` times.
    void start_stream(int i, std::chrono::milliseconds every, int count, std::string from, std::string text) {
        modem(i);  // range check
        if (streams.size() < modems.size()) streams.resize(modems.size());
        Stream& st = streams[static_cast<std::size_t>(i)];
        if (!st.timer) st.timer = std::make_unique<asio::steady_timer>(io);
        st.timer->cancel();
        st.left = count;
        stream_tick(i, std::chrono::steady_clock::now(), every, std::make_shared<std::pair<std::string, std::string>>(
                                                                    std::move(from), std::move(text)));
    }

    void stream_tick(int i, std::chrono::steady_clock::time_point at, std::chrono::milliseconds every,
                     std::shared_ptr<std::pair<std::string, std::string>> what) {
        Stream& st = streams[static_cast<std::size_t>(i)];
        st.timer->expires_at(at);
        st.timer->async_wait([this, i, at, every, what](const boost::system::error_code& ec) {
            Stream& s = streams[static_cast<std::size_t>(i)];
            if (ec || s.left <= 0) return;
            const long long n = ++streamed;
            // Each message from its own number: the last 6 digits of `from` count the messages.
            std::string from = what->first;
            if (from.size() > 7) {
                char digits[8];
                std::snprintf(digits, sizeof digits, "%06lld", n % 1000000);
                from.replace(from.size() - 6, 6, digits);
            }
            inject(Incoming{.modem = i, .from = from, .text = what->second + " " + std::to_string(n)});
            if (--s.left > 0) stream_tick(i, at + every, every, what);
        });
    }

    void stop_streams() {
        for (auto& st : streams) {
            st.left = 0;
            if (st.timer) st.timer->cancel();
        }
    }

    std::string control(const std::string& line);
};

Simulator::Simulator(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Simulator::~Simulator() {
    try {
        stop();
    } catch (...) {
        // a destructor must not throw; stop() only fails on broken invariants
    }
}

void Simulator::start() {
    Impl& d = *impl_;
    if (d.running) return;
    if (!d.modems.empty()) throw std::runtime_error("modemsim: a stopped simulator cannot be restarted");
    if (d.config.modems < 0 || d.config.modems > 256) throw std::runtime_error("modemsim: bad number of modems");
    if (!d.config.link_dir.empty()) ::mkdir(d.config.link_dir.c_str(), 0755);
    for (int i = 0; i < d.config.modems; ++i) {
        ModemConfig mc = i < static_cast<int>(d.config.modem.size()) ? d.config.modem[static_cast<std::size_t>(i)] : ModemConfig{};
        d.balances.push_back(mc.balance_fen.value_or(2350 + 1111 * i));
        auto hook = [&d](const Sent& s) {
            {
                std::lock_guard lock(d.sent_mutex);
                d.sent.push_back(s);
                d.sent_cv.notify_all();
            }
            d.route(s);
        };
        d.modems.push_back(std::make_unique<SimModem>(d.io, i, std::move(mc), d.timing, d.config.link_dir,
                                                      d.config.seed, hook));
        d.modems.back()->open();
    }
    auto handler = [&d](const std::string& line) { return d.control(line); };
    const std::string& c = d.config.control;
    if (c.rfind("unix:", 0) == 0) {
        d.unix_path = c.substr(5);
        ::unlink(d.unix_path.c_str());
        d.unix_control = std::make_unique<ControlServer<asio::local::stream_protocol>>(
            d.io, asio::local::stream_protocol::endpoint(d.unix_path), handler);
        d.control_endpoint = c;
    } else if (!c.empty()) {
        auto colon = c.rfind(':');
        if (colon == std::string::npos) throw std::runtime_error("modemsim: control must be HOST:PORT or unix:PATH");
        std::string host = c.substr(0, colon);
        auto port = static_cast<std::uint16_t>(std::stoi(c.substr(colon + 1)));
        auto addr = asio::ip::make_address(host);
        if (!addr.is_loopback()) throw std::runtime_error("modemsim: control listens on loopback only");
        d.tcp_control = std::make_unique<ControlServer<asio::ip::tcp>>(d.io, asio::ip::tcp::endpoint(addr, port), handler);
        d.control_endpoint = host + ":" + std::to_string(d.tcp_control->local().port());
    }
    d.work.emplace(d.io.get_executor());
    {
        std::lock_guard lock(d.run_mutex);
        d.running = true;
    }
    d.thread = std::thread([&d] { d.io.run(); });
}

void Simulator::stop() {
    Impl& d = *impl_;
    {
        std::lock_guard lock(d.run_mutex);
        if (!d.running) return;
    }
    asio::post(d.io, [&d] {
        for (auto& m : d.modems) m->shutdown();
        d.stop_streams();
        if (d.tcp_control) d.tcp_control->close();
        if (d.unix_control) d.unix_control->close();
        d.work.reset();
        d.io.stop();
    });
    d.thread.join();
    {
        std::lock_guard lock(d.run_mutex);
        d.running = false;
    }
    // Calls posted while the loop was stopping still get their answer.
    d.io.restart();
    d.io.poll();
    if (!d.unix_path.empty()) ::unlink(d.unix_path.c_str());
    std::lock_guard lock(d.sent_mutex);
    d.sent_cv.notify_all();
}

std::vector<ModemInfo> Simulator::modems() const {
    return impl_->call([this] {
        std::vector<ModemInfo> out;
        for (const auto& m : impl_->modems) out.push_back(m->info());
        return out;
    });
}

std::vector<ModemStatus> Simulator::status() const {
    return impl_->call([this] {
        std::vector<ModemStatus> out;
        for (const auto& m : impl_->modems) out.push_back(m->status());
        return out;
    });
}

int Simulator::inject(const Incoming& message) {
    return impl_->call([this, &message] { return impl_->inject(message); });
}

std::vector<Sent> Simulator::sent() const {
    std::lock_guard lock(impl_->sent_mutex);
    return impl_->sent;
}

void Simulator::clear_sent() {
    std::lock_guard lock(impl_->sent_mutex);
    impl_->sent.clear();
}

bool Simulator::wait_sent(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(impl_->sent_mutex);
    return impl_->sent_cv.wait_for(lock, timeout, [this, n] { return impl_->sent.size() >= n; });
}

void Simulator::set_faults(int modem, const Faults& faults) {
    impl_->call([this, modem, &faults] { impl_->modem(modem).set_faults(faults); });
}

Faults Simulator::faults(int modem) const {
    return impl_->call([this, modem] { return impl_->modem(modem).faults(); });
}

void Simulator::vanish(int modem, std::chrono::milliseconds back_after) {
    impl_->call([this, modem, back_after] { impl_->modem(modem).vanish(back_after); });
}

void Simulator::inject_garbage(int modem, std::string bytes) {
    impl_->call([this, modem, &bytes] { impl_->modem(modem).inject_garbage(std::move(bytes)); });
}

void Simulator::ring(int modem, std::string number, int rings, std::chrono::milliseconds every) {
    impl_->call([this, modem, &number, rings, every] { impl_->modem(modem).ring(number, rings, every); });
}

void Simulator::fill_sim(int modem) {
    impl_->call([this, modem] { impl_->modem(modem).fill_sim(); });
}

void Simulator::lock_sim(int modem, std::string pin) {
    impl_->call([this, modem, &pin] { impl_->modem(modem).lock_sim(std::move(pin)); });
}

void Simulator::set_balance(int modem, std::int64_t fen) {
    impl_->call([this, modem, fen] {
        impl_->modem(modem);  // range check
        impl_->balances[static_cast<std::size_t>(modem)] = fen;
    });
}

void Simulator::set_latency(std::chrono::milliseconds cmgs, std::chrono::milliseconds command) {
    impl_->call([this, cmgs, command] {
        impl_->timing.cmgs = cmgs;
        impl_->timing.command = command;
    });
}

std::string Simulator::control(std::string_view json_line) {
    std::string line(json_line);
    return impl_->call([this, &line] { return impl_->control(line); });
}

std::string Simulator::control_endpoint() const { return impl_->control_endpoint; }

std::string Simulator::Impl::control(const std::string& line) {
    json req = json::parse(line, nullptr, false);
    auto fail = [](const std::string& why) { return json{{"ok", false}, {"error", why}}.dump(); };
    if (req.is_discarded() || !req.is_object()) return fail("not a JSON object");
    std::string cmd = req.value("cmd", "");
    try {
        auto modem_list = [&]() {
            std::vector<int> idx;
            if (!req.contains("modem") || (req["modem"].is_string() && req["modem"] == "all")) {
                for (std::size_t i = 0; i < modems.size(); ++i) idx.push_back(static_cast<int>(i));
            } else {
                int i = req.at("modem").get<int>();
                modem(i);  // range check
                idx.push_back(i);
            }
            return idx;
        };
        if (cmd == "modems") {
            json arr = json::array();
            for (const auto& m : modems) arr.push_back(to_json(m->info()));
            return json{{"ok", true}, {"modems", arr}}.dump();
        }
        if (cmd == "status") {
            json arr = json::array();
            for (const auto& m : modems) arr.push_back(to_json(m->status()));
            std::size_t n = 0;
            {
                std::lock_guard lock(sent_mutex);
                n = sent.size();
            }
            return json{{"ok", true}, {"modems", arr}, {"sent", n}, {"streamed", streamed},
                        {"cmgs_latency_ms", timing.cmgs.count()}, {"command_latency_ms", timing.command.count()}}
                .dump();
        }
        if (cmd == "sent") {
            json arr = json::array();
            int only = req.contains("modem") ? req["modem"].get<int>() : -1;
            std::size_t since = req.value("since", static_cast<std::size_t>(0));
            std::lock_guard lock(sent_mutex);
            for (std::size_t i = since; i < sent.size(); ++i) {
                if (only < 0 || sent[i].modem == only) arr.push_back(to_json(sent[i]));
            }
            return json{{"ok", true}, {"sent", arr}, {"total", sent.size()}}.dump();
        }
        if (cmd == "clear_sent") {
            std::lock_guard lock(sent_mutex);
            sent.clear();
            return json{{"ok", true}}.dump();
        }
        if (cmd == "inject") {
            Incoming in;
            in.modem = req.value("modem", 0);
            in.from = req.at("from").get<std::string>();
            in.text = req.at("text").get<std::string>();
            in.encoding = req.value("encoding", std::string("auto"));
            in.parts_order = req.value("parts_order", std::vector<int>{});
            in.delay_ms = req.value("delay_ms", 0);
            if (req.contains("scts_unix")) {
                in.scts = std::chrono::system_clock::from_time_t(req["scts_unix"].get<std::time_t>());
            }
            int parts = inject(in);
            return json{{"ok", true}, {"parts", parts}}.dump();
        }
        if (cmd == "stream") {
            if (req.value("stop", false)) {
                stop_streams();
                return json{{"ok", true}, {"streamed", streamed}}.dump();
            }
            const int every = req.at("every_ms").get<int>();
            const int count = req.value("count", 1);
            if (every < 1 || count < 1 || count > 1000000) return fail("every_ms >= 1 and 1 <= count <= 1000000");
            for (int i : modem_list()) {
                start_stream(i, std::chrono::milliseconds(every), count, req.value("from", std::string("+8613700000000")),
                             req.value("text", std::string("02 收到")));
            }
            return json{{"ok", true}}.dump();
        }
        if (cmd == "suspend") {
            // The carrier suspends the card for bulk sending: every AT+CMGS fails with CMS 500
            // from now on, and (unless "notice": false) a notice comes from its service number.
            int parts = 0;
            for (int i : modem_list()) {
                SimModem& m = modem(i);
                Faults f = m.faults();
                f.carrier_blocked = true;
                m.set_faults(f);
                if (!req.value("notice", true)) continue;
                const auto info = m.info();
                const std::string from = info.operator_name == "CHINA UNICOM"    ? "10010"
                                         : info.operator_name == "CHINA TELECOM" ? "10000"
                                                                                 : "10086";
                Incoming in;
                in.modem = i;
                in.from = from;
                in.text = req.value("text", "尊敬的客户：您的号码因涉嫌发送垃圾短信，已被暂停短信发送功能。如有疑问请致电" + from + "。");
                parts += inject(in);
            }
            return json{{"ok", true}, {"parts", parts}}.dump();
        }
        if (cmd == "ring") {
            for (int i : modem_list()) {
                modem(i).ring(req.value("number", std::string("+8613800000000")), req.value("rings", 5),
                              std::chrono::milliseconds(req.value("every_ms", 1000)));
            }
            return json{{"ok", true}}.dump();
        }
        if (cmd == "balance") {
            const auto fen = static_cast<std::int64_t>(std::llround(req.at("yuan").get<double>() * 100.0));
            for (int i : modem_list()) balances[static_cast<std::size_t>(i)] = fen;
            return json{{"ok", true}}.dump();
        }
        if (cmd == "latency") {
            if (req.contains("cmgs_ms")) timing.cmgs = std::chrono::milliseconds(req["cmgs_ms"].get<int>());
            if (req.contains("command_ms")) timing.command = std::chrono::milliseconds(req["command_ms"].get<int>());
            return json{{"ok", true}}.dump();
        }
        if (cmd == "fault") {
            for (int i : modem_list()) {
                SimModem& m = modem(i);
                Faults f = req.value("clear", false) ? Faults{} : m.faults();
                apply_faults(req, f);
                m.set_faults(f);
                if (req.contains("garbage")) {
                    const auto& g = req["garbage"];
                    if (g.is_string()) {
                        m.inject_garbage(g.get<std::string>());
                    } else {
                        for (int k = 0; k < std::max(1, g.get<int>() / 16); ++k) m.inject_garbage({});
                    }
                }
                if (req.value("sim_full", false)) m.fill_sim();
                if (req.contains("lock_sim")) m.lock_sim(req["lock_sim"].get<std::string>());
                if (req.value("vanish", false)) {
                    m.vanish(std::chrono::milliseconds(req.value("return_after_ms", -1)));
                }
            }
            json arr = json::array();
            for (int i : modem_list()) arr.push_back(to_json(modem(i).faults()));
            return json{{"ok", true}, {"faults", arr}}.dump();
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return fail("unknown cmd '" + cmd + "'");
}

}  // namespace cunxin::modemsim

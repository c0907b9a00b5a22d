// SPDX-License-Identifier: Apache-2.0
#include "cunxin/modem/pool.hpp"

#include <unistd.h>

#include <algorithm>

#include "cunxin/at/channel.hpp"
#include "cunxin/at/gsm_errors.hpp"
#include "cunxin/serial/discovery.hpp"

namespace cunxin::modem {

using namespace std::chrono_literals;

struct ModemPool::Entry {
    std::shared_ptr<Modem> modem;
    bool busy = false;          ///< a segment is assigned (set before the coroutine starts)
    bool discovered = false;    ///< added by discovery (removed when its port disappears)
    bool was_ready = false;
};

asio::awaitable<std::optional<std::string>> find_at_port(std::vector<std::string> candidates,
                                                         std::chrono::milliseconds timeout) {
    auto ex = co_await asio::this_coro::executor;
    for (const auto& c : candidates) {
        auto s = serial::open_device(ex, c);
        if (!s) continue;
        auto ch = at::Channel::create(ex, std::move(*s));
        ch->start();
        bool ok = false;
        for (int i = 0; i < 2 && !ok; ++i) {
            auto r = co_await ch->command("AT", timeout);
            ok = r.has_value();
            if (!r && r.error().code == at::Errc::PortClosed) break;
        }
        ch->close();
        if (ok) co_return c;
    }
    co_return std::nullopt;
}

asio::awaitable<std::vector<std::string>> discover_at_ports(std::chrono::milliseconds timeout) {
    std::vector<std::string> out;
    for (const auto& dev : serial::group_by_device(serial::list_ports())) {
        if (!serial::is_known_modem_vendor(dev.vid)) continue;
        std::vector<std::string> paths;
        for (const auto& p : dev.ports) paths.push_back(p.path);
        auto at_port = co_await find_at_port(paths, timeout);
        if (!at_port) continue;
        std::string stable = *at_port;
        for (const auto& p : dev.ports) {
            if (p.path == *at_port && !p.by_id.empty()) stable = p.by_id;
        }
        out.push_back(stable);
    }
    co_return out;
}

ModemPool::ModemPool(asio::any_io_executor executor, PoolConfig config, WorkSource& work, InboxSink& inbox)
    : executor_(executor), config_(std::move(config)), work_(work), inbox_(inbox), limit_timer_(executor),
      discovery_timer_(executor), alive_(std::make_shared<bool>(true)) {}

ModemPool::~ModemPool() {
    *alive_ = false;
    stop();
}

void ModemPool::note(std::string_view what) {
    if (!config_.log) return;
    std::string l = "[pool] ";
    l += what;
    config_.log(l);
}

void ModemPool::stop() {
    stopped_ = true;
    limit_timer_.cancel();
    discovery_timer_.cancel();
    for (auto& e : modems_) e->modem->stop();
}

ModemPool::Entry* ModemPool::find(const std::string& key) {
    for (auto& e : modems_) {
        if (e->modem->port() == key || (!key.empty() && e->modem->identity().imei == key)) return e.get();
    }
    return nullptr;
}

void ModemPool::add_port(const std::string& port) {
    if (stopped_ || find(port) != nullptr) return;
    auto mc = config_.modem;
    mc.port = port;
    if (!mc.log) mc.log = config_.log;
    auto entry = std::make_unique<Entry>();
    entry->modem = Modem::create(executor_, std::move(mc), &inbox_);
    entry->modem->on_lte_remedy([this, alive = std::weak_ptr<bool>(alive_), weak = std::weak_ptr<Modem>(entry->modem)](
                                    const LteRemedy& r) {
        auto a = alive.lock();
        auto m = weak.lock();
        if (a && *a && m && on_lte_remedy) on_lte_remedy(m->port(), m->identity().iccid, r);
    });
    Entry* raw = entry.get();
    std::weak_ptr<bool> alive = alive_;
    std::weak_ptr<Modem> weak_modem = entry->modem;
    entry->modem->on_change([this, alive, weak_modem] {
        auto a = alive.lock();
        auto m = weak_modem.lock();
        if (!a || !*a || !m) return;
        for (auto& e : modems_) {
            if (e->modem == m) {
                on_modem_change(*e);
                return;
            }
        }
    });
    modems_.push_back(std::move(entry));
    note("added " + port);
    raw->modem->start();
}

void ModemPool::remove_port(const std::string& port) {
    auto it = std::find_if(modems_.begin(), modems_.end(), [&](const auto& e) { return e->modem->port() == port; });
    if (it == modems_.end()) return;
    auto keep = std::move(*it);  // its coroutines hold the Modem itself
    modems_.erase(it);
    keep->modem->stop();
    note("removed " + port);
}

void ModemPool::set_sim_paused(const std::string& iccid, bool paused) {
    if (paused) {
        if (paused_.insert(iccid).second) note("SIM " + iccid + " paused: sends nothing, still receives");
    } else if (paused_.erase(iccid) > 0) {
        note("SIM " + iccid + " resumed");
        wake();
    }
}

void ModemPool::set_lte_sms_fallback(bool allowed) {
    config_.modem.lte_sms_fallback = allowed;
    for (auto& e : modems_) e->modem->set_lte_sms_fallback(allowed);
    if (allowed) wake();
}

void ModemPool::set_sim_limits(const std::string& iccid, SimLimits limits) {
    config_.sim_limits[iccid] = limits;
    if (auto it = limiters_.find(iccid); it != limiters_.end()) it->second.set_limits(limits);
    wake();
}

RateLimiter& ModemPool::limiter(const std::string& iccid) {
    auto it = limiters_.find(iccid);
    if (it != limiters_.end()) return it->second;
    auto lim_cfg = config_.limits;
    if (auto o = config_.sim_limits.find(iccid); o != config_.sim_limits.end()) lim_cfg = o->second;
    RateLimiter lim(lim_cfg);
    return limiters_.emplace(iccid, std::move(lim)).first->second;
}

void ModemPool::on_modem_change(Entry& e) {
    auto& m = *e.modem;
    if (m.ready() && !e.was_ready) {
        e.was_ready = true;
        const auto& id = m.identity();
        // Same modem back on another port: the stale entry goes, the identity (and the SIM's
        // counters, kept by ICCID) stay.
        for (auto it = modems_.begin(); it != modems_.end(); ++it) {
            auto& other = **it;
            if (&other == &e || other.modem->identity().imei != id.imei || id.imei.empty()) continue;
            if (other.modem->ready() || other.busy) continue;
            note("IMEI " + id.imei + " moved from " + other.modem->port() + " to " + m.port());
            auto keep = std::move(*it);
            modems_.erase(it);
            keep->modem->stop();
            break;
        }
        if (!id.iccid.empty() && limiters_.find(id.iccid) == limiters_.end()) {
            auto& lim = limiter(id.iccid);
            const auto now = RateLimiter::Clock::now();
            const auto sim = m.sim_identity();
            lim.restore(now, work_.sent_since(sim, now - 1min), work_.sent_since(sim, now - 1h),
                        work_.sent_since(sim, now - 24h));
        }
        dispatch();
        return;
    }
    if (!m.ready()) e.was_ready = false;
}

void ModemPool::wake() { dispatch(); }

void ModemPool::dispatch() { dispatch_for(); }

void ModemPool::dispatch_for() {
    if (stopped_) return;
    if (dispatching_) {
        again_ = true;
        return;
    }
    dispatching_ = true;
    auto earliest = RateLimiter::Clock::time_point::max();
    do {
        again_ = false;
        earliest = RateLimiter::Clock::time_point::max();
        const auto now = RateLimiter::Clock::now();
        std::vector<Entry*> idle;
        std::vector<SimIdentity> ready;
        for (auto& e : modems_) {
            auto& m = *e->modem;
            if (e->busy || !m.ready() || m.sending() || m.identity().iccid.empty() ||
                !at::is_registered(m.registration()) || paused_.count(m.identity().iccid) != 0 ||
                m.sms_refused_on_lte()) {
                continue;
            }
            auto& lim = limiter(m.identity().iccid);
            if (!lim.allowed(now)) {
                const auto t = lim.next_allowed(now);
                earliest = std::min(earliest, t);
                continue;
            }
            idle.push_back(e.get());
            ready.push_back(m.sim_identity());
        }
        const std::size_t n = idle.size();
        for (std::size_t k = 0; k < n && !stopped_; ++k) {
            Entry* e = idle[(rotate_ + k) % n];
            if (e->busy) continue;
            const auto sim = e->modem->sim_identity();
            auto seg = work_.next_segment(sim, ready);
            if (!seg) continue;
            if (in_flight_.count(seg->segment_id) != 0) {
                note("segment " + std::to_string(seg->segment_id) + " offered while in flight: refused");
                continue;
            }
            // The modem is claimed while its `sending` mark is flushed: its AT+CMGS waits for
            // that flush, the other modems and the loop do not.
            const auto t = claim(*e, *seg);
            const auto id = seg->segment_id;
            std::weak_ptr<bool> alive = alive_;
            work_.mark_sending(id, sim, [this, alive, modem = e->modem, seg = std::move(*seg), t, sim](bool ok) mutable {
                auto a = alive.lock();
                if (!a || !*a) return;
                sending_durable(modem, std::move(seg), t, sim, ok);
            });
        }
        ++rotate_;
    } while (again_ && !stopped_);
    dispatching_ = false;
    if (earliest != RateLimiter::Clock::time_point::max()) arm_limit_timer(earliest);
}

void ModemPool::unclaim(const std::shared_ptr<Modem>& modem, std::int64_t segment_id,
                        RateLimiter::Clock::time_point counted_at, const std::string& iccid) {
    for (auto& e : modems_) {
        if (e->modem == modem) e->busy = false;
    }
    in_flight_.erase(segment_id);
    if (auto it = limiters_.find(iccid); it != limiters_.end()) it->second.forget(counted_at);
}

void ModemPool::sending_durable(const std::shared_ptr<Modem>& modem, OutgoingSegment seg,
                                RateLimiter::Clock::time_point counted_at, const SimIdentity& sim, bool ok) {
    const bool present = std::any_of(modems_.begin(), modems_.end(), [&](const auto& e) { return e->modem == modem; });
    if (ok && !stopped_ && present) {
        asio::co_spawn(executor_, send_one(modem, std::move(seg), counted_at), asio::detached);
        return;
    }
    unclaim(modem, seg.segment_id, counted_at, sim.iccid);
    if (ok) {
        // Marked `sending` on disk but nothing went out (stopping, or the modem was removed
        // meanwhile): back to the queue.
        work_.mark_failed(seg.segment_id, sim, false, -1, "not sent: modem stopped before AT+CMGS");
        return;
    }
    note("segment " + std::to_string(seg.segment_id) + " not sent: its `sending` mark is not durable");
    // A refusal answered later (a failed flush) leaves the modem idle: look for other work.
    if (!dispatching_ && !stopped_) dispatch();
}

RateLimiter::Clock::time_point ModemPool::claim(Entry& e, const OutgoingSegment& seg) {
    e.busy = true;
    in_flight_.insert(seg.segment_id);
    const auto t = RateLimiter::Clock::now();
    limiter(e.modem->identity().iccid).record(t);
    return t;
}

// After each answer the modem's next segment is claimed in the same turn of the loop that read
// the answer, so its `sending` joins the same transaction as this segment's `sent`.
asio::awaitable<void> ModemPool::send_one(std::shared_ptr<Modem> modem, OutgoingSegment seg,
                                          RateLimiter::Clock::time_point counted_at) {
    auto alive = alive_;
    if (!co_await send_and_record(modem, seg, counted_at) || !*alive) co_return;
    dispatch();
}

asio::awaitable<bool> ModemPool::send_and_record(const std::shared_ptr<Modem>& modem, const OutgoingSegment& seg,
                                                 RateLimiter::Clock::time_point counted_at) {
    auto alive = alive_;
    const auto sim = modem->sim_identity();
    auto r = co_await modem->send_segment(seg);
    if (!*alive) co_return false;
    for (auto& e : modems_) {
        if (e->modem == modem) e->busy = false;
    }
    in_flight_.erase(seg.segment_id);
    if (on_send_report) {
        SendReport rep;
        rep.iccid = sim.iccid;
        rep.ok = r.has_value();
        if (!r) {
            rep.cms_error = r.error().code == Errc::Rejected ? r.error().gsm_code : -1;
            rep.lte_refusal = modem->sms_refused_on_lte();
            rep.detail = r.error().detail;
        }
        on_send_report(rep);
    }
    if (r) {
        work_.mark_sent(seg.segment_id, sim, *r);
    } else {
        const auto& err = r.error();
        switch (err.code) {
            case Errc::Rejected: {
                const bool permanent = err.gsm_code >= 0 && at::describe_cms(err.gsm_code).permanent;
                work_.mark_failed(seg.segment_id, sim, permanent, err.gsm_code, err.detail);
                break;
            }
            case Errc::Unconfirmed:
                work_.mark_uncertain(seg.segment_id, sim, err.detail);
                break;
            case Errc::NotReady:
            case Errc::Timeout:
            case Errc::PortLost:
            case Errc::OpenFailed:
            case Errc::PinRequired:
            case Errc::PinRejected:
            case Errc::SimBlocked:
            case Errc::NoSim:
            case Errc::NotRegistered:
            case Errc::Probe:
            case Errc::Command:
                // Nothing went out: it does not count against the SIM; retry elsewhere.
                if (auto it = limiters_.find(sim.iccid); it != limiters_.end()) it->second.forget(counted_at);
                work_.mark_failed(seg.segment_id, sim, false, -1, err.detail);
                break;
        }
    }
    co_return true;
}

void ModemPool::arm_limit_timer(RateLimiter::Clock::time_point when) {
    if (limit_timer_at_ && *limit_timer_at_ <= when) return;
    limit_timer_at_ = when;
    const auto delay = std::max<RateLimiter::Clock::duration>(when - RateLimiter::Clock::now(), 0s);
    limit_timer_.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(delay) + 1ms);
    std::weak_ptr<bool> alive = alive_;
    limit_timer_.async_wait([this, alive](boost::system::error_code ec) {
        auto a = alive.lock();
        if (ec || !a || !*a) return;
        limit_timer_at_.reset();
        dispatch();
    });
}

void ModemPool::start_discovery() {
    asio::co_spawn(executor_, discovery_loop(), asio::detached);
}

asio::awaitable<void> ModemPool::discovery_loop() {
    auto alive = alive_;
    while (*alive && !stopped_) {
        auto ports = co_await discover_at_ports(1500ms);
        if (!*alive || stopped_) co_return;
        for (const auto& p : ports) {
            if (find(p) == nullptr) {
                add_port(p);
                if (auto* e = find(p)) e->discovered = true;
            }
        }
        // Unplugged: a discovered port whose device node is gone and which is not ready.
        std::vector<std::string> gone;
        for (const auto& e : modems_) {
            if (!e->discovered || e->modem->ready()) continue;
            if (::access(e->modem->port().c_str(), F_OK) != 0) gone.push_back(e->modem->port());
        }
        for (const auto& g : gone) remove_port(g);
        discovery_timer_.expires_after(config_.discovery_interval);
        boost::system::error_code ec;
        co_await discovery_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

std::vector<ModemTranscript> ModemPool::transcripts(std::chrono::seconds window) const {
    std::vector<ModemTranscript> out;
    const auto now = std::chrono::system_clock::now();
    for (const auto& e : modems_) {
        const auto& m = *e->modem;
        const auto& id = m.identity();
        std::string header = "# " + m.port() + "  (" + id.manufacturer + " " + id.model + ", firmware " +
                             id.revision + "; captured by cunxin doctor, last " +
                             std::to_string(window.count() / 60) + " minutes)\n";
        header += "# copy into tests/unit/at/data/<vendor>-<model>-<what>.at to replay it (STYLE.md §6)\n";
        out.push_back({m.port(), m.transcript().text(now, window, header)});
    }
    return out;
}

std::vector<ModemStatus> ModemPool::status() const {
    std::vector<ModemStatus> out;
    const auto now = RateLimiter::Clock::now();
    for (const auto& e : modems_) {
        const auto& m = *e->modem;
        const auto& id = m.identity();
        ModemStatus s;
        s.port = m.port();
        s.manufacturer = id.manufacturer;
        s.model = id.model;
        s.imei = id.imei;
        s.imsi = id.imsi;
        s.iccid = id.iccid;
        s.operator_name = id.operator_name;
        s.own_number = id.own_number;
        s.state = to_string(m.state());
        s.registered = at::is_registered(m.registration());
        s.registration = at::to_string(m.registration());
        s.signal_dbm = m.signal_dbm();
        s.sending = e->busy;
        s.limits = config_.limits;
        if (auto it = limiters_.find(id.iccid); it != limiters_.end()) {
            s.sent_minute = it->second.count_minute(now);
            s.sent_hour = it->second.count_hour(now);
            s.sent_today = it->second.count_day(now);
            s.limits = it->second.limits();
            s.limited = !const_cast<RateLimiter&>(it->second).allowed(now);
        }
        s.revision = id.revision;
        s.missed_calls = m.missed_calls();
        s.access_technology = m.access_technology() ? m.access_technology() : "";
        s.ims = m.ims_registered();
        s.sms_refused_on_lte = m.sms_refused_on_lte();
        s.lte_remedy = m.lte_remedy();
        s.paused = paused_.count(id.iccid) != 0;
        s.sends_ok = m.sends_ok();
        s.sends_failed = m.sends_failed();
        s.received = m.received();
        s.recoveries = m.recoveries();
        s.storage = m.storage();
        s.last_error = m.last_error();
        out.push_back(std::move(s));
    }
    return out;
}

int ModemPool::ready_count() const {
    int n = 0;
    for (const auto& e : modems_) n += e->modem->ready() ? 1 : 0;
    return n;
}

bool ModemPool::restart(const std::string& key) {
    auto* e = find(key);
    if (e == nullptr) return false;
    e->modem->restart();
    return true;
}

asio::awaitable<Result<std::string>> ModemPool::ussd(std::string key, std::string code) {
    auto* e = find(key);
    if (e == nullptr) co_return unexpected(Error{Errc::NotReady, -1, "no modem " + key});
    auto m = e->modem;
    co_return co_await m->ussd(std::move(code), 30s);
}

}  // namespace cunxin::modem

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/field.hpp"

#include <algorithm>
#include <cmath>

#include "cunxin/log.hpp"
#include "cunxin/messaging/alerts.hpp"
#include "cunxin/messaging/outbox.hpp"
#include "cunxin/messaging/phone.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/database.hpp"
#include "cunxin/store/field.hpp"
#include "utf8.hpp"

namespace cunxin::messaging {

namespace chr = std::chrono;

namespace {

/// Full-width digits, point, minus and colon folded to ASCII; other code points kept.
std::u32string fold(std::string_view text) {
    std::u32string out = utf8::decode(text);
    for (auto& c : out) {
        if (c >= U'０' && c <= U'９') c = U'0' + (c - U'０');
        else if (c == U'．') c = U'.';
        else if (c == U'－' || c == U'−' || c == U'—') c = U'-';
        else if (c == U'：') c = U':';
        else if (c == U'　') c = U' ';
    }
    return out;
}

bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

/// Reads "[-]digits[,digits][.digits]" at `i` as fen; advances `i`. nullopt when no digit.
std::optional<std::int64_t> read_amount(const std::u32string& s, std::size_t& i) {
    bool negative = false;
    if (i < s.size() && s[i] == U'-') {
        negative = true;
        ++i;
    }
    if (i >= s.size() || !is_digit(s[i])) return std::nullopt;
    std::int64_t yuan = 0;
    while (i < s.size() && (is_digit(s[i]) || (s[i] == U',' && i + 1 < s.size() && is_digit(s[i + 1])))) {
        if (s[i] != U',') yuan = yuan * 10 + (s[i] - U'0');
        if (yuan > 100000000) return std::nullopt;  // no SIM holds a hundred million yuan
        ++i;
    }
    std::int64_t fen = yuan * 100;
    if (i + 1 < s.size() && s[i] == U'.' && is_digit(s[i + 1])) {
        ++i;
        int place = 10;
        while (i < s.size() && is_digit(s[i])) {
            fen += place * (s[i] - U'0');  // thousandths and beyond are dropped
            place /= 10;
            ++i;
        }
    }
    return negative ? -fen : fen;
}

bool starts_with(const std::u32string& s, std::size_t i, std::u32string_view w) {
    return s.compare(i, w.size(), w) == 0;
}

/// The amount after a keyword at `from`: skips labels such as "为", "是", "：", "(元)", "约",
/// "人民币", "¥" within a few characters; stops at a clause break.
std::optional<std::int64_t> amount_after(const std::u32string& s, std::size_t from, bool& yuan_seen) {
    std::size_t i = from;
    const std::size_t end = std::min(s.size(), from + 16);
    while (i < end) {
        const char32_t c = s[i];
        if (is_digit(c) || (c == U'-' && i + 1 < s.size() && is_digit(s[i + 1]))) break;
        if (c == U'，' || c == U'。' || c == U'；' || c == U',' || c == U';' || c == U'！' || c == U'\n') {
            return std::nullopt;
        }
        if (c == U'元') yuan_seen = true;  // "余额(元)：12.50"
        ++i;
    }
    if (i >= end) return std::nullopt;
    auto v = read_amount(s, i);
    if (!v) return std::nullopt;
    while (i < s.size() && s[i] == U' ') ++i;
    if (i < s.size() && s[i] == U'元') yuan_seen = true;
    return v;
}

}  // namespace

std::optional<std::int64_t> parse_balance_fen(std::string_view text) {
    const std::u32string s = fold(text);
    static constexpr std::u32string_view kBalance[] = {U"余额"};
    static constexpr std::u32string_view kOwing[] = {U"欠费", U"欠款", U"透支"};
    bool owing_seen = false;
    std::optional<std::int64_t> balance;  // the first stated balance
    std::optional<std::int64_t> owing;    // the first stated amount owed (positive)
    for (std::size_t i = 0; i < s.size(); ++i) {
        for (auto w : kOwing) {
            if (!starts_with(s, i, w)) continue;
            owing_seen = true;
            bool yuan = false;
            std::size_t from = i + w.size();
            // "欠费金额为3.20元"
            if (starts_with(s, from, U"金额")) from += 2;
            if (auto v = amount_after(s, from, yuan); v && yuan && !owing) owing = *v < 0 ? -*v : *v;
        }
        if (!balance && starts_with(s, i, kBalance[0])) {
            bool yuan = false;
            if (auto v = amount_after(s, i + kBalance[0].size(), yuan); v && yuan) balance = *v;
        }
    }
    // "可用余额：0.00元，欠费：3.20元" owes 3.20; "余额为12.50元，欠费：0.00元" has 12.50.
    if (owing && *owing > 0 && (!balance || *balance <= 0)) return -*owing;
    if (balance) return balance;
    // "您的号码已欠费停机": owing, the amount not stated — the credit is used up.
    if (owing_seen) return 0;
    return std::nullopt;
}

std::vector<std::string> default_service_prefixes() { return {"100", "106", "95", "96", "12"}; }

bool is_service_number(std::string_view peer, const std::vector<std::string>& prefixes) {
    std::string digits = canonical_peer(peer);
    if (digits.empty()) return false;
    if (normalize_msisdn(digits)) return false;  // a mobile number is a person
    if (digits.rfind("+86", 0) == 0) digits = digits.substr(3);
    else if (digits.rfind("0086", 0) == 0) digits = digits.substr(4);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    for (const auto& p : prefixes) {
        if (!p.empty() && digits.rfind(p, 0) == 0) return true;
        // "8610086": the country code in front of a service number
        if (!p.empty() && digits.rfind("86" + p, 0) == 0 && digits.size() > 2 + p.size()) return true;
    }
    return false;
}

std::int64_t last_daily_slot(int minutes_of_day, int utc_offset_minutes, std::int64_t now) {
    const std::int64_t local = now + std::int64_t{utc_offset_minutes} * 60;
    const std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    std::int64_t slot = day * 86400 + std::int64_t{minutes_of_day} * 60;
    if (slot > local) slot -= 86400;
    return slot - std::int64_t{utc_offset_minutes} * 60;
}

bool daily_due(int minutes_of_day, int utc_offset_minutes, std::int64_t last_run, std::int64_t now) {
    return last_run < last_daily_slot(minutes_of_day, utc_offset_minutes, now);
}

std::optional<BalanceQuery> default_balance_query(std::string_view operator_name) {
    switch (carrier_from_operator(operator_name)) {
        case Carrier::ChinaMobile: return BalanceQuery{"10086", "CXYE", ""};
        case Carrier::ChinaUnicom: return BalanceQuery{"10010", "CXYE", ""};
        case Carrier::ChinaTelecom: return BalanceQuery{"10001", "102", ""};
        case Carrier::ChinaBroadnet:
        case Carrier::Unknown: return std::nullopt;
    }
    return std::nullopt;
}

std::optional<double> estimate_days_left(store::Database& db, const std::string& iccid, std::int64_t fen,
                                         int default_price_fen, std::int64_t now) {
    auto sent = store::segments_sent_since(db, iccid, now - 7 * 86400);
    if (!sent || *sent <= 0) return std::nullopt;
    int price = default_price_fen;
    if (auto sim = store::get_sim(db, iccid); sim && sim->has_value()) price = (*sim)->price_fen_per_segment;
    if (price <= 0) return std::nullopt;  // free sends: the credit does not run down by them
    if (fen <= 0) return 0.0;
    const double per_day = static_cast<double>(*sent) * price / 7.0;
    return std::floor(static_cast<double>(fen) / per_day * 10.0) / 10.0;
}

std::optional<std::int64_t> selftest_token(std::string_view text) {
    static constexpr std::string_view kTag = "村信自检 #";
    const auto at = text.find(kTag);
    if (at == std::string_view::npos) return std::nullopt;
    std::size_t i = at + kTag.size();
    std::int64_t id = 0;
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 15) id = id * 10 + (text[i++] - '0');
    if (i == start) return std::nullopt;
    return id;
}

std::string selftest_text(std::int64_t id) {
    return "村信自检 #" + std::to_string(id) + "（设备自动测试短信，无需回复）";
}

FieldChecks::FieldChecks(store::Database& db, Clock& clock, Outbox& outbox, FieldOptions options)
    : db_(db), clock_(clock), outbox_(outbox), options_(std::move(options)) {}

namespace {
std::int64_t now_ms(const Clock& c) {
    return chr::duration_cast<chr::milliseconds>(c.now().time_since_epoch()).count();
}
}  // namespace

std::string FieldChecks::number_of(const FieldSim& sim) const {
    if (auto it = options_.sim_numbers.find(sim.iccid); it != options_.sim_numbers.end() && !it->second.empty()) {
        return it->second;
    }
    return sim.own_number;
}

bool FieldChecks::selftest_running() {
    auto r = store::running_selftests(db_);
    return r && !r->empty();
}

Result<std::int64_t> FieldChecks::start_selftest(const std::vector<FieldSim>& all) {
    auto running = store::running_selftests(db_);
    if (!running) return cunxin::unexpected(Error{Errc::store, -1, running.error().detail});
    if (!running->empty()) return cunxin::unexpected(Error{Errc::bad_state, -1, "a self-test is running"});
    std::vector<FieldSim> sims;
    for (const auto& s : all) {
        if (!s.iccid.empty() && std::none_of(sims.begin(), sims.end(), [&](const auto& x) { return x.iccid == s.iccid; }))
            sims.push_back(s);
    }
    if (sims.empty()) return cunxin::unexpected(Error{Errc::invalid_argument, -1, "no SIM to test"});
    std::sort(sims.begin(), sims.end(), [](const auto& a, const auto& b) { return a.iccid < b.iccid; });
    auto round = store::next_selftest_round(db_);
    if (!round) return cunxin::unexpected(Error{Errc::store, -1, round.error().detail});
    const std::size_t n = sims.size();
    std::vector<SelftestResult> failed_now;
    for (std::size_t i = 0; i < n; ++i) {
        store::SelftestRow row;
        row.round = *round;
        row.iccid = sims[i].iccid;
        row.started_ms = now_ms(clock_);
        // The next SIM (by ICCID) whose number is known; with one SIM, itself.
        for (std::size_t k = 1; k <= n; ++k) {
            const auto& t = sims[(i + k) % n];
            if (!number_of(t).empty()) {
                row.to_iccid = t.iccid;
                row.to_number = number_of(t);
                break;
            }
        }
        if (row.to_number.empty()) {
            row.ok = false;
            row.finished_at = clock_.unix_now();
            row.detail = "不知道本设备SIM卡的号码：请在配置 sim_numbers 中按ICCID填写";
        }
        auto id = store::insert_selftest(db_, row);
        if (!id) return cunxin::unexpected(Error{Errc::store, -1, id.error().detail});
        if (row.ok) {
            failed_now.push_back(SelftestResult{row.round, row.iccid, false, *row.finished_at, std::nullopt, row.detail});
            continue;
        }
        SendOptions o;
        o.kind = store::MessageKind::Selftest;
        o.created_by = "system";
        o.ignore_opt_out = true;
        o.via_iccid = row.iccid;
        o.any_number = true;
        auto ids = outbox_.enqueue({row.to_number}, selftest_text(*id), o);
        if (!ids) return cunxin::unexpected(ids.error());
        if (auto r = store::set_selftest_message(db_, *id, ids->front()); !r) {
            return cunxin::unexpected(Error{Errc::store, -1, r.error().detail});
        }
    }
    log::info("field", "self-test round " + std::to_string(*round) + " started on " + std::to_string(n) + " SIM(s)");
    for (const auto& r : failed_now) {
        if (on_result) on_result(r);
    }
    return *round;
}

void FieldChecks::finish_round(std::int64_t round, bool timed_out) {
    auto rows = store::selftest_round(db_, round);
    if (!rows) {
        last_error_ = rows.error().detail;
        return;
    }
    // Sent: the network took the text (or it arrived). Per SIM: its own text was sent, and the
    // text meant for it arrived — unless that one was never sent (then its reception is untested).
    std::map<std::int64_t, bool> sent;
    std::map<std::int64_t, std::string> send_error;
    for (const auto& r : *rows) {
        bool s = r.received_ms.has_value();
        if (!s && r.message_id) {
            if (auto m = store::get_message(db_, *r.message_id)) {
                s = m->status == "sent" || m->status == "delivered";
                send_error[r.id] = m->error;
            }
        }
        sent[r.id] = s;
    }
    const auto now = clock_.unix_now();
    const auto secs = static_cast<long long>(options_.selftest_timeout.count());
    for (const auto& r : *rows) {
        if (r.ok) continue;
        const store::SelftestRow* incoming = nullptr;
        for (const auto& t : *rows) {
            if (t.to_iccid == r.iccid && !t.ok.has_value()) incoming = &t;
        }
        bool ok = true;
        std::string detail;
        if (!sent[r.id]) {
            ok = false;
            detail = "测试短信没有发出";
            if (!send_error[r.id].empty()) detail += "（" + send_error[r.id] + "）";
        } else if (incoming != nullptr && !incoming->received_ms && sent[incoming->id]) {
            ok = false;
            detail = "发给本卡的测试短信 " + std::to_string(secs) + " 秒内没有收到";
        } else if (incoming == nullptr && !r.received_ms) {
            ok = false;
            detail = "测试短信没有送达";
        }
        (void)timed_out;
        if (auto f = store::finish_selftest(db_, r.id, ok, detail, now); !f) {
            last_error_ = f.error().detail;
            continue;
        }
        if (r.message_id && !r.received_ms) {
            (void)store::fail_queued_segments(db_, *r.message_id, "self-test timed out", now);
        }
        SelftestResult res{round, r.iccid, ok, now, std::nullopt, detail};
        if (r.received_ms) res.seconds = static_cast<double>(*r.received_ms - r.started_ms) / 1000.0;
        if (ok) {
            log::info("field", "[sim " + r.iccid + "] self-test ok");
        } else {
            log::warn("field", "[sim " + r.iccid + "] self-test failed: " + detail);
        }
        if (on_result) on_result(res);
    }
}

Result<BalanceQuery> FieldChecks::balance_query(const FieldSim& sim) const {
    auto q = default_balance_query(sim.operator_name);
    if (auto it = options_.balance.find(sim.iccid); it != options_.balance.end()) {
        BalanceQuery c = q.value_or(BalanceQuery{});
        if (!it->second.number.empty()) c.number = it->second.number;
        if (!it->second.keyword.empty()) c.keyword = it->second.keyword;
        c.ussd = it->second.ussd;
        q = c;
    }
    if (!q || (q->ussd.empty() && (q->number.empty() || q->keyword.empty()))) {
        return cunxin::unexpected(Error{Errc::invalid_argument, -1, "no balance query for this operator"});
    }
    return *q;
}

Result<std::int64_t> FieldChecks::query_balance_sms(const FieldSim& sim, const BalanceQuery& q) {
    SendOptions o;
    o.kind = store::MessageKind::System;
    o.created_by = "system";
    o.ignore_opt_out = true;
    o.via_iccid = sim.iccid;
    o.any_number = true;
    auto ids = outbox_.enqueue({q.number}, q.keyword, o);
    if (!ids) return cunxin::unexpected(ids.error());
    pending_queries_[sim.iccid] = Pending{clock_.unix_now(), ids->front()};
    log::info("field", "[sim " + sim.iccid + "] balance query " + q.keyword + " to " + q.number);
    return ids->front();
}

Result<std::optional<std::int64_t>> FieldChecks::record_balance(const std::string& iccid, const std::string& raw,
                                                                const std::string& source,
                                                                std::optional<std::int64_t> message_id) {
    store::BalanceRow b;
    b.iccid = iccid;
    b.at = clock_.unix_now();
    b.fen = parse_balance_fen(raw);
    b.raw = raw;
    b.source = source;
    b.message_id = message_id;
    auto id = store::insert_balance(db_, b);
    if (!id) return cunxin::unexpected(Error{Errc::store, -1, id.error().detail});
    pending_queries_.erase(iccid);
    if (on_balance) on_balance(iccid);
    if (b.fen && options_.low_credit_fen > 0 && *b.fen < options_.low_credit_fen) {
        LowCredit low{iccid, *b.fen, options_.low_credit_fen,
                      estimate_days_left(db_, iccid, *b.fen, options_.default_price_fen, b.at), raw};
        log::warn("field", "[sim " + iccid + "] credit low: " + std::to_string(*b.fen) + " fen");
        if (on_low_credit) on_low_credit(low);
    }
    return b.fen;
}

std::optional<store::MessageKind> FieldChecks::system_kind(const store::NewIncoming& m) const {
    if (selftest_token(m.text)) return store::MessageKind::Selftest;
    if (is_service_number(m.peer, options_.service_prefixes)) return store::MessageKind::System;
    return std::nullopt;
}

void FieldChecks::system_message(std::int64_t id, const store::NewIncoming& m) {
    if (m.kind == store::MessageKind::Selftest) {
        auto token = selftest_token(m.text);
        if (!token) return;
        auto row = store::get_selftest(db_, *token);
        if (!row || !row->has_value() || (*row)->ok.has_value()) return;  // unknown or decided already
        auto marked = store::mark_selftest_received(db_, *token, now_ms(clock_));
        if (!marked) {
            last_error_ = marked.error().detail;
            return;
        }
        auto rows = store::selftest_round(db_, (*row)->round);
        if (rows && std::all_of(rows->begin(), rows->end(), [](const auto& r) { return r.ok || r.received_ms; })) {
            finish_round((*row)->round, false);
        }
        return;
    }
    // A balance answer belongs to the SIM it arrived on: the answer to a query, or a carrier's
    // own notice (100xx) stating the credit. A bank's (95xxx) balance is not the SIM's credit.
    const bool asked = pending_queries_.count(m.iccid) > 0;
    const auto digits = canonical_peer(m.peer);
    const bool carrier = digits.rfind("100", 0) == 0 || digits.rfind("+86100", 0) == 0;
    if (!m.iccid.empty() && (asked || (carrier && parse_balance_fen(m.text)))) {
        if (auto r = record_balance(m.iccid, m.text, "sms", id); !r) last_error_ = r.error().detail;
    }
}

void FieldChecks::tick(const std::vector<FieldSim>& sims,
                       const std::function<void(const FieldSim&, const BalanceQuery&)>& ussd) {
    const auto now = clock_.unix_now();
    if (auto running = store::running_selftests(db_); running) {
        std::map<std::int64_t, std::int64_t> started;  // round → earliest start (ms)
        for (const auto& r : *running) {
            auto [it, fresh] = started.emplace(r.round, r.started_ms);
            if (!fresh) it->second = std::min(it->second, r.started_ms);
        }
        const auto limit_ms = chr::duration_cast<chr::milliseconds>(options_.selftest_timeout).count();
        for (const auto& [round, t0] : started) {
            if (now_ms(clock_) - t0 >= limit_ms) finish_round(round, true);
        }
    } else {
        last_error_ = running.error().detail;
    }
    for (auto it = pending_queries_.begin(); it != pending_queries_.end();) {
        if (now - it->second.at > options_.balance_timeout.count()) {
            log::warn("field", "[sim " + it->first + "] no answer to the balance query");
            // A query its SIM never sent (the SIM is gone) does not wait in the queue for ever.
            (void)store::fail_queued_segments(db_, it->second.message_id, "balance query timed out", now);
            it = pending_queries_.erase(it);
        } else {
            ++it;
        }
    }
    run_scheduled(sims, ussd);
}

void FieldChecks::run_scheduled(const std::vector<FieldSim>& sims,
                                const std::function<void(const FieldSim&, const BalanceQuery&)>& ussd) {
    if (sims.empty()) return;
    const auto now = clock_.unix_now();
    const int offset = clock_.utc_offset_minutes();
    // A job is due when its latest daily slot came after its last run; a box's first start
    // counts as a run (no test the moment it is plugged in).
    auto due = [&](const std::string& at, const std::string& key) {
        const auto minutes = parse_hhmm(at);
        if (!minutes) return false;
        auto last = store::get_setting(db_, key);
        if (!last) return false;
        if (!last->has_value()) {
            (void)store::set_setting(db_, key, std::to_string(now));
            return false;
        }
        std::int64_t last_run = 0;
        try {
            last_run = std::stoll(**last);
        } catch (...) {
            last_run = 0;
        }
        if (!daily_due(*minutes, offset, last_run, now)) return false;
        (void)store::set_setting(db_, key, std::to_string(now));
        return true;
    };
    if (due(options_.selftest_at, "selftest_last_run")) {
        if (auto r = start_selftest(sims); !r) log::warn("field", "scheduled self-test not started: " + r.error().detail);
    }
    if (due(options_.balance_at, "balance_last_run")) {
        for (const auto& s : sims) {
            auto q = balance_query(s);
            if (!q) continue;
            if (!q->ussd.empty()) {
                if (ussd) ussd(s, *q);
                continue;
            }
            if (auto r = query_balance_sms(s, *q); !r) log::warn("field", "[sim " + s.iccid + "] " + r.error().detail);
        }
    }
}

}  // namespace cunxin::messaging

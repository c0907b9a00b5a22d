// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/alerts.hpp"

#include <algorithm>
#include <cstdio>

#include "cunxin/log.hpp"
#include "cunxin/messaging/outbox.hpp"
#include "cunxin/messaging/phone.hpp"
#include "cunxin/store/alerts.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/database.hpp"
#include "cunxin/store/messages.hpp"
#include "utf8.hpp"

namespace cunxin::messaging {

namespace {

constexpr const char* kPrefix = "【村信告警】";
constexpr const char* kDigestPrefix = "【村信日报】";
constexpr std::int64_t kDay = 86400;
/// A duty number's message this soon after an alert SMS to it may be its phone's auto-reply.
constexpr std::int64_t kAnswerWindow = 10 * 60;

Error store_err(const store::Error& e) { return Error{Errc::store, e.gsm_code, e.detail}; }

/// At most `n` characters of `text` (code points), "…" when cut; line breaks become spaces.
std::string clip(const std::string& text, int n) {
    std::string out;
    std::size_t i = 0;
    int count = 0;
    while (i < text.size()) {
        const char32_t c = utf8::next(text, i);
        if (count == n) {
            out += "…";
            break;
        }
        utf8::append(out, c == U'\n' || c == U'\r' ? U' ' : c);
        ++count;
    }
    return out;
}

std::string without_prefix(const std::string& text) {
    const std::string p(kPrefix);
    return text.rfind(p, 0) == 0 ? text.substr(p.size()) : text;
}

}  // namespace

const char* to_string(AlertKind k) noexcept {
    switch (k) {
        case AlertKind::UrgentReply: return "urgent_reply";
        case AlertKind::ModemOutOfService: return "modem_out_of_service";
        case AlertKind::SimBlocked: return "sim_blocked";
        case AlertKind::LowCredit: return "low_credit";
        case AlertKind::StorageFull: return "storage_full";
        case AlertKind::SelfTestFailed: return "selftest_failed";
        case AlertKind::CampaignFinished: return "campaign_finished";
        case AlertKind::CampaignFailed: return "campaign_failed";
        case AlertKind::Digest: return "digest";
    }
    return "urgent_reply";
}

const std::vector<AlertKind>& all_alert_kinds() {
    static const std::vector<AlertKind> all = {
        AlertKind::UrgentReply,    AlertKind::ModemOutOfService, AlertKind::SimBlocked,
        AlertKind::LowCredit,      AlertKind::StorageFull,       AlertKind::SelfTestFailed,
        AlertKind::CampaignFinished, AlertKind::CampaignFailed,  AlertKind::Digest};
    return all;
}

std::optional<AlertKind> parse_alert_kind(std::string_view s) noexcept {
    for (auto k : all_alert_kinds()) {
        if (s == to_string(k)) return k;
    }
    return std::nullopt;
}

const char* label_zh(AlertKind k) noexcept {
    switch (k) {
        case AlertKind::UrgentReply: return "紧急反映";
        case AlertKind::ModemOutOfService: return "设备停止服务";
        case AlertKind::SimBlocked: return "SIM卡疑似被封";
        case AlertKind::LowCredit: return "话费不足";
        case AlertKind::StorageFull: return "存储将满";
        case AlertKind::SelfTestFailed: return "自检失败";
        case AlertKind::CampaignFinished: return "群发完成";
        case AlertKind::CampaignFailed: return "群发失败";
        case AlertKind::Digest: return "每日汇总";
    }
    return "";
}

std::optional<int> parse_hhmm(std::string_view s) noexcept {
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    for (std::size_t i : {0u, 1u, 3u, 4u}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59) return std::nullopt;
    return h * 60 + m;
}

std::optional<QuietHours> parse_quiet_hours(std::string_view s) noexcept {
    if (s.size() != 11 || s[5] != '-') return std::nullopt;
    auto a = parse_hhmm(s.substr(0, 5));
    auto b = parse_hhmm(s.substr(6, 5));
    if (!a || !b) return std::nullopt;
    return QuietHours{*a, *b};
}

bool in_quiet_hours(const QuietHours& q, int minute) noexcept {
    if (q.start == q.end) return false;
    if (q.start < q.end) return minute >= q.start && minute < q.end;
    return minute >= q.start || minute < q.end;  // over midnight
}

AlertSettings default_alert_settings() {
    AlertSettings s;
    for (auto k : all_alert_kinds()) s.kinds.insert(k);
    s.quiet_hours = QuietHours{22 * 60, 7 * 60};  // the duty phone stays silent at night
    return s;
}

Alerts::Alerts(store::Database& db, Clock& clock, Outbox& outbox, AlertSettings settings)
    : db_(db), clock_(clock), outbox_(outbox), settings_(std::move(settings)) {}

int Alerts::minute_of_day() const {
    const std::int64_t local = clock_.unix_now() + std::int64_t{clock_.utc_offset_minutes()} * 60;
    return static_cast<int>(((local % kDay) + kDay) % kDay / 60);
}

std::int64_t Alerts::quiet_end_unix() const {
    const std::int64_t now = clock_.unix_now();
    const std::int64_t local = now + std::int64_t{clock_.utc_offset_minutes()} * 60;
    const std::int64_t sec = ((local % kDay) + kDay) % kDay;
    const std::int64_t end = std::int64_t{settings_.quiet_hours ? settings_.quiet_hours->end : 0} * 60;
    return now + ((end - sec) % kDay + kDay) % kDay;
}

bool Alerts::is_own(const std::string& number) const {
    if (!own_numbers || number.empty()) return false;
    for (const auto& n : own_numbers()) {
        if (!n.empty() && canonical_peer(n) == number) return true;
    }
    return false;
}

Result<std::int64_t> Alerts::raise(AlertKind kind, const std::string& subject, const std::string& text,
                                   const std::string& from) {
    const auto now = clock_.unix_now();
    auto repeats = store::count_alerts_with_subject(db_, subject, now - settings_.repeat_after.count());
    if (!repeats) return cunxin::unexpected(store_err(repeats.error()));
    const bool enabled = settings_.kinds.count(kind) > 0;
    const bool quiet = settings_.quiet_hours && in_quiet_hours(*settings_.quiet_hours, minute_of_day()) &&
                       !(kind == AlertKind::UrgentReply && settings_.urgent_in_quiet_hours);
    const std::string sender = from.empty() ? std::string() : canonical_peer(from);
    store::AlertRecord a;
    a.kind = to_string(kind);
    a.subject = subject;
    a.text = text;
    a.created_at = now;
    std::set<std::string> seen;
    for (const auto& d : settings_.duty) {
        if (!seen.insert(d.number).second) continue;
        store::AlertSend s;
        s.number = d.number;
        s.name = d.name;
        s.due_at = quiet ? quiet_end_unix() : now;
        if (is_own(d.number)) {
            s.state = "skipped", s.reason = "own_number";  // the box never texts itself
        } else if (!sender.empty() && sender == d.number) {
            s.state = "skipped", s.reason = "sender";      // never alerted about their own message
        } else if (!enabled) {
            s.state = "skipped", s.reason = "kind_off";
        } else if (*repeats > 0) {
            s.state = "skipped", s.reason = "repeat";
        } else {
            s.state = "waiting";
            s.reason = quiet ? "quiet_hours" : "";
        }
        a.sends.push_back(std::move(s));
    }
    auto id = store::insert_alert(db_, a);
    if (!id) return cunxin::unexpected(store_err(id.error()));
    log::info("alerts", std::string("alert #") + std::to_string(*id) + " " + a.kind + " (" + subject + ")" +
                            (quiet ? ": quiet hours, waiting" : "") + (*repeats > 0 ? ": repeat, no SMS" : ""));
    if (auto f = flush(); !f) return cunxin::unexpected(f.error());
    if (on_alert) on_alert(*id);
    return *id;
}

Result<int> Alerts::flush() {
    const auto now = clock_.unix_now();
    // The quiet hours as configured now decide (not the end estimated when an alert was raised):
    // a corrected clock or changed quiet hours take effect at once.
    const bool quiet = settings_.quiet_hours && in_quiet_hours(*settings_.quiet_hours, minute_of_day());
    auto due = store::waiting_alert_sends(db_);
    if (!due) return cunxin::unexpected(store_err(due.error()));
    std::map<std::string, std::vector<store::AlertSend>> by_number;
    for (auto& s : *due) {
        if (quiet && !(settings_.urgent_in_quiet_hours && s.kind == to_string(AlertKind::UrgentReply))) continue;
        by_number[s.number].push_back(std::move(s));
    }
    int queued = 0;
    for (const auto& entry : by_number) {
        const std::string& number = entry.first;  // named, not a structured binding: lambdas below use it
        const auto& list = entry.second;
        std::size_t budget = list.size();
        if (settings_.max_per_hour > 0) {
            auto sent = store::alert_messages_to(db_, number, now - 3600);
            if (!sent) return cunxin::unexpected(store_err(sent.error()));
            budget = *sent >= settings_.max_per_hour ? 0 : static_cast<std::size_t>(settings_.max_per_hour - *sent);
        }
        if (budget == 0) continue;  // waits until the hour has room
        const std::size_t singles = list.size() <= budget ? list.size() : budget - 1;
        auto send = [&](const std::string& text, const std::vector<std::int64_t>& ids, const char* state) -> Result<void> {
            store::Transaction tx(db_);
            if (!tx.ok()) return cunxin::unexpected(Error{Errc::store, -1, "cannot begin transaction"});
            SendOptions o;
            o.kind = store::MessageKind::Alert;
            o.created_by = "system";
            o.ignore_opt_out = true;  // the duty list is the office's own decision
            auto mids = outbox_.enqueue(std::vector<std::string>{number}, text, o);
            if (!mids) return cunxin::unexpected(mids.error());
            if (auto m = store::mark_alert_sends(db_, ids, state, mids->front(), now); !m)
                return cunxin::unexpected(store_err(m.error()));
            if (auto k = tx.commit(); !k) return cunxin::unexpected(store_err(k.error()));
            ++queued;
            return {};
        };
        for (std::size_t i = 0; i < singles; ++i) {
            if (auto r = send(list[i].text, {list[i].id}, "sent"); !r) return cunxin::unexpected(r.error());
        }
        if (singles < list.size()) {
            // The rest in one SMS: how many of each kind, and the newest one quoted.
            std::map<std::string, int> counts;
            std::vector<std::int64_t> ids;
            for (std::size_t i = singles; i < list.size(); ++i) {
                auto k = parse_alert_kind(list[i].kind);
                counts[k ? label_zh(*k) : list[i].kind] += 1;
                ids.push_back(list[i].id);
            }
            std::string kinds;
            for (const auto& [label, n] : counts) {
                kinds += (kinds.empty() ? "" : "、") + label + std::to_string(n) + "条";
            }
            const std::string text = std::string(kPrefix) + "另有" + std::to_string(ids.size()) + "条告警（" + kinds +
                                     "），最新一条：" + clip(without_prefix(list.back().text), 40) +
                                     " 其余请到面板“告警”查看。";
            if (auto r = send(text, ids, "folded"); !r) return cunxin::unexpected(r.error());
        }
    }
    return queued;
}

void Alerts::on_incoming(const store::NewIncoming& m, std::int64_t id, const std::string& contact_name,
                         const std::string& village, const std::string& category_label) {
    if (!m.category) return;
    const auto& urgent = settings_.urgent_categories;
    if (std::find(urgent.begin(), urgent.end(), *m.category) == urgent.end()) return;
    // No loops: never from a service number or the box's own SIMs (self-test), never an echo
    // of an alert, never a duty phone's answer to an alert it just got (an auto-reply).
    if (!normalize_msisdn(m.peer) || is_own(m.peer)) return;
    if (m.text.find(kPrefix) != std::string::npos || m.text.find(kDigestPrefix) != std::string::npos) return;
    for (const auto& d : settings_.duty) {
        if (d.number != m.peer) continue;
        auto recent = store::alert_messages_to(db_, d.number, clock_.unix_now() - kAnswerWindow);
        if (!recent) {
            last_error_ = recent.error().detail;
            return;
        }
        if (*recent > 0) {
            log::info("alerts", "a duty number answered an alert: no alert for its message #" + std::to_string(id));
            return;
        }
    }
    const std::int64_t local = clock_.unix_now() + std::int64_t{clock_.utc_offset_minutes()} * 60;
    const std::int64_t sec = ((local % kDay) + kDay) % kDay;
    char hhmm[8];
    std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", static_cast<int>(sec / 3600), static_cast<int>(sec / 60 % 60));
    // An anonymous category's alert names nobody: no number, no name, no village.
    std::string who;
    if (m.anonymous) {
        who = "匿名";
    } else if (!contact_name.empty()) {
        who = contact_name + (village.empty() ? "" : "，" + village);
    } else {
        who = m.peer;
    }
    const std::string text = std::string(kPrefix) + label_zh(AlertKind::UrgentReply) + " " + *m.category +
                             (category_label.empty() ? "" : " " + category_label) + "：" +
                             clip(m.text, settings_.reply_chars) + "（" + who + "，" + hhmm + "）请到面板处理。";
    if (auto r = raise(AlertKind::UrgentReply, "reply:" + std::to_string(id), text, m.peer); !r) {
        last_error_ = r.error().detail;
        log::error("alerts", "urgent reply #" + std::to_string(id) + ": alert failed: " + r.error().detail);
    }
}

void Alerts::observe_modem(const std::string& port, const std::string& iccid, const std::string& state,
                           int storage_used, int storage_total) {
    auto& prev = modem_state_[port];
    const std::string sim = iccid.size() > 4 ? "（SIM尾号" + iccid.substr(iccid.size() - 4) + "）" : "";
    if (state == "out-of-service" && prev != state) {
        auto r = raise(AlertKind::ModemOutOfService, "modem:" + port,
                       std::string(kPrefix) + "短信设备 " + port + sim +
                           " 停止服务：多次自动恢复无效，其短信已转由其他设备发送。请检查USB连接和SIM卡，必要时重新插拔。");
        if (!r) last_error_ = r.error().detail;
    }
    prev = state;
    if (storage_total <= 0) return;
    const std::string key = iccid.empty() ? port : iccid;
    const int pct = storage_used * 100 / storage_total;
    if (pct >= settings_.sim_storage_percent && storage_full_.insert(key).second) {
        auto r = raise(AlertKind::StorageFull, "sim_storage:" + key,
                       std::string(kPrefix) + "SIM卡短信存储将满" + sim + "：" + std::to_string(storage_used) + "/" +
                           std::to_string(storage_total) + "。存满后收不到短信，请检查设备 " + port + "。");
        if (!r) last_error_ = r.error().detail;
    } else if (pct < settings_.sim_storage_percent) {
        storage_full_.erase(key);
    }
}

void Alerts::observe_disk(std::uint64_t free_bytes, std::uint64_t total_bytes) {
    if (total_bytes == 0) return;
    const auto pct = static_cast<int>(free_bytes * 100 / total_bytes);
    if (pct <= settings_.disk_free_percent && !disk_low_) {
        disk_low_ = true;
        auto r = raise(AlertKind::StorageFull, "disk",
                       std::string(kPrefix) + "数据存储卡将满：仅剩" + std::to_string(free_bytes >> 20) + " MB（" +
                           std::to_string(pct) + "%）。请导出备份并清理旧数据，或更换更大的存储卡。");
        if (!r) last_error_ = r.error().detail;
    } else if (pct > settings_.disk_free_percent + 2) {
        disk_low_ = false;
    }
}

void Alerts::campaign_finished(std::int64_t id, const std::string& name, int recipients, int sent, int failed) {
    const bool bad = failed > 0 && failed * 2 >= sent + failed;
    const std::string counts = "共" + std::to_string(recipients) + "人，已发出" + std::to_string(sent) + "，失败" +
                               std::to_string(failed) + "。";
    auto r = bad ? raise(AlertKind::CampaignFailed, "campaign:" + std::to_string(id),
                         std::string(kPrefix) + "群发“" + clip(name, 20) + "”大部分失败：" + counts +
                             "请检查设备和SIM卡（话费、是否被封），再在面板重发。")
                 : raise(AlertKind::CampaignFinished, "campaign:" + std::to_string(id),
                         std::string(kPrefix) + "群发“" + clip(name, 20) + "”已完成：" + counts);
    if (!r) last_error_ = r.error().detail;
}

namespace {
std::string sim_tail(const std::string& iccid) {
    return iccid.size() > 4 ? "SIM尾号" + iccid.substr(iccid.size() - 4) : "SIM " + iccid;
}
}  // namespace

void Alerts::selftest_failed(const std::string& iccid, const std::string& detail) {
    auto r = raise(AlertKind::SelfTestFailed, "selftest:" + iccid,
                   std::string(kPrefix) + sim_tail(iccid) + " 自检失败" + (detail.empty() ? "" : "：" + clip(detail, 40)) +
                       "。请在面板“短信设备”页查看信号和话费，再做一次自检。");
    if (!r) last_error_ = r.error().detail;
}

void Alerts::low_credit(const std::string& iccid, double yuan, double threshold_yuan) {
    char amount[64];
    std::snprintf(amount, sizeof amount, "%.2f元（低于%.2f元）", yuan, threshold_yuan);
    auto r = raise(AlertKind::LowCredit, "credit:" + iccid,
                   std::string(kPrefix) + sim_tail(iccid) + " 话费余额" + amount + "，用完后无法发短信，请及时充值。");
    if (!r) last_error_ = r.error().detail;
}

void Alerts::sim_blocked(const std::string& iccid, const std::string& reason) {
    auto r = raise(AlertKind::SimBlocked, "blocked:" + iccid,
                   std::string(kPrefix) + sim_tail(iccid) + " 疑似被运营商停用，已暂停使用" +
                       (reason.empty() ? "" : "（" + clip(reason, 30) + "）") + "，短信改由其他卡发送。请联系运营商。");
    if (!r) last_error_ = r.error().detail;
}

Result<int> Alerts::digest() {
    if (!settings_.digest_at) return 0;
    const auto now = clock_.unix_now();
    const auto ymd = clock_.local_date(clock_.now());
    char today[16];
    std::snprintf(today, sizeof today, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    auto last = store::get_setting(db_, "alert_digest_date");
    if (!last) return cunxin::unexpected(store_err(last.error()));
    if (last->has_value() && **last == today) return 0;
    if (minute_of_day() < *settings_.digest_at) return 0;
    std::int64_t since = now - kDay;
    if (auto at = store::get_setting(db_, "alert_digest_at"); at && at->has_value()) {
        try {
            since = std::max(since, static_cast<std::int64_t>(std::stoll(**at)));
        } catch (const std::exception&) {
        }
    }
    store::Transaction tx(db_);
    if (!tx.ok()) return cunxin::unexpected(Error{Errc::store, -1, "cannot begin transaction"});
    if (auto s = store::set_setting(db_, "alert_digest_date", today); !s) return cunxin::unexpected(store_err(s.error()));
    if (auto s = store::set_setting(db_, "alert_digest_at", std::to_string(now)); !s)
        return cunxin::unexpected(store_err(s.error()));
    if (!last->has_value()) {
        // The first day: no digest for hours the box did not watch.
        if (auto k = tx.commit(); !k) return cunxin::unexpected(store_err(k.error()));
        return 0;
    }
    auto c = store::digest_counts(db_, since);
    if (!c) return cunxin::unexpected(store_err(c.error()));
    std::map<std::string, std::string> labels;
    if (auto menu = store::list_menu(db_)) {
        for (const auto& i : *menu) labels[i.code] = i.label_zh;
    }
    std::string by_cat;
    for (const auto& [code, n] : c->replies_by_category) {
        const std::string name = code.empty() ? "未分类" : code + (labels.count(code) ? " " + labels[code] : "");
        by_cat += (by_cat.empty() ? "" : "、") + name + " " + std::to_string(n);
    }
    std::string text = std::string(kDigestPrefix) + "过去" + std::to_string((now - since + 1800) / 3600) +
                       "小时：新回复" + std::to_string(c->replies) + "条" + (by_cat.empty() ? "" : "（" + by_cat + "）") +
                       "；发送失败" + std::to_string(c->failed) + "条；未接来电" + std::to_string(c->missed_calls) +
                       "个；告警" + std::to_string(c->alerts) + "条";
    if (digest_extra) {
        for (const auto& line : digest_extra()) text += "；" + line;
    }
    text += "。";
    auto r = raise(AlertKind::Digest, std::string("digest:") + today, text);
    if (!r) return cunxin::unexpected(r.error());
    if (auto k = tx.commit(); !k) return cunxin::unexpected(store_err(k.error()));
    return 1;
}

Result<int> Alerts::tick() {
    auto d = digest();
    if (!d) return d;
    auto f = flush();
    if (!f) return f;
    return *d + *f;
}

}  // namespace cunxin::messaging

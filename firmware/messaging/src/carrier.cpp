// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/carrier.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "cunxin/store/database.hpp"

namespace cunxin::messaging {

bool SendStreak::record(const std::string& iccid, bool ok, int cms_error, bool lte_refusal,
                        std::chrono::system_clock::time_point at) {
    const bool counts = !ok && !lte_refusal &&
                        std::find(rule_.cms_errors.begin(), rule_.cms_errors.end(), cms_error) != rule_.cms_errors.end();
    if (!counts) {
        fails_.erase(iccid);
        return false;
    }
    auto& f = fails_[iccid];
    f.push_back(at);
    while (!f.empty() && at - f.front() > rule_.window) f.pop_front();
    if (rule_.failures > 0 && static_cast<int>(f.size()) >= rule_.failures) {
        fails_.erase(iccid);
        return true;
    }
    return false;
}

namespace {

bool has(std::string_view text, std::string_view word) { return text.find(word) != std::string_view::npos; }

template <std::size_t N>
bool has_any(std::string_view text, const std::array<std::string_view, N>& words) {
    return std::any_of(words.begin(), words.end(), [&](std::string_view w) { return has(text, w); });
}

bool digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool is_carrier_service_number(std::string_view s) {
    if (s.substr(0, 3) == "+86") s.remove_prefix(3);
    if (!digits(s)) return false;
    if (s.substr(0, 3) == "100" && s.size() >= 5 && s.size() <= 8) return true;  // 10086, 10010, 10000, 10001…
    if (s.substr(0, 3) == "106" && s.size() >= 5) return true;                   // SP / notice platforms
    if (s.substr(0, 2) == "95" && s.size() == 5) return true;                    // 95xxx service lines
    return s == "12321";  // 12321 (spam reporting centre)
}

bool is_suspension_notice(std::string_view sender, std::string_view text) {
    if (!is_carrier_service_number(sender)) return false;
    // Wordings of Chinese carriers' notices that a card's SMS was stopped or restricted.
    static constexpr std::array<std::string_view, 10> kStrong{
        "涉嫌发送垃圾短信", "垃圾短信", "骚扰短信", "限制发送", "暂停短信", "停止短信", "关闭短信",
        "短信发送功能", "封停", "关停"};
    // "停机" / "暂停" / "限制" alone also appear in reminders ("为避免停机请及时充值"): they count
    // only as something that has happened (已 / 被) and not as a warning or a restoration.
    static constexpr std::array<std::string_view, 3> kWeak{"停机", "暂停", "限制"};
    static constexpr std::array<std::string_view, 6> kNotYet{"避免", "以免", "防止", "即将", "将于", "将被"};
    // A notice that the service is back is not a suspension.
    static constexpr std::array<std::string_view, 4> kRestored{"已恢复", "已解除", "恢复正常", "已开通"};
    if (has_any(text, kRestored)) return false;
    if (has_any(text, kStrong)) return true;
    return has_any(text, kWeak) && !has_any(text, kNotYet) && (has(text, "已") || has(text, "被"));
}

CarrierWatch::CarrierWatch(store::Database& db, Clock& clock, BlockRule rule)
    : db_(db), clock_(clock), streak_(std::move(rule)) {}

Result<int> CarrierWatch::load() {
    auto list = store::list_sim_pauses(db_);
    if (!list) return cunxin::unexpected(Error{Errc::store, list.error().gsm_code, list.error().detail});
    for (const auto& p : *list) {
        if (apply) apply(p.iccid, true);
    }
    return static_cast<int>(list->size());
}

Result<bool> CarrierWatch::pause(const store::SimPause& p) {
    auto r = store::pause_sim(db_, p);
    if (!r) return cunxin::unexpected(Error{Errc::store, r.error().gsm_code, r.error().detail});
    if (apply) apply(p.iccid, true);
    if (*r && on_sim_paused) on_sim_paused(p.iccid, reason_zh(p));
    return *r;
}

Result<bool> CarrierWatch::resume(const std::string& iccid) {
    auto r = store::resume_sim(db_, iccid);
    if (!r) return cunxin::unexpected(Error{Errc::store, r.error().gsm_code, r.error().detail});
    streak_.reset(iccid);
    if (apply) apply(iccid, false);
    return *r;
}

void CarrierWatch::send_result(const std::string& iccid, bool ok, int cms_error, bool lte_refusal,
                               const std::string& detail) {
    if (iccid.empty()) return;
    if (!streak_.record(iccid, ok, cms_error, lte_refusal, clock_.now())) return;
    store::SimPause p;
    p.iccid = iccid;
    p.reason = "send_failures";
    p.detail = std::to_string(streak_.rule().failures) + " 次发送连续失败，最后一次：" +
               (cms_error >= 0 ? "+CMS ERROR " + std::to_string(cms_error) : detail);
    p.paused_at = clock_.unix_now();
    (void)pause(p);
}

void CarrierWatch::incoming(const std::string& iccid, const std::string& sender, const std::string& text) {
    if (iccid.empty() || !is_suspension_notice(sender, text)) return;
    store::SimPause p;
    p.iccid = iccid;
    p.reason = "carrier_notice";
    p.detail = text.substr(0, 500);
    p.sender = sender;
    p.paused_at = clock_.unix_now();
    (void)pause(p);
}

std::string CarrierWatch::reason_zh(const store::SimPause& p) {
    if (p.reason == "carrier_notice") return "运营商（" + p.sender + "）发来停用短信通知：" + p.detail;
    return "发送连续失败，疑似被运营商限制发送（" + p.detail + "）";
}

BulkRisk assess_bulk(const std::vector<std::string>& texts, std::int64_t sendable, int sims, int per_hour) {
    BulkRisk r;
    r.sims = std::max(sims, 1);
    r.threshold = std::max(10, (per_hour > 0 ? per_hour : 200) / 2);
    if (texts.empty() || sendable <= 0) return r;
    std::map<std::string_view, std::int64_t> count;
    std::int64_t top = 0;
    for (const auto& t : texts) top = std::max(top, ++count[t]);
    // The sample stands for every recipient.
    r.identical = static_cast<std::int64_t>(texts.size()) >= sendable
                      ? top
                      : (top * sendable + static_cast<std::int64_t>(texts.size()) / 2) /
                            static_cast<std::int64_t>(texts.size());
    r.per_sim = (r.identical + r.sims - 1) / r.sims;
    const int hourly = per_hour > 0 ? per_hour : 200;
    r.hours = static_cast<int>((r.per_sim + hourly - 1) / hourly);
    r.warn = r.identical >= 2 && r.per_sim >= r.threshold;
    return r;
}

}  // namespace cunxin::messaging

// SPDX-License-Identifier: Apache-2.0
// The box side of the county link. Every event is first written to fed_outbox (its seq is the
// event id) and deleted only when the broker acknowledges it (PUBACK); on every reconnection
// whatever is left is published again, in seq order: the hub counts an id once.
#include "cunxin/federation/box.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include <cunxin/log.hpp>
#include <cunxin/messaging/campaigns.hpp>
#include <cunxin/messaging/clock.hpp>
#include <cunxin/store/campaigns.hpp>
#include <cunxin/store/contacts.hpp>
#include <cunxin/store/federation.hpp>
#include <cunxin/store/messages.hpp>
#include <cunxin/store/reports.hpp>

#include "cunxin/federation/protocol.hpp"

namespace cunxin::federation {

using nlohmann::json;

namespace {

constexpr std::int64_t kAckTimeout = 20;      // seconds without PUBACK before the window is sent again
constexpr int kWindow = 100;                 // events handed to the broker and not yet acknowledged
constexpr std::int64_t kNoticeDays = 7 * 86400;  // progress is followed this long after a notice

std::string day_of(std::int64_t unix_s, int offset_min) {
    const std::int64_t local = unix_s + std::int64_t{offset_min} * 60;
    std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    // civil_from_days (H. Hinnant)
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y + (m <= 2)), m, d);
    return buf;
}

std::int64_t day_start(std::int64_t unix_s, int offset_min) {
    const std::int64_t off = std::int64_t{offset_min} * 60;
    const std::int64_t local = unix_s + off;
    const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    return days * 86400 - off;
}

std::vector<std::string> strings(const json& j, const char* key) {
    std::vector<std::string> out;
    if (!j.contains(key) || !j.at(key).is_array()) return out;
    for (const auto& v : j.at(key)) {
        if (v.is_string() && !v.get<std::string>().empty()) out.push_back(v.get<std::string>());
    }
    return out;
}

}  // namespace

BoxLink::BoxLink(BoxOptions options, store::Database& db, messaging::Clock& clock,
                 messaging::Campaigns& campaigns, Post post)
    : options_(std::move(options)), db_(db), clock_(clock), campaigns_(campaigns) {
    if (options_.username.empty()) options_.username = options_.box_id;
    MqttOptions mo;
    if (auto b = parse_broker(options_.broker)) mo.broker = *b;
    mo.client_id = options_.username;
    mo.username = options_.username;
    mo.password = options_.password;
    mo.ca = options_.ca;
    mo.will_topic = status_topic(options_.box_id);
    mo.will_payload = "offline";
    mo.subscriptions = {cmd_topic(options_.box_id)};
    mqtt_ = std::make_unique<MqttClient>(std::move(mo), std::move(post));
    mqtt_->on_connected = [this] {
        log::info("federation", "connected to the county broker as " + options_.box_id);
        inflight_.clear();
        published_up_to_ = 0;
        mqtt_->publish(status_topic(options_.box_id), "online", true);
        pump();
    };
    mqtt_->on_disconnected = [this] {
        log::warn("federation", "county broker link lost; events are kept until it returns");
        inflight_.clear();
        published_up_to_ = 0;
    };
    mqtt_->on_published = [this](int mid) {
        const auto it = inflight_.find(mid);
        if (it == inflight_.end()) return;  // the status message, or from before a reconnection
        if (auto r = store::fed_ack(db_, it->second); !r) log::error("federation", "ack: " + r.error().detail);
        inflight_.erase(it);
        last_ack_at_ = clock_.unix_now();
        pump();
    };
    mqtt_->on_message = [this](const std::string& topic, const std::string& payload) {
        const auto parts = parse_topic(topic);
        if (!parts || parts->box != options_.box_id || parts->kind != "cmd") return;
        execute(payload);
    };
}

BoxLink::~BoxLink() { stop(); }

cunxin::Expected<void, std::string> BoxLink::start() {
    if (!valid_box_id(options_.box_id)) {
        return cunxin::unexpected("federation.box_id must be [a-z0-9-]{1,32}, got '" + options_.box_id + "'");
    }
    if (auto b = parse_broker(options_.broker); !b) return cunxin::unexpected("federation.broker: " + b.error());
    // A notice recorded just before a crash may not have been launched: launch it now.
    if (auto notices = store::fed_notices_since(db_, clock_.unix_now() - kNoticeDays)) {
        for (const auto& [notice, campaign] : *notices) {
            auto c = store::get_campaign(db_, campaign);
            if (c && c->status == store::CampaignStatus::Draft) {
                if (auto r = campaigns_.start(campaign); !r) {
                    log::error("federation", "notice " + notice + ": launch failed: " + r.error().detail);
                }
            }
        }
    }
    if (auto d = store::get_setting(db_, "federation_report_day"); d && *d) last_report_day_ = **d;
    return mqtt_->start();
}

void BoxLink::stop() {
    if (mqtt_) mqtt_->stop(std::make_pair(status_topic(options_.box_id), std::string("offline")));
}

bool BoxLink::connected() const { return mqtt_->connected(); }

std::int64_t BoxLink::pending() const {
    auto n = store::fed_pending_count(db_);
    return n ? *n : -1;
}

void BoxLink::execute(const std::string& payload) {
    json j;
    try {
        j = json::parse(payload);
    } catch (const json::exception&) {
        log::warn("federation", "ignored a command that is not JSON");
        return;
    }
    if (!j.is_object() || j.value("v", 0) != kProtocolVersion || !j.contains("id") || !j["id"].is_string() ||
        !j.contains("type") || !j["type"].is_string()) {
        log::warn("federation", "ignored a command without v=1, id and type");
        return;
    }
    const std::string id = j["id"];
    const std::string type = j["type"];
    const std::string notice = j.value("notice_id", std::string());
    const auto now = clock_.unix_now();
    if (type == "notice") {
        if (notice.empty() || !j.contains("text") || !j["text"].is_string()) return;
        if (auto seen = store::fed_campaign_for_notice(db_, notice); seen && *seen) return;  // executed once
        // The notice's audience from the box's own contacts: its roles (any when none) within its
        // villages (any when none); opted-out numbers are skipped by the campaign itself.
        const auto roles = strings(j, "roles");
        const auto villages = strings(j, "villages");
        std::vector<store::Contact> people;
        if (!roles.empty()) {
            store::CampaignTargets t;
            t.roles = roles;
            if (auto r = store::resolve_targets(db_, t)) people = std::move(*r);
        } else {
            store::ContactQuery q;
            q.limit = 1000;
            for (;;) {
                auto page = store::list_contacts(db_, q);
                if (!page || page->empty()) break;
                q.after_id = page->back().id;
                people.insert(people.end(), page->begin(), page->end());
            }
        }
        messaging::CampaignSpec spec;
        spec.name = "县级通知 " + notice;
        spec.template_text = j["text"].get<std::string>();
        spec.created_by = "county";
        for (const auto& c : people) {
            if (villages.empty() || std::find(villages.begin(), villages.end(), c.village) != villages.end()) {
                spec.targets.contact_ids.push_back(c.id);
            }
        }
        if (spec.targets.contact_ids.empty()) {
            if (auto r = store::fed_record_command(db_, id, type, notice, std::nullopt, now); r && *r) {
                enqueue("progress", "progress:" + notice,
                        json{{"notice_id", notice}, {"recipients", 0}, {"queued", 0}, {"sent", 0},
                             {"delivered", 0}, {"failed", 0}, {"uncertain", 0}, {"skipped", 0}}
                            .dump());
            }
            log::info("federation", "notice " + notice + ": no contact of this box matches");
            return;
        }
        std::int64_t campaign = 0;
        {
            // The campaign and the command's record commit together: a crash leaves neither or both
            // (a recorded draft is launched at the next start).
            store::Transaction tx(db_);
            if (!tx.ok()) return;
            auto created = campaigns_.create(spec);
            if (!created) {
                log::error("federation", "notice " + notice + " refused: " + created.error().detail);
                return;
            }
            campaign = *created;
            if (auto r = store::fed_record_command(db_, id, type, notice, campaign, now); !r) return;
            if (auto r = tx.commit(); !r) return;
        }
        if (auto r = campaigns_.start(campaign); !r) {
            log::error("federation", "notice " + notice + ": launch failed: " + r.error().detail);
        }
        log::info("federation", "notice " + notice + " from the county: campaign " + std::to_string(campaign) +
                                    " to " + std::to_string(spec.targets.contact_ids.size()) + " contact(s)");
        emit_progress(true);
    } else if (type == "cancel") {
        auto r = store::fed_record_command(db_, id, type, notice, std::nullopt, now);
        if (!r || !*r) return;
        if (auto c = store::fed_campaign_for_notice(db_, notice); c && *c) {
            if (auto x = campaigns_.cancel(**c); !x) log::warn("federation", "cancel: " + x.error().detail);
        }
        emit_progress(true);
    } else {
        log::warn("federation", "ignored a command of unknown type " + type);
    }
}

void BoxLink::enqueue(const std::string& type, const std::string& key, const std::string& body_json,
                      const std::string& village, const std::string& category) {
    if (auto r = store::fed_enqueue(db_, type, key, body_json, clock_.unix_now(), village, category); !r) {
        log::error("federation", "cannot keep a " + type + " event: " + r.error().detail);
        return;
    }
    enforce_bound();
    pump();
}

void BoxLink::enforce_bound() {
    auto n = store::fed_pending_count(db_);
    if (!n || *n <= options_.outbox_max) return;
    // The oldest replies fold into one summary that lists each folded reply's seq with its
    // village and category (no text): the hub counts each seq once, whichever arrives.
    const int excess = static_cast<int>(*n - options_.outbox_max);
    auto rows = store::fed_oldest_replies(db_, std::max(excess + 1, options_.outbox_max / 10));
    std::vector<std::int64_t> seqs;
    json folded = json::array();
    if (rows) {
        for (const auto& r : *rows) {
            if (r.seq <= published_up_to_) continue;  // on the wire now: let it arrive
            seqs.push_back(r.seq);
            folded.push_back({{"seq", r.seq},
                              {"village", r.village.empty() ? json() : json(r.village)},
                              {"category", r.category.empty() ? json() : json(r.category)}});
        }
    }
    if (seqs.size() >= 2) {
        if (auto r = store::fed_fold(db_, seqs, json{{"replies", folded}}.dump(), clock_.unix_now()); !r) {
            log::error("federation", "fold: " + r.error().detail);
        }
        return;
    }
    if (auto dropped = store::fed_drop_oldest(db_, excess); dropped && *dropped > 0) {
        log::warn("federation", "event store full: dropped " + std::to_string(*dropped) + " old event(s)");
    }
}

void BoxLink::pump() {
    if (!mqtt_->connected()) return;
    while (static_cast<int>(inflight_.size()) < kWindow) {
        auto batch = store::fed_pending(db_, published_up_to_, kWindow - static_cast<int>(inflight_.size()));
        if (!batch || batch->empty()) return;
        for (const auto& e : *batch) {
            json body = json::parse(e.payload, nullptr, false);
            if (!body.is_object()) body = json::object();
            body["v"] = kProtocolVersion;
            body["id"] = options_.box_id + ":" + std::to_string(e.seq);
            body["type"] = e.type;
            body["at"] = e.at;
            auto mid = mqtt_->publish(event_topic(options_.box_id), body.dump());
            if (!mid) return;
            if (inflight_.empty()) last_ack_at_ = clock_.unix_now();
            inflight_[*mid] = e.seq;
            published_up_to_ = e.seq;
        }
    }
}

void BoxLink::on_incoming(const store::Message& m) {
    if (m.direction != store::Direction::In) return;
    json body{{"text", m.text}, {"at", m.created_at}};
    body["category"] = m.category ? json(*m.category) : json();
    std::optional<std::string> notice;
    std::optional<std::int64_t> campaign = m.campaign_id;
    if (!campaign && !m.anonymous && !m.peer.empty()) {
        // The notice this reply answers: the newest campaign sent to its sender within a week.
        if (auto c = store::latest_campaign_for(db_, m.peer, m.created_at - kNoticeDays); c && *c) {
            campaign = (*c)->campaign_id;
        }
    }
    if (campaign) {
        if (auto n = store::fed_notice_for_campaign(db_, *campaign); n && *n) notice = **n;
    }
    body["notice_id"] = notice ? json(*notice) : json();
    // An anonymous category's sender never leaves the box: no number, no village.
    const std::string village = m.anonymous ? std::string() : m.village;
    body["village"] = village.empty() ? json() : json(village);
    if (!m.anonymous && !m.peer.empty()) body["number"] = m.peer;
    body["anonymous"] = m.anonymous;
    enqueue("reply", "", body.dump(), village, m.category.value_or(""));
}

void BoxLink::emit_progress(bool force) {
    const auto now = clock_.unix_now();
    if (!force && now - last_progress_at_ < options_.progress_every_s) return;
    last_progress_at_ = now;
    auto notices = store::fed_notices_since(db_, now - kNoticeDays);
    if (!notices) return;
    for (const auto& [notice, campaign] : *notices) {
        auto p = store::campaign_progress(db_, campaign);
        if (!p) continue;
        json body{{"notice_id", notice},     {"recipients", p->recipients},
                  {"queued", p->queued + p->sending}, {"sent", p->sent + p->delivered},
                  {"delivered", p->delivered}, {"failed", p->failed},
                  {"uncertain", p->uncertain}, {"skipped", p->skipped}};
        const std::string text = body.dump();
        auto& last = last_progress_[notice];
        if (last == text) continue;
        last = text;
        enqueue("progress", "progress:" + notice, text);
    }
}

void BoxLink::emit_report() {
    const auto now = clock_.unix_now();
    const int off = clock_.utc_offset_minutes();
    const std::string today = day_of(now, off);
    if (last_report_day_.empty()) {
        last_report_day_ = today;
        (void)store::set_setting(db_, "federation_report_day", today);
        return;
    }
    if (last_report_day_ == today) return;
    // The day that just ended (office time): SMS out and replies per category.
    const std::int64_t to = day_start(now, off);
    const std::int64_t from = to - 86400;
    json body{{"day", day_of(from, off)}};
    std::int64_t out = 0;
    if (auto rows = store::messages_per_day(db_, "out", from, to, off)) {
        for (const auto& r : *rows) out += r.count;
    }
    body["sent"] = out;
    json cats = json::object();
    std::int64_t in = 0;
    if (auto rows = store::incoming_per_category(db_, from, to)) {
        for (const auto& r : *rows) {
            cats[r.key.empty() ? "none" : r.key] = r.count;
            in += r.count;
        }
    }
    body["replies"] = in;
    body["categories"] = cats;
    enqueue("report", "report:" + body["day"].get<std::string>(), body.dump());
    last_report_day_ = today;
    (void)store::set_setting(db_, "federation_report_day", today);
}

void BoxLink::tick() {
    // Events handed to the broker with no PUBACK for a long while: hand them again (the hub
    // counts an id once), rather than wait on a session that may never answer.
    if (!inflight_.empty() && clock_.unix_now() - last_ack_at_ > kAckTimeout) {
        log::warn("federation", std::to_string(inflight_.size()) + " event(s) unacknowledged for " +
                                    std::to_string(kAckTimeout) + " s: sending them again");
        inflight_.clear();
        published_up_to_ = 0;
    }
    emit_progress(false);
    emit_report();
    const auto now = clock_.unix_now();
    if (health && (last_health_at_ == 0 || now - last_health_at_ >= options_.health_every_s)) {
        last_health_at_ = now;
        json h = json::parse(health(), nullptr, false);
        if (h.is_object()) {
            h["outbox"] = pending();
            enqueue("health", "health", h.dump());
        }
    }
    pump();
}

}  // namespace cunxin::federation

// SPDX-License-Identifier: Apache-2.0
// The hub side. An event is applied in the same transaction that records its id: delivered
// twice (QoS 1 after a lost PUBACK, a box resending after a crash), it is counted once.
#include "cunxin/federation/hub.hpp"

#include <random>

#include <nlohmann/json.hpp>

#include <cunxin/log.hpp>
#include <cunxin/messaging/clock.hpp>
#include <cunxin/store/database.hpp>
#include <cunxin/store/federation.hpp>

#include "cunxin/federation/protocol.hpp"

namespace cunxin::federation {

using nlohmann::json;

namespace {

std::string random_hex(int bytes) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < bytes; ++i) {
        const auto b = static_cast<unsigned>(rng() & 0xff);
        s += hex[b >> 4];
        s += hex[b & 15];
    }
    return s;
}

int count(const json& j, const char* key) {
    if (!j.contains(key) || !j.at(key).is_number_integer()) return 0;
    const auto v = j.at(key).get<long long>();
    return v < 0 ? 0 : static_cast<int>(std::min<long long>(v, 1 << 30));
}

std::optional<std::string> opt_string(const json& j, const char* key) {
    if (!j.contains(key) || !j.at(key).is_string()) return std::nullopt;
    return j.at(key).get<std::string>();
}

}  // namespace

Hub::Hub(HubOptions options, store::Database& db, messaging::Clock& clock, Post post)
    : options_(std::move(options)), db_(db), clock_(clock) {
    MqttOptions mo;
    if (auto b = parse_broker(options_.broker)) mo.broker = *b;
    mo.client_id = options_.username.empty() ? "hub" : options_.username;
    mo.username = options_.username;
    mo.password = options_.password;
    mo.ca = options_.ca;
    mo.subscriptions = {"cunxin/v1/box/+/event", "cunxin/v1/box/+/status"};
    mqtt_ = std::make_unique<MqttClient>(std::move(mo), std::move(post));
    mqtt_->on_connected = [this] {
        log::info("hub", "connected to the county broker");
        inflight_.clear();
        publish_pending("");
    };
    mqtt_->on_disconnected = [this] {
        log::warn("hub", "county broker link lost; reconnecting");
        inflight_.clear();
    };
    mqtt_->on_published = [this](int mid) {
        const auto it = inflight_.find(mid);
        if (it == inflight_.end()) return;
        (void)store::hub_mark_published(db_, it->second, clock_.unix_now());
        inflight_.erase(it);
    };
    mqtt_->on_message = [this](const std::string& topic, const std::string& payload) { on_message(topic, payload); };
}

Hub::~Hub() { stop(); }

cunxin::Expected<void, std::string> Hub::start() {
    if (auto b = parse_broker(options_.broker); !b) return cunxin::unexpected("federation.broker: " + b.error());
    return mqtt_->start();
}

void Hub::stop() {
    if (mqtt_) mqtt_->stop();
}

bool Hub::connected() const { return mqtt_->connected(); }

void Hub::on_message(const std::string& topic, const std::string& payload) {
    const auto parts = parse_topic(topic);
    if (!parts) return;
    const auto now = clock_.unix_now();
    if (parts->kind == "status") {
        const bool online = payload == "online";
        if (!online && payload != "offline") return;
        (void)store::hub_touch_box(db_, parts->box, now, online);
        // A box that comes (back) online gets every notice it has not answered yet: one it never
        // received (it had never connected) or lost in a crash; it executes a notice id once.
        if (online) publish_pending(parts->box);
        return;
    }
    if (parts->kind == "event") on_event(parts->box, payload);
}

void Hub::on_event(const std::string& box, const std::string& payload) {
    json j = json::parse(payload, nullptr, false);
    if (!j.is_object() || j.value("v", 0) != kProtocolVersion) {
        log::warn("hub", "box " + box + ": ignored an event without v=1");
        return;
    }
    const auto id = opt_string(j, "id");
    const auto type = opt_string(j, "type");
    const auto parsed = id ? parse_event_id(*id) : std::nullopt;
    // The broker's ACL lets a box write only its own topic; the id must name the same box.
    if (!type || !parsed || parsed->first != box) {
        log::warn("hub", "box " + box + ": ignored an event with a bad id or type");
        return;
    }
    const std::int64_t seq = parsed->second;
    const auto now = clock_.unix_now();
    store::Transaction tx(db_);
    if (!tx.ok()) return;
    auto fresh = store::hub_record_event(db_, *id, box, seq, *type, now);
    if (!fresh) {
        log::error("hub", "cannot record event " + *id + ": " + fresh.error().detail);
        return;
    }
    if (*fresh) {
        if (*type == "progress") {
            if (auto notice = opt_string(j, "notice_id")) {
                (void)store::hub_set_progress(db_, *notice, box, seq, count(j, "recipients"), count(j, "queued"),
                                              count(j, "sent"), count(j, "delivered"), count(j, "failed"), now);
            }
        } else if (*type == "reply") {
            store::HubReply r;
            r.event_id = *id;
            r.box = box;
            r.notice_id = opt_string(j, "notice_id");
            r.category = opt_string(j, "category");
            r.text = j.value("text", std::string());
            r.at = j.contains("at") && j["at"].is_number_integer() ? j["at"].get<std::int64_t>() : now;
            r.received_at = now;
            // Anonymous: whatever a box might send, the hub keeps neither number nor village.
            const bool anonymous = j.value("anonymous", false);
            if (!anonymous) {
                r.village = opt_string(j, "village");
                r.number = opt_string(j, "number");
            }
            (void)store::hub_insert_reply(db_, r);
        } else if (*type == "summary") {
            // Replies folded while the link was down: each counted once by its own id.
            if (j.contains("replies") && j["replies"].is_array()) {
                for (const auto& f : j["replies"]) {
                    if (!f.is_object() || !f.contains("seq") || !f["seq"].is_number_integer()) continue;
                    const auto fseq = f["seq"].get<std::int64_t>();
                    auto first = store::hub_record_event(db_, box + ":" + std::to_string(fseq), box, fseq, "reply", now);
                    if (first && *first) {
                        (void)store::hub_add_reply_counts(db_, box, opt_string(f, "village").value_or(""),
                                                          opt_string(f, "category").value_or(""), 1);
                    }
                }
            }
        } else if (*type == "report") {
            if (auto day = opt_string(j, "day")) (void)store::hub_set_report(db_, box, *day, seq, payload);
        } else if (*type == "health") {
            json h = j;
            for (const char* k : {"v", "id", "type"}) h.erase(k);
            (void)store::hub_set_health(db_, box, seq, h.dump());
        }
        ++counted_;
    }
    if (auto c = tx.commit(); !c) log::error("hub", "cannot commit event " + *id + ": " + c.error().detail);
}

void Hub::publish_pending(const std::string& box) {
    if (!mqtt_->connected()) return;
    auto pending = store::hub_notices_without_progress(db_, box);
    if (!pending) return;
    for (const auto& n : *pending) {
        if (n.cancelled_at) continue;
        for (const auto& b : n.boxes) {
            json cmd{{"v", kProtocolVersion}, {"id", b.command_id}, {"type", "notice"},
                     {"at", clock_.unix_now()}, {"notice_id", n.id}, {"text", n.text},
                     {"roles", json::parse(n.roles_json, nullptr, false)},
                     {"villages", json::parse(n.villages_json, nullptr, false)}};
            if (auto mid = mqtt_->publish(cmd_topic(b.box), cmd.dump())) inflight_[*mid] = b.command_id;
        }
    }
}

cunxin::Expected<std::string, HubError> Hub::create_notice(const NoticeRequest& request) {
    auto invalid = [](std::string m) { return cunxin::unexpected(HubError{"invalid", std::move(m)}); };
    if (request.text.empty()) return invalid("通知内容不能为空");
    if (request.text.size() > 4000) return invalid("通知内容过长");
    std::vector<std::string> boxes = request.boxes;
    if (request.all) {
        auto known = store::hub_list_boxes(db_);
        if (!known) return cunxin::unexpected(HubError{"unavailable", "无法读取乡镇列表"});
        boxes.clear();
        for (const auto& b : *known) boxes.push_back(b.id);
    }
    std::sort(boxes.begin(), boxes.end());
    boxes.erase(std::unique(boxes.begin(), boxes.end()), boxes.end());
    if (boxes.empty()) return invalid("请至少选择一个乡镇");
    for (const auto& b : boxes) {
        if (!valid_box_id(b)) return invalid("乡镇编号无效：" + b);
    }
    const auto now = clock_.unix_now();
    store::HubNotice n;
    n.id = "n" + std::to_string(now) + "-" + random_hex(4);
    n.text = request.text;
    n.roles_json = json(request.roles).dump();
    n.villages_json = json(request.villages).dump();
    n.created_by = request.actor;
    n.created_at = now;
    for (const auto& b : boxes) {
        store::HubProgress p;
        p.box = b;
        p.command_id = n.id + ":" + b;
        n.boxes.push_back(std::move(p));
    }
    if (auto r = store::hub_insert_notice(db_, n); !r) {
        log::error("hub", "cannot store a notice: " + r.error().detail);
        return cunxin::unexpected(HubError{"unavailable", "无法保存通知"});
    }
    // Published now when connected, else at the next connection; a box offline now receives it
    // from its persistent session, or when it says "online" (republished until it answers).
    if (mqtt_->connected()) {
        for (const auto& b : n.boxes) {
            json cmd{{"v", kProtocolVersion}, {"id", b.command_id}, {"type", "notice"}, {"at", now},
                     {"notice_id", n.id}, {"text", n.text}, {"roles", request.roles}, {"villages", request.villages}};
            if (auto mid = mqtt_->publish(cmd_topic(b.box), cmd.dump())) inflight_[*mid] = b.command_id;
        }
    }
    log::info("hub", "notice " + n.id + " to " + std::to_string(boxes.size()) + " township box(es)");
    return n.id;
}

cunxin::Expected<void, HubError> Hub::cancel_notice(const std::string& id) {
    auto n = store::hub_get_notice(db_, id);
    if (!n) return cunxin::unexpected(HubError{"not_found", "没有这条通知"});
    const auto now = clock_.unix_now();
    if (auto r = store::hub_cancel_notice(db_, id, now); !r) {
        return cunxin::unexpected(HubError{"unavailable", "无法取消通知"});
    }
    for (const auto& b : n->boxes) {
        json cmd{{"v", kProtocolVersion}, {"id", "cancel:" + b.command_id}, {"type", "cancel"}, {"at", now},
                 {"notice_id", id}};
        mqtt_->publish(cmd_topic(b.box), cmd.dump());
    }
    return {};
}

}  // namespace cunxin::federation

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/inbox.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "cunxin/log.hpp"
#include "cunxin/messaging/alerts.hpp"
#include "cunxin/messaging/outbox.hpp"
#include "cunxin/messaging/phone.hpp"
#include "cunxin/sms/pdu.hpp"
#include "cunxin/sms/reassembly.hpp"
#include "cunxin/store/calls.hpp"
#include "cunxin/store/campaigns.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/database.hpp"

namespace cunxin::messaging {

namespace chr = std::chrono;

std::string text_hash(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

bool is_confirmation(std::string_view text) {
    std::string t = fold_for_match(text);
    for (const char* tail : {"。", ".", "!", "！"}) {
        const std::string s(tail);
        while (t.size() >= s.size() && t.compare(t.size() - s.size(), s.size(), s) == 0) t.resize(t.size() - s.size());
    }
    static const std::array<const char*, 13> kWords = {"1",  "01", "确认", "收到", "好",  "好的", "是",
                                                       "OK", "YES", "Y",  "一",  "已收到", "确认收到"};
    return std::any_of(kWords.begin(), kWords.end(), [&](const char* w) { return t == w; });
}

Inbox::Inbox(store::Database& db, Clock& clock, Outbox& outbox, InboxOptions options)
    : db_(db), clock_(clock), outbox_(outbox), options_(std::move(options)),
      reassembler_(std::make_unique<sms::Reassembler>()) {}

Inbox::~Inbox() = default;

std::size_t Inbox::pending_groups() const { return reassembler_->size(); }

Result<int> Inbox::load() {
    auto stored = store::pending_parts(db_);
    if (!stored) return cunxin::unexpected(Error{Errc::store, -1, stored.error().detail});
    std::vector<sms::Part> parts;
    parts_.clear();
    for (const auto& p : *stored) {
        sms::Part x;
        x.sender = p.sender;
        x.reference = p.reference;
        x.part = p.part;
        x.total = p.total;
        x.text = p.text;
        x.received_at = Clock::time_point(chr::seconds(p.received_at));
        x.id = p.id;
        parts.push_back(std::move(x));
        auto decoded = sms::decode(p.raw_pdu, true);  // the damage is not stored with the part
        parts_[p.id] = PartInfo{p.scts, p.iccid, decoded ? decoded->damage : std::string()};
    }
    reassembler_ = std::make_unique<sms::Reassembler>(parts);
    for (auto& j : reassembler_->take_complete()) finish(j.sender, j.text, j.part_ids, false);
    announce();
    return static_cast<int>(reassembler_->size());
}

bool Inbox::quarantine(const modem::SimIdentity& sim, const std::string& kind, const std::string& raw,
                       const std::string& reason) {
    store::QuarantineEntry q;
    q.at = clock_.unix_now();
    q.kind = kind;
    q.iccid = sim.iccid;
    q.raw = raw;
    q.reason = reason;
    auto r = store::quarantine(db_, q);
    if (!r) {
        last_error_ = r.error().detail;
        log::error("inbox", "[sim " + sim.iccid + "] could not quarantine a " + kind + " (" + reason +
                                "): " + r.error().detail);
        return false;
    }
    // The number and text stay out of the log: the quarantine keeps them for admins.
    log::warn("inbox", "[sim " + sim.iccid + "] " + kind + " quarantined as #" + std::to_string(*r) + ": " + reason);
    return true;
}

bool Inbox::store_incoming_pdu(const modem::SimIdentity& sim, const std::string& pdu_hex) {
    if (reload_) {
        reload_ = false;
        if (auto l = load(); !l) last_error_ = l.error().detail;
    }
    auto pdu = sms::decode(pdu_hex, true);
    if (!pdu) {
        return quarantine(sim, "incoming_pdu", pdu_hex,
                          std::string(sms::to_string(pdu.error().code)) +
                              (pdu.error().detail.empty() ? "" : ": " + pdu.error().detail));
    }
    if (pdu->type == sms::PduType::StatusReport) return store_status_report(sim, pdu_hex);
    if (pdu->type != sms::PduType::Deliver) return quarantine(sim, "incoming_pdu", pdu_hex, "not an SMS-DELIVER");
    if (pdu->damaged()) {
        log::warn("inbox", "[sim " + sim.iccid + "] SMS decoded best-effort (" + pdu->damage + ": " +
                               pdu->damage_detail + "): stored marked damaged");
    }
    const auto now = clock_.unix_now();
    auto part = sms::part_of(*pdu, clock_.now());
    store::IncomingPart p;
    p.iccid = sim.iccid;
    p.sender = canonical_peer(pdu->address);
    p.scts = pdu->timestamp ? pdu->timestamp->unix_seconds() : now;
    p.reference = part.reference;
    p.part = part.part;
    p.total = part.total;
    p.text = part.text;
    p.text_hash = text_hash(part.text);
    p.raw_pdu = pdu_hex;
    p.received_at = now;
    // One commit per PDU: the part and, when it completes a message, the routed message.
    store::Transaction tx(db_);
    if (!tx.ok()) {
        last_error_ = "cannot begin transaction";
        return false;  // not committed: it stays on the SIM
    }
    auto id = store::insert_incoming_part(db_, p);
    if (!id) {
        last_error_ = id.error().detail;
        return false;
    }
    if (!id->has_value()) return true;  // the same part again: already held
    // Committed. What follows never makes the modem keep the PDU.
    parts_[**id] = PartInfo{p.scts, p.iccid, pdu->damage};
    part.id = **id;
    part.sender = p.sender;
    auto out = reassembler_->add(part);
    switch (out.status) {
        case sms::AddStatus::Added: break;
        case sms::AddStatus::Complete:
            if (out.message) finish(out.message->sender, out.message->text, out.message->part_ids, false);
            break;
        case sms::AddStatus::Duplicate:  // same part number again with another time stamp
            parts_.erase(**id);
            if (auto r = store::discard_incoming_part(db_, **id, "duplicate part", now); !r)
                last_error_ = r.error().detail;
            break;
        case sms::AddStatus::Invalid:  // impossible concat numbers: keep the text as it is
            finish(p.sender, p.text, {**id}, false);
            break;
    }
    if (auto k = tx.commit(); !k) {
        last_error_ = k.error().detail;
        announce_.clear();
        reload_ = true;  // the reassembler holds a part that was rolled back
        return false;
    }
    announce();
    return true;
}

void Inbox::announce() {
    auto ids = std::move(announce_);
    announce_.clear();
    if (!on_new_message || ids.empty()) return;
    // Announced once on disk: a panel that fetches the message on the event finds it, and an
    // event never tells of a message a failed batch took back.
    db_.when_durable([this, ids = std::move(ids)](bool ok) {
        if (!ok || !on_new_message) return;
        for (auto id : ids) {
            if (auto msg = store::get_message(db_, id)) on_new_message(*msg);
        }
    });
}

void Inbox::finish(const std::string& sender, const std::string& text, const std::vector<std::int64_t>& part_ids,
                   bool incomplete) {
    store::NewIncoming m;
    m.peer = sender;
    m.text = text;
    m.part_ids = part_ids;
    m.incomplete = incomplete;
    bool first = true;
    for (auto id : part_ids) {
        auto it = parts_.find(id);
        if (it == parts_.end()) continue;
        if (first || it->second.scts < m.scts) m.scts = it->second.scts;
        if (m.iccid.empty()) m.iccid = it->second.iccid;
        if (m.damage.empty()) m.damage = it->second.damage;
        first = false;
        parts_.erase(it);
    }
    m.text_hash = text_hash(text);
    auto dup = store::find_duplicate_incoming(db_, m.peer, m.scts, m.text_hash);
    if (!dup) {
        last_error_ = dup.error().detail;
        return;
    }
    if (dup->has_value()) {  // the network delivered the whole message again
        if (auto r = store::link_parts(db_, part_ids, **dup); !r) last_error_ = r.error().detail;
        return;
    }
    route(m);
}

void Inbox::reply(const std::string& to, const std::string& text, std::int64_t reply_to) {
    if (text.empty() || !normalize_msisdn(to)) return;  // never answer short codes/services
    const auto now = clock_.unix_now();
    auto n = store::auto_acks_since(db_, to, now - options_.ack_window.count());
    if (!n) {
        last_error_ = n.error().detail;
        return;
    }
    if (*n >= options_.max_acks) return;  // two automatic responders must not loop
    SendOptions o;
    o.kind = store::MessageKind::AutoAck;
    o.created_by = "system";
    o.ignore_opt_out = true;
    o.reply_to = reply_to;  // linked: hidden with it when the message is anonymous
    if (auto r = outbox_.enqueue({to}, text, o); !r) last_error_ = r.error().detail;
}

void Inbox::route(store::NewIncoming& m) {
    const auto now = clock_.unix_now();
    if (system_kind) {
        if (auto kind = system_kind(m)) {
            m.kind = *kind;
            m.status = "handled";
            m.unknown_sender = false;
            auto id = store::insert_incoming(db_, m, now);
            if (!id) {
                last_error_ = id.error().detail;
                return;
            }
            if (on_system_message) on_system_message(*id, m);
            return;
        }
    }
    auto contact = store::find_contact_by_mobile(db_, m.peer);
    std::string contact_name, village, category_label;
    if (contact && contact->has_value()) {
        m.contact_id = (*contact)->id;
        contact_name = (*contact)->name;
        village = (*contact)->village;
    } else {
        m.unknown_sender = true;
    }
    std::string answer;
    // Panel settings: extra opt-out words ("opt_out_keywords", separated by commas, 、 or
    // spaces) and the switch for automatic acknowledgements ("auto_ack_enabled").
    Keywords keywords = options_.keywords;
    if (auto extra = store::get_setting(db_, "opt_out_keywords"); extra && extra->has_value()) {
        std::string word;
        auto flush = [&] {
            if (!word.empty()) keywords.opt_out.push_back(word);
            word.clear();
        };
        const std::string& list = **extra;
        for (std::size_t i = 0; i < list.size();) {
            if (list[i] == ',' || list[i] == ' ' || list[i] == ';') {
                flush();
                ++i;
            } else if (list.compare(i, 3, "，") == 0 || list.compare(i, 3, "、") == 0 ||
                       list.compare(i, 3, "；") == 0) {
                flush();
                i += 3;
            } else {
                word += list[i++];
            }
        }
        flush();
    }
    bool acks_enabled = true;
    if (auto on = store::get_setting(db_, "auto_ack_enabled"); on && on->has_value()) {
        acks_enabled = **on != "0" && **on != "false";
    }
    if (!m.incomplete && is_opt_out(m.text, keywords)) {
        if (auto r = store::set_opted_out(db_, m.peer, true, now); !r) last_error_ = r.error().detail;
        m.status = "handled";
        answer = options_.opt_out_reply;
    } else if (!m.incomplete && is_opt_in(m.text, keywords)) {
        if (auto r = store::set_opted_out(db_, m.peer, false, now); !r) last_error_ = r.error().detail;
        m.status = "handled";
        answer = options_.opt_in_reply;
    } else {
        // A report in an anonymous category is never tied to its sender: it does not count as
        // the reply of a campaign recipient (the campaign's list would name who sent it).
        auto items = store::list_menu(db_);
        ReplyMenu menu;
        if (items) {
            for (const auto& i : *items)
                menu.items.push_back(MenuItem{i.code, i.label_zh, i.label_en, i.auto_ack, i.anonymous});
        } else {
            last_error_ = items.error().detail;
        }
        const auto cls = classify(m.text, menu);
        const MenuItem* item = cls.code ? find_item(menu, *cls.code) : nullptr;
        const bool anonymous = item != nullptr && item->anonymous;
        bool confirmed = false;
        const auto since = now - options_.campaign_reply_window.count();
        if (!anonymous) {
            // A "1" (收到, 确认…) answers the newest confirmation request still open for this number,
            // even when a later broadcast without one went to it: it is never a reply-menu "01".
            if (!m.incomplete && is_confirmation(m.text)) {
                auto open = store::open_confirmation_for(db_, m.peer, since);
                if (!open) {
                    last_error_ = open.error().detail;
                } else if (open->has_value()) {
                    confirmed = true;
                    m.status = "handled";
                    if (auto r = store::mark_recipient_reply(db_, (*open)->campaign_id, m.peer, true, now); !r)
                        last_error_ = r.error().detail;
                }
            }
            // Anything else is a reply to the newest broadcast this number got (response rates).
            if (!confirmed) {
                auto rec = store::latest_campaign_for(db_, m.peer, since);
                if (rec && rec->has_value()) {
                    if (auto r = store::mark_recipient_reply(db_, (*rec)->campaign_id, m.peer, false, now); !r)
                        last_error_ = r.error().detail;
                }
            }
        }
        if (!confirmed && cls.code) {
            m.category = cls.code;
            if (item != nullptr) {
                m.anonymous = item->anonymous;
                category_label = item->label_zh;
                if (acks_enabled) answer = item->auto_reply;
            }
        }
    }
    auto id = store::insert_incoming(db_, m, now);
    if (!id) {
        last_error_ = id.error().detail;
        return;
    }
    reply(m.peer, answer, *id);
    if (alerts_ != nullptr) alerts_->on_incoming(m, *id, contact_name, village, category_label);
    announce_.push_back(*id);  // announced once committed
}

int Inbox::expire_incomplete() {
    auto groups = reassembler_->expire(clock_.now(), options_.incomplete_after, options_.gap_marker);
    for (auto& j : groups) finish(j.sender, j.text, j.part_ids, true);
    announce();
    return static_cast<int>(groups.size());
}

void Inbox::when_durable(modem::Durable done) {
    db_.when_durable([this, done = std::move(done)](bool ok) {
        // A batch that rolled back took parts the reassembler holds: reload it from the store.
        if (!ok) reload_ = true;
        done(ok);
    });
}

bool Inbox::store_status_report(const modem::SimIdentity& sim, const std::string& pdu_hex) {
    auto pdu = sms::decode(pdu_hex, true);
    if (!pdu) {
        return quarantine(sim, "status_report", pdu_hex, std::string(sms::to_string(pdu.error().code)));
    }
    if (pdu->type != sms::PduType::StatusReport) {
        return quarantine(sim, "status_report", pdu_hex, "not an SMS-STATUS-REPORT");
    }
    const auto now = clock_.unix_now();
    store::StatusReportRecord r;
    r.iccid = sim.iccid;
    r.recipient = canonical_peer(pdu->address);
    r.message_reference = pdu->message_reference.value_or(-1);
    r.status = pdu->status;
    r.status_class = sms::to_string(pdu->status_class);
    if (pdu->discharge_time) r.discharge_time = pdu->discharge_time->unix_seconds();
    r.raw_pdu = pdu_hex;
    r.received_at = now;
    if (pdu->message_reference) {
        auto seg = store::find_segment_for_report(db_, sim.iccid, r.recipient, *pdu->message_reference,
                                                  now - options_.report_window.count());
        if (!seg) {
            last_error_ = seg.error().detail;
            return false;
        }
        r.segment_id = *seg;
    }
    auto id = store::insert_status_report(db_, r);
    if (!id) {
        last_error_ = id.error().detail;
        return false;
    }
    return true;
}

void Inbox::network_time(const modem::SimIdentity& sim, std::chrono::system_clock::time_point utc, int) {
    if (on_network_time) on_network_time(sim.iccid, utc);
}

void Inbox::missed_call(const modem::SimIdentity& sim, const std::string& number,
                        std::chrono::system_clock::time_point) {
    // The modem's time is its own system clock: the messaging clock (network-corrected) decides.
    const auto who = number.empty() ? std::string() : canonical_peer(number);
    auto id = store::insert_call(db_, who, sim.iccid, clock_.unix_now(), clock_.unix_now());
    if (!id) {
        last_error_ = "missed call not recorded: " + id.error().detail;
        return;
    }
    // A campaign that takes a missed call as confirmation (未接来电即确认): villagers who cannot
    // type call the box and hang up.
    if (!who.empty()) {
        const auto now = clock_.unix_now();
        auto open = store::open_missed_call_confirmation_for(db_, who, now - options_.campaign_reply_window.count());
        if (!open) {
            last_error_ = "missed call not matched to a campaign: " + open.error().detail;
        } else if (open->has_value()) {
            if (auto r = store::mark_recipient_reply(db_, (*open)->campaign_id, who, true, now); !r) {
                last_error_ = r.error().detail;
            } else {
                log::info("inbox", "missed call confirmed campaign #" + std::to_string((*open)->campaign_id) +
                                       " (call #" + std::to_string(*id) + ")");
            }
        }
    }
    if (on_missed_call) on_missed_call(*id);
}

}  // namespace cunxin::messaging

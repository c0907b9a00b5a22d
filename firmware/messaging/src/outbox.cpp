// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/outbox.hpp"

#include <algorithm>

#include "cunxin/messaging/budget.hpp"
#include "cunxin/messaging/phone.hpp"
#include "cunxin/sms/pdu.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/database.hpp"

namespace cunxin::messaging {

namespace {

Error store_error(const store::Error& e) { return Error{Errc::store, e.gsm_code, e.detail}; }

bool in_ready(std::span<const modem::SimIdentity> ready, const std::string& iccid) {
    return std::any_of(ready.begin(), ready.end(), [&](const auto& s) { return s.iccid == iccid; });
}

}  // namespace

Outbox::Outbox(store::Database& db, Clock& clock, OutboxOptions options)
    : db_(db), clock_(clock), options_(options),
      next_concat_ref_(static_cast<std::uint8_t>(clock.unix_now() & 0xFF)) {}

Result<int> Outbox::recover() {
    handed_out_.clear();
    message_sim_.clear();
    auto n = store::mark_sending_uncertain(db_, clock_.unix_now());
    if (!n) return cunxin::unexpected(store_error(n.error()));
    return *n;
}

Result<std::vector<std::int64_t>> Outbox::enqueue(const std::vector<std::string>& to, const std::string& text,
                                                  const SendOptions& options) {
    std::vector<OutgoingRequest> reqs;
    reqs.reserve(to.size());
    for (const auto& t : to) reqs.push_back(OutgoingRequest{t, text, std::nullopt});
    return enqueue(reqs, options);
}

Result<std::vector<std::int64_t>> Outbox::enqueue(const std::vector<OutgoingRequest>& requests,
                                                  const SendOptions& options) {
    if (requests.empty()) return cunxin::unexpected(Error{Errc::invalid_argument, -1, "no recipient"});
    const auto now = clock_.unix_now();
    std::vector<store::NewOutgoing> batch;
    batch.reserve(requests.size());
    int queued = 0;
    for (const auto& r : requests) {
        store::NewOutgoing m;
        m.text = r.text;
        m.kind = options.kind;
        m.campaign_id = options.campaign_id;
        m.contact_id = r.contact_id;
        m.created_by = options.created_by;
        m.not_before = options.not_before;
        m.reply_to = options.reply_to;
        m.via_iccid = options.via_iccid;
        auto number = normalize_msisdn(r.to);
        if (!number && options.any_number) {
            // A carrier's service number or a SIM's own non-mobile number: digits as given.
            const auto plain = canonical_peer(r.to);
            const auto digits = plain.rfind('+', 0) == 0 ? plain.substr(1) : plain;
            if (!digits.empty() && digits.size() <= 20 &&
                std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                number = plain;
            }
        }
        if (!number) {
            m.peer = canonical_peer(r.to);
            m.error = std::string("invalid number: ") + to_string(number.error().code);
            batch.push_back(std::move(m));
            continue;
        }
        m.peer = *number;
        if (r.text.empty()) {
            m.error = "empty text";
            batch.push_back(std::move(m));
            continue;
        }
        if (!options.ignore_opt_out) {
            auto out = store::is_opted_out(db_, m.peer);
            if (!out) return cunxin::unexpected(store_error(out.error()));
            if (*out) {
                m.error = "opted_out";
                batch.push_back(std::move(m));
                continue;
            }
        }
        sms::SubmitRequest req;
        req.recipient = m.peer;
        req.text = r.text;
        req.status_report = options_.status_report;
        req.validity_minutes = options_.validity_minutes;
        req.concat_reference = next_concat_ref_++;
        auto pdus = sms::encode_submit(req);
        if (!pdus) {
            m.error = std::string("not encodable: ") + sms::to_string(pdus.error().code);
            batch.push_back(std::move(m));
            continue;
        }
        for (const auto& p : *pdus) m.segments.push_back(store::NewSegment{p.hex, p.tpdu_length});
        ++queued;
        batch.push_back(std::move(m));
    }
    auto ids = store::insert_outgoing(db_, batch, now);
    if (!ids) return cunxin::unexpected(store_error(ids.error()));
    if (queued > 0 && wake) wake();
    return *ids;
}

Result<std::int64_t> Outbox::reply(std::int64_t message_id, const std::string& text, const std::string& actor) {
    if (text.empty()) return cunxin::unexpected(Error{Errc::invalid_argument, -1, "empty text"});
    auto target = store::reply_target(db_, message_id);
    if (!target) {
        if (target.error().code == store::Errc::not_found) {
            return cunxin::unexpected(Error{Errc::not_found, -1, "no such message"});
        }
        return cunxin::unexpected(store_error(target.error()));
    }
    if (!normalize_msisdn(target->number)) {
        // A service or alphanumeric sender cannot be answered by SMS.
        return cunxin::unexpected(Error{Errc::bad_state, -1, "the sender cannot receive a reply"});
    }
    SendOptions o;
    o.created_by = actor;
    o.reply_to = target->link_id;
    auto ids = enqueue({target->number}, text, o);
    if (!ids) return cunxin::unexpected(ids.error());
    return ids->front();
}

Result<int> Outbox::resend_uncertain(std::int64_t message_id) {
    auto n = store::resend_uncertain(db_, message_id, clock_.unix_now());
    if (!n) return cunxin::unexpected(store_error(n.error()));
    if (*n > 0 && wake) wake();
    return *n;
}

Result<int> Outbox::mark_uncertain_failed(std::int64_t message_id) {
    auto n = store::mark_uncertain_failed(db_, message_id, clock_.unix_now());
    if (!n) return cunxin::unexpected(store_error(n.error()));
    return *n;
}

void Outbox::poll() {
    auto due = store::due_segments(db_, clock_.unix_now(), options_.scan_limit);
    if (!due) {
        last_error_ = due.error().detail;
        return;
    }
    for (const auto& d : *due) {
        if (!handed_out_.count(d.segment.id)) {
            if (wake) wake();
            return;
        }
    }
}

void Outbox::finish(std::int64_t segment_id) {
    auto it = handed_out_.find(segment_id);
    if (it == handed_out_.end()) return;
    message_sim_.erase(it->second);
    handed_out_.erase(it);
}

void Outbox::remember_sim(const modem::SimIdentity& sim) {
    if (known_sims_.count(sim.iccid)) return;
    store::Sim s;
    s.iccid = sim.iccid;
    s.imei = sim.imei;
    s.imsi = sim.imsi;
    s.operator_name = sim.operator_name;
    s.own_number = sim.own_number;
    if (auto r = store::touch_sim(db_, s, clock_.unix_now()); !r) {
        last_error_ = r.error().detail;
        return;
    }
    known_sims_.insert(sim.iccid);
}

bool Outbox::budget_allows(const modem::SimIdentity& sim) {
    auto b = check_sim_budget(db_, clock_, sim.iccid, 1);
    if (!b) {
        last_error_ = b.error().detail;
        return false;
    }
    return b->within;
}

bool Outbox::budget_allows_cached(const std::string& iccid, std::int64_t now) {
    auto it = budget_cache_.find(iccid);
    if (it != budget_cache_.end() && now - it->second.first < 2) return it->second.second;
    auto b = check_sim_budget(db_, clock_, iccid, 1);
    const bool ok = b ? b->within : true;  // unreadable: do not take its work away
    budget_cache_[iccid] = {now, ok};
    return ok;
}

std::optional<modem::OutgoingSegment> Outbox::next_segment(const modem::SimIdentity& sim,
                                                           std::span<const modem::SimIdentity> ready) {
    if (sim.iccid.empty()) return std::nullopt;
    remember_sim(sim);
    const auto now = clock_.unix_now();
    auto due = store::due_segments(db_, now, options_.scan_limit);
    if (!due) {
        last_error_ = due.error().detail;
        return std::nullopt;
    }
    if (due->empty() || !budget_allows(sim)) return std::nullopt;
    // SIMs that can take work: ready and within their monthly budget. A SIM at its budget (or
    // at its rate limit: the pool leaves it out of `ready`) keeps no recipient and no message:
    // its sticky contacts and the rest of its messages go to another SIM instead of waiting.
    std::vector<modem::SimIdentity> usable_list;
    for (const auto& s : ready) {
        if (s.iccid == sim.iccid || budget_allows_cached(s.iccid, now)) usable_list.push_back(s);
    }
    const std::span<const modem::SimIdentity> usable(usable_list);
    const Carrier mine = carrier_from_operator(sim.operator_name);
    const bool others_ready =
        std::any_of(usable.begin(), usable.end(), [&](const auto& s) { return s.iccid != sim.iccid; });
    const store::DueSegment* fallback = nullptr;
    for (const auto& d : *due) {
        const auto& seg = d.segment;
        if (handed_out_.count(seg.id)) continue;
        if (d.recipient_opted_out && d.kind != store::MessageKind::AutoAck && d.kind != store::MessageKind::Alert) {
            // Opted out after it was queued: honour it now.
            if (auto r = store::fail_segment(db_, seg.id, -1, "opted_out", now); !r) last_error_ = r.error().detail;
            continue;
        }
        // A self-test text or a balance query leaves through its own SIM only, whenever that is.
        if (!d.via_iccid.empty()) {
            if (d.via_iccid != sim.iccid) continue;
            return hand_out(d.segment, sim);
        }
        // Parts of one message go through one SIM (the recipient joins them by sender).
        std::string message_iccid = d.message_iccid;
        if (auto it = message_sim_.find(seg.message_id); it != message_sim_.end()) message_iccid = it->second;
        if (!message_iccid.empty() && message_iccid != sim.iccid && in_ready(usable, message_iccid)) continue;
        const bool message_here = message_iccid == sim.iccid;
        if (!message_here) {
            // Sticky: a recipient keeps hearing from the same number while that SIM can send.
            if (!d.sticky_iccid.empty() && in_ready(usable, d.sticky_iccid)) {
                if (d.sticky_iccid != sim.iccid) continue;
            } else {
                // After a temporary failure, prefer another SIM.
                if (seg.avoid_iccid == sim.iccid && others_ready) continue;
                // Prefer a SIM of the recipient's operator when one is ready.
                const Carrier theirs = carrier_of(seg.recipient);
                if (theirs != Carrier::Unknown && mine != theirs) {
                    const bool better = std::any_of(usable.begin(), usable.end(), [&](const auto& s) {
                        return s.iccid != sim.iccid && s.iccid != seg.avoid_iccid &&
                               carrier_from_operator(s.operator_name) == theirs;
                    });
                    if (better) {
                        // A big backlog keeps every SIM busy: preference only while it is small.
                        if (!fallback && static_cast<int>(due->size()) >= options_.scan_limit) fallback = &d;
                        continue;
                    }
                }
            }
        }
        return hand_out(d.segment, sim);
    }
    if (fallback) return hand_out(fallback->segment, sim);
    return std::nullopt;
}

modem::OutgoingSegment Outbox::hand_out(const store::Segment& seg, const modem::SimIdentity& sim) {
    handed_out_.emplace(seg.id, seg.message_id);
    message_sim_[seg.message_id] = sim.iccid;
    modem::OutgoingSegment out;
    out.segment_id = seg.id;
    out.recipient = seg.recipient;
    out.pdu_hex = seg.pdu_hex;
    out.tpdu_length = seg.tpdu_length;
    out.more_to_same = seg.part < seg.total;
    return out;
}

bool Outbox::mark_sending(std::int64_t segment_id, const modem::SimIdentity& sim) {
    auto r = store::mark_segment_sending(db_, segment_id, sim.iccid, clock_.unix_now());
    if (!r) {
        last_error_ = r.error().detail;
        finish(segment_id);
        return false;
    }
    if (!*r) finish(segment_id);
    return *r;
}

void Outbox::mark_sending(std::int64_t segment_id, const modem::SimIdentity& sim, modem::Durable done) {
    if (!mark_sending(segment_id, sim)) {
        done(false);
        return;
    }
    // AT+CMGS waits for this mark to be on disk; a batch that rolled back took the mark with it.
    db_.when_durable([this, segment_id, done = std::move(done)](bool ok) {
        if (!ok) finish(segment_id);
        done(ok);
    });
}

void Outbox::mark_sent(std::int64_t segment_id, const modem::SimIdentity& sim, int message_reference) {
    finish(segment_id);
    if (auto r = store::mark_segment_sent(db_, segment_id, sim.iccid, message_reference, clock_.unix_now()); !r)
        last_error_ = r.error().detail;
}

void Outbox::mark_failed(std::int64_t segment_id, const modem::SimIdentity& sim, bool permanent, int cms_error,
                         const std::string& reason) {
    finish(segment_id);
    const auto now = clock_.unix_now();
    std::string why = reason;
    if (cms_error >= 0) why = "+CMS ERROR " + std::to_string(cms_error) + (reason.empty() ? "" : ": " + reason);
    auto seg = store::get_segment(db_, segment_id);
    if (!seg) {
        last_error_ = seg.error().detail;
        return;
    }
    if (permanent) {
        auto r = store::fail_segment(db_, segment_id, cms_error, why, now);
        if (!r) last_error_ = r.error().detail;
        return;
    }
    if (seg->attempts >= options_.max_attempts) {
        auto r = store::fail_segment(db_, segment_id, cms_error,
                                     "gave up after " + std::to_string(seg->attempts) + " attempts: " + why, now);
        if (!r) last_error_ = r.error().detail;
        return;
    }
    auto delay = options_.backoff_base * (1LL << std::min(std::max(seg->attempts - 1, 0), 20));
    if (delay > options_.backoff_max) delay = options_.backoff_max;
    auto r = store::requeue_segment(db_, segment_id, sim.iccid, cms_error, why, now + delay.count(), now);
    if (!r) last_error_ = r.error().detail;
}

void Outbox::mark_uncertain(std::int64_t segment_id, const modem::SimIdentity&, const std::string& reason) {
    finish(segment_id);
    auto r = store::mark_segment_uncertain(db_, segment_id, "maybe sent: " + reason, clock_.unix_now());
    if (!r) last_error_ = r.error().detail;
}

int Outbox::sent_since(const modem::SimIdentity& sim, std::chrono::system_clock::time_point since) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(since.time_since_epoch()).count();
    auto n = store::segments_sent_since(db_, sim.iccid, s);
    if (!n) {
        last_error_ = n.error().detail;
        return 0;
    }
    return *n;
}

}  // namespace cunxin::messaging

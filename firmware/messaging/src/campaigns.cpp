// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/campaigns.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "cunxin/messaging/budget.hpp"
#include "cunxin/messaging/outbox.hpp"
#include "cunxin/messaging/phone.hpp"
#include "cunxin/messaging/template.hpp"
#include "cunxin/sms/segment.hpp"
#include "cunxin/store/contacts.hpp"
#include "cunxin/store/database.hpp"
#include "cunxin/store/reports.hpp"

namespace cunxin::messaging {

namespace chr = std::chrono;

namespace {

Error store_error(const store::Error& e) { return Error{Errc::store, e.gsm_code, e.detail}; }

std::optional<chr::year_month_day> parse_date(const std::string& s) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (s.size() < 10 || std::sscanf(s.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return std::nullopt;
    chr::year_month_day ymd{chr::year(y), chr::month(m), chr::day(d)};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

template <class T, class F>
std::string json_array(const std::vector<T>& v, F f) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + f(v[i]);
    return out + "]";
}

std::string targets_json(const store::CampaignTargets& t) {
    auto num = [](std::int64_t x) { return std::to_string(x); };
    return "{\"groups\":" + json_array(t.group_ids, num) + ",\"villages\":" + json_array(t.villages, json_string) +
           ",\"tags\":" + json_array(t.tags, json_string) + ",\"mobiles\":" + json_array(t.mobiles, json_string) +
           ",\"contacts\":" + json_array(t.contact_ids, num) + "}";
}

/// Renders a template for a contact on `today`; the error is a short reason.
cunxin::Expected<std::string, std::string> render_for(const std::string& tpl, const std::string& name,
                                                      const std::string& village, const std::string& role,
                                                      const std::string& join_date, chr::year_month_day today) {
    TemplateFields f;
    f.name = name;
    f.village = village;
    f.role = role;
    f.party_join_date = parse_date(join_date);
    f.date = today;
    auto r = render_template(tpl, f);
    if (!r) {
        std::string why = "template";
        if (!r.error().problems.empty()) why += std::string(": ") + to_string(r.error().problems.front().code);
        return cunxin::unexpected(why);
    }
    return *r;
}

}  // namespace

Campaigns::Campaigns(store::Database& db, Clock& clock, Outbox& outbox, int default_price_fen)
    : db_(db), clock_(clock), outbox_(outbox), default_price_fen_(default_price_fen) {}

Result<CampaignPreview> Campaigns::preview(const CampaignSpec& spec, int max_rows) {
    return preview_campaign(db_, clock_, spec, default_price_fen_, max_rows);
}

void apply_daily_limits(CampaignPreview& preview, const std::vector<SimToday>& sims) {
    for (auto& e : preview.per_sim) {
        for (const auto& s : sims) {
            if (s.iccid != e.iccid || s.limit_per_day <= 0) continue;
            e.daily_remaining = std::max(0, s.limit_per_day - s.sent_today);
            e.within_daily_limit = e.segments <= e.daily_remaining;
            if (!e.within_daily_limit) {
                preview.warnings.push_back("daily_limit: SIM " + e.iccid + " has " +
                                           std::to_string(e.daily_remaining) + " segments left today");
            }
        }
    }
}

Result<CampaignPreview> preview_campaign(store::Database& db_, const Clock& clock_, const CampaignSpec& spec,
                                         int default_price_fen_, int max_rows) {
    CampaignPreview p;
    for (const auto& problem : validate_template(spec.template_text)) {
        p.warnings.push_back(std::string("template: ") + to_string(problem.code) +
                             (problem.name.empty() ? "" : " {" + problem.name + "}"));
    }
    auto contacts = store::resolve_targets(db_, spec.targets);
    if (!contacts) return cunxin::unexpected(store_error(contacts.error()));
    auto sims = store::list_sims(db_);
    if (!sims) return cunxin::unexpected(store_error(sims.error()));
    std::map<std::string, SimEstimate> per_sim;
    const auto today = clock_.local_date(clock_.now());
    for (const auto& c : *contacts) {
        RecipientPreview r;
        r.mobile = c.mobile;
        r.name = c.name;
        r.village = c.village;
        ++p.total_recipients;
        auto number = normalize_msisdn(c.mobile);
        auto out = store::is_opted_out(db_, c.mobile);
        if (!out) return cunxin::unexpected(store_error(out.error()));
        if (!number) {
            r.problem = "invalid number";
            ++p.invalid;
        } else if (*out) {
            r.problem = "opted_out";
            ++p.opted_out;
        } else if (auto text = render_for(spec.template_text, c.name, c.village, c.role, c.party_join_date, today);
                   !text) {
            r.problem = text.error();
            ++p.missing_values;
        } else {
            r.text = *text;
            r.segments = sms::plan_segments(r.text).segments;
            p.max_segments = std::max(p.max_segments, r.segments);
            if (r.segments > 1) ++p.multipart;
            // The SIM expected to send: one of the recipient's operator, else the first one.
            const Carrier carrier = carrier_of(*number);
            const store::Sim* chosen = sims->empty() ? nullptr : &sims->front();
            for (const auto& s : *sims) {
                if (carrier != Carrier::Unknown && carrier_from_operator(s.operator_name) == carrier) {
                    chosen = &s;
                    break;
                }
            }
            r.expected_iccid = chosen ? chosen->iccid : "";
            auto& e = per_sim[r.expected_iccid];
            e.iccid = r.expected_iccid;
            e.operator_name = chosen ? chosen->operator_name : "";
            e.recipients += 1;
            e.segments += r.segments;
            e.cost_fen += cost_fen(r.segments, chosen ? chosen->price_fen_per_segment : default_price_fen_);
            ++p.sendable;
            p.total_segments += r.segments;
        }
        if (!r.problem.empty()) ++p.skipped;
        if (static_cast<int>(p.recipients.size()) < max_rows) p.recipients.push_back(std::move(r));
    }
    for (auto& [iccid, e] : per_sim) {
        p.total_cost_fen += e.cost_fen;
        if (!iccid.empty()) {
            auto b = check_sim_budget(db_, clock_, iccid, e.segments);
            if (!b) return cunxin::unexpected(b.error());
            e.within_budget = b->within;
            if (!b->segments.unlimited) e.budget_remaining_segments = b->segments.remaining;
            if (!b->fen.unlimited) e.budget_remaining_fen = b->fen.remaining;
            if (!b->within) {
                const auto over = std::max(b->segments.over_by, b->fen.over_by);
                p.warnings.push_back("budget: SIM " + iccid + " would exceed its monthly budget by " +
                                     std::to_string(over) + (b->segments.over_by > 0 ? " segments" : " fen"));
            }
        }
        p.per_sim.push_back(e);
    }
    return p;
}

Result<std::int64_t> Campaigns::create(const CampaignSpec& spec) {
    if (spec.template_text.empty()) return cunxin::unexpected(Error{Errc::invalid_argument, -1, "empty text"});
    if (auto problems = validate_template(spec.template_text); !problems.empty()) {
        return cunxin::unexpected(Error{Errc::invalid_argument, -1,
                                        std::string("template: ") + to_string(problems.front().code)});
    }
    if (!spec.reminder_text.empty() && !validate_template(spec.reminder_text).empty()) {
        return cunxin::unexpected(Error{Errc::invalid_argument, -1, "reminder template invalid"});
    }
    auto contacts = store::resolve_targets(db_, spec.targets);
    if (!contacts) return cunxin::unexpected(store_error(contacts.error()));
    if (contacts->empty()) return cunxin::unexpected(Error{Errc::invalid_argument, -1, "no recipient"});
    const auto now = clock_.unix_now();
    const auto today = clock_.local_date(clock_.now());
    std::vector<store::CampaignRecipient> rs;
    rs.reserve(contacts->size());
    for (const auto& c : *contacts) {
        store::CampaignRecipient r;
        r.mobile = c.mobile;
        if (c.id != 0) r.contact_id = c.id;
        r.name = c.name;
        r.village = c.village;
        auto text = render_for(spec.template_text, c.name, c.village, c.role, c.party_join_date, today);
        if (text) r.text = *text;
        rs.push_back(std::move(r));
    }
    store::Campaign c;
    c.name = spec.name;
    c.template_text = spec.template_text;
    c.status = store::CampaignStatus::Draft;
    c.created_by = spec.created_by;
    c.created_at = now;
    c.scheduled_at = spec.send_at;
    c.confirm_request = spec.confirm_request;
    c.remind_after = spec.remind_after;
    c.reminder_text = spec.reminder_text;
    c.missed_call_confirms = spec.confirm_request && spec.missed_call_confirms;
    c.targets_json = targets_json(spec.targets);
    auto id = store::insert_campaign(db_, c, rs);
    if (!id) return cunxin::unexpected(store_error(id.error()));
    return *id;
}

Result<void> Campaigns::launch(const store::Campaign& c) {
    const auto now = clock_.unix_now();
    store::Transaction tx(db_);
    if (!tx.ok()) return cunxin::unexpected(Error{Errc::store, -1, "cannot begin transaction"});
    auto rs = store::campaign_recipients(db_, c.id);
    if (!rs) return cunxin::unexpected(store_error(rs.error()));
    std::vector<OutgoingRequest> reqs;
    std::vector<const store::CampaignRecipient*> sent_to;
    for (const auto& r : *rs) {
        std::string skip;
        auto out = store::is_opted_out(db_, r.mobile);
        if (!out) return cunxin::unexpected(store_error(out.error()));
        if (*out) {
            skip = "opted_out";
        } else if (r.text.empty()) {
            skip = "template";
        }
        if (!skip.empty()) {
            if (auto s = store::set_recipient_message(db_, c.id, r.mobile, std::nullopt, skip); !s)
                return cunxin::unexpected(store_error(s.error()));
            continue;
        }
        reqs.push_back(OutgoingRequest{r.mobile, r.text, r.contact_id});
        sent_to.push_back(&r);
    }
    if (!reqs.empty()) {
        SendOptions o;
        o.kind = store::MessageKind::Campaign;
        o.campaign_id = c.id;
        o.created_by = c.created_by;
        auto ids = outbox_.enqueue(reqs, o);
        if (!ids) return cunxin::unexpected(ids.error());
        for (std::size_t i = 0; i < ids->size(); ++i) {
            if (auto s = store::set_recipient_message(db_, c.id, sent_to[i]->mobile, (*ids)[i]); !s)
                return cunxin::unexpected(store_error(s.error()));
        }
    }
    if (auto s = store::set_campaign_status(db_, c.id, store::CampaignStatus::Running, now); !s)
        return cunxin::unexpected(store_error(s.error()));
    if (auto k = tx.commit(); !k) return cunxin::unexpected(store_error(k.error()));
    return {};
}

Result<void> Campaigns::start(std::int64_t id) {
    auto c = store::get_campaign(db_, id);
    if (!c) return cunxin::unexpected(Error{Errc::not_found, -1, c.error().detail});
    if (c->status != store::CampaignStatus::Draft)
        return cunxin::unexpected(Error{Errc::bad_state, -1, "campaign is not a draft"});
    if (c->scheduled_at && *c->scheduled_at > clock_.unix_now()) {
        auto s = store::set_campaign_status(db_, id, store::CampaignStatus::Scheduled);
        if (!s) return cunxin::unexpected(store_error(s.error()));
        return {};
    }
    return launch(*c);
}

namespace {
Result<void> move(store::Database& db, std::int64_t id, std::initializer_list<store::CampaignStatus> from,
                  store::CampaignStatus to, std::optional<std::int64_t> finished = std::nullopt) {
    auto c = store::get_campaign(db, id);
    if (!c) return cunxin::unexpected(Error{Errc::not_found, -1, c.error().detail});
    if (std::find(from.begin(), from.end(), c->status) == from.end())
        return cunxin::unexpected(Error{Errc::bad_state, -1, std::string("campaign is ") + store::to_string(c->status)});
    auto s = store::set_campaign_status(db, id, to, std::nullopt, finished);
    if (!s) return cunxin::unexpected(store_error(s.error()));
    return {};
}
}  // namespace

Result<void> Campaigns::pause(std::int64_t id) {
    return move(db_, id, {store::CampaignStatus::Running}, store::CampaignStatus::Paused);
}

Result<void> Campaigns::resume(std::int64_t id) {
    auto r = move(db_, id, {store::CampaignStatus::Paused}, store::CampaignStatus::Running);
    if (r && outbox_.wake) outbox_.wake();
    return r;
}

Result<void> Campaigns::cancel(std::int64_t id) {
    using S = store::CampaignStatus;
    auto r = move(db_, id, {S::Draft, S::Scheduled, S::Running, S::Paused}, S::Cancelled, clock_.unix_now());
    if (!r) return r;
    auto n = store::cancel_campaign_segments(db_, id, clock_.unix_now());
    if (!n) return cunxin::unexpected(store_error(n.error()));
    return {};
}

Result<store::CampaignProgress> Campaigns::progress(std::int64_t id) {
    auto p = store::campaign_progress(db_, id);
    if (!p) return cunxin::unexpected(store_error(p.error()));
    return *p;
}

Result<int> Campaigns::tick() {
    const auto now = clock_.unix_now();
    int queued = 0;
    auto due = store::due_campaigns(db_, now);
    if (!due) return cunxin::unexpected(store_error(due.error()));
    for (const auto& c : *due) {
        if (auto r = launch(c); !r) return cunxin::unexpected(r.error());
        auto p = store::campaign_progress(db_, c.id);
        if (p) queued += p->queued;
    }
    auto list = store::list_campaigns(db_, 200);
    if (!list) return cunxin::unexpected(store_error(list.error()));
    const auto today = clock_.local_date(clock_.now());
    for (const auto& c : *list) {
        if (!c.confirm_request || c.remind_after <= 0 || !c.started_at) continue;
        if (c.status != store::CampaignStatus::Running && c.status != store::CampaignStatus::Done) continue;
        if (now < *c.started_at + c.remind_after) continue;
        auto rs = store::recipients_to_remind(db_, c.id);
        if (!rs) return cunxin::unexpected(store_error(rs.error()));
        for (const auto& r : *rs) {
            std::string text = "【提醒】" + r.text;
            if (!c.reminder_text.empty()) {
                auto t = render_for(c.reminder_text, r.name, r.village, "", "", today);
                if (t) text = *t;
            }
            store::Transaction tx(db_);
            SendOptions o;
            o.kind = store::MessageKind::Reminder;
            o.campaign_id = c.id;
            o.created_by = "system";
            auto ids = outbox_.enqueue({OutgoingRequest{r.mobile, text, r.contact_id}}, o);
            if (!ids) return cunxin::unexpected(ids.error());
            if (auto m = store::mark_reminded(db_, c.id, r.mobile, ids->front(), now); !m)
                return cunxin::unexpected(store_error(m.error()));
            if (auto k = tx.commit(); !k) return cunxin::unexpected(store_error(k.error()));
            ++queued;
        }
    }
    auto finished = store::finish_idle_campaigns(db_, now);
    if (!finished) return cunxin::unexpected(store_error(finished.error()));
    if (on_finished) {
        for (auto id : *finished) on_finished(id);
    }
    return queued;
}

}  // namespace cunxin::messaging

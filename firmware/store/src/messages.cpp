// SPDX-License-Identifier: Apache-2.0
#include "cunxin/store/messages.hpp"

#include <algorithm>

#include "sql.hpp"

namespace cunxin::store {

const char* to_string(Direction d) noexcept {
    switch (d) {
        case Direction::In: return "in";
        case Direction::Out: return "out";
    }
    return "out";
}

const char* to_string(SegmentStatus s) noexcept {
    switch (s) {
        case SegmentStatus::Queued: return "queued";
        case SegmentStatus::Sending: return "sending";
        case SegmentStatus::Sent: return "sent";
        case SegmentStatus::Delivered: return "delivered";
        case SegmentStatus::Failed: return "failed";
        case SegmentStatus::Uncertain: return "uncertain";
    }
    return "queued";
}

std::optional<SegmentStatus> parse_segment_status(const std::string& s) noexcept {
    for (auto v : {SegmentStatus::Queued, SegmentStatus::Sending, SegmentStatus::Sent,
                   SegmentStatus::Delivered, SegmentStatus::Failed, SegmentStatus::Uncertain}) {
        if (s == to_string(v)) return v;
    }
    return std::nullopt;
}

const char* to_string(TriageStatus s) noexcept {
    switch (s) {
        case TriageStatus::New: return "new";
        case TriageStatus::InProgress: return "in_progress";
        case TriageStatus::Handled: return "handled";
    }
    return "new";
}

std::optional<TriageStatus> parse_triage_status(const std::string& s) noexcept {
    for (auto v : {TriageStatus::New, TriageStatus::InProgress, TriageStatus::Handled}) {
        if (s == to_string(v)) return v;
    }
    return std::nullopt;
}

const char* to_string(MessageKind k) noexcept {
    switch (k) {
        case MessageKind::Normal: return "normal";
        case MessageKind::Campaign: return "campaign";
        case MessageKind::Reminder: return "reminder";
        case MessageKind::Anniversary: return "anniversary";
        case MessageKind::AutoAck: return "auto_ack";
        case MessageKind::Confirmation: return "confirmation";
        case MessageKind::Alert: return "alert";
        case MessageKind::System: return "system";
        case MessageKind::Selftest: return "selftest";
    }
    return "normal";
}

namespace {

MessageKind parse_kind(const std::string& s) {
    for (auto v : {MessageKind::Normal, MessageKind::Campaign, MessageKind::Reminder,
                   MessageKind::Anniversary, MessageKind::AutoAck, MessageKind::Confirmation,
                   MessageKind::Alert, MessageKind::System, MessageKind::Selftest}) {
        if (s == to_string(v)) return v;
    }
    return MessageKind::Normal;
}

constexpr const char* kMessageCols =
    "m.id, m.direction, m.peer, m.text, m.status, m.category, m.campaign_id, m.contact_id, "
    "COALESCE(c.name, ''), COALESCE(c.village, ''), m.created_at, m.updated_at, m.assigned_user_id, "
    "m.anonymous, m.incomplete, m.unknown_sender, m.iccid, m.kind, m.error, m.created_by, m.segments, m.scts, m.reply_to";

Message read_message(const Stmt& s) {
    Message m;
    m.id = s.i64(0);
    m.direction = s.str(1) == "in" ? Direction::In : Direction::Out;
    m.peer = s.str(2);
    m.text = s.str(3);
    m.status = s.str(4);
    m.category = s.opt_str(5);
    m.campaign_id = s.opt_i64(6);
    m.contact_id = s.opt_i64(7);
    m.contact_name = s.str(8);
    m.village = s.str(9);
    m.created_at = s.i64(10);
    m.updated_at = s.i64(11);
    m.assigned_user_id = s.opt_i64(12);
    m.anonymous = s.i64(13) != 0;
    m.incomplete = s.i64(14) != 0;
    m.unknown_sender = s.i64(15) != 0;
    m.iccid = s.str(16);
    m.kind = parse_kind(s.str(17));
    m.error = s.str(18);
    m.created_by = s.str(19);
    m.segments = s.i32(20);
    m.scts = s.opt_i64(21);
    m.reply_to = s.opt_i64(22);
    if (m.anonymous) {
        // The sender of an anonymous message never leaves the store through a read.
        m.peer.clear();
        m.contact_id.reset();
        m.contact_name.clear();
        m.village.clear();
        m.unknown_sender = false;
    }
    m.damaged = m.direction == Direction::In && !m.error.empty();
    return m;
}

constexpr const char* kSegmentCols =
    "s.id, s.message_id, s.part, s.total, s.recipient, s.pdu_hex, s.tpdu_length, s.status, s.iccid, "
    "s.message_reference, s.attempts, s.not_before, s.avoid_iccid, s.last_error, s.cms_error, "
    "s.created_at, s.sending_at, s.sent_at, s.done_at";

Segment read_segment(const Stmt& s) {
    Segment g;
    g.id = s.i64(0);
    g.message_id = s.i64(1);
    g.part = s.i32(2);
    g.total = s.i32(3);
    g.recipient = s.str(4);
    g.pdu_hex = s.str(5);
    g.tpdu_length = s.i32(6);
    g.status = parse_segment_status(s.str(7)).value_or(SegmentStatus::Queued);
    g.iccid = s.str(8);
    if (!s.null(9)) g.message_reference = s.i32(9);
    g.attempts = s.i32(10);
    g.not_before = s.i64(11);
    g.avoid_iccid = s.str(12);
    g.last_error = s.str(13);
    g.cms_error = s.i32(14);
    g.created_at = s.i64(15);
    g.sending_at = s.opt_i64(16);
    g.sent_at = s.opt_i64(17);
    g.done_at = s.opt_i64(18);
    return g;
}

std::int64_t message_of_segment(Database& db, std::int64_t segment_id) {
    auto s = db.impl().prepare("SELECT message_id FROM segments WHERE id=?");
    s.args(segment_id);
    if (!s.step()) throw_error(Errc::not_found, "segment " + std::to_string(segment_id));
    return s.i64(0);
}

/// Number of UTF-8 code points.
std::size_t utf8_length(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++n;
    }
    return n;
}

}  // namespace

void refresh_outgoing_status(Database& db, std::int64_t message_id, Seconds now) {
    db.impl()
        .prepare(
            "UPDATE messages SET updated_at=?2, status=(SELECT CASE "
            " WHEN sum(status='failed') > 0 THEN 'failed'"
            " WHEN sum(status='uncertain') > 0 THEN 'uncertain'"
            " WHEN sum(status='delivered') = count(*) THEN 'delivered'"
            " WHEN sum(status IN ('sent','delivered')) = count(*) THEN 'sent'"
            " WHEN sum(status IN ('sending','sent','delivered')) > 0 THEN 'sending'"
            " ELSE 'queued' END FROM segments WHERE message_id=?1) "
            "WHERE id=?1 AND direction='out' AND segments > 0")
        .args(message_id, now)
        .exec();
}

Result<std::vector<std::int64_t>> insert_outgoing(Database& db, const std::vector<NewOutgoing>& list,
                                                  Seconds now) {
    return in_tx(db, [&] {
        std::vector<std::int64_t> ids;
        ids.reserve(list.size());
        auto& i = db.impl();
        for (const auto& m : list) {
            const bool failed = m.segments.empty();
            // A reply inherits the anonymity of the message it answers (and then links no contact).
            // reply_to is named only when set, so this also writes to databases of earlier versions.
            auto ins = i.prepare(m.reply_to
                          ? "INSERT INTO messages(direction, peer, text, status, campaign_id, contact_id, created_at, "
                            "updated_at, kind, error, created_by, segments, reply_to, anonymous) VALUES ('out', ?1, ?2, "
                            "?3, ?4, CASE WHEN (SELECT anonymous FROM messages WHERE id=?11) = 1 THEN NULL ELSE "
                            "COALESCE(?5, (SELECT id FROM contacts WHERE mobile=?1)) END, ?6, ?6, ?7, ?8, ?9, ?10, ?11, "
                            "COALESCE((SELECT anonymous FROM messages WHERE id=?11), 0))"
                          : "INSERT INTO messages(direction, peer, text, status, campaign_id, contact_id, created_at, "
                            "updated_at, kind, error, created_by, segments) VALUES ('out', ?1, ?2, ?3, ?4, "
                            "COALESCE(?5, (SELECT id FROM contacts WHERE mobile=?1)), ?6, ?6, ?7, ?8, ?9, ?10)");
            ins.args(m.peer, m.text, failed ? "failed" : "queued", m.campaign_id, m.contact_id, now,
                     to_string(m.kind), failed && m.error.empty() ? std::string("not encodable") : m.error,
                     m.created_by, static_cast<int>(m.segments.size()));
            if (m.reply_to) ins.bind(11, *m.reply_to);
            ins.exec();
            const std::int64_t id = sqlite3_last_insert_rowid(i.db);
            if (!m.via_iccid.empty()) {
                i.prepare("UPDATE messages SET via_iccid=? WHERE id=?").args(m.via_iccid, id).exec();
            }
            ids.push_back(id);
            const int total = static_cast<int>(m.segments.size());
            for (int p = 0; p < total; ++p) {
                const auto& seg = m.segments[static_cast<std::size_t>(p)];
                i.prepare(
                     "INSERT INTO segments(message_id, part, total, recipient, pdu_hex, tpdu_length, status, "
                     "not_before, created_at) VALUES (?,?,?,?,?,?,'queued',?,?)")
                    .args(id, p + 1, total, m.peer, seg.pdu_hex, seg.tpdu_length, m.not_before, now)
                    .exec();
            }
        }
        return ids;
    });
}

Result<std::vector<DueSegment>> due_segments(Database& db, Seconds now, int limit) {
    return guard([&] {
        std::vector<DueSegment> out;
        // Alerts to duty numbers first (few, found through the partial index messages_kind_peer,
        // which needs the direction: without it every queued segment of a broadcast was scanned
        // on each pick), then the rest oldest first: a big backlog never delays an alert.
        for (const char* which : {"AND m.direction = 'out' AND m.kind = 'alert' ", "AND m.kind <> 'alert' "}) {
            auto s = db.impl().prepare(
                std::string("SELECT ") + kSegmentCols +
                ", m.kind, COALESCE((SELECT x.iccid FROM segments x WHERE x.message_id = s.message_id AND "
                "x.status IN ('sending','sent','delivered','uncertain') LIMIT 1), ''), "
                "COALESCE(st.iccid, ''), (o.mobile IS NOT NULL), m.via_iccid "
                "FROM segments s JOIN messages m ON m.id = s.message_id "
                "LEFT JOIN campaigns cp ON cp.id = m.campaign_id "
                "LEFT JOIN sticky_sims st ON st.recipient = s.recipient "
                "LEFT JOIN opt_outs o ON o.mobile = s.recipient "
                "WHERE s.status = 'queued' AND s.not_before <= ?1 " + which +
                "AND (m.campaign_id IS NULL OR cp.status NOT IN ('paused','cancelled','draft','scheduled')) "
                "ORDER BY s.id LIMIT ?2");
            s.args(now, static_cast<std::int64_t>(limit) - static_cast<std::int64_t>(out.size()));
            while (s.step()) {
                DueSegment d;
                d.segment = read_segment(s);
                d.kind = parse_kind(s.str(19));
                d.message_iccid = s.str(20);
                d.sticky_iccid = s.str(21);
                d.recipient_opted_out = s.i64(22) != 0;
                d.via_iccid = s.str(23);
                out.push_back(std::move(d));
            }
        }
        return out;
    });
}

Result<bool> mark_segment_sending(Database& db, std::int64_t segment_id, const std::string& iccid,
                                  Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        int n = i.prepare(
                     "UPDATE segments SET status='sending', iccid=?, sending_at=?, attempts=attempts+1 "
                     "WHERE id=? AND status='queued'")
                    .args(iccid, now, segment_id)
                    .exec();
        if (n == 0) return false;
        auto mid = message_of_segment(db, segment_id);
        i.prepare("UPDATE messages SET iccid=? WHERE id=? AND iccid=''").args(iccid, mid).exec();
        refresh_outgoing_status(db, mid, now);
        return true;
    });
}

Result<void> mark_segment_sent(Database& db, std::int64_t segment_id, const std::string& iccid,
                               int message_reference, Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare(
             "UPDATE segments SET status='sent', iccid=?, message_reference=?, sent_at=?, last_error='' "
             "WHERE id=? AND status IN ('sending','uncertain')")
            .args(iccid, message_reference, now, segment_id)
            .exec();
        auto mid = message_of_segment(db, segment_id);
        i.prepare(
             "INSERT INTO sticky_sims(recipient, iccid, at) SELECT recipient, ?2, ?3 FROM segments WHERE id=?1 "
             "ON CONFLICT(recipient) DO UPDATE SET iccid=excluded.iccid, at=excluded.at")
            .args(segment_id, iccid, now)
            .exec();
        refresh_outgoing_status(db, mid, now);
    });
}

Result<void> requeue_segment(Database& db, std::int64_t segment_id, const std::string& iccid, int cms_error,
                             const std::string& reason, Seconds not_before, Seconds now) {
    return in_tx(db, [&] {
        db.impl()
            .prepare(
                "UPDATE segments SET status='queued', not_before=?, avoid_iccid=?, last_error=?, cms_error=? "
                "WHERE id=? AND status='sending'")
            .args(not_before, iccid, reason, cms_error, segment_id)
            .exec();
        refresh_outgoing_status(db, message_of_segment(db, segment_id), now);
    });
}

Result<void> fail_segment(Database& db, std::int64_t segment_id, int cms_error, const std::string& reason,
                          Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare(
             "UPDATE segments SET status='failed', last_error=?, cms_error=?, done_at=? "
             "WHERE id=? AND status <> 'failed' AND status <> 'delivered'")
            .args(reason, cms_error, now, segment_id)
            .exec();
        auto mid = message_of_segment(db, segment_id);
        // The rest of a message whose part failed would arrive as a fragment: stop it too.
        i.prepare(
             "UPDATE segments SET status='failed', last_error='another part failed', done_at=? "
             "WHERE message_id=? AND status='queued'")
            .args(now, mid)
            .exec();
        i.prepare("UPDATE messages SET error=? WHERE id=?").args(reason, mid).exec();
        refresh_outgoing_status(db, mid, now);
    });
}

Result<void> mark_segment_uncertain(Database& db, std::int64_t segment_id, const std::string& reason,
                                    Seconds now) {
    return in_tx(db, [&] {
        db.impl()
            .prepare("UPDATE segments SET status='uncertain', last_error=? WHERE id=? AND status='sending'")
            .args(reason, segment_id)
            .exec();
        refresh_outgoing_status(db, message_of_segment(db, segment_id), now);
    });
}

Result<int> mark_sending_uncertain(Database& db, Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        std::vector<std::int64_t> mids;
        {
            auto s = i.prepare("SELECT DISTINCT message_id FROM segments WHERE status='sending'");
            while (s.step()) mids.push_back(s.i64(0));
        }
        int n = i.prepare(
                     "UPDATE segments SET status='uncertain', last_error='interrupted while sending "
                     "(restart): maybe sent' WHERE status='sending'")
                    .exec();
        for (auto mid : mids) refresh_outgoing_status(db, mid, now);
        return n;
    });
}

Result<int> resend_uncertain(Database& db, std::int64_t message_id, Seconds now) {
    return in_tx(db, [&] {
        int n = db.impl()
                    .prepare(
                        "UPDATE segments SET status='queued', not_before=0, last_error='resend decided "
                        "by operator' WHERE message_id=? AND status='uncertain'")
                    .args(message_id)
                    .exec();
        refresh_outgoing_status(db, message_id, now);
        return n;
    });
}

Result<int> mark_uncertain_failed(Database& db, std::int64_t message_id, Seconds now) {
    return in_tx(db, [&] {
        int n = db.impl()
                    .prepare(
                        "UPDATE segments SET status='failed', done_at=?, last_error='uncertain: marked "
                        "failed by operator' WHERE message_id=? AND status='uncertain'")
                    .args(now, message_id)
                    .exec();
        refresh_outgoing_status(db, message_id, now);
        return n;
    });
}

Result<std::vector<Segment>> segments_of(Database& db, std::int64_t message_id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSegmentCols +
                                   " FROM segments s WHERE s.message_id=? ORDER BY s.part");
        s.args(message_id);
        std::vector<Segment> out;
        while (s.step()) out.push_back(read_segment(s));
        return out;
    });
}

Result<Segment> get_segment(Database& db, std::int64_t segment_id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kSegmentCols + " FROM segments s WHERE s.id=?");
        s.args(segment_id);
        if (!s.step()) throw_error(Errc::not_found, "segment " + std::to_string(segment_id));
        return read_segment(s);
    });
}

Result<int> segments_sent_since(Database& db, const std::string& iccid, Seconds since) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM segments WHERE iccid=? AND sending_at >= ?");
        s.args(iccid, since);
        s.step();
        return s.i32(0);
    });
}

Result<std::int64_t> count_queued_segments(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM segments WHERE status='queued'");
        s.step();
        return s.i64(0);
    });
}

Result<std::optional<std::int64_t>> find_segment_for_report(Database& db, const std::string& iccid,
                                                            const std::string& recipient,
                                                            int message_reference, Seconds since) {
    return guard([&]() -> std::optional<std::int64_t> {
        // TP-MR wraps at 255: the newest segment with this MR within the window is the one.
        auto s = db.impl().prepare(
            "SELECT id FROM segments WHERE iccid=? AND message_reference=? AND recipient=? AND sent_at >= ? "
            "ORDER BY sent_at DESC, id DESC LIMIT 1");
        s.args(iccid, message_reference, recipient, since);
        if (!s.step()) return std::nullopt;
        return s.i64(0);
    });
}

Result<std::int64_t> insert_status_report(Database& db, const StatusReportRecord& r) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare(
             "INSERT INTO status_reports(iccid, recipient, message_reference, status, status_class, "
             "discharge_time, raw_pdu, received_at, segment_id) VALUES (?,?,?,?,?,?,?,?,?)")
            .args(r.iccid, r.recipient, r.message_reference, r.status, r.status_class, r.discharge_time,
                  r.raw_pdu, r.received_at, r.segment_id)
            .exec();
        const std::int64_t id = sqlite3_last_insert_rowid(i.db);
        if (r.segment_id && (r.status_class == "delivered" || r.status_class == "failed")) {
            const bool ok = r.status_class == "delivered";
            i.prepare(
                 "UPDATE segments SET status=?, done_at=?, last_error=? WHERE id=? AND status IN ('sent','delivered')")
                .args(ok ? "delivered" : "failed", r.received_at,
                      ok ? std::string() : "status report: TP-ST=" + std::to_string(r.status), *r.segment_id)
                .exec();
            auto mid = message_of_segment(db, *r.segment_id);
            if (!ok) {
                i.prepare("UPDATE messages SET error=? WHERE id=?")
                    .args("not delivered (TP-ST=" + std::to_string(r.status) + ")", mid)
                    .exec();
            }
            refresh_outgoing_status(db, mid, r.received_at);
        }
        return id;
    });
}

Result<std::vector<StatusReportRecord>> unmatched_status_reports(Database& db, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT id, iccid, recipient, message_reference, status, status_class, discharge_time, raw_pdu, "
            "received_at FROM status_reports WHERE segment_id IS NULL ORDER BY id DESC LIMIT ?");
        s.args(limit);
        std::vector<StatusReportRecord> out;
        while (s.step()) {
            StatusReportRecord r;
            r.id = s.i64(0);
            r.iccid = s.str(1);
            r.recipient = s.str(2);
            r.message_reference = s.i32(3);
            r.status = s.i32(4);
            r.status_class = s.str(5);
            r.discharge_time = s.opt_i64(6);
            r.raw_pdu = s.str(7);
            r.received_at = s.i64(8);
            out.push_back(std::move(r));
        }
        return out;
    });
}

Result<std::optional<std::int64_t>> insert_incoming_part(Database& db, const IncomingPart& p) {
    return guard([&]() -> std::optional<std::int64_t> {
        int n = db.impl()
                    .prepare(
                        "INSERT OR IGNORE INTO incoming_parts(iccid, sender, scts, reference, part, total, text, "
                        "text_hash, raw_pdu, received_at) VALUES (?,?,?,?,?,?,?,?,?,?)")
                    .args(p.iccid, p.sender, p.scts, p.reference, p.part, p.total, p.text, p.text_hash,
                          p.raw_pdu, p.received_at)
                    .exec();
        if (n == 0) return std::nullopt;
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<void> discard_incoming_part(Database& db, std::int64_t part_id, const std::string& reason, Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare(
             "INSERT INTO quarantine(at, kind, iccid, raw, reason) "
             "SELECT ?, 'incoming_pdu', iccid, raw_pdu, ? FROM incoming_parts WHERE id = ?")
            .args(now, reason, part_id)
            .exec();
        i.prepare("DELETE FROM incoming_parts WHERE id = ?").args(part_id).exec();
    });
}

Result<std::vector<IncomingPart>> pending_parts(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT id, iccid, sender, scts, reference, part, total, text, text_hash, raw_pdu, received_at "
            "FROM incoming_parts WHERE message_id IS NULL ORDER BY id");
        std::vector<IncomingPart> out;
        while (s.step()) {
            IncomingPart p;
            p.id = s.i64(0);
            p.iccid = s.str(1);
            p.sender = s.str(2);
            p.scts = s.i64(3);
            p.reference = s.i32(4);
            p.part = s.i32(5);
            p.total = s.i32(6);
            p.text = s.str(7);
            p.text_hash = s.str(8);
            p.raw_pdu = s.str(9);
            p.received_at = s.i64(10);
            out.push_back(std::move(p));
        }
        return out;
    });
}

Result<std::optional<std::int64_t>> find_duplicate_incoming(Database& db, const std::string& peer, Seconds scts,
                                                            const std::string& text_hash) {
    return guard([&]() -> std::optional<std::int64_t> {
        auto s = db.impl().prepare(
            "SELECT id FROM messages WHERE direction='in' AND peer=? AND scts=? AND text_hash=? LIMIT 1");
        s.args(peer, scts, text_hash);
        if (!s.step()) return std::nullopt;
        return s.i64(0);
    });
}

namespace {
void link(Database& db, const std::vector<std::int64_t>& part_ids, std::int64_t message_id) {
    for (auto pid : part_ids) {
        db.impl().prepare("UPDATE incoming_parts SET message_id=? WHERE id=?").args(message_id, pid).exec();
    }
}
}  // namespace

Result<std::int64_t> insert_incoming(Database& db, const NewIncoming& m, Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        i.prepare(
             "INSERT INTO messages(direction, peer, text, status, category, contact_id, created_at, updated_at, "
             "anonymous, incomplete, unknown_sender, iccid, scts, text_hash, created_by, error, kind) "
             "VALUES ('in',?,?,?,?,?,?,?,?,?,?,?,?,?,'',?,?)")
            .args(m.peer, m.text, m.status, m.category,
                  m.anonymous ? std::optional<std::int64_t>() : m.contact_id, now, now, m.anonymous,
                  m.incomplete, m.anonymous ? false : m.unknown_sender, m.iccid, m.scts, m.text_hash,
                  m.damage, to_string(m.kind))
            .exec();
        const std::int64_t id = sqlite3_last_insert_rowid(i.db);
        link(db, m.part_ids, id);
        return id;
    });
}

Result<void> link_parts(Database& db, const std::vector<std::int64_t>& part_ids, std::int64_t message_id) {
    return in_tx(db, [&] { link(db, part_ids, message_id); });
}

Result<std::int64_t> count_quarantine(Database& db) {
    return guard([&] {
        auto s = db.impl().prepare("SELECT count(*) FROM quarantine");
        s.step();
        return s.i64(0);
    });
}

Result<std::int64_t> quarantine(Database& db, const QuarantineEntry& q) {
    return guard([&] {
        db.impl()
            .prepare("INSERT INTO quarantine(at, kind, iccid, raw, reason) VALUES (?,?,?,?,?)")
            .args(q.at, q.kind, q.iccid, q.raw, q.reason)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<std::vector<QuarantineEntry>> list_quarantine(Database& db, int limit, std::int64_t before_id) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT id, at, kind, iccid, raw, reason FROM quarantine WHERE ?1 <= 0 OR id < ?1 "
            "ORDER BY id DESC LIMIT ?2");
        s.args(before_id, limit);
        std::vector<QuarantineEntry> out;
        while (s.step()) out.push_back(QuarantineEntry{s.i64(0), s.i64(1), s.str(2), s.str(3), s.str(4), s.str(5)});
        return out;
    });
}

namespace {

/// Builds the filtered query; `count` selects count(*) instead of rows.
Stmt message_query(Database& db, const MessageQuery& q, bool count) {
    const bool fts = utf8_length(q.search) >= 3;
    std::string sql = count ? std::string("SELECT count(*)") : std::string("SELECT ") + kMessageCols;
    if (fts) {
        sql += " FROM messages_fts f JOIN messages m ON m.id = f.rowid LEFT JOIN contacts c ON c.id = m.contact_id"
               " WHERE messages_fts MATCH ?10";
    } else {
        sql += " FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id WHERE 1";
        if (!q.search.empty()) sql += " AND instr(m.text, ?10) > 0";
    }
    if (q.before_id > 0) sql += " AND m.id < ?1";
    // System and self-test messages (carriers' service numbers, SIM-to-SIM tests) are never
    // villagers' messages: they have a list of their own.
    sql += q.system ? " AND m.kind IN ('system','selftest')" : " AND m.kind NOT IN ('system','selftest')";
    if (q.direction) sql += " AND m.direction = ?2";
    if (q.status) sql += " AND m.status = ?3";
    // A filter on the sender never sees anonymous messages (no oracle: same answer for any number).
    if (q.peer || q.contact_id || q.village) sql += " AND m.anonymous = 0";
    if (q.peer) sql += " AND m.peer = ?4";
    if (q.category) sql += " AND m.category = ?5";
    if (q.campaign_id) sql += " AND m.campaign_id = ?6";
    if (q.contact_id) sql += " AND m.contact_id = ?7";
    if (q.assigned_user_id) sql += " AND m.assigned_user_id = ?8";
    if (q.village) sql += " AND c.village = ?9";
    if (!count) sql += fts ? " ORDER BY f.rowid DESC LIMIT ?11" : " ORDER BY m.id DESC LIMIT ?11";
    auto s = db.impl().prepare(sql);
    if (q.before_id > 0) s.bind(1, q.before_id);
    if (q.direction) s.bind(2, to_string(*q.direction));
    if (q.status) s.bind(3, *q.status);
    if (q.peer) s.bind(4, *q.peer);
    if (q.category) s.bind(5, *q.category);
    if (q.campaign_id) s.bind(6, *q.campaign_id);
    if (q.contact_id) s.bind(7, *q.contact_id);
    if (q.assigned_user_id) s.bind(8, *q.assigned_user_id);
    if (q.village) s.bind(9, *q.village);
    if (fts) {
        // The user's words as one FTS5 phrase: quotes doubled, operators inert.
        std::string phrase = "\"";
        for (char ch : q.search) {
            if (ch == '"') phrase += '"';
            phrase += ch;
        }
        phrase += '"';
        s.bind(10, phrase);
    } else if (!q.search.empty()) {
        s.bind(10, q.search);
    }
    if (!count) s.bind(11, std::clamp(q.limit, 1, 1000));
    return s;
}

}  // namespace

Result<MessagePage> list_messages(Database& db, const MessageQuery& q) {
    return guard([&] {
        auto s = message_query(db, q, false);
        const int limit = std::clamp(q.limit, 1, 1000);
        MessagePage page;
        while (s.step()) page.items.push_back(read_message(s));
        if (static_cast<int>(page.items.size()) == limit) page.next_cursor = page.items.back().id;
        return page;
    });
}

Result<std::int64_t> count_messages(Database& db, const MessageQuery& q) {
    return guard([&] {
        MessageQuery all = q;
        all.before_id = 0;
        auto s = message_query(db, all, true);
        s.step();
        return s.i64(0);
    });
}

Result<Message> get_message(Database& db, std::int64_t id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kMessageCols +
                                   " FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id WHERE m.id=?");
        s.args(id);
        if (!s.step()) throw_error(Errc::not_found, "message " + std::to_string(id));
        return read_message(s);
    });
}

Result<std::vector<Message>> thread_with(Database& db, const std::string& peer, int limit) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kMessageCols +
                                   " FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id "
                                   "WHERE m.peer=? AND m.anonymous = 0 ORDER BY m.id DESC LIMIT ?");
        s.args(peer, limit);
        std::vector<Message> out;
        while (s.step()) out.push_back(read_message(s));
        std::reverse(out.begin(), out.end());
        return out;
    });
}

Result<std::vector<Message>> replies_to(Database& db, std::int64_t message_id) {
    return guard([&] {
        auto s = db.impl().prepare(std::string("SELECT ") + kMessageCols +
                                   " FROM messages m LEFT JOIN contacts c ON c.id = m.contact_id "
                                   "WHERE m.reply_to=? ORDER BY m.id LIMIT 200");
        s.args(message_id);
        std::vector<Message> out;
        while (s.step()) out.push_back(read_message(s));
        return out;
    });
}

Result<ReplyTarget> reply_target(Database& db, std::int64_t message_id) {
    return guard([&] {
        // A reply to one of our own replies goes to the same person and joins the same thread.
        auto s = db.impl().prepare(
            "SELECT m.peer, CASE WHEN m.direction = 'out' AND m.reply_to IS NOT NULL THEN m.reply_to ELSE m.id END, "
            "m.anonymous FROM messages m WHERE m.id=?");
        s.args(message_id);
        if (!s.step()) throw_error(Errc::not_found, "message " + std::to_string(message_id));
        return ReplyTarget{s.str(0), s.i64(1), s.i64(2) != 0};
    });
}

Result<void> set_category(Database& db, std::int64_t message_id, const std::optional<std::string>& category,
                          Seconds now) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        if (i.prepare("UPDATE messages SET category=?, updated_at=?, anonymous = (anonymous OR "
                      "COALESCE((SELECT r.anonymous FROM reply_menu r WHERE r.code = ?1), 0)) "
                      "WHERE id=? AND direction='in'")
                .args(category, now, message_id)
                .exec() == 0)
            throw_error(Errc::not_found, "incoming message " + std::to_string(message_id));
        i.prepare("UPDATE messages SET anonymous = 1 WHERE reply_to = ?1 AND anonymous = 0 "
                  "AND (SELECT anonymous FROM messages WHERE id = ?1) = 1")
            .args(message_id)
            .exec();
        i.prepare("UPDATE messages SET contact_id = NULL, unknown_sender = 0 WHERE (id = ?1 OR reply_to = ?1) "
                  "AND anonymous = 1 AND (contact_id IS NOT NULL OR unknown_sender <> 0)")
            .args(message_id)
            .exec();
    });
}

Result<int> anonymize_category(Database& db, const std::string& code) {
    return in_tx(db, [&] {
        auto& i = db.impl();
        int n = i.prepare("UPDATE messages SET anonymous = 1, contact_id = NULL, unknown_sender = 0 "
                          "WHERE category = ? AND direction = 'in' AND anonymous = 0")
                    .args(code)
                    .exec();
        n += i.prepare("UPDATE messages SET anonymous = 1, contact_id = NULL WHERE anonymous = 0 AND reply_to IN "
                       "(SELECT id FROM messages WHERE category = ? AND direction = 'in')")
                 .args(code)
                 .exec();
        return n;
    });
}

Result<void> set_triage_status(Database& db, std::int64_t message_id, TriageStatus st, Seconds now) {
    return guard([&] {
        if (db.impl()
                .prepare("UPDATE messages SET status=?, updated_at=? WHERE id=? AND direction='in'")
                .args(to_string(st), now, message_id)
                .exec() == 0)
            throw_error(Errc::not_found, "incoming message " + std::to_string(message_id));
    });
}

Result<void> assign_message(Database& db, std::int64_t message_id, std::optional<std::int64_t> user_id,
                            Seconds now) {
    return guard([&] {
        if (db.impl()
                .prepare("UPDATE messages SET assigned_user_id=?, updated_at=? WHERE id=?")
                .args(user_id, now, message_id)
                .exec() == 0)
            throw_error(Errc::not_found, "message " + std::to_string(message_id));
    });
}

Result<std::int64_t> add_note(Database& db, std::int64_t message_id, const std::string& author,
                              const std::string& text, Seconds now) {
    return guard([&] {
        db.impl()
            .prepare("INSERT INTO notes(message_id, author, text, created_at) VALUES (?,?,?,?)")
            .args(message_id, author, text, now)
            .exec();
        return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db.handle()));
    });
}

Result<std::vector<Note>> notes_of(Database& db, std::int64_t message_id) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT id, message_id, author, text, created_at FROM notes WHERE message_id=? ORDER BY id");
        s.args(message_id);
        std::vector<Note> out;
        while (s.step()) out.push_back(Note{s.i64(0), s.i64(1), s.str(2), s.str(3), s.i64(4)});
        return out;
    });
}

Result<int> auto_acks_since(Database& db, const std::string& peer, Seconds since) {
    return guard([&] {
        auto s = db.impl().prepare(
            "SELECT count(*) FROM messages WHERE direction='out' AND kind='auto_ack' AND peer=? AND created_at >= ?");
        s.args(peer, since);
        s.step();
        return s.i32(0);
    });
}

}  // namespace cunxin::store

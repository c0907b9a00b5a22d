// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Messages (both directions), outgoing segments, incoming parts, status reports, quarantine,
/// listing with a cursor, full-text search (FTS5 trigram), triage and notes.

#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// Incoming or outgoing.
enum class Direction { In, Out };
/// "in" / "out".
const char* to_string(Direction d) noexcept;

/// State of one outgoing segment (a message's status is derived from its segments).
enum class SegmentStatus { Queued, Sending, Sent, Delivered, Failed, Uncertain };
/// "queued", "sending", "sent", "delivered", "failed", "uncertain".
const char* to_string(SegmentStatus s) noexcept;
/// Parses the names above.
std::optional<SegmentStatus> parse_segment_status(const std::string& s) noexcept;

/// Triage state of an incoming message.
enum class TriageStatus { New, InProgress, Handled };
/// "new", "in_progress", "handled".
const char* to_string(TriageStatus s) noexcept;
/// Parses the names above.
std::optional<TriageStatus> parse_triage_status(const std::string& s) noexcept;

/// Why an outgoing message exists.
/// System: to or from a carrier's service number (balance queries and answers, notices);
/// Selftest: a SIM-to-SIM test text. Neither is ever a villager's message. Alert: to a duty number.
enum class MessageKind { Normal, Campaign, Reminder, Anniversary, AutoAck, Confirmation, Alert, System, Selftest };
/// "normal", "campaign", "reminder", "anniversary", "auto_ack", "confirmation", "alert", "system", "selftest".
const char* to_string(MessageKind k) noexcept;

/// A message as the panel shows it. `status` is a SegmentStatus name for outgoing
/// messages and a TriageStatus name for incoming ones. For an anonymous message (one in an
/// anonymous reply-menu category, or a reply linked to one) the store never fills `peer`,
/// `contact_id`, `contact_name`, `village` or `unknown_sender`: no reader learns the sender.
struct Message {
    std::int64_t id = 0;
    Direction direction = Direction::Out;
    std::string peer;                 ///< the other party, E.164 ("" when anonymous)
    std::string text;
    std::string status;
    std::optional<std::string> category;  ///< reply-menu code ("02") of an incoming message
    std::optional<std::int64_t> campaign_id;
    std::optional<std::int64_t> contact_id;
    std::string contact_name;         ///< joined from contacts (empty when unknown)
    std::string village;              ///< joined from contacts
    Seconds created_at = 0;
    Seconds updated_at = 0;
    std::optional<std::int64_t> assigned_user_id;
    bool anonymous = false;           ///< anonymous category (or a reply to one): sender hidden from all
    bool incomplete = false;          ///< incoming multipart with parts missing after the timeout
    bool damaged = false;             ///< incoming decoded best-effort (`error` says why)
    bool unknown_sender = false;      ///< incoming from a number not in contacts
    std::string iccid;                ///< SIM that received it / sent (the first segment of) it
    MessageKind kind = MessageKind::Normal;
    std::string error;                ///< failure reason (outgoing) / why an incoming one is damaged
    std::string created_by;           ///< actor that queued it ("system" for automatic ones)
    int segments = 0;                 ///< outgoing: number of segments
    std::optional<Seconds> scts;      ///< incoming: SMSC time stamp of the first part
    std::optional<std::int64_t> reply_to;  ///< outgoing: the incoming message it answers
};

/// One outgoing segment.
struct Segment {
    std::int64_t id = 0;
    std::int64_t message_id = 0;
    int part = 1;
    int total = 1;
    std::string recipient;
    std::string pdu_hex;
    int tpdu_length = 0;
    SegmentStatus status = SegmentStatus::Queued;
    std::string iccid;
    std::optional<int> message_reference;
    int attempts = 0;
    Seconds not_before = 0;
    std::string avoid_iccid;          ///< the SIM the last temporary failure happened on
    std::string last_error;
    int cms_error = -1;
    Seconds created_at = 0;
    std::optional<Seconds> sending_at;
    std::optional<Seconds> sent_at;
    std::optional<Seconds> done_at;   ///< delivered/failed time
};

/// One encoded segment for new_outgoing().
struct NewSegment {
    std::string pdu_hex;
    int tpdu_length = 0;
};

/// A new outgoing message. Empty `segments` + non-empty `error` = stored already `failed`
/// (quarantined: unencodable text, invalid number, opted out).
struct NewOutgoing {
    std::string peer;
    std::string text;
    MessageKind kind = MessageKind::Normal;
    std::optional<std::int64_t> campaign_id;
    std::optional<std::int64_t> contact_id;  ///< looked up by peer when unset
    std::string created_by;
    std::vector<NewSegment> segments;
    std::string error;
    Seconds not_before = 0;
    /// The incoming message this answers (acknowledgement, operator's reply); the new message
    /// inherits its anonymity (then no contact link).
    std::optional<std::int64_t> reply_to;
    /// Only this SIM may send it ("" = any): a self-test text or a balance query.
    std::string via_iccid;
};

/// Writes messages with their segments (queued) in ONE transaction; returns ids in order.
Result<std::vector<std::int64_t>> insert_outgoing(Database& db, const std::vector<NewOutgoing>& m,
                                                  Seconds now);

/// A queued segment that is due, with what the outbox needs to pick a SIM for it.
struct DueSegment {
    Segment segment;
    MessageKind kind = MessageKind::Normal;
    std::string message_iccid;   ///< SIM that sends/sent another segment of the message
    std::string sticky_iccid;    ///< SIM that last sent to this recipient
    bool recipient_opted_out = false;
    std::string via_iccid;       ///< only this SIM may send it ("" = any)
};
/// Queued segments with not_before <= now whose campaign (if any) is running or done: alerts
/// first, then oldest first.
Result<std::vector<DueSegment>> due_segments(Database& db, Seconds now, int limit);
/// queued → sending (one commit, before AT+CMGS); false when it was not queued any more.
Result<bool> mark_segment_sending(Database& db, std::int64_t segment_id,
                                  const std::string& iccid, Seconds now);
/// sending → sent with TP-MR; the recipient becomes sticky to this SIM.
Result<void> mark_segment_sent(Database& db, std::int64_t segment_id, const std::string& iccid,
                               int message_reference, Seconds now);
/// Back to queued after a temporary failure, due again at `not_before`, avoiding `iccid`.
Result<void> requeue_segment(Database& db, std::int64_t segment_id, const std::string& iccid,
                             int cms_error, const std::string& reason, Seconds not_before,
                             Seconds now);
/// → failed with reason (permanent failure, attempts exhausted, opted out, cancelled).
Result<void> fail_segment(Database& db, std::int64_t segment_id, int cms_error,
                          const std::string& reason, Seconds now);
/// sending → uncertain: AT+CMGS may have reached the network but no answer came (the modem
/// hung or vanished). Never resent without a person deciding.
Result<void> mark_segment_uncertain(Database& db, std::int64_t segment_id, const std::string& reason,
                                    Seconds now);

/// Every `sending` segment becomes `uncertain` (start-up after a crash); returns how many.
Result<int> mark_sending_uncertain(Database& db, Seconds now);
/// A person decided: the uncertain segments of message `message_id` are queued again.
Result<int> resend_uncertain(Database& db, std::int64_t message_id, Seconds now);
/// A person decided: the uncertain segments of message `message_id` become failed.
Result<int> mark_uncertain_failed(Database& db, std::int64_t message_id, Seconds now);
/// The segments of a message in part order.
Result<std::vector<Segment>> segments_of(Database& db, std::int64_t message_id);
/// One segment (Errc::not_found).
Result<Segment> get_segment(Database& db, std::int64_t segment_id);
/// Segments sent by a SIM since `since` (sending_at, any outcome after it).
Result<int> segments_sent_since(Database& db, const std::string& iccid, Seconds since);
/// Number of queued segments (panel: queue depth).
Result<std::int64_t> count_queued_segments(Database& db);

/// A status report as received, matched to a segment or not.
struct StatusReportRecord {
    std::int64_t id = 0;
    std::string iccid;
    std::string recipient;
    int message_reference = 0;
    int status = 0;                   ///< TP-ST
    std::string status_class;         ///< "delivered", "pending", "failed"
    std::optional<Seconds> discharge_time;
    std::string raw_pdu;
    Seconds received_at = 0;
    std::optional<std::int64_t> segment_id;
};
/// The newest segment sent by `iccid` to `recipient` with this TP-MR since `since`.
Result<std::optional<std::int64_t>> find_segment_for_report(Database& db, const std::string& iccid,
                                                            const std::string& recipient,
                                                            int message_reference, Seconds since);
/// Stores a status report and, when `r.segment_id` is set and `r.status_class` is final,
/// moves that segment to delivered/failed, in one transaction.
Result<std::int64_t> insert_status_report(Database& db, const StatusReportRecord& r);
/// Reports not matched to a segment, newest first.
Result<std::vector<StatusReportRecord>> unmatched_status_reports(Database& db, int limit = 100);

/// One received part, stored before it is deleted from the SIM.
struct IncomingPart {
    std::int64_t id = 0;
    std::string iccid;
    std::string sender;
    Seconds scts = 0;
    int reference = 0;
    int part = 1;
    int total = 1;
    std::string text;
    std::string text_hash;            ///< hex digest used for dedupe
    std::string raw_pdu;
    Seconds received_at = 0;
    std::optional<std::int64_t> message_id;  ///< set once joined into a message
};
/// Stores a part; nullopt when the same part (sender, SCTS, ref, part, total, text hash) exists.
Result<std::optional<std::int64_t>> insert_incoming_part(Database& db, const IncomingPart& p);
/// Moves a part to the quarantine with `reason` (e.g. a second copy of a part number with
/// another time stamp) so that it is kept but never joined.
Result<void> discard_incoming_part(Database& db, std::int64_t part_id, const std::string& reason,
                                   Seconds now);
/// Parts not yet joined into a message (restart: rebuild the reassembler).
Result<std::vector<IncomingPart>> pending_parts(Database& db);

/// A new incoming message made from parts.
struct NewIncoming {
    std::string peer;
    std::string text;
    Seconds scts = 0;
    std::string text_hash;
    std::string iccid;
    std::optional<std::string> category;
    std::optional<std::int64_t> contact_id;
    bool unknown_sender = false;
    bool anonymous = false;
    bool incomplete = false;
    std::string damage;               ///< decoded best-effort: why ("invalid_utf16"…), kept as `error`
    std::string status = "new";       ///< TriageStatus name ("handled" for keywords/confirmations)
    std::vector<std::int64_t> part_ids;
    MessageKind kind = MessageKind::Normal;  ///< System / Selftest: kept out of the inbox
};
/// Existing incoming message with the same sender, SCTS and text hash, if any.
Result<std::optional<std::int64_t>> find_duplicate_incoming(Database& db, const std::string& peer,
                                                            Seconds scts,
                                                            const std::string& text_hash);
/// Inserts the message and links its parts, in one transaction.
Result<std::int64_t> insert_incoming(Database& db, const NewIncoming& m, Seconds now);
/// Links parts to an existing message (a duplicate delivery of a whole message).
Result<void> link_parts(Database& db, const std::vector<std::int64_t>& part_ids,
                        std::int64_t message_id);

/// A PDU or report that could not be processed, kept with its reason.
struct QuarantineEntry {
    std::int64_t id = 0;
    Seconds at = 0;
    std::string kind;    ///< "incoming_pdu", "status_report"
    std::string iccid;
    std::string raw;
    std::string reason;
};
/// Stores a quarantined item.
Result<std::int64_t> quarantine(Database& db, const QuarantineEntry& q);
/// Newest first; `before_id` > 0: only older entries (a cursor).
Result<std::vector<QuarantineEntry>> list_quarantine(Database& db, int limit = 100, std::int64_t before_id = 0);
/// How many items are quarantined.
Result<std::int64_t> count_quarantine(Database& db);

/// Filter for list_messages; unset fields match everything. Newest first. A filter on the
/// sender (`peer`, `contact_id`, `village`) never matches an anonymous message: the result is
/// the same whoever sent it.
struct MessageQuery {
    std::optional<Direction> direction;
    std::optional<std::string> status;
    std::optional<std::string> peer;
    std::optional<std::string> category;
    std::optional<std::int64_t> campaign_id;
    std::optional<std::int64_t> contact_id;
    std::optional<std::int64_t> assigned_user_id;
    std::optional<std::string> village;
    std::string search;               ///< full text: FTS5 trigram from 3 characters, LIKE below
    std::int64_t before_id = 0;       ///< cursor: ids below this (0 = from the newest)
    int limit = 50;
    /// false: villagers' and the office's messages only; true: only system and self-test ones.
    bool system = false;
};
/// One page of messages.
struct MessagePage {
    std::vector<Message> items;
    std::int64_t next_cursor = 0;     ///< pass as before_id; 0 when this was the last page
};
/// Lists messages newest first.
Result<MessagePage> list_messages(Database& db, const MessageQuery& q);
/// How many messages match (limit and cursor ignored; e.g. the "new" badge).
Result<std::int64_t> count_messages(Database& db, const MessageQuery& q);
/// One message (Errc::not_found).
Result<Message> get_message(Database& db, std::int64_t id);
/// Both directions with one number, oldest first (a conversation thread); anonymous messages
/// are never part of one.
Result<std::vector<Message>> thread_with(Database& db, const std::string& peer, int limit = 200);
/// Outgoing messages linked to `message_id` (its acknowledgement and replies), oldest first.
Result<std::vector<Message>> replies_to(Database& db, std::int64_t message_id);
/// Where a reply to `message_id` goes: the sender of an incoming message, the recipient of an
/// outgoing one; and the incoming message the reply is linked to. For the messaging core only:
/// never shown (Errc::not_found).
struct ReplyTarget {
    std::string number;
    std::int64_t link_id = 0;
    bool anonymous = false;
};
/// The reply target of a message (see ReplyTarget).
Result<ReplyTarget> reply_target(Database& db, std::int64_t message_id);
/// Re-classifies an incoming message by hand (nullopt: no category). A message moved into an
/// anonymous category becomes anonymous with its linked replies; anonymity is never undone.
Result<void> set_category(Database& db, std::int64_t message_id, const std::optional<std::string>& category,
                          Seconds now);
/// A menu entry became anonymous: its messages so far and their linked replies become anonymous
/// (sticky) and lose their contact link; returns how many messages changed.
Result<int> anonymize_category(Database& db, const std::string& code);

/// Triage: new → in_progress → handled (any move allowed; the panel offers the usual ones).
Result<void> set_triage_status(Database& db, std::int64_t message_id, TriageStatus s, Seconds now);
/// Assigns an incoming message to a user (nullopt: unassign).
Result<void> assign_message(Database& db, std::int64_t message_id,
                            std::optional<std::int64_t> user_id, Seconds now);

/// An internal note on a message.
struct Note {
    std::int64_t id = 0;
    std::int64_t message_id = 0;
    std::string author;
    std::string text;
    Seconds created_at = 0;
};
/// Adds a note.
Result<std::int64_t> add_note(Database& db, std::int64_t message_id, const std::string& author,
                              const std::string& text, Seconds now);
/// Notes of a message, oldest first.
Result<std::vector<Note>> notes_of(Database& db, std::int64_t message_id);

/// Outgoing automatic acknowledgements sent to `peer` since `since` (loop guard).
Result<int> auto_acks_since(Database& db, const std::string& peer, Seconds since);

}  // namespace cunxin::store

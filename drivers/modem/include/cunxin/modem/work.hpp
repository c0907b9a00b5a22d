// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The contract between the modem pool (drivers/modem) and the messaging core
/// (firmware/messaging). The pool calls these on the core thread; the messaging
/// core implements them on top of the store. No I/O types here: lean header.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace cunxin::modem {

/// Who a SIM is; the pool knows modems by IMEI and SIMs by ICCID, never by tty.
struct SimIdentity {
    std::string iccid;          ///< SIM serial (AT+CCID / AT+QCCID / AT^ICCID)
    std::string imsi;           ///< AT+CIMI
    std::string imei;           ///< modem serial (AT+CGSN)
    std::string operator_name;  ///< AT+COPS? long alphanumeric, e.g. "CHINA MOBILE"
    std::string own_number;     ///< AT+CNUM if the SIM stores it, else empty
};

/// One segment of an outgoing message, ready for AT+CMGS.
struct OutgoingSegment {
    std::int64_t segment_id = 0;  ///< the store's id of this segment
    std::string recipient;        ///< E.164, e.g. "+8613800000000"
    std::string pdu_hex;          ///< SMSC octet ("00") + SMS-SUBMIT TPDU, upper-case hex
    int tpdu_length = 0;          ///< octets of the TPDU without the SMSC field (AT+CMGS=<n>)
    bool more_to_same = false;    ///< another segment of the same message follows (AT+CMMS hint)
};

/// Answer of a durable write: ok once it is on disk; false: it is not (do not act on it). Runs on
/// the core thread, at once or later (group commit flushes off the core thread).
using Durable = std::function<void(bool ok)>;

/// What the pool asks of the outbox. All calls happen on the core thread.
class WorkSource {
public:
    virtual ~WorkSource() = default;

    /// The next segment this SIM should send, or nullopt when none is due for it.
    /// `ready` lists every SIM that could send right now (this one included), so the
    /// outbox can keep a recipient on "their" SIM and prefer the recipient's operator.
    /// A segment returned here is not returned again until it is finished (sent/failed).
    virtual std::optional<OutgoingSegment> next_segment(const SimIdentity& sim,
                                                        std::span<const SimIdentity> ready) = 0;

    /// Marks the segment `sending`; `done(true)` once that mark is on disk: only then may its
    /// AT+CMGS go out. `done(false)`: do not send it (already finished, or the write failed).
    virtual void mark_sending(std::int64_t segment_id, const SimIdentity& sim, Durable done) = 0;

    /// AT+CMGS answered with a message reference (TP-MR, 0..255).
    virtual void mark_sent(std::int64_t segment_id, const SimIdentity& sim,
                           int message_reference) = 0;

    /// The send failed. `permanent`: never retry (bad number, barred); otherwise the outbox
    /// retries later, preferably on another SIM. `cms_error` is the +CMS ERROR number or -1.
    virtual void mark_failed(std::int64_t segment_id, const SimIdentity& sim, bool permanent,
                             int cms_error, const std::string& reason) = 0;

    /// AT+CMGS may have gone out but no answer came (timeout after the PDU, port lost):
    /// the segment must not be resent silently. Default: a permanent failure.
    virtual void mark_uncertain(std::int64_t segment_id, const SimIdentity& sim,
                                const std::string& reason) {
        mark_failed(segment_id, sim, true, -1, "uncertain: " + reason);
    }

    /// How many segments this SIM sent since `since` (to restore rate limits after a restart).
    virtual int sent_since(const SimIdentity& sim, std::chrono::system_clock::time_point since) = 0;
};

/// What the pool hands to the inbox. All calls happen on the core thread.
class InboxSink {
public:
    virtual ~InboxSink() = default;

    /// Stores a received PDU (SMSC field + TPDU, hex, as AT+CMGR/+CMGL/+CMT give it).
    /// Returns true once written; it is deleted from the SIM only after when_durable says ok.
    /// Must also return true for a PDU it already holds (a duplicate delivery).
    virtual bool store_incoming_pdu(const SimIdentity& sim, const std::string& pdu_hex) = 0;

    /// A status report (SMS-STATUS-REPORT PDU, hex, with SMSC field) arrived.
    /// Returns true once it is recorded (deleted from the SIM after when_durable says ok).
    virtual bool store_status_report(const SimIdentity& sim, const std::string& pdu_hex) = 0;

    /// Runs `done` once everything stored so far is on disk. Default: at once (stores that
    /// flush every write before returning).
    virtual void when_durable(Durable done) { done(true); }

    /// The mobile network's time, read from a modem (AT+CCLK or a NITZ URC).
    virtual void network_time(const SimIdentity& sim, std::chrono::system_clock::time_point utc,
                              int utc_offset_minutes) = 0;

    /// A voice call rang on this SIM and was hung up (ATH): `number` is the caller as +CLIP
    /// gave it, empty when withheld. Default: ignored.
    virtual void missed_call(const SimIdentity& sim, const std::string& number,
                             std::chrono::system_clock::time_point at) {
        (void)sim;
        (void)number;
        (void)at;
    }
};

}  // namespace cunxin::modem

// SPDX-License-Identifier: Apache-2.0
// `cunxin pdu decode|encode|segments`: the SMS codec on the command line.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.hpp"
#include "cunxin/sms/sms.hpp"

namespace cunxin::app {

/// The JSON of a decoded PDU printed by `cunxin pdu decode` (contract: ARCHITECTURE.md).
nlohmann::json pdu_to_json(const sms::Pdu& pdu);

nlohmann::json pdu_to_json(const sms::Pdu& pdu) {
    using nlohmann::json;
    json j = json::object();
    j["type"] = sms::to_string(pdu.type);
    j["smsc"] = pdu.smsc.empty() ? json(nullptr) : json(pdu.smsc);
    j[pdu.type == sms::PduType::Deliver ? "sender" : "recipient"] = pdu.address;
    j["text"] = pdu.text;
    j["encoding"] = sms::to_string(pdu.encoding);
    j["timestamp"] = pdu.timestamp ? json(pdu.timestamp->iso8601()) : json(nullptr);
    if (pdu.concat) {
        j["concat"] = {{"ref", pdu.concat->reference},
                       {"part", pdu.concat->part},
                       {"total", pdu.concat->total}};
    } else {
        j["concat"] = nullptr;
    }
    j["message_reference"] =
        pdu.message_reference ? json(*pdu.message_reference) : json(nullptr);
    if (pdu.damaged()) j["damaged"] = pdu.damage;  // decoded best-effort, and why
    if (pdu.type == sms::PduType::StatusReport) {
        j["status"] = pdu.status;
        j["status_class"] = sms::to_string(pdu.status_class);
        j["discharge_time"] =
            pdu.discharge_time ? json(pdu.discharge_time->iso8601()) : json(nullptr);
    }
    return j;
}

namespace {

int usage() {
    std::fputs(
        "usage: cunxin pdu decode [--no-smsc] HEX\n"
        "       cunxin pdu encode --to NUMBER (--text TEXT | --text-file FILE) [--status-report]\n"
        "       cunxin pdu segments (--text TEXT | --text-file FILE)\n"
        "A text file's single trailing newline is not part of the text.\n",
        stderr);
    return 2;
}

int fail(const std::string& what) {
    std::fprintf(stderr, "cunxin pdu: %s\n", what.c_str());
    return 1;
}

std::string describe(const sms::Error& e) {
    return std::string(sms::to_string(e.code)) + (e.detail.empty() ? "" : ": " + e.detail);
}

/// Reads --text / --text-file; nullopt (after printing why) on a problem.
std::optional<std::string> read_text(const std::optional<std::string>& text,
                                     const std::optional<std::string>& file) {
    if (text.has_value() == file.has_value()) {
        std::fputs("cunxin pdu: give exactly one of --text and --text-file\n", stderr);
        return std::nullopt;
    }
    if (text) return *text;
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cunxin pdu: cannot read %s\n", file->c_str());
        return std::nullopt;
    }
    std::string s{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (!s.empty() && s.back() == '\n') s.pop_back();
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
}

int decode(const Args& args) {
    bool has_smsc = true;
    std::optional<std::string> hex;
    for (std::size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--no-smsc") {
            has_smsc = false;
        } else if (!hex && (args[i].empty() || args[i][0] != '-')) {
            hex = args[i];
        } else {
            return usage();
        }
    }
    if (!hex) return usage();
    auto pdu = sms::decode(*hex, has_smsc);
    if (!pdu) return fail(describe(pdu.error()));
    std::puts(pdu_to_json(*pdu).dump().c_str());
    return 0;
}

struct TextArgs {
    std::optional<std::string> to, text, file;
    bool status_report = false;
};

std::optional<TextArgs> parse_text_args(const Args& args, bool allow_send_options) {
    TextArgs t;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--text" && has_value) {
            t.text = args[++i];
        } else if (a == "--text-file" && has_value) {
            t.file = args[++i];
        } else if (allow_send_options && a == "--to" && has_value) {
            t.to = args[++i];
        } else if (allow_send_options && a == "--status-report") {
            t.status_report = true;
        } else {
            return std::nullopt;
        }
    }
    return t;
}

int encode(const Args& args) {
    auto t = parse_text_args(args, true);
    if (!t || !t->to) return usage();
    auto text = read_text(t->text, t->file);
    if (!text) return 1;
    sms::SubmitRequest req;
    req.recipient = *t->to;
    req.text = std::move(*text);
    req.status_report = t->status_report;
    auto pdus = sms::encode_submit(req);
    if (!pdus) return fail(describe(pdus.error()));
    for (const auto& p : *pdus) std::puts(p.hex.c_str());
    return 0;
}

int segments(const Args& args) {
    auto t = parse_text_args(args, false);
    if (!t) return usage();
    auto text = read_text(t->text, t->file);
    if (!text) return 1;
    const auto info = sms::plan_segments(*text);
    if (!info.valid_utf8) return fail("invalid_utf8: text is not valid UTF-8");
    const nlohmann::json j = {{"encoding", sms::to_string(info.encoding)},
                              {"segments", info.segments},
                              {"units", info.units},
                              {"units_per_segment", info.units_per_segment},
                              {"remaining", info.remaining}};
    std::puts(j.dump().c_str());
    return 0;
}

}  // namespace

int cmd_pdu(const Args& args) {
    if (args.empty()) return usage();
    if (args[0] == "decode") return decode(args);
    if (args[0] == "encode") return encode(args);
    if (args[0] == "segments") return segments(args);
    return usage();
}

}  // namespace cunxin::app

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/at/framing.hpp"

#include <array>
#include <charconv>

#include "cunxin/at/error.hpp"

namespace cunxin::at {

const char* to_string(Errc e) noexcept {
    switch (e) {
        case Errc::Error: return "error";
        case Errc::CmeError: return "cme-error";
        case Errc::CmsError: return "cms-error";
        case Errc::NoCarrier: return "no-carrier";
        case Errc::Timeout: return "timeout";
        case Errc::Unconfirmed: return "unconfirmed";
        case Errc::PortClosed: return "port-closed";
        case Errc::Cancelled: return "cancelled";
        case Errc::Parse: return "parse";
    }
    return "?";
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

void Framer::feed(std::string_view bytes, std::vector<FrameEvent>& out) {
    for (const char c : bytes) {
        if (c == '\r' || c == '\n') {
            const auto line = trim(partial_);
            if (!line.empty()) out.push_back({FrameEvent::Kind::Line, std::string(line)});
            partial_.clear();
            continue;
        }
        partial_.push_back(c);
        if (partial_.size() >= kMaxLine) {  // no line end from a broken modem: cut here
            out.push_back({FrameEvent::Kind::Line, partial_});
            partial_.clear();
            skip_space_ = false;
            continue;
        }
        // TS 27.005 §3.5.1: after AT+CMGS=<n> the modem answers "<CR><LF><greater_than><space>"
        // with no line end; ">" at the start of a line is taken as the prompt.
        if (partial_ == ">") {
            out.push_back({FrameEvent::Kind::Prompt, "> "});
            partial_.clear();
            skip_space_ = true;
            continue;
        }
        if (skip_space_) {
            skip_space_ = false;
            if (c == ' ') partial_.clear();
        }
    }
}

std::optional<Final> parse_final(std::string_view line) {
    line = trim(line);
    auto code_after = [&](std::string_view prefix, FinalKind kind) -> std::optional<Final> {
        if (!starts_with(line, prefix)) return std::nullopt;
        const auto rest = trim(line.substr(prefix.size()));
        int n = -1;
        const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
        Final f{kind, -1, std::string(rest)};
        if (ec == std::errc{} && p == rest.data() + rest.size()) {
            f.code = n;
            f.text.clear();
        }
        return f;
    };
    if (line == "OK" || line == "0") return Final{FinalKind::Ok, -1, {}};
    if (line == "ERROR" || line == "4") return Final{FinalKind::Error, -1, {}};
    if (auto f = code_after("+CME ERROR:", FinalKind::CmeError)) return f;
    if (auto f = code_after("+CMS ERROR:", FinalKind::CmsError)) return f;
    if (line == "NO CARRIER") return Final{FinalKind::NoCarrier, -1, {}};
    if (line == "BUSY") return Final{FinalKind::Busy, -1, {}};
    if (line == "NO ANSWER") return Final{FinalKind::NoAnswer, -1, {}};
    if (line == "NO DIALTONE" || line == "NO DIAL TONE") return Final{FinalKind::NoDialtone, -1, {}};
    return std::nullopt;
}

std::string expected_prefix(std::string_view command) {
    command = trim(command);
    if (command.size() < 3 || (command[0] != 'A' && command[0] != 'a') ||
        (command[1] != 'T' && command[1] != 't')) {
        return {};
    }
    command.remove_prefix(2);
    if (command.empty() || (command[0] != '+' && command[0] != '^' && command[0] != '$' &&
                            command[0] != '*' && command[0] != '#')) {
        return {};
    }
    std::size_t end = 1;
    while (end < command.size() && command[end] != '=' && command[end] != '?' &&
           command[end] != ';') {
        ++end;
    }
    std::string p(command.substr(0, end));
    for (auto& ch : p) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return p + ":";
}

bool is_urc(std::string_view line, std::string_view expected) {
    line = trim(line);
    if (!expected.empty() && starts_with(line, expected)) return false;
    static constexpr std::array<std::string_view, 30> kPrefixes = {
        "+CMTI:", "+CMT:", "+CDS:", "+CDSI:", "+CREG:", "+CEREG:", "+CGREG:", "+C5GREG:",
        "+CTZV:", "+CTZE:", "+CTZU:", "+NITZ", "*PSUTTZ:", "DST:", "+CUSD:", "+CRING:",
        "+CLIP:", "+CBM:", "+CBMI:", "+QIND:", "+QUSIM:", "+CPIN:", "+CFUN:", "+PBREADY",
        "+CIEV:", "+SIMCARD:", "+STIN:", "+CSQN:", "+CMGS:", "+QSIMSTAT:"};
    for (const auto p : kPrefixes) {
        if (starts_with(line, p)) return p != "+CMGS:";  // +CMGS is never unsolicited
    }
    if (!line.empty() && line.front() == '^') return true;  // Huawei ^RSSI, ^MODE, ^BOOT, ^NWTIME
    return line == "RING" || line == "RDY" || line == "SMS Ready" || line == "Call Ready" ||
           line == "PB DONE" || line == "SMS DONE" || line == "NORMAL POWER DOWN";
}

namespace {

/// Which forms of a command answer with its own prefix (27.007 §4.1: set, read, test, action).
struct ReplyForm {
    std::string_view prefix;
    bool exec, set, read, test, pdu;
};

// Commands the modem driver sends; a form not marked answers with no intermediate line.
constexpr std::array<ReplyForm, 27> kReplies{{
    {"+CMGL:", true, true, false, true, true},   {"+CMGR:", false, true, false, false, true},
    {"+CMGS:", false, true, false, false, false}, {"+CSQ:", true, false, false, true, false},
    {"+CREG:", false, false, true, true, false},  {"+CEREG:", false, false, true, true, false},
    {"+CGREG:", false, false, true, true, false}, {"+COPS:", false, false, true, true, false},
    {"+CPMS:", false, true, true, true, false},   {"+CNMI:", false, false, true, true, false},
    {"+CPIN:", false, false, true, false, false}, {"+CNUM:", true, false, false, false, false},
    {"+CCLK:", false, false, true, false, false}, {"+CUSD:", false, true, true, true, false},
    {"+CSCA:", false, false, true, true, false},  {"+CMMS:", false, false, true, true, false},
    {"+CMGF:", false, false, true, true, false},  {"+CMGD:", false, false, false, true, false},
    {"+CMEE:", false, false, true, true, false},  {"+CNMA:", false, false, false, true, false},
    {"+CFUN:", false, false, true, true, false},  {"+CLCC:", true, false, false, false, false},
    {"+CLIP:", false, false, true, true, false},  {"+CIREG:", false, false, true, true, false},
    {"+CGSMS:", false, false, true, true, false}, {"+CSCS:", false, false, true, true, false},
    {"+CSMS:", false, true, true, true, false},
}};

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return out;
}

}  // namespace

Expect expect_for(std::string_view command) {
    const auto c = upper(trim(command));
    // Basic commands with no information text (V.250): AT, ATE0, ATH, ATZ...
    if (c == "AT" || c == "ATE0" || c == "ATE1" || c == "ATH" || c == "ATH0" || c == "ATZ" ||
        c == "AT&F" || c == "ATV1") {
        return Expect{true, {}, false};
    }
    const auto prefix = expected_prefix(c);
    if (prefix.empty()) return {};
    const auto rest = std::string_view(c).substr(2 + prefix.size() - 1);
    const bool test = starts_with(rest, "=?");
    const bool read = !test && starts_with(rest, "?");
    const bool set = !test && starts_with(rest, "=");
    const bool exec = rest.empty();
    for (const auto& f : kReplies) {
        if (f.prefix != prefix) continue;
        const bool answers = (exec && f.exec) || (set && f.set) || (read && f.read) || (test && f.test);
        Expect e{true, {}, false};
        if (answers) {
            e.prefixes.emplace_back(f.prefix);
            e.pdu = f.pdu && !test;
        }
        return e;
    }
    return {};
}

bool is_hex_line(std::string_view line) {
    line = trim(line);
    if (line.empty()) return false;
    for (const char ch : line) {
        const bool hex = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F') || (ch >= 'a' && ch <= 'f');
        if (!hex) return false;
    }
    return true;
}

bool is_call_command(std::string_view command) {
    const auto c = upper(trim(command));
    return starts_with(c, "ATD") || c == "ATA" || starts_with(c, "ATO");
}

bool is_two_line_urc(std::string_view line) {
    line = trim(line);
    return starts_with(line, "+CMT:") || starts_with(line, "+CDS:");
}

bool is_garbage(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size()) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c < 0x20 && c != '\t') return true;
        if (c == 0x7F) return true;
        if (c < 0x80) {
            ++i;
            continue;
        }
        int n = 0;
        if ((c & 0xE0) == 0xC0 && c >= 0xC2) n = 1;
        else if ((c & 0xF0) == 0xE0) n = 2;
        else if ((c & 0xF8) == 0xF0 && c <= 0xF4) n = 3;
        else return true;
        for (int k = 1; k <= n; ++k) {
            if (i + k >= line.size()) return true;
            if ((static_cast<unsigned char>(line[i + k]) & 0xC0) != 0x80) return true;
        }
        i += static_cast<std::size_t>(n) + 1;
    }
    return false;
}

}  // namespace cunxin::at

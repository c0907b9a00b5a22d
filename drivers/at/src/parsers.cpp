// SPDX-License-Identifier: Apache-2.0
#include "cunxin/at/parsers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "cunxin/at/gsm_errors.hpp"

namespace cunxin::at {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::optional<int> to_int(std::string_view s) {
    s = trim(s);
    if (s.size() > 1 && s.front() == '+') s.remove_prefix(1);
    int v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

Error parse_error(std::string what, std::string_view line) {
    return Error{Errc::Parse, -1, what + ": '" + std::string(line.substr(0, 80)) + "'"};
}

// The value after "PREFIX:" (or "PREFIX " for bare vendor forms).
std::optional<std::string_view> after_prefix(std::string_view line, std::string_view prefix) {
    line = trim(line);
    if (!starts_with(line, prefix)) return std::nullopt;
    return trim(line.substr(prefix.size()));
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_hex(std::string_view s) {
    return !s.empty() && s.size() % 2 == 0 &&
           std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
long days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

std::chrono::system_clock::time_point make_time(int y, int mo, int d, int h, int mi, int s) {
    const long days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return std::chrono::system_clock::time_point(std::chrono::seconds(
        static_cast<long long>(days) * 86400 + h * 3600 + mi * 60 + s));
}

bool valid_date(int y, int mo, int d, int h, int mi, int s) {
    return y >= 1970 && y < 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 &&
           mi >= 0 && mi < 60 && s >= 0 && s <= 60;
}

// "yy/MM/dd,hh:mm:ss[±zz]" (also "yyyy/MM/dd" and '-' separators). zone in quarter hours.
std::optional<NetworkTime> parse_clock(std::string_view s, bool is_local) {
    s = trim(s);
    int v[6] = {};
    std::size_t pos = 0;
    for (int i = 0; i < 6; ++i) {
        std::size_t end = pos;
        while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
        if (end == pos) return std::nullopt;
        auto n = to_int(s.substr(pos, end - pos));
        if (!n) return std::nullopt;
        v[i] = *n;
        pos = end;
        if (i < 5) {
            if (pos >= s.size()) return std::nullopt;
            ++pos;  // '/', ',', ':', '-'
        }
    }
    if (v[0] < 100) v[0] += 2000;
    if (!valid_date(v[0], v[1], v[2], v[3], v[4], v[5])) return std::nullopt;
    NetworkTime t;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        auto q = to_int(s.substr(pos + 1));
        std::size_t end = pos + 1;
        while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
        q = to_int(s.substr(pos + 1, end - pos - 1));
        if (!q || *q > 56) return std::nullopt;
        t.utc_offset_minutes = (s[pos] == '-' ? -1 : 1) * *q * 15;
        t.has_offset = true;
    }
    t.utc = make_time(v[0], v[1], v[2], v[3], v[4], v[5]);
    if (is_local) t.utc -= std::chrono::minutes(t.utc_offset_minutes);
    return t;
}

std::string bare_or_prefixed(const Lines& lines, std::initializer_list<std::string_view> prefixes) {
    for (const auto& l : lines) {
        const auto line = trim(l);
        for (const auto p : prefixes) {
            if (auto v = after_prefix(line, p)) {
                auto s = *v;
                if (!s.empty() && s.front() == '"') s.remove_prefix(1);
                if (!s.empty() && s.back() == '"') s.remove_suffix(1);
                return std::string(trim(s));
            }
        }
    }
    for (const auto& l : lines) {
        const auto line = trim(l);
        if (!line.empty() && line.find(':') == std::string_view::npos) return std::string(line);
    }
    return {};
}

}  // namespace

std::vector<std::string> split_fields(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    bool was_quoted = false;
    int depth = 0;
    auto flush = [&] {
        out.push_back(was_quoted ? cur : std::string(trim(cur)));
        cur.clear();
        was_quoted = false;
    };
    for (const char c : s) {
        if (c == '"' && depth == 0) {
            if (!quoted && trim(cur).empty()) cur.clear();
            quoted = !quoted;
            was_quoted = true;
            continue;
        }
        if (!quoted) {
            if (c == '(') ++depth;
            if (c == ')' && depth > 0) --depth;
            if (c == ',' && depth == 0) {
                flush();
                continue;
            }
        }
        cur.push_back(c);
    }
    flush();
    return out;
}

std::optional<std::string_view> find_value(const Lines& lines, std::string_view prefix) {
    for (const auto& l : lines) {
        if (auto v = after_prefix(l, prefix)) return v;
    }
    return std::nullopt;
}

Result<std::vector<StoredPdu>> parse_cmgl(const Lines& lines) {
    std::vector<StoredPdu> out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto v = after_prefix(lines[i], "+CMGL:");
        if (!v) continue;
        const auto f = split_fields(*v);
        // <index>,<stat>,[<alpha>],<length>
        if (f.size() < 3) return unexpected(parse_error("short +CMGL header", lines[i]));
        auto idx = to_int(f[0]);
        auto stat = to_int(f[1]);
        auto len = to_int(f.back());
        if (!idx || !stat || !len) return unexpected(parse_error("bad +CMGL header", lines[i]));
        if (i + 1 >= lines.size() || !is_hex(trim(lines[i + 1]))) {
            return unexpected(parse_error("+CMGL without PDU", lines[i]));
        }
        out.push_back({*idx, *stat, *len, std::string(trim(lines[i + 1]))});
        ++i;
    }
    return out;
}

Result<StoredPdu> parse_cmgr(const Lines& lines) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto v = after_prefix(lines[i], "+CMGR:");
        if (!v) continue;
        const auto f = split_fields(*v);
        // <stat>,[<alpha>],<length>; some modems answer "+CMGR: 0,,0" for an empty slot
        if (f.size() < 2) return unexpected(parse_error("short +CMGR header", lines[i]));
        auto stat = to_int(f[0]);
        auto len = to_int(f.back());
        if (!stat || !len) return unexpected(parse_error("bad +CMGR header", lines[i]));
        if (*len == 0 || i + 1 >= lines.size()) return unexpected(Error{Errc::Parse, -1, "empty"});
        const auto pdu = trim(lines[i + 1]);
        if (!is_hex(pdu)) return unexpected(parse_error("+CMGR PDU not hex", pdu));
        return StoredPdu{-1, *stat, *len, std::string(pdu)};
    }
    return unexpected(Error{Errc::Parse, -1, "empty"});
}

Result<Csq> parse_csq(std::string_view line) {
    auto v = after_prefix(line, "+CSQ:");
    if (!v) return unexpected(parse_error("not +CSQ", line));
    const auto f = split_fields(*v);
    auto rssi = f.empty() ? std::nullopt : to_int(f[0]);
    if (!rssi || (*rssi > 31 && *rssi != 99) || *rssi < 0) return unexpected(parse_error("bad rssi", line));
    Csq c;
    if (f.size() > 1) c.ber = to_int(f[1]).value_or(99);
    if (*rssi != 99) c.signal_dbm = -113 + 2 * *rssi;  // TS 27.007 §8.5: 0 = -113 dBm, 31 = -51 dBm
    return c;
}

bool is_registered(RegStat s) noexcept {
    switch (s) {
        case RegStat::Home:
        case RegStat::Roaming:
        case RegStat::SmsOnlyHome:
        case RegStat::SmsOnlyRoaming: return true;
        case RegStat::NotRegistered:
        case RegStat::Searching:
        case RegStat::Denied:
        case RegStat::Unknown:
        case RegStat::Emergency: return false;
    }
    return false;
}

const char* to_string(RegStat s) noexcept {
    switch (s) {
        case RegStat::NotRegistered: return "not-registered";
        case RegStat::Home: return "home";
        case RegStat::Searching: return "searching";
        case RegStat::Denied: return "denied";
        case RegStat::Unknown: return "unknown";
        case RegStat::Roaming: return "roaming";
        case RegStat::SmsOnlyHome: return "sms-only-home";
        case RegStat::SmsOnlyRoaming: return "sms-only-roaming";
        case RegStat::Emergency: return "emergency";
    }
    return "unknown";
}

Result<Registration> parse_creg(std::string_view line, bool solicited) {
    line = trim(line);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || line.empty() || line[0] != '+') {
        return unexpected(parse_error("not a registration line", line));
    }
    const auto f = split_fields(line.substr(colon + 1));
    std::size_t i = solicited ? 1 : 0;
    if (f.size() <= i) return unexpected(parse_error("short registration line", line));
    auto stat = to_int(f[i]);
    if (!stat || *stat < 0 || *stat > 10) return unexpected(parse_error("bad <stat>", line));
    Registration r;
    r.stat = *stat <= 8 ? static_cast<RegStat>(*stat) : RegStat::Unknown;
    if (f.size() > i + 2) {
        r.lac = f[i + 1];
        r.ci = f[i + 2];
    }
    if (f.size() > i + 3) r.act = to_int(f[i + 3]).value_or(-1);
    return r;
}

Result<Registration> parse_cereg(std::string_view line, bool solicited) {
    return parse_creg(line, solicited);
}

Result<Cops> parse_cops(std::string_view line) {
    auto v = after_prefix(line, "+COPS:");
    if (!v) return unexpected(parse_error("not +COPS", line));
    const auto f = split_fields(*v);
    auto mode = f.empty() ? std::nullopt : to_int(f[0]);
    if (!mode) return unexpected(parse_error("bad +COPS mode", line));
    Cops c;
    c.mode = *mode;
    if (f.size() >= 3) {
        c.format = to_int(f[1]).value_or(-1);
        c.name = f[2];
    }
    if (f.size() >= 4) c.act = to_int(f[3]).value_or(-1);
    return c;
}

// TS 27.007 §7.3 <AcT>: 0 GSM, 1 GSM Compact, 2 UTRAN, 3 GSM w/EGPRS, 4-6 UTRAN w/HSxPA,
// 7 E-UTRAN, 8 EC-GSM-IoT, 9 E-UTRAN (NB-S1), 10 E-UTRA connected to 5GCN, 11 NR connected to
// 5GCN, 12 NG-RAN, 13 E-UTRA-NR dual connectivity.
const char* access_technology(int act) noexcept {
    switch (act) {
        case 0:
        case 1:
        case 3:
        case 8: return "gsm";
        case 2:
        case 4:
        case 5:
        case 6: return "umts";
        case 7:
        case 9:
        case 10:
        case 13: return "lte";
        case 11:
        case 12: return "nr";
        default: return nullptr;
    }
}

bool is_lte(int act) noexcept { return act == 7 || act == 9 || act == 10 || act == 13; }

Result<Cireg> parse_cireg(std::string_view line) {
    // Read form "+CIREG: <n>,<reg_info>[,<ext_info>]"; URC "+CIREGU: <reg_info>[,<ext_info>]".
    const bool urc = line.substr(0, 8) == "+CIREGU:";
    auto v = after_prefix(line, urc ? "+CIREGU:" : "+CIREG:");
    if (!v) return unexpected(parse_error("not +CIREG", line));
    const auto f = split_fields(*v);
    const std::size_t at = urc ? 0 : 1;
    if (f.size() <= at) return unexpected(parse_error("bad +CIREG", line));
    auto info = to_int(f[at]);
    if (!info || *info < 0 || *info > 1) return unexpected(parse_error("bad +CIREG reg_info", line));
    Cireg c;
    c.n = urc ? 0 : to_int(f[0]).value_or(0);
    c.registered = *info == 1;
    return c;
}

Result<std::vector<CpmsMemory>> parse_cpms(std::string_view line) {
    auto v = after_prefix(line, "+CPMS:");
    if (!v) return unexpected(parse_error("not +CPMS", line));
    const auto f = split_fields(*v);
    std::vector<CpmsMemory> out;
    const bool named = !f.empty() && !to_int(f[0]);
    const std::size_t step = named ? 3 : 2;
    if (f.size() < step || f.size() % step != 0) return unexpected(parse_error("bad +CPMS", line));
    for (std::size_t i = 0; i + step <= f.size(); i += step) {
        CpmsMemory m;
        if (named) m.mem = f[i];
        auto used = to_int(f[i + step - 2]);
        auto total = to_int(f[i + step - 1]);
        if (!used || !total) return unexpected(parse_error("bad +CPMS numbers", line));
        m.used = *used;
        m.total = *total;
        out.push_back(std::move(m));
    }
    return out;
}

Result<int> parse_cmgs_reference(const Lines& lines) {
    auto v = find_value(lines, "+CMGS:");
    if (!v) return unexpected(Error{Errc::Parse, -1, "no +CMGS line"});
    const auto f = split_fields(*v);
    auto mr = f.empty() ? std::nullopt : to_int(f[0]);
    if (!mr || *mr < 0 || *mr > 255) return unexpected(parse_error("bad message reference", *v));
    return *mr;
}

Result<NetworkTime> parse_cclk(std::string_view line) {
    auto v = after_prefix(line, "+CCLK:");
    if (!v) return unexpected(parse_error("not +CCLK", line));
    auto s = *v;
    if (!s.empty() && s.front() == '"') s.remove_prefix(1);
    if (!s.empty() && s.back() == '"') s.remove_suffix(1);
    auto t = parse_clock(s, true);
    if (!t) return unexpected(parse_error("bad clock", line));
    return *t;
}

Result<NetworkTime> parse_nitz(std::string_view line) {
    line = trim(line);
    if (auto v = after_prefix(line, "+CTZV:")) {
        auto s = *v;
        if (!s.empty() && s.front() == '"') s.remove_prefix(1);
        if (!s.empty() && s.back() == '"') s.remove_suffix(1);
        if (s.find(',') == std::string_view::npos) return unexpected(Error{Errc::Parse, -1, "no time"});
        // Some firmwares put the zone first: "+CTZV: +32,24/03/05,14:30:00"
        if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
            const auto comma = s.find(',');
            std::string re(s.substr(comma + 1));
            re += std::string(s.substr(0, comma));
            if (auto t = parse_clock(re, true)) return *t;
            return unexpected(parse_error("bad +CTZV", line));
        }
        if (auto t = parse_clock(s, true)) return *t;
        return unexpected(parse_error("bad +CTZV", line));
    }
    if (auto v = after_prefix(line, "+CTZE:")) {  // Quectel: "+32",0,"2024/03/05,06:30:00" (UTC)
        const auto f = split_fields(*v);
        if (f.size() < 3) return unexpected(parse_error("short +CTZE", line));
        auto t = parse_clock(f[2], false);
        const auto q = to_int(f[0]);
        if (!t || !q) return unexpected(parse_error("bad +CTZE", line));
        t->utc_offset_minutes = *q * 15;
        t->has_offset = true;
        return *t;
    }
    if (auto v = after_prefix(line, "*PSUTTZ:")) {  // SIMCom: 2024,3,5,6,30,0,"+32",0 (UTC)
        const auto f = split_fields(*v);
        if (f.size() < 7) return unexpected(parse_error("short *PSUTTZ", line));
        int n[6];
        for (int i = 0; i < 6; ++i) {
            auto x = to_int(f[static_cast<std::size_t>(i)]);
            if (!x) return unexpected(parse_error("bad *PSUTTZ", line));
            n[i] = *x;
        }
        if (n[0] < 100) n[0] += 2000;
        const auto q = to_int(f[6]);
        if (!q || !valid_date(n[0], n[1], n[2], n[3], n[4], n[5])) return unexpected(parse_error("bad *PSUTTZ", line));
        NetworkTime t;
        t.utc = make_time(n[0], n[1], n[2], n[3], n[4], n[5]);
        t.utc_offset_minutes = *q * 15;
        t.has_offset = true;
        return t;
    }
    if (auto v = after_prefix(line, "^NWTIME:")) {  // Huawei: 24/03/05,14:30:00+32,00 (local)
        auto t = parse_clock(*v, true);
        if (!t) return unexpected(parse_error("bad ^NWTIME", line));
        return *t;
    }
    return unexpected(parse_error("not a NITZ line", line));
}

Result<std::string> parse_ccid(const Lines& lines) {
    std::string id = bare_or_prefixed(lines, {"+CCID:", "+QCCID:", "^ICCID:", "+ICCID:", "ICCID:", "+CICCID:"});
    while (!id.empty() && (id.back() == 'F' || id.back() == 'f')) id.pop_back();
    // Huawei ^ICCID gives EF_ICCID as stored: BCD nibbles swapped ("98..." for "89...").
    if (id.size() >= 18 && id.rfind("98", 0) == 0) {
        std::string padded = id;
        if (padded.size() % 2 != 0) padded.push_back('F');
        for (std::size_t i = 0; i + 1 < padded.size(); i += 2) std::swap(padded[i], padded[i + 1]);
        while (!padded.empty() && (padded.back() == 'F' || padded.back() == 'f')) padded.pop_back();
        id = padded;
    }
    if (id.size() < 18 || id.size() > 22 ||
        !std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; })) {
        return unexpected(Error{Errc::Parse, -1, "no ICCID in response"});
    }
    return id;
}

Result<std::string> parse_imei(const Lines& lines) {
    auto id = bare_or_prefixed(lines, {"+CGSN:", "IMEI:", "+GSN:"});
    if (id.size() < 14 || id.size() > 17 || !all_digits(id)) {
        return unexpected(Error{Errc::Parse, -1, "no IMEI in response"});
    }
    return id;
}

Result<std::string> parse_imsi(const Lines& lines) {
    auto id = bare_or_prefixed(lines, {"+CIMI:", "IMSI:"});
    if (id.size() < 6 || id.size() > 15 || !all_digits(id)) {
        return unexpected(Error{Errc::Parse, -1, "no IMSI in response"});
    }
    return id;
}

Result<std::string> parse_text(const Lines& lines, std::string_view prefix) {
    auto s = bare_or_prefixed(lines, {prefix});
    if (s.empty()) {
        for (const auto& l : lines) {
            if (!trim(l).empty()) return std::string(trim(l));
        }
        return unexpected(Error{Errc::Parse, -1, "empty response"});
    }
    return s;
}

std::string parse_cnum(const Lines& lines) {
    for (const auto& l : lines) {
        if (auto v = after_prefix(l, "+CNUM:")) {
            const auto f = split_fields(*v);
            if (f.size() >= 2 && !f[1].empty()) return f[1];
        }
    }
    return {};
}

Result<PinState> parse_cpin(std::string_view line) {
    auto v = after_prefix(line, "+CPIN:");
    if (!v) return unexpected(parse_error("not +CPIN", line));
    const auto s = *v;
    if (s == "READY") return PinState::Ready;
    if (s == "SIM PIN") return PinState::SimPin;
    if (s == "SIM PUK") return PinState::SimPuk;
    if (s == "SIM PIN2") return PinState::SimPin2;
    if (s == "SIM PUK2") return PinState::SimPuk2;
    if (s == "PH-SIM PIN") return PinState::PhSimPin;
    if (s == "NOT INSERTED" || s == "NOT READY") return PinState::NotInserted;
    return PinState::Other;
}

std::optional<int> parse_pin_attempts(const Lines& lines) {
    if (auto v = find_value(lines, "+QPINC:")) {  // Quectel: "SC",<pin>,<puk>
        const auto f = split_fields(*v);
        if (f.size() >= 2) return to_int(f[1]);
    }
    if (auto v = find_value(lines, "^CPIN:")) {  // Huawei: <code>,[<times>],<puk>,<pin>,<puk2>,<pin2>
        const auto f = split_fields(*v);
        if (f.size() >= 4) {
            if (auto n = to_int(f[3])) return n;
        }
        if (f.size() >= 2) return to_int(f[1]);
    }
    if (auto v = find_value(lines, "+SPIC:")) {  // SIMCom: <pin1>,<puk1>,<pin2>,<puk2>
        const auto f = split_fields(*v);
        if (!f.empty()) return to_int(f[0]);
    }
    if (auto v = find_value(lines, "+CPINR:")) {  // 27.007 §8.65: "SIM PIN",<retries>,<default>
        const auto f = split_fields(*v);
        if (f.size() >= 2) return to_int(f[1]);
    }
    return std::nullopt;
}

Result<Supported> parse_test_ranges(std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return unexpected(parse_error("no ':'", line));
    Supported out;
    for (const auto& field : split_fields(line.substr(colon + 1))) {
        std::string_view s = trim(field);
        if (!s.empty() && s.front() == '(') s.remove_prefix(1);
        if (!s.empty() && s.back() == ')') s.remove_suffix(1);
        std::vector<int> values;
        std::size_t pos = 0;
        while (pos <= s.size()) {
            auto comma = s.find(',', pos);
            if (comma == std::string_view::npos) comma = s.size();
            const auto item = trim(s.substr(pos, comma - pos));
            const auto dash = item.find('-');
            if (dash != std::string_view::npos) {
                auto a = to_int(item.substr(0, dash));
                auto b = to_int(item.substr(dash + 1));
                if (!a || !b || *b < *a || *b - *a > 1000) return unexpected(parse_error("bad range", line));
                for (int x = *a; x <= *b; ++x) values.push_back(x);
            } else if (!item.empty()) {
                auto a = to_int(item);
                if (!a) return unexpected(parse_error("bad value", line));
                values.push_back(*a);
            }
            pos = comma + 1;
        }
        out.push_back(std::move(values));
    }
    return out;
}

Result<std::vector<std::vector<std::string>>> parse_cpms_test(std::string_view line) {
    auto v = after_prefix(line, "+CPMS:");
    if (!v) return unexpected(parse_error("not +CPMS", line));
    std::vector<std::vector<std::string>> out;
    for (const auto& field : split_fields(*v)) {
        std::string_view s = trim(field);
        if (!s.empty() && s.front() == '(') s.remove_prefix(1);
        if (!s.empty() && s.back() == ')') s.remove_suffix(1);
        out.push_back(split_fields(s));
    }
    return out;
}

Result<StoredAt> parse_cmti(std::string_view line) {
    line = trim(line);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return unexpected(parse_error("not +CMTI/+CDSI", line));
    const auto f = split_fields(line.substr(colon + 1));
    if (f.size() < 2) return unexpected(parse_error("short +CMTI", line));
    auto idx = to_int(f[1]);
    if (!idx || *idx < 0) return unexpected(parse_error("bad index", line));
    return StoredAt{f[0], *idx};
}

Result<std::string> parse_clip(std::string_view line) {
    auto v = after_prefix(line, "+CLIP:");
    if (!v) return unexpected(parse_error("not +CLIP", line));
    const auto f = split_fields(*v);
    if (f.empty()) return unexpected(parse_error("short +CLIP", line));
    // <number>,<type>[,<subaddr>,<satype>[,[<alpha>][,<CLI validity>]]]
    if (f.size() >= 6) {
        auto validity = to_int(f[5]);
        if (validity && *validity != 0) return std::string();
    }
    std::string n(f[0]);
    for (const char c : n) {
        if (!((c >= '0' && c <= '9') || c == '+' || c == '*' || c == '#')) {
            return unexpected(parse_error("bad +CLIP number", line));
        }
    }
    return n;
}

Result<Cusd> parse_cusd(std::string_view line) {
    auto v = after_prefix(line, "+CUSD:");
    if (!v) return unexpected(parse_error("not +CUSD", line));
    const auto f = split_fields(*v);
    auto st = f.empty() ? std::nullopt : to_int(f[0]);
    if (!st) return unexpected(parse_error("bad +CUSD", line));
    Cusd c;
    c.status = *st;
    if (f.size() >= 2) c.text = f[1];
    if (f.size() >= 3) c.dcs = to_int(f[2]).value_or(-1);
    if (c.dcs == 72 && is_hex(c.text) && c.text.size() % 4 == 0) {  // UCS2 as hex (TS 23.038)
        std::string utf8;
        for (std::size_t i = 0; i + 4 <= c.text.size(); i += 4) {
            unsigned u = 0;
            std::from_chars(c.text.data() + i, c.text.data() + i + 4, u, 16);
            if (u < 0x80) {
                utf8.push_back(static_cast<char>(u));
            } else if (u < 0x800) {
                utf8.push_back(static_cast<char>(0xC0 | (u >> 6)));
                utf8.push_back(static_cast<char>(0x80 | (u & 0x3F)));
            } else {
                utf8.push_back(static_cast<char>(0xE0 | (u >> 12)));
                utf8.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
                utf8.push_back(static_cast<char>(0x80 | (u & 0x3F)));
            }
        }
        c.text = utf8;
    }
    return c;
}

int parse_cme_error(std::string_view line) {
    auto v = after_prefix(line, "+CME ERROR:");
    if (!v) return -1;
    if (auto n = to_int(*v)) return *n;
    return cme_code_from_text(*v);
}

int parse_cms_error(std::string_view line) {
    auto v = after_prefix(line, "+CMS ERROR:");
    if (!v) return -1;
    if (auto n = to_int(*v)) return *n;
    return cms_code_from_text(*v);
}

}  // namespace cunxin::at

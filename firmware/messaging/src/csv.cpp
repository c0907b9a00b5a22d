// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/csv.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "cunxin/messaging/phone.hpp"

namespace cunxin::messaging {

namespace chr = std::chrono;

namespace {

CsvError csv_error(CsvErrc code, std::size_t row, std::string en, std::string zh) {
    CsvError e;
    e.code = code;
    e.row = row;
    e.detail = std::move(en);
    e.detail_zh = std::move(zh);
    return e;
}

/// Length of the valid UTF-8 prefix of `s` (strict: no overlongs, surrogates, > U+10FFFF).
std::size_t valid_utf8_prefix(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            len = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            len = 3;
            if (b0 == 0xE0) lo = 0xA0;
            if (b0 == 0xED) hi = 0x9F;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            len = 4;
            if (b0 == 0xF0) lo = 0x90;
            if (b0 == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + len > s.size()) return i;
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if (b1 < lo || b1 > hi) return i;
        for (std::size_t k = 2; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
        }
        i += len;
    }
    return i;
}

/// GB18030 → UTF-8 with glibc iconv; nullopt-like empty error string on success.
bool gb18030_to_utf8(std::string_view in, std::string& out, std::size_t& bad_offset) {
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        bad_offset = 0;
        return false;
    }
    // Each GB18030 character (1, 2 or 4 bytes) takes at most 1.5 times its length in UTF-8.
    out.assign(in.size() + in.size() / 2 + 16, '\0');
    char* src = const_cast<char*>(in.data());  // iconv's API is not const-correct
    std::size_t src_left = in.size();
    std::size_t written = 0;
    bool ok = true;
    while (src_left > 0) {
        char* dst = out.data() + written;
        std::size_t dst_left = out.size() - written;
        const std::size_t r = iconv(cd, &src, &src_left, &dst, &dst_left);
        written = out.size() - dst_left;
        if (r != static_cast<std::size_t>(-1)) break;
        if (errno == E2BIG) {
            out.resize(out.size() * 2);
            continue;
        }
        ok = false;  // EILSEQ or EINVAL (truncated sequence at the end)
        bad_offset = in.size() - src_left;
        break;
    }
    iconv_close(cd);
    out.resize(written);
    return ok;
}

bool is_ascii_space(char c) {
    return c == ' ' || c == '\t';
}

/// Trims ASCII spaces/tabs, U+3000 and NBSP at both ends.
std::string_view trim(std::string_view s) {
    for (;;) {
        if (!s.empty() && is_ascii_space(s.front())) {
            s.remove_prefix(1);
        } else if (s.starts_with("\xE3\x80\x80")) {
            s.remove_prefix(3);
        } else if (s.starts_with("\xC2\xA0")) {
            s.remove_prefix(2);
        } else {
            break;
        }
    }
    for (;;) {
        if (!s.empty() && is_ascii_space(s.back())) {
            s.remove_suffix(1);
        } else if (s.ends_with("\xE3\x80\x80")) {
            s.remove_suffix(3);
        } else if (s.ends_with("\xC2\xA0")) {
            s.remove_suffix(2);
        } else {
            break;
        }
    }
    return s;
}

/// Full-width digits → ASCII, everything else unchanged.
std::string fold_digits(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        // U+FF10..FF19 is EF BC 90..99
        if (i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xEF &&
            static_cast<unsigned char>(s[i + 1]) == 0xBC &&
            static_cast<unsigned char>(s[i + 2]) >= 0x90 &&
            static_cast<unsigned char>(s[i + 2]) <= 0x99) {
            out.push_back(static_cast<char>('0' + (static_cast<unsigned char>(s[i + 2]) - 0x90)));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<chr::year_month_day> make_date(long y, long m, long d) {
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    const chr::year_month_day ymd{chr::year{static_cast<int>(y)},
                                  chr::month{static_cast<unsigned>(m)},
                                  chr::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

long to_long(std::string_view digits) {
    long v = 0;
    for (const char c : digits) v = v * 10 + (c - '0');
    return v;
}

/// Which field a header cell names ("" if none).
std::string column_of(std::string_view header) {
    std::string h(trim(header));
    // Drop a "(必填)"/"（格式…）" suffix and a required-field star.
    for (const std::string_view open : {std::string_view("("), std::string_view("（")}) {
        if (const auto p = h.find(open); p != std::string::npos && p > 0) h.resize(p);
    }
    h = std::string(trim(h));
    while (!h.empty() && h.back() == '*') h.pop_back();
    if (h.ends_with("＊")) h.resize(h.size() - 3);
    h = std::string(trim(h));
    for (char& c : h) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == ' ' || c == '-') c = '_';
    }
    static const std::map<std::string_view, std::string_view> kColumns{
        {"姓名", "name"},
        {"名字", "name"},
        {"name", "name"},
        {"full_name", "name"},
        {"手机", "mobile"},
        {"手机号", "mobile"},
        {"手机号码", "mobile"},
        {"电话", "mobile"},
        {"电话号码", "mobile"},
        {"联系电话", "mobile"},
        {"mobile", "mobile"},
        {"phone", "mobile"},
        {"msisdn", "mobile"},
        {"mobile_number", "mobile"},
        {"村", "village"},
        {"村名", "village"},
        {"村庄", "village"},
        {"所在村", "village"},
        {"village", "village"},
        {"职务", "role"},
        {"职位", "role"},
        {"role", "role"},
        {"title", "role"},
        {"入党日期", "party_join_date"},
        {"入党时间", "party_join_date"},
        {"party_join_date", "party_join_date"},
        {"join_date", "party_join_date"},
        {"标签", "tags"},
        {"tags", "tags"},
        {"tag", "tags"},
        {"备注", "notes"},
        {"notes", "notes"},
        {"note", "notes"},
        {"remark", "notes"},
        {"remarks", "notes"},
        {"已退订", "opted_out"},
        {"退订", "opted_out"},
        {"opted_out", "opted_out"},
    };
    const auto it = kColumns.find(h);
    return it == kColumns.end() ? std::string{} : std::string(it->second);
}

const char* column_zh(std::string_view column) {
    if (column == "name") return "姓名";
    if (column == "mobile") return "手机号";
    if (column == "village") return "村";
    if (column == "role") return "职务";
    if (column == "party_join_date") return "入党日期";
    if (column == "tags") return "标签";
    if (column == "notes") return "备注";
    if (column == "opted_out") return "已退订";
    return "";
}

std::vector<std::string> split_tags(std::string_view s) {
    std::vector<std::string> tags;
    std::string cur;
    auto flush = [&] {
        const std::string t(trim(cur));
        if (!t.empty() && std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
        cur.clear();
    };
    for (std::size_t i = 0; i < s.size();) {
        bool sep = false;
        std::size_t len = 1;
        if (s[i] == ',' || s[i] == ';' || s[i] == '|' || s[i] == ' ' || s[i] == '\t' ||
            s[i] == '\n' || s[i] == '\r') {
            sep = true;
        } else {
            for (const std::string_view w :
                 {std::string_view("、"), std::string_view("，"), std::string_view("；"),
                  std::string_view("\xE3\x80\x80"), std::string_view("｜")}) {
                if (s.substr(i).starts_with(w)) {
                    sep = true;
                    len = w.size();
                    break;
                }
            }
        }
        if (sep) {
            flush();
        } else {
            cur.push_back(s[i]);
        }
        i += len;
    }
    flush();
    return tags;
}

std::optional<bool> parse_flag(std::string_view s) {
    std::string v(trim(s));
    for (char& c : v) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (v.empty() || v == "否" || v == "no" || v == "n" || v == "0" || v == "false") return false;
    if (v == "是" || v == "yes" || v == "y" || v == "1" || v == "true" || v == "已退订" ||
        v == "退订") {
        return true;
    }
    return std::nullopt;
}

/// Removes the export's formula guard: "'=x" → "=x".
std::string unguard(std::string_view cell) {
    if (cell.size() >= 2 && cell[0] == '\'' &&
        (cell[1] == '=' || cell[1] == '+' || cell[1] == '-' || cell[1] == '@')) {
        cell.remove_prefix(1);
    }
    return std::string(cell);
}

char sniff_delimiter(std::string_view text) {
    int commas = 0, tabs = 0, semis = 0;
    bool quoted = false;
    for (const char c : text) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == '\n' || c == '\r') break;
        if (c == ',') ++commas;
        if (c == '\t') ++tabs;
        if (c == ';') ++semis;
    }
    if (commas == 0 && tabs > 0) return '\t';
    if (commas == 0 && semis > 0) return ';';
    return ',';
}

/// The text of a file in pieces of at most about kPiece bytes: UTF-8 as it is, or GB18030
/// converted a piece at a time (the bytes were checked whole before; GB18030 keeps no shift
/// state, so each piece converts on its own). A plain value: copying it copies the position.
class TextSource {
public:
    static constexpr std::size_t kPiece = 256 * 1024;

    TextSource(std::string_view bytes, bool gb18030) : in_(bytes), gb18030_(gb18030) {}

    /// Appends the next piece to `out`; false when the text is finished.
    bool more(std::string& out) {
        if (pos_ >= in_.size()) return false;
        std::size_t take = std::min(kPiece, in_.size() - pos_);
        if (!gb18030_) {
            out.append(in_.substr(pos_, take));
            pos_ += take;
            return true;
        }
        iconv_t cd = iconv_open("UTF-8", "GB18030");
        if (cd == reinterpret_cast<iconv_t>(-1)) {
            pos_ = in_.size();
            return false;
        }
        const std::size_t old = out.size();
        out.resize(old + take + take / 2 + 16);
        char* src = const_cast<char*>(in_.data() + pos_);  // iconv's API is not const-correct
        std::size_t src_left = take;
        char* dst = out.data() + old;
        std::size_t dst_left = out.size() - old;
        // EINVAL: the piece ends inside a character, which starts the next piece.
        (void)iconv(cd, &src, &src_left, &dst, &dst_left);
        iconv_close(cd);
        out.resize(out.size() - dst_left);
        const std::size_t used = take - src_left;
        pos_ += used > 0 ? used : in_.size() - pos_;  // never stall on bytes that do not convert
        return true;
    }

private:
    std::string_view in_;
    bool gb18030_;
    std::size_t pos_ = 0;
};

/// Reads RFC 4180 records one at a time, holding only the current piece of text (the bytes
/// behind the source must outlive the reader). A record that runs past the piece is read again
/// once the next piece is appended.
class RecordReader {
public:
    /// `delim` 0: guessed from the first line (comma, tab or semicolon).
    explicit RecordReader(TextSource source, char delim = 0) : source_(source) {
        ended_ = !source_.more(buf_);
        delim_ = delim != 0 ? delim : sniff_delimiter(buf_);
    }

    /// The next record into `record` (cleared first) and its first spreadsheet row into `row`;
    /// false at the end of the text.
    cunxin::Expected<bool, CsvError> next(std::vector<std::string>& record, std::size_t& row) {
        for (;;) {
            std::size_t i = i_;
            auto r = parse(i, record);
            if (r.has_value() && *r == Step::need_more) {
                buf_.erase(0, i_);
                i_ = 0;
                ended_ = !source_.more(buf_);
                continue;
            }
            if (!r) return cunxin::unexpected(r.error());
            if (*r == Step::end) return false;
            row = row_++;
            i_ = i;
            return true;
        }
    }

private:
    enum class Step { record, end, need_more };

    /// Parses one record from `i`; need_more when the piece ends before the record is certain.
    cunxin::Expected<Step, CsvError> parse(std::size_t& i, std::vector<std::string>& record) const {
        record.clear();
        const std::string_view s = buf_;
        if (i >= s.size()) return ended_ ? Step::end : Step::need_more;
        std::string field;
        bool at_field_start = true;
        while (i < s.size()) {
            const char c = s[i];
            if (at_field_start && c == '"') {
                ++i;
                for (;;) {
                    if (i >= s.size()) {
                        if (!ended_) return Step::need_more;
                        return cunxin::unexpected(
                            csv_error(CsvErrc::unterminated_quote, row_,
                                      "row " + std::to_string(row_) + ": a quoted cell is never closed (missing \")",
                                      "第" + std::to_string(row_) + "行：引号没有闭合（缺少 \"）"));
                    }
                    if (s[i] == '"') {
                        if (i + 1 >= s.size() && !ended_) return Step::need_more;
                        if (i + 1 < s.size() && s[i + 1] == '"') {
                            field.push_back('"');
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    field.push_back(s[i]);
                    ++i;
                }
                // After the closing quote: delimiter, line end or the end.
                while (i < s.size() && (s[i] == ' ' || s[i] == '\t') && s[i] != delim_) ++i;
                if (i >= s.size() && !ended_) return Step::need_more;
                if (i < s.size() && s[i] != delim_ && s[i] != '\r' && s[i] != '\n') {
                    return cunxin::unexpected(csv_error(CsvErrc::bad_quote, row_,
                                                        "row " + std::to_string(row_) + ": text after a closing quote",
                                                        "第" + std::to_string(row_) + "行：引号后面还有文字"));
                }
                at_field_start = false;
                continue;
            }
            if (c == delim_) {
                record.push_back(std::move(field));
                field.clear();
                at_field_start = true;
                ++i;
                continue;
            }
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 >= s.size() && !ended_) return Step::need_more;  // CR|LF split
                record.push_back(std::move(field));
                i += (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ? 2 : 1;
                return Step::record;
            }
            field.push_back(c);
            at_field_start = false;
            ++i;
        }
        if (!ended_) return Step::need_more;
        record.push_back(std::move(field));
        return Step::record;
    }

    TextSource source_;
    std::string buf_;
    std::size_t i_ = 0;
    std::size_t row_ = 1;
    bool ended_ = false;
    char delim_ = ',';
};

cunxin::Expected<std::vector<std::vector<std::string>>, CsvError> parse_records(std::string_view utf8) {
    std::vector<std::vector<std::string>> records;
    RecordReader reader(TextSource(utf8, false), ',');
    std::vector<std::string> record;
    std::size_t row = 0;
    for (;;) {
        auto more = reader.next(record, row);
        if (!more) return cunxin::unexpected(more.error());
        if (!*more) break;
        records.push_back(std::move(record));
    }
    return records;
}

}  // namespace

const char* to_string(TextEncoding e) noexcept {
    switch (e) {
        case TextEncoding::Utf8:
            return "utf-8";
        case TextEncoding::Utf8Bom:
            return "utf-8-bom";
        case TextEncoding::Gb18030:
            return "gb18030";
    }
    return "unknown";
}

const char* to_string(CsvErrc code) noexcept {
    switch (code) {
        case CsvErrc::empty_input:
            return "empty_input";
        case CsvErrc::bad_encoding:
            return "bad_encoding";
        case CsvErrc::unterminated_quote:
            return "unterminated_quote";
        case CsvErrc::bad_quote:
            return "bad_quote";
        case CsvErrc::missing_column:
            return "missing_column";
        case CsvErrc::too_many_rows:
            return "too_many_rows";
    }
    return "unknown";
}

const char* to_string(RejectReason r) noexcept {
    switch (r) {
        case RejectReason::missing_name:
            return "missing_name";
        case RejectReason::missing_mobile:
            return "missing_mobile";
        case RejectReason::bad_mobile:
            return "bad_mobile";
        case RejectReason::duplicate_mobile:
            return "duplicate_mobile";
        case RejectReason::bad_date:
            return "bad_date";
        case RejectReason::bad_flag:
            return "bad_flag";
    }
    return "unknown";
}

namespace {

/// Which encoding `bytes` are in and the part to read (a BOM dropped). GB18030 is checked by
/// converting it a piece at a time into a scratch buffer, never as a whole copy.
cunxin::Expected<std::string_view, CsvError> detect_encoding(std::string_view bytes, TextEncoding& detected) {
    if (bytes.starts_with("\xEF\xBB\xBF")) {
        const std::string_view rest = bytes.substr(3);
        const std::size_t ok = valid_utf8_prefix(rest);
        if (ok != rest.size()) {
            return cunxin::unexpected(csv_error(
                CsvErrc::bad_encoding, 0,
                "file starts with a UTF-8 BOM but has invalid UTF-8 at byte " + std::to_string(ok + 3),
                "文件标明为 UTF-8，但第" + std::to_string(ok + 3) + "字节不是有效的 UTF-8"));
        }
        detected = TextEncoding::Utf8Bom;
        return rest;
    }
    if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
        return cunxin::unexpected(
            csv_error(CsvErrc::bad_encoding, 0,
                      "UTF-16 text (Excel \"Unicode text\"): save as \"CSV UTF-8\" instead",
                      "这是 UTF-16 文本（Excel“Unicode 文本”），请另存为“CSV UTF-8（逗号分隔）”"));
    }
    if (valid_utf8_prefix(bytes) == bytes.size()) {
        detected = TextEncoding::Utf8;
        return bytes;
    }
    // The whole text through iconv, the output into a scratch buffer that is reused when full.
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) {
        return cunxin::unexpected(csv_error(CsvErrc::bad_encoding, 0, "no GB18030 converter", "无法识别文件编码"));
    }
    std::string scratch(TextSource::kPiece, '\0');
    char* src = const_cast<char*>(bytes.data());  // iconv's API is not const-correct
    std::size_t src_left = bytes.size();
    bool ok = true;
    while (src_left > 0) {
        char* dst = scratch.data();
        std::size_t dst_left = scratch.size();
        if (iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1)) break;
        if (errno == E2BIG) continue;
        ok = false;  // EILSEQ, or EINVAL: a character cut off at the end
        break;
    }
    iconv_close(cd);
    if (!ok) {
        const std::size_t bad = bytes.size() - src_left;
        return cunxin::unexpected(
            csv_error(CsvErrc::bad_encoding, 0,
                      "neither UTF-8 nor GB18030/GBK (invalid byte at " + std::to_string(bad) + ")",
                      "文件编码无法识别：既不是 UTF-8 也不是 GB18030/GBK（第" + std::to_string(bad) + "字节）"));
    }
    detected = TextEncoding::Gb18030;
    return bytes;
}

}  // namespace

cunxin::Expected<std::string, CsvError> decode_text(std::string_view bytes, TextEncoding& detected) {
    auto text = detect_encoding(bytes, detected);
    if (!text) return cunxin::unexpected(text.error());
    if (detected != TextEncoding::Gb18030) return std::string(*text);
    std::string out;
    std::size_t bad = 0;
    (void)gb18030_to_utf8(*text, out, bad);  // checked by detect_encoding
    return out;
}

cunxin::Expected<std::vector<std::vector<std::string>>, CsvError> parse_csv(std::string_view utf8) {
    return parse_records(utf8);
}

std::optional<chr::year_month_day> parse_date(std::string_view text) {
    std::string s = fold_digits(trim(text));
    // Drop a time of day: "2001-07-01 00:00:00", "2001-07-01T00:00", "2001年7月1日 8:00".
    if (const auto p = s.find_first_of(" T"); p != std::string::npos && p >= 6) s.resize(p);
    if (s.empty() || s.size() > 32) return std::nullopt;

    if (all_digits(s) && s.size() == 8) {  // 20010701
        return make_date(to_long(s.substr(0, 4)), to_long(s.substr(4, 2)), to_long(s.substr(6, 2)));
    }
    // Excel serial day number (1900 date system), possibly with a time fraction.
    {
        std::string_view whole = s;
        if (const auto dot = whole.find('.');
            dot != std::string_view::npos && all_digits(whole.substr(dot + 1))) {
            whole = whole.substr(0, dot);
        }
        if (all_digits(whole) && whole.size() <= 6) {
            const long serial = to_long(whole);
            if (serial < 10000 || serial > 109574) return std::nullopt;
            // Excel counts a 1900-02-29 that never was (Lotus compatibility), so from
            // serial 61 on, day 0 is 1899-12-30.
            const chr::sys_days base{chr::year{1899} / chr::December / 30};
            return chr::year_month_day{base + chr::days{serial}};
        }
    }
    // Y sep M sep D, separators - / . 年 月, optional 日/号 at the end.
    std::array<std::string, 3> parts;
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (n >= 3) return std::nullopt;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') parts[n].push_back(s[i++]);
            ++n;
            continue;
        }
        const std::string_view rest = std::string_view(s).substr(i);
        std::size_t len = 0;
        if (s[i] == '-' || s[i] == '/' || s[i] == '.') {
            len = 1;
        } else {
            for (const std::string_view w :
                 {std::string_view("年"), std::string_view("月"), std::string_view("日"),
                  std::string_view("号"), std::string_view("－"), std::string_view("／"),
                  std::string_view("．")}) {
                if (rest.starts_with(w)) len = w.size();
            }
        }
        if (len == 0) return std::nullopt;
        i += len;
    }
    if (n != 3 || parts[0].size() != 4 || parts[1].size() > 2 || parts[2].size() > 2) {
        return std::nullopt;
    }
    return make_date(to_long(parts[0]), to_long(parts[1]), to_long(parts[2]));
}

/// Reader state: the text (decoded copy for GB18030, else a view of the bytes), the record
/// reader, the column map and the numbers seen so far (as integers: 16 bytes each).
struct ContactCsvReader::State {
    ImportOptions options;
    std::optional<RecordReader> records;
    std::optional<RecordReader> after_header;  // where the data rows start (for rewind)
    std::map<std::string, std::size_t> col;  // canonical name → index
    std::unordered_map<std::uint64_t, std::uint32_t> seen;  // E.164 digits → row of its contact
    std::vector<std::string> record;
};

namespace {

bool blank(const std::vector<std::string>& r) {
    return std::all_of(r.begin(), r.end(), [](const std::string& c) { return trim(c).empty(); });
}

std::uint64_t number_key(const std::string& e164) {
    std::uint64_t k = 0;
    for (const char c : e164) {
        if (c >= '0' && c <= '9') k = k * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return k;
}

}  // namespace

ContactCsvReader::ContactCsvReader() : s_(std::make_unique<State>()) {}
ContactCsvReader::ContactCsvReader(ContactCsvReader&&) noexcept = default;
ContactCsvReader& ContactCsvReader::operator=(ContactCsvReader&&) noexcept = default;
ContactCsvReader::~ContactCsvReader() = default;

cunxin::Expected<ContactCsvReader, CsvError> ContactCsvReader::open(std::string_view bytes,
                                                                    const ImportOptions& options) {
    ContactCsvReader reader;
    State& st = *reader.s_;
    st.options = options;
    if (bytes.empty()) {
        return cunxin::unexpected(csv_error(CsvErrc::empty_input, 0, "the file is empty", "文件是空的"));
    }
    // UTF-8 is read in place, GB18030 converted a piece at a time: no copy of the whole text.
    auto text = detect_encoding(bytes, reader.encoding);
    if (!text) return cunxin::unexpected(text.error());
    st.records.emplace(TextSource(*text, reader.encoding == TextEncoding::Gb18030));

    // The header is the first of the first kHeaderSearchRows non-blank rows that names both a
    // name and a mobile column: a title row above it ("XX镇党员花名册") is skipped.
    std::size_t first_row = 0;
    std::vector<std::string> first;
    for (std::size_t seen_rows = 0; seen_rows < kHeaderSearchRows;) {
        std::size_t row = 0;
        auto more = st.records->next(st.record, row);
        if (!more) return cunxin::unexpected(more.error());
        if (!*more) break;
        if (blank(st.record)) continue;
        ++seen_rows;
        if (first_row == 0) {
            first_row = row;
            first = st.record;
        }
        std::map<std::string, std::size_t> col;
        std::vector<std::string> ignored;
        for (std::size_t k = 0; k < st.record.size(); ++k) {
            const std::string name = column_of(st.record[k]);
            if (name.empty() || col.count(name) != 0) {
                if (!trim(st.record[k]).empty()) ignored.emplace_back(trim(st.record[k]));
                continue;
            }
            col[name] = k;
        }
        if (col.count("name") != 0 && col.count("mobile") != 0) {
            st.col = std::move(col);
            st.after_header = st.records;
            reader.ignored_columns = std::move(ignored);
            reader.header_row = row;
            return reader;
        }
    }
    if (first_row == 0) {
        return cunxin::unexpected(csv_error(CsvErrc::empty_input, 0, "no header row", "没有表头行"));
    }
    // No header found: name the column missing from the first row (most likely the header).
    bool has_name = false;
    for (const auto& cell : first) has_name = has_name || column_of(cell) == "name";
    return cunxin::unexpected(csv_error(
        CsvErrc::missing_column, first_row,
        std::string("no ") + (has_name ? "mobile" : "name") + " column in the header (e.g. " +
            (has_name ? "手机号/mobile" : "姓名/name") + ")",
        std::string("表头中没有“") + (has_name ? "手机号" : "姓名") + "”列（表头须在前" +
            std::to_string(kHeaderSearchRows) + "行内）"));
}

void ContactCsvReader::rewind() {
    s_->records = s_->after_header;
    s_->seen.clear();
    rows_total = 0;
    rows_rejected = 0;
}

cunxin::Expected<bool, CsvError> ContactCsvReader::next(std::vector<ContactRow>& accepted,
                                                        std::vector<Rejection>& rejections,
                                                        std::size_t max_rows) {
    accepted.clear();
    State& st = *s_;
    while (accepted.size() < max_rows) {
        std::size_t row = 0;
        auto more = st.records->next(st.record, row);
        if (!more) return cunxin::unexpected(more.error());
        if (!*more) return false;
        const std::vector<std::string>& rec = st.record;
        if (blank(rec)) continue;
        if (++rows_total > kMaxImportRows) {
            return cunxin::unexpected(csv_error(
                CsvErrc::too_many_rows, row,
                "more than " + std::to_string(kMaxImportRows) + " rows: split the file",
                "超过" + std::to_string(kMaxImportRows) + "行，请把文件拆开分几次导入"));
        }
        auto cell = [&](const char* name) -> std::string {
            const auto it = st.col.find(name);
            if (it == st.col.end() || it->second >= rec.size()) return {};
            return unguard(trim(rec[it->second]));
        };
        bool problem = false;
        auto reject = [&](const char* column, const std::string& value, RejectReason why,
                          const std::string& zh, const std::string& en) {
            problem = true;
            Rejection j;
            j.row = row;
            j.column = column;
            j.column_zh = column_zh(column);
            j.value = value;
            j.reason = why;
            j.reason_zh = "第" + std::to_string(row) + "行 " + column_zh(column) + "：" + zh;
            j.reason_en = "row " + std::to_string(row) + " " + column + ": " + en;
            rejections.push_back(std::move(j));
        };

        ContactRow c;
        c.row = row;
        c.name = cell("name");
        c.village = cell("village");
        c.role = cell("role");
        c.notes = cell("notes");
        c.tags = split_tags(cell("tags"));
        if (c.name.empty())
            reject("name", "", RejectReason::missing_name, "缺少姓名", "name is missing");

        std::string mobile = cell("mobile");
        if (mobile.starts_with('\'')) mobile.erase(0, 1);  // '13800138000 typed to force text
        std::uint64_t key = 0;
        if (mobile.empty()) {
            reject("mobile", "", RejectReason::missing_mobile, "缺少手机号",
                   "mobile number is missing");
        } else if (mobile.find("E+") != std::string::npos ||
                   mobile.find("e+") != std::string::npos) {
            reject("mobile", mobile, RejectReason::bad_mobile,
                   "号码被表格软件改成了科学计数法，数字已丢失；请把该列设为“文本”后重新填写",
                   "the spreadsheet turned the number into scientific notation and lost digits; "
                   "format the column as text and re-enter it");
        } else if (auto e164 = normalize_msisdn(mobile); !e164) {
            reject("mobile", mobile, RejectReason::bad_mobile, e164.error().detail_zh,
                   e164.error().detail);
        } else {
            c.msisdn = *e164;
            key = number_key(c.msisdn);
            if (const auto it = st.seen.find(key); it != st.seen.end()) {
                reject("mobile", mobile, RejectReason::duplicate_mobile,
                       "与第" + std::to_string(it->second) + "行的手机号重复",
                       "same number as row " + std::to_string(it->second));
            }
        }

        if (const std::string date = cell("party_join_date"); !date.empty()) {
            const auto d = parse_date(date);
            if (!d) {
                reject("party_join_date", date, RejectReason::bad_date,
                       "日期无法识别（例如 2001-07-01、2001/7/1、2001年7月1日）",
                       "unreadable date (e.g. 2001-07-01, 2001/7/1, 2001年7月1日)");
            } else if (st.options.today && chr::sys_days{*d} > chr::sys_days{*st.options.today}) {
                reject("party_join_date", date, RejectReason::bad_date, "入党日期晚于今天",
                       "joining date is in the future");
            } else {
                c.party_join_date = d;
            }
        }
        if (const std::string flag = cell("opted_out"); !flag.empty()) {
            if (const auto f = parse_flag(flag)) {
                c.opted_out = *f;
            } else {
                reject("opted_out", flag, RejectReason::bad_flag, "应填“是”或“否”",
                       "must be yes or no");
            }
        }

        if (!problem) {
            st.seen.emplace(key, static_cast<std::uint32_t>(row));
            accepted.push_back(std::move(c));
        } else {
            ++rows_rejected;
        }
    }
    return true;
}

cunxin::Expected<ContactImport, CsvError> import_contacts_csv(std::string_view bytes,
                                                              const ImportOptions& options) {
    auto reader = ContactCsvReader::open(bytes, options);
    if (!reader) return cunxin::unexpected(reader.error());
    ContactImport result;
    std::vector<ContactRow> batch;
    for (;;) {
        auto more = reader->next(batch, result.rejections, 4096);
        if (!more) return cunxin::unexpected(more.error());
        for (auto& c : batch) result.accepted.push_back(std::move(c));
        if (!*more) break;
    }
    result.encoding = reader->encoding;
    result.rows_total = reader->rows_total;
    result.rows_rejected = reader->rows_rejected;
    result.ignored_columns = reader->ignored_columns;
    result.header_row = reader->header_row;
    return result;
}

std::string csv_cell(std::string_view value) {
    std::string v;
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' ||
                           value[0] == '@' || value[0] == '\t' || value[0] == '\r')) {
        v.push_back('\'');
    }
    v.append(value);
    if (v.find_first_of(",\"\r\n") == std::string::npos &&
        (v.empty() || (v.front() != ' ' && v.back() != ' '))) {
        return v;
    }
    std::string q = "\"";
    for (const char c : v) {
        if (c == '"') q.push_back('"');
        q.push_back(c);
    }
    q.push_back('"');
    return q;
}

std::string to_csv(const std::vector<std::vector<std::string>>& rows, bool bom) {
    std::string out = bom ? "\xEF\xBB\xBF" : "";
    for (const auto& row : rows) {
        for (std::size_t k = 0; k < row.size(); ++k) {
            if (k > 0) out.push_back(',');
            out += csv_cell(row[k]);
        }
        out += "\r\n";
    }
    return out;
}

std::string export_contacts_csv(const std::vector<ContactRow>& contacts,
                                const ExportOptions& options) {
    std::vector<std::vector<std::string>> rows;
    rows.reserve(contacts.size() + 1);
    if (options.chinese_headers) {
        rows.push_back({"姓名", "手机号", "村", "职务", "入党日期", "标签", "备注", "已退订"});
    } else {
        rows.push_back(
            {"name", "mobile", "village", "role", "party_join_date", "tags", "notes", "opted_out"});
    }
    for (const ContactRow& c : contacts) {
        std::string mobile = c.msisdn;
        if (mobile.size() == 14 && mobile.starts_with("+861")) mobile = mobile.substr(3);
        std::string date;
        if (c.party_join_date && c.party_join_date->ok()) {
            const auto& d = *c.party_join_date;
            const unsigned m = static_cast<unsigned>(d.month());
            const unsigned dd = static_cast<unsigned>(d.day());
            date = std::to_string(static_cast<int>(d.year())) + "-" + (m < 10 ? "0" : "") +
                   std::to_string(m) + "-" + (dd < 10 ? "0" : "") + std::to_string(dd);
        }
        std::string tags;
        for (const std::string& t : c.tags) {
            if (!tags.empty()) tags += ";";
            tags += t;
        }
        const char* flag = c.opted_out ? (options.chinese_headers ? "是" : "yes")
                                       : (options.chinese_headers ? "否" : "no");
        rows.push_back({c.name, mobile, c.village, c.role, date, tags, c.notes, flag});
    }
    return to_csv(rows, true);
}

}  // namespace cunxin::messaging

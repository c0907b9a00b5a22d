// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/reply_menu.hpp"

#include <array>
#include <cstdint>
#include <set>

#include "utf8.hpp"

namespace cunxin::messaging {

namespace {

using utf8::decode;
using utf8::encode;

bool is_zero_width(char32_t c) {
    return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
}

bool is_space(char32_t c) {
    return c == U' ' || (c >= U'\t' && c <= U'\r') || c == 0xA0 || c == 0x3000 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || is_zero_width(c);
}

std::u32string_view trim(std::u32string_view v) {
    while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
    while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
    return v;
}

/// Value of an ASCII or full-width digit, or -1.
int digit_of(char32_t c) {
    if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
    if (c >= 0xFF10 && c <= 0xFF19) return static_cast<int>(c - 0xFF10);
    return -1;
}

/// Value of a Chinese numeral digit (〇零一…九, 壹…玖), 10 for 十/拾, or -1.
int cn_numeral(char32_t c) {
    switch (c) {
        case U'〇':
        case U'零':
            return 0;
        case U'一':
        case U'壹':
            return 1;
        case U'二':
        case U'贰':
        case U'貳':
            return 2;
        case U'三':
        case U'叁':
        case U'參':
            return 3;
        case U'四':
        case U'肆':
            return 4;
        case U'五':
        case U'伍':
            return 5;
        case U'六':
        case U'陆':
        case U'陸':
            return 6;
        case U'七':
        case U'柒':
            return 7;
        case U'八':
        case U'捌':
            return 8;
        case U'九':
        case U'玖':
            return 9;
        case U'十':
        case U'拾':
            return 10;
        default:
            return -1;
    }
}

bool is_cjk(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF);
}

/// Opening bracket → its closing bracket, or 0.
char32_t closing_of(char32_t c) {
    switch (c) {
        case U'【':
            return U'】';
        case U'[':
            return U']';
        case U'(':
            return U')';
        case U'（':
            return U'）';
        case U'〔':
            return U'〕';
        case U'「':
            return U'」';
        case U'《':
            return U'》';
        case U'<':
            return U'>';
        case U'［':
            return U'］';
        case U'〖':
            return U'〗';
        default:
            return 0;
    }
}

bool is_closing_bracket(char32_t c) {
    switch (c) {
        case U'】':
        case U']':
        case U')':
        case U'）':
        case U'〕':
        case U'」':
        case U'》':
        case U'>':
        case U'］':
        case U'〗':
            return true;
        default:
            return false;
    }
}

/// Punctuation that may follow a code.
bool is_code_punct(char32_t c) {
    switch (c) {
        case U'、':
        case U'，':
        case U',':
        case U'。':
        case U'.':
        case U'．':
        case U'｡':
        case U':':
        case U'：':
        case U';':
        case U'；':
        case U'-':
        case U'－':
        case U'—':
        case U'–':
        case U'~':
        case U'～':
        case U'!':
        case U'！':
        case U'?':
        case U'？':
        case U'/':
        case U'／':
        case U'|':
        case U'｜':
        case U'·':
        case U'_':
        case U'#':
        case U'＃':
        case U'=':
        case U'＝':
            return true;
        default:
            return false;
    }
}

/// Latin punctuation that, followed by a digit, makes the number part of a quantity
/// ("2.5", "3:30", "1,000", "1-2", "1/2").
bool is_numeric_joiner(char32_t c) {
    switch (c) {
        case U'.':
        case U'．':
        case U',':
        case U'，':
        case U':':
        case U'：':
        case U'-':
        case U'－':
        case U'/':
        case U'／':
        case U'~':
        case U'～':
        case U'—':
        case U'–':
            return true;
        default:
            return false;
    }
}

/// Units and measure words: a digit directly followed by one is a quantity, not a code.
bool is_unit(char32_t c) {
    static constexpr std::u32string_view kUnits =
        U"年月日号號点點时時分秒周天岁歲户戶人家个個位名元块塊角毛斤亩畝米里次期届屆楼樓栋棟层層组"
        U"組队隊条條件只头頭万萬千百亿億度倍级級班辆輛台张張间間套份项項批届";
    return kUnits.find(c) != std::u32string_view::npos;
}

/// Numeric value of a menu code written in ASCII or full-width digits, or -1.
int code_value(std::string_view code) {
    const std::u32string cps = decode(code);
    const std::u32string_view v = trim(cps);
    if (v.empty() || v.size() > 3) return -1;
    int value = 0;
    for (const char32_t c : v) {
        const int d = digit_of(c);
        if (d < 0) return -1;
        value = value * 10 + d;
    }
    return value;
}

/// Value of 1-3 Chinese numerals, or -1 if they do not form a number.
int cn_value(std::u32string_view v) {
    int tens_pos = -1;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (cn_numeral(v[i]) == 10) {
            if (tens_pos >= 0) return -1;
            tens_pos = static_cast<int>(i);
        }
    }
    if (tens_pos < 0) {
        int value = 0;
        for (const char32_t c : v) value = value * 10 + cn_numeral(c);
        return value;
    }
    // [d]十[d]: at most one digit on each side, the leading one 1-9.
    const auto pos = static_cast<std::size_t>(tens_pos);
    if (pos > 1 || v.size() - pos - 1 > 1) return -1;
    int tens = 1;
    if (pos == 1) {
        tens = cn_numeral(v[0]);
        if (tens <= 0) return -1;
    }
    int ones = 0;
    if (pos + 1 < v.size()) {
        ones = cn_numeral(v[pos + 1]);
        if (ones <= 0) return -1;
    }
    return tens * 10 + ones;
}

}  // namespace

ReplyMenu default_reply_menu() {
    ReplyMenu m;
    m.items.push_back({"01", "政策咨询", "Policy question", "", false});
    m.items.push_back({"02", "意见建议", "Opinion or suggestion", "", false});
    m.items.push_back({"03", "反映情况", "Report a situation", "", false});
    return m;
}

std::vector<std::string> validate_menu(const ReplyMenu& menu) {
    std::vector<std::string> problems;
    std::set<int> seen;
    for (const MenuItem& item : menu.items) {
        const bool ascii_digits = !item.code.empty() && item.code.size() <= 3 &&
                                  item.code.find_first_not_of("0123456789") == std::string::npos;
        if (!ascii_digits) {
            problems.push_back("code \"" + item.code + "\" must be 1-3 digits");
            continue;
        }
        const int v = code_value(item.code);
        if (!seen.insert(v).second) {
            problems.push_back("code \"" + item.code + "\" has the same value as another code");
        }
        if (item.label_zh.empty() && item.label_en.empty()) {
            problems.push_back("code \"" + item.code + "\" has no label");
        }
    }
    return problems;
}

const MenuItem* find_item(const ReplyMenu& menu, std::string_view code) {
    const int v = code_value(code);
    if (v < 0) return nullptr;
    for (const MenuItem& item : menu.items) {
        if (code_value(item.code) == v) return &item;
    }
    return nullptr;
}

Classification classify(std::string_view text, const ReplyMenu& menu) {
    const std::u32string cps = decode(text);
    const std::u32string_view all = trim(cps);
    Classification none{std::nullopt, encode(all)};

    std::u32string_view v = all;
    char32_t close = 0;
    if (!v.empty() && (close = closing_of(v.front())) != 0) {
        v.remove_prefix(1);
        v = trim(v);
    }

    // The code token: digits, or Chinese numerals.
    std::size_t n = 0;
    int value = -1;
    bool chinese = false;
    while (n < v.size() && digit_of(v[n]) >= 0) ++n;
    if (n > 0) {
        if (n > 3) return none;
        value = 0;
        for (std::size_t i = 0; i < n; ++i) value = value * 10 + digit_of(v[i]);
    } else {
        while (n < v.size() && cn_numeral(v[n]) >= 0) ++n;
        if (n == 0 || n > 3) return none;
        value = cn_value(v.substr(0, n));
        chinese = true;
        if (value < 0) return none;
    }

    std::u32string_view rest = v.substr(n);
    if (close != 0) {
        rest = trim(rest);
        if (rest.empty() || rest.front() != close) return none;
        rest.remove_prefix(1);
    } else if (!rest.empty()) {
        const char32_t next = rest.front();
        // "2.5万", "3:30", "1-2户", "一、二": a number goes on. A digit code followed by a
        // Chinese numeral ("03：三组水渠") is a code and its text.
        if (is_numeric_joiner(next) && rest.size() > 1 &&
            (digit_of(rest[1]) >= 0 || (chinese && cn_numeral(rest[1]) >= 0 &&
                                        !(rest.size() > 2 && is_cjk(rest[2]) &&
                                          cn_numeral(rest[2]) < 0)))) {
            return none;
        }
        const bool separator = is_space(next) || is_code_punct(next) || is_closing_bracket(next);
        // "02村口路灯坏了": digits may run straight into text, but not into a unit.
        const bool text_follows =
            !chinese && is_cjk(next) && !is_unit(next) && cn_numeral(next) < 0;
        if (!separator && !text_follows) return none;  // 2024年, 5G, 3%, 一定, 三天
    }

    const MenuItem* item = nullptr;
    for (const MenuItem& it : menu.items) {
        if (code_value(it.code) == value) {
            item = &it;
            break;
        }
    }
    if (item == nullptr) return none;

    // Drop the separators between the code and the text.
    while (!rest.empty() && (is_space(rest.front()) || is_code_punct(rest.front()) ||
                             is_closing_bracket(rest.front()))) {
        rest.remove_prefix(1);
    }
    return Classification{item->code, encode(trim(rest))};
}

std::string fold_for_match(std::string_view text) {
    const std::u32string cps = decode(text);
    std::u32string out;
    out.reserve(cps.size());
    for (char32_t c : cps) {
        if (is_zero_width(c)) continue;
        if (c == 0x3000 || c == 0xA0) c = U' ';
        if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
        if (c >= U'a' && c <= U'z') c -= 0x20;
        out.push_back(c);
    }
    return encode(trim(out));
}

namespace {

/// The folded message without final 。.!！ and spaces.
std::string keyword_form(std::string_view text) {
    std::string s = fold_for_match(text);
    for (;;) {
        if (!s.empty() && (s.back() == '.' || s.back() == '!' || s.back() == ' ')) {
            s.pop_back();
        } else if (s.size() >= 3 && (s.ends_with("。") || s.ends_with("｡"))) {
            s.resize(s.size() - 3);
        } else {
            break;
        }
    }
    return s;
}

bool matches_any(std::string_view text, const std::vector<std::string>& words) {
    if (text.size() > 256) return false;  // keywords are short; skip long texts cheaply
    const std::string t = keyword_form(text);
    if (t.empty()) return false;
    for (const std::string& w : words) {
        if (t == keyword_form(w)) return true;
    }
    return false;
}

}  // namespace

bool is_opt_out(std::string_view text, const Keywords& keywords) {
    return matches_any(text, keywords.opt_out);
}

bool is_opt_in(std::string_view text, const Keywords& keywords) {
    return matches_any(text, keywords.opt_in);
}

}  // namespace cunxin::messaging

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/template.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "cunxin/messaging/anniversary.hpp"

namespace cunxin::messaging {

namespace {

/// Placeholder spellings → canonical names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kNames{{
    {"name", "name"},
    {"姓名", "name"},
    {"名字", "name"},
    {"village", "village"},
    {"村", "village"},
    {"村名", "village"},
    {"role", "role"},
    {"职务", "role"},
    {"years", "years"},
    {"党龄", "years"},
    {"年数", "years"},
    {"入党年数", "years"},
    {"date", "date"},
    {"日期", "date"},
    {"今天", "date"},
    {"today", "date"},
}};

std::string_view trim(std::string_view s) {
    auto strip_front = [&] {
        if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
            s.remove_prefix(1);
            return true;
        }
        if (s.starts_with("\xE3\x80\x80")) {  // U+3000
            s.remove_prefix(3);
            return true;
        }
        return false;
    };
    auto strip_back = [&] {
        if (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
            s.remove_suffix(1);
            return true;
        }
        if (s.ends_with("\xE3\x80\x80")) {
            s.remove_suffix(3);
            return true;
        }
        return false;
    };
    while (strip_front()) {
    }
    while (strip_back()) {
    }
    return s;
}

std::string_view canonical(std::string_view raw) {
    std::string lower(raw);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    for (const auto& [spelling, name] : kNames) {
        if (lower == spelling) return name;
    }
    return {};
}

/// One piece of a parsed template: literal text, or a placeholder (canonical name).
struct Piece {
    bool placeholder = false;
    std::string text;
};

std::vector<Piece> parse(std::string_view tpl, std::vector<TemplateProblem>& problems) {
    std::vector<Piece> pieces;
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) pieces.push_back({false, std::move(literal)});
        literal.clear();
    };
    std::size_t i = 0;
    while (i < tpl.size()) {
        const char c = tpl[i];
        if (c == '{') {
            if (i + 1 < tpl.size() && tpl[i + 1] == '{') {
                literal.push_back('{');
                i += 2;
                continue;
            }
            const std::size_t close = tpl.find('}', i + 1);
            const std::size_t next_open = tpl.find('{', i + 1);
            if (close == std::string_view::npos || next_open < close) {
                problems.push_back({TemplateErrc::unclosed_brace, i, {}});
                literal.push_back('{');
                ++i;
                continue;
            }
            const std::string_view raw = tpl.substr(i + 1, close - i - 1);
            const std::string_view name = trim(raw);
            if (name.empty()) {
                problems.push_back({TemplateErrc::empty_placeholder, i, {}});
            } else if (const std::string_view canon = canonical(name); canon.empty()) {
                problems.push_back({TemplateErrc::unknown_placeholder, i, std::string(name)});
            } else {
                flush();
                pieces.push_back({true, std::string(canon)});
            }
            i = close + 1;
            continue;
        }
        if (c == '}') {
            if (i + 1 < tpl.size() && tpl[i + 1] == '}') {
                literal.push_back('}');
                i += 2;
                continue;
            }
            problems.push_back({TemplateErrc::stray_close_brace, i, {}});
            ++i;
            continue;
        }
        literal.push_back(c);
        ++i;
    }
    flush();
    return pieces;
}

std::string describe(const std::vector<TemplateProblem>& problems) {
    std::string out;
    for (const TemplateProblem& p : problems) {
        if (!out.empty()) out += "; ";
        out += to_string(p.code);
        if (!p.name.empty()) out += " {" + p.name + "}";
        out += " at " + std::to_string(p.offset);
    }
    return out;
}

}  // namespace

const char* to_string(TemplateErrc code) noexcept {
    switch (code) {
        case TemplateErrc::unknown_placeholder:
            return "unknown_placeholder";
        case TemplateErrc::empty_placeholder:
            return "empty_placeholder";
        case TemplateErrc::unclosed_brace:
            return "unclosed_brace";
        case TemplateErrc::stray_close_brace:
            return "stray_close_brace";
        case TemplateErrc::missing_value:
            return "missing_value";
    }
    return "unknown";
}

std::vector<TemplateProblem> validate_template(std::string_view tpl) {
    std::vector<TemplateProblem> problems;
    (void)parse(tpl, problems);
    return problems;
}

std::vector<std::string> placeholders_used(std::string_view tpl) {
    std::vector<TemplateProblem> problems;
    std::vector<std::string> names;
    for (const Piece& p : parse(tpl, problems)) {
        if (p.placeholder && std::find(names.begin(), names.end(), p.text) == names.end()) {
            names.push_back(p.text);
        }
    }
    return names;
}

std::string format_date_zh(std::chrono::year_month_day d) {
    return std::to_string(static_cast<int>(d.year())) + "年" +
           std::to_string(static_cast<unsigned>(d.month())) + "月" +
           std::to_string(static_cast<unsigned>(d.day())) + "日";
}

cunxin::Expected<std::string, TemplateError> render_template(std::string_view tpl,
                                                             const TemplateFields& fields) {
    std::vector<TemplateProblem> problems;
    const std::vector<Piece> pieces = parse(tpl, problems);
    std::string out;
    out.reserve(tpl.size() + 32);
    for (const Piece& p : pieces) {
        if (!p.placeholder) {
            out += p.text;
        } else if (p.text == "name") {
            out += fields.name;
        } else if (p.text == "village") {
            out += fields.village;
        } else if (p.text == "role") {
            out += fields.role;
        } else if (p.text == "date") {
            out += format_date_zh(fields.date);
        } else if (p.text == "years") {
            const bool ok = fields.party_join_date && fields.party_join_date->ok() &&
                            fields.date.ok() &&
                            completed_years(*fields.party_join_date, fields.date) >= 0;
            if (!ok) {
                if (std::none_of(problems.begin(), problems.end(), [](const TemplateProblem& q) {
                        return q.code == TemplateErrc::missing_value;
                    })) {
                    problems.push_back({TemplateErrc::missing_value, 0, "years"});
                }
                continue;
            }
            out += std::to_string(completed_years(*fields.party_join_date, fields.date));
        }
    }
    if (!problems.empty()) {
        TemplateError err;
        err.detail = describe(problems);
        err.problems = std::move(problems);
        return cunxin::unexpected(std::move(err));
    }
    return out;
}

}  // namespace cunxin::messaging

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Message templates: "{name}同志，您好！今天是您入党{years}周年纪念日。" (pure).
///
/// Placeholders: {name} {village} {role} {years} {date}, with Chinese aliases {姓名}
/// {村} {村名} {职务} {党龄} {年数} {日期}; spaces inside the braces are ignored.
/// "{{" and "}}" give literal braces. Full-width braces ｛｝ are plain text.
/// {years} = completed years since the Party-joining date on the given date;
/// {date} = the given date as "2026年7月1日".

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/result.hpp"

namespace cunxin::messaging {

/// Why a template cannot be used.
enum class TemplateErrc {
    unknown_placeholder,  ///< {foo}: not a known field
    empty_placeholder,    ///< {}
    unclosed_brace,       ///< "{name" without '}' (use "{{" for a literal brace)
    stray_close_brace,    ///< '}' without '{' (use "}}" for a literal brace)
    missing_value,        ///< render: {years} used but the recipient has no joining date
};

/// Short snake_case name ("unknown_placeholder").
const char* to_string(TemplateErrc code) noexcept;

/// One problem, with its byte offset in the template and the placeholder name if any.
struct TemplateProblem {
    TemplateErrc code = TemplateErrc::unknown_placeholder;
    std::size_t offset = 0;
    std::string name;
};

/// All problems found; `detail` is one English line listing them.
struct TemplateError {
    std::vector<TemplateProblem> problems;
    int gsm_code = -1;
    std::string detail;
};

/// The fields a placeholder can take, per recipient.
struct TemplateFields {
    std::string name;
    std::string village;
    std::string role;
    std::optional<std::chrono::year_month_day> party_join_date;
    std::chrono::year_month_day date{};  ///< "today" for {date} and {years}
};

/// Every problem of a template (empty = valid); unknown placeholders are all listed.
std::vector<TemplateProblem> validate_template(std::string_view tpl);

/// Canonical names ("name", "years"…) of the placeholders a valid template uses, once each,
/// in order of first use (so a caller knows whether joining dates are needed).
std::vector<std::string> placeholders_used(std::string_view tpl);

/// Renders a template for one recipient; fails on any validation problem or when {years}
/// is used without a joining date (or a date after `fields.date`).
cunxin::Expected<std::string, TemplateError> render_template(std::string_view tpl,
                                                             const TemplateFields& fields);

/// "2026年7月1日".
std::string format_date_zh(std::chrono::year_month_day d);

}  // namespace cunxin::messaging

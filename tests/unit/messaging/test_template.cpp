// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cunxin/messaging/template.hpp"

using namespace cunxin::messaging;
using namespace std::chrono;

namespace {

TemplateFields zhang() {
    TemplateFields f;
    f.name = "张三";
    f.village = "李家村";
    f.role = "村支书";
    f.party_join_date = year_month_day{year{1987}, month{7}, day{1}};
    f.date = year_month_day{year{2026}, month{7}, day{1}};
    return f;
}

}  // namespace

TEST_CASE("render_template fills every placeholder") {
    struct Row {
        const char* tpl;
        const char* out;
    };
    const Row rows[] = {
        {"{name}同志，您好！", "张三同志，您好！"},
        {"{village}{role}{name}", "李家村村支书张三"},
        {"今天是您入党{years}周年纪念日（{date}）。", "今天是您入党39周年纪念日（2026年7月1日）。"},
        {"{姓名}，{村}，{职务}，党龄{党龄}年，{日期}",
         "张三，李家村，村支书，党龄39年，2026年7月1日"},
        {"{ name }", "张三"},
        {"{Name}", "张三"},
        {"{　name　}", "张三"},
        {"{{name}}", "{name}"},
        {"{{", "{"},
        {"}}", "}"},
        {"{{{name}}}", "{张三}"},
        {"没有占位符", "没有占位符"},
        {"", ""},
        {"｛name｝", "｛name｝"},
        {"{name}{name}", "张三张三"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.tpl);
        CHECK(validate_template(r.tpl).empty());
        const auto got = render_template(r.tpl, zhang());
        REQUIRE(got.has_value());
        CHECK(*got == r.out);
    }
}

TEST_CASE("years counts completed years at the given date") {
    TemplateFields f = zhang();
    f.date = year_month_day{year{2026}, month{6}, day{30}};
    CHECK(*render_template("{years}", f) == "38");
    f.party_join_date = year_month_day{year{1984}, month{2}, day{29}};
    f.date = year_month_day{year{2025}, month{2}, day{28}};
    CHECK(*render_template("{years}", f) == "41");
    f.party_join_date = f.date;
    CHECK(*render_template("{years}", f) == "0");
}

TEST_CASE("validate_template lists every problem") {
    const auto p = validate_template("{name}{foo} {bar} {} {village x} }{ {");
    REQUIRE(p.size() == 7);
    CHECK(p[0].code == TemplateErrc::unknown_placeholder);
    CHECK(p[0].name == "foo");
    CHECK(p[0].offset == 6);
    CHECK(p[1].code == TemplateErrc::unknown_placeholder);
    CHECK(p[1].name == "bar");
    CHECK(p[2].code == TemplateErrc::empty_placeholder);
    CHECK(p[3].code == TemplateErrc::unknown_placeholder);
    CHECK(p[3].name == "village x");
    CHECK(p[4].code == TemplateErrc::stray_close_brace);
    CHECK(p[5].code == TemplateErrc::unclosed_brace);
    CHECK(p[6].code == TemplateErrc::unclosed_brace);

    struct Row {
        const char* tpl;
        TemplateErrc code;
    };
    const Row rows[] = {
        {"{name", TemplateErrc::unclosed_brace},
        {"{na{me}", TemplateErrc::unclosed_brace},
        {"name}", TemplateErrc::stray_close_brace},
        {"{}", TemplateErrc::empty_placeholder},
        {"{ }", TemplateErrc::empty_placeholder},
        {"{phone}", TemplateErrc::unknown_placeholder},
        {"{name|upper}", TemplateErrc::unknown_placeholder},
        {"{<script>}", TemplateErrc::unknown_placeholder},
    };
    for (const Row& r : rows) {
        CAPTURE(r.tpl);
        const auto probs = validate_template(r.tpl);
        REQUIRE(probs.size() >= 1);
        CHECK(probs[0].code == r.code);
        const auto rendered = render_template(r.tpl, zhang());
        REQUIRE_FALSE(rendered.has_value());
        CHECK(rendered.error().problems.size() == probs.size());
        CHECK(rendered.error().detail.find(to_string(r.code)) != std::string::npos);
    }
}

TEST_CASE("render_template: {years} needs a joining date not after the date") {
    TemplateFields f = zhang();
    f.party_join_date.reset();
    auto r = render_template("{name}入党{years}年", f);
    REQUIRE_FALSE(r.has_value());
    REQUIRE(r.error().problems.size() == 1);
    CHECK(r.error().problems[0].code == TemplateErrc::missing_value);
    CHECK(r.error().problems[0].name == "years");
    CHECK(*render_template("{name}您好", f) == "张三您好");  // not needed: fine

    f.party_join_date = year_month_day{year{2030}, month{1}, day{1}};
    CHECK_FALSE(render_template("{years}", f).has_value());
    f.party_join_date = year_month_day{year{2001}, month{2}, day{30}};
    CHECK_FALSE(render_template("{years}{years}", f).has_value());
    CHECK(render_template("{years}{years}", f).error().problems.size() == 1);
}

TEST_CASE("placeholders_used") {
    CHECK(placeholders_used("{name}{years}{姓名}{{date}}") ==
          std::vector<std::string>{"name", "years"});
    CHECK(placeholders_used("plain").empty());
    CHECK(placeholders_used("{foo}{village}") == std::vector<std::string>{"village"});
}

TEST_CASE("hostile templates do not crash") {
    const std::string inputs[] = {std::string(10000, '{'), std::string(10000, '}'), "\xFF{\xFE}",
                                  std::string("{name\0}", 7), std::string(5000, 'a') + "{name}"};
    for (const std::string& t : inputs) {
        CAPTURE(t.size());
        (void)validate_template(t);
        (void)render_template(t, zhang());
    }
    CHECK(*render_template(std::string(5000, 'a') + "{name}", zhang()) ==
          std::string(5000, 'a') + "张三");
    CHECK(validate_template(std::string(10000, '{')).empty());  // 5000 escaped braces
    CHECK(format_date_zh(year_month_day{year{2026}, month{1}, day{9}}) == "2026年1月9日");
}

// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>

#include "cunxin/messaging/reply_menu.hpp"

using namespace cunxin::messaging;

namespace {

struct Row {
    const char* text;
    const char* code;  ///< nullptr: no code
    const char* body;
};

void check_rows(const ReplyMenu& menu, const Row* begin, const Row* end) {
    for (const Row* r = begin; r != end; ++r) {
        CAPTURE(r->text);
        const Classification c = classify(r->text, menu);
        if (r->code == nullptr) {
            CHECK_FALSE(c.code.has_value());
        } else {
            REQUIRE(c.code.has_value());
            CHECK(*c.code == r->code);
        }
        CHECK(c.body == r->body);
    }
}

}  // namespace

TEST_CASE("default menu") {
    const ReplyMenu m = default_reply_menu();
    REQUIRE(m.items.size() == 3);
    CHECK(m.items[0].code == "01");
    CHECK(m.items[0].label_zh == "政策咨询");
    CHECK(m.items[1].label_zh == "意见建议");
    CHECK(m.items[2].label_zh == "反映情况");
    CHECK(validate_menu(m).empty());
}

TEST_CASE("classify recognises codes in the forms people type") {
    const ReplyMenu m = default_reply_menu();
    const Row rows[] = {
        {"03：三组的灌溉水渠堵了", "03", "三组的灌溉水渠堵了"},  // a Chinese numeral starts the text
        {"三，三组水渠堵了", "03", "三组水渠堵了"},
        {"02 村口路灯坏了", "02", "村口路灯坏了"},
        {"02村口路灯坏了", "02", "村口路灯坏了"},
        {"2 村口路灯坏了", "02", "村口路灯坏了"},
        {"2、路灯", "02", "路灯"},
        {"2，路灯", "02", "路灯"},
        {"2,路灯", "02", "路灯"},
        {"2.路灯", "02", "路灯"},
        {"2。路灯", "02", "路灯"},
        {"2:路灯", "02", "路灯"},
        {"2：路灯", "02", "路灯"},
        {"2-路灯", "02", "路灯"},
        {"2 - 路灯", "02", "路灯"},
        {"2）路灯", "02", "路灯"},
        {"2)路灯", "02", "路灯"},
        {"02\n村口路灯坏了", "02", "村口路灯坏了"},
        {"０２ 路灯", "02", "路灯"},
        {"２、路灯", "02", "路灯"},
        {"００２ 路灯", "02", "路灯"},
        {"002 路灯", "02", "路灯"},
        {"二：路灯", "02", "路灯"},
        {"二、路灯", "02", "路灯"},
        {"二 路灯", "02", "路灯"},
        {"〇二 路灯", "02", "路灯"},
        {"零二，路灯", "02", "路灯"},
        {"贰、路灯", "02", "路灯"},
        {"一", "01", ""},
        {"一。", "01", ""},
        {"三！村里的井干了", "03", "村里的井干了"},
        {"【3】反映", "03", "反映"},
        {"【3】 反映", "03", "反映"},
        {"【03】反映", "03", "反映"},
        {"【三】反映", "03", "反映"},
        {"【 3 】反映", "03", "反映"},
        {"[2]路灯", "02", "路灯"},
        {"(1) 低保政策", "01", "低保政策"},
        {"（1）低保政策", "01", "低保政策"},
        {"「1」低保政策", "01", "低保政策"},
        {"1", "01", ""},
        {"01", "01", ""},
        {"  01  ", "01", ""},
        {"\xE3\x80\x80"
         "01　低保怎么申请？",
         "01", "低保怎么申请？"},
        {"1 3点在村委会开会吗", "01", "3点在村委会开会吗"},
        {"3 点开会", "03", "点开会"},
        {"3:路灯", "03", "路灯"},
        {"02 <script>alert(1)</script>", "02", "<script>alert(1)</script>"},
        {"02 👍👍", "02", "👍👍"},
        {"1、2、3", "01", "2、3"},
    };
    check_rows(m, std::begin(rows), std::end(rows));
}

TEST_CASE("classify leaves numbers in free text alone") {
    const ReplyMenu m = default_reply_menu();
    const Row rows[] = {
        {"2024年的补贴什么时候发", nullptr, "2024年的补贴什么时候发"},
        {"2年了还没修", nullptr, "2年了还没修"},
        {"12 户没有通水", nullptr, "12 户没有通水"},
        {"12户没有通水", nullptr, "12户没有通水"},
        {"3点开会", nullptr, "3点开会"},
        {"3号楼停电", nullptr, "3号楼停电"},
        {"2人受伤", nullptr, "2人受伤"},
        {"3万元", nullptr, "3万元"},
        {"1个问题", nullptr, "1个问题"},
        {"2.5万亩", nullptr, "2.5万亩"},
        {"3:30开会", nullptr, "3:30开会"},
        {"1-2户", nullptr, "1-2户"},
        {"1/2", nullptr, "1/2"},
        {"3%", nullptr, "3%"},
        {"5G信号差", nullptr, "5G信号差"},
        {"2B", nullptr, "2B"},
        {"13800138000", nullptr, "13800138000"},
        {"138 0013 8000 是我的新号码", nullptr, "138 0013 8000 是我的新号码"},
        {"+8613800138000", nullptr, "+8613800138000"},
        {"一定要修路", nullptr, "一定要修路"},
        {"一直没人管", nullptr, "一直没人管"},
        {"二手车", nullptr, "二手车"},
        {"三天了", nullptr, "三天了"},
        {"三农问题", nullptr, "三农问题"},
        {"十分感谢", nullptr, "十分感谢"},
        {"4 路灯", nullptr, "4 路灯"},  // no code 04 in the menu
        {"四、路灯", nullptr, "四、路灯"},
        {"0", nullptr, "0"},
        {"10", nullptr, "10"},
        {"【3", nullptr, "【3"},
        {"【3反映", nullptr, "【3反映"},
        {"【】", nullptr, "【】"},
        {"路灯坏了 02", nullptr, "路灯坏了 02"},
        {"2👍", nullptr, "2👍"},
        {"<b>2</b>", nullptr, "<b>2</b>"},
        {"", nullptr, ""},
        {"   ", nullptr, ""},
        {"\xE3\x80\x80\t\n", nullptr, ""},
        {"谢谢", nullptr, "谢谢"},
    };
    check_rows(m, std::begin(rows), std::end(rows));
}

TEST_CASE("classify with a configured menu (Hubei order, two-digit codes)") {
    ReplyMenu m;
    m.items.push_back({"01", "意见建议", "Opinion", "", false});
    m.items.push_back({"02", "政策咨询", "Policy", "", false});
    m.items.push_back({"12", "其他", "Other", "", false});
    m.items.push_back({"4", "求助", "Help", "已收到", true});
    CHECK(validate_menu(m).empty());
    const Row rows[] = {
        {"12 户没有通水", "12", "户没有通水"},
        {"十二、其他事", "12", "其他事"},
        {"一二 其他事", "12", "其他事"},
        {"4 路灯", "4", "路灯"},
        {"04 路灯", "4", "路灯"},
        {"四：路灯", "4", "路灯"},
        {"3 路灯", nullptr, "3 路灯"},
        {"12户没有通水", nullptr, "12户没有通水"},
    };
    check_rows(m, std::begin(rows), std::end(rows));
    REQUIRE(find_item(m, "004") != nullptr);
    CHECK(find_item(m, "004")->label_zh == "求助");
    CHECK(find_item(m, "3") == nullptr);
    CHECK(find_item(m, "x") == nullptr);
    CHECK(find_item(m, "") == nullptr);
}

TEST_CASE("validate_menu finds bad menus") {
    ReplyMenu m;
    m.items.push_back({"2", "a", "", "", false});
    m.items.push_back({"02", "b", "", "", false});
    m.items.push_back({"x1", "c", "", "", false});
    m.items.push_back({"1234", "d", "", "", false});
    m.items.push_back({"5", "", "", "", false});
    CHECK(validate_menu(m).size() == 4);
    CHECK(validate_menu(ReplyMenu{}).empty());
}

TEST_CASE("classify never crashes on hostile input and returns valid UTF-8") {
    const ReplyMenu m = default_reply_menu();
    const std::string inputs[] = {
        std::string("\xFF\xFE\xFD"),
        std::string("02 \xE6\x9D"),  // truncated 3-byte sequence
        std::string("\xC0\x80"
                    "02"),                 // overlong NUL
        std::string("02 \xED\xA0\x80 x"),  // UTF-16 surrogate encoded in UTF-8
        std::string("\0\0\0", 3),
        std::string("02\0abc", 6),
        std::string(100000, '2'),
        "02 " + std::string(50000, 'x'),
        std::string(3000, '\xE3'),
        "【【【【【2】】】】",
        "十十十",
        "二十一 x",
        "\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
    };
    for (const std::string& in : inputs) {
        CAPTURE(in.size());
        const Classification c = classify(in, m);
        // body never grows beyond the input (U+FFFD is 3 bytes per bad byte at most)
        CHECK(c.body.size() <= in.size() * 3);
        CHECK(c.body.find('\xFF') == std::string::npos);
    }
    CHECK(classify(std::string(100000, '2'), m).code == std::nullopt);
    const Classification trunc = classify(std::string("02 \xE6\x9D"), m);
    REQUIRE(trunc.code.has_value());
    CHECK(trunc.body == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(classify("二十一 x", m).code == std::nullopt);
    CHECK(classify(std::string("02\0abc", 6), m).code == std::nullopt);
}

TEST_CASE("opt-out and opt-in keywords: whole message, case and width insensitive") {
    struct Kw {
        const char* text;
        bool out;
        bool in;
    };
    const Kw rows[] = {
        {"退订", true, false},        {" 退订 ", true, false},     {"退订。", true, false},
        {"TD", true, false},          {"td", true, false},         {"Td", true, false},
        {"ＴＤ", true, false},        {"ｔｄ", true, false},       {"T", true, false},
        {"t", true, false},           {"STOP", true, false},       {"stop!", true, false},
        {"Stop.", true, false},       {"取消订阅", true, false},   {"\xE2\x80\x8BTD", true, false},
        {"订阅", false, true},        {"START", false, true},      {"start", false, true},
        {"恢复", false, true},        {"恢复订阅", false, true},   {"ｓｔａｒｔ", false, true},
        {"请不要退订", false, false}, {"退订 谢谢", false, false}, {"TD1", false, false},
        {"STOPPED", false, false},    {"我想订阅", false, false},  {"", false, false},
        {"   ", false, false},        {"。", false, false},        {"TDD", false, false},
        {"\xFF", false, false},
    };
    for (const Kw& r : rows) {
        CAPTURE(r.text);
        CHECK(is_opt_out(r.text) == r.out);
        CHECK(is_opt_in(r.text) == r.in);
    }
    CHECK_FALSE(is_opt_out(std::string(1000, 'T')));
    Keywords custom;
    custom.opt_out = {"不要再发"};
    CHECK(is_opt_out("不要再发！", custom));
    CHECK_FALSE(is_opt_out("TD", custom));
}

TEST_CASE("fold_for_match") {
    CHECK(fold_for_match("ａｂｃ１２３") == "ABC123");
    CHECK(fold_for_match("\xE3\x80\x80 x \t") == "X");
    CHECK(fold_for_match("中文") == "中文");
    CHECK(fold_for_match("\xFF") == "\xEF\xBF\xBD");
    CHECK(fold_for_match("") == "");
}

TEST_CASE("classify: random mixes of codes, numerals, brackets and junk never crash") {
    // Deterministic pseudo-random texts built from the pieces the parser looks at.
    const char* pieces[] = {
        "0",  "2",  "02", "０", "２",   "一",   "二",   "十", "〇", "零",   "【",
        "】", "(",  "）", " ",  "　",   "、",   ".",    ":",  "-",  "年",   "点",
        "路", "灯", "A",  "😀",  "\xFF", "\xE6", "\x80", "\n", "TD", "退订", "\xE2\x80\x8B",
        "",   "9",  "[",  "]",  "<",    ">",    "'"};
    const ReplyMenu m = default_reply_menu();
    std::uint32_t state = 12345;
    auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    int classified = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text;
        const int n = static_cast<int>(next() % 8);
        for (int k = 0; k < n; ++k) text += pieces[next() % std::size(pieces)];
        const Classification c = classify(text, m);
        if (c.code) {
            ++classified;
            CHECK(find_item(m, *c.code) != nullptr);
        }
        CHECK(c.body.size() <= text.size() * 3);
        (void)is_opt_out(text);
        (void)is_opt_in(text);
    }
    CHECK(classified > 0);
}

// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iconv.h>
#include <iterator>
#include <string>
#include <vector>

#include "cunxin/messaging/csv.hpp"

using namespace cunxin::messaging;
using namespace std::chrono;

namespace {

std::string read_data(const std::string& name) {
    const std::string path = std::string(CUNXIN_SOURCE_DIR) + "/tests/unit/messaging/data/" + name;
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

year_month_day ymd(int y, unsigned m, unsigned d) {
    return year_month_day{year{y}, month{m}, day{d}};
}

const Rejection* rejection_of(const ContactImport& imp, std::size_t row) {
    for (const Rejection& r : imp.rejections) {
        if (r.row == row) return &r;
    }
    return nullptr;
}

/// The Chinese fixture is the same text in UTF-8+BOM and in GB18030: same expectations.
void check_chinese_fixture(const ContactImport& imp) {
    CHECK(imp.rows_total == 11);
    CHECK(imp.rows_rejected == 5);
    REQUIRE(imp.accepted.size() == 6);
    CHECK(imp.ignored_columns.empty());

    const ContactRow& a = imp.accepted[0];
    CHECK(a.row == 2);
    CHECK(a.name == "张建国");
    CHECK(a.msisdn == "+8613800138000");
    CHECK(a.village == "李家村");
    CHECK(a.role == "村支书");
    CHECK(a.party_join_date == ymd(1987, 7, 1));
    CHECK(a.tags == std::vector<std::string>{"村干部", "党员"});
    CHECK(a.notes == "老支书");
    CHECK_FALSE(a.opted_out);

    CHECK(imp.accepted[1].msisdn == "+8613912345678");
    CHECK(imp.accepted[1].party_join_date == ymd(2001, 7, 1));
    CHECK(imp.accepted[2].msisdn == "+8618612345678");
    CHECK(imp.accepted[2].party_join_date == ymd(2001, 7, 1));
    CHECK(imp.accepted[2].notes == "备注里有逗号,还有\"引号\"");
    CHECK(imp.accepted[2].role.empty());
    CHECK(imp.accepted[3].msisdn == "+8615912345678");
    CHECK(imp.accepted[3].notes == "多行备注\r\n第二行");
    CHECK(imp.accepted[3].tags == std::vector<std::string>{"村干部", "财务"});
    CHECK(imp.accepted[3].party_join_date == ymd(2001, 7, 1));
    CHECK(imp.accepted[4].row == 11);
    CHECK(imp.accepted[4].party_join_date == ymd(2001, 7, 1));  // Excel serial 37073
    CHECK(imp.accepted[5].row == 13);
    CHECK(imp.accepted[5].name == "冯䶮");
    CHECK(imp.accepted[5].party_join_date == ymd(1984, 2, 29));

    struct Row {
        std::size_t row;
        const char* column;
        RejectReason reason;
        const char* zh_part;
    };
    const Row rows[] = {
        {6, "mobile", RejectReason::duplicate_mobile, "与第2行的手机号重复"},
        {7, "name", RejectReason::missing_name, "缺少姓名"},
        {8, "mobile", RejectReason::bad_mobile, "固定电话"},
        {9, "party_join_date", RejectReason::bad_date, "日期无法识别"},
        {10, "mobile", RejectReason::bad_mobile, "科学计数法"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.row);
        const Rejection* j = rejection_of(imp, r.row);
        REQUIRE(j != nullptr);
        CHECK(j->column == r.column);
        CHECK(j->reason == r.reason);
        CHECK(j->reason_zh.find(r.zh_part) != std::string::npos);
        CHECK(j->reason_zh.find("第" + std::to_string(r.row) + "行") == 0);
        CHECK(j->reason_en.find("row " + std::to_string(r.row)) == 0);
    }
    CHECK(imp.rejections.size() == 5);
}

}  // namespace

TEST_CASE("import: Excel CSV UTF-8 (BOM, CRLF, quoting, embedded newline)") {
    const auto imp = import_contacts_csv(read_data("contacts-utf8-bom-crlf.csv"));
    REQUIRE(imp.has_value());
    CHECK(imp->encoding == TextEncoding::Utf8Bom);
    check_chinese_fixture(*imp);
}

TEST_CASE("import: GB18030 file (Chinese Windows Excel/WPS) is detected and converted") {
    const std::string bytes = read_data("contacts-gb18030-crlf.csv");
    TextEncoding enc = TextEncoding::Utf8;
    const auto text = decode_text(bytes, enc);
    REQUIRE(text.has_value());
    CHECK(enc == TextEncoding::Gb18030);
    CHECK(std::string(to_string(enc)) == "gb18030");
    CHECK(text->substr(0, 6) == "姓名");
    const auto imp = import_contacts_csv(bytes);
    REQUIRE(imp.has_value());
    CHECK(imp->encoding == TextEncoding::Gb18030);
    check_chinese_fixture(*imp);
}

TEST_CASE("import: English headers, LF, no BOM, opted_out flags") {
    const auto imp = import_contacts_csv(read_data("contacts-utf8-nobom-lf.csv"));
    REQUIRE(imp.has_value());
    CHECK(imp->encoding == TextEncoding::Utf8);
    REQUIRE(imp->accepted.size() == 2);
    CHECK(imp->accepted[0].name == "Zhang Jianguo");
    CHECK(imp->accepted[0].tags == std::vector<std::string>{"cadre", "member"});
    CHECK_FALSE(imp->accepted[0].opted_out);
    CHECK(imp->accepted[1].opted_out);
    CHECK(imp->accepted[1].party_join_date == ymd(2001, 7, 1));
    REQUIRE(imp->rejections.size() == 1);
    CHECK(imp->rejections[0].row == 4);
    CHECK(imp->rejections[0].reason == RejectReason::bad_flag);
    CHECK(imp->rejections[0].value == "maybe");
}

TEST_CASE("import: GBK tab-separated text is read too") {
    const auto imp = import_contacts_csv(read_data("contacts-gbk-tab.txt"));
    REQUIRE(imp.has_value());
    CHECK(imp->encoding == TextEncoding::Gb18030);
    REQUIRE(imp->accepted.size() == 1);
    CHECK(imp->accepted[0].name == "张三");
    CHECK(imp->accepted[0].village == "李家村");
}

TEST_CASE("import: whole-file errors are clear and never throw") {
    struct Row {
        std::string bytes;
        CsvErrc code;
        std::size_t row;
    };
    const Row rows[] = {
        {read_data("broken-unterminated-quote.csv"), CsvErrc::unterminated_quote, 3},
        {read_data("broken-text-after-quote.csv"), CsvErrc::bad_quote, 2},
        {read_data("missing-mobile-column.csv"), CsvErrc::missing_column, 1},
        {read_data("contacts-utf16le.txt"), CsvErrc::bad_encoding, 0},
        {"", CsvErrc::empty_input, 0},
        {"\r\n\r\n,,,\r\n", CsvErrc::empty_input, 0},
        {"\xEF\xBB\xBF", CsvErrc::empty_input, 0},
        {"\xFF\xFF\xFF\xFF", CsvErrc::bad_encoding, 0},
        {"\xEF\xBB\xBF姓名,手机号\n\xFF\n", CsvErrc::bad_encoding, 0},
        {"手机号,村\n13800138000,x\n", CsvErrc::missing_column, 1},
        {"\"", CsvErrc::unterminated_quote, 1},
    };
    for (const Row& r : rows) {
        CAPTURE(r.bytes.size());
        const auto imp = import_contacts_csv(r.bytes);
        REQUIRE_FALSE(imp.has_value());
        CHECK(imp.error().code == r.code);
        CHECK(imp.error().row == r.row);
        CHECK_FALSE(imp.error().detail.empty());
        CHECK_FALSE(imp.error().detail_zh.empty());
    }
}

TEST_CASE("import: header variants, ignored columns, blank rows, future dates") {
    const std::string csv =
        "\n序号, 姓名* ,手机号码（必填）,所在村,入党时间(格式：2001-07-01),其他\n"
        "1,张三,13800138000,李家村,2030-01-01,x\n"
        "2,李四,13900139000,李家村,2020-01-01,y\n"
        ",,,,,\n"
        "3,王五,'13700137000,,,\n";
    ImportOptions opt;
    opt.today = ymd(2026, 11, 22);
    const auto imp = import_contacts_csv(csv, opt);
    REQUIRE(imp.has_value());
    CHECK(imp->ignored_columns == std::vector<std::string>{"序号", "其他"});
    CHECK(imp->rows_total == 3);
    REQUIRE(imp->rejections.size() == 1);
    CHECK(imp->rejections[0].row == 3);  // header on row 2 after a blank row 1
    CHECK(imp->rejections[0].reason == RejectReason::bad_date);
    CHECK(imp->rejections[0].reason_zh.find("晚于今天") != std::string::npos);
    REQUIRE(imp->accepted.size() == 2);
    CHECK(imp->accepted[0].name == "李四");
    CHECK(imp->accepted[0].row == 4);
    CHECK(imp->accepted[1].row == 6);
    CHECK(imp->accepted[1].msisdn == "+8613700137000");  // '1370… typed to force text
}

TEST_CASE("import: short rows, long rows and a row with every problem") {
    const std::string csv =
        "姓名,手机号,入党日期,已退订\n"
        "张三\n"
        "李四,13800138000,2001-07-01,否,extra,cells\n"
        ",abc,yesterday,perhaps\n";
    const auto imp = import_contacts_csv(csv);
    REQUIRE(imp.has_value());
    REQUIRE(imp->accepted.size() == 1);
    CHECK(imp->accepted[0].name == "李四");
    CHECK(imp->rows_rejected == 2);
    REQUIRE(imp->rejections.size() == 5);
    CHECK(imp->rejections[0].reason == RejectReason::missing_mobile);
    CHECK(imp->rejections[1].reason == RejectReason::missing_name);
    CHECK(imp->rejections[2].reason == RejectReason::bad_mobile);
    CHECK(imp->rejections[3].reason == RejectReason::bad_date);
    CHECK(imp->rejections[4].reason == RejectReason::bad_flag);
    for (const Rejection& r : imp->rejections) CHECK(std::string(to_string(r.reason)).size() > 0);
}

TEST_CASE("parse_csv: RFC 4180 details") {
    struct Row {
        const char* in;
        std::vector<std::vector<std::string>> out;
    };
    const Row rows[] = {
        {"a,b\r\nc,d\r\n", {{"a", "b"}, {"c", "d"}}},
        {"a,b\nc,d", {{"a", "b"}, {"c", "d"}}},
        {"a,b\rc,d\r", {{"a", "b"}, {"c", "d"}}},
        {"\"a,1\",\"b\"\"q\"\"\"\n", {{"a,1", "b\"q\""}}},
        {"\"line1\r\nline2\",x\r\n", {{"line1\r\nline2", "x"}}},
        {"a,,c\n", {{"a", "", "c"}}},
        {"a,b,\n", {{"a", "b", ""}}},
        {",\n", {{"", ""}}},
        {"\n\n", {{""}, {""}}},
        {"\"\"\n", {{""}}},
        {"a\"b,c\n", {{"a\"b", "c"}}},
        {"\"a\" ,b\n", {{"a", "b"}}},
        {"x", {{"x"}}},
        {"", {}},
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        const auto got = parse_csv(r.in);
        REQUIRE(got.has_value());
        CHECK(*got == r.out);
    }
}

TEST_CASE("parse_date: spreadsheet date forms") {
    struct Row {
        const char* in;
        int y;
        unsigned m, d;
    };
    const Row good[] = {
        {"2001-07-01", 2001, 7, 1},       {"2001/7/1", 2001, 7, 1},
        {"2001.7.1", 2001, 7, 1},         {"2001年7月1日", 2001, 7, 1},
        {"2001年07月01日", 2001, 7, 1},   {"2001年7月1号", 2001, 7, 1},
        {"20010701", 2001, 7, 1},         {"37073", 2001, 7, 1},
        {"37073.5", 2001, 7, 1},          {"2001-07-01 00:00:00", 2001, 7, 1},
        {"2001/7/1 8:30", 2001, 7, 1},    {" 2001-7-1 ", 2001, 7, 1},
        {"２００１－７－１", 2001, 7, 1}, {"1984-02-29", 1984, 2, 29},
        {"1921-07-01", 1921, 7, 1},       {"10000", 1927, 5, 18},
        {"2001-7-1T00:00", 2001, 7, 1},   {"45658", 2025, 1, 1},
    };
    for (const Row& r : good) {
        CAPTURE(r.in);
        const auto d = parse_date(r.in);
        REQUIRE(d.has_value());
        CHECK(*d == ymd(r.y, r.m, r.d));
    }
    const char* bad[] = {"",           "2001",     "1987",      "2001-02-29",    "2001-13-01",
                         "2001-00-10", "2001-7",   "2001年7月", "7/1/2001",      "01/07/2001",
                         "01-7-1",     "20011301", "abc",       "2001-07-01-05", "1899-12-31",
                         "2200-01-01", "9999",     "109575",    "2001 07 01",    "2001-07-01x",
                         "-37073",     "1e5"};
    for (const char* b : bad) {
        CAPTURE(b);
        CHECK_FALSE(parse_date(b).has_value());
    }
}

TEST_CASE("export: BOM, CRLF, quoting, formula guard, national numbers, round trip") {
    std::vector<ContactRow> contacts(4);
    contacts[0].name = "张建国";
    contacts[0].msisdn = "+8613800138000";
    contacts[0].village = "李家村";
    contacts[0].role = "村支书";
    contacts[0].party_join_date = ymd(1987, 7, 1);
    contacts[0].tags = {"村干部", "党员"};
    contacts[0].notes = "第一行\r\n第二行, \"引号\"";
    contacts[1].name = "=HYPERLINK(\"http://evil\",\"点我\")";
    contacts[1].msisdn = "+8613912345678";
    contacts[1].notes = "-2+3";
    contacts[1].village = "@SUM(A1)";
    contacts[1].opted_out = true;
    contacts[2].name = "+cmd|' /C calc'!A0";
    contacts[2].msisdn = "+8618612345678";
    contacts[2].party_join_date = ymd(1984, 2, 29);
    contacts[3].name = "冯䶮";
    contacts[3].msisdn = "+8615012345678";
    contacts[3].role = "组长";

    const std::string out = export_contacts_csv(contacts);
    CHECK(out.substr(0, 3) == "\xEF\xBB\xBF");
    CHECK(out.find("姓名,手机号,村,职务,入党日期,标签,备注,已退订\r\n") == 3);
    CHECK(out.find("张建国,13800138000,李家村,村支书,1987-07-01,村干部;党员,") !=
          std::string::npos);
    CHECK(out.find("\"第一行\r\n第二行, \"\"引号\"\"\"") != std::string::npos);
    CHECK(out.find("\"'=HYPERLINK(\"\"http://evil\"\",\"\"点我\"\")\"") != std::string::npos);
    CHECK(out.find(",'@SUM(A1),") != std::string::npos);
    CHECK(out.find(",'-2+3,") != std::string::npos);
    CHECK(out.find("+86") == std::string::npos);
    // every line ends in CRLF: no bare LF outside the quoted note
    std::size_t bare_lf = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) ++bare_lf;
    }
    CHECK(bare_lf == 0);

    const auto back = import_contacts_csv(out);
    REQUIRE(back.has_value());
    CHECK(back->encoding == TextEncoding::Utf8Bom);
    CHECK(back->rejections.empty());
    REQUIRE(back->accepted.size() == contacts.size());
    for (std::size_t i = 0; i < contacts.size(); ++i) {
        CAPTURE(i);
        const ContactRow& a = contacts[i];
        const ContactRow& b = back->accepted[i];
        CHECK(b.name == a.name);
        CHECK(b.msisdn == a.msisdn);
        CHECK(b.village == a.village);
        CHECK(b.role == a.role);
        CHECK(b.party_join_date == a.party_join_date);
        CHECK(b.tags == a.tags);
        CHECK(b.notes == a.notes);
        CHECK(b.opted_out == a.opted_out);
        CHECK(b.row == i + 2);
    }

    ExportOptions en;
    en.chinese_headers = false;
    const std::string out_en = export_contacts_csv(contacts, en);
    CHECK(out_en.find("name,mobile,village,role,party_join_date,tags,notes,opted_out\r\n") == 3);
    const auto back_en = import_contacts_csv(out_en);
    REQUIRE(back_en.has_value());
    CHECK(back_en->accepted.size() == contacts.size());
    CHECK(back_en->accepted[1].opted_out);
}

TEST_CASE("csv_cell and to_csv") {
    struct Row {
        const char* in;
        const char* out;
    };
    const Row rows[] = {
        {"plain", "plain"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"=1+1", "'=1+1"},
        {"+1", "'+1"},
        {"-1", "'-1"},
        {"@x", "'@x"},
        {"\tx", "'\tx"},
        {"=a,b", "\"'=a,b\""},
        {"中文", "中文"},
        {"line\nbreak", "\"line\nbreak\""},
        {" padded ", "\" padded \""},
    };
    for (const Row& r : rows) {
        CAPTURE(r.in);
        CHECK(csv_cell(r.in) == r.out);
    }
    CHECK(to_csv({{"a", "b"}, {"1", "2"}}, false) == "a,b\r\n1,2\r\n");
    CHECK(to_csv({}, true) == "\xEF\xBB\xBF");
}

TEST_CASE("import survives hostile bytes") {
    std::string big = "姓名,手机号\n";
    for (int i = 0; i < 2000; ++i)
        big += "张三" + std::to_string(i) + ",1380013" + std::to_string(1000 + i) + "\n";
    const auto imp = import_contacts_csv(big);
    REQUIRE(imp.has_value());
    CHECK(imp->accepted.size() == 2000);

    const std::string inputs[] = {
        std::string(10000, '"'),
        std::string(10000, ','),
        std::string("姓名,手机号\n\0\0\0,\0\n", 24),
        "姓名,手机号\n" + std::string(100000, 'x') + ",13800138000\n",
        "\x81\x30\x81",  // truncated GB18030 four-byte sequence
    };
    for (const std::string& in : inputs) {
        CAPTURE(in.size());
        (void)import_contacts_csv(in);
    }
    CHECK_FALSE(import_contacts_csv("\x81\x30\x81").has_value());
}

TEST_CASE("import: random CSV-ish bytes never crash and errors name a row") {
    const char* pieces[] = {"姓名",       "手机号", ",",        "\"",          "\"\"",
                            "\r\n",       "\n",     "\r",       "13800138000", "张三",
                            "2001-07-01", "\xFF",   "\xD5\xC5", "\t",          ";",
                            "'",          "=",      " ",        "37073",       "\xEF\xBB\xBF"};
    std::uint32_t state = 777;
    auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    int ok = 0;
    for (int i = 0; i < 2000; ++i) {
        std::string bytes = "姓名,手机号\n";
        const int n = static_cast<int>(next() % 24);
        for (int k = 0; k < n; ++k) bytes += pieces[next() % std::size(pieces)];
        const auto imp = import_contacts_csv(bytes);
        if (imp) {
            ++ok;
            CHECK(imp->accepted.size() + imp->rows_rejected == imp->rows_total);
        } else {
            CHECK_FALSE(imp.error().detail.empty());
        }
    }
    CHECK(ok > 0);
}

TEST_CASE("import: a title row above the header is skipped and columns are named in Chinese") {
    const std::string csv =
        "东风镇党员花名册,,,\r\n"
        ",,,\r\n"
        "姓名,手机号,村,入党日期\r\n"
        "张建国,13912340001,东风村,1985-07-01\r\n"
        "王小明,12345,西河村,\r\n"
        "赵四海,13912340004,西河村,2027-07-01\r\n";
    ImportOptions opt;
    opt.today = ymd(2026, 12, 6);
    const auto imp = import_contacts_csv(csv, opt);
    REQUIRE(imp);
    CHECK(imp->header_row == 3);
    CHECK(imp->rows_total == 3);
    REQUIRE(imp->accepted.size() == 1);
    CHECK(imp->accepted[0].row == 4);
    const Rejection* bad = rejection_of(*imp, 5);
    REQUIRE(bad != nullptr);
    CHECK(bad->column == "mobile");
    CHECK(bad->column_zh == "手机号");
    const Rejection* future = rejection_of(*imp, 6);
    REQUIRE(future != nullptr);
    CHECK(future->column_zh == "入党日期");
    CHECK(future->reason == RejectReason::bad_date);
    // No header within the first rows: the error names the missing column.
    std::string late;
    for (int i = 0; i < 12; ++i) late += "标题\r\n";
    late += "姓名,手机号\r\n张三,13800138000\r\n";
    const auto no = import_contacts_csv(late);
    REQUIRE_FALSE(no);
    CHECK(no.error().code == CsvErrc::missing_column);
    CHECK(no.error().row == 1);
}

TEST_CASE("import: the streaming reader gives batches, finds duplicates across them and refuses too many rows") {
    std::string csv = "姓名,手机号\n";
    for (int i = 0; i < 2500; ++i) csv += "人" + std::to_string(i) + "," + std::to_string(13'800'000'000LL + i) + "\n";
    csv += "重复,13800000000\n";
    auto reader = ContactCsvReader::open(csv);
    REQUIRE(reader);
    std::vector<ContactRow> batch;
    std::vector<Rejection> rejections;
    std::size_t accepted = 0;
    int batches = 0;
    for (;;) {
        auto more = reader->next(batch, rejections, 1000);
        REQUIRE(more);
        CHECK(batch.size() <= 1000);
        accepted += batch.size();
        ++batches;
        if (!*more) break;
    }
    CHECK(batches == 3);
    CHECK(accepted == 2500);
    CHECK(reader->rows_total == 2501);
    REQUIRE(rejections.size() == 1);
    CHECK(rejections[0].reason == RejectReason::duplicate_mobile);
    CHECK(rejections[0].row == 2502);
    // Rewound, the same rows come again (no duplicate carried over from the first pass).
    reader->rewind();
    std::vector<Rejection> again;
    std::size_t accepted_again = 0;
    for (;;) {
        auto more = reader->next(batch, again, 4096);
        REQUIRE(more);
        accepted_again += batch.size();
        if (!*more) break;
    }
    CHECK(accepted_again == 2500);
    CHECK(again.size() == 1);
    CHECK(reader->rows_total == 2501);

    std::string huge = "name,mobile\n";
    huge.reserve((kMaxImportRows + 2) * 4);
    for (std::size_t i = 0; i <= kMaxImportRows; ++i) huge += "a,1\n";
    const auto too_many = import_contacts_csv(huge);
    REQUIRE_FALSE(too_many);
    CHECK(too_many.error().code == CsvErrc::too_many_rows);
    CHECK(too_many.error().row == kMaxImportRows + 2);
}

TEST_CASE("import: records that straddle the reader's pieces are read whole, in UTF-8 and in GB18030") {
    // About 3 MB: quoted cells with commas, doubled quotes and CRLF inside, rows of varying length,
    // so the 256 KB piece boundaries fall inside quotes, between CR and LF and inside characters.
    std::string csv = "姓名,手机号,村,备注\r\n";
    const int rows = 30000;
    for (int i = 0; i < rows; ++i) {
        csv += "\"王,\"\"" + std::to_string(i) + "\"\"\"," + std::to_string(13'900'000'000LL + i) + ",\"东村\r\n" +
               std::string(static_cast<std::size_t>(i % 37), 'x') + "\"," + std::string(static_cast<std::size_t>(i % 53), '\x01') + "\r\n";
    }
    // The notes column above is made of placeholder bytes 0x01: replace them by a Chinese character.
    std::string utf8;
    for (char c : csv) {
        if (c == '\x01') utf8 += "备"; else utf8 += c;
    }
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
    std::string gbk(utf8.size() + 16, '\0');
    char* src = utf8.data();
    std::size_t src_left = utf8.size();
    char* dst = gbk.data();
    std::size_t dst_left = gbk.size();
    REQUIRE(iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1));
    iconv_close(cd);
    gbk.resize(gbk.size() - dst_left);
    for (const std::string* file : {&utf8, &gbk}) {
        CAPTURE(file->size());
        REQUIRE(file->size() > 2'000'000u);
        const auto imp = import_contacts_csv(*file);
        REQUIRE(imp);
        CHECK(imp->encoding == (file == &utf8 ? TextEncoding::Utf8 : TextEncoding::Gb18030));
        REQUIRE(imp->accepted.size() == static_cast<std::size_t>(rows));
        CHECK(imp->rejections.empty());
        bool all_equal = true;
        for (int i = 0; i < rows && all_equal; ++i) {
            const auto& c = imp->accepted[static_cast<std::size_t>(i)];
            std::string notes;
            for (int k = 0; k < i % 53; ++k) notes += "备";
            all_equal = c.name == "王,\"" + std::to_string(i) + "\"" && c.row == static_cast<std::size_t>(i + 2) &&
                        c.village == "东村\r\n" + std::string(static_cast<std::size_t>(i % 37), 'x') && c.notes == notes;
            if (!all_equal) {
                CAPTURE(i);
                CHECK(c.name == "王,\"" + std::to_string(i) + "\"");
                CHECK(c.row == static_cast<std::size_t>(i + 2));
            }
        }
        CHECK(all_equal);
    }
}

// SPDX-License-Identifier: Apache-2.0
// Parser tables: one row per device reply form (quirk).
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cunxin/at/framing.hpp"
#include "cunxin/at/gsm_errors.hpp"
#include "cunxin/at/parsers.hpp"
#include "cunxin/at/transcript.hpp"

using namespace cunxin::at;

namespace {
long long unix_s(const NetworkTime& t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.utc.time_since_epoch()).count();
}
constexpr long long k20240305_0630Z = 1709620200;  // 2024-03-05T06:30:00Z
}  // namespace

TEST_CASE("parse_csq maps rssi to dBm") {
    struct Row { const char* line; std::optional<int> dbm; } rows[] = {
        {"+CSQ: 0,0", -113}, {"+CSQ: 1,99", -111}, {"+CSQ: 20,99", -73},
        {"+CSQ: 31,0", -51}, {"+CSQ: 99,99", std::nullopt}, {"+CSQ:24,99", -65},
    };
    for (const auto& r : rows) {
        CAPTURE(r.line);
        auto c = parse_csq(r.line);
        REQUIRE(c);
        CHECK(c->signal_dbm == r.dbm);
    }
    CHECK_FALSE(parse_csq("+CSQ: 40,99"));
    CHECK_FALSE(parse_csq("+CSQ: x"));
}

TEST_CASE("parse_creg solicited and unsolicited forms") {
    struct Row { const char* line; bool solicited; RegStat stat; const char* lac; int act; } rows[] = {
        {"+CREG: 0,1", true, RegStat::Home, "", -1},
        {"+CREG: 0,5", true, RegStat::Roaming, "", -1},
        {"+CREG: 2,1,\"1A2B\",\"00C3A1B2\",2", true, RegStat::Home, "1A2B", 2},  // Huawei n=2
        {"+CREG: 1", false, RegStat::Home, "", -1},
        {"+CREG: 1,\"1A2B\",\"00C3A1B3\",2", false, RegStat::Home, "1A2B", 2},
        {"+CEREG: 0,2", true, RegStat::Searching, "", -1},
        {"+CEREG: 1,\"5A0F\",\"0B5E3A01\",7", false, RegStat::Home, "5A0F", 7},
        {"+CGREG: 0,3", true, RegStat::Denied, "", -1},
    };
    for (const auto& r : rows) {
        CAPTURE(r.line);
        auto g = parse_creg(r.line, r.solicited);
        REQUIRE(g);
        CHECK(g->stat == r.stat);
        CHECK(g->lac == r.lac);
        CHECK(g->act == r.act);
    }
    CHECK(is_registered(RegStat::Roaming));
    CHECK_FALSE(is_registered(RegStat::Searching));
    CHECK_FALSE(parse_creg("+CREG: 0", true));
}

TEST_CASE("parse_cops") {
    auto c = parse_cops("+COPS: 0,0,\"CHINA MOBILE\",7");
    REQUIRE(c);
    CHECK(c->name == "CHINA MOBILE");
    CHECK(c->act == 7);
    auto n = parse_cops("+COPS: 0,2,\"46001\",2");
    REQUIRE(n);
    CHECK(n->name == "46001");
    auto none = parse_cops("+COPS: 0");  // not registered
    REQUIRE(none);
    CHECK(none->name.empty());
}

TEST_CASE("access technology of +COPS AcT, one row per device reply") {
    struct Row {
        const char* line;
        const char* tech;  // nullptr: null in the API
        bool lte;
    };
    const Row rows[] = {
        {"+COPS: 0,0,\"CHINA MOBILE\",7", "lte", true},        // Quectel EC25 on E-UTRAN
        {"+COPS: 0,0,\"CHINA UNICOM\",2", "umts", false},      // WCDMA
        {"+COPS: 0,0,\"CHINA MOBILE\",0", "gsm", false},       // GSM after nwscanmode 1
        {"+COPS: 0,0,\"CHINA MOBILE\",3", "gsm", false},       // GSM w/EGPRS
        {"+COPS: 0,2,\"46001\",6", "umts", false},             // HSDPA+HSUPA
        {"+COPS: 0,0,\"CHN-CT\",9", "lte", true},              // NB-S1
        {"+COPS: 0,0,\"CHINA MOBILE\",13", "lte", true},       // E-UTRA-NR dual connectivity
        {"+COPS: 0,0,\"CHINA MOBILE\",12", "nr", false},       // NG-RAN
        {"+COPS: 0,0,\"CHINA MOBILE\"", nullptr, false},       // SIM800: no AcT field
        {"+COPS: 0", nullptr, false},                             // not registered
        {"+COPS: 0,0,\"X\",99", nullptr, false},               // unknown value
    };
    for (const auto& r : rows) {
        CAPTURE(r.line);
        auto c = parse_cops(r.line);
        REQUIRE(c);
        const char* t = access_technology(c->act);
        if (r.tech == nullptr) {
            CHECK(t == nullptr);
        } else {
            REQUIRE(t != nullptr);
            CHECK(std::string(t) == r.tech);
        }
        CHECK(is_lte(c->act) == r.lte);
    }
}

TEST_CASE("parse_cireg: read form, URC and refusals") {
    auto on = parse_cireg("+CIREG: 0,1");
    REQUIRE(on);
    CHECK(on->registered);
    auto off = parse_cireg("+CIREG: 0,0");
    REQUIRE(off);
    CHECK_FALSE(off->registered);
    auto ext = parse_cireg("+CIREG: 2,1,3");  // with <ext_info> (27.007 §8.71)
    REQUIRE(ext);
    CHECK(ext->n == 2);
    CHECK(ext->registered);
    auto u = parse_cireg("+CIREGU: 1");
    REQUIRE(u);
    CHECK(u->registered);
    CHECK_FALSE(parse_cireg("+CIREG: 0"));
    CHECK_FALSE(parse_cireg("+CIREG: 0,7"));
    CHECK_FALSE(parse_cireg("+CREG: 0,1"));
}

TEST_CASE("parse_cpms: query and set forms") {
    auto q = parse_cpms("+CPMS: \"SM\",3,50,\"SM\",3,50,\"SR\",1,20");
    REQUIRE(q);
    REQUIRE(q->size() == 3);
    CHECK((*q)[2].mem == "SR");
    CHECK((*q)[0].used == 3);
    CHECK((*q)[0].total == 50);
    auto s = parse_cpms("+CPMS: 0,20,0,20,0,20");  // answer to AT+CPMS="SM",...
    REQUIRE(s);
    CHECK(s->size() == 3);
    CHECK((*s)[1].total == 20);
    CHECK_FALSE(parse_cpms("+CPMS: \"SM\",3"));
    auto t = parse_cpms_test("+CPMS: (\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\"),(\"SM\",\"SR\")");
    REQUIRE(t);
    REQUIRE(t->size() == 3);
    CHECK((*t)[0].size() == 3);
    CHECK((*t)[2][1] == "SR");
}

TEST_CASE("parse_test_ranges for AT+CNMI=?") {
    auto r = parse_test_ranges("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)");
    REQUIRE(r);
    REQUIRE(r->size() == 5);
    CHECK((*r)[1] == std::vector<int>{0, 1, 2, 3});
    CHECK((*r)[2] == std::vector<int>{0, 2});
    auto huawei = parse_test_ranges("+CNMI: (0,1,2),(0,1,2,3),(0,2),(0,1,2),(0,1)");
    REQUIRE(huawei);
    CHECK((*huawei)[0] == std::vector<int>{0, 1, 2});
    CHECK_FALSE(parse_test_ranges("+CNMI: (2-0)"));
}

TEST_CASE("parse_cmgs_reference") {
    CHECK(parse_cmgs_reference({"+CMGS: 12"}).value() == 12);
    CHECK(parse_cmgs_reference({"+CMGS: 255,\"24/03/05,14:30:00+32\""}).value() == 255);
    CHECK_FALSE(parse_cmgs_reference({"+CMGS: 256"}));
    CHECK_FALSE(parse_cmgs_reference({}));
}

TEST_CASE("parse_cclk and NITZ URCs give the same instant") {
    struct Row { const char* line; int offset; } rows[] = {
        {"+CCLK: \"24/03/05,14:30:00+32\"", 480},
        {"+CTZV: \"24/03/05,14:30:00+32\"", 480},
        {"+CTZV: +32,24/03/05,14:30:00", 480},               // zone first (some MTK firmwares)
        {"+CTZE: \"+32\",0,\"2024/03/05,06:30:00\"", 480},    // Quectel, UTC
        {"*PSUTTZ: 2024,3,5,6,30,0,\"+32\",0", 480},          // SIMCom SIM800, UTC
        {"^NWTIME: 24/03/05,14:30:00+32,00", 480},            // Huawei, local
    };
    for (const auto& r : rows) {
        CAPTURE(r.line);
        auto t = std::string_view(r.line).substr(0, 6) == "+CCLK:" ? parse_cclk(r.line) : parse_nitz(r.line);
        REQUIRE(t);
        CHECK(unix_s(*t) == k20240305_0630Z);
        CHECK(t->utc_offset_minutes == r.offset);
    }
    auto no_zone = parse_cclk("+CCLK: \"04/01/01,00:00:12\"");  // no NITZ: default clock
    REQUIRE(no_zone);
    CHECK_FALSE(no_zone->has_offset);
    CHECK_FALSE(parse_nitz("+CTZV: +32"));  // Huawei zone-only form has no time
    CHECK_FALSE(parse_cclk("+CCLK: \"24/13/05,14:30:00+32\""));
}

TEST_CASE("parse_ccid vendor variants") {
    struct Row { Lines lines; const char* iccid; } rows[] = {
        {{"+CCID: 89860012345678901234"}, "89860012345678901234"},
        {{"+QCCID: 89860012345678901234"}, "89860012345678901234"},          // Quectel
        {{"+ICCID: 89860112345678901235"}, "89860112345678901235"},          // SIMCom SIM7600
        {{"89860212345678901236"}, "89860212345678901236"},                  // SIMCom SIM800 bare
        {{"^ICCID: 98681031098310024233"}, "89860113903801202433"},          // Huawei, swapped
        {{"+CCID: \"8986001234567890123F\""}, "8986001234567890123"},        // F padding, quoted
    };
    for (const auto& r : rows) {
        CAPTURE(r.iccid);
        auto id = parse_ccid(r.lines);
        REQUIRE(id);
        CHECK(*id == r.iccid);
    }
    CHECK_FALSE(parse_ccid({"ERROR"}));
}

TEST_CASE("identity parsers") {
    CHECK(parse_imei({"867000000000001"}).value() == "867000000000001");
    CHECK(parse_imei({"+CGSN: 867000000000001"}).value() == "867000000000001");
    CHECK(parse_imei({"IMEI: 867000000000001"}).value() == "867000000000001");
    CHECK_FALSE(parse_imei({"SIMCOM"}));
    CHECK(parse_imsi({"460001234567890"}).value() == "460001234567890");
    CHECK(parse_text({"+CGMI: \"Quectel\""}, "+CGMI:").value() == "Quectel");
    CHECK(parse_text({"huawei"}, "+CGMI:").value() == "huawei");
    CHECK(parse_cnum({"+CNUM: \"\",\"+8613800000001\",145"}) == "+8613800000001");
    CHECK(parse_cnum({}).empty());
}

TEST_CASE("PIN state and attempts") {
    CHECK(parse_cpin("+CPIN: READY").value() == PinState::Ready);
    CHECK(parse_cpin("+CPIN: SIM PIN").value() == PinState::SimPin);
    CHECK(parse_cpin("+CPIN: SIM PUK").value() == PinState::SimPuk);
    CHECK(parse_pin_attempts({"+QPINC: \"SC\",3,10"}) == 3);
    CHECK(parse_pin_attempts({"^CPIN: SIM PIN,2,10,2,10,3"}) == 2);
    CHECK(parse_pin_attempts({"+SPIC: 1,10,3,10"}) == 1);
    CHECK(parse_pin_attempts({"+CPINR: \"SIM PIN\",3,3"}) == 3);
    CHECK_FALSE(parse_pin_attempts({"OK"}));
}

TEST_CASE("parse_cmgl / parse_cmgr") {
    auto l = parse_cmgl({"+CMGL: 0,1,,22", "07911326040000F0", "+CMGL: 4,0,\"\",5", "0011AABBCC"});
    REQUIRE(l);
    REQUIRE(l->size() == 2);
    CHECK((*l)[1].index == 4);
    CHECK((*l)[1].stat == 0);
    CHECK((*l)[1].pdu == "0011AABBCC");
    CHECK(parse_cmgl({}).value().empty());
    CHECK_FALSE(parse_cmgl({"+CMGL: 0,1,,22"}));  // header without PDU
    auto r = parse_cmgr({"+CMGR: 0,,22", "07911326040000F0"});
    REQUIRE(r);
    CHECK(r->length == 22);
    auto empty = parse_cmgr({"+CMGR: 0,,0"});  // SIMCom: empty slot
    REQUIRE_FALSE(empty);
    CHECK(empty.error().detail == "empty");
    CHECK(parse_cmti("+CMTI: \"SM\",3").value().index == 3);
    CHECK(parse_cmti("+CDSI: \"SR\",1").value().mem == "SR");
}

TEST_CASE("parse_cusd") {
    auto c = parse_cusd("+CUSD: 0,\"Balance 12.50\",15");
    REQUIRE(c);
    CHECK(c->text == "Balance 12.50");
    auto u = parse_cusd("+CUSD: 0,\"4F59989D\",72");  // UCS2 hex: 余额
    REQUIRE(u);
    CHECK(u->text == "余额");
}

TEST_CASE("error numbers and their classification") {
    CHECK(parse_cms_error("+CMS ERROR: 500") == 500);
    CHECK(parse_cms_error("+CMS ERROR: Unknown error") == 500);
    CHECK(parse_cme_error("+CME ERROR: SIM PIN required") == 11);
    CHECK(parse_cme_error("+CME ERROR: incorrect password") == 16);
    CHECK(parse_cme_error("OK") == -1);
    CHECK(describe_cms(1).permanent);      // unassigned number
    CHECK(describe_cms(196).permanent);    // destination barred
    CHECK(describe_cms(304).permanent);    // bad PDU: same PDU fails anywhere
    CHECK_FALSE(describe_cms(38).permanent);   // network out of order
    CHECK_FALSE(describe_cms(42).permanent);   // congestion
    CHECK_FALSE(describe_cms(322).permanent);  // memory full
    CHECK_FALSE(describe_cms(500).permanent);
    CHECK_FALSE(describe_cms(9999).permanent);
    CHECK(describe_cms(322).zh == std::string_view("存储已满"));
    CHECK(describe_cme(16).permanent);
    CHECK(describe_cme(10).sim_problem);
}

// Every transcript: every answer to an identity/status command parses.
TEST_CASE("responses in transcripts parse") {
    const std::filesystem::path dir = std::filesystem::path(CUNXIN_SOURCE_DIR) / "tests/unit/at/data";
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".at") continue;
        ++files;
        const auto name = e.path().filename().string();
        CAPTURE(name);
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        const auto t = parse_transcript(ss.str());
        REQUIRE_FALSE(t.empty());
        for (const auto& l : t) {
            if (l.dir != TranscriptLine::Dir::ToModem) continue;
            const auto& cmd = l.text;
            auto replies = replies_to(t, cmd);
            Lines lines;
            bool ok = false;
            const auto expect = expected_prefix(cmd);
            for (const auto& r : replies) {
                if (auto f = parse_final(r)) {
                    ok = f->kind == FinalKind::Ok;
                    break;
                }
                if (r != cmd && !is_urc(r, expect)) lines.push_back(r);
            }
            if (!ok) continue;
            CAPTURE(cmd);
            if (cmd == "AT+CSQ") CHECK(parse_csq(lines.at(0)));
            if (cmd == "AT+CGSN") CHECK(parse_imei(lines));
            if (cmd == "AT+CIMI") CHECK(parse_imsi(lines));
            if (cmd == "AT+CCID" || cmd == "AT+QCCID" || cmd == "AT+CICCID" || cmd == "AT^ICCID?") {
                auto id = parse_ccid(lines);
                REQUIRE(id);
                CHECK(id->substr(0, 2) == "89");
            }
            if (cmd == "AT+COPS?") CHECK(parse_cops(lines.at(0)));
            if (cmd == "AT+CREG?") CHECK(parse_creg(lines.at(0), true));
            if (cmd == "AT+CEREG?") CHECK(parse_cereg(lines.at(0), true));
            if (cmd.rfind("AT+CPMS", 0) == 0) CHECK(parse_cpms(lines.at(0)));
            if (cmd == "AT+CNMI=?") CHECK(parse_test_ranges(lines.at(0)));
            if (cmd == "AT+CCLK?") {
                auto v = find_value(lines, "+CCLK:");
                REQUIRE(v);
                CHECK(parse_cclk("+CCLK: " + std::string(*v)));
            }
            if (cmd == "AT+CMGL=4") CHECK(parse_cmgl(lines));
            if (cmd.rfind("AT+CMGR=", 0) == 0) CHECK(parse_cmgr(lines));
            if (cmd == "AT+CPIN?") CHECK(parse_cpin(lines.at(0)));
        }
    }
    CHECK(files >= 5);
}

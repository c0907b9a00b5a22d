// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "cunxin/at/framing.hpp"

using namespace cunxin::at;

TEST_CASE("framer splits lines on CR, LF and CRLF, across reads") {
    Framer f;
    std::vector<FrameEvent> ev;
    f.feed("\r\n+CSQ: 2", ev);
    CHECK(ev.empty());
    f.feed("0,99\r\n\r\nOK\r", ev);
    f.feed("\n", ev);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].text == "+CSQ: 20,99");
    CHECK(ev[1].text == "OK");
}

TEST_CASE("framer reports the prompt without a line end") {
    Framer f;
    std::vector<FrameEvent> ev;
    f.feed("AT+CMGS=19\r\r\n> ", ev);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].text == "AT+CMGS=19");
    CHECK(ev[1].kind == FrameEvent::Kind::Prompt);
    CHECK(f.partial().empty());
    ev.clear();
    f.feed("\r\n+CMGS: 3\r\n", ev);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].text == "+CMGS: 3");
}

TEST_CASE("final result codes") {
    CHECK(parse_final("OK")->kind == FinalKind::Ok);
    CHECK(parse_final("ERROR")->kind == FinalKind::Error);
    auto cms = parse_final("+CMS ERROR: 500");
    REQUIRE(cms);
    CHECK(cms->kind == FinalKind::CmsError);
    CHECK(cms->code == 500);
    auto cme = parse_final("+CME ERROR: SIM PIN required");
    REQUIRE(cme);
    CHECK(cme->code == -1);
    CHECK(cme->text == "SIM PIN required");
    CHECK(parse_final("NO CARRIER")->kind == FinalKind::NoCarrier);
    CHECK_FALSE(parse_final("+CSQ: 20,99"));
    CHECK_FALSE(parse_final("OKAY"));
}

TEST_CASE("URC classification depends on the command in flight") {
    CHECK(is_urc("+CMTI: \"SM\",3"));
    CHECK(is_urc("+CREG: 1"));
    CHECK_FALSE(is_urc("+CREG: 0,1", "+CREG:"));
    CHECK(is_urc("+CREG: 1", "+CSQ:"));
    CHECK(is_urc("^RSSI: 18"));
    CHECK(is_urc("RING"));
    CHECK_FALSE(is_urc("+CSQ: 20,99", "+CSQ:"));
    CHECK_FALSE(is_urc("+CMGS: 12", "+CMGS:"));
    CHECK_FALSE(is_urc("867000000000001"));
    CHECK(is_two_line_urc("+CMT: ,32"));
    CHECK(is_two_line_urc("+CDS: 26"));
    CHECK_FALSE(is_two_line_urc("+CMTI: \"SM\",1"));
}

TEST_CASE("expected prefix of a command") {
    CHECK(expected_prefix("AT+CSQ") == "+CSQ:");
    CHECK(expected_prefix("AT+CREG?") == "+CREG:");
    CHECK(expected_prefix("AT+CMGR=3") == "+CMGR:");
    CHECK(expected_prefix("AT^ICCID?") == "^ICCID:");
    CHECK(expected_prefix("at+qccid") == "+QCCID:");
    CHECK(expected_prefix("ATE0").empty());
}

TEST_CASE("garbage lines") {
    CHECK(is_garbage(std::string("\x01\x02zz", 4)));
    CHECK(is_garbage("\xff\xfe"));
    CHECK_FALSE(is_garbage("+CUSD: 0,\"余额12.50元\",15"));
    CHECK_FALSE(is_garbage("OK"));
    CHECK(is_garbage("\xe4\xbd"));  // truncated UTF-8
}

TEST_CASE("framer cuts a line that never ends instead of growing without bound") {
    Framer f;
    std::vector<FrameEvent> ev;
    const std::string noise(3 * Framer::kMaxLine + 10, 'x');  // a modem spewing without CR/LF
    for (std::size_t i = 0; i < noise.size(); i += 100) f.feed(std::string_view(noise).substr(i, 100), ev);
    CHECK(f.partial().size() < Framer::kMaxLine);  // grew to the full 12 KiB before
    REQUIRE(ev.size() == 3);
    for (const auto& e : ev) CHECK(e.text.size() == Framer::kMaxLine);
    ev.clear();
    f.feed("\r\nOK\r\n", ev);
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].text == "xxxxxxxxxx");
    CHECK(ev[1].text == "OK");
}

TEST_CASE("commands declare the reply prefixes they expect") {
    struct Row {
        const char* command;
        bool declared;
        std::vector<std::string> prefixes;
        bool pdu;
    };
    const std::vector<Row> rows{
        {"AT+CMGL=4", true, {"+CMGL:"}, true},
        {"AT+CMGR=3", true, {"+CMGR:"}, true},
        {"AT+CSQ", true, {"+CSQ:"}, false},
        {"AT+CREG?", true, {"+CREG:"}, false},
        {"AT+CREG=2", true, {}, false},
        {"AT+CMGD=3", true, {}, false},
        {"AT+CMGS=19", true, {"+CMGS:"}, false},
        {"AT+CPMS=\"SM\"", true, {"+CPMS:"}, false},
        {"AT+CNMI=?", true, {"+CNMI:"}, false},
        {"ATH", true, {}, false},
        {"ATE0", true, {}, false},
        {"AT+CGSN", false, {}, false},  // a bare IMEI: no prefix to declare
        {"AT+QCCID", false, {}, false},
        {"ATI", false, {}, false},
    };
    for (const auto& r : rows) {
        CAPTURE(r.command);
        const auto e = cunxin::at::expect_for(r.command);
        CHECK(e.declared == r.declared);
        CHECK(e.prefixes == r.prefixes);
        CHECK(e.pdu == r.pdu);
    }
    CHECK(cunxin::at::is_call_command("ATD+8613800000000;"));
    CHECK_FALSE(cunxin::at::is_call_command("AT+CMGL=4"));
    CHECK(cunxin::at::is_hex_line("0891683108100005F0"));
    CHECK_FALSE(cunxin::at::is_hex_line("RING"));
}

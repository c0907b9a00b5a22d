// SPDX-License-Identifier: Apache-2.0
// Odd query parameters get a 400, never a 500 or a header built from them.

#include <doctest/doctest.h>

#include <cstring>

#include "harness.hpp"
#include "../../../firmware/http/src/text_checks.hpp"

using cxtest::Harness;

TEST_CASE("reports: csv table must be a known table (it names the download)") {
    Harness h;
    auto& admin = h.admin();
    for (const char* t : {"village", "daily", "cost", "campaigns", "category"}) {
        CAPTURE(t);
        auto r = admin.get(std::string("/api/v1/reports?format=csv&table=") + t);
        CHECK(r.status == 200);
        // cunxin-TABLE-FROM-TO.csv (office days)
        const std::string cd = r.header("Content-Disposition");
        CHECK(cd.rfind(std::string("attachment; filename=\"cunxin-") + t + "-", 0) == 0);
        CHECK(cd.size() == std::string("attachment; filename=\"cunxin-").size() + std::strlen(t) + 23);
    }
    CHECK(admin.get("/api/v1/reports?format=csv").status == 200);
    // Was 200 with the text inside the Content-Disposition filename.
    for (const char* t : {"x%22%3B%20filename%3Devil.exe", "..%2F..%2Fetc", "%E4%BD%A0", "villages"}) {
        CAPTURE(t);
        auto r = admin.get(std::string("/api/v1/reports?format=csv&table=") + t);
        CHECK(r.status == 400);
        CHECK(r.header("Content-Disposition").empty());
    }
}

TEST_CASE("messages: q with NUL, control bytes or invalid UTF-8 is a 400, not a 500") {
    Harness h;
    auto& admin = h.admin();
    CHECK(admin.get("/api/v1/messages?q=%E8%B7%AF%E7%81%AF").status == 200);
    for (const char* q : {"%00", "ab%00cd", "%E8%B7%AF%00%E7%81%AF", "%01abc", "abc%7F", "%FF%FE%FD", "%E8%B7",
                          "%ED%A0%80abc", "%C0%AFabc"}) {
        CAPTURE(q);
        const auto r = admin.get(std::string("/api/v1/messages?q=") + q);
        CHECK(r.status == 400);  // "%00" answered 500
        CHECK(admin.get(std::string("/api/v1/messages/export.csv?q=") + q).status == 400);
    }
}

TEST_CASE("plain_text: UTF-8 without control characters") {
    using cunxin::http::plain_text;
    CHECK(plain_text(""));
    CHECK(plain_text("村口路灯 02 abc"));
    CHECK(plain_text("👍"));
    CHECK_FALSE(plain_text(std::string("a\0b", 3)));
    CHECK_FALSE(plain_text("a\tb"));
    CHECK_FALSE(plain_text("\x7f"));
    CHECK_FALSE(plain_text("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(plain_text("\xE0\x80\xAF"));      // overlong
    CHECK_FALSE(plain_text("\xED\xA0\x80"));      // surrogate
    CHECK_FALSE(plain_text("\xF4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(plain_text("\xE8\xB7"));          // cut short
    CHECK_FALSE(plain_text("\x80"));
}

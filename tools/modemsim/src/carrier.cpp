// SPDX-License-Identifier: Apache-2.0
#include "carrier.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace cunxin::modemsim {

namespace {

std::string yuan(std::int64_t fen) {
    const std::int64_t a = fen < 0 ? -fen : fen;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%lld.%02lld", fen < 0 ? "-" : "", static_cast<long long>(a / 100),
                  static_cast<long long>(a % 100));
    return buf;
}

std::string stamp(std::chrono::system_clock::time_point now, const char* format) {
    // The carriers write Beijing time.
    const std::time_t t = std::chrono::system_clock::to_time_t(now) + 8 * 3600;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string upper_trimmed(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == ' ' || c == '\r' || c == '\n' || c == '\t') continue;
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

std::string number_key(std::string_view number) {
    std::string d;
    for (char c : number) {
        if (c >= '0' && c <= '9') d += c;
    }
    if (d.size() == 13 && d.rfind("86", 0) == 0) d = d.substr(2);
    return d;
}

std::optional<std::string> service_answer(std::string_view number, std::string_view text, std::int64_t fen,
                                          std::chrono::system_clock::time_point now) {
    const std::string n = number_key(number);
    const std::string cmd = upper_trimmed(text);
    if (n == "10086") {
        if (cmd != "CXYE" && cmd != "YE") return std::nullopt;  // other texts: no answer (a test may send anything there)
        if (fen < 0) {
            return "尊敬的客户，您好！截至" + stamp(now, "%Y年%m月%d日%H时") + "，您已欠费" + yuan(-fen) +
                   "元，为避免影响使用，请及时充值。【中国移动】";
        }
        return "尊敬的客户，您好！截至" + stamp(now, "%Y年%m月%d日%H时") + "，您的账户余额为" + yuan(fen) +
               "元，当月已产生话费3.00元。【中国移动】";
    }
    if (n == "10010") {
        if (cmd != "CXYE" && cmd != "YE") return std::nullopt;
        if (fen < 0) {
            return "【中国联通】截至" + stamp(now, "%m月%d日%H时") + "，您的账户余额为" + yuan(fen) +
                   "元，已欠费，请尽快缴费。";
        }
        return "【中国联通】截至" + stamp(now, "%m月%d日%H时") + "，您的账户当前可用余额为" + yuan(fen) +
               "元，本月已用话费3.00元。";
    }
    if (n == "10001") {
        if (cmd != "102") return std::nullopt;
        return "尊敬的客户，截至" + stamp(now, "%Y年%m月%d日") + "，您的可用余额：" + yuan(fen < 0 ? 0 : fen) +
               "元，欠费：" + yuan(fen < 0 ? -fen : 0) + "元。【中国电信】";
    }
    return std::nullopt;
}

}  // namespace cunxin::modemsim

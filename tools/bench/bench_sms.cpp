// SPDX-License-Identifier: Apache-2.0
// bench_sms: decode and encode rates of the SMS codec (PDUs per second) for GSM 7-bit and
// UCS2 multipart samples. A figure for the record, not a test; runs about 4 s in total.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cunxin/sms/sms.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSlice = std::chrono::milliseconds(900);  // per measurement; 4 measurements

std::vector<cunxin::sms::SubmitPdu> encode(const std::string& text) {
    cunxin::sms::SubmitRequest req;
    req.recipient = "+8613800138000";
    req.text = text;
    req.status_report = true;
    auto r = cunxin::sms::encode_submit(req);
    if (!r) {
        std::fprintf(stderr, "bench_sms: encode failed: %s\n", cunxin::sms::to_string(r.error().code));
        return {};
    }
    return *r;
}

/// Runs `step` (which handles `per_call` PDUs) repeatedly for kSlice; returns PDUs per second.
template <class Step>
double rate(Step step, int per_call) {
    long pdus = 0;
    const auto start = Clock::now();
    auto now = start;
    while (now - start < kSlice) {
        for (int i = 0; i < 16; ++i) pdus += step() ? per_call : 0;
        now = Clock::now();
    }
    return static_cast<double>(pdus) / std::chrono::duration<double>(now - start).count();
}

void run(const char* name, const std::string& text) {
    const auto pdus = encode(text);
    if (pdus.empty()) return;
    std::vector<std::string> hexes;
    for (const auto& p : pdus) hexes.push_back(p.hex);
    const int n = static_cast<int>(pdus.size());
    const double dec = rate(
        [&] {
            bool ok = true;
            for (const auto& h : hexes) ok = cunxin::sms::decode(h).has_value() && ok;
            return ok;
        },
        n);
    const double enc = rate([&] { return static_cast<int>(encode(text).size()) == n; }, n);
    std::printf("%-26s %2d parts  decode %10.0f PDUs/s  encode %10.0f PDUs/s\n", name, n, dec, enc);
}

}  // namespace

int main() {
    std::string gsm;
    while (gsm.size() < 600) gsm += "Meeting at the township office on Monday, 9:00 {room 3} [bring ID] ";
    gsm.resize(600);
    std::string ucs2;
    for (int i = 0; i < 30; ++i) ucs2 += "各位村党支部书记：请于周一上午九点到镇政府三楼会议室开会。";
    std::printf("bench_sms: SMS codec rates (each figure measured over %lld ms)\n",
                static_cast<long long>(kSlice.count()));
    run("GSM 7-bit, 600 chars", gsm);
    run("UCS2 Chinese, 900 chars", ucs2);
    return 0;
}

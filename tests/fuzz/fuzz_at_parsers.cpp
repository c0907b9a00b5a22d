// SPDX-License-Identifier: Apache-2.0
// Fuzzes the AT response parsers with garbage and truncated lines from a broken modem: the
// input is split into lines at '\n' and every parser reads every line (and the list of them).
// Parsers never crash, never throw and keep their documented ranges.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/at/parsers.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cunxin::at;
    if (size > 8192) return 0;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    Lines lines;
    std::size_t start = 0;
    while (start <= in.size()) {
        const std::size_t end = in.find('\n', start);
        lines.emplace_back(in.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    if (auto l = parse_cmgl(lines)) {
        for (const auto& p : *l) require(p.pdu.size() <= size);
    }
    (void)parse_cmgr(lines);
    (void)parse_cmgs_reference(lines);
    if (auto c = parse_ccid(lines)) require(!c->empty());
    (void)parse_imei(lines);
    (void)parse_imsi(lines);
    (void)parse_text(lines, "+CGMM:");
    (void)parse_cnum(lines);
    (void)parse_pin_attempts(lines);
    (void)find_value(lines, "+CSQ:");
    for (const auto& line : lines) {
        (void)split_fields(line);
        if (auto c = parse_csq(line); c && c->signal_dbm) require(*c->signal_dbm >= -113 && *c->signal_dbm <= -51);
        (void)parse_creg(line, true);
        (void)parse_creg(line, false);
        (void)parse_cereg(line, true);
        (void)parse_cops(line);
        if (auto c = parse_cops(line)) (void)access_technology(c->act);
        (void)parse_cireg(line);
        (void)parse_cpms(line);
        (void)parse_cclk(line);
        (void)parse_nitz(line);
        (void)parse_cpin(line);
        (void)parse_test_ranges(line);
        (void)parse_cpms_test(line);
        (void)parse_cmti(line);
        (void)parse_cusd(line);
        (void)parse_cme_error(line);
        (void)parse_cms_error(line);
    }
    return 0;
}

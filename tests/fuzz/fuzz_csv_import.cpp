// SPDX-License-Identifier: Apache-2.0
// Fuzzes the contacts CSV reader (UTF-8, GB18030, broken quoting, huge files). Byte 0: bit 0
// also runs import_contacts_csv and compares; byte 1 (low 4 bits = k): the rows after the first
// line are repeated 2^k times, up to 4 MiB, so inputs reach the size of real uploads.
// Invariants: no crash, counts add up, accepted numbers are E.164, all text is valid UTF-8.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/messaging/csv.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        }
        i += n;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const bool compare = (data[0] & 1) != 0;
    const unsigned k = data[1] & 15;
    std::string file(reinterpret_cast<const char*>(data + 2), size - 2);
    if (k > 0) {
        const auto nl = file.find('\n');
        if (nl != std::string::npos && nl + 1 < file.size()) {
            const std::string rows = file.substr(nl + 1);
            for (unsigned i = 1; i < (1u << k) && file.size() + rows.size() <= (4u << 20); ++i) file += rows;
        }
    }
    cunxin::messaging::ImportOptions options;
    options.today = std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{6}};
    auto reader = cunxin::messaging::ContactCsvReader::open(file, options);
    if (!reader) {
        require(!reader.error().detail.empty() && valid_utf8(reader.error().detail_zh));
        return 0;
    }
    std::vector<cunxin::messaging::ContactRow> batch;
    std::vector<cunxin::messaging::Rejection> rejections;
    std::size_t accepted = 0;
    bool finished = false;
    while (!finished) {
        rejections.clear();
        auto more = reader->next(batch, rejections, 512);
        if (!more) {
            require(valid_utf8(more.error().detail_zh));
            break;
        }
        finished = !*more;
        require(batch.size() <= 512);
        for (const auto& c : batch) {
            require(!c.name.empty() && c.msisdn.size() > 1 && c.msisdn[0] == '+');
            require(valid_utf8(c.name) && valid_utf8(c.village) && valid_utf8(c.notes));
            require(c.row > reader->header_row);
            if (c.party_join_date) require(c.party_join_date->ok());
        }
        for (const auto& r : rejections) {
            require(r.row > reader->header_row && valid_utf8(r.value) && valid_utf8(r.reason_zh));
        }
        accepted += batch.size();
        if (finished) {
            require(accepted + reader->rows_rejected == reader->rows_total);
            require(reader->rows_total <= cunxin::messaging::kMaxImportRows);
        }
    }
    if (compare && finished && file.size() < (256u << 10)) {
        auto whole = cunxin::messaging::import_contacts_csv(file, options);
        require(whole.has_value());
        require(whole->accepted.size() == accepted && whole->rows_total == reader->rows_total);
    }
    return 0;
}

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Missed calls: every call to the box is hung up and kept here against the caller's contact.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/store/database.hpp"

namespace cunxin::store {

/// One missed call, with the contact it matched (if any).
struct Call {
    std::int64_t id = 0;
    std::string number;                     ///< "" when the caller withheld it
    std::optional<std::int64_t> contact_id;  ///< the contact with this mobile, if any
    std::string contact_name;                ///< "" without a contact
    std::string village;                     ///< the contact's village, "" without
    std::string iccid;                       ///< the SIM that rang
    Seconds at = 0;                          ///< when it rang
};

/// Records a missed call; the contact is the one whose mobile equals `number` (if any).
Result<std::int64_t> insert_call(Database& db, const std::string& number, const std::string& iccid,
                                 Seconds at, Seconds now);
/// Newest first; `before_id` pages (0 = from the newest).
Result<std::vector<Call>> list_calls(Database& db, int limit, std::int64_t before_id = 0);
/// Calls that rang at or after `since`.
Result<std::int64_t> count_calls_since(Database& db, Seconds since);

}  // namespace cunxin::store

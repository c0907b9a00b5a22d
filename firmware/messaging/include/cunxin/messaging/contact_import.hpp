// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The write of a contacts import: one chunk of accepted CSV rows as one short transaction on
/// the write connection (the core thread), so a large import never holds the core for long.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cunxin/messaging/csv.hpp"
#include "cunxin/store/contacts.hpp"

namespace cunxin::messaging {

/// Rows written per chunk by the HTTP import (about 10-20 ms on the core on a Pi-class board).
inline constexpr std::size_t kImportChunkRows = 1000;

/// A date as stored for a contact ("YYYY-MM-DD"; "" for none).
std::string iso_date(const std::optional<std::chrono::year_month_day>& d);

/// Upserts `rows` (by mobile number) in one transaction, each added to `group_id` when given;
/// returns how many were written (all or none).
store::Result<int> write_contact_chunk(store::Database& db, const std::vector<ContactRow>& rows,
                                       std::optional<std::int64_t> group_id, store::Seconds now);

}  // namespace cunxin::messaging

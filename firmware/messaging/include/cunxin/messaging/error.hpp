// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Errors of the messaging core (outbox, inbox, campaigns, anniversaries).

#include <string>

#include "cunxin/result.hpp"

namespace cunxin::messaging {

/// Why a messaging operation failed.
enum class Errc {
    store,             ///< the store failed (detail has its reason)
    invalid_argument,  ///< empty recipient list, empty text, bad template…
    not_found,         ///< no such message/campaign
    bad_state,         ///< e.g. resume a campaign that is not paused
    conflict,          ///< clashes with existing data (a duplicate name)
};

/// Short snake_case name of an error reason.
const char* to_string(Errc code) noexcept;

/// A messaging error: reason, GSM code (-1 if none), detail. The office's commands
/// (commands.hpp) put a Chinese message a clerk may read in `detail` (store details go to
/// the log only).
struct Error {
    Errc code = Errc::store;
    int gsm_code = -1;
    std::string detail;
};

/// Value or Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

}  // namespace cunxin::messaging

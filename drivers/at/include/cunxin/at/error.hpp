// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Errors of the AT layer.

#include <string>

#include "cunxin/result.hpp"

namespace cunxin::at {

/// Why a command or a parse failed.
enum class Errc {
    Error,       ///< plain ERROR
    CmeError,    ///< +CME ERROR n (gsm_code = n)
    CmsError,    ///< +CMS ERROR n (gsm_code = n)
    NoCarrier,   ///< NO CARRIER / BUSY / NO ANSWER / NO DIALTONE
    Timeout,     ///< no final result code before the deadline (nothing after a prompt was sent)
    Unconfirmed, ///< the payload after "> " went out but no final code came: it may have been sent
    PortClosed,  ///< the byte stream closed or failed
    Cancelled,   ///< cancelled before completion
    Parse,       ///< a response did not have the expected form
};

/// An AT-layer failure; `gsm_code` is the +CME/+CMS number, else -1.
struct Error {
    Errc code = Errc::Error;
    int gsm_code = -1;
    std::string detail;
};

/// Value or at::Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

/// "timeout", "cms-error"...
const char* to_string(Errc e) noexcept;

}  // namespace cunxin::at

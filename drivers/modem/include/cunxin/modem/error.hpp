// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Errors of the modem layer.

#include <string>

#include "cunxin/result.hpp"

namespace cunxin::modem {

/// Why a modem operation failed.
enum class Errc {
    NotReady,       ///< the modem is not (yet / any more) ready
    Rejected,       ///< the network or modem refused a send: +CMS ERROR (gsm_code), or ERROR
    Unconfirmed,    ///< the PDU went out but no answer came: it may have been sent
    Timeout,        ///< a command got no answer (nothing was sent)
    PortLost,       ///< the port closed or failed
    OpenFailed,     ///< the port could not be opened
    PinRequired,    ///< the SIM wants a PIN and none is configured
    PinRejected,    ///< the configured PIN was wrong, or too few attempts remain to try it
    SimBlocked,     ///< the SIM wants a PUK
    NoSim,          ///< no SIM inserted
    NotRegistered,  ///< no network registration before the deadline
    Probe,          ///< identity could not be read
    Command,        ///< a command failed (ERROR / +CME ERROR, gsm_code)
};

/// A modem-layer failure; `gsm_code` is the +CMS/+CME number, else -1.
struct Error {
    Errc code = Errc::Command;
    int gsm_code = -1;
    std::string detail;
};

/// Value or modem::Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

/// "not-ready", "rejected"...
const char* to_string(Errc e) noexcept;

}  // namespace cunxin::modem

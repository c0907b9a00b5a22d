// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Errors of the serial layer.

#include <string>

#include "cunxin/result.hpp"

namespace cunxin::serial {

/// Why a port could not be opened or used.
enum class Errc { BadEndpoint, NotFound, Busy, OpenFailed, ConfigFailed, ConnectFailed, Closed, Io, NotUsb };

/// A serial-layer failure; `gsm_code` is the errno where one applies, else 0.
struct Error {
    Errc code = Errc::Io;
    int gsm_code = 0;
    std::string detail;
};

/// Value or serial::Error.
template <class T>
using Result = cunxin::Expected<T, Error>;

}  // namespace cunxin::serial

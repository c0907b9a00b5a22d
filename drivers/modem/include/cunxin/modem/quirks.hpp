// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Known differences between modem models, keyed by manufacturer and model.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace cunxin::modem {

/// What a model needs or offers beyond TS 27.005/27.007.
struct Quirks {
    std::string_view name = "generic";      ///< table row that matched
    std::vector<std::string_view> iccid_commands = {"AT+CCID", "AT+QCCID", "AT+CICCID", "AT^ICCID?"};
    std::string_view pin_attempts_command = "AT+CPINR=\"SIM PIN\"";  ///< "" when unknown
    bool cmms = true;                        ///< AT+CMMS=2 works
    bool sr_memory = false;                  ///< files status reports in "SR" (read with CPMS="SR")
    bool cnma_after_cmt = false;             ///< +CMT/+CDS must be acknowledged (AT+CNMA)
    std::chrono::milliseconds boot_time{10000};  ///< silence after AT+CFUN=1,1 before AT works
};

/// The quirks of a model; "generic" when unknown. Case-insensitive substring match.
const Quirks& quirks_for(std::string_view manufacturer, std::string_view model);

}  // namespace cunxin::modem

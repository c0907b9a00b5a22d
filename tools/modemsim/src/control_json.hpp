// SPDX-License-Identifier: Apache-2.0
#pragma once
/// JSON shapes of the control interface (shared by the library and the binary).

#include <nlohmann/json_fwd.hpp>

#include "cunxin/modemsim/simulator.hpp"

namespace cunxin::modemsim {

/// {"index","path","link","tcp_port","present","manufacturer","model",...}
nlohmann::json to_json(const ModemInfo& i);
/// Counters of one modem.
nlohmann::json to_json(const ModemStatus& s);
/// One decoded segment: modem, recipient, text, encoding, concat {ref,part,total} or null, mr, time.
nlohmann::json to_json(const Sent& s);
/// Faults as the "fault" command takes them.
nlohmann::json to_json(const Faults& f);
/// Applies the fault keys present in j to f (others unchanged); throws on wrong types.
void apply_faults(const nlohmann::json& j, Faults& f);

}  // namespace cunxin::modemsim

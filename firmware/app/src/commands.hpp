// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The `cunxin` subcommands; each lives in its own cmd_<name>.cpp.

#include <string>
#include <vector>

namespace cunxin::app {

/// Arguments after the subcommand name.
using Args = std::vector<std::string>;

/// `cunxin pdu decode|encode|segments ...`
int cmd_pdu(const Args& args);

/// `cunxin token create|list|revoke ...`
int cmd_token(const Args& args);

/// `cunxin run ...`: the appliance.
int cmd_run(const Args& args);

/// `cunxin demo ...`: the appliance on simulated modems with sample data.
int cmd_demo(const Args& args);

/// `cunxin modems [--modem PORT]...`: probe modems, print a JSON array.
int cmd_modems(const Args& args);

/// `cunxin send --modem PORT --to NUMBER (--text T | --text-file F)`: send through one modem.
int cmd_send(const Args& args);

/// `cunxin doctor [--config FILE] [--data-dir DIR] [--out FILE]`: write a support bundle.
int cmd_doctor(const Args& args);

/// `cunxin hub [--config FILE] [--data-dir DIR] [--listen HOST:PORT]`, `cunxin hub add-box NAME`.
int cmd_hub(const Args& args);

}  // namespace cunxin::app

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

}  // namespace cunxin::app

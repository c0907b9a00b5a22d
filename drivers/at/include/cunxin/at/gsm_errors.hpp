// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The one table of +CMS / +CME ERROR codes: permanent or temporary, in Chinese and English.

#include <string_view>

namespace cunxin::at {

/// What an error number means for a send.
struct GsmErrorInfo {
    int code = -1;
    bool permanent = false;  ///< retrying (anywhere) cannot help: bad number, barred, bad PDU
    bool sim_problem = false;  ///< a problem of this modem/SIM: retry on another one
    std::string_view zh;     ///< Chinese description
    std::string_view en;     ///< English description
};

/// +CMS ERROR n (TS 27.005 §3.2.5, TS 24.011 cause values, TS 23.040 TP-FCS); unknown → temporary.
GsmErrorInfo describe_cms(int code) noexcept;
/// +CME ERROR n (TS 27.007 §9.2); unknown → temporary.
GsmErrorInfo describe_cme(int code) noexcept;
/// Verbose +CMS ERROR text → number (-1 when unknown).
int cms_code_from_text(std::string_view text) noexcept;
/// Verbose +CME ERROR text → number (-1 when unknown).
int cme_code_from_text(std::string_view text) noexcept;

}  // namespace cunxin::at

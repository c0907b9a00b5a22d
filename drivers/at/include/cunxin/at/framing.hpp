// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Pure AT framing: bytes to lines and prompts; classification of final codes and URCs.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cunxin::at {

/// What the framer found in the byte stream.
struct FrameEvent {
    enum class Kind { Line, Prompt } kind = Kind::Line;  ///< a text line, or the "> " prompt
    std::string text;                                    ///< the line without CR/LF
};

/// Splits modem output into lines (CR and/or LF terminated) and "> " prompts.
class Framer {
public:
    /// Longest line kept whole (a +CMGL PDU line is under 400 characters): a modem that sends
    /// bytes without a line end gets its output cut into lines of this size instead of
    /// growing memory without bound.
    static constexpr std::size_t kMaxLine = 4096;
    /// Feeds bytes; appends complete lines and prompts to `out`.
    void feed(std::string_view bytes, std::vector<FrameEvent>& out);
    /// Forgets any partial line.
    void reset() { partial_.clear(); }
    /// The bytes of the unfinished line.
    const std::string& partial() const { return partial_; }

private:
    std::string partial_;
    bool skip_space_ = false;
};

/// Kinds of final result codes (TS 27.007 §5.7, TS 27.005 §3.2.5).
enum class FinalKind { Ok, Error, CmeError, CmsError, NoCarrier, Busy, NoAnswer, NoDialtone };

/// A final result code and its number (+CME/+CMS), -1 when none.
struct Final {
    FinalKind kind = FinalKind::Ok;
    int code = -1;
    std::string text;  ///< the error text for verbose +CME/+CMS ERROR forms
};

/// The final result code this line is, if it is one.
std::optional<Final> parse_final(std::string_view line);

/// True if `line` is an unsolicited result code, given the prefix the command in flight expects
/// ("+CREG:" for AT+CREG?; empty when none): a line the command asked for is not a URC.
bool is_urc(std::string_view line, std::string_view expected_prefix = {});

/// True for URCs followed by a PDU line (+CMT:, +CDS: in PDU mode).
bool is_two_line_urc(std::string_view line);

/// The information-response prefix a command expects: "AT+CSQ" → "+CSQ:", "AT^ICCID?" → "^ICCID:".
std::string expected_prefix(std::string_view command);

/// What a command answers besides its final code: its declared reply prefixes (oFono gatchat's
/// prefix list). With a list, a line that matches none of them is unsolicited, whatever it is.
struct Expect {
    bool declared = false;              ///< false: any line that is no known URC is the answer
    std::vector<std::string> prefixes;  ///< "+CMGL:"; empty and declared: no lines expected
    bool pdu = false;                   ///< a hex line after a prefixed line is its PDU (PDU mode)
};

/// The declared reply of a command we know ("AT+CMGL=4" → {"+CMGL:"} with PDU lines); commands
/// whose answer has no prefix (AT+CGSN, AT+CCID on some modems, ATI) are not declared.
Expect expect_for(std::string_view command);

/// True for a line of hex digits only (a PDU line).
bool is_hex_line(std::string_view line);

/// True for the commands after which NO CARRIER, BUSY, NO ANSWER end the command (ATD, ATA, ATO);
/// for every other command these lines are unsolicited (a caller gave up).
bool is_call_command(std::string_view command);

/// True for a line that cannot be modem text: control bytes or invalid UTF-8.
bool is_garbage(std::string_view line);

}  // namespace cunxin::at

// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Pure parsers of AT responses (TS 27.007, TS 27.005 and vendor variants). No I/O.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/at/error.hpp"

namespace cunxin::at {

/// The intermediate lines of a response.
using Lines = std::vector<std::string>;

/// Splits "a,\"b,c\",(1-3,5)" at top-level commas; quotes are removed from quoted fields.
std::vector<std::string> split_fields(std::string_view s);

/// The first line starting with `prefix`, with the prefix and following spaces removed.
std::optional<std::string_view> find_value(const Lines& lines, std::string_view prefix);

/// A message in SIM/modem storage as +CMGL/+CMGR list it in PDU mode (TS 27.005 §3.4.2, §3.4.3).
struct StoredPdu {
    int index = -1;       ///< storage index (+CMGL only; -1 for +CMGR)
    int stat = 0;         ///< 0 received unread, 1 read, 2 stored unsent, 3 stored sent
    int length = 0;       ///< TPDU octets
    std::string pdu;      ///< hex, with the SMSC field
};

/// AT+CMGL=4 response: every stored message.
Result<std::vector<StoredPdu>> parse_cmgl(const Lines& lines);
/// AT+CMGR=<i> response; an empty slot gives Errc::Parse with detail "empty".
Result<StoredPdu> parse_cmgr(const Lines& lines);

/// Signal quality (TS 27.007 §8.5).
struct Csq {
    std::optional<int> signal_dbm;  ///< -113..-51, nullopt when unknown (99)
    int ber = 99;                   ///< bit error rate class, 99 unknown
};
/// "+CSQ: 20,99" → -73 dBm.
Result<Csq> parse_csq(std::string_view line);

/// Registration state (TS 27.007 §7.2 <stat>).
enum class RegStat { NotRegistered = 0, Home = 1, Searching = 2, Denied = 3, Unknown = 4, Roaming = 5,
                     SmsOnlyHome = 6, SmsOnlyRoaming = 7, Emergency = 8 };
/// True for home or roaming registration (including SMS-only).
bool is_registered(RegStat s) noexcept;
/// "home", "roaming", "searching"...
const char* to_string(RegStat s) noexcept;

/// +CREG / +CGREG / +CEREG.
struct Registration {
    RegStat stat = RegStat::Unknown;
    std::string lac;  ///< location / tracking area code (hex), empty when absent
    std::string ci;   ///< cell id (hex), empty when absent
    int act = -1;     ///< access technology, -1 when absent
};
/// Parses "+CREG: 0,1" (solicited: <n>,<stat>...) or "+CREG: 1,\"1A2B\",\"00C3\"" (URC: <stat>...);
/// also +CGREG:/+CEREG:.
Result<Registration> parse_creg(std::string_view line, bool solicited);
/// Same as parse_creg for +CEREG lines.
Result<Registration> parse_cereg(std::string_view line, bool solicited);

/// AT+COPS? (TS 27.007 §7.3).
struct Cops {
    int mode = 0;
    int format = -1;    ///< 0 long, 1 short, 2 numeric; -1 absent (not registered)
    std::string name;   ///< "CHINA MOBILE", "46000"...
    int act = -1;
};
/// "+COPS: 0,0,\"CHINA MOBILE\",7".
Result<Cops> parse_cops(std::string_view line);
/// The radio family of a +COPS/+CREG <AcT> (TS 27.007 §7.3): "gsm", "umts", "lte", "nr";
/// nullptr when absent (-1) or unknown.
const char* access_technology(int act) noexcept;
/// True for E-UTRAN access technologies (7, 9, 10, 13: SMS then goes over SGs or IMS).
bool is_lte(int act) noexcept;

/// IMS registration (AT+CIREG?, TS 27.007 §8.71).
struct Cireg {
    int n = 0;                ///< URC setting
    bool registered = false;  ///< <reg_info> 1: registered to IMS
};
/// "+CIREG: 0,1" (read form) or "+CIREGU: 1" (URC).
Result<Cireg> parse_cireg(std::string_view line);

/// One storage of AT+CPMS? (TS 27.005 §3.2.2).
struct CpmsMemory {
    std::string mem;  ///< "SM", "ME", "MT", "SR"; empty when the modem omits names
    int used = 0;
    int total = 0;
};
/// "+CPMS: \"SM\",3,20,\"SM\",3,20,\"SM\",3,20" or the set form "+CPMS: 3,20,3,20,3,20".
Result<std::vector<CpmsMemory>> parse_cpms(std::string_view line);

/// "+CMGS: 12" or "+CMGS: 12,\"24/03/05,...\"" → 12 (TP-MR).
Result<int> parse_cmgs_reference(const Lines& lines);

/// A clock read from the network (AT+CCLK or a NITZ URC).
struct NetworkTime {
    std::chrono::system_clock::time_point utc;  ///< the instant
    int utc_offset_minutes = 0;                 ///< local offset (quarter hours * 15)
    bool has_offset = false;                    ///< the modem gave a time zone
};
/// "+CCLK: \"24/03/05,14:30:00+32\"" (local time + quarter hours, TS 27.007 §8.15).
Result<NetworkTime> parse_cclk(std::string_view line);
/// NITZ-style URCs: +CTZV (local + tz), +CTZE (Quectel, UTC time), *PSUTTZ (SIMCom, UTC),
/// ^NWTIME (Huawei, local + tz). A +CTZV with only a zone is Errc::Parse ("no time").
Result<NetworkTime> parse_nitz(std::string_view line);

/// ICCID from "+CCID: ...", "+QCCID: ...", "^ICCID: ..." (Huawei: nibble-swapped) or a bare line;
/// trailing 'F' padding removed.
Result<std::string> parse_ccid(const Lines& lines);
/// IMEI (AT+CGSN: bare, "+CGSN: ...", or "IMEI: ...") — 14..17 digits.
Result<std::string> parse_imei(const Lines& lines);
/// IMSI (AT+CIMI) — 6..15 digits, bare or prefixed.
Result<std::string> parse_imsi(const Lines& lines);
/// Text of AT+CGMI / AT+CGMM / AT+CGMR (bare or "+CGMI: ..." forms).
Result<std::string> parse_text(const Lines& lines, std::string_view prefix);
/// Own number from AT+CNUM ("+CNUM: \"\",\"+8613800000000\",145"); empty when none stored.
std::string parse_cnum(const Lines& lines);

/// SIM lock state (AT+CPIN?).
enum class PinState { Ready, SimPin, SimPuk, SimPin2, SimPuk2, PhSimPin, NotInserted, Other };
/// "+CPIN: READY" → Ready.
Result<PinState> parse_cpin(std::string_view line);
/// PIN attempts left from +QPINC (Quectel), ^CPIN (Huawei) or +SPIC (SIMCom); nullopt if unknown.
std::optional<int> parse_pin_attempts(const Lines& lines);

/// A comma list of supported values "(0-2),(0,1,3)" parsed per parameter.
using Supported = std::vector<std::vector<int>>;
/// "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)" → per-parameter value sets.
Result<Supported> parse_test_ranges(std::string_view line);
/// Storage names per parameter from AT+CPMS=?: "+CPMS: (\"SM\",\"ME\"),(\"SM\"),(\"SM\")".
Result<std::vector<std::vector<std::string>>> parse_cpms_test(std::string_view line);

/// +CMTI / +CDSI: which storage and index a new message went to.
struct StoredAt {
    std::string mem;
    int index = -1;
};
/// "+CMTI: \"SM\",3" or "+CDSI: \"SR\",1".
Result<StoredAt> parse_cmti(std::string_view line);
/// The caller's number of a "+CLIP: \"+8613800000000\",145,,,,0" (27.007 §7.18); empty when
/// the network withheld it (an empty number or CLI validity 1/2).
Result<std::string> parse_clip(std::string_view line);

/// +CUSD (TS 27.007 §7.15).
struct Cusd {
    int status = 0;    ///< 0 no further action, 1 further action, 2 terminated...
    std::string text;  ///< as given (UCS2 hex decoded to UTF-8 when dcs says UCS2 and it is hex)
    int dcs = -1;
};
/// "+CUSD: 0,\"Balance 12.50\",15".
Result<Cusd> parse_cusd(std::string_view line);

/// Error number from "+CME ERROR: 10" / "+CMS ERROR: 500", or the verbose text mapped
/// to its number ("+CME ERROR: SIM PIN required" → 11); -1 if unknown.
int parse_cme_error(std::string_view line);
/// See parse_cme_error.
int parse_cms_error(std::string_view line);

}  // namespace cunxin::at

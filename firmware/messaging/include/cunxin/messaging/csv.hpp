// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Contacts CSV import/export for spreadsheet programs used in Chinese offices (pure:
/// bytes in, bytes out). Import detects UTF-8 (with or without BOM) or GB18030/GBK,
/// maps Chinese or English headers, and reports every rejected row; it never throws.
///
/// Columns (header names, case-insensitive, surrounding spaces and a trailing '*' ignored):
///   name:            姓名 名字 name
///   mobile:          手机 手机号 手机号码 电话 电话号码 联系电话 mobile phone msisdn
///   village:         村 村名 村庄 所在村 village
///   role:            职务 职位 role title
///   party_join_date: 入党日期 入党时间 party_join_date join_date
///   tags:            标签 tags (separated by , ; 、 ， ； | or spaces)
///   notes:           备注 notes remark
///   opted_out:       已退订 退订 opted_out (是/否, yes/no, 1/0, true/false)
/// name and mobile columns are required; other columns are optional, unknown ones ignored.
/// Row numbers are spreadsheet rows: the header is row 1 (a quoted cell with an embedded
/// newline still counts as one row).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cunxin/result.hpp"

namespace cunxin::messaging {

/// Text encoding found in an imported file.
enum class TextEncoding { Utf8, Utf8Bom, Gb18030 };

/// "utf-8", "utf-8-bom" or "gb18030".
const char* to_string(TextEncoding e) noexcept;

/// Why a whole file could not be read.
enum class CsvErrc {
    empty_input,         ///< no bytes, or no header row
    bad_encoding,        ///< neither UTF-8 nor GB18030
    unterminated_quote,  ///< a quoted cell never closes
    bad_quote,           ///< text after a closing quote, e.g. "ab"c
    missing_column,      ///< no name or no mobile column in the header
    too_many_rows,       ///< more data rows than kMaxImportRows
};

/// Most data rows one import takes (a 16 MiB upload holds about 250,000 typical rows).
inline constexpr std::size_t kMaxImportRows = 300'000;
/// The header is searched among this many first non-blank rows (title rows above it are skipped).
inline constexpr std::size_t kHeaderSearchRows = 10;

/// Short snake_case name ("unterminated_quote").
const char* to_string(CsvErrc code) noexcept;

/// A file-level error: reason, spreadsheet row where it was found, English and Chinese text.
struct CsvError {
    CsvErrc code = CsvErrc::empty_input;
    int gsm_code = -1;
    std::string detail;
    std::string detail_zh;
    std::size_t row = 0;
};

/// Converts bytes to UTF-8: valid UTF-8 stays (a BOM is removed), otherwise GB18030 via
/// iconv. Sets `detected`. Fails with bad_encoding when neither fits.
cunxin::Expected<std::string, CsvError> decode_text(std::string_view bytes, TextEncoding& detected);

/// Splits RFC 4180 CSV (UTF-8, CRLF or LF, quoted cells with "" and embedded newlines)
/// into records of cells. A final line break does not add an empty record.
cunxin::Expected<std::vector<std::vector<std::string>>, CsvError> parse_csv(std::string_view utf8);

/// Parses a date as written in spreadsheets: 2001-07-01, 2001/7/1, 2001.7.1, 2001年7月1日,
/// 20010701, an optional time after it ("2001-07-01 00:00:00"), or an Excel serial day
/// number of 5-6 digits (1900 date system: 10000 = 1927-05-18 up to 109574 = 2199-12-31;
/// shorter numbers are more likely a bare year and are refused); nullopt if it is none of
/// them or not a real date (years 1900-2199).
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);

/// One contact from (or for) a CSV file.
struct ContactRow {
    std::size_t row = 0;  ///< spreadsheet row it came from (0 when built in code)
    std::string name;
    std::string msisdn;  ///< E.164 ("+8613800138000")
    std::string village;
    std::string role;
    std::optional<std::chrono::year_month_day> party_join_date;
    std::vector<std::string> tags;
    std::string notes;
    bool opted_out = false;
};

/// Why a row (or one cell of it) was rejected.
enum class RejectReason {
    missing_name,
    missing_mobile,
    bad_mobile,        ///< not a Chinese mobile number (landline, wrong length…)
    duplicate_mobile,  ///< the same number appears in an earlier row of the file
    bad_date,          ///< unreadable joining date, or a date in the future
    bad_flag,          ///< opted_out is not yes/no
};

/// Short snake_case name ("duplicate_mobile").
const char* to_string(RejectReason r) noexcept;

/// One rejection: row, column (canonical name, e.g. "mobile"), the cell value, the reason.
struct Rejection {
    std::size_t row = 0;
    std::string column;
    std::string column_zh;  ///< the column's Chinese name ("手机号")
    std::string value;
    RejectReason reason = RejectReason::missing_name;
    std::string reason_zh;  ///< "第5行 手机号：不是手机号码（固定电话）"-style text
    std::string reason_en;
};

/// Import options.
struct ImportOptions {
    std::optional<std::chrono::year_month_day> today;  ///< if set, later joining dates are bad
};

/// What an import found: rows to take (all or none, the caller decides) and rejections.
struct ContactImport {
    TextEncoding encoding = TextEncoding::Utf8;
    std::vector<ContactRow> accepted;
    std::vector<Rejection> rejections;         ///< a row may have several
    std::size_t rows_total = 0;                ///< data rows read (blank rows not counted)
    std::size_t rows_rejected = 0;             ///< data rows with at least one rejection
    std::vector<std::string> ignored_columns;  ///< header cells that matched no column
    std::size_t header_row = 0;                ///< spreadsheet row of the header
};

/// Reads contacts from CSV bytes a batch at a time in bounded memory (the bytes must outlive
/// the reader; only a GB18030 file is converted as a whole). Same rules as import_contacts_csv.
class ContactCsvReader {
public:
    /// Detects the encoding and finds the header row; file-level problems are errors.
    static cunxin::Expected<ContactCsvReader, CsvError> open(std::string_view bytes,
                                                             const ImportOptions& options = {});
    /// Up to `max_rows` accepted rows into `accepted` (cleared first); rejections are appended
    /// to `rejections`. Ok(false) when the file is finished (`accepted` may still hold rows).
    cunxin::Expected<bool, CsvError> next(std::vector<ContactRow>& accepted,
                                          std::vector<Rejection>& rejections, std::size_t max_rows);

    /// Back to the first data row (counts and duplicates start afresh; nothing is decoded again).
    void rewind();

    ContactCsvReader(ContactCsvReader&&) noexcept;
    ContactCsvReader& operator=(ContactCsvReader&&) noexcept;
    ~ContactCsvReader();

    TextEncoding encoding = TextEncoding::Utf8;  ///< what was detected
    std::size_t header_row = 0;                  ///< spreadsheet row of the header
    std::size_t rows_total = 0;                  ///< data rows read so far
    std::size_t rows_rejected = 0;               ///< of which rejected
    std::vector<std::string> ignored_columns;    ///< header cells that matched no column

private:
    ContactCsvReader();
    struct State;
    std::unique_ptr<State> s_;
};

/// Imports contacts from CSV bytes. File-level problems (encoding, broken quoting, missing
/// name/mobile column) are errors; row problems go to `rejections`.
cunxin::Expected<ContactImport, CsvError> import_contacts_csv(std::string_view bytes,
                                                              const ImportOptions& options = {});

/// Export options.
struct ExportOptions {
    bool chinese_headers = true;  ///< 姓名,手机号,… (else name,mobile,…)
};

/// Contacts as CSV that Excel/WPS in China opens: UTF-8 with BOM, CRLF, quoting, and the
/// formula-injection guard. Mobile numbers are written as 11 national digits (spreadsheets
/// would read "+86…" as a formula). import_contacts_csv reads it back unchanged (it drops
/// the guard's ' before = + - @).
std::string export_contacts_csv(const std::vector<ContactRow>& contacts,
                                const ExportOptions& options = {});

/// One CSV cell: quoted when needed; a cell starting with = + - @ (or tab/CR) gets a
/// leading ' so spreadsheets do not run it as a formula.
std::string csv_cell(std::string_view value);

/// Rows as CSV (UTF-8 with BOM when `bom`, CRLF), every cell through csv_cell(); for reports.
std::string to_csv(const std::vector<std::vector<std::string>>& rows, bool bom = true);

}  // namespace cunxin::messaging

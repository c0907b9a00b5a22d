// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Reply menus: recognising "02 村口路灯坏了" style codes and opt-out/opt-in keywords.
///
/// classify() rules (only the start of the message is examined; it never throws):
///  1. Leading/trailing white space (ASCII, U+3000, NBSP) and zero-width characters are
///     ignored. Invalid UTF-8 is tolerated (bad bytes count as U+FFFD).
///  2. The code may be wrapped in one bracket pair: 【】 [] () （） 〔〕 「」 《》 <>.
///  3. The code is 1-3 digits (ASCII or full-width, "2", "02", "００２"), or 1-3 Chinese
///     numerals (一…九, 〇/零 with a digit "〇二"/"零二", 十 forms "十"/"十一", formal 壹贰叁…).
///     Its numeric value must equal the value of a menu code ("2" and "002" match "02");
///     otherwise the message has no code ("12 户" with a 01-03 menu has none).
///  4. After the code (and its closing bracket) comes the end of the message, white space,
///     punctuation (、，,。.:：;；-—~～!！?？/| and the like), a lone closing bracket ("2）路灯"),
///     or — for digit codes only — directly a Chinese character ("02村口路灯坏了").
///  5. It is NOT a code when: more digits follow (2024年, phone numbers); a Latin letter or
///     other symbol follows (5G, 3%, 2👍); a digit follows a Latin '.', ',', ':', '-', '/'
///     ("2.5万", "3:30", "1-2户"); a digit code is directly followed by a unit or measure
///     word ("3点开会", "3号楼", "2人", "2年": 年 月 日 号 点 时 分 秒 周 天 岁 户 人 家 个 位
///     名 元 块 斤 亩 米 次 期 届 楼 栋 层 组 队 条 件 万 千 百 亿 度 …, full list in
///     reply_menu.cpp); a Chinese numeral is directly followed by text ("一定要修", "三天了",
///     "二手车": Chinese numerals need punctuation, white space, a bracket or the end after
///     them). With a space in between the unit rule does not apply ("3 点开会" is code 03).
///  6. `body` is the rest of the message with the separators after the code and the outer
///     white space removed; without a code it is the whole trimmed message.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cunxin::messaging {

/// One category of a reply menu.
struct MenuItem {
    std::string code;        ///< digits as shown to senders, e.g. "01"
    std::string label_zh;    ///< "政策咨询"
    std::string label_en;    ///< "Policy question"
    std::string auto_reply;  ///< automatic acknowledgement text; empty = none
    bool anonymous = false;  ///< hide the sender from non-admin users
};

/// The configured menu; order is display order.
struct ReplyMenu {
    std::vector<MenuItem> items;
};

/// The default menu: 01 政策咨询, 02 意见建议, 03 反映情况.
ReplyMenu default_reply_menu();

/// Problems with a menu (codes not 1-3 ASCII digits, empty labels, two codes of the same
/// value like "2" and "02"); empty when the menu is usable.
std::vector<std::string> validate_menu(const ReplyMenu& menu);

/// The item whose code has the same numeric value as `code` ("2" finds "02"), or nullptr.
const MenuItem* find_item(const ReplyMenu& menu, std::string_view code);

/// Result of classifying an incoming text.
struct Classification {
    std::optional<std::string> code;  ///< the menu item's code as configured ("02"), or none
    std::string body;                 ///< the text without the code and its separator
};

/// Recognises a reply-menu code at the start of `text` (rules in this header's comment).
Classification classify(std::string_view text, const ReplyMenu& menu);

/// Opt-out and opt-in keywords; compared to the whole message, case- and width-insensitive.
struct Keywords {
    std::vector<std::string> opt_out{"退订", "TD", "T", "STOP", "取消订阅", "UNSUBSCRIBE"};
    std::vector<std::string> opt_in{"订阅", "START", "恢复", "恢复订阅"};
};

/// True when the whole message (trimmed, final 。.!！ removed) is an opt-out keyword.
bool is_opt_out(std::string_view text, const Keywords& keywords = {});

/// True when the whole message (trimmed, final 。.!！ removed) is an opt-in keyword.
bool is_opt_in(std::string_view text, const Keywords& keywords = {});

/// Folds full-width ASCII (U+FF01-FF5E) and U+3000 to ASCII, Latin letters to upper case,
/// drops zero-width characters and trims white space; invalid bytes become U+FFFD.
std::string fold_for_match(std::string_view text);

}  // namespace cunxin::messaging

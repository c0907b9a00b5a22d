// SPDX-License-Identifier: Apache-2.0
#include "cunxin/modem/quirks.hpp"

#include <algorithm>
#include <cctype>

namespace cunxin::modem {

namespace {

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != hay.end();
}

struct Row {
    std::string_view manufacturer;
    std::string_view model;
    Quirks quirks;
};

const std::vector<Row>& table() {
    static const std::vector<Row> rows = [] {
        std::vector<Row> r;
        Quirks q;
        // quirk: Quectel EC25/EC20: ICCID only via AT+QCCID, PIN attempts via AT+QPINC; files
        // status reports in SR when CNMI ds=2 (quectel-ec25-init.at)
        q = Quirks{};
        q.name = "quectel";
        q.iccid_commands = {"AT+QCCID", "AT+CCID"};
        q.pin_attempts_command = "AT+QPINC=\"SC\"";
        q.sr_memory = true;
        q.boot_time = std::chrono::milliseconds(15000);
        r.push_back({"quectel", "", q});
        // quirk: SIMCom SIM7600: ICCID via AT+CICCID (+ICCID:), attempts via AT+SPIC; needs
        // >= 23 s after AT+CFUN=1,1 (simcom-sim7600-init.at)
        q = Quirks{};
        q.name = "simcom-sim7600";
        q.iccid_commands = {"AT+CICCID", "AT+CCID"};
        q.pin_attempts_command = "AT+SPIC";
        q.boot_time = std::chrono::milliseconds(25000);
        r.push_back({"simcom", "7600", q});
        // quirk: SIMCom SIM800: bare ICCID from AT+CCID, +CMT needs AT+CNMA in phase 2+
        // (simcom-sim800c-cmt-cds.at)
        q = Quirks{};
        q.name = "simcom-sim800";
        q.iccid_commands = {"AT+CCID"};
        q.pin_attempts_command = "AT+SPIC";
        q.cnma_after_cmt = true;
        r.push_back({"simcom", "800", q});
        // quirk: Huawei E3372/E303 stick firmware: ICCID only via AT^ICCID? (nibble-swapped),
        // attempts via AT^CPIN?; no AT+CMMS on some firmwares (huawei-e3372-init.at)
        q = Quirks{};
        q.name = "huawei";
        q.iccid_commands = {"AT^ICCID?", "AT+CCID"};
        q.pin_attempts_command = "AT^CPIN?";
        q.cmms = false;
        r.push_back({"huawei", "", q});
        return r;
    }();
    return rows;
}

}  // namespace

const Quirks& quirks_for(std::string_view manufacturer, std::string_view model) {
    for (const auto& row : table()) {
        if (icontains(manufacturer, row.manufacturer) && icontains(model, row.model)) return row.quirks;
    }
    static const Quirks generic{};
    return generic;
}

}  // namespace cunxin::modem

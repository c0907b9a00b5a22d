// SPDX-License-Identifier: Apache-2.0
// Parses board/udev/60-cunxin-modems.rules: syntax of each rule, one comment per device
// line, VID:PID form, unique devices, ModemManager kept off, stable symlinks, the modems' USB
// device nodes writable by dialout (for the USB reset of a hung modem) and by nobody else.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_rules() {
    std::ifstream in(std::string(CUNXIN_SOURCE_DIR) + "/board/udev/60-cunxin-modems.rules");
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Report {
    std::vector<std::string> errors;
    std::set<std::string> devices;  // "vvvv:pppp"
};

/// Checks a rules text; returns every problem found (empty = good).
Report check_rules(const std::string& text) {
    Report r;
    // KEY or KEY{attr}, operator, "value"; pairs separated by ", ".
    static const std::regex pair_re(R"(^([A-Z]+)(\{[A-Za-z0-9_]+\})?(==|!=|\+=|-=|:=|=)\"([^\"]*)\"$)");
    static const std::set<std::string> match_keys{"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL",
                                                  "KERNELS", "ATTR", "ATTRS", "ENV", "DRIVERS"};
    static const std::set<std::string> assign_keys{"ENV", "GOTO", "LABEL", "IMPORT", "GROUP",
                                                   "MODE", "SYMLINK", "OWNER", "TAG", "RUN"};
    static const std::regex hex4("^[0-9a-f]{4}$");
    std::set<std::string> gotos, labels;
    bool previous_is_comment = false;
    bool ignore_set = false;
    bool symlink_set = false;
    int last_device_line = -1;
    int ignore_line = -1;
    int usb_node_line = -1;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        const std::string where = "line " + std::to_string(n) + ": ";
        if (line.empty()) {
            previous_is_comment = false;
            continue;
        }
        if (line[0] == '#') {
            previous_is_comment = true;
            continue;
        }
        if (line.back() == '\\') r.errors.push_back(where + "continuation lines not used here");
        std::map<std::string, std::string> attrs;
        std::string vid, pid;
        bool has_match = false;
        std::size_t pos = 0;
        while (pos <= line.size()) {
            auto comma = line.find(", ", pos);
            const std::string token = line.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            pos = comma == std::string::npos ? line.size() + 1 : comma + 2;
            std::smatch m;
            if (!std::regex_match(token, m, pair_re)) {
                r.errors.push_back(where + "bad key/value '" + token + "'");
                continue;
            }
            const std::string key = m[1], attr = m[2], op = m[3], value = m[4];
            const bool is_match = op == "==" || op == "!=";
            if (is_match && !match_keys.count(key)) r.errors.push_back(where + key + " cannot be matched");
            if (!is_match && !assign_keys.count(key)) r.errors.push_back(where + key + " cannot be assigned");
            has_match = has_match || is_match;
            if (key == "GOTO") gotos.insert(value);
            if (key == "LABEL") labels.insert(value);
            if (key == "ATTRS" && attr == "{idVendor}") vid = value;
            if (key == "ATTRS" && attr == "{idProduct}") pid = value;
            if (key == "ENV" && attr == "{ID_MM_DEVICE_IGNORE}" && op == "=" && value == "1") {
                ignore_set = true;
                ignore_line = n;
            }
            if (key == "SYMLINK" && value.rfind("cunxin/modem-", 0) == 0 &&
                value.find("-if$env{ID_USB_INTERFACE_NUM}") != std::string::npos) {
                symlink_set = true;
            }
            attrs[key + attr] = value;
        }
        if (!vid.empty() || !pid.empty()) {
            if (!previous_is_comment) r.errors.push_back(where + "device line without a comment above");
            if (!std::regex_match(vid, hex4)) r.errors.push_back(where + "idVendor '" + vid + "' is not 4 lowercase hex digits");
            if (!std::regex_match(pid, hex4)) r.errors.push_back(where + "idProduct '" + pid + "' is not 4 lowercase hex digits");
            if (!attrs.count("ENV{CUNXIN_MODEM}") || attrs["ENV{CUNXIN_MODEM}"].empty()) {
                r.errors.push_back(where + "device line does not name the modem (ENV{CUNXIN_MODEM})");
            }
            if (!r.devices.insert(vid + ":" + pid).second) r.errors.push_back(where + "duplicate " + vid + ":" + pid);
            last_device_line = n;
        }
        if (attrs.count("SUBSYSTEM") && attrs["SUBSYSTEM"] == "usb" && attrs.count("ENV{DEVTYPE}") &&
            attrs["ENV{DEVTYPE}"] == "usb_device" && attrs.count("GROUP") && attrs["GROUP"] == "dialout") {
            usb_node_line = n;
        }
        if (!has_match && attrs.count("ENV{CUNXIN_MODEM}")) r.errors.push_back(where + "modem named without a match");
        previous_is_comment = false;
    }
    for (const auto& g : gotos) {
        if (!labels.count(g)) r.errors.push_back("GOTO \"" + g + "\" has no LABEL");
    }
    if (!ignore_set) r.errors.push_back("ENV{ID_MM_DEVICE_IGNORE}=\"1\" is never set");
    if (ignore_set && ignore_line < last_device_line) r.errors.push_back("ID_MM_DEVICE_IGNORE set before the device table ends");
    if (usb_node_line < 0) r.errors.push_back("the modems' USB device nodes are not given to group dialout");
    if (usb_node_line >= 0 && usb_node_line < ignore_line) {
        r.errors.push_back("USB device nodes given to dialout before the rules have left non-modems");
    }
    if (!symlink_set) r.errors.push_back("no stable SYMLINK cunxin/modem-...-if$env{ID_USB_INTERFACE_NUM}");
    if (r.devices.empty()) r.errors.push_back("no device lines");
    return r;
}

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
    const auto p = s.find(from);
    REQUIRE(p != std::string::npos);
    return s.replace(p, from.size(), to);
}

}  // namespace

TEST_CASE("udev rules file is well formed") {
    const auto r = check_rules(read_rules());
    for (const auto& e : r.errors) FAIL_CHECK(e);
    CHECK(r.errors.empty());
}

TEST_CASE("udev rules cover the known modems") {
    const auto r = check_rules(read_rules());
    for (const char* want : {"2c7c:0125", "2c7c:0121", "2c7c:0800", "1e0e:9001", "12d1:1001",
                             "12d1:1506", "12d1:155e", "19d2:0031"}) {
        CAPTURE(want);
        CHECK(r.devices.count(want) == 1);
    }
}

TEST_CASE("the checker catches broken rules (so the test above can fail)") {
    const auto good = read_rules();
    struct Row {
        const char* name;
        std::string text;
    };
    const Row rows[] = {
        {"comment removed", replace_once(good, "# Quectel EC21 (LTE Cat 1)\n", "")},
        {"uppercase hex", replace_once(good, "\"0125\"", "\"0A25\"")},
        {"short PID", replace_once(good, "\"0121\"", "\"121\"")},
        {"missing quote", replace_once(good, "ATTRS{idProduct}==\"0800\"", "ATTRS{idProduct}==0800")},
        {"MM ignore gone", replace_once(good, "ENV{ID_MM_DEVICE_IGNORE}=\"1\"", "ENV{ID_MM_DEVICE_IGNORE}=\"0\"")},
        {"duplicate device",
         replace_once(good, "\"12d1\", ATTRS{idProduct}==\"1506\"", "\"12d1\", ATTRS{idProduct}==\"1001\"")},
        {"unknown label", replace_once(good, "LABEL=\"cunxin_end\"", "LABEL=\"cunxin_done\"")},
        {"USB node not for dialout", replace_once(good, "ENV{DEVTYPE}==\"usb_device\", GROUP=\"dialout\"",
                                                  "ENV{DEVTYPE}==\"usb_device\", GROUP=\"plugdev\"")},
        {"USB node before the table ends",
         replace_once(replace_once(good, "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", GROUP=\"dialout\", MODE=\"0660\"\n", ""),
                      "ACTION==\"remove\", GOTO=\"cunxin_end\"\n",
                      "ACTION==\"remove\", GOTO=\"cunxin_end\"\nSUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", GROUP=\"dialout\", MODE=\"0660\"\n")},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        CHECK_FALSE(check_rules(row.text).errors.empty());
    }
}

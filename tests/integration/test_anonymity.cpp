// SPDX-License-Identifier: Apache-2.0
// Anonymous reply-menu categories on the real daemon (issue 12 item 1): for a message in an
// anonymous category no role (viewer, operator, admin) learns or can test the sender through
// any endpoint that returns or filters messages — lists, filters, single views, threads,
// exports, reports, dashboard, audit, live events — and the automatic acknowledgement and an
// operator's reply stay linked to the message and hidden too. The reply reaches the sender.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "common.hpp"

using namespace cunxin::itest;
namespace sim = cunxin::modemsim;

namespace {

const std::string kSender = "+8613900020001";      // sends the anonymous report
const std::string kSenderDigits = "13900020001";   // how the number shows in any form
const std::string kName = "赵守密";                 // the sender's contact name
const std::string kVillage = "石头沟村";            // the sender's village
const std::string kOther = "+8613900020002";       // a named contact who sends a normal reply
const std::string kStranger = "+8613900029999";    // a number that sent nothing ("wrong number")

std::string pct(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string token_for(Appliance& a, const std::string& name, const std::string& role) {
    std::string out;
    const int rc = run_capture({built("firmware/app/cunxin").string(), "token", "create", "--data-dir",
                                a.data_dir().string(), "--name", name, "--role", role},
                               out);
    REQUIRE(rc == 0);
    std::string line;
    for (std::size_t pos = 0; pos < out.size();) {
        const auto nl = out.find('\n', pos);
        std::string l = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!l.empty()) line = l;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return line;
}

/// Reads a live-event stream (SSE) in the background until stopped or 60 s passed.
class SseReader {
public:
    SseReader(int port, const std::string& token) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
        const std::string req = "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                                "Authorization: Bearer " + token + "\r\n\r\n";
        if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) < 0) return;
        thread_ = std::thread([this] {
            const auto end = std::chrono::steady_clock::now() + 60s;
            char buf[4096];
            while (!stop_ && std::chrono::steady_clock::now() < end) {
                pollfd p{fd_, POLLIN, 0};
                if (::poll(&p, 1, 100) <= 0) continue;
                const auto n = ::read(fd_, buf, sizeof buf);
                if (n <= 0) break;
                std::lock_guard lock(mu_);
                bytes_.append(buf, static_cast<std::size_t>(n));
            }
        });
    }
    ~SseReader() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }
    std::string bytes() {
        std::lock_guard lock(mu_);
        return bytes_;
    }

private:
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mu_;
    std::string bytes_;
};

/// The ids of the `items` of a JSON list reply (empty on anything else).
std::set<long long> ids_of(const HttpReply& r) {
    std::set<long long> ids;
    if (r.status != 200) return ids;
    const auto j = r.json();
    if (!j.is_object() || !j.contains("items")) return ids;
    for (const auto& m : j["items"]) ids.insert(m.at("id").get<long long>());
    return ids;
}

/// The GET routes registered in firmware/http/src (r.get("...") or r.get(R"(...)")).
std::set<std::string> get_routes() {
    std::set<std::string> out;
    for (const auto& f : std::filesystem::directory_iterator(std::filesystem::path(CUNXIN_SOURCE_DIR) / "firmware/http/src")) {
        if (f.path().extension() != ".cpp") continue;
        std::ifstream in(f.path());
        const std::string src((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (auto at = src.find("r.get("); at != std::string::npos; at = src.find("r.get(", at + 1)) {
            const auto open = at + 6;
            if (src.compare(open, 3, "R\"(") == 0) {
                out.insert(src.substr(open + 3, src.find(")\"", open + 3) - open - 3));
            } else if (src.compare(open, 1, "\"") == 0) {
                out.insert(src.substr(open + 1, src.find('"', open + 1) - open - 1));
            }
        }
    }
    return out;
}

}  // namespace

TEST_CASE("every GET route is classified: checked for anonymity below, or returns no messages") {
    // Checked by the cases below (they return, count or filter messages).
    const std::set<std::string> checked = {
        "/api/v1/messages", "/api/v1/messages/export.csv", "/api/v1/messages/(\\d+)",
        "/api/v1/threads/([+]?\\d{3,20})", "/api/v1/dashboard", "/api/v1/reports", "/api/v1/campaigns",
        "/api/v1/campaigns/(\\d+)/recipients", "/api/v1/audit", "/api/v1/events",
        // Alert SMS texts (an urgent category may be anonymous): operators and admins.
        "/api/v1/alerts"};
    // Return no message and nothing computed from messages. The backup is the database file
    // itself (admin only): it holds the number, which replies need (README, docs/api.md).
    const std::set<std::string> no_messages = {
        "/api/v1/health", "/api/v1/auth/state", "/api/v1/auth/me", "/api/v1/contacts",
        "/api/v1/contacts/export.csv", "/api/v1/contacts/(\\d+)", "/api/v1/villages", "/api/v1/tags",
        "/api/v1/groups", "/api/v1/modems", "/api/v1/settings", "/api/v1/system/backup",
        "/api/v1/users/names", "/api/v1/users", "/api/v1/tokens", "/api/v1/campaigns/(\\d+)",
        "/api/v1/system/restore", "/api/v1/templates", "/api/v1/roles", "/api/v1/greetings/upcoming",
        // Voice calls (RING/+CLIP) are not messages and have no category.
        "/api/v1/calls",
        // The support bundle: AT transcripts with numbers and PDU bodies zeroed, no message table.
        "/api/v1/doctor",
        // Admin only: PDUs that could not be decoded, so no category (anonymous or not) is known.
        "/api/v1/quarantine",
        // Field checks (issue 14): self-test rows and credit readings name SIMs, not villagers;
        // the system messages (admin only) are carriers' texts and self-test texts, which are
        // never classified, so never in a category, anonymous or not.
        "/api/v1/selftest", "/api/v1/sims/(\\d{6,22}|[0-9A-Fa-f]{6,22})/balances", "/api/v1/system-messages"};
    // The county hub's routes (`cunxin hub` only): replies and the summary are checked in
    // test_federation.cpp (an anonymous reply has no number and no village, not even in the hub's
    // database); boxes and notices carry counts and health, no message.
    const std::set<std::string> county = {
        "/api/v1/county/boxes", "/api/v1/county/notices", "/api/v1/county/notices/([A-Za-z0-9-]{1,64})",
        "/api/v1/county/replies", "/api/v1/county/summary"};
    const auto routes = get_routes();
    REQUIRE(routes.size() >= 20);  // the parser still finds the routers
    for (const auto& route : routes) {
        CAPTURE(route);
        CHECK_MESSAGE((checked.count(route) + no_messages.count(route) + county.count(route)) == 1,
                      "a new GET route: add it to the checks of tests/integration/test_anonymity.cpp "
                      "(or to no_messages if it returns nothing about messages)");
    }
}

TEST_CASE("no role learns or tests the sender of a message in an anonymous category") {
    // The anonymous category is urgent: its alert SMS to the duty number is checked too.
    Appliance a({.modems = 1,
                 .extra_config = R"("alerts": {"duty": [{"name": "值班员", "number": "+8615900000009"}], )"
                                 R"("urgent_categories": ["08"], "quiet_hours": ""})"});
    const std::string viewer = token_for(a, "anon-viewer", "viewer");
    const std::string operator_ = token_for(a, "anon-operator", "operator");
    a.start();
    const std::string admin = a.token();
    auto call = [&](const std::string& token, const std::string& method, const std::string& target,
                    const Json& body = nullptr) {
        return http(a.port(), method, target, token, body.is_null() ? std::string() : body.dump());
    };

    // An anonymous category with an automatic acknowledgement; the sender is a named contact.
    auto r = call(admin, "PUT", "/api/v1/menu/08",
                  {{"label_zh", "匿名举报"}, {"label_en", "Anonymous report"}, {"anonymous", true},
                   {"auto_ack", "已收到您的匿名反映，我们会认真核查。"}, {"position", 8}});
    REQUIRE_MESSAGE(r.status == 200, r.body);
    r = call(admin, "POST", "/api/v1/contacts", {{"name", kName}, {"mobile", kSender}, {"village", kVillage}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    const long long sender_contact = r.json().at("id").get<long long>();
    r = call(admin, "POST", "/api/v1/contacts", {{"name", "钱公开"}, {"mobile", kOther}, {"village", "河东村"}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    const long long other_contact = r.json().at("id").get<long long>();

    SseReader live_viewer(a.port(), viewer);
    SseReader live_admin(a.port(), admin);
    std::this_thread::sleep_for(300ms);

    sim::Incoming report;
    report.from = kSender;
    report.text = "08 村主任挪用扶贫款";
    a.sim().inject(report);
    sim::Incoming normal;
    normal.from = kOther;
    normal.text = "01 低保怎么申请";
    a.sim().inject(normal);

    std::vector<Json> in;
    REQUIRE_MESSAGE(wait_until([&] {
        in = a.all_messages("in");
        return in.size() == 2;
    }, 60s), a.log());
    long long anon_id = 0;
    long long normal_id = 0;
    for (const auto& m : in) {
        if (m.at("category") == "08") anon_id = m.at("id").get<long long>();
        if (m.at("category") == "01") normal_id = m.at("id").get<long long>();
    }
    REQUIRE(anon_id > 0);
    REQUIRE(normal_id > 0);

    // The operator answers without knowing the number; the box sends it to the sender.
    r = call(operator_, "POST", "/api/v1/messages/" + std::to_string(anon_id) + "/reply",
             {{"text", "您反映的情况已转纪委核查。"}});
    REQUIRE_MESSAGE(r.status == 202, r.body);
    CHECK(r.body.find(kSenderDigits) == std::string::npos);
    REQUIRE_MESSAGE(a.sim().wait_sent(3, 60s), a.log());  // with the alert to the duty number
    int to_sender = 0;
    for (const auto& s : a.sim().sent()) {
        if (s.recipient == kSender) ++to_sender;
    }
    CHECK(to_sender == 2);  // the acknowledgement and the reply
    std::vector<Json> out;
    REQUIRE(wait_until([&] {
        out = a.all_messages("out");
        return out.size() == 3;
    }, 30s));
    int alerts_out = 0;
    for (const auto& m : out) {
        if (m.at("peer") != "+8615900000009") continue;
        ++alerts_out;
        CHECK(m.at("text").get<std::string>().find("挪用扶贫款") != std::string::npos);
    }
    CHECK(alerts_out == 1);
    std::vector<long long> out_ids;
    for (const auto& m : out) out_ids.push_back(m.at("id").get<long long>());
    // Triage still works for an operator.
    r = call(operator_, "POST", "/api/v1/messages/" + std::to_string(anon_id) + "/status", {{"status", "in_progress"}});
    CHECK_MESSAGE(r.status == 200, r.body);
    r = call(operator_, "POST", "/api/v1/messages/" + std::to_string(anon_id) + "/notes", {{"text", "已转交"}});
    CHECK_MESSAGE(r.status == 201, r.body);
    std::this_thread::sleep_for(500ms);

    // Every endpoint that returns messages or counts over them (GET routes of firmware/http/src:
    // messages.cpp, reports.cpp, campaigns.cpp, users.cpp audit, server.cpp events).
    std::vector<std::string> plain = {
        "/api/v1/messages",
        "/api/v1/messages?direction=in",
        "/api/v1/messages?direction=out",
        "/api/v1/messages?category=08",
        "/api/v1/messages?status=in_progress",
        "/api/v1/messages?q=" + pct("挪用扶贫"),
        "/api/v1/messages?q=" + pct("核查"),
        "/api/v1/messages?limit=1",
        "/api/v1/messages/" + std::to_string(anon_id),
        "/api/v1/messages/export.csv",
        "/api/v1/messages/export.csv?category=08",
        "/api/v1/messages/export.csv?direction=out",
        "/api/v1/dashboard",
        "/api/v1/reports",
        "/api/v1/reports?format=csv&table=category",
        "/api/v1/reports?format=csv&table=village",
        "/api/v1/reports?format=csv&table=daily",
        "/api/v1/reports?format=csv&table=campaigns",
        "/api/v1/reports?format=csv&table=cost",
        "/api/v1/campaigns",
    };
    for (auto id : out_ids) plain.push_back("/api/v1/messages/" + std::to_string(id));
    struct Role {
        const char* name;
        std::string token;
    };
    const Role roles[] = {{"viewer", viewer}, {"operator", operator_}, {"admin", admin}};
    for (const auto& role : roles) {
        CAPTURE(role.name);
        for (const auto& target : plain) {
            CAPTURE(target);
            const auto g = call(role.token, "GET", target);
            CHECK(g.status == 200);
            CHECK(g.body.find(kSenderDigits) == std::string::npos);
            CHECK(g.body.find(kName) == std::string::npos);
            CHECK(g.body.find(kVillage) == std::string::npos);
        }
        // The anonymous report is still listed (triage needs it), without its sender.
        const auto list = call(role.token, "GET", "/api/v1/messages?category=08");
        CHECK(ids_of(list).count(anon_id) == 1);
        // The audit trail (admin only) names no number either; it names the contact because
        // the test created it through the API, so only the number is checked there.
        const auto alerts = call(role.token, "GET", "/api/v1/alerts");
        CHECK(alerts.status == (role.token == viewer ? 403 : 200));
        CHECK(alerts.body.find(kSenderDigits) == std::string::npos);
        CHECK(alerts.body.find(kName) == std::string::npos);
        CHECK(alerts.body.find(kVillage) == std::string::npos);
        const auto audit = call(role.token, "GET", "/api/v1/audit?limit=500");
        CHECK(audit.body.find(kSenderDigits) == std::string::npos);

        // Filters that involve the sender: the right sender and a wrong one give the same answer.
        const std::string right = pct(kSender);
        const std::string wrong = pct(kStranger);
        const std::pair<std::string, std::string> oracles[] = {
            {"/api/v1/messages?peer=" + right, "/api/v1/messages?peer=" + wrong},
            {"/api/v1/messages?peer=" + kSenderDigits, "/api/v1/messages?peer=13900029999"},
            {"/api/v1/messages?peer=" + right + "&category=08", "/api/v1/messages?peer=" + wrong + "&category=08"},
            {"/api/v1/messages?peer=" + right + "&direction=out", "/api/v1/messages?peer=" + wrong + "&direction=out"},
            {"/api/v1/messages?peer=" + right + "&q=" + pct("挪用"), "/api/v1/messages?peer=" + wrong + "&q=" + pct("挪用")},
            {"/api/v1/messages?contact_id=" + std::to_string(sender_contact),
             "/api/v1/messages?contact_id=" + std::to_string(other_contact + 1000)},
            {"/api/v1/messages?contact_id=" + std::to_string(sender_contact) + "&category=08",
             "/api/v1/messages?contact_id=" + std::to_string(other_contact + 1000) + "&category=08"},
            {"/api/v1/messages?village=" + pct(kVillage), "/api/v1/messages?village=" + pct("无此村")},
            {"/api/v1/messages?village=" + pct(kVillage) + "&category=08",
             "/api/v1/messages?village=" + pct("无此村") + "&category=08"},
            {"/api/v1/threads/" + right, "/api/v1/threads/" + wrong},
            {"/api/v1/threads/" + kSenderDigits, "/api/v1/threads/13900029999"},
        };
        for (const auto& [with_right, with_wrong] : oracles) {
            CAPTURE(with_right);
            const auto x = call(role.token, "GET", with_right);
            const auto y = call(role.token, "GET", with_wrong);
            CHECK(x.status == 200);
            CHECK(y.status == 200);
            CHECK(ids_of(x) == ids_of(y));
            CHECK(ids_of(x).empty());
            // The answer lists no message naming the sender (a thread also echoes the directory
            // entry of the number asked for: that is the contact list, not the report).
            const auto items = x.json().is_object() ? x.json().value("items", Json::array()) : Json::array();
            CHECK(items.dump().find(kName) == std::string::npos);
        }
        const auto csv_right = call(role.token, "GET", "/api/v1/messages/export.csv?peer=" + right);
        const auto csv_wrong = call(role.token, "GET", "/api/v1/messages/export.csv?peer=" + wrong);
        CHECK(csv_right.status == 200);
        CHECK(csv_right.body == csv_wrong.body);
        const auto csv_village = call(role.token, "GET", "/api/v1/messages/export.csv?village=" + pct(kVillage));
        CHECK(csv_village.body.find("挪用") == std::string::npos);
    }
    // The normal reply keeps its sender (only anonymous categories are hidden).
    const auto normal_view = call(viewer, "GET", "/api/v1/messages/" + std::to_string(normal_id));
    CHECK(normal_view.body.find("13900020002") != std::string::npos);

    // Live events carried the new messages but not the sender.
    const auto ev_viewer = live_viewer.bytes();
    const auto ev_admin = live_admin.bytes();
    CHECK(ev_admin.find("event: message") != std::string::npos);
    for (const auto& ev : {ev_viewer, ev_admin}) {
        CHECK(ev.find(kSenderDigits) == std::string::npos);
        CHECK(ev.find(kName) == std::string::npos);
        CHECK(ev.find(kVillage) == std::string::npos);
    }
    CHECK(a.stop() == 0);
}

TEST_CASE("an anonymous report from a campaign recipient does not mark the recipient as replied") {
    Appliance a({.modems = 1});
    a.start();
    auto r = http(a.port(), "PUT", "/api/v1/menu/08", a.token(),
                  Json{{"label_zh", "匿名举报"}, {"anonymous", true}}.dump());
    REQUIRE_MESSAGE(r.status == 200, r.body);
    r = a.post("/api/v1/campaigns", {{"name", "通知"}, {"template", "明天上午开会。"},
                                     {"mobiles", {kSender}}, {"start_now", true}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    const auto campaign = r.json().at("id").get<long long>();
    REQUIRE(a.sim().wait_sent(1, 30s));
    sim::Incoming report;
    report.from = kSender;
    report.text = "08 会议经费被挪用";
    a.sim().inject(report);
    REQUIRE(wait_until([&] { return a.all_messages("in").size() == 1; }, 30s));
    std::this_thread::sleep_for(300ms);
    const auto rec = a.get("/api/v1/campaigns/" + std::to_string(campaign) + "/recipients");
    REQUIRE(rec.status == 200);
    REQUIRE(rec.json().at("items").size() == 1);
    CHECK(rec.json()["items"][0]["replied_at"].is_null());
    const auto rates = a.get("/api/v1/reports").json();
    for (const auto& c : rates.at("campaigns")) CHECK(c.at("replied") == 0);
    CHECK(a.stop() == 0);
}

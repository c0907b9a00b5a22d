// SPDX-License-Identifier: Apache-2.0
#include "harness.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <future>
#include <stdexcept>

namespace cxtest {

namespace store = cunxin::store;
namespace http = cunxin::http;

namespace {
store::Seconds now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

std::vector<http::ModemInfo> StoreCore::modems() {
    http::ModemInfo a;
    a.id = "860000000000001";
    a.port = "/dev/ttyUSB2";
    a.state = "ready";
    a.ready = true;
    a.model = "EC25";
    a.imei = a.id;
    a.iccid = "89860000000000000001";
    a.operator_name = "CHINA MOBILE";
    a.registered = true;
    a.signal_dbm = -71;
    a.storage = "SM";
    a.storage_used = 24;
    a.storage_total = 30;
    http::ModemInfo b = a;
    b.storage.clear();
    b.storage_used = -1;
    b.storage_total = -1;
    b.id = "860000000000002";
    b.iccid = "89860000000000000002";
    b.state = "recovering";
    b.ready = false;
    b.signal_dbm.reset();
    return {a, b};
}

http::CoreResult<http::SendResult> StoreCore::send(const http::SendRequest& r) {
    http::SendResult out;
    std::vector<store::NewOutgoing> batch;
    std::vector<std::string> kept;
    for (const auto& to : r.to) {
        std::string n = to;
        if (n.size() == 11 && n[0] == '1') n = "+86" + n;
        if (n.size() != 14 || n.rfind("+861", 0) != 0) {
            out.rejected.emplace_back(to, "invalid_number");
            continue;
        }
        store::NewOutgoing m;
        m.peer = n;
        m.text = r.text;
        m.created_by = r.actor;
        m.segments.push_back(store::NewSegment{"0011000B915155214365F70008AA00", 15});
        batch.push_back(std::move(m));
    }
    if (batch.empty()) return out;
    auto ids = store::insert_outgoing(db_, batch, now_s());
    if (!ids) return cunxin::unexpected(http::CoreError{"unavailable", "store failed"});
    out.ids = *ids;
    return out;
}

http::CoreResult<std::int64_t> StoreCore::reply(std::int64_t message_id, const std::string& text,
                                                const std::string& actor) {
    auto target = store::reply_target(db_, message_id);
    if (!target) return cunxin::unexpected(http::CoreError{"not_found", "no such message"});
    store::NewOutgoing m;
    m.peer = target->number;
    m.text = text;
    m.created_by = actor;
    m.reply_to = target->link_id;
    m.segments.push_back(store::NewSegment{"0011000B915155214365F70008AA00", 15});
    auto ids = store::insert_outgoing(db_, {m}, now_s());
    if (!ids) return cunxin::unexpected(http::CoreError{"unavailable", "store failed"});
    return ids->front();
}

http::CoreResult<std::int64_t> StoreCore::create_campaign(const http::CampaignRequest& r) {
    store::CampaignTargets t;
    t.group_ids = r.group_ids;
    t.villages = r.villages;
    t.tags = r.tags;
    t.mobiles = r.mobiles;
    t.contact_ids = r.contact_ids;
    t.roles = r.roles;
    auto contacts = store::resolve_targets(db_, t);
    if (!contacts) return cunxin::unexpected(http::CoreError{"unavailable", "store failed"});
    if (contacts->empty()) return cunxin::unexpected(http::CoreError{"invalid", "no recipients"});
    store::Campaign c;
    c.name = r.name;
    c.template_text = r.template_text;
    c.created_by = r.actor;
    c.created_at = now_s();
    c.status = r.scheduled_at ? store::CampaignStatus::Scheduled : store::CampaignStatus::Draft;
    c.scheduled_at = r.scheduled_at;
    c.confirm_request = r.confirm_request;
    c.remind_after = r.confirm_request ? r.remind_after_seconds : 0;
    std::vector<store::CampaignRecipient> rec;
    for (const auto& k : *contacts) {
        store::CampaignRecipient x;
        x.mobile = k.mobile;
        x.contact_id = k.id;
        x.name = k.name;
        x.village = k.village;
        x.text = r.template_text;
        rec.push_back(x);
    }
    auto id = store::insert_campaign(db_, c, rec);
    if (!id) return cunxin::unexpected(http::CoreError{"unavailable", "store failed"});
    return *id;
}

http::CoreResult<void> StoreCore::campaign_action(std::int64_t id, http::CampaignAction a,
                                                  const std::string&) {
    auto c = store::get_campaign(db_, id);
    if (!c) return cunxin::unexpected(http::CoreError{"not_found", "no such campaign"});
    store::CampaignStatus s = c->status;
    switch (a) {
        case http::CampaignAction::launch: s = store::CampaignStatus::Running; break;
        case http::CampaignAction::pause: s = store::CampaignStatus::Paused; break;
        case http::CampaignAction::resume: s = store::CampaignStatus::Running; break;
        case http::CampaignAction::cancel: s = store::CampaignStatus::Cancelled; break;
    }
    if (c->status == store::CampaignStatus::Cancelled || c->status == store::CampaignStatus::Done) {
        return cunxin::unexpected(http::CoreError{"conflict", "campaign already finished"});
    }
    auto r = store::set_campaign_status(db_, id, s);
    if (!r) return cunxin::unexpected(http::CoreError{"unavailable", "store failed"});
    return {};
}

http::CoreResult<void> StoreCore::restart_modem(const std::string& id) {
    if (id != "860000000000001" && id != "860000000000002") {
        return cunxin::unexpected(http::CoreError{"not_found", "no such modem"});
    }
    ++restarts;
    return {};
}

void StoreCore::ussd(const std::string& id, const std::string& code,
                     std::function<void(http::CoreResult<std::string>)> done) {
    if (id != "860000000000001") {
        done(cunxin::unexpected(http::CoreError{"not_found", "no such modem"}));
        return;
    }
    done(std::string("reply to ") + code + ": 余额 12.30 元");
}

// ---- client ----------------------------------------------------------------------------------

Client::Client(int port) : cli("127.0.0.1", port) {
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(10, 0);
}

Client::Client(int port, const std::string& ca_cert)
    : cli("https://127.0.0.1:" + std::to_string(port)) {
    cli.set_connection_timeout(5, 0);
    cli.set_read_timeout(10, 0);
    cli.set_ca_cert_path(ca_cert.c_str());
    cli.enable_server_certificate_verification(true);
}

httplib::Headers Client::headers(httplib::Headers extra) const {
    if (!cookie.empty()) extra.emplace("Cookie", cookie);
    if (send_csrf && !csrf.empty()) extra.emplace("X-CSRF-Token", csrf);
    if (!bearer.empty()) extra.emplace("Authorization", "Bearer " + bearer);
    return extra;
}

Res Client::wrap(const httplib::Result& r) {
    Res out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.headers = r->headers;
    out.j = json::parse(r->body, nullptr, false);
    const std::string sc = r->get_header_value("Set-Cookie");
    if (sc.rfind("cunxin_session=", 0) == 0) {
        cookie = sc.substr(0, sc.find(';'));
        if (cookie == "cunxin_session=") cookie.clear();
    }
    if (out.j.is_object() && out.j.contains("csrf") && out.j["csrf"].is_string()) {
        csrf = out.j["csrf"].get<std::string>();
    }
    return out;
}

Client Client::at(int port) const {
    Client c(port);
    c.cookie = cookie;
    c.csrf = csrf;
    c.bearer = bearer;
    c.send_csrf = send_csrf;
    return c;
}

Res Client::get(const std::string& path, httplib::Headers extra) {
    return wrap(cli.Get(path, headers(std::move(extra))));
}
Res Client::post_raw(const std::string& path, const std::string& body, httplib::Headers extra) {
    return wrap(cli.Post(path, headers(std::move(extra)), body, "application/json"));
}
Res Client::put(const std::string& path, const json& body) {
    return wrap(cli.Put(path, headers({}), body.dump(), "application/json"));
}
Res Client::patch(const std::string& path, const json& body) {
    return wrap(cli.Patch(path, headers({}), body.dump(), "application/json"));
}
Res Client::del(const std::string& path) { return wrap(cli.Delete(path, headers({}))); }

// ---- harness ----------------------------------------------------------------------------------

Harness::Harness() : Harness([](http::ServerConfig&) {}) {}

Harness::Harness(const std::function<void(http::ServerConfig&)>& tweak) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cunxin-http-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    auto opened = store::Database::open((dir / "cunxin.db").string());
    if (!opened) throw std::runtime_error("store open failed: " + opened.error().detail);
    db = std::make_unique<store::Database>(std::move(*opened));
    core = std::make_unique<StoreCore>(*db);
    work_.emplace(ioc.get_executor());
    core_thread_ = std::thread([this] { ioc.run(); });
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.db_path = dir / "cunxin.db";
    cfg.threads = 4;
    cfg.max_body = 64 * 1024;
    cfg.max_upload = 1 << 20;
    tweak(cfg);
    hooks.post = [this](std::function<void()> f) { cunxin::asio::post(ioc, std::move(f)); };
    hooks.db = db.get();
    hooks.core = core.get();
    server = std::make_unique<http::Server>(cfg, hooks);
    server->start();
    port = server->port();
}

Harness::~Harness() {
    server->stop();
    work_.reset();
    ioc.stop();
    if (core_thread_.joinable()) core_thread_.join();
    server.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

void Harness::restart_server() {
    server->stop();
    server.reset();
    server = std::make_unique<http::Server>(cfg, hooks);
    server->start();
    port = server->port();
    admin_.reset();
}

void Harness::on_core(std::function<void()> fn) {
    std::promise<void> p;
    cunxin::asio::post(ioc, [&] {
        fn();
        p.set_value();
    });
    p.get_future().wait();
}

Client& Harness::admin() {
    if (admin_) return *admin_;
    admin_ = std::make_unique<Client>(port);
    Client& c = *admin_;
    const std::string code = server->setup_code();
    REQUIRE(!code.empty());
    auto r = c.post("/api/v1/auth/setup",
                    json{{"code", code}, {"username", "admin"}, {"password", "correct horse"}});
    REQUIRE(r.status == 201);
    REQUIRE(!c.cookie.empty());
    REQUIRE(!c.csrf.empty());
    return c;
}

Client Harness::user(const std::string& name, const std::string& role) {
    auto r = admin().post("/api/v1/users",
                          json{{"username", name}, {"password", "password-" + name}, {"role", role}});
    REQUIRE(r.status == 201);
    Client c(port);
    auto l = c.post("/api/v1/auth/login", json{{"username", name}, {"password", "password-" + name}});
    REQUIRE(l.status == 200);
    return c;
}

}  // namespace cxtest

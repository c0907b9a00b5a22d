// SPDX-License-Identifier: Apache-2.0
// `cunxin token create --data-dir DIR --name NAME [--role admin|operator|viewer]`
// `cunxin token list --data-dir DIR`, `cunxin token revoke --data-dir DIR --id N`

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <cunxin/http/auth.hpp>
#include <cunxin/store/auth.hpp>
#include <cunxin/store/database.hpp>

#include "commands.hpp"
#include "paths.hpp"

namespace cunxin::app {
namespace {

int usage() {
    std::fputs(
        "usage: cunxin token create --data-dir DIR --name NAME [--role admin|operator|viewer]\n"
        "       cunxin token list --data-dir DIR\n"
        "       cunxin token revoke --data-dir DIR --id N\n",
        stderr);
    return 2;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int cmd_token(const Args& args) {
    if (args.empty()) return usage();
    const std::string verb = args[0];
    std::string data_dir = "/var/lib/cunxin", name, role_text = "operator", id_text;
    for (std::size_t i = 1; i < args.size(); ++i) {
        auto value = [&](const char* flag) -> std::string {
            if (i + 1 >= args.size()) throw std::runtime_error(std::string(flag) + " needs a value");
            return args[++i];
        };
        if (args[i] == "--data-dir") data_dir = value("--data-dir");
        else if (args[i] == "--name") name = value("--name");
        else if (args[i] == "--role") role_text = value("--role");
        else if (args[i] == "--id") id_text = value("--id");
        else return usage();
    }
    prepare_data_dir(data_dir);
    auto db = store::Database::open(database_path(data_dir).string());
    if (!db) throw std::runtime_error("cannot open the database: " + db.error().detail);

    if (verb == "create") {
        if (name.empty()) return usage();
        const auto role = store::parse_role(role_text);
        if (!role) throw std::runtime_error("role must be admin, operator or viewer");
        const auto fresh = http::new_api_token();
        store::ApiToken t;
        t.name = name;
        t.token_hash = fresh.hash;
        t.role = *role;
        const auto id = store::create_api_token(*db, t, now_seconds());
        if (!id) throw std::runtime_error("cannot store the token: " + id.error().detail);
        (void)store::audit(*db, "console", "token.create", name + " (" + role_text + ")", now_seconds());
        std::printf("%s\n", fresh.token.c_str());
        return 0;
    }
    if (verb == "list") {
        const auto all = store::list_api_tokens(*db);
        if (!all) throw std::runtime_error(all.error().detail);
        for (const auto& t : *all) {
            std::printf("%lld\t%s\t%s%s\n", static_cast<long long>(t.id), t.name.c_str(),
                        store::to_string(t.role), t.revoked ? "\trevoked" : "");
        }
        return 0;
    }
    if (verb == "revoke") {
        if (id_text.empty()) return usage();
        const auto r = store::revoke_api_token(*db, std::stoll(id_text));
        if (!r) throw std::runtime_error(r.error().detail);
        (void)store::audit(*db, "console", "token.revoke", id_text, now_seconds());
        return 0;
    }
    return usage();
}

}  // namespace cunxin::app

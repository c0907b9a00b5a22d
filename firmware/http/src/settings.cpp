// SPDX-License-Identifier: Apache-2.0
// Settings: reply menu with automatic acknowledgements, anniversary greeting, time source, …

#include <array>

#include "cunxin/messaging/template.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

struct Key {
    const char* name;
    enum { Text, Int, Bool } type;
    std::int64_t lo;
    std::int64_t hi;
};

// The settings the panel may change (anything else is refused).
constexpr std::array<Key, 10> kKeys{{
    {"office_name", Key::Text, 0, 100},
    {"auto_ack_enabled", Key::Bool, 0, 0},
    {"anniversary_enabled", Key::Bool, 0, 0},
    {"anniversary_template", Key::Text, 0, 1000},
    {"anniversary_hour", Key::Int, 0, 23},
    {"time_source", Key::Text, 0, 16},
    {"opt_out_keywords", Key::Text, 0, 500},
    {"large_broadcast_threshold", Key::Int, 0, 1000000},
    {"language", Key::Text, 0, 8},
    {"lte_sms_fallback", Key::Bool, 0, 0},
}};

json menu_json(const store::MenuItem& m) {
    return {{"code", m.code}, {"label_zh", m.label_zh}, {"label_en", m.label_en},
            {"auto_ack", m.auto_ack}, {"anonymous", m.anonymous}, {"position", m.position}};
}

}  // namespace

void register_settings(Router& r) {
    r.get("/api/v1/settings", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(all, store::list_settings(*db), "settings");
        json s = json::object();
        for (const auto& k : kKeys) s[k.name] = nullptr;
        for (const auto& [k, v] : all) {
            for (const auto& known : kKeys) {
                if (k != known.name) continue;
                if (known.type == Key::Bool) s[k] = (v == "1" || v == "true");
                else if (known.type == Key::Int) s[k] = std::atoll(v.c_str());
                else s[k] = v;
            }
        }
        // Written by the core, read-only here: where the appliance's time came from.
        s["clock_source"] = nullptr;
        for (const auto& [k, v] : all) {
            if (k == "clock_source") s[k] = v;
        }
        CX_TRY(menu, store::list_menu(*db), "menu");
        json jm = json::array();
        for (const auto& m : menu) jm.push_back(menu_json(m));
        return ok({{"settings", s}, {"menu", jm}, {"server_time", now_seconds(ctx.srv)}});
    });

    r.put("/api/v1/settings", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        std::vector<std::pair<std::string, std::string>> changes;
        for (auto it = body.begin(); it != body.end(); ++it) {
            const Key* key = nullptr;
            for (const auto& k : kKeys) {
                if (it.key() == k.name) key = &k;
            }
            if (!key) return fail(Errc::invalid_field, "unknown setting: " + it.key().substr(0, 40));
            const json& v = it.value();
            std::string text;
            switch (key->type) {
                case Key::Bool:
                    if (!v.is_boolean()) return fail(Errc::invalid_field, it.key() + " must be true or false");
                    text = v.get<bool>() ? "1" : "0";
                    break;
                case Key::Int:
                    if (!v.is_number_integer() || v.get<std::int64_t>() < key->lo || v.get<std::int64_t>() > key->hi) {
                        return fail(Errc::invalid_field, it.key() + " is out of range");
                    }
                    text = std::to_string(v.get<std::int64_t>());
                    break;
                case Key::Text:
                    if (!v.is_string() || v.get_ref<const std::string&>().size() > static_cast<std::size_t>(key->hi)) {
                        return fail(Errc::invalid_field, it.key() + " must be a short text");
                    }
                    text = v.get<std::string>();
                    break;
            }
            changes.emplace_back(it.key(), text);
        }
        CX_CHECK_VOID(command(ctx.srv, [changes](messaging::Commands& c) { return c.set_settings(changes); }));
        ctx.srv.audit(ctx.who, "settings.update", "settings", body.dump(), ctx.address());
        return ok({{"updated", changes.size()}});
    });

    r.put(R"(/api/v1/menu/([0-9A-Za-z]{1,8}))", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        store::MenuItem m;
        m.code = ctx.req.matches[1];
        CX_CHECK(body, ctx.body());
        CX_CHECK(zh, need_string(body, "label_zh", 100));
        CX_CHECK(en, opt_string(body, "label_en", 100));
        CX_CHECK(ack, opt_string(body, "auto_ack", 500));
        CX_CHECK(pos, opt_int(body, "position", 0, 1000));
        m.label_zh = zh;
        m.label_en = en.value_or("");
        m.auto_ack = ack.value_or("");
        m.position = static_cast<int>(pos.value_or(0));
        if (auto it = body.find("anonymous"); it != body.end() && !it->is_null()) {
            if (!it->is_boolean()) return fail(Errc::invalid_field, "anonymous must be true or false");
            m.anonymous = it->get<bool>();
        }
        CX_CHECK_VOID(command(ctx.srv, [m](messaging::Commands& c) { return c.save_menu_item(m); }));
        ctx.srv.audit(ctx.who, "menu.update", m.code, m.label_zh, ctx.address());
        return ok(menu_json(m));
    });

    r.del(R"(/api/v1/menu/([0-9A-Za-z]{1,8}))", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const std::string code = ctx.req.matches[1];
        CX_CHECK_VOID(command(ctx.srv, [code](messaging::Commands& c) { return c.delete_menu_item(code); }));
        ctx.srv.audit(ctx.who, "menu.delete", code, "", ctx.address());
        return ok({{"code", code}, {"deleted", true}});
    });
}

}  // namespace cunxin::http

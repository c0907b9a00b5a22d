// SPDX-License-Identifier: Apache-2.0
// Saved notice templates (通知模板), audiences by role (职务), and the preview of today's and the
// coming days' Party-anniversary greetings.

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cunxin/messaging/greetings.hpp"
#include "cunxin/messaging/template.hpp"
#include "cunxin/store/campaigns.hpp"
#include "cunxin/store/templates.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

json template_json(const store::SavedTemplate& t) {
    return {{"id", t.id},           {"name", t.name},           {"body", t.body},
            {"created_by", t.created_by}, {"created_at", t.created_at}, {"updated_at", t.updated_at}};
}

// Name and body from a request (types and lengths; the rules are the command's).
Result<messaging::TemplatePatch> read_template(const json& body, bool require) {
    messaging::TemplatePatch p;
    if (require) {
        CX_CHECK(name, need_string(body, "name", 100));
        CX_CHECK(text, need_string(body, "body", 4000));
        p.name = name;
        p.body = text;
    } else {
        CX_CHECK(name, opt_string(body, "name", 100));
        CX_CHECK(text, opt_string(body, "body", 4000));
        p.name = name;
        p.body = text;
    }
    return p;
}

std::string date_text(std::chrono::year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

}  // namespace

void register_templates(Router& r) {
    r.get("/api/v1/templates", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_templates(*db), "templates");
        json items = json::array();
        for (const auto& t : list) items.push_back(template_json(t));
        return ok({{"items", items}});
    });

    r.post("/api/v1/templates", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(patch, read_template(body, true));
        const std::string actor = ctx.who.name;
        CX_CHECK(saved, command(ctx.srv, [patch, actor](messaging::Commands& c) { return c.create_template(patch, actor); }));
        ctx.srv.audit(ctx.who, "template.create", std::to_string(saved.id), saved.name, ctx.address());
        return created(template_json(saved));
    });

    r.put(R"(/api/v1/templates/(\d+))", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        CX_CHECK(patch, read_template(body, false));
        CX_CHECK(saved, command(ctx.srv, [id, patch](messaging::Commands& c) { return c.update_template(id, patch); }));
        ctx.srv.audit(ctx.who, "template.update", std::to_string(id), saved.name, ctx.address());
        return ok(template_json(saved));
    });

    r.del(R"(/api/v1/templates/(\d+))", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK_VOID(command(ctx.srv, [id](messaging::Commands& c) { return c.delete_template(id); }));
        ctx.srv.audit(ctx.who, "template.delete", std::to_string(id), "", ctx.address());
        return ok({{"id", id}, {"deleted", true}});
    });

    r.get("/api/v1/roles", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::role_counts(*db), "roles");
        json items = json::array();
        for (const auto& x : list) items.push_back({{"role", x.role}, {"contacts", x.contacts}});
        return ok({{"items", items}});
    });

    // Today's and the coming days' anniversary greetings (what the daily job will send).
    r.get("/api/v1/greetings/upcoming", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(days, ctx.query_int("days", 7, 1, 31));
        CX_CHECK(db, ctx.db());
        const auto today = office_today(ctx.srv);
        json out = json::array();
        for (std::int64_t i = 0; i < days; ++i) {
            const std::chrono::year_month_day day(today + std::chrono::days(i));
            auto list = messaging::plan_greetings(*db, day);
            if (!list) return fail(Errc::internal, "greetings");
            json items = json::array();
            for (const auto& g : *list) {
                items.push_back({{"contact_id", g.contact_id}, {"name", g.name}, {"mobile", g.mobile},
                                 {"years", g.years}, {"text", g.text}, {"already_sent", g.already_sent}});
            }
            out.push_back({{"date", date_text(day)}, {"offset_days", i}, {"items", items}});
        }
        auto enabled = store::get_setting(*db, "anniversary_enabled");
        auto hour = store::get_setting(*db, "anniversary_hour");
        const bool on = !(enabled && enabled->has_value() && (**enabled == "0" || **enabled == "false"));
        return ok({{"days", out},
                   {"enabled", on},
                   {"hour", hour && hour->has_value() ? std::atoi((*hour)->c_str()) : 9}});
    });
}

}  // namespace cunxin::http

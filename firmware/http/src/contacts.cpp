// SPDX-License-Identifier: Apache-2.0
// Contacts and groups: list/search, CRUD, CSV import (preview, then commit), export.

#include <chrono>

#include "cunxin/messaging/contact_import.hpp"
#include "cunxin/messaging/csv.hpp"
#include "cunxin/messaging/phone.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

// Reads the editable fields of a contact from JSON (types and lengths; the rules are the
// command's). `require`: name and mobile must be there (create).
Result<messaging::ContactPatch> read_contact(const json& body, bool require) {
    messaging::ContactPatch p;
    auto set = [&](const char* key, std::optional<std::string>& field, std::size_t max) -> Result<void> {
        CX_CHECK(v, opt_string(body, key, max));
        field = v;
        return {};
    };
    if (require) {
        CX_CHECK(name, need_string(body, "name", 100));
        CX_CHECK(mobile, need_string(body, "mobile", 40));
        p.name = name;
        p.mobile = mobile;
    } else {
        CX_CHECK_VOID(set("name", p.name, 100));
        CX_CHECK_VOID(set("mobile", p.mobile, 40));
    }
    CX_CHECK_VOID(set("village", p.village, 100));
    CX_CHECK_VOID(set("role", p.role, 100));
    CX_CHECK_VOID(set("party_join_date", p.party_join_date, 10));
    CX_CHECK_VOID(set("notes", p.notes, 2000));
    if (body.contains("tags")) {
        CX_CHECK(tags, string_list(body, "tags", 50));
        p.tags = tags;
    }
    if (auto it = body.find("opted_out"); it != body.end() && !it->is_null()) {
        if (!it->is_boolean()) return fail(Errc::invalid_field, "opted_out must be true or false");
        p.opted_out = it->get<bool>();
    }
    if (body.contains("group_ids")) {
        CX_CHECK(groups, id_list(body, "group_ids", 100));
        p.group_ids = groups;
    }
    return p;
}

json group_json(const store::Group& g) {
    return {{"id", g.id}, {"name", g.name}, {"description", g.description}, {"members", g.members}};
}

}  // namespace

void register_contacts(Router& r) {
    r.get("/api/v1/contacts", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        store::ContactQuery q;
        q.search = ctx.query("q").value_or("");
        q.village = ctx.query("village").value_or("");
        q.tag = ctx.query("tag").value_or("");
        if (q.search.size() > 200 || q.village.size() > 200 || q.tag.size() > 200) {
            return fail(Errc::bad_request, "filter too long");
        }
        CX_CHECK(group, ctx.query_int("group_id", 0, 0, INT64_MAX));
        if (group > 0) q.group_id = group;
        CX_CHECK(cursor, ctx.query_int("cursor", 0, 0, INT64_MAX));
        q.after_id = cursor;
        CX_CHECK(limit, ctx.query_int("limit", 100, 1, 500));
        q.limit = static_cast<int>(limit);
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_contacts(*db, q), "list contacts");
        CX_TRY(total, store::count_contacts(*db), "count contacts");
        json items = json::array();
        for (const auto& c : list) items.push_back(contact_json(c));
        const bool more = static_cast<int>(list.size()) == q.limit;
        return ok({{"items", items},
                   {"total", total},
                   {"next_cursor", more ? json(list.back().id) : json(nullptr)}});
    });

    r.get("/api/v1/contacts/export.csv", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        std::vector<messaging::ContactRow> rows;
        store::ContactQuery q;
        q.limit = 1000;
        for (int i = 0; i < 1000; ++i) {
            CX_TRY(list, store::list_contacts(*db, q), "export contacts");
            for (const auto& c : list) {
                messaging::ContactRow row;
                row.name = c.name;
                row.msisdn = c.mobile;
                row.village = c.village;
                row.role = c.role;
                row.party_join_date = messaging::parse_date(c.party_join_date);
                row.tags = c.tags;
                row.notes = c.notes;
                row.opted_out = c.opted_out;
                rows.push_back(std::move(row));
            }
            if (static_cast<int>(list.size()) < q.limit) break;
            q.after_id = list.back().id;
        }
        messaging::ExportOptions o;
        o.chinese_headers = ctx.query("lang").value_or("zh") != "en";
        return csv_reply(messaging::export_contacts_csv(rows, o), "contacts.csv");
    });

    r.get(R"(/api/v1/contacts/(\d+))", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(db, ctx.db());
        CX_TRY(c, store::get_contact(*db, id), "get contact");
        CX_TRY(groups, store::groups_of(*db, id), "groups of");
        json out = contact_json(c);
        out["group_ids"] = groups;
        return ok(out);
    });

    r.post("/api/v1/contacts", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(patch, read_contact(body, true));
        CX_CHECK(saved, command(ctx.srv, [patch](messaging::Commands& c) { return c.create_contact(patch); }));
        ctx.srv.audit(ctx.who, "contact.create", std::to_string(saved.contact.id), saved.contact.name, ctx.address());
        return created(contact_json(saved.contact));
    });

    // Partial update: a field not given keeps its value; read and written in one core step.
    r.put(R"(/api/v1/contacts/(\d+))", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        CX_CHECK(patch, read_contact(body, false));
        CX_CHECK(saved, command(ctx.srv, [id, patch](messaging::Commands& c) { return c.update_contact(id, patch); }));
        ctx.srv.audit(ctx.who, "contact.update", std::to_string(id), saved.contact.name, ctx.address());
        return ok(contact_json(saved.contact));
    });

    r.del(R"(/api/v1/contacts/(\d+))", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(c, command(ctx.srv, [id](messaging::Commands& cmd) { return cmd.delete_contact(id); }));
        ctx.srv.audit(ctx.who, "contact.delete", std::to_string(id), c.name, ctx.address());
        return ok({{"id", id}, {"deleted", true}});
    });

    // CSV import. The body is the file's bytes as saved (UTF-8 or GB18030/GBK; Content-Type
    // text/csv or application/octet-stream; ?commit=1 writes, &group_id=N adds to a group), or
    // JSON {"csv": "<text>", "commit": false, "group_id": N}. The file is read twice in bounded
    // memory: first for the counts, problems and preview (a file-level problem stops everything),
    // then, to commit, in chunks of messaging::kImportChunkRows rows, each a short transaction on the core, so
    // the modems never wait long. The answer gives the counts of what was written.
    r.post("/api/v1/contacts/import", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        static constexpr std::size_t kListedRejections = 1000;
        static constexpr std::size_t kPreviewRows = 200;
        std::string from_json;
        std::string_view bytes;
        bool commit = false;
        std::optional<std::int64_t> group;
        if (ctx.req.get_header_value("Content-Type").rfind("application/json", 0) == 0) {
            CX_CHECK(body, ctx.body());
            CX_CHECK(csv, need_string(body, "csv", ctx.srv.cfg.max_upload));
            from_json = std::move(csv);
            bytes = from_json;
            commit = body.value("commit", false);
            CX_CHECK(g, opt_int(body, "group_id", 1, INT64_MAX));
            group = g;
        } else {
            bytes = ctx.req.body;
            const auto c = ctx.query("commit");
            commit = c && (*c == "1" || *c == "true");
            CX_CHECK(g, ctx.query_int("group_id", 0, 0, INT64_MAX));
            if (g > 0) group = g;
        }
        messaging::ImportOptions options;
        options.today = std::chrono::year_month_day(office_today(ctx.srv));
        auto file_error = [](const messaging::CsvError& e) {
            return fail(Errc::invalid_field, e.detail_zh.empty() ? "csv: " + e.detail : e.detail_zh);
        };

        auto reader = messaging::ContactCsvReader::open(bytes, options);
        if (!reader) return file_error(reader.error());
        std::vector<messaging::ContactRow> batch;
        std::vector<messaging::Rejection> problems;
        std::size_t accepted = 0;
        std::size_t rejections_total = 0;
        json rejections = json::array();
        json preview = json::array();
        for (;;) {
            problems.clear();
            auto more = reader->next(batch, problems, 4096);
            if (!more) return file_error(more.error());
            accepted += batch.size();
            for (const auto& a : batch) {
                if (preview.size() >= kPreviewRows) break;
                preview.push_back({{"row", a.row}, {"name", a.name}, {"mobile", a.msisdn},
                                   {"village", a.village}, {"role", a.role},
                                   {"party_join_date", messaging::iso_date(a.party_join_date)}, {"tags", a.tags}});
            }
            for (const auto& rj : problems) {
                ++rejections_total;
                if (rejections.size() >= kListedRejections) continue;
                rejections.push_back({{"row", rj.row}, {"column", rj.column}, {"column_zh", rj.column_zh},
                                      {"value", rj.value}, {"reason", messaging::to_string(rj.reason)},
                                      {"message_zh", rj.reason_zh}, {"message_en", rj.reason_en}});
            }
            if (!*more) break;
        }
        json out = {{"encoding", messaging::to_string(reader->encoding)},
                    {"header_row", reader->header_row},
                    {"rows_total", reader->rows_total},
                    {"rows_rejected", reader->rows_rejected},
                    {"accepted", accepted},
                    {"rejections", rejections},
                    {"rejections_total", rejections_total},
                    {"preview", preview},
                    {"ignored_columns", reader->ignored_columns},
                    {"max_rows", messaging::kMaxImportRows},
                    {"committed", false}};
        if (!commit) return ok(out);

        reader->rewind();  // the same text again, without a second decoded copy
        std::int64_t imported = 0;
        for (;;) {
            problems.clear();
            auto more = reader->next(batch, problems, messaging::kImportChunkRows);
            if (!more) return file_error(more.error());
            if (!batch.empty()) {
                auto n = command(ctx.srv, [rows = std::move(batch), group](messaging::Commands& c) {
                    return c.import_contacts(rows, group);
                });
                batch = {};
                if (!n) {
                    // Chunks already written stay (an upsert: importing the file again is safe).
                    if (imported > 0) {
                        ctx.srv.audit(ctx.who, "contact.import", std::to_string(imported) + " rows (interrupted)", "",
                                      ctx.address());
                    }
                    Error e = n.error();
                    e.detail = "已导入 " + std::to_string(imported) + " 条，其余没有导入（" +
                               (e.detail.empty() ? std::string("存储出错") : e.detail) + "）；可以重新导入同一文件";
                    return unexpected(e);
                }
                imported += *n;
            }
            if (!*more) break;
        }
        out["committed"] = true;
        out["imported"] = imported;
        ctx.srv.audit(ctx.who, "contact.import", std::to_string(imported) + " rows", "", ctx.address());
        return ok(out);
    });

    r.get("/api/v1/villages", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_villages(*db), "villages");
        json items = json::array();
        for (const auto& [v, n] : list) items.push_back({{"name", v}, {"contacts", n}});
        return ok({{"items", items}});
    });

    r.get("/api/v1/tags", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_tags(*db), "tags");
        return ok({{"items", list}});
    });

    r.get("/api/v1/groups", Need::viewer, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        CX_TRY(list, store::list_groups(*db), "groups");
        json items = json::array();
        for (const auto& g : list) items.push_back(group_json(g));
        return ok({{"items", items}});
    });

    r.post("/api/v1/groups", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(body, ctx.body());
        CX_CHECK(name, need_string(body, "name", 100));
        CX_CHECK(desc, opt_string(body, "description", 1000));
        const std::string d = desc.value_or("");
        CX_CHECK(g, command(ctx.srv, [name, d](messaging::Commands& c) { return c.create_group(name, d); }));
        ctx.srv.audit(ctx.who, "group.create", std::to_string(g.id), name, ctx.address());
        return created(group_json(g));
    });

    r.put(R"(/api/v1/groups/(\d+))", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        messaging::GroupPatch patch;
        CX_CHECK(name, opt_string(body, "name", 100));
        CX_CHECK(desc, opt_string(body, "description", 1000));
        patch.name = name;
        patch.description = desc;
        CX_CHECK(g, command(ctx.srv, [id, patch](messaging::Commands& c) { return c.update_group(id, patch); }));
        ctx.srv.audit(ctx.who, "group.update", std::to_string(id), g.name, ctx.address());
        return ok(group_json(g));
    });

    r.del(R"(/api/v1/groups/(\d+))", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK_VOID(command(ctx.srv, [id](messaging::Commands& c) { return c.delete_group(id); }));
        ctx.srv.audit(ctx.who, "group.delete", std::to_string(id), "", ctx.address());
        return ok({{"id", id}, {"deleted", true}});
    });

    // Membership: one command reads and writes in one core step.
    r.post(R"(/api/v1/groups/(\d+)/members)", Need::operator_, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(id, ctx.id());
        CX_CHECK(body, ctx.body());
        CX_CHECK(add, id_list(body, "add", 5000));
        CX_CHECK(remove, id_list(body, "remove", 5000));
        CX_CHECK(change, command(ctx.srv, [id, add, remove](messaging::Commands& c) {
                     return c.edit_members(id, add, remove);
                 }));
        ctx.srv.audit(ctx.who, "group.members", std::to_string(id),
                      "+" + std::to_string(change.added) + " -" + std::to_string(change.removed), ctx.address());
        return ok({{"id", id}, {"added", change.added}, {"removed", change.removed}});
    });
}

}  // namespace cunxin::http

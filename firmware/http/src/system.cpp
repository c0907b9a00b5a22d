// SPDX-License-Identifier: Apache-2.0
// Backup download and restore upload.

#include <fstream>
#include <sstream>

#include "mapping.hpp"

namespace cunxin::http {

void register_system(Router& r) {
    // A consistent copy of the live database (sqlite3_backup on the core thread).
    r.get("/api/v1/system/backup", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const auto path = ctx.srv.cfg.db_path.parent_path() /
                          ("backup-" + std::to_string(now_seconds()) + "-" + random_token(6) + ".db");
        const std::string p = path.string();
        CX_CHECK_VOID(core_write(ctx.srv, "backup", [p](store::Database& d) { return d.backup_to(p); }));
        std::ifstream in(path, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        std::error_code ec;
        std::filesystem::remove(path, ec);
        if (!in && ss.str().empty()) return fail(Errc::internal, "");
        ctx.srv.audit(ctx.who, "system.backup", "database", "", ctx.address());
        Reply rep;
        rep.raw = ss.str();
        rep.content_type = "application/vnd.sqlite3";
        rep.headers.emplace_back("Content-Disposition", "attachment; filename=\"cunxin-backup.db\"");
        return rep;
    });

    // Restore: the uploaded database is checked and kept next to the live one as
    // "<db>.restore"; the app swaps it in at the next start (restart required).
    // The body arrives streamed to a temporary file (any size the data partition holds); the
    // server removes that file after the handler unless the handler moved it.
    r.post_file("/api/v1/system/restore", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const auto body_size = ctx.req.body_size;
        static constexpr char kMagic[] = "SQLite format 3";
        std::string head(sizeof kMagic, '\0');
        if (!ctx.req.body_file.empty()) {
            std::ifstream in(ctx.req.body_file, std::ios::binary);
            in.read(head.data(), static_cast<std::streamsize>(head.size()));
        }
        if (body_size < 512 || head != std::string(kMagic, sizeof kMagic)) {
            return fail(Errc::invalid_field, "not a Cunxin backup (SQLite database) file");
        }
        const auto pending = ctx.srv.cfg.db_path.string() + ".restore";
        const auto tmp = pending + ".tmp";
        {
            std::error_code ec;
            std::filesystem::rename(ctx.req.body_file, tmp, ec);
            if (ec) return fail(Errc::internal, "");
        }
        // Check the file opens as a database this build understands.
        {
            store::OpenOptions o;
            o.access = store::Access::ReadOnly;
            o.check_integrity = false;
            auto db = store::Database::open(tmp, o);
            if (!db || db->schema_version() < 1 || db->schema_version() > store::Database::latest_version()) {
                std::error_code ec;
                std::filesystem::remove(tmp, ec);
                return fail(Errc::invalid_field, "the file is not a usable Cunxin backup");
            }
            auto ic = db->integrity_check();
            if (!ic || *ic != "ok") {
                std::error_code ec;
                std::filesystem::remove(tmp, ec);
                return fail(Errc::invalid_field, "the backup file is damaged");
            }
        }
        std::error_code ec;
        std::filesystem::rename(tmp, pending, ec);
        if (ec) return fail(Errc::internal, "");
        ctx.srv.audit(ctx.who, "system.restore", "database", std::to_string(body_size) + " bytes", ctx.address());
        return accepted({{"restart_required", true}, {"bytes", body_size}});
    });
}

}  // namespace cunxin::http

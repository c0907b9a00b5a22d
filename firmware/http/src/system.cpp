// SPDX-License-Identifier: Apache-2.0
// Backup download and restore upload.

#include <fstream>
#include <sstream>

#include "cunxin/log.hpp"
#include "cunxin/store/backup.hpp"
#include "mapping.hpp"

namespace cunxin::http {
namespace {

/// The clerk-facing reason a backup is refused.
std::string backup_refusal_zh(const store::BackupRefusal& r) {
    switch (r.problem) {
        case store::BackupProblem::unreadable: return "无法读取上传的文件，请重新上传";
        case store::BackupProblem::not_sqlite: return "这不是村信的备份文件（不是数据库文件）";
        case store::BackupProblem::damaged: return "备份文件已损坏或不完整（可能没有下载完），不能恢复";
        case store::BackupProblem::no_version: return "这不是村信的备份文件（数据库没有版本号）";
        case store::BackupProblem::too_new:
            return "这个备份来自更新版本的村信，本机只能恢复数据库版本 " +
                   std::to_string(store::Database::latest_version()) + " 及以前的备份；请先升级本机";
        case store::BackupProblem::wrong_schema:
            return "备份文件的数据库结构与村信不符（多出或缺少表、索引、触发器或视图），可能被改动过，不能恢复";
    }
    return "备份文件不能恢复";
}

/// The Chinese reason for a restore set aside at start-up ("<code>: detail" as stored).
std::string set_aside_reason_zh(const std::string& reason) {
    const std::string code = reason.substr(0, reason.find(':'));
    for (auto p : {store::BackupProblem::unreadable, store::BackupProblem::not_sqlite, store::BackupProblem::damaged,
                   store::BackupProblem::no_version, store::BackupProblem::too_new, store::BackupProblem::wrong_schema}) {
        if (code == store::to_string(p)) return backup_refusal_zh(store::BackupRefusal{p, ""});
    }
    if (code == "corrupt") return "备份文件已损坏，不能使用";
    if (code == "too_new") return backup_refusal_zh(store::BackupRefusal{store::BackupProblem::too_new, ""});
    return "无法打开或升级备份中的数据库";
}

}  // namespace

namespace {
// "cunxin-20261206-1821.db": the office's local date and time of the copy, so a folder of
// backups sorts by age and a clerk sees which day each one holds.
std::string backup_file_name(const ServerImpl& srv) {
    return "cunxin-" + office_time(now_seconds(srv), office_offset(srv), "%Y%m%d-%H%M") + ".db";
}
}  // namespace

void register_system(Router& r) {
    // A consistent copy of the live database (sqlite3_backup on the core thread).
    r.get("/api/v1/system/backup", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        const auto path = ctx.srv.cfg.db_path.parent_path() /
                          ("backup-" + std::to_string(now_seconds(ctx.srv)) + "-" + random_token(6) + ".db");
        const std::string p = path.string();
        CX_CHECK_VOID(command(ctx.srv, [p](messaging::Commands& c) { return c.backup_to(p); }));
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
        rep.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + backup_file_name(ctx.srv) + "\"");
        return rep;
    });

    // Restore: the body arrives streamed to a temporary file in the data directory (any size the
    // partition holds; the server removes it unless the handler moved it). It is moved next to
    // the live database, checked by store::validate_backup (header, schema version, exactly the
    // schema objects of that version, integrity; read-only, immutable, no side files) and kept as
    // "<db>.restore"; the app swaps it in at the next start (restart required) or sets it aside
    // if it fails.
    r.post_file("/api/v1/system/restore", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        if (ctx.req.body_file.empty() || ctx.req.body_size == 0) {
            return fail(Errc::invalid_field, "上传的文件是空的，请选择本机导出的备份文件");
        }
        const auto pending = store::pending_restore_path(ctx.srv.cfg.db_path.string());
        const auto tmp = pending + ".upload-" + random_token(6);  // two uploads never share a file
        {
            std::error_code ec;
            std::filesystem::rename(ctx.req.body_file, tmp, ec);
            if (ec) return fail(Errc::internal, "");
        }
        auto checked = store::validate_backup(tmp);
        if (!checked) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            log::warn("http", "restore refused: " + std::string(store::to_string(checked.error().problem)) + ": " +
                     checked.error().detail);
            return fail(Errc::invalid_field, backup_refusal_zh(checked.error()));
        }
        std::error_code ec;
        std::filesystem::rename(tmp, pending, ec);
        if (ec) {
            std::filesystem::remove(tmp, ec);
            return fail(Errc::internal, "");
        }
        ctx.srv.audit(ctx.who, "system.restore", "database",
                      std::to_string(checked->bytes) + " bytes, schema v" + std::to_string(checked->schema_version),
                      ctx.address());
        return accepted({{"restart_required", true},
                         {"bytes", checked->bytes},
                         {"schema_version", checked->schema_version}});
    });

    // What the last start did with a restored backup: applied, or set aside with the reason.
    r.get("/api/v1/system/restore", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK(db, ctx.db());
        json last = nullptr;
        CX_TRY(result, store::get_setting(*db, "restore_result"), "restore status");
        if (result && !result->empty()) {
            CX_TRY(at, store::get_setting(*db, "restore_at"), "restore status");
            CX_TRY(kept, store::get_setting(*db, "restore_kept"), "restore status");
            CX_TRY(reason, store::get_setting(*db, "restore_reason"), "restore status");
            CX_TRY(seen, store::get_setting(*db, "restore_notice_seen"), "restore status");
            std::int64_t at_s = 0;
            try {
                at_s = std::stoll(at.value_or("0"));
            } catch (const std::exception&) {
                at_s = 0;
            }
            last = {{"result", *result},
                    {"at", at_s},
                    {"kept", kept.value_or("")},
                    {"reason", reason.value_or("")},
                    {"reason_zh", set_aside_reason_zh(reason.value_or(""))},
                    {"dismissed", seen.value_or("") == at.value_or("")}};
        }
        return ok({{"last", last}});
    });

    // An admin has read the notice: it is no longer shown (the status stays readable).
    r.post("/api/v1/system/restore/dismiss", Need::admin, [](Ctx& ctx) -> Result<Reply> {
        CX_CHECK_VOID(command(ctx.srv, [](messaging::Commands& c) { return c.dismiss_restore_notice(); }));
        return ok({{"dismissed", true}});
    });
}

}  // namespace cunxin::http

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/scheduler.hpp"

namespace cunxin::messaging {

MessagingCore::MessagingCore(store::Database& db, Clock& clock, CoreOptions options)
    : outbox_(std::make_unique<Outbox>(db, clock, options.outbox)),
      inbox_(std::make_unique<Inbox>(db, clock, *outbox_, options.inbox)),
      campaigns_(std::make_unique<Campaigns>(db, clock, *outbox_, options.default_price_fen)),
      anniversaries_(std::make_unique<AnniversaryJob>(db, clock, *outbox_)),
      alerts_(std::make_unique<Alerts>(db, clock, *outbox_, std::move(options.alerts))) {
    inbox_->set_alerts(alerts_.get());
    campaigns_->on_finished = [this, &db](std::int64_t id) {
        auto c = store::get_campaign(db, id);
        auto p = store::campaign_progress(db, id);
        if (!c || !p) return;
        alerts_->campaign_finished(id, c->name, p->recipients, p->sent + p->delivered, p->failed + p->uncertain);
    };
}

Result<int> MessagingCore::start() {
    auto n = outbox_->recover();
    if (!n) return n;
    if (auto l = inbox_->load(); !l) return cunxin::unexpected(l.error());
    return *n;
}

Result<TickReport> MessagingCore::tick() {
    TickReport r;
    auto c = campaigns_->tick();
    if (!c) return cunxin::unexpected(c.error());
    r.campaign_messages = *c;
    auto g = anniversaries_->run();
    if (!g) return cunxin::unexpected(g.error());
    r.greetings = *g;
    r.incomplete = inbox_->expire_incomplete();
    auto a = alerts_->tick();
    if (!a) return cunxin::unexpected(a.error());
    r.alerts = *a;
    outbox_->poll();
    return r;
}

}  // namespace cunxin::messaging

// SPDX-License-Identifier: Apache-2.0
#include "cunxin/messaging/scheduler.hpp"

namespace cunxin::messaging {

MessagingCore::MessagingCore(store::Database& db, Clock& clock, CoreOptions options)
    : outbox_(std::make_unique<Outbox>(db, clock, options.outbox)),
      inbox_(std::make_unique<Inbox>(db, clock, *outbox_, options.inbox)),
      campaigns_(std::make_unique<Campaigns>(db, clock, *outbox_, options.default_price_fen)),
      anniversaries_(std::make_unique<AnniversaryJob>(db, clock, *outbox_)) {}

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
    outbox_->poll();
    return r;
}

}  // namespace cunxin::messaging

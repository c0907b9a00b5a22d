// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Sample villages, contacts, groups and replies for `cunxin demo`.

#include <string>
#include <vector>

namespace cunxin::store {
class Database;
}

namespace cunxin::app {

/// A sample contact of the demo.
struct DemoContact {
    std::string name;
    std::string mobile;
    std::string village;
    std::string role;
    std::string party_join_date;
};

/// The demo's contacts (fixed, so screenshots and tests see the same names).
const std::vector<DemoContact>& demo_contacts();

/// Sample replies as village officials send them (reply-menu codes in their many forms,
/// thanks, and one hostile text: the panel must show it as text).
const std::vector<std::string>& demo_replies();

/// Fills an empty database with the demo's contacts and groups; false when it holds contacts.
bool seed_demo(store::Database& db, long long now_unix);

}  // namespace cunxin::app

// SPDX-License-Identifier: Apache-2.0
#include "demo_data.hpp"

#include <cstdio>
#include <stdexcept>

#include <cunxin/store/contacts.hpp>
#include <cunxin/store/database.hpp>

namespace cunxin::app {

const std::vector<DemoContact>& demo_contacts() {
    static const std::vector<DemoContact> contacts = [] {
        const char* villages[] = {"石桥村", "柳树湾村", "大王庄村", "河西村", "杏花村", "青山村"};
        const char* surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
        const char* given[] = {"建国", "秀英", "志强", "桂兰", "海涛", "春梅", "国庆", "玉珍"};
        const char* roles[] = {"村支书", "村主任", "村委委员", "党员", "党员", "党员"};
        std::vector<DemoContact> out;
        int n = 0;
        for (int v = 0; v < 6; ++v) {
            for (int r = 0; r < 6; ++r, ++n) {
                DemoContact c;
                c.name = std::string(surnames[(n * 7 + r) % 10]) + given[(n * 3 + v) % 8];
                char mobile[32];
                // 139, 186 and 189: one number range of each operator.
                const char* prefix = (n % 3 == 0) ? "139" : (n % 3 == 1) ? "186" : "189";
                std::snprintf(mobile, sizeof mobile, "+86%s%04d%04d", prefix, 5100 + v, 1000 + n);
                c.mobile = mobile;
                c.village = villages[v];
                c.role = roles[r];
                char date[16];
                std::snprintf(date, sizeof date, "%04d-%02d-%02d", 1975 + (n * 7) % 45, 1 + n % 12,
                              1 + (n * 5) % 28);
                c.party_join_date = date;
                out.push_back(c);
            }
        }
        return out;
    }();
    return contacts;
}

const std::vector<std::string>& demo_replies() {
    static const std::vector<std::string> replies = {
        "02 村口路灯坏了好几天了，晚上走路不安全",
        "1、今年的种粮补贴什么时候发放？",
        "03：三组的灌溉水渠被垃圾堵住了，需要清理",
        "08 村里低保名单上有人已去世多年还在领钱",
        "收到，明天准时参加",
        "二，建议在村部门口增加一个宣传栏",
        "【3】河西桥面出现裂缝，大车还在通行",
        "01 低保申请需要准备哪些材料？",
        "好的，已通知到各组",
        "<script>alert('xss')</script> 测试",
        "三：有村民反映自来水浑浊",
    };
    return replies;
}

bool seed_demo(store::Database& db, long long now_unix) {
    const auto count = store::count_contacts(db);
    if (!count) throw std::runtime_error("demo: " + count.error().detail);
    if (*count > 0) return false;
    store::Transaction tx(db);
    const auto secretaries = store::create_group(db, "村支书", "各村党支部书记");
    const auto committee = store::create_group(db, "村两委", "村支部委员会和村民委员会成员");
    const auto members = store::create_group(db, "全体党员", "");
    if (!secretaries || !committee || !members) throw std::runtime_error("demo: cannot create groups");
    for (const auto& d : demo_contacts()) {
        store::Contact c;
        c.name = d.name;
        c.mobile = d.mobile;
        c.village = d.village;
        c.role = d.role;
        c.party_join_date = d.party_join_date;
        c.tags = {d.role == "党员" ? "党员" : "村干部"};
        const auto id = store::insert_contact(db, c, now_unix);
        if (!id) throw std::runtime_error("demo: " + id.error().detail);
        (void)store::add_to_group(db, *members, *id);
        if (d.role == "村支书") (void)store::add_to_group(db, *secretaries, *id);
        if (d.role != "党员") (void)store::add_to_group(db, *committee, *id);
    }
    // An anonymous category (匿名举报): its sender is never shown to anyone in the panel.
    store::MenuItem anonymous;
    anonymous.code = "08";
    anonymous.label_zh = "匿名举报";
    anonymous.label_en = "Anonymous report";
    anonymous.auto_ack = "已收到您的匿名反映，我们会认真核实。";
    anonymous.anonymous = true;
    anonymous.position = 8;
    if (!store::upsert_menu_item(db, anonymous)) throw std::runtime_error("demo: cannot add the anonymous category");
    const auto done = tx.commit();
    if (!done) throw std::runtime_error("demo: " + done.error().detail);
    return true;
}

}  // namespace cunxin::app

// SPDX-License-Identifier: Apache-2.0
// County federation figures (not a test), on loopback with a real mosquitto:
//  1. notice latency: POST /api/v1/county/notices at the hub → the box's first AT+CMGS at its
//     simulated modem (median and max of N notices);
//  2. events per second counted by the hub: a light generator publishes reply events as a box
//     (QoS 1) and the hub stores each one (one SQLite transaction each) — end to end;
//  3. hub memory (VmRSS) with 100 boxes: 100 light generators (one MQTT connection each, online
//     status, a health event every second, a reply now and then) for a while.
//   build/tools/bench/bench_federation [notices=10] [events=5000] [boxes=100] [seconds=20]
#include <mosquitto.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <signal.h>
#include <thread>

#include "common.hpp"

using namespace cunxin::itest;
using Clock = std::chrono::steady_clock;

namespace {

long rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

/// A light box: one libmosquitto connection as `id`, publishing on its own topics.
struct Generator {
    mosquitto* m = nullptr;
    std::string id;
    long seq = 0;
    Generator(const std::string& box, int port) : id(box) {
        m = mosquitto_new(id.c_str(), false, nullptr);
        mosquitto_will_set(m, ("cunxin/v1/box/" + id + "/status").c_str(), 7, "offline", 1, true);
        mosquitto_max_inflight_messages_set(m, 0);
        mosquitto_loop_start(m);
        mosquitto_connect_async(m, "127.0.0.1", port, 30);
    }
    ~Generator() {
        mosquitto_disconnect(m);
        mosquitto_loop_stop(m, false);
        mosquitto_destroy(m);
    }
    void publish(const std::string& kind, const std::string& payload, bool retain = false) {
        mosquitto_publish(m, nullptr, ("cunxin/v1/box/" + id + "/" + kind).c_str(), static_cast<int>(payload.size()),
                          payload.data(), 1, retain);
    }
    void reply(const std::string& text) {
        publish("event", Json{{"v", 1}, {"id", id + ":" + std::to_string(++seq)}, {"type", "reply"}, {"at", 0},
                              {"notice_id", nullptr}, {"village", "第1村"}, {"category", "02"}, {"text", text},
                              {"number", "+8613800000001"}}
                             .dump());
    }
    void health() {
        publish("event", Json{{"v", 1}, {"id", id + ":" + std::to_string(++seq)}, {"type", "health"}, {"at", 0},
                              {"modems", 4}, {"modems_ready", 4}, {"queue", 0}, {"selftest", nullptr},
                              {"balance", Json::object()}, {"last_error", nullptr}}
                             .dump());
    }
};

}  // namespace

int main(int argc, char** argv) {
    const int notices = argc > 1 ? std::atoi(argv[1]) : 10;
    const int events = argc > 2 ? std::atoi(argv[2]) : 5000;
    const int nboxes = argc > 3 ? std::atoi(argv[3]) : 100;
    const int seconds = argc > 4 ? std::atoi(argv[4]) : 20;
    mosquitto_lib_init();
    TempDir tmp;
    const int bport = free_port();
    std::filesystem::create_directories(tmp.path() / "broker");
    std::ofstream(tmp.path() / "broker" / "m.conf") << "listener " << bport << " 127.0.0.1\nallow_anonymous true\n"
                                                    << "max_queued_messages 100000\n";
    Process broker({"/usr/sbin/mosquitto", "-c", (tmp.path() / "broker" / "m.conf").string()}, tmp.path() / "broker.log");
    std::this_thread::sleep_for(500ms);
    const std::string url = "mqtt://127.0.0.1:" + std::to_string(bport);

    // The hub.
    const auto hub_dir = tmp.path() / "hub";
    std::filesystem::create_directories(hub_dir);
    std::string out;
    run_capture({built("firmware/app/cunxin").string(), "token", "create", "--data-dir", hub_dir.string(), "--name",
                 "bench", "--role", "admin"},
                out);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    const std::string token = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    std::ofstream(hub_dir / "hub.json") << Json{{"federation", {{"broker", url}}}}.dump();
    const int hport = free_port();
    Process hub({built("firmware/app/cunxin").string(), "hub", "--config", (hub_dir / "hub.json").string(), "--data-dir",
                 hub_dir.string(), "--listen", "127.0.0.1:" + std::to_string(hport)},
                hub_dir / "hub.log");
    wait_until([&] { return http(hport, "GET", "/api/v1/health").status == 200; }, 20s);
    auto hub_get = [&](const std::string& t) { return http(hport, "GET", t, token).json(); };

    // 1. Notice latency through one real box on 2 simulated modems.
    {
        Appliance box({.modems = 2, .cmgs_latency = std::chrono::milliseconds(5),
                       .extra_config = "\"federation\": " + Json{{"broker", url}, {"box_id", "xinglong"}}.dump()});
        box.start();
        for (int v = 0; v < notices; ++v) {
            box.post("/api/v1/contacts", {{"name", "书记" + std::to_string(v)}, {"mobile", mobile(500 + v)},
                                          {"village", "村" + std::to_string(v)}, {"role", "村支书"}});
        }
        wait_until([&] { return hub_get("/api/v1/county/boxes")["items"].size() == 1; }, 20s);
        std::vector<double> ms;
        for (int v = 0; v < notices; ++v) {
            box.sim().clear_sent();
            const auto t0 = Clock::now();
            const auto r = http(hport, "POST", "/api/v1/county/notices", token,
                                Json{{"boxes", {"xinglong"}}, {"text", "{name}同志：请参加明天的会议。"},
                                     {"roles", {"村支书"}}, {"villages", {"村" + std::to_string(v)}}}
                                    .dump());
            if (r.status != 202 || !box.sim().wait_sent(1, 30s)) {
                std::fprintf(stderr, "notice %d: no send (%d %s)\n", v, r.status, r.body.c_str());
                continue;
            }
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        // Baseline: the same box's own POST /api/v1/messages → first AT+CMGS (no federation).
        std::vector<double> local;
        for (int v = 0; v < notices; ++v) {
            box.sim().clear_sent();
            const auto t0 = Clock::now();
            const auto r = box.post("/api/v1/messages", {{"to", {mobile(700 + v)}}, {"text", "本地发送基线"}});
            if (r.status != 202 || !box.sim().wait_sent(1, 30s)) continue;
            local.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        // Baseline 2: the box's own campaign to one village's 村支书, launched at once.
        std::vector<double> camp;
        for (int v = 0; v < notices; ++v) {
            box.sim().clear_sent();
            const auto t0 = Clock::now();
            const auto r = box.post("/api/v1/campaigns", {{"name", "基线" + std::to_string(v)},
                                                         {"template", "{name}同志：请参加明天的会议。"},
                                                         {"villages", {"村" + std::to_string(v)}},
                                                         {"start_now", true}});
            if (r.status != 201 || !box.sim().wait_sent(1, 30s)) {
                std::fprintf(stderr, "campaign %d: %d %s\n", v, r.status, r.body.c_str());
                continue;
            }
            camp.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        std::sort(camp.begin(), camp.end());
        if (!camp.empty()) {
            std::printf("baseline, the box's own campaign (POST /api/v1/campaigns, start_now) -> first AT+CMGS: "
                        "median %.0f ms, max %.0f ms\n", camp[camp.size() / 2], camp.back());
        }
        std::sort(local.begin(), local.end());
        if (!local.empty()) {
            std::printf("baseline, the box's own POST /api/v1/messages -> first AT+CMGS: median %.0f ms, max %.0f ms\n",
                        local[local.size() / 2], local.back());
        }
        std::sort(ms.begin(), ms.end());
        if (!ms.empty()) {
            std::printf("notice latency hub -> box -> first AT+CMGS: median %.0f ms, max %.0f ms (%zu notices)\n",
                        ms[ms.size() / 2], ms.back(), ms.size());
        }
    }

    // 2. Events per second counted by the hub.
    {
        Generator g("baiyun", bport);
        std::this_thread::sleep_for(500ms);
        const auto base = hub_get("/api/v1/county/summary")["total"].get<long>();
        const auto t0 = Clock::now();
        for (int i = 0; i < events; ++i) g.reply("事件 " + std::to_string(i));
        wait_until([&] { return hub_get("/api/v1/county/summary")["total"].get<long>() >= base + events; }, 300s);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("events counted by the hub: %d reply events in %.2f s = %.0f events/s (QoS 1, one transaction each)\n",
                    events, s, events / s);
    }

    // 3. Hub memory with many boxes.
    {
        const long before = rss_kb(hub.pid());
        std::vector<std::unique_ptr<Generator>> gens;
        for (int i = 0; i < nboxes; ++i) gens.push_back(std::make_unique<Generator>("gen-" + std::to_string(i), bport));
        std::this_thread::sleep_for(1s);
        for (auto& g : gens) g->publish("status", "online", true);
        long peak = 0;
        for (int t = 0; t < seconds; ++t) {
            for (auto& g : gens) {
                g->health();
                if (t % 5 == 0) g->reply("回复");
            }
            std::this_thread::sleep_for(1s);
            peak = std::max(peak, rss_kb(hub.pid()));
        }
        const auto boxes = hub_get("/api/v1/county/boxes")["items"].size();
        std::printf("hub RSS: %ld kB before, peak %ld kB with %d boxes online for %d s (health every 1 s; hub lists %zu boxes)\n",
                    before, peak, nboxes, seconds, boxes);
    }
    hub.signal(SIGTERM);
    hub.wait(10s);
    broker.signal(SIGTERM);
    broker.wait(10s);
    mosquitto_lib_cleanup();
    return 0;
}

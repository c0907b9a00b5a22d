// SPDX-License-Identifier: Apache-2.0
#include "control_json.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

namespace cunxin::modemsim {

using nlohmann::json;

json to_json(const ModemInfo& i) {
    return json{{"index", i.index},
                {"path", i.pty_path},
                {"link", i.link_path},
                {"tcp_port", i.tcp_port},
                {"present", i.present},
                {"profile", std::string(profile_name(i.profile))},
                {"manufacturer", i.manufacturer},
                {"model", i.model},
                {"revision", i.revision},
                {"imei", i.imei},
                {"imsi", i.imsi},
                {"iccid", i.iccid},
                {"operator", i.operator_name},
                {"number", i.own_number}};
}

json to_json(const ModemStatus& s) {
    return json{{"index", s.index},
                {"present", s.present},
                {"hung", s.hung},
                {"registered", s.registered},
                {"sim", s.sim},
                {"sends_ok", s.sends_ok},
                {"sends_failed", s.sends_failed},
                {"bad_pdus", s.bad_pdus},
                {"sm_used", s.sm_used},
                {"sm_slots", s.sm_slots},
                {"sr_used", s.sr_used},
                {"network_queue", s.network_queue},
                {"delivered_parts", s.delivered_parts},
                {"reports_sent", s.reports_sent},
                {"redelivered", s.redelivered},
                {"commands", s.commands},
                {"next_mr", s.next_mr},
                {"noise_urcs", s.noise_urcs},
                {"calls", s.calls},
                {"hangups", s.hangups},
                {"ringing", s.ringing},
                {"act", s.act},
                {"ims", s.ims}};
}

json to_json(const Sent& s) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s.time.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char iso[64];
    std::snprintf(iso, sizeof iso, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
    json concat = nullptr;
    if (s.concat_ref >= 0) concat = json{{"ref", s.concat_ref}, {"part", s.concat_part}, {"total", s.concat_total}};
    json validity = nullptr;
    if (s.validity) validity = *s.validity;
    return json{{"modem", s.modem},
                {"mr", s.mr},
                {"recipient", s.recipient},
                {"text", s.text},
                {"encoding", s.encoding},
                {"concat", concat},
                {"status_report", s.status_report},
                {"tp_mr", s.tp_mr},
                {"validity", validity},
                {"pdu", s.pdu},
                {"time", iso}};
}

json to_json(const Faults& f) {
    return json{{"error_rate", f.error_rate},
                {"error_codes", f.error_codes},
                {"fail_next", f.fail_next},
                {"hang_after", f.hang_after_sends},
                {"hang", f.hung},
                {"garbage_every_ms", f.garbage_every_ms},
                {"slow_ms", f.slow_ms},
                {"no_network", f.no_network},
                {"signal", f.signal_csq},
                {"report_status", f.report_status},
                {"report_delay_ms", f.report_delay_ms},
                {"report_loss", f.report_loss},
                {"reports_to_sr", f.reports_to_sr},
                {"noise", f.noise_in_responses},
                {"carrier_blocked", f.carrier_blocked},
                {"lte_refuses_sms", f.lte_refuses_sms},
                {"no_receive", f.no_receive}};
}

void apply_faults(const json& j, Faults& f) {
    if (j.contains("error_rate")) f.error_rate = j["error_rate"].get<double>();
    if (j.contains("error_codes")) f.error_codes = j["error_codes"].get<std::vector<int>>();
    if (j.contains("fail_next")) f.fail_next = j["fail_next"].get<int>();
    if (j.contains("hang_after")) f.hang_after_sends = j["hang_after"].get<int>();
    if (j.contains("hang")) f.hung = j["hang"].get<bool>();
    if (j.contains("garbage_every_ms")) f.garbage_every_ms = j["garbage_every_ms"].get<int>();
    if (j.contains("slow_ms")) f.slow_ms = j["slow_ms"].get<int>();
    if (j.contains("no_network")) f.no_network = j["no_network"].get<bool>();
    if (j.contains("signal")) f.signal_csq = j["signal"].get<int>();
    if (j.contains("report_status")) f.report_status = j["report_status"].get<int>();
    if (j.contains("report_delay_ms")) f.report_delay_ms = j["report_delay_ms"].get<int>();
    if (j.contains("report_loss")) f.report_loss = j["report_loss"].get<double>();
    if (j.contains("reports_to_sr")) f.reports_to_sr = j["reports_to_sr"].get<bool>();
    if (j.contains("noise")) f.noise_in_responses = j["noise"].get<bool>();
    if (j.contains("carrier_blocked")) f.carrier_blocked = j["carrier_blocked"].get<bool>();
    if (j.contains("lte_refuses_sms")) f.lte_refuses_sms = j["lte_refuses_sms"].get<bool>();
    if (j.contains("no_receive")) f.no_receive = j["no_receive"].get<bool>();
}

}  // namespace cunxin::modemsim

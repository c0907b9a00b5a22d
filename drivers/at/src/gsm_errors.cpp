// SPDX-License-Identifier: Apache-2.0
#include "cunxin/at/gsm_errors.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace cunxin::at {

namespace {

// code, permanent, sim_problem, zh, en
constexpr GsmErrorInfo kCms[] = {
    {1, true, false, "空号（号码未分配）", "Unassigned (unallocated) number"},
    {8, true, false, "运营商禁止发送", "Operator determined barring"},
    {10, true, false, "呼叫被限制", "Call barred"},
    {21, true, false, "短信被拒收", "Short message transfer rejected"},
    {27, false, false, "对方号码暂时无法接通", "Destination out of service"},
    {28, false, false, "未识别的用户", "Unidentified subscriber"},
    {29, true, false, "业务被拒绝", "Facility rejected"},
    {30, true, false, "未知用户", "Unknown subscriber"},
    {38, false, false, "网络故障", "Network out of order"},
    {41, false, false, "临时故障", "Temporary failure"},
    {42, false, false, "网络拥塞", "Congestion"},
    {47, false, false, "资源不可用", "Resources unavailable, unspecified"},
    {50, true, true, "未开通该业务", "Requested facility not subscribed"},
    {69, true, false, "功能未实现", "Requested facility not implemented"},
    {81, false, false, "短信传输参考号无效", "Invalid short message transfer reference value"},
    {95, true, false, "消息无效", "Invalid message, unspecified"},
    {96, true, false, "必选信息无效", "Invalid mandatory information"},
    {97, true, false, "消息类型不存在", "Message type non-existent or not implemented"},
    {98, true, false, "消息与协议状态不符", "Message not compatible with short message protocol state"},
    {99, true, false, "信息元素不存在", "Information element non-existent or not implemented"},
    {111, true, false, "协议错误", "Protocol error, unspecified"},
    {127, false, false, "互通错误", "Interworking, unspecified"},
    {128, true, false, "不支持电信互通", "Telematic interworking not supported"},
    {129, true, false, "不支持0类短信", "Short message type 0 not supported"},
    {130, true, false, "无法替换短信", "Cannot replace short message"},
    {143, true, false, "协议标识错误", "Unspecified TP-PID error"},
    {144, true, false, "编码方式不支持", "Data coding scheme (alphabet) not supported"},
    {145, true, false, "短信类别不支持", "Message class not supported"},
    {159, true, false, "编码方式错误", "Unspecified TP-DCS error"},
    {160, true, false, "命令无法执行", "Command cannot be actioned"},
    {161, true, false, "命令不支持", "Command unsupported"},
    {175, true, false, "命令错误", "Unspecified TP-Command error"},
    {176, true, false, "不支持的TPDU", "TPDU not supported"},
    {192, false, false, "短信中心忙", "SC busy"},
    {193, false, true, "未签约短信中心", "No SC subscription"},
    {194, false, false, "短信中心系统故障", "SC system failure"},
    {195, true, false, "号码无效", "Invalid SME address"},
    {196, true, false, "目标号码被限制", "Destination SME barred"},
    {197, true, false, "重复短信被拒绝", "SM rejected - duplicate SM"},
    {198, true, false, "有效期格式不支持", "TP-VPF not supported"},
    {199, true, false, "有效期不支持", "TP-VP not supported"},
    {208, false, true, "SIM卡短信存储已满", "SIM SMS storage full"},
    {209, false, true, "SIM卡无短信存储", "No SMS storage capability in SIM"},
    {210, false, true, "终端错误", "Error in MS"},
    {211, false, true, "存储容量不足", "Memory capacity exceeded"},
    {212, false, true, "SIM卡工具包忙", "SIM application toolkit busy"},
    {213, false, true, "SIM卡数据下载错误", "SIM data download error"},
    {255, false, false, "未知错误", "Unspecified error cause"},
    {300, false, true, "模块故障", "ME failure"},
    {301, false, true, "短信服务被占用", "SMS service of ME reserved"},
    {302, false, true, "操作不允许", "Operation not allowed"},
    {303, false, true, "操作不支持", "Operation not supported"},
    {304, true, false, "PDU参数无效", "Invalid PDU mode parameter"},
    {305, true, false, "文本参数无效", "Invalid text mode parameter"},
    {310, false, true, "未插SIM卡", "SIM not inserted"},
    {311, false, true, "需要SIM卡PIN码", "SIM PIN required"},
    {312, false, true, "需要PH-SIM PIN码", "PH-SIM PIN required"},
    {313, false, true, "SIM卡故障", "SIM failure"},
    {314, false, true, "SIM卡忙", "SIM busy"},
    {315, false, true, "SIM卡错误", "SIM wrong"},
    {316, false, true, "需要SIM卡PUK码", "SIM PUK required"},
    {317, false, true, "需要SIM卡PIN2码", "SIM PIN2 required"},
    {318, false, true, "需要SIM卡PUK2码", "SIM PUK2 required"},
    {320, false, true, "存储器故障", "Memory failure"},
    {321, false, false, "存储索引无效", "Invalid memory index"},
    {322, false, true, "存储已满", "Memory full"},
    {330, false, true, "短信中心号码未知", "SMSC address unknown"},
    {331, false, true, "无网络服务", "No network service"},
    {332, false, false, "网络超时", "Network timeout"},
    {340, false, false, "无需CNMA确认", "No +CNMA acknowledgement expected"},
    {500, false, false, "未知错误", "Unknown error"},
    {512, false, true, "厂商错误（模块忙）", "Manufacturer specific (module busy)"},
    {513, false, true, "厂商错误（无线链路失败）", "Manufacturer specific (radio link failure)"},
    {514, false, true, "厂商错误（发送失败）", "Manufacturer specific (send failure)"},
    {515, false, true, "厂商错误（请稍候，模块未就绪）", "Manufacturer specific (please wait / not ready)"},
};

constexpr GsmErrorInfo kCme[] = {
    {0, false, true, "模块故障", "Phone failure"},
    {1, false, true, "无连接", "No connection to phone"},
    {3, false, true, "操作不允许", "Operation not allowed"},
    {4, true, false, "操作不支持", "Operation not supported"},
    {5, false, true, "需要PH-SIM PIN码", "PH-SIM PIN required"},
    {10, false, true, "未插SIM卡", "SIM not inserted"},
    {11, false, true, "需要SIM卡PIN码", "SIM PIN required"},
    {12, false, true, "需要SIM卡PUK码", "SIM PUK required"},
    {13, false, true, "SIM卡故障", "SIM failure"},
    {14, false, true, "SIM卡忙", "SIM busy"},
    {15, false, true, "SIM卡错误", "SIM wrong"},
    {16, true, true, "密码错误", "Incorrect password"},
    {17, false, true, "需要SIM卡PIN2码", "SIM PIN2 required"},
    {18, false, true, "需要SIM卡PUK2码", "SIM PUK2 required"},
    {20, false, true, "存储已满", "Memory full"},
    {21, false, false, "索引无效", "Invalid index"},
    {22, false, false, "未找到", "Not found"},
    {23, false, true, "存储器故障", "Memory failure"},
    {24, true, false, "文本过长", "Text string too long"},
    {25, true, false, "文本含无效字符", "Invalid characters in text string"},
    {26, true, false, "号码过长", "Dial string too long"},
    {27, true, false, "号码含无效字符", "Invalid characters in dial string"},
    {30, false, true, "无网络服务", "No network service"},
    {31, false, false, "网络超时", "Network timeout"},
    {32, false, true, "仅限紧急呼叫", "Network not allowed - emergency calls only"},
    {100, false, false, "未知错误", "Unknown"},
    {515, false, true, "请稍候（模块未就绪）", "Please wait, init or command processing in progress"},
};

template <std::size_t N>
GsmErrorInfo lookup(const GsmErrorInfo (&table)[N], int code) noexcept {
    for (const auto& e : table) {
        if (e.code == code) return e;
    }
    return GsmErrorInfo{code, false, false, "未知错误", "Unknown error"};
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

template <std::size_t N>
int from_text(const GsmErrorInfo (&table)[N], std::string_view text) noexcept {
    for (const auto& e : table) {
        if (iequals(e.en, text)) return e.code;
    }
    return -1;
}

}  // namespace

GsmErrorInfo describe_cms(int code) noexcept { return lookup(kCms, code); }
GsmErrorInfo describe_cme(int code) noexcept { return lookup(kCme, code); }
int cms_code_from_text(std::string_view text) noexcept { return from_text(kCms, text); }
int cme_code_from_text(std::string_view text) noexcept { return from_text(kCme, text); }

}  // namespace cunxin::at

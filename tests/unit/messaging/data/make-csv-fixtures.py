#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the CSV fixtures of tests/unit/messaging/data byte for byte (run once, commit bytes).
import os
import subprocess

os.chdir(os.path.dirname(os.path.abspath(__file__)))

rows_zh = [
    ["姓名", "手机号", "村", "职务", "入党日期", "标签", "备注"],
    ["张建国", "13800138000", "李家村", "村支书", "1987-07-01", "村干部、党员", "老支书"],
    ["王秀英", "+86 139 1234 5678", "王家湾村", "妇女主任", "2001/7/1", "党员", "住村东头"],
    ["李明", "0086-186-1234-5678", "李家村", "", "2001年7月1日", "", "备注里有逗号,还有\"引号\""],
    ["赵强", "１５９１２３４５６７８", "张庄村", "会计", "20010701", "村干部;财务", "多行备注\r\n第二行"],
    ["钱进", "13800138000", "李家村", "", "", "", "与张建国同号"],
    ["", "13700000001", "李家村", "", "", "", ""],
    ["孙丽", "010-65529988", "城关镇", "", "", "", ""],
    ["周杰", "13612345678", "李家村", "", "2001-02-30", "", ""],
    ["吴刚", "1.38001E+10", "李家村", "", "", "", ""],
    ["郑敏", "18912345678", "东山村", "组长", "37073", "", ""],
    ["", "", "", "", "", "", ""],
    ["冯䶮", "15012345678", "西河村", "", "1984年2月29日", "", "生僻字"],
]


def csv(rows, eol):
    out = []
    for r in rows:
        cells = []
        for c in r:
            if any(ch in c for ch in ',"\r\n'):
                c = '"' + c.replace('"', '""') + '"'
            cells.append(c)
        out.append(",".join(cells))
    return eol.join(out) + eol


text = csv(rows_zh, "\r\n")
open("contacts-utf8-bom-crlf.csv", "wb").write(b"\xef\xbb\xbf" + text.encode("utf-8"))
gb = subprocess.run(["iconv", "-f", "UTF-8", "-t", "GB18030"], input=text.encode("utf-8"),
                    capture_output=True, check=True).stdout
open("contacts-gb18030-crlf.csv", "wb").write(gb)
rows_en = [
    ["Name", "Mobile", "Village", "Role", "Party_Join_Date", "Tags", "Notes", "Opted_Out"],
    ["Zhang Jianguo", "13800138000", "Lijia", "Secretary", "1987-07-01", "cadre;member", "", "no"],
    ["Wang Xiuying", "+8613912345678", "Wangjiawan", "", "2001.7.1", "", "", "yes"],
    ["Li Ming", "86 186 1234 5678", "Lijia", "", "", "", "=HYPERLINK(\"http://x\")", "maybe"],
]
open("contacts-utf8-nobom-lf.csv", "wb").write(csv(rows_en, "\n").encode("utf-8"))
open("broken-unterminated-quote.csv", "wb").write(
    "姓名,手机号\r\n张三,13800138000\r\n\"李四,13900000000\r\n王五,13700000000\r\n".encode("utf-8"))
open("broken-text-after-quote.csv", "wb").write("姓名,手机号\n\"张三\"先生,13800138000\n".encode("utf-8"))
open("missing-mobile-column.csv", "wb").write("姓名,村\n张三,李家村\n".encode("utf-8"))
open("contacts-utf16le.txt", "wb").write(
    b"\xff\xfe" + "姓名\t手机号\r\n张三\t13800138000\r\n".encode("utf-16-le"))
open("contacts-gbk-tab.txt", "wb").write("姓名\t手机号\t村\r\n张三\t13800138000\t李家村\r\n".encode("gbk"))

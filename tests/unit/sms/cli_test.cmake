# SPDX-License-Identifier: Apache-2.0
# Runs the built `cunxin pdu` on sample data: JSON out and exit 0 for good input,
# one line on stderr and exit 1 for bad input.
# Usage: cmake -DCUNXIN=... -DDATA=... [-DEMULATOR="qemu-aarch64-static ..."] -P cli_test.cmake
# EMULATOR (cross builds) is put in front of every run of CUNXIN.
if(EMULATOR)
  separate_arguments(_emulator UNIX_COMMAND "${EMULATOR}")
  set(CUNXIN ${_emulator} ${CUNXIN})
endif()

# decode: every deliver sample prints exactly its expected JSON
file(GLOB samples ${DATA}/deliver/*.pdu ${DATA}/status/*.pdu)
list(LENGTH samples n)
if(NOT (n GREATER 3))
  message(FATAL_ERROR "too few samples in ${DATA}")
endif()
foreach(pdu IN LISTS samples)
  file(STRINGS ${pdu} hex LIMIT_COUNT 1)
  string(REGEX REPLACE "\\.pdu$" ".json" json_file ${pdu})
  file(READ ${json_file} expected)
  execute_process(COMMAND ${CUNXIN} pdu decode ${hex} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT (rc EQUAL 0))
    message(FATAL_ERROR "${pdu}: exit ${rc}: ${err}")
  endif()
  string(JSON same EQUAL "${out}" "${expected}")
  if(NOT (same))
    message(FATAL_ERROR "${pdu}: got ${out}, expected ${expected}")
  endif()
endforeach()

# decode --no-smsc on a bare TPDU
execute_process(COMMAND ${CUNXIN} pdu decode --no-smsc 040BA13119325476F8000062102030405000061BD4A6BC4901
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT (rc EQUAL 0))
  message(FATAL_ERROR "--no-smsc: exit ${rc}")
endif()
string(JSON text GET "${out}" text)
if(NOT (text STREQUAL "{€}"))
  message(FATAL_ERROR "--no-smsc: text ${text}")
endif()

# bad input: one line on stderr, nothing on stdout, exit 1
file(GLOB bad ${DATA}/invalid/*.pdu)
foreach(pdu IN LISTS bad)
  file(READ ${pdu} hex)
  string(STRIP "${hex}" hex)
  string(REGEX REPLACE "\\.pdu$" ".reason" reason_file ${pdu})
  file(STRINGS ${reason_file} reason LIMIT_COUNT 1)
  execute_process(COMMAND ${CUNXIN} pdu decode "${hex}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT (rc EQUAL 1))
    message(FATAL_ERROR "${pdu}: exit ${rc}, expected 1")
  endif()
  if(NOT (out STREQUAL ""))
    message(FATAL_ERROR "${pdu}: printed ${out}")
  endif()
  string(FIND "${err}" "${reason}" at)
  if(NOT (at GREATER -1))
    message(FATAL_ERROR "${pdu}: stderr '${err}' lacks ${reason}")
  endif()
  string(STRIP "${err}" err1)
  string(FIND "${err1}" "\n" nl)
  if(NOT (nl EQUAL -1))
    message(FATAL_ERROR "${pdu}: stderr has more than one line")
  endif()
endforeach()

# encode: a long Chinese text gives one PDU per line, each decodable with its part number
string(REPEAT "村信" 40 text)
execute_process(COMMAND ${CUNXIN} pdu encode --to +8613800138000 --text ${text} --status-report
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT (rc EQUAL 0))
  message(FATAL_ERROR "encode: exit ${rc}")
endif()
string(STRIP "${out}" out)
string(REPLACE "\n" ";" lines "${out}")
list(LENGTH lines parts)
if(NOT (parts EQUAL 2))
  message(FATAL_ERROR "encode: 80 UCS2 units should be 2 parts, got ${parts}")
endif()
set(i 0)
foreach(line IN LISTS lines)
  math(EXPR i "${i} + 1")
  execute_process(COMMAND ${CUNXIN} pdu decode ${line} OUTPUT_VARIABLE dec RESULT_VARIABLE rc)
  if(NOT (rc EQUAL 0))
    message(FATAL_ERROR "encode: part ${i} does not decode")
  endif()
  string(JSON part GET "${dec}" concat part)
  string(JSON to GET "${dec}" recipient)
  if(NOT (part EQUAL i))
    message(FATAL_ERROR "encode: part ${part} at line ${i}")
  endif()
  if(NOT (to STREQUAL "+8613800138000"))
    message(FATAL_ERROR "encode: recipient ${to}")
  endif()
endforeach()

# encode: a bad number is exit 1
execute_process(COMMAND ${CUNXIN} pdu encode --to 138-abc --text hi RESULT_VARIABLE rc
                OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT (rc EQUAL 1))
  message(FATAL_ERROR "encode bad number: exit ${rc}")
endif()

# segments
string(REPEAT "a" 161 text)
execute_process(COMMAND ${CUNXIN} pdu segments --text ${text} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT (rc EQUAL 0))
  message(FATAL_ERROR "segments: exit ${rc}")
endif()
string(JSON same EQUAL "${out}"
       [[{"encoding":"gsm7","segments":2,"units":161,"units_per_segment":153,"remaining":145}]])
if(NOT (same))
  message(FATAL_ERROR "segments: ${out}")
endif()

# --text-file: the file's trailing newline is not part of the text
set(tmp ${CMAKE_CURRENT_BINARY_DIR}/cli_test_text.txt)
string(REPEAT "通知" 35 text)
file(WRITE ${tmp} "${text}\n")
execute_process(COMMAND ${CUNXIN} pdu segments --text-file ${tmp} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
file(REMOVE ${tmp})
if(NOT (rc EQUAL 0))
  message(FATAL_ERROR "segments --text-file: exit ${rc}")
endif()
string(JSON same EQUAL "${out}"
       [[{"encoding":"ucs2","segments":1,"units":70,"units_per_segment":70,"remaining":0}]])
if(NOT same)
  message(FATAL_ERROR "segments --text-file: ${out}")
endif()

# usage errors exit 2
execute_process(COMMAND ${CUNXIN} pdu encode --text hi RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT (rc EQUAL 2))
  message(FATAL_ERROR "encode without --to: exit ${rc}, expected 2")
endif()

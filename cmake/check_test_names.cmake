# SPDX-License-Identifier: Apache-2.0
# Fails when a doctest TEST_CASE name holds a ';'. doctest_discover_tests registers each case as
# `--test-case=<name>`, and CMake cuts a name at ';' (its list separator): ctest then ran a filter
# that matched no case, and doctest passes when nothing ran. Usage: cmake -DROOT=<src> -P this.
file(GLOB_RECURSE sources "${ROOT}/tests/*.cpp")
set(bad "")
foreach(f IN LISTS sources)
  file(READ "${f}" text)
  string(REGEX MATCHALL "TEST_CASE\\(\"[^\"\n]*;[^\"\n]*\"" hits "${text}")
  if(hits)
    string(REPLACE "${ROOT}/" "" rel "${f}")
    string(APPEND bad "  ${rel}\n")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "TEST_CASE names with ';' (ctest would run nothing for them) in:\n${bad}")
endif()
list(LENGTH sources n)
message(STATUS "${n} test sources checked: no ';' in a TEST_CASE name")

# SPDX-License-Identifier: MIT
# colophon_add_test(tst_name SOURCES a.cpp ... LIBS target ... LABELS unit|integration|ui)
# One Qt Test executable per class or area, registered with CTest under its name.
function(colophon_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test colophon_test_support ${ARG_LIBS})
  colophon_target(${name})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;COLOPHON_SOURCE_DIR=${PROJECT_SOURCE_DIR};COLOPHON_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()

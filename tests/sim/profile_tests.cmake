# tests/sim/profile_tests.cmake - the profile loader's tests; included from tests/sim/CMakeLists.txt.
# By theme: the bundled profiles, the model (defaults, extends:, queries), the error classes.
foreach(t test_profile_bundled test_profile_model test_profile_errors)
  sim800_add_test(${t}
    SOURCES ${CMAKE_SOURCE_DIR}/tests/sim/${t}.c ${CMAKE_SOURCE_DIR}/tests/sim/profile_testutil.c
    LIBS sim800_profile)
endforeach()

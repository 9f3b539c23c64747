# tests/sim/profile_tests.cmake - the profile loader's tests; included from tests/sim/CMakeLists.txt.
sim800_add_test(test_profile
  SOURCES ${CMAKE_SOURCE_DIR}/tests/sim/test_profile.c
  LIBS sim800_profile)

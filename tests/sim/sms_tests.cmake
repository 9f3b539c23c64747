# tests/sim/sms_tests.cmake - SMS (27.005) and voice call tests through the in-memory transport.
sim800_add_test(test_sms SOURCES test_sms.c LIBS sim800_simtest)
sim800_add_test(test_call SOURCES test_call.c LIBS sim800_simtest)

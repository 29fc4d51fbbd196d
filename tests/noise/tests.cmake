# tests/noise: exit code 77 means "skipped, and the output says why" (test_skip, and the
# dissononce oracle in tests/py/test_noise_oracle.py when python3-dissononce is missing).
file(GLOB tsrc ${CMAKE_CURRENT_LIST_DIR}/test_*.c)
foreach(src ${tsrc})
    get_filename_component(n ${src} NAME_WE)
    set_tests_properties(noise/${n} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
# tests/py is registered after this folder: set its property once the directory is read.
cmake_language(DEFER CALL set_tests_properties py/test_noise_oracle PROPERTIES SKIP_RETURN_CODE 77)

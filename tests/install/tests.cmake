# Install into a scratch prefix and build a program against the installed e2ekit.pc.
# Not in sanitizer builds: the consumer would need the sanitizer runtime.
if(NOT E2E_SANITIZE)
    add_test(NAME install/pkg-config
        COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/check-install.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
    set_tests_properties(install/pkg-config PROPERTIES ENVIRONMENT "${E2E_TEST_ENV}" TIMEOUT 300)
endif()

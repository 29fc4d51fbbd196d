# The demo is the main job: it must run to the end, every check passing, in both builds.
add_test(NAME cli/demo COMMAND e2ekit demo --seed 7)
set_tests_properties(cli/demo PROPERTIES ENVIRONMENT "${E2E_TEST_ENV}" TIMEOUT 900)
# The same seed must print the same thing twice (the demo is deterministic).
add_test(NAME cli/demo-deterministic
    COMMAND sh -c "a=$(\"$0\" demo --seed 3) && b=$(\"$0\" demo --seed 3) && [ \"$a\" = \"$b\" ]"
            $<TARGET_FILE:e2ekit>)
set_tests_properties(cli/demo-deterministic PROPERTIES ENVIRONMENT "${E2E_TEST_ENV}" TIMEOUT 900)

/*
 * Every scenario file shipped in scenarios/ must parse with the registered
 * implementations and expand into at least one cell, and `vtbench list` must
 * name it: a typo in a shipped file, or a file the list forgets, fails here
 * rather than in a user's first run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "vtb/impl.h"

static void test_every_shipped_scenario_parses(void **state)
{
    (void)state;
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < vtb_impl_count() && n < 63; i++)
        names[n++] = vtb_impl_at(i)->name;
    names[n] = NULL;
    struct vtb_scenario_options options = {.known_impls = names};

    DIR *dir = opendir(VTB_SOURCE_DIR "/scenarios");
    assert_non_null(dir);
    size_t files = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len < 5 || strcmp(entry->d_name + len - 4, ".ini") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/scenarios/%s", VTB_SOURCE_DIR, entry->d_name);
        struct vtb_scenario s;
        struct vtb_error err;
        vtb_error_clear(&err);
        int rc = vtb_scenario_load(&s, path, &options, &err);
        if (rc != 0)
            fail_msg("%s", err.message);
        assert_true(vtb_scenario_cell_count(&s) >= 1);
        vtb_scenario_fini(&s);

        /* `vtbench list` names it. */
        char command[2048], line[512];
        snprintf(command, sizeof(command), "%s/vtbench list", VTB_BINARY_DIR);
        FILE *list = popen(command, "r");
        assert_non_null(list);
        char wanted[300];
        snprintf(wanted, sizeof(wanted), "scenarios/%s", entry->d_name);
        int listed = 0;
        while (fgets(line, sizeof(line), list) != NULL)
            if (strstr(line, wanted) != NULL)
                listed = 1;
        assert_int_equal(pclose(list), 0);
        if (!listed)
            fail_msg("vtbench list does not name %s", wanted);
        files++;
    }
    closedir(dir);
    assert_true(files >= 7);
    print_message("%zu shipped scenario files parse and are listed\n", files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shipped_scenario_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

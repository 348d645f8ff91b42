/*
 * Tests of the scenario rules that protect a run's reproduction: keys that
 * conflict only together (vtb_scenario_check, refused before a run
 * directory exists), and text values that must stay on one line of
 * scenario.ini (no control character, from a file or from --set), so that
 * the written scenario.ini reads back as the scenario that ran.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const known_impls[] = {"alloc-task", "value-task", "pooled", NULL};
static const struct vtb_scenario_options options = {.known_impls = known_impls, .nproc = 8};

static void parse_ok(struct vtb_scenario *s, const char *text)
{
    struct vtb_error err = {0};
    int rc = vtb_scenario_parse_buffer(s, text, strlen(text), "t.ini", &options, &err);
    if (rc != 0)
        print_error("unexpected error: %s\n", err.message);
    assert_int_equal(rc, 0);
}

static void set_ok(struct vtb_scenario *s, const char *assignment)
{
    struct vtb_error err = {0};
    if (vtb_scenario_override(s, assignment, &err) != 0)
        fail_msg("%s: %s", assignment, err.message);
}

static void test_measured_needs_a_server(void **state)
{
    (void)state;
    struct vtb_scenario s;
    struct vtb_error err = {0};
    /* From the file: its line. */
    parse_ok(&s, "[scenario]\nname = m\n\nmiss_latency = 0, measured\n");
    assert_int_equal(vtb_scenario_check(&s, &err), VTB_EINVAL);
    assert_string_equal(err.message, "t.ini:4: miss_latency: `measured` needs a server to "
                                     "measure: set backend = redis (in at least one cell) or "
                                     "backend_url");
    /* A later --set of backend resolves it; one cell with a server is enough. */
    set_ok(&s, "backend=sim, redis");
    assert_int_equal(vtb_scenario_check(&s, &err), 0);
    set_ok(&s, "backend=sim");
    assert_int_equal(vtb_scenario_check(&s, &err), VTB_EINVAL);
    set_ok(&s, "backend_url=unix:/tmp/r.sock");
    assert_int_equal(vtb_scenario_check(&s, &err), 0);
    vtb_scenario_fini(&s);

    /* From --set: said so. */
    parse_ok(&s, "[scenario]\nname = m\n");
    assert_int_equal(vtb_scenario_check(&s, &err), 0);
    set_ok(&s, "miss_latency=measured");
    assert_int_equal(vtb_scenario_check(&s, &err), VTB_EINVAL);
    assert_string_equal(err.message, "t.ini: --set: miss_latency: `measured` needs a server to "
                                     "measure: set backend = redis (in at least one cell) or "
                                     "backend_url");
    vtb_scenario_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measured_needs_a_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

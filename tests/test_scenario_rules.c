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

/* A text value is one line of scenario.ini: control characters are
 * refused, from --set and from a file, naming the key; a tab is text. */
static void test_values_are_one_line(void **state)
{
    (void)state;
    struct vtb_scenario s, back;
    struct vtb_error err = {0};
    static const struct {
        const char *assignment, *message;
    } bad[] = {
        {"description=x\nops=7", "--set: description: control character (byte 0x0a at "
                                 "position 2) in `x\nops=7`; a value is text on one line"},
        {"description=ESC\x1b[31mred", "--set: description: control character (byte 0x1b at "
                                       "position 4) in `ESC\x1b[31mred`; a value is text on "
                                       "one line"},
        {"description=a\rb", "--set: description: control character (byte 0x0d at position 2) "
                             "in `a\rb`; a value is text on one line"},
        {"backend_url=unix:/tmp/x\n", NULL}, /* trimmed: a trailing newline is a blank */
        {"backend_url=unix:/tmp/x\ny", "--set: backend_url: control character (byte 0x0a at "
                                       "position 12) in `unix:/tmp/x\ny`; a value is text on "
                                       "one line"},
        {"plugins=a.so\x7f", "--set: plugins: control character (byte 0x7f at position 5) in "
                             "`a.so\x7f`; a value is text on one line"},
    };
    parse_ok(&s, "[scenario]\nname = t\ndescription = kept\n");
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        int rc = vtb_scenario_override(&s, bad[i].assignment, &err);
        if (bad[i].message == NULL) {
            assert_int_equal(rc, 0);
            continue;
        }
        assert_int_equal(rc, VTB_ESYNTAX);
        assert_string_equal(err.message, bad[i].message);
    }
    assert_string_equal(s.settings.description, "kept"); /* unchanged */

    /* A tab is text, and scenario.ini reads back as what was set. */
    set_ok(&s, "description=a\tb, c");
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_int_equal(vtb_scenario_write_ini(&s, NULL, out), 0);
    fclose(out);
    assert_int_equal(vtb_scenario_parse_buffer(&back, text, size, "back.ini", &options, &err), 0);
    assert_string_equal(back.settings.description, "a\tb, c");
    vtb_scenario_fini(&back);
    free(text);
    vtb_scenario_fini(&s);

    /* From a file: FILE:LINE: KEY, as for any bad value. */
    const char *file = "[scenario]\nname = t\ndescription = ESC\x1b[31mred\n";
    assert_int_equal(vtb_scenario_parse_buffer(&s, file, strlen(file), "t.ini", &options, &err),
                     VTB_ESYNTAX);
    assert_string_equal(err.message, "t.ini:3: description: control character (byte 0x1b at "
                                     "column 18); a value is text on one line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measured_needs_a_server),
        cmocka_unit_test(test_values_are_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Tests of the plugin loader and registry (harness/plugin): a valid plugin's
 * implementations are found by name beside the built-ins and unloaded
 * again; the same file loaded twice counts once; and every refusal (no
 * file, not a shared object, its own copy of libvtb, no entry point,
 * another ABI version, a table that fails validation, a bad list, a taken
 * name) returns its code with a message that starts with the path, and
 * leaves the registry as it was. Scenario files' plugins load relative to
 * the file and are recorded in it with their absolute paths.
 * The plugins are the small ones of tests/e2e/plugins, built into
 * VTB_FIXTURE_DIR by tests/CMakeLists.txt; they call nothing of libvtb,
 * so they load into this program, which does not export the library.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin.h"
#include "plugin_scenario.h"
#include "scenario.h"
#include "vtb/error.h"
#include "vtb/impl.h"

#define FIXTURE(name) VTB_FIXTURE_DIR "/" name ".so"

/* A scratch directory for files the fixtures do not provide. */
static char scratch[] = "/tmp/vtb-test-plugin.XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(scratch) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char command[PATH_MAX + 16];
    snprintf(command, sizeof(command), "rm -rf '%s'", scratch);
    return system(command) == 0 ? 0 : -1;
}

/* Copies the file at from to scratch/name and returns the new path. */
static const char *copy_to_scratch(const char *from, const char *name)
{
    static char path[PATH_MAX];
    char command[3 * PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", scratch, name);
    snprintf(command, sizeof(command), "cp '%s' '%s'", from, path);
    assert_int_equal(system(command), 0);
    return path;
}

static void test_builtins_only(void **state)
{
    (void)state;
    struct vtb_plugin_registry reg;
    assert_int_equal(vtb_plugin_registry_init(&reg, NULL), 0);
    assert_int_equal(vtb_plugin_registry_count(&reg), vtb_impl_count());
    const char *const *names = vtb_plugin_registry_names(&reg);
    for (size_t i = 0; i < vtb_impl_count(); i++) {
        assert_ptr_equal(vtb_plugin_registry_at(&reg, i), vtb_impl_at(i));
        assert_string_equal(names[i], vtb_impl_at(i)->name);
    }
    assert_null(names[vtb_impl_count()]);
    assert_null(vtb_plugin_registry_at(&reg, vtb_impl_count()));
    assert_ptr_equal(vtb_plugin_registry_find(&reg, "value-task"), vtb_impl_find("value-task"));
    assert_null(vtb_plugin_registry_find(&reg, "fixture-first"));
    assert_null(vtb_plugin_registry_origin(&reg, vtb_impl_find("value-task")));
    vtb_plugin_registry_fini(&reg);
    vtb_plugin_registry_fini(&reg); /* harmless twice */
}

static void test_load_find_and_unload(void **state)
{
    (void)state;
    struct vtb_plugin_registry reg;
    struct vtb_error err;
    const char *real = NULL;
    assert_int_equal(vtb_plugin_registry_init(&reg, &err), 0);
    assert_int_equal(vtb_plugin_registry_load(&reg, FIXTURE("good"), &real, &err), 0);
    assert_int_equal(err.code, 0);
    assert_non_null(real);
    assert_true(real[0] == '/');
    size_t builtins = vtb_impl_count();
    assert_int_equal(vtb_plugin_registry_count(&reg), builtins + 2);
    const struct vtb_impl_ops *first = vtb_plugin_registry_find(&reg, "fixture-first");
    assert_non_null(first);
    assert_string_equal(first->summary, "the first of two");
    assert_ptr_equal(vtb_plugin_registry_at(&reg, builtins), first);
    assert_string_equal(vtb_plugin_registry_at(&reg, builtins + 1)->name, "fixture-second");
    assert_string_equal(vtb_plugin_registry_origin(&reg, first), real);
    const char *const *names = vtb_plugin_registry_names(&reg);
    assert_string_equal(names[builtins + 1], "fixture-second");
    assert_null(names[builtins + 2]);
    /* The same file again, by another name (a relative one without a
     * slash means the current directory, not the library path). */
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(VTB_FIXTURE_DIR), 0);
    const char *again = NULL;
    int rc = vtb_plugin_registry_load(&reg, "good.so", &again, &err);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    assert_string_equal(again, real);
    assert_int_equal(vtb_plugin_registry_count(&reg), builtins + 2);
    vtb_plugin_registry_fini(&reg);
    assert_int_equal(vtb_plugin_registry_count(&reg), builtins);
}

/* Loads path into a registry that holds good.so and expects code and a
 * message that starts with path and contains what. */
static void expect_refusal(const char *path, int code, const char *what)
{
    struct vtb_plugin_registry reg;
    struct vtb_error err;
    assert_int_equal(vtb_plugin_registry_init(&reg, NULL), 0);
    assert_int_equal(vtb_plugin_registry_load(&reg, FIXTURE("good"), NULL, NULL), 0);
    size_t count = vtb_plugin_registry_count(&reg);
    const char *real = "untouched";
    int rc = vtb_plugin_registry_load(&reg, path, &real, &err);
    if (rc != code || strncmp(err.message, path, strlen(path)) != 0 ||
        strstr(err.message, what) == NULL)
        fail_msg("%s: code %d, message \"%s\"; expected %d and \"%s\"", path, rc, err.message,
                 code, what);
    assert_int_equal(err.code, code);
    assert_string_equal(real, "untouched");
    assert_int_equal(vtb_plugin_registry_count(&reg), count);
    assert_null(vtb_plugin_registry_names(&reg)[count]);
    vtb_plugin_registry_fini(&reg);
}

static void test_files_that_are_not_plugins(void **state)
{
    (void)state;
    expect_refusal(FIXTURE("missing"), VTB_ENOTFOUND, ": cannot open: No such file or directory");
    expect_refusal("", VTB_ENOTFOUND, ": cannot open:");
    expect_refusal(VTB_FIXTURE_DIR, VTB_EINVAL, ": not a regular file");
    expect_refusal(VTB_SOURCE_DIR "/tests/e2e/plugins/good.c", VTB_EINVAL, ": cannot load: ");
    expect_refusal(FIXTURE("no_symbol"), VTB_EINVAL,
                   ": not a vtbench plugin: no symbol vtb_plugin_impls");
    expect_refusal(FIXTURE("own_library"), VTB_EINVAL,
                   ": carries its own copy of libvtb (vtb_alloc_counts_get): a plugin must not "
                   "link libvtb");
}

static void test_tables_that_are_refused(void **state)
{
    (void)state;
    char want[128];
    snprintf(want, sizeof(want), ": implementation `wrong-version`: ABI version 7, this vtbench "
             "needs %d", VTB_IMPL_OPS_VERSION);
    expect_refusal(FIXTURE("wrong_version"), VTB_EINVAL, want);
    expect_refusal(FIXTURE("invalid"), VTB_EINVAL, ": implementation `no-get` has no get function");
    expect_refusal(FIXTURE("clash"), VTB_EINVAL,
                   ": implementation `value-task` clashes with the built-in one");
    expect_refusal(FIXTURE("list_unnamed"), VTB_EINVAL, ": implementation #1 has no name");
    expect_refusal(FIXTURE("list_bad_name"), VTB_EINVAL,
                   ": implementation `bad name`: not a valid name (names of 1 to 64 characters");
    expect_refusal(FIXTURE("list_twice"), VTB_EINVAL, ": implementation `listed` is listed twice");
    expect_refusal(FIXTURE("list_empty"), VTB_EINVAL,
                   ": vtb_plugin_impls() lists no implementation");
    expect_refusal(FIXTURE("list_null"), VTB_EINVAL, ": vtb_plugin_impls() returned NULL");
    expect_refusal(FIXTURE("list_unterminated"), VTB_EINVAL,
                   ": vtb_plugin_impls() lists more than 64 implementations");
    /* Another file with the same names: the first one keeps them. */
    const char *copy = copy_to_scratch(FIXTURE("good"), "copy.so");
    char *real = realpath(FIXTURE("good"), NULL);
    assert_non_null(real);
    snprintf(want, sizeof(want), ": implementation `fixture-first` clashes with the one from %s",
             real);
    free(real);
    expect_refusal(copy, VTB_EINVAL, want);
}

/* Parses text as the scenario file scratch/name. */
static void parse(struct vtb_scenario *s, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", scratch, name);
    struct vtb_error err;
    if (vtb_scenario_parse_buffer(s, text, strlen(text), path, NULL, &err) != 0)
        fail_msg("%s", err.message);
}

static void test_scenario_plugins(void **state)
{
    (void)state;
    struct vtb_plugin_registry reg;
    struct vtb_error err;
    struct vtb_scenario s[2];
    copy_to_scratch(FIXTURE("good"), "mine.so");
    /* The first file names its plugin relative to itself; the second names
     * an implementation of the first's plugin. */
    parse(&s[0], "a.ini", "[scenario]\nname = a\nplugins = ./mine.so\n"
                          "impls = fixture-first, value-task\n");
    parse(&s[1], "b.ini", "[scenario]\nname = b\nimpls = fixture-second\n");
    assert_int_equal(vtb_plugin_registry_init(&reg, NULL), 0);
    assert_int_equal(vtb_plugin_load_run(&reg, NULL, 0, s, 2, &err), 0);
    const struct vtb_impl_ops *second = vtb_plugin_registry_find(&reg, "fixture-second");
    assert_non_null(second);
    /* Each scenario.ini names, with its absolute path, the plugin it runs. */
    const char *real = vtb_plugin_registry_origin(&reg, second);
    assert_int_equal(vtb_plugin_pin_scenario(&reg, &s[1], &second, 1, &err), 0);
    assert_int_equal(s[1].settings.plugins.count, 1);
    assert_string_equal(s[1].settings.plugins.names[0], real);
    assert_int_equal(vtb_plugin_pin_scenario(&reg, &s[0], NULL, 0, &err), 0);
    assert_int_equal(s[0].settings.plugins.count, 1);
    assert_string_equal(s[0].settings.plugins.names[0], real);
    vtb_plugin_registry_fini(&reg);
    vtb_scenario_fini(&s[1]);

    /* Without the plugin, b's name is unknown; a bad --plugin is named. */
    parse(&s[1], "b.ini", "[scenario]\nname = b\nimpls = fixture-second\n");
    assert_int_equal(vtb_plugin_registry_init(&reg, NULL), 0);
    assert_int_equal(vtb_plugin_load_run(&reg, NULL, 0, &s[1], 1, &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "b.ini:3: impls: unknown implementation `fixture-second`"));
    const char *bad[] = {FIXTURE("clash")};
    assert_int_equal(vtb_plugin_load_run(&reg, bad, 1, &s[1], 1, &err), VTB_EINVAL);
    assert_true(strncmp(err.message, "--plugin: " FIXTURE("clash") ": ",
                        strlen("--plugin: " FIXTURE("clash") ": ")) == 0);
    vtb_plugin_registry_fini(&reg);
    vtb_scenario_fini(&s[1]);

    /* A bad plugin of a scenario file: its file and line. */
    parse(&s[1], "c.ini", "[scenario]\nname = c\n\nplugins = missing.so\n");
    assert_int_equal(vtb_plugin_registry_init(&reg, NULL), 0);
    assert_int_equal(vtb_plugin_load_run(&reg, NULL, 0, &s[1], 1, &err), VTB_ENOTFOUND);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof(want), "%s/c.ini:4: plugins: %s/missing.so: cannot open:", scratch,
             scratch);
    assert_true(strncmp(err.message, want, strlen(want)) == 0);
    vtb_plugin_registry_fini(&reg);
    vtb_scenario_fini(&s[1]);
    vtb_scenario_fini(&s[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins_only),
        cmocka_unit_test(test_load_find_and_unload),
        cmocka_unit_test(test_files_that_are_not_plugins),
        cmocka_unit_test(test_tables_that_are_refused),
        cmocka_unit_test(test_scenario_plugins),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

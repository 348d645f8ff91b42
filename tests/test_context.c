/*
 * Tests of the run context: collection fills every field with something, the
 * field list is complete, stable and unique, and a short output array still
 * gets the full count. Values that depend on the machine are only checked for
 * presence and plausibility.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "allocstats.h"
#include "clock.h"
#include "context_collect.h"
#include "vtb/error.h"

static struct vtb_clock_info clock_info;
static struct vtb_context ctx;

static int setup(void **state)
{
    (void)state;
    if (vtb_clock_init(&clock_info) != 0)
        return -1;
    return vtb_context_collect(&ctx, &clock_info);
}

static void test_null_arguments(void **state)
{
    (void)state;
    struct vtb_context other;
    assert_int_equal(vtb_context_collect(NULL, &clock_info), VTB_EINVAL);
    assert_int_equal(vtb_context_collect(&other, NULL), VTB_EINVAL);
}

static void test_collected_values(void **state)
{
    (void)state;
    /* YYYY-MM-DDThh:mm:ssZ */
    assert_int_equal(strlen(ctx.date), 20);
    assert_int_equal(ctx.date[4], '-');
    assert_int_equal(ctx.date[10], 'T');
    assert_int_equal(ctx.date[19], 'Z');
    assert_true(ctx.host_name[0] != '\0');
    assert_true(ctx.cpu_model[0] != '\0');
    assert_true(ctx.num_cpus >= 1);
    assert_true(ctx.cpu_mhz >= 0.0);
    assert_true(ctx.cpu_governor[0] != '\0');
    assert_true(ctx.caches[0] != '\0');
    assert_true(ctx.kernel[0] != '\0');
    assert_true(ctx.arch[0] != '\0');
    assert_true(ctx.compiler_version[0] != '\0');
    assert_string_equal(ctx.clock.source, clock_info.source);
    assert_true(ctx.clock.ticks_per_ns == clock_info.ticks_per_ns);
    assert_int_equal(ctx.allocator_stats, vtb_allocstats_available());
    if (ctx.allocator_stats) {
        assert_string_equal(ctx.allocator, "jemalloc");
        assert_true(ctx.alloc.version[0] != '\0');
    } else {
        assert_string_equal(ctx.allocator, "system");
    }
}

static void test_fields_are_complete_and_unique(void **state)
{
    (void)state;
    struct vtb_context_field f[VTB_CONTEXT_FIELDS_MAX];
    size_t n = vtb_context_fields(&ctx, f, VTB_CONTEXT_FIELDS_MAX);

    assert_true(n > 0 && n <= VTB_CONTEXT_FIELDS_MAX);
    assert_string_equal(f[0].key, "date");
    for (size_t i = 0; i < n; i++) {
        assert_non_null(f[i].key);
        assert_true(f[i].key[0] != '\0');
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(f[i].key, f[j].key);
        switch (f[i].kind) {
        case VTB_CONTEXT_STRING:
            assert_non_null(f[i].value.str);
            /* The conf text is legitimately empty when all options are defaults. */
            if (strcmp(f[i].key, "jemalloc_malloc_conf") != 0)
                assert_true(f[i].value.str[0] != '\0');
            assert_false(vtb_context_field_is_number(&f[i]));
            break;
        case VTB_CONTEXT_INT:
            assert_true(vtb_context_field_is_number(&f[i]));
            break;
        case VTB_CONTEXT_REAL:
            assert_true(isfinite(f[i].value.real));
            assert_true(vtb_context_field_is_number(&f[i]));
            break;
        case VTB_CONTEXT_BOOL:
            assert_false(vtb_context_field_is_number(&f[i]));
            break;
        default:
            fail_msg("field %s has unknown kind %d", f[i].key, (int)f[i].kind);
        }
    }
}

static const struct vtb_context_field *find(const struct vtb_context_field *f, size_t n,
                                            const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].key, key) == 0)
            return &f[i];
    return NULL;
}

static void test_fields_carry_the_values(void **state)
{
    (void)state;
    struct vtb_context_field f[VTB_CONTEXT_FIELDS_MAX];
    size_t n = vtb_context_fields(&ctx, f, VTB_CONTEXT_FIELDS_MAX);
    const struct vtb_context_field *p;

    p = find(f, n, "num_cpus");
    assert_non_null(p);
    assert_int_equal(p->kind, VTB_CONTEXT_INT);
    assert_int_equal(p->value.i, ctx.num_cpus);
    p = find(f, n, "cpu_model");
    assert_non_null(p);
    assert_ptr_equal(p->value.str, ctx.cpu_model);
    p = find(f, n, "clock_source");
    assert_non_null(p);
    assert_string_equal(p->value.str, clock_info.source);
    p = find(f, n, "clock_ticks_per_ns");
    assert_non_null(p);
    assert_true(p->value.real == clock_info.ticks_per_ns);
    assert_true((find(f, n, "jemalloc_version") != NULL) == ctx.allocator_stats);
}

static void test_fields_order_is_stable_and_count_survives_truncation(void **state)
{
    (void)state;
    struct vtb_context_field a[VTB_CONTEXT_FIELDS_MAX], b[VTB_CONTEXT_FIELDS_MAX];
    struct vtb_context_field few[3];
    size_t n = vtb_context_fields(&ctx, a, VTB_CONTEXT_FIELDS_MAX);

    assert_int_equal(vtb_context_fields(&ctx, NULL, 0), n);
    assert_int_equal(vtb_context_fields(&ctx, few, 3), n);
    assert_int_equal(vtb_context_fields(&ctx, b, VTB_CONTEXT_FIELDS_MAX), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(a[i].key, b[i].key);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(few[i].key, a[i].key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_collected_values),
        cmocka_unit_test(test_fields_are_complete_and_unique),
        cmocka_unit_test(test_fields_carry_the_values),
        cmocka_unit_test(test_fields_order_is_stable_and_count_survives_truncation),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/*
 * Unit tests for the value result (impl/result.c) and the misuse rules it
 * enforces for all three kinds it can hold (a value, a heap task, a pooled
 * source): consumed exactly once, never read before completion (and never
 * blocking), one continuation, one completion. Each misuse is its own test
 * and has its own error code; the codes' names and messages are checked here
 * too, since they are what a user of a misused result gets to read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "test_support.h"
#include "vtb/alloc_count_internal.h"
#include "vtb/error.h"
#include "vtb/loop_internal.h"
#include "vtb/pool_internal.h"
#include "vtb/result.h"


static int setup(void **state)
{
    static struct vtbt_pool_fixture fx;
    if (vtbt_pool_fixture_init(&fx, false) != 0)
        return -1;
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    /* Every test leaves every source it rented back in the pool. */
    int balanced = fx->local.counters.rents == fx->local.counters.returns;
    vtbt_pool_fixture_fini(fx);
    return balanced ? 0 : -1;
}

/* A pooled result whose source is still pending. */
static struct vtb_vresult pending_source(struct vtbt_pool_fixture *fx, struct vtb_source **out)
{
    struct vtb_source *source;
    vtb_token token;
    assert_int_equal(vtb_pool_rent(&fx->pool, &source, &token), 0);
    *out = source;
    return vtb_vresult_from_source(source, token);
}

static struct vtb_vresult pending_task(struct vtb_task_pending **out)
{
    assert_int_equal(vtb_task_new_pending(0, out), 0);
    return vtb_vresult_from_task(&(*out)->task);
}

static int runs;

static void count_fn(void *state)
{
    (void)state;
    runs++;
}

static void test_vresult_layout_and_kinds(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    assert_true(sizeof(struct vtb_vresult) <= 16);
    struct vtb_vresult v = vtb_vresult_from_value(5);
    assert_int_equal(vtb_vresult_kind(&v), VTB_VRESULT_VALUE);
    assert_true(vtb_vresult_is_completed(&v));

    struct vtb_task *task;
    assert_int_equal(vtb_task_new_completed(6, 0, &task), 0);
    struct vtb_vresult t = vtb_vresult_from_task(task);
    assert_int_equal(vtb_vresult_kind(&t), VTB_VRESULT_TASK);
    assert_true(vtb_vresult_is_completed(&t));

    struct vtb_source *source;
    struct vtb_vresult s = pending_source(fx, &source);
    assert_int_equal(vtb_vresult_kind(&s), VTB_VRESULT_SOURCE);
    assert_false(vtb_vresult_is_completed(&s));
    assert_int_equal(vtb_source_set_result(source, 7), 0);
    assert_true(vtb_vresult_is_completed(&s));

    uint64_t value;
    assert_int_equal(vtb_vresult_get(&v, &value), 0);
    assert_int_equal(value, 5);
    assert_int_equal(vtb_vresult_get(&t, &value), 0);
    assert_int_equal(value, 6);
    assert_int_equal(vtb_vresult_get(&s, &value), 0);
    assert_int_equal(value, 7);
    assert_int_equal(vtb_vresult_kind(&v), VTB_VRESULT_CONSUMED);
    assert_int_equal(vtb_vresult_kind(&t), VTB_VRESULT_CONSUMED);
    assert_int_equal(vtb_vresult_kind(&s), VTB_VRESULT_CONSUMED);
    /* A consumed result is "completed": consuming it again does not wait. */
    assert_true(vtb_vresult_is_completed(&v));
}

static void test_misuse_value_consumed_twice(void **state)
{
    (void)state;
    struct vtb_vresult r = vtb_vresult_from_value(11);
    uint64_t value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 11);
    value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ESTALE);
    assert_int_equal(value, 0);
    enum vtb_status status;
    assert_int_equal(vtb_vresult_status(&r, &status), VTB_ESTALE);
    assert_int_equal(vtb_vresult_on_completed(&r, count_fn, NULL), VTB_ESTALE);
}

static void test_misuse_task_consumed_twice(void **state)
{
    (void)state;
    struct vtb_alloc_counts before = vtbt_counts_now();
    struct vtb_task *task;
    assert_int_equal(vtb_task_new_completed(12, 0, &task), 0);
    struct vtb_vresult r = vtb_vresult_from_task(task);
    uint64_t value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 12);
    assert_int_equal(vtbt_counts_since(&before).frees, 1);
    /* The handle no longer points at the freed task: refused, not read. */
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ESTALE);
    assert_int_equal(vtbt_counts_since(&before).frees, 1);
    enum vtb_status status;
    assert_int_equal(vtb_vresult_status(&r, &status), VTB_ESTALE);
}

static void test_misuse_pooled_consumed_twice(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_source *source;
    struct vtb_vresult r = pending_source(fx, &source);
    assert_int_equal(vtb_source_set_result(source, 13), 0);
    uint64_t value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 13);
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ESTALE);
    assert_int_equal(fx->local.counters.returns, 1);
}

static void test_misuse_pooled_copy_is_stale(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_source *source;
    struct vtb_vresult r = pending_source(fx, &source);
    struct vtb_vresult copy = r;
    assert_int_equal(vtb_source_set_result(source, 14), 0);
    uint64_t value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 14);
    /* The copy still holds the source pointer, but its token is old. */
    assert_int_equal(vtb_vresult_kind(&copy), VTB_VRESULT_SOURCE);
    value = 0;
    assert_int_equal(vtb_vresult_get(&copy, &value), VTB_ESTALE);
    assert_int_equal(value, 0);
    assert_int_equal(fx->local.counters.returns, 1);
}

static void test_misuse_pooled_copy_after_reuse(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_source *source, *again;
    struct vtb_vresult r = pending_source(fx, &source);
    struct vtb_vresult copy = r;
    uint64_t value;
    assert_int_equal(vtb_source_set_result(source, 15), 0);
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    /* The source goes to its next user ... */
    struct vtb_vresult next = pending_source(fx, &again);
    assert_ptr_equal(again, source);
    assert_int_equal(vtb_source_set_result(again, 16), 0);
    /* ... and the stale copy can neither see nor take that user's result. */
    assert_true(vtb_vresult_is_completed(&copy));
    enum vtb_status status;
    assert_int_equal(vtb_vresult_status(&copy, &status), VTB_ESTALE);
    assert_int_equal(vtb_vresult_on_completed(&copy, count_fn, NULL), VTB_ESTALE);
    assert_int_equal(vtb_vresult_get(&copy, &value), VTB_ESTALE);
    assert_int_equal(vtb_vresult_get(&next, &value), 0);
    assert_int_equal(value, 16);
}

static void test_misuse_task_read_before_completion(void **state)
{
    (void)state;
    struct vtb_task_pending *pending;
    struct vtb_vresult r = pending_task(&pending);
    uint64_t value = 99;
    assert_false(vtb_vresult_is_completed(&r));
    /* Returns at once; the handle is not consumed and works afterwards. */
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ENOTREADY);
    assert_int_equal(value, 99);
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_TASK);
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ENOTREADY);
    assert_int_equal(vtb_task_set_result(&pending->task, 17), 0);
    vtb_task_release(&pending->task); /* the producer's reference */
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 17);
}

static void test_misuse_pooled_read_before_completion(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_source *source;
    struct vtb_vresult r = pending_source(fx, &source);
    vtb_token token = (vtb_token)r.payload;
    uint64_t value = 98;
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ENOTREADY);
    assert_int_equal(value, 98);
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_SOURCE);
    assert_int_equal(vtb_source_token(source), token);
    assert_int_equal(fx->local.counters.returns, 0);
    assert_int_equal(vtb_source_set_result(source, 18), 0);
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 18);
}

static void test_misuse_task_second_continuation(void **state)
{
    (void)state;
    struct vtb_task_pending *pending;
    struct vtb_vresult r = pending_task(&pending);
    runs = 0;
    assert_int_equal(vtb_vresult_on_completed(&r, count_fn, NULL), 0);
    assert_int_equal(vtb_vresult_on_completed(&r, count_fn, NULL), VTB_ECONTINUATION);
    assert_int_equal(vtb_task_set_result(&pending->task, 19), 0);
    vtb_task_release(&pending->task);
    assert_int_equal(runs, 1);
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 19);
}

static void test_misuse_pooled_second_continuation(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_source *source;
    struct vtb_vresult r = pending_source(fx, &source);
    struct vtb_vresult copy = r;
    runs = 0;
    assert_int_equal(vtb_vresult_on_completed(&r, count_fn, NULL), 0);
    /* A copy is the same operation: still only one continuation. */
    assert_int_equal(vtb_vresult_on_completed(&copy, count_fn, NULL), VTB_ECONTINUATION);
    assert_int_equal(vtb_source_set_result(source, 20), 0);
    assert_int_equal(runs, 1);
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 20);
}

static void test_misuse_task_completed_twice(void **state)
{
    (void)state;
    struct vtb_task_pending *pending;
    struct vtb_vresult r = pending_task(&pending);
    assert_int_equal(vtb_task_set_result(&pending->task, 21), 0);
    assert_int_equal(vtb_task_set_result(&pending->task, 22), VTB_EALREADY);
    assert_int_equal(vtb_task_set_error(&pending->task, VTB_EBACKEND), VTB_EALREADY);
    vtb_task_release(&pending->task);
    uint64_t value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 21);
}

static void test_misuse_pooled_completed_twice(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_source *source;
    struct vtb_vresult r = pending_source(fx, &source);
    assert_int_equal(vtb_source_set_result(source, 23), 0);
    assert_int_equal(vtb_source_set_result(source, 24), VTB_EALREADY);
    assert_int_equal(vtb_source_set_error(source, VTB_EBACKEND), VTB_EALREADY);
    uint64_t value = 0;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 23);
}

static void test_null_continuation_rejected(void **state)
{
    (void)state;
    struct vtb_vresult r = vtb_vresult_from_value(1);
    assert_int_equal(vtb_vresult_on_completed(&r, NULL, NULL), VTB_EINVAL);
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
}

static void test_value_continuation_runs_now(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_vresult r = vtb_vresult_from_value(25);
    runs = 0;
    assert_int_equal(vtb_vresult_on_completed(&r, count_fn, NULL), 0);
    assert_int_equal(runs, 1);
    assert_false(vtb_loop_has_pending(&fx->loop));
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 25);
}

static void test_completed_task_continuation_is_queued(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_task *task;
    assert_int_equal(vtb_task_new_completed(26, 0, &task), 0);
    struct vtb_vresult r = vtb_vresult_from_task(task);
    runs = 0;
    assert_int_equal(vtb_vresult_on_completed(&r, count_fn, NULL), 0);
    assert_int_equal(runs, 0);
    assert_int_equal(vtb_loop_run(&fx->loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(runs, 1);
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&r, &value), 0);
    assert_int_equal(value, 26);
}

static void test_faulted_results(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_task_pending *pending;
    struct vtb_vresult t = pending_task(&pending);
    assert_int_equal(vtb_task_set_error(&pending->task, VTB_EBACKEND), 0);
    vtb_task_release(&pending->task);
    enum vtb_status status;
    assert_int_equal(vtb_vresult_status(&t, &status), 0);
    assert_int_equal(status, VTB_STATUS_FAULTED);
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&t, &value), VTB_EBACKEND);
    assert_int_equal(vtb_vresult_get(&t, &value), VTB_ESTALE);

    struct vtb_source *source;
    struct vtb_vresult s = pending_source(fx, &source);
    assert_int_equal(vtb_source_set_error(source, VTB_EIO), 0);
    assert_int_equal(vtb_vresult_status(&s, &status), 0);
    assert_int_equal(status, VTB_STATUS_FAULTED);
    assert_int_equal(vtb_vresult_get(&s, &value), VTB_EIO);
    assert_int_equal(vtb_vresult_get(&s, &value), VTB_ESTALE);
}

static void test_status(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    enum vtb_status status = VTB_STATUS_FAULTED;
    struct vtb_vresult v = vtb_vresult_from_value(1);
    assert_int_equal(vtb_vresult_status(&v, &status), 0);
    assert_int_equal(status, VTB_STATUS_SUCCEEDED);

    struct vtb_task_pending *pending;
    struct vtb_vresult t = pending_task(&pending);
    assert_int_equal(vtb_vresult_status(&t, &status), 0);
    assert_int_equal(status, VTB_STATUS_PENDING);
    assert_int_equal(vtb_task_set_result(&pending->task, 2), 0);
    vtb_task_release(&pending->task);
    assert_int_equal(vtb_vresult_status(&t, &status), 0);
    assert_int_equal(status, VTB_STATUS_SUCCEEDED);

    struct vtb_source *source;
    struct vtb_vresult s = pending_source(fx, &source);
    assert_int_equal(vtb_vresult_status(&s, &status), 0);
    assert_int_equal(status, VTB_STATUS_PENDING);
    assert_int_equal(vtb_source_set_result(source, 3), 0);
    assert_int_equal(vtb_vresult_status(&s, &status), 0);
    assert_int_equal(status, VTB_STATUS_SUCCEEDED);

    uint64_t value;
    assert_int_equal(vtb_vresult_get(&v, &value), 0);
    assert_int_equal(vtb_vresult_get(&t, &value), 0);
    assert_int_equal(vtb_vresult_get(&s, &value), 0);
}

static void test_discard_pending_task(void **state)
{
    (void)state;
    struct vtb_alloc_counts before = vtbt_counts_now();
    struct vtb_task_pending *pending;
    struct vtb_vresult r = pending_task(&pending);
    assert_int_equal(vtb_vresult_discard(&r), 0);
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_CONSUMED);
    /* The producer still holds its reference; its release frees the task. */
    assert_int_equal(vtbt_counts_since(&before).frees, 0);
    assert_int_equal(vtb_task_set_result(&pending->task, 1), 0);
    vtb_task_release(&pending->task);
    struct vtb_alloc_counts d = vtbt_counts_since(&before);
    assert_int_equal(d.allocs, 1);
    assert_int_equal(d.frees, 1);
    assert_int_equal(d.freed_bytes, sizeof(struct vtb_task_pending));
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ESTALE);
}

static void test_discard_source(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    struct vtb_source *source;
    struct vtb_vresult r = pending_source(fx, &source);
    /* A pending source cannot be abandoned: its completer still uses it. */
    assert_int_equal(vtb_vresult_discard(&r), VTB_ENOTREADY);
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_SOURCE);
    assert_int_equal(vtb_source_set_result(source, 1), 0);
    assert_int_equal(vtb_vresult_discard(&r), 0);
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_CONSUMED);
    assert_int_equal(fx->local.counters.returns, 1);
    /* Discarding a consumed result changes nothing. */
    assert_int_equal(vtb_vresult_discard(&r), 0);
    assert_int_equal(fx->local.counters.returns, 1);
    struct vtb_vresult v = vtb_vresult_from_value(3);
    assert_int_equal(vtb_vresult_discard(&v), 0);
    uint64_t value;
    assert_int_equal(vtb_vresult_get(&v, &value), VTB_ESTALE);
}

static void test_error_result(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    /* What a get hands back when it could not even start. */
    struct vtb_vresult r = vtb_vresult_from_error(VTB_EEXHAUSTED);
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_ERROR);
    assert_true(vtb_vresult_is_completed(&r));
    enum vtb_status status = VTB_STATUS_PENDING;
    assert_int_equal(vtb_vresult_status(&r, &status), 0);
    assert_int_equal(status, VTB_STATUS_FAULTED);
    runs = 0;
    assert_int_equal(vtb_vresult_on_completed(&r, count_fn, NULL), 0);
    assert_int_equal(runs, 1);
    assert_false(vtb_loop_has_pending(&fx->loop));
    uint64_t value = 5;
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_EEXHAUSTED);
    assert_int_equal(value, 5);
    assert_int_equal(vtb_vresult_kind(&r), VTB_VRESULT_CONSUMED);
    /* Consumed like any other result: once. */
    assert_int_equal(vtb_vresult_get(&r, &value), VTB_ESTALE);

    struct vtb_vresult d = vtb_vresult_from_error(VTB_ENOMEM);
    assert_int_equal(vtb_vresult_discard(&d), 0);
    assert_int_equal(vtb_vresult_get(&d, &value), VTB_ESTALE);
}

static void test_error_names_and_messages(void **state)
{
    (void)state;
    static const int codes[] = {
#define CODE(name, value, msg) VTB_##name,
        VTB_ERRNO_MAP(CODE)
#undef CODE
    };
    static const char *const names[] = {
#define NAME(name, value, msg) "VTB_" #name,
        VTB_ERRNO_MAP(NAME)
#undef NAME
    };
    enum { n = sizeof(codes) / sizeof(codes[0]) };
    for (size_t i = 0; i < n; i++) {
        assert_true(codes[i] < 0);
        const char *msg = vtb_strerror(codes[i]);
        const char *name = vtb_err_name(codes[i]);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        assert_string_not_equal(msg, "unknown error");
        assert_string_equal(name, names[i]);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(msg, vtb_strerror(codes[j]));
            assert_string_not_equal(name, vtb_err_name(codes[j]));
        }
    }
    assert_string_equal(vtb_strerror(0), "success");
    assert_string_equal(vtb_err_name(0), "VTB_OK");
    assert_string_equal(vtb_strerror(-1000), "unknown error");
    assert_string_equal(vtb_err_name(12345), "VTB_EUNKNOWN");
}

static void test_misuse_codes_are_distinct(void **state)
{
    (void)state;
    /* What each misuse reports must tell the misuses apart. */
    static const int misuse[] = {VTB_ESTALE, VTB_ENOTREADY, VTB_ECONTINUATION, VTB_EALREADY,
                                 VTB_EEXHAUSTED};
    static const char *const names[] = {"VTB_ESTALE", "VTB_ENOTREADY", "VTB_ECONTINUATION",
                                        "VTB_EALREADY", "VTB_EEXHAUSTED"};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(vtb_err_name(misuse[i]), names[i]);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(misuse[i], misuse[j]);
            assert_string_not_equal(vtb_strerror(misuse[i]), vtb_strerror(misuse[j]));
        }
    }
}

static void test_error_set(void **state)
{
    (void)state;
    struct vtb_error err;
    assert_int_equal(vtb_error_set(&err, VTB_ESTALE, "token %u is old", 7u), VTB_ESTALE);
    assert_int_equal(err.code, VTB_ESTALE);
    assert_string_equal(err.message, "token 7 is old");
    assert_int_equal(vtb_error_set(&err, VTB_ENOTREADY, NULL), VTB_ENOTREADY);
    assert_string_equal(err.message, vtb_strerror(VTB_ENOTREADY));
    assert_int_equal(vtb_error_set(NULL, VTB_EINVAL, "ignored"), VTB_EINVAL);
    vtb_error_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.message, "");
    vtb_error_clear(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_vresult_layout_and_kinds),
        T(test_misuse_value_consumed_twice),
        T(test_misuse_task_consumed_twice),
        T(test_misuse_pooled_consumed_twice),
        T(test_misuse_pooled_copy_is_stale),
        T(test_misuse_pooled_copy_after_reuse),
        T(test_misuse_task_read_before_completion),
        T(test_misuse_pooled_read_before_completion),
        T(test_misuse_task_second_continuation),
        T(test_misuse_pooled_second_continuation),
        T(test_misuse_task_completed_twice),
        T(test_misuse_pooled_completed_twice),
        T(test_null_continuation_rejected),
        T(test_value_continuation_runs_now),
        T(test_completed_task_continuation_is_queued),
        T(test_faulted_results),
        T(test_status),
        T(test_discard_pending_task),
        T(test_discard_source),
        T(test_error_result),
        cmocka_unit_test(test_error_names_and_messages),
        cmocka_unit_test(test_misuse_codes_are_distinct),
        cmocka_unit_test(test_error_set),
    };
    return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}

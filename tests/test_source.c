/*
 * Unit tests for pooled, versioned sources (impl/source.c): the version bump
 * on consumption that makes every copy of the old token stale, the
 * deliberate wrap-around of the token, the RUN_ASYNC flag that survives the
 * reset, and where continuations run. Sources are rented from a real pool
 * with a local cache attached, whose LIFO order hands the same source back on
 * the next rent; that is what lets a test follow one source across
 * generations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_support.h"
#include "vtb/error.h"
#include "vtb/loop_internal.h"
#include "vtb/pool_internal.h"
#include "vtb/source.h"


static int setup_with(void **state, bool run_async)
{
    static struct vtbt_pool_fixture fx;
    if (vtbt_pool_fixture_init(&fx, run_async) != 0)
        return -1;
    *state = &fx;
    return 0;
}

static int setup_sync(void **state)
{
    return setup_with(state, false);
}

static int setup_async(void **state)
{
    return setup_with(state, true);
}

static int teardown(void **state)
{
    vtbt_pool_fixture_fini(*state);
    return 0;
}

static struct vtb_source *rent(struct vtbt_pool_fixture *fx, vtb_token *token)
{
    struct vtb_source *source = NULL;
    assert_int_equal(vtb_pool_rent(&fx->pool, &source, token), 0);
    assert_non_null(source);
    assert_int_equal(*token, vtb_source_token(source));
    return source;
}

struct probe {
    struct vtb_source *source;
    vtb_token token;
    int runs;
    int status_rc;
    enum vtb_status status;
};

static void probe_fn(void *state)
{
    struct probe *p = state;
    p->runs++;
    p->status_rc = vtb_source_status(p->source, p->token, &p->status);
}

static void test_token_bumps_on_consume(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    enum vtb_status status;
    assert_int_equal(vtb_source_status(source, token, &status), 0);
    assert_int_equal(status, VTB_STATUS_PENDING);
    assert_int_equal(vtb_source_set_result(source, 77), 0);
    assert_int_equal(vtb_source_status(source, token, &status), 0);
    assert_int_equal(status, VTB_STATUS_SUCCEEDED);
    uint64_t value = 0;
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_int_equal(value, 77);
    assert_int_equal(vtb_source_token(source), (vtb_token)(token + 1));
    /* Every use of the old token is refused now. */
    assert_int_equal(vtb_source_get_result(source, token, &value), VTB_ESTALE);
    assert_int_equal(vtb_source_status(source, token, &status), VTB_ESTALE);
    assert_int_equal(vtb_source_on_completed(source, probe_fn, NULL, token), VTB_ESTALE);
    /* The next renter gets the same source, reset, under the new token. */
    vtb_token token2;
    assert_ptr_equal(rent(fx, &token2), source);
    assert_int_equal(token2, (vtb_token)(token + 1));
    assert_int_equal(vtb_source_status(source, token2, &status), 0);
    assert_int_equal(status, VTB_STATUS_PENDING);
    assert_int_equal(vtb_source_set_result(source, 78), 0);
    assert_int_equal(vtb_source_get_result(source, token2, &value), 0);
    assert_int_equal(value, 78);
}

static void test_token_wraps_around(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    const vtb_token max = (vtb_token)~(vtb_token)0;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    vtb__source_set_version(source, max);
    token = vtb_source_token(source);
    assert_int_equal(token, max);
    if (VTB_TOKEN_BITS == 16)
        assert_int_equal(token, 0xFFFF);
    assert_int_equal(vtb_source_set_result(source, 5), 0);
    uint64_t value = 0;
    assert_int_equal(vtb_source_get_result(source, max, &value), 0);
    assert_int_equal(value, 5);
    /* The generation after the largest token is 0 ... */
    assert_int_equal(vtb_source_token(source), 0);
    /* ... and the old largest token is stale, not mistaken for a new one. */
    assert_int_equal(vtb_source_get_result(source, max, &value), VTB_ESTALE);
    enum vtb_status status;
    assert_int_equal(vtb_source_status(source, max, &status), VTB_ESTALE);
    /* The wrapped source works normally. */
    vtb_token token2;
    assert_ptr_equal(rent(fx, &token2), source);
    assert_int_equal(token2, 0);
    assert_int_equal(vtb_source_set_result(source, 6), 0);
    assert_int_equal(vtb_source_get_result(source, 0, &value), 0);
    assert_int_equal(value, 6);
    assert_int_equal(vtb_source_token(source), 1);
    assert_int_equal(vtb_source_get_result(source, max, &value), VTB_ESTALE);
}

static void test_get_before_completion_is_not_ready(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    uint64_t value = 4321;
    /* Returns at once, consumes nothing and leaves the token valid. */
    assert_int_equal(vtb_source_get_result(source, token, &value), VTB_ENOTREADY);
    assert_int_equal(value, 4321);
    assert_int_equal(vtb_source_token(source), token);
    assert_int_equal(fx->local.counters.returns, 0);
    assert_int_equal(vtb_source_set_result(source, 3), 0);
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_int_equal(value, 3);
    assert_int_equal(fx->local.counters.returns, 1);
}

static void test_second_completion_refused(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    assert_int_equal(vtb_source_set_result(source, 31), 0);
    assert_int_equal(vtb_source_set_result(source, 32), VTB_EALREADY);
    assert_int_equal(vtb_source_set_error(source, VTB_EBACKEND), VTB_EALREADY);
    uint64_t value = 0;
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_int_equal(value, 31);
}

static void test_error_result(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    assert_int_equal(vtb_source_set_error(source, 0), VTB_EINVAL);
    assert_int_equal(vtb_source_set_error(source, 3), VTB_EINVAL);
    assert_int_equal(vtb_source_set_error(source, VTB_EBACKEND), 0);
    enum vtb_status status;
    assert_int_equal(vtb_source_status(source, token, &status), 0);
    assert_int_equal(status, VTB_STATUS_FAULTED);
    uint64_t value;
    /* The error is the outcome, and consuming it still recycles the source. */
    assert_int_equal(vtb_source_get_result(source, token, &value), VTB_EBACKEND);
    assert_int_equal(vtb_source_token(source), (vtb_token)(token + 1));
    assert_int_equal(fx->local.counters.returns, 1);
    assert_int_equal(vtb_source_get_result(source, token, &value), VTB_ESTALE);
    /* The next generation starts clean. */
    vtb_token token2;
    assert_ptr_equal(rent(fx, &token2), source);
    assert_int_equal(vtb_source_set_result(source, 8), 0);
    assert_int_equal(vtb_source_get_result(source, token2, &value), 0);
    assert_int_equal(value, 8);
}

static void test_second_continuation_refused(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    struct probe a = {source, token, 0, 1, VTB_STATUS_PENDING}, b = a;
    assert_int_equal(vtb_source_on_completed(source, probe_fn, &a, token), 0);
    assert_int_equal(vtb_source_on_completed(source, probe_fn, &b, token), VTB_ECONTINUATION);
    assert_int_equal(vtb_source_set_result(source, 1), 0);
    assert_int_equal(a.runs, 1);
    assert_int_equal(b.runs, 0);
    uint64_t value;
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
}

static void test_run_async_flag_survives_reset(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    uint64_t value;
    struct vtb_source *source = rent(fx, &token);
    assert_false(vtb_source_run_async(source));
    vtb_source_set_run_async(source, true);
    assert_true(vtb_source_run_async(source));
    assert_int_equal(vtb_source_set_result(source, 1), 0);
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_ptr_equal(rent(fx, &token), source);
    assert_true(vtb_source_run_async(source));
    /* And clearing it survives too. */
    vtb_source_set_run_async(source, false);
    assert_int_equal(vtb_source_set_result(source, 2), 0);
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_ptr_equal(rent(fx, &token), source);
    assert_false(vtb_source_run_async(source));
    assert_int_equal(vtb_source_set_result(source, 3), 0);
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
}

static void test_pool_run_async_sets_flag(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    uint64_t value;
    struct vtb_source *source = rent(fx, &token);
    assert_true(vtb_source_run_async(source));
    assert_int_equal(vtb_source_set_result(source, 1), 0);
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_ptr_equal(rent(fx, &token), source);
    assert_true(vtb_source_run_async(source));
    assert_int_equal(vtb_source_set_result(source, 2), 0);
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
}

static void test_late_continuation_is_queued(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    assert_int_equal(vtb_source_set_result(source, 40), 0);
    struct probe p = {source, token, 0, 1, VTB_STATUS_PENDING};
    assert_int_equal(vtb_source_on_completed(source, probe_fn, &p, token), 0);
    /* Not run inside the registration ... */
    assert_int_equal(p.runs, 0);
    assert_true(vtb_loop_has_pending(&fx->loop));
    /* ... but on the next loop turn, with the result still there. */
    assert_int_equal(vtb_loop_run(&fx->loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(p.runs, 1);
    assert_int_equal(p.status_rc, 0);
    assert_int_equal(p.status, VTB_STATUS_SUCCEEDED);
    uint64_t value = 0;
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_int_equal(value, 40);
}

static void test_run_async_completion_queues(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    struct probe p = {source, token, 0, 1, VTB_STATUS_PENDING};
    assert_int_equal(vtb_source_on_completed(source, probe_fn, &p, token), 0);
    assert_int_equal(vtb_source_set_result(source, 41), 0);
    assert_int_equal(p.runs, 0);
    assert_int_equal(vtb_loop_run(&fx->loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(p.runs, 1);
    assert_int_equal(p.status, VTB_STATUS_SUCCEEDED);
    uint64_t value = 0;
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_int_equal(value, 41);
}

static void test_completion_runs_inline_without_run_async(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token token;
    struct vtb_source *source = rent(fx, &token);
    struct probe p = {source, token, 0, 1, VTB_STATUS_PENDING};
    assert_int_equal(vtb_source_on_completed(source, probe_fn, &p, token), 0);
    assert_int_equal(vtb_source_set_result(source, 42), 0);
    assert_int_equal(p.runs, 1);
    assert_int_equal(p.status_rc, 0);
    assert_int_equal(p.status, VTB_STATUS_SUCCEEDED);
    assert_false(vtb_loop_has_pending(&fx->loop));
    uint64_t value = 0;
    assert_int_equal(vtb_source_get_result(source, token, &value), 0);
    assert_int_equal(value, 42);
}

static void test_stale_token_cannot_touch_next_generation(void **state)
{
    struct vtbt_pool_fixture *fx = *state;
    vtb_token old;
    uint64_t value;
    struct vtb_source *source = rent(fx, &old);
    assert_int_equal(vtb_source_set_result(source, 50), 0);
    assert_int_equal(vtb_source_get_result(source, old, &value), 0);
    vtb_token now;
    assert_ptr_equal(rent(fx, &now), source);
    assert_int_equal(vtb_source_set_result(source, 51), 0);
    /* The stale holder can neither read nor consume the new result ... */
    assert_int_equal(vtb_source_get_result(source, old, &value), VTB_ESTALE);
    assert_int_equal(vtb_source_on_completed(source, probe_fn, NULL, old), VTB_ESTALE);
    /* ... which stays intact for its owner. */
    value = 0;
    assert_int_equal(vtb_source_get_result(source, now, &value), 0);
    assert_int_equal(value, 51);
}

/* Tests named for the pool's run_async setting they run under. */
#define SYNC(f) { #f, f, setup_sync, teardown, NULL }
#define ASYNC(f) { #f "/run_async", f, setup_async, teardown, NULL }

int main(void)
{
    const struct CMUnitTest tests[] = {
        SYNC(test_token_bumps_on_consume),
        SYNC(test_token_wraps_around),
        SYNC(test_get_before_completion_is_not_ready),
        SYNC(test_second_completion_refused),
        SYNC(test_error_result),
        SYNC(test_second_continuation_refused),
        SYNC(test_run_async_flag_survives_reset),
        ASYNC(test_pool_run_async_sets_flag),
        SYNC(test_late_continuation_is_queued),
        ASYNC(test_late_continuation_is_queued),
        ASYNC(test_run_async_completion_queues),
        SYNC(test_completion_runs_inline_without_run_async),
        SYNC(test_stale_token_cannot_touch_next_generation),
    };
    return cmocka_run_group_tests_name("source", tests, NULL, NULL);
}

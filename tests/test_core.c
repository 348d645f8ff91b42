/*
 * Unit tests for the completion core (impl/core.c), the state machine under
 * both heap tasks and pooled sources: one result, one continuation, and the
 * rules on where a continuation runs (inline in the completing call, queued
 * to the registering thread's loop with RUN_ASYNC, and always queued when it
 * is registered after completion). Cross-thread cases order the threads with
 * joins, so every outcome is deterministic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "vtb/core.h"
#include "vtb/error.h"
#include "vtb/loop_internal.h"

/* A continuation that records its runs, its thread and what it saw. */
struct probe {
    struct vtb_core *core;
    atomic_int runs;
    pthread_t thread;
    enum vtb_status seen_status;
    uint64_t seen_value;
};

static void probe_init(struct probe *p, struct vtb_core *core)
{
    p->core = core;
    atomic_init(&p->runs, 0);
    p->seen_status = VTB_STATUS_PENDING;
    p->seen_value = 0;
}

static void probe_fn(void *state)
{
    struct probe *p = state;
    p->thread = pthread_self();
    p->seen_status = vtb__core_status(p->core);
    if (p->seen_status != VTB_STATUS_PENDING)
        vtb__core_outcome(p->core, &p->seen_value);
    atomic_fetch_add_explicit(&p->runs, 1, memory_order_release);
}

static int probe_runs(struct probe *p)
{
    return atomic_load_explicit(&p->runs, memory_order_acquire);
}

/* Fixture: a loop attached to the test thread. */
static int loop_setup(void **state)
{
    static struct vtb_loop loop;
    if (vtb_loop_init(&loop, 4) != 0)
        return -1;
    vtb_loop_set_current(&loop);
    *state = &loop;
    return 0;
}

static int loop_teardown(void **state)
{
    struct vtb_loop *loop = *state;
    vtb_loop_set_current(NULL);
    vtb_loop_fini(loop);
    return 0;
}

static void test_init_is_pending(void **state)
{
    (void)state;
    struct vtb_core core;
    vtb__core_init(&core, 0);
    assert_false(vtb__core_is_completed(&core));
    assert_int_equal(vtb__core_status(&core), VTB_STATUS_PENDING);
}

static void test_complete_value(void **state)
{
    (void)state;
    struct vtb_core core;
    vtb__core_init(&core, 0);
    assert_int_equal(vtb__core_complete(&core, 42, 0), 0);
    assert_true(vtb__core_is_completed(&core));
    assert_int_equal(vtb__core_status(&core), VTB_STATUS_SUCCEEDED);
    uint64_t value = 0;
    assert_int_equal(vtb__core_outcome(&core, &value), 0);
    assert_int_equal(value, 42);
}

static void test_init_completed(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe p;
    vtb__core_init_completed(&core, 0, 33);
    assert_true(vtb__core_is_completed(&core));
    assert_int_equal(vtb__core_status(&core), VTB_STATUS_SUCCEEDED);
    uint64_t value = 0;
    assert_int_equal(vtb__core_outcome(&core, &value), 0);
    assert_int_equal(value, 33);
    /* Born completed: refuses a completion, queues a continuation. */
    assert_int_equal(vtb__core_complete(&core, 34, 0), VTB_EALREADY);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    assert_int_equal(probe_runs(&p), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(probe_runs(&p), 1);
    assert_int_equal(p.seen_value, 33);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), VTB_ECONTINUATION);
}

static void test_complete_error(void **state)
{
    (void)state;
    struct vtb_core core;
    vtb__core_init(&core, 0);
    assert_int_equal(vtb__core_complete(&core, 0, VTB_EBACKEND), 0);
    assert_true(vtb__core_is_completed(&core));
    assert_int_equal(vtb__core_status(&core), VTB_STATUS_FAULTED);
    uint64_t value = 1;
    assert_int_equal(vtb__core_outcome(&core, &value), VTB_EBACKEND);
}

static void test_second_completion_refused(void **state)
{
    (void)state;
    struct vtb_core core;
    vtb__core_init(&core, 0);
    assert_int_equal(vtb__core_complete(&core, 7, 0), 0);
    assert_int_equal(vtb__core_complete(&core, 8, 0), VTB_EALREADY);
    assert_int_equal(vtb__core_complete(&core, 0, VTB_EBACKEND), VTB_EALREADY);
    /* The first result is intact. */
    uint64_t value = 0;
    assert_int_equal(vtb__core_status(&core), VTB_STATUS_SUCCEEDED);
    assert_int_equal(vtb__core_outcome(&core, &value), 0);
    assert_int_equal(value, 7);
}

static void test_second_continuation_refused_while_pending(void **state)
{
    (void)state;
    struct vtb_core core;
    struct probe first, second;
    vtb__core_init(&core, 0);
    probe_init(&first, &core);
    probe_init(&second, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &first), 0);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &second), VTB_ECONTINUATION);
    assert_int_equal(vtb__core_complete(&core, 5, 0), 0);
    assert_int_equal(probe_runs(&first), 1);
    assert_int_equal(probe_runs(&second), 0);
    /* Still refused once completed with a continuation. */
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &second), VTB_ECONTINUATION);
    assert_int_equal(probe_runs(&second), 0);
}

static void test_second_continuation_refused_after_completion(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe first, second;
    vtb__core_init(&core, 0);
    probe_init(&first, &core);
    probe_init(&second, &core);
    assert_int_equal(vtb__core_complete(&core, 5, 0), 0);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &first), 0);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &second), VTB_ECONTINUATION);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(probe_runs(&first), 1);
    assert_int_equal(probe_runs(&second), 0);
}

static void test_null_continuation_rejected(void **state)
{
    (void)state;
    struct vtb_core core;
    vtb__core_init(&core, 0);
    assert_int_equal(vtb__core_on_completed(&core, NULL, NULL), VTB_EINVAL);
    /* The refusal claimed nothing: a real registration still works. */
    struct probe p;
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    assert_int_equal(vtb__core_complete(&core, 1, 0), 0);
    assert_int_equal(probe_runs(&p), 1);
}

static void test_inline_without_run_async(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe p;
    vtb__core_init(&core, 0);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    assert_int_equal(vtb__core_complete(&core, 11, 0), 0);
    /* Ran inside the completing call, and saw the result completed. */
    assert_int_equal(probe_runs(&p), 1);
    assert_int_equal(p.seen_status, VTB_STATUS_SUCCEEDED);
    assert_int_equal(p.seen_value, 11);
    assert_false(vtb_loop_has_pending(loop));
}

static void test_run_async_queues_to_loop(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe p;
    vtb__core_init(&core, VTB_CORE_RUN_ASYNC);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    assert_int_equal(vtb__core_complete(&core, 12, 0), 0);
    assert_int_equal(probe_runs(&p), 0);
    assert_true(vtb_loop_has_pending(loop));
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(probe_runs(&p), 1);
    assert_int_equal(p.seen_status, VTB_STATUS_SUCCEEDED);
    assert_int_equal(p.seen_value, 12);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 0);
    assert_int_equal(probe_runs(&p), 1);
}

static void test_run_async_without_loop_runs_inline(void **state)
{
    (void)state;
    struct vtb_core core;
    struct probe p;
    vtb_loop_set_current(NULL);
    vtb__core_init(&core, VTB_CORE_RUN_ASYNC);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    assert_int_equal(vtb__core_complete(&core, 13, 0), 0);
    /* Nowhere to queue: run rather than lose it. */
    assert_int_equal(probe_runs(&p), 1);
    assert_int_equal(p.seen_value, 13);
}

static void test_late_registration_is_queued(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe p;
    vtb__core_init(&core, 0);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_complete(&core, 14, 0), 0);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    /* Not run inside the registration, even without RUN_ASYNC ... */
    assert_int_equal(probe_runs(&p), 0);
    assert_true(vtb_loop_has_pending(loop));
    /* ... but on the next loop turn. */
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(probe_runs(&p), 1);
    assert_int_equal(p.seen_status, VTB_STATUS_SUCCEEDED);
    assert_int_equal(p.seen_value, 14);
}

static void test_late_registration_without_loop_runs_inline(void **state)
{
    (void)state;
    struct vtb_core core;
    struct probe p;
    vtb_loop_set_current(NULL);
    vtb__core_init(&core, 0);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_complete(&core, 15, 0), 0);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    assert_int_equal(probe_runs(&p), 1);
    assert_int_equal(p.seen_value, 15);
}

/* Completes a core from another thread (which has no loop of its own). */
struct completer {
    struct vtb_core *core;
    uint64_t value;
    int rc;
    bool had_loop;
};

static void *complete_main(void *arg)
{
    struct completer *c = arg;
    c->had_loop = vtb_loop_current() != NULL;
    c->rc = vtb__core_complete(c->core, c->value, 0);
    return NULL;
}

static void complete_on_other_thread(struct vtb_core *core, uint64_t value)
{
    struct completer c = {core, value, -100, true};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, complete_main, &c), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_false(c.had_loop);
    assert_int_equal(c.rc, 0);
}

static void test_inline_runs_on_completing_thread(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe p;
    vtb__core_init(&core, 0);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    complete_on_other_thread(&core, 16);
    assert_int_equal(probe_runs(&p), 1);
    assert_false(pthread_equal(p.thread, pthread_self()));
    assert_int_equal(p.seen_value, 16);
    assert_false(vtb_loop_has_pending(loop));
}

static void test_run_async_posts_to_registrant_loop(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe p;
    vtb__core_init(&core, VTB_CORE_RUN_ASYNC);
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    complete_on_other_thread(&core, 17);
    /* Posted to the registering thread's loop, not run by the completer. */
    assert_int_equal(probe_runs(&p), 0);
    uint64_t posts = loop->counters.posts_received;
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(loop->counters.posts_received, posts + 1);
    assert_int_equal(probe_runs(&p), 1);
    assert_true(pthread_equal(p.thread, pthread_self()));
    assert_int_equal(p.seen_value, 17);
}

static void test_reset_keeps_flags(void **state)
{
    struct vtb_loop *loop = *state;
    struct vtb_core core;
    struct probe p;
    vtb__core_init(&core, VTB_CORE_RUN_ASYNC);
    assert_int_equal(vtb__core_complete(&core, 1, 0), 0);
    vtb__core_reset(&core);
    assert_int_equal(core.flags, VTB_CORE_RUN_ASYNC);
    assert_false(vtb__core_is_completed(&core));
    assert_int_equal(vtb__core_status(&core), VTB_STATUS_PENDING);
    /* The reset core is a fresh one: one completion, one continuation, and
     * RUN_ASYNC still queues it. */
    probe_init(&p, &core);
    assert_int_equal(vtb__core_on_completed(&core, probe_fn, &p), 0);
    assert_int_equal(vtb__core_complete(&core, 2, 0), 0);
    assert_int_equal(vtb__core_complete(&core, 3, 0), VTB_EALREADY);
    assert_int_equal(probe_runs(&p), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(probe_runs(&p), 1);
    assert_int_equal(p.seen_value, 2);
}

static void test_reset_clears_error(void **state)
{
    (void)state;
    struct vtb_core core;
    vtb__core_init(&core, 0);
    assert_int_equal(vtb__core_complete(&core, 0, VTB_EBACKEND), 0);
    vtb__core_reset(&core);
    assert_int_equal(vtb__core_complete(&core, 9, 0), 0);
    uint64_t value = 0;
    assert_int_equal(vtb__core_status(&core), VTB_STATUS_SUCCEEDED);
    assert_int_equal(vtb__core_outcome(&core, &value), 0);
    assert_int_equal(value, 9);
}

#define WITH_LOOP(f) cmocka_unit_test_setup_teardown(f, loop_setup, loop_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_is_pending),
        cmocka_unit_test(test_complete_value),
        WITH_LOOP(test_init_completed),
        cmocka_unit_test(test_complete_error),
        cmocka_unit_test(test_second_completion_refused),
        cmocka_unit_test(test_second_continuation_refused_while_pending),
        WITH_LOOP(test_second_continuation_refused_after_completion),
        cmocka_unit_test(test_null_continuation_rejected),
        WITH_LOOP(test_inline_without_run_async),
        WITH_LOOP(test_run_async_queues_to_loop),
        WITH_LOOP(test_run_async_without_loop_runs_inline),
        WITH_LOOP(test_late_registration_is_queued),
        WITH_LOOP(test_late_registration_without_loop_runs_inline),
        WITH_LOOP(test_inline_runs_on_completing_thread),
        WITH_LOOP(test_run_async_posts_to_registrant_loop),
        WITH_LOOP(test_reset_keeps_flags),
        cmocka_unit_test(test_reset_clears_error),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}

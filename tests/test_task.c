/*
 * Unit tests for heap tasks (impl/task.c): the two layouts and the exact
 * allocation each costs, reference counting, and the misuse errors (a second
 * completion, a second continuation, a read before completion). Allocation
 * figures come from the library's own counters, which every build has.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>

#include "test_support.h"
#include "vtb/alloc_count_internal.h"
#include "vtb/error.h"
#include "vtb/loop_internal.h"
#include "vtb/task.h"

struct probe {
    struct vtb_task *task;
    int runs;
    int seen_rc;
    uint64_t seen_value;
};

static void probe_fn(void *state)
{
    struct probe *p = state;
    p->runs++;
    p->seen_rc = vtb_task_get_result(p->task, &p->seen_value);
}

static void test_completed_task_allocates_one_task(void **state)
{
    (void)state;
    struct vtb_alloc_counts before = vtbt_counts_now();
    struct vtb_task *task = NULL;
    assert_int_equal(vtb_task_new_completed(99, 0, &task), 0);
    assert_non_null(task);
    struct vtb_alloc_counts d = vtbt_counts_since(&before);
    assert_int_equal(d.allocs, 1);
    assert_int_equal(d.requested_bytes, sizeof(struct vtb_task));
    assert_int_equal(d.frees, 0);
    assert_int_equal(task->layout, VTB_TASK_LAYOUT_PLAIN);
    assert_int_equal(vtb_task_status(task), VTB_STATUS_SUCCEEDED);
    uint64_t value = 0;
    assert_int_equal(vtb_task_get_result(task, &value), 0);
    assert_int_equal(value, 99);
    /* Reading does not consume: a task can be read again. */
    value = 0;
    assert_int_equal(vtb_task_get_result(task, &value), 0);
    assert_int_equal(value, 99);
    vtb_task_release(task);
    d = vtbt_counts_since(&before);
    assert_int_equal(d.frees, 1);
    assert_int_equal(d.freed_bytes, sizeof(struct vtb_task));
}

static void test_pending_task_layout_and_refs(void **state)
{
    (void)state;
    struct vtb_alloc_counts before = vtbt_counts_now();
    struct vtb_task_pending *pending = NULL;
    assert_int_equal(vtb_task_new_pending(0, &pending), 0);
    struct vtb_alloc_counts d = vtbt_counts_since(&before);
    assert_int_equal(d.allocs, 1);
    assert_int_equal(d.requested_bytes, sizeof(struct vtb_task_pending));
    assert_int_equal(pending->task.layout, VTB_TASK_LAYOUT_PENDING);
    assert_int_equal(atomic_load(&pending->task.refs), 2);
    assert_int_equal(pending->fetch.timer.heap_index, VTB_TIMER_INACTIVE);
    assert_int_equal(vtb_task_status(&pending->task), VTB_STATUS_PENDING);

    /* The producer's release alone does not free it ... */
    assert_int_equal(vtb_task_set_result(&pending->task, 3), 0);
    vtb_task_release(&pending->task);
    assert_int_equal(vtbt_counts_since(&before).frees, 0);
    /* ... the consumer's does, with the pending layout's size. */
    vtb_task_release(&pending->task);
    d = vtbt_counts_since(&before);
    assert_int_equal(d.frees, 1);
    assert_int_equal(d.freed_bytes, sizeof(struct vtb_task_pending));
}

static void test_retain_adds_a_reference(void **state)
{
    (void)state;
    struct vtb_alloc_counts before = vtbt_counts_now();
    struct vtb_task *task;
    assert_int_equal(vtb_task_new_completed(1, 0, &task), 0);
    vtb_task_retain(task);
    assert_int_equal(atomic_load(&task->refs), 2);
    vtb_task_release(task);
    assert_int_equal(vtbt_counts_since(&before).frees, 0);
    vtb_task_release(task);
    assert_int_equal(vtbt_counts_since(&before).frees, 1);
}

static void test_get_before_completion_is_not_ready(void **state)
{
    (void)state;
    struct vtb_task_pending *pending;
    assert_int_equal(vtb_task_new_pending(0, &pending), 0);
    uint64_t value = 1234;
    /* Returns at once (a blocking read would hang this test). */
    assert_int_equal(vtb_task_get_result(&pending->task, &value), VTB_ENOTREADY);
    assert_int_equal(value, 1234);
    assert_int_equal(vtb_task_set_result(&pending->task, 5), 0);
    assert_int_equal(vtb_task_get_result(&pending->task, &value), 0);
    assert_int_equal(value, 5);
    vtb_task_release(&pending->task);
    vtb_task_release(&pending->task);
}

static void test_second_completion_refused(void **state)
{
    (void)state;
    struct vtb_task_pending *pending;
    assert_int_equal(vtb_task_new_pending(0, &pending), 0);
    assert_int_equal(vtb_task_set_result(&pending->task, 21), 0);
    assert_int_equal(vtb_task_set_result(&pending->task, 22), VTB_EALREADY);
    assert_int_equal(vtb_task_set_error(&pending->task, VTB_EBACKEND), VTB_EALREADY);
    uint64_t value = 0;
    assert_int_equal(vtb_task_get_result(&pending->task, &value), 0);
    assert_int_equal(value, 21);
    assert_int_equal(vtb_task_status(&pending->task), VTB_STATUS_SUCCEEDED);
    vtb_task_release(&pending->task);
    vtb_task_release(&pending->task);
}

static void test_completed_task_refuses_completion(void **state)
{
    (void)state;
    struct vtb_task *task;
    assert_int_equal(vtb_task_new_completed(8, 0, &task), 0);
    assert_int_equal(vtb_task_set_result(task, 9), VTB_EALREADY);
    uint64_t value = 0;
    assert_int_equal(vtb_task_get_result(task, &value), 0);
    assert_int_equal(value, 8);
    vtb_task_release(task);
}

static void test_error_completion(void **state)
{
    (void)state;
    struct vtb_task_pending *pending;
    assert_int_equal(vtb_task_new_pending(0, &pending), 0);
    /* Only negative codes are errors. */
    assert_int_equal(vtb_task_set_error(&pending->task, 0), VTB_EINVAL);
    assert_int_equal(vtb_task_set_error(&pending->task, 5), VTB_EINVAL);
    assert_int_equal(vtb_task_status(&pending->task), VTB_STATUS_PENDING);
    assert_int_equal(vtb_task_set_error(&pending->task, VTB_EBACKEND), 0);
    assert_int_equal(vtb_task_status(&pending->task), VTB_STATUS_FAULTED);
    uint64_t value;
    assert_int_equal(vtb_task_get_result(&pending->task, &value), VTB_EBACKEND);
    assert_int_equal(vtb_task_set_result(&pending->task, 1), VTB_EALREADY);
    vtb_task_release(&pending->task);
    vtb_task_release(&pending->task);
}

static void test_second_continuation_refused(void **state)
{
    (void)state;
    struct vtb_task_pending *pending;
    assert_int_equal(vtb_task_new_pending(0, &pending), 0);
    struct probe a = {&pending->task, 0, 1, 0}, b = a;
    assert_int_equal(vtb_task_on_completed(&pending->task, probe_fn, &a), 0);
    assert_int_equal(vtb_task_on_completed(&pending->task, probe_fn, &b), VTB_ECONTINUATION);
    assert_int_equal(vtb_task_set_result(&pending->task, 4), 0);
    assert_int_equal(a.runs, 1);
    assert_int_equal(b.runs, 0);
    assert_int_equal(a.seen_rc, 0);
    assert_int_equal(a.seen_value, 4);
    vtb_task_release(&pending->task);
    vtb_task_release(&pending->task);
}

static void test_continuation_inline_by_default(void **state)
{
    (void)state;
    struct vtb_loop loop;
    assert_int_equal(vtb_loop_init(&loop, 4), 0);
    vtb_loop_set_current(&loop);
    struct vtb_task_pending *pending;
    assert_int_equal(vtb_task_new_pending(0, &pending), 0);
    struct probe p = {&pending->task, 0, 1, 0};
    assert_int_equal(vtb_task_on_completed(&pending->task, probe_fn, &p), 0);
    assert_int_equal(vtb_task_set_result(&pending->task, 6), 0);
    assert_int_equal(p.runs, 1);
    assert_int_equal(p.seen_value, 6);
    assert_false(vtb_loop_has_pending(&loop));
    vtb_task_release(&pending->task);
    vtb_task_release(&pending->task);
    vtb_loop_fini(&loop);
    assert_null(vtb_loop_current());
}

static void test_continuation_queued_with_run_async(void **state)
{
    (void)state;
    struct vtb_loop loop;
    assert_int_equal(vtb_loop_init(&loop, 4), 0);
    vtb_loop_set_current(&loop);
    struct vtb_task_pending *pending;
    assert_int_equal(vtb_task_new_pending(VTB_CORE_RUN_ASYNC, &pending), 0);
    struct probe p = {&pending->task, 0, 1, 0};
    assert_int_equal(vtb_task_on_completed(&pending->task, probe_fn, &p), 0);
    assert_int_equal(vtb_task_set_result(&pending->task, 7), 0);
    assert_int_equal(p.runs, 0);
    assert_int_equal(vtb_loop_run(&loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(p.runs, 1);
    assert_int_equal(p.seen_rc, 0);
    assert_int_equal(p.seen_value, 7);
    vtb_task_release(&pending->task);
    vtb_task_release(&pending->task);
    vtb_loop_fini(&loop);
}

static void test_continuation_on_completed_task_is_queued(void **state)
{
    (void)state;
    struct vtb_loop loop;
    assert_int_equal(vtb_loop_init(&loop, 4), 0);
    vtb_loop_set_current(&loop);
    struct vtb_task *task;
    assert_int_equal(vtb_task_new_completed(10, 0, &task), 0);
    struct probe p = {task, 0, 1, 0};
    assert_int_equal(vtb_task_on_completed(task, probe_fn, &p), 0);
    assert_int_equal(p.runs, 0);
    assert_int_equal(vtb_loop_run(&loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(p.runs, 1);
    assert_int_equal(p.seen_value, 10);
    vtb_task_release(task);
    vtb_loop_fini(&loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completed_task_allocates_one_task),
        cmocka_unit_test(test_pending_task_layout_and_refs),
        cmocka_unit_test(test_retain_adds_a_reference),
        cmocka_unit_test(test_get_before_completion_is_not_ready),
        cmocka_unit_test(test_second_completion_refused),
        cmocka_unit_test(test_completed_task_refuses_completion),
        cmocka_unit_test(test_error_completion),
        cmocka_unit_test(test_second_continuation_refused),
        cmocka_unit_test(test_continuation_inline_by_default),
        cmocka_unit_test(test_continuation_queued_with_run_async),
        cmocka_unit_test(test_continuation_on_completed_task_is_queued),
    };
    return cmocka_run_group_tests_name("task", tests, NULL, NULL);
}

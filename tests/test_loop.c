/*
 * Unit tests for the per-thread event loop (impl/loop.c): timer order (by
 * deadline, FIFO among equal deadlines), stopping timers, heap growth, the
 * "next turn" rule for queued work, posting from other threads (order kept
 * per producer, a blocked VTB_LOOP_ONCE woken) and vtb_loop_wake; and the
 * descriptor watchers (readiness dispatched, interest changed and removed, a
 * watcher stopped by another's callback, a busy loop that still polls, a
 * loop asleep in epoll woken by a post, a wake or a timer, concurrent posts
 * to such a loop). Timers are given deadlines in the past or an hour ahead,
 * and cross-thread cases wait for the loop to announce that it sleeps, so
 * nothing depends on speed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "test_support.h"
#include "vtb/error.h"
#include "vtb/loop_internal.h"
#include "vtb/rng.h"

#define HOUR_NS (3600ull * 1000000000ull)


/* A timer or work item that appends its id to a shared log when it runs. */
struct log {
    int ids[1024];
    int n;
};

struct item {
    struct vtb_timer timer; /* timer.work doubles as the plain work item */
    struct log *log;
    int id;
    struct vtb_loop *loop;  /* for items that queue a follow-up */
    struct item *follow_up;
};

static void item_fn(struct vtb_work *work)
{
    struct item *it = (struct item *)work;
    it->log->ids[it->log->n++] = it->id;
    if (it->follow_up != NULL)
        vtb_loop_queue(it->loop, &it->follow_up->timer.work);
}

static void item_init(struct item *it, struct log *log, int id)
{
    vtb_timer_init(&it->timer, item_fn);
    it->log = log;
    it->id = id;
    it->loop = NULL;
    it->follow_up = NULL;
}

static int setup(void **state)
{
    static struct vtb_loop loop;
    if (vtb_loop_init(&loop, 4) != 0)
        return -1;
    vtb_loop_set_current(&loop);
    *state = &loop;
    return 0;
}

static int teardown(void **state)
{
    vtb_loop_fini(*state);
    return 0;
}

static void test_init_and_fini(void **state)
{
    (void)state;
    struct vtb_loop loop;
    assert_int_equal(vtb_loop_init(NULL, 4), VTB_EINVAL);
    assert_int_equal(vtb_loop_init(&loop, 0), 0);
    assert_true(loop.heap_cap > 0);
    assert_false(vtb_loop_has_pending(&loop));
    assert_int_equal(vtb_loop_run(&loop, VTB_LOOP_NOWAIT), 0);
    assert_int_equal(loop.counters.turns, 0);
    vtb_loop_set_current(&loop);
    assert_ptr_equal(vtb_loop_current(), &loop);
    vtb_loop_fini(&loop);
    assert_null(vtb_loop_current());
    assert_null(loop.heap);
}

static void test_timers_fire_in_due_order(void **state)
{
    struct vtb_loop *loop = *state;
    static const uint64_t ago_ns[] = {500, 100, 300, 400, 200, 50, 450};
    enum { n = sizeof(ago_ns) / sizeof(ago_ns[0]) };
    struct log log = {.n = 0};
    struct item items[n];
    uint64_t now = vtb_monotonic_ns();
    for (int i = 0; i < n; i++) {
        item_init(&items[i], &log, (int)ago_ns[i]);
        assert_int_equal(vtb_loop_timer_start(loop, &items[i].timer, now - ago_ns[i] * 1000), 0);
    }
    assert_true(vtb_loop_has_pending(loop));
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), n);
    assert_int_equal(log.n, n);
    static const int expected[] = {500, 450, 400, 300, 200, 100, 50};
    for (int i = 0; i < n; i++)
        assert_int_equal(log.ids[i], expected[i]);
    assert_int_equal(loop->counters.timers_fired, n);
    for (int i = 0; i < n; i++)
        assert_int_equal(items[i].timer.heap_index, VTB_TIMER_INACTIVE);
    assert_false(vtb_loop_has_pending(loop));
}

static void test_equal_deadlines_fire_fifo(void **state)
{
    struct vtb_loop *loop = *state;
    enum { n = 12 };
    struct log log = {.n = 0};
    struct item items[n];
    uint64_t now = vtb_monotonic_ns();
    /* Even ids share one deadline, odd ids an earlier one; each group must
     * come out in the order it was started. */
    for (int i = 0; i < n; i++) {
        item_init(&items[i], &log, i);
        uint64_t due = (i % 2 == 0) ? now - 1000 : now - 2000;
        assert_int_equal(vtb_loop_timer_start(loop, &items[i].timer, due), 0);
    }
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), n);
    static const int expected[] = {1, 3, 5, 7, 9, 11, 0, 2, 4, 6, 8, 10};
    for (int i = 0; i < n; i++)
        assert_int_equal(log.ids[i], expected[i]);
}

static void test_future_timer_waits(void **state)
{
    struct vtb_loop *loop = *state;
    struct log log = {.n = 0};
    struct item it;
    item_init(&it, &log, 1);
    assert_int_equal(vtb_loop_timer_start(loop, &it.timer, vtb_monotonic_ns() + HOUR_NS), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 0);
    assert_int_equal(log.n, 0);
    assert_true(vtb_loop_has_pending(loop));
    assert_true(vtb_loop_timer_stop(loop, &it.timer));
    assert_false(vtb_loop_has_pending(loop));
}

static void test_timer_stop(void **state)
{
    struct vtb_loop *loop = *state;
    enum { n = 6 };
    struct log log = {.n = 0};
    struct item items[n];
    uint64_t now = vtb_monotonic_ns();
    for (int i = 0; i < n; i++) {
        item_init(&items[i], &log, i);
        assert_int_equal(vtb_loop_timer_start(loop, &items[i].timer, now - 1000 * (uint64_t)(n - i)), 0);
    }
    /* An armed timer cannot be armed again. */
    assert_int_equal(vtb_loop_timer_start(loop, &items[2].timer, now), VTB_ESTATE);
    assert_true(vtb_loop_timer_stop(loop, &items[2].timer));
    assert_true(vtb_loop_timer_stop(loop, &items[0].timer));
    assert_true(vtb_loop_timer_stop(loop, &items[5].timer));
    assert_false(vtb_loop_timer_stop(loop, &items[2].timer));
    assert_int_equal(items[2].timer.heap_index, VTB_TIMER_INACTIVE);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 3);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ids[0], 1);
    assert_int_equal(log.ids[1], 3);
    assert_int_equal(log.ids[2], 4);
    /* A stopped or fired timer can be armed again. */
    assert_false(vtb_loop_timer_stop(loop, &items[1].timer));
    assert_int_equal(vtb_loop_timer_start(loop, &items[2].timer, now), 0);
    assert_int_equal(vtb_loop_timer_start(loop, &items[1].timer, now), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 2);
    assert_int_equal(log.ids[3], 2);
    assert_int_equal(log.ids[4], 1);
}

/* Starts n timers with random past deadlines (many equal), stops some, and
 * checks that the rest fire sorted by (deadline, start order). */
static void check_heap_order(struct vtb_loop *loop, int n, int stop_every)
{
    static struct item items[1024];
    static struct log log;
    static uint64_t due[1024];
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 42, (uint64_t)n);
    log.n = 0;
    uint64_t now = vtb_monotonic_ns();
    for (int i = 0; i < n; i++) {
        item_init(&items[i], &log, i);
        due[i] = now - 1000 - 1000 * vtb_rng_below(&rng, 50);
        assert_int_equal(vtb_loop_timer_start(loop, &items[i].timer, due[i]), 0);
    }
    int stopped = 0;
    if (stop_every > 0) {
        for (int i = 0; i < n; i += stop_every) {
            assert_true(vtb_loop_timer_stop(loop, &items[i].timer));
            stopped++;
        }
    }
    assert_int_equal(loop->heap_len, (uint32_t)(n - stopped));
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), n - stopped);
    assert_int_equal(log.n, n - stopped);
    for (int k = 0; k < log.n; k++) {
        int id = log.ids[k];
        if (stop_every > 0)
            assert_int_not_equal(id % stop_every, 0);
        if (k > 0) {
            int prev = log.ids[k - 1];
            assert_true(due[prev] < due[id] || (due[prev] == due[id] && prev < id));
        }
    }
}

static void test_heap_grows(void **state)
{
    (void)state;
    struct vtb_loop loop;
    assert_int_equal(vtb_loop_init(&loop, 2), 0);
    assert_int_equal(loop.heap_cap, 2);
    check_heap_order(&loop, 1000, 0);
    assert_true(loop.heap_cap >= 1000);
    assert_int_equal(loop.counters.timers_fired, 1000);
    /* The grown heap is reused without shrinking. */
    uint32_t cap = loop.heap_cap;
    check_heap_order(&loop, 1000, 0);
    assert_int_equal(loop.heap_cap, cap);
    vtb_loop_fini(&loop);
}

static void test_heap_removal_keeps_order(void **state)
{
    struct vtb_loop *loop = *state;
    check_heap_order(loop, 500, 3);
    check_heap_order(loop, 257, 7);
}

static void test_queued_work_runs_next_turn(void **state)
{
    struct vtb_loop *loop = *state;
    struct log log = {.n = 0};
    struct item a, b;
    item_init(&a, &log, 1);
    item_init(&b, &log, 2);
    a.loop = loop;
    a.follow_up = &b;
    vtb_loop_queue(loop, &a.timer.work);
    /* Queuing runs nothing by itself. */
    assert_int_equal(log.n, 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(log.n, 1);
    assert_true(vtb_loop_has_pending(loop));
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 1);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ids[1], 2);
    assert_false(vtb_loop_has_pending(loop));
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 0);
    assert_int_equal(loop->counters.works_run, 2);
    assert_int_equal(loop->counters.turns, 2);
}

static void test_queue_is_fifo(void **state)
{
    struct vtb_loop *loop = *state;
    enum { n = 8 };
    struct log log = {.n = 0};
    struct item items[n];
    for (int i = 0; i < n; i++) {
        item_init(&items[i], &log, i);
        vtb_loop_queue(loop, &items[i].timer.work);
    }
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), n);
    for (int i = 0; i < n; i++)
        assert_int_equal(log.ids[i], i);
}

static void test_posts_run_in_posting_order(void **state)
{
    struct vtb_loop *loop = *state;
    enum { n = 8 };
    struct log log = {.n = 0};
    struct item items[n];
    for (int i = 0; i < n; i++) {
        item_init(&items[i], &log, i);
        vtb_loop_post(loop, &items[i].timer.work);
    }
    assert_true(vtb_loop_has_pending(loop));
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), n);
    for (int i = 0; i < n; i++)
        assert_int_equal(log.ids[i], i);
    assert_int_equal(loop->counters.posts_received, n);
}

/* Another thread that waits until the loop announces it is going to sleep,
 * then posts an item or only wakes it. */
struct poker {
    struct vtb_loop *loop;
    struct vtb_work *work; /* NULL: vtb_loop_wake only */
    uint32_t seen_sleeping; /* how the loop slept when it was poked */
};

static void *poker_main(void *arg)
{
    struct poker *p = arg;
    unsigned spins = 0;
    uint32_t sleeping;
    while ((sleeping = atomic_load_explicit(&p->loop->sleeping, memory_order_seq_cst)) == 0)
        vtbt_spin(&spins);
    p->seen_sleeping = sleeping;
    if (p->work != NULL)
        vtb_loop_post(p->loop, p->work);
    else
        vtb_loop_wake(p->loop);
    return NULL;
}

struct flag_work {
    struct vtb_work work;
    atomic_int ran;
};

static void flag_fn(struct vtb_work *work)
{
    struct flag_work *f = (struct flag_work *)work;
    atomic_fetch_add(&f->ran, 1);
}

static void test_post_wakes_blocked_loop(void **state)
{
    struct vtb_loop *loop = *state;
    struct flag_work f = {{NULL, flag_fn}, 0};
    struct poker p = {loop, &f.work, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, poker_main, &p), 0);
    /* Nothing is pending, so this blocks until the post arrives. */
    size_t ran = 0;
    while (ran == 0)
        ran = vtb_loop_run(loop, VTB_LOOP_ONCE);
    assert_int_equal(ran, 1);
    assert_int_equal(atomic_load(&f.ran), 1);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(loop->counters.posts_received, 1);
}

static void test_wake_ends_wait_with_nothing_run(void **state)
{
    struct vtb_loop *loop = *state;
    struct poker p = {loop, NULL, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, poker_main, &p), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(loop->counters.turns, 0);
    assert_int_equal(loop->counters.works_run, 0);
}

static void test_wake_before_wait_is_not_lost(void **state)
{
    struct vtb_loop *loop = *state;
    vtb_loop_wake(loop);
    /* The request is remembered: the wait ends at once, once. */
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 0);
    struct flag_work f = {{NULL, flag_fn}, 0};
    vtb_loop_queue(loop, &f.work);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 1);
    assert_int_equal(atomic_load(&f.ran), 1);
}

static void test_once_waits_for_timer(void **state)
{
    struct vtb_loop *loop = *state;
    struct log log = {.n = 0};
    struct item it;
    item_init(&it, &log, 7);
    /* Long enough to take the sleeping path, short enough not to matter. */
    assert_int_equal(vtb_loop_timer_start(loop, &it.timer, vtb_monotonic_ns() + 3000000), 0);
    size_t ran = 0;
    while (ran == 0)
        ran = vtb_loop_run(loop, VTB_LOOP_ONCE);
    assert_int_equal(ran, 1);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.ids[0], 7);
    assert_true(vtb_monotonic_ns() >= it.timer.due_ns);
}

static void test_once_runs_ready_work_at_once(void **state)
{
    struct vtb_loop *loop = *state;
    struct flag_work f = {{NULL, flag_fn}, 0};
    vtb_loop_queue(loop, &f.work);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 1);
    assert_int_equal(atomic_load(&f.ran), 1);
    assert_int_equal(loop->counters.sleeps, 0);
}

/* Several producers post concurrently; each producer's items must arrive,
 * once each, in that producer's order. */
enum { producers = 3, per_producer = 2000 };

struct producer {
    struct vtb_loop *loop;
    int index;
    struct tagged {
        struct vtb_work work;
        int producer;
        int seq;
        int *last; /* the consumer's per-producer last seq */
        int *errors;
        int *count;
    } items[per_producer];
};

static void tagged_fn(struct vtb_work *work)
{
    struct tagged *t = (struct tagged *)work;
    if (t->seq != t->last[t->producer] + 1)
        (*t->errors)++;
    t->last[t->producer] = t->seq;
    (*t->count)++;
}

static void *producer_main(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < per_producer; i++)
        vtb_loop_post(p->loop, &p->items[i].work);
    return NULL;
}

static void concurrent_posts_keep_producer_order(struct vtb_loop *loop)
{
    static struct producer ps[producers];
    int last[producers], errors = 0, count = 0;
    pthread_t threads[producers];
    for (int p = 0; p < producers; p++) {
        last[p] = -1;
        ps[p].loop = loop;
        ps[p].index = p;
        for (int i = 0; i < per_producer; i++) {
            struct tagged *t = &ps[p].items[i];
            t->work.next = NULL;
            t->work.fn = tagged_fn;
            t->producer = p;
            t->seq = i;
            t->last = last;
            t->errors = &errors;
            t->count = &count;
        }
    }
    for (int p = 0; p < producers; p++)
        assert_int_equal(pthread_create(&threads[p], NULL, producer_main, &ps[p]), 0);
    while (count < producers * per_producer)
        vtb_loop_run(loop, VTB_LOOP_ONCE);
    for (int p = 0; p < producers; p++)
        assert_int_equal(pthread_join(threads[p], NULL), 0);
    assert_int_equal(count, producers * per_producer);
    assert_int_equal(errors, 0);
    for (int p = 0; p < producers; p++)
        assert_int_equal(last[p], per_producer - 1);
    assert_int_equal(loop->counters.posts_received, producers * per_producer);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 0);
}

static void test_concurrent_posts_keep_producer_order(void **state)
{
    concurrent_posts_keep_producer_order(*state);
}

/* ---- Descriptor watchers ---- */

/* A watcher on a pipe that counts its calls and, when told, drains the
 * pipe or stops another watcher. */
struct pipe_watch {
    struct vtb_io io;
    int fds[2]; /* read end, write end */
    struct vtb_loop *loop;
    int calls;
    unsigned last_ready;
    bool drain;
    struct pipe_watch *stop_other;
};

static void pipe_watch_fn(struct vtb_io *io, unsigned ready)
{
    struct pipe_watch *w = (struct pipe_watch *)io;
    w->calls++;
    w->last_ready = ready;
    if (w->drain) {
        char buf[64];
        while (read(w->fds[0], buf, sizeof(buf)) > 0)
            ;
    }
    if (w->stop_other != NULL)
        vtb_loop_io_stop(w->loop, &w->stop_other->io);
}

static void pipe_watch_open(struct pipe_watch *w, struct vtb_loop *loop, int watched_end)
{
    memset(w, 0, sizeof(*w));
    assert_int_equal(pipe2(w->fds, O_NONBLOCK | O_CLOEXEC), 0);
    w->loop = loop;
    vtb_io_init(&w->io, w->fds[watched_end], pipe_watch_fn);
}

static void pipe_watch_close(struct pipe_watch *w)
{
    vtb_loop_io_stop(w->loop, &w->io);
    close(w->fds[0]);
    close(w->fds[1]);
}

static void pipe_write(struct pipe_watch *w)
{
    assert_int_equal(write(w->fds[1], "x", 1), 1);
}

static void test_io_readiness_is_dispatched(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch w;
    pipe_watch_open(&w, loop, 0);
    w.drain = true;
    assert_int_equal(loop->epoll_fd, -1); /* nothing made before the first watcher */
    assert_int_equal(vtb_loop_io_watch(loop, &w.io, VTB_IO_READ), 0);
    assert_true(loop->epoll_fd >= 0);
    assert_int_equal(loop->io_watchers, 1);
    /* Not ready: a pass dispatches nothing. */
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_NOWAIT), 0);
    assert_int_equal(w.calls, 0);
    /* Ready: the blocking pass returns with the callback run. */
    pipe_write(&w);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 1);
    assert_int_equal(w.calls, 1);
    assert_int_equal(w.last_ready, VTB_IO_READ);
    assert_int_equal(loop->counters.io_events, 1);
    /* Drained: level-triggered, so it is not reported again. */
    for (unsigned i = 0; i < 2 * VTB_LOOP_IO_POLL_PASSES; i++)
        vtb_loop_run(loop, VTB_LOOP_NOWAIT);
    assert_int_equal(w.calls, 1);
    pipe_watch_close(&w);
    assert_int_equal(loop->io_watchers, 0);
}

static void test_io_interest_changes(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch w;
    pipe_watch_open(&w, loop, 1); /* the write end: always writable */
    assert_int_equal(vtb_loop_io_watch(loop, &w.io, VTB_IO_WRITE), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 1);
    assert_int_equal(w.last_ready, VTB_IO_WRITE);
    /* Still writable: reported on the next blocking pass too. */
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 1);
    assert_int_equal(w.calls, 2);
    /* Read interest only on a write end: nothing to report. */
    assert_int_equal(vtb_loop_io_watch(loop, &w.io, VTB_IO_READ), 0);
    assert_int_equal(w.io.interest, VTB_IO_READ);
    for (unsigned i = 0; i < 2 * VTB_LOOP_IO_POLL_PASSES; i++)
        vtb_loop_run(loop, VTB_LOOP_NOWAIT);
    assert_int_equal(w.calls, 2);
    /* No interest: out of the set. */
    assert_int_equal(vtb_loop_io_watch(loop, &w.io, 0), 0);
    assert_int_equal(loop->io_watchers, 0);
    assert_int_equal(w.io.interest, 0);
    pipe_watch_close(&w);
}

static void test_io_watch_refuses_bad_descriptor(void **state)
{
    struct vtb_loop *loop = *state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    close(fds[1]);
    struct vtb_io io;
    vtb_io_init(&io, fds[0], NULL);
    assert_int_equal(vtb_loop_io_watch(loop, &io, VTB_IO_READ), VTB_EIO);
    assert_int_equal(io.interest, 0);
    assert_int_equal(loop->io_watchers, 0);
}

static void test_io_stop_from_callback_drops_pending(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch a, b;
    pipe_watch_open(&a, loop, 0);
    pipe_watch_open(&b, loop, 0);
    a.drain = b.drain = true;
    /* Whichever runs first stops the other, whose readiness was already
     * collected in the same wait: it must not be called. */
    a.stop_other = &b;
    b.stop_other = &a;
    assert_int_equal(vtb_loop_io_watch(loop, &a.io, VTB_IO_READ), 0);
    assert_int_equal(vtb_loop_io_watch(loop, &b.io, VTB_IO_READ), 0);
    pipe_write(&a);
    pipe_write(&b);
    /* Both are ready before the loop looks. */
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 1);
    assert_int_equal(a.calls + b.calls, 1);
    assert_int_equal(loop->io_watchers, 1);
    a.stop_other = b.stop_other = NULL;
    pipe_watch_close(&a);
    pipe_watch_close(&b);
    assert_int_equal(loop->io_watchers, 0);
}

/* An item that queues itself again on every pass: a loop that never runs
 * out of work. */
struct busy_work {
    struct vtb_work work;
    struct vtb_loop *loop;
    int runs;
};

static void busy_fn(struct vtb_work *work)
{
    struct busy_work *b = (struct busy_work *)work;
    b->runs++;
    vtb_loop_queue(b->loop, &b->work);
}

static void test_busy_loop_still_polls(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch w;
    pipe_watch_open(&w, loop, 0);
    w.drain = true;
    assert_int_equal(vtb_loop_io_watch(loop, &w.io, VTB_IO_READ), 0);
    struct busy_work busy = {{NULL, busy_fn}, loop, 0};
    vtb_loop_queue(loop, &busy.work);
    pipe_write(&w);
    /* The loop never waits, yet the descriptor is looked at within the
     * bound of passes. */
    for (unsigned i = 0; i < VTB_LOOP_IO_POLL_PASSES && w.calls == 0; i++)
        vtb_loop_run(loop, VTB_LOOP_ONCE);
    assert_int_equal(w.calls, 1);
    assert_int_equal(loop->counters.sleeps, 0);
    /* Take the busy item off the queue. */
    loop->runq_head = NULL;
    loop->runq_tail = &loop->runq_head;
    pipe_watch_close(&w);
}

static void test_post_wakes_loop_asleep_in_epoll(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch idle;
    pipe_watch_open(&idle, loop, 0);
    assert_int_equal(vtb_loop_io_watch(loop, &idle.io, VTB_IO_READ), 0);
    struct flag_work f = {{NULL, flag_fn}, 0};
    struct poker p = {loop, &f.work, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, poker_main, &p), 0);
    size_t ran = 0;
    while (ran == 0)
        ran = vtb_loop_run(loop, VTB_LOOP_ONCE);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(p.seen_sleeping, VTB_LOOP_SLEEP_EPOLL);
    assert_int_equal(ran, 1);
    assert_int_equal(atomic_load(&f.ran), 1);
    assert_int_equal(idle.calls, 0);
    pipe_watch_close(&idle);
}

static void test_wake_ends_epoll_sleep(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch idle;
    pipe_watch_open(&idle, loop, 0);
    assert_int_equal(vtb_loop_io_watch(loop, &idle.io, VTB_IO_READ), 0);
    struct poker p = {loop, NULL, 0};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, poker_main, &p), 0);
    assert_int_equal(vtb_loop_run(loop, VTB_LOOP_ONCE), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(p.seen_sleeping, VTB_LOOP_SLEEP_EPOLL);
    pipe_watch_close(&idle);
}

static void test_timer_ends_epoll_sleep(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch idle;
    pipe_watch_open(&idle, loop, 0);
    assert_int_equal(vtb_loop_io_watch(loop, &idle.io, VTB_IO_READ), 0);
    struct log log = {.n = 0};
    struct item it;
    item_init(&it, &log, 9);
    /* Long enough to take the sleeping path: the epoll sleep must end when
     * the timer is due (a sleep without timeout would never return). */
    assert_int_equal(vtb_loop_timer_start(loop, &it.timer, vtb_monotonic_ns() + 3000000), 0);
    size_t ran = 0;
    while (ran == 0)
        ran = vtb_loop_run(loop, VTB_LOOP_ONCE);
    assert_int_equal(log.n, 1);
    assert_true(loop->counters.sleeps >= 1);
    assert_true(vtb_monotonic_ns() >= it.timer.due_ns);
    pipe_watch_close(&idle);
}

static void test_concurrent_posts_to_epoll_loop(void **state)
{
    struct vtb_loop *loop = *state;
    struct pipe_watch idle;
    pipe_watch_open(&idle, loop, 0);
    assert_int_equal(vtb_loop_io_watch(loop, &idle.io, VTB_IO_READ), 0);
    concurrent_posts_keep_producer_order(loop);
    pipe_watch_close(&idle);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_fini),
        T(test_timers_fire_in_due_order),
        T(test_equal_deadlines_fire_fifo),
        T(test_future_timer_waits),
        T(test_timer_stop),
        cmocka_unit_test(test_heap_grows),
        T(test_heap_removal_keeps_order),
        T(test_queued_work_runs_next_turn),
        T(test_queue_is_fifo),
        T(test_posts_run_in_posting_order),
        T(test_post_wakes_blocked_loop),
        T(test_wake_ends_wait_with_nothing_run),
        T(test_wake_before_wait_is_not_lost),
        T(test_once_waits_for_timer),
        T(test_once_runs_ready_work_at_once),
        T(test_concurrent_posts_keep_producer_order),
        T(test_io_readiness_is_dispatched),
        T(test_io_interest_changes),
        T(test_io_watch_refuses_bad_descriptor),
        T(test_io_stop_from_callback_drops_pending),
        T(test_busy_loop_still_polls),
        T(test_post_wakes_loop_asleep_in_epoll),
        T(test_wake_ends_epoll_sleep),
        T(test_timer_ends_epoll_sleep),
        T(test_concurrent_posts_to_epoll_loop),
    };
    return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}

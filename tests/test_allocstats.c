/*
 * Tests of the allocator statistics, run against whichever implementation the
 * build linked: exact byte and request counts under jemalloc, and the
 * "unsupported, zero-filled" contract under the _none build. Each test asks
 * vtb_allocstats_available() which of the two it is checking.
 *
 * Allocations go through a volatile sink so that the compiler cannot pair a
 * malloc with its free and delete both, which GCC does at -O2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "allocstats.h"
#include "vtb/error.h"

static void *volatile sink;

static void *opaque_malloc(size_t n)
{
    sink = malloc(n);
    return sink;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

static void test_null_arguments(void **state)
{
    (void)state;
    assert_int_equal(vtb_allocstats_thread_init(NULL), VTB_EINVAL);
    assert_int_equal(vtb_allocstats_global(NULL), VTB_EINVAL);
    assert_int_equal(vtb_allocstats_config(NULL), VTB_EINVAL);
}

static void test_usable_size(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 8, 48, 72, 100, 4097, 20000, (1u << 20) + 1};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        assert_true(vtb_allocstats_usable_size(sizes[i]) >= sizes[i]);
    assert_int_equal(vtb_allocstats_usable_size(SIZE_MAX), 0);
    if (vtb_allocstats_available()) {
        /* jemalloc 5 size classes: 16-byte spacing up to 128, 8 the minimum. */
        assert_int_equal(vtb_allocstats_usable_size(72), 80);
        assert_int_equal(vtb_allocstats_usable_size(48), 48);
        assert_int_equal(vtb_allocstats_usable_size(0), 8);
    }
}

static void test_unsupported_without_jemalloc(void **state)
{
    (void)state;
    if (vtb_allocstats_available())
        skip();
    struct vtb_thread_alloc t;
    struct vtb_alloc_global g;
    struct vtb_alloc_config c;
    memset(&g, 0xAA, sizeof(g));
    memset(&c, 0xAA, sizeof(c));

    assert_int_equal(vtb_allocstats_thread_init(&t), VTB_EUNSUPPORTED);
    void *p = opaque_malloc(1000);
    assert_int_equal(vtb_allocstats_thread_allocated(&t), 0);
    free(p);
    assert_int_equal(vtb_allocstats_thread_deallocated(&t), 0);
    assert_int_equal(vtb_allocstats_thread_flush(), VTB_EUNSUPPORTED);
    assert_int_equal(vtb_allocstats_refresh(), VTB_EUNSUPPORTED);
    assert_int_equal(vtb_allocstats_global(&g), VTB_EUNSUPPORTED);
    assert_true(all_zero(&g, sizeof(g)));
    assert_int_equal(vtb_allocstats_config(&c), VTB_EUNSUPPORTED);
    assert_true(all_zero(&c, sizeof(c)));
}

static void test_config(void **state)
{
    (void)state;
    if (!vtb_allocstats_available())
        skip();
    struct vtb_alloc_config c;
    assert_int_equal(vtb_allocstats_config(&c), 0);
    assert_true(c.version[0] >= '1' && c.version[0] <= '9');
    assert_true(c.narenas >= 1);
    assert_true(c.opt_tcache_max_bytes > 0);
    assert_non_null(memchr(c.malloc_conf, '\0', sizeof(c.malloc_conf)));
}

/* One malloc(n) moves this thread's allocated counter by exactly the usable
 * size, and the matching free moves the deallocated counter by the same. */
static void test_thread_counters_move_by_usable_size(void **state)
{
    (void)state;
    if (!vtb_allocstats_available())
        skip();
    static const size_t sizes[] = {1, 8, 48, 72, 100, 4097, 14337, 20000, 40000,
                                   (1u << 20) + 1};
    struct vtb_thread_alloc t;
    assert_int_equal(vtb_allocstats_thread_init(&t), 0);

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t usable = vtb_allocstats_usable_size(sizes[i]);
        uint64_t a0 = vtb_allocstats_thread_allocated(&t);
        uint64_t d0 = vtb_allocstats_thread_deallocated(&t);
        void *p = opaque_malloc(sizes[i]);
        uint64_t a1 = vtb_allocstats_thread_allocated(&t);
        uint64_t d1 = vtb_allocstats_thread_deallocated(&t);
        free(p);
        uint64_t a2 = vtb_allocstats_thread_allocated(&t);
        uint64_t d2 = vtb_allocstats_thread_deallocated(&t);

        assert_non_null(p);
        assert_int_equal(a1 - a0, usable);
        assert_int_equal(d1 - d0, 0);
        assert_int_equal(a2 - a1, 0);
        assert_int_equal(d2 - d1, usable);
    }
}

#define THREAD_ALLOCS 10
#define THREAD_ALLOC_BYTES (1u << 20)

struct thread_result {
    int init_rc;
    uint64_t allocated_delta;
    const volatile uint64_t *counter;
};

static void *allocating_thread(void *arg)
{
    struct thread_result *r = arg;
    struct vtb_thread_alloc t;
    void *p[THREAD_ALLOCS];

    r->init_rc = vtb_allocstats_thread_init(&t);
    r->counter = t.allocated_bytes;
    uint64_t a0 = vtb_allocstats_thread_allocated(&t);
    for (int i = 0; i < THREAD_ALLOCS; i++)
        p[i] = opaque_malloc(THREAD_ALLOC_BYTES);
    r->allocated_delta = vtb_allocstats_thread_allocated(&t) - a0;
    for (int i = 0; i < THREAD_ALLOCS; i++)
        free(p[i]);
    return NULL;
}

/* Each thread has its own counters: another thread's megabytes never show up
 * in ours (pthread_create may allocate a little here, hence the bound). */
static void test_thread_counters_are_per_thread(void **state)
{
    (void)state;
    if (!vtb_allocstats_available())
        skip();
    struct vtb_thread_alloc t;
    struct thread_result r = {0};
    pthread_t thread;

    assert_int_equal(vtb_allocstats_thread_init(&t), 0);
    uint64_t a0 = vtb_allocstats_thread_allocated(&t);
    assert_int_equal(pthread_create(&thread, NULL, allocating_thread, &r), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
    uint64_t a1 = vtb_allocstats_thread_allocated(&t);

    assert_int_equal(r.init_rc, 0);
    assert_true(r.counter != t.allocated_bytes);
    assert_int_equal(r.allocated_delta,
                     THREAD_ALLOCS * vtb_allocstats_usable_size(THREAD_ALLOC_BYTES));
    assert_true(a1 - a0 < THREAD_ALLOC_BYTES);
}

static void snapshot(struct vtb_alloc_global *g)
{
    assert_int_equal(vtb_allocstats_thread_flush(), 0);
    assert_int_equal(vtb_allocstats_refresh(), 0);
    assert_int_equal(vtb_allocstats_global(g), 0);
}

#define SMALL_N 1000
#define SMALL_SIZE 48
#define TCACHED_LARGE_N 100
#define TCACHED_LARGE_SIZE 20000 /* large, but below the default tcache_max */
#define HUGE_N 10
#define HUGE_SIZE (1u << 20) /* above tcache_max: straight to the arena */

/*
 * Arena counters after a flush and an epoch. nmalloc cannot be asserted to
 * grow by exactly the number of small mallocs: it counts the regions a bin
 * hands to the tcache, and a tcache miss fills a whole batch at once, so it
 * overshoots by whatever the last fill left cached (jemalloc's bin_stats.h:
 * "tcache may allocate an object, then recycle it many times, resulting many
 * increments to nrequests, but only one each to nmalloc and ndalloc").
 * Measured with jemalloc 5.3.0 here, the 48-byte class fills 100 regions at
 * a time: 1000 mallocs give nmalloc +1000 only because 1000 is a multiple of
 * the batch, while 1001 give +1100 and 999 give +1000.
 * What is exact, and asserted:
 *  - small.nrequests grows by exactly SMALL_N once the flush has merged the
 *    tcache's request counts;
 *  - small.nmalloc grows by at least SMALL_N (the flush emptied the tcache,
 *    so every request was served by a region handed out afterwards);
 *  - after freeing everything and flushing, small.ndalloc has grown by exactly
 *    what small.nmalloc grew by, and stats.allocated is back where it was;
 *  - large requests have no batch fill, so large.nmalloc and
 *    large.nrequests both grow by exactly the number of large mallocs, and
 *    large.ndalloc by the same after the frees and a flush.
 */
static void test_arena_counts_after_flush(void **state)
{
    (void)state;
    if (!vtb_allocstats_available())
        skip();
    static void *small[SMALL_N];
    static void *large[TCACHED_LARGE_N + HUGE_N];
    struct vtb_alloc_global before, during, after;
    const uint64_t large_n = TCACHED_LARGE_N + HUGE_N;

    snapshot(&before);
    for (int i = 0; i < SMALL_N; i++)
        small[i] = opaque_malloc(SMALL_SIZE);
    for (int i = 0; i < TCACHED_LARGE_N; i++)
        large[i] = opaque_malloc(TCACHED_LARGE_SIZE);
    for (int i = TCACHED_LARGE_N; i < TCACHED_LARGE_N + HUGE_N; i++)
        large[i] = opaque_malloc(HUGE_SIZE);
    snapshot(&during);
    for (int i = 0; i < SMALL_N; i++)
        free(small[i]);
    for (uint64_t i = 0; i < large_n; i++)
        free(large[i]);
    snapshot(&after);

    uint64_t small_handed_out = during.small.nmalloc - before.small.nmalloc;
    assert_int_equal(during.small.nrequests - before.small.nrequests, SMALL_N);
    assert_true(small_handed_out >= SMALL_N);
    assert_int_equal(after.small.ndalloc - before.small.ndalloc, small_handed_out);

    assert_int_equal(during.large.nrequests - before.large.nrequests, large_n);
    assert_int_equal(during.large.nmalloc - before.large.nmalloc, large_n);
    assert_int_equal(after.large.ndalloc - before.large.ndalloc, large_n);

    assert_int_equal(during.total.nrequests - before.total.nrequests, SMALL_N + large_n);

    /* Regions sitting in a tcache still count as allocated. */
    uint64_t large_bytes = TCACHED_LARGE_N * vtb_allocstats_usable_size(TCACHED_LARGE_SIZE) +
                           HUGE_N * vtb_allocstats_usable_size(HUGE_SIZE);
    assert_int_equal(during.allocated_bytes - before.allocated_bytes,
                     small_handed_out * SMALL_SIZE + large_bytes);
    assert_int_equal(after.allocated_bytes, before.allocated_bytes);
    assert_true(during.active_bytes >= during.allocated_bytes);
    assert_true(during.mapped_bytes >= during.active_bytes);
    assert_true(during.resident_bytes > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_usable_size),
        cmocka_unit_test(test_unsupported_without_jemalloc),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_thread_counters_move_by_usable_size),
        cmocka_unit_test(test_thread_counters_are_per_thread),
        cmocka_unit_test(test_arena_counts_after_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

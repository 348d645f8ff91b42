/*
 * Counts, exactly, the writes a cache hit makes to shared memory, for each
 * cache locking design, and checks them against the figure the design
 * promises by construction (vtb_cache_shared_writes_per_hit). That figure is
 * what predicts scaling past this machine's two cores (docs/scaling.md), so
 * it must be a measurement and not only a comment.
 *
 * How: the cache is created while this thread allocates from a jemalloc
 * arena of its own whose memory comes from one region we map ourselves
 * (extent hooks), so every byte the cache owns lies in that region. The
 * region is then made read-only and the hits run. A store into it faults;
 * the SIGSEGV handler counts the store and the cache line it hits, makes the
 * page writable and sets the trap flag, so that the store completes and the
 * next instruction raises SIGTRAP, whose handler makes the page read-only
 * again. Every store instruction into cache memory is counted once, including
 * a locked compare-and-swap that fails (x86 writes on it anyway, and so does
 * the cache-coherence protocol). The hit's own state (the caller's counters,
 * the stack) is outside the region and is not counted: it is not shared.
 *
 * Needs jemalloc (extent hooks) and x86-64 (the trap flag); elsewhere the
 * tests are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "vtb/cache_internal.h"

#if defined(VTB_WITH_JEMALLOC) && VTB_WITH_JEMALLOC && defined(__x86_64__)
#define CAN_COUNT 1
#include <jemalloc/jemalloc.h>
#else
#define CAN_COUNT 0
#endif

#if CAN_COUNT

#define REGION_BYTES ((size_t)256 << 20)
#define TRAP_FLAG 0x100 /* EFLAGS.TF */
#define MAX_LINES 64

/* The region and the handlers' state: plain statics, outside the region. */
static char *region;
static size_t region_used;
static volatile sig_atomic_t writes;
static uintptr_t lines[MAX_LINES]; /* distinct cache lines written */
static volatile sig_atomic_t line_count;
static char *unprotected_page;

static void *hook_alloc(extent_hooks_t *hooks, void *new_addr, size_t size, size_t alignment,
                        bool *zero, bool *commit, unsigned arena_ind)
{
    (void)hooks;
    (void)arena_ind;
    if (new_addr != NULL)
        return NULL; /* cannot grow an extent in place */
    size_t start = (region_used + alignment - 1) & ~(alignment - 1);
    if (start + size > REGION_BYTES)
        return NULL;
    region_used = start + size;
    *zero = true; /* fresh anonymous memory, never reused */
    *commit = true;
    return region + start;
}

/* Returning true opts out: jemalloc keeps the memory (we never unmap it). */
static bool hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size, bool committed,
                        unsigned arena_ind)
{
    (void)hooks, (void)addr, (void)size, (void)committed, (void)arena_ind;
    return true;
}

static bool hook_commit(extent_hooks_t *hooks, void *addr, size_t size, size_t offset,
                        size_t length, unsigned arena_ind)
{
    (void)hooks, (void)addr, (void)size, (void)offset, (void)length, (void)arena_ind;
    return false; /* always committed */
}

static bool hook_refuse(extent_hooks_t *hooks, void *addr, size_t size, size_t offset,
                        size_t length, unsigned arena_ind)
{
    (void)hooks, (void)addr, (void)size, (void)offset, (void)length, (void)arena_ind;
    return true; /* no decommit, no purge */
}

static bool hook_split(extent_hooks_t *hooks, void *addr, size_t size, size_t size_a,
                       size_t size_b, bool committed, unsigned arena_ind)
{
    (void)hooks, (void)addr, (void)size, (void)size_a, (void)size_b, (void)committed;
    (void)arena_ind;
    return false; /* one contiguous mapping: any split is fine */
}

static bool hook_merge(extent_hooks_t *hooks, void *addr_a, size_t size_a, void *addr_b,
                       size_t size_b, bool committed, unsigned arena_ind)
{
    (void)hooks, (void)addr_a, (void)size_a, (void)addr_b, (void)size_b, (void)committed;
    (void)arena_ind;
    return false;
}

static extent_hooks_t region_hooks = {
    .alloc = hook_alloc,
    .dalloc = hook_dalloc,
    .commit = hook_commit,
    .decommit = hook_refuse,
    .purge_lazy = hook_refuse,
    .purge_forced = hook_refuse,
    .split = hook_split,
    .merge = hook_merge,
};

static bool in_region(const void *p)
{
    return (const char *)p >= region && (const char *)p < region + REGION_BYTES;
}

static void on_segv(int sig, siginfo_t *info, void *uctx)
{
    ucontext_t *uc = uctx;
    if (!in_region(info->si_addr) || unprotected_page != NULL) {
        /* Not ours: crash as if we were not here. */
        signal(sig, SIG_DFL);
        return;
    }
    writes++;
    uintptr_t line = (uintptr_t)info->si_addr & ~(uintptr_t)63;
    int i = 0;
    while (i < line_count && lines[i] != line)
        i++;
    if (i == line_count && line_count < MAX_LINES)
        lines[line_count++] = line;
    long page_size = sysconf(_SC_PAGESIZE);
    unprotected_page = (char *)((uintptr_t)info->si_addr & ~(uintptr_t)(page_size - 1));
    mprotect(unprotected_page, (size_t)page_size, PROT_READ | PROT_WRITE);
    uc->uc_mcontext.gregs[REG_EFL] |= TRAP_FLAG;
}

static void on_trap(int sig, siginfo_t *info, void *uctx)
{
    (void)sig;
    (void)info;
    ucontext_t *uc = uctx;
    uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)TRAP_FLAG;
    if (unprotected_page != NULL) {
        mprotect(unprotected_page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ);
        unprotected_page = NULL;
    }
}

static unsigned region_arena;

static int setup(void **state)
{
    (void)state;
    region = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                  0);
    if (region == MAP_FAILED)
        return -1;
    extent_hooks_t *hooks = &region_hooks;
    size_t sz = sizeof(region_arena);
    return mallctl("arenas.create", &region_arena, &sz, &hooks, sizeof(hooks)) == 0 ? 0 : -1;
}

/* The handlers are installed only around the read-only window: cmocka
 * installs its own SIGSEGV handler for every test, and gets it back after. */
static struct sigaction saved_segv, saved_trap;

static void protect_region(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_segv;
    assert_int_equal(sigaction(SIGSEGV, &sa, &saved_segv), 0);
    sa.sa_sigaction = on_trap;
    assert_int_equal(sigaction(SIGTRAP, &sa, &saved_trap), 0);
    assert_int_equal(mprotect(region, REGION_BYTES, PROT_READ), 0);
}

static void unprotect_region(void)
{
    assert_int_equal(mprotect(region, REGION_BYTES, PROT_READ | PROT_WRITE), 0);
    assert_int_equal(sigaction(SIGSEGV, &saved_segv, NULL), 0);
    assert_int_equal(sigaction(SIGTRAP, &saved_trap, NULL), 0);
}

/* Creates a cache whose every allocation comes from the region: this
 * thread is bound to the region's arena, with its thread cache off so that
 * even small allocations go to the arena. */
static struct vtb_cache *cache_in_region(const struct vtb_cache_config *config)
{
    unsigned old_arena;
    size_t sz = sizeof(old_arena);
    bool off = false, on = true;
    assert_int_equal(mallctl("thread.arena", &old_arena, &sz, NULL, 0), 0);
    assert_int_equal(mallctl("thread.tcache.enabled", NULL, NULL, &off, sizeof(off)), 0);
    assert_int_equal(mallctl("thread.arena", NULL, NULL, &region_arena, sizeof(region_arena)),
                     0);
    struct vtb_cache *cache = NULL;
    int rc = vtb_cache_new(config, &cache);
    assert_int_equal(mallctl("thread.arena", NULL, NULL, &old_arena, sizeof(old_arena)), 0);
    assert_int_equal(mallctl("thread.tcache.enabled", NULL, NULL, &on, sizeof(on)), 0);
    assert_int_equal(rc, 0);
    assert_true(in_region(cache));
    return cache;
}

struct count {
    double writes_per_hit;
    double lines_per_hit;
    unsigned distinct_lines;
};

/* Runs n hits (after one untimed pass that sets the CLOCK reference bits,
 * which a steady state has long set) with the region read-only. */
static struct count count_hits(enum vtb_cache_lock lock, uint64_t ttl_ns, unsigned n)
{
    enum { KEYS = 256 };
    struct vtb_cache_config config = {.capacity = 4 * KEYS, .ttl_ns = ttl_ns, .lock = lock};
    struct vtb_cache *cache = cache_in_region(&config);
    struct vtb_cache_counters counters = {0}; /* the caller's, on our stack */
    uint64_t value;
    for (uint64_t key = 0; key < KEYS; key++)
        assert_int_equal(vtb_cache_put(cache, key, key * 3, VTB_CACHE_PIN, &counters), 0);
    for (uint64_t key = 0; key < KEYS; key++)
        assert_true(vtb_cache_get(cache, key, &value, &counters));

    writes = 0;
    line_count = 0;
    unsigned per_hit_lines_total = 0;
    protect_region();
    for (unsigned i = 0; i < n; i++) {
        uint64_t key = i % KEYS;
        bool hit = vtb_cache_get(cache, key, &value, &counters);
        /* No cmocka call while the region is read-only: note and check after. */
        if (!hit || value != key * 3)
            per_hit_lines_total += 1000000;
        per_hit_lines_total += (unsigned)line_count;
        line_count = 0; /* distinct lines per hit, not per run */
    }
    unprotect_region();
    assert_true(per_hit_lines_total < 1000000); /* every get hit, with the right value */
    struct count c = {
        .writes_per_hit = (double)writes / n,
        .lines_per_hit = (double)per_hit_lines_total / n,
    };
    vtb_cache_free(cache);
    return c;
}

static void check_design(enum vtb_cache_lock lock)
{
    unsigned promised = vtb_cache_shared_writes_per_hit(lock);
    for (int with_ttl = 0; with_ttl < 2; with_ttl++) {
        struct count c = count_hits(lock, with_ttl ? UINT64_C(3600000000000) : 0, 2000);
        print_message("%-8s ttl=%d: %.2f shared stores and %.2f shared cache lines per hit "
                      "(by construction: %u)\n",
                      vtb_cache_lock_name(lock), with_ttl, c.writes_per_hit, c.lines_per_hit,
                      promised);
        if (promised == 0) {
            /* Seqlock: not one store into the cache on a steady-state hit. */
            assert_true(c.writes_per_hit == 0.0);
            assert_true(c.lines_per_hit == 0.0);
        } else {
            /* A mutex: lock and unlock each write its word, its owner and
             * its user count (glibc), all in one cache line, the stripe's. */
            assert_true(c.writes_per_hit == (double)promised);
            assert_true(c.lines_per_hit == 1.0);
        }
    }
}

static void test_global(void **state)
{
    (void)state;
    check_design(VTB_CACHE_LOCK_GLOBAL);
}

static void test_sharded(void **state)
{
    (void)state;
    check_design(VTB_CACHE_LOCK_SHARDED);
}

static void test_seqlock(void **state)
{
    (void)state;
    check_design(VTB_CACHE_LOCK_SEQLOCK);
}

/* The counter catches a store it should: a deliberate write into the region. */
static void test_counter_sees_writes(void **state)
{
    (void)state;
    writes = 0;
    line_count = 0;
    volatile char *p = region + REGION_BYTES - 4096;
    protect_region();
    p[0] = 1;
    p[64] = 2;
    p[65] = 3;
    unprotect_region();
    assert_int_equal(writes, 3);
    assert_int_equal(line_count, 2);
    assert_int_equal(p[65], 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_sees_writes),
        cmocka_unit_test(test_global),
        cmocka_unit_test(test_sharded),
        cmocka_unit_test(test_seqlock),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

#else /* !CAN_COUNT */

static void test_skipped(void **state)
{
    (void)state;
    skip(); /* needs jemalloc's extent hooks and x86-64's trap flag */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_skipped)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif

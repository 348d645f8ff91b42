/*
 * A standalone micro-benchmark of the cache's hit path, one figure per lock
 * design and thread count: what a hit costs before any completion strategy
 * is layered on top. It exists to check that the lock design is not what the
 * harness ends up measuring, and to show how each design scales from one
 * thread to two. It is not part of the product or the test suite.
 *
 * Build (from the repository root):
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Iimpl/include scripts/bench-cache.c \
 *       impl/cache.c impl/error.c -lpthread -lm -o /tmp/bench-cache
 * Run: /tmp/bench-cache [gets_per_thread]
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vtb/cache.h"
#include "vtb/rng.h"

enum {
    bench_keys = 4096, /* hot set: every get is a hit */
    bench_max_threads = 2,
};

struct bench_worker {
    pthread_t thread;
    struct vtb_cache *cache;
    pthread_barrier_t *start;
    unsigned id;
    uint64_t gets;
    uint64_t checksum; /* keeps the loop's loads from being optimised away */
    struct vtb_cache_counters counters;
    uint64_t elapsed_ns;
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static void *bench_run(void *arg)
{
    struct bench_worker *w = arg;
    struct vtb_rng rng;
    vtb_rng_seed(&rng, 1, w->id);
    pthread_barrier_wait(w->start);

    uint64_t start_ns = monotonic_ns();
    for (uint64_t n = 0; n < w->gets; n++) {
        uint64_t value = 0;
        vtb_cache_get(w->cache, vtb_rng_next(&rng) & (bench_keys - 1), &value, &w->counters);
        w->checksum += value;
    }
    w->elapsed_ns = monotonic_ns() - start_ns;
    return NULL;
}

/* Returns the mean ns per get over all threads, or a negative value on error. */
static double bench_one(enum vtb_cache_lock lock, unsigned threads, uint64_t gets)
{
    struct vtb_cache_config config = {
        .capacity = 2 * bench_keys,
        .lock = lock,
    };
    struct vtb_cache *cache;
    struct vtb_cache_counters setup = { 0 };
    struct bench_worker workers[bench_max_threads] = { 0 };
    pthread_barrier_t start;
    double ns_per_get = -1.0;

    if (vtb_cache_new(&config, &cache) != 0)
        return -1.0;
    for (uint64_t k = 0; k < bench_keys; k++)
        vtb_cache_put(cache, k, k, 0, &setup);
    if (pthread_barrier_init(&start, NULL, threads) != 0)
        goto out_free_cache;

    unsigned started;
    for (started = 0; started < threads; started++) {
        struct bench_worker *w = &workers[started];
        w->cache = cache;
        w->start = &start;
        w->id = started;
        w->gets = gets;
        if (pthread_create(&w->thread, NULL, bench_run, w) != 0)
            break;
    }
    /* A thread that failed to start would leave the others at the barrier
     * forever, so only a full start is measured; this is a script, and a
     * failed pthread_create is reported and ends it. */
    if (started != threads) {
        fprintf(stderr, "bench-cache: pthread_create failed\n");
        exit(1);
    }

    uint64_t total_ns = 0, total_gets = 0;
    struct vtb_cache_counters sum = { 0 };
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
        total_ns += workers[i].elapsed_ns;
        total_gets += workers[i].gets;
        vtb_cache_counters_add(&sum, &workers[i].counters);
    }
    if (sum.hits == total_gets)
        ns_per_get = (double)total_ns / (double)total_gets;
    pthread_barrier_destroy(&start);
out_free_cache:
    vtb_cache_free(cache);
    return ns_per_get;
}

int main(int argc, char **argv)
{
    uint64_t gets = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
    enum vtb_cache_lock locks[] = { VTB_CACHE_LOCK_GLOBAL, VTB_CACHE_LOCK_SHARDED,
                                    VTB_CACHE_LOCK_SEQLOCK };

    printf("%-8s %7s %12s %20s\n", "lock", "threads", "ns/hit", "shared writes/hit");
    for (size_t l = 0; l < sizeof(locks) / sizeof(locks[0]); l++) {
        for (unsigned threads = 1; threads <= bench_max_threads; threads++) {
            double ns = bench_one(locks[l], threads, gets);
            if (ns < 0) {
                fprintf(stderr, "bench-cache: %s x%u failed\n", vtb_cache_lock_name(locks[l]),
                        threads);
                return 1;
            }
            printf("%-8s %7u %12.1f %20u\n", vtb_cache_lock_name(locks[l]), threads, ns,
                   vtb_cache_shared_writes_per_hit(locks[l]));
        }
    }
    return 0;
}

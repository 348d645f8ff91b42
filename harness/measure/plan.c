/*
 * The plan of a run (see plan.h): the time model per cell, the memory of
 * the largest cell, and the files.
 */
#include "plan.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "histogram.h"
#include "runner_internal.h"

/* Under callgrind, everything is about this much slower. */
#define CALLGRIND_SLOWDOWN 50.0
/* A cell's fixed costs: threads, service, histograms, between-run gaps. */
#define CELL_OVERHEAD_S 0.02
/* The probe that turns a duration into an operation count. */
#define PROBE_OPS 10000.0
/* Filling a cache: pinning one key of the hit set, and faulting in and
 * initialising its table, per byte. */
#define PRELOAD_NS_PER_KEY 80.0
#define CACHE_INIT_NS_PER_BYTE 0.5

static double hit_share(const struct vtb_cell *cell)
{
    if (!isnan(cell->hit_ratio))
        return cell->hit_ratio;
    /* Emergent: after the warm-up a cache that holds every key hits; one
     * that holds a share of them hits about that share (less with a TTL,
     * which the model ignores). */
    double fits = (double)cell->capacity / (double)cell->keys;
    return fits >= 1 ? 1.0 : fits;
}

/* What a hit waits for its lock per other thread, in ns (measured with
 * threads.ini on the project's 2-vCPU VM: global 99/188/437 ns per hit on
 * 2/4/8 threads, sharded 33/52/117, seqlock 17/26/40). */
static double lock_wait_ns(const struct vtb_cell *cell)
{
    double others = cell->threads > 1 ? (double)(cell->threads - 1) : 0;
    switch (cell->cache_lock) {
    case VTB_CACHE_LOCK_GLOBAL:
        return VTB_PLAN_GLOBAL_LOCK_NS * others;
    case VTB_CACHE_LOCK_SHARDED:
        return VTB_PLAN_SHARDED_LOCK_NS * others;
    default:
        return 0; /* seqlock readers do not wait for each other */
    }
}

/* True when a miss of the cell waits for a Redis round trip: its backend
 * is the server, or its latency is the server's, measured. */
static bool redis_bound(const struct vtb_cell *cell)
{
    return cell->backend != VTB_BACKEND_SIM || cell->miss_latency.kind == VTB_LATENCY_MEASURED;
}

/* The mean latency of a miss, in ns. */
static double miss_latency_ns(const struct vtb_cell *cell)
{
    return redis_bound(cell) ? VTB_PLAN_REDIS_MISS_NS : vtb_latency_mean_ns(&cell->miss_latency);
}

/* The model's time per operation on one thread, in ns. */
static double per_op_ns(const struct vtb_cell *cell, bool *latency_bound)
{
    double h = hit_share(cell);
    double miss_cpu = cell->completion == VTB_COMPLETE_ON_THREAD ? VTB_PLAN_THREAD_MISS_NS
                                                                 : VTB_PLAN_MISS_NS;
    double wait = miss_latency_ns(cell) / cell->concurrency;
    *latency_bound = wait > miss_cpu && h < 1;
    return h * VTB_PLAN_HIT_NS + (1 - h) * (wait > miss_cpu ? wait : miss_cpu);
}

/* How many CPUs' worth of time the threads take: beyond the machine's CPUs
 * they queue. */
static double cpu_share(unsigned threads)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    return threads > (unsigned)cpus ? (double)threads / (double)cpus : 1.0;
}

/*
 * The rounds a cell is expected to take (most: at worst). A fixed count is
 * what it says. With repetitions = auto the runner stops when the ratios
 * are precise, which on this project's VM takes VTB_PLAN_AUTO_ROUNDS
 * rounds in a typical cell, and at worst when max_time is spent (always
 * at least VTB_ROUNDS_MIN rounds).
 */
static double plan_rounds(const struct vtb_settings *st, double round_s, bool most)
{
    if (st->repetitions > 0)
        return st->repetitions;
    double by_time = round_s > 0 ? ceil((double)st->max_time / 1e9 / round_s) : VTB_ROUNDS_MAX;
    if (by_time < VTB_ROUNDS_MIN)
        by_time = VTB_ROUNDS_MIN;
    if (by_time > VTB_ROUNDS_MAX)
        by_time = VTB_ROUNDS_MAX;
    if (most)
        return by_time;
    return by_time < VTB_PLAN_AUTO_ROUNDS ? by_time : VTB_PLAN_AUTO_ROUNDS;
}

static double cell_seconds(const struct vtb_settings *st, const struct vtb_cell *cell,
                           size_t impls, struct vtb_plan_slowest *why, double *most)
{
    bool latency_bound;
    double wait_ns = hit_share(cell) * lock_wait_ns(cell);
    double op_ns = per_op_ns(cell, &latency_bound) * cpu_share(cell->threads) + wait_ns;
    double floor_ns = VTB_PLAN_HIT_NS * cpu_share(cell->threads) + wait_ns;
    bool open = cell->load.kind == VTB_LOAD_OPEN;
    double ops = st->ops > 0 ? (double)st->ops : (double)st->duration / op_ns;
    double run_s = ops * op_ns / 1e9;
    if (open) {
        /* An open loop paces itself: its length is the schedule's. */
        double paced = ops / cell->load.rate_per_s;
        run_s = st->ops > 0 ? fmax(paced, run_s) : (double)st->duration / 1e9;
    } else if (st->ops == 0) {
        run_s = (double)st->duration / 1e9 + PROBE_OPS * op_ns / 1e9;
    }
    double warm_s = st->warmup.ns > 0 ? (double)st->warmup.ns / 1e9
                                      : (double)st->warmup.ops * op_ns / 1e9;
    double floor_run_s = ops * floor_ns / 1e9;
    double preload_s = isnan(cell->hit_ratio) ? 0 : (double)cell->keys * PRELOAD_NS_PER_KEY / 1e9;
    double round_s = (double)impls * run_s + floor_run_s;
    double rounds = plan_rounds(st, round_s, false);
    double fixed_s = (double)(impls + 1) * warm_s + preload_s + CELL_OVERHEAD_S;
    double total = rounds * round_s + fixed_s;
    *most = plan_rounds(st, round_s, true) * round_s + fixed_s;
    *why = (struct vtb_plan_slowest){
        .cell = cell->index,
        .seconds = total,
        .ops_per_run = (uint64_t)ops,
        .runs = (unsigned)(rounds * (double)(impls + 1)) + (unsigned)impls + 1,
        .per_op_ns = op_ns,
        .latency_bound = latency_bound,
        .miss_latency_ns = miss_latency_ns(cell),
        .redis = redis_bound(cell),
        .concurrency = cell->concurrency,
        .open_loop = open,
    };
    return total;
}

static int cell_memory(const struct vtb_settings *st, const struct vtb_cell *cell, size_t impls,
                       uint64_t hist_bytes, struct vtb_plan_biggest *out, struct vtb_error *err)
{
    struct vtb_cache_config cache = {.capacity = cell->capacity, .lock = cell->cache_lock};
    if (!isnan(cell->hit_ratio) && cache.capacity < 2 * cell->keys + 1024)
        cache.capacity = 2 * cell->keys + 1024; /* as the runner sizes it */
    size_t cache_bytes = 0;
    if (vtb_cache_footprint(&cache, &cache_bytes) != 0)
        return vtb_error_set(err, VTB_ERANGE,
                             "cell %zu: a cache of %zu entries does not fit in memory",
                             cell->index, cache.capacity);
    uint64_t ops = st->ops > 0 ? st->ops : VTB_DRIVER_KEY_BUFFER;
    uint64_t keys_per_thread = ops < VTB_DRIVER_KEY_BUFFER ? ops : VTB_DRIVER_KEY_BUFFER;
    *out = (struct vtb_plan_biggest){
        .cell = cell->index,
        .cache_bytes = cache_bytes,
        .cache_entries = cache.capacity,
        .histogram_bytes = hist_bytes * 4 * (cell->threads + impls + 1),
        .key_bytes = keys_per_thread * sizeof(uint64_t) * cell->threads,
    };
    return 0;
}

static uint64_t physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
}

static uint64_t histogram_bytes(void)
{
    struct vtb_hist h;
    if (vtb_hist_init(&h, VTB__RUNNER_HIST_LOWEST, VTB__RUNNER_HIST_HIGHEST,
                      VTB__RUNNER_HIST_SIGFIGS) != 0)
        return 0;
    uint64_t bytes = sizeof(h) + (uint64_t)h.counts_len * sizeof(*h.counts);
    vtb_hist_fini(&h);
    return bytes;
}

static uint64_t biggest_total(const struct vtb_plan_biggest *b)
{
    return b->cache_bytes + b->histogram_bytes + b->key_bytes;
}

/* The run's server, once: started (unless backend_url names one) and
 * loaded with the largest key space of its cells (and, on a backend_url
 * server, those keys deleted at the end). */
static double server_seconds(const struct vtb_scenario *s)
{
    bool server = false;
    uint64_t key_space = 0;
    size_t n = vtb_scenario_cell_count(s);
    for (size_t c = 0; c < n; c++) {
        struct vtb_cell cell;
        vtb_scenario_cell(s, c, &cell);
        if (cell.backend == VTB_BACKEND_SIM)
            continue;
        server = true;
        if (cell.keys > key_space)
            key_space = cell.keys;
    }
    if (!server)
        return 0;
    double load_s = (double)key_space * VTB_PLAN_REDIS_LOAD_NS_PER_KEY / 1e9;
    return s->settings.backend_url != NULL ? 2 * load_s : VTB_PLAN_REDIS_START_S + load_s;
}

int vtb_plan_run(const struct vtb_scenario *s, size_t impl_count,
                 const struct vtb_plan_outputs *outputs, bool instructions, struct vtb_plan *out,
                 struct vtb_error *err)
{
    memset(out, 0, sizeof(*out));
    out->cells = vtb_scenario_cell_count(s);
    out->impls = impl_count;
    out->physical_bytes = physical_memory();
    uint64_t hist_bytes = histogram_bytes();
    for (size_t c = 0; c < out->cells; c++) {
        struct vtb_cell cell;
        struct vtb_plan_slowest why;
        struct vtb_plan_biggest need;
        vtb_scenario_cell(s, c, &cell);
        int rc = cell_memory(&s->settings, &cell, impl_count, hist_bytes, &need, err);
        if (rc != 0)
            return rc;
        /* Creating the cache touches every byte of it. */
        double most = 0;
        double cache_s = (double)need.cache_bytes * CACHE_INIT_NS_PER_BYTE / 1e9;
        double seconds = cell_seconds(&s->settings, &cell, impl_count, &why, &most) + cache_s;
        most += cache_s;
        if (instructions) {
            seconds *= CALLGRIND_SLOWDOWN;
            most *= CALLGRIND_SLOWDOWN;
        }
        out->seconds_most += most;
        why.seconds = seconds;
        out->seconds += seconds;
        if (c == 0 || seconds > out->slowest.seconds)
            out->slowest = why;
        if (c == 0 || biggest_total(&need) > out->memory_bytes) {
            out->biggest = need;
            out->memory_bytes = biggest_total(&need);
        }
    }
    out->server_seconds = server_seconds(s);
    out->seconds += out->server_seconds;
    out->seconds_most += out->server_seconds;
    out->files = (uint64_t)outputs->files_per_run +
                 (uint64_t)out->cells * impl_count * outputs->files_per_record;
    out->too_long = out->seconds > VTB_PLAN_MAX_SECONDS;
    out->too_big = out->physical_bytes > 0 &&
                   (double)out->memory_bytes > VTB_PLAN_MAX_MEMORY_SHARE * (double)out->physical_bytes;
    out->too_many_files = out->files > VTB_PLAN_MAX_FILES;
    return 0;
}

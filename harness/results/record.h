/*
 * Plain-data records that the runner produces and the reporters format.
 *
 * As in Google Benchmark, measurement and reporting never meet: the runner
 * fills one struct vtb_record per cell x implementation (plus a run-wide
 * struct vtb_run_info), statistics are computed by stats.c before a record is
 * handed on, and reporters only format what is here. A record and what it
 * points to (samples, histograms) are valid only during the reporter's
 * record call: reporters copy what they keep.
 */
#ifndef VTB_RECORD_H
#define VTB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "histogram.h"
#include "stats.h"
#include "vtb/cache.h"
#include "vtb/pool.h"
#include "vtb/error.h"
#include "vtb/service.h"

#define VTB_RECORD_TEXT 64
/*
 * worker_cpus: for each worker in index order, the CPUs it was seen running
 * on (read after every run of the cell), joined by '+'; workers separated
 * by a space. "0 1": two workers that stayed on CPUs 0 and 1; "0+1 0+1":
 * two workers that both migrated. Cut with "..." when longer than a text
 * field (many threads).
 */
#define VTB_RECORD_CPUS_TEXT VTB_RECORD_TEXT

/* Latency percentiles of one histogram, in ns; NaN when it is empty. */
struct vtb_latency_summary {
    uint64_t count; /* operations represented (sampled hits are weighted) */
    double p50_ns, p90_ns, p99_ns, p999_ns, p9999_ns, max_ns, mean_ns;
};

struct vtb_record {
    /* Identity of the cell. */
    char scenario[VTB_RECORD_TEXT];
    char impl[VTB_RECORD_TEXT];
    unsigned cell_index;    /* 0-based position in the sweep */
    unsigned threads;
    unsigned concurrency;
    char key_dist[VTB_RECORD_TEXT];
    double hit_ratio_target; /* NaN in emergent mode */
    uint64_t keys;
    uint64_t capacity;
    uint64_t ttl_ms;
    char miss_latency[VTB_RECORD_TEXT]; /* the spec as written */
    double miss_latency_ns;             /* its mean */
    char completion[16];
    char continuation[16];
    char cache_lock[16];
    uint64_t ops;          /* measured operations per repetition, all threads */
    unsigned repetitions;
    uint64_t latency_sample_every; /* 1 = every hit recorded; 0 = recording off */

    /* Time, over repetitions. */
    struct vtb_summary ns_per_op; /* per-thread ns per operation */
    double ops_per_sec;           /* aggregate, from the median repetition */
    double ops_per_sec_per_thread;
    const double *samples_ns_per_op; /* `repetitions` values, valid during the call */
    unsigned warnings;               /* VTB_STATS_WARN_... bits */

    /* Latency from issue to consumption. */
    struct vtb_latency_summary all, hit, miss;
    const struct vtb_hist *hist_all, *hist_hit, *hist_miss; /* valid during the call */

    /* Hits actually seen. */
    double hit_ratio;

    /* Allocation, per operation, summed over every thread that did work. */
    double allocs_per_op;          /* library's own counts at its allocation sites */
    double requested_bytes_per_op; /* sizes the library asked malloc for */
    double bytes_per_op;           /* jemalloc's usable bytes; NaN without jemalloc */
    uint64_t total_alloc_bytes;    /* usable (or requested) bytes in one repetition */
    uint64_t resident_peak_bytes;  /* jemalloc stats.resident peak; 0 if unknown */
    bool bytes_are_usable;         /* false: bytes_per_op fields are requested sizes */

    /* Service counters, summed over threads and repetitions. */
    struct vtb_cache_counters cache;
    struct vtb_pool_counters pool;

    /* Cost floor: the same cache lookup with no result wrapper, on hits. */
    double floor_ns_per_hit;

    /* Instructions per operation (callgrind), NaN unless counted. */
    double instructions_per_op;

    /* Correctness: a run with errors or wrong values is reported, not hidden. */
    uint64_t errors;           /* gets or consumptions that failed */
    int first_error;           /* VTB_E... code of the first failure, 0 if none */
    uint64_t value_mismatches; /* sampled results that differed from the backend's value */

    /* Load. Closed loop: "closed", the open-loop fields NaN, rate_reached
     * true. Open loop (openloop.h): every operation is recorded
     * (latency_sample_every = 1), all/hit/miss are measured from each
     * operation's intended start (coordinated omission corrected) and
     * `uncorrected` from its actual issue. */
    char load[VTB_RECORD_TEXT];    /* "closed", "open:100000", "open:100000:poisson" */
    double intended_ops_per_sec;   /* aggregate: rate x threads */
    double achieved_ops_per_sec;   /* aggregate, from the median repetition */
    bool rate_reached;             /* every thread kept to its schedule in every repetition */
    double schedule_lag_max_ns;    /* largest issue - intended of any operation */
    struct vtb_latency_summary uncorrected;
    const struct vtb_hist *hist_uncorrected; /* NULL in closed loop; valid during the call */

    /* Scaling. */
    unsigned shared_writes_per_hit; /* the cache design's, by construction */
    bool pin_threads;
    char worker_cpus[VTB_RECORD_CPUS_TEXT]; /* CPUs each worker was seen on, see below */
    unsigned jemalloc_narenas;      /* arenas.narenas during the cell; 0 without jemalloc */
    bool jemalloc_tcache;           /* opt.tcache */
};

/* The record's latency histograms, by kind, in the order reporters write
 * them: "all", "hit" (synchronous completions), "miss". Returns the
 * histogram (possibly NULL) and sets *kind; index < VTB_RECORD_HIST_KINDS. */
#define VTB_RECORD_HIST_KINDS 3
static inline const struct vtb_hist *vtb_record_hist(const struct vtb_record *rec, size_t index,
                                                     const char **kind)
{
    static const char *const kinds[VTB_RECORD_HIST_KINDS] = {"all", "hit", "miss"};
    const struct vtb_hist *hists[VTB_RECORD_HIST_KINDS] = {rec->hist_all, rec->hist_hit,
                                                           rec->hist_miss};
    *kind = kinds[index];
    return hists[index];
}

/* Run-wide information, given to reporters once before any record. */
struct vtb_run_info {
    char scenario[VTB_RECORD_TEXT];
    char scenario_file[256];
    char run_dir[512];
    const struct vtb_context *context;
    struct vtb_object_sizes sizes;
    size_t jemalloc_task_usable;         /* usable size of a completed task */
    size_t jemalloc_task_pending_usable; /* usable size of a pending task */
    size_t jemalloc_source_usable;
    double timer_overhead_ns;
    double floor_ns_per_hit; /* of the first cell, for the summary */
    unsigned cell_count;
    unsigned impl_count;
    bool instructions_mode;
    bool complete;           /* false when the run was interrupted */
    unsigned cells_done;
    bool pin_threads;        /* the scenario's pin_threads */
    /* cell_count entries, filled as cells complete (NULL: none kept): how
     * each cell ran, for context.json. */
    struct vtb_cell_info *cells;
};

/* How one cell ran, beyond its records: threads, CPUs, allocator, load. */
struct vtb_cell_info {
    bool done;
    unsigned threads;
    bool pin_threads;
    char worker_cpus[VTB_RECORD_CPUS_TEXT];
    char cache_lock[16];
    unsigned shared_writes_per_hit;
    unsigned jemalloc_narenas;
    bool jemalloc_tcache;
    char load[VTB_RECORD_TEXT];
    uint64_t latency_sample_every; /* 1 in open loop: every operation */
};

/*
 * Where a run's records go: the caller hands in its reporters behind this
 * interface (Google Benchmark's runner is handed its reporters the same
 * way); the run knows none of them. begin is called once with the run-wide
 * information, record once per cell x implementation, and end once, also
 * after a failure or an interruption (info->complete false), so that every
 * completed cell is kept. A record and what it points to are valid only
 * during the call.
 */
struct vtb_record_sink {
    int (*begin)(void *ctx, const struct vtb_run_info *info, struct vtb_error *err);
    int (*record)(void *ctx, const struct vtb_record *record, struct vtb_error *err);
    int (*end)(void *ctx, const struct vtb_run_info *info, struct vtb_error *err);
    void *ctx;
};

#endif /* VTB_RECORD_H */

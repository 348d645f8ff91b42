/*
 * Plain-data records that the runner produces and the reporters format.
 *
 * As in Google Benchmark, measurement and reporting never meet: the runner
 * fills one struct vtb_record per cell x implementation (plus a run-wide
 * struct vtb_run_info), statistics are computed by stats.c before a record is
 * handed on, and reporters only format what is here. A record carries its
 * cell unchanged, as the scenario resolved it (scenario/keys.h): the axis
 * values travel from the scenario file to the results.csv columns without
 * being copied by hand or turned into text on the way. A record and what it
 * points to (samples, histograms, CPU sets) are valid only during the
 * reporter's call: reporters copy what they keep.
 */
#ifndef VTB_RECORD_H
#define VTB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "histogram.h"
#include "keys.h"
#include "ratios.h"
#include "stats.h"
#include "vtb/cache.h"
#include "vtb/error.h"
#include "vtb/pool.h"
#include "vtb/service.h"

#define VTB_RECORD_TEXT 64

/* Latency percentiles of one histogram, in ns; NaN when it is empty. */
struct vtb_latency_summary {
    uint64_t count;   /* operations represented (sampled hits are weighted) */
    uint64_t samples; /* latencies actually timed: percentiles rest on these */
    double p50_ns, p90_ns, p99_ns, p999_ns, p9999_ns, max_ns, mean_ns;
};

/* The CPUs one worker was seen running on (read after every run of the
 * cell), as a bit set of CPUs 0..63 (higher CPUs are folded into bit 63). */
typedef uint64_t vtb_cpu_mask;

struct vtb_record {
    /* Identity: the scenario, the implementation and the cell. */
    char scenario[VTB_RECORD_TEXT];
    char impl[VTB_RECORD_TEXT];
    struct vtb_cell cell;

    /* How the cell ran. */
    uint64_t cache_capacity;       /* the cache's real capacity (exact mode adds room) */
    double miss_latency_ns;        /* mean of cell.miss_latency */
    uint64_t ops;                  /* measured operations per repetition, all threads */
    unsigned repetitions;
    uint64_t latency_sample_every; /* 1 = every hit recorded; 0 = recording off */

    /* Time, over the rounds in use (every round, unless disturbed rounds
     * were excluded: see below). A round runs the floor and every
     * implementation once, interleaved (measure/rounds.h). */
    struct vtb_summary ns_per_op; /* per-thread ns per operation */
    /* Throughput from the same estimator as ns_per_op (threads x 1e9 /
     * ns_per_op.mean, its interval from ns_per_op's), so that a throughput
     * chart and an ns/op chart of one run rank the implementations alike. */
    double ops_per_sec, ops_per_sec_ci_low, ops_per_sec_ci_high;
    double ops_per_sec_per_thread;
    double ops_per_sec_wall; /* all threads' ops / wall time, median round (closer to a
                              * service's view when threads outnumber CPUs) */
    unsigned warnings;       /* VTB_STATS_WARN_... bits */

    /* The paired comparison (results/ratios.h): this implementation's ns
     * per operation over the reference's (ratio_to: the scenario's
     * baseline_impl when it ran, else the first implementation), from the
     * per-round ratios; diff is ns(impl) - ns(ratio_to) per operation, the
     * time choosing ratio_to saves. The reference's own record: ratio 1. */
    char ratio_to[VTB_RECORD_TEXT];
    struct vtb_ratio ratio;
    struct vtb_ratio floor_ratio; /* ns(impl) / floor, paired the same way */

    /* Rounds: how many, and why the runner stopped. */
    bool repetitions_auto;     /* the scenario said repetitions = auto */
    double precision;          /* the asked half-width (auto) */
    bool precision_reached;    /* every ratio of the cell reached it */
    unsigned rounds_disturbed; /* rounds whose floor strayed (rounds.h) */
    bool disturbed_excluded;   /* and were left out of every figure */
    /* Per round (repetitions values each), valid during the call: this
     * implementation's ns per op, the floor's, and whether it was disturbed. */
    const double *samples_ns_per_op;
    const double *samples_floor_ns;
    const bool *samples_disturbed;

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

    /* Load (cell.load). Closed loop: the open-loop fields NaN, rate_reached
     * true. Open loop (openloop.h): every operation is recorded
     * (latency_sample_every = 1), all/hit/miss are measured from each
     * operation's intended start (coordinated omission corrected) and
     * `uncorrected` from its actual issue. */
    double intended_ops_per_sec;   /* aggregate: rate x threads */
    double achieved_ops_per_sec;   /* aggregate, from the median repetition */
    bool rate_reached;             /* every thread kept to its schedule in every repetition */
    double schedule_lag_max_ns;    /* largest issue - intended of any operation */
    struct vtb_latency_summary uncorrected;
    const struct vtb_hist *hist_uncorrected; /* NULL in closed loop; valid during the call */

    /* Scaling. */
    unsigned shared_writes_per_hit;   /* the cache design's, by construction */
    bool pin_threads;
    const vtb_cpu_mask *worker_cpus;  /* cell.threads masks, valid during the call */
    unsigned jemalloc_narenas;        /* arenas.narenas during the cell; 0 without jemalloc */
    bool jemalloc_tcache;             /* opt.tcache */
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

/* The number of latencies timed for the index-th histogram (see
 * vtb_record_hist): the "all" histogram weights each sampled hit by the
 * sampling interval, so its count overstates what its percentiles rest on. */
static inline uint64_t vtb_record_hist_samples(const struct vtb_record *rec, size_t index)
{
    const struct vtb_latency_summary *s[VTB_RECORD_HIST_KINDS] = {&rec->all, &rec->hit,
                                                                  &rec->miss};
    return s[index]->samples;
}

/* Backend: the server the run's misses went to (backend = redis), for
 * context.json. Plain data, filled by the run (measure/backend_run.c). */
#define VTB_BACKEND_NOTE_SETTINGS 16
#define VTB_BACKEND_NOTE_TEXT 96
struct vtb_backend_note {
    char kind[16];                       /* "redis" */
    char url[256];                       /* where it listened */
    bool started;                        /* vtbench started it (else backend_url's) */
    int64_t pid;                         /* the started server's PID, 0 otherwise */
    char version[32];                    /* its redis_version */
    char key_prefix[64];                 /* every key vtbench wrote is under it */
    uint64_t keys_loaded;                /* objects written before the first cell */
    double load_seconds;
    uint64_t keys_deleted;               /* objects deleted at the end (backend_url) */
    uint64_t timeout_ns;                 /* backend_timeout */
    /* miss_latency = measured: probes of the server (one connection, one
     * request at a time, through the library's own miss path), one at the
     * start of the run and one right before each simulated measured cell:
     * the latest one's figures and the range of all their medians; 0
     * probes and NaN when no cell asked for one. */
    uint64_t probe_requests;             /* per probe */
    uint64_t probes;
    double probe_p50_ns, probe_p99_ns;
    double probe_p50_min_ns, probe_p50_max_ns;
    size_t setting_count;                /* CONFIG GET of what shapes latency */
    struct {
        char name[32];
        char value[VTB_BACKEND_NOTE_TEXT];
    } settings[VTB_BACKEND_NOTE_SETTINGS];
};

/* Run-wide information, given to reporters before any record and again at
 * the end with the run's status. */
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
    double clock_resolution_ns; /* the clock's smallest step */
    double floor_ns_per_hit; /* of the first cell, for the summary */
    unsigned cell_count;
    unsigned impl_count;
    bool instructions_mode;
    bool pin_threads;        /* the scenario's pin_threads */
    /* Status, final at the end. complete: every cell was measured (not
     * interrupted, no cell failed). status_note says why not. */
    bool complete;
    unsigned cells_done;
    char status_note[VTB_ERROR_MESSAGE_MAX];
    /* Backend: the run's server, NULL when every cell used the simulated
     * backend (complete once the server is set up). */
    const struct vtb_backend_note *backend;
};

/*
 * Where a run's records go: the caller hands in its reporters behind this
 * interface (Google Benchmark's runner is handed its reporters the same
 * way); the run knows none of them. begin is called once with the run-wide
 * information; cell once per completed cell with one record per
 * implementation, in implementation order; end once, also after a failure
 * or an interruption (info->complete false), so that every completed cell
 * is kept. Records and what they point to are valid only during the call.
 */
struct vtb_record_sink {
    int (*begin)(void *ctx, const struct vtb_run_info *info, struct vtb_error *err);
    int (*cell)(void *ctx, const struct vtb_run_info *info, const struct vtb_record *records,
                size_t count, struct vtb_error *err);
    int (*end)(void *ctx, const struct vtb_run_info *info, struct vtb_error *err);
    void *ctx;
};

#endif /* VTB_RECORD_H */

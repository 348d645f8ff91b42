/*
 * Scenarios: what one benchmark run measures, read from an INI file.
 *
 * A scenario file holds one [scenario] section of `key = value` lines. Most
 * keys are axes: a comma-separated list in an axis key makes a sweep, and
 * the run measures every cell of the cartesian product of all axes. The
 * implementations (impls) are not an axis: the runner measures all of them
 * in every cell, interleaved, so that they see the same machine state. The
 * other keys control the run (ops or duration, repetitions, warm-up, seed).
 * The keys, their defaults and ranges are listed by vtb_scenario_key_docs()
 * and in docs/scenarios.md.
 *
 * Example:
 *   [scenario]
 *   name = hit-sweep
 *   hit_ratio = 0.5, 0.7, 0.9, 0.99
 *   threads = 1, nproc
 *   miss_latency = exp:20us
 *
 * Errors carry a message of the form `FILE:LINE: KEY: what is wrong`
 * ("scenarios/x.ini:12: hit_ratio: must be in [0,1], got 1.5"); errors of a
 * --set override read `--set: KEY: what is wrong`. Line 0 stands for the file
 * as a whole (it cannot be opened or is empty); a missing name is reported at
 * the [scenario] line. Lines are limited to inih's buffer (199 bytes in the
 * stock build); longer lines are an error, not split. Codes: VTB_ESYNTAX for text
 * that does not have the expected form (a malformed line, binary data, a
 * line too long, a word where a number belongs), VTB_ERANGE for a well-formed
 * value out of range (negative or zero counts, overflow, too many list
 * values or cells), VTB_EINVAL for what is well formed but not allowed
 * (unknown or duplicate key or section, unknown name or distribution,
 * conflicting keys, missing name, empty file), VTB_ENOTFOUND / VTB_EIO when
 * the file cannot be opened or read, VTB_ENOMEM.
 *
 * Everything here is plain data: the runner and the reporters read the
 * structs directly. A scenario owns its strings and arrays.
 */
#ifndef VTB_HARNESS_SCENARIO_H
#define VTB_HARNESS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keydist.h"
#include "vtb/backend.h"
#include "vtb/cache.h"
#include "vtb/error.h"

/* Most values one list may hold, and most cells a scenario may make. */
#define VTB_SCENARIO_LIST_MAX 256
#define VTB_SCENARIO_CELLS_MAX 100000
/* Longest scenario name (it ends up in file names). */
#define VTB_SCENARIO_NAME_MAX 64
#define VTB_SCENARIO_THREADS_MAX 1024
#define VTB_SCENARIO_CONCURRENCY_MAX 4096
/* Buffer size that always holds vtb_cell_format_axis's output. */
#define VTB_CELL_TEXT_MAX 96

enum vtb_load_kind {
    VTB_LOAD_CLOSED = 0, /* each thread issues its next op when one completes */
    VTB_LOAD_OPEN = 1,   /* each thread issues ops at a fixed rate */
};

struct vtb_load {
    enum vtb_load_kind kind;
    double rate_per_s; /* open: ops per second per thread, (0, 1e9]; closed: 0 */
    bool poisson;      /* open: exponential gaps (open:RATE:poisson); false: fixed */
};

/* The axes, in cell order: cells are numbered like nested loops over the
 * axes in this order, so the first axis varies slowest and the last fastest. */
enum vtb_axis {
    VTB_AXIS_HIT_RATIO = 0,
    VTB_AXIS_KEYS,
    VTB_AXIS_CAPACITY,
    VTB_AXIS_TTL_MS,
    VTB_AXIS_KEY_DIST,
    VTB_AXIS_THREADS,
    VTB_AXIS_CONCURRENCY,
    VTB_AXIS_MISS_LATENCY,
    VTB_AXIS_COMPLETION,
    VTB_AXIS_CONTINUATION,
    VTB_AXIS_CACHE_LOCK,
    VTB_AXIS_LOAD,
    VTB_AXIS_COUNT
};

/* One value of an axis; the member is fixed by the axis: f64 for hit_ratio;
 * u64 for keys, capacity, ttl_ms, threads, concurrency; key_dist; latency
 * for miss_latency; e (the enum's value) for completion
 * (enum vtb_completion_mode), continuation (enum vtb_continuation_mode) and
 * cache_lock (enum vtb_cache_lock); load. */
union vtb_axis_value {
    double f64;
    uint64_t u64;
    int e;
    struct vtb_key_dist key_dist;
    struct vtb_latency latency;
    struct vtb_load load;
};

/* The values of one axis, in the order written. count is at least 1, except
 * for hit_ratio (0 = absent: emergent mode) and capacity (0 = absent: each
 * cell's capacity is its number of keys). */
struct vtb_axis_list {
    size_t count;
    union vtb_axis_value *values; /* owned by the scenario */
};

struct vtb_scenario_options {
    /* NULL-terminated names of the registered implementations, to check
     * `impls` against; NULL accepts any well-formed name. Borrowed: it must
     * outlive the scenario, since overrides are checked against it too. */
    const char *const *known_impls;
    /* What `threads = nproc` means; 0 = the number of online CPUs. Values
     * above VTB_SCENARIO_THREADS_MAX are clamped to it. */
    unsigned nproc;
};

struct vtb_scenario {
    char *name;        /* never NULL after a successful parse */
    char *description; /* "" when absent, never NULL */
    char *source;      /* the file name as given to the parser ("" if none) */
    char **impls;      /* impl_count names, in the order written */
    size_t impl_count;
    struct vtb_axis_list axes[VTB_AXIS_COUNT];
    /* Run length per thread per repetition: exactly one of ops and
     * duration_ns is non-zero. */
    uint64_t ops;
    uint64_t duration_ns;
    /* Warm-up per thread before each measured repetition: at most one is
     * non-zero. Unless set explicitly (warmup_explicit), it is 10% of ops, or
     * 10% of duration_ns in duration mode. */
    uint64_t warmup_ops;
    uint64_t warmup_ns;
    bool warmup_explicit;
    unsigned repetitions;    /* 1..1000 */
    uint64_t seed;           /* any value; per-thread streams derive from it */
    unsigned latency_sample; /* record every k-th hit's latency; 0 = none.
                                Misses are always recorded. */
    bool pin_threads;
    struct vtb_scenario_options options; /* copied from the parse call */
};

/* One cell: one value per axis, the unit the runner measures (for every
 * implementation of the scenario). Plain data. */
struct vtb_cell {
    size_t index;         /* 0 .. cell_count - 1 */
    bool exact_hit_ratio; /* true: hit_ratio is enforced; false: it emerges */
    double hit_ratio;     /* in [0, 1]; 0 when !exact_hit_ratio */
    uint64_t keys;        /* key-space size, >= 1 */
    uint64_t capacity;    /* cache capacity in entries, >= 1 */
    uint64_t ttl_ms;      /* entry lifetime; 0 = no expiry */
    struct vtb_key_dist key_dist;
    unsigned threads;     /* worker threads, nproc resolved */
    unsigned concurrency; /* operations in flight per thread */
    struct vtb_latency miss_latency;
    enum vtb_completion_mode completion;
    enum vtb_continuation_mode continuation;
    enum vtb_cache_lock cache_lock;
    struct vtb_load load;
};

/* One row of the key reference (what `vtbench list` prints). */
struct vtb_scenario_key_doc {
    const char *key;
    const char *default_value; /* as text; "(...)" for derived defaults */
    const char *range;         /* accepted values */
    bool axis;                 /* a list makes a sweep */
    const char *meaning;
};

/* The key reference, one row per key in a stable order (the order of
 * docs/scenarios.md); *count receives the number of rows. Static data. */
const struct vtb_scenario_key_doc *vtb_scenario_key_docs(size_t *count);

/*
 * Fills s with every default and no name (options may be NULL: all
 * defaults). For building a scenario from overrides alone; the parse
 * functions call it themselves. Returns 0 or VTB_ENOMEM (s is then empty and
 * needs no fini). On success the caller must call vtb_scenario_fini.
 */
int vtb_scenario_init(struct vtb_scenario *s, const struct vtb_scenario_options *options);

/*
 * Parses the scenario file at path into s (which need not be initialised).
 * Messages name the file as path was given. Returns 0, and then the caller
 * owns s and must call vtb_scenario_fini; on error s is left empty (fini
 * allowed but not needed) and err (may be NULL) holds code and message.
 */
int vtb_scenario_load(struct vtb_scenario *s, const char *path,
                      const struct vtb_scenario_options *options, struct vtb_error *err);

/* As vtb_scenario_load, from an open stream (not closed here); filename is
 * used in messages and as s->source. */
int vtb_scenario_parse_file(struct vtb_scenario *s, FILE *file, const char *filename,
                            const struct vtb_scenario_options *options, struct vtb_error *err);

/* As vtb_scenario_load, from size bytes at data (NUL bytes included, which
 * are reported as binary data). */
int vtb_scenario_parse_buffer(struct vtb_scenario *s, const char *data, size_t size,
                              const char *filename, const struct vtb_scenario_options *options,
                              struct vtb_error *err);

/*
 * Applies one command-line override "KEY=VALUE" (blanks around KEY and VALUE
 * are ignored) to a parsed or initialised scenario, with the same checks as
 * the file. An override replaces the value, including one the file set;
 * setting ops switches to ops mode and setting duration to duration mode.
 * Returns 0 or a VTB_E... code with a message `--set: KEY: what is wrong`;
 * on error s is unchanged.
 */
int vtb_scenario_override(struct vtb_scenario *s, const char *assignment, struct vtb_error *err);

/* Frees everything s owns and zeroes it. NULL and zeroed scenarios are
 * allowed; calling it twice is harmless. */
void vtb_scenario_fini(struct vtb_scenario *s);

/* Number of cells: the product of the axis lengths (an absent axis counts as
 * one), at most VTB_SCENARIO_CELLS_MAX. */
size_t vtb_scenario_cell_count(const struct vtb_scenario *s);

/*
 * Fills *out with cell index (see enum vtb_axis for the order), resolving
 * the derived values: capacity = keys when capacity is absent. Returns 0, or
 * VTB_ERANGE when index >= vtb_scenario_cell_count(s).
 */
int vtb_scenario_cell(const struct vtb_scenario *s, size_t index, struct vtb_cell *out);

/* True when the scenario sweeps axis (it has more than one value). */
bool vtb_scenario_axis_swept(const struct vtb_scenario *s, enum vtb_axis axis);

/* The key name of axis ("hit_ratio"), or NULL for an invalid axis. */
const char *vtb_scenario_axis_name(enum vtb_axis axis);

/* Writes cell's value of axis as canonical scenario text ("0.9", "nproc"
 * resolved to a number, "zipf:0.99", "exp:20us", "posted", "open:1000") or
 * "emergent" for an absent hit_ratio, and returns buf. A buffer of
 * VTB_CELL_TEXT_MAX bytes always suffices. */
const char *vtb_cell_format_axis(const struct vtb_cell *cell, enum vtb_axis axis, char *buf,
                                 size_t size);

#endif /* VTB_HARNESS_SCENARIO_H */

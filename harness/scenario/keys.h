/*
 * The one table of scenario keys.
 *
 * Every key a scenario file may hold is declared once, in VTB_SCENARIO_KEYS
 * below, as redis declares its configuration in one table in config.c: its
 * name, whether it is an axis (a comma-separated list sweeps it) or a
 * setting (one value for the whole run), its C type, its value type (which
 * parses, formats and states the accepted range), its default, its bounds,
 * its results.csv column, whether `vtbench compare` matches cells on it and
 * whether charts can put it on an axis, and its help text. Everything else
 * is derived from this list: the members of struct vtb_cell (the axes) and
 * struct vtb_settings (the settings), the parser, `vtbench list`,
 * docs/scenarios.md, the axis columns of results.csv, compare's cell key
 * and the charts' axis detection. Adding a key is one entry here, plus a
 * value type in types.c when none of the existing ones fits.
 *
 * XX(name, ctype, type, default, min, max, flags, column, doc_default, help)
 *   name         the key as written, and the member's name
 *   ctype        the member's C type
 *   type         the value type, a const struct vtb_value_type (types.h)
 *   default      the default as scenario text, or NULL: absent or derived,
 *                as doc_default says
 *   min, max     bounds of numeric types (ignored by the others)
 *   flags        VTB_KEY_COMPARE, VTB_KEY_CHART (axes)
 *   column       axes: the results.csv column; settings: NULL
 *   doc_default  what the documentation shows for a NULL default
 *   help         one or two sentences for `vtbench list` and the docs
 * AXIS entries are in cell order: cells are numbered like nested loops over
 * the axes in this order, the first axis varying slowest.
 */
#ifndef VTB_SCENARIO_KEYS_H
#define VTB_SCENARIO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keydist.h"
#include "vtb/backend.h"
#include "vtb/cache.h"

/* Most values one list may hold, and most cells a scenario may make. */
#define VTB_SCENARIO_LIST_MAX 256
#define VTB_SCENARIO_CELLS_MAX 100000

/* Key flags. */
#define VTB_KEY_COMPARE 1u /* compare matches cells on this axis's column */
#define VTB_KEY_CHART 2u   /* charts may sweep this axis */

#define VTB__KEYS_2POW32 4294967296.0
#define VTB__KEYS_2POW40 1099511627776.0
#define VTB__KEYS_DAY_NS 86400e9

#define VTB_SCENARIO_KEYS(AXIS, SETTING)                                                      \
    SETTING(name, char *, vtb_type_name, NULL, 1, 64, 0, NULL, "(required)",                  \
            "Names the scenario in reports and result files.")                               \
    SETTING(description, char *, vtb_type_text, "", 0, 0, 0, NULL, "(empty)",                \
            "Free text shown in reports.")                                                    \
    SETTING(impls, struct vtb_name_list, vtb_type_impls, "alloc-task,value-task,pooled", 1,  \
            64, 0, NULL, NULL,                                                                \
            "Implementations measured in every cell, interleaved. A list, but not an axis: " \
            "every cell runs all of them.")                                                   \
    SETTING(plugins, struct vtb_name_list, vtb_type_paths, NULL, 0, 0, 0, NULL, "(none)",     \
            "Shared objects that add implementations (vtb_plugin_impls), loaded before "      \
            "impls is checked; paths relative to the scenario file.")                        \
    AXIS(hit_ratio, double, vtb_type_ratio, NULL, 0, 1, VTB_KEY_COMPARE | VTB_KEY_CHART,      \
         "hit_ratio_target", "(absent: emergent)",                                           \
         "Exact mode: the share of operations that hit, enforced by the runner. Absent (or " \
         "`emergent`): hits follow from keys, capacity, ttl_ms and key_dist.")               \
    AXIS(keys, uint64_t, vtb_type_count, "1024", 1, VTB__KEYS_2POW32,                          \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "keys", NULL, "Size of the key space.")             \
    AXIS(capacity, uint64_t, vtb_type_count, NULL, 1, VTB__KEYS_2POW32,                        \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "capacity", "(keys)",                               \
         "Cache capacity in entries. Absent: the cell's keys, so every key fits.")          \
    AXIS(ttl_ms, uint64_t, vtb_type_count, "0", 0, 86400000, VTB_KEY_COMPARE | VTB_KEY_CHART, \
         "ttl_ms", NULL, "Entry lifetime in milliseconds; 0 = entries never expire.")         \
    AXIS(key_dist, struct vtb_key_dist, vtb_type_key_dist, "uniform", 0, 0,                    \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "key_dist", NULL,                                   \
         "Distribution of the keys asked for. Zipf and hotspot ranks map to keys through a " \
         "fixed scramble, so popular keys are spread over the cache.")                       \
    AXIS(threads, unsigned, vtb_type_threads, "1", 1, 1024, VTB_KEY_COMPARE | VTB_KEY_CHART,  \
         "threads", NULL, "Worker threads.")                                                  \
    AXIS(concurrency, unsigned, vtb_type_ucount, "1", 1, 4096,                                 \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "concurrency", NULL,                                \
         "Operations in flight per worker thread.")                                           \
    AXIS(miss_latency, struct vtb_latency, vtb_type_latency, "0", 0, 60e9,                     \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "miss_latency", NULL,                               \
         "Backend latency of a miss (backend = sim); 0 completes on the next loop turn. "    \
         "measured: the median round trip of the run's Redis server, probed through the "     \
         "same miss path right before the cell runs (docs/backends.md).")                      \
    AXIS(completion, enum vtb_completion_mode, vtb_type_completion, "loop", 0, 0,              \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "completion", NULL,                                 \
         "Where a miss completes: a timer on the worker's own loop, or a separate "          \
         "completion thread.")                                                                \
    AXIS(continuation, enum vtb_continuation_mode, vtb_type_continuation, "posted", 0, 0,     \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "continuation", NULL,                               \
         "Whether a continuation runs inline in the completing call or is posted back to "   \
         "the worker's loop.")                                                                \
    AXIS(cache_lock, enum vtb_cache_lock, vtb_type_cache_lock, "seqlock", 0, 0,                \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "cache_lock", NULL, "Locking design of the cache.") \
    AXIS(load, struct vtb_load, vtb_type_load, "closed", 0, 1e9,                               \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "load", NULL,                                       \
         "closed: a thread issues an operation when one completes. open:RATE: operations "   \
         "are issued at RATE per second per thread, evenly spaced (with :poisson, "          \
         "exponential gaps), and latency is measured from the intended start.")              \
    /* Backend (docs/backends.md): the axis, where the server is, how long it may take. */    \
    AXIS(backend, enum vtb_backend_kind, vtb_type_backend, "sim", 0, 0,                        \
         VTB_KEY_COMPARE | VTB_KEY_CHART, "backend", NULL,                                    \
         "What answers a miss: sim, a timer of miss_latency; redis, a GET to a Redis server " \
         "through hiredis on the completing loop (vtbench's own redis-server, started for "   \
         "the run, unless backend_url names one).")                                          \
    SETTING(ops, uint64_t, vtb_type_count, "1000000", 1, VTB__KEYS_2POW40, 0, NULL, NULL,        \
            "Measured operations per thread per repetition. Not together with duration.")    \
    SETTING(duration, uint64_t, vtb_type_duration, NULL, 1, VTB__KEYS_DAY_NS, 0, NULL,         \
            "(absent)",                                                                       \
            "Measured time per repetition, instead of ops. Not together with ops.")          \
    SETTING(repetitions, unsigned, vtb_type_repetitions, "5", 1, 1000, 0, NULL, NULL,          \
            "Measured rounds of every cell (each round runs the floor and every "             \
            "implementation once). auto: rounds until every ratio to baseline_impl is known " \
            "to precision, at least 5, within max_time per cell.")                           \
    SETTING(precision, double, vtb_type_fraction, "0.02", 0.001, 0.5, 0, NULL, NULL,           \
            "repetitions = auto: the 95% confidence half-width, relative, that every ratio "  \
            "to baseline_impl must reach.")                                                   \
    SETTING(max_time, uint64_t, vtb_type_duration, "20s", 1, VTB__KEYS_DAY_NS, 0, NULL, NULL,  \
            "repetitions = auto: the most measuring time one cell may take.")                 \
    SETTING(baseline_impl, char *, vtb_type_name, "value-task", 1, 64, 0, NULL, NULL,          \
            "The implementation every other is compared with: ratios and ns saved per "      \
            "operation, from the rounds' paired measurements.")                              \
    SETTING(warmup, struct vtb_warmup, vtb_type_warmup, NULL, 0, VTB__KEYS_2POW40, 0, NULL,    \
            "(10% of ops, or of duration)",                                                   \
            "Unmeasured operations (or time) per thread before each repetition.")            \
    SETTING(seed, uint64_t, vtb_type_seed, "1", 0, 0, 0, NULL, NULL,                           \
            "Seed of every random sequence; each thread draws its own stream.")              \
    SETTING(latency_sample, unsigned, vtb_type_ucount, "128", 0, 1000000, 0, NULL, NULL,       \
            "Record the latency of every k-th hit; 0 = no hits. Misses are always recorded.")  \
    SETTING(pin_threads, bool, vtb_type_bool, "false", 0, 0, 0, NULL, NULL,                    \
            "Pin worker threads to CPUs.")                                                    \
    SETTING(backend_url, char *, vtb_type_backend_url, NULL, 0, 0, 0, NULL,                   \
            "(absent: vtbench's own server)",                                                 \
            "The Redis server of backend = redis cells. vtbench writes only keys under its "  \
            "own prefix (vtb:PID:), never flushes, and deletes its keys at the end. Absent: " \
            "vtbench starts a redis-server for the run, on a unix socket in a private "      \
            "directory, and stops it at the end.")                                           \
    SETTING(backend_timeout, uint64_t, vtb_type_duration, "1s", 1, 3600e9, 0, NULL, NULL,      \
            "How long a request to the server may wait for its reply. A timeout, like a "    \
            "refused or lost connection, fails the cell.")

/* Offered load: closed loop, or an open loop at a fixed rate per thread. */
enum vtb_load_kind {
    VTB_LOAD_CLOSED = 0, /* each thread issues its next op when one completes */
    VTB_LOAD_OPEN = 1,   /* each thread issues ops at a fixed rate */
};

struct vtb_load {
    enum vtb_load_kind kind;
    double rate_per_s; /* open: ops per second per thread, (0, 1e9]; closed: 0 */
    bool poisson;      /* open: exponential gaps (open:RATE:poisson); false: fixed */
};

/* A list of names (impls): count names, each owned. */
struct vtb_name_list {
    char **names;
    size_t count;
};

/* The warm-up: a count or a duration (at most one non-zero). Unless set
 * explicitly, it is 10% of ops, or 10% of duration in duration mode. */
struct vtb_warmup {
    uint64_t ops;
    uint64_t ns;
    bool explicit_value;
};

/* Key identifiers, in table order. */
#define VTB__KEY_ENUM(name, ...) VTB_KEY_##name,
enum vtb_key_id { VTB_SCENARIO_KEYS(VTB__KEY_ENUM, VTB__KEY_ENUM) VTB_KEY_COUNT };
#undef VTB__KEY_ENUM

/* Axis identifiers, in cell order. */
#define VTB__AXIS_ENUM(name, ...) VTB_AXIS_##name,
#define VTB__NOTHING(...)
enum vtb_axis { VTB_SCENARIO_KEYS(VTB__AXIS_ENUM, VTB__NOTHING) VTB_AXIS_COUNT };
#undef VTB__AXIS_ENUM

/* One cell: one value of every axis, the unit the runner measures for every
 * implementation. Plain data (no pointers), copied into every record. An
 * absent hit_ratio is NaN (emergent mode); capacity is resolved (the cell's
 * keys when absent). */
#define VTB__CELL_MEMBER(name, ctype, ...) ctype name;
struct vtb_cell {
    size_t index; /* 0 .. cell_count - 1 */
    VTB_SCENARIO_KEYS(VTB__CELL_MEMBER, VTB__NOTHING)
};

/* The settings: one value each, for the whole run. */
struct vtb_settings {
    VTB_SCENARIO_KEYS(VTB__NOTHING, VTB__CELL_MEMBER)
};
#undef VTB__CELL_MEMBER

struct vtb_value_type;

/* One key of the table (see the top of this file). */
struct vtb_key {
    const char *name;
    const struct vtb_value_type *type;
    bool axis;
    size_t offset; /* of the member in struct vtb_cell (axes) or struct vtb_settings */
    size_t size;   /* of the member */
    const char *default_text;
    double min, max;
    unsigned flags;
    const char *column;
    const char *doc_default;
    const char *help;
};

/* The table, VTB_KEY_COUNT entries in VTB_SCENARIO_KEYS order. */
extern const struct vtb_key vtb_scenario_keys[VTB_KEY_COUNT];

/* The key called name, or NULL. */
const struct vtb_key *vtb_key_find(const char *name);

/* The axis of a key, or -1 for a setting. */
int vtb_key_axis(const struct vtb_key *k);

/* The key of an axis. */
const struct vtb_key *vtb_axis_key(enum vtb_axis axis);

/* The member of a key in a cell (axes) or in settings (settings). */
static inline void *vtb_key_in_cell(const struct vtb_key *k, struct vtb_cell *cell)
{
    return (char *)cell + k->offset;
}
static inline const void *vtb_key_in_cell_const(const struct vtb_key *k,
                                                const struct vtb_cell *cell)
{
    return (const char *)cell + k->offset;
}
static inline void *vtb_key_in_settings(const struct vtb_key *k, struct vtb_settings *s)
{
    return (char *)s + k->offset;
}
static inline const void *vtb_key_in_settings_const(const struct vtb_key *k,
                                                    const struct vtb_settings *s)
{
    return (const char *)s + k->offset;
}

/* Buffer size that always holds a formatted value of any axis. */
#define VTB_AXIS_TEXT_MAX 96

/*
 * Writes cell's value of axis as canonical scenario text ("0.9", "zipf:0.99",
 * "exp:20us", "posted", "open:1000", "emergent" for an absent hit_ratio) and
 * returns buf (VTB_AXIS_TEXT_MAX bytes always suffice).
 */
const char *vtb_cell_format(const struct vtb_cell *cell, enum vtb_axis axis, char *buf,
                            size_t size);

/* True when cell's value of axis is absent (an emergent hit_ratio). */
bool vtb_cell_absent(const struct vtb_cell *cell, enum vtb_axis axis);

/* Cell's value of axis as a number (NaN for text axes and absent values). */
double vtb_cell_number(const struct vtb_cell *cell, enum vtb_axis axis);

#endif /* VTB_SCENARIO_KEYS_H */

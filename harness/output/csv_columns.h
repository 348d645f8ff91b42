/*
 * The columns of results.csv: one table that the CSV reporter writes the
 * header and every row from, and that readers (`vtbench compare`, tests)
 * use to find and type the fields they read back.
 *
 * A row is the record's identity, then its cell, then its measurements:
 *   scenario, impl, cell_index   which record
 *   one column per axis          from the scenario's key table (keys.h): the
 *                                column it names (hit_ratio -> hit_ratio_target),
 *                                the value as scenario text, empty when absent
 *                                (an emergent hit_ratio); never listed here
 *   VTB_CSV_COLUMNS below        the measured figures, each mapped to one field
 *                                of struct vtb_record by offset and type, so the
 *                                file and the record cannot drift apart (report_csv.c
 *                                checks every type at compile time)
 * Readers find columns by name, never by position.
 *
 * File format (RFC 4180): one header row of column names, then one row per
 * record in run order; no preamble or comments. Records end in CRLF, as
 * RFC 4180 specifies (every CSV reader, gnuplot and pandas included, also
 * accepts it). A field containing a comma, a double quote, CR or LF is
 * enclosed in double quotes, with embedded quotes doubled. Numbers use the
 * C locale (a '.' decimal point). Column types:
 *   TEXT      the string as is (quoted when needed)
 *   UNSIGNED  decimal integer (unsigned int field)
 *   U64       decimal integer (uint64_t field)
 *   REAL      double printed with the column's format; NaN (not measured
 *             or not applicable, e.g. bytes_per_op without jemalloc) is an
 *             EMPTY field, and an infinity is "inf" or "-inf"
 *   BOOL      "true" or "false"
 *   WARNINGS  VTB_STATS_WARN_... bits as their descriptions joined by "; "
 *             (empty when none); the bits themselves are in warning_bits
 *   CPUS      worker_cpus: for each worker in index order the CPUs it was
 *             seen running on, joined by '+', workers separated by a space
 *             ("0 1": two workers that stayed on CPUs 0 and 1; "0+1 0+1":
 *             two that both migrated)
 *   AXIS      an axis of the cell, as above
 * Times are in ns with 3 decimals (picoseconds, far below any noise), ratios
 * and per-operation figures have 6 significant digits, rates 1 decimal.
 *
 * ns_per_op is the MEAN over the rounds in use of the per-thread ns per
 * operation (so that ns_per_op_ci_low/high, the 95% confidence interval of
 * the mean, bracket it); ns_per_op_median and the other figures follow.
 * "repetitions" is the number of rounds run (a round runs the floor and
 * every implementation once, interleaved); rounds_disturbed of them had a
 * floor more than 10% from the cell's median floor, and when
 * disturbed_excluded they are left out of every time figure.
 * ops_per_sec (and its CI) is threads x 1e9 / ns_per_op (one estimator for
 * both); ops_per_sec_wall is all threads' operations over the wall time of
 * the median round.
 * ratio is this implementation's ns per op over ratio_to's (the scenario's
 * baseline_impl when it ran, else the first implementation), the geometric
 * mean of the per-round ratios with a 95% t interval on their logarithms;
 * ratio_half_width is that interval's relative half-width, which
 * repetitions = auto drives below `precision` (precision_reached says
 * whether every ratio of the cell got there). ns_saved_per_op is the mean
 * per-round difference ns(impl) - ns(ratio_to): what choosing ratio_to
 * saves per operation, with its CI. floor_ratio is the same ratio to the
 * cell's floor (the bare cache lookup). ratio_to's own row has ratio 1.
 * capacity is the cell's (the keys when absent); cache_capacity is what
 * the cache really had (exact mode adds room for the misses).
 *
 * In open-loop cells (load = open:...) every operation is recorded, and the
 * latency columns (p50_ns ... max_ns, hit_*, miss_*) are measured from each
 * operation's intended start, corrected for coordinated omission; the
 * *_uncorrected columns are from its actual issue and are empty in
 * closed-loop cells, as are intended/achieved_ops_per_sec and
 * schedule_lag_max_ns. There ns_per_op is elapsed time per operation, about
 * 1 / rate until the worker saturates: a pace, not a cost.
 */
#ifndef VTB_CSV_COLUMNS_H
#define VTB_CSV_COLUMNS_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"

/* End of every record (header included). */
#define VTB_CSV_EOL "\r\n"

/* printf conversions of the REAL columns, by kind of quantity. */
#define VTB_CSV_NS_FORMAT "%.3f"    /* times in nanoseconds */
#define VTB_CSV_RATIO_FORMAT "%.6g" /* ratios, fractions, per-operation counts */
#define VTB_CSV_RATE_FORMAT "%.1f"  /* operations per second */

/*
 * The measured columns. XX(column_name, TYPE, record_member, format):
 * record_member is a member designator of struct vtb_record (possibly
 * nested); format is the printf conversion of a REAL column and NULL for
 * the others.
 */
#define VTB_CSV_COLUMNS(XX)                                                  \
    XX(hit_ratio, REAL, hit_ratio, VTB_CSV_RATIO_FORMAT)                     \
    XX(miss_latency_ns, REAL, miss_latency_ns, VTB_CSV_NS_FORMAT)            \
    XX(cache_capacity, U64, cache_capacity, NULL)                            \
    XX(ops, U64, ops, NULL)                                                  \
    XX(repetitions, UNSIGNED, repetitions, NULL)                             \
    XX(ns_per_op, REAL, ns_per_op.mean, VTB_CSV_NS_FORMAT)                   \
    XX(ns_per_op_ci_low, REAL, ns_per_op.ci_low, VTB_CSV_NS_FORMAT)          \
    XX(ns_per_op_ci_high, REAL, ns_per_op.ci_high, VTB_CSV_NS_FORMAT)        \
    XX(ns_per_op_cv, REAL, ns_per_op.cv, VTB_CSV_RATIO_FORMAT)               \
    XX(ratio_to, TEXT, ratio_to, NULL)                                       \
    XX(ratio, REAL, ratio.ratio, VTB_CSV_RATIO_FORMAT)                       \
    XX(ratio_ci_low, REAL, ratio.ci_low, VTB_CSV_RATIO_FORMAT)               \
    XX(ratio_ci_high, REAL, ratio.ci_high, VTB_CSV_RATIO_FORMAT)             \
    XX(ratio_half_width, REAL, ratio.half_width, VTB_CSV_RATIO_FORMAT)       \
    XX(ns_saved_per_op, REAL, ratio.diff, VTB_CSV_NS_FORMAT)                 \
    XX(ns_saved_ci_low, REAL, ratio.diff_ci_low, VTB_CSV_NS_FORMAT)          \
    XX(ns_saved_ci_high, REAL, ratio.diff_ci_high, VTB_CSV_NS_FORMAT)        \
    XX(floor_ratio, REAL, floor_ratio.ratio, VTB_CSV_RATIO_FORMAT)           \
    XX(floor_ratio_ci_low, REAL, floor_ratio.ci_low, VTB_CSV_RATIO_FORMAT)   \
    XX(floor_ratio_ci_high, REAL, floor_ratio.ci_high, VTB_CSV_RATIO_FORMAT) \
    XX(repetitions_auto, BOOL, repetitions_auto, NULL)                       \
    XX(precision, REAL, precision, VTB_CSV_RATIO_FORMAT)                     \
    XX(precision_reached, BOOL, precision_reached, NULL)                     \
    XX(rounds_disturbed, UNSIGNED, rounds_disturbed, NULL)                   \
    XX(disturbed_excluded, BOOL, disturbed_excluded, NULL)                   \
    XX(ops_per_sec, REAL, ops_per_sec, VTB_CSV_RATE_FORMAT)                  \
    XX(ops_per_sec_ci_low, REAL, ops_per_sec_ci_low, VTB_CSV_RATE_FORMAT)    \
    XX(ops_per_sec_ci_high, REAL, ops_per_sec_ci_high, VTB_CSV_RATE_FORMAT)  \
    XX(ops_per_sec_wall, REAL, ops_per_sec_wall, VTB_CSV_RATE_FORMAT)        \
    XX(p50_ns, REAL, all.p50_ns, VTB_CSV_NS_FORMAT)                          \
    XX(p90_ns, REAL, all.p90_ns, VTB_CSV_NS_FORMAT)                          \
    XX(p99_ns, REAL, all.p99_ns, VTB_CSV_NS_FORMAT)                          \
    XX(p999_ns, REAL, all.p999_ns, VTB_CSV_NS_FORMAT)                        \
    XX(p9999_ns, REAL, all.p9999_ns, VTB_CSV_NS_FORMAT)                      \
    XX(max_ns, REAL, all.max_ns, VTB_CSV_NS_FORMAT)                          \
    XX(hit_p50_ns, REAL, hit.p50_ns, VTB_CSV_NS_FORMAT)                      \
    XX(hit_p99_ns, REAL, hit.p99_ns, VTB_CSV_NS_FORMAT)                      \
    XX(miss_p50_ns, REAL, miss.p50_ns, VTB_CSV_NS_FORMAT)                    \
    XX(miss_p99_ns, REAL, miss.p99_ns, VTB_CSV_NS_FORMAT)                    \
    XX(bytes_per_op, REAL, bytes_per_op, VTB_CSV_RATIO_FORMAT)               \
    XX(allocs_per_op, REAL, allocs_per_op, VTB_CSV_RATIO_FORMAT)             \
    XX(total_alloc_bytes, U64, total_alloc_bytes, NULL)                      \
    XX(resident_peak_bytes, U64, resident_peak_bytes, NULL)                  \
    XX(ns_per_op_median, REAL, ns_per_op.median, VTB_CSV_NS_FORMAT)          \
    XX(ns_per_op_mean, REAL, ns_per_op.mean, VTB_CSV_NS_FORMAT)              \
    XX(ns_per_op_stddev, REAL, ns_per_op.stddev, VTB_CSV_NS_FORMAT)          \
    XX(ns_per_op_min, REAL, ns_per_op.min, VTB_CSV_NS_FORMAT)                \
    XX(ns_per_op_max, REAL, ns_per_op.max, VTB_CSV_NS_FORMAT)                \
    XX(ops_per_sec_per_thread, REAL, ops_per_sec_per_thread, VTB_CSV_RATE_FORMAT) \
    XX(requested_bytes_per_op, REAL, requested_bytes_per_op, VTB_CSV_RATIO_FORMAT) \
    XX(bytes_are_usable, BOOL, bytes_are_usable, NULL)                       \
    XX(latency_sample_every, U64, latency_sample_every, NULL)                \
    XX(latency_count, U64, all.count, NULL)                                  \
    XX(latency_samples, U64, all.samples, NULL)                              \
    XX(hit_samples, U64, hit.samples, NULL)                                  \
    XX(miss_samples, U64, miss.samples, NULL)                                \
    XX(latency_mean_ns, REAL, all.mean_ns, VTB_CSV_NS_FORMAT)                \
    XX(hit_count, U64, hit.count, NULL)                                      \
    XX(hit_mean_ns, REAL, hit.mean_ns, VTB_CSV_NS_FORMAT)                    \
    XX(hit_p90_ns, REAL, hit.p90_ns, VTB_CSV_NS_FORMAT)                      \
    XX(hit_p999_ns, REAL, hit.p999_ns, VTB_CSV_NS_FORMAT)                    \
    XX(hit_p9999_ns, REAL, hit.p9999_ns, VTB_CSV_NS_FORMAT)                  \
    XX(hit_max_ns, REAL, hit.max_ns, VTB_CSV_NS_FORMAT)                      \
    XX(miss_count, U64, miss.count, NULL)                                    \
    XX(miss_mean_ns, REAL, miss.mean_ns, VTB_CSV_NS_FORMAT)                  \
    XX(miss_p90_ns, REAL, miss.p90_ns, VTB_CSV_NS_FORMAT)                    \
    XX(miss_p999_ns, REAL, miss.p999_ns, VTB_CSV_NS_FORMAT)                  \
    XX(miss_p9999_ns, REAL, miss.p9999_ns, VTB_CSV_NS_FORMAT)                \
    XX(miss_max_ns, REAL, miss.max_ns, VTB_CSV_NS_FORMAT)                    \
    XX(cache_hits, U64, cache.hits, NULL)                                    \
    XX(cache_misses, U64, cache.misses, NULL)                                \
    XX(cache_expirations, U64, cache.expirations, NULL)                      \
    XX(cache_evictions, U64, cache.evictions, NULL)                          \
    XX(cache_inserts, U64, cache.inserts, NULL)                              \
    XX(cache_updates, U64, cache.updates, NULL)                              \
    XX(cache_read_retries, U64, cache.read_retries, NULL)                    \
    XX(pool_rents, U64, pool.rents, NULL)                                    \
    XX(pool_returns, U64, pool.returns, NULL)                                \
    XX(pool_misses, U64, pool.misses, NULL)                                  \
    XX(pool_shared_takes, U64, pool.shared_takes, NULL)                      \
    XX(pool_shared_spills, U64, pool.shared_spills, NULL)                    \
    XX(pool_high_water, U64, pool.high_water, NULL)                          \
    XX(floor_ns_per_hit, REAL, floor_ns_per_hit, VTB_CSV_NS_FORMAT)          \
    XX(warning_bits, UNSIGNED, warnings, NULL)                               \
    XX(warnings, WARNINGS, warnings, NULL)                                   \
    XX(errors, U64, errors, NULL)                                            \
    XX(value_mismatches, U64, value_mismatches, NULL)                        \
    XX(instructions_per_op, REAL, instructions_per_op, VTB_CSV_RATIO_FORMAT) \
    XX(intended_ops_per_sec, REAL, intended_ops_per_sec, VTB_CSV_RATE_FORMAT) \
    XX(achieved_ops_per_sec, REAL, achieved_ops_per_sec, VTB_CSV_RATE_FORMAT) \
    XX(rate_reached, BOOL, rate_reached, NULL)                               \
    XX(schedule_lag_max_ns, REAL, schedule_lag_max_ns, VTB_CSV_NS_FORMAT)    \
    XX(p50_ns_uncorrected, REAL, uncorrected.p50_ns, VTB_CSV_NS_FORMAT)      \
    XX(p90_ns_uncorrected, REAL, uncorrected.p90_ns, VTB_CSV_NS_FORMAT)      \
    XX(p99_ns_uncorrected, REAL, uncorrected.p99_ns, VTB_CSV_NS_FORMAT)      \
    XX(p999_ns_uncorrected, REAL, uncorrected.p999_ns, VTB_CSV_NS_FORMAT)    \
    XX(p9999_ns_uncorrected, REAL, uncorrected.p9999_ns, VTB_CSV_NS_FORMAT)  \
    XX(max_ns_uncorrected, REAL, uncorrected.max_ns, VTB_CSV_NS_FORMAT)      \
    XX(latency_mean_ns_uncorrected, REAL, uncorrected.mean_ns, VTB_CSV_NS_FORMAT) \
    XX(shared_writes_per_hit, UNSIGNED, shared_writes_per_hit, NULL)         \
    XX(pin_threads, BOOL, pin_threads, NULL)                                 \
    XX(worker_cpus, CPUS, worker_cpus, NULL)

enum vtb_csv_type {
    VTB_CSV_TEXT,
    VTB_CSV_UNSIGNED,
    VTB_CSV_U64,
    VTB_CSV_REAL,
    VTB_CSV_BOOL,
    VTB_CSV_WARNINGS,
    VTB_CSV_CPUS,
    VTB_CSV_AXIS,
};

struct vtb_csv_column {
    const char *name;           /* header text, snake_case, unique */
    enum vtb_csv_type type;
    size_t offset;              /* of the field in struct vtb_record */
    size_t size;                /* of that field (TEXT: its array size) */
    const char *format;         /* printf conversion of a REAL column; NULL otherwise */
    const struct vtb_key *key;  /* AXIS: the key of the axis */
};

/* Number of columns, as a constant for array sizes: scenario, impl,
 * cell_index, the axes, the measured columns. */
#define VTB__CSV_COUNT_ONE(...) +1
enum { VTB_CSV_COLUMN_COUNT = 3 + VTB_AXIS_COUNT VTB_CSV_COLUMNS(VTB__CSV_COUNT_ONE) };
#undef VTB__CSV_COUNT_ONE

/* The columns in file order (VTB_CSV_COLUMN_COUNT entries). */
extern const struct vtb_csv_column vtb_csv_columns[VTB_CSV_COLUMN_COUNT];

/* The column called name, or NULL. */
const struct vtb_csv_column *vtb_csv_column_find(const char *name);

/*
 * Writes s as one RFC 4180 field: as is, or in double quotes with embedded
 * quotes doubled when it contains a comma, a quote, CR or LF.
 * Returns 0, or VTB_EIO when the stream reports an error.
 */
int vtb_csv_write_text(FILE *out, const char *s);

/*
 * Writes a REAL value with format (a printf conversion for one double):
 * nothing for NaN, "inf"/"-inf" for infinities. Returns 0 or VTB_EIO.
 */
int vtb_csv_write_real(FILE *out, double v, const char *format);

/*
 * Writes column col of rec as one field, formatted as its type says.
 * Returns 0, or VTB_EIO when the stream reports an error.
 */
int vtb_csv_write_field(FILE *out, const struct vtb_csv_column *col,
                        const struct vtb_record *rec);

/* Writes the header row, and one record's row. Return 0 or VTB_EIO. */
int vtb_csv_write_header(FILE *out);
int vtb_csv_write_row(FILE *out, const struct vtb_record *rec);

#endif /* VTB_CSV_COLUMNS_H */

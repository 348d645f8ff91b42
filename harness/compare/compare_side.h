/*
 * One side of a comparison: a run read through run_input (so that every
 * gate makes the same trust decision), checked, and reduced to what the
 * rules need.
 *
 * Only the columns the gate reads are kept of results.csv and samples.csv
 * (the identifying ones, the metrics, what they are divided by), and once
 * read they are reduced further: the numbers into one record per row, the
 * identifying texts into one short string per row, each round's time and
 * floor into one array. The tables themselves are freed, so a side costs a
 * small multiple of its identifying text and rounds, not of its files.
 *
 * The identity of a row is its scenario, its implementation and every axis
 * the scenario key table marks VTB_KEY_COMPARE (keys.h), in the table's
 * order: adding an axis there adds it here.
 *
 * The side fails closed: what cannot be judged is refused, with the file,
 * the line and the column, rather than passed (VTB_ESYNTAX):
 *   - a results file without one of the identifying columns (a row of it
 *     cannot say which cell it is), or without ops, repetitions or a
 *     metric's column (ns_per_op, allocs_per_op, bytes_per_op,
 *     requested_bytes_per_op, pool_misses, errors, value_mismatches,
 *     instructions_per_op: vtbench writes them all, and a gate without a
 *     metric's column would pass it unjudged);
 *   - a number not written as vtbench writes one (plain decimal: "0x10",
 *     " 5" or "+5" are refused, vtb__compare_read_number);
 *   - two rows with the same identity (vtb__compare_index_rows) and the
 *     samples' own duplicates (vtb__compare_join_samples);
 *   - a count, size or time that is negative or not finite ("inf", "nan")
 *     in any column the rules read: the metrics, ns_per_op and its median,
 *     ops, repetitions, pool_misses, floor_ns_per_hit, and the samples'
 *     ns_per_op and floor_ns. An empty field means "not measured" (NaN), as
 *     vtbench writes it, and is allowed.
 * A byte-order mark before the header is skipped by the CSV reader.
 *
 * Rows are matched by their identifying texts, each axis's plain decimal
 * numbers in one canonical form ("0.0" and "0" are one hit ratio).
 */
#ifndef VTB_COMPARE_SIDE_H
#define VTB_COMPARE_SIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare_index.h"
#include "compare_rules.h"
#include "csv_reader.h"
#include "keys.h"
#include "run_input.h"
#include "vtb/error.h"

/* Most identifying columns: scenario, impl and every axis. */
#define VTB_COMPARE_KEY_MAX (2 + VTB_AXIS_COUNT)

/*
 * The identifying columns, in label order: their results.csv names in
 * columns and the names a label gives them in names (the scenario key's
 * name: hit_ratio for the column hit_ratio_target), each array of
 * VTB_COMPARE_KEY_MAX. Returns how many; scenario and impl come first.
 */
size_t vtb_compare_identity(const char **columns, const char **names);

/* What the rules need of one results row. */
struct vtb_compare_row {
    double metric[VTB_COMPARE_METRIC_COUNT]; /* NaN: not measured; ns_per_op: the median */
    double hit_ratio_target;                 /* NaN: emergent */
    double cell_index;                       /* joins samples; NaN: absent */
    const double *ns;       /* the rounds in use: ns per operation of each */
    const double *floor_ns; /* and its floor; NULL unless every such round has one */
    uint32_t rounds;
    uint32_t runs;          /* a set's runs (compare_set.h); 0 for a run */
    const uint32_t *run_rounds; /* a set's: how many of the rounds each run gave; else NULL */
    uint32_t identity;      /* hash of the identifying texts */
};

/* One side, loaded. Caller-owned; free with vtb_compare_side_free. */
struct vtb_compare_side {
    char path[VTB_RUN_INPUT_PATH_MAX];         /* as given */
    char results_path[VTB_RUN_INPUT_PATH_MAX]; /* the table read, for messages */
    char samples_path[VTB_RUN_INPUT_PATH_MAX]; /* "" when there were no samples */
    char context_path[VTB_RUN_INPUT_PATH_MAX]; /* the run's context.json, "" when none */
    char build[512];       /* the build and machine context.json names ("" when none):
                              the runs of a set must agree on it */
    size_t runs;           /* 1; a set (compare_set.h): how many runs it merged */
    bool from_journal;                         /* both tables came from DIR/journal */
    enum vtb_run_state state;                  /* run_input's verdict */
    char reason[VTB_ERROR_MESSAGE_MAX];        /* why not complete ("" when it is) */
    size_t row_count;
    struct vtb_compare_row *rows;
    uint32_t *lines;       /* each row's line in the results file */
    size_t key_count;      /* identifying columns */
    char *keys;            /* each row's identifying texts, NUL-separated, row after row */
    uint32_t *key_start;   /* row r's are keys[key_start[r] .. key_start[r + 1]) */
    bool varies[VTB_COMPARE_KEY_MAX]; /* the column takes more than one value here */
    double *round_data;    /* every row's ns and floor_ns arrays */
    uint32_t *run_data;    /* a set's: every row's run_rounds */
    struct vtb__index cells; /* identity -> row */
    struct vtb_run_input *input; /* between open and read_rounds: the run, samples unread */
};

/*
 * Loads the run at path (a run directory, its results.csv, or a baseline
 * NAME.csv; see run_input.h) with flags (VTB_RUN_INPUT_ALLOW_INCOMPLETE):
 * vtb_compare_side_open, then vtb_compare_side_read_rounds. Returns 0;
 * run_input's refusals (VTB_EINVAL for a run that is not complete,
 * VTB_ENOTFOUND, ...); VTB_ESYNTAX for what the side refuses (above);
 * VTB_EIO; VTB_ENOMEM. Free with vtb_compare_side_free (also after an
 * error).
 */
int vtb_compare_side_load(struct vtb_compare_side *s, const char *path, unsigned flags,
                          struct vtb_error *err);

/*
 * The two halves of vtb_compare_side_load, for a caller that loads two
 * sides and wants the least held at once: open reads, checks and reduces
 * results.csv (the rows, without rounds yet); read_rounds then reads
 * samples.csv and gives the rows their rounds. A file read whole costs
 * twice its size while it is read, so opening both sides before reading
 * either's rounds keeps the first side's rounds out of the second side's
 * largest moment. Same returns as vtb_compare_side_load.
 */
int vtb_compare_side_open(struct vtb_compare_side *s, const char *path, unsigned flags,
                          struct vtb_error *err);
int vtb_compare_side_read_rounds(struct vtb_compare_side *s, struct vtb_error *err);

/*
 * The same from tables in memory (tests): results and samples (NULL: no
 * samples) as the CSV reader parsed them; they are only read, and may be
 * freed afterwards. The side counts as complete.
 */
int vtb_compare_side_from_tables(struct vtb_compare_side *s, const struct vtb_csv_table *results,
                                 const struct vtb_csv_table *samples, struct vtb_error *err);

void vtb_compare_side_free(struct vtb_compare_side *s);

/* The text of identifying column k of row (k < s->key_count). */
const char *vtb_compare_side_key(const struct vtb_compare_side *s, size_t row, size_t k);

/*
 * A count, size or time from column col of row (col -1: the column is
 * absent, NaN). An empty field is NaN, "not measured"; a negative or
 * non-finite figure is refused with VTB_ESYNTAX ("FILE:LINE: COLUMN: ...
 * is negative or not finite"), because no rule can judge it: a negative
 * allocation count would read as an improvement, "nan" as not measured,
 * "inf" as anything at all.
 */
int vtb__compare_read_figure(const struct vtb_csv_table *t, size_t row, long col, double *out,
                             struct vtb_error *err);

/*
 * A number from column col of row, as the CSV reader reads it, refused
 * with VTB_ESYNTAX ("FILE:LINE: COLUMN: '0x10' is not a plain decimal
 * number") unless it is written as vtbench writes numbers: plain decimal,
 * -?D+(.D+)?([eE][+-]?D+)? without leading zeros (vtb__compare_plain_decimal).
 * An empty field (NaN) and "inf"/"nan" (for the caller to refuse or not)
 * pass through.
 */
int vtb__compare_read_number(const struct vtb_csv_table *t, size_t row, size_t col, double *out,
                             struct vtb_error *err);
bool vtb__compare_plain_decimal(const char *text);

/* The text an axis value is matched by (buf holds at least 32 bytes): a
 * plain decimal number in its shortest form that reads back as the same
 * double, so that one value written two ways matches; other text as it is.
 * Returns text or buf. */
const char *vtb__compare_axis_text(const char *text, char *buf, size_t size);

#endif /* VTB_COMPARE_SIDE_H */

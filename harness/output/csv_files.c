/*
 * The three CSV files of a run directory (see csv_files.h): their rows and
 * their reporters. results.csv's columns are csv_columns.h's; samples.csv
 * and percentiles.csv are described here.
 *
 * samples.csv: the raw per-repetition figures behind the statistics of
 * results.csv, one row per cell x implementation x repetition, so that
 * anyone can redo the statistics (or plot the spread) without trusting
 * ours. Columns: scenario, cell_index, impl, repetition (0-based, as Google
 * Benchmark's repetition_index), ns_per_op (per-thread ns per operation of
 * that repetition).
 *
 * percentiles.csv: the latency percentile spectrum of every record, so that
 * the charts (gnuplot reads only CSV) can draw what the .hgrm files hold.
 * The levels are those of the .hgrm files (VTB_HGRM_DEFAULT_TICKS per
 * halving of the distance to 100%), so the two always agree. Columns:
 *   scenario, cell_index, impl  identify the record, as in results.csv
 *   kind        all, hit or miss: which histogram (hit = synchronous
 *               completions, miss = those that went to the backend)
 *   percentile  the level, in percent, from 0 up to 100 x (1 - 1/N): a
 *               level beyond that would rest on less than one sample (the
 *               maximum is results.csv's max_ns)
 *   value_ns    highest value equivalent to that level's bucket, in ns
 *   count       operations at or below value_ns (cumulative; in "all",
 *               each sampled hit stands for the sampling interval's
 *               operations, so count can exceed samples)
 *   samples     N, the latencies actually timed for this histogram
 * A histogram without samples (no misses at hit ratio 1) has no rows.
 *
 * All three share the dialect of results.csv: RFC 4180, CRLF.
 */
#include "csv_files.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "csv_columns.h"
#include "file_reporter.h"
#include "hgrm.h"
#include "reporter_list.h"

static const char *const file_names[VTB_CSV_FILE_COUNT] = {"results.csv", "samples.csv",
                                                           "percentiles.csv"};

const char *vtb_csv_file_name(enum vtb_csv_file file)
{
    return (unsigned)file < VTB_CSV_FILE_COUNT ? file_names[file] : "?";
}

static int status(FILE *out)
{
    return ferror(out) ? VTB_EIO : 0;
}

static void record_key(FILE *out, const struct vtb_record *rec)
{
    vtb_csv_write_text(out, rec->scenario);
    fprintf(out, ",%zu,", rec->cell.index);
    vtb_csv_write_text(out, rec->impl);
}

static void sample_rows(FILE *out, const struct vtb_record *rec)
{
    /* A record without samples (none kept) contributes no rows. */
    for (unsigned i = 0; rec->samples_ns_per_op != NULL && i < rec->repetitions; i++) {
        bool disturbed = rec->samples_disturbed != NULL && rec->samples_disturbed[i];
        record_key(out, rec);
        fprintf(out, ",%u,", i);
        vtb_csv_write_real(out, rec->samples_ns_per_op[i], VTB_CSV_NS_FORMAT);
        fputc(',', out);
        vtb_csv_write_real(out, rec->samples_floor_ns != NULL ? rec->samples_floor_ns[i] : NAN,
                           VTB_CSV_NS_FORMAT);
        fprintf(out, ",%s,%s" VTB_CSV_EOL, disturbed ? "true" : "false",
                disturbed && rec->disturbed_excluded ? "false" : "true");
    }
}

/*
 * The spectrum of one histogram, cut at 1 - 1/N for its N samples: beyond
 * that a percentile is an extrapolation from fewer than one sample (the
 * maximum is in results.csv). Every row says N.
 */
static int percentile_rows(FILE *out, const struct vtb_record *rec)
{
    for (size_t k = 0; k < VTB_RECORD_HIST_KINDS; k++) {
        const char *kind;
        const struct vtb_hist *h = vtb_record_hist(rec, k, &kind);
        struct vtb_hist_pct_iter it;
        if (h == NULL || vtb_hist_total_count(h) == 0)
            continue;
        uint64_t samples = vtb_record_hist_samples(rec, k);
        double last = samples > 1 ? 100.0 * (1.0 - 1.0 / (double)samples) : 0.0;
        int rc = vtb_hist_pct_iter_init(&it, h, VTB_HGRM_DEFAULT_TICKS);
        if (rc != 0)
            return rc;
        while (vtb_hist_pct_iter_next(&it)) {
            if (it.percentile > last + 1e-9 && it.percentile > 0)
                break;
            record_key(out, rec);
            fprintf(out, ",%s,%.12g,%" PRId64 ",%" PRId64 ",%" PRIu64 VTB_CSV_EOL, kind,
                    it.percentile, it.value, it.cumulative_count, samples);
        }
    }
    return 0;
}

int vtb_csv_file_header(enum vtb_csv_file file, FILE *out)
{
    switch (file) {
    case VTB_CSV_FILE_RESULTS:
        return vtb_csv_write_header(out);
    case VTB_CSV_FILE_SAMPLES:
        fputs("scenario,cell_index,impl,repetition,ns_per_op,floor_ns,disturbed,used" VTB_CSV_EOL,
              out);
        return status(out);
    case VTB_CSV_FILE_PERCENTILES:
        fputs("scenario,cell_index,impl,kind,percentile,value_ns,count,samples" VTB_CSV_EOL, out);
        return status(out);
    case VTB_CSV_FILE_COUNT:
        break;
    }
    return VTB_EINVAL;
}

int vtb_csv_file_rows(enum vtb_csv_file file, FILE *out, const struct vtb_record *records,
                      size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int rc = 0;
        if (file == VTB_CSV_FILE_RESULTS)
            rc = vtb_csv_write_row(out, &records[i]);
        else if (file == VTB_CSV_FILE_SAMPLES)
            sample_rows(out, &records[i]);
        else
            rc = percentile_rows(out, &records[i]);
        if (rc != 0)
            return rc;
    }
    return status(out);
}

/* ---- The three reporters: one lifecycle, one state, the file as data ---- */

struct csv_file_state {
    struct vtb_file_reporter base;
    enum vtb_csv_file which;
};

static int header(void *state, FILE *out, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct csv_file_state *s = state;
    (void)info;
    (void)err;
    return vtb_csv_file_header(s->which, out);
}

static int cell(void *state, FILE *out, const struct vtb_record *records, size_t count,
                struct vtb_error *err)
{
    struct csv_file_state *s = state;
    int rc = vtb_csv_file_rows(s->which, out, records, count);
    /* A stream error is found, with its errno, by the lifecycle's check. */
    if (rc != 0 && rc != VTB_EIO)
        return vtb_error_set(err, rc, "%s: cannot write a row: %s", file_names[s->which],
                             vtb_strerror(rc));
    return 0;
}

static const struct vtb_file_format formats[VTB_CSV_FILE_COUNT] = {
    {.file_name = "results.csv", .header = header, .cell = cell},
    {.file_name = "samples.csv", .header = header, .cell = cell},
    {.file_name = "percentiles.csv", .header = header, .cell = cell},
};

static int begin_file(void *state, enum vtb_csv_file which, const struct vtb_run_info *info,
                      struct vtb_error *err)
{
    struct csv_file_state *s = state;
    s->which = which;
    return vtb_file_reporter_begin(state, &formats[which], info, err);
}

#define VTB__CSV_BEGIN(fn, which)                                                             \
    static int fn(void *state, const void *config, const struct vtb_run_info *info,          \
                  struct vtb_error *err)                                                      \
    {                                                                                          \
        (void)config;                                                                          \
        return begin_file(state, which, info, err);                                           \
    }
VTB__CSV_BEGIN(results_begin, VTB_CSV_FILE_RESULTS)
VTB__CSV_BEGIN(samples_begin, VTB_CSV_FILE_SAMPLES)
VTB__CSV_BEGIN(percentiles_begin, VTB_CSV_FILE_PERCENTILES)
#undef VTB__CSV_BEGIN

const struct vtb_reporter_ops vtb_reporter_csv = VTB_FILE_REPORTER_OPS(
    "csv", "results.csv: one RFC 4180 row per cell x implementation", struct csv_file_state,
    results_begin);
const struct vtb_reporter_ops vtb_reporter_samples = VTB_FILE_REPORTER_OPS(
    "samples", "samples.csv: ns per operation of every repetition (raw data)",
    struct csv_file_state, samples_begin);
const struct vtb_reporter_ops vtb_reporter_percentiles = VTB_FILE_REPORTER_OPS(
    "percentiles", "percentiles.csv: latency percentile spectrum (all/hit/miss), for the charts",
    struct csv_file_state, percentiles_begin);

/*
 * The "percentiles" reporter: percentiles.csv, the latency percentile
 * spectrum of every record as CSV, so that the charts of `vtbench report`
 * (gnuplot reads only CSV) can draw what the .hgrm files hold without
 * parsing HdrHistogram's text format. The levels are those of the .hgrm
 * files (harness/histogram.h's percentile iterator, VTB_HGRM_DEFAULT_TICKS
 * per halving of the distance to 100%), so the two always agree.
 *
 * Same dialect as results.csv (RFC 4180, CRLF, the writers of
 * csv_columns.h). Columns:
 *   scenario, cell_index, impl  identify the record, as in results.csv
 *   kind        all, hit or miss: which histogram (hit = synchronous
 *               completions, miss = those that went to the backend)
 *   percentile  the level, in percent (0 to 100; the last row of each
 *               histogram is exactly 100, its maximum)
 *   value_ns    highest value equivalent to that level's bucket, in ns
 *   count       operations at or below value_ns (cumulative; sampled hits
 *               are weighted, as in the histograms)
 * A histogram without samples (no misses at hit ratio 1) has no rows.
 */
#include <inttypes.h>
#include <stdio.h>

#include "atomic_file.h"
#include "csv_columns.h"
#include "hgrm.h"
#include "reporter_list.h"

struct percentiles_state {
    struct vtb_atomic_file file;
};

static int percentiles_begin(void *state, const struct vtb_run_info *info,
                             struct vtb_error *err)
{
    struct percentiles_state *s = state;
    int rc = vtb_atomic_file_open(&s->file, info->run_dir, "percentiles.csv", err);

    if (rc != 0)
        return rc;
    fputs("scenario,cell_index,impl,kind,percentile,value_ns,count" VTB_CSV_EOL, s->file.fp);
    rc = vtb_atomic_file_check(&s->file, err);
    if (rc != 0)
        vtb_atomic_file_abort(&s->file);
    return rc;
}

/* Writes the rows of one histogram. */
static int write_hist(FILE *out, const struct vtb_record *rec, const char *kind,
                      const struct vtb_hist *h)
{
    struct vtb_hist_pct_iter it;
    int rc;

    if (h == NULL || vtb_hist_total_count(h) == 0)
        return 0;
    rc = vtb_hist_pct_iter_init(&it, h, VTB_HGRM_DEFAULT_TICKS);
    if (rc != 0)
        return rc;
    while (vtb_hist_pct_iter_next(&it)) {
        vtb_csv_write_text(out, rec->scenario);
        fprintf(out, ",%u,", rec->cell_index);
        vtb_csv_write_text(out, rec->impl);
        fprintf(out, ",%s,%.12g,%" PRId64 ",%" PRId64 VTB_CSV_EOL, kind, it.percentile,
                it.value, it.cumulative_count);
    }
    return 0;
}

static int percentiles_record(void *state, const struct vtb_record *rec, struct vtb_error *err)
{
    struct percentiles_state *s = state;
    int rc;

    if (s->file.fp == NULL)
        return vtb_error_set(err, VTB_ESTATE, "percentiles.csv: not open");
    for (size_t i = 0; i < VTB_RECORD_HIST_KINDS; i++) {
        const char *kind;
        const struct vtb_hist *hist = vtb_record_hist(rec, i, &kind);
        rc = write_hist(s->file.fp, rec, kind, hist);
        if (rc != 0) {
            vtb_atomic_file_abort(&s->file);
            return vtb_error_set(err, rc, "percentiles.csv: %s histogram of %s: %s", kind,
                                 rec->impl, vtb_strerror(rc));
        }
    }
    rc = vtb_atomic_file_check(&s->file, err);
    if (rc != 0)
        vtb_atomic_file_abort(&s->file);
    return rc;
}

static int percentiles_end(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct percentiles_state *s = state;
    (void)info;
    return vtb_atomic_file_commit(&s->file, err);
}

static void percentiles_abort(void *state)
{
    struct percentiles_state *s = state;
    vtb_atomic_file_abort(&s->file);
}

const struct vtb_reporter_ops vtb_reporter_percentiles = {
    .name = "percentiles",
    .summary = "percentiles.csv: latency percentile spectrum (all/hit/miss), for the charts",
    .state_size = sizeof(struct percentiles_state),
    .begin = percentiles_begin,
    .record = percentiles_record,
    .end = percentiles_end,
    .abort = percentiles_abort,
};

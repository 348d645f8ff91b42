/*
 * The "samples" reporter: samples.csv, the raw per-repetition figures behind
 * the statistics of results.csv, one row per cell x implementation x
 * repetition, so that anyone can redo the statistics (or plot the spread)
 * without trusting ours. Same dialect as results.csv (RFC 4180, CRLF, the
 * writers of csv_columns.h). Columns: scenario, cell_index, impl,
 * repetition (0-based, as Google Benchmark's repetition_index), ns_per_op
 * (per-thread ns per operation of that repetition).
 */
#include <stdio.h>

#include "atomic_file.h"
#include "csv_columns.h"
#include "reporter_list.h"

struct samples_state {
    struct vtb_atomic_file file;
};

static int samples_begin(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct samples_state *s = state;
    int rc = vtb_atomic_file_open(&s->file, info->run_dir, "samples.csv", err);

    if (rc != 0)
        return rc;
    fputs("scenario,cell_index,impl,repetition,ns_per_op" VTB_CSV_EOL, s->file.fp);
    rc = vtb_atomic_file_check(&s->file, err);
    if (rc != 0)
        vtb_atomic_file_abort(&s->file);
    return rc;
}

static int samples_record(void *state, const struct vtb_record *rec, struct vtb_error *err)
{
    struct samples_state *s = state;
    FILE *out = s->file.fp;
    int rc;

    if (out == NULL)
        return vtb_error_set(err, VTB_ESTATE, "samples.csv: not open");
    /* A record without samples (none kept) contributes no rows. */
    for (unsigned i = 0; rec->samples_ns_per_op != NULL && i < rec->repetitions; i++) {
        vtb_csv_write_text(out, rec->scenario);
        fprintf(out, ",%u,", rec->cell_index);
        vtb_csv_write_text(out, rec->impl);
        fprintf(out, ",%u,", i);
        vtb_csv_write_real(out, rec->samples_ns_per_op[i], VTB_CSV_NS_FORMAT);
        fputs(VTB_CSV_EOL, out);
    }
    rc = vtb_atomic_file_check(&s->file, err);
    if (rc != 0)
        vtb_atomic_file_abort(&s->file);
    return rc;
}

static int samples_end(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct samples_state *s = state;
    (void)info;
    return vtb_atomic_file_commit(&s->file, err);
}

static void samples_abort(void *state)
{
    struct samples_state *s = state;
    vtb_atomic_file_abort(&s->file);
}

const struct vtb_reporter_ops vtb_reporter_samples = {
    .name = "samples",
    .summary = "samples.csv: ns per operation of every repetition (raw data)",
    .state_size = sizeof(struct samples_state),
    .begin = samples_begin,
    .record = samples_record,
    .end = samples_end,
    .abort = samples_abort,
};

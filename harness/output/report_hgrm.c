/*
 * The "hgrm" reporter: the latency histograms of every record as
 * HdrHistogram .hgrm percentile distributions (values in ns), one file per
 * histogram that holds samples:
 *   <cell_index>-<impl>-all.hgrm   every sampled operation
 *   <cell_index>-<impl>-hit.hgrm   those that completed synchronously
 *   <cell_index>-<impl>-miss.hgrm  those that went to the backend
 * which HdrHistogram's plotFiles.html overlays directly.
 *
 * A run writes hundreds of these, too many to keep open, so each is written
 * in full to its temporary and closed while its record is at hand (the
 * histograms are the runner's and may not outlive the call), and all of
 * them are renamed into place together at publish, with one sync of the
 * directory. A failure while writing removes every file of this reporter;
 * a failure while publishing keeps those already in place (each is
 * complete) and removes the rest, and context.json then says the run
 * directory is incomplete.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "hgrm.h"
#include "report_common.h"
#include "reporter_list.h"

struct hgrm_state {
    char dir[sizeof(((struct vtb_run_info *)0)->run_dir)];
    struct vtb_atomic_file *files; /* closed temporaries, in record order */
    size_t count;
    size_t capacity;
};

/* Removes every file of the reporter that is not published. */
static void discard_all(struct hgrm_state *s)
{
    for (size_t i = 0; i < s->count; i++)
        vtb_atomic_file_abort(&s->files[i]);
    free(s->files);
    s->files = NULL;
    s->count = s->capacity = 0;
}

static int hgrm_begin(void *state, const void *config, const struct vtb_run_info *info,
                      struct vtb_error *err)
{
    struct hgrm_state *s = state;
    (void)config;
    int n = snprintf(s->dir, sizeof(s->dir), "%s", info->run_dir);

    if (n <= 0 || (size_t)n >= sizeof(s->dir))
        return vtb_error_set(err, VTB_EINVAL, "hgrm: bad run directory");
    s->files = NULL;
    s->count = s->capacity = 0;
    return 0;
}

/* Writes one histogram to a closed temporary appended to s->files. */
static int write_one(struct hgrm_state *s, const struct vtb_record *rec, const char *kind,
                     const struct vtb_hist *h, struct vtb_error *err)
{
    char impl[VTB_RECORD_TEXT], name[VTB_RECORD_TEXT + 48];
    struct vtb_atomic_file *af;
    int rc, close_rc;

    if (s->count == s->capacity) {
        size_t cap = s->capacity != 0 ? 2 * s->capacity : 16;
        struct vtb_atomic_file *files = realloc(s->files, cap * sizeof(*files));
        if (files == NULL)
            return vtb_error_set(err, VTB_ENOMEM, "hgrm: out of memory");
        s->files = files;
        s->capacity = cap;
    }
    snprintf(name, sizeof(name), "%zu-%s-%s.hgrm", rec->cell.index,
             vtb__report_token(rec->impl, impl, sizeof(impl)), kind);
    af = &s->files[s->count];
    rc = vtb_atomic_file_open(af, s->dir, name, err);
    if (rc != 0)
        return rc;
    /* Counted at once so that discard_all removes it on any failure below. */
    s->count++;

    rc = vtb_hgrm_write(af->fp, h, VTB_HGRM_DEFAULT_TICKS, 1.0);
    /* The file's own check names the errno (a full disk, not just "I/O
     * error"), so it takes precedence over the writer's VTB_EIO. */
    close_rc = vtb_atomic_file_close(af, err);
    if (close_rc != 0)
        return close_rc;
    if (rc != 0)
        return vtb_error_set(err, rc, "%s: cannot write the histogram: %s", af->path,
                             vtb_strerror(rc));
    return 0;
}

static int hgrm_cell(void *state, const struct vtb_run_info *info,
                     const struct vtb_record *records, size_t count, struct vtb_error *err)
{
    struct hgrm_state *s = state;
    (void)info;
    for (size_t r = 0; r < count; r++) {
        for (size_t i = 0; i < VTB_RECORD_HIST_KINDS; i++) {
            const char *kind;
            const struct vtb_hist *hist = vtb_record_hist(&records[r], i, &kind);
            if (hist == NULL || vtb_hist_total_count(hist) == 0)
                continue;
            int rc = write_one(s, &records[r], kind, hist, err);
            if (rc != 0) {
                discard_all(s);
                return rc;
            }
        }
    }
    return 0;
}

/* Every file is closed as it is written: nothing is left to finish. */
static int hgrm_finish(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    (void)state;
    (void)info;
    (void)err;
    return 0;
}

static int hgrm_publish(void *state, struct vtb_error *err)
{
    struct hgrm_state *s = state;
    for (size_t i = 0; i < s->count; i++) {
        int rc = vtb_atomic_file_rename(&s->files[i], err);
        if (rc != 0) {
            discard_all(s);
            return rc;
        }
    }
    int rc = s->count > 0 ? vtb_atomic_dir_sync(s->files[0].path, err) : 0;
    free(s->files);
    s->files = NULL;
    s->count = s->capacity = 0;
    return rc;
}

static void hgrm_abort(void *state)
{
    discard_all(state);
}

const struct vtb_reporter_ops vtb_reporter_hgrm = {
    .name = "hgrm",
    .summary = "<cell>-<impl>-{all,hit,miss}.hgrm: HdrHistogram latency distributions (ns)",
    .kind = VTB_REPORTER_FILE,
    .state_size = sizeof(struct hgrm_state),
    .begin = hgrm_begin,
    .cell = hgrm_cell,
    .finish = hgrm_finish,
    .publish = hgrm_publish,
    .abort = hgrm_abort,
};

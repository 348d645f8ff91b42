/*
 * Saving a baseline (see baseline.h): the run checked as the gate checks
 * it, then its files written beside each other as temporaries and
 * published together.
 */
#include "baseline.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "compare_side.h"
#include "journal.h"

enum { FILE_RESULTS, FILE_SAMPLES, FILE_CONTEXT, FILE_COUNT };

static const char *const suffixes[FILE_COUNT] = {".csv", ".samples.csv", ".context.json"};

static bool valid_name(const char *name)
{
    if (name[0] == '\0' || name[0] == '.' || strlen(name) > 128)
        return false;
    for (const char *p = name; *p != '\0'; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* A run fit to be a baseline: rows, and no failed operation or wrong
 * value (a baseline with failures would make failures look normal). */
static int check_clean(const struct vtb_compare_side *s, struct vtb_error *err)
{
    if (s->row_count == 0)
        return vtb_error_set(err, VTB_EINVAL, "%s: no results", s->results_path);
    for (size_t r = 0; r < s->row_count; r++) {
        const double *m = s->rows[r].metric;
        if (m[VTB_COMPARE_ERRORS] > 0 || m[VTB_COMPARE_VALUE_MISMATCHES] > 0)
            return vtb_error_set(err, VTB_EINVAL,
                                 "%s:%u: the run had failed operations or wrong values; a "
                                 "baseline must be a clean run",
                                 s->results_path, s->lines[r]);
    }
    return 0;
}

/* Whether every row was counted under valgrind: then the times of the
 * samples mean nothing, and keeping them would invite a meaningless
 * comparison. */
static bool instruction_run(const struct vtb_compare_side *s)
{
    for (size_t r = 0; r < s->row_count; r++)
        if (!isfinite(s->rows[r].metric[VTB_COMPARE_INSTRUCTIONS_PER_OP]))
            return false;
    return true;
}

/* Copies the file at from into af. */
static int copy_file(struct vtb_atomic_file *af, const char *from, struct vtb_error *err)
{
    FILE *in = fopen(from, "rb");
    if (in == NULL)
        return vtb_error_set(err, VTB_EIO, "%s: cannot open: %s", from, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, af->fp) != n)
            break; /* the atomic file keeps the error for its close */
    bool failed = ferror(in) != 0;
    fclose(in);
    return failed ? vtb_error_set(err, VTB_EIO, "%s: read error", from) : 0;
}

/* The run's tables rebuilt from its journal (the directory of the
 * journal that results_path names). */
static int read_journal(const struct vtb_compare_side *s, struct vtb_journal_contents *c,
                        struct vtb_error *err)
{
    char dir[VTB_RUN_INPUT_PATH_MAX];
    const char *slash = strrchr(s->results_path, '/');
    snprintf(dir, sizeof(dir), "%.*s", slash != NULL ? (int)(slash - s->results_path) : 1,
             slash != NULL ? s->results_path : ".");
    return vtb_journal_read(dir, c, err);
}

/* Writes file f of the baseline as a closed temporary in af. */
static int write_temporary(struct vtb_atomic_file *af, const char *dir, const char *name, int f,
                           const struct vtb_compare_side *s,
                           const struct vtb_journal_contents *journal, struct vtb_error *err)
{
    char file[160];
    snprintf(file, sizeof(file), "%s%s", name, suffixes[f]);
    int rc = vtb_atomic_file_open(af, dir, file, err);
    if (rc != 0)
        return rc;
    if (f == FILE_CONTEXT)
        rc = copy_file(af, s->context_path, err);
    else if (journal != NULL) {
        int which = f == FILE_RESULTS ? VTB_CSV_FILE_RESULTS : VTB_CSV_FILE_SAMPLES;
        fwrite(journal->csv[which], 1, journal->size[which], af->fp);
    } else
        rc = copy_file(af, f == FILE_RESULTS ? s->results_path : s->samples_path, err);
    if (rc == 0)
        rc = vtb_atomic_file_close(af, err);
    return rc;
}

/* Removes dir/NAME<suffix> of file f when it is there. */
static int remove_stale(const char *dir, const char *name, int f, struct vtb_error *err)
{
    char path[VTB_RUN_INPUT_PATH_MAX + 160];
    snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffixes[f]);
    if (unlink(path) != 0 && errno != ENOENT)
        return vtb_error_set(err, VTB_EIO, "%s: cannot remove: %s", path, strerror(errno));
    return 0;
}

/* Writes every file of the baseline, then publishes them: the old
 * context first away, the new one last (see baseline.h). */
static int write_files(const struct vtb_compare_side *s, const char *dir, const char *name,
                       struct vtb_baseline_saved *out, struct vtb_error *err)
{
    struct vtb_journal_contents journal;
    bool from_journal = s->from_journal;
    int rc = from_journal ? read_journal(s, &journal, err) : 0;
    if (rc != 0)
        return rc;
    bool want[FILE_COUNT] = {true, s->samples_path[0] != '\0' && !instruction_run(s),
                             s->context_path[0] != '\0'};
    struct vtb_atomic_file files[FILE_COUNT] = {{0}};
    for (int f = 0; f < FILE_COUNT && rc == 0; f++)
        if (want[f])
            rc = write_temporary(&files[f], dir, name, f, s, from_journal ? &journal : NULL,
                                 err);
    if (rc == 0)
        rc = remove_stale(dir, name, FILE_CONTEXT, err);
    char *paths[FILE_COUNT] = {out->results, out->samples, out->context};
    for (int f = 0; f < FILE_COUNT && rc == 0; f++) {
        if (!want[f]) {
            rc = remove_stale(dir, name, f, err);
            continue;
        }
        snprintf(paths[f], sizeof(out->results), "%s", files[f].path);
        rc = vtb_atomic_file_rename(&files[f], err);
    }
    if (rc == 0)
        rc = vtb_atomic_dir_sync(out->results, err);
    for (int f = 0; f < FILE_COUNT; f++)
        vtb_atomic_file_abort(&files[f]);
    if (from_journal)
        vtb_journal_contents_free(&journal);
    return rc;
}

int vtb_baseline_save(const char *run_path, const char *dir, const char *name, unsigned flags,
                      struct vtb_baseline_saved *out, struct vtb_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!valid_name(name))
        return vtb_error_set(err, VTB_EINVAL,
                             "baseline name '%s': use letters, digits, '.', '_' and '-'", name);
    struct vtb_compare_side s;
    int rc = vtb_compare_side_load(&s, run_path, flags, err);
    if (rc == 0)
        rc = check_clean(&s, err);
    if (rc == 0 && mkdir(dir, 0777) != 0 && errno != EEXIST)
        rc = vtb_error_set(err, VTB_EIO, "%s: cannot create: %s", dir, strerror(errno));
    if (rc == 0)
        rc = write_files(&s, dir, name, out, err);
    if (rc == 0) {
        out->rows = s.row_count;
        out->state = s.state;
        snprintf(out->reason, sizeof(out->reason), "%s", s.reason);
    } else {
        out->results[0] = out->samples[0] = out->context[0] = '\0';
    }
    vtb_compare_side_free(&s);
    return rc;
}

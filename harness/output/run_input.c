/*
 * Reading a run back (see run_input.h): where its files are, what its
 * context.json says, and the journal when the files never made it.
 */
#include "run_input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context_json.h"
#include "fileio.h"
#include "journal.h"

/* snprintf that says whether all of it fit. A path cut short would name
 * another file, so every path is made through it and checked; a message
 * cut short is only shorter. */
static bool format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < size;
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The companions' paths: DIR/x.csv beside a results.csv in a directory
 * (a bare "results.csv" is in "."), NAME.x.csv beside a baseline NAME.csv. */
static int locate(struct vtb_run_input *in, const char *path, struct vtb_error *err)
{
    size_t size = sizeof(in->dir);
    bool fits = true;
    if (is_directory(path))
        fits = format(in->dir, size, "%s", path);
    else if (strcmp(path, "results.csv") == 0 || strcmp(path, "/results.csv") == 0)
        fits = format(in->dir, size, "%s", path[0] == '/' ? "/" : ".");
    else if (ends_with(path, "/results.csv"))
        fits = format(in->dir, size, "%.*s", (int)(strlen(path) - strlen("/results.csv")), path);
    if (fits && in->dir[0] != '\0') {
        const char *sep = ends_with(in->dir, "/") ? "" : "/";
        fits = format(in->results_path, size, "%s%sresults.csv", in->dir, sep) &&
               format(in->samples_path, size, "%s%ssamples.csv", in->dir, sep) &&
               format(in->percentiles_path, size, "%s%spercentiles.csv", in->dir, sep) &&
               format(in->context_path, size, "%s%scontext.json", in->dir, sep);
    } else if (fits) {
        int stem = ends_with(path, ".csv") ? (int)(strlen(path) - 4) : (int)strlen(path);
        fits = format(in->results_path, size, "%s", path) &&
               format(in->samples_path, size, "%.*s.samples.csv", stem, path) &&
               format(in->percentiles_path, size, "%.*s.percentiles.csv", stem, path) &&
               format(in->context_path, size, "%.*s.context.json", stem, path);
    }
    return fits ? 0 : vtb_error_set(err, VTB_ERANGE, "%s: path too long", path);
}

/* Reads context.json and takes the run's verdict from it. */
static void read_context(struct vtb_run_input *in)
{
    struct vtb_error e;
    vtb_error_clear(&e);
    bool complete = false;
    if (vtb_json_read(in->context_path, in->context_path, VTB_JSON_READ_MAX_BYTES, &in->context,
                      &e) != 0) {
        in->state = VTB_RUN_INCOMPLETE;
        format(in->reason, sizeof(in->reason), "corrupt context.json: %s", e.message);
        return;
    }
    in->has_context = true;
    if (vtb_json_get_bool(in->context.root, "complete", &complete, &e) != 0) {
        in->state = VTB_RUN_INCOMPLETE;
        format(in->reason, sizeof(in->reason), "corrupt context.json: %s", e.message);
        return;
    }
    if (complete) {
        in->state = VTB_RUN_COMPLETE;
        return;
    }
    const char *why = NULL;
    if (vtb_json_get_string(in->context.root, "incomplete_reason", &why, NULL) != 0)
        why = "context.json says \"complete\": false";
    in->state = VTB_RUN_INCOMPLETE;
    format(in->reason, sizeof(in->reason), "%s", why);
}

/* The columns a caller asked for (NULL: all). */
struct projection {
    const char *const *results, *const *samples;
};

/* Parses one file's table out of the journal's contents. */
static int journal_table(const struct vtb_journal_contents *c, enum vtb_csv_file file,
                         const char *name, struct vtb_csv_table *t, struct vtb_error *err)
{
    return vtb_csv_parse(c->csv[file], c->size[file], name, t, err);
}

/* The tables from the journal, when the files are not there: results,
 * and samples unless the caller reads them later. */
static int recover(struct vtb_run_input *in, unsigned flags, struct vtb_error *err)
{
    struct vtb_journal_contents c;
    int rc = vtb_journal_read(in->dir, &c, err);
    if (rc != 0)
        return rc;
    char name[VTB_RUN_INPUT_PATH_MAX + 16];
    snprintf(name, sizeof(name), "%s/" VTB_JOURNAL_NAME, in->dir);
    in->from_journal = true;
    in->cells_recovered = c.cells;
    in->journal_torn = c.torn;
    if (!format(in->results_path, sizeof(in->results_path), "%s", name) ||
        !format(in->samples_path, sizeof(in->samples_path), "%s", name))
        rc = vtb_error_set(err, VTB_ERANGE, "%s: path too long", name);
    if (rc == 0)
        rc = journal_table(&c, VTB_CSV_FILE_RESULTS, name, &in->results, err);
    if (rc == 0 && !(flags & VTB_RUN_INPUT_SAMPLES_LATER) &&
        (rc = journal_table(&c, VTB_CSV_FILE_SAMPLES, name, &in->samples, err)) == 0)
        in->has_samples = true;
    if (rc == 0 && (flags & VTB_RUN_INPUT_PERCENTILES) &&
        (rc = journal_table(&c, VTB_CSV_FILE_PERCENTILES, name, &in->percentiles, err)) == 0) {
        in->has_percentiles = true;
        snprintf(in->percentiles_path, sizeof(in->percentiles_path), "%s", in->results_path);
    }
    vtb_journal_contents_free(&c);
    return rc;
}

/* The tables from the files beside the results. */
static int read_tables(struct vtb_run_input *in, unsigned flags, const struct projection *cols,
                       struct vtb_error *err)
{
    int rc = vtb_csv_read_columns(in->results_path, cols->results, &in->results, err);
    if (rc == 0 && !(flags & VTB_RUN_INPUT_SAMPLES_LATER))
        rc = vtb_run_input_read_samples(in, cols->samples, err);
    if (rc == 0 && (flags & VTB_RUN_INPUT_PERCENTILES) && exists(in->percentiles_path)) {
        rc = vtb_csv_read(in->percentiles_path, &in->percentiles, err);
        in->has_percentiles = rc == 0;
    }
    return rc;
}

int vtb_run_input_read_samples(struct vtb_run_input *in, const char *const *columns,
                               struct vtb_error *err)
{
    if (in->has_samples)
        return 0;
    if (!in->from_journal) {
        if (!exists(in->samples_path))
            return 0;
        int rc = vtb_csv_read_columns(in->samples_path, columns, &in->samples, err);
        in->has_samples = rc == 0;
        return rc;
    }
    /* A killed run's journal is small: read it again rather than keep it. */
    struct vtb_journal_contents c;
    int rc = vtb_journal_read(in->dir, &c, err);
    if (rc == 0 && (rc = journal_table(&c, VTB_CSV_FILE_SAMPLES, in->samples_path, &in->samples,
                                       err)) == 0)
        in->has_samples = true;
    vtb_journal_contents_free(&c); /* zeroed by a failed read too */
    return rc;
}

static bool has_journal(const struct vtb_run_input *in)
{
    char path[VTB_RUN_INPUT_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/journal", in->dir);
    return in->dir[0] != '\0' && exists(path);
}

/* Reads the tables: the files, or the journal when the run left none. */
static int load(struct vtb_run_input *in, unsigned flags, const struct projection *cols,
                struct vtb_error *err)
{
    if (exists(in->results_path))
        return read_tables(in, flags, cols, err);
    if (has_journal(in)) {
        int rc = recover(in, flags, err);
        if (rc == 0 && in->state == VTB_RUN_UNKNOWN) {
            in->state = VTB_RUN_RECOVERED;
            format(in->reason, sizeof(in->reason),
                     "no context.json: the run did not finish (killed or crashed); %u completed "
                     "cell(s) recovered from its journal%s",
                     in->cells_recovered, in->journal_torn ? ", a torn last record dropped" : "");
        }
        return rc;
    }
    if (!exists(in->path))
        return vtb_error_set(err, VTB_ENOTFOUND, "%s: no such run or file", in->path);
    return vtb_error_set(err, VTB_EINVAL, "%s: no results.csv%s", in->path,
                         in->state == VTB_RUN_INCOMPLETE ? "" : " and no journal");
}

/* Why a run without context.json cannot be trusted. A baseline NAME.csv
 * saved before `vtbench baseline` kept the run's context.json beside it
 * has none either: it is judged the same way, and the message says how to
 * mend it. */
static void note_unknown(struct vtb_run_input *in)
{
    if (in->dir[0] == '\0')
        format(in->reason, sizeof(in->reason),
                 "no %s beside it: nothing says the run was complete (a baseline saved "
                 "before baselines kept their context.json? save it again with vtbench "
                 "baseline)",
                 strrchr(in->context_path, '/') != NULL ? strrchr(in->context_path, '/') + 1
                                                        : in->context_path);
    else
        format(in->reason, sizeof(in->reason),
                 "no context.json beside %s: nothing says the run completed", in->results_path);
}

int vtb_run_input_open_columns(struct vtb_run_input *in, const char *path, unsigned flags,
                               const char *const *results_columns,
                               const char *const *samples_columns, struct vtb_error *err)
{
    memset(in, 0, sizeof(*in));
    if (!format(in->path, sizeof(in->path), "%s", path))
        return vtb_error_set(err, VTB_ERANGE, "%s: path too long", path);
    int rc = locate(in, path, err);
    if (rc != 0)
        return rc;
    in->state = VTB_RUN_UNKNOWN;
    if (exists(in->context_path))
        read_context(in);
    struct projection cols = {results_columns, samples_columns};
    rc = load(in, flags, &cols, err);
    if (rc != 0)
        return rc;
    if (in->state == VTB_RUN_UNKNOWN)
        note_unknown(in);
    if (in->state != VTB_RUN_COMPLETE && !(flags & VTB_RUN_INPUT_ALLOW_INCOMPLETE))
        return vtb_error_set(err, VTB_EINVAL,
                             "%s: not a complete run: %s; refused (pass --allow-incomplete to "
                             "use what it holds)",
                             path, in->reason);
    return 0;
}

int vtb_run_input_open(struct vtb_run_input *in, const char *path, unsigned flags,
                       struct vtb_error *err)
{
    return vtb_run_input_open_columns(in, path, flags, NULL, NULL, err);
}

void vtb_run_input_close(struct vtb_run_input *in)
{
    vtb_csv_free(&in->results);
    if (in->has_samples)
        vtb_csv_free(&in->samples);
    if (in->has_percentiles)
        vtb_csv_free(&in->percentiles);
    if (in->has_context)
        vtb_json_doc_fini(&in->context);
    memset(in, 0, sizeof(*in));
}

const char *vtb_run_state_name(enum vtb_run_state state)
{
    switch (state) {
    case VTB_RUN_COMPLETE:
        return "complete";
    case VTB_RUN_INCOMPLETE:
        return "incomplete";
    case VTB_RUN_RECOVERED:
        return "recovered from its journal";
    case VTB_RUN_UNKNOWN:
        break;
    }
    return "without context.json";
}

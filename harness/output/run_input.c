/*
 * Reading a run back (see run_input.h): where its files are, what its
 * context.json says, and the journal when the files never made it.
 */
#include "run_input.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context_json.h"
#include "fileio.h"
#include "journal.h"

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

/* The companions' paths: DIR/x.csv beside a results.csv in a directory,
 * NAME.x.csv beside a baseline NAME.csv. */
static int locate(struct vtb_run_input *in, const char *path, struct vtb_error *err)
{
    size_t size = sizeof(in->dir);
    int n;
    if (is_directory(path))
        n = snprintf(in->dir, size, "%s", path);
    else if (ends_with(path, "/results.csv") || strcmp(path, "results.csv") == 0)
        n = snprintf(in->dir, size, "%.*s", (int)(strlen(path) - strlen("results.csv")), path);
    else
        n = 0;
    if (n < 0 || (size_t)n >= size)
        return vtb_error_set(err, VTB_ERANGE, "%s: path too long", path);
    if (in->dir[0] != '\0' || is_directory(path)) {
        const char *d = in->dir[0] != '\0' ? in->dir : ".";
        const char *sep = ends_with(d, "/") ? "" : "/";
        snprintf(in->results_path, size, "%s%sresults.csv", d, sep);
        snprintf(in->samples_path, size, "%s%ssamples.csv", d, sep);
        snprintf(in->percentiles_path, size, "%s%spercentiles.csv", d, sep);
        snprintf(in->context_path, size, "%s%scontext.json", d, sep);
        return 0;
    }
    int stem = ends_with(path, ".csv") ? (int)(strlen(path) - 4) : (int)strlen(path);
    snprintf(in->results_path, size, "%s", path);
    snprintf(in->samples_path, size, "%.*s.samples.csv", stem, path);
    snprintf(in->percentiles_path, size, "%.*s.percentiles.csv", stem, path);
    n = snprintf(in->context_path, size, "%.*s.context.json", stem, path);
    return n < 0 || (size_t)n >= size ? vtb_error_set(err, VTB_ERANGE, "%s: path too long", path)
                                      : 0;
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
        snprintf(in->reason, sizeof(in->reason), "corrupt context.json: %s", e.message);
        return;
    }
    in->has_context = true;
    if (vtb_json_get_bool(in->context.root, "complete", &complete, &e) != 0) {
        in->state = VTB_RUN_INCOMPLETE;
        snprintf(in->reason, sizeof(in->reason), "corrupt context.json: %s", e.message);
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
    snprintf(in->reason, sizeof(in->reason), "%s", why);
}

/* The tables from the journal, when the files are not there. */
static int recover(struct vtb_run_input *in, unsigned flags, struct vtb_error *err)
{
    struct vtb_journal_contents c;
    int rc = vtb_journal_read(in->dir, &c, err);
    if (rc != 0)
        return rc;
    char name[VTB_RUN_INPUT_PATH_MAX + 16];
    snprintf(name, sizeof(name), "%s/journal", in->dir);
    rc = vtb_csv_parse(c.csv[VTB_CSV_FILE_RESULTS], c.size[VTB_CSV_FILE_RESULTS], name,
                       &in->results, err);
    if (rc == 0 && (rc = vtb_csv_parse(c.csv[VTB_CSV_FILE_SAMPLES], c.size[VTB_CSV_FILE_SAMPLES],
                                       name, &in->samples, err)) == 0)
        in->has_samples = true;
    if (rc == 0 && (flags & VTB_RUN_INPUT_PERCENTILES) &&
        (rc = vtb_csv_parse(c.csv[VTB_CSV_FILE_PERCENTILES], c.size[VTB_CSV_FILE_PERCENTILES],
                            name, &in->percentiles, err)) == 0)
        in->has_percentiles = true;
    in->cells_recovered = c.cells;
    snprintf(in->results_path, sizeof(in->results_path), "%s", name);
    vtb_journal_contents_free(&c);
    return rc;
}

/* The tables from the files beside the results. */
static int read_tables(struct vtb_run_input *in, unsigned flags, struct vtb_error *err)
{
    int rc = vtb_csv_read(in->results_path, &in->results, err);
    if (rc == 0 && exists(in->samples_path)) {
        rc = vtb_csv_read(in->samples_path, &in->samples, err);
        in->has_samples = rc == 0;
    }
    if (rc == 0 && (flags & VTB_RUN_INPUT_PERCENTILES) && exists(in->percentiles_path)) {
        rc = vtb_csv_read(in->percentiles_path, &in->percentiles, err);
        in->has_percentiles = rc == 0;
    }
    return rc;
}

static bool has_journal(const struct vtb_run_input *in)
{
    char path[VTB_RUN_INPUT_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/journal", in->dir);
    return in->dir[0] != '\0' && exists(path);
}

/* Reads the tables: the files, or the journal when the run left none. */
static int load(struct vtb_run_input *in, unsigned flags, struct vtb_error *err)
{
    if (exists(in->results_path))
        return read_tables(in, flags, err);
    if (has_journal(in)) {
        int rc = recover(in, flags, err);
        if (rc == 0 && in->state == VTB_RUN_UNKNOWN) {
            in->state = VTB_RUN_RECOVERED;
            snprintf(in->reason, sizeof(in->reason),
                     "no context.json: the run did not finish (killed or crashed); %u completed "
                     "cell(s) recovered from its journal",
                     in->cells_recovered);
        }
        return rc;
    }
    if (!exists(in->path))
        return vtb_error_set(err, VTB_ENOTFOUND, "%s: no such run or file", in->path);
    return vtb_error_set(err, VTB_EINVAL, "%s: no results.csv%s", in->path,
                         in->state == VTB_RUN_INCOMPLETE ? "" : " and no journal");
}

int vtb_run_input_open(struct vtb_run_input *in, const char *path, unsigned flags,
                       struct vtb_error *err)
{
    memset(in, 0, sizeof(*in));
    snprintf(in->path, sizeof(in->path), "%s", path);
    int rc = locate(in, path, err);
    if (rc != 0)
        return rc;
    in->state = VTB_RUN_UNKNOWN;
    if (exists(in->context_path))
        read_context(in);
    rc = load(in, flags, err);
    if (rc != 0)
        return rc;
    if (in->state == VTB_RUN_UNKNOWN)
        snprintf(in->reason, sizeof(in->reason), "no context.json beside %s: nothing says the "
                                                 "run completed", in->results_path);
    if (in->state != VTB_RUN_COMPLETE && !(flags & VTB_RUN_INPUT_ALLOW_INCOMPLETE))
        return vtb_error_set(err, VTB_EINVAL,
                             "%s: incomplete run (%s); refused, pass --allow-incomplete to use "
                             "what it holds",
                             path, in->reason);
    return 0;
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

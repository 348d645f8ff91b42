/*
 * Reading a run back (see run_input.h): where its files are, what its
 * context.json says, and the journal when the files never made it.
 */
#include "run_input.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The last part of a path, for messages ("results.csv", "quick.csv"). */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* Marks the run inconsistent, unless it is already (the first reason stays). */
static void inconsistent(struct vtb_run_input *in, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void inconsistent(struct vtb_run_input *in, const char *fmt, ...)
{
    if (in->state == VTB_RUN_INCONSISTENT)
        return;
    in->state = VTB_RUN_INCONSISTENT;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(in->reason, sizeof(in->reason), fmt, ap);
    va_end(ap);
}

/* A plain decimal count, as vtbench writes one: digits only, at most 15. */
static bool plain_count(const char *text, unsigned long long *out)
{
    size_t n = strspn(text, "0123456789");
    if (n == 0 || n > 15 || text[n] != '\0')
        return false;
    *out = strtoull(text, NULL, 10);
    return true;
}

/* A field of context.json that vtbench always writes, missing or of
 * another kind. */
static void claim_missing(struct vtb_run_input *in, const char *key, const char *kind)
{
    inconsistent(in,
                 "%s says \"complete\": true but has no %s \"%s\" (vtbench writes it in every "
                 "run)",
                 base_name(in->context_path), kind, key);
}

/* A count of context.json: a whole number from 0 to UINT_MAX. */
static void claim_count(struct vtb_run_input *in, const char *key, unsigned *out)
{
    double v = NAN;
    if (vtb_json_get_number(in->context.root, key, &v, NULL) != 0 || !(v >= 0 && v <= UINT_MAX) ||
        v != floor(v))
        claim_missing(in, key, "count");
    else
        *out = (unsigned)v;
}

/* context.json's outputs: each {"reporter", "ok"}, ok throughout, csv among them. */
static void claim_outputs(struct vtb_run_input *in)
{
    const struct vtb_json_value *outputs = vtb_json_member(in->context.root, "outputs");
    const char *name = base_name(in->context_path);
    bool csv = false;
    if (outputs == NULL || vtb_json_type(outputs) != VTB_JSON_ARRAY) {
        claim_missing(in, "outputs", "array");
        return;
    }
    for (size_t k = 0; k < vtb_json_count(outputs); k++) {
        const struct vtb_json_value *o = vtb_json_at(outputs, k);
        const char *reporter = NULL;
        bool ok = false;
        if (vtb_json_get_string(o, "reporter", &reporter, NULL) != 0 ||
            vtb_json_get_bool(o, "ok", &ok, NULL) != 0)
            inconsistent(in, "%s: outputs[%zu] has no \"reporter\" and \"ok\"", name, k);
        else if (!ok)
            inconsistent(in, "%s says \"complete\": true but its %.40s output failed", name,
                         reporter);
        else if (strcmp(reporter, "csv") == 0)
            csv = true;
        else if (strcmp(reporter, "samples") == 0)
            in->claim.samples_written = true;
    }
    if (!csv)
        inconsistent(in, "%s says \"complete\": true but lists no csv output (results.csv)",
                     name);
}

/* What a context.json that says complete must also say, and agree with. */
static void check_claim(struct vtb_run_input *in)
{
    const struct vtb_json_value *root = in->context.root;
    const char *status = NULL, *name = base_name(in->context_path);
    struct vtb_run_claim *c = &in->claim;
    if (vtb_json_get_string(root, "status", &status, NULL) != 0)
        claim_missing(in, "status", "string");
    else if (strcmp(status, "complete") != 0)
        inconsistent(in, "%s says \"complete\": true but \"status\": \"%.40s\"", name, status);
    claim_count(in, "cell_count", &c->cell_count);
    claim_count(in, "cells_done", &c->cells_done);
    claim_count(in, "impl_count", &c->impl_count);
    if (in->state == VTB_RUN_COMPLETE && c->cells_done != c->cell_count)
        inconsistent(in, "%s says \"complete\": true but %u of %u cells done", name,
                     c->cells_done, c->cell_count);
    if (in->state == VTB_RUN_COMPLETE && c->impl_count == 0)
        inconsistent(in, "%s says \"complete\": true but \"impl_count\": 0", name);
    const struct vtb_json_value *mode = vtb_json_member(root, "instructions_mode");
    if (mode != NULL && vtb_json_get_bool(root, "instructions_mode", &c->instructions_mode,
                                          NULL) != 0)
        claim_missing(in, "instructions_mode", "boolean");
    claim_outputs(in);
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
        check_claim(in);
        return;
    }
    const char *why = NULL;
    if (vtb_json_get_string(in->context.root, "incomplete_reason", &why, NULL) != 0)
        why = "context.json says \"complete\": false";
    in->state = VTB_RUN_INCOMPLETE;
    format(in->reason, sizeof(in->reason), "%s", why);
}

/* ---- Whether the tables agree with context.json ---- */

/* A results row: its cell, its implementation (a hash of the name), the
 * rounds it says it ran and the samples rows found for it. */
struct vtb__run_rounds {
    unsigned long long cell;
    uint64_t impl;
    unsigned long long repetitions, seen;
    size_t line;
};

static uint64_t name_hash(const char *text)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *text != '\0'; text++)
        h = (h ^ (unsigned char)*text) * UINT64_C(0x100000001b3);
    return h;
}

/* By cell, then implementation: for sorting, and for bsearch. */
static int rounds_order(const void *a, const void *b)
{
    const struct vtb__run_rounds *x = a, *y = b;
    return x->cell != y->cell ? (x->cell < y->cell ? -1 : 1)
                              : (x->impl > y->impl) - (x->impl < y->impl);
}

/* A count of a CSV row: plain decimal, or VTB_ESYNTAX naming the field. */
static int csv_count(const struct vtb_csv_table *t, size_t row, long col,
                     unsigned long long *out, struct vtb_error *err)
{
    const char *text = vtb_csv_cell(t, row, (size_t)col);
    if (plain_count(text, out))
        return 0;
    return vtb_error_set(err, VTB_ESYNTAX,
                         "%s:%zu: %s: '%.40s' is not a plain decimal count", t->source,
                         t->row_lines[row], vtb_csv_header(t, (size_t)col), text);
}

/* The columns of t the checks join on; false (the run marked) when one is missing. */
static bool join_columns(struct vtb_run_input *in, const struct vtb_csv_table *t, long *cols,
                         const char *const *names, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if ((cols[k] = vtb_csv_column(t, names[k])) < 0) {
            inconsistent(in, "%s has no column '%s' (vtbench writes it in every run)",
                         base_name(t->source), names[k]);
            return false;
        }
    return true;
}

/* The rows of each cell, sorted: one per implementation, of cells the run has. */
static void check_cells(struct vtb_run_input *in, const struct vtb__run_rounds *r, size_t n)
{
    const char *name = base_name(in->results_path);
    for (size_t k = 0, start = 0; k < n && in->state == VTB_RUN_COMPLETE; k++) {
        start = k > 0 && r[k].cell != r[k - 1].cell ? k : start;
        if (k > 0 && r[k].cell == r[k - 1].cell && r[k].impl == r[k - 1].impl)
            inconsistent(in, "%s:%zu: cell %llu's implementation again (also on line %zu)",
                         name, r[k].line, r[k].cell, r[k - 1].line);
        else if (r[k].cell >= in->claim.cell_count)
            inconsistent(in, "%s:%zu: cell %llu, but %s says %u cells", name, r[k].line,
                         r[k].cell, base_name(in->context_path), in->claim.cell_count);
        else if ((k + 1 == n || r[k + 1].cell != r[k].cell) &&
                 k + 1 - start != in->claim.impl_count)
            inconsistent(in, "%s has %zu rows of cell %llu but %s says %u implementations", name,
                         k + 1 - start, r[k].cell, base_name(in->context_path),
                         in->claim.impl_count);
    }
}

/* Checks results.csv of a complete run against its context.json, and keeps
 * its rows' rounds for samples.csv. */
static int check_results(struct vtb_run_input *in, struct vtb_error *err)
{
    static const char *const names[] = {"cell_index", "impl", "repetitions"};
    const struct vtb_csv_table *t = &in->results;
    const struct vtb_run_claim *c = &in->claim;
    unsigned long long want = (unsigned long long)c->cells_done * c->impl_count;
    long cols[3];
    if (t->rows != want) {
        inconsistent(in, "%s has %zu row%s but %s says %llu (%u cells x %u implementations)",
                     base_name(in->results_path), t->rows, t->rows == 1 ? "" : "s",
                     base_name(in->context_path), want, c->cells_done, c->impl_count);
        return 0;
    }
    if (!join_columns(in, t, cols, names, 3))
        return 0;
    struct vtb__run_rounds *r = calloc(t->rows > 0 ? t->rows : 1, sizeof(*r));
    if (r == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    int rc = 0;
    for (size_t k = 0; k < t->rows && rc == 0; k++) {
        r[k].impl = name_hash(vtb_csv_cell(t, k, (size_t)cols[1]));
        r[k].line = t->row_lines[k];
        rc = csv_count(t, k, cols[0], &r[k].cell, err);
        if (rc == 0)
            rc = csv_count(t, k, cols[2], &r[k].repetitions, err);
    }
    if (rc == 0) {
        qsort(r, t->rows, sizeof(*r), rounds_order);
        check_cells(in, r, t->rows);
    }
    if (rc != 0 || in->state != VTB_RUN_COMPLETE)
        free(r);
    else
        in->rounds = r, in->round_rows = t->rows;
    return rc;
}

/* Whether samples.csv must be there: context.json says it was written,
 * and a baseline of an instruction-count run is saved without it. */
static bool samples_expected(const struct vtb_run_input *in)
{
    return in->claim.samples_written && !(in->dir[0] == '\0' && in->claim.instructions_mode);
}

/* Checks samples.csv of a complete run (when it is there): each results
 * row's rounds, and none of a row results.csv does not have. */
static int check_samples(struct vtb_run_input *in, struct vtb_error *err)
{
    static const char *const names[] = {"cell_index", "impl"};
    const struct vtb_csv_table *t = &in->samples;
    const char *results = base_name(in->results_path);
    long cols[2];
    int rc = 0;
    if (!in->has_samples) {
        if (samples_expected(in))
            inconsistent(in, "no %s, though %s says it was written", base_name(in->samples_path),
                         base_name(in->context_path));
        return 0;
    }
    if (!join_columns(in, t, cols, names, 2))
        return 0;
    for (size_t k = 0; k < t->rows && rc == 0 && in->state == VTB_RUN_COMPLETE; k++) {
        struct vtb__run_rounds key = {0}, *found = NULL;
        rc = csv_count(t, k, cols[0], &key.cell, err);
        key.impl = name_hash(vtb_csv_cell(t, k, (size_t)cols[1]));
        if (rc == 0 && (found = bsearch(&key, in->rounds, in->round_rows, sizeof(key),
                                        rounds_order)) == NULL)
            inconsistent(in, "%s:%zu: a round of cell %llu, impl '%.40s', which %s does not have",
                         base_name(t->source), t->row_lines[k], key.cell,
                         vtb_csv_cell(t, k, (size_t)cols[1]), results);
        else if (found != NULL)
            found->seen++;
    }
    for (size_t k = 0; k < in->round_rows && rc == 0 && in->state == VTB_RUN_COMPLETE; k++) {
        const struct vtb__run_rounds *r = &in->rounds[k];
        if (r->seen != r->repetitions)
            inconsistent(in, "%s has %llu round(s) of %s line %zu (cell %llu) but it says %llu "
                         "repetitions", base_name(t->source), r->seen, results, r->line,
                         r->cell, r->repetitions);
    }
    return rc;
}

/* The refusal of an inconsistent run, unless allowed. */
static int refuse_inconsistent(const struct vtb_run_input *in, struct vtb_error *err)
{
    if (in->state != VTB_RUN_INCONSISTENT || (in->flags & VTB_RUN_INPUT_ALLOW_INCOMPLETE))
        return 0;
    return vtb_error_set(err, VTB_EINVAL,
                         "%s: inconsistent run: %s; refused (pass --allow-incomplete to use what "
                         "it holds)",
                         in->path, in->reason);
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
    in->journal_torn = c.torn && !c.damaged;
    in->journal_damaged_line = c.damaged ? c.damaged_line : 0;
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
    if (rc == 0 && in->state == VTB_RUN_COMPLETE)
        rc = check_results(in, err);
    if (rc == 0)
        rc = refuse_inconsistent(in, err);
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
    int rc = 0;
    if (!in->from_journal && exists(in->samples_path)) {
        rc = vtb_csv_read_columns(in->samples_path, columns, &in->samples, err);
        in->has_samples = rc == 0;
    } else if (in->from_journal) {
        /* A killed run's journal is small: read it again rather than keep it. */
        struct vtb_journal_contents c;
        rc = vtb_journal_read(in->dir, &c, err);
        if (rc == 0 && (rc = journal_table(&c, VTB_CSV_FILE_SAMPLES, in->samples_path,
                                           &in->samples, err)) == 0)
            in->has_samples = true;
        vtb_journal_contents_free(&c); /* zeroed by a failed read too */
    }
    if (rc == 0 && in->rounds != NULL)
        rc = check_samples(in, err);
    free(in->rounds);
    in->rounds = NULL;
    in->round_rows = 0;
    return rc != 0 ? rc : refuse_inconsistent(in, err);
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
    if (in->state == VTB_RUN_COMPLETE)
        inconsistent(in, "no %s, though %s says the run is complete",
                     base_name(in->results_path), base_name(in->context_path));
    int refused = refuse_inconsistent(in, err);
    if (refused != 0)
        return refused;
    if (has_journal(in)) {
        int rc = recover(in, flags, err);
        if (rc == 0 && in->state == VTB_RUN_UNKNOWN) {
            in->state = VTB_RUN_RECOVERED;
            format(in->reason, sizeof(in->reason),
                     "no context.json: the run did not finish (killed or crashed); %u completed "
                     "cell(s) recovered from its journal%s",
                     in->cells_recovered, in->journal_torn ? ", a torn last record dropped" : "");
        }
        size_t used = strlen(in->reason);
        if (rc == 0 && in->journal_damaged_line > 0)
            format(in->reason + used, sizeof(in->reason) - used,
                   "%sthe journal is damaged at line %zu, before its end (not a torn last "
                   "write): nothing from there on was recovered",
                   used > 0 ? "; " : "", in->journal_damaged_line);
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
    in->flags = flags;
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
                             "%s: %s run: %s; refused (pass --allow-incomplete to use what it "
                             "holds)",
                             path,
                             in->state == VTB_RUN_INCONSISTENT ? "inconsistent" : "not a complete",
                             in->reason);
    return 0;
}

int vtb_run_input_open(struct vtb_run_input *in, const char *path, unsigned flags,
                       struct vtb_error *err)
{
    return vtb_run_input_open_columns(in, path, flags, NULL, NULL, err);
}

void vtb_run_input_close(struct vtb_run_input *in)
{
    free(in->rounds);
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
    case VTB_RUN_INCONSISTENT:
        return "inconsistent";
    case VTB_RUN_UNKNOWN:
        break;
    }
    return "without context.json";
}

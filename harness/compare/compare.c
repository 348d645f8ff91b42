/*
 * The comparison behind `vtbench compare` and `vtbench baseline` (see
 * compare.h for the rules): loading the two sides and refusing what cannot
 * be judged, matching their rows by identity, applying each metric's rule,
 * and saving a run as a baseline.
 *
 * A large run has tens of thousands of cells and five times as many
 * samples, so every join is a hash lookup (rows by identity, samples by
 * their row) and every column is looked up by name once per table: the
 * cost grows with the files, not with their product.
 */
#include "compare.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "stats.h"

/*
 * IDENTIFYING COLUMNS: the columns that together name a cell of a run, in
 * the order of its label. This array is the one place that says so:
 * matching, the duplicate check, the column check and the labels all walk
 * it. (It is to be derived from the scenario's key table, which declares
 * each axis once; until then, an axis added to results.csv is added here.)
 *
 * Every results file must have every one of these columns. A file without
 * one cannot say which cell a row is, and matching on the columns it does
 * have would pair rows that differ in the missing axis.
 */
static const char *const key_columns[] = {
    "scenario",   "impl",         "hit_ratio_target", "threads", "concurrency",
    "key_dist",   "keys",         "capacity",         "ttl_ms",  "miss_latency",
    "completion", "continuation", "cache_lock",       "load",
};
#define KEY_COUNT (sizeof(key_columns) / sizeof(key_columns[0]))
/* scenario, impl and hit_ratio_target stay first, in this order: the
 * invariants and the labels find them by these indexes. */
#define KEY_SCENARIO 0
#define KEY_IMPL 1
#define KEY_HIT_RATIO_TARGET 2

enum metric_kind { KIND_TIME, KIND_EXACT };

static const struct metric_info {
    const char *name;
    enum metric_kind kind;
    double tolerance;
    const char *text;
} metrics[VTB_COMPARE_METRIC_COUNT] = {
#define VTB__COMPARE_METRIC_INFO(id, mname, mkind, mtolerance, mtext) \
    {#mname, KIND_##mkind, mtolerance, mtext},
    VTB_COMPARE_METRICS(VTB__COMPARE_METRIC_INFO)
#undef VTB__COMPARE_METRIC_INFO
};

static const char *const verdict_names[VTB_COMPARE_VERDICT_COUNT] = {
#define VTB__COMPARE_VERDICT_NAME(id, text) text,
    VTB_COMPARE_VERDICTS(VTB__COMPARE_VERDICT_NAME)
#undef VTB__COMPARE_VERDICT_NAME
};

/*
 * What must hold in every new row, whatever the base says: the claims of
 * the design (background.md) that a regression would silently break. The
 * rule applies to rows of impl, and only at hit_ratio_target 1 when
 * hits_only is set.
 */
static const struct invariant {
    const char *impl;
    bool hits_only;
    const char *rule;
} invariants[] = {
    {"value-task", true, "value-task allocates nothing on a hit (allocs_per_op == 0 at "
                         "hit_ratio_target 1)"},
    {"pooled", false, "pooled allocates nothing once warm (allocs_per_op == 0 everywhere)"},
};

void vtb_compare_options_default(struct vtb_compare_options *o)
{
    memset(o, 0, sizeof(*o));
    o->threshold = 0.10;
    o->alpha = 0.05;
    o->cv_max = 0.10;
    o->min_reps = 5;
    o->time_gate = true;
    o->fail_on_noisy = false;
    for (size_t i = 0; i < VTB_COMPARE_METRIC_COUNT; i++)
        o->tolerance[i] = metrics[i].tolerance;
}

const char *vtb_compare_metric_name(enum vtb_compare_metric metric)
{
    return (unsigned)metric < VTB_COMPARE_METRIC_COUNT ? metrics[metric].name : NULL;
}

const char *vtb_compare_metric_text(enum vtb_compare_metric metric)
{
    return (unsigned)metric < VTB_COMPARE_METRIC_COUNT ? metrics[metric].text : NULL;
}

const char *vtb_compare_verdict_name(enum vtb_compare_verdict verdict)
{
    return (unsigned)verdict < VTB_COMPARE_VERDICT_COUNT ? verdict_names[verdict] : "?";
}

int vtb_compare_parse_tolerance(struct vtb_compare_options *o, const char *spec,
                                struct vtb_error *err)
{
    const char *eq = strchr(spec, '=');
    if (eq == NULL)
        return vtb_error_set(err, VTB_EINVAL, "--tolerance %s: expected METRIC=VALUE", spec);
    size_t name_len = (size_t)(eq - spec);
    long found = -1;
    for (size_t i = 0; i < VTB_COMPARE_METRIC_COUNT; i++)
        if (strlen(metrics[i].name) == name_len && strncmp(metrics[i].name, spec, name_len) == 0)
            found = (long)i;
    if (found < 0)
        return vtb_error_set(err, VTB_EINVAL,
                             "--tolerance %s: unknown metric '%.*s' (one of allocs_per_op, "
                             "bytes_per_op, requested_bytes_per_op, pool_misses_per_op, errors, "
                             "value_mismatches, instructions_per_op)",
                             spec, (int)name_len, spec);
    if (metrics[found].kind == KIND_TIME)
        return vtb_error_set(err, VTB_EINVAL,
                             "--tolerance %s: %s is judged by --threshold and --alpha", spec,
                             metrics[found].name);
    const char *text = eq + 1;
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    bool percent = end != NULL && *end == '%';
    if (percent)
        end++;
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(value) || value < 0)
        return vtb_error_set(err, VTB_EINVAL,
                             "--tolerance %s: '%s' is not a tolerance (a fraction such as 0.02 "
                             "or a percentage such as 2%%, >= 0)",
                             spec, text);
    o->tolerance[found] = percent ? value / 100.0 : value;
    return 0;
}

/* ---- Loading ---- */

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Where the samples of a results file are: DIR/samples.csv beside a
 * results.csv, NAME.samples.csv beside a baseline NAME.csv. */
static int samples_path_for(const char *results_path, char *out, size_t size)
{
    int n;
    if (ends_with(results_path, "/results.csv") || strcmp(results_path, "results.csv") == 0)
        n = snprintf(out, size, "%.*ssamples.csv",
                     (int)(strlen(results_path) - strlen("results.csv")), results_path);
    else if (ends_with(results_path, ".csv"))
        n = snprintf(out, size, "%.*s.samples.csv", (int)(strlen(results_path) - 4),
                     results_path);
    else
        n = snprintf(out, size, "%s.samples.csv", results_path);
    return n < 0 || (size_t)n >= size ? VTB_ERANGE : 0;
}

/* Columns a results file must have besides the identifying ones: what
 * per-op figures are divided by. The metrics are optional (an older file
 * compares on what it has, and a metric measured in base but absent in new
 * is "missing"). A samples row is joined to its results row by scenario,
 * impl and cell_index, and told apart from the other repetitions by
 * repetition. */
static const char *const required_results[] = {"scenario", "impl", "ops", "repetitions", NULL};
static const char *const required_samples[] = {"scenario", "cell_index", "impl", "repetition",
                                               "ns_per_op", NULL};

/* Checks that a results file has every identifying column. */
static int require_identity(const struct vtb_csv_table *t, struct vtb_error *err)
{
    for (size_t k = 0; k < KEY_COUNT; k++)
        if (vtb_csv_column(t, key_columns[k]) < 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "%s:1: missing column '%s', which identifies a cell: rows "
                                 "cannot be matched without it",
                                 t->source, key_columns[k]);
    return 0;
}

static int require_results(const struct vtb_csv_table *t, struct vtb_error *err)
{
    int rc = vtb_csv_require(t, required_results, err);
    return rc != 0 ? rc : require_identity(t, err);
}

int vtb_compare_load(struct vtb_compare_input *in, const char *path, struct vtb_error *err)
{
    memset(in, 0, sizeof(*in));
    int n = is_directory(path)
                ? snprintf(in->results_path, sizeof(in->results_path), "%s/results.csv", path)
                : snprintf(in->results_path, sizeof(in->results_path), "%s", path);
    if (n < 0 || (size_t)n >= sizeof(in->results_path))
        return vtb_error_set(err, VTB_ERANGE, "%s: path too long", path);
    int rc = vtb_csv_read(in->results_path, &in->results, err);
    if (rc != 0)
        return rc;
    rc = require_results(&in->results, err);
    if (rc != 0)
        goto out_free;
    char samples[sizeof(in->samples_path)];
    if (samples_path_for(in->results_path, samples, sizeof(samples)) != 0 ||
        access(samples, F_OK) != 0)
        return 0; /* no samples: time is compared without a significance test */
    snprintf(in->samples_path, sizeof(in->samples_path), "%s", samples);
    rc = vtb_csv_read(in->samples_path, &in->samples, err);
    if (rc != 0)
        goto out_free;
    in->has_samples = true;
    rc = vtb_csv_require(&in->samples, required_samples, err);
    if (rc != 0)
        goto out_free;
    return 0;

out_free:
    vtb_compare_input_free(in);
    return rc;
}

void vtb_compare_input_free(struct vtb_compare_input *in)
{
    vtb_csv_free(&in->results);
    if (in->has_samples)
        vtb_csv_free(&in->samples);
    memset(in, 0, sizeof(*in));
}

struct vtb_compare_side vtb_compare_input_side(const struct vtb_compare_input *in)
{
    struct vtb_compare_side side = {&in->results, in->has_samples ? &in->samples : NULL};
    return side;
}

/* ---- Hash indexes of rows ---- */

/*
 * Rows are found by what they are, not by scanning: an open-addressed hash
 * index whose slot holds a row + 1 (0: free) and the row's hash, so that a
 * probe compares texts only on a full hash match. Each use supplies its
 * own equality; at most two thirds of the slots are ever taken.
 */
struct index_slot {
    uint32_t row;
    uint32_t hash;
};

struct row_index {
    struct index_slot *slots;
    size_t mask;
};

static int index_init(struct row_index *ix, size_t rows)
{
    size_t n = 16;
    while (n < rows + rows / 2)
        n *= 2;
    ix->slots = calloc(n, sizeof(*ix->slots));
    ix->mask = n - 1;
    return ix->slots != NULL ? 0 : VTB_ENOMEM;
}

static void index_free(struct row_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
}

/* The slot of the row that same(probe, row) accepts among the rows of hash
 * h, or the free slot where such a row would go. */
static struct index_slot *index_find(const struct row_index *ix, uint32_t h,
                                     bool (*same)(const void *probe, size_t row),
                                     const void *probe)
{
    for (size_t i = h & ix->mask;; i = (i + 1) & ix->mask) {
        struct index_slot *slot = &ix->slots[i];
        if (slot->row == 0 || (slot->hash == h && same(probe, slot->row - 1)))
            return slot;
    }
}

/* FNV-1a over the parts of a key, each text closed by a byte no text holds
 * (so that "ab","c" and "a","bc" differ), finished with MurmurHash3's
 * mixer because the index uses the low bits. */
#define HASH_SEED 2166136261u

static uint32_t hash_bytes(uint32_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t hash_text(uint32_t h, const char *s)
{
    return hash_bytes(h, s, strlen(s) + 1);
}

/* Numbers that compare equal hash equal: -0 as 0, every NaN as one. */
static uint32_t hash_number(uint32_t h, double v)
{
    if (v == 0)
        v = 0;
    else if (isnan(v))
        v = NAN;
    return hash_bytes(h, &v, sizeof(v));
}

static uint32_t hash_finish(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* Equal as keys: the same number, or both not a number (empty). */
static bool same_number(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* ---- One side, read into numbers ---- */

struct row_data {
    double metric[VTB_COMPARE_METRIC_COUNT]; /* NaN: not measured (ns: median) */
    double ns_cv;                            /* from results.csv */
    double floor_ns;                         /* the cell's floor_ns_per_hit */
    double repetitions;
    double hit_ratio_target;
    double cell_index;     /* joins samples.csv rows to this row */
    const double *samples; /* ns per op of each repetition, from samples.csv */
    size_t sample_count;
    uint32_t identity; /* hash of the identifying columns' text */
    bool matched;
};

struct side_data {
    const struct vtb_csv_table *table;
    size_t key[KEY_COUNT]; /* the identifying columns */
    bool varies[KEY_COUNT]; /* the column takes more than one value in this file */
    struct row_data *rows;
    double *samples;       /* every row's samples, grouped by row */
    struct row_index cells; /* identity -> row */
};

/* A number from column col (-1: the column is absent, which reads as NaN). */
static int read_real(const struct vtb_csv_table *t, size_t row, long col, double *out,
                     struct vtb_error *err)
{
    if (col < 0) {
        *out = NAN;
        return 0;
    }
    return vtb_csv_real(t, row, (size_t)col, out, err);
}

/*
 * A count, size or time from column col (-1: absent, NaN). An empty field
 * is NaN, "not measured", as vtbench writes it; a negative or non-finite
 * figure is refused, because no rule can judge it: a negative allocation
 * count would read as an improvement, "nan" as not measured, "inf" as
 * anything at all.
 */
static int read_figure(const struct vtb_csv_table *t, size_t row, long col, double *out,
                       struct vtb_error *err)
{
    int rc = read_real(t, row, col, out, err);
    if (rc != 0 || col < 0 || (isfinite(*out) && *out >= 0))
        return rc;
    const char *text = vtb_csv_cell(t, row, (size_t)col);
    if (text[0] == '\0')
        return 0;
    return vtb_error_set(err, VTB_ESYNTAX,
                         "%s:%zu: %s: '%.40s' is negative or not finite (expected a number "
                         ">= 0, or an empty field when not measured)",
                         t->source, t->row_lines[row], vtb_csv_header(t, (size_t)col), text);
}

static const char *key_text(const struct side_data *s, size_t row, size_t k)
{
    return vtb_csv_cell(s->table, row, s->key[k]);
}

static uint32_t identity_hash(const struct side_data *s, size_t row)
{
    uint32_t h = HASH_SEED;
    for (size_t k = 0; k < KEY_COUNT; k++)
        h = hash_text(h, key_text(s, row, k));
    return hash_finish(h);
}

/* Rows are the same cell when every identifying column agrees, as text:
 * both files were written by vtbench, which formats an axis one way. */
static bool same_identity(const struct side_data *a, size_t ra, const struct side_data *b,
                          size_t rb)
{
    for (size_t k = 0; k < KEY_COUNT; k++)
        if (strcmp(key_text(a, ra, k), key_text(b, rb, k)) != 0)
            return false;
    return true;
}

/* A row of side, looked up in the identity index of indexed. */
struct identity_probe {
    const struct side_data *indexed, *side;
    size_t row;
};

static bool identity_matches(const void *probe, size_t row)
{
    const struct identity_probe *p = probe;
    return same_identity(p->side, p->row, p->indexed, row);
}

/* Indexes the rows by identity, refusing a cell that appears twice: which
 * of the two the other side's row should be compared with is a guess, and
 * a gate must not guess. It also notes which columns vary, while each
 * row's text is at hand. */
static int index_identities(struct side_data *s, struct vtb_error *err)
{
    const struct vtb_csv_table *t = s->table;
    if (index_init(&s->cells, t->rows) != 0)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t r = 0; r < t->rows; r++) {
        uint32_t h = s->rows[r].identity = identity_hash(s, r);
        struct identity_probe probe = {s, s, r};
        struct index_slot *slot = index_find(&s->cells, h, identity_matches, &probe);
        if (slot->row != 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "%s:%zu: duplicate row: the same cell (scenario '%s', impl "
                                 "'%s', every axis alike) as line %zu; a cell may appear once",
                                 t->source, t->row_lines[r], key_text(s, r, KEY_SCENARIO),
                                 key_text(s, r, KEY_IMPL), t->row_lines[slot->row - 1]);
        *slot = (struct index_slot){(uint32_t)r + 1, h};
        for (size_t k = 0; k < KEY_COUNT; k++)
            s->varies[k] = s->varies[k] || strcmp(key_text(s, r, k), key_text(s, 0, k)) != 0;
    }
    return 0;
}

/* The part of a sample's key that names its results row. */
static uint32_t sample_cell_hash(const char *scenario, const char *impl, double cell)
{
    return hash_number(hash_text(hash_text(HASH_SEED, scenario), impl), cell);
}

/* A samples row's (scenario, impl, cell_index), looked up among the rows
 * of side. */
struct owner_probe {
    const struct side_data *side;
    const char *scenario, *impl;
    double cell;
};

static bool owner_matches(const void *probe, size_t row)
{
    const struct owner_probe *p = probe;
    return p->side->rows[row].cell_index == p->cell &&
           strcmp(key_text(p->side, row, KEY_IMPL), p->impl) == 0 &&
           strcmp(key_text(p->side, row, KEY_SCENARIO), p->scenario) == 0;
}

/* The columns of samples.csv. */
struct sample_columns {
    const struct vtb_csv_table *table;
    size_t scenario, impl, cell, repetition, ns;
};

/* A samples row's full key, looked up among the rows before it; cell and
 * repetition hold every row's numbers. */
struct sample_probe {
    const struct sample_columns *c;
    const double *cell, *repetition;
    size_t row;
};

static bool sample_matches(const void *probe, size_t row)
{
    const struct sample_probe *p = probe;
    const struct vtb_csv_table *t = p->c->table;
    size_t scenario = p->c->scenario, impl = p->c->impl;
    return same_number(p->cell[row], p->cell[p->row]) &&
           same_number(p->repetition[row], p->repetition[p->row]) &&
           strcmp(vtb_csv_cell(t, row, scenario), vtb_csv_cell(t, p->row, scenario)) == 0 &&
           strcmp(vtb_csv_cell(t, row, impl), vtb_csv_cell(t, p->row, impl)) == 0;
}

/* Indexes the rows of s by (scenario, impl, cell_index), the key samples
 * rows join on. Two rows with one key would leave their samples to
 * chance. A row without cell_index (an older file) gets no samples. */
static int index_owners(struct side_data *s, struct row_index *owners, struct vtb_error *err)
{
    const struct vtb_csv_table *t = s->table;
    if (index_init(owners, t->rows) != 0)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t r = 0; r < t->rows; r++) {
        const struct row_data *row = &s->rows[r];
        if (isnan(row->cell_index))
            continue;
        struct owner_probe probe = {s, key_text(s, r, KEY_SCENARIO), key_text(s, r, KEY_IMPL),
                                    row->cell_index};
        uint32_t h = hash_finish(sample_cell_hash(probe.scenario, probe.impl, probe.cell));
        struct index_slot *slot = index_find(owners, h, owner_matches, &probe);
        if (slot->row != 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "%s:%zu: the same scenario, impl and cell_index as line %zu: "
                                 "samples.csv cannot tell the two rows apart",
                                 t->source, t->row_lines[r], t->row_lines[slot->row - 1]);
        *slot = (struct index_slot){(uint32_t)r + 1, h};
    }
    return 0;
}

/* A repetition of a row's group of samples, for finding one given twice. */
struct repetition {
    double number;
    size_t sample; /* row in samples.csv */
};

static int compare_repetitions(const void *a, const void *b)
{
    const struct repetition *x = a, *y = b;
    if (x->number != y->number && !(isnan(x->number) && isnan(y->number)))
        return isnan(x->number) || x->number < y->number ? -1 : 1;
    return x->sample < y->sample ? -1 : x->sample > y->sample;
}

static int duplicate_sample(const struct sample_columns *c, size_t later, size_t earlier,
                            struct vtb_error *err)
{
    const struct vtb_csv_table *t = c->table;
    return vtb_error_set(err, VTB_ESYNTAX,
                         "%s:%zu: duplicate sample: scenario '%s', impl '%s', cell_index %s, "
                         "repetition %s as on line %zu",
                         t->source, t->row_lines[later], vtb_csv_cell(t, later, c->scenario),
                         vtb_csv_cell(t, later, c->impl), vtb_csv_cell(t, later, c->cell),
                         vtb_csv_cell(t, later, c->repetition), t->row_lines[earlier]);
}

/* Refuses a repetition given twice among the samples of one row: sorted by
 * repetition, twins are neighbours. */
static int check_group(const struct sample_columns *c, const uint32_t *members, size_t count,
                       const double *repetition, struct repetition *scratch,
                       struct vtb_error *err)
{
    for (size_t k = 0; k < count; k++)
        scratch[k] = (struct repetition){repetition[members[k]], members[k]};
    /* A group is a cell's few repetitions, sorted faster by insertion than
     * by a call to qsort; a huge one (a hostile file) still gets qsort. */
    if (count <= 16)
        for (size_t k = 1; k < count; k++)
            for (size_t j = k; j > 0 && compare_repetitions(&scratch[j - 1], &scratch[j]) > 0;
                 j--) {
                struct repetition swap = scratch[j];
                scratch[j] = scratch[j - 1];
                scratch[j - 1] = swap;
            }
    else
        qsort(scratch, count, sizeof(*scratch), compare_repetitions);
    for (size_t k = 1; k < count; k++)
        if (same_number(scratch[k].number, scratch[k - 1].number))
            return duplicate_sample(c, scratch[k].sample, scratch[k - 1].sample, err);
    return 0;
}

/* Refuses a repetition given twice among the samples of no results row,
 * which no group holds; there are normally none. */
static int check_strays(const struct sample_columns *c, const uint32_t *owner,
                        const double *cell, const double *repetition, size_t strays,
                        struct vtb_error *err)
{
    const struct vtb_csv_table *t = c->table;
    struct row_index seen;
    if (index_init(&seen, strays) != 0)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    int rc = 0;
    for (size_t i = 0; i < t->rows && rc == 0; i++) {
        if (owner[i] != 0)
            continue;
        struct sample_probe probe = {c, cell, repetition, i};
        uint32_t h = hash_finish(hash_number(sample_cell_hash(vtb_csv_cell(t, i, c->scenario),
                                                              vtb_csv_cell(t, i, c->impl),
                                                              cell[i]),
                                             repetition[i]));
        struct index_slot *slot = index_find(&seen, h, sample_matches, &probe);
        if (slot->row != 0)
            rc = duplicate_sample(c, i, slot->row - 1, err);
        else
            *slot = (struct index_slot){(uint32_t)i + 1, h};
    }
    index_free(&seen);
    return rc;
}

/*
 * Attaches each sample row to the results row of the same scenario, impl
 * and cell_index, in the order of the file. Samples of no known row are
 * ignored (a results file filtered to some cells keeps its samples), but
 * one repetition of one cell given twice is refused: which time to believe
 * is a guess. The samples are grouped by row with a counting sort, which
 * also puts twins in the same small group: no index of every sample, whose
 * random probes would cost more than the rest of the work.
 */
static int attach_samples(struct side_data *s, const struct vtb_csv_table *samples,
                          struct vtb_error *err)
{
    const struct vtb_csv_table *t = s->table;
    struct sample_columns c = {samples,
                               (size_t)vtb_csv_column(samples, "scenario"),
                               (size_t)vtb_csv_column(samples, "impl"),
                               (size_t)vtb_csv_column(samples, "cell_index"),
                               (size_t)vtb_csv_column(samples, "repetition"),
                               (size_t)vtb_csv_column(samples, "ns_per_op")};
    size_t n = samples->rows > 0 ? samples->rows : 1;
    struct row_index owners = {0};
    struct repetition *scratch = NULL;
    uint32_t *owner = malloc(n * sizeof(*owner)), *members = malloc(n * sizeof(*members));
    double *cell = malloc(n * sizeof(*cell)), *repetition = malloc(n * sizeof(*repetition));
    double *ns = malloc(n * sizeof(*ns));
    /* end[r]: where row r's group ends in members (after the sort below). */
    size_t *end = calloc(t->rows + 1, sizeof(*end));
    int rc = owner && members && cell && repetition && ns && end
                 ? index_owners(s, &owners, err)
                 : vtb_error_set(err, VTB_ENOMEM, NULL);
    size_t strays = 0, measured = 0;
    for (size_t i = 0; i < samples->rows && rc == 0; i++) {
        rc = vtb_csv_real(samples, i, c.cell, &cell[i], err);
        if (rc == 0)
            rc = vtb_csv_real(samples, i, c.repetition, &repetition[i], err);
        if (rc == 0)
            rc = read_figure(samples, i, (long)c.ns, &ns[i], err);
        if (rc != 0)
            break;
        struct owner_probe probe = {s, vtb_csv_cell(samples, i, c.scenario),
                                    vtb_csv_cell(samples, i, c.impl), cell[i]};
        uint32_t h = hash_finish(sample_cell_hash(probe.scenario, probe.impl, probe.cell));
        owner[i] = index_find(&owners, h, owner_matches, &probe)->row;
        if (owner[i] == 0) {
            strays++;
            continue;
        }
        end[owner[i]]++; /* counted one place up: the prefix sum makes it a start */
        measured += !isnan(ns[i]);
    }
    size_t largest = 0;
    for (size_t r = 0; r < t->rows && rc == 0; r++) {
        largest = end[r + 1] > largest ? end[r + 1] : largest;
        end[r + 1] += end[r];
    }
    /* Placing a sample moves its group's start on; once all are placed
     * each start has become its group's end. */
    for (size_t i = 0; i < samples->rows && rc == 0; i++)
        if (owner[i] != 0)
            members[end[owner[i] - 1]++] = (uint32_t)i;
    if (rc == 0 && (scratch = malloc((largest > 0 ? largest : 1) * sizeof(*scratch))) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t r = 0; r < t->rows && rc == 0; r++) {
        size_t first = r > 0 ? end[r - 1] : 0;
        if (end[r] - first > 1)
            rc = check_group(&c, members + first, end[r] - first, repetition, scratch, err);
    }
    if (rc == 0 && strays > 0)
        rc = check_strays(&c, owner, cell, repetition, strays, err);
    if (rc == 0 && (s->samples = malloc((measured > 0 ? measured : 1) * sizeof(double))) == NULL)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    /* Each row's times, in the order of the file (the sort was stable);
     * an empty time is a repetition not measured. */
    double *next = s->samples;
    for (size_t r = 0; r < t->rows && rc == 0; r++) {
        s->rows[r].samples = next;
        for (size_t k = r > 0 ? end[r - 1] : 0; k < end[r]; k++)
            if (!isnan(ns[members[k]]))
                *next++ = ns[members[k]];
        s->rows[r].sample_count = (size_t)(next - s->rows[r].samples);
    }
    index_free(&owners);
    free(scratch);
    free(owner);
    free(members);
    free(cell);
    free(repetition);
    free(ns);
    free(end);
    return rc;
}

static void side_free(struct side_data *s)
{
    free(s->rows);
    free(s->samples);
    index_free(&s->cells);
    memset(s, 0, sizeof(*s));
}

static int side_load(struct side_data *s, const struct vtb_compare_side *side,
                     struct vtb_error *err)
{
    memset(s, 0, sizeof(*s));
    s->table = side->results;
    const struct vtb_csv_table *t = side->results;
    int rc = require_results(t, err);
    if (rc != 0)
        return rc;
    if (side->samples != NULL && (rc = vtb_csv_require(side->samples, required_samples, err)) != 0)
        return rc;
    for (size_t k = 0; k < KEY_COUNT; k++)
        s->key[k] = (size_t)vtb_csv_column(t, key_columns[k]);
    s->rows = calloc(t->rows > 0 ? t->rows : 1, sizeof(*s->rows));
    if (s->rows == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);

    /* Every column is looked up once, not once per row. */
    long col[VTB_COMPARE_METRIC_COUNT];
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++)
        col[m] = vtb_csv_column(t, metrics[m].name);
    /* The time figure is the median, which the rank test speaks about;
     * ns_per_op itself is the mean, checked but not compared. */
    long c_mean = vtb_csv_column(t, "ns_per_op");
    col[VTB_COMPARE_NS_PER_OP] = vtb_csv_column(t, "ns_per_op_median");
    if (col[VTB_COMPARE_NS_PER_OP] < 0)
        col[VTB_COMPARE_NS_PER_OP] = c_mean;
    long c_pool = vtb_csv_column(t, "pool_misses"), c_ops = vtb_csv_column(t, "ops");
    long c_reps = vtb_csv_column(t, "repetitions"), c_cv = vtb_csv_column(t, "ns_per_op_cv");
    long c_floor = vtb_csv_column(t, "floor_ns_per_hit");
    long c_cell = vtb_csv_column(t, "cell_index");
    long c_hit = (long)s->key[KEY_HIT_RATIO_TARGET];

    for (size_t r = 0; r < t->rows; r++) {
        struct row_data *row = &s->rows[r];
        for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT && rc == 0; m++)
            rc = read_figure(t, r, col[m], &row->metric[m], err);
        double pool_misses = NAN, ops = NAN, mean = NAN;
        if (rc == 0)
            rc = read_figure(t, r, c_mean, &mean, err);
        if (rc == 0)
            rc = read_figure(t, r, c_pool, &pool_misses, err);
        if (rc == 0)
            rc = read_figure(t, r, c_ops, &ops, err);
        if (rc == 0)
            rc = read_figure(t, r, c_reps, &row->repetitions, err);
        if (rc == 0)
            rc = read_figure(t, r, c_cv, &row->ns_cv, err);
        if (rc == 0)
            rc = read_real(t, r, c_hit, &row->hit_ratio_target, err);
        if (rc == 0)
            rc = read_figure(t, r, c_floor, &row->floor_ns, err);
        if (rc == 0)
            rc = read_real(t, r, c_cell, &row->cell_index, err);
        if (rc != 0)
            goto out_error;
        /* pool_misses is summed over repetitions; ops is per repetition. */
        double total_ops = ops * row->repetitions;
        row->metric[VTB_COMPARE_POOL_MISSES_PER_OP] =
            isfinite(pool_misses) && total_ops > 0 ? pool_misses / total_ops : NAN;
    }
    if ((rc = index_identities(s, err)) != 0)
        goto out_error;
    if (side->samples != NULL && (rc = attach_samples(s, side->samples, err)) != 0)
        goto out_error;
    return 0;

out_error:
    side_free(s);
    return rc;
}

/* ---- Labels ---- */

/* Which key columns take more than one value over both sides: only those
 * are worth printing in a cell's label. */
static void varying_keys(const struct side_data *base, const struct side_data *head,
                         bool varies[KEY_COUNT])
{
    bool both = base->table->rows > 0 && head->table->rows > 0;
    for (size_t k = 0; k < KEY_COUNT; k++)
        varies[k] = base->varies[k] || head->varies[k] ||
                    (both && strcmp(key_text(base, 0, k), key_text(head, 0, k)) != 0);
}

/* Appends text to the string of used bytes in buf[size], as much as fits;
 * returns false when not all of it did. */
static bool append(char *buf, size_t size, size_t *used, const char *text)
{
    size_t n = strlen(text), room = size - 1 - *used;
    bool fits = n <= room;
    memcpy(buf + *used, text, fits ? n : room);
    *used += fits ? n : room;
    buf[*used] = '\0';
    return fits;
}

/* Fills cell from the row of s: its names and its label (axis=value for
 * the axes that vary, or the scenario). Made for every cell of a large
 * run, so by copying rather than formatting. */
static void make_cell(struct vtb_compare_cell *cell, const struct side_data *s, size_t row,
                      const bool varies[KEY_COUNT])
{
    memset(cell, 0, sizeof(*cell));
    size_t used = 0;
    append(cell->scenario, sizeof(cell->scenario), &used, key_text(s, row, KEY_SCENARIO));
    used = 0;
    append(cell->impl, sizeof(cell->impl), &used, key_text(s, row, KEY_IMPL));
    used = 0;
    for (size_t k = 0; k < KEY_COUNT; k++) {
        if (k == KEY_IMPL || !varies[k])
            continue;
        /* hit_ratio_target is "hit_ratio" in results.json names too. */
        const char *name = k == KEY_HIT_RATIO_TARGET ? "hit_ratio" : key_columns[k];
        if ((used > 0 && !append(cell->label, sizeof(cell->label), &used, " ")) ||
            !append(cell->label, sizeof(cell->label), &used, name) ||
            !append(cell->label, sizeof(cell->label), &used, "=") ||
            !append(cell->label, sizeof(cell->label), &used, key_text(s, row, k)))
            break;
    }
    if (used == 0)
        append(cell->label, sizeof(cell->label), &used, cell->scenario);
}

/* ---- Verdicts ---- */

static void note(struct vtb_compare_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(struct vtb_compare_entry *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->note, sizeof(e->note), fmt, ap);
    va_end(ap);
}

static double ratio_of(double base, double value)
{
    if (isnan(base) || isnan(value))
        return NAN;
    if (base == 0)
        return value == 0 ? 1.0 : INFINITY;
    return value / base;
}

static void judge_exact(struct vtb_compare_entry *e, double tolerance)
{
    double base = e->base_value, value = e->new_value;
    e->ratio = ratio_of(base, value);
    if (isnan(base) && isnan(value)) {
        e->verdict = VTB_COMPARE_VERDICT_SKIPPED;
        note(e, "not measured on either side");
    } else if (isnan(value)) {
        e->verdict = VTB_COMPARE_VERDICT_MISSING;
        e->regression = true;
        note(e, "measured in base, not in new");
    } else if (isnan(base)) {
        e->verdict = VTB_COMPARE_VERDICT_SKIPPED;
        note(e, "not measured in base");
    } else {
        double allowed = tolerance * fabs(base);
        if (value > base + allowed) {
            e->verdict = VTB_COMPARE_VERDICT_SLOWER;
            e->regression = true;
        } else if (value < base - allowed) {
            e->verdict = VTB_COMPARE_VERDICT_FASTER;
        } else {
            e->verdict = VTB_COMPARE_VERDICT_SAME;
        }
        if (tolerance > 0 && e->verdict != VTB_COMPARE_VERDICT_SAME)
            note(e, "beyond the %.3g%% tolerance", tolerance * 100);
    }
}

/* Median, CV and count of a row's repetitions: from its samples when there
 * are any, else from results.csv's summary columns. */
static int time_figures(const struct row_data *row, double *median, double *cv, unsigned *n)
{
    if (row->sample_count > 0) {
        struct vtb_summary s;
        int rc = vtb_stats_summarize(row->samples, row->sample_count, &s);
        if (rc != 0)
            return rc;
        *median = s.median;
        *cv = s.cv;
        *n = (unsigned)s.n;
        return 0;
    }
    *median = row->metric[VTB_COMPARE_NS_PER_OP];
    *cv = row->ns_cv;
    *n = isfinite(row->repetitions) && row->repetitions > 0 ? (unsigned)row->repetitions : 0;
    return 0;
}

static int judge_time(struct vtb_compare_entry *e, const struct row_data *base,
                      const struct row_data *head, const struct vtb_compare_options *o)
{
    e->p_value = NAN;
    if (isfinite(base->metric[VTB_COMPARE_INSTRUCTIONS_PER_OP]) ||
        isfinite(head->metric[VTB_COMPARE_INSTRUCTIONS_PER_OP])) {
        /* Under valgrind, time says nothing about the code. */
        e->base_value = base->metric[VTB_COMPARE_NS_PER_OP];
        e->new_value = head->metric[VTB_COMPARE_NS_PER_OP];
        e->ratio = ratio_of(e->base_value, e->new_value);
        e->verdict = VTB_COMPARE_VERDICT_SKIPPED;
        note(e, "instruction-count run: times under valgrind are not comparable");
        return 0;
    }
    int rc = time_figures(base, &e->base_value, &e->base_cv, &e->base_n);
    if (rc == 0)
        rc = time_figures(head, &e->new_value, &e->new_cv, &e->new_n);
    if (rc != 0)
        return rc;
    e->ratio = ratio_of(e->base_value, e->new_value);
    if (!isfinite(e->base_value) || !isfinite(e->new_value) || !(e->base_value > 0)) {
        e->verdict = isfinite(e->base_value) && !isfinite(e->new_value)
                         ? VTB_COMPARE_VERDICT_MISSING
                         : VTB_COMPARE_VERDICT_SKIPPED;
        note(e, "no time on %s", !isfinite(e->new_value) ? "new" : "base");
        e->regression = e->verdict == VTB_COMPARE_VERDICT_MISSING && o->time_gate;
        return 0;
    }
    if (e->base_n < o->min_reps || e->new_n < o->min_reps)
        e->warnings |= VTB_COMPARE_WARN_FEW_REPS;
    bool tested = base->sample_count > 0 && head->sample_count > 0;
    bool significant = false;
    if (tested) {
        struct vtb_mwu mwu;
        rc = vtb_stats_mann_whitney(head->samples, head->sample_count, base->samples,
                                    base->sample_count, &mwu);
        if (rc != 0)
            return rc;
        e->p_value = mwu.p_value;
        significant = mwu.p_value < o->alpha;
    } else {
        e->warnings |= VTB_COMPARE_WARN_NO_SAMPLES;
    }
    bool slower = e->ratio > 1 + o->threshold, faster = e->ratio < 1 - o->threshold;
    bool noisy = !(e->base_cv <= o->cv_max) || !(e->new_cv <= o->cv_max);
    /* The floor is the bare cache lookup, measured in the same run between
     * the implementations: when it moved beyond the threshold as well, the
     * machine changed between the runs (another job, a frequency change),
     * which no test on the repetitions of either run can see. A code change
     * in the lookup itself would move it too, but that shows exactly in
     * instructions_per_op. */
    e->floor_ratio = ratio_of(base->floor_ns, head->floor_ns);
    bool floor_moved = isfinite(e->floor_ratio) && (e->floor_ratio > 1 + o->threshold ||
                                                    e->floor_ratio < 1 - o->threshold);
    if (noisy) {
        e->verdict = VTB_COMPARE_VERDICT_NOISY;
        if (significant && (slower || faster))
            note(e, "would be %s, but repetitions disagree (CV above %.3g%%)",
                 slower ? "slower" : "faster", o->cv_max * 100);
        else
            note(e, "repetitions disagree (CV above %.3g%%)", o->cv_max * 100);
    } else if (floor_moved && significant && (slower || faster)) {
        e->verdict = VTB_COMPARE_VERDICT_NOISY;
        note(e, "would be %s, but the floor moved by x%.3g too: the machine changed",
             slower ? "slower" : "faster", e->floor_ratio);
    } else if (!tested && (slower || faster)) {
        e->verdict = VTB_COMPARE_VERDICT_NOISY;
        note(e, "%s beyond the threshold, but no samples.csv to test it",
             slower ? "slower" : "faster");
    } else if (significant && slower) {
        e->verdict = VTB_COMPARE_VERDICT_SLOWER;
    } else if (significant && faster) {
        e->verdict = VTB_COMPARE_VERDICT_FASTER;
    } else {
        e->verdict = VTB_COMPARE_VERDICT_SAME;
        if (tested && (slower || faster))
            note(e, "beyond the threshold, but not significant");
        else if (significant)
            note(e, "significant, but within the threshold");
    }
    if (o->time_gate)
        e->regression = e->verdict == VTB_COMPARE_VERDICT_SLOWER ||
                        (o->fail_on_noisy && e->verdict == VTB_COMPARE_VERDICT_NOISY);
    return 0;
}

/* ---- The comparison ---- */

struct builder {
    struct vtb_compare_result *result;
    size_t entry_cap; /* entries reserved */
};

/* The next entry, from the room vtb_compare_run reserved for them all. */
static struct vtb_compare_entry *new_entry(struct builder *b, size_t cell,
                                           enum vtb_compare_metric metric)
{
    struct vtb_compare_result *r = b->result;
    assert(r->entry_count < b->entry_cap);
    struct vtb_compare_entry *e = &r->entries[r->entry_count++];
    memset(e, 0, sizeof(*e));
    e->cell = cell;
    e->metric = metric;
    e->base_value = e->new_value = e->ratio = e->p_value = NAN;
    e->base_cv = e->new_cv = e->floor_ratio = NAN;
    return e;
}

static int compare_cell(struct builder *b, size_t cell, const struct row_data *base,
                        const struct row_data *head, const struct vtb_compare_options *o)
{
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++) {
        /* A metric neither side measured (instructions in normal runs,
         * bytes without jemalloc) is not worth a line. */
        if (metrics[m].kind == KIND_EXACT && isnan(base->metric[m]) && isnan(head->metric[m]))
            continue;
        struct vtb_compare_entry *e = new_entry(b, cell, (enum vtb_compare_metric)m);
        if (metrics[m].kind == KIND_TIME) {
            int rc = judge_time(e, base, head, o);
            if (rc != 0)
                return rc;
        } else {
            e->base_value = base->metric[m];
            e->new_value = head->metric[m];
            judge_exact(e, o->tolerance[m]);
        }
    }
    return 0;
}

static void check_invariants(struct builder *b, size_t cell, const struct row_data *head)
{
    const struct vtb_compare_cell *c = &b->result->cells[cell];
    for (size_t i = 0; i < sizeof(invariants) / sizeof(invariants[0]); i++) {
        const struct invariant *inv = &invariants[i];
        if (strcmp(c->impl, inv->impl) != 0 || (inv->hits_only && head->hit_ratio_target != 1.0))
            continue;
        double allocs = head->metric[VTB_COMPARE_ALLOCS_PER_OP];
        if (isnan(allocs))
            continue;
        struct vtb_compare_entry *e = new_entry(b, cell, VTB_COMPARE_ALLOCS_PER_OP);
        e->invariant = inv->rule;
        e->base_value = 0;
        e->new_value = allocs;
        e->ratio = ratio_of(0, allocs);
        e->verdict = allocs == 0 ? VTB_COMPARE_VERDICT_SAME : VTB_COMPARE_VERDICT_SLOWER;
        e->regression = allocs != 0;
    }
}

void vtb_compare_result_free(struct vtb_compare_result *result)
{
    free(result->cells);
    free(result->entries);
    memset(result, 0, sizeof(*result));
}

int vtb_compare_run(const struct vtb_compare_side *base, const struct vtb_compare_side *head,
                    const struct vtb_compare_options *options, struct vtb_compare_result *result,
                    struct vtb_error *err)
{
    struct vtb_compare_options defaults;
    if (options == NULL) {
        vtb_compare_options_default(&defaults);
        options = &defaults;
    }
    memset(result, 0, sizeof(*result));
    struct side_data bs, hs;
    int rc = side_load(&bs, base, err);
    if (rc != 0)
        return rc;
    rc = side_load(&hs, head, err);
    if (rc != 0) {
        side_free(&bs);
        return rc;
    }
    struct builder b = {result, 0};
    /* Room for every row to be a cell of its own; only the cells made are
     * written (make_cell clears each), so the rest is never touched. */
    size_t max_cells = bs.table->rows + hs.table->rows;
    result->cells = malloc((max_cells > 0 ? max_cells : 1) * sizeof(*result->cells));
    if (result->cells == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out_free;
    }
    bool varies[KEY_COUNT];
    varying_keys(&bs, &hs, varies);

    /* Base order first, each base row with the new row of the same
     * identity (there is at most one: duplicates were refused); then the
     * new rows nobody matched. */
    for (size_t r = 0; r < bs.table->rows; r++) {
        struct vtb_compare_cell *cell = &result->cells[result->cell_count++];
        make_cell(cell, &bs, r, varies);
        cell->base_row = (long)r;
        cell->base_line = bs.table->row_lines[r];
        cell->new_row = -1;
        struct identity_probe probe = {&hs, &bs, r};
        const struct index_slot *slot =
            index_find(&hs.cells, bs.rows[r].identity, identity_matches, &probe);
        if (slot->row != 0) {
            size_t h = slot->row - 1;
            hs.rows[h].matched = true;
            cell->new_row = (long)h;
            cell->new_line = hs.table->row_lines[h];
            result->matched++;
        } else {
            result->base_only++;
        }
    }
    for (size_t h = 0; h < hs.table->rows; h++) {
        if (hs.rows[h].matched)
            continue;
        struct vtb_compare_cell *cell = &result->cells[result->cell_count++];
        make_cell(cell, &hs, h, varies);
        cell->base_row = -1;
        cell->new_row = (long)h;
        cell->new_line = hs.table->row_lines[h];
        result->new_only++;
    }
    if (result->matched == 0) {
        rc = vtb_error_set(err, VTB_EINVAL,
                           "%s and %s have no cell in common (different scenarios or axes?)",
                           bs.table->source, hs.table->source);
        goto out_free;
    }

    /* At most every metric of a matched cell and every invariant of a new
     * row make an entry: reserving that once spares copying a growing
     * array of a few hundred bytes per entry, and the pages never written
     * are never touched. The surplus is returned below. */
    size_t invariant_count = sizeof(invariants) / sizeof(invariants[0]);
    b.entry_cap = result->matched * VTB_COMPARE_METRIC_COUNT +
                  (result->matched + result->new_only) * invariant_count;
    result->entries = malloc((b.entry_cap > 0 ? b.entry_cap : 1) * sizeof(*result->entries));
    if (result->entries == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out_free;
    }
    for (size_t c = 0; c < result->cell_count && rc == 0; c++) {
        const struct vtb_compare_cell *cell = &result->cells[c];
        if (cell->base_row >= 0 && cell->new_row >= 0)
            rc = compare_cell(&b, c, &bs.rows[cell->base_row], &hs.rows[cell->new_row], options);
        if (rc == 0 && cell->new_row >= 0)
            check_invariants(&b, c, &hs.rows[cell->new_row]);
    }
    if (rc != 0) {
        vtb_error_set(err, rc, rc == VTB_ENOMEM ? NULL : "cannot compute the statistics");
        goto out_free;
    }
    /* The room reserved and not used goes back (it was never touched). */
    struct vtb_compare_entry *fitted =
        realloc(result->entries, (result->entry_count > 0 ? result->entry_count : 1) *
                                     sizeof(*result->entries));
    if (fitted != NULL)
        result->entries = fitted;
    struct vtb_compare_cell *fitted_cells =
        realloc(result->cells, result->cell_count * sizeof(*result->cells));
    if (fitted_cells != NULL)
        result->cells = fitted_cells;
    for (size_t i = 0; i < result->entry_count; i++) {
        const struct vtb_compare_entry *e = &result->entries[i];
        result->verdicts[e->verdict]++;
        if (e->regression)
            result->regressions++;
        if (e->warnings != 0)
            result->warned++;
    }

out_free:
    side_free(&bs);
    side_free(&hs);
    if (rc != 0)
        vtb_compare_result_free(result);
    return rc;
}

/* ---- Baselines ---- */

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

/* Copies the file at from into dir/name through an atomic file. */
static int copy_file(const char *from, const char *dir, const char *name, char *out,
                     size_t size, struct vtb_error *err)
{
    FILE *in = fopen(from, "rb");
    if (in == NULL)
        return vtb_error_set(err, VTB_EIO, "%s: cannot open: %s", from, strerror(errno));
    struct vtb_atomic_file af = {0};
    int rc = vtb_atomic_file_open(&af, dir, name, err);
    if (rc != 0) {
        fclose(in);
        return rc;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, af.fp) != n)
            break;
    bool read_failed = ferror(in) != 0;
    fclose(in);
    if (read_failed) {
        vtb_atomic_file_abort(&af);
        return vtb_error_set(err, VTB_EIO, "%s: read error", from);
    }
    snprintf(out, size, "%s", af.path);
    return vtb_atomic_file_commit(&af, err);
}

/* Whether the run's context.json (when there is one) says the run was
 * interrupted. The reporter writes the key as "complete": false, and that
 * exact text is all we look for: vtbench has no JSON reader, and a missing
 * or unreadable context.json (a bare results file) is not an error. */
static bool run_marked_incomplete(const char *results_path)
{
    char path[1100];
    const char *slash = strrchr(results_path, '/');
    int n = slash != NULL ? snprintf(path, sizeof(path), "%.*s/context.json",
                                     (int)(slash - results_path), results_path)
                          : snprintf(path, sizeof(path), "context.json");
    if (n < 0 || (size_t)n >= sizeof(path))
        return false;
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return false;
    /* context.json is a few kilobytes; the key comes near its start. */
    size_t cap = 1 << 16;
    char *text = malloc(cap);
    bool incomplete = false;
    if (text != NULL) {
        size_t len = fread(text, 1, cap - 1, file);
        text[len] = '\0';
        incomplete = strstr(text, "\"complete\": false") != NULL;
        free(text);
    }
    fclose(file);
    return incomplete;
}

int vtb_compare_save_baseline(const char *run_path, const char *dir, const char *name,
                              char *results_out, char *samples_out, size_t size,
                              struct vtb_error *err)
{
    results_out[0] = samples_out[0] = '\0';
    if (!valid_name(name))
        return vtb_error_set(err, VTB_EINVAL,
                             "baseline name '%s': use letters, digits, '.', '_' and '-'", name);
    struct vtb_compare_input in;
    int rc = vtb_compare_load(&in, run_path, err);
    if (rc != 0)
        return rc;
    if (run_marked_incomplete(in.results_path)) {
        rc = vtb_error_set(err, VTB_EINVAL,
                           "%s: the run was interrupted (context.json: \"complete\": false); "
                           "a baseline must be a complete run",
                           in.results_path);
        goto out_free;
    }
    if (in.results.rows == 0) {
        rc = vtb_error_set(err, VTB_EINVAL, "%s: no results", in.results_path);
        goto out_free;
    }
    /* A baseline with failures would make failures look normal. */
    long c_errors = vtb_csv_column(&in.results, "errors");
    long c_mismatches = vtb_csv_column(&in.results, "value_mismatches");
    for (size_t r = 0; r < in.results.rows; r++) {
        double errors = NAN, mismatches = NAN;
        rc = read_figure(&in.results, r, c_errors, &errors, err);
        if (rc == 0)
            rc = read_figure(&in.results, r, c_mismatches, &mismatches, err);
        if (rc != 0)
            goto out_free;
        if (errors > 0 || mismatches > 0) {
            rc = vtb_error_set(err, VTB_EINVAL,
                               "%s:%zu: the run had failed operations or wrong values; a "
                               "baseline must be a clean run",
                               in.results_path, in.results.row_lines[r]);
            goto out_free;
        }
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        rc = vtb_error_set(err, VTB_EIO, "%s: cannot create: %s", dir, strerror(errno));
        goto out_free;
    }
    char file_name[160];
    snprintf(file_name, sizeof(file_name), "%s.csv", name);
    rc = copy_file(in.results_path, dir, file_name, results_out, size, err);
    if (rc != 0)
        goto out_free;
    snprintf(file_name, sizeof(file_name), "%s.samples.csv", name);
    /* The times of an instruction-count run were taken under valgrind:
     * keeping them would only invite a meaningless comparison. */
    long c_instructions = vtb_csv_column(&in.results, "instructions_per_op");
    bool counted = c_instructions >= 0;
    for (size_t r = 0; counted && r < in.results.rows; r++)
        counted = vtb_csv_cell(&in.results, r, (size_t)c_instructions)[0] != '\0';
    if (in.has_samples && !counted) {
        rc = copy_file(in.samples_path, dir, file_name, samples_out, size, err);
    } else {
        /* Stale samples of an earlier baseline would be compared against
         * the new results. */
        char stale[1200];
        snprintf(stale, sizeof(stale), "%s/%s", dir, file_name);
        if (unlink(stale) != 0 && errno != ENOENT)
            rc = vtb_error_set(err, VTB_EIO, "%s: cannot remove: %s", stale, strerror(errno));
    }

out_free:
    vtb_compare_input_free(&in);
    return rc;
}

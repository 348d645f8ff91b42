/*
 * The comparison behind `vtbench compare` and `vtbench baseline` (see
 * compare.h for the rules): loading the two sides, matching their rows by
 * identity, applying each metric's rule, and saving a run as a baseline.
 */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "stats.h"

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

/* The identity of a row: every column that names the cell (the scenario
 * axes). The order is the order of the label. */
static const char *const key_columns[] = {
    "scenario",   "impl",         "hit_ratio_target", "threads", "concurrency",
    "key_dist",   "keys",         "capacity",         "ttl_ms",  "miss_latency",
    "completion", "continuation", "cache_lock",       "load",
};
#define KEY_COUNT (sizeof(key_columns) / sizeof(key_columns[0]))
#define KEY_SCENARIO 0
#define KEY_IMPL 1
#define KEY_HIT_RATIO_TARGET 2

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

/* Columns a results file must have: the identity and what per-op figures
 * are divided by. Everything else is optional (an older file compares on
 * what it has). */
static const char *const required_results[] = {"scenario", "impl", "ops", "repetitions", NULL};
static const char *const required_samples[] = {"scenario", "cell_index", "impl", "ns_per_op",
                                               NULL};

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
    rc = vtb_csv_require(&in->results, required_results, err);
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

/* ---- One side, read into numbers ---- */

struct row_data {
    double metric[VTB_COMPARE_METRIC_COUNT]; /* NaN: not measured (ns: median) */
    double ns_cv;                            /* from results.csv */
    double floor_ns;                         /* the cell's floor_ns_per_hit */
    double repetitions;
    double hit_ratio_target;
    double cell_index;         /* joins samples.csv rows to this row */
    double *samples; /* ns per op of each repetition, from samples.csv */
    size_t sample_count;
    bool matched;
};

struct side_data {
    const struct vtb_csv_table *table;
    long key[KEY_COUNT];
    struct row_data *rows;
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

static const char *key_text(const struct side_data *s, size_t row, size_t k)
{
    return s->key[k] < 0 ? "" : vtb_csv_cell(s->table, row, (size_t)s->key[k]);
}

static void side_free(struct side_data *s)
{
    if (s->rows != NULL)
        for (size_t r = 0; r < s->table->rows; r++)
            free(s->rows[r].samples);
    free(s->rows);
    s->rows = NULL;
}

/* Attaches each sample row to the results row of the same scenario, impl
 * and cell_index. Samples of no known row are ignored. */
static int attach_samples(struct side_data *s, const struct vtb_csv_table *samples,
                          struct vtb_error *err)
{
    const struct vtb_csv_table *t = s->table;
    long s_scenario = vtb_csv_column(samples, "scenario");
    long s_cell = vtb_csv_column(samples, "cell_index");
    long s_impl = vtb_csv_column(samples, "impl");
    long s_ns = vtb_csv_column(samples, "ns_per_op");
    for (size_t i = 0; i < samples->rows; i++) {
        double cell, ns;
        int rc = read_real(samples, i, s_cell, &cell, err);
        if (rc == 0)
            rc = read_real(samples, i, s_ns, &ns, err);
        if (rc != 0)
            return rc;
        if (!isfinite(ns))
            continue; /* an empty sample: not measured */
        const char *scenario = vtb_csv_cell(samples, i, (size_t)s_scenario);
        const char *impl = vtb_csv_cell(samples, i, (size_t)s_impl);
        for (size_t r = 0; r < t->rows; r++) {
            /* A results file without cell_index (NaN) never matches. */
            if (s->rows[r].cell_index != cell || strcmp(key_text(s, r, KEY_IMPL), impl) != 0 ||
                strcmp(key_text(s, r, KEY_SCENARIO), scenario) != 0)
                continue;
            struct row_data *row = &s->rows[r];
            double *grown = realloc(row->samples, (row->sample_count + 1) * sizeof(double));
            if (grown == NULL)
                return vtb_error_set(err, VTB_ENOMEM, NULL);
            row->samples = grown;
            row->samples[row->sample_count++] = ns;
            break;
        }
    }
    return 0;
}

static int side_load(struct side_data *s, const struct vtb_compare_side *side,
                     struct vtb_error *err)
{
    memset(s, 0, sizeof(*s));
    s->table = side->results;
    const struct vtb_csv_table *t = side->results;
    int rc = vtb_csv_require(t, required_results, err);
    if (rc != 0)
        return rc;
    if (side->samples != NULL && (rc = vtb_csv_require(side->samples, required_samples, err)) != 0)
        return rc;
    for (size_t k = 0; k < KEY_COUNT; k++)
        s->key[k] = vtb_csv_column(t, key_columns[k]);
    s->rows = calloc(t->rows > 0 ? t->rows : 1, sizeof(*s->rows));
    if (s->rows == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);

    long col[VTB_COMPARE_METRIC_COUNT];
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++)
        col[m] = vtb_csv_column(t, metrics[m].name);
    /* The time figure is the median, which the rank test speaks about;
     * ns_per_op itself is the mean. */
    col[VTB_COMPARE_NS_PER_OP] = vtb_csv_column(t, "ns_per_op_median");
    if (col[VTB_COMPARE_NS_PER_OP] < 0)
        col[VTB_COMPARE_NS_PER_OP] = vtb_csv_column(t, "ns_per_op");
    long c_pool = vtb_csv_column(t, "pool_misses"), c_ops = vtb_csv_column(t, "ops");
    long c_reps = vtb_csv_column(t, "repetitions"), c_cv = vtb_csv_column(t, "ns_per_op_cv");
    long c_floor = vtb_csv_column(t, "floor_ns_per_hit");
    long c_cell = vtb_csv_column(t, "cell_index");
    long c_hit = s->key[KEY_HIT_RATIO_TARGET];

    for (size_t r = 0; r < t->rows; r++) {
        struct row_data *row = &s->rows[r];
        for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT && rc == 0; m++)
            rc = read_real(t, r, col[m], &row->metric[m], err);
        double pool_misses = NAN, ops = NAN;
        if (rc == 0)
            rc = read_real(t, r, c_pool, &pool_misses, err);
        if (rc == 0)
            rc = read_real(t, r, c_ops, &ops, err);
        if (rc == 0)
            rc = read_real(t, r, c_reps, &row->repetitions, err);
        if (rc == 0)
            rc = read_real(t, r, c_cv, &row->ns_cv, err);
        if (rc == 0)
            rc = read_real(t, r, c_hit, &row->hit_ratio_target, err);
        if (rc == 0)
            rc = read_real(t, r, c_floor, &row->floor_ns, err);
        if (rc == 0)
            rc = read_real(t, r, c_cell, &row->cell_index, err);
        if (rc != 0)
            goto out_error;
        /* pool_misses is summed over repetitions; ops is per repetition. */
        double total_ops = ops * row->repetitions;
        row->metric[VTB_COMPARE_POOL_MISSES_PER_OP] =
            isfinite(pool_misses) && total_ops > 0 ? pool_misses / total_ops : NAN;
    }
    if (side->samples != NULL && (rc = attach_samples(s, side->samples, err)) != 0)
        goto out_error;
    return 0;

out_error:
    side_free(s);
    return rc;
}

/* ---- Matching and labels ---- */

/* Rows are the same cell when every key column that both files have
 * agrees: a column added to results.csv later (an axis that older files
 * did not have) does not make an old baseline unmatchable. */
static bool same_key(const struct side_data *a, size_t ra, const struct side_data *b, size_t rb)
{
    for (size_t k = 0; k < KEY_COUNT; k++)
        if (a->key[k] >= 0 && b->key[k] >= 0 &&
            strcmp(key_text(a, ra, k), key_text(b, rb, k)) != 0)
            return false;
    return true;
}

/* Which key columns take more than one value over both sides: only those
 * are worth printing in a cell's label. */
static void varying_keys(const struct side_data *base, const struct side_data *head,
                         bool varies[KEY_COUNT])
{
    for (size_t k = 0; k < KEY_COUNT; k++) {
        const char *first = NULL;
        varies[k] = false;
        const struct side_data *sides[2] = {base, head};
        for (size_t s = 0; s < 2 && !varies[k]; s++)
            for (size_t r = 0; sides[s]->key[k] >= 0 && r < sides[s]->table->rows; r++) {
                const char *v = key_text(sides[s], r, k);
                if (first == NULL)
                    first = v;
                else if (strcmp(first, v) != 0) {
                    varies[k] = true;
                    break;
                }
            }
    }
}

static void make_cell(struct vtb_compare_cell *cell, const struct side_data *s, size_t row,
                      const bool varies[KEY_COUNT])
{
    snprintf(cell->scenario, sizeof(cell->scenario), "%s", key_text(s, row, KEY_SCENARIO));
    snprintf(cell->impl, sizeof(cell->impl), "%s", key_text(s, row, KEY_IMPL));
    size_t used = 0;
    cell->label[0] = '\0';
    for (size_t k = 0; k < KEY_COUNT; k++) {
        if (k == KEY_IMPL || !varies[k])
            continue;
        /* hit_ratio_target is "hit_ratio" in results.json names too. */
        const char *name = k == KEY_HIT_RATIO_TARGET ? "hit_ratio" : key_columns[k];
        int n = snprintf(cell->label + used, sizeof(cell->label) - used, "%s%s=%s",
                         used > 0 ? " " : "", name, key_text(s, row, k));
        if (n < 0 || (size_t)n >= sizeof(cell->label) - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(cell->label, sizeof(cell->label), "%s", cell->scenario);
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
    size_t entry_cap;
};

static struct vtb_compare_entry *new_entry(struct builder *b, size_t cell,
                                           enum vtb_compare_metric metric)
{
    struct vtb_compare_result *r = b->result;
    if (r->entry_count == b->entry_cap) {
        size_t cap = b->entry_cap ? b->entry_cap * 2 : 64;
        struct vtb_compare_entry *grown = realloc(r->entries, cap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        r->entries = grown;
        b->entry_cap = cap;
    }
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
        if (e == NULL)
            return VTB_ENOMEM;
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

static int check_invariants(struct builder *b, size_t cell, const struct row_data *head)
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
        if (e == NULL)
            return VTB_ENOMEM;
        e->invariant = inv->rule;
        e->base_value = 0;
        e->new_value = allocs;
        e->ratio = ratio_of(0, allocs);
        e->verdict = allocs == 0 ? VTB_COMPARE_VERDICT_SAME : VTB_COMPARE_VERDICT_SLOWER;
        e->regression = allocs != 0;
    }
    return 0;
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
    size_t max_cells = bs.table->rows + hs.table->rows;
    result->cells = calloc(max_cells > 0 ? max_cells : 1, sizeof(*result->cells));
    if (result->cells == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
        goto out_free;
    }
    bool varies[KEY_COUNT];
    varying_keys(&bs, &hs, varies);

    /* Base order first, each base row with the first unmatched new row of
     * the same identity; then the new rows nobody matched. */
    for (size_t r = 0; r < bs.table->rows; r++) {
        struct vtb_compare_cell *cell = &result->cells[result->cell_count];
        make_cell(cell, &bs, r, varies);
        cell->base_row = (long)r;
        cell->base_line = bs.table->row_lines[r];
        cell->new_row = -1;
        for (size_t h = 0; h < hs.table->rows; h++)
            if (!hs.rows[h].matched && same_key(&bs, r, &hs, h)) {
                hs.rows[h].matched = true;
                cell->new_row = (long)h;
                cell->new_line = hs.table->row_lines[h];
                break;
            }
        result->cell_count++;
        if (cell->new_row >= 0)
            result->matched++;
        else
            result->base_only++;
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

    for (size_t c = 0; c < result->cell_count && rc == 0; c++) {
        const struct vtb_compare_cell *cell = &result->cells[c];
        if (cell->base_row >= 0 && cell->new_row >= 0)
            rc = compare_cell(&b, c, &bs.rows[cell->base_row], &hs.rows[cell->new_row], options);
        if (rc == 0 && cell->new_row >= 0)
            rc = check_invariants(&b, c, &hs.rows[cell->new_row]);
    }
    if (rc != 0) {
        vtb_error_set(err, rc, rc == VTB_ENOMEM ? NULL : "cannot compute the statistics");
        goto out_free;
    }
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
        rc = read_real(&in.results, r, c_errors, &errors, err);
        if (rc == 0)
            rc = read_real(&in.results, r, c_mismatches, &mismatches, err);
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

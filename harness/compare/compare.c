/*
 * The comparison (see compare.h): the two sides' rows matched by
 * identity, each matched cell judged metric by metric, every new row
 * checked for the invariants, and the labels and figures that the
 * front-end asks for built on demand.
 */
#include "compare.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What vtb_compare_run is building. */
struct builder {
    struct vtb_compare_result *r;
    const struct vtb_compare_options *o;
    size_t entry_cap; /* entries reserved */
};

/* The next entry, from the room vtb_compare_run reserved for them all. */
static struct vtb_compare_entry *new_entry(struct builder *b, size_t cell,
                                           enum vtb_compare_metric metric)
{
    struct vtb_compare_result *r = b->r;
    assert(r->entry_count < b->entry_cap);
    struct vtb_compare_entry *e = &r->entries[r->entry_count++];
    *e = (struct vtb_compare_entry){.cell = (uint32_t)cell, .metric = (unsigned char)metric};
    return e;
}

/* Whether a row was measured under valgrind, where time means nothing. */
static bool counted(const struct vtb_compare_row *row)
{
    return isfinite(row->metric[VTB_COMPARE_INSTRUCTIONS_PER_OP]);
}

static struct vtb_compare_rounds rounds_of(const struct vtb_compare_row *row)
{
    return (struct vtb_compare_rounds){row->ns, row->floor_ns, row->rounds, row->run_rounds,
                                       row->runs};
}

/* The time rule, or why it does not apply, into t and the entry. */
static int judge_time(struct builder *b, struct vtb_compare_entry *e, struct vtb_compare_time *t,
                      const struct vtb_compare_row *base, const struct vtb_compare_row *head)
{
    *t = (struct vtb_compare_time){.verdict = VTB_COMPARE_VERDICT_SKIPPED,
                                   .ratio = NAN, .ci_low = NAN, .ci_high = NAN,
                                   .floor_ratio = NAN, .floor_ci_low = NAN,
                                   .floor_ci_high = NAN};
    bool base_timed = isfinite(base->metric[VTB_COMPARE_NS_PER_OP]) || base->rounds > 0;
    bool head_timed = isfinite(head->metric[VTB_COMPARE_NS_PER_OP]) || head->rounds > 0;
    int rc = 0;
    if (counted(base) || counted(head)) {
        t->note = VTB_COMPARE_NOTE_INSTRUCTIONS;
    } else if (!base_timed) {
        t->note = VTB_COMPARE_NOTE_NO_TIME_BASE;
    } else if (!head_timed) {
        t->verdict = VTB_COMPARE_VERDICT_MISSING;
        t->note = VTB_COMPARE_NOTE_NO_TIME_NEW;
    } else if (b->r->base->samples_path[0] == '\0' || b->r->head->samples_path[0] == '\0') {
        t->verdict = VTB_COMPARE_VERDICT_UNKNOWN;
        t->note = VTB_COMPARE_NOTE_NO_SAMPLES;
    } else {
        struct vtb_compare_rounds rb = rounds_of(base), rh = rounds_of(head);
        rc = vtb_compare_time_judge(&rb, &rh, b->o->threshold, t);
    }
    e->verdict = t->verdict;
    e->note = t->note;
    e->regression = b->o->time_gate && (t->verdict == VTB_COMPARE_VERDICT_SLOWER ||
                                         t->verdict == VTB_COMPARE_VERDICT_MISSING ||
                                         (b->o->fail_on_unknown &&
                                          t->verdict == VTB_COMPARE_VERDICT_UNKNOWN));
    return rc;
}

static int compare_cell(struct builder *b, size_t cell, const struct vtb_compare_row *base,
                        const struct vtb_compare_row *head)
{
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++) {
        enum vtb_compare_metric metric = (enum vtb_compare_metric)m;
        if (!vtb_compare_metric_exact(metric)) {
            struct vtb_compare_result *r = b->r;
            r->cells[cell].time = (uint32_t)r->time_count;
            struct vtb_compare_time *t = &r->times[r->time_count++];
            int rc = judge_time(b, new_entry(b, cell, metric), t, base, head);
            if (rc != 0)
                return rc;
            r->floor_moved += t->floor_moved;
            continue;
        }
        /* A metric neither side measured (instructions in normal runs,
         * bytes without jemalloc) is not worth a line. */
        if (isnan(base->metric[m]) && isnan(head->metric[m]))
            continue;
        struct vtb_compare_entry *e = new_entry(b, cell, metric);
        enum vtb_compare_note note;
        e->verdict = (unsigned char)vtb_compare_judge_exact(base->metric[m], head->metric[m],
                                                            b->o->tolerance[m], &note);
        e->note = (unsigned char)note;
        e->regression =
            e->verdict == VTB_COMPARE_VERDICT_SLOWER || e->verdict == VTB_COMPARE_VERDICT_MISSING;
    }
    return 0;
}

static void check_invariants(struct builder *b, size_t cell)
{
    const struct vtb_compare_result *r = b->r;
    const struct vtb_compare_row *head = &r->head->rows[r->cells[cell].new_row];
    double allocs = head->metric[VTB_COMPARE_ALLOCS_PER_OP];
    if (isnan(allocs))
        return;
    for (size_t i = 0; i < vtb_compare_invariant_count(); i++) {
        if (!vtb_compare_invariant_applies(i, vtb_compare_cell_impl(r, cell),
                                           head->hit_ratio_target))
            continue;
        struct vtb_compare_entry *e = new_entry(b, cell, VTB_COMPARE_ALLOCS_PER_OP);
        e->invariant = (unsigned char)(i + 1);
        e->verdict = allocs == 0 ? VTB_COMPARE_VERDICT_SAME : VTB_COMPARE_VERDICT_SLOWER;
        e->regression = allocs != 0;
    }
}

/* Which identifying columns vary over both sides: only those are worth
 * printing in a cell's label. */
static void varying_keys(struct vtb_compare_result *r)
{
    const struct vtb_compare_side *a = r->base, *b = r->head;
    bool both = a->row_count > 0 && b->row_count > 0;
    for (size_t k = 0; k < a->key_count; k++)
        r->varies[k] = a->varies[k] || b->varies[k] ||
                       (both && strcmp(vtb_compare_side_key(a, 0, k),
                                       vtb_compare_side_key(b, 0, k)) != 0);
}

/* Base order first, each base row with the new row of the same identity
 * (at most one: duplicates were refused); then the new rows nobody
 * matched. */
static int match_cells(struct vtb_compare_result *r, struct vtb_error *err)
{
    const struct vtb_compare_side *bs = r->base, *hs = r->head;
    size_t max_cells = bs->row_count + hs->row_count;
    r->cells = malloc((max_cells > 0 ? max_cells : 1) * sizeof(*r->cells));
    bool *matched = calloc(hs->row_count > 0 ? hs->row_count : 1, sizeof(*matched));
    if (r->cells == NULL || matched == NULL) {
        free(matched);
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    }
    for (size_t row = 0; row < bs->row_count; row++) {
        long h = vtb__compare_find_row(hs, bs, row);
        r->cells[r->cell_count++] =
            (struct vtb_compare_cell){(int32_t)row, (int32_t)h, VTB_COMPARE_NO_TIME};
        if (h >= 0) {
            matched[h] = true;
            r->matched++;
        } else {
            r->base_only++;
        }
    }
    for (size_t h = 0; h < hs->row_count; h++)
        if (!matched[h]) {
            r->cells[r->cell_count++] =
                (struct vtb_compare_cell){-1, (int32_t)h, VTB_COMPARE_NO_TIME};
            r->new_only++;
        }
    free(matched);
    if (r->matched == 0)
        return vtb_error_set(err, VTB_EINVAL,
                             "%s and %s have no cell in common (different scenarios or axes?)",
                             bs->results_path, hs->results_path);
    return 0;
}

/* Judges every cell. At most every metric of a matched cell and every
 * invariant of a new row make an entry: reserving that once spares
 * copying a growing array, and the pages never written are never touched.
 * The surplus is returned at the end. */
static int judge_cells(struct builder *b, struct vtb_error *err)
{
    struct vtb_compare_result *r = b->r;
    b->entry_cap = r->matched * VTB_COMPARE_METRIC_COUNT +
                   (r->matched + r->new_only) * vtb_compare_invariant_count();
    r->entries = malloc((b->entry_cap > 0 ? b->entry_cap : 1) * sizeof(*r->entries));
    r->times = malloc((r->matched > 0 ? r->matched : 1) * sizeof(*r->times));
    if (r->entries == NULL || r->times == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    int rc = 0;
    for (size_t c = 0; c < r->cell_count && rc == 0; c++) {
        const struct vtb_compare_cell *cell = &r->cells[c];
        if (cell->base_row >= 0 && cell->new_row >= 0)
            rc = compare_cell(b, c, &r->base->rows[cell->base_row],
                              &r->head->rows[cell->new_row]);
        if (rc == 0 && cell->new_row >= 0)
            check_invariants(b, c);
    }
    if (rc != 0)
        return vtb_error_set(err, rc, NULL);
    struct vtb_compare_entry *fitted =
        realloc(r->entries, (r->entry_count > 0 ? r->entry_count : 1) * sizeof(*r->entries));
    if (fitted != NULL)
        r->entries = fitted;
    for (size_t i = 0; i < r->entry_count; i++) {
        const struct vtb_compare_entry *e = &r->entries[i];
        if (e->invariant == 0)
            r->verdicts[e->verdict]++;
        r->regressions += e->regression;
    }
    return 0;
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
    result->base = base;
    result->head = head;
    varying_keys(result);
    struct builder b = {result, options, 0};
    int rc = match_cells(result, err);
    if (rc == 0)
        rc = judge_cells(&b, err);
    if (rc != 0) {
        vtb_compare_result_free(result);
        return rc;
    }
    struct vtb_compare_cell *fitted =
        realloc(result->cells, result->cell_count * sizeof(*result->cells));
    if (fitted != NULL)
        result->cells = fitted;
    return 0;
}

void vtb_compare_result_free(struct vtb_compare_result *result)
{
    free(result->cells);
    free(result->times);
    free(result->entries);
    memset(result, 0, sizeof(*result));
}

/* ---- On demand ---- */

/* The side and row a cell's texts come from: base when it is there. */
static const struct vtb_compare_side *text_side(const struct vtb_compare_result *r, size_t cell,
                                                size_t *row)
{
    const struct vtb_compare_cell *c = &r->cells[cell];
    *row = (size_t)(c->base_row >= 0 ? c->base_row : c->new_row);
    return c->base_row >= 0 ? r->base : r->head;
}

const char *vtb_compare_cell_scenario(const struct vtb_compare_result *r, size_t cell)
{
    size_t row;
    const struct vtb_compare_side *s = text_side(r, cell, &row);
    return vtb_compare_side_key(s, row, 0);
}

const char *vtb_compare_cell_impl(const struct vtb_compare_result *r, size_t cell)
{
    size_t row;
    const struct vtb_compare_side *s = text_side(r, cell, &row);
    return vtb_compare_side_key(s, row, 1);
}

size_t vtb_compare_cell_line(const struct vtb_compare_result *r, size_t cell, bool base)
{
    const struct vtb_compare_cell *c = &r->cells[cell];
    int32_t row = base ? c->base_row : c->new_row;
    return row < 0 ? 0 : (base ? r->base : r->head)->lines[row];
}

const struct vtb_compare_time *vtb_compare_cell_time(const struct vtb_compare_result *r,
                                                     size_t cell)
{
    uint32_t t = r->cells[cell].time;
    return t == VTB_COMPARE_NO_TIME ? NULL : &r->times[t];
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

const char *vtb_compare_cell_label(const struct vtb_compare_result *r, size_t cell, char *buf,
                                   size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    size_t row, used = 0;
    const struct vtb_compare_side *s = text_side(r, cell, &row);
    const char *columns[VTB_COMPARE_KEY_MAX], *names[VTB_COMPARE_KEY_MAX];
    size_t count = vtb_compare_identity(columns, names);
    for (size_t k = 0; k < count && k < s->key_count; k++) {
        if (k == 1 || !r->varies[k]) /* the implementation has a column of its own */
            continue;
        if ((used > 0 && !append(buf, size, &used, " ")) || !append(buf, size, &used, names[k]) ||
            !append(buf, size, &used, "=") ||
            !append(buf, size, &used, vtb_compare_side_key(s, row, k)))
            break;
    }
    if (used == 0)
        append(buf, size, &used, vtb_compare_side_key(s, row, 0));
    return buf;
}

void vtb_compare_entry_values(const struct vtb_compare_result *r,
                              const struct vtb_compare_entry *e, struct vtb_compare_values *out)
{
    const struct vtb_compare_cell *c = &r->cells[e->cell];
    out->base = c->base_row >= 0 ? r->base->rows[c->base_row].metric[e->metric] : NAN;
    out->value = c->new_row >= 0 ? r->head->rows[c->new_row].metric[e->metric] : NAN;
    out->ci_low = out->ci_high = NAN;
    if (e->invariant != 0)
        out->base = 0;
    out->ratio = vtb_compare_ratio(out->base, out->value);
    const struct vtb_compare_time *t = vtb_compare_cell_time(r, e->cell);
    if (e->invariant == 0 && e->metric == VTB_COMPARE_NS_PER_OP && t != NULL &&
        !isnan(t->ratio)) {
        out->ratio = t->ratio;
        out->ci_low = t->ci_low;
        out->ci_high = t->ci_high;
    }
}

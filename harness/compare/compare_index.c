/*
 * The gate's hash joins (see compare_index.h): rows by identity, and the
 * rounds of samples.csv to their rows.
 */
#include "compare_index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_side.h"

int vtb__index_init(struct vtb__index *ix, size_t rows)
{
    size_t n = 16;
    while (n < rows + rows / 2)
        n *= 2;
    ix->slots = calloc(n, sizeof(*ix->slots));
    ix->mask = n - 1;
    return ix->slots != NULL ? 0 : VTB_ENOMEM;
}

void vtb__index_free(struct vtb__index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
}

struct vtb__index_slot *vtb__index_find(const struct vtb__index *ix, uint32_t h,
                                        bool (*same)(const void *probe, size_t row),
                                        const void *probe)
{
    for (size_t i = h & ix->mask;; i = (i + 1) & ix->mask) {
        struct vtb__index_slot *slot = &ix->slots[i];
        if (slot->row == 0 || (slot->hash == h && same(probe, slot->row - 1)))
            return slot;
    }
}

uint32_t vtb__hash_bytes(uint32_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* MurmurHash3's finaliser: FNV-1a's low bits alone cluster. */
uint32_t vtb__hash_finish(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    return h ^ (h >> 16);
}

/* A text closed by its NUL, so that "ab","c" and "a","bc" differ. */
static uint32_t hash_text(uint32_t h, const char *s)
{
    return vtb__hash_bytes(h, s, strlen(s) + 1);
}

/* Numbers that compare equal hash equal: -0 as 0, every NaN as one. */
static uint32_t hash_number(uint32_t h, double v)
{
    if (v == 0)
        v = 0;
    else if (isnan(v))
        v = NAN;
    return vtb__hash_bytes(h, &v, sizeof(v));
}

/* Equal as keys: the same number, or both not a number (empty). */
static bool same_number(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* ---- Rows by identity ---- */

static size_t key_length(const struct vtb_compare_side *s, size_t row)
{
    return s->key_start[row + 1] - s->key_start[row];
}

/* A row of side, looked up in the identity index of indexed. Rows are the
 * same cell when every identifying text agrees: both files were written
 * by vtbench, which formats an axis one way. */
struct identity_probe {
    const struct vtb_compare_side *indexed, *side;
    size_t row;
};

static bool identity_matches(const void *probe, size_t row)
{
    const struct identity_probe *p = probe;
    size_t n = key_length(p->side, p->row);
    return n == key_length(p->indexed, row) &&
           memcmp(p->side->keys + p->side->key_start[p->row],
                  p->indexed->keys + p->indexed->key_start[row], n) == 0;
}

/* Notes in s->varies which identifying texts of row differ from row 0's. */
static void note_variation(struct vtb_compare_side *s, size_t row)
{
    const char *a = s->keys + s->key_start[0], *b = s->keys + s->key_start[row];
    for (size_t k = 0; k < s->key_count; k++) {
        s->varies[k] = s->varies[k] || strcmp(a, b) != 0;
        a += strlen(a) + 1;
        b += strlen(b) + 1;
    }
}

int vtb__compare_index_rows(struct vtb_compare_side *s, struct vtb_error *err)
{
    if (vtb__index_init(&s->cells, s->row_count) != 0)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t r = 0; r < s->row_count; r++) {
        uint32_t h = vtb__hash_finish(
            vtb__hash_bytes(VTB__HASH_SEED, s->keys + s->key_start[r], key_length(s, r)));
        s->rows[r].identity = h;
        struct identity_probe probe = {s, s, r};
        struct vtb__index_slot *slot = vtb__index_find(&s->cells, h, identity_matches, &probe);
        if (slot->row != 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "%s:%u: duplicate row: the same cell (scenario '%s', impl "
                                 "'%s', every axis alike) as line %u; a cell may appear once",
                                 s->results_path, s->lines[r], vtb_compare_side_key(s, r, 0),
                                 vtb_compare_side_key(s, r, 1), s->lines[slot->row - 1]);
        *slot = (struct vtb__index_slot){(uint32_t)r + 1, h};
        note_variation(s, r);
    }
    return 0;
}

long vtb__compare_find_row(const struct vtb_compare_side *indexed,
                           const struct vtb_compare_side *s, size_t row)
{
    struct identity_probe probe = {indexed, s, row};
    const struct vtb__index_slot *slot =
        vtb__index_find(&indexed->cells, s->rows[row].identity, identity_matches, &probe);
    return slot->row != 0 ? (long)slot->row - 1 : -1;
}

/* ---- Samples to their rows ---- */

/* The part of a sample's key that names its results row. */
static uint32_t owner_hash(const char *scenario, const char *impl, double cell)
{
    return vtb__hash_finish(hash_number(hash_text(hash_text(VTB__HASH_SEED, scenario), impl),
                                        cell));
}

/* A samples row's (scenario, impl, cell_index), looked up among the rows
 * of side. */
struct owner_probe {
    const struct vtb_compare_side *side;
    const char *scenario, *impl;
    double cell;
};

static bool owner_matches(const void *probe, size_t row)
{
    const struct owner_probe *p = probe;
    return p->side->rows[row].cell_index == p->cell &&
           strcmp(vtb_compare_side_key(p->side, row, 1), p->impl) == 0 &&
           strcmp(vtb_compare_side_key(p->side, row, 0), p->scenario) == 0;
}

/* Indexes the rows of s by (scenario, impl, cell_index), the key samples
 * join on. Two rows with one key would leave their samples to chance. */
static int index_owners(const struct vtb_compare_side *s, struct vtb__index *owners,
                        struct vtb_error *err)
{
    if (vtb__index_init(owners, s->row_count) != 0)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    for (size_t r = 0; r < s->row_count; r++) {
        if (isnan(s->rows[r].cell_index))
            continue;
        struct owner_probe probe = {s, vtb_compare_side_key(s, r, 0),
                                    vtb_compare_side_key(s, r, 1), s->rows[r].cell_index};
        uint32_t h = owner_hash(probe.scenario, probe.impl, probe.cell);
        struct vtb__index_slot *slot = vtb__index_find(owners, h, owner_matches, &probe);
        if (slot->row != 0)
            return vtb_error_set(err, VTB_ESYNTAX,
                                 "%s:%u: the same scenario, impl and cell_index as line %u: "
                                 "samples.csv cannot tell the two rows apart",
                                 s->results_path, s->lines[r], s->lines[slot->row - 1]);
        *slot = (struct vtb__index_slot){(uint32_t)r + 1, h};
    }
    return 0;
}

/* samples.csv joined to its rows: each sample's owner, grouped by the
 * row. The numbers are read from the table where they are needed rather
 * than kept in arrays of their own: the table is there anyway, and a
 * large run has half a million samples (the simple decimals vtbench
 * writes parse in a few nanoseconds). */
struct samples {
    const struct vtb_csv_table *t;
    size_t scenario, impl, cell, repetition_col;
    long ns_col, floor_col;
    uint32_t *owner;     /* results row + 1; 0: none (a stray) */
    unsigned char *used; /* a round in use, with a time */
    uint32_t *members; /* samples by owner, in file order within each */
    size_t *end;       /* where row r's group ends in members */
    size_t strays;
};

static int duplicate_sample(const struct samples *sm, size_t later, size_t earlier,
                            struct vtb_error *err)
{
    const struct vtb_csv_table *t = sm->t;
    return vtb_error_set(err, VTB_ESYNTAX,
                         "%s:%zu: duplicate sample: scenario '%s', impl '%s', cell_index %s, "
                         "repetition %s as on line %zu",
                         t->source, t->row_lines[later], vtb_csv_cell(t, later, sm->scenario),
                         vtb_csv_cell(t, later, sm->impl), vtb_csv_cell(t, later, sm->cell),
                         vtb_csv_cell(t, later, sm->repetition_col), t->row_lines[earlier]);
}

/* Whether a round is in use: "used" is true, false, or absent (an older
 * file, where every round is). */
static int read_used(const struct vtb_csv_table *t, size_t row, long col, unsigned char *out,
                     struct vtb_error *err)
{
    const char *text = col >= 0 ? vtb_csv_cell(t, row, (size_t)col) : "";
    if (text[0] == '\0' || strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
        *out = strcmp(text, "false") != 0;
        return 0;
    }
    return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: used: '%.40s' is not true or false",
                         t->source, t->row_lines[row], text);
}

/* A number of a sample that was read (and checked) once already. */
static double number(const struct samples *sm, size_t row, long col)
{
    double v = NAN;
    if (col >= 0)
        vtb_csv_real(sm->t, row, (size_t)col, &v, NULL);
    return v;
}

/* Checks every samples row's numbers, finds its owner and counts the
 * members of each row's group (one place up: the prefix sum makes it a
 * start). */
static int read_samples(const struct vtb_compare_side *s, struct samples *sm,
                        const struct vtb__index *owners, struct vtb_error *err)
{
    const struct vtb_csv_table *t = sm->t;
    long used_col = vtb_csv_column(t, "used");
    int rc = 0;
    for (size_t i = 0; i < t->rows && rc == 0; i++) {
        double cell = NAN, repetition = NAN, ns = NAN, floor_ns = NAN;
        unsigned char used = 0;
        rc = vtb__compare_read_number(t, i, sm->cell, &cell, err);
        if (rc == 0)
            rc = vtb__compare_read_number(t, i, sm->repetition_col, &repetition, err);
        if (rc == 0)
            rc = vtb__compare_read_figure(t, i, sm->ns_col, &ns, err);
        if (rc == 0)
            rc = vtb__compare_read_figure(t, i, sm->floor_col, &floor_ns, err);
        if (rc == 0)
            rc = read_used(t, i, used_col, &used, err);
        if (rc != 0)
            break;
        sm->used[i] = used && !isnan(ns);
        struct owner_probe probe = {s, vtb_csv_cell(t, i, sm->scenario),
                                    vtb_csv_cell(t, i, sm->impl), cell};
        sm->owner[i] = vtb__index_find(owners, owner_hash(probe.scenario, probe.impl, cell),
                                       owner_matches, &probe)
                           ->row;
        if (sm->owner[i] != 0)
            sm->end[sm->owner[i]]++;
        else
            sm->strays++;
    }
    return rc;
}

/* Sorts the samples into their rows' groups (a counting sort, stable: each
 * group keeps the file's order), without an index of every sample, whose
 * random probes would cost more than the rest of the join. */
static void group(const struct vtb_compare_side *s, struct samples *sm)
{
    for (size_t r = 0; r < s->row_count; r++)
        sm->end[r + 1] += sm->end[r];
    /* Placing a sample moves its group's start on; once all are placed
     * each start has become its group's end. */
    for (size_t i = 0; i < sm->t->rows; i++)
        if (sm->owner[i] != 0)
            sm->members[sm->end[sm->owner[i] - 1]++] = (uint32_t)i;
}

/* A round of a group, for finding one given twice. */
struct round_number {
    double number;
    uint32_t sample;
};

static int compare_rounds(const void *a, const void *b)
{
    const struct round_number *x = a, *y = b;
    if (x->number != y->number && !(isnan(x->number) && isnan(y->number)))
        return isnan(x->number) || x->number < y->number ? -1 : 1;
    return x->sample < y->sample ? -1 : x->sample > y->sample;
}

/* Refuses a round given twice in one row's group (the same scenario,
 * impl and cell by construction): sorted by repetition, twins are
 * neighbours. A group is a cell's few rounds, sorted faster by insertion
 * than by a call to qsort; a huge one (a hostile file) still gets qsort. */
static int check_group(const struct samples *sm, const uint32_t *members, size_t count,
                       struct round_number *scratch, struct vtb_error *err)
{
    for (size_t k = 0; k < count; k++)
        scratch[k] = (struct round_number){number(sm, members[k], (long)sm->repetition_col),
                                           members[k]};
    if (count <= 16)
        for (size_t k = 1; k < count; k++)
            for (size_t j = k; j > 0 && compare_rounds(&scratch[j - 1], &scratch[j]) > 0; j--) {
                struct round_number swap = scratch[j];
                scratch[j] = scratch[j - 1];
                scratch[j - 1] = swap;
            }
    else
        qsort(scratch, count, sizeof(*scratch), compare_rounds);
    for (size_t k = 1; k < count; k++)
        if (same_number(scratch[k].number, scratch[k - 1].number))
            return duplicate_sample(sm, scratch[k].sample, scratch[k - 1].sample, err);
    return 0;
}

/* A stray sample's full key, looked up among the strays before it. */
struct stray_probe {
    const struct samples *sm;
    size_t row;
    double cell;
};

static bool stray_matches(const void *probe, size_t row)
{
    const struct stray_probe *p = probe;
    const struct samples *sm = p->sm;
    long rep = (long)sm->repetition_col;
    return same_number(number(sm, row, (long)sm->cell), p->cell) &&
           same_number(number(sm, row, rep), number(sm, p->row, rep)) &&
           strcmp(vtb_csv_cell(sm->t, row, sm->scenario),
                  vtb_csv_cell(sm->t, p->row, sm->scenario)) == 0 &&
           strcmp(vtb_csv_cell(sm->t, row, sm->impl), vtb_csv_cell(sm->t, p->row, sm->impl)) == 0;
}

/* Refuses a round given twice among the samples of no row, which no group
 * holds: there are normally none, so they get an index of their own. */
static int check_strays(const struct samples *sm, struct vtb_error *err)
{
    struct vtb__index seen;
    if (vtb__index_init(&seen, sm->strays) != 0)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    int rc = 0;
    for (size_t i = 0; i < sm->t->rows && rc == 0; i++) {
        if (sm->owner[i] != 0)
            continue;
        struct stray_probe probe = {sm, i, number(sm, i, (long)sm->cell)};
        uint32_t h = vtb__hash_finish(hash_number(
            hash_number(hash_text(hash_text(VTB__HASH_SEED, vtb_csv_cell(sm->t, i, sm->scenario)),
                                  vtb_csv_cell(sm->t, i, sm->impl)),
                        probe.cell),
            number(sm, i, (long)sm->repetition_col)));
        struct vtb__index_slot *slot = vtb__index_find(&seen, h, stray_matches, &probe);
        if (slot->row != 0)
            rc = duplicate_sample(sm, i, slot->row - 1, err);
        else
            *slot = (struct vtb__index_slot){(uint32_t)i + 1, h};
    }
    vtb__index_free(&seen);
    return rc;
}

/* Checks every group and the strays for a round given twice. */
static int check_duplicates(const struct vtb_compare_side *s, const struct samples *sm,
                            struct vtb_error *err)
{
    size_t largest = 0;
    for (size_t r = 0; r < s->row_count; r++) {
        size_t count = sm->end[r] - (r > 0 ? sm->end[r - 1] : 0);
        largest = count > largest ? count : largest;
    }
    struct round_number *scratch = malloc((largest > 0 ? largest : 1) * sizeof(*scratch));
    if (scratch == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    int rc = 0;
    for (size_t r = 0; r < s->row_count && rc == 0; r++) {
        size_t first = r > 0 ? sm->end[r - 1] : 0;
        if (sm->end[r] - first > 1)
            rc = check_group(sm, sm->members + first, sm->end[r] - first, scratch, err);
    }
    free(scratch);
    return rc == 0 && sm->strays > 0 ? check_strays(sm, err) : rc;
}

/*
 * Gives each row its rounds in use, in the order of the file: every row's
 * times after the other's, then the floors at the same offsets. A row
 * gets floors only when each of its rounds has a usable one.
 */
static int assign_rounds(struct vtb_compare_side *s, const struct samples *sm,
                         struct vtb_error *err)
{
    size_t total = 0, grouped = s->row_count > 0 ? sm->end[s->row_count - 1] : 0;
    for (size_t k = 0; k < grouped; k++)
        total += sm->used[sm->members[k]];
    s->round_data = malloc((total > 0 ? 2 * total : 1) * sizeof(double));
    if (s->round_data == NULL)
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    size_t at = 0;
    for (size_t r = 0; r < s->row_count; r++) {
        struct vtb_compare_row *row = &s->rows[r];
        bool floors = true;
        row->ns = s->round_data + at;
        for (size_t k = r > 0 ? sm->end[r - 1] : 0; k < sm->end[r]; k++) {
            uint32_t i = sm->members[k];
            if (!sm->used[i])
                continue;
            double floor_ns = number(sm, i, sm->floor_col);
            s->round_data[at] = number(sm, i, sm->ns_col);
            s->round_data[total + at] = floor_ns;
            floors = floors && isfinite(floor_ns) && floor_ns > 0;
            at++;
        }
        row->rounds = (uint32_t)(s->round_data + at - row->ns);
        row->floor_ns = floors && row->rounds > 0 ? row->ns + total : NULL;
    }
    return 0;
}

static void samples_free(struct samples *sm)
{
    free(sm->owner);
    free(sm->used);
    free(sm->members);
    free(sm->end);
}

int vtb__compare_join_samples(struct vtb_compare_side *s, const struct vtb_csv_table *samples,
                              struct vtb_error *err)
{
    static const char *const required[] = {"scenario", "cell_index", "impl", "repetition",
                                           "ns_per_op", NULL};
    int rc = vtb_csv_require(samples, required, err);
    if (rc != 0)
        return rc;
    size_t n = samples->rows > 0 ? samples->rows : 1;
    struct samples sm = {
        .t = samples,
        .scenario = (size_t)vtb_csv_column(samples, "scenario"),
        .impl = (size_t)vtb_csv_column(samples, "impl"),
        .cell = (size_t)vtb_csv_column(samples, "cell_index"),
        .repetition_col = (size_t)vtb_csv_column(samples, "repetition"),
        .ns_col = vtb_csv_column(samples, "ns_per_op"),
        .floor_col = vtb_csv_column(samples, "floor_ns"),
        .owner = malloc(n * sizeof(uint32_t)),
        .used = malloc(n),
        .members = malloc(n * sizeof(uint32_t)),
        .end = calloc(s->row_count + 1, sizeof(size_t)),
    };
    struct vtb__index owners = {0};
    if (!sm.owner || !sm.used || !sm.members || !sm.end)
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    if (rc == 0)
        rc = index_owners(s, &owners, err);
    if (rc == 0)
        rc = read_samples(s, &sm, &owners, err);
    vtb__index_free(&owners);
    if (rc == 0) {
        group(s, &sm);
        rc = check_duplicates(s, &sm, err);
    }
    if (rc == 0)
        rc = assign_rounds(s, &sm, err);
    samples_free(&sm);
    return rc;
}

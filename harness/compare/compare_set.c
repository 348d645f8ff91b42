/*
 * Sets of runs (see compare_set.h): finding a set's runs, loading each as
 * a side, checking that they measured the same thing, and merging them
 * into one side whose rows carry every run's rounds.
 */
#include "compare_set.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stats.h"

/* The files that make a directory a run (or part of one). */
static const char *const run_files[] = {"results.csv", "samples.csv", "context.json", "journal"};

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *dir, const char *name)
{
    char path[VTB_RUN_INPUT_PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    return n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of dir's subdirectories (not starting with '.'), sorted; the
 * caller frees each and the array. Returns how many, or -1 with errno. */
static long list_runs(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    size_t count = 0, cap = 0;
    char **list = NULL;
    struct dirent *e;
    int saved = 0;
    while ((e = readdir(d)) != NULL) {
        char path[VTB_RUN_INPUT_PATH_MAX];
        int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || n < 0 || (size_t)n >= sizeof(path) || !is_directory(path))
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(list, cap * sizeof(*list));
            if (grown == NULL) {
                saved = ENOMEM;
                break;
            }
            list = grown;
        }
        if ((list[count] = strdup(e->d_name)) == NULL) {
            saved = ENOMEM;
            break;
        }
        count++;
    }
    closedir(d);
    if (saved != 0) {
        for (size_t i = 0; i < count; i++)
            free(list[i]);
        free(list);
        errno = saved;
        return -1;
    }
    qsort(list, count, sizeof(*list), compare_names);
    *names = list;
    return (long)count;
}

static void free_names(char **names, long count)
{
    for (long i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

bool vtb_compare_set_is_set(const char *path)
{
    if (!is_directory(path))
        return false;
    for (size_t i = 0; i < sizeof(run_files) / sizeof(run_files[0]); i++)
        if (exists(path, run_files[i]))
            return false;
    char **names = NULL;
    long count = list_runs(path, &names);
    if (count > 0)
        free_names(names, count);
    return count > 0;
}

/* Checks that run (the set's run i) measured what the first one did:
 * same build and machine, same cells, samples alike. */
static int check_member(const char *set, const struct vtb_compare_side *first,
                        const struct vtb_compare_side *run, struct vtb_error *err)
{
    if (strcmp(first->build, run->build) != 0)
        return vtb_error_set(err, VTB_EINVAL,
                             "set %s: its runs come from different builds or machines: %s has "
                             "'%s', %s has '%s'; a set measures one build",
                             set, first->path, first->build, run->path, run->build);
    if ((first->samples_path[0] == '\0') != (run->samples_path[0] == '\0'))
        return vtb_error_set(err, VTB_EINVAL,
                             "set %s: %s has per-round times (samples.csv) and %s has none",
                             set, first->samples_path[0] ? first->path : run->path,
                             first->samples_path[0] ? run->path : first->path);
    for (size_t row = 0; row < run->row_count; row++)
        if (vtb__compare_find_row(first, run, row) < 0)
            return vtb_error_set(err, VTB_EINVAL,
                                 "set %s: its runs measured different cells: %s:%u (%s) is "
                                 "not in %s",
                                 set, run->results_path, run->lines[row],
                                 vtb_compare_side_key(run, row, 1), first->path);
    if (run->row_count != first->row_count)
        return vtb_error_set(err, VTB_EINVAL,
                             "set %s: its runs measured different cells: %s has %zu rows, "
                             "%s has %zu",
                             set, first->path, first->row_count, run->path, run->row_count);
    return 0;
}

/* Row r of runs[0] with the figures of every run: deterministic metrics
 * the largest (NaN when a run lacks one), the time the median of medians.
 * match[k] is run k's row of that cell. */
static void merge_metrics(struct vtb_compare_row *row, struct vtb_compare_side *runs,
                          const long *match, size_t count, double *scratch)
{
    for (size_t m = 0; m < VTB_COMPARE_METRIC_COUNT; m++) {
        size_t finite = 0;
        double largest = -INFINITY;
        for (size_t k = 0; k < count; k++) {
            double v = runs[k].rows[match[k]].metric[m];
            if (!isnan(v)) {
                scratch[finite++] = v;
                largest = v > largest ? v : largest;
            }
        }
        if (finite < count)
            row->metric[m] = NAN;
        else if (m == VTB_COMPARE_NS_PER_OP)
            row->metric[m] = vtb_stats_median_in_place(scratch, finite);
        else
            row->metric[m] = largest;
    }
}

/* Gives every row of runs[0] the figures (merge_metrics) and the rounds of
 * all runs, in run order, in buffers of its own (round_data, run_data);
 * the other runs' rows are only read. */
static int merge_rows(struct vtb_compare_side *runs, size_t count, struct vtb_error *err)
{
    struct vtb_compare_side *s = &runs[0];
    size_t total = 0;
    for (size_t k = 0; k < count; k++)
        for (size_t r = 0; r < runs[k].row_count; r++)
            total += runs[k].rows[r].rounds;
    double *data = malloc((2 * total > 0 ? 2 * total : 1) * sizeof(*data));
    uint32_t *run_data = malloc((s->row_count * count > 0 ? s->row_count * count : 1) *
                                sizeof(*run_data));
    long *match = malloc(count * sizeof(*match));
    double *scratch = malloc(count * sizeof(*scratch));
    if (data == NULL || run_data == NULL || match == NULL || scratch == NULL) {
        free(data);
        free(run_data);
        free(match);
        free(scratch);
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    }
    size_t at = 0;
    for (size_t r = 0; r < s->row_count; r++) {
        struct vtb_compare_row *row = &s->rows[r];
        bool floors = true;
        uint32_t rounds = 0;
        for (size_t k = 0; k < count; k++) {
            match[k] = k == 0 ? (long)r : vtb__compare_find_row(&runs[k], s, r);
            floors = floors && runs[k].rows[match[k]].floor_ns != NULL;
            rounds += runs[k].rows[match[k]].rounds;
        }
        merge_metrics(row, runs, match, count, scratch);
        /* The row's times, then its floors: rounds of each, run after run. */
        double *ns = data + at, *floor_ns = ns + rounds;
        for (size_t k = 0, done = 0; k < count; k++) {
            const struct vtb_compare_row *from = &runs[k].rows[match[k]];
            if (from->rounds > 0) {
                memcpy(ns + done, from->ns, from->rounds * sizeof(*ns));
                if (floors)
                    memcpy(floor_ns + done, from->floor_ns, from->rounds * sizeof(*ns));
            }
            run_data[r * count + k] = from->rounds;
            done += from->rounds;
        }
        at += 2 * (size_t)rounds;
        row->ns = ns;
        row->floor_ns = floors ? floor_ns : NULL;
        row->rounds = rounds;
        row->runs = (uint32_t)count;
        row->run_rounds = &run_data[r * count];
    }
    free(match);
    free(scratch);
    free(s->round_data);
    free(s->run_data);
    s->round_data = data;
    s->run_data = run_data;
    return 0;
}

/* The set's state: complete only when every run is; else the first run
 * that is not, named in the reason. */
static void merge_state(struct vtb_compare_side *runs, size_t count)
{
    struct vtb_compare_side *s = &runs[0];
    bool named = false;
    for (size_t k = 0; k < count; k++) {
        s->from_journal = s->from_journal || runs[k].from_journal;
        if (runs[k].state != VTB_RUN_COMPLETE && !named) {
            named = true;
            s->state = runs[k].state;
            char reason[sizeof(s->reason)];
            snprintf(reason, sizeof(reason), "%s", runs[k].reason);
            snprintf(s->reason, sizeof(s->reason), "%.200s: %.300s", runs[k].path, reason);
        }
    }
}

/* Loads the runs of the set at path into runs[0 .. count) and checks them. */
static int load_runs(const char *path, char **names, size_t count, unsigned flags,
                     struct vtb_compare_side *runs, struct vtb_error *err)
{
    int rc = 0;
    for (size_t k = 0; k < count && rc == 0; k++) {
        char run[VTB_RUN_INPUT_PATH_MAX];
        int n = snprintf(run, sizeof(run), "%s/%s", path, names[k]);
        if (n < 0 || (size_t)n >= sizeof(run))
            return vtb_error_set(err, VTB_EINVAL, "set %s: the path of run %s is too long",
                                 path, names[k]);
        rc = vtb_compare_side_load(&runs[k], run, flags, err);
        if (rc != 0 && err != NULL) { /* say which set the run belongs to */
            char message[sizeof(err->message)];
            snprintf(message, sizeof(message), "%s", err->message);
            rc = vtb_error_set(err, rc, "set %.200s: %.300s", path, message);
        }
        if (rc == 0 && k > 0)
            rc = check_member(path, &runs[0], &runs[k], err);
    }
    return rc;
}

static int open_set(struct vtb_compare_side *s, const char *path, unsigned flags,
                    struct vtb_error *err)
{
    memset(s, 0, sizeof(*s));
    char **names = NULL;
    long listed = list_runs(path, &names);
    if (listed < 0)
        return vtb_error_set(err, errno == ENOMEM ? VTB_ENOMEM : VTB_EIO,
                             "set %s: cannot list its runs: %s", path, strerror(errno));
    size_t count = (size_t)listed;
    if (count > VTB_COMPARE_SET_MAX_RUNS) {
        free_names(names, listed);
        return vtb_error_set(err, VTB_EINVAL, "set %s: %zu runs, more than the %d a set may hold",
                             path, count, VTB_COMPARE_SET_MAX_RUNS);
    }
    struct vtb_compare_side *runs = calloc(count, sizeof(*runs));
    int rc = runs == NULL ? vtb_error_set(err, VTB_ENOMEM, NULL)
                          : load_runs(path, names, count, flags, runs, err);
    if (rc == 0)
        rc = merge_rows(runs, count, err);
    if (rc == 0) {
        merge_state(runs, count);
        *s = runs[0]; /* the first run's rows, keys and index, with every run's rounds */
        memset(&runs[0], 0, sizeof(runs[0]));
        snprintf(s->path, sizeof(s->path), "%s", path);
        s->runs = count;
    }
    for (size_t k = 0; runs != NULL && k < count; k++)
        vtb_compare_side_free(&runs[k]);
    free(runs);
    free_names(names, listed);
    return rc;
}

int vtb_compare_side_open_any(struct vtb_compare_side *s, const char *path, unsigned flags,
                              struct vtb_error *err)
{
    if (!vtb_compare_set_is_set(path))
        return vtb_compare_side_open(s, path, flags, err);
    int rc = open_set(s, path, flags, err);
    if (rc != 0)
        vtb_compare_side_free(s);
    return rc;
}

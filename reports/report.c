/*
 * vtb_report_generate (see report.h): the order of the work, and the files
 * it writes. Find the templates first (so that a missing gnuplot setup
 * fails before anything is written), load the run (refused here when the
 * gates would refuse it), give gnuplot files to read when the run's tables
 * came from its journal, plan and render every chart of the table in
 * charts.c (writing the table a plan derives beside its chart), then write
 * report.md, which links the charts and says why the skipped ones were
 * skipped.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "csv_columns.h"
#include "charts.h"
#include "gnuplot.h"
#include "report_data.h"
#include "report_md.h"

/* Removes what an earlier report drew for a chart that is skipped now. */
static void remove_stale(const char *out_dir, const char *name)
{
    static const char *const exts[] = {"svg", "png", "csv"};
    char path[VTB_REPORT_PATH_MAX + 64];

    for (size_t k = 0; k < sizeof(exts) / sizeof(exts[0]); k++) {
        snprintf(path, sizeof(path), "%s/%s.%s", out_dir, name, exts[k]);
        unlink(path);
    }
}

/* mkdir -p: creates dir and any missing parent. Returns 0 or -1 (errno). */
static int make_dirs(const char *dir)
{
    char path[VTB_REPORT_PATH_MAX];

    snprintf(path, sizeof(path), "%s", dir);
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* Sets the output paths of outcome. */
static int outcome_init(struct vtb_report_outcome *outcome, const char *run_dir,
                        const char *out_dir, struct vtb_error *err)
{
    int n;

    struct stat st;
    size_t len = strlen(run_dir);

    memset(outcome, 0, sizeof(*outcome));
    /* By default beside the run: RUN_DIR/report, DIR/report for a
     * DIR/results.csv, NAME-report for a baseline NAME.csv. */
    if (out_dir != NULL)
        n = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%s", out_dir);
    else if (stat(run_dir, &st) == 0 && S_ISDIR(st.st_mode))
        n = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%s/report", run_dir);
    else if (len >= 11 && strcmp(run_dir + len - 11, "results.csv") == 0)
        n = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%.*sreport",
                     (int)(len - 11), run_dir);
    else
        n = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%.*s-report",
                     (int)(len >= 4 && strcmp(run_dir + len - 4, ".csv") == 0 ? len - 4 : len),
                     run_dir);
    /* Room is left for "/NAME.EXT.tmp" below it. */
    if (n < 0 || (size_t)n >= sizeof(outcome->out_dir) - 64)
        return vtb_error_set(err, VTB_ERANGE, "%s: output path too long", run_dir);
    if (snprintf(outcome->report_md, sizeof(outcome->report_md), "%s/report.md",
                 outcome->out_dir) >= (int)sizeof(outcome->report_md))
        return vtb_error_set(err, VTB_ERANGE, "%s: output path too long", outcome->out_dir);
    return 0;
}

/* Writes text as out_dir/name through a temporary and a rename. */
static int write_file(const char *out_dir, const char *name, const char *text,
                      struct vtb_error *err)
{
    struct vtb_atomic_file af = {0};
    int rc = vtb_atomic_file_open(&af, out_dir, name, err);

    if (rc != 0)
        return rc;
    fputs(text, af.fp);
    return vtb_atomic_file_commit(&af, err);
}


/* Writes table t as out_dir/name (the CSV it was read from, rebuilt) and
 * its path into path. */
static int write_table(const char *out_dir, const char *name, const struct vtb_csv_table *t,
                       char *path, size_t size, struct vtb_error *err)
{
    struct vtb_atomic_file af = {0};
    int rc = vtb_atomic_file_open(&af, out_dir, name, err);

    if (rc != 0)
        return rc;
    for (size_t r = 0; r <= t->rows; r++) {
        for (size_t c = 0; c < t->columns; c++) {
            if (c > 0)
                fputc(',', af.fp);
            vtb_csv_write_text(af.fp, r == 0 ? vtb_csv_header(t, c) : vtb_csv_cell(t, r - 1, c));
        }
        fputs("\r\n", af.fp);
    }
    rc = vtb_atomic_file_commit(&af, err);
    if (rc == 0)
        snprintf(path, size, "%s/%s", out_dir, name);
    return rc;
}

/*
 * gnuplot reads CSV files: a run recovered from its journal (killed before
 * it published its files) has its tables only in memory, so they are
 * written into the report's directory for it, under names that say where
 * they came from.
 */
static int give_gnuplot_files(struct vtb__report_data *d, const char *out_dir,
                              struct vtb_error *err)
{
    int rc = 0;

    if (!d->input.from_journal)
        return 0;
    rc = write_table(out_dir, "recovered-results.csv", d->results, d->results_file,
                     sizeof(d->results_file), err);
    if (rc == 0 && d->has_percentiles)
        rc = write_table(out_dir, "recovered-percentiles.csv", d->percentiles,
                         d->percentiles_file, sizeof(d->percentiles_file), err);
    return rc;
}

/* Plans chart k and renders it as SVG and PNG (with its derived table as
 * NAME.csv when it has one), or removes its old files when it is skipped;
 * records what happened in outcome. */
/* What every chart's gnuplot shares: the templates, the time limit, what
 * stops it. */
struct draw_env {
    char templates[VTB_REPORT_PATH_MAX];
    double timeout_s;
    struct vtb_report_control control;
};

static bool stop_asked(const struct draw_env *env)
{
    return env->control.stop != NULL && *env->control.stop != 0;
}

static int draw_chart(const struct vtb__report_data *d, const struct draw_env *env, size_t k,
                      struct vtb_report_outcome *outcome, struct vtb_error *err)
{
    const struct vtb__chart_def *def = &vtb__charts[k];
    struct vtb_report_chart *c = &outcome->charts[outcome->chart_count++];
    struct vtb__chart_plan p;
    char table_name[96], table_path[VTB_REPORT_PATH_MAX + 96], build[512];
    int rc = 0;

    memset(&p, 0, sizeof(p));
    c->name = def->name;
    c->title = def->title;
    c->drawn = def->plan(d, &p);
    snprintf(c->note, sizeof(c->note), "%s", p.note);
    snprintf(table_name, sizeof(table_name), "%s.csv", def->name);
    snprintf(table_path, sizeof(table_path), "%s/%s", outcome->out_dir, table_name);
    /* The scale is the chart's, whatever the data (charts.h). */
    vtb__gp_append(&p.vars, "logy=%d; hasprec=%d; ", def->y_scale == VTB__CHART_LOG,
                   vtb__report_has_precision(d));
    vtb__gp_var(&p.vars, "chartdata", p.table.len > 0 ? table_path : "");
    vtb__report_build(d, build, sizeof(build));
    if (p.vars.failed || p.table.failed) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    } else if (c->drawn) {
        struct vtb__gp_chart chart = {env->templates,     outcome->out_dir,
                                      def->name,          d->results_file,
                                      d->percentiles_file, d->scenario,
                                      build,              vtb__gp_str(&p.vars),
                                      env->timeout_s,     env->control.stop,
                                      env->control.child_pid};

        if (p.table.len > 0)
            rc = write_file(outcome->out_dir, table_name, vtb__gp_str(&p.table), err);
        else
            unlink(table_path);
        if (rc == 0)
            rc = vtb__gp_render(&chart, "svg", err);
        if (rc == 0)
            rc = vtb__gp_render(&chart, "png", err);
        outcome->drawn++;
    } else {
        remove_stale(outcome->out_dir, c->name);
        outcome->skipped++;
    }
    vtb__chart_plan_free(&p);
    return rc;
}

int vtb_report_generate(const char *run_dir, const char *out_dir, unsigned flags,
                        struct vtb_report_outcome *outcome, struct vtb_error *err)
{
    return vtb_report_generate_controlled(run_dir, out_dir, flags, NULL, outcome, err);
}

int vtb_report_generate_controlled(const char *run_dir, const char *out_dir, unsigned flags,
                                   const struct vtb_report_control *control,
                                   struct vtb_report_outcome *outcome, struct vtb_error *err)
{
    struct vtb__report_data d;
    struct draw_env env;
    int rc;

    if (run_dir == NULL || outcome == NULL)
        return vtb_error_set(err, VTB_EINVAL, "vtb_report_generate: NULL argument");
    memset(&env, 0, sizeof(env));
    if (control != NULL)
        env.control = *control;
    rc = outcome_init(outcome, run_dir, out_dir, err);
    if (rc == 0)
        rc = vtb__gp_find_templates(env.templates, sizeof(env.templates), err);
    if (rc == 0)
        rc = vtb__gp_timeout(VTB_REPORT_GNUPLOT_TIMEOUT_S, &env.timeout_s, err);
    if (rc == 0)
        rc = vtb__report_data_load(&d, run_dir,
                                   flags & VTB_REPORT_ALLOW_INCOMPLETE
                                       ? VTB__REPORT_ALLOW_INCOMPLETE
                                       : 0,
                                   err);
    if (rc != 0)
        return rc;
    outcome->incomplete = !vtb__report_complete(&d);
    if (outcome->incomplete)
        snprintf(outcome->incomplete_reason, sizeof(outcome->incomplete_reason), "%s",
                 d.input.reason);
    outcome->cells = (unsigned)d.ncells;
    if (make_dirs(outcome->out_dir) != 0) {
        rc = vtb_error_set(err, VTB_EIO, "%s: cannot create the report directory: %s",
                           outcome->out_dir, strerror(errno));
        goto out_fini;
    }
    rc = give_gnuplot_files(&d, outcome->out_dir, err);
    for (size_t k = 0; k <= vtb__chart_count && rc == 0; k++) {
        /* Before every chart and before report.md. */
        if (stop_asked(&env))
            rc = vtb_error_set(err, VTB_EINTR, "interrupted before %s",
                               k < vtb__chart_count ? vtb__charts[k].name : "report.md");
        else if (k < vtb__chart_count)
            rc = draw_chart(&d, &env, k, outcome, err);
    }
    if (rc == 0)
        rc = vtb__report_md_write(&d, outcome, err);

out_fini:
    vtb__report_data_fini(&d);
    return rc;
}

/*
 * vtb_report_generate (see report.h): the order of the work, and nothing
 * else. Find the templates first (so that a missing gnuplot setup fails
 * before anything is written), load the run, plan and render every chart
 * of the table in charts.c, then write report.md, which links the charts
 * and says why the skipped ones were skipped.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "charts.h"
#include "gnuplot.h"
#include "report_data.h"
#include "report_md.h"

/* Removes what an earlier report drew for a chart that is skipped now. */
static void remove_stale(const char *out_dir, const char *name)
{
    static const char *const exts[] = {"svg", "png"};
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

    memset(outcome, 0, sizeof(*outcome));
    if (out_dir != NULL)
        n = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%s", out_dir);
    else
        n = snprintf(outcome->out_dir, sizeof(outcome->out_dir), "%s/report", run_dir);
    /* Room is left for "/NAME.EXT.tmp" below it. */
    if (n < 0 || (size_t)n >= sizeof(outcome->out_dir) - 64)
        return vtb_error_set(err, VTB_ERANGE, "%s: output path too long", run_dir);
    if (snprintf(outcome->report_md, sizeof(outcome->report_md), "%s/report.md",
                 outcome->out_dir) >= (int)sizeof(outcome->report_md))
        return vtb_error_set(err, VTB_ERANGE, "%s: output path too long", outcome->out_dir);
    return 0;
}

/* Plans chart k and renders it as SVG and PNG, or removes its old files
 * when it is skipped; records what happened in outcome. */
static int draw_chart(const struct vtb__report_data *d, const char *templates, size_t k,
                      struct vtb_report_outcome *outcome, struct vtb_error *err)
{
    const struct vtb__chart_def *def = &vtb__charts[k];
    struct vtb_report_chart *c = &outcome->charts[outcome->chart_count++];
    struct vtb__chart_plan p;
    int rc = 0;

    memset(&p, 0, sizeof(p));
    c->name = def->name;
    c->title = def->title;
    c->drawn = def->plan(d, &p);
    snprintf(c->note, sizeof(c->note), "%s", p.note);
    if (p.vars.failed) {
        rc = vtb_error_set(err, VTB_ENOMEM, NULL);
    } else if (c->drawn) {
        struct vtb__gp_chart chart = {templates,  outcome->out_dir, def->name,
                                      d->run_dir, d->scenario,      vtb__gp_str(&p.vars)};

        rc = vtb__gp_render(&chart, "svg", err);
        if (rc == 0)
            rc = vtb__gp_render(&chart, "png", err);
        outcome->drawn++;
    } else {
        remove_stale(outcome->out_dir, c->name);
        outcome->skipped++;
    }
    vtb__gp_free(&p.vars);
    return rc;
}

int vtb_report_generate(const char *run_dir, const char *out_dir,
                        struct vtb_report_outcome *outcome, struct vtb_error *err)
{
    struct vtb__report_data d;
    char templates[VTB_REPORT_PATH_MAX];
    int rc;

    if (run_dir == NULL || outcome == NULL)
        return vtb_error_set(err, VTB_EINVAL, "vtb_report_generate: NULL argument");
    rc = outcome_init(outcome, run_dir, out_dir, err);
    if (rc == 0)
        rc = vtb__gp_find_templates(templates, sizeof(templates), err);
    if (rc == 0)
        rc = vtb__report_data_load(&d, run_dir, err);
    if (rc != 0)
        return rc;
    if (make_dirs(outcome->out_dir) != 0) {
        rc = vtb_error_set(err, VTB_EIO, "%s: cannot create the report directory: %s",
                           outcome->out_dir, strerror(errno));
        goto out_fini;
    }
    for (size_t k = 0; k < vtb__chart_count && rc == 0; k++)
        rc = draw_chart(&d, templates, k, outcome, err);
    if (rc == 0)
        rc = vtb__report_md_write(&d, outcome, err);

out_fini:
    vtb__report_data_fini(&d);
    return rc;
}

/*
 * `vtbench report`: charts and a written report from a finished run
 * directory, for the docs. This is the public entry of reports/; the
 * command line includes it (through report_charts.h), and nothing here
 * depends on how the report is made.
 *
 * vtb_report_generate reads only the files of a run (results.csv,
 * percentiles.csv, context.json), decides which charts the run's sweep can
 * fill, renders each with gnuplot from a template in reports/<chart>.gp (as
 * SVG for the docs and PNG for quick viewing), and writes report.md beside
 * them: the machine context, the summary table, the charts and the articles'
 * claims with the values measured here and a verdict. Measurement and
 * reporting stay apart: gnuplot reads the run's CSV files itself, and the
 * report only tells it which cells and implementations to draw.
 *
 * gnuplot runs as a child process (posix_spawnp of `gnuplot`, or of the
 * program named by the environment variable VTB_GNUPLOT). The templates are
 * found in $VTB_REPORTS_DIR, else in the source tree reports/ was compiled
 * from, else in ./reports, else where `cmake --install` put them.
 *
 * Inside reports/ each module depends only on those before it:
 * report_data (the run as loaded) <- report_slice (what a chart or claim
 * looks at) <- charts*, claims <- report_md (report.md) <- report.c (this
 * entry point); gnuplot.c (the child process) stands apart and is used by
 * the charts and report.c.
 */
#ifndef VTB_REPORT_H
#define VTB_REPORT_H

#include <stdbool.h>

#include "vtb/error.h"

#define VTB_REPORT_PATH_MAX 1024
#define VTB_REPORT_CHART_MAX 8
#define VTB_REPORT_NOTE_MAX 256

/* What happened to one chart. */
struct vtb_report_chart {
    const char *name;                /* file stem: NAME.svg, NAME.png, reports/NAME.gp */
    const char *title;               /* heading in report.md */
    bool drawn;                      /* false: skipped, and note says why */
    char note[VTB_REPORT_NOTE_MAX];  /* drawn: what slice it shows; skipped: why */
};

/* What vtb_report_generate produced. */
struct vtb_report_outcome {
    char out_dir[VTB_REPORT_PATH_MAX];
    char report_md[VTB_REPORT_PATH_MAX]; /* path of report.md */
    unsigned chart_count;                /* entries in charts */
    unsigned drawn, skipped;
    struct vtb_report_chart charts[VTB_REPORT_CHART_MAX];
};

/*
 * Renders the charts and report.md of the run in run_dir into out_dir
 * (NULL: run_dir/report), creating out_dir and its parents if needed.
 * Every file is written under a temporary name and renamed into place, so
 * a re-run replaces an earlier report; the files of a chart that is now
 * skipped are removed. Prints nothing: what was drawn and skipped, and
 * where report.md is, comes back in outcome. A missing or malformed
 * context.json is said in report.md, not an error.
 *
 * Returns 0; VTB_EINVAL (NULL argument); VTB_ENOTFOUND (run_dir has no
 * results.csv); VTB_EUNSUPPORTED (gnuplot is not installed, and the
 * message names the Debian package gnuplot-nox; or the templates cannot be
 * found); VTB_ESYNTAX (a CSV file is malformed or lacks a column); VTB_EIO
 * (a file cannot be written, or gnuplot failed or complained: its stderr
 * is in the message); VTB_ERANGE (a path is too long); VTB_ENOMEM.
 */
int vtb_report_generate(const char *run_dir, const char *out_dir,
                        struct vtb_report_outcome *outcome, struct vtb_error *err);

#endif /* VTB_REPORT_H */

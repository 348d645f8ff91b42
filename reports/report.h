/*
 * `vtbench report`: charts and a written report from a run directory, for
 * the docs. This is the public entry of reports/; the command line
 * (harness/cli/cmd_report.c) includes it, and nothing here depends on how
 * the report is made.
 *
 * vtb_report_generate reads only the files of a run (results.csv,
 * samples.csv, percentiles.csv, context.json, or the journal of a run
 * that was killed), decides which charts the run's sweep can fill, renders
 * each with gnuplot from a template in reports/<chart>.gp (as SVG for the
 * docs and PNG for quick viewing), and writes report.md beside them: the
 * machine, build and clock, the noise, the summary table, the charts and
 * the articles' claims with the values measured here and a three-way
 * verdict. Measurement and reporting stay apart: gnuplot reads the run's
 * CSV files itself (and, for the paired ratios of the break-even chart, a
 * CSV the report derives and leaves beside the chart), and the report only
 * tells it which cells and implementations to draw.
 *
 * A run is trusted as `vtbench compare` trusts it (run_input.h): one that
 * is incomplete, has no context.json or a corrupt one is refused unless
 * VTB_REPORT_ALLOW_INCOMPLETE is given, and then report.md says so first.
 *
 * gnuplot runs as a child process (posix_spawnp of `gnuplot`, or of the
 * program named by the environment variable VTB_GNUPLOT). The templates are
 * found in $VTB_REPORTS_DIR, else in the source tree reports/ was compiled
 * from, else in ./reports, else where `cmake --install` put them.
 *
 * Inside reports/ each module depends only on those before it:
 * report_data (the run as loaded) <- report_slice (what a chart or claim
 * looks at, paired ratios) <- claims (verdicts, and the figures the
 * alloc-1m chart marks) <- charts* <- report_md (report.md) <- report.c
 * (this entry point); gnuplot.c (the child process) stands apart and is
 * used by the charts and report.c.
 */
#ifndef VTB_REPORT_H
#define VTB_REPORT_H

#include <signal.h>
#include <stdbool.h>

#include "vtb/error.h"

#define VTB_REPORT_PATH_MAX 1024
#define VTB_REPORT_CHART_MAX 12
#define VTB_REPORT_NOTE_MAX 1024

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
    bool incomplete;                     /* the run was allowed although incomplete */
    char incomplete_reason[VTB_ERROR_MESSAGE_MAX]; /* why ("" when complete) */
    unsigned cells;                      /* cells the report covers */
    unsigned chart_count;                /* entries in charts */
    unsigned drawn, skipped;
    struct vtb_report_chart charts[VTB_REPORT_CHART_MAX];
};

/* Flags of vtb_report_generate. */
#define VTB_REPORT_ALLOW_INCOMPLETE 1u /* report what an incomplete run holds */

/*
 * Renders the charts and report.md of the run in run_dir (a run directory,
 * or a results.csv or baseline file: run_input.h) into out_dir (NULL:
 * run_dir/report), creating out_dir and its parents if needed. Every file
 * is written under a temporary name and renamed into place, so a re-run
 * replaces an earlier report; the files of a chart that is now skipped are
 * removed. A run recovered from its journal has no results.csv for
 * gnuplot to read: its tables are written into out_dir first
 * (recovered-results.csv, recovered-percentiles.csv). Prints nothing: what
 * was drawn and skipped, whether the run was incomplete, and where
 * report.md is, comes back in outcome.
 *
 * Returns 0; VTB_EINVAL (NULL argument; an incomplete run, one without
 * context.json or with a corrupt one, without VTB_REPORT_ALLOW_INCOMPLETE:
 * the message is one line saying why; a run with no results);
 * VTB_ENOTFOUND (nothing at run_dir); VTB_EUNSUPPORTED (gnuplot is not
 * installed, and the message names the Debian package gnuplot-nox; or the
 * templates cannot be found); VTB_ESYNTAX (a CSV file is malformed or lacks
 * a column); VTB_EIO (a file cannot be written, or gnuplot failed or
 * complained: its stderr is in the message); VTB_ERANGE (a path is too
 * long); VTB_ENOMEM.
 */
int vtb_report_generate(const char *run_dir, const char *out_dir, unsigned flags,
                        struct vtb_report_outcome *outcome, struct vtb_error *err);

/* Seconds one gnuplot may run unless $VTB_GNUPLOT_TIMEOUT says otherwise. */
#define VTB_REPORT_GNUPLOT_TIMEOUT_S 120

/* What can stop a report early; either member may be NULL. */
struct vtb_report_control {
    /* Once set (by a signal handler), the report stops within tens of
     * milliseconds: its gnuplot is killed and reaped, the chart it was
     * drawing is removed (nothing is left under a temporary name) and
     * report.md is not written; charts finished before are kept. */
    volatile sig_atomic_t *stop;
    /* The PID of the running gnuplot, in a process group of its own, or 0:
     * for a handler that ends the process at once to kill that group. */
    volatile sig_atomic_t *child_pid;
};

/*
 * vtb_report_generate under control (NULL: as vtb_report_generate). Each
 * gnuplot may run VTB_REPORT_GNUPLOT_TIMEOUT_S seconds, or
 * $VTB_GNUPLOT_TIMEOUT; one that takes longer is killed and the report
 * fails with VTB_EIO naming the chart. Returns what vtb_report_generate
 * does, and VTB_EINTR when *control->stop was set (the files the run's
 * tables are read from may return it too).
 */
int vtb_report_generate_controlled(const char *run_dir, const char *out_dir, unsigned flags,
                                   const struct vtb_report_control *control,
                                   struct vtb_report_outcome *outcome, struct vtb_error *err);

#endif /* VTB_REPORT_H */

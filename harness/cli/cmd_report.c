/*
 * `vtbench report`: the command-line front-end of vtb_report_generate
 * (argument parsing, the warning for an incomplete run, what was drawn or
 * skipped, the report's path, the exit code). Everything else is in
 * reports/ (report.h).
 *
 * A run the gates would refuse (incomplete, without context.json, with a
 * corrupt one) is refused here too, with exit 2 and one line saying why,
 * unless --allow-incomplete is given; then the report is made of what the
 * run holds (its journal when it was killed), a warning says so, and
 * report.md says so first. A stop signal ends the report within tens of
 * milliseconds (its gnuplot killed and reaped) with exit 130.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "messages.h"
#include "report.h"

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench report RUN [--out DIR] [--allow-incomplete]\n"
            "\n"
            "Renders the charts of a run (a run directory, its results.csv or a baseline\n"
            "NAME.csv) with gnuplot (SVG and PNG) and writes report.md beside them: machine,\n"
            "build and clock, noise, summary table, charts, and the articles' claims with\n"
            "the values measured and a verdict (confirmed, refuted or inconclusive from the\n"
            "paired 95%% intervals; by construction; not measured). Charts the run's sweep\n"
            "cannot fill are skipped with a note.\n"
            "  --out DIR            where to write (default RUN/report)\n"
            "  --allow-incomplete   report a run that is incomplete, has no context.json or\n"
            "                       a corrupt one, or was killed (its journal), with a warning\n"
            "Each gnuplot may run %d s: one that takes longer is killed and the report fails\n"
            "(exit 1) naming the chart. SIGINT, SIGTERM or SIGHUP stops the report at once:\n"
            "gnuplot is killed, the chart being drawn removed, report.md not written; exit 130.\n"
            "environment: VTB_GNUPLOT (gnuplot binary), VTB_REPORTS_DIR (the templates),\n"
            "             VTB_GNUPLOT_TIMEOUT (seconds one gnuplot may run, default %d)\n",
            VTB_REPORT_GNUPLOT_TIMEOUT_S, VTB_REPORT_GNUPLOT_TIMEOUT_S);
}

/* Reports the run; flags are vtb_report_generate's. */
static int report_run(const char *run_dir, const char *out_dir, unsigned flags)
{
    struct vtb_report_outcome outcome;
    struct vtb_error err;
    int rc;

    struct vtb_report_control control = {&vtb_cli_stop_requested, &vtb_cli_child_pid};

    vtb_error_clear(&err);
    rc = vtb_report_generate_controlled(run_dir, out_dir, flags, &control, &outcome, &err);
    if (rc != 0 && (rc == VTB_EINTR || vtb_cli_stop_requested)) {
        vtb_cli_error("report: stopped by %s (%s); report.md not written",
                      vtb_cli_stop_cause(), err.message);
        return VTB_EXIT_INTERRUPTED;
    }
    if (rc != 0) {
        vtb_cli_error("report: %s", err.message);
        /* A bad or refused run is bad input; a missing gnuplot or a failed
         * write is a failure of this machine. */
        return rc == VTB_ESYNTAX || rc == VTB_EINVAL || rc == VTB_ERANGE || rc == VTB_ENOTFOUND
                   ? VTB_EXIT_USAGE
                   : VTB_EXIT_RUN_FAILED;
    }
    if (outcome.incomplete)
        vtb_cli_error("warning: report: %s: incomplete (%s); reported as it is, %u cell(s) "
                      "(--allow-incomplete)",
                      run_dir, outcome.incomplete_reason, outcome.cells);
    for (unsigned k = 0; k < outcome.chart_count; k++) {
        const struct vtb_report_chart *ch = &outcome.charts[k];
        if (ch->drawn)
            printf("chart   %s/%s.svg\n", outcome.out_dir, ch->name);
        else
            printf("skipped %s: %s\n", ch->name, ch->note);
    }
    printf("report: %s\n", outcome.report_md);
    return vtb_cli_stdout_status();
}

int vtb_cli_report(const char *run_dir, const char *out_dir)
{
    return report_run(run_dir, out_dir, 0);
}

int vtb_cli_report_incomplete(const char *run_dir)
{
    return report_run(run_dir, NULL, VTB_REPORT_ALLOW_INCOMPLETE);
}

int vtb_cmd_report(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"out", required_argument, NULL, 'o'},
        {"allow-incomplete", no_argument, NULL, 'I'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *out_dir = NULL;
    unsigned flags = 0;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 'I':
            flags |= VTB_REPORT_ALLOW_INCOMPLETE;
            break;
        case 'h':
            report_usage(stdout);
            return vtb_cli_stdout_status();
        default:
            report_usage(stderr);
            return VTB_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        vtb_cli_error("report: give exactly one run");
        report_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    return report_run(argv[optind], out_dir, flags);
}

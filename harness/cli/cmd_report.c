/*
 * `vtbench report`: the command-line front-end of vtb_report_generate
 * (argument parsing, what was drawn or skipped, the report's path, the
 * exit code). Everything else is in report_charts.c and report_md.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "report_charts.h"

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench report RUN_DIR [--out DIR]\n"
            "\n"
            "Renders the charts of a run directory with gnuplot (SVG and PNG) and writes\n"
            "report.md beside them: machine context, summary table, charts, and the\n"
            "articles' claims with the values measured and a verdict. Charts the run's\n"
            "sweep cannot fill are skipped with a note.\n"
            "  --out DIR   where to write (default RUN_DIR/report)\n"
            "environment: VTB_GNUPLOT (gnuplot binary), VTB_REPORTS_DIR (the templates)\n");
}

int vtb_cli_report(const char *run_dir, const char *out_dir)
{
    struct vtb_report_outcome outcome;
    struct vtb_error err;
    int rc;

    vtb_error_clear(&err);
    rc = vtb_report_generate(run_dir, out_dir, &outcome, &err);
    if (rc != 0) {
        fprintf(stderr, "vtbench: report: %s\n", err.message);
        /* A bad run directory is bad input; a missing gnuplot or a failed
         * write is a failure of this machine. */
        return rc == VTB_ESYNTAX || rc == VTB_EINVAL || rc == VTB_ERANGE || rc == VTB_ENOTFOUND
                   ? VTB_EXIT_USAGE
                   : VTB_EXIT_RUN_FAILED;
    }
    for (unsigned k = 0; k < outcome.chart_count; k++) {
        const struct vtb_report_chart *ch = &outcome.charts[k];
        if (ch->drawn)
            printf("chart   %s/%s.svg\n", outcome.out_dir, ch->name);
        else
            printf("skipped %s: %s\n", ch->name, ch->note);
    }
    printf("report: %s\n", outcome.report_md);
    return VTB_EXIT_OK;
}

int vtb_cmd_report(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *out_dir = NULL;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_dir = optarg;
            break;
        case 'h':
            report_usage(stdout);
            return VTB_EXIT_OK;
        default:
            report_usage(stderr);
            return VTB_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "vtbench: report: give exactly one run directory\n");
        report_usage(stderr);
        return VTB_EXIT_USAGE;
    }

    return vtb_cli_report(argv[optind], out_dir);
}

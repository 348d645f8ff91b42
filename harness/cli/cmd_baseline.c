/*
 * `vtbench baseline`: the command-line front-end of vtb_baseline_save
 * (arguments, the warning for a run taken though not complete, the paths
 * written, the exit code). What is checked and written is in baseline.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "commands.h"
#include "compare_set.h"
#include "fileio.h"
#include "messages.h"

static void baseline_usage(FILE *out)
{
    fprintf(out,
            "usage: vtbench baseline RUN NAME [--dir DIR] [--allow-incomplete]\n"
            "\n"
            "Saves run RUN (a run directory or its results.csv) as the baseline DIR/NAME.csv,\n"
            "with DIR/NAME.samples.csv and DIR/NAME.context.json beside it (DIR defaults to\n"
            "results/baselines). The run must be complete and free of errors, and files the\n"
            "gate would refuse are refused here. Compare later runs against it with:\n"
            "vtbench compare DIR/NAME.csv NEW_RUN\n"
            "  --allow-incomplete   save a run that is not complete (with a warning); the\n"
            "                       gate will refuse the baseline unless given it too\n"
            "exit: 0 saved, 2 refused input or usage, 1 I/O failure\n");
}

int vtb_cmd_baseline(int argc, char **argv)
{
    static const struct option long_options[] = {{"dir", required_argument, NULL, 'd'},
                                                 {"allow-incomplete", no_argument, NULL, 'I'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    const char *dir = "results/baselines";
    unsigned flags = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'I':
            flags |= VTB_RUN_INPUT_ALLOW_INCOMPLETE;
            break;
        case 'h':
            baseline_usage(stdout);
            return vtb_cli_stdout_status();
        default:
            baseline_usage(stderr);
            return VTB_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        vtb_cli_error("baseline: expected RUN and NAME");
        baseline_usage(stderr);
        return VTB_EXIT_USAGE;
    }
    if (vtb_compare_set_is_set(argv[optind])) {
        char path[512];
        vtb_cli_error("baseline: %s is a set of runs; a baseline is one run: save one of them",
                      vtb_text_escape(argv[optind], path, sizeof(path)));
        return VTB_EXIT_USAGE;
    }
    struct vtb_baseline_saved saved;
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_baseline_save(argv[optind], dir, argv[optind + 1], flags, &saved, &err);
    if (rc != 0) {
        vtb_cli_error("baseline: %s", err.message);
        return rc == VTB_ENOMEM || rc == VTB_ENOSPC || rc == VTB_EIO ? VTB_EXIT_RUN_FAILED
                                                                      : VTB_EXIT_USAGE;
    }
    if (saved.state != VTB_RUN_COMPLETE)
        vtb_cli_error("warning: baseline: %s: %s (%s); saved as it is (--allow-incomplete)",
                      argv[optind], vtb_run_state_name(saved.state), saved.reason);
    char escaped[3][1024];
    printf("baseline: %zu rows in %s%s%s%s%s\n", saved.rows,
           vtb_text_escape(saved.results, escaped[0], sizeof(escaped[0])),
           saved.samples[0] != '\0' ? ", " : "",
           vtb_text_escape(saved.samples, escaped[1], sizeof(escaped[1])),
           saved.context[0] != '\0' ? ", " : "",
           vtb_text_escape(saved.context, escaped[2], sizeof(escaped[2])));
    return vtb_cli_stdout_status();
}

/*
 * The gnuplot side of `vtbench report`: the text of the -e variables that a
 * chart template reads (documented in reports/common.gp), finding the
 * templates, and rendering one chart by running gnuplot as a child process.
 * Knows nothing of runs, cells or claims: it is handed text and paths.
 * Internal to reports/ (vtb__gp_ names).
 *
 * gnuplot is a separate program on purpose: it reads the run's CSV files
 * itself, so every plotted number comes straight from the measurement
 * files, and the report only decides which rows a chart shows.
 */
#ifndef VTB_GNUPLOT_H
#define VTB_GNUPLOT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "vtb/error.h"

/*
 * A growing text, for gnuplot's -e assignments and word lists. Starts all
 * zero; out of memory sets failed, after which appends do nothing, so that
 * a chart's plan checks once at the end rather than after every append.
 */
struct vtb__gp_text {
    char *s;
    size_t len, cap;
    bool failed;
};

/* Appends printf-formatted text. */
void vtb__gp_append(struct vtb__gp_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The text so far ("" when empty); valid until the next append or free. */
const char *vtb__gp_str(const struct vtb__gp_text *t);

/* Frees the text and leaves it empty (all zero). */
void vtb__gp_free(struct vtb__gp_text *t);

/* Appends the assignment NAME='VALUE'; (a single-quoted gnuplot string,
 * which takes no escapes but '' for a quote). */
void vtb__gp_var(struct vtb__gp_text *t, const char *name, const char *value);

/* Appends one word to a gnuplot word list, double-quoted (so that it may
 * hold spaces); quotes and control characters in it become '_'. */
void vtb__gp_word(struct vtb__gp_text *list, const char *word);

/* vtb__gp_word for a tick label, which gnuplot reads as a format: '%'
 * doubled. */
void vtb__gp_tic_word(struct vtb__gp_text *list, const char *word);

/*
 * Finds the directory of the templates (common.gp and NAME.gp) into dir:
 * $VTB_REPORTS_DIR, else the source directory this file was compiled from,
 * else ./reports, else the installed copy. Returns 0, VTB_EUNSUPPORTED (not
 * found; the message says how to point at them) or VTB_ERANGE.
 */
int vtb__gp_find_templates(char *dir, size_t size, struct vtb_error *err);

/*
 * The time limit of one gnuplot: $VTB_GNUPLOT_TIMEOUT (seconds > 0, may be
 * fractional), else default_s. Returns 0 or VTB_EINVAL (the variable is
 * not such a number).
 */
int vtb__gp_timeout(double default_s, double *seconds, struct vtb_error *err);

/* One chart to render. */
struct vtb__gp_chart {
    const char *templates; /* the directory vtb__gp_find_templates found */
    const char *out_dir;   /* where NAME.EXT goes */
    const char *name;      /* the template (NAME.gp) and the stem of its files */
    const char *datafile;  /* results.csv: the run's, or the report's recovered copy */
    const char *pctfile;   /* percentiles.csv, or "" when the run has none */
    const char *scenario;  /* for titles */
    const char *build;     /* the build that produced the figures, for every chart */
    const char *vars;      /* the chart's own -e assignments */
    double timeout_s;      /* vtb__gp_timeout's */
    volatile sig_atomic_t *stop;      /* may be NULL: once set, gnuplot is killed */
    volatile sig_atomic_t *child_pid; /* may be NULL: gnuplot's PID while it runs, else 0 */
};

/*
 * Renders chart into out_dir/NAME.EXT (ext "svg" or "png") with
 * `gnuplot -e VARS TEMPLATE` (or $VTB_GNUPLOT): written under a temporary
 * name and renamed into place only when gnuplot succeeded, said nothing on
 * stderr (the templates are written to be silent, so anything there is a
 * problem) and wrote something. gnuplot runs in a process group of its
 * own; when it outlives chart->timeout_s, or *chart->stop is set, that
 * group is killed, gnuplot is reaped and the temporary removed. Returns 0;
 * VTB_EUNSUPPORTED (gnuplot or the template is missing); VTB_EIO (gnuplot
 * failed, complained or timed out: the tail of its stderr is in the
 * message; or the file cannot be written); VTB_EINTR (stopped);
 * VTB_ENOMEM.
 */
int vtb__gp_render(const struct vtb__gp_chart *chart, const char *ext, struct vtb_error *err);

#endif /* VTB_GNUPLOT_H */

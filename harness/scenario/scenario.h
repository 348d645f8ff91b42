/*
 * Scenarios: what one benchmark run measures, read from an INI file.
 *
 * A scenario file holds one [scenario] section of `key = value` lines. The
 * keys are declared once, in keys.h: most are axes, where a comma-separated
 * list makes a sweep and the run measures every cell of the cartesian
 * product of all axes; the others are settings of the whole run (ops or
 * duration, repetitions, warm-up, seed, the implementations). The
 * implementations are not an axis: the runner measures all of them in every
 * cell, interleaved, so that they see the same machine state.
 *
 * Example:
 *   [scenario]
 *   name = hit-sweep
 *   hit_ratio = 0.5, 0.7, 0.9, 0.99
 *   threads = 1, nproc
 *   miss_latency = exp:20us
 *
 * Errors carry a message of the form `FILE:LINE: KEY: what is wrong`
 * ("scenarios/x.ini:12: hit_ratio: must be in [0,1], got 1.5"); errors of a
 * --set override read `--set: KEY: what is wrong`. Line 0 stands for the file
 * as a whole (it cannot be opened, is too large or empty); a missing name is
 * reported at the [scenario] line. A file is read whole, at most
 * VTB_SCENARIO_FILE_MAX bytes (a FIFO, a device or a file that never ends
 * is refused at that bound), and lines are limited to inih's buffer (199
 * bytes in the stock build, a CRLF line end not counted). Codes: VTB_ESYNTAX
 * for text that does not have the expected form, VTB_ERANGE for a value out
 * of range or a file too large, VTB_EINVAL for what is well formed but not
 * allowed (unknown or duplicate key, conflicting keys, missing name, empty
 * file), VTB_ENOTFOUND / VTB_EIO when the file cannot be opened or read,
 * VTB_EINTR when reading was interrupted (the stop flag of the options),
 * VTB_ENOMEM.
 *
 * Everything here is plain data: the runner and the reporters read the
 * structs directly. A scenario owns its strings and arrays.
 */
#ifndef VTB_HARNESS_SCENARIO_H
#define VTB_HARNESS_SCENARIO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keys.h"
#include "vtb/error.h"

/* Largest scenario file read, in bytes. */
#define VTB_SCENARIO_FILE_MAX (1024u * 1024u)

/* The values of one axis, in the order written: count members of the
 * axis's C type. count is at least 1, except for an absent axis (count 0:
 * hit_ratio in emergent mode, capacity following keys). */
struct vtb_axis_list {
    size_t count;
    void *values; /* owned by the scenario */
};

struct vtb_scenario_options {
    /* NULL-terminated names of the implementations `impls` may name; NULL
     * accepts any well-formed name. Borrowed: it must outlive the scenario,
     * since overrides are checked against it too. */
    const char *const *known_impls;
    /* What `threads = nproc` means; 0 = the number of online CPUs. */
    unsigned nproc;
    /* Optional: reading a file stops with VTB_EINTR once *stop is set (a
     * FIFO that never delivers, a terminal). */
    volatile sig_atomic_t *stop;
};

struct vtb_scenario {
    char *source;   /* the file name as given to the parser ("" if none) */
    char *base_dir; /* its directory, where relative paths start (NULL: the current one) */
    struct vtb_settings settings;
    struct vtb_axis_list axes[VTB_AXIS_COUNT];
    struct vtb_scenario_options options; /* copied from the parse call */
    unsigned key_line[VTB_KEY_COUNT];    /* where the file set each key; 0: default or --set */
};

/*
 * Fills s with every default and no name (options may be NULL: all
 * defaults). For building a scenario from overrides alone; the parse
 * functions call it themselves. Returns 0 or VTB_ENOMEM (s is then empty and
 * needs no fini). On success the caller must call vtb_scenario_fini.
 */
int vtb_scenario_init(struct vtb_scenario *s, const struct vtb_scenario_options *options);

/*
 * Parses the scenario file at path into s (which need not be initialised).
 * Messages name the file as path was given. Returns 0, and then the caller
 * owns s and must call vtb_scenario_fini; on error s is left empty (fini
 * allowed but not needed) and err (may be NULL) holds code and message.
 */
int vtb_scenario_load(struct vtb_scenario *s, const char *path,
                      const struct vtb_scenario_options *options, struct vtb_error *err);

/* As vtb_scenario_load, from an open stream (read to its end, within the
 * same bound; not closed here); filename is used in messages and as
 * s->source. */
int vtb_scenario_parse_file(struct vtb_scenario *s, FILE *file, const char *filename,
                            const struct vtb_scenario_options *options, struct vtb_error *err);

/* As vtb_scenario_load, from size bytes at data (NUL bytes included, which
 * are reported as binary data). */
int vtb_scenario_parse_buffer(struct vtb_scenario *s, const char *data, size_t size,
                              const char *filename, const struct vtb_scenario_options *options,
                              struct vtb_error *err);

/*
 * Applies one command-line override "KEY=VALUE" (blanks around KEY and VALUE
 * are ignored) to a parsed or initialised scenario, with the same checks as
 * the file. An override replaces the value, including one the file set;
 * setting ops switches to ops mode and setting duration to duration mode.
 * Returns 0 or a VTB_E... code with a message `--set: KEY: what is wrong`;
 * on error s is unchanged.
 */
int vtb_scenario_override(struct vtb_scenario *s, const char *assignment, struct vtb_error *err);

/*
 * Checks that every name in impls is one of known (NULL-terminated): for a
 * caller that parsed without a list of implementations, because the
 * scenario's plugins had to be loaded first. The message names the file
 * and line of `impls` ("FILE:LINE: impls: unknown implementation `x`; did
 * you mean `y`?"), or `--set` when an override set it. Returns 0 or
 * VTB_EINVAL.
 */
int vtb_scenario_check_impls(const struct vtb_scenario *s, const char *const *known,
                             struct vtb_error *err);

/*
 * Checks what no single key can: the keys together, once the file and every
 * override are applied (a --set may resolve what the file alone left
 * wrong). miss_latency = measured needs a server to measure: a cell with
 * backend = redis, or backend_url. The message names the file and the line
 * of the key ("FILE:LINE: miss_latency: ..."), or `--set` when an override
 * set it. Returns 0 or VTB_EINVAL.
 */
int vtb_scenario_check(const struct vtb_scenario *s, struct vtb_error *err);

/* Frees everything s owns and zeroes it. NULL and zeroed scenarios are
 * allowed; calling it twice is harmless. */
void vtb_scenario_fini(struct vtb_scenario *s);

/* Number of cells: the product of the axis lengths (an absent axis counts as
 * one), at most VTB_SCENARIO_CELLS_MAX. */
size_t vtb_scenario_cell_count(const struct vtb_scenario *s);

/*
 * Fills *out with cell index (see keys.h for the order), resolving the
 * derived values: capacity = keys when capacity is absent, hit_ratio NaN
 * when it is absent. Returns 0, or VTB_ERANGE when index >=
 * vtb_scenario_cell_count(s).
 */
int vtb_scenario_cell(const struct vtb_scenario *s, size_t index, struct vtb_cell *out);

/* True when the scenario sweeps axis (it has more than one value). */
bool vtb_scenario_axis_swept(const struct vtb_scenario *s, enum vtb_axis axis);

/*
 * Writes s as a scenario file with every key resolved: the settings and
 * every axis (absent ones as comments), defaults and overrides applied, the
 * seed and the warm-up explicit, so that `vtbench run` of the text measures
 * the same cells. header is written first as comment lines (may be NULL).
 * Returns 0 or VTB_EIO when the stream reports an error.
 */
int vtb_scenario_write_ini(const struct vtb_scenario *s, const char *header, FILE *out);

#endif /* VTB_HARNESS_SCENARIO_H */

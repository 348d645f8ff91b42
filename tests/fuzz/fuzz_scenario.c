/*
 * libFuzzer target for the scenario parser: arbitrary bytes go through
 * vtb_scenario_parse_buffer with the registered implementation names, the
 * same options `vtbench run` uses, and then through what the runner does
 * with a parsed scenario (count and expand cells, format every axis). The
 * first line of the input is also tried as a `--set` override, so the
 * command-line path sees hostile text too.
 *
 * Besides the sanitizers' checks, it enforces the contract of scenario.h
 * with abort(): an error comes with its code in err and a message naming the
 * file, a parsed scenario has a name, one run length and a cell count in
 * range, and every cell in range expands.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "vtb/impl.h"

/* The file name the parser puts in front of every message. */
#define FUZZ_FILE "fuzz.ini"
/* Cells expanded per input: enough to reach every axis, few enough that a
 * 100000-cell sweep does not turn each execution into a second's work. */
#define FUZZ_CELLS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const *impl_names(void)
{
    static const char *names[65];
    if (names[0] == NULL) {
        size_t n = vtb_impl_count();
        for (size_t i = 0; i < n && i < 64; i++)
            names[i] = vtb_impl_at(i)->name;
    }
    return names;
}

static void check_error(int rc, const struct vtb_error *err, const char *prefix)
{
    if (err->code != rc || err->message[0] == '\0')
        abort();
    if (rc != VTB_ENOMEM && strncmp(err->message, prefix, strlen(prefix)) != 0)
        abort();
}

static void check_cell(const struct vtb_scenario *s, size_t index)
{
    struct vtb_cell cell;
    if (vtb_scenario_cell(s, index, &cell) != 0 || cell.index != index)
        abort();
    if (cell.keys < 1 || cell.capacity < 1 || cell.threads < 1 || cell.concurrency < 1)
        abort();
    /* An absent hit_ratio is NaN (emergent); a present one is a ratio. */
    if (!isnan(cell.hit_ratio) && !(cell.hit_ratio >= 0 && cell.hit_ratio <= 1))
        abort();
    char text[VTB_AXIS_TEXT_MAX];
    for (int axis = 0; axis < VTB_AXIS_COUNT; axis++) {
        vtb_cell_format(&cell, (enum vtb_axis)axis, text, sizeof(text));
        if (strlen(text) >= sizeof(text) - 1)
            abort(); /* possibly truncated: the documented size would be too small */
    }
}

static void check_scenario(const struct vtb_scenario *s)
{
    const struct vtb_settings *st = &s->settings;
    if (st->name == NULL || st->name[0] == '\0' || st->description == NULL)
        abort();
    if ((st->ops == 0) == (st->duration == 0))
        abort();
    if (st->warmup.ops != 0 && st->warmup.ns != 0)
        abort();
    if (st->repetitions > 1000) /* 0 is auto */
        abort();
    size_t cells = vtb_scenario_cell_count(s);
    if (cells < 1 || cells > VTB_SCENARIO_CELLS_MAX)
        abort();
    for (size_t i = 0; i < cells && i < FUZZ_CELLS; i++)
        check_cell(s, i);
    check_cell(s, cells - 1);
    struct vtb_cell past;
    if (vtb_scenario_cell(s, cells, &past) != VTB_ERANGE)
        abort();
}

static void fuzz_override(const uint8_t *data, size_t size)
{
    size_t len = 0;
    while (len < size && len < 512 && data[len] != '\n')
        len++;
    char *assignment = malloc(len + 1);
    if (assignment == NULL)
        return;
    memcpy(assignment, data, len);
    assignment[len] = '\0';
    struct vtb_scenario_options options = {.known_impls = impl_names(), .nproc = 4};
    struct vtb_scenario s;
    if (vtb_scenario_init(&s, &options) == 0) {
        struct vtb_error err;
        vtb_error_clear(&err);
        int rc = vtb_scenario_override(&s, assignment, &err);
        if (rc != 0)
            check_error(rc, &err, "--set");
        vtb_scenario_fini(&s);
    }
    free(assignment);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vtb_scenario_options options = {.known_impls = impl_names(), .nproc = 4};
    struct vtb_scenario s;
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_scenario_parse_buffer(&s, (const char *)data, size, FUZZ_FILE, &options, &err);
    if (rc == 0) {
        check_scenario(&s);
        vtb_scenario_fini(&s);
    } else {
        check_error(rc, &err, FUZZ_FILE ":");
        vtb_scenario_fini(&s); /* allowed on error, and must free nothing twice */
    }
    fuzz_override(data, size);
    return 0;
}

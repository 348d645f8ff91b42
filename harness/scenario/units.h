/*
 * Parsing and formatting of the quantities a scenario is written in: counts
 * ("1000000", "10k", "1.5M"), durations ("0", "50us", "2ms", "1.5s"), plain
 * numbers, booleans, 64-bit integers and miss-latency distributions
 * ("50us", "exp:20us", "uniform:10us:100us").
 *
 * Every parser is strict: the whole text must be consumed, no whitespace is
 * skipped (callers trim), and overflow is an error rather than a wrap or a
 * saturation, because a benchmark that silently runs with another value than
 * the one written measures the wrong thing. Results are exact: decimal
 * fractions are scaled in integer arithmetic, so "1.1s" is 1100000000 ns and
 * not a rounded double.
 *
 * Error convention: the functions return 0, VTB_ESYNTAX when the text does
 * not have the expected form, or VTB_ERANGE when it has the form but the value
 * does not fit (negative counts, overflow, reversed bounds). The message in
 * err says only what is wrong with the text ("expected a duration such as
 * `50us`, got `5 s`"); callers that know the file, line and key prefix it.
 */
#ifndef VTB_HARNESS_UNITS_H
#define VTB_HARNESS_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtb/backend.h"
#include "vtb/error.h"

/* Longest latency a miss_latency spec may ask for: one minute. Anything
 * longer is a typo, and a minute keeps every sum of latencies far from
 * overflowing 64-bit nanoseconds. */
#define VTB_UNITS_LATENCY_MAX_NS (UINT64_C(60) * 1000000000)

/* Buffer sizes that always hold the output of the formatters below. */
#define VTB_UNITS_DOUBLE_TEXT_MAX 32
#define VTB_UNITS_DURATION_TEXT_MAX 32
#define VTB_UNITS_LATENCY_TEXT_MAX 80

/*
 * Parses a non-negative count: decimal digits with an optional fraction and
 * an optional decimal suffix k or K (10^3), M (10^6), G (10^9), T (10^12),
 * e.g. "1000000", "1M", "10k", "1.5k". The result must be a whole number.
 * Returns 0 and sets *out; VTB_ESYNTAX for malformed text or a fractional
 * result ("1.5"); VTB_ERANGE for a negative number or one above 2^64 - 1.
 */
int vtb_units_parse_count(const char *text, uint64_t *out, struct vtb_error *err);

/*
 * Parses any 64-bit unsigned integer, in decimal or as 0x-prefixed hex (for
 * seeds, where every bit pattern is meaningful). No suffixes. Returns 0,
 * VTB_ESYNTAX or VTB_ERANGE (negative or above 2^64 - 1).
 */
int vtb_units_parse_u64(const char *text, uint64_t *out, struct vtb_error *err);

/*
 * Parses a duration into nanoseconds: a decimal number with a unit ns, us,
 * ms, s, min or h ("50us", "1.5s"), or the bare "0". A non-zero number without
 * a unit is refused rather than guessed. The result must be a whole number
 * of nanoseconds. Returns 0, VTB_ESYNTAX, or VTB_ERANGE (negative or above
 * 2^64 - 1 ns).
 */
int vtb_units_parse_duration_ns(const char *text, uint64_t *out_ns, struct vtb_error *err);

/* True when text ends in one of the duration units above (so that a key that
 * accepts a count or a duration, like warmup, can tell which was meant). */
bool vtb_units_has_duration_unit(const char *text);

/*
 * Parses a finite decimal floating-point number ("0.99", "1e-3"). Returns 0,
 * VTB_ESYNTAX (not a number, or nan/inf), or VTB_ERANGE (overflows a double).
 * Underflow to zero or a subnormal is accepted.
 */
int vtb_units_parse_double(const char *text, double *out, struct vtb_error *err);

/* Parses true/false, yes/no, on/off or 1/0. Returns 0 or VTB_ESYNTAX. */
int vtb_units_parse_bool(const char *text, bool *out, struct vtb_error *err);

/*
 * Parses a miss-latency spec into out (the backend's type, so the harness and
 * the backend share one representation):
 *   DURATION            fixed latency, e.g. "0", "50us"
 *   fixed:DURATION      the same, spelled out
 *   uniform:LO:HI       uniform in [LO, HI], LO <= HI
 *   exp:MEAN            exponential with mean MEAN > 0
 * Every duration must be at most VTB_UNITS_LATENCY_MAX_NS. Returns 0,
 * VTB_ESYNTAX (bad form, unknown kind) or VTB_ERANGE (reversed bounds, zero
 * mean, too long).
 */
int vtb_units_parse_latency(const char *text, struct vtb_latency *out, struct vtb_error *err);

/* Writes the shortest decimal text that reads back as exactly x ("0.99",
 * "1e-05") into buf and returns buf. size >= VTB_UNITS_DOUBLE_TEXT_MAX
 * always suffices; shorter buffers truncate. */
const char *vtb_units_format_double(double x, char *buf, size_t size);

/* Writes ns in the largest unit that represents it exactly ("1500ms",
 * "50us", "0") and returns buf; the text parses back to ns. */
const char *vtb_units_format_duration(uint64_t ns, char *buf, size_t size);

/* Writes the canonical text of a latency spec ("50us", "exp:20us",
 * "uniform:10us:100us") and returns buf; the text parses back to *spec. */
const char *vtb_units_format_latency(const struct vtb_latency *spec, char *buf, size_t size);

#endif /* VTB_HARNESS_UNITS_H */

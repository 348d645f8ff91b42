/*
 * The harness clock: a cheap tick counter for the timed path and the
 * conversions that turn ticks into nanoseconds afterwards.
 *
 * On x86-64 with an invariant TSC (cpuid leaf 0x80000007, EDX bit 8) a tick
 * is one TSC increment, read with `lfence; rdtsc`; its rate is calibrated once
 * against CLOCK_MONOTONIC by vtb_clock_init. Everywhere else, or when the TSC
 * is missing or calibrates inconsistently, a tick is one nanosecond of
 * clock_gettime(CLOCK_MONOTONIC). The choice is a process-wide flag set at init
 * rather than a function pointer, so the timed read stays inline and the only
 * cost of the indirection is one well-predicted branch on a read-only global.
 *
 * Ticks are only meaningful as differences, and only within one process.
 * Differences taken across threads rely on the TSCs of all CPUs being
 * synchronised, which the kernel checks at boot (it demotes the "tsc"
 * clocksource when they are not; the kernel clocksource is recorded in
 * struct vtb_clock_info so that a reader of the results can judge).
 */
#ifndef VTB_CLOCK_H
#define VTB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"


/* Set by vtb_clock_init and read-only afterwards. Internal: use the functions
 * below. Before init they select clock_gettime at one tick per nanosecond, so
 * the clock works (slowly) even if init was forgotten. */
extern bool vtb__clock_use_tsc;
uint64_t vtb__clock_fallback_ticks(void);

/*
 * Chooses the tick source, calibrates it and measures the cost of a read.
 * Takes about 100 ms. Process-wide: call once from main before any thread
 * reads the clock, because the choice is published through plain globals.
 * info may be NULL; when given it is filled in full.
 * Returns 0, or VTB_EIO if CLOCK_MONOTONIC itself cannot be read. A TSC that
 * is absent or fails calibration is not an error: the fallback is used and
 * info->note says why.
 */
int vtb_clock_init(struct vtb_clock_info *info);

/*
 * Current tick count, for the timed path. With the TSC this is
 * `lfence; rdtsc`: the lfence keeps the read from being executed before the
 * instructions ahead of it have finished, so a stop stamp does not fire
 * while the timed operation is still in flight, which bare rdtsc allows
 * (its error is of the order of the reorder window, comparable to the 5-50 ns
 * operations vtbench times). We do not add a second fence after the read:
 * the work it would keep from starting early is at most rdtsc's own latency,
 * and cpuid, the textbook serialiser, causes a VM exit under KVM. The asm
 * is also a compiler barrier, so memory accesses are not moved across it.
 */
static inline uint64_t vtb_clock_ticks(void)
{
#if defined(__x86_64__)
    if (__builtin_expect(vtb__clock_use_tsc, 1)) {
        uint32_t lo, hi;
        __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
        return ((uint64_t)hi << 32) | lo;
    }
#endif
    return vtb__clock_fallback_ticks();
}

/* Converts a tick difference to nanoseconds (fractional). */
double vtb_clock_ticks_to_ns(uint64_t ticks);

/* Converts nanoseconds to the nearest tick count, e.g. for deadlines checked
 * against vtb_clock_ticks. */
uint64_t vtb_clock_ns_to_ticks(uint64_t ns);

/* CLOCK_MONOTONIC in nanoseconds, for untimed bookkeeping (run durations,
 * deadlines that need not be cheap). Returns 0 if the clock cannot be read. */
uint64_t vtb_clock_monotonic_ns(void);

#endif /* VTB_CLOCK_H */

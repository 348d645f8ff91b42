/*
 * Tick source selection, TSC calibration and timer-overhead measurement for
 * the harness clock (see clock.h for the contract of the timed read).
 *
 * Calibration pairs TSC readings with CLOCK_MONOTONIC readings across a sleep,
 * in several short rounds, and keeps the median rate. Each end of a round
 * brackets one TSC read between two monotonic reads and keeps the tightest of
 * several brackets, so a preemption at the wrong moment costs nothing; a
 * preemption during the sleep is harmless since both clocks keep running. The
 * spread of the rounds is the test of the TSC: a constant-rate counter agrees
 * with itself to a few ppm, and anything much worse means the rate changes or
 * the thread hopped between unsynchronised CPUs, so the fallback is safer.
 */
#include "clock.h"

#include "vtb/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#define CALIBRATION_ROUNDS 5
#define CALIBRATION_ROUND_NS (15 * 1000 * 1000)
#define BRACKET_TRIES 16
/* 1000 ppm is two orders of magnitude above what a sound TSC shows here and
 * far below what a frequency-scaled or unsynchronised one shows. */
#define MAX_SPREAD_PPM 1000.0
/* Any real TSC runs between 50 MHz and 20 GHz. */
#define MIN_TICKS_PER_NS 0.05
#define MAX_TICKS_PER_NS 20.0

#define OVERHEAD_BATCHES 201
#define OVERHEAD_READS 32

#define CLOCKSOURCE_PATH "/sys/devices/system/clocksource/clocksource0/current_clocksource"

bool vtb__clock_use_tsc = false;
static double ns_per_tick = 1.0;
static double ticks_per_ns = 1.0;

uint64_t vtb_clock_monotonic_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

uint64_t vtb__clock_fallback_ticks(void)
{
    return vtb_clock_monotonic_ns();
}

double vtb_clock_ticks_to_ns(uint64_t ticks)
{
    return (double)ticks * ns_per_tick;
}

uint64_t vtb_clock_ns_to_ticks(uint64_t ns)
{
    return (uint64_t)llround((double)ns * ticks_per_ns);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n values; sorts them in place. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec req = {.tv_sec = (time_t)(ns / 1000000000u),
                           .tv_nsec = (long)(ns % 1000000000u)};
    /* An early wake-up only shortens the round; the rate stays correct. */
    nanosleep(&req, NULL);
}

/*
 * Median per-read cost, in units of the clock itself, of batches of
 * back-to-back reads. Averaging within a batch gives sub-tick resolution; the
 * median across batches discards the batches hit by an interrupt.
 */
#define DEFINE_OVERHEAD(name, read)                                     \
    static double name(void)                                            \
    {                                                                   \
        double per_read[OVERHEAD_BATCHES];                              \
        uint64_t r[OVERHEAD_READS];                                     \
        for (int b = 0; b < OVERHEAD_BATCHES; b++) {                    \
            for (int i = 0; i < OVERHEAD_READS; i++)                    \
                r[i] = read();                                          \
            per_read[b] = (double)(r[OVERHEAD_READS - 1] - r[0]) /      \
                          (OVERHEAD_READS - 1);                         \
        }                                                               \
        return median(per_read, OVERHEAD_BATCHES);                      \
    }

DEFINE_OVERHEAD(overhead_monotonic, vtb_clock_monotonic_ns)

#if defined(__x86_64__)

static bool cpu_has_invariant_tsc(void)
{
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 4)))
        return false;
    /* clang declares __get_cpuid_max as returning int, GCC unsigned. */
    if ((unsigned int)__get_cpuid_max(0x80000000u, NULL) < 0x80000007u)
        return false;
    __cpuid(0x80000007u, eax, ebx, ecx, edx);
    return (edx & (1u << 8)) != 0;
}

/* The same read as vtb_clock_ticks, without the source check. */
static inline uint64_t tsc_fenced(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t tsc_bare(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

DEFINE_OVERHEAD(overhead_tsc_bare, tsc_bare)
DEFINE_OVERHEAD(overhead_tsc_fenced, tsc_fenced)

/* One (tsc, monotonic ns) pair from the tightest of several brackets. */
static void tsc_mono_pair(uint64_t *tsc, uint64_t *ns)
{
    uint64_t best_gap = UINT64_MAX;
    for (int i = 0; i < BRACKET_TRIES; i++) {
        uint64_t a = vtb_clock_monotonic_ns();
        uint64_t t = tsc_fenced();
        uint64_t b = vtb_clock_monotonic_ns();
        if (b - a < best_gap) {
            best_gap = b - a;
            *tsc = t;
            *ns = a + (b - a) / 2;
        }
    }
}

/* Calibrates the TSC; returns the median rate in ticks per ns and the
 * spread of the rounds in ppm. */
static double calibrate_tsc(double *spread_ppm)
{
    double rate[CALIBRATION_ROUNDS];
    double lo = INFINITY, hi = 0.0;
    for (int r = 0; r < CALIBRATION_ROUNDS; r++) {
        uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0;
        tsc_mono_pair(&t0, &n0);
        sleep_ns(CALIBRATION_ROUND_NS);
        tsc_mono_pair(&t1, &n1);
        rate[r] = n1 > n0 ? (double)(t1 - t0) / (double)(n1 - n0) : 0.0;
        lo = fmin(lo, rate[r]);
        hi = fmax(hi, rate[r]);
    }
    double mid = median(rate, CALIBRATION_ROUNDS);
    *spread_ppm = mid > 0.0 ? (hi - lo) / mid * 1e6 : INFINITY;
    return mid;
}

#else /* No TSC outside x86-64: every TSC query reports "absent". */

static bool cpu_has_invariant_tsc(void)
{
    return false;
}

static double overhead_tsc_bare(void)
{
    return 0.0;
}

static double overhead_tsc_fenced(void)
{
    return 0.0;
}

static double calibrate_tsc(double *spread_ppm)
{
    *spread_ppm = 0.0;
    return 0.0;
}

#endif

/* Whatever source vtb_clock_ticks currently uses, in its ticks. */
DEFINE_OVERHEAD(overhead_ticks, vtb_clock_ticks)

/*
 * The smallest non-zero difference between back-to-back reads, in ticks:
 * the step the clock really moves in, which can be far coarser than one
 * tick (a virtualised TSC may advance in steps of tens of ticks).
 */
static uint64_t resolution_ticks(void)
{
    uint64_t best = UINT64_MAX;
    for (int b = 0; b < OVERHEAD_BATCHES; b++) {
        uint64_t prev = vtb_clock_ticks();
        for (int i = 0; i < OVERHEAD_READS; i++) {
            uint64_t now = vtb_clock_ticks();
            if (now > prev && now - prev < best)
                best = now - prev;
            prev = now;
        }
    }
    return best;
}

/* Copies the first line of a small text file into buf; false if unreadable. */
static bool read_first_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

int vtb_clock_init(struct vtb_clock_info *info)
{
    struct vtb_clock_info local;
    struct vtb_clock_info *ci = info != NULL ? info : &local;
    struct timespec ts;

    memset(ci, 0, sizeof(*ci));
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return VTB_EIO;
    if (!read_first_line(CLOCKSOURCE_PATH, ci->kernel_clocksource,
                         sizeof(ci->kernel_clocksource)))
        snprintf(ci->kernel_clocksource, sizeof(ci->kernel_clocksource), "unknown");

    /* Start from the fallback so that a rejected TSC leaves a working clock. */
    vtb__clock_use_tsc = false;
    ticks_per_ns = 1.0;
    ns_per_tick = 1.0;

    ci->invariant_tsc = cpu_has_invariant_tsc();
    if (!ci->invariant_tsc) {
        snprintf(ci->note, sizeof(ci->note), "no invariant TSC");
    } else {
        double rate = calibrate_tsc(&ci->tsc_spread_ppm);
        ci->tsc_ticks_per_ns = rate;
        if (!(rate >= MIN_TICKS_PER_NS && rate <= MAX_TICKS_PER_NS)) {
            snprintf(ci->note, sizeof(ci->note),
                     "TSC rejected: implausible rate %.6g ticks/ns", rate);
        } else if (!(ci->tsc_spread_ppm <= MAX_SPREAD_PPM)) {
            snprintf(ci->note, sizeof(ci->note),
                     "TSC rejected: calibration rounds differ by %.0f ppm",
                     ci->tsc_spread_ppm);
        } else {
            vtb__clock_use_tsc = true;
            ticks_per_ns = rate;
            ns_per_tick = 1.0 / rate;
            snprintf(ci->note, sizeof(ci->note),
                     "invariant TSC, %d rounds agree within %.1f ppm",
                     CALIBRATION_ROUNDS, ci->tsc_spread_ppm);
        }
    }

    snprintf(ci->source, sizeof(ci->source), "%s",
             vtb__clock_use_tsc ? "tsc" : "clock_gettime");
    ci->ticks_per_ns = ticks_per_ns;
    ci->clock_gettime_overhead_ns = overhead_monotonic();
    ci->ticks_overhead_ns = overhead_ticks() * ns_per_tick;
    uint64_t step = resolution_ticks();
    ci->resolution_ns = step == UINT64_MAX ? NAN : (double)step * ns_per_tick;
    if (ci->tsc_ticks_per_ns >= MIN_TICKS_PER_NS && ci->tsc_ticks_per_ns <= MAX_TICKS_PER_NS) {
        /* Measured in TSC ticks; converted with the calibrated rate even when
         * the TSC was rejected for its spread, which still makes the figure
         * right to within that spread. */
        ci->rdtsc_overhead_ns = overhead_tsc_bare() / ci->tsc_ticks_per_ns;
        ci->tsc_overhead_ns = overhead_tsc_fenced() / ci->tsc_ticks_per_ns;
    }
    return 0;
}

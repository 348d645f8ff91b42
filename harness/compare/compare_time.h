/*
 * The gate's time rule: did a cell's time per operation change between two
 * runs, by more than the threshold, as far as its rounds can tell?
 *
 * The question is answered from the interval, not from a p-value or a
 * spread limit, in the spirit of Chromium's Pinpoint: the change is the
 * ratio new / base of the geometric means of the per-round times, with a
 * 95% Welch interval on their logarithms (vtb_ratio_unpaired), and with the
 * threshold t (default 10%):
 *   - slower  when the whole interval lies above 1 + t,
 *   - faster  when it lies below 1 / (1 + t),
 *   - same    when it lies within [1 / (1 + t), 1 + t],
 *   - unknown otherwise: it reaches across a boundary, so the rounds cannot
 *     tell a change of t from none; more rounds narrow it.
 * So a large slowdown is slower however much the rounds spread, as long as
 * the interval clears the threshold, and a small or doubtful one is never
 * called either way. Fewer than 2 usable rounds on a side is unknown.
 *
 * Floor normalisation. Every round of a run measures the floor (the bare
 * cache lookup) interleaved with the implementations, within milliseconds
 * of them, and samples.csv gives it per round. When both runs have it,
 * each round's time is divided by its own floor before the comparison:
 * whatever slowed the whole machine between the two runs (another job, a
 * frequency change, a noisy neighbour) slowed the floor as much and
 * cancels, which the spread of either run alone cannot reveal. Its blind
 * spot is the floor itself: a change that slows the cache lookup slows the
 * floor as well and cancels too. That is why the floor's own change is
 * reported beside the verdict (informational, never gated): "floor moved"
 * means the machine or the cache changed, and instruction counts
 * (--instructions) tell which. Without a floor on both sides (older
 * samples.csv) the raw times are compared.
 *
 * The floor is a different piece of code, though, and a busy machine does
 * not always slow it as it slows the cell: on our 2-core VM under other
 * jobs, the floor of a whole run moved by 25-75% while the cell's own time
 * moved by less, and the divided times then showed a change of 15-45%
 * that the code had not made (6 of 20 A/A pairs called a cell slower or
 * faster). So a change needs a second witness: slower (or faster) per floor
 * stands only when the raw times' interval also lies wholly above 1 (or
 * below); otherwise the verdict is unknown (VTB_COMPARE_NOTE_DISAGREE). The
 * raw times need only agree on the direction, not clear the threshold:
 * they carry the machine's drift, which is what the floor is there to take
 * out. A real change of the code moves both; a machine that moved the floor
 * and the cell alike moves only the raw times, and the cell stays same.
 *
 * Sets of runs. The rounds of one run share its process: where its code
 * and data landed, what shared the core while it ran. On our 2-core VM
 * that moves a cell's time per floor by several percent from one process
 * to the next, more than the rounds of one run spread, so the interval of
 * one run's rounds against another's is too narrow for the question "did
 * the code change?", and a real 20% slowdown lands anywhere from 0% to 45%
 * in a single pair of processes. When both sides are sets of runs
 * (several processes of one build: compare_set.h), the unit is the run, as
 * in Chromium's Pinpoint: each run's rounds are reduced to their median,
 * and the Welch interval is taken over the runs' medians, so that it
 * carries the process-to-process variation instead of hoping it is small.
 * The median, not the mean: a short run's rounds often include one that
 * the VM's change of speed caught, which moves a mean of a few rounds and
 * not their median (over twelve batches of 20 slowed pairs, 221 of 240
 * slowdowns seen with medians, 203 with geometric means; even, 71 of 80
 * each, in sets of fourteen runs; docs/ci.md).
 * By run, the second witness asks only that the raw times' estimate move
 * the same way as the times per floor: their interval over runs carries
 * the machine's speed, which on the VM jumps by 1.7x between runs, and
 * would hide many changes (over twelve batches of sets, 5 to 20 of 20
 * injected slowdowns seen with the raw interval as the witness, 13 to 20
 * with its direction, no false alarm either way; docs/ci.md).
 */
#ifndef VTB_COMPARE_TIME_H
#define VTB_COMPARE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare_rules.h"

/* One side's usable rounds of a cell: times in ns per operation and, when
 * the run measured it in every one of them, the floor of each round. */
struct vtb_compare_rounds {
    const double *ns;
    const double *floor_ns; /* NULL: no floor */
    size_t count;
    /* When the rounds come from a set of runs, how many of them each run
     * gave, in order (summing to count); NULL: one run. */
    const uint32_t *run_rounds;
    size_t runs;
};

/* The rule's answer for one cell (plain data). */
struct vtb_compare_time {
    unsigned char verdict; /* enum vtb_compare_verdict */
    unsigned char note;    /* enum vtb_compare_note */
    bool normalised;       /* each round was divided by its floor */
    bool floor_moved;      /* the floor's interval lies beyond the threshold */
    bool by_run;           /* both sides were sets: the unit was the run */
    unsigned base_n, new_n;         /* rounds (by_run: runs) used on each side */
    double ratio, ci_low, ci_high;  /* new / base with its 95% interval; NaN: none */
    double floor_ratio, floor_ci_low, floor_ci_high; /* the floor's change; NaN: none */
    double raw_ratio, raw_ci_low, raw_ci_high;       /* the raw times' change, when the
                                                        times were divided; NaN otherwise */
};

/*
 * Applies the rule to the rounds of one cell in base and in new, with
 * threshold t (> 0), and fills out: what cannot be judged is unknown, with
 * a note. By run when both sides have at least 2 runs (a run whose rounds
 * are all unusable is left out), by round otherwise. Values that are not finite and positive are not usable and are
 * skipped. Returns 0, or VTB_ENOMEM (only for more than a thousand rounds
 * on a side, which need room of their own).
 */
int vtb_compare_time_judge(const struct vtb_compare_rounds *base,
                            const struct vtb_compare_rounds *head, double threshold,
                            struct vtb_compare_time *out);

/* The verdict of an interval [ci_low, ci_high] of a ratio against
 * threshold t, as above (NaN bounds: unknown). */
enum vtb_compare_verdict vtb_compare_time_verdict(double ci_low, double ci_high, double threshold);

#endif /* VTB_COMPARE_TIME_H */

/*
 * How many measurement rounds a cell gets, and which rounds to believe.
 *
 * A round runs the floor and every implementation once, interleaved, so
 * that each implementation's time in a round can be divided by the
 * reference's time in the same round: a paired ratio in which the machine's
 * drift cancels (results/ratios.h). With `repetitions = auto` the runner
 * keeps adding rounds until every implementation's ratio to the reference
 * is known to the asked precision (the 95% interval's relative half-width),
 * with at least VTB_ROUNDS_MIN rounds and at most max_time of measuring and
 * VTB_ROUNDS_MAX rounds.
 *
 * A round whose floor (the bare cache lookup, measured in every round)
 * strays more than VTB_ROUNDS_DISTURBED from the cell's median floor was
 * measured while the machine was changing speed under it (this VM's speed
 * moves for tens of seconds): it is marked disturbed, and left out of the
 * ratios when at least VTB_ROUNDS_MIN undisturbed rounds remain.
 *
 * Pure logic over arrays of times, so that tests can drive it with a
 * synthetic source and a fake clock.
 */
#ifndef VTB_ROUNDS_H
#define VTB_ROUNDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VTB_ROUNDS_MIN 5
#define VTB_ROUNDS_MAX 1000
/* A round is disturbed when its floor is this far from the median floor. */
#define VTB_ROUNDS_DISTURBED 0.10

struct vtb_rounds_policy {
    unsigned fixed;     /* rounds to run; 0 = auto */
    double precision;   /* auto: the half-width every ratio must reach */
    uint64_t max_ns;    /* auto: the most measuring time */
};

enum vtb_rounds_decision {
    VTB_ROUNDS_CONTINUE,
    VTB_ROUNDS_DONE,      /* the fixed count was run */
    VTB_ROUNDS_PRECISE,   /* auto: every ratio reached the precision */
    VTB_ROUNDS_TIME_UP,   /* auto: max_time spent first */
    VTB_ROUNDS_LIMIT,     /* auto: VTB_ROUNDS_MAX rounds */
};

/*
 * Marks the disturbed rounds of n (see the top) in disturbed[] and returns
 * how many there are. With fewer than 3 rounds nothing is marked: there is
 * no median to stray from.
 */
size_t vtb_rounds_mark_disturbed(const double *floor_ns, size_t n, bool *disturbed);

/* Whether the disturbed rounds are left out: only when enough remain. */
bool vtb_rounds_exclude_disturbed(size_t n, size_t disturbed);

/*
 * The widest relative half-width of the ratios ns[i] / reference over the
 * rounds in use (use NULL: all), for the impls arrays of ns (each n
 * long); a ratio that cannot be estimated counts as infinitely wide.
 */
double vtb_rounds_widest(const double *const *ns, size_t impls, const double *reference,
                         size_t n, const bool *use);

/*
 * After round n (1-based count of rounds done) and elapsed_ns of
 * measuring: go on or stop, and why. widest is vtb_rounds_widest over the
 * rounds so far.
 */
enum vtb_rounds_decision vtb_rounds_next(const struct vtb_rounds_policy *policy, size_t n,
                                         uint64_t elapsed_ns, double widest);

/*
 * The loop that runs a cell's rounds, apart from what a round is so that
 * tests can drive it with a synthetic source and a fake clock. The caller
 * (the runner) supplies:
 *   run_round(ctx, index)  measures round `index` (0-based), with room made
 *                          for it; returns 0 or an error that ends the loop
 *   review(ctx, done)      looks at the `done` rounds so far and returns the
 *                          widest ratio half-width over the rounds in use
 *   now_ns(ctx)            a monotonic clock
 */
struct vtb_rounds_source {
    int (*run_round)(void *ctx, size_t index);
    double (*review)(void *ctx, size_t done);
    uint64_t (*now_ns)(void *ctx);
    void *ctx;
};

/* Runs rounds until vtb_rounds_next says stop; *why says why, *done how
 * many rounds ran. Returns 0 or run_round's error. */
int vtb_rounds_loop(const struct vtb_rounds_policy *policy, const struct vtb_rounds_source *src,
                    size_t *done, enum vtb_rounds_decision *why);

#endif /* VTB_ROUNDS_H */

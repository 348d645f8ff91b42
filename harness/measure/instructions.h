/*
 * Instructions per operation from callgrind: the low-noise metric that the
 * CI gate can compare exactly on any machine, including virtual machines and
 * CI runners where hardware performance counters are not available.
 *
 * `vtbench run --instructions` re-executes vtbench under
 *   valgrind --tool=callgrind --callgrind-out-file=DIR/cg.out ...
 * with a hidden flag (VTB_INSTRUCTIONS_CHILD_FLAG=DIR) that tells the child
 * where the dumps go. In the child, the runner's measurement hooks
 * (runner.h) bracket every recorded run of an implementation on worker 0:
 * start zeroes callgrind's counters (CALLGRIND_ZERO_STATS) and stop dumps
 * them (CALLGRIND_DUMP_STATS), which writes DIR/cg.out.N for the N-th dump
 * (the dump at program exit is DIR/cg.out itself, as callgrind's manual
 * says for --callgrind-out-file); collect then reads the instruction total
 * (event Ir of the "totals:" line) of the newest part and removes it.
 *
 * Why zero/dump rather than toggling collection: CALLGRIND_TOGGLE_COLLECT
 * flips the collection state of the calling thread only (checked with
 * valgrind 3.19: a second thread's work inside a toggled window is not
 * counted), so with more than one worker or a completion thread it would
 * count worker 0 alone while the runner divides by every thread's
 * operations. Zero and dump act on all threads' counters, so a run's count
 * is everything the process executed between worker 0's start and stop.
 *
 * What the count means: with one thread and completion on the worker's loop
 * (threads = 1, completion = loop, as scenarios/quick.ini) it is exactly the
 * instructions of the measured operations plus a constant few hundred for
 * the hooks, the clock reads and the runner thread going to sleep on its
 * barrier, and it repeats to within that. With more threads or a completion
 * thread it also contains the other threads' work that valgrind happened to
 * schedule inside worker 0's window, which depends on scheduling: it varies
 * from run to run and is an approximation. Time columns of such a run are
 * meaningless (valgrind slows execution 20-100x, unevenly): context.json
 * says "instructions_mode": true.
 */
#ifndef VTB_INSTRUCTIONS_H
#define VTB_INSTRUCTIONS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "runner.h"
#include "vtb/error.h"

/* The hidden option through which the parent hands the dump directory to
 * the child: VTB_INSTRUCTIONS_CHILD_FLAG "=" DIR. */
#define VTB_INSTRUCTIONS_CHILD_FLAG "--instructions-child"

/* Base name of the dump files inside the dump directory. */
#define VTB_INSTRUCTIONS_DUMP_NAME "cg.out"

/* Environment variable naming the valgrind program (default "valgrind",
 * searched in PATH). */
#define VTB_INSTRUCTIONS_VALGRIND_ENV "VTB_VALGRIND"

#define VTB_INSTRUCTIONS_PATH_MAX 1024

/*
 * State of the measurement hooks in the child. Caller-owned; set up with
 * vtb_instructions_init. When a collect fails, error holds the reason (the
 * runner only passes the code on).
 */
struct vtb_instructions {
    char dir[VTB_INSTRUCTIONS_PATH_MAX];
    unsigned long last_part;  /* number of the last dump read */
    unsigned long collected;  /* dumps read so far */
    struct vtb_error error;
};

/* True when this process runs under valgrind (any tool). */
bool vtb_instructions_under_valgrind(void);

/*
 * Prepares ins for dumps written into dir (the directory the parent named).
 * Returns 0; VTB_EUNSUPPORTED when the process is not running under
 * valgrind (the hidden flag was given by hand); VTB_ERANGE when dir is too
 * long; VTB_EIO when dir is not a directory.
 */
int vtb_instructions_init(struct vtb_instructions *ins, const char *dir, struct vtb_error *err);

/* Fills hooks with the callgrind hooks operating on ins (which must outlive
 * every run that uses them). */
void vtb_instructions_hooks(struct vtb_instructions *ins, struct vtb_measure_hooks *hooks);

/*
 * Reads the instruction count (event Ir) from the text of a callgrind dump
 * (size bytes; name is used in messages): the "totals:" line, or the
 * "summary:" line when there is no totals line, indexed by the position of
 * Ir in the "events:" line. Returns 0 and stores the count in *ir, or
 * VTB_ESYNTAX with "NAME:LINE: what is wrong" (or "NAME: ...") in err.
 */
int vtb_instructions_parse_dump(const char *text, size_t size, const char *name, double *ir,
                                struct vtb_error *err);

/*
 * Reads the newest dump part (DIR/cg.out.N with the largest N, which must
 * be newer than the last one read), stores its instruction count in *ir and
 * removes the file. Returns 0, VTB_ENOTFOUND (no new dump), VTB_EIO or
 * VTB_ESYNTAX, with a message in err.
 */
int vtb_instructions_read_newest(struct vtb_instructions *ins, double *ir,
                                 struct vtb_error *err);

/*
 * Runs vtbench again under callgrind and waits for it:
 *   $VTB_VALGRIND --tool=callgrind --callgrind-out-file=DIR/cg.out ...
 *       /proc/self/exe ARGS... --instructions-child=DIR
 * where DIR is a fresh temporary directory (under $TMPDIR or /tmp) that is
 * removed, with every dump in it, when the child has finished. args[0..n-1]
 * are the child's arguments after the program name (the command first,
 * e.g. "run", FILE...). The child shares stdin, stdout and stderr.
 *
 * Returns 0 and stores the child's exit code in *exit_code (128 + signal
 * number when a signal ended it); VTB_ENOTFOUND when valgrind cannot be
 * executed; VTB_EIO when the program ran but exited with an error before
 * vtbench started under it (a VTB_VALGRIND that is not valgrind), or for
 * the temporary directory or fork; VTB_ENOMEM; with a message in err. A
 * stop request (*stop, may be NULL) seen while waiting is passed on to the
 * child as SIGTERM, once; the child then stops as any run does.
 */
int vtb_instructions_reexec(const char *const *args, size_t n, volatile sig_atomic_t *stop,
                            int *exit_code,
                            struct vtb_error *err);

#endif /* VTB_INSTRUCTIONS_H */

/*
 * Tests of run_input's trust decision beyond "complete": true
 * (harness/output/run_input.c), on small runs written by hand, and of the
 * journal reader's word for damage (harness/output/journal.c).
 *
 * A run whose context.json says complete must carry what vtbench always
 * writes there (status "complete", cell_count = cells_done, impl_count,
 * outputs all ok with csv among them) and agree with its files: results.csv
 * holds cells_done x impl_count rows, one per implementation of each cell
 * below cell_count, and samples.csv (when outputs says it was written)
 * each row's repetitions in rounds. A run that does not is "inconsistent":
 * refused in one line, or used with the state saying so when allowed. A
 * name given twice in context.json makes it corrupt. cell_index and
 * repetitions must be plain decimal counts. A journal damaged before its
 * end is reported as damage, not as the benign torn last write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run_input.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 2 cells x 2 implementations, 2 rounds each. */
#define RESULTS                                                                             \
    "scenario,cell_index,impl,repetitions\r\n"                                              \
    "q,0,a,2\r\nq,0,b,2\r\nq,1,a,2\r\nq,1,b,2\r\n"
#define SAMPLES                                                                             \
    "scenario,cell_index,impl,repetition,ns_per_op\r\n"                                     \
    "q,0,a,0,1\r\nq,0,a,1,1\r\nq,0,b,0,1\r\nq,0,b,1,1\r\n"                                  \
    "q,1,a,0,1\r\nq,1,a,1,1\r\nq,1,b,0,1\r\nq,1,b,1,1\r\n"
#define OUTPUTS "[{\"reporter\": \"csv\", \"ok\": true}, {\"reporter\": \"samples\", \"ok\": true}]"
#define CONTEXT_WITH(status, cells_done, outputs, more)                                     \
    "{\"complete\": true, \"status\": \"" status "\", \"outputs\": " outputs                \
    ", \"cell_count\": 2, \"impl_count\": 2" more ", \"cells_done\": " cells_done "}\n"
#define CONTEXT CONTEXT_WITH("complete", "2", OUTPUTS, "")

static int setup(void **state)
{
    char *dir = strdup("/tmp/vtb-run-input-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", (char *)*state);
    assert_int_equal(system(command), 0);
    free(*state);
    return 0;
}

/* Writes dir/name with text; NULL removes it. */
static void put(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (text == NULL) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void write_run(const char *dir, const char *context, const char *results,
                      const char *samples)
{
    put(dir, "context.json", context);
    put(dir, "results.csv", results);
    put(dir, "samples.csv", samples);
}

/* Opens path with flags; fails unless the code is rc and, when message is
 * not NULL, the message (one line) holds it. */
static void expect_open(const char *path, unsigned flags, int rc, const char *message)
{
    struct vtb_run_input in;
    struct vtb_error err = {0};
    int got = vtb_run_input_open(&in, path, flags, &err);
    if (got != rc || (message != NULL && strstr(err.message, message) == NULL) ||
        strchr(err.message, '\n') != NULL)
        fail_msg("%s: got %d '%s', expected %d '%s'", path, got, err.message, rc,
                 message != NULL ? message : "");
    vtb_run_input_close(&in);
}

/* The run is refused as inconsistent with reason; allowed, it opens with
 * the state and reason saying so. */
static void expect_inconsistent(const char *path, const char *reason)
{
    expect_open(path, 0, VTB_EINVAL, ": inconsistent run: ");
    expect_open(path, 0, VTB_EINVAL, reason);
    expect_open(path, 0, VTB_EINVAL, "; refused (pass --allow-incomplete");
    struct vtb_run_input in;
    struct vtb_error err = {0};
    if (vtb_run_input_open(&in, path, VTB_RUN_INPUT_ALLOW_INCOMPLETE, &err) != 0)
        fail_msg("%s, allowed: %s", path, err.message);
    assert_int_equal(in.state, VTB_RUN_INCONSISTENT);
    assert_string_equal(vtb_run_state_name(in.state), "inconsistent");
    if (strstr(in.reason, reason) == NULL)
        fail_msg("%s, allowed: reason '%s', expected '%s'", path, in.reason, reason);
    vtb_run_input_close(&in);
}

/* A run that agrees with itself opens, whole or with its samples later. */
static void test_consistent_run(void **state)
{
    const char *dir = *state;
    write_run(dir, CONTEXT, RESULTS, SAMPLES);
    struct vtb_run_input in;
    struct vtb_error err = {0};
    assert_int_equal(vtb_run_input_open(&in, dir, 0, &err), 0);
    assert_int_equal(in.state, VTB_RUN_COMPLETE);
    assert_true(in.has_samples);
    assert_int_equal(in.claim.cell_count, 2);
    assert_int_equal(in.claim.impl_count, 2);
    assert_true(in.claim.samples_written);
    vtb_run_input_close(&in);
    assert_int_equal(vtb_run_input_open(&in, dir, VTB_RUN_INPUT_SAMPLES_LATER, &err), 0);
    vtb_csv_free(&in.results); /* as the gate does before reading samples */
    assert_int_equal(vtb_run_input_read_samples(&in, NULL, &err), 0);
    assert_int_equal(in.state, VTB_RUN_COMPLETE);
    assert_int_equal(in.samples.rows, 8);
    vtb_run_input_close(&in);
    /* Without the samples reporter in outputs, no samples.csv is expected. */
    write_run(dir, CONTEXT_WITH("complete", "2", "[{\"reporter\": \"csv\", \"ok\": true}]", ""),
              RESULTS, NULL);
    expect_open(dir, 0, 0, NULL);
}

/* context.json must say complete in every way vtbench does. */
static void test_context_claims(void **state)
{
    const char *dir = *state;
    static const struct {
        const char *context, *reason;
    } cases[] = {
        {"{\"complete\": true}\n",
         "context.json says \"complete\": true but has no string \"status\" (vtbench writes it "
         "in every run)"},
        {CONTEXT_WITH("interrupted", "2", OUTPUTS, ""),
         "context.json says \"complete\": true but \"status\": \"interrupted\""},
        {CONTEXT_WITH("complete", "1", OUTPUTS, ""),
         "context.json says \"complete\": true but 1 of 2 cells done"},
        {CONTEXT_WITH("complete", "2.5", OUTPUTS, ""), "has no count \"cells_done\""},
        {CONTEXT_WITH("complete", "-2", OUTPUTS, ""), "has no count \"cells_done\""},
        {"{\"complete\": true, \"status\": \"complete\", \"outputs\": " OUTPUTS
         ", \"cell_count\": 2, \"cells_done\": 2}",
         "has no count \"impl_count\""},
        {CONTEXT_WITH("complete", "2", "{}", ""), "has no array \"outputs\""},
        {CONTEXT_WITH("complete", "2", "[{\"reporter\": \"csv\"}]", ""),
         "context.json: outputs[0] has no \"reporter\" and \"ok\""},
        {CONTEXT_WITH("complete", "2",
                      "[{\"reporter\": \"csv\", \"ok\": true}, {\"reporter\": \"samples\", "
                      "\"ok\": false}]",
                      ""),
         "context.json says \"complete\": true but its samples output failed"},
        {CONTEXT_WITH("complete", "2", "[{\"reporter\": \"samples\", \"ok\": true}]", ""),
         "context.json says \"complete\": true but lists no csv output (results.csv)"},
        {CONTEXT_WITH("complete", "2", OUTPUTS, ", \"instructions_mode\": \"yes\""),
         "has no boolean \"instructions_mode\""},
    };
    for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
        write_run(dir, cases[k].context, RESULTS, SAMPLES);
        expect_inconsistent(dir, cases[k].reason);
    }
    /* A name given twice: not JSON a gate can read either way. */
    write_run(dir, "{\"complete\": true, \"complete\": false}", RESULTS, SAMPLES);
    expect_open(dir, 0, VTB_EINVAL,
                "not a complete run: corrupt context.json: ");
    expect_open(dir, 0, VTB_EINVAL,
                "context.json:1:32: duplicate member name \"complete\" (first at line 1, column "
                "14); refused");
    /* "complete": false stays incomplete with its own reason, whatever else
     * it lacks. */
    write_run(dir, "{\"complete\": false, \"status\": \"complete\"}", RESULTS, SAMPLES);
    expect_open(dir, 0, VTB_EINVAL, "not a complete run: context.json says \"complete\": false");
}

/* results.csv holds every cell's row of every implementation, no more. */
static void test_results_rows(void **state)
{
    const char *dir = *state;
    static const struct {
        const char *results, *reason;
    } cases[] = {
        {"scenario,cell_index,impl,repetitions\r\nq,0,a,2\r\n",
         "results.csv has 1 row but context.json says 4 (2 cells x 2 implementations)"},
        {"scenario,cell_index,impl,repetitions\r\n",
         "results.csv has 0 rows but context.json says 4 (2 cells x 2 implementations)"},
        {RESULTS "q,1,c,2\r\n",
         "results.csv has 5 rows but context.json says 4 (2 cells x 2 implementations)"},
        {"scenario,cell_index,impl,repetitions\r\nq,0,a,2\r\nq,0,b,2\r\nq,0,c,2\r\nq,1,a,2\r\n",
         "results.csv has 3 rows of cell 0 but context.json says 2 implementations"},
        {"scenario,cell_index,impl,repetitions\r\nq,0,a,2\r\nq,0,a,2\r\nq,1,a,2\r\nq,1,b,2\r\n",
         "cell 0's implementation again (also on line "},
        {"scenario,cell_index,impl,repetitions\r\nq,0,a,2\r\nq,0,b,2\r\nq,5,a,2\r\nq,5,b,2\r\n",
         "results.csv:4: cell 5, but context.json says 2 cells"},
        {"scenario,cell_index,impl\r\nq,0,a\r\nq,0,b\r\nq,1,a\r\nq,1,b\r\n",
         "results.csv has no column 'repetitions' (vtbench writes it in every run)"},
    };
    for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
        write_run(dir, CONTEXT, cases[k].results, SAMPLES);
        expect_inconsistent(dir, cases[k].reason);
    }
    /* A count that is not plain decimal is refused, allowed or not. */
    char message[256];
    write_run(dir, CONTEXT, "scenario,cell_index,impl,repetitions\r\nq,0,a,2\r\nq,0,b,2\r\n"
                            "q,0x1,a,2\r\nq,1,b,2\r\n", SAMPLES);
    snprintf(message, sizeof(message), "%s/results.csv:4: cell_index: '0x1' is not a plain "
             "decimal count", dir);
    expect_open(dir, 0, VTB_ESYNTAX, message);
    expect_open(dir, VTB_RUN_INPUT_ALLOW_INCOMPLETE, VTB_ESYNTAX, message);
    write_run(dir, CONTEXT, "scenario,cell_index,impl,repetitions\r\nq,0,a,2\r\nq,0,b, 2\r\n"
                            "q,1,a,2\r\nq,1,b,2\r\n", SAMPLES);
    expect_open(dir, 0, VTB_ESYNTAX, "results.csv:3: repetitions: ' 2' is not a plain decimal");
    /* No results.csv beside a context.json that says complete (the journal
     * it left is not taken for the run's results). */
    write_run(dir, CONTEXT, NULL, SAMPLES);
    expect_open(dir, 0, VTB_EINVAL,
                "inconsistent run: no results.csv, though context.json says the run is complete");
    expect_open(dir, VTB_RUN_INPUT_ALLOW_INCOMPLETE, VTB_EINVAL, "no results.csv");
}

/* samples.csv has each row's rounds, and none of a row not in results.csv. */
static void test_samples_rounds(void **state)
{
    const char *dir = *state;
    static const char *const truncated = "scenario,cell_index,impl,repetition,ns_per_op\r\n"
                                         "q,0,a,0,1\r\nq,0,a,1,1\r\nq,0,b,0,1\r\nq,0,b,1,1\r\n"
                                         "q,1,a,0,1\r\nq,1,a,1,1\r\nq,1,b,0,1\r\n";
    write_run(dir, CONTEXT, RESULTS, NULL);
    expect_inconsistent(dir, "no samples.csv, though context.json says it was written");
    write_run(dir, CONTEXT, RESULTS, truncated);
    expect_inconsistent(dir, "samples.csv has 1 round(s) of results.csv line 5 (cell 1) but it "
                             "says 2 repetitions");
    write_run(dir, CONTEXT, RESULTS, "scenario,cell_index,impl,repetition,ns_per_op\r\n");
    expect_inconsistent(dir, "samples.csv has 0 round(s) of results.csv line ");
    write_run(dir, CONTEXT, RESULTS, SAMPLES "q,1,z,0,1\r\n");
    expect_inconsistent(dir, "samples.csv:10: a round of cell 1, impl 'z', which results.csv "
                             "does not have");
    write_run(dir, CONTEXT, RESULTS, SAMPLES "q,1,b,2,1\r\n");
    expect_inconsistent(dir, "samples.csv has 3 round(s) of results.csv line 5 (cell 1) but it "
                             "says 2 repetitions");

    /* Read later (the gate's way): the refusal comes from reading them, and
     * allowed, the state says so then. */
    write_run(dir, CONTEXT, RESULTS, truncated);
    struct vtb_run_input in;
    struct vtb_error err = {0};
    assert_int_equal(vtb_run_input_open(&in, dir, VTB_RUN_INPUT_SAMPLES_LATER, &err), 0);
    assert_int_equal(vtb_run_input_read_samples(&in, NULL, &err), VTB_EINVAL);
    assert_non_null(strstr(err.message, "inconsistent run: samples.csv has 1 round(s)"));
    vtb_run_input_close(&in);
    assert_int_equal(vtb_run_input_open(&in, dir,
                                        VTB_RUN_INPUT_SAMPLES_LATER |
                                            VTB_RUN_INPUT_ALLOW_INCOMPLETE,
                                        &err),
                     0);
    assert_int_equal(in.state, VTB_RUN_COMPLETE);
    assert_int_equal(vtb_run_input_read_samples(&in, NULL, &err), 0);
    assert_int_equal(in.state, VTB_RUN_INCONSISTENT);
    assert_true(in.has_samples);
    vtb_run_input_close(&in);
}

/* A baseline NAME.csv: judged by NAME.context.json the same way; one of an
 * instruction-count run is saved without samples (baseline.h). */
static void test_baseline_layout(void **state)
{
    const char *dir = *state;
    char path[256];
    snprintf(path, sizeof(path), "%s/quick.csv", dir);
    put(dir, "quick.csv", RESULTS);
    put(dir, "quick.context.json",
        CONTEXT_WITH("complete", "2", OUTPUTS, ", \"instructions_mode\": true"));
    expect_open(path, 0, 0, NULL);
    put(dir, "quick.context.json", CONTEXT);
    expect_inconsistent(path, "no quick.samples.csv, though quick.context.json says it was "
                              "written");
    put(dir, "quick.samples.csv", SAMPLES);
    expect_open(path, 0, 0, NULL);
    put(dir, "quick.csv", "scenario,cell_index,impl,repetitions\r\nq,0,a,2\r\n");
    expect_inconsistent(path, "quick.csv has 1 row but quick.context.json says 4 (2 cells x 2 "
                              "implementations)");
}

/* ---- The journal: a torn last write, or damage before the end ---- */

static uint64_t fnv1a(const char *data, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)data[i]) * UINT64_C(0x100000001b3);
    return h;
}

/* Appends cell c's block (two implementations, one round each) to text. */
static void journal_cell(char *text, size_t size, unsigned c)
{
    char rows[256];
    snprintf(rows, sizeof(rows),
             "R results q,%u,a,1\nR results q,%u,b,1\nR samples q,%u,a,0,1\nR samples "
             "q,%u,b,0,1\n",
             c, c, c, c);
    size_t n = strlen(text);
    snprintf(text + n, size - n, "C %u %zu %016llx\n%s", c, strlen(rows),
             (unsigned long long)fnv1a(rows, strlen(rows)), rows);
}

/* A killed run's directory: no context.json, a journal of three cells,
 * changed by edit (NULL: as written). */
static void killed_run(const char *dir, void (*edit)(char *text))
{
    char text[4096] = "vtbench-journal 1\n"
                      "H results scenario,cell_index,impl,repetitions\n"
                      "H samples scenario,cell_index,impl,repetition,ns_per_op\n"
                      "H percentiles scenario,cell_index,impl,kind,percentile,value_ns\n";
    for (unsigned c = 0; c < 3; c++)
        journal_cell(text, sizeof(text), c);
    if (edit != NULL)
        edit(text);
    write_run(dir, NULL, NULL, NULL);
    put(dir, "journal", text);
}

static void torn_tail(char *text)
{
    strcat(text, "C 3 5000 0123456789abcdef\nR results half a ro");
}

static void flip_cell_1(char *text)
{
    *strstr(text, "q,1,b,0,1") = 'x'; /* its hash no longer matches */
}

static void flip_cell_2(char *text)
{
    *strstr(text, "q,2,b,0,1") = 'x'; /* the last block, whole */
}

static void garble_cell_1(char *text)
{
    memcpy(strstr(text, "C 1 "), "C x ", 4); /* a header that does not parse */
}

/* Opened allowed: the reason names the cells and, for damage, the line,
 * and does not hold unsaid. */
static void expect_recovered(const char *dir, unsigned cells, const char *reason,
                             const char *unsaid)
{
    struct vtb_run_input in;
    struct vtb_error err = {0};
    if (vtb_run_input_open(&in, dir, VTB_RUN_INPUT_ALLOW_INCOMPLETE, &err) != 0)
        fail_msg("%s: %s", dir, err.message);
    assert_int_equal(in.state, VTB_RUN_RECOVERED);
    assert_int_equal(in.cells_recovered, cells);
    assert_int_equal(in.results.rows, 2 * cells);
    if (strstr(in.reason, reason) == NULL || strstr(in.reason, unsaid) != NULL)
        fail_msg("reason '%s', expected '%s' without '%s'", in.reason, reason, unsaid);
    vtb_run_input_close(&in);
    expect_open(dir, 0, VTB_EINVAL, reason);
}

static void test_journal_damage(void **state)
{
    const char *dir = *state;
    killed_run(dir, NULL);
    expect_recovered(dir, 3, "3 completed cell(s) recovered from its journal", "journal,");
    killed_run(dir, torn_tail);
    expect_recovered(dir, 3, "3 completed cell(s) recovered from its journal, a torn last "
                             "record dropped", "damaged");
    /* The last block damaged whole is a torn last write too. */
    killed_run(dir, flip_cell_2);
    expect_recovered(dir, 2, "2 completed cell(s) recovered from its journal, a torn last "
                             "record dropped", "damaged");
    /* Damage with more of the journal after it is not a torn write. */
    killed_run(dir, flip_cell_1);
    expect_recovered(dir, 1, "1 completed cell(s) recovered from its journal; the journal is "
                             "damaged at line 10, before its end (not a torn last write): "
                             "nothing from there on was recovered", "torn last record");
    killed_run(dir, garble_cell_1);
    expect_recovered(dir, 1, "the journal is damaged at line 10, before its end",
                     "torn last record");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_consistent_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_samples_rounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_baseline_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_damage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

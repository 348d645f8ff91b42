/*
 * Tests of the RFC 4180 reader (harness/io/csv_reader.c) that `vtbench compare`
 * and `vtbench baseline` read results.csv and samples.csv with.
 *
 * Good inputs check quoting (commas, doubled quotes, line breaks inside a
 * field), both line ends, a last record without a line end, empty fields,
 * and the line on which each row starts (what error messages point at).
 * Bad inputs are one table: input, error code and the exact full message,
 * because "FILE:LINE: what is wrong" is what a user reads when a CI gate
 * refuses a file. The number and column helpers and the file entry point
 * are checked the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_reader.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void parse_ok(const char *text, struct vtb_csv_table *t)
{
    struct vtb_error err = {0};
    int rc = vtb_csv_parse(text, strlen(text), "t.csv", t, &err);
    if (rc != 0)
        print_error("unexpected error: %s\n", err.message);
    assert_int_equal(rc, 0);
}

static void test_plain_lf(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("a,b,c\n1,2,3\nx,,z\n", &t);
    assert_int_equal(t.columns, 3);
    assert_int_equal(t.rows, 2);
    assert_string_equal(t.header[0], "a");
    assert_string_equal(t.header[2], "c");
    assert_string_equal(vtb_csv_cell(&t, 0, 1), "2");
    assert_string_equal(vtb_csv_cell(&t, 1, 1), ""); /* empty field */
    assert_string_equal(vtb_csv_cell(&t, 1, 2), "z");
    assert_int_equal(t.row_lines[0], 2);
    assert_int_equal(t.row_lines[1], 3);
    assert_string_equal(t.source, "t.csv");
    vtb_csv_free(&t);
}

/* vtbench writes CRLF (RFC 4180); the CR must not end up in the last field. */
static void test_crlf(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("a,b\r\n1,2\r\n3,4\r\n", &t);
    assert_int_equal(t.rows, 2);
    assert_string_equal(t.header[1], "b");
    assert_string_equal(vtb_csv_cell(&t, 0, 1), "2");
    assert_string_equal(vtb_csv_cell(&t, 1, 1), "4");
    assert_int_equal(t.row_lines[1], 3);
    vtb_csv_free(&t);
}

/* A lone CR is data, not a line end. */
static void test_lone_cr_is_data(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("a\nx\ry\n", &t);
    assert_int_equal(t.rows, 1);
    assert_string_equal(vtb_csv_cell(&t, 0, 0), "x\ry");
    vtb_csv_free(&t);
}

static void test_quoting(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("name,note\r\n"
             "\"a,b\",\"say \"\"hi\"\"\"\r\n"
             "\"\",\"\"\"\"\r\n",
             &t);
    assert_int_equal(t.rows, 2);
    assert_string_equal(vtb_csv_cell(&t, 0, 0), "a,b");
    assert_string_equal(vtb_csv_cell(&t, 0, 1), "say \"hi\"");
    assert_string_equal(vtb_csv_cell(&t, 1, 0), ""); /* quoted empty */
    assert_string_equal(vtb_csv_cell(&t, 1, 1), "\"");
    vtb_csv_free(&t);
}

/* A line break inside quotes is data and moves the line count on, so the
 * next row is reported on its real line. */
static void test_embedded_newlines(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("a,b\n\"one\ntwo\",x\n\"three\r\nfour\",y\nlast,z\n", &t);
    assert_int_equal(t.rows, 3);
    assert_string_equal(vtb_csv_cell(&t, 0, 0), "one\ntwo");
    assert_string_equal(vtb_csv_cell(&t, 1, 0), "three\r\nfour");
    assert_string_equal(vtb_csv_cell(&t, 2, 0), "last");
    assert_int_equal(t.row_lines[0], 2);
    assert_int_equal(t.row_lines[1], 4);
    assert_int_equal(t.row_lines[2], 6);
    vtb_csv_free(&t);
}

static void test_no_final_line_end(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("a,b\n1,2", &t);
    assert_int_equal(t.rows, 1);
    assert_string_equal(vtb_csv_cell(&t, 0, 1), "2");
    vtb_csv_free(&t);

    parse_ok("a,b\n1,\"2\"", &t); /* ends right after a closing quote */
    assert_string_equal(vtb_csv_cell(&t, 0, 1), "2");
    vtb_csv_free(&t);

    parse_ok("a,b\n1,", &t); /* ends on an empty last field */
    assert_int_equal(t.rows, 1);
    assert_string_equal(vtb_csv_cell(&t, 0, 1), "");
    vtb_csv_free(&t);
}

static void test_header_only(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("a,b\r\n", &t);
    assert_int_equal(t.columns, 2);
    assert_int_equal(t.rows, 0);
    assert_string_equal(vtb_csv_cell(&t, 0, 0), ""); /* out of range reads as empty */
    vtb_csv_free(&t);
}

static void test_columns_and_require(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    struct vtb_error err = {0};
    parse_ok("scenario,impl,ns\n", &t);
    assert_int_equal(vtb_csv_column(&t, "impl"), 1);
    assert_int_equal(vtb_csv_column(&t, "nope"), -1);
    static const char *const ok[] = {"ns", "scenario", NULL};
    static const char *const missing[] = {"scenario", "ops", "zz", NULL};
    assert_int_equal(vtb_csv_require(&t, ok, &err), 0);
    assert_int_equal(vtb_csv_require(&t, missing, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.csv:1: missing column 'ops'");
    vtb_csv_free(&t);
}

static void test_numbers(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    struct vtb_error err = {0};
    double v = 0;
    parse_ok("a,b\r\n1.5,\r\n-inf,1e999\r\n2x,abc\r\n", &t);
    assert_int_equal(vtb_csv_real(&t, 0, 0, &v, &err), 0);
    assert_true(v == 1.5);
    assert_int_equal(vtb_csv_real(&t, 0, 1, &v, &err), 0);
    assert_true(isnan(v)); /* empty is NaN: how vtbench writes "not measured" */
    assert_int_equal(vtb_csv_real(&t, 1, 0, &v, &err), 0);
    assert_true(isinf(v) && v < 0);

    assert_int_equal(vtb_csv_real(&t, 1, 1, &v, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.csv:3: b: not a number: '1e999'");
    assert_int_equal(vtb_csv_real(&t, 2, 0, &v, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.csv:4: a: not a number: '2x'");
    assert_int_equal(vtb_csv_real(&t, 2, 1, &v, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.csv:4: b: not a number: 'abc'");
    vtb_csv_free(&t);
}

struct bad_case {
    const char *text;
    size_t size; /* 0: strlen(text) */
    int code;
    const char *message;
};

static void test_errors(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"", 0, VTB_ESYNTAX, "t.csv:1: empty file (expected a header row)"},
        {"a,b\n1,2\n3\n", 0, VTB_ESYNTAX, "t.csv:3: row has 1 fields, the header has 2"},
        {"a,b\n1,2,3\n", 0, VTB_ESYNTAX, "t.csv:2: row has 3 fields, the header has 2"},
        /* A trailing blank line is a row of one empty field. */
        {"a,b\n1,2\n\n", 0, VTB_ESYNTAX, "t.csv:3: row has 1 fields, the header has 2"},
        {"a,b\n\"x\n\ny,2\n", 0, VTB_ESYNTAX,
         "t.csv:5: unterminated quoted field (opened on line 2)"},
        {"a,b\n\"x\"y,2\n", 0, VTB_ESYNTAX,
         "t.csv:2: text after a closing quote (quote the whole field)"},
        {"a,b\n1,\"x\"\r2\n", 0, VTB_ESYNTAX,
         "t.csv:2: text after a closing quote (quote the whole field)"},
        {"a,b\nx\"y\",2\n", 0, VTB_ESYNTAX, "t.csv:2: quote inside an unquoted field"},
        {"a,b\n1,2\n3,\0\n", 12, VTB_ESYNTAX, "t.csv:3: NUL byte (not a text file)"},
        {"a,b,a\n1,2,3\n", 0, VTB_ESYNTAX, "t.csv:1: duplicate column 'a'"},
        /* The row is reported where it starts, not where the error is seen. */
        {"a,b\n\"1\n2\"\n", 0, VTB_ESYNTAX, "t.csv:2: row has 1 fields, the header has 2"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct vtb_csv_table t;
        struct vtb_error err = {0};
        size_t size = cases[i].size ? cases[i].size : strlen(cases[i].text);
        int rc = vtb_csv_parse(cases[i].text, size, "t.csv", &t, &err);
        if (rc != cases[i].code || strcmp(err.message, cases[i].message) != 0)
            fail_msg("case %zu: got %d '%s', expected %d '%s'", i, rc, err.message,
                     cases[i].code, cases[i].message);
        /* A failed parse leaves an empty table that is safe to free. */
        assert_null(t.header);
        assert_int_equal(t.rows, 0);
        vtb_csv_free(&t);
    }
}

static void test_limits(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    struct vtb_error err = {0};
    /* The size check comes before any byte is read. */
    char byte = 'a';
    assert_int_equal(vtb_csv_parse(&byte, (size_t)VTB_CSV_MAX_BYTES + 1, "big.csv", &t, &err),
                     VTB_ERANGE);
    assert_string_equal(err.message, "big.csv: larger than 268435456 bytes");

    size_t columns = VTB_CSV_MAX_COLUMNS + 1, size = columns * 2;
    char *wide = malloc(size);
    assert_non_null(wide);
    for (size_t i = 0; i < columns; i++) {
        wide[2 * i] = 'c';
        wide[2 * i + 1] = i + 1 < columns ? ',' : '\n';
    }
    assert_int_equal(vtb_csv_parse(wide, size, "wide.csv", &t, &err), VTB_ERANGE);
    assert_string_equal(err.message, "wide.csv:1: more than 4096 columns");
    free(wide);
}

static void test_read_file(void **state)
{
    (void)state;
    char path[] = "/tmp/vtb-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "a,b\r\n\"1,5\",2\r\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);

    struct vtb_csv_table t;
    struct vtb_error err = {0};
    assert_int_equal(vtb_csv_read(path, &t, &err), 0);
    assert_int_equal(t.rows, 1);
    assert_string_equal(vtb_csv_cell(&t, 0, 0), "1,5");
    assert_string_equal(t.source, path); /* messages name the file */
    vtb_csv_free(&t);
    unlink(path);

    assert_int_equal(vtb_csv_read(path, &t, &err), VTB_EIO);
    char expected[128];
    snprintf(expected, sizeof(expected), "%s: cannot open: No such file or directory", path);
    assert_string_equal(err.message, expected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lf),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_lone_cr_is_data),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_embedded_newlines),
        cmocka_unit_test(test_no_final_line_end),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_columns_and_require),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

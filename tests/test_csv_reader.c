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
 *
 * The table keeps the file's bytes decoded in place with an offset per
 * field, so a generated table of every kind of field (quoted with commas,
 * quotes and line breaks, empty, plain; CRLF and LF) is read back cell by
 * cell, and a header of the maximum width is looked up by every name. A
 * byte-order mark at the start is skipped. Plain decimals are converted
 * without strtod, so thousands of them are checked against strtod bit for
 * bit.
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
    assert_string_equal(vtb_csv_header(&t, 0), "a");
    assert_string_equal(vtb_csv_header(&t, 2), "c");
    assert_null(vtb_csv_header(&t, 3));
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
    assert_string_equal(vtb_csv_header(&t, 1), "b");
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

/* A spreadsheet's "CSV UTF-8" starts with a byte-order mark; it must not
 * become part of the first column's name ("scenario" would be missing). */
static void test_byte_order_mark(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("\xEF\xBB\xBFscenario,impl\r\nq,pooled\r\n", &t);
    assert_string_equal(vtb_csv_header(&t, 0), "scenario");
    assert_int_equal(vtb_csv_column(&t, "scenario"), 0);
    assert_string_equal(vtb_csv_cell(&t, 0, 0), "q");
    assert_int_equal(t.row_lines[0], 2);
    vtb_csv_free(&t);

    parse_ok("\xEF\xBB\xBF\"a,b\",c\n1,2\n", &t); /* a quoted first name */
    assert_string_equal(vtb_csv_header(&t, 0), "a,b");
    vtb_csv_free(&t);

    /* Only a mark at the very start is skipped: elsewhere it is data. */
    parse_ok("a\n\xEF\xBB\xBFx\n", &t);
    assert_string_equal(vtb_csv_cell(&t, 0, 0), "\xEF\xBB\xBFx");
    vtb_csv_free(&t);

    struct vtb_error err = {0};
    assert_int_equal(vtb_csv_parse("\xEF\xBB\xBF", 3, "t.csv", &t, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.csv:1: empty file (expected a header row)");
    assert_int_equal(vtb_csv_parse("\xEF\xBB", 2, "t.csv", &t, &err), 0); /* not a mark */
    assert_string_equal(vtb_csv_header(&t, 0), "\xEF\xBB");
    vtb_csv_free(&t);
}

static void test_empty_fields(void **state)
{
    (void)state;
    struct vtb_csv_table t;
    parse_ok("a,,c\n,,\r\n\"\",,\"\"", &t);
    assert_int_equal(t.columns, 3);
    assert_int_equal(t.rows, 2);
    assert_string_equal(vtb_csv_header(&t, 1), ""); /* an empty name is a name */
    assert_int_equal(vtb_csv_column(&t, ""), 1);
    for (size_t c = 0; c < 3; c++) {
        assert_string_equal(vtb_csv_cell(&t, 0, c), "");
        assert_string_equal(vtb_csv_cell(&t, 1, c), "");
    }
    vtb_csv_free(&t);
}

/* The text of field (row, column) of the generated table: every kind of
 * field in turn, so that each sits next to every other kind. */
static void field_text(size_t row, size_t column, char *out, size_t size)
{
    static const char *const kinds[] = {
        "plain%zu",    "",           "with,comma%zu", "say \"%zu\"", "two\nlines%zu",
        "crlf\r\n%zu", "lone\rcr%zu", "\"%zu\"",      ",",           "%zu,\"\",\n",
    };
    size_t kind = (row * 7 + column * 3) % (sizeof(kinds) / sizeof(kinds[0]));
    snprintf(out, size, kinds[kind], row * 100 + column);
}

static void test_compact_storage_keeps_every_field(void **state)
{
    (void)state;
    enum { ROWS = 300, COLUMNS = 7 };
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap), field[64];
    assert_non_null(text);
    size_t lines[ROWS], line = 1;
    for (size_t r = 0; r <= ROWS; r++) {
        if (r > 0)
            lines[r - 1] = line;
        for (size_t c = 0; c < COLUMNS; c++) {
            if (r == 0)
                snprintf(field, sizeof(field), "col%zu", c);
            else
                field_text(r - 1, c, field, sizeof(field));
            bool quote = strpbrk(field, ",\"\r\n") != NULL || (r + c) % 5 == 0;
            if (c > 0)
                text[len++] = ',';
            if (quote)
                text[len++] = '"';
            for (const char *f = field; *f != '\0'; f++) {
                if (*f == '"')
                    text[len++] = '"';
                line += *f == '\n';
                text[len++] = *f;
            }
            if (quote)
                text[len++] = '"';
        }
        if (r % 2) /* alternate the line ends */
            text[len++] = '\r';
        text[len++] = '\n';
        line++;
        assert_true(len + 1024 < cap);
    }
    struct vtb_csv_table t;
    struct vtb_error err = {0};
    assert_int_equal(vtb_csv_parse(text, len, "gen.csv", &t, &err), 0);
    free(text);
    assert_int_equal(t.columns, COLUMNS);
    assert_int_equal(t.rows, ROWS);
    for (size_t c = 0; c < COLUMNS; c++) {
        snprintf(field, sizeof(field), "col%zu", c);
        assert_string_equal(vtb_csv_header(&t, c), field);
        assert_int_equal(vtb_csv_column(&t, field), (long)c);
    }
    for (size_t r = 0; r < ROWS; r++) {
        assert_int_equal(t.row_lines[r], lines[r]);
        for (size_t c = 0; c < COLUMNS; c++) {
            field_text(r, c, field, sizeof(field));
            if (strcmp(vtb_csv_cell(&t, r, c), field) != 0)
                fail_msg("row %zu column %zu: got '%s', expected '%s'", r, c,
                         vtb_csv_cell(&t, r, c), field);
        }
    }
    vtb_csv_free(&t);
    assert_null(vtb_csv_header(&t, 0)); /* a freed table is empty */
    assert_int_equal(vtb_csv_column(&t, "col0"), -1);
}

/* Lookup by name is hashed: every name of the widest header allowed is
 * found at its index, and near misses are not found. */
static void test_wide_header_lookup(void **state)
{
    (void)state;
    size_t cap = VTB_CSV_MAX_COLUMNS * 8, len = 0;
    char *text = malloc(cap), name[16];
    assert_non_null(text);
    for (size_t c = 0; c < VTB_CSV_MAX_COLUMNS; c++)
        len += (size_t)snprintf(text + len, cap - len, "%sc%zu", c > 0 ? "," : "", c);
    struct vtb_csv_table t;
    parse_ok(text, &t);
    free(text);
    assert_int_equal(t.columns, VTB_CSV_MAX_COLUMNS);
    for (size_t c = 0; c < VTB_CSV_MAX_COLUMNS; c++) {
        snprintf(name, sizeof(name), "c%zu", c);
        assert_int_equal(vtb_csv_column(&t, name), (long)c);
    }
    assert_int_equal(vtb_csv_column(&t, "c4096"), -1);
    assert_int_equal(vtb_csv_column(&t, "c"), -1);
    assert_int_equal(vtb_csv_column(&t, ""), -1);
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

/* The reader converts the plain decimals vtbench writes itself, without
 * strtod; the result must be strtod's to the last bit. */
static void test_numbers_match_strtod(void **state)
{
    (void)state;
    static const char *const fixed[] = {
        "0",        "7",          "00012",         "0.1",           "0.3",
        "303.517",  "0.0105433",  "3302937.3",     "1.",            "123456789012345",
        "1234567890123456",       "0.000000000000001", "999999999999999.",
        "9007199254740993",       "1e3",           "-1.5",          ".5",
    };
    size_t n = ARRAY_SIZE(fixed), extra = 2000;
    size_t cap = (n + extra) * 32 + 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "x\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s\n", fixed[i]);
    /* Pseudo-random decimals of 1 to 17 digits with 0 to 16 after the point. */
    uint64_t state_bits = 88172645463325252u;
    for (size_t i = 0; i < extra; i++) {
        state_bits ^= state_bits << 13;
        state_bits ^= state_bits >> 7;
        state_bits ^= state_bits << 17;
        size_t digits = 1 + state_bits % 17, point = (state_bits >> 8) % (digits + 1);
        char number[32];
        size_t k = 0;
        uint64_t d = state_bits >> 16;
        for (size_t j = 0; j < digits; j++, d /= 10) {
            if (j == point && j > 0)
                number[k++] = '.';
            number[k++] = (char)('0' + d % 10);
        }
        number[k] = '\0';
        len += (size_t)snprintf(text + len, cap - len, "%s\n", number);
    }
    struct vtb_csv_table t;
    parse_ok(text, &t);
    free(text);
    assert_int_equal(t.rows, n + extra);
    for (size_t r = 0; r < t.rows; r++) {
        const char *cell = vtb_csv_cell(&t, r, 0);
        double got = 0, expected = strtod(cell, NULL);
        struct vtb_error err = {0};
        assert_int_equal(vtb_csv_real(&t, r, 0, &got, &err), 0);
        if (memcmp(&got, &expected, sizeof(got)) != 0)
            fail_msg("'%s': got %.17g, strtod %.17g", cell, got, expected);
    }
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
        {"\xEF\xBB\xBF" "a,b,a\n", 0, VTB_ESYNTAX, "t.csv:1: duplicate column 'a'"},
        /* A later error in the rows is reported before a duplicate name. */
        {"a,a\n1\n", 0, VTB_ESYNTAX, "t.csv:2: row has 1 fields, the header has 2"},
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
        assert_null(vtb_csv_header(&t, 0));
        assert_int_equal(t.columns, 0);
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
        cmocka_unit_test(test_byte_order_mark),
        cmocka_unit_test(test_empty_fields),
        cmocka_unit_test(test_compact_storage_keeps_every_field),
        cmocka_unit_test(test_wide_header_lookup),
        cmocka_unit_test(test_columns_and_require),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_numbers_match_strtod),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

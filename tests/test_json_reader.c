/*
 * Tests of the JSON reader (harness/io/json_reader.c) that `vtbench report`
 * reads context.json with, and that any other reader of a run will use.
 *
 * Good documents cover every kind of value at the top and nested, the
 * escapes (surrogate pairs included) and raw UTF-8, numbers at the edges of
 * the grammar, and what the tree answers: lookups by key and by dotted path,
 * iteration, the typed getters and their messages. Bad documents are one
 * table of input, error code and exact message (a member name given twice
 * among them, which a large object's sort still finds), because "NAME:LINE:COL:
 * what is wrong" is what a user reads when a gate refuses a file; the
 * nesting limit and the file entry point are checked on their own.
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

#include "json_reader.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct vtb_json_value *parse_ok(const char *text, struct vtb_json_doc *doc)
{
    struct vtb_error err = {0};
    int rc = vtb_json_parse(text, strlen(text), "t.json", doc, &err);

    if (rc != 0)
        print_error("unexpected error: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_non_null(doc->root);
    return doc->root;
}

/* Every kind of value, as the whole document. */
static void test_scalars(void **state)
{
    struct vtb_json_doc doc;
    const struct vtb_json_value *v;
    double x = 0;
    bool b = false;
    const char *s = NULL;

    (void)state;
    v = parse_ok("null", &doc);
    assert_int_equal(vtb_json_type(v), VTB_JSON_NULL);
    assert_null(vtb_json_text(v));
    vtb_json_doc_fini(&doc);

    v = parse_ok(" true ", &doc);
    assert_int_equal(vtb_json_type(v), VTB_JSON_BOOL);
    assert_int_equal(vtb_json_get_bool(v, NULL, &b, NULL), 0);
    assert_true(b);
    assert_string_equal(vtb_json_text(v), "true");
    vtb_json_doc_fini(&doc);

    v = parse_ok("false", &doc);
    assert_int_equal(vtb_json_get_bool(v, "", &b, NULL), 0);
    assert_false(b);
    vtb_json_doc_fini(&doc);

    v = parse_ok("\t\r\n-12.5e1\n", &doc);
    assert_int_equal(vtb_json_type(v), VTB_JSON_NUMBER);
    assert_int_equal(vtb_json_get_number(v, NULL, &x, NULL), 0);
    assert_true(x == -125.0);
    assert_string_equal(vtb_json_text(v), "-12.5e1");
    assert_int_equal(vtb_json_text_length(v), 7);
    vtb_json_doc_fini(&doc);

    v = parse_ok("\"hi\"", &doc);
    assert_int_equal(vtb_json_type(v), VTB_JSON_STRING);
    assert_int_equal(vtb_json_get_string(v, NULL, &s, NULL), 0);
    assert_string_equal(s, "hi");
    assert_int_equal(vtb_json_count(v), 0);
    vtb_json_doc_fini(&doc);

    v = parse_ok("\"\"", &doc);
    assert_string_equal(vtb_json_text(v), "");
    assert_int_equal(vtb_json_text_length(v), 0);
    vtb_json_doc_fini(&doc);
}

/* Containers: empty, nested, iterated in document order. */
static void test_containers(void **state)
{
    struct vtb_json_doc doc;
    const struct vtb_json_value *v, *a;

    (void)state;
    v = parse_ok("{}", &doc);
    assert_int_equal(vtb_json_type(v), VTB_JSON_OBJECT);
    assert_int_equal(vtb_json_count(v), 0);
    assert_null(vtb_json_at(v, 0));
    assert_null(vtb_json_key_at(v, 0));
    vtb_json_doc_fini(&doc);

    v = parse_ok("[ ]", &doc);
    assert_int_equal(vtb_json_type(v), VTB_JSON_ARRAY);
    assert_int_equal(vtb_json_count(v), 0);
    vtb_json_doc_fini(&doc);

    v = parse_ok("{\"a\": [1, \"two\", true, null, {\"b\": []}, [[]]], \"c\": {}}", &doc);
    assert_int_equal(vtb_json_count(v), 2);
    assert_string_equal(vtb_json_key_at(v, 0), "a");
    assert_string_equal(vtb_json_key_at(v, 1), "c");
    assert_null(vtb_json_key_at(v, 2));
    a = vtb_json_at(v, 0);
    assert_ptr_equal(a, vtb_json_member(v, "a"));
    assert_int_equal(vtb_json_count(a), 6);
    assert_int_equal(vtb_json_type(vtb_json_at(a, 0)), VTB_JSON_NUMBER);
    assert_string_equal(vtb_json_text(vtb_json_at(a, 1)), "two");
    assert_int_equal(vtb_json_type(vtb_json_at(a, 2)), VTB_JSON_BOOL);
    assert_int_equal(vtb_json_type(vtb_json_at(a, 3)), VTB_JSON_NULL);
    assert_int_equal(vtb_json_type(vtb_json_at(a, 4)), VTB_JSON_OBJECT);
    assert_int_equal(vtb_json_count(vtb_json_at(vtb_json_at(a, 5), 0)), 0);
    assert_null(vtb_json_at(a, 6));
    assert_null(vtb_json_key_at(a, 0)); /* an array has no names */
    assert_int_equal(vtb_json_type(vtb_json_at(v, 1)), VTB_JSON_OBJECT);
    /* Containers and null have no text. */
    assert_null(vtb_json_text(v));
    assert_null(vtb_json_text(a));
    assert_null(vtb_json_text(vtb_json_at(a, 3)));
    assert_int_equal(vtb_json_text_length(a), 0);
    vtb_json_doc_fini(&doc);
    vtb_json_doc_fini(&doc); /* harmless twice */

    /* Enough children to grow the stack and fill more than one block. */
    {
        size_t n = 20000, len = 0;
        char *big = malloc(n * 8 + 16);
        assert_non_null(big);
        big[len++] = '[';
        for (size_t k = 0; k < n; k++)
            len += (size_t)sprintf(big + len, "%s[%zu]", k > 0 ? "," : "", k);
        big[len++] = ']';
        big[len] = '\0';
        v = parse_ok(big, &doc);
        assert_int_equal(vtb_json_count(v), n);
        assert_string_equal(vtb_json_text(vtb_json_find(v, "19999.0")), "19999");
        vtb_json_doc_fini(&doc);
        free(big);
    }
}

/* Numbers: the edges of the RFC grammar, and the text kept as written. */
static void test_numbers(void **state)
{
    static const struct {
        const char *text;
        double value;
    } good[] = {
        {"0", 0},         {"-0", 0},         {"7", 7},           {"-12", -12},
        {"1.5", 1.5},     {"-0.25", -0.25},  {"1e3", 1000},      {"1E+3", 1000},
        {"2.5e-3", 0.0025}, {"10.0E0", 10},  {"0e0", 0},         {"1e-400", 0},
        {"123456789012345678901234567890", 1.2345678901234568e29},
    };
    struct vtb_json_doc doc;
    (void)state;

    for (size_t k = 0; k < ARRAY_SIZE(good); k++) {
        const struct vtb_json_value *v = parse_ok(good[k].text, &doc);
        double x = NAN;

        assert_int_equal(vtb_json_get_number(v, NULL, &x, NULL), 0);
        if (fabs(x - good[k].value) > 1e-12 * fabs(good[k].value))
            fail_msg("%s read as %.17g", good[k].text, x);
        assert_string_equal(vtb_json_text(v), good[k].text);
        vtb_json_doc_fini(&doc);
    }
    /* Beyond 2^53 the double rounds, the text does not. */
    {
        const struct vtb_json_value *v = parse_ok("{\"n\": 18446744073709551615}", &doc);
        assert_string_equal(vtb_json_text(vtb_json_member(v, "n")), "18446744073709551615");
        vtb_json_doc_fini(&doc);
    }
}

/* Escapes, surrogate pairs and raw UTF-8, decoded to UTF-8. */
static void test_strings(void **state)
{
    static const struct {
        const char *json, *text;
    } cases[] = {
        {"\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\" \\ / \b \f \n \r \t"},
        {"\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac"},
        {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"},   /* U+1F600 */
        {"\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80"},   /* U+10000, the first pair */
        {"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf"},   /* U+10FFFF, the last */
        {"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", /* raw UTF-8 of 2, 3, 4 bytes */
         "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"\"\\uFFFF\x7f\"", "\xef\xbf\xbf\x7f"},
    };
    struct vtb_json_doc doc;
    const struct vtb_json_value *v;
    (void)state;

    for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
        v = parse_ok(cases[k].json, &doc);
        assert_string_equal(vtb_json_text(v), cases[k].text);
        assert_int_equal(vtb_json_text_length(v), strlen(cases[k].text));
        vtb_json_doc_fini(&doc);
    }
    /* \u0000 is a NUL byte inside the string, counted by the length. */
    v = parse_ok("\"a\\u0000b\"", &doc);
    assert_int_equal(vtb_json_text_length(v), 3);
    assert_memory_equal(vtb_json_text(v), "a\0b", 4);
    vtb_json_doc_fini(&doc);
    /* Escaped member names are decoded before lookup. */
    v = parse_ok("{\"\\u0063pu\": 1, \"a\\u0000b\": 2}", &doc);
    assert_non_null(vtb_json_member(v, "cpu"));
    assert_null(vtb_json_member(v, "a")); /* the name is "a\0b", not "a" */
    vtb_json_doc_fini(&doc);
}

static const char context[] =
    "{\n"
    "  \"complete\": true,\n"
    "  \"cells_done\": 6,\n"
    "  \"scenario_file\": null,\n"
    "  \"object_sizes\": {\"task\": {\"bytes\": 72, \"usable_bytes\": 80}},\n"
    "  \"cells\": [{\"threads\": 1}, {\"threads\": 2, \"load\": \"closed\"}],\n"
    "  \"context\": {\"cpu_model\": \"Xeon\", \"num_cpus\": 2},\n"
    "  \"a.b\": \"dotted\",\n"
    "  \"dup\": {\"dup\": 1}, \"Dup\": 2, \"dup2\": 3\n"
    "}\n";

/* Lookups by key and by dotted path, through objects and arrays. */
static void test_lookups(void **state)
{
    struct vtb_json_doc doc;
    const struct vtb_json_value *root = parse_ok(context, &doc), *cells;
    (void)state;

    assert_string_equal(vtb_json_text(vtb_json_find(root, "context.cpu_model")), "Xeon");
    assert_string_equal(vtb_json_text(vtb_json_find(root, "object_sizes.task.bytes")), "72");
    assert_string_equal(vtb_json_text(vtb_json_find(root, "cells.1.load")), "closed");
    assert_string_equal(vtb_json_text(vtb_json_find(root, "cells_done")), "6");
    assert_ptr_equal(vtb_json_find(root, NULL), root);
    assert_ptr_equal(vtb_json_find(root, ""), root);
    /* Missing steps: a name, an index out of range, a name at an array, an
     * index at an object or a scalar, an empty step, a non-decimal index. */
    assert_null(vtb_json_find(root, "context.gpu"));
    assert_null(vtb_json_find(root, "cells.2"));
    assert_null(vtb_json_find(root, "cells.threads"));
    assert_null(vtb_json_find(root, "context.0"));
    assert_null(vtb_json_find(root, "cells_done.0"));
    assert_null(vtb_json_find(root, "context..cpu_model"));
    assert_null(vtb_json_find(root, "context."));
    assert_null(vtb_json_find(root, ".context"));
    assert_null(vtb_json_find(root, "cells.-1"));
    assert_null(vtb_json_find(root, "cells.1x"));
    assert_null(vtb_json_find(root, "cells.99999999999999999999999"));
    assert_null(vtb_json_find(NULL, "context"));
    /* A name with a dot is one key, reached with vtb_json_member. */
    assert_null(vtb_json_find(root, "a.b"));
    assert_string_equal(vtb_json_text(vtb_json_member(root, "a.b")), "dotted");
    assert_null(vtb_json_member(root, NULL));
    assert_null(vtb_json_member(vtb_json_member(root, "cells"), "0"));
    /* Names are exact: the same name in another object, in another case
     * or as a prefix of another is no repetition. */
    assert_string_equal(vtb_json_text(vtb_json_find(root, "dup.dup")), "1");
    assert_string_equal(vtb_json_text(vtb_json_member(root, "Dup")), "2");
    assert_string_equal(vtb_json_text(vtb_json_member(root, "dup2")), "3");
    /* Iterating an array of objects. */
    cells = vtb_json_member(root, "cells");
    for (size_t k = 0; k < vtb_json_count(cells); k++) {
        double threads = 0;
        assert_int_equal(vtb_json_get_number(vtb_json_at(cells, k), "threads", &threads, NULL),
                         0);
        assert_true(threads == (double)(k + 1));
    }
    vtb_json_doc_fini(&doc);
}

/* The typed getters: values, defaults kept on failure, and the messages. */
static void test_getters(void **state)
{
    struct vtb_json_doc doc;
    const struct vtb_json_value *root = parse_ok(context, &doc);
    struct vtb_error err = {0};
    const char *s = "default";
    double x = 42;
    bool b = false;
    (void)state;

    assert_int_equal(vtb_json_get_bool(root, "complete", &b, &err), 0);
    assert_true(b);
    assert_int_equal(vtb_json_get_number(root, "object_sizes.task.usable_bytes", &x, &err), 0);
    assert_true(x == 80);
    assert_int_equal(vtb_json_get_string(root, "context.cpu_model", &s, &err), 0);
    assert_string_equal(s, "Xeon");
    /* null reads as NaN, as json_writer writes a NaN. */
    assert_int_equal(vtb_json_get_number(root, "scenario_file", &x, &err), 0);
    assert_true(isnan(x));

    s = "default";
    x = 42;
    assert_int_equal(vtb_json_get_string(root, "scenario_file", &s, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.json:4:20: scenario_file: expected a string, got null");
    assert_string_equal(s, "default");
    assert_int_equal(vtb_json_get_number(root, "context.cpu_model", &x, &err), VTB_ESYNTAX);
    assert_string_equal(err.message,
                        "t.json:7:28: context.cpu_model: expected a number, got a string");
    assert_true(x == 42);
    assert_int_equal(vtb_json_get_bool(root, "cells_done", &b, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.json:3:17: cells_done: expected true or false, got a "
                                     "number");
    assert_int_equal(vtb_json_get_bool(root, "cells", &b, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.json:6:12: cells: expected true or false, got an array");
    assert_int_equal(vtb_json_get_number(root, "object_sizes", &x, &err), VTB_ESYNTAX);
    assert_string_equal(err.message,
                        "t.json:5:19: object_sizes: expected a number, got an object");
    assert_int_equal(vtb_json_get_bool(root, "nope.deeper", &b, &err), VTB_ENOTFOUND);
    assert_string_equal(err.message, "t.json:1:1: nope.deeper: missing");
    assert_int_equal(vtb_json_get_number(vtb_json_find(root, "cells.1"), "threads", &x, &err), 0);
    assert_int_equal(vtb_json_get_number(vtb_json_find(root, "cells.1"), "load", &x, &err),
                     VTB_ESYNTAX);
    assert_string_equal(err.message, "t.json:6:52: load: expected a number, got a string");
    assert_int_equal(vtb_json_get_number(vtb_json_find(root, "cells.1.load"), NULL, &x, &err),
                     VTB_ESYNTAX);
    assert_string_equal(err.message, "t.json:6:52: expected a number, got a string");
    /* No document (a missing file's root) is missing everywhere. */
    assert_int_equal(vtb_json_get_bool(NULL, "complete", &b, &err), VTB_ENOTFOUND);
    assert_string_equal(err.message, "complete: missing (no document)");
    assert_int_equal(vtb_json_get_bool(root, "complete", &b, NULL), 0); /* err is optional */
    vtb_json_doc_fini(&doc);
}

/* Every way a text is refused, with its exact message. */
static const struct {
    const char *text;
    int code;
    const char *message;
} bad_texts[] = {
    {"", VTB_ESYNTAX, "t.json:1:1: unexpected end of the text, expected a value"},
    {"  \n ", VTB_ESYNTAX, "t.json:2:2: unexpected end of the text, expected a value"},
    {"{} x", VTB_ESYNTAX, "t.json:1:4: unexpected 'x' after the document"},
    {"1 2", VTB_ESYNTAX, "t.json:1:3: unexpected '2' after the document"},
    {"{}}", VTB_ESYNTAX, "t.json:1:3: unexpected '}' after the document"},
    {"\"abc", VTB_ESYNTAX, "t.json:1:1: unterminated string"},
    {"{\"a\":\n  \"b\\", VTB_ESYNTAX, "t.json:2:3: unterminated string"},
    {"\"a\nb\"", VTB_ESYNTAX,
     "t.json:1:3: control character 0x0a in a string (it must be escaped)"},
    {"\"\x1f\"", VTB_ESYNTAX,
     "t.json:1:2: control character 0x1f in a string (it must be escaped)"},
    {"\"a\\qb\"", VTB_ESYNTAX, "t.json:1:3: bad escape in a string: '\\' followed by 'q'"},
    {"\"\\x41\"", VTB_ESYNTAX, "t.json:1:2: bad escape in a string: '\\' followed by 'x'"},
    {"\"\\u12\"", VTB_ESYNTAX, "t.json:1:2: bad \\u escape: expected 4 hex digits"},
    {"\"\\u12G4\"", VTB_ESYNTAX, "t.json:1:2: bad \\u escape: expected 4 hex digits"},
    {"\"\\ud83d\"", VTB_ESYNTAX, "t.json:1:2: unpaired surrogate \\uD83D"},
    {"\"\\ud83dx\"", VTB_ESYNTAX, "t.json:1:2: unpaired surrogate \\uD83D"},
    {"\"\\ud83d\\u0041\"", VTB_ESYNTAX, "t.json:1:2: unpaired surrogate \\uD83D"},
    {"\"\\ud83d\\uzzzz\"", VTB_ESYNTAX, "t.json:1:8: bad \\u escape: expected 4 hex digits"},
    {"\"\\ude00\"", VTB_ESYNTAX, "t.json:1:2: unpaired surrogate \\uDE00"},
    {"\"\xc3\"", VTB_ESYNTAX, "t.json:1:2: invalid UTF-8 in a string"},
    /* An overlong form, a surrogate, beyond U+10FFFF. */
    {"\"\xc0\xaf\"", VTB_ESYNTAX, "t.json:1:2: invalid UTF-8 in a string"},
    {"\"\xed\xa0\x80\"", VTB_ESYNTAX, "t.json:1:2: invalid UTF-8 in a string"},
    {"\"\xf4\x90\x80\x80\"", VTB_ESYNTAX, "t.json:1:2: invalid UTF-8 in a string"},
    {"\"\xff\"", VTB_ESYNTAX, "t.json:1:2: invalid UTF-8 in a string"},
    {"01", VTB_ESYNTAX, "t.json:1:1: bad number: leading zero"},
    {"-01", VTB_ESYNTAX, "t.json:1:1: bad number: leading zero"},
    {"+1", VTB_ESYNTAX, "t.json:1:1: bad number: a leading '+' is not allowed"},
    {".5", VTB_ESYNTAX, "t.json:1:1: bad number: expected a digit before '.'"},
    {"-", VTB_ESYNTAX, "t.json:1:2: bad number: expected a digit after '-'"},
    {"-x", VTB_ESYNTAX, "t.json:1:2: bad number: expected a digit after '-'"},
    {"1.", VTB_ESYNTAX, "t.json:1:3: bad number: expected a digit after '.'"},
    {"1.e5", VTB_ESYNTAX, "t.json:1:3: bad number: expected a digit after '.'"},
    {"1e", VTB_ESYNTAX, "t.json:1:3: bad number: expected a digit in the exponent"},
    {"1e+", VTB_ESYNTAX, "t.json:1:4: bad number: expected a digit in the exponent"},
    {"1e400", VTB_ESYNTAX, "t.json:1:1: bad number: beyond the range of a double"},
    {"-1e400", VTB_ESYNTAX, "t.json:1:1: bad number: beyond the range of a double"},
    {"0x10", VTB_ESYNTAX, "t.json:1:2: unexpected 'x' after the document"},
    {"NaN", VTB_ESYNTAX, "t.json:1:1: unexpected 'N', expected a value"},
    {"Infinity", VTB_ESYNTAX, "t.json:1:1: unexpected 'I', expected a value"},
    {"-Infinity", VTB_ESYNTAX, "t.json:1:2: bad number: expected a digit after '-'"},
    {"[nan]", VTB_ESYNTAX, "t.json:1:2: bad literal: expected null"},
    {"tru", VTB_ESYNTAX, "t.json:1:1: bad literal: expected true"},
    {"True", VTB_ESYNTAX, "t.json:1:1: unexpected 'T', expected a value"},
    {"[fals]", VTB_ESYNTAX, "t.json:1:2: bad literal: expected false"},
    {"'a'", VTB_ESYNTAX, "t.json:1:1: unexpected ''', expected a value"},
    {"[1,]", VTB_ESYNTAX, "t.json:1:4: trailing comma before ']'"},
    {"{\"a\":1,\n}", VTB_ESYNTAX, "t.json:2:1: trailing comma before '}'"},
    {"[1 2]", VTB_ESYNTAX,
     "t.json:1:4: unexpected '2', expected ',' or ']' after an array element"},
    {"[1", VTB_ESYNTAX,
     "t.json:1:3: unexpected end of the text, expected ',' or ']' after an array element"},
    {"[,1]", VTB_ESYNTAX, "t.json:1:2: unexpected ',', expected a value"},
    {"{\"a\":1 \"b\":2}", VTB_ESYNTAX,
     "t.json:1:8: unexpected '\"', expected ',' or '}' after an object member"},
    {"{\"a\" 1}", VTB_ESYNTAX,
     "t.json:1:6: unexpected '1', expected ':' after the member name"},
    {"{a:1}", VTB_ESYNTAX, "t.json:1:2: unexpected 'a', expected a member name (a string)"},
    /* A name given twice: RFC 8259 leaves its meaning to the reader, so a
     * context.json saying "complete" both ways is refused, not read as
     * either. The message points at the second's value and the first's. */
    {"{\"complete\": true, \"complete\": false}", VTB_ESYNTAX,
     "t.json:1:32: duplicate member name \"complete\" (first at line 1, column 14)"},
    {"{\"a\": 1,\n \"b\": 2,\n \"a\": 3,\n \"a\": 4}", VTB_ESYNTAX,
     "t.json:3:7: duplicate member name \"a\" (first at line 1, column 7)"},
    {"[{\"x\": 1}, {\"y\": {\"z\": 1, \"z\": 1}}]", VTB_ESYNTAX,
     "t.json:1:32: duplicate member name \"z\" (first at line 1, column 24)"},
    {"{\"\": 1, \"\": 2}", VTB_ESYNTAX,
     "t.json:1:13: duplicate member name \"\" (first at line 1, column 6)"},
    {"{\"\\u0063omplete\": true, \"complete\": true}", VTB_ESYNTAX,
     "t.json:1:37: duplicate member name \"complete\" (first at line 1, column 19)"},
    {"{1:1}", VTB_ESYNTAX, "t.json:1:2: unexpected '1', expected a member name (a string)"},
    {"{\"a\":}", VTB_ESYNTAX, "t.json:1:6: unexpected '}', expected a value"},
    {"{\"a\"", VTB_ESYNTAX,
     "t.json:1:5: unexpected end of the text, expected ':' after the member name"},
    {"\xef\xbb\xbf\xef\xbb\xbf{}", VTB_ESYNTAX, "t.json:1:1: unexpected byte 0xef, expected a value"}, /* one BOM is skipped, a second is not */
    {"[1]\x01", VTB_ESYNTAX, "t.json:1:4: unexpected byte 0x01 after the document"},
    {"{\"a\":\n\n  [1,\n   @]}", VTB_ESYNTAX, "t.json:4:4: unexpected '@', expected a value"},
    {"/* no */ 1", VTB_ESYNTAX, "t.json:1:1: unexpected '/', expected a value"},
};

/* A UTF-8 byte-order mark before the document is ignored (RFC 8259). */
static void test_bom(void **state)
{
    struct vtb_json_doc doc;
    struct vtb_error err = {0};
    bool complete = false;
    (void)state;
    static const char text[] = "\xef\xbb\xbf{\"complete\": true}";
    assert_int_equal(vtb_json_parse(text, sizeof(text) - 1, "t.json", &doc, &err), 0);
    assert_int_equal(vtb_json_get_bool(doc.root, "complete", &complete, &err), 0);
    assert_true(complete);
    vtb_json_doc_fini(&doc);
}

static void test_errors(void **state)
{
    (void)state;

    for (size_t k = 0; k < ARRAY_SIZE(bad_texts); k++) {
        const char *text = bad_texts[k].text;
        struct vtb_json_doc doc;
        struct vtb_error err = {0};
        int rc = vtb_json_parse(text, strlen(text), "t.json", &doc, &err);

        if (rc != bad_texts[k].code || strcmp(err.message, bad_texts[k].message) != 0)
            fail_msg("input %zu (%s): got %d \"%s\", want %d \"%s\"", k, text, rc, err.message,
                     bad_texts[k].code, bad_texts[k].message);
        assert_null(doc.root);
        vtb_json_doc_fini(&doc);
    }
}

/* An object of members m0, m1, ... and, unless NULL, one named last at
 * the end, as text (caller frees). */
static char *many_members(int members, const char *last)
{
    size_t size = (size_t)members * 24 + 64, n = 0;
    char *text = malloc(size);

    assert_non_null(text);
    n += (size_t)snprintf(text + n, size - n, "{");
    for (int k = 0; k < members; k++)
        n += (size_t)snprintf(text + n, size - n, "%s\"m%d\":%d", k > 0 ? "," : "", k, k);
    if (last != NULL)
        n += (size_t)snprintf(text + n, size - n, ",\"%s\":0", last);
    snprintf(text + n, size - n, "}");
    return text;
}

/* A large object's names are checked for repeats by sorting, not pairwise:
 * 200,000 members parse at once, and a repeat among them is found. */
static void test_many_members(void **state)
{
    struct vtb_json_doc doc;
    struct vtb_error err = {0};
    char *text = many_members(200000, "m200000");
    (void)state;

    assert_int_equal(vtb_json_parse(text, strlen(text), "t.json", &doc, &err), 0);
    assert_int_equal(vtb_json_count(doc.root), 200001);
    assert_string_equal(vtb_json_text(vtb_json_member(doc.root, "m199999")), "199999");
    vtb_json_doc_fini(&doc);
    free(text);

    text = many_members(200000, "m999");
    assert_int_equal(vtb_json_parse(text, strlen(text), "t.json", &doc, &err), VTB_ESYNTAX);
    assert_non_null(strstr(err.message, "duplicate member name \"m999\" (first at line 1, "
                                        "column "));
    assert_null(doc.root);
    vtb_json_doc_fini(&doc);
    free(text);
}

/* A NUL byte anywhere is refused (the text is counted, not terminated). */
static void test_nul_bytes(void **state)
{
    static const struct {
        const char *text;
        size_t size;
        const char *message;
    } bad[] = {
        {"[1,\0]", 5, "t.json:1:4: unexpected NUL byte, expected a value"},
        {"\"a\0b\"", 5, "t.json:1:3: NUL byte in a string"},
        {"{}\0", 3, "t.json:1:3: unexpected NUL byte after the document"},
        {"\0", 1, "t.json:1:1: unexpected NUL byte, expected a value"},
    };
    struct vtb_json_doc doc;
    struct vtb_error err = {0};
    (void)state;

    for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
        assert_int_equal(vtb_json_parse(bad[k].text, bad[k].size, "t.json", &doc, &err),
                         VTB_ESYNTAX);
        assert_string_equal(err.message, bad[k].message);
    }
    /* The size given is what is read: a NUL after it is not part of the text. */
    assert_int_equal(vtb_json_parse("[1]\0garbage", 3, "t.json", &doc, &err), 0);
    vtb_json_doc_fini(&doc);
    assert_int_equal(vtb_json_parse(NULL, 0, "t.json", &doc, &err), VTB_EINVAL);
    assert_int_equal(vtb_json_parse("1", 1, NULL, &doc, &err), VTB_EINVAL);
    assert_int_equal(vtb_json_parse("1", 1, "t.json", NULL, &err), VTB_EINVAL);
}

/* Nesting: exactly VTB_JSON_READ_MAX_DEPTH containers are read, one more is
 * refused where it opens. */
static void test_depth_limit(void **state)
{
    char text[4 * VTB_JSON_READ_MAX_DEPTH + 16];
    struct vtb_json_doc doc;
    struct vtb_error err = {0};
    const struct vtb_json_value *v;
    size_t len = 0;
    int depth = 0;
    (void)state;

    for (int k = 0; k < VTB_JSON_READ_MAX_DEPTH; k++)
        len += (size_t)sprintf(text + len, k % 2 == 0 ? "[" : "{\"a\":");
    len += (size_t)sprintf(text + len, "7");
    for (int k = VTB_JSON_READ_MAX_DEPTH - 1; k >= 0; k--)
        text[len++] = k % 2 == 0 ? ']' : '}';
    text[len] = '\0';
    v = parse_ok(text, &doc);
    while (vtb_json_type(v) != VTB_JSON_NUMBER) {
        v = vtb_json_at(v, 0);
        depth++;
    }
    assert_int_equal(depth, VTB_JSON_READ_MAX_DEPTH);
    vtb_json_doc_fini(&doc);

    len = 0;
    for (int k = 0; k <= VTB_JSON_READ_MAX_DEPTH; k++)
        text[len++] = '[';
    text[len] = '\0';
    assert_int_equal(vtb_json_parse(text, len, "t.json", &doc, &err), VTB_ESYNTAX);
    assert_string_equal(err.message, "t.json:1:65: nested deeper than 64 levels");
    /* Deep input never reaches the stack: refused at level 65 however deep. */
    {
        char *deep = malloc(1000001);
        assert_non_null(deep);
        memset(deep, '[', 1000000);
        deep[1000000] = '\0';
        assert_int_equal(vtb_json_parse(deep, 1000000, "t.json", &doc, &err), VTB_ESYNTAX);
        assert_string_equal(err.message, "t.json:1:65: nested deeper than 64 levels");
        free(deep);
    }
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

/* The file entry point: a good file, a bad one named in the message, a
 * missing one, and one beyond the size bound. */
static void test_read_file(void **state)
{
    char dir[] = "/tmp/vtb_test_json_XXXXXX", path[128];
    struct vtb_json_doc doc;
    struct vtb_error err = {0};
    bool complete = false;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/context.json", dir);
    write_file(path, context);
    assert_int_equal(vtb_json_read(path, NULL, VTB_JSON_READ_MAX_BYTES, &doc, &err), 0);
    assert_int_equal(vtb_json_get_bool(doc.root, "complete", &complete, &err), 0);
    assert_true(complete);
    vtb_json_doc_fini(&doc);

    assert_int_equal(vtb_json_read(path, NULL, 16, &doc, &err), VTB_ERANGE);
    assert_null(doc.root);

    write_file(path, "{\n  \"complete\": tru\n}\n");
    assert_int_equal(vtb_json_read(path, NULL, VTB_JSON_READ_MAX_BYTES, &doc, &err),
                     VTB_ESYNTAX);
    assert_non_null(strstr(err.message, "/context.json:2:15: bad literal: expected true"));
    assert_int_equal(strncmp(err.message, dir, strlen(dir)), 0);
    assert_null(doc.root);
    /* A name for the messages, as a report names its run's own file. */
    assert_int_equal(vtb_json_read(path, "context.json", VTB_JSON_READ_MAX_BYTES, &doc, &err),
                     VTB_ESYNTAX);
    assert_string_equal(err.message, "context.json:2:15: bad literal: expected true");

    unlink(path);
    assert_int_equal(vtb_json_read(path, NULL, VTB_JSON_READ_MAX_BYTES, &doc, &err),
                     VTB_ENOTFOUND);
    assert_non_null(strstr(err.message, "/context.json: no such file"));
    assert_int_equal(vtb_json_read(NULL, NULL, 1, &doc, &err), VTB_EINVAL);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),      cmocka_unit_test(test_containers),
        cmocka_unit_test(test_numbers),      cmocka_unit_test(test_strings),
        cmocka_unit_test(test_lookups),      cmocka_unit_test(test_getters),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_errors),       cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_depth_limit),  cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_many_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

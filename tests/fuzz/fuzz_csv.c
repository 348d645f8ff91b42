/*
 * libFuzzer target for the RFC 4180 reader behind `vtbench compare`: parses
 * arbitrary bytes with vtb_csv_parse and, when they parse, does what a
 * reader of results.csv does: finds every column by name, requires the
 * header's own names, and reads every cell as a number.
 *
 * Besides the sanitizers' checks, it enforces the contract of csv_reader.h
 * with abort(): an error carries its code and a message naming the file; a
 * table has a non-empty header of unique names, rows of that width, and
 * cells outside it read as ""; a number read is strtod's to the last bit
 * (the reader converts plain decimals itself).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_reader.h"

#define FUZZ_FILE "fuzz.csv"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_table(const struct vtb_csv_table *t)
{
    if (t->columns < 1 || t->columns > VTB_CSV_MAX_COLUMNS || vtb_csv_header(t, 0) == NULL ||
        vtb_csv_header(t, t->columns) != NULL)
        abort();
    if (t->source == NULL || strcmp(t->source, FUZZ_FILE) != 0)
        abort();
    for (size_t c = 0; c < t->columns; c++)
        if (vtb_csv_column(t, vtb_csv_header(t, c)) != (long)c) /* names are unique */
            abort();
    /* Every header name is required: must pass. */
    const char **required = malloc((t->columns + 1) * sizeof(*required));
    if (required != NULL) {
        for (size_t c = 0; c < t->columns; c++)
            required[c] = vtb_csv_header(t, c);
        required[t->columns] = NULL;
        if (vtb_csv_require(t, required, NULL) != 0)
            abort();
        free(required);
    }
    size_t prev_line = 1;
    for (size_t r = 0; r < t->rows; r++) {
        if (t->row_lines[r] <= prev_line)
            abort(); /* data rows start after the header, in increasing order */
        prev_line = t->row_lines[r];
        for (size_t c = 0; c < t->columns; c++) {
            double value = 0;
            struct vtb_error err;
            vtb_error_clear(&err);
            int rc = vtb_csv_real(t, r, c, &value, &err);
            const char *text = vtb_csv_cell(t, r, c);
            if (rc == 0) {
                if (text[0] == '\0' && !isnan(value))
                    abort(); /* an empty cell is NaN */
                /* Plain decimals skip strtod; the value must be its. */
                double expected = text[0] == '\0' ? NAN : strtod(text, NULL);
                if (isnan(expected) ? !isnan(value)
                                    : memcmp(&value, &expected, sizeof(value)) != 0)
                    abort();
            } else if (rc != VTB_ESYNTAX || strncmp(err.message, FUZZ_FILE ":", 9) != 0) {
                abort();
            }
        }
    }
    if (vtb_csv_cell(t, t->rows, 0)[0] != '\0' || vtb_csv_cell(t, 0, t->columns)[0] != '\0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vtb_csv_table table;
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_csv_parse((const char *)data, size, FUZZ_FILE, &table, &err);
    if (rc == 0) {
        check_table(&table);
        vtb_csv_free(&table);
    } else if (err.code != rc || err.message[0] == '\0' ||
               (rc != VTB_ENOMEM && strncmp(err.message, FUZZ_FILE, 8) != 0)) {
        abort();
    }
    return 0;
}

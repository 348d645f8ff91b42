/*
 * The rows of the three CSV files of a run directory (results.csv,
 * samples.csv, percentiles.csv), as functions, so that their reporters and
 * the per-cell journal (journal.h) write byte-identical rows: a run
 * recovered from its journal reads exactly as the files it lost.
 */
#ifndef VTB_CSV_FILES_H
#define VTB_CSV_FILES_H

#include <stdio.h>

#include "record.h"

/* One of the CSV files of a run directory. */
enum vtb_csv_file {
    VTB_CSV_FILE_RESULTS,
    VTB_CSV_FILE_SAMPLES,
    VTB_CSV_FILE_PERCENTILES,
    VTB_CSV_FILE_COUNT
};

/* "results.csv", "samples.csv", "percentiles.csv". */
const char *vtb_csv_file_name(enum vtb_csv_file file);

/* Writes the file's header row, or the rows of count records. Return 0 or
 * a VTB_E... code (VTB_EIO for a stream error). */
int vtb_csv_file_header(enum vtb_csv_file file, FILE *out);
int vtb_csv_file_rows(enum vtb_csv_file file, FILE *out, const struct vtb_record *records,
                      size_t count);

/* Formats the CPUs each worker of rec was seen on ("0 1", "0+1 0+1"; see
 * csv_columns.h) into buf, cut with "..." when it does not fit. */
const char *vtb_csv_format_cpus(const struct vtb_record *rec, char *buf, size_t size);

#endif /* VTB_CSV_FILES_H */

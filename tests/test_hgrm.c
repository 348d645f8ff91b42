/*
 * Golden-output tests of the .hgrm writer (harness/output/hgrm.c). The known
 * distribution, values 1..10000 ns printed in microseconds, is compared byte
 * for byte with tests/golden/known.hgrm; a four-sample histogram is compared
 * with the output an HdrHistogram port documents for the same samples, which
 * pins the format to HdrHistogram's rather than to our own idea of it.
 *
 * The golden directory defaults to "golden/" next to this source file (the
 * build passes absolute source paths); define VTB_GOLDEN_DIR to override it.
 * Set VTB_UPDATE_GOLDEN=1 in the environment to rewrite the golden file from
 * the current output instead of comparing (then inspect the diff by eye).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hgrm.h"
#include "histogram.h"
#include "vtb/error.h"

#define HOUR_NS INT64_C(3600000000000)

/* Runs vtb_hgrm_write into memory; returns its code and the text in *text. */
static int write_to_memory(const struct vtb_hist *h, int ticks, double ratio, char **text)
{
    size_t size = 0;
    FILE *out = open_memstream(text, &size);
    int rc;

    assert_non_null(out);
    rc = vtb_hgrm_write(out, h, ticks, ratio);
    assert_int_equal(fclose(out), 0);
    return rc;
}

static char *golden_path(const char *name)
{
    static char path[4096];
#ifdef VTB_GOLDEN_DIR
    snprintf(path, sizeof(path), "%s/%s", VTB_GOLDEN_DIR, name);
#else
    const char *source = __FILE__;
    const char *slash = strrchr(source, '/');
    int dir_len = slash == NULL ? 0 : (int)(slash - source + 1);

    snprintf(path, sizeof(path), "%.*sgolden/%s", dir_len, source, name);
#endif
    return path;
}

static char *read_file(const char *path)
{
    FILE *in = fopen(path, "rb");
    char *text;
    long size;

    if (in == NULL)
        fail_msg("cannot open golden file %s", path);
    assert_int_equal(fseek(in, 0, SEEK_END), 0);
    size = ftell(in);
    assert_true(size >= 0);
    rewind(in);
    text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, in), (size_t)size);
    text[size] = '\0';
    fclose(in);
    return text;
}

/* Values 1..10000 ns once each, printed in microseconds with 5 ticks. */
static void test_golden_known_distribution(void **state)
{
    const char *path = golden_path("known.hgrm");
    const char *update = getenv("VTB_UPDATE_GOLDEN");
    struct vtb_hist h;
    char *text = NULL, *golden;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    for (int64_t v = 1; v <= 10000; v++)
        vtb_hist_record(&h, v);
    assert_int_equal(write_to_memory(&h, VTB_HGRM_DEFAULT_TICKS, 1000.0, &text), 0);
    vtb_hist_fini(&h);

    if (update != NULL && strcmp(update, "1") == 0) {
        FILE *out = fopen(path, "wb");

        assert_non_null(out);
        assert_int_equal(fputs(text, out) >= 0, 1);
        assert_int_equal(fclose(out), 0);
        print_message("rewrote %s\n", path);
        free(text);
        return;
    }
    golden = read_file(path);
    assert_string_equal(text, golden);
    free(golden);
    free(text);
}

/*
 * The HdrHistogram Vala port's test of outputPercentileDistribution records
 * 100, 200, 250 and 600 into a (1, 3600000000000, 3) histogram and expects
 * exactly this text with 5 ticks and a ratio of 1.
 */
static void test_matches_hdrhistogram_output(void **state)
{
    static const char expected[] =
        "       Value     Percentile TotalCount 1/(1-Percentile)\n"
        "\n"
        "     100.000 0.000000000000          1           1.00\n"
        "     100.000 0.100000000000          1           1.11\n"
        "     100.000 0.200000000000          1           1.25\n"
        "     200.000 0.300000000000          2           1.43\n"
        "     200.000 0.400000000000          2           1.67\n"
        "     200.000 0.500000000000          2           2.00\n"
        "     250.000 0.550000000000          3           2.22\n"
        "     250.000 0.600000000000          3           2.50\n"
        "     250.000 0.650000000000          3           2.86\n"
        "     250.000 0.700000000000          3           3.33\n"
        "     250.000 0.750000000000          3           4.00\n"
        "     600.000 0.775000000000          4           4.44\n"
        "     600.000 1.000000000000          4\n"
        "#[Mean    =      287.500, StdDeviation   =      188.331]\n"
        "#[Max     =      600.000, Total count    =            4]\n"
        "#[Buckets =           32, SubBuckets     =         2048]\n";
    struct vtb_hist h;
    char *text = NULL;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    vtb_hist_record(&h, 100);
    vtb_hist_record(&h, 200);
    vtb_hist_record(&h, 250);
    vtb_hist_record(&h, 600);
    assert_int_equal(write_to_memory(&h, 5, 1.0, &text), 0);
    assert_string_equal(text, expected);
    free(text);
    vtb_hist_fini(&h);
}

/* Clamped samples get one extra comment line, with the exact maximum. */
static void test_clamped_samples_are_reported(void **state)
{
    static const char expected[] =
        "       Value     Percentile TotalCount 1/(1-Percentile)\n"
        "\n"
        "       0.500 0.000000000000          1           1.00\n"
        "      10.007 0.500000000000          3           2.00\n"
        "      10.007 1.000000000000          3\n"
        "#[Mean    =        6.836, StdDeviation   =        4.480]\n"
        "#[Max     =       10.007, Total count    =            3]\n"
        "#[Buckets =            4, SubBuckets     =         2048]\n"
        "#[Clamped =            2, Exact max      =       25.000]\n";
    struct vtb_hist h;
    char *text = NULL;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, 10000, 3), 0);
    vtb_hist_record(&h, 500);
    vtb_hist_record(&h, 12000);
    vtb_hist_record(&h, 25000);
    assert_int_equal(write_to_memory(&h, 1, 1000.0, &text), 0);
    assert_string_equal(text, expected);
    free(text);
    vtb_hist_fini(&h);
}

static void test_empty_histogram(void **state)
{
    static const char expected[] =
        "       Value     Percentile TotalCount 1/(1-Percentile)\n"
        "\n"
        "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
        "#[Max     =        0.000, Total count    =            0]\n"
        "#[Buckets =           32, SubBuckets     =         2048]\n";
    struct vtb_hist h;
    char *text = NULL;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    assert_int_equal(write_to_memory(&h, 5, 1.0, &text), 0);
    assert_string_equal(text, expected);
    free(text);
    vtb_hist_fini(&h);
}

static void test_rejects_bad_arguments(void **state)
{
    struct vtb_hist h;
    FILE *out;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(vtb_hgrm_write(NULL, &h, 5, 1.0), VTB_EINVAL);
    assert_int_equal(vtb_hgrm_write(out, NULL, 5, 1.0), VTB_EINVAL);
    assert_int_equal(vtb_hgrm_write(out, &h, 0, 1.0), VTB_EINVAL);
    assert_int_equal(vtb_hgrm_write(out, &h, 5, 0.0), VTB_EINVAL);
    assert_int_equal(vtb_hgrm_write(out, &h, 5, -1.0), VTB_EINVAL);
    assert_int_equal(vtb_hgrm_write(out, &h, 5, 0.0 / 0.0), VTB_EINVAL);
    assert_int_equal(vtb_hgrm_write(out, &h, 5, 1.0), 0);
    fclose(out);
    vtb_hist_fini(&h);
}

static void test_write_errors_are_reported(void **state)
{
    struct vtb_hist h;
    FILE *out;

    (void)state;
    assert_int_equal(vtb_hist_init(&h, 1, HOUR_NS, 3), 0);
    vtb_hist_record(&h, 42);

    /* Writing to a stream opened for reading fails at once. */
    out = fopen("/dev/null", "r");
    assert_non_null(out);
    assert_int_equal(vtb_hgrm_write(out, &h, 5, 1.0), VTB_EIO);
    fclose(out);

    /* /dev/full accepts the buffered writes and fails on the flush. */
    out = fopen("/dev/full", "w");
    if (out != NULL) {
        assert_int_equal(vtb_hgrm_write(out, &h, 5, 1.0), VTB_EIO);
        fclose(out);
    }
    vtb_hist_fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_known_distribution),
        cmocka_unit_test(test_matches_hdrhistogram_output),
        cmocka_unit_test(test_clamped_samples_are_reported),
        cmocka_unit_test(test_empty_histogram),
        cmocka_unit_test(test_rejects_bad_arguments),
        cmocka_unit_test(test_write_errors_are_reported),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

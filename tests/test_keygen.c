/*
 * Tests of the key generators: parsing and canonical names, determinism, the
 * rank-to-key scramble, and goodness of fit of every distribution.
 *
 * The fit tests draw a million keys with a fixed seed and compare the counts
 * with the exact probability mass function by Pearson's chi-square test at
 * alpha = 0.001. A fixed seed makes the outcome deterministic, so the test
 * can never flake; to show that it is still a real check, each zipf case also
 * scores the same draws against a slightly wrong exponent and requires that
 * comparison to fail.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keygen.h"

#define NKEYS 1000
#define DRAWS 1000000
#define SEED 20240601

/* Upper 0.001 quantile of the chi-square distribution with df degrees of
 * freedom, by the Wilson-Hilferty approximation (relative error well below
 * 0.1% for df in the hundreds). */
static double chi_square_critical(double df)
{
    const double z = 3.090232306167813; /* standard normal quantile at 0.999 */
    double a = 2.0 / (9.0 * df);
    double t = 1.0 - a + z * sqrt(a);
    return df * t * t * t;
}

static double chi_square(const uint64_t *observed, const double *pmf, size_t n, uint64_t draws)
{
    double stat = 0.0;
    for (size_t i = 0; i < n; i++) {
        double expected = pmf[i] * (double)draws;
        double d = (double)observed[i] - expected;
        stat += d * d / expected;
    }
    return stat;
}

/* pmf[r] = (r + 1)^-theta / H(n, theta): the probability of rank r. */
static void zipf_pmf(double theta, double *pmf, size_t n)
{
    double sum = 0.0;
    for (size_t r = 0; r < n; r++) {
        pmf[r] = pow((double)(r + 1), -theta);
        sum += pmf[r];
    }
    for (size_t r = 0; r < n; r++)
        pmf[r] /= sum;
}

static struct vtb_keygen make(const char *dist, uint64_t nkeys, uint64_t seed, uint64_t stream)
{
    struct vtb_key_dist d;
    struct vtb_keygen g;
    assert_int_equal(vtb_key_dist_parse(dist, &d, NULL), 0);
    assert_int_equal(vtb_keygen_init(&g, &d, nkeys, seed, stream), 0);
    return g;
}

/* Counts DRAWS keys of g by key, and returns the chi-square statistic
 * against rank_pmf mapped to keys through g's scramble. */
static double key_fit(struct vtb_keygen *g, const double *rank_pmf)
{
    static uint64_t counts[NKEYS];
    static double key_pmf[NKEYS];
    memset(counts, 0, sizeof(counts));
    for (uint64_t r = 0; r < NKEYS; r++)
        key_pmf[vtb_keygen_key_of_rank(g, r)] = rank_pmf[r];
    for (uint64_t i = 0; i < DRAWS; i++) {
        uint64_t key = vtb_keygen_next(g);
        assert_true(key < NKEYS);
        counts[key]++;
    }
    return chi_square(counts, key_pmf, NKEYS, DRAWS);
}

static void check_zipf_fit(double theta)
{
    char dist[64];
    static double pmf[NKEYS], wrong[NKEYS];
    static uint64_t counts[NKEYS];
    const double critical = chi_square_critical(NKEYS - 1);

    snprintf(dist, sizeof(dist), "zipf:%.17g", theta);
    zipf_pmf(theta, pmf, NKEYS);

    /* Ranks, as the sampler produces them. */
    struct vtb_keygen g = make(dist, NKEYS, SEED, 0);
    memset(counts, 0, sizeof(counts));
    for (uint64_t i = 0; i < DRAWS; i++) {
        uint64_t rank = vtb_keygen_next_rank(&g);
        assert_true(rank < NKEYS);
        counts[rank]++;
    }
    double stat = chi_square(counts, pmf, NKEYS, DRAWS);
    print_message("zipf %.3f: chi2 ranks = %.1f (critical %.1f)\n", theta, stat, critical);
    assert_true(stat < critical);

    /* The same draws must be rejected against an exponent off by 0.02:
     * otherwise the check above could not tell a wrong sampler either. */
    zipf_pmf(theta + 0.02, wrong, NKEYS);
    double wrong_stat = chi_square(counts, wrong, NKEYS, DRAWS);
    print_message("zipf %.3f: chi2 vs theta+0.02 = %.1f\n", theta, wrong_stat);
    assert_true(wrong_stat > critical);

    /* Keys, through the scramble, from another stream. */
    g = make(dist, NKEYS, SEED, 1);
    stat = key_fit(&g, pmf);
    print_message("zipf %.3f: chi2 keys = %.1f\n", theta, stat);
    assert_true(stat < critical);
}

static void test_zipf_fit_0_5(void **state)
{
    (void)state;
    check_zipf_fit(0.5);
}

static void test_zipf_fit_0_99(void **state)
{
    (void)state;
    check_zipf_fit(0.99);
}

static void test_zipf_fit_1_0(void **state)
{
    (void)state;
    check_zipf_fit(1.0);
}

static void test_zipf_fit_1_2(void **state)
{
    (void)state;
    check_zipf_fit(1.2);
}

/* Exponents within 1e-8 of 1 take the Taylor-series branch of the helpers. */
static void test_zipf_fit_near_one(void **state)
{
    (void)state;
    check_zipf_fit(1.0 + 1e-10);
}

static void test_zipf_small_spaces(void **state)
{
    (void)state;
    struct vtb_keygen g = make("zipf:0.99", 1, SEED, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(vtb_keygen_next(&g), 0);
    g = make("zipf:3", 2, SEED, 0);
    uint64_t ones = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t r = vtb_keygen_next_rank(&g);
        assert_true(r < 2);
        ones += r;
    }
    /* P(rank 1) = 2^-3 / (1 + 2^-3) = 1/9: 11111 expected, sd about 99. */
    assert_true(ones > 11111 - 500 && ones < 11111 + 500);
}

static void test_uniform_fit(void **state)
{
    (void)state;
    static double pmf[NKEYS], skewed[NKEYS];
    for (size_t i = 0; i < NKEYS; i++)
        pmf[i] = 1.0 / NKEYS;
    struct vtb_keygen g = make("uniform", NKEYS, SEED, 0);
    double stat = key_fit(&g, pmf);
    print_message("uniform: chi2 = %.1f\n", stat);
    assert_true(stat < chi_square_critical(NKEYS - 1));
    /* Uniform is the identity on ranks: no scramble. */
    assert_int_equal(vtb_keygen_key_of_rank(&g, 17), 17);

    /* A mild skew (zipf 0.05) must be told apart from uniform. */
    zipf_pmf(0.05, skewed, NKEYS);
    g = make("uniform", NKEYS, SEED, 0);
    stat = key_fit(&g, skewed);
    assert_true(stat > chi_square_critical(NKEYS - 1));
}

static void test_hotspot(void **state)
{
    (void)state;
    static double pmf[NKEYS];
    const uint64_t hot = 100; /* 0.1 * 1000 */
    for (size_t i = 0; i < NKEYS; i++)
        pmf[i] = i < hot ? 0.9 / (double)hot : 0.1 / (double)(NKEYS - hot);

    struct vtb_keygen g = make("hotspot:0.1:0.9", NKEYS, SEED, 0);
    assert_int_equal(g.hot_keys, hot);
    uint64_t in_hot = 0;
    for (uint64_t i = 0; i < DRAWS; i++)
        in_hot += vtb_keygen_next_rank(&g) < hot;
    /* Binomial(1e6, 0.9): sd = 300; allow 5 sd. */
    double share = (double)in_hot / DRAWS;
    print_message("hotspot: hot share = %.5f\n", share);
    assert_true(fabs((double)in_hot - 0.9 * DRAWS) < 1500);

    g = make("hotspot:0.1:0.9", NKEYS, SEED, 1);
    double stat = key_fit(&g, pmf);
    print_message("hotspot: chi2 keys = %.1f\n", stat);
    assert_true(stat < chi_square_critical(NKEYS - 1));
}

static void test_hotspot_edges(void **state)
{
    (void)state;
    struct vtb_keygen g = make("hotspot:0.2:0", 100, SEED, 0);
    for (int i = 0; i < 10000; i++)
        assert_true(vtb_keygen_next_rank(&g) >= 20);
    g = make("hotspot:0.2:1", 100, SEED, 0);
    for (int i = 0; i < 10000; i++)
        assert_true(vtb_keygen_next_rank(&g) < 20);
    /* One key: the hot set is that key and there is no cold set, whatever
     * the probability says. */
    g = make("hotspot:0.1:0.5", 1, SEED, 0);
    assert_int_equal(g.hot_keys, 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(vtb_keygen_next(&g), 0);
    /* A tiny fraction still makes one hot key. */
    g = make("hotspot:0.0001:0.5", 100, SEED, 0);
    assert_int_equal(g.hot_keys, 1);
}

static void test_determinism(void **state)
{
    (void)state;
    static const char *const dists[] = {"uniform", "zipf:0.99", "hotspot:0.1:0.9"};
    for (size_t d = 0; d < sizeof(dists) / sizeof(dists[0]); d++) {
        struct vtb_keygen a = make(dists[d], 1u << 20, 7, 3);
        struct vtb_keygen b = make(dists[d], 1u << 20, 7, 3);
        struct vtb_keygen other_stream = make(dists[d], 1u << 20, 7, 4);
        struct vtb_keygen other_seed = make(dists[d], 1u << 20, 8, 3);
        int same_stream = 0, same_seed = 0;
        for (int i = 0; i < 1000; i++) {
            uint64_t k = vtb_keygen_next(&a);
            assert_int_equal(k, vtb_keygen_next(&b));
            same_stream += k == vtb_keygen_next(&other_stream);
            same_seed += k == vtb_keygen_next(&other_seed);
        }
        /* Skewed distributions repeat popular keys, so some coincidences
         * are expected; a shared sequence would match 1000 times. */
        assert_true(same_stream < 500);
        assert_true(same_seed < 500);
    }
}

static void test_scramble_is_bijection(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {1, 2, 3, 7, 8, 1000, 1024, 1025, 65537};
    struct vtb_key_dist d = {.kind = VTB_KEY_DIST_ZIPF, .theta = 0.99};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t n = sizes[i];
        struct vtb_keygen g, h;
        assert_int_equal(vtb_keygen_init(&g, &d, n, 1, 0), 0);
        assert_int_equal(vtb_keygen_init(&h, &d, n, 99, 5), 0);
        unsigned char *seen = calloc(n, 1);
        assert_non_null(seen);
        for (uint64_t r = 0; r < n; r++) {
            uint64_t key = vtb_keygen_key_of_rank(&g, r);
            assert_true(key < n);
            assert_int_equal(seen[key], 0);
            seen[key] = 1;
            /* The scramble depends on the key count only, so all threads
             * agree on where the popular keys are. */
            assert_int_equal(key, vtb_keygen_key_of_rank(&h, r));
        }
        free(seen);
    }
    /* The 16 most popular keys of 65536 do not sit in one small window. */
    struct vtb_keygen g;
    assert_int_equal(vtb_keygen_init(&g, &d, 65536, 1, 0), 0);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint64_t r = 0; r < 16; r++) {
        uint64_t key = vtb_keygen_key_of_rank(&g, r);
        lo = key < lo ? key : lo;
        hi = key > hi ? key : hi;
    }
    assert_true(hi - lo > 65536 / 4);
}

static void test_init_errors(void **state)
{
    (void)state;
    struct vtb_keygen g;
    struct vtb_key_dist uniform = {.kind = VTB_KEY_DIST_UNIFORM};
    struct vtb_key_dist zipf0 = {.kind = VTB_KEY_DIST_ZIPF, .theta = 0.0};
    struct vtb_key_dist hot1 = {.kind = VTB_KEY_DIST_HOTSPOT, .hot_fraction = 1.0,
                                .hot_probability = 0.5};
    assert_int_equal(vtb_keygen_init(&g, &uniform, 0, 1, 0), VTB_EINVAL);
    assert_int_equal(vtb_keygen_init(&g, &uniform, VTB_KEYGEN_NKEYS_MAX + 1, 1, 0), VTB_EINVAL);
    assert_int_equal(vtb_keygen_init(&g, &zipf0, 10, 1, 0), VTB_EINVAL);
    assert_int_equal(vtb_keygen_init(&g, &hot1, 10, 1, 0), VTB_EINVAL);
    assert_int_equal(vtb_keygen_init(&g, &uniform, VTB_KEYGEN_NKEYS_MAX, 1, 0), 0);
    assert_true(vtb_keygen_next(&g) < VTB_KEYGEN_NKEYS_MAX);
}

static void test_parse_and_format(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *canonical;
    } cases[] = {
        {"uniform", "uniform"},
        {"zipf:0.99", "zipf:0.99"},
        {"zipf:1", "zipf:1"},
        {"zipf:1.0", "zipf:1"},
        {"zipf:10", "zipf:10"},
        {"zipf:.5", "zipf:0.5"},
        {"zipf:1e-3", "zipf:0.001"},
        {"hotspot:0.1:0.9", "hotspot:0.1:0.9"},
        {"hotspot:0.25:1", "hotspot:0.25:1"},
        {"hotspot:0.5:0", "hotspot:0.5:0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vtb_key_dist d, again;
        char buf[VTB_KEY_DIST_TEXT_MAX];
        assert_int_equal(vtb_key_dist_parse(cases[i].text, &d, NULL), 0);
        assert_string_equal(vtb_key_dist_format(&d, buf, sizeof(buf)), cases[i].canonical);
        assert_int_equal(vtb_key_dist_parse(buf, &again, NULL), 0);
        assert_int_equal(again.kind, d.kind);
        assert_true(again.theta == d.theta);
        assert_true(again.hot_fraction == d.hot_fraction);
        assert_true(again.hot_probability == d.hot_probability);
    }
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int code;
        const char *message;
    } cases[] = {
        {"", VTB_EINVAL,
         "unknown distribution ``; expected uniform, zipf:THETA or "
         "hotspot:HOT_FRACTION:HOT_PROBABILITY"},
        {"pareto:1.5", VTB_EINVAL,
         "unknown distribution `pareto`; expected uniform, zipf:THETA or "
         "hotspot:HOT_FRACTION:HOT_PROBABILITY"},
        {"Zipf:1", VTB_EINVAL,
         "unknown distribution `Zipf`; expected uniform, zipf:THETA or "
         "hotspot:HOT_FRACTION:HOT_PROBABILITY"},
        {"uniform:5", VTB_ESYNTAX, "uniform takes no parameters, got `uniform:5`"},
        {"zipf", VTB_ESYNTAX, "zipf takes one exponent, e.g. `zipf:0.99`, got `zipf`"},
        {"zipf:", VTB_ESYNTAX, "zipf exponent: expected a number, got ``"},
        {"zipf:1:2", VTB_ESYNTAX, "zipf takes one exponent, e.g. `zipf:0.99`, got `zipf:1:2`"},
        {"zipf:abc", VTB_ESYNTAX, "zipf exponent: expected a number, got `abc`"},
        {"zipf:nan", VTB_ESYNTAX, "zipf exponent: expected a number, got `nan`"},
        {"zipf:0", VTB_ERANGE, "zipf exponent must be in (0,10], got 0"},
        {"zipf:-1", VTB_ERANGE, "zipf exponent must be in (0,10], got -1"},
        {"zipf:10.5", VTB_ERANGE, "zipf exponent must be in (0,10], got 10.5"},
        {"zipf:1e999", VTB_ERANGE, "zipf exponent must be in (0,10], got 1e999"},
        {"hotspot:0.1", VTB_ESYNTAX,
         "hotspot takes HOT_FRACTION:HOT_PROBABILITY, e.g. `hotspot:0.1:0.9`, got "
         "`hotspot:0.1`"},
        {"hotspot:0.1:0.9:1", VTB_ESYNTAX,
         "hotspot takes HOT_FRACTION:HOT_PROBABILITY, e.g. `hotspot:0.1:0.9`, got "
         "`hotspot:0.1:0.9:1`"},
        {"hotspot:0:0.9", VTB_ERANGE, "hotspot fraction must be in (0,1), got 0"},
        {"hotspot:1:0.9", VTB_ERANGE, "hotspot fraction must be in (0,1), got 1"},
        {"hotspot:0.1:1.5", VTB_ERANGE, "hotspot probability must be in [0,1], got 1.5"},
        {"hotspot:0.1:x", VTB_ESYNTAX, "hotspot probability: expected a number, got `x`"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vtb_key_dist d = {.kind = VTB_KEY_DIST_ZIPF, .theta = 0.5};
        struct vtb_key_dist before = d;
        struct vtb_error err = {0};
        int rc = vtb_key_dist_parse(cases[i].text, &d, &err);
        if (rc != cases[i].code || strcmp(err.message, cases[i].message) != 0)
            print_error("case %zu `%s`: got %s \"%s\"\n", i, cases[i].text, vtb_err_name(rc),
                        err.message);
        assert_int_equal(rc, cases[i].code);
        assert_string_equal(err.message, cases[i].message);
        /* A failed parse leaves the output alone. */
        assert_int_equal(d.kind, before.kind);
        assert_true(d.theta == before.theta);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_scramble_is_bijection),
        cmocka_unit_test(test_uniform_fit),
        cmocka_unit_test(test_zipf_fit_0_5),
        cmocka_unit_test(test_zipf_fit_0_99),
        cmocka_unit_test(test_zipf_fit_1_0),
        cmocka_unit_test(test_zipf_fit_1_2),
        cmocka_unit_test(test_zipf_fit_near_one),
        cmocka_unit_test(test_zipf_small_spaces),
        cmocka_unit_test(test_hotspot),
        cmocka_unit_test(test_hotspot_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

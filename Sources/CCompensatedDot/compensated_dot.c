// The compensated dot products of the analyses' pairs of parts (Sources/Analysis/PairCosines.swift).
//
// Every method here computes the same real numbers in the same order: a product's rounding
// error by an fma (exact), an addition's rounding error by Neumaier's comparison or by
// Knuth's two-sum (both exact: the error of a rounded sum is representable, and unique), so
// the results are bit-identical whichever path runs, and to the Swift code they replace.
// Nothing may be contracted into an fma that the code does not write.
#pragma STDC FP_CONTRACT OFF
#ifdef __clang__
#pragma clang fp contract(off)
#endif

#include "compensated_dot.h"

#include <math.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define MASKDB_HAVE_AVX2_PATH 1
#endif

static double scalar_dot(const double *a, const double *b, size_t length) {
    double sum = 0.0, compensation = 0.0;
    for (size_t r = 0; r < length; r++) {
        double product = a[r] * b[r];
        double terms[2] = {product, fma(a[r], b[r], -product)};
        for (int i = 0; i < 2; i++) {
            double x = terms[i], t = sum + x;
            compensation += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }
    }
    return sum + compensation;
}

#ifdef MASKDB_HAVE_AVX2_PATH
__attribute__((target("avx2,fma"))) static void four_dots(
    const double *a0, const double *a1, const double *a2, const double *a3,
    const double *b0, const double *b1, const double *b2, const double *b3, size_t length, double *out) {
    __m256d sum = _mm256_setzero_pd(), compensation = _mm256_setzero_pd();
    for (size_t r = 0; r < length; r++) {
        __m256d x = _mm256_set_pd(a3[r], a2[r], a1[r], a0[r]);
        __m256d y = _mm256_set_pd(b3[r], b2[r], b1[r], b0[r]);
        __m256d product = _mm256_mul_pd(x, y);
        __m256d terms[2] = {product, _mm256_fmsub_pd(x, y, product)};  // x * y - product, exactly
        for (int i = 0; i < 2; i++) {
            // Knuth's two-sum: t = sum + v and its exact error, without a comparison.
            __m256d v = terms[i];
            __m256d t = _mm256_add_pd(sum, v);
            __m256d z = _mm256_sub_pd(t, sum);
            __m256d error = _mm256_add_pd(_mm256_sub_pd(sum, _mm256_sub_pd(t, z)), _mm256_sub_pd(v, z));
            compensation = _mm256_add_pd(compensation, error);
            sum = t;
        }
    }
    _mm256_storeu_pd(out, _mm256_add_pd(sum, compensation));
}
#endif

void maskdb_compensated_dots(
    const double *const *vectors, size_t length, const int32_t *first, const int32_t *second, size_t pairs, double *out) {
    size_t k = 0;
#ifdef MASKDB_HAVE_AVX2_PATH
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        for (; k + 4 <= pairs; k += 4) {
            four_dots(
                vectors[first[k]], vectors[first[k + 1]], vectors[first[k + 2]], vectors[first[k + 3]],
                vectors[second[k]], vectors[second[k + 1]], vectors[second[k + 2]], vectors[second[k + 3]], length, out + k);
        }
        // The one to three pairs left in the lanes too, the last repeated (a small group's
        // few pairs are most calls, and the scalar path costs several times more per pair).
        if (k < pairs) {
            size_t last = pairs - 1;
            size_t at[4] = {k, k + 1 <= last ? k + 1 : last, k + 2 <= last ? k + 2 : last, last};
            double lanes[4];
            four_dots(
                vectors[first[at[0]]], vectors[first[at[1]]], vectors[first[at[2]]], vectors[first[at[3]]],
                vectors[second[at[0]]], vectors[second[at[1]]], vectors[second[at[2]]], vectors[second[at[3]]], length, lanes);
            for (; k < pairs; k++) out[k] = lanes[k - at[0]];
        }
    }
#endif
    maskdb_compensated_dots_portable(vectors, length, first + k, second + k, pairs - k, out + k);
}

void maskdb_compensated_dots_portable(
    const double *const *vectors, size_t length, const int32_t *first, const int32_t *second, size_t pairs, double *out) {
    for (size_t k = 0; k < pairs; k++) {
        out[k] = scalar_dot(vectors[first[k]], vectors[second[k]], length);
    }
}

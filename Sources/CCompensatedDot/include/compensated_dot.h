#ifndef MASKDB_COMPENSATED_DOT_H
#define MASKDB_COMPENSATED_DOT_H

#include <stddef.h>
#include <stdint.h>

/// For each k < pairs, out[k] = the compensated dot product of vectors first[k] and second[k]
/// (`vectors[i]` points to vector i, `length` doubles): every product's rounding error
/// kept exactly (an fma) and both added, in order, to a sum whose own rounding errors are
/// kept exactly (Neumaier) - to the last bit what maskdb's Swift `PairCosines.dot` gives.
/// Four pairs at a time in AVX2 registers where the processor has AVX2 and FMA.
void maskdb_compensated_dots(
    const double *const *vectors, size_t length, const int32_t *first, const int32_t *second, size_t pairs, double *out);

/// The same with the scalar code alone (what runs without AVX2), for tests to compare.
void maskdb_compensated_dots_portable(
    const double *const *vectors, size_t length, const int32_t *first, const int32_t *second, size_t pairs, double *out);

#endif

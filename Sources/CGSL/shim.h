// The parts of GSL that PMFKit uses. CBLAS is declared by GSL's own header but the symbols come
// from OpenBLAS, which the module map links in place of gslcblas (see README, "BLAS").
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

/// The Mersenne Twister generator type. GSL exposes it as a mutable global variable, which Swift 6
/// refuses to read from arbitrary contexts; this accessor reads it once per call.
static inline const gsl_rng_type *cgsl_mt19937(void) { return gsl_rng_mt19937; }
/// Brent's bracketing root finder (same reason: a mutable global in GSL).
static inline const gsl_root_fsolver_type *cgsl_root_brent(void) { return gsl_root_fsolver_brent; }
/// Nelder–Mead simplex minimiser, version 2 (same reason).
static inline const gsl_multimin_fminimizer_type *cgsl_multimin_nmsimplex2(void) { return gsl_multimin_fminimizer_nmsimplex2; }

/// OpenBLAS reports its build configuration; used to prove which CBLAS is linked.
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);

/// The type of a pointer to `cblas_sgemm`, so that another CBLAS (e.g. GSL's own gslcblas, opened
/// at run time for the benchmark) can be called through the same signature.
typedef __typeof__(&cblas_sgemm) cgsl_sgemm_pointer;

/// A spin-wait hint for the processor (x86 `pause`), used by the worker team while it polls.
static inline void cgsl_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/// Eight single-precision lanes; Swift imports this type as `SIMD8<Float>`.
typedef float cgsl_float8 __attribute__((ext_vector_type(8)));

/// Lane-wise square root as one vector instruction (`SIMD8.squareRoot()` in Swift becomes eight
/// scalar calls to libm's `sqrtf` here), correctly rounded as IEEE 754 requires.
static inline cgsl_float8 cgsl_sqrt8(cgsl_float8 x) { return __builtin_elementwise_sqrt(x); }

// Eight two-entry rows held in two vectors a (rows 0–3) and b (rows 4–7) are split into their first
// and second entries without crossing the 128-bit halves of a register (one `vshufps` each): the
// rows then sit in the lane order 0 1 4 5 2 3 6 7. `cgsl_zip_low8`/`cgsl_zip_high8` put such split
// entries back into rows 0–3 and 4–7, and `cgsl_row_order8` converts a vector of one value per row
// between that order and the natural one (it is its own inverse).

/// The first entries of the eight rows in a ++ b, in lane order 0 1 4 5 2 3 6 7.
static inline cgsl_float8 cgsl_first_entries8(cgsl_float8 a, cgsl_float8 b) { return __builtin_shufflevector(a, b, 0, 2, 8, 10, 4, 6, 12, 14); }
/// The second entries of the eight rows in a ++ b, in lane order 0 1 4 5 2 3 6 7.
static inline cgsl_float8 cgsl_second_entries8(cgsl_float8 a, cgsl_float8 b) { return __builtin_shufflevector(a, b, 1, 3, 9, 11, 5, 7, 13, 15); }
/// Rows 0–3 (x₀, y₀, …, x₃, y₃) from entries x, y in lane order 0 1 4 5 2 3 6 7.
static inline cgsl_float8 cgsl_zip_low8(cgsl_float8 x, cgsl_float8 y) { return __builtin_shufflevector(x, y, 0, 8, 1, 9, 4, 12, 5, 13); }
/// Rows 4–7 from entries x, y in lane order 0 1 4 5 2 3 6 7.
static inline cgsl_float8 cgsl_zip_high8(cgsl_float8 x, cgsl_float8 y) { return __builtin_shufflevector(x, y, 2, 10, 3, 11, 6, 14, 7, 15); }
/// Lanes 0 1 4 5 2 3 6 7 of v: natural row order ↔ the split order above.
static inline cgsl_float8 cgsl_row_order8(cgsl_float8 v) { return __builtin_shufflevector(v, v, 0, 1, 4, 5, 2, 3, 6, 7); }

/// Eight 32-bit integer lanes (lane masks are all ones or all zeros).
typedef int cgsl_int8 __attribute__((ext_vector_type(8)));
/// Eight unsigned 32-bit integer lanes (wrapping arithmetic).
typedef unsigned cgsl_uint8 __attribute__((ext_vector_type(8)));

/// mask ? a : b, lane by lane.
static inline cgsl_float8 cgsl_select8(cgsl_int8 mask, cgsl_float8 a, cgsl_float8 b) {
    return (cgsl_float8)(((cgsl_int8)a & mask) | ((cgsl_int8)b & ~mask));
}

/// x clamped to [0, 1] lane by lane (NaN stays NaN): one compare and select per bound, where
/// Swift's generic `clamped` became two out-of-line calls per vector.
static inline cgsl_float8 cgsl_clamp_unit8(cgsl_float8 x) {
    const cgsl_float8 zero = 0.0f, one = 1.0f;
    return cgsl_select8(x < zero, zero, cgsl_select8(x > one, one, x));
}

/// v where both a > 0 and b > 0, else 0, lane by lane.
static inline cgsl_float8 cgsl_where_both_positive8(cgsl_float8 a, cgsl_float8 b, cgsl_float8 v) {
    const cgsl_float8 zero = 0.0f;
    return cgsl_select8((a > zero) & (b > zero), v, zero);
}

/// exp(x) for eight non-positive floats at once (Cephes' expf: x = n·ln 2 + r with |r| ≤ ln2/2, a
/// degree-6 polynomial for eʳ, and 2ⁿ assembled in the exponent bits); within 2 ulp of `expf`.
/// Inputs below −87.33654 (where eˣ leaves the normal range) give exactly 0, as does −∞; NaN gives
/// NaN. Written in C so the whole computation stays in 256-bit registers (Swift's generic SIMD
/// operations were split into 128-bit halves). The multiply-adds are explicit fused ones (one
/// rounding each, as IEEE 754 defines them), so results do not depend on the compiler or the target;
/// a build without FMA instructions (`PMFKIT_PORTABLE=1`) gets the same values from libm's `fmaf`.
static inline cgsl_float8 cgsl_negative_exp8(cgsl_float8 x) {
#pragma clang fp contract(off)
    const cgsl_float8 lowest = -87.33654f, zero = 0.0f, magic = 12582912.0f;
    const cgsl_int8 low = x < lowest;
    // A NaN input runs through as garbage (unsigned integer arithmetic, so nothing overflows) and
    // is restored at the end by adding x − x, which is 0 for finite x and NaN for NaN.
    const cgsl_float8 clamped = cgsl_select8(low, lowest, x);
    // Round x·log₂e to the nearest integer n by adding 1.5·2²³: the sum's low mantissa bits then
    // hold n (|n| ≤ 126), read back as an integer without a conversion instruction.
    const cgsl_float8 shifted = __builtin_elementwise_fma(clamped, (cgsl_float8)1.44269504f, magic);
    const cgsl_float8 n = shifted - magic;
    // r = x − n·ln 2 with ln 2 split in two (Cody–Waite), the polynomial by Horner's rule.
    cgsl_float8 r = __builtin_elementwise_fma(n, (cgsl_float8)-0.693359375f, clamped);
    r = __builtin_elementwise_fma(n, (cgsl_float8)2.1219444e-4f, r);
    cgsl_float8 p = __builtin_elementwise_fma((cgsl_float8)1.98756915e-4f, r, (cgsl_float8)1.39819995e-3f);
    p = __builtin_elementwise_fma(p, r, (cgsl_float8)8.3334519e-3f);
    p = __builtin_elementwise_fma(p, r, (cgsl_float8)4.16657959e-2f);
    p = __builtin_elementwise_fma(p, r, (cgsl_float8)1.66666655e-1f);
    p = __builtin_elementwise_fma(p, r, (cgsl_float8)5.00000012e-1f);
    p = __builtin_elementwise_fma(p, r * r, r + 1.0f);
    const cgsl_uint8 exponent = (cgsl_uint8)shifted - (cgsl_uint8)magic;
    const cgsl_float8 scale = (cgsl_float8)((exponent + 127u) << 23);
    return cgsl_select8(low, zero, p * scale + (x - x));
}

/// x ← exp(x) for n non-positive floats in place, eight at a time through `cgsl_negative_exp8`
/// (the last n mod 8 through a zero-padded copy, so every entry gets the same arithmetic).
static inline void cgsl_negative_exp_in_place(float *x, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        cgsl_float8 v;
        __builtin_memcpy(&v, x + i, sizeof v);
        v = cgsl_negative_exp8(v);
        __builtin_memcpy(x + i, &v, sizeof v);
    }
    if (i < n) {
        cgsl_float8 v = 0.0f;
        __builtin_memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
        v = cgsl_negative_exp8(v);
        __builtin_memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
    }
}

/// Sixteen single-precision lanes; Swift imports this type as `SIMD16<Float>`.
typedef float cgsl_float16 __attribute__((ext_vector_type(16)));

/// softmax of eight binary rows from z = β(x₁ − x₀): e = exp(−|z|), the larger entry 1/(1+e), the
/// smaller e/(1+e); u₁ is the larger where z ≥ 0. Lanes 0–7 hold u₀, lanes 8–15 u₁.
static inline cgsl_float16 cgsl_softmax_split8(cgsl_float8 z) {
#pragma clang fp contract(off)
    const cgsl_float8 zero = 0.0f, one = 1.0f;
    const cgsl_float8 e = cgsl_negative_exp8(cgsl_select8(z > zero, -z, z));
    const cgsl_float8 big = one / (one + e), small = e * big;
    const cgsl_int8 positive = z >= zero;
    return __builtin_shufflevector(cgsl_select8(positive, small, big), cgsl_select8(positive, big, small),
                                   0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// sparsemax of eight binary rows from z = β(x₁ − x₀): (1 − s, s) with s = clamp((z + 1)/2, 0, 1).
/// Lanes 0–7 hold u₀, lanes 8–15 u₁.
static inline cgsl_float16 cgsl_sparsemax_split8(cgsl_float8 z) {
#pragma clang fp contract(off)
    const cgsl_float8 s = cgsl_clamp_unit8((z + 1.0f) * 0.5f);
    return __builtin_shufflevector(1.0f - s, s, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// u = P(βx) row by row for `rows` binary rows (a multiple of 16; x and u hold interleaved pairs),
/// P = sparsemax when `sparsemax` is non-zero and softmax otherwise, and w = u₀q₀ + u₁q₁. Sixteen
/// rows per pass: two groups of eight side by side, so the processor overlaps the latencies of
/// their exp/divide chains (13 % fewer cycles than one group per pass, measured with perf).
static inline void cgsl_binary_lift16(const float *x, float *u, float *w, long rows, float beta, float q0, float q1,
                                      int sparsemax) {
#pragma clang fp contract(off)
    for (long r = 0; r < rows; r += 16) {
        cgsl_float8 a, b, c, d;
        __builtin_memcpy(&a, x + 2 * r, 32);
        __builtin_memcpy(&b, x + 2 * r + 8, 32);
        __builtin_memcpy(&c, x + 2 * r + 16, 32);
        __builtin_memcpy(&d, x + 2 * r + 24, 32);
        const cgsl_float8 z = beta * (cgsl_second_entries8(a, b) - cgsl_first_entries8(a, b));
        const cgsl_float8 y = beta * (cgsl_second_entries8(c, d) - cgsl_first_entries8(c, d));
        const cgsl_float16 s = sparsemax ? cgsl_sparsemax_split8(z) : cgsl_softmax_split8(z);
        const cgsl_float16 t = sparsemax ? cgsl_sparsemax_split8(y) : cgsl_softmax_split8(y);
        const cgsl_float8 u0 = cgsl_zip_low8(s.lo, s.hi), u1 = cgsl_zip_high8(s.lo, s.hi);
        const cgsl_float8 u2 = cgsl_zip_low8(t.lo, t.hi), u3 = cgsl_zip_high8(t.lo, t.hi);
        const cgsl_float8 w0 = cgsl_row_order8(s.lo * q0 + s.hi * q1), w1 = cgsl_row_order8(t.lo * q0 + t.hi * q1);
        __builtin_memcpy(u + 2 * r, &u0, 32);
        __builtin_memcpy(u + 2 * r + 8, &u1, 32);
        __builtin_memcpy(u + 2 * r + 16, &u2, 32);
        __builtin_memcpy(u + 2 * r + 24, &u3, 32);
        __builtin_memcpy(w + r, &w0, 32);
        __builtin_memcpy(w + r + 8, &w1, 32);
    }
}

/// The pullback of w = softmax(βx)·q to x for `rows` binary rows (a multiple of 8; u and out hold
/// interleaved pairs) given g = ∂L/∂w: exact out_λ = β g s_λ (q_λ − w), reference (`exact` zero)
/// out_λ = β g (q_λ − s_λ w). w is formed again from u as `cgsl_binary_lift16` forms it, the same
/// value bit for bit, which is cheaper than reading it back from memory.
static inline void cgsl_softmax_pullback8(const float *u, const float *g, float *out, long rows, float beta, float q0,
                                          float q1, int exact) {
#pragma clang fp contract(off)
    for (long j = 0; j < rows; j += 8) {
        cgsl_float8 a, b, gj;
        __builtin_memcpy(&a, u + 2 * j, 32);
        __builtin_memcpy(&b, u + 2 * j + 8, 32);
        __builtin_memcpy(&gj, g + j, 32);
        const cgsl_float8 s0 = cgsl_first_entries8(a, b), s1 = cgsl_second_entries8(a, b);
        const cgsl_float8 w = s0 * q0 + s1 * q1, bg = beta * cgsl_row_order8(gj);
        const cgsl_float8 o0 = exact ? bg * s0 * (q0 - w) : bg * (q0 - s0 * w);
        const cgsl_float8 o1 = exact ? bg * s1 * (q1 - w) : bg * (q1 - s1 * w);
        const cgsl_float8 low = cgsl_zip_low8(o0, o1), high = cgsl_zip_high8(o0, o1);
        __builtin_memcpy(out + 2 * j, &low, 32);
        __builtin_memcpy(out + 2 * j + 8, &high, 32);
    }
}

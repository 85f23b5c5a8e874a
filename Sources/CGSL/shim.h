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

/// The even-indexed lanes of the sixteen floats a ++ b (the first entries of eight interleaved pairs).
static inline cgsl_float8 cgsl_even8(cgsl_float8 a, cgsl_float8 b) { return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14); }
/// The odd-indexed lanes of a ++ b (the second entries of eight interleaved pairs).
static inline cgsl_float8 cgsl_odd8(cgsl_float8 a, cgsl_float8 b) { return __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15); }
/// The first four pairs (a₀, b₀, …, a₃, b₃) of the interleaving of a and b.
static inline cgsl_float8 cgsl_interleave_low8(cgsl_float8 a, cgsl_float8 b) { return __builtin_shufflevector(a, b, 0, 8, 1, 9, 2, 10, 3, 11); }
/// The last four pairs (a₄, b₄, …, a₇, b₇) of the interleaving of a and b.
static inline cgsl_float8 cgsl_interleave_high8(cgsl_float8 a, cgsl_float8 b) { return __builtin_shufflevector(a, b, 4, 12, 5, 13, 6, 14, 7, 15); }

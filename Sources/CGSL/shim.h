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

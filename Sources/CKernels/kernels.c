// The bulk kernels, each compiled for AVX2 + FMA and for baseline x86-64 from one body
// (an always-inline function instantiated inside two functions with different target
// attributes), and the run-time choice between them. See CKernels.h.
#include "CKernels.h"
#include <stddef.h>

CK_INLINE void negative_exp_in_place_body(float *x, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        ck_float8 v;
        __builtin_memcpy(&v, x + i, sizeof v);
        v = ck_negative_exp8(v);
        __builtin_memcpy(x + i, &v, sizeof v);
    }
    if (i < n) {
        ck_float8 v = 0.0f;
        __builtin_memcpy(&v, x + i, (size_t)(n - i) * sizeof(float));
        v = ck_negative_exp8(v);
        __builtin_memcpy(x + i, &v, (size_t)(n - i) * sizeof(float));
    }
}

CK_INLINE void binary_lift16_body(const float *x, float *u, float *w, long rows, float beta, float q0, float q1,
                                      int sparsemax) {
#pragma clang fp contract(off)
    for (long r = 0; r < rows; r += 16) {
        ck_float8 a, b, c, d;
        __builtin_memcpy(&a, x + 2 * r, 32);
        __builtin_memcpy(&b, x + 2 * r + 8, 32);
        __builtin_memcpy(&c, x + 2 * r + 16, 32);
        __builtin_memcpy(&d, x + 2 * r + 24, 32);
        const ck_float8 z = beta * (ck_second_entries8(a, b) - ck_first_entries8(a, b));
        const ck_float8 y = beta * (ck_second_entries8(c, d) - ck_first_entries8(c, d));
        const ck_float16 s = sparsemax ? ck_sparsemax_split8(z) : ck_softmax_split8(z);
        const ck_float16 t = sparsemax ? ck_sparsemax_split8(y) : ck_softmax_split8(y);
        const ck_float8 u0 = ck_zip_low8(s.lo, s.hi), u1 = ck_zip_high8(s.lo, s.hi);
        const ck_float8 u2 = ck_zip_low8(t.lo, t.hi), u3 = ck_zip_high8(t.lo, t.hi);
        const ck_float8 w0 = ck_row_order8(s.lo * q0 + s.hi * q1), w1 = ck_row_order8(t.lo * q0 + t.hi * q1);
        __builtin_memcpy(u + 2 * r, &u0, 32);
        __builtin_memcpy(u + 2 * r + 8, &u1, 32);
        __builtin_memcpy(u + 2 * r + 16, &u2, 32);
        __builtin_memcpy(u + 2 * r + 24, &u3, 32);
        __builtin_memcpy(w + r, &w0, 32);
        __builtin_memcpy(w + r + 8, &w1, 32);
    }
}

CK_INLINE void softmax_pullback8_body(const float *u, const float *g, float *out, long rows, float beta, float q0,
                                          float q1, int exact) {
#pragma clang fp contract(off)
    for (long j = 0; j < rows; j += 8) {
        ck_float8 a, b, gj;
        __builtin_memcpy(&a, u + 2 * j, 32);
        __builtin_memcpy(&b, u + 2 * j + 8, 32);
        __builtin_memcpy(&gj, g + j, 32);
        const ck_float8 s0 = ck_first_entries8(a, b), s1 = ck_second_entries8(a, b);
        const ck_float8 w = s0 * q0 + s1 * q1, bg = beta * ck_row_order8(gj);
        const ck_float8 o0 = exact ? bg * s0 * (q0 - w) : bg * (q0 - s0 * w);
        const ck_float8 o1 = exact ? bg * s1 * (q1 - w) : bg * (q1 - s1 * w);
        const ck_float8 low = ck_zip_low8(o0, o1), high = ck_zip_high8(o0, o1);
        __builtin_memcpy(out + 2 * j, &low, 32);
        __builtin_memcpy(out + 2 * j + 8, &high, 32);
    }
}

#if defined(__x86_64__)
#define CK_AVX2 __attribute__((target("avx2,fma")))

CK_AVX2 static void negative_exp_in_place_avx2(float *x, long n) { negative_exp_in_place_body(x, n); }
static void negative_exp_in_place_baseline(float *x, long n) { negative_exp_in_place_body(x, n); }

CK_AVX2 static void binary_lift16_avx2(const float *x, float *u, float *w, long rows, float beta, float q0, float q1, int sparsemax) {
    binary_lift16_body(x, u, w, rows, beta, q0, q1, sparsemax);
}
static void binary_lift16_baseline(const float *x, float *u, float *w, long rows, float beta, float q0, float q1, int sparsemax) {
    binary_lift16_body(x, u, w, rows, beta, q0, q1, sparsemax);
}

CK_AVX2 static void softmax_pullback8_avx2(const float *u, const float *g, float *out, long rows, float beta, float q0, float q1, int exact) {
    softmax_pullback8_body(u, g, out, rows, beta, q0, q1, exact);
}
static void softmax_pullback8_baseline(const float *u, const float *g, float *out, long rows, float beta, float q0, float q1, int exact) {
    softmax_pullback8_body(u, g, out, rows, beta, q0, q1, exact);
}

/// 2 when the processor has AVX2 and FMA, else 1; read once.
static int processor_level(void) {
    static int level = 0;
    int seen = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (seen == 0) {
        __builtin_cpu_init();
        seen = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 2 : 1;
        __atomic_store_n(&level, seen, __ATOMIC_RELAXED);
    }
    return seen;
}

static int force_baseline = 0;

int ck_instruction_set(void) { return __atomic_load_n(&force_baseline, __ATOMIC_RELAXED) ? 1 : processor_level(); }
void ck_set_baseline(int baseline) { __atomic_store_n(&force_baseline, baseline != 0, __ATOMIC_RELAXED); }

void ck_negative_exp_in_place(float *x, long n) {
    (ck_instruction_set() == 2 ? negative_exp_in_place_avx2 : negative_exp_in_place_baseline)(x, n);
}
void ck_binary_lift16(const float *x, float *u, float *w, long rows, float beta, float q0, float q1, int sparsemax) {
    (ck_instruction_set() == 2 ? binary_lift16_avx2 : binary_lift16_baseline)(x, u, w, rows, beta, q0, q1, sparsemax);
}
void ck_softmax_pullback8(const float *u, const float *g, float *out, long rows, float beta, float q0, float q1, int exact) {
    (ck_instruction_set() == 2 ? softmax_pullback8_avx2 : softmax_pullback8_baseline)(u, g, out, rows, beta, q0, q1, exact);
}
#else
int ck_instruction_set(void) { return 1; }
void ck_set_baseline(int baseline) { (void)baseline; }
void ck_negative_exp_in_place(float *x, long n) { negative_exp_in_place_body(x, n); }
void ck_binary_lift16(const float *x, float *u, float *w, long rows, float beta, float q0, float q1, int sparsemax) {
    binary_lift16_body(x, u, w, rows, beta, q0, q1, sparsemax);
}
void ck_softmax_pullback8(const float *u, const float *g, float *out, long rows, float beta, float q0, float q1, int exact) {
    softmax_pullback8_body(u, g, out, rows, beta, q0, q1, exact);
}
#endif

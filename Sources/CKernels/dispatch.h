// The run-time choice between a kernel's AVX2 + FMA and baseline x86-64 builds, for the C files of
// CKernels (not part of the module's interface; see CKernels.h).
#ifndef CKERNELS_DISPATCH_H
#define CKERNELS_DISPATCH_H
#include "CKernels.h"

/// Defines `TYPE ck_NAME(PARAMETERS)` from NAME_body: on x86-64 compiled for AVX2 + FMA and for
/// baseline, chosen per call by `ck_instruction_set`; elsewhere the portable body alone.
#if defined(__x86_64__)
#define CK_DISPATCHED_RESULT(type, name, parameters, arguments)                                          \
    __attribute__((target("avx2,fma"))) static type name##_avx2 parameters { return name##_body arguments; } \
    static type name##_baseline parameters { return name##_body arguments; }                            \
    type ck_##name parameters { return (ck_instruction_set() == 2 ? name##_avx2 : name##_baseline) arguments; }
#else
#define CK_DISPATCHED_RESULT(type, name, parameters, arguments) \
    type ck_##name parameters { return name##_body arguments; }
#endif
/// `CK_DISPATCHED_RESULT` for kernels that return nothing.
#define CK_DISPATCHED(name, parameters, arguments) CK_DISPATCHED_RESULT(void, name, parameters, arguments)

#endif

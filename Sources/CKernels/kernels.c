// The bulk kernels, each compiled for AVX2 + FMA and for baseline x86-64 from one body
// (an always-inline function instantiated inside two functions with different target
// attributes, `CK_DISPATCHED`), and the run-time choice between them. See CKernels.h.
#include "CKernels.h"
#include "dispatch.h"
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
                                          float q1, int jacobian) {
#pragma clang fp contract(off)
    for (long j = 0; j < rows; j += 8) {
        ck_float8 a, b, gj;
        __builtin_memcpy(&a, u + 2 * j, 32);
        __builtin_memcpy(&b, u + 2 * j + 8, 32);
        __builtin_memcpy(&gj, g + j, 32);
        ck_float8 s0 = ck_first_entries8(a, b), s1 = ck_second_entries8(a, b);
        const ck_float8 bg = beta * ck_row_order8(gj);
        if (jacobian == CK_JACOBIAN_EXACT) {
            const ck_float8 w = s0 * q0 + s1 * q1;
            const ck_float8 o0 = bg * s0 * (q0 - w), o1 = bg * s1 * (q1 - w);
            const ck_float8 low = ck_zip_low8(o0, o1), high = ck_zip_high8(o0, o1);
            __builtin_memcpy(out + 2 * j, &low, 32);
            __builtin_memcpy(out + 2 * j + 8, &high, 32);
            continue;
        }
        if (jacobian == CK_JACOBIAN_REFERENCE) {
            // s′ = softmax(β·s), split as the lift splits softmax(βx).
            const ck_float16 second = ck_softmax_split8(beta * (s1 - s0));
            s0 = second.lo;
            s1 = second.hi;
        }
        const ck_float8 w = s0 * q0 + s1 * q1;
        const ck_float8 o0 = bg * (q0 - s0 * w), o1 = bg * (q1 - s1 * w);
        const ck_float8 low = ck_zip_low8(o0, o1), high = ck_zip_high8(o0, o1);
        __builtin_memcpy(out + 2 * j, &low, 32);
        __builtin_memcpy(out + 2 * j + 8, &high, 32);
    }
}

// Elementwise training kernels. Each is a plain loop the compiler vectorizes for the instruction set
// of the function it is inlined into; every entry gets the same operations in the same order, so the
// result does not depend on the vector width. A "tiled" operand (see CKernels.h) has `period` floats
// and is read or accumulated at index i mod period. The loops are marked `assume_safety`: arrays
// are either the same (in place) or do not overlap, as CKernels.h requires of callers.

CK_INLINE void relu_body(const float *x, float *y, long n) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

CK_INLINE void relu_backward_body(const float *y, const float *dy, float *dx, long n) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

CK_INLINE void adam_body(float *w, const float *g, float *m, float *v, long n, float beta1, float beta2,
                         float epsilon, float decay, float step, float correction) {
#pragma clang fp contract(off)
    const float c1 = 1.0f - beta1, c2 = 1.0f - beta2;
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) {
        const float d = g[i] + decay * w[i];
        const float mi = beta1 * m[i] + c1 * d, vi = beta2 * v[i] + c2 * d * d;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] - step * mi / (__builtin_elementwise_sqrt(vi) * correction + epsilon);
    }
}

CK_INLINE void sparsemax_pullback_body(const float *u, const float *g, float *out, long rows, float half) {
#pragma clang fp contract(off)
    _Pragma("clang loop vectorize(assume_safety)")
    for (long j = 0; j < rows; j++) {
        const float value = u[2 * j] > 0.0f && u[2 * j + 1] > 0.0f ? half * g[j] : 0.0f;
        out[2 * j] = value;
        out[2 * j + 1] = -value;
    }
}

CK_INLINE int contains_non_finite_body(const float *x, long n) {
    // 0·x is NaN exactly for NaN and ±∞, and a sum of zeros and NaNs is NaN exactly when one term
    // is, in whatever order it is added (two vectors of sums, so the adds need not wait on each other).
    ck_float8 probe = 0.0f, other = 0.0f;
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        ck_float8 a, b;
        __builtin_memcpy(&a, x + i, sizeof a);
        __builtin_memcpy(&b, x + i + 8, sizeof b);
        probe += 0.0f * a;
        other += 0.0f * b;
    }
    probe += other;
    float tail = 0.0f;
    for (; i < n; i++) tail += 0.0f * x[i];
    for (int lane = 0; lane < 8; lane++) tail += probe[lane];
    return tail != tail;
}

/// Copies n floats (src and dst apart): whole vectors of eight and one last vector ending at the
/// end, or for fewer than eight two overlapping halves; fixed-size copies the compiler turns into
/// vector moves, where a copy loop would become a call to `memcpy` per short run.
CK_INLINE void copy_floats(float *dst, const float *src, long n) {
    if (n >= 8) {
        for (long i = 0; i + 8 <= n; i += 8) __builtin_memcpy(dst + i, src + i, 32);
        __builtin_memcpy(dst + n - 8, src + n - 8, 32);
    } else if (n >= 4) {
        __builtin_memcpy(dst, src, 16);
        __builtin_memcpy(dst + n - 4, src + n - 4, 16);
    } else if (n >= 2) {
        __builtin_memcpy(dst, src, 8);
        __builtin_memcpy(dst + n - 2, src + n - 2, 8);
    } else if (n == 1) {
        dst[0] = src[0];
    }
}

/// Sets n floats to zero, in the same pieces as `copy_floats`.
CK_INLINE void zero_floats(float *dst, long n) {
    static const float zeros[8] = {0};
    if (n < 8) {
        copy_floats(dst, zeros, n);
        return;
    }
    for (long i = 0; i + 8 <= n; i += 8) __builtin_memcpy(dst + i, zeros, 32);
    __builtin_memcpy(dst + n - 8, zeros, 32);
}

CK_INLINE void im2col_body(const float *x, long height, long width, long channels, long kernel, long stride,
                           long padding, long out_height, long out_width, long images, float *patches) {
    const long run = kernel * channels;
    const float *const x_end = x + images * height * width * channels;
    float *const patches_end = patches + images * out_height * out_width * kernel * run;
    float *row = patches;
    for (long image = 0; image < images; image++) {
        const float *pixels = x + image * height * width * channels;
        for (long oy = 0; oy < out_height; oy++) {
            const long y0 = oy * stride - padding;
            const int rows_inside = y0 >= 0 && y0 + kernel <= height;
            for (long ox = 0; ox < out_width; ox++, row += kernel * run) {
                const long x0 = ox * stride - padding;
                const long lo = x0 < 0 ? -x0 : 0, hi = width - x0 < kernel ? width - x0 : kernel;
                if (rows_inside && lo == 0 && hi == kernel) {
                    // The whole window is inside: K runs, no zeros. Runs shorter than a vector (a
                    // 5×5 kernel on one channel) are copied as whole vectors when the last one's
                    // source and target have room; the floats written past a run belong to the
                    // next run or patch row, which is written after it.
                    const float *source = pixels + (y0 * width + x0) * channels;
                    const long line = width * channels;
                    if (run < 8 && source + (kernel - 1) * line + 8 <= x_end && row + (kernel - 1) * run + 8 <= patches_end) {
                        for (long ky = 0; ky < kernel; ky++) __builtin_memcpy(row + ky * run, source + ky * line, 32);
                    } else {
                        for (long ky = 0; ky < kernel; ky++) copy_floats(row + ky * run, source + ky * line, run);
                    }
                    continue;
                }
                for (long ky = 0; ky < kernel; ky++) {
                    const long iy = y0 + ky;
                    float *target = row + ky * run;
                    if (iy < 0 || iy >= height || hi <= lo) {
                        zero_floats(target, run);
                        continue;
                    }
                    zero_floats(target, lo * channels);
                    copy_floats(target + lo * channels, pixels + (iy * width + x0 + lo) * channels, (hi - lo) * channels);
                    zero_floats(target + hi * channels, (kernel - hi) * channels);
                }
            }
        }
    }
}

CK_INLINE void add_floats(float *dst, const float *src, long n) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long i = 0; i < n; i++) dst[i] += src[i];
}

CK_INLINE void col2im_body(const float *patches, long height, long width, long channels, long kernel, long stride,
                           long padding, long out_height, long out_width, long images, float *dx) {
    const long run = kernel * channels;
    const float *row = patches;
    for (long image = 0; image < images; image++) {
        float *pixels = dx + image * height * width * channels;
        for (long oy = 0; oy < out_height; oy++) {
            for (long ox = 0; ox < out_width; ox++, row += kernel * run) {
                const long x0 = ox * stride - padding;
                const long lo = x0 < 0 ? -x0 : 0, hi = width - x0 < kernel ? width - x0 : kernel;
                if (hi <= lo) continue;
                for (long ky = 0; ky < kernel; ky++) {
                    const long iy = oy * stride - padding + ky;
                    if (iy < 0 || iy >= height) continue;
                    add_floats(pixels + (iy * width + x0 + lo) * channels, row + ky * run + lo * channels, (hi - lo) * channels);
                }
            }
        }
    }
}

/// The first channel of the group of eight that starts at c0 (a multiple of 8) among channels ≥ 8:
/// c0, or channels − 8 for a last group that would run past the end, so that it overlaps the group
/// before it; the shared lanes are computed again, to the same values, and written again.
CK_INLINE long group8(long c0, long channels) { return c0 + 8 <= channels ? c0 : channels - 8; }

/// The maximum and (when `track` is non-zero) its offset over one window for eight channels from
/// `first` (window offsets `row` and `pixel` apart), kept in registers across the window. `track`
/// is a constant at every call, so the version without offsets compares and selects values only.
CK_INLINE void max_of_window8(const float *x, long first, long kernel, long row, long pixel, float *top, int *best, int track) {
    const ck_int8 lanes = {0, 1, 2, 3, 4, 5, 6, 7};
    ck_float8 m;
    __builtin_memcpy(&m, x + first, 32);
    ck_int8 index = lanes + (int)first;
    for (long ky = 0; ky < kernel; ky++) {
        for (long kx = ky == 0 ? 1 : 0; kx < kernel; kx++) {
            const long at = first + ky * row + kx * pixel;
            ck_float8 v;
            __builtin_memcpy(&v, x + at, 32);
            const ck_int8 larger = v > m;
            m = ck_select8(larger, v, m);
            if (track) index = (index & ~larger) | ((lanes + (int)at) & larger);
        }
    }
    __builtin_memcpy(top, &m, 32);
    if (track) __builtin_memcpy(best, &index, 32);
}

/// `ck_max_pool`, with the winners' offsets written only when `track` (a constant at each call) is non-zero.
CK_INLINE void max_pool_windows(const float *x, long height, long width, long channels, long kernel, long stride,
                                long first_image, long images, float *y, int *winners, int track) {
    const long out_height = (height - kernel) / stride + 1, out_width = (width - kernel) / stride + 1;
    for (long n = first_image; n < first_image + images; n++) {
        for (long oy = 0; oy < out_height; oy++) {
            for (long ox = 0; ox < out_width; ox++) {
                const long first = ((n * height + oy * stride) * width + ox * stride) * channels;
                const long out = ((n * out_height + oy) * out_width + ox) * channels;
                float *top = y + out;
                int *best = track ? winners + out : 0;
                if (channels >= 8) {
                    for (long c0 = 0; c0 < channels; c0 += 8) {
                        const long c = group8(c0, channels);
                        max_of_window8(x, first + c, kernel, width * channels, channels, top + c, track ? best + c : 0, track);
                    }
                    continue;
                }
                for (long c = 0; c < channels; c++) {
                    long winner = first + c;
                    for (long ky = 0; ky < kernel; ky++) {
                        for (long kx = 0; kx < kernel; kx++) {
                            const long at = first + (ky * width + kx) * channels + c;
                            if (x[at] > x[winner]) winner = at;
                        }
                    }
                    top[c] = x[winner];
                    if (track) best[c] = (int)winner;
                }
            }
        }
    }
}

CK_INLINE void max_pool_body(const float *x, long height, long width, long channels, long kernel, long stride,
                             long first_image, long images, float *y, int *winners) {
    if (winners) {
        max_pool_windows(x, height, width, channels, kernel, stride, first_image, images, y, winners, 1);
    } else {
        max_pool_windows(x, height, width, channels, kernel, stride, first_image, images, y, 0, 0);
    }
}

CK_INLINE void unpool_body(const float *g, const int *winners, long n, long base, float *dx) {
    for (long i = 0; i < n; i++) dx[winners[i] - base] += g[i];
}

/// Eight output channels from `o` of `count` adjacent output pixels (count ≤ 8) of one output
/// row: acc = Σ x·w over ky then kx, each product and sum rounded, then + bias. `row` is the input
/// row of the first pixel's window; `weights` holds w[ky, kx, o] (outs floats per tap).
CK_INLINE void convolve_pixels8(const float *row, long width, long kernel, long outs, const float *weights,
                                const float *bias, long o, long count, float *y) {
#pragma clang fp contract(off)
    ck_float8 acc[8] = {0};
    for (long ky = 0; ky < kernel; ky++) {
        const float *line = row + ky * width;
        for (long kx = 0; kx < kernel; kx++) {
            ck_float8 w;
            __builtin_memcpy(&w, weights + (ky * kernel + kx) * outs + o, 32);
            if (count == 8) {
                _Pragma("clang loop unroll(full)")
                for (long j = 0; j < 8; j++) acc[j] = acc[j] + line[j + kx] * w;
            } else {
                for (long j = 0; j < count; j++) acc[j] = acc[j] + line[j + kx] * w;
            }
        }
    }
    ck_float8 b = 0.0f;
    if (bias) __builtin_memcpy(&b, bias + o, 32);
    for (long j = 0; j < count; j++) {
        const ck_float8 result = bias ? acc[j] + b : acc[j];
        __builtin_memcpy(y + j * outs + o, &result, 32);
    }
}

CK_INLINE void convolve_one_channel_body(const float *x, long height, long width, long kernel, long outs,
                                         const float *weights, const float *bias, long images, float *y) {
#pragma clang fp contract(off)
    const long out_height = height - kernel + 1, out_width = width - kernel + 1;
    for (long n = 0; n < images; n++) {
        for (long oy = 0; oy < out_height; oy++) {
            const float *row = x + (n * height + oy) * width;
            float *out = y + (n * out_height + oy) * out_width * outs;
            if (outs < 8) {
                for (long ox = 0; ox < out_width; ox++) {
                    for (long o = 0; o < outs; o++) {
                        float acc = 0.0f;
                        for (long ky = 0; ky < kernel; ky++) {
                            for (long kx = 0; kx < kernel; kx++) acc = acc + row[ky * width + ox + kx] * weights[(ky * kernel + kx) * outs + o];
                        }
                        out[ox * outs + o] = bias ? acc + bias[o] : acc;
                    }
                }
                continue;
            }
            // Groups of eight channels (`group8`), eight pixels at a time.
            for (long o0 = 0; o0 < outs; o0 += 8) {
                const long o = group8(o0, outs);
                for (long ox = 0; ox < out_width; ox += 8) {
                    const long count = out_width - ox < 8 ? out_width - ox : 8;
                    convolve_pixels8(row + ox, width, kernel, outs, weights, bias, o, count, out + ox * outs);
                }
            }
        }
    }
}

/// ∂y = a·((q − mean_gradient) − h·mean_dot) with h = (y − mean)·a, a = inverse, for one pooling
/// window and eight channels at `at` (offsets in the images, `row` and `pixel` apart; y is read at
/// base + offset), where q is the pooled gradient at the window's winner when its pooled output is
/// positive, else 0; the channels' statistics start at `c`.
CK_INLINE void window_gradient8(ck_float8 passed, ck_int8 winner, const float *y, const float *mean, const float *inverse,
                                const float *mean_gradient, const float *mean_dot, long c, long at, long base,
                                long kernel, long row, long pixel, float *dy) {
#pragma clang fp contract(off)
    const ck_int8 lanes = {0, 1, 2, 3, 4, 5, 6, 7};
    const ck_float8 zero = 0.0f;
    ck_float8 mu, a, mg, md;
    __builtin_memcpy(&mu, mean + c, 32);
    __builtin_memcpy(&a, inverse + c, 32);
    __builtin_memcpy(&mg, mean_gradient + c, 32);
    __builtin_memcpy(&md, mean_dot + c, 32);
    for (long ky = 0; ky < kernel; ky++) {
        for (long kx = 0; kx < kernel; kx++) {
            const long offset = at + ky * row + kx * pixel;
            const ck_float8 q = ck_select8(winner == lanes + (int)(base + offset), passed, zero);
            ck_float8 v;
            __builtin_memcpy(&v, y + base + offset, 32);
            const ck_float8 h = (v - mu) * a, result = a * (q - mg - h * md);
            __builtin_memcpy(dy + offset, &result, 32);
        }
    }
}

CK_INLINE void pool_normalized_gradient_body(const float *g, const float *p, const int *winners, const float *y,
                                             const float *mean, const float *inverse, const float *mean_gradient,
                                             const float *mean_dot, long height, long width, long channels, long kernel,
                                             long first_image, long images, float *dy) {
#pragma clang fp contract(off)
    const long out_height = height / kernel, out_width = width / kernel, image_size = height * width * channels;
    const long base = first_image * image_size;
    if (out_height * kernel != height || out_width * kernel != width) {
        // Rows or columns no window covers: their q is 0, as for every input that is not a winner.
        for (long i = 0; i < images * image_size; i += channels) {
            for (long c = 0; c < channels; c++) {
                const float h = (y[base + i + c] - mean[c]) * inverse[c];
                dy[i + c] = inverse[c] * (0.0f - mean_gradient[c] - h * mean_dot[c]);
            }
        }
    }
    for (long n = 0; n < images; n++) {
        for (long oy = 0; oy < out_height; oy++) {
            for (long ox = 0; ox < out_width; ox++) {
                const long out = (((first_image + n) * out_height + oy) * out_width + ox) * channels;
                const long first = ((n * height + oy * kernel) * width + ox * kernel) * channels;
                if (channels >= 8) {
                    for (long c0 = 0; c0 < channels; c0 += 8) {
                        const long c = group8(c0, channels);
                        ck_float8 gv, pv;
                        ck_int8 winner;
                        __builtin_memcpy(&gv, g + out + c, 32);
                        __builtin_memcpy(&pv, p + out + c, 32);
                        __builtin_memcpy(&winner, winners + out + c, 32);
                        const ck_float8 zero = 0.0f, passed = ck_select8(pv > zero, zero + gv, zero);
                        window_gradient8(passed, winner, y, mean, inverse, mean_gradient, mean_dot, c, first + c, base,
                                         kernel, width * channels, channels, dy);
                    }
                    continue;
                }
                for (long c = 0; c < channels; c++) {
                    const float passed = p[out + c] > 0.0f ? 0.0f + g[out + c] : 0.0f;
                    for (long ky = 0; ky < kernel; ky++) {
                        for (long kx = 0; kx < kernel; kx++) {
                            const long offset = first + (ky * width + kx) * channels + c;
                            const float q = winners[out + c] == base + offset ? passed : 0.0f;
                            const float h = (y[base + offset] - mean[c]) * inverse[c];
                            dy[offset] = inverse[c] * (q - mean_gradient[c] - h * mean_dot[c]);
                        }
                    }
                }
            }
        }
    }
}

/// Runs `statement` for every entry i of the n floats, with t the entry's index in a tiled operand:
/// blocks of `period` entries (the last may be short), t = 0 … at the start of each. Periods are
/// short multiples of 8 (40 floats for 20 channels), so the loop is vectorized eight entries at a
/// time without unrolling, which leaves no scalar remainder in a whole block, and without run-time
/// overlap checks (`assume_safety`: an output is either its input itself, which lane-wise updates
/// allow, or separate memory — with those checks every in-place call ran the scalar loop).
#define CK_TILED_LOOP(n, period, statement)                                     \
    for (long start = 0; start < (n); start += (period)) {                      \
        const long length = (n) - start < (period) ? (n) - start : (period);    \
        _Pragma("clang loop vectorize(assume_safety) vectorize_width(8) interleave_count(1)") \
        for (long t = 0; t < length; t++) {                                     \
            const long i = start + t;                                           \
            statement;                                                          \
        }                                                                       \
    }

CK_INLINE void tiled_sum_body(const float *x, float *sum, long n, long period) {
    CK_TILED_LOOP(n, period, sum[t] += x[i])
}

CK_INLINE void tiled_add_body(const float *row, float *y, long n, long period) {
    CK_TILED_LOOP(n, period, y[i] += row[t])
}

CK_INLINE void tiled_centre_body(const float *x, const float *mean, float *h, float *squares, long n, long period) {
#pragma clang fp contract(off)
    // Two loops rather than a test per entry, which would keep the compiler from vectorizing.
    if (h) {
        CK_TILED_LOOP(n, period, const float c = x[i] - mean[t]; h[i] = c; squares[t] += c * c)
    } else {
        CK_TILED_LOOP(n, period, const float c = x[i] - mean[t]; squares[t] += c * c)
    }
}

CK_INLINE void tiled_multiply_body(const float *a, const float *x, float *y, long n, long period) {
    CK_TILED_LOOP(n, period, y[i] = a[t] * x[i])
}

CK_INLINE void tiled_standardize_body(const float *x, const float *mean, const float *scale, float *y, long n,
                                      long period, int rectify) {
#pragma clang fp contract(off)
    CK_TILED_LOOP(n, period, const float s = (x[i] - mean[t]) * scale[t]; y[i] = rectify && s < 0.0f ? 0.0f : s)
}

CK_INLINE void tiled_affine_body(const float *x, const float *gamma, const float *beta, float *y, long n, long period) {
#pragma clang fp contract(off)
    CK_TILED_LOOP(n, period, y[i] = gamma[t] * x[i] + beta[t])
}

CK_INLINE void tiled_gradient_sums_body(const float *g, const float *h, float *sum, float *dot, long n, long period,
                                        int rectified) {
#pragma clang fp contract(off)
    CK_TILED_LOOP(n, period,
                  const float passed = rectified && !(h[i] > 0.0f) ? 0.0f : g[i]; sum[t] += passed; dot[t] += passed * h[i])
}

CK_INLINE void tiled_normalized_gradient_body(const float *g, const float *x, const float *mean, const float *inverse,
                                              const float *scale, const float *mean_gradient, const float *mean_dot,
                                              float *dx, long n, long period) {
#pragma clang fp contract(off)
    if (mean) {
        CK_TILED_LOOP(n, period,
                      const float h = (x[i] - mean[t]) * inverse[t];
                      dx[i] = scale[t] * (g[i] - mean_gradient[t] - h * mean_dot[t]))
    } else {
        CK_TILED_LOOP(n, period, dx[i] = scale[t] * (g[i] - mean_gradient[t] - x[i] * mean_dot[t]))
    }
}


#if defined(__x86_64__)
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
#else
int ck_instruction_set(void) { return 1; }
void ck_set_baseline(int baseline) { (void)baseline; }
#endif

CK_DISPATCHED(negative_exp_in_place, (float *x, long n), (x, n))
CK_DISPATCHED(binary_lift16, (const float *x, float *u, float *w, long rows, float beta, float q0, float q1, int sparsemax),
              (x, u, w, rows, beta, q0, q1, sparsemax))
CK_DISPATCHED(softmax_pullback8, (const float *u, const float *g, float *out, long rows, float beta, float q0, float q1, int jacobian),
              (u, g, out, rows, beta, q0, q1, jacobian))
CK_DISPATCHED_RESULT(int, contains_non_finite, (const float *x, long n), (x, n))
CK_DISPATCHED(im2col, (const float *x, long height, long width, long channels, long kernel, long stride, long padding,
                       long out_height, long out_width, long images, float *patches),
              (x, height, width, channels, kernel, stride, padding, out_height, out_width, images, patches))
CK_DISPATCHED(col2im, (const float *patches, long height, long width, long channels, long kernel, long stride, long padding,
                       long out_height, long out_width, long images, float *dx),
              (patches, height, width, channels, kernel, stride, padding, out_height, out_width, images, dx))
CK_DISPATCHED(max_pool, (const float *x, long height, long width, long channels, long kernel, long stride, long first_image,
                         long images, float *y, int *winners),
              (x, height, width, channels, kernel, stride, first_image, images, y, winners))
CK_DISPATCHED(unpool, (const float *g, const int *winners, long n, long base, float *dx), (g, winners, n, base, dx))
CK_DISPATCHED(convolve_one_channel,
              (const float *x, long height, long width, long kernel, long outs, const float *weights, const float *bias,
               long images, float *y),
              (x, height, width, kernel, outs, weights, bias, images, y))
CK_DISPATCHED(pool_normalized_gradient,
              (const float *g, const float *p, const int *winners, const float *y, const float *mean, const float *inverse,
               const float *mean_gradient, const float *mean_dot, long height, long width, long channels, long kernel,
               long first_image, long images, float *dy),
              (g, p, winners, y, mean, inverse, mean_gradient, mean_dot, height, width, channels, kernel, first_image, images,
               dy))
CK_DISPATCHED(sparsemax_pullback, (const float *u, const float *g, float *out, long rows, float half), (u, g, out, rows, half))
CK_DISPATCHED(relu, (const float *x, float *y, long n), (x, y, n))
CK_DISPATCHED(relu_backward, (const float *y, const float *dy, float *dx, long n), (y, dy, dx, n))
CK_DISPATCHED(adam, (float *w, const float *g, float *m, float *v, long n, float beta1, float beta2, float epsilon, float decay,
                     float step, float correction),
              (w, g, m, v, n, beta1, beta2, epsilon, decay, step, correction))
CK_DISPATCHED(tiled_sum, (const float *x, float *sum, long n, long period), (x, sum, n, period))
CK_DISPATCHED(tiled_add, (const float *row, float *y, long n, long period), (row, y, n, period))
CK_DISPATCHED(tiled_centre, (const float *x, const float *mean, float *h, float *squares, long n, long period),
              (x, mean, h, squares, n, period))
CK_DISPATCHED(tiled_multiply, (const float *a, const float *x, float *y, long n, long period), (a, x, y, n, period))
CK_DISPATCHED(tiled_standardize, (const float *x, const float *mean, const float *scale, float *y, long n, long period, int rectify),
              (x, mean, scale, y, n, period, rectify))
CK_DISPATCHED(tiled_affine, (const float *x, const float *gamma, const float *beta, float *y, long n, long period),
              (x, gamma, beta, y, n, period))
CK_DISPATCHED(tiled_gradient_sums, (const float *g, const float *h, float *sum, float *dot, long n, long period, int rectified),
              (g, h, sum, dot, n, period, rectified))
CK_DISPATCHED(tiled_normalized_gradient,
              (const float *g, const float *x, const float *mean, const float *inverse, const float *scale,
               const float *mean_gradient, const float *mean_dot, float *dx, long n, long period),
              (g, x, mean, inverse, scale, mean_gradient, mean_dot, dx, n, period))

#if defined(__x86_64__)
/// Twelve independent chains of vector multiply-adds a ← a·m + c (enough to cover the latency of two
/// FMA pipes), `iterations` rounds; the lanes' sum keeps the compiler from dropping the work.
#define CK_FMA_CHAINS(vector, lanes)                                                          \
    vector m = 0.999999f, c = 1e-6f;                                                         \
    vector a[12];                                                                            \
    for (int j = 0; j < 12; j++) a[j] = (float)j;                                            \
    for (long i = 0; i < iterations; i++) {                                                  \
        for (int j = 0; j < 12; j++) a[j] = __builtin_elementwise_fma(a[j], m, c);           \
        __asm__ volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]), "+x"(a[4]),    \
                         "+x"(a[5]), "+x"(a[6]), "+x"(a[7]), "+x"(a[8]), "+x"(a[9]),         \
                         "+x"(a[10]), "+x"(a[11]));                                          \
    }                                                                                        \
    float sum = 0;                                                                           \
    for (int j = 0; j < 12; j++)                                                             \
        for (int l = 0; l < lanes; l++) sum += a[j][l];                                      \
    return sum;

typedef float ck_fma_float16 __attribute__((ext_vector_type(16)));

__attribute__((target("avx2,fma"))) static float fma_chains_avx2(long iterations) { CK_FMA_CHAINS(ck_float8, 8) }
__attribute__((target("avx512f"))) static float fma_chains_avx512(long iterations) { CK_FMA_CHAINS(ck_fma_float16, 16) }

int ck_fma_lanes(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 16;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 8 : 0;
}

float ck_fma_chains(long iterations, int lanes) {
    switch (lanes) {
    case 16: return fma_chains_avx512(iterations);
    case 8: return fma_chains_avx2(iterations);
    default: return 0;
    }
}
#else
int ck_fma_lanes(void) { return 0; }
float ck_fma_chains(long iterations, int lanes) { (void)iterations; (void)lanes; return 0; }
#endif

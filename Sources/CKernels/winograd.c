// Winograd F(2×2, r×r) transforms for r×r convolutions of stride 1 on NHWC images, r = 3 or 5 (see
// CKernels.h and `Conv2d`'s Winograd path). One tile covers 2×2 outputs and reads an n×n input
// window, n = r + 1, at (2·ty − p, 2·tx − p); a transformed array holds n² planes ξ = n·i + j, each
// [tiles, channels]. In two dimensions V = Bᵀ·d·B, U = G·g·Gᵀ, Y = Aᵀ·(Σ_c U ⊙ V)·A, and the backward
// transforms are the transposes: ∂M = A·∂Y·Aᵀ, ∂d = B·∂V·Bᵀ, ∂g = Gᵀ·∂U·G. Each is two passes of a
// one-dimensional transform, down the columns, then along the rows.
//
// F(2, 3), points 0, 1, −1, ∞; input d₀…d₃, kernel g₀…g₂, y₀ = d₀g₀ + d₁g₁ + d₂g₂, y₁ = d₁g₀ + d₂g₁ + d₃g₂:
//   v = Bᵀd = (d₀ − d₂, d₁ + d₂, d₂ − d₁, d₁ − d₃)
//   u = Gg  = (g₀, (g₀ + g₁ + g₂)/2, (g₀ − g₁ + g₂)/2, g₂)
//   y = Aᵀm = (m₀ + m₁ + m₂, m₁ − m₂ − m₃)
// Halving is exact; every other step is one rounded addition.
//
// F(2, 5), points 0, 1, −1, 2, −2, ∞; input d₀…d₅, kernel g₀…g₄, y_i = Σ_k d_{i+k}g_k:
//   v = Bᵀd = (4d₀ − 5d₂ + d₄, −4d₁ − 4d₂ + d₃ + d₄, 4d₁ − 4d₂ − d₃ + d₄, −2d₁ − d₂ + 2d₃ + d₄,
//              2d₁ − d₂ − 2d₃ + d₄, 4d₁ − 5d₃ + d₅)
//   u = Gg  = c ⊙ Pg, P_jk = a_jᵏ for the points a = 0, 1, −1, 2, −2 and (0, 0, 0, 0, 1) for ∞,
//             c = (1/4, −1/6, −1/6, 1/24, 1/24, 1)
//   y = Aᵀm = (m₀ + m₁ + m₂ + m₃ + m₄, m₁ − m₂ + 2m₃ − 2m₄ + m₅)
// The weights are transformed as U = S ⊙ (P·g·Pᵀ) with S_ij = c_i·c_j = 1/(c_i⁻¹·c_j⁻¹), one
// correctly rounded division, and ∂g = Pᵀ·(S ⊙ ∂U)·P. Multiplying by 2, 4, 8 and 16 is exact; every
// other step is one rounded operation.
//
// Nothing is contracted, and each sum is taken in a fixed order, so both builds give the same bits.
#include "CKernels.h"
#include "dispatch.h"

/// The pointers into its NHWC image at `base` (height×width×channels) of the side×side window of tile
/// (ty, tx) starting at (2ty − shift, 2tx − shift), row by row, or `outside` where the window leaves
/// the image. Not vectorised: a vector load of entries just stored one by one would stall the tile.
CK_INLINE void tile_pointers(long ty, long tx, int side, long shift, long height, long width, long channels, float *base,
                             float *outside, float **pointers) {
    _Pragma("clang loop vectorize(disable)")
    for (int i = 0; i < side; i++) {
        const long iy = 2 * ty - shift + i;
        _Pragma("clang loop vectorize(disable)")
        for (int j = 0; j < side; j++) {
            const long ix = 2 * tx - shift + j;
            const int inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            pointers[side * i + j] = inside ? base + (iy * width + ix) * channels : outside;
        }
    }
}

// One-dimensional transforms of F(2, 5), each operation in the order written.

/// v = Bᵀd, from d[0], d[step], …, d[5·step] into v[0], v[vstep], ….
CK_INLINE void bt6(const float *d, int step, float *v, int vstep) {
#pragma clang fp contract(off)
    const float d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step], d4 = d[4 * step], d5 = d[5 * step];
    const float t0 = d4 - 4.0f * d2, t1 = d3 - 4.0f * d1, t2 = d4 - d2, t3 = 2.0f * (d3 - d1);
    v[0] = 4.0f * (d0 - d2) + t2;
    v[vstep] = t0 + t1;
    v[2 * vstep] = t0 - t1;
    v[3 * vstep] = t2 + t3;
    v[4 * vstep] = t2 - t3;
    v[5 * vstep] = 4.0f * (d1 - d3) + (d5 - d3);
}

/// y = Aᵀm for m[0], m[step], …, m[5·step].
CK_INLINE void at6(const float *m, int step, float *y, int ystep) {
#pragma clang fp contract(off)
    const float m0 = m[0], m1 = m[step], m2 = m[2 * step], m3 = m[3 * step], m4 = m[4 * step], m5 = m[5 * step];
    y[0] = (m0 + (m1 + m2)) + (m3 + m4);
    y[ystep] = ((m1 - m2) + 2.0f * (m3 - m4)) + m5;
}

/// u = Pg (unscaled) for g[0], g[step], …, g[4·step].
CK_INLINE void p6(const float *g, int step, float *u, int ustep) {
#pragma clang fp contract(off)
    const float g0 = g[0], g1 = g[step], g2 = g[2 * step], g3 = g[3 * step], g4 = g[4 * step];
    const float e1 = (g0 + g2) + g4, o1 = g1 + g3, e2 = (g0 + 4.0f * g2) + 16.0f * g4, o2 = 2.0f * (g1 + 4.0f * g3);
    u[0] = g0;
    u[ustep] = e1 + o1;
    u[2 * ustep] = e1 - o1;
    u[3 * ustep] = e2 + o2;
    u[4 * ustep] = e2 - o2;
    u[5 * ustep] = g4;
}

/// g = Pᵀs for s[0], s[step], …, s[5·step], into g[0], g[gstep], …, g[4·gstep].
CK_INLINE void pt6(const float *s, int step, float *g, int gstep) {
#pragma clang fp contract(off)
    const float s0 = s[0], s1 = s[step], s2 = s[2 * step], s3 = s[3 * step], s4 = s[4 * step], s5 = s[5 * step];
    const float a = s1 + s2, b = s3 + s4, c = s1 - s2, e = s3 - s4;
    g[0] = (s0 + a) + b;
    g[gstep] = c + 2.0f * e;
    g[2 * gstep] = a + 4.0f * b;
    g[3 * gstep] = c + 8.0f * e;
    g[4 * gstep] = (a + 16.0f * b) + s5;
}

/// ∂m = A·e for e[0], e[step] (the two outputs of a row or column).
CK_INLINE void a6(const float *e, int step, float *m, int mstep) {
#pragma clang fp contract(off)
    const float e0 = e[0], e1 = e[step];
    m[0] = e0;
    m[mstep] = e0 + e1;
    m[2 * mstep] = e0 - e1;
    m[3 * mstep] = e0 + 2.0f * e1;
    m[4 * mstep] = e0 - 2.0f * e1;
    m[5 * mstep] = e1;
}

/// ∂d = B·s for s[0], s[step], …, s[5·step].
CK_INLINE void b6(const float *s, int step, float *d, int dstep) {
#pragma clang fp contract(off)
    const float s0 = s[0], s1 = s[step], s2 = s[2 * step], s3 = s[3 * step], s4 = s[4 * step], s5 = s[5 * step];
    const float a = s1 + s2, b = s3 + s4, c = s1 - s2, e = s3 - s4, q = s0 + a;
    d[0] = 4.0f * s0;
    d[dstep] = 4.0f * (s5 - c) - 2.0f * e;
    d[2 * dstep] = -((4.0f * q + s0) + b);
    d[3 * dstep] = (c - s5) + 2.0f * (e - 2.0f * s5);
    d[4 * dstep] = q + b;
    d[5 * dstep] = s5;
}

/// c_i⁻¹ of F(2, 5)'s points (S_ij = 1/(c_i⁻¹·c_j⁻¹)).
static const float f25_inverse_scale[6] = {4.0f, -6.0f, -6.0f, 24.0f, 24.0f, 1.0f};

/// The n² scales S_ξ of F(2, 5)'s transformed weights.
CK_INLINE void f25_scales(float *scale) {
    for (int k = 0; k < 36; k++) scale[k] = 1.0f / (f25_inverse_scale[k / 6] * f25_inverse_scale[k % 6]);
}

// Per-tile work, one function per transform and kernel side, each vectorised across channels. The
// window's n² pixels (or the tile's 2×2 outputs) are at p[k] + c.

CK_INLINE void input_tile3(float *const *p, float *out, long channels, long plane) {
#pragma clang fp contract(off)
    _Pragma("clang loop vectorize(assume_safety)")
    for (long c = 0; c < channels; c++) {
        float d[16], r[16];
        for (int k = 0; k < 16; k++) d[k] = p[k][c];
        for (int j = 0; j < 4; j++) {
            r[j] = d[j] - d[8 + j];
            r[4 + j] = d[4 + j] + d[8 + j];
            r[8 + j] = d[8 + j] - d[4 + j];
            r[12 + j] = d[4 + j] - d[12 + j];
        }
        for (int i = 0; i < 4; i++) {
            out[(4 * i) * plane + c] = r[4 * i] - r[4 * i + 2];
            out[(4 * i + 1) * plane + c] = r[4 * i + 1] + r[4 * i + 2];
            out[(4 * i + 2) * plane + c] = r[4 * i + 2] - r[4 * i + 1];
            out[(4 * i + 3) * plane + c] = r[4 * i + 1] - r[4 * i + 3];
        }
    }
}

CK_INLINE void input_tile5(float *const *p, float *out, long channels, long plane) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long c = 0; c < channels; c++) {
        float d[36], r[36], v[36];
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) d[k] = p[k][c];
        _Pragma("clang loop unroll(full)") for (int j = 0; j < 6; j++) bt6(d + j, 6, r + j, 6);
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 6; k++) bt6(r + 6 * k, 1, v + 6 * k, 1);
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) out[k * plane + c] = v[k];
    }
}

CK_INLINE void output_tile3(const float *in, float *const *q, long outs, long plane) {
#pragma clang fp contract(off)
    _Pragma("clang loop vectorize(assume_safety)")
    for (long o = 0; o < outs; o++) {
        float s[16], r[8];
        for (int k = 0; k < 16; k++) s[k] = in[k * plane + o];
        for (int j = 0; j < 4; j++) {
            r[j] = (s[j] + s[4 + j]) + s[8 + j];
            r[4 + j] = (s[4 + j] - s[8 + j]) - s[12 + j];
        }
        for (int i = 0; i < 2; i++) {
            q[2 * i][o] = (r[4 * i] + r[4 * i + 1]) + r[4 * i + 2];
            q[2 * i + 1][o] = (r[4 * i + 1] - r[4 * i + 2]) - r[4 * i + 3];
        }
    }
}

CK_INLINE void output_tile5(const float *in, float *const *q, long outs, long plane) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long o = 0; o < outs; o++) {
        float s[36], r[12], y[4];
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) s[k] = in[k * plane + o];
        _Pragma("clang loop unroll(full)") for (int j = 0; j < 6; j++) at6(s + j, 6, r + j, 6);
        _Pragma("clang loop unroll(full)") for (int i = 0; i < 2; i++) at6(r + 6 * i, 1, y + 2 * i, 1);
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 4; k++) q[k][o] = y[k];
    }
}

CK_INLINE void output_gradient_tile3(float *const *q, float *out, long outs, long plane) {
#pragma clang fp contract(off)
    _Pragma("clang loop vectorize(assume_safety)")
    for (long o = 0; o < outs; o++) {
        const float e0 = q[0][o], e1 = q[1][o], e2 = q[2][o], e3 = q[3][o];
        // r = A·e (4×2): rows e₀, e₀ + e₁, e₀ − e₁, −e₁ of the 2×2 tile's rows.
        const float r[8] = {e0, e1, e0 + e2, e1 + e3, e0 - e2, e1 - e3, -e2, -e3};
        for (int i = 0; i < 4; i++) {
            out[(4 * i) * plane + o] = r[2 * i];
            out[(4 * i + 1) * plane + o] = r[2 * i] + r[2 * i + 1];
            out[(4 * i + 2) * plane + o] = r[2 * i] - r[2 * i + 1];
            out[(4 * i + 3) * plane + o] = -r[2 * i + 1];
        }
    }
}

CK_INLINE void output_gradient_tile5(float *const *q, float *out, long outs, long plane) {
    _Pragma("clang loop vectorize(assume_safety)")
    for (long o = 0; o < outs; o++) {
        float e[4], r[12], m[36];
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 4; k++) e[k] = q[k][o];
        _Pragma("clang loop unroll(full)") for (int j = 0; j < 2; j++) a6(e + j, 2, r + j, 2);
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 6; k++) a6(r + 2 * k, 1, m + 6 * k, 1);
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) out[k * plane + o] = m[k];
    }
}

CK_INLINE void input_gradient_tile3(const float *in, float *const *p, long channels, long plane) {
#pragma clang fp contract(off)
    _Pragma("clang loop vectorize(assume_safety)")
    for (long c = 0; c < channels; c++) {
        float s[16], r[16];
        for (int k = 0; k < 16; k++) s[k] = in[k * plane + c];
        for (int j = 0; j < 4; j++) {
            r[j] = s[j];
            r[4 + j] = (s[4 + j] - s[8 + j]) + s[12 + j];
            r[8 + j] = (s[4 + j] - s[j]) + s[8 + j];
            r[12 + j] = -s[12 + j];
        }
        for (int i = 0; i < 4; i++) {
            p[4 * i][c] += r[4 * i];
            p[4 * i + 1][c] += (r[4 * i + 1] - r[4 * i + 2]) + r[4 * i + 3];
            p[4 * i + 2][c] += (r[4 * i + 1] - r[4 * i]) + r[4 * i + 2];
            p[4 * i + 3][c] += -r[4 * i + 3];
        }
    }
}

CK_INLINE void input_gradient_tile5(const float *in, float *const *p, long channels, long plane) {
#pragma clang fp contract(off)
    _Pragma("clang loop vectorize(assume_safety)")
    for (long c = 0; c < channels; c++) {
        float s[36], r[36], d[36];
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) s[k] = in[k * plane + c];
        _Pragma("clang loop unroll(full)") for (int j = 0; j < 6; j++) b6(s + j, 6, r + j, 6);
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 6; k++) b6(r + 6 * k, 1, d + 6 * k, 1);
        _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) p[k][c] += d[k];
    }
}

CK_INLINE void winograd_input_body(const float *x, long height, long width, long channels, long kernel, long padding,
                                   long tiles_h, long tiles_w, long images, float *v) {
    float zeros[channels];
    for (long c = 0; c < channels; c++) zeros[c] = 0.0f;
    const int side = (int)kernel + 1;
    const long plane = images * tiles_h * tiles_w * channels;
    long t = 0;
    for (long image = 0; image < images; image++) {
        const float *pixels = x + image * height * width * channels;
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                float *p[36];
                tile_pointers(ty, tx, side, padding, height, width, channels, (float *)pixels, zeros, p);
                if (kernel == 3) input_tile3(p, v + t * channels, channels, plane);
                else input_tile5(p, v + t * channels, channels, plane);
            }
        }
    }
}

CK_INLINE void winograd_output_body(const float *m, long outs, long kernel, long tiles_h, long tiles_w, long out_h,
                                    long out_w, long images, float *y) {
    float discarded[outs];
    const long plane = images * tiles_h * tiles_w * outs;
    long t = 0;
    for (long image = 0; image < images; image++) {
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                float *q[4];
                tile_pointers(ty, tx, 2, 0, out_h, out_w, outs, y + image * out_h * out_w * outs, discarded, q);
                if (kernel == 3) output_tile3(m + t * outs, q, outs, plane);
                else output_tile5(m + t * outs, q, outs, plane);
            }
        }
    }
}

CK_INLINE void winograd_weights_body(const float *w, long outs, long channels, long kernel, float *u) {
#pragma clang fp contract(off)
    const long plane = outs * channels;
    float scale[36];
    if (kernel == 5) f25_scales(scale);
    for (long o = 0; o < outs; o++) {
        const float *g0 = w + o * kernel * kernel * channels;
        float *out = u + o * channels;
        if (kernel == 5) {
            _Pragma("clang loop vectorize(assume_safety)")
            for (long c = 0; c < channels; c++) {
                float g[25], r[30], v[36];
                _Pragma("clang loop unroll(full)") for (int k = 0; k < 25; k++) g[k] = g0[k * channels + c];
                _Pragma("clang loop unroll(full)") for (int j = 0; j < 5; j++) p6(g + j, 5, r + j, 5);
                _Pragma("clang loop unroll(full)") for (int k = 0; k < 6; k++) p6(r + 5 * k, 1, v + 6 * k, 1);
                _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) out[k * plane + c] = scale[k] * v[k];
            }
            continue;
        }
        _Pragma("clang loop vectorize(assume_safety)")
        for (long c = 0; c < channels; c++) {
            float g[9], r[12];
            for (int k = 0; k < 9; k++) g[k] = g0[k * channels + c];
            for (int j = 0; j < 3; j++) {
                r[j] = g[j];
                r[3 + j] = 0.5f * ((g[j] + g[3 + j]) + g[6 + j]);
                r[6 + j] = 0.5f * ((g[j] - g[3 + j]) + g[6 + j]);
                r[9 + j] = g[6 + j];
            }
            for (int i = 0; i < 4; i++) {
                out[(4 * i) * plane + c] = r[3 * i];
                out[(4 * i + 1) * plane + c] = 0.5f * ((r[3 * i] + r[3 * i + 1]) + r[3 * i + 2]);
                out[(4 * i + 2) * plane + c] = 0.5f * ((r[3 * i] - r[3 * i + 1]) + r[3 * i + 2]);
                out[(4 * i + 3) * plane + c] = r[3 * i + 2];
            }
        }
    }
}

CK_INLINE void winograd_output_gradient_body(const float *dy, long outs, long kernel, long tiles_h, long tiles_w,
                                             long out_h, long out_w, long images, float *dm) {
    float zeros[outs];
    for (long o = 0; o < outs; o++) zeros[o] = 0.0f;
    const long plane = images * tiles_h * tiles_w * outs;
    long t = 0;
    for (long image = 0; image < images; image++) {
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                float *q[4];
                tile_pointers(ty, tx, 2, 0, out_h, out_w, outs, (float *)dy + image * out_h * out_w * outs, zeros, q);
                if (kernel == 3) output_gradient_tile3(q, dm + t * outs, outs, plane);
                else output_gradient_tile5(q, dm + t * outs, outs, plane);
            }
        }
    }
}

CK_INLINE void winograd_input_gradient_body(const float *dv, long height, long width, long channels, long kernel,
                                            long padding, long tiles_h, long tiles_w, long images, float *dx) {
    float discarded[channels];
    for (long c = 0; c < channels; c++) discarded[c] = 0.0f;
    const int side = (int)kernel + 1;
    const long plane = images * tiles_h * tiles_w * channels;
    long t = 0;
    for (long image = 0; image < images; image++) {
        float *pixels = dx + image * height * width * channels;
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                float *p[36];
                tile_pointers(ty, tx, side, padding, height, width, channels, pixels, discarded, p);
                if (kernel == 3) input_gradient_tile3(dv + t * channels, p, channels, plane);
                else input_gradient_tile5(dv + t * channels, p, channels, plane);
            }
        }
    }
}

CK_INLINE void winograd_weight_gradient_body(const float *du, long outs, long channels, long kernel, float *dw) {
#pragma clang fp contract(off)
    const long plane = outs * channels;
    float scale[36];
    if (kernel == 5) f25_scales(scale);
    for (long o = 0; o < outs; o++) {
        const float *in = du + o * channels;
        float *g0 = dw + o * kernel * kernel * channels;
        if (kernel == 5) {
            _Pragma("clang loop vectorize(assume_safety)")
            for (long c = 0; c < channels; c++) {
                float s[36], r[30], g[25];
                _Pragma("clang loop unroll(full)") for (int k = 0; k < 36; k++) s[k] = scale[k] * in[k * plane + c];
                _Pragma("clang loop unroll(full)") for (int j = 0; j < 6; j++) pt6(s + j, 6, r + j, 6);
                _Pragma("clang loop unroll(full)") for (int k = 0; k < 5; k++) pt6(r + 6 * k, 1, g + 5 * k, 1);
                _Pragma("clang loop unroll(full)") for (int k = 0; k < 25; k++) g0[k * channels + c] = g[k];
            }
            continue;
        }
        _Pragma("clang loop vectorize(assume_safety)")
        for (long c = 0; c < channels; c++) {
            float s[16], r[12];
            for (int k = 0; k < 16; k++) s[k] = in[k * plane + c];
            for (int j = 0; j < 4; j++) {
                r[j] = s[j] + 0.5f * (s[4 + j] + s[8 + j]);
                r[4 + j] = 0.5f * (s[4 + j] - s[8 + j]);
                r[8 + j] = 0.5f * (s[4 + j] + s[8 + j]) + s[12 + j];
            }
            for (int k = 0; k < 3; k++) {
                g0[(3 * k) * channels + c] = r[4 * k] + 0.5f * (r[4 * k + 1] + r[4 * k + 2]);
                g0[(3 * k + 1) * channels + c] = 0.5f * (r[4 * k + 1] - r[4 * k + 2]);
                g0[(3 * k + 2) * channels + c] = 0.5f * (r[4 * k + 1] + r[4 * k + 2]) + r[4 * k + 3];
            }
        }
    }
}

CK_DISPATCHED(winograd_input, (const float *x, long height, long width, long channels, long kernel, long padding, long tiles_h,
                               long tiles_w, long images, float *v),
              (x, height, width, channels, kernel, padding, tiles_h, tiles_w, images, v))
CK_DISPATCHED(winograd_output, (const float *m, long outs, long kernel, long tiles_h, long tiles_w, long out_h, long out_w,
                                long images, float *y),
              (m, outs, kernel, tiles_h, tiles_w, out_h, out_w, images, y))
CK_DISPATCHED(winograd_weights, (const float *w, long outs, long channels, long kernel, float *u), (w, outs, channels, kernel, u))
CK_DISPATCHED(winograd_output_gradient, (const float *dy, long outs, long kernel, long tiles_h, long tiles_w, long out_h,
                                         long out_w, long images, float *dm),
              (dy, outs, kernel, tiles_h, tiles_w, out_h, out_w, images, dm))
CK_DISPATCHED(winograd_input_gradient, (const float *dv, long height, long width, long channels, long kernel, long padding,
                                        long tiles_h, long tiles_w, long images, float *dx),
              (dv, height, width, channels, kernel, padding, tiles_h, tiles_w, images, dx))
CK_DISPATCHED(winograd_weight_gradient, (const float *du, long outs, long channels, long kernel, float *dw),
              (du, outs, channels, kernel, dw))

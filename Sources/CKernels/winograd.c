// Winograd F(2×2, 3×3) transforms for 3×3 convolutions of stride 1 on NHWC images (see CKernels.h
// and `Conv2d`'s Winograd path). One tile covers 2×2 outputs and reads a 4×4 input window at
// (2·ty − p, 2·tx − p); a transformed array holds 16 planes ξ = 4i + j, each [tiles, channels].
//
// In one dimension, with input d₀…d₃, kernel g₀…g₂ and outputs y₀ = d₀g₀ + d₁g₁ + d₂g₂,
// y₁ = d₁g₀ + d₂g₁ + d₃g₂:
//   v = Bᵀd = (d₀ − d₂, d₁ + d₂, d₂ − d₁, d₁ − d₃)
//   u = Gg  = (g₀, (g₀ + g₁ + g₂)/2, (g₀ − g₁ + g₂)/2, g₂)
//   y = Aᵀ(u ⊙ v) with y₀ = m₀ + m₁ + m₂, y₁ = m₁ − m₂ − m₃
// and in two dimensions V = BᵀdB, U = GgGᵀ, Y = Aᵀ(Σ_c U ⊙ V)A. The backward transforms are the
// transposes: ∂M = A·∂Y·Aᵀ, ∂d = B·∂V·Bᵀ, ∂g = Gᵀ·∂U·G. Halving is exact; every other step is one
// rounded addition in a fixed order, and nothing is contracted, so both builds give the same bits.
#include "CKernels.h"
#include "dispatch.h"

/// The offsets in its NHWC image (height×width×channels) of the side×side window of tile (ty, tx)
/// starting at (2ty − shift, 2tx − shift), row by row, or −1 where the window leaves the image.
CK_INLINE void tile_offsets(long ty, long tx, int side, long shift, long height, long width, long channels, long *offsets) {
    for (int i = 0; i < side; i++) {
        for (int j = 0; j < side; j++) {
            const long iy = 2 * ty - shift + i, ix = 2 * tx - shift + j;
            const int inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
            offsets[side * i + j] = inside ? (iy * width + ix) * channels : -1;
        }
    }
}

CK_INLINE void winograd_input_body(const float *x, long height, long width, long channels, long padding, long tiles_h,
                                   long tiles_w, long images, float *v) {
#pragma clang fp contract(off)
    float zeros[channels];
    for (long c = 0; c < channels; c++) zeros[c] = 0.0f;
    const long plane = images * tiles_h * tiles_w * channels;
    long t = 0;
    for (long image = 0; image < images; image++) {
        const float *pixels = x + image * height * width * channels;
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                const float *p[16];
                long offsets[16];
                tile_offsets(ty, tx, 4, padding, height, width, channels, offsets);
                for (int k = 0; k < 16; k++) p[k] = offsets[k] < 0 ? zeros : pixels + offsets[k];
                float *out = v + t * channels;
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
        }
    }
}

CK_INLINE void winograd_output_body(const float *m, long outs, long tiles_h, long tiles_w, long out_h, long out_w,
                                    long images, float *y) {
#pragma clang fp contract(off)
    float discarded[outs];
    const long plane = images * tiles_h * tiles_w * outs;
    long t = 0;
    for (long image = 0; image < images; image++) {
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                float *q[4];
                long offsets[4];
                tile_offsets(ty, tx, 2, 0, out_h, out_w, outs, offsets);
                for (int k = 0; k < 4; k++) q[k] = offsets[k] < 0 ? discarded : y + image * out_h * out_w * outs + offsets[k];
                const float *in = m + t * outs;
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
        }
    }
}

CK_INLINE void winograd_weights_body(const float *w, long outs, long channels, float *u) {
#pragma clang fp contract(off)
    const long plane = outs * channels;
    for (long o = 0; o < outs; o++) {
        const float *g0 = w + o * 9 * channels;
        float *out = u + o * channels;
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

CK_INLINE void winograd_output_gradient_body(const float *dy, long outs, long tiles_h, long tiles_w, long out_h,
                                             long out_w, long images, float *dm) {
#pragma clang fp contract(off)
    float zeros[outs];
    for (long o = 0; o < outs; o++) zeros[o] = 0.0f;
    const long plane = images * tiles_h * tiles_w * outs;
    long t = 0;
    for (long image = 0; image < images; image++) {
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                const float *q[4];
                long offsets[4];
                tile_offsets(ty, tx, 2, 0, out_h, out_w, outs, offsets);
                for (int k = 0; k < 4; k++) q[k] = offsets[k] < 0 ? zeros : dy + image * out_h * out_w * outs + offsets[k];
                float *out = dm + t * outs;
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
        }
    }
}

CK_INLINE void winograd_input_gradient_body(const float *dv, long height, long width, long channels, long padding,
                                            long tiles_h, long tiles_w, long images, float *dx) {
#pragma clang fp contract(off)
    float discarded[channels];
    for (long c = 0; c < channels; c++) discarded[c] = 0.0f;
    const long plane = images * tiles_h * tiles_w * channels;
    long t = 0;
    for (long image = 0; image < images; image++) {
        float *pixels = dx + image * height * width * channels;
        for (long ty = 0; ty < tiles_h; ty++) {
            for (long tx = 0; tx < tiles_w; tx++, t++) {
                float *p[16];
                long offsets[16];
                tile_offsets(ty, tx, 4, padding, height, width, channels, offsets);
                for (int k = 0; k < 16; k++) p[k] = offsets[k] < 0 ? discarded : pixels + offsets[k];
                const float *in = dv + t * channels;
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
        }
    }
}

CK_INLINE void winograd_weight_gradient_body(const float *du, long outs, long channels, float *dw) {
#pragma clang fp contract(off)
    const long plane = outs * channels;
    for (long o = 0; o < outs; o++) {
        const float *in = du + o * channels;
        float *g0 = dw + o * 9 * channels;
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

CK_DISPATCHED(winograd_input, (const float *x, long height, long width, long channels, long padding, long tiles_h, long tiles_w,
                               long images, float *v),
              (x, height, width, channels, padding, tiles_h, tiles_w, images, v))
CK_DISPATCHED(winograd_output, (const float *m, long outs, long tiles_h, long tiles_w, long out_h, long out_w, long images, float *y),
              (m, outs, tiles_h, tiles_w, out_h, out_w, images, y))
CK_DISPATCHED(winograd_weights, (const float *w, long outs, long channels, float *u), (w, outs, channels, u))
CK_DISPATCHED(winograd_output_gradient, (const float *dy, long outs, long tiles_h, long tiles_w, long out_h, long out_w, long images,
                                         float *dm),
              (dy, outs, tiles_h, tiles_w, out_h, out_w, images, dm))
CK_DISPATCHED(winograd_input_gradient, (const float *dv, long height, long width, long channels, long padding, long tiles_h,
                                        long tiles_w, long images, float *dx),
              (dv, height, width, channels, padding, tiles_h, tiles_w, images, dx))
CK_DISPATCHED(winograd_weight_gradient, (const float *du, long outs, long channels, float *dw), (du, outs, channels, dw))

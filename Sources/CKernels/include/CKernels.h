// PMFKit's own vector kernels (the GSL and OpenBLAS declarations live in CGSL).
//
// The small eight-lane helpers below are inline, for Swift loops and the kernels alike. The bulk
// kernels (the functions declared without a body) are compiled twice in kernels.c, for AVX2 + FMA
// and for baseline x86-64, and pick one at run time: the AVX2 version on processors that have it,
// the baseline one otherwise or when `ck_set_baseline(1)` asks for it.
// Both give the same bits: every multiply-add is an explicit fused one (one rounding, which the
// baseline version gets from libm's `fmaf`), division and square root are correctly rounded, and
// nothing is contracted (`#pragma clang fp contract(off)`).
#ifndef CKERNELS_H
#define CKERNELS_H

#define CK_INLINE static inline __attribute__((always_inline))

/// A spin-wait hint for the processor (x86 `pause`), used by the worker team while it polls.
CK_INLINE void ck_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/// Eight single-precision lanes; Swift imports this type as `SIMD8<Float>`.
typedef float ck_float8 __attribute__((ext_vector_type(8)));

// Eight two-entry rows held in two vectors a (rows 0–3) and b (rows 4–7) are split into their first
// and second entries without crossing the 128-bit halves of a register (one `vshufps` each): the
// rows then sit in the lane order 0 1 4 5 2 3 6 7. `ck_zip_low8`/`ck_zip_high8` put such split
// entries back into rows 0–3 and 4–7, and `ck_row_order8` converts a vector of one value per row
// between that order and the natural one (it is its own inverse).

/// The first entries of the eight rows in a ++ b, in lane order 0 1 4 5 2 3 6 7.
CK_INLINE ck_float8 ck_first_entries8(ck_float8 a, ck_float8 b) { return __builtin_shufflevector(a, b, 0, 2, 8, 10, 4, 6, 12, 14); }
/// The second entries of the eight rows in a ++ b, in lane order 0 1 4 5 2 3 6 7.
CK_INLINE ck_float8 ck_second_entries8(ck_float8 a, ck_float8 b) { return __builtin_shufflevector(a, b, 1, 3, 9, 11, 5, 7, 13, 15); }
/// Rows 0–3 (x₀, y₀, …, x₃, y₃) from entries x, y in lane order 0 1 4 5 2 3 6 7.
CK_INLINE ck_float8 ck_zip_low8(ck_float8 x, ck_float8 y) { return __builtin_shufflevector(x, y, 0, 8, 1, 9, 4, 12, 5, 13); }
/// Rows 4–7 from entries x, y in lane order 0 1 4 5 2 3 6 7.
CK_INLINE ck_float8 ck_zip_high8(ck_float8 x, ck_float8 y) { return __builtin_shufflevector(x, y, 2, 10, 3, 11, 6, 14, 7, 15); }
/// Lanes 0 1 4 5 2 3 6 7 of v: natural row order ↔ the split order above.
CK_INLINE ck_float8 ck_row_order8(ck_float8 v) { return __builtin_shufflevector(v, v, 0, 1, 4, 5, 2, 3, 6, 7); }

/// Eight 32-bit integer lanes (lane masks are all ones or all zeros).
typedef int ck_int8 __attribute__((ext_vector_type(8)));
/// Eight unsigned 32-bit integer lanes (wrapping arithmetic).
typedef unsigned ck_uint8 __attribute__((ext_vector_type(8)));

/// mask ? a : b, lane by lane.
CK_INLINE ck_float8 ck_select8(ck_int8 mask, ck_float8 a, ck_float8 b) {
    return (ck_float8)(((ck_int8)a & mask) | ((ck_int8)b & ~mask));
}

/// x clamped to [0, 1] lane by lane (NaN stays NaN): one compare and select per bound, where
/// Swift's generic `clamped` became two out-of-line calls per vector.
CK_INLINE ck_float8 ck_clamp_unit8(ck_float8 x) {
    const ck_float8 zero = 0.0f, one = 1.0f;
    return ck_select8(x < zero, zero, ck_select8(x > one, one, x));
}

/// exp(x) for eight non-positive floats at once (Cephes' expf: x = n·ln 2 + r with |r| ≤ ln2/2, a
/// degree-6 polynomial for eʳ, and 2ⁿ assembled in the exponent bits); within 2 ulp of `expf`.
/// Inputs below −87.33654 (where eˣ leaves the normal range) give exactly 0, as does −∞; NaN gives
/// NaN. Written in C so the whole computation stays in 256-bit registers (Swift's generic SIMD
/// operations were split into 128-bit halves). The multiply-adds are explicit fused ones (one
/// rounding each, as IEEE 754 defines them), so results do not depend on the compiler or the target:
/// the baseline path without FMA instructions gets the same values from libm's `fmaf`.
CK_INLINE ck_float8 ck_negative_exp8(ck_float8 x) {
#pragma clang fp contract(off)
    const ck_float8 lowest = -87.33654f, zero = 0.0f, magic = 12582912.0f;
    const ck_int8 low = x < lowest;
    // A NaN input runs through as garbage (unsigned integer arithmetic, so nothing overflows) and
    // is restored at the end by adding x − x, which is 0 for finite x and NaN for NaN.
    const ck_float8 clamped = ck_select8(low, lowest, x);
    // Round x·log₂e to the nearest integer n by adding 1.5·2²³: the sum's low mantissa bits then
    // hold n (|n| ≤ 126), read back as an integer without a conversion instruction.
    const ck_float8 shifted = __builtin_elementwise_fma(clamped, (ck_float8)1.44269504f, magic);
    const ck_float8 n = shifted - magic;
    // r = x − n·ln 2 with ln 2 split in two (Cody–Waite), the polynomial by Horner's rule.
    ck_float8 r = __builtin_elementwise_fma(n, (ck_float8)-0.693359375f, clamped);
    r = __builtin_elementwise_fma(n, (ck_float8)2.1219444e-4f, r);
    ck_float8 p = __builtin_elementwise_fma((ck_float8)1.98756915e-4f, r, (ck_float8)1.39819995e-3f);
    p = __builtin_elementwise_fma(p, r, (ck_float8)8.3334519e-3f);
    p = __builtin_elementwise_fma(p, r, (ck_float8)4.16657959e-2f);
    p = __builtin_elementwise_fma(p, r, (ck_float8)1.66666655e-1f);
    p = __builtin_elementwise_fma(p, r, (ck_float8)5.00000012e-1f);
    p = __builtin_elementwise_fma(p, r * r, r + 1.0f);
    const ck_uint8 exponent = (ck_uint8)shifted - (ck_uint8)magic;
    const ck_float8 scale = (ck_float8)((exponent + 127u) << 23);
    return ck_select8(low, zero, p * scale + (x - x));
}

/// Sixteen single-precision lanes; Swift imports this type as `SIMD16<Float>`.
typedef float ck_float16 __attribute__((ext_vector_type(16)));

/// softmax of eight binary rows from z = β(x₁ − x₀): e = exp(−|z|), the larger entry 1/(1+e), the
/// smaller e/(1+e); u₁ is the larger where z ≥ 0. Lanes 0–7 hold u₀, lanes 8–15 u₁.
CK_INLINE ck_float16 ck_softmax_split8(ck_float8 z) {
#pragma clang fp contract(off)
    const ck_float8 zero = 0.0f, one = 1.0f;
    const ck_float8 e = ck_negative_exp8(ck_select8(z > zero, -z, z));
    const ck_float8 big = one / (one + e), small = e * big;
    const ck_int8 positive = z >= zero;
    return __builtin_shufflevector(ck_select8(positive, small, big), ck_select8(positive, big, small),
                                   0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// sparsemax of eight binary rows from z = β(x₁ − x₀): (1 − s, s) with s = clamp((z + 1)/2, 0, 1).
/// Lanes 0–7 hold u₀, lanes 8–15 u₁.
CK_INLINE ck_float16 ck_sparsemax_split8(ck_float8 z) {
#pragma clang fp contract(off)
    const ck_float8 s = ck_clamp_unit8((z + 1.0f) * 0.5f);
    return __builtin_shufflevector(1.0f - s, s, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// x ← exp(x) for n non-positive floats in place, eight at a time through `ck_negative_exp8`
/// (the last n mod 8 through a zero-padded copy, so every entry gets the same arithmetic).
void ck_negative_exp_in_place(float *x, long n);

/// u = P(βx) row by row for `rows` binary rows (a multiple of 16; x and u hold interleaved pairs),
/// P = sparsemax when `sparsemax` is non-zero and softmax otherwise, and w = u₀q₀ + u₁q₁. Sixteen
/// rows per pass: two groups of eight side by side, so the processor overlaps the latencies of
/// their exp/divide chains (13 % fewer cycles than one group per pass, measured with perf).
void ck_binary_lift16(const float *x, float *u, float *w, long rows, float beta, float q0, float q1, int sparsemax);

/// The matrices `ck_softmax_pullback8` multiplies by (Simplex's `SoftmaxJacobian`).
enum {
    /// β(diag(s) − ssᵀ), the Jacobian of softmax(βx) at s.
    CK_JACOBIAN_EXACT = 0,
    /// β(I − s′s′ᵀ) with s′ = softmax(β·s), the reference code's two-softmax form.
    CK_JACOBIAN_REFERENCE = 1,
    /// β(I − ssᵀ).
    CK_JACOBIAN_ONE_SOFTMAX = 2,
};

/// The pullback of w = softmax(βx)·q to x for `rows` binary rows (a multiple of 8; u and out hold
/// interleaved pairs, u = softmax(βx)) given g = ∂L/∂w, for the matrix `jacobian` names:
/// exact out_λ = β g s_λ (q_λ − w) with w = ⟨s, q⟩; one-softmax out_λ = β g (q_λ − s_λ w); reference
/// the one-softmax formula at s′ = softmax(β·s) (split by `ck_softmax_split8` from z = β(s₁ − s₀),
/// as the lift splits softmax(βx)) and w′ = ⟨s′, q⟩. w is formed again from u as
/// `ck_binary_lift16` forms it, the same value bit for bit, which is cheaper than reading it back.
void ck_softmax_pullback8(const float *u, const float *g, float *out, long rows, float beta, float q0, float q1, int jacobian);

// Elementwise training kernels (the optimizer, ReLU, BatchNorm and bias passes). Entry by entry they
// compute what their comments say with each operation rounded once (no fused multiply-add), so all
// instruction sets and vector widths give the same bits. A *tiled* operand holds `period` floats
// that repeat along the n entries — entry i reads or accumulates index i mod period — which is how
// per-column vectors of a row-major matrix are laid out by the NeuralNet module's ColumnTiling.
// Arrays passed to one call either are the same array (where a comment says "may be") or do not
// overlap at all.

/// The patch matrix of `images` NHWC images of height×width×channels at x for a kernel×kernel
/// convolution with `stride` and zero `padding`: row (image, oy, ox) of kernel·kernel·channels floats
/// holds, for ky and then kx, the pixel (oy·stride − padding + ky, ox·stride − padding + kx), or zeros
/// outside the image; out_height × out_width rows per image.
void ck_im2col(const float *x, long height, long width, long channels, long kernel, long stride, long padding,
               long out_height, long out_width, long images, float *patches);
/// A kernel×kernel convolution of `images` single-channel images (height×width, stride 1, no
/// padding) to `outs` channels, NHWC: y[n, oy, ox, o] = Σ over ky, then kx, of x[n, oy+ky, ox+kx]·
/// weights[(ky·kernel + kx)·outs + o], starting from 0 with every product and sum rounded, then
/// + bias[o] (none when bias is NULL).
void ck_convolve_one_channel(const float *x, long height, long width, long kernel, long outs, const float *weights,
                             const float *bias, long images, float *y);
// Winograd F(2×2, r×r) for r×r convolutions of stride 1, r = `kernel` = 3 or 5 (winograd.c has the
// transforms). With n = r + 1, a transformed array of T tiles holds n² planes ξ = n·i + j of
// [T, channels] floats; tile t is (image, ty, tx) in that order, covers outputs (2ty + i, 2tx + j)
// for i, j < 2 and reads the input window (2ty − padding + i, 2tx − padding + j) for i, j < n, zero
// outside the image.
/// V = Bᵀ·d·B of every tile of `images` NHWC images at x (tiles_h × tiles_w tiles each).
void ck_winograd_input(const float *x, long height, long width, long channels, long kernel, long padding, long tiles_h,
                       long tiles_w, long images, float *v);
/// Y = Aᵀ·M·A of every tile of M (n² planes of [T, outs]) into the NHWC outputs at y
/// (out_h × out_w each); outputs past the image's edge are dropped.
void ck_winograd_output(const float *m, long outs, long kernel, long tiles_h, long tiles_w, long out_h, long out_w, long images,
                        float *y);
/// U = G·g·Gᵀ for every kernel g = w[o, ·, ·, c] of w ([outs, r, r, channels]): n² planes of [outs, channels].
void ck_winograd_weights(const float *w, long outs, long channels, long kernel, float *u);
/// ∂M = A·∂Y·Aᵀ of every tile of the NHWC output gradient dy (zero past the image's edge).
void ck_winograd_output_gradient(const float *dy, long outs, long kernel, long tiles_h, long tiles_w, long out_h, long out_w,
                                 long images, float *dm);
/// Adds B·∂V·Bᵀ of every tile to its input window in the NHWC gradient dx (entries outside the
/// image dropped), tile after tile.
void ck_winograd_input_gradient(const float *dv, long height, long width, long channels, long kernel, long padding,
                                long tiles_h, long tiles_w, long images, float *dx);
/// ∂g = Gᵀ·∂U·G for every (o, c) of ∂U (n² planes of [outs, channels]) into dw ([outs, r, r, channels]).
void ck_winograd_weight_gradient(const float *du, long outs, long channels, long kernel, float *dw);
/// The adjoint of `ck_im2col`: every patch entry of `images` images is added to the pixel it was
/// copied from in dx (entries outside the image are dropped), patch row by patch row, ky then kx.
void ck_col2im(const float *patches, long height, long width, long channels, long kernel, long stride, long padding,
               long out_height, long out_width, long images, float *dx);
/// Max pooling of the NHWC images first_image ..< first_image + images of x (height×width×channels,
/// kernel×kernel windows, `stride`, no padding): y holds each window's maximum and `winners` the
/// offset in x of the input it came from, the first in ky-then-kx order on ties (a NaN never wins
/// over the first entry), both at the output offsets of those images. With `winners` NULL only the
/// maxima are formed (evaluation), the same values.
void ck_max_pool(const float *x, long height, long width, long channels, long kernel, long stride, long first_image,
                 long images, float *y, int *winners);
/// dx[winners[i] − base] += g[i] for i < n, in order.
void ck_unpool(const float *g, const int *winners, long n, long base, float *dx);
/// The gradient through max pooling (kernel×kernel windows, stride kernel), ReLU and BatchNorm
/// without γ and β, for the NHWC images first_image ..< first_image + images of the convolution
/// output y (height×width×channels, y pointing at the batch's first image): with q the pooled
/// gradient g at a window's winner (`ck_max_pool`'s offsets into y) where the pooled output p > 0,
/// and 0 at every other input, dy = a·(q − mean_gradient − h·mean_dot), h = (y − mean)·a, a =
/// inverse (per channel, `channels` floats each), rounded as `ck_tiled_normalized_gradient` rounds
/// it. dy points at the first image's gradient.
void ck_pool_normalized_gradient(const float *g, const float *p, const int *winners, const float *y, const float *mean,
                                 const float *inverse, const float *mean_gradient, const float *mean_dot, long height,
                                 long width, long channels, long kernel, long first_image, long images, float *dy);
/// Non-zero when any of the n floats is NaN or ±∞.
int ck_contains_non_finite(const float *x, long n);
/// y = max(x, 0) (y may be x).
void ck_relu(const float *x, float *y, long n);
/// dx = dy where y > 0, else 0.
void ck_relu_backward(const float *y, const float *dy, float *dx, long n);
/// One Adam update: d = g + decay·w; m ← β₁m + (1−β₁)d; v ← β₂v + (1−β₂)d·d;
/// w ← w − step·m / (√v·correction + ε).
void ck_adam(float *w, const float *g, float *m, float *v, long n, float beta1, float beta2, float epsilon, float decay,
             float step, float correction);
/// sum (tiled) += x.
void ck_tiled_sum(const float *x, float *sum, long n, long period);
/// y += row (tiled).
void ck_tiled_add(const float *row, float *y, long n, long period);
/// c = x − mean (tiled); h = c (unless h is NULL; h may be x); squares (tiled) += c·c.
void ck_tiled_centre(const float *x, const float *mean, float *h, float *squares, long n, long period);
/// y = a (tiled) · x (y may be x).
void ck_tiled_multiply(const float *a, const float *x, float *y, long n, long period);
/// y = (x − mean)·scale (mean, scale tiled), then max(y, 0) when `rectify` is non-zero (y may be x).
void ck_tiled_standardize(const float *x, const float *mean, const float *scale, float *y, long n, long period, int rectify);
/// y = γ·x + β (γ, β tiled; y may be x).
void ck_tiled_affine(const float *x, const float *gamma, const float *beta, float *y, long n, long period);
/// p = g, or with `rectified` p = g where h > 0 and 0 elsewhere; sum (tiled) += p and dot (tiled) += p·h.
void ck_tiled_gradient_sums(const float *g, const float *h, float *sum, float *dot, long n, long period, int rectified);
/// dx = scale·(g − mean_gradient − h·mean_dot) (all but g, x, dx tiled), with h = (x − mean)·inverse,
/// or h = x when mean is NULL (dx may be g).
void ck_tiled_normalized_gradient(const float *g, const float *x, const float *mean, const float *inverse, const float *scale,
                                  const float *mean_gradient, const float *mean_dot, float *dx, long n, long period);

/// The pullback of w = sparsemax(βx)·q to x for `rows` binary rows (u and out hold interleaved
/// pairs) given g = ∂L/∂w: out = (v, −v) with v = half·g inside the simplex (both u entries
/// positive) and 0 at a vertex, where the caller passes half = β(q₀ − q₁)/2.
void ck_sparsemax_pullback(const float *u, const float *g, float *out, long rows, float half);

/// The widest vector multiply-add this processor runs, in float lanes: 16 with AVX-512, 8 with AVX2 +
/// FMA, 0 without (or off x86-64), for `ck_fma_chains`.
int ck_fma_lanes(void);

/// The peak-rate probe: `iterations` rounds of twelve independent `lanes`-wide multiply-add chains
/// (24·lanes floating-point operations a round, nothing read from memory); returns the lanes' sum so
/// the work cannot be dropped. `lanes` must be a value `ck_fma_lanes` can return (0 does nothing).
float ck_fma_chains(long iterations, int lanes);

/// The instruction set the bulk kernels run with: 2 for AVX2 + FMA, 1 for baseline x86-64 (or
/// another architecture's portable C).
int ck_instruction_set(void);

/// Non-zero: run the bulk kernels' baseline version even where AVX2 is available (tests compare the
/// two paths); zero: choose by the processor again.
void ck_set_baseline(int baseline);

#endif

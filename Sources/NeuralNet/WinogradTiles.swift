import CKernels

/// Winograd's F(2×2, r×r) for one r×r convolution of stride 1 on NHWC images, r = 3 or 5: the
/// per-group work of `Conv2d`'s `winograd` algorithm.
///
/// Each tile covers 2×2 outputs and reads an n×n input window d, n = r + 1 (zero outside the image).
/// With U = G·g·Gᵀ for each kernel g = W[o, ·, ·, c] and V = Bᵀ·d·B for each tile and input channel
/// (n×n each; winograd.c gives B, G, A for both sizes), a group of T tiles is n² products, one per
/// entry ξ of the n×n transforms:
///
///     M_ξ [T, O] = V_ξ [T, C] · U_ξᵀ,   y_tile = Aᵀ·M·A  (2×2 per tile and output channel),
///     ∂M = A·∂y_tile·Aᵀ,  ∂U_ξ [O, C] += ∂M_ξᵀ · V_ξ,  ∂V_ξ = ∂M_ξ · U_ξ,  ∂d += B·∂V·Bᵀ,  ∂W = Gᵀ·∂U·G,
///
/// exactly the gradients of the forward pass, whose value in exact arithmetic is the convolution's.
/// The products cost n²·C·O multiply-adds per tile where im2col + sgemm costs 4·r²·C·O: 16 against 36
/// for r = 3 (2.25 times fewer), 36 against 100 for r = 5 (2.78 times fewer).
///
/// Rounding: every output, and every entry of ∂x and ∂W, is a sum of products computed along paths
/// of at most n = L + k rounded operations, L being the length of the inner product (C for y, O for
/// ∂x, the tiles for ∂W; the fold of per-chunk sums included), k = 16 for r = 3 (whose transforms
/// multiply by ±1 and ½ only, exactly) and k = 32 for r = 5 (whose G scales by 1/4, −1/6 and 1/24:
/// one rounded constant and one rounded product per scaled entry, sums of up to six terms in each
/// one-dimensional pass, and up to nine overlapping windows summed into an entry of ∂x). Hence
/// |computed − exact| ≤ γₙ·E with γₙ = n·u/(1 − n·u), u = 2⁻²⁴, and E the same algorithm evaluated
/// on |x|, |W|, |∂y| with |B|, |G|, |A| (the standard bound for sums and products; `WinogradTests`
/// checks it against sums in double).
struct WinogradTiles {
    let height, width, channels, outs, kernel, padding, outHeight, outWidth: Int

    /// The kernel sides the transforms exist for.
    static let kernels: Set<Int> = [3, 5]

    var tilesHigh: Int { (outHeight + 1) / 2 }
    var tilesWide: Int { (outWidth + 1) / 2 }
    var tilesPerImage: Int { tilesHigh * tilesWide }
    /// n², the entries of one transformed window: the number of products per group.
    var planes: Int { (kernel + 1) * (kernel + 1) }
    /// The floats of U (and of ∂U): n² planes of [O, C].
    var weightFloats: Int { planes * outs * channels }
    /// The floats a group needs per image: its transformed tiles V (n² planes of [tiles, C]) and their
    /// products M or output gradients ∂M (n² planes of [tiles, O]).
    var floatsPerImage: Int { planes * tilesPerImage * (channels + outs) }

    /// U = G·g·Gᵀ of every kernel of `w` ([O, r, r, C]) into `u`.
    func transformWeights(_ w: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        ck_winograd_weights(w, outs, channels, kernel, u)
    }

    /// The convolution of the `images` NHWC images at `x` with the transformed weights `u`, into the
    /// output rows at `y`, using `buffer` (`images · floatsPerImage` floats) on the calling thread.
    func forward(_ x: UnsafePointer<Float>, images: Int, weights u: UnsafePointer<Float>,
                 buffer: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let tiles = images * tilesPerImage, v = buffer, m = buffer + planes * tiles * channels
        ck_winograd_input(x, height, width, channels, kernel, padding, tilesHigh, tilesWide, images, v)
        for xi in 0 ..< planes {
            gemm(transposeA: false, transposeB: true, m: tiles, n: outs, k: channels, v + xi * tiles * channels, lda: channels,
                 u + xi * outs * channels, ldb: channels, m + xi * tiles * outs, ldc: outs, serial: true)
        }
        ck_winograd_output(m, outs, kernel, tilesHigh, tilesWide, outHeight, outWidth, images, y)
    }

    /// For the `images` images at `x` and their output gradient `dy`: adds ∂U to `du` (n² planes of
    /// [O, C]) and, when `dx` is given, B·∂V·Bᵀ to the images' input gradient there, using `buffer`.
    func backward(_ x: UnsafePointer<Float>, gradient dy: UnsafePointer<Float>, images: Int, weights u: UnsafePointer<Float>,
                  buffer: UnsafeMutablePointer<Float>, weightGradient du: UnsafeMutablePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>?) {
        let tiles = images * tilesPerImage, v = buffer, dm = buffer + planes * tiles * channels
        ck_winograd_input(x, height, width, channels, kernel, padding, tilesHigh, tilesWide, images, v)
        ck_winograd_output_gradient(dy, outs, kernel, tilesHigh, tilesWide, outHeight, outWidth, images, dm)
        for xi in 0 ..< planes {
            gemm(transposeA: true, transposeB: false, m: outs, n: channels, k: tiles, dm + xi * tiles * outs, lda: outs,
                 v + xi * tiles * channels, ldb: channels, beta: 1, du + xi * outs * channels, ldc: channels, serial: true)
        }
        guard let dx else { return }
        for xi in 0 ..< planes {  // ∂V over V, which is no longer needed
            gemm(transposeA: false, transposeB: false, m: tiles, n: channels, k: outs, dm + xi * tiles * outs, lda: outs,
                 u + xi * outs * channels, ldb: channels, v + xi * tiles * channels, ldc: channels, serial: true)
        }
        ck_winograd_input_gradient(v, height, width, channels, kernel, padding, tilesHigh, tilesWide, images, dx)
    }

    /// ∂W = Gᵀ·∂U·G of the summed ∂U into `dw` ([O, r, r, C]).
    func weightGradient(_ du: UnsafePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
        ck_winograd_weight_gradient(du, outs, channels, kernel, dw)
    }
}

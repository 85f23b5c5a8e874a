/// A contiguous, shaped buffer of `Float`s with reference semantics.
///
/// Layers own their outputs and overwrite them in place on every step, and take gradients and
/// scratch from a `Workspace` that hands the same buffers out again, so a training step allocates
/// nothing once the shapes are settled; a tensor is only reallocated when `resize(to:)`
/// asks for more elements than it has ever held. Layout is row-major (the last axis changes
/// fastest); images are NHWC.
public final class Tensor {
    /// The extent of each axis.
    public private(set) var shape: [Int]
    /// The number of elements, the product of `shape`.
    public private(set) var count: Int
    /// The first element; valid for `count` elements.
    public private(set) var data: UnsafeMutablePointer<Float>
    /// The elements the buffer holds, the most `count` has ever been.
    private(set) var capacity: Int

    /// A tensor of the given shape with every element `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in tensor shape \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        capacity = max(count, 1)
        data = .allocate(capacity: capacity)
        data.initialize(repeating: value, count: capacity)
    }

    /// A tensor holding `values` (row-major) in the given shape.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values do not fill shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    deinit { data.deallocate() }

    /// Gives the tensor a new shape, keeping the buffer when it is large enough. The contents are
    /// unspecified afterwards unless the element count is unchanged.
    public func resize(to newShape: [Int]) {
        guard newShape != shape else { return }
        let newCount = newShape.reduce(1, *)
        if newCount > capacity {
            data.deallocate()
            capacity = newCount
            data = .allocate(capacity: capacity)
            data.initialize(repeating: 0, count: capacity)
        }
        shape = newShape
        count = newCount
    }

    /// The elements as a mutable buffer (valid while the tensor lives and is not resized).
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }

    /// A copy of the elements.
    public var array: [Float] { Array(buffer) }

    /// Element `i` of the flat, row-major storage.
    public subscript(i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    /// Sets every element to zero.
    public func zero() { data.update(repeating: 0, count: count) }

    /// Takes the shape and contents of `other`.
    public func copy(from other: Tensor) {
        resize(to: other.shape)
        data.update(from: other.data, count: count)
    }

    /// Replaces the contents with `values`, which must have `count` elements.
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "\(values.count) values do not fill shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }
}

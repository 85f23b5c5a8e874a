import RealModule

/// The scalar types the simplex math is written for: `Float` (network training) and `Double`
/// (theory checks and MRFs). Everything in this module is generic over it and `@inlinable`, so a
/// caller in another module gets a specialised, non-generic copy.
public typealias SimplexScalar = Real & BinaryFloatingPoint & Sendable

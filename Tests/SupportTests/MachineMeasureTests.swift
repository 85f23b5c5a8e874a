import Foundation
import Support
import Testing

/// The two machine measurements `pmf bench train` reports beside its timings.
@Suite(.serialized) struct MachineMeasureTests {
    /// 64 MiB written page by page raise the peak by at least that much; after they are freed, a reset
    /// brings the peak down to what the process holds (within what other tests, running in parallel in
    /// the same process, may allocate meanwhile).
    @Test func peakResidentMemorySeesAnAllocationAndIsReset() throws {
        #expect(resetPeakResidentMemory())
        let before = try #require(peakResidentMemory())
        let size = 64 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        for offset in stride(from: 0, to: size, by: 4096) { buffer.storeBytes(of: UInt8(offset & 255), toByteOffset: offset, as: UInt8.self) }
        let raised = try #require(peakResidentMemory())
        #expect(raised >= before + size - (1 << 20))
        buffer.deallocate()
        #expect(resetPeakResidentMemory())
        let after = try #require(peakResidentMemory()), resident = try #require(Self.residentMemory())
        #expect(after <= resident + 32 << 20)
    }

    /// VmRSS of /proc/self/status in bytes.
    static func residentMemory() -> Int? {
        let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = status?.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }.map { $0 * 1024 }
    }

    /// The peak rate is measured with the widest vector FMA and counts every thread's operations
    /// (an FMA as two): above one operation per nanosecond on any processor with vector FMA.
    @Test func multiplyAddPeakIsMeasured() throws {
        guard let peak = MultiplyAddPeak.measure(seconds: 0.05) else { return }
        #expect([8, 16].contains(peak.lanes) && peak.threads == workerCount)
        #expect(peak.gflops > 1 && peak.gflops < 1e5)
    }
}

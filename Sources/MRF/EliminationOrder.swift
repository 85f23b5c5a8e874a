/// The interaction graph in compressed rows: u ~ v when some factor's scope holds both, and the
/// neighbours of v are `neighbours[offsets[v] ..< offsets[v + 1]]`, sorted, each once.
struct Adjacency: Sendable {
    /// n + 1 row starts; `offsets[n]` is the number of stored (directed) edges.
    let offsets: [Int]
    /// Every row's neighbours, one row after another.
    let neighbours: [Int32]

    /// The rows of `graph`'s interaction graph, built by counting (no per-vertex allocation).
    init(_ graph: FactorGraph) {
        let n = graph.variableCount
        var starts = [Int](repeating: 0, count: n + 1)
        for factor in graph.factors where factor.scope.count >= 2 {
            for a in factor.scope { starts[a + 1] += factor.scope.count - 1 }
        }
        for v in 0 ..< n { starts[v + 1] += starts[v] }
        var rows = [Int32](repeating: 0, count: starts[n])
        var cursor = starts
        for factor in graph.factors where factor.scope.count >= 2 {
            for a in factor.scope {
                for b in factor.scope where a != b {
                    rows[cursor[a]] = Int32(b)
                    cursor[a] += 1
                }
            }
        }
        // Sort each row in place and drop repeats (a pair shared by several factors), compacting.
        var offsets = [Int](repeating: 0, count: n + 1)
        var kept = 0
        rows.withUnsafeMutableBufferPointer { all in
            for v in 0 ..< n {
                var row = UnsafeMutableBufferPointer(rebasing: all[starts[v] ..< starts[v + 1]])
                row.sort()
                for (k, u) in row.enumerated() where k == 0 || u != row[k - 1] {
                    all[kept] = u
                    kept += 1
                }
                offsets[v + 1] = kept
            }
        }
        rows.removeLast(rows.count - kept)
        self.offsets = offsets
        neighbours = rows
    }

    /// The number of variables.
    var count: Int { offsets.count - 1 }
}

/// The graph while variables are eliminated: every vertex's neighbour list has a slot in one pool,
/// and a list that outgrows its slot moves to the pool's end with twice the room (no allocation
/// per vertex; the pool at most doubles the room of the lists it ever held).
struct EliminationGraph: ~Copyable {
    private var pool: UnsafeMutablePointer<Int32>
    private var poolCapacity: Int
    private var poolEnd: Int
    private let start: UnsafeMutablePointer<Int>
    private let degree: UnsafeMutablePointer<Int32>
    private let room: UnsafeMutablePointer<Int32>

    /// The graph of `adjacency`, each list with room for twice its neighbours (at least 4).
    init(_ adjacency: Adjacency) {
        let n = adjacency.count
        start = .allocate(capacity: n)
        degree = .allocate(capacity: n)
        room = .allocate(capacity: n)
        var end = 0
        for v in 0 ..< n {
            let d = adjacency.offsets[v + 1] - adjacency.offsets[v]
            start[v] = end
            degree[v] = Int32(d)
            room[v] = Int32(max(4, 2 * d))
            end += max(4, 2 * d)
        }
        poolCapacity = max(end, 1)
        poolEnd = end
        pool = .allocate(capacity: poolCapacity)
        adjacency.neighbours.withUnsafeBufferPointer { rows in
            for v in 0 ..< n {
                let row = adjacency.offsets[v]
                for k in 0 ..< Int(degree[v]) { pool[start[v] + k] = rows[row + k] }
            }
        }
    }

    deinit {
        pool.deallocate()
        start.deallocate()
        degree.deallocate()
        room.deallocate()
    }

    /// v's current neighbours; valid until the next `append`.
    func neighbours(_ v: Int) -> UnsafeMutableBufferPointer<Int32> {
        UnsafeMutableBufferPointer(start: pool + start[v], count: Int(degree[v]))
    }

    /// Removes u from v's list (swapping the last neighbour into its place).
    mutating func remove(_ u: Int32, from v: Int) {
        let list = neighbours(v)
        guard let at = list.firstIndex(of: u) else { return }
        list.swapAt(at, list.count - 1)
        degree[v] -= 1
    }

    /// Forgets every neighbour of v.
    mutating func clear(_ v: Int) { degree[v] = 0 }

    /// Appends u to v's list.
    mutating func append(_ u: Int32, to v: Int) {
        if degree[v] == room[v] {
            let newRoom = 2 * Int(room[v])
            if poolEnd + newRoom > poolCapacity {
                let capacity = 2 * (poolEnd + newRoom)
                let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
                grown.update(from: pool, count: poolEnd)
                pool.deallocate()
                pool = grown
                poolCapacity = capacity
            }
            (pool + poolEnd).update(from: pool + start[v], count: Int(degree[v]))
            start[v] = poolEnd
            room[v] = Int32(newRoom)
            poolEnd += newRoom
        }
        pool[start[v] + Int(degree[v])] = u
        degree[v] += 1
    }
}

extension JunctionTree {
    /// Eliminates in the given `order`, or greedily by `heuristic` when it is nil, summing the memory;
    /// stops as soon as it exceeds `limit`.
    ///
    /// Greedy min-fill keeps fill(u), the number of non-adjacent pairs among u's neighbours, up to
    /// date without recounting. Eliminating v from K = N(v) is done as: remove v, then add the missing
    /// edges of K one at a time. Removing v takes from each u ∈ K the pairs (v, x) with x ∈ R(u) =
    /// N(u) ∖ K ∖ {v}: fill(u) −= |R(u)|, and R(u) is untouched by edges inside K, so |R(u)| =
    /// deg(u) − (|K| − 1) at the end. Adding an edge (a, b) with c = |N(a) ∩ N(b)| common neighbours
    /// completes one pair around each of them (fill(w) −= 1) and opens the pairs (b, x), x ∈ N(a) ∖
    /// N(b), around a (fill(a) += deg(a) − c), and symmetrically around b. The counts are exact
    /// integers, so the order is the one a recount from scratch gives; since fill(v) is the number
    /// of edges K lacks, the search for them stops once fill(v) are added. Min-weight keys on
    /// log |{u} ∪ N(u)| alone.
    static func eliminate(_ adjacency: Adjacency, _ cards: [Int], order fixed: [Int]?, heuristic: Heuristic,
                          limit maxBytes: Double) -> Result<Plan, Exceeded> {
        var graph = EliminationGraph(adjacency)
        let n = cards.count
        let greedy = fixed == nil
        let minFill = heuristic == .minfill && greedy
        let logCard = cards.map { Double.log(Double($0)) }
        var weight = [Double](repeating: 0, count: greedy ? n : 0)
        /// Per-vertex scratch in one entry, so that a lookup costs one cache miss rather than two: a
        /// marking stamp and the step that last queued the vertex.
        struct Tag { var mark: Int32 = -1, touched: Int32 = -1 }
        var tags = [Tag](repeating: Tag(), count: n), stamp: Int32 = 0
        /// The number of non-adjacent pairs among u's neighbours, O(Σ_{x ∈ N(u)} deg x).
        func fillIn(_ u: Int, _ graph: borrowing EliminationGraph) -> Int {
            stamp &+= 1
            let around = graph.neighbours(u)
            for x in around { tags[Int(x)].mark = stamp }
            var linked = 0
            for x in around { for y in graph.neighbours(Int(x)) where tags[Int(y)].mark == stamp { linked += 1 } }
            return around.count * (around.count - 1) / 2 - linked / 2
        }
        var fill = [Int](repeating: 0, count: minFill ? n : 0)
        if greedy {
            for v in 0 ..< n { weight[v] = graph.neighbours(v).reduce(logCard[v]) { $0 + logCard[Int($1)] } }
        }
        if minFill { for v in 0 ..< n { fill[v] = fillIn(v, graph) } }
        var heap = IndexedMinHeap(keys: greedy ? (minFill ? fill.map(Double.init) : [Double](repeating: 0, count: n)) : [],
                                  ties: weight)
        var next = 0
        var changed: [Int] = [], clique: [Int32] = []
        var order: [Int] = [], members: [Int32] = [], memberStarts = [0]
        order.reserveCapacity(n)
        memberStarts.reserveCapacity(n + 1)
        var stored = 0.0, largest = 0.0, largestSize = 0
        while true {
            let popped: Int?
            if let fixed {
                popped = next < fixed.count ? fixed[next] : nil
                next += 1
            } else {
                popped = heap.pop()
            }
            guard let v = popped else { break }
            clique.removeAll(keepingCapacity: true)
            clique.append(contentsOf: graph.neighbours(v))
            var states = Double(cards[v])
            for u in clique { states *= Double(cards[Int(u)]) }
            stored += states + 3 * states / Double(cards[v])
            if states > largest { (largest, largestSize) = (states, clique.count + 1) }
            let bytes = 8 * (stored + 4 * largest)
            if bytes > maxBytes {
                return .failure(Exceeded(bytes: bytes, largestStates: largest, largestSize: largestSize, eliminated: order.count))
            }
            order.append(v)
            members.append(Int32(v))
            members.append(contentsOf: clique)
            memberStarts.append(members.count)
            graph.clear(v)
            let step = Int32(order.count)
            for u in clique { graph.remove(Int32(v), from: Int(u)) }
            // Connect the neighbours (see above for the fill-in bookkeeping); min-fill knows how many
            // edges are missing and stops once they are all in.
            changed.removeAll(keepingCapacity: true)
            func queue(_ w: Int) {
                if tags[w].touched != step { tags[w].touched = step; changed.append(w) }
            }
            var missing = minFill ? fill[v] : Int.max
            for i in clique.indices where missing > 0 {
                let a32 = clique[i], a = Int(a32)
                stamp &+= 1
                for x in graph.neighbours(a) { tags[Int(x)].mark = stamp }
                for b32 in clique[(i + 1)...] where tags[Int(b32)].mark != stamp {
                    let b = Int(b32)
                    if minFill {
                        var common = 0
                        for w32 in graph.neighbours(b) where tags[Int(w32)].mark == stamp {
                            fill[Int(w32)] -= 1
                            queue(Int(w32))
                            common += 1
                        }
                        fill[a] += graph.neighbours(a).count - common
                        fill[b] += graph.neighbours(b).count - common
                    }
                    graph.append(b32, to: a)
                    graph.append(a32, to: b)
                    tags[b].mark = stamp
                    missing -= 1
                    if greedy {
                        weight[a] += logCard[b]
                        weight[b] += logCard[a]
                    }
                }
            }
            guard greedy else { continue }
            for u in clique {
                let u = Int(u)
                weight[u] -= logCard[v]
                if minFill { fill[u] -= graph.neighbours(u).count - (clique.count - 1) }
                queue(u)
            }
            for u in changed { heap.update(u, key: minFill ? Double(fill[u]) : 0, tie: weight[u]) }
        }
        let cliques = (0 ..< order.count).map { k in members[memberStarts[k] ..< memberStarts[k + 1]].map { Int($0) }.sorted() }
        return .success(Plan(order: order, cliques: cliques, bytes: 8 * (stored + 4 * largest), largestCliqueStates: largest,
                             largestCliqueSize: largestSize))
    }
}

/// A 4-ary min-heap (half a binary heap's depth; a node's children are adjacent) over the vertices
/// 0 ..< n ordered by (key, tie, vertex), each vertex at most once, with its position tracked so that
/// a vertex's key can change in place. The keys sit in the heap's own entries, so a comparison reads
/// neighbouring memory rather than two lookups per side.
struct IndexedMinHeap {
    private struct Entry {
        var key: Double, tie: Double
        var vertex: Int32

        static func < (a: Entry, b: Entry) -> Bool {
            a.key < b.key || (a.key == b.key && (a.tie < b.tie || (a.tie == b.tie && a.vertex < b.vertex)))
        }
    }

    private var heap: [Entry]
    private var position: [Int32]

    /// Every vertex with its key and tie-breaker (O(n) heapify).
    init(keys: [Double], ties: [Double]) {
        heap = keys.indices.map { Entry(key: keys[$0], tie: ties[$0], vertex: Int32($0)) }
        position = keys.indices.map { Int32($0) }
        for k in stride(from: (keys.count + 2) / 4 - 1, through: 0, by: -1) { siftDown(k) }
    }

    private mutating func place(_ k: Int, _ e: Entry) {
        heap[k] = e
        position[Int(e.vertex)] = Int32(k)
    }

    private mutating func siftUp(_ start: Int) {
        var k = start
        let e = heap[k]
        while k > 0 {
            let p = (k - 1) / 4
            guard e < heap[p] else { break }
            place(k, heap[p])
            k = p
        }
        place(k, e)
    }

    private mutating func siftDown(_ start: Int) {
        var k = start
        let e = heap[k]
        while true {
            let l = 4 * k + 1
            guard l < heap.count else { break }
            var c = l
            for d in l + 1 ..< min(l + 4, heap.count) where heap[d] < heap[c] { c = d }
            guard heap[c] < e else { break }
            place(k, heap[c])
            k = c
        }
        place(k, e)
    }

    /// The least vertex, removed; nil when empty.
    mutating func pop() -> Int? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        position[Int(top.vertex)] = -1
        if !heap.isEmpty {
            place(0, last)
            siftDown(0)
        }
        return Int(top.vertex)
    }

    /// Sets a vertex's key and tie-breaker (ignored for a vertex already popped).
    mutating func update(_ v: Int, key: Double, tie: Double) {
        let k = Int(position[v])
        guard k >= 0 else { return }
        heap[k].key = key
        heap[k].tie = tie
        siftUp(k)
        siftDown(Int(position[v]))
    }
}

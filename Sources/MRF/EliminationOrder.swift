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
    /// Where a vertex's list sits in the pool, how long it is and how long it may grow in place, in
    /// one 16-byte entry (one cache miss per vertex).
    private struct Row {
        var start: Int
        var degree: Int32, room: Int32
    }

    private var pool: UnsafeMutablePointer<Int32>
    private var poolCapacity: Int
    private var poolEnd: Int
    private let rows: UnsafeMutablePointer<Row>

    /// The graph of `adjacency`, each list with room for twice its neighbours (at least 4).
    init(_ adjacency: Adjacency) {
        let n = adjacency.count
        rows = .allocate(capacity: max(n, 1))
        var end = 0
        for v in 0 ..< n {
            let d = adjacency.offsets[v + 1] - adjacency.offsets[v]
            rows[v] = Row(start: end, degree: Int32(d), room: Int32(max(4, 2 * d)))
            end += max(4, 2 * d)
        }
        poolCapacity = max(end, 1)
        poolEnd = end
        pool = .allocate(capacity: poolCapacity)
        adjacency.neighbours.withUnsafeBufferPointer { lists in
            for v in 0 ..< n {
                let list = adjacency.offsets[v]
                for k in 0 ..< Int(rows[v].degree) { pool[rows[v].start + k] = lists[list + k] }
            }
        }
    }

    deinit {
        pool.deallocate()
        rows.deallocate()
    }

    /// v's current neighbours; valid until the next `append`.
    func neighbours(_ v: Int) -> UnsafeMutableBufferPointer<Int32> {
        UnsafeMutableBufferPointer(start: pool + rows[v].start, count: Int(rows[v].degree))
    }

    /// Removes u from v's list (swapping the last neighbour into its place).
    mutating func remove(_ u: Int32, from v: Int) {
        let list = neighbours(v)
        guard let at = list.firstIndex(of: u) else { return }
        list.swapAt(at, list.count - 1)
        rows[v].degree -= 1
    }

    /// Forgets every neighbour of v.
    mutating func clear(_ v: Int) { rows[v].degree = 0 }

    /// Appends u to v's list.
    mutating func append(_ u: Int32, to v: Int) {
        var row = rows[v]
        if row.degree == row.room {
            let newRoom = 2 * Int(row.room)
            if poolEnd + newRoom > poolCapacity {
                let capacity = 2 * (poolEnd + newRoom)
                let grown = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
                grown.update(from: pool, count: poolEnd)
                pool.deallocate()
                pool = grown
                poolCapacity = capacity
            }
            (pool + poolEnd).update(from: pool + row.start, count: Int(row.degree))
            row.start = poolEnd
            row.room = Int32(newRoom)
            poolEnd += newRoom
        }
        pool[row.start + Int(row.degree)] = u
        row.degree += 1
        rows[v] = row
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
        /// Per-vertex state in one 32-byte entry, so that touching a vertex costs one cache miss: its
        /// cardinality, the greedy keys (weight and fill-in), a marking stamp and the step that last
        /// queued it.
        struct Vertex {
            var weight = 0.0, fill = 0
            var card: Int32, mark: Int32 = -1, touched: Int32 = -1
        }
        var vertices = cards.map { Vertex(card: Int32($0)) }, stamp: Int32 = 0
        /// The number of non-adjacent pairs among u's neighbours, O(Σ_{x ∈ N(u)} deg x).
        func fillIn(_ u: Int, _ graph: borrowing EliminationGraph) -> Int {
            stamp &+= 1
            let around = graph.neighbours(u)
            for x in around { vertices[Int(x)].mark = stamp }
            var linked = 0
            for x in around { for y in graph.neighbours(Int(x)) where vertices[Int(y)].mark == stamp { linked += 1 } }
            return around.count * (around.count - 1) / 2 - linked / 2
        }
        if greedy {
            for v in 0 ..< n { vertices[v].weight = graph.neighbours(v).reduce(logCard[v]) { $0 + logCard[Int($1)] } }
        }
        if minFill { for v in 0 ..< n { vertices[v].fill = fillIn(v, graph) } }
        var queue = BucketQueue(keys: greedy ? vertices.map { minFill ? $0.fill : 0 } : [], ties: greedy ? vertices.map(\.weight) : [])
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
                popped = queue.pop()
            }
            guard let v = popped else { break }
            clique.removeAll(keepingCapacity: true)
            clique.append(contentsOf: graph.neighbours(v))
            var states = Double(cards[v])
            for u in clique { states *= Double(vertices[Int(u)].card) }
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
            func touch(_ w: Int) {
                if vertices[w].touched != step { vertices[w].touched = step; changed.append(w) }
            }
            var missing = minFill ? vertices[v].fill : Int.max
            for i in clique.indices where missing > 0 {
                let a32 = clique[i], a = Int(a32)
                stamp &+= 1
                for x in graph.neighbours(a) { vertices[Int(x)].mark = stamp }
                for b32 in clique[(i + 1)...] where vertices[Int(b32)].mark != stamp {
                    let b = Int(b32)
                    if minFill {
                        var common = 0
                        for w32 in graph.neighbours(b) where vertices[Int(w32)].mark == stamp {
                            vertices[Int(w32)].fill -= 1
                            touch(Int(w32))
                            common += 1
                        }
                        vertices[a].fill += graph.neighbours(a).count - common
                        vertices[b].fill += graph.neighbours(b).count - common
                    }
                    graph.append(b32, to: a)
                    graph.append(a32, to: b)
                    vertices[b].mark = stamp
                    missing -= 1
                    if greedy {
                        vertices[a].weight += logCard[b]
                        vertices[b].weight += logCard[a]
                    }
                }
            }
            guard greedy else { continue }
            for u in clique {
                let u = Int(u)
                vertices[u].weight -= logCard[v]
                if minFill { vertices[u].fill -= graph.neighbours(u).count - (clique.count - 1) }
                touch(u)
            }
            for u in changed { queue.update(u, key: minFill ? vertices[u].fill : 0, tie: vertices[u].weight) }
        }
        let cliques = (0 ..< order.count).map { k in members[memberStarts[k] ..< memberStarts[k + 1]].map { Int($0) }.sorted() }
        return .success(Plan(order: order, cliques: cliques, bytes: 8 * (stored + 4 * largest), largestCliqueStates: largest,
                             largestCliqueSize: largestSize))
    }
}

/// The vertices 0 ..< n ordered by (key, tie, vertex), each at most once, where the key is a small
/// integer (the fill-in, or 0) and the tie a Double. A vertex whose key and tie never changed waits in
/// a list sorted once (by key, counting; then by tie and vertex); the first update moves it for good
/// into the bucket of its key, each bucket a 4-ary min-heap (half a binary heap's depth, a node's
/// children adjacent) of 16-byte (tie, vertex) entries, with every moved vertex's bucket and position
/// tracked so that its key and tie can change in place. Popping takes the lesser of the list's first
/// vertex still waiting and the root of the least non-empty bucket. Elimination touches a front of
/// vertices whose heaps stay small and in cache, while the untouched majority never enters a heap.
struct BucketQueue: ~Copyable {
    private struct Entry {
        var tie: Double
        var vertex: Int32

        static func < (a: Entry, b: Entry) -> Bool { a.tie < b.tie || (a.tie == b.tie && a.vertex < b.vertex) }
    }

    /// One key's heap: `entries[0 ..< count]` in room for `capacity`.
    private struct Bucket {
        var entries: UnsafeMutablePointer<Entry>
        var count = 0, capacity: Int

        init(capacity: Int) {
            entries = .allocate(capacity: capacity)
            self.capacity = capacity
        }
    }

    private var buckets: [Bucket] = []
    /// Each vertex's key (its bucket; `waiting` while in the list, −1 once popped) and position in
    /// that bucket's heap, side by side.
    private struct Place { var key: Int32, position: Int32 }
    private let places: UnsafeMutablePointer<Place>
    private static let waiting: Int32 = -2
    /// No bucket below this one holds a vertex.
    private var least = 0
    /// The vertices with their first key and tie, sorted; those before `front` are gone, and an entry
    /// whose vertex no longer waits is skipped.
    private var list: [(key: Int32, tie: Double, vertex: Int32)]
    private var front = 0

    /// Every vertex with its key (≥ 0) and tie-breaker, waiting in the list.
    init(keys: [Int], ties: [Double]) {
        places = .allocate(capacity: max(keys.count, 1))
        var starts = [Int](repeating: 0, count: (keys.max() ?? -1) + 2)
        for k in keys { starts[k + 1] += 1 }
        for k in starts.indices.dropFirst() { starts[k] += starts[k - 1] }
        list = Array(repeating: (0, 0, 0), count: keys.count)
        var cursor = starts
        for v in keys.indices {
            places[v] = Place(key: Self.waiting, position: 0)
            list[cursor[keys[v]]] = (Int32(keys[v]), ties[v], Int32(v))
            cursor[keys[v]] += 1
        }
        for k in starts.indices.dropLast() { list[starts[k] ..< starts[k + 1]].sort { ($0.tie, $0.vertex) < ($1.tie, $1.vertex) } }
    }

    deinit {
        for bucket in buckets { bucket.entries.deallocate() }
        places.deallocate()
    }

    /// Puts v last in bucket k's heap, growing the bucket (or adding buckets) as needed.
    private mutating func append(_ v: Int, key k: Int, tie: Double) {
        while buckets.count <= k { buckets.append(Bucket(capacity: 16)) }
        if buckets[k].count == buckets[k].capacity {
            let grown = UnsafeMutablePointer<Entry>.allocate(capacity: 2 * buckets[k].capacity)
            grown.moveInitialize(from: buckets[k].entries, count: buckets[k].count)
            buckets[k].entries.deallocate()
            buckets[k].entries = grown
            buckets[k].capacity *= 2
        }
        places[v] = Place(key: Int32(k), position: Int32(buckets[k].count))
        (buckets[k].entries + buckets[k].count).initialize(to: Entry(tie: tie, vertex: Int32(v)))
        buckets[k].count += 1
    }

    private func siftUp(_ b: Int, _ start: Int) {
        let heap = buckets[b].entries
        var k = start
        let e = heap[k]
        while k > 0 {
            let p = (k - 1) / 4
            guard e < heap[p] else { break }
            heap[k] = heap[p]
            places[Int(heap[k].vertex)].position = Int32(k)
            k = p
        }
        heap[k] = e
        places[Int(e.vertex)].position = Int32(k)
    }

    private func siftDown(_ b: Int, _ start: Int) {
        let heap = buckets[b].entries, count = buckets[b].count
        var k = start
        let e = heap[k]
        while true {
            let l = 4 * k + 1
            guard l < count else { break }
            var c = l
            for d in l + 1 ..< min(l + 4, count) where heap[d] < heap[c] { c = d }
            guard heap[c] < e else { break }
            heap[k] = heap[c]
            places[Int(heap[k].vertex)].position = Int32(k)
            k = c
        }
        heap[k] = e
        places[Int(e.vertex)].position = Int32(k)
    }

    /// Takes the entry at position k out of bucket b, moving the bucket's last entry into its place.
    private mutating func remove(_ b: Int, _ k: Int) {
        buckets[b].count -= 1
        let heap = buckets[b].entries, last = heap[buckets[b].count]
        guard k < buckets[b].count else { return }
        heap[k] = last
        siftUp(b, k)
        siftDown(b, Int(places[Int(last.vertex)].position))
    }

    /// The least vertex, removed; nil when empty.
    mutating func pop() -> Int? {
        while front < list.count && places[Int(list[front].vertex)].key != Self.waiting { front += 1 }
        while least < buckets.count && buckets[least].count == 0 { least += 1 }
        let fromBucket: Bool
        if least == buckets.count {
            guard front < list.count else { return nil }
            fromBucket = false
        } else if front == list.count {
            fromBucket = true
        } else {
            let top = buckets[least].entries[0], first = list[front]
            fromBucket = (Int32(least), top.tie, top.vertex) < (first.key, first.tie, first.vertex)
        }
        let v: Int
        if fromBucket {
            v = Int(buckets[least].entries[0].vertex)
            remove(least, 0)
        } else {
            v = Int(list[front].vertex)
            front += 1
        }
        places[v].key = -1
        return v
    }

    /// Sets a vertex's key (≥ 0) and tie-breaker (ignored for a vertex already popped).
    mutating func update(_ v: Int, key newKey: Int, tie: Double) {
        let place = places[v], b = Int(place.key), k = Int(place.position)
        guard b >= 0 || place.key == Self.waiting else { return }
        if newKey == b {
            buckets[b].entries[k].tie = tie
            siftUp(b, k)
            siftDown(b, Int(places[v].position))
            return
        }
        if place.key != Self.waiting { remove(b, k) }
        append(v, key: newKey, tie: tie)
        siftUp(newKey, buckets[newKey].count - 1)
        least = min(least, newKey)
    }
}

//! Parse time against the cost of every metric on top of it.
//!
//! `cargo bench -p codequal-analyzer`. Workloads: a typical 40-line model
//! completion (embedded) and a large module from the machine's standard
//! library (`textwrap.py`, `argparse.py`), when present.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const COMPLETION: &str = r#"
import heapq
from collections import defaultdict


def shortest_paths(edges, source):
    """Dijkstra over a list of (u, v, weight) edges."""
    graph = defaultdict(list)
    for u, v, w in edges:
        if w < 0:
            raise ValueError("negative weight")
        graph[u].append((v, w))
        graph[v].append((u, w))
    dist = {source: 0}
    heap = [(0, source)]
    seen = set()
    while heap:
        d, node = heapq.heappop(heap)
        if node in seen:
            continue
        seen.add(node)
        for nxt, w in graph[node]:
            nd = d + w
            if nd < dist.get(nxt, float("inf")):
                dist[nxt] = nd
                heapq.heappush(heap, (nd, nxt))
    return dist


class Ledger:
    def __init__(self):
        self.entries = []

    def add(self, amount, label=""):
        if not isinstance(amount, (int, float)):
            raise TypeError("amount must be a number")
        self.entries.append((label, amount))
        return sum(a for _, a in self.entries)
"#;

fn stdlib_file(name: &str) -> Option<String> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .ok()?;
    let root = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    std::fs::read_to_string(std::path::Path::new(&root).join(name)).ok()
}

fn bench(c: &mut Criterion) {
    let mut inputs = vec![("completion-40-lines".to_owned(), COMPLETION.to_owned())];
    for name in ["textwrap.py", "argparse.py"] {
        if let Some(src) = stdlib_file(name) {
            inputs.push((name.to_owned(), src));
        }
    }
    let mut group = c.benchmark_group("analyzer");
    for (name, src) in &inputs {
        group.throughput(Throughput::Bytes(src.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse", name), src, |b, s| {
            b.iter(|| codequal_analyzer::parse::parse(s))
        });
        group.bench_with_input(BenchmarkId::new("analyze", name), src, |b, s| {
            b.iter(|| codequal_analyzer::analyze_source(s))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! The fuzz targets' checks (fuzz/checks/, the same code libFuzzer runs) on the stable
//! toolchain, in the test command: every committed seed (fuzz/corpus/<target>/) and found
//! crash (fuzz/crashes/<target>/), then a bounded run of seeded mutations of them (bit and
//! byte flips, insertions of JSON/CBOR/URL punctuation, deletions, duplications, splices,
//! truncations). Not coverage-guided: the recorded libFuzzer runs (fuzz/RESULTS.md) are the
//! deep search; this keeps every target's invariants checked on every change, in seconds.

#[path = "../../fuzz/checks/attestation.rs"]
mod attestation;
#[path = "../../fuzz/checks/json_body.rs"]
mod json_body;
#[path = "../../fuzz/checks/rp.rs"]
mod rp;
#[path = "../../fuzz/checks/tokens.rs"]
mod tokens;
#[path = "../../fuzz/checks/user_agent.rs"]
mod user_agent;

use std::path::Path;

/// Mutated inputs per target.
const MUTATIONS: usize = 20_000;

/// Bytes worth inserting: the punctuation of the formats these parsers read.
const DICTIONARY: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"\\u0000",
    b"\\",
    b"=",
    b"-",
    b"_",
    b"+",
    b"/",
    b"\n",
    b"\0",
    b"https://",
    b"http://localhost",
    b".",
    b"xn--",
    b"%",
    b"\xff",
    b"\xc3",
    b"\xa1\x63fmt",
    b"\x58\xff",
    b"\x9f",
    b"1e999",
    b"-0",
    b"null",
    b"true",
    b"AAAA",
    b"Mozilla/5.0 (",
    b"Android",
    b"iPhone",
    b"Windows NT",
    b"Macintosh",
    b"CrOS",
    b"Linux",
];

/// xorshift64*: deterministic, so a failure names a reproducible input.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            2 => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())];
                data.splice(at..at, word.iter().copied());
            }
            3 if !data.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at.min(end)..end);
            }
            4 if at < data.len() => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                let copy = data[at..end].to_vec();
                data.splice(at..at, copy);
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => data.truncate(at),
        }
    }
    data
}

fn files(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    paths.iter().filter(|p| p.is_file()).filter_map(|p| std::fs::read(p).ok()).collect()
}

/// Runs `check` on the target's seeds and crashes, then on [`MUTATIONS`] mutations of them;
/// a failure prints the input (hex) that caused it.
fn replay(target: &str, check: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut seeds = files(&fuzz.join("corpus").join(target));
    assert!(!seeds.is_empty(), "no committed seeds for {target}");
    seeds.extend(files(&fuzz.join("crashes").join(target)));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ target.len() as u64);
    let inputs = seeds.clone().into_iter().chain((0..MUTATIONS).map(|_| mutate(&mut rng, &seeds)));
    for (i, input) in inputs.enumerate() {
        let outcome = std::panic::catch_unwind(|| check(&input));
        if outcome.is_err() {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            panic!("{target}: input #{i} failed its check; bytes (hex): {hex}");
        }
    }
    println!("{target}: {} seeds and {MUTATIONS} mutations checked", seeds.len());
}

#[test]
fn attestation_target_holds_on_seeds_and_mutations() {
    replay("attestation", attestation::check);
}

#[test]
fn json_body_target_holds_on_seeds_and_mutations() {
    replay("json_body", json_body::check);
}

#[test]
fn rp_target_holds_on_seeds_and_mutations() {
    replay("rp", rp::check);
}

#[test]
fn tokens_target_holds_on_seeds_and_mutations() {
    replay("tokens", tokens::check);
}

#[test]
fn user_agent_target_holds_on_seeds_and_mutations() {
    replay("user_agent", user_agent::check);
}

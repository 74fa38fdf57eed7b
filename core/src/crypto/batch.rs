//! Batch verification of ECDSA signatures that carry a recovery id.
//!
//! # The algebra
//!
//! An ECDSA signature `(r, s)` over the digest `z` (reduced modulo the group order `n`) is
//! valid for the key `Q` when the point
//!
//! ```text
//! R' = u1·G + u2·Q,   u1 = z/s,  u2 = r/s   (mod n)
//! ```
//!
//! has an x-coordinate that reduces to `r` modulo `n`. The single path computes `R'` and
//! compares. A recoverable signature also names the point itself: bit 0 of the recovery id is
//! the parity of `R`'s y-coordinate and bit 1 says whether its x-coordinate is `r + n` rather
//! than `r`. Decompressing that `R` (one field square root) turns the check into an equation
//! between points, `u1·G + u2·Q − R = 0`, and equations between points add up: for random
//! coefficients `a_i`,
//!
//! ```text
//! Σ a_i·(u1_i·G + u2_i·Q_i − R_i) = (Σ a_i·u1_i)·G + Σ_Q (Σ_{i: Q_i = Q} a_i·u2_i)·Q − Σ a_i·R_i
//! ```
//!
//! is the identity when every term is, and when some term is not it is the identity only with
//! probability about 2^-128 over 128-bit coefficients drawn after the items are fixed. The right
//! side needs one scalar multiplication of `G`, one per distinct key `Q` (a conversation has a
//! handful), and one multi-scalar multiplication over the `R_i` with 128-bit scalars, computed
//! here with signed-digit buckets (Pippenger): each `R_i` costs about one mixed point addition
//! per window instead of a full scalar multiplication. The `s_i` are inverted together
//! (Montgomery's trick: one inversion and three multiplications per item).
//!
//! # Same answers as the single path
//!
//! [`verify_batch`] returns for every item exactly what [`PublicKey::verify_prehash`] returns:
//!
//! - the malformed-signature and high-S checks are the single path's own, in its order, and
//!   their errors are returned without touching the curve;
//! - a passing combination implies (but for the 2^-128 chance above) `u1_i·G + u2_i·Q_i = R_i`
//!   for every item in it, and the x-coordinate of `R_i` is `r_i` (or `r_i + n`), so the single
//!   path accepts each of them;
//! - the converse fails for signatures whose recovery id names the wrong point (the single
//!   path ignores the recovery id) and for invalid ones: when a combination does not pass it is
//!   split in halves and each half is checked again (when the first half passes, the second is
//!   known to fail and is split without checking); sets of fewer than [`BISECT_BELOW`] items,
//!   and everything left once the work spent on failed checks reaches about two and a half
//!   times the batch, are verified one by one with the single path. A batch of only bad items
//!   thus costs a bounded amount more than the single path, and one with a few bad items little
//!   more than a passing batch. Items whose `R` cannot be decompressed go to the single path
//!   directly.
//!
//! Everything here is variable-time: it handles public data only (keys, digests, signatures).

use std::collections::HashMap;

use k256::elliptic_curve::bigint::CheckedAdd;
use k256::elliptic_curve::ops::{Invert, LinearCombinationExt, Reduce};
use k256::elliptic_curve::point::DecompressPoint;
use k256::elliptic_curve::subtle::Choice;
use k256::elliptic_curve::{Curve, FieldBytesEncoding};
use k256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, Secp256k1, U256};
use rand_core::CryptoRngCore;

use super::{parse_signature, CryptoError, PublicKey};

/// Batches with fewer candidates than this are verified one by one: the combined check would
/// not pay for itself.
pub const MIN_BATCH: usize = 4;

/// After a failed combined check, sets smaller than this are verified one by one rather than
/// split further (a check has a fixed cost of about one verification).
pub const BISECT_BELOW: usize = 8;

/// The fixed cost of one combined check, in candidates' worth of bucket work (the scalar
/// multiplications of `G` and of the keys), for the failure budget.
const CHECK_COST: usize = 8;

/// One signature check of a batch: the same inputs as [`PublicKey::verify_prehash`] plus the
/// recovery id that came with the signature.
#[derive(Debug, Clone, Copy)]
pub struct BatchItem<'a> {
    /// The key the signature must verify under.
    pub key: &'a PublicKey,
    /// The 32-byte digest that was signed.
    pub digest: &'a [u8; 32],
    /// `r ‖ s` as received (its length is checked like the single path does).
    pub signature: &'a [u8],
    /// The recovery id sent with the signature: bit 0 is the parity of `R`'s y-coordinate,
    /// bit 1 says `R`'s x-coordinate is `r + n`. It only steers the batch: an item whose
    /// recovery id is wrong (or above 3) still gets the single path's answer.
    pub recovery: u8,
}

impl<'a> BatchItem<'a> {
    /// An item from its parts.
    pub fn new(key: &'a PublicKey, digest: &'a [u8; 32], signature: &'a [u8], recovery: u8) -> Self {
        Self { key, digest, signature, recovery }
    }

    /// The single path for this item: [`PublicKey::verify_prehash`].
    pub fn verify_single(&self) -> Result<(), CryptoError> {
        self.key.verify_prehash(self.digest, self.signature)
    }
}

/// Verify many signatures at once. Returns one result per item, in order, each equal to what
/// [`BatchItem::verify_single`] returns for it (the batch is a shortcut, never a different
/// rule). `rng` draws the 128-bit coefficients of the combined check; it must be a CSPRNG the
/// signers cannot predict.
pub fn verify_batch<R: CryptoRngCore + ?Sized>(items: &[BatchItem<'_>], rng: &mut R) -> Vec<Result<(), CryptoError>> {
    let mut results: Vec<Result<(), CryptoError>> = vec![Ok(()); items.len()];
    let mut candidates = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match prepare(item) {
            Prepared::Done(result) => results[index] = result,
            Prepared::Single => results[index] = item.verify_single(),
            Prepared::Candidate { z, r, s, point } => candidates.push(Candidate { index, z, r, s, point }),
        }
    }
    if candidates.len() < MIN_BATCH {
        for c in &candidates {
            results[c.index] = items[c.index].verify_single();
        }
        return results;
    }
    let batch = Batch::new(items, &candidates, rng);
    let all: Vec<usize> = (0..candidates.len()).collect();
    let mut budget = failure_budget(candidates.len());
    batch.resolve(&all, MIN_BATCH, false, &mut budget, &mut results);
    results
}

/// The work failed combined checks may spend before what is left goes one by one, in
/// candidates (a failed check over `m` candidates costs `m + CHECK_COST`). Isolating one bad
/// item costs less than two passes over the batch; a batch of only bad items spends this and
/// then the single path.
fn failure_budget(n: usize) -> usize {
    n.saturating_mul(5) / 2 + 4 * CHECK_COST
}

/// What the checks before the curve arithmetic made of an item.
enum Prepared {
    /// The single path's answer is already known (a malformed or high-S signature).
    Done(Result<(), CryptoError>),
    /// `R` is not available: verify it alone.
    Single,
    /// A candidate for the combined check.
    Candidate { z: Scalar, r: Scalar, s: Scalar, point: AffinePoint },
}

fn prepare(item: &BatchItem<'_>) -> Prepared {
    // The single path's checks, in its order: shape and scalar ranges, then low-S.
    let sig = match parse_signature(item.signature) {
        Ok(sig) => sig,
        Err(e) => return Prepared::Done(Err(e)),
    };
    if sig.normalize_s().is_some() {
        return Prepared::Done(Err(CryptoError::BadSignature));
    }
    if item.recovery > 3 {
        return Prepared::Single;
    }
    let (r, s) = sig.split_scalars();
    let r_bytes = r.to_bytes();
    let x = if item.recovery & 2 == 0 {
        r_bytes
    } else {
        let wide = <U256 as FieldBytesEncoding<Secp256k1>>::decode_field_bytes(&r_bytes);
        match Option::<U256>::from(wide.checked_add(&Secp256k1::ORDER)) {
            Some(sum) => sum.encode_field_bytes(),
            None => return Prepared::Single,
        }
    };
    let Some(point) = Option::<AffinePoint>::from(AffinePoint::decompress(&x, Choice::from(item.recovery & 1))) else {
        return Prepared::Single;
    };
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*item.digest));
    Prepared::Candidate { z, r: *r, s: *s, point }
}

struct Candidate {
    index: usize,
    z: Scalar,
    r: Scalar,
    s: Scalar,
    point: AffinePoint,
}

/// The candidates with their terms precomputed: `a·u1`, `a·u2`, the key's slot and `R`.
struct Batch<'i, 'a> {
    /// The caller's items, for the single path.
    items: &'i [BatchItem<'a>],
    /// Position of each candidate in the caller's items.
    index: Vec<usize>,
    a_u1: Vec<Scalar>,
    a_u2: Vec<Scalar>,
    key_slot: Vec<usize>,
    keys: Vec<ProjectivePoint>,
    points: Vec<AffinePoint>,
    coefficients: Vec<u128>,
}

impl<'i, 'a> Batch<'i, 'a> {
    fn new<R: CryptoRngCore + ?Sized>(items: &'i [BatchItem<'a>], candidates: &[Candidate], rng: &mut R) -> Self {
        let n = candidates.len();
        let mut s_inv: Vec<Scalar> = candidates.iter().map(|c| c.s).collect();
        invert_all(&mut s_inv);
        let mut slots: HashMap<[u8; 65], usize> = HashMap::new();
        let mut keys = Vec::new();
        let mut batch = Self {
            items,
            index: Vec::with_capacity(n),
            a_u1: Vec::with_capacity(n),
            a_u2: Vec::with_capacity(n),
            key_slot: Vec::with_capacity(n),
            keys: Vec::new(),
            points: Vec::with_capacity(n),
            coefficients: Vec::with_capacity(n),
        };
        // Every coefficient in one draw: with the operating system's generator, one system
        // call (or one `getRandomValues` in a browser) per batch instead of one per signature.
        let mut drawn = vec![0u8; 16 * n];
        rng.fill_bytes(&mut drawn);
        for ((c, s_inv), bytes) in candidates.iter().zip(&s_inv).zip(drawn.chunks_exact(16)) {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            let a = u128::from_le_bytes(a).max(1);
            let a_scalar = Scalar::from(a);
            let key = items[c.index].key;
            let slot = *slots.entry(key.to_uncompressed()).or_insert_with(|| {
                keys.push(ProjectivePoint::from(key.key));
                keys.len() - 1
            });
            batch.index.push(c.index);
            batch.a_u1.push(a_scalar * c.z * s_inv);
            batch.a_u2.push(a_scalar * c.r * s_inv);
            batch.key_slot.push(slot);
            batch.points.push(c.point);
            batch.coefficients.push(a);
        }
        batch.keys = keys;
        batch
    }

    fn single(&self, k: usize) -> Result<(), CryptoError> {
        self.items[self.index[k]].verify_single()
    }

    /// Settle the candidates `set`: check them together when there are at least `smallest`,
    /// else verify them one by one. `known_failing` says the combination over `set` is already
    /// known not to be the identity. Returns whether it was checked to be the identity (every
    /// item accepted by the combined check).
    fn resolve(
        &self,
        set: &[usize],
        smallest: usize,
        known_failing: bool,
        budget: &mut usize,
        results: &mut [Result<(), CryptoError>],
    ) -> bool {
        let cost = set.len() + CHECK_COST;
        if set.len() < smallest || *budget < cost {
            for &k in set {
                results[self.index[k]] = self.single(k);
            }
            return false;
        }
        if !known_failing {
            if self.combination_vanishes(set) {
                for &k in set {
                    results[self.index[k]] = Ok(());
                }
                return true;
            }
            *budget -= cost;
        }
        let (left, right) = set.split_at(set.len() / 2);
        let left_vanishes = self.resolve(left, BISECT_BELOW, false, budget, results);
        // The combination over `set` is the sum of those over its halves: when the left one
        // vanishes, the right one cannot.
        self.resolve(right, BISECT_BELOW, left_vanishes, budget, results);
        false
    }

    /// Whether `Σ a_i·(u1_i·G + u2_i·Q_i − R_i)` over `set` is the identity.
    fn combination_vanishes(&self, set: &[usize]) -> bool {
        let mut g = Scalar::ZERO;
        let mut per_key = vec![Scalar::ZERO; self.keys.len()];
        let mut points = Vec::with_capacity(set.len());
        let mut coefficients = Vec::with_capacity(set.len());
        for &k in set {
            g += self.a_u1[k];
            per_key[self.key_slot[k]] += self.a_u2[k];
            points.push(self.points[k]);
            coefficients.push(self.coefficients[k]);
        }
        let mut terms = Vec::with_capacity(self.keys.len() + 1);
        terms.push((ProjectivePoint::GENERATOR, g));
        terms.extend(
            self.keys.iter().zip(&per_key).filter(|(_, q)| !bool::from(q.is_zero())).map(|(key, q)| (*key, *q)),
        );
        let expected = ProjectivePoint::lincomb_ext(terms.as_slice());
        expected == multi_scalar_mul(&points, &coefficients)
    }
}

#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
pub(crate) use seeded::SeededRng;

#[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
mod seeded {
    use rand_core::CryptoRngCore;

    /// A generator of batch coefficients for a worker that cannot share the caller's CSPRNG:
    /// SHA-256 in counter mode over a 32-byte seed drawn from that CSPRNG. Its output is as
    /// unpredictable to the signers as the seed.
    pub(crate) struct SeededRng {
        seed: [u8; 32],
        counter: u64,
        block: [u8; 32],
        used: usize,
    }

    impl SeededRng {
        /// A generator seeded from `rng`.
        pub(crate) fn from_rng<R: CryptoRngCore + ?Sized>(rng: &mut R) -> Self {
            let mut seed = [0u8; 32];
            rng.fill_bytes(&mut seed);
            Self { seed, counter: 0, block: [0u8; 32], used: 32 }
        }
    }

    impl Drop for SeededRng {
        fn drop(&mut self) {
            use zeroize::Zeroize;
            self.seed.zeroize();
            self.block.zeroize();
        }
    }

    impl rand_core::RngCore for SeededRng {
        fn next_u32(&mut self) -> u32 {
            let mut b = [0u8; 4];
            self.fill_bytes(&mut b);
            u32::from_le_bytes(b)
        }

        fn next_u64(&mut self) -> u64 {
            let mut b = [0u8; 8];
            self.fill_bytes(&mut b);
            u64::from_le_bytes(b)
        }

        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for byte in dest {
                if self.used == self.block.len() {
                    self.block = crate::crypto::sha256_parts(&[&self.seed, &self.counter.to_le_bytes()]);
                    self.counter = self.counter.wrapping_add(1);
                    self.used = 0;
                }
                *byte = self.block[self.used];
                self.used += 1;
            }
        }

        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl rand_core::CryptoRng for SeededRng {}
}

/// Invert non-zero scalars in place with one inversion (Montgomery's trick).
fn invert_all(values: &mut [Scalar]) {
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = Scalar::ONE;
    for v in values.iter() {
        prefix.push(acc);
        acc *= v;
    }
    // The scalars of a parsed signature are non-zero, so is their product (n is prime).
    let mut inv = Option::<Scalar>::from(acc.invert_vartime()).unwrap_or(Scalar::ZERO);
    for (v, before) in values.iter_mut().zip(prefix).rev() {
        let this = inv * before;
        inv *= *v;
        *v = this;
    }
}

/// The window width (bits) of the bucket method for `n` points and 128-bit scalars, from a
/// simple count of point additions per window: one per point plus two per bucket.
fn window_bits(n: usize) -> usize {
    (1..=16usize)
        .min_by_key(|&c| {
            let windows = 128 / c + 1;
            windows * (n + 2 * (1usize << (c - 1))) + 128
        })
        .unwrap_or(4)
}

/// `Σ k_i·P_i` for 128-bit scalars, by the bucket method with signed digits: each window of
/// `c` bits gives every point a digit in `[-2^(c-1), 2^(c-1)]`, the point is added to (or, for a
/// negative digit, subtracted from) the bucket of the digit's magnitude, and the buckets are
/// summed with their weights by a running sum.
fn multi_scalar_mul(points: &[AffinePoint], scalars: &[u128]) -> ProjectivePoint {
    let n = points.len();
    let c = window_bits(n);
    // Signed digits of a 128-bit number in base 2^c fit in ⌊128/c⌋ + 1 digits (the last one
    // takes the carry).
    let windows = 128 / c + 1;
    let half = 1i32 << (c - 1);
    let mask = (1u128 << c) - 1;
    let mut digits = vec![0i32; n * windows];
    for (i, &k) in scalars.iter().enumerate() {
        let mut carry = 0i32;
        for w in 0..windows {
            let shift = w * c;
            let bits = if shift < 128 { ((k >> shift) & mask) as i32 } else { 0 };
            let mut d = bits + carry;
            carry = 0;
            if d > half {
                d -= 1 << c;
                carry = 1;
            }
            digits[w * n + i] = d;
        }
    }
    let mut buckets = vec![ProjectivePoint::IDENTITY; half as usize];
    let mut acc = ProjectivePoint::IDENTITY;
    for w in (0..windows).rev() {
        if w + 1 != windows {
            for _ in 0..c {
                acc = acc.double();
            }
        }
        buckets.fill(ProjectivePoint::IDENTITY);
        for (point, &d) in points.iter().zip(&digits[w * n..(w + 1) * n]) {
            if d > 0 {
                buckets[(d - 1) as usize] += point;
            } else if d < 0 {
                buckets[(-d - 1) as usize] -= point;
            }
        }
        // Σ j·B_j as the sum of the running sums B_top + … + B_j.
        let mut running = ProjectivePoint::IDENTITY;
        let mut sum = ProjectivePoint::IDENTITY;
        for b in buckets.iter().rev() {
            running += b;
            sum += running;
        }
        acc += sum;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{sha256, PrivateKey};
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore, SeedableRng};

    #[test]
    fn multi_scalar_mul_matches_naive_sums() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for n in [1usize, 2, 5, 17, 64, 300] {
            let points: Vec<AffinePoint> =
                (0..n).map(|_| PrivateKey::generate(&mut rng).public_key().key.as_affine().to_owned()).collect();
            let mut scalars: Vec<u128> = (0..n)
                .map(|_| {
                    let mut b = [0u8; 16];
                    rng.fill_bytes(&mut b);
                    u128::from_le_bytes(b)
                })
                .collect();
            scalars[0] = u128::MAX;
            if n > 1 {
                scalars[1] = 0;
            }
            let naive: ProjectivePoint =
                points.iter().zip(&scalars).map(|(p, k)| ProjectivePoint::from(*p) * Scalar::from(*k)).sum();
            assert_eq!(multi_scalar_mul(&points, &scalars), naive, "n = {n}");
        }
    }

    /// The combined check itself (not only the answers, which the single path would also give):
    /// it passes over valid candidates, with one or several keys, and fails when one term does
    /// not vanish.
    #[test]
    fn the_combined_check_passes_exactly_when_every_term_vanishes() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let keys = [PrivateKey::generate(&mut rng), PrivateKey::generate(&mut rng), PrivateKey::generate(&mut rng)];
        let public: Vec<PublicKey> = keys.iter().map(PrivateKey::public_key).collect();
        let digests: Vec<[u8; 32]> = (0..30u32).map(|i| sha256(&i.to_be_bytes())).collect();
        let sigs: Vec<_> = digests.iter().enumerate().map(|(i, d)| keys[i % 3].sign_prehash(d)).collect();
        let mut flipped = sigs.clone();
        flipped[11].recovery ^= 1;
        for (sigs, vanishes) in [(&sigs, true), (&flipped, false)] {
            let items: Vec<BatchItem<'_>> = digests
                .iter()
                .zip(sigs.iter())
                .enumerate()
                .map(|(i, (d, s))| BatchItem::new(&public[i % 3], d, &s.bytes, s.recovery))
                .collect();
            let candidates: Vec<Candidate> = items
                .iter()
                .enumerate()
                .map(|(index, item)| match prepare(item) {
                    Prepared::Candidate { z, r, s, point } => Candidate { index, z, r, s, point },
                    _ => panic!("item {index} is a candidate"),
                })
                .collect();
            let batch = Batch::new(&items, &candidates, &mut rng);
            assert_eq!(batch.keys.len(), 3);
            let all: Vec<usize> = (0..items.len()).collect();
            assert_eq!(batch.combination_vanishes(&all), vanishes);
            assert!(batch.combination_vanishes(&all[..11]));
            assert!(batch.combination_vanishes(&all[12..]));
            assert_eq!(batch.combination_vanishes(&all[5..20]), vanishes);
        }
    }

    #[test]
    fn invert_all_inverts() {
        let mut values: Vec<Scalar> = (1..20u64).map(|i| Scalar::from(i * 7919)).collect();
        let expected: Vec<Scalar> = values.iter().map(|v| Option::from(v.invert()).unwrap()).collect();
        invert_all(&mut values);
        assert_eq!(values, expected);
    }

    #[test]
    fn a_batch_of_good_signatures_passes_and_one_bad_is_found() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let key = PrivateKey::generate(&mut rng);
        let public = key.public_key();
        let digests: Vec<[u8; 32]> = (0..40u32).map(|i| sha256(&i.to_be_bytes())).collect();
        let mut sigs: Vec<_> = digests.iter().map(|d| key.sign_prehash(d)).collect();
        let items = |sigs: &[crate::crypto::RecoverableSignature]| -> Vec<Result<(), CryptoError>> {
            let items: Vec<BatchItem<'_>> =
                digests.iter().zip(sigs).map(|(d, s)| BatchItem::new(&public, d, &s.bytes, s.recovery)).collect();
            verify_batch(&items, &mut ChaCha20Rng::seed_from_u64(3))
        };
        assert!(items(&sigs).iter().all(Result::is_ok));
        sigs[17].bytes[40] ^= 1;
        sigs[3].recovery ^= 1;
        let results = items(&sigs);
        for (i, r) in results.iter().enumerate() {
            if i == 17 {
                assert_eq!(*r, Err(CryptoError::BadSignature));
            } else {
                assert_eq!(*r, Ok(()), "item {i}");
            }
        }
    }
}

//! Sixteen bytes of text folded at once with SSE2 (part of every x86-64 processor).
//!
//! Arabic news text is nearly all letters that fold to themselves, spaces, and a few letters
//! that fold to another of the same length (ة → ه, أ إ آ → ا, ى → ي, ی → ي, ک → ك, capitals):
//! one every 27 bytes or so on a corpus day. Scanning byte by byte and stopping at each of
//! those cost a table load per byte and a mispredicted branch per stop; here a block is
//! classified and rewritten with a few dozen vector operations and no branch, and only the
//! characters that drop, merge or change length (tashkeel, tatweel, doubled spaces, CR, digits,
//! anything outside the common letters) stop the blocks.

use std::arch::x86_64::{
    __m128i, __m256i, _mm256_and_si256, _mm256_andnot_si256, _mm256_cmpeq_epi8, _mm256_loadu_si256,
    _mm256_min_epu8, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm256_storeu_si256,
    _mm256_sub_epi8, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128,
    _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_storeu_si128, _mm_sub_epi8,
};

/// One block folded: its lanes are the bytes after the window's first (`N` of them).
pub(super) struct Block<const N: usize> {
    /// The folded bytes (valid up to the first `stop` lane).
    pub out: [u8; N],
    /// Lanes where a character starts that the block does not fold: it must go through
    /// [`super::fold_char`]. Continuation bytes are never stops (their character is judged at
    /// its first byte).
    pub stop: u32,
    /// Lanes where ة or ى starts ([`super::Normalized::erased`]).
    pub erased: u32,
    /// Lanes where a character starts (anchors must be set at one).
    pub starts: u32,
}

/// The kernel, once for each vector width: folds the lanes `w[1..=N]` of a window that has
/// the byte before them and three after them (for a combining mark after the last one's
/// character). A character folds here when it folds to itself or to one character of the same
/// length and no combining hamza or madda (U+0653..U+0655, which [`super::compose`] merges into
/// it) follows it; a space when the byte before is not a space (the caller makes sure the
/// folded text does not end in one when the first lane is a space).
macro_rules! kernel {
    ($(#[$attr:meta])* $vis:vis [$($qual:ident)?] fn $name:ident, $n:literal, $v:ty,
     $loadu:ident, $storeu:ident, $set1:ident, $cmpeq:ident, $or:ident, $and:ident,
     $andnot:ident, $sub:ident, $min:ident, $movemask:ident) => {
        $(#[$attr])*
        $vis $($qual)? fn $name(w: &[u8; $n + 4]) -> Block<$n> {
            let mut out = [0u8; $n];
            // SAFETY: the loads read $n bytes at a pointer with no alignment required; each
            // pointer is that of a `[u8; $n]` inside `w`. The store writes the bytes of `out`.
            // The other intrinsics only compute on values; they need the vector extension the
            // function is compiled for (SSE2, in every x86-64 processor, or AVX2, which the
            // caller has detected).
            #[allow(unused_unsafe)]
            unsafe {
                let at = |k: usize| -> $v {
                    match w.get(k..).and_then(<[u8]>::first_chunk::<$n>) {
                        Some(c) => $loadu(c.as_ptr().cast()),
                        None => $set1(0),
                    }
                };
                let (prev, x, next, next2, next3) = (at(0), at(1), at(2), at(3), at(4));
                let set = |b: u8| $set1(b as i8);
                let eq = |v: $v, b: u8| $cmpeq(v, set(b));
                let or = |a: $v, b: $v| $or(a, b);
                let and = |a: $v, b: $v| $and(a, b);
                // Unsigned lo <= v <= hi: v - lo, wrapping, is at most hi - lo.
                let within = |v: $v, lo: u8, hi: u8| {
                    let t = $sub(v, set(lo));
                    $cmpeq($min(t, set(hi - lo)), t)
                };

                let cont = eq($and(x, set(0xc0)), 0x80);
                // ASCII: printable (capitals fold to small letters), \n, a space not after one.
                let ascii = or(
                    or(within(x, 0x21, 0x7e), eq(x, b'\n')),
                    $andnot(eq(prev, b' '), eq(x, b' ')),
                );
                // Two-byte characters, by first byte and second. D8: ، and ء..غ (أ إ آ ة
                // among them); D9: ف..ي (ى among them); Persian ک, گ, ی; « and ».
                let (d8, d9, da, db) = (eq(x, 0xd8), eq(x, 0xd9), eq(x, 0xda), eq(x, 0xdb));
                let d8_ok = and(d8, or(eq(next, 0x8c), within(next, 0xa1, 0xba)));
                let d9_ok = and(d9, within(next, 0x81, 0x8a));
                let da_ok = and(da, or(eq(next, 0xa9), eq(next, 0xaf)));
                let db_ok = and(db, eq(next, 0x8c));
                let c2_ok = and(eq(x, 0xc2), or(eq(next, 0xab), eq(next, 0xbb)));
                let composes = and(eq(next2, 0xd9), within(next3, 0x93, 0x95));
                let two = $andnot(composes, or(or(d8_ok, d9_ok), or(or(da_ok, db_ok), c2_ok)));
                // ZWNJ (E2 80 8C).
                let zwnj = and(eq(x, 0xe2), and(eq(next, 0x80), eq(next2, 0x8c)));
                let ok = or(or(cont, ascii), or(two, zwnj));

                // The letters that change: their first bytes become D9 (ة D8 A9 → ه D9 87,
                // ی DB 8C → ي D9 8A, ک DA A9 → ك D9 83) and their second bytes are rewritten by
                // the first.
                let teh = and(d8, eq(next, 0xa9));
                let maqsura = and(d9, eq(next, 0x89));
                let to_d9 = or(teh, or(and(db, eq(next, 0x8c)), and(da, eq(next, 0xa9))));
                let (after_d8, after_da) = (eq(prev, 0xd8), eq(prev, 0xda));
                let to_a7 = and(after_d8, or(within(x, 0xa2, 0xa3), eq(x, 0xa5)));
                let to_87 = and(after_d8, eq(x, 0xa9));
                let to_8a = or(and(eq(prev, 0xd9), eq(x, 0x89)), and(eq(prev, 0xdb), eq(x, 0x8c)));
                let to_83 = and(after_da, eq(x, 0xa9));
                let changed = or(or(to_d9, to_a7), or(or(to_87, to_8a), to_83));
                let new = or(
                    or(and(to_d9, set(0xd9)), and(to_a7, set(0xa7))),
                    or(or(and(to_87, set(0x87)), and(to_8a, set(0x8a))), and(to_83, set(0x83))),
                );
                let capitals = and(within(x, b'A', b'Z'), set(0x20));
                let folded = or(or($andnot(changed, x), new), capitals);
                $storeu(out.as_mut_ptr().cast(), folded);

                let all = if $n == 32 { u32::MAX } else { (1u32 << ($n % 32)) - 1 };
                let mask = |v: $v| $movemask(v) as u32 & all;
                Block {
                    out,
                    stop: !mask(ok) & all,
                    erased: mask(or(teh, maqsura)),
                    starts: !mask(cont) & all,
                }
            }
        }
    };
}

kernel!(
    #[inline(always)]
    pub(super) [] fn fold16, 16, __m128i, _mm_loadu_si128, _mm_storeu_si128, _mm_set1_epi8,
    _mm_cmpeq_epi8, _mm_or_si128, _mm_and_si128, _mm_andnot_si128, _mm_sub_epi8, _mm_min_epu8,
    _mm_movemask_epi8
);

kernel!(
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) [unsafe] fn fold32, 32, __m256i, _mm256_loadu_si256, _mm256_storeu_si256,
    _mm256_set1_epi8, _mm256_cmpeq_epi8, _mm256_or_si256, _mm256_and_si256,
    _mm256_andnot_si256, _mm256_sub_epi8, _mm256_min_epu8, _mm256_movemask_epi8
);

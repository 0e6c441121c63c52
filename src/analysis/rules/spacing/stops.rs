//! The stops of a whole article as bits, one per byte: where a finding of [`super::Walk`] may
//! start.
//!
//! The stops are found by byte searches ([`super::each_stop`] and the `و ` search), which cost
//! little per byte but much per hit: a search restarts after each of the ~100k `.` and `،` of
//! a corpus day, and the `و ` search, keyed on the bytes of و itself, checked every و. On
//! x86-64 the bytes are instead compared sixteen at a time with SSE2 (part of every x86-64
//! processor) and each comparison's result kept as bits: the same stops, or a few more that
//! find nothing (every space after a byte ending a و, each space of a run), with no cost per
//! hit. Elsewhere the searches run as before.

/// Sets the bits of the stops of `bytes` in `all` (every kind but the detached و's) and `waw`
/// (the space after a و, which only Arabic paragraphs look at): bit `i % 64` of word `i / 64`
/// for byte `i`. Both are `bytes.len() / 64 + 1` words long.
pub(super) fn stop_bits(bytes: &[u8]) -> (Vec<u64>, Vec<u64>) {
    #[cfg(target_arch = "x86_64")]
    return sse2::stop_bits(bytes);
    #[cfg(not(target_arch = "x86_64"))]
    return by_search(bytes);
}

/// [`stop_bits`] by the byte searches.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(super) fn by_search(bytes: &[u8]) -> (Vec<u64>, Vec<u64>) {
    let mut all = vec![0u64; bytes.len() / 64 + 1];
    super::each_stop(bytes, 0, |i| set_bit(&mut all, i));
    let mut waw = vec![0u64; bytes.len() / 64 + 1];
    for k in super::waw_finder().find_iter(bytes) {
        set_bit(&mut waw, k + 2);
    }
    (all, waw)
}

#[cfg(any(test, not(target_arch = "x86_64")))]
fn set_bit(bits: &mut [u64], i: usize) {
    if let Some(w) = bits.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_setzero_si128,
    };

    /// A block of 64 bytes with the byte before it and the byte after it (zero past the
    /// text's ends, which no stop is made of).
    type Window = [u8; 66];

    pub(super) fn stop_bits(bytes: &[u8]) -> (Vec<u64>, Vec<u64>) {
        let words = bytes.len() / 64 + 1;
        let (mut all, mut waw) = (Vec::with_capacity(words), Vec::with_capacity(words));
        for start in (0..bytes.len()).step_by(64) {
            let (a, w) = match start
                .checked_sub(1)
                .and_then(|s| bytes.get(s..start + 65))
                .and_then(|w| <&Window>::try_from(w).ok())
            {
                Some(window) => block(window),
                // The first block and the last: copied, with zeros past the ends.
                None => block(&padded(bytes, start)),
            };
            all.push(a);
            waw.push(w);
        }
        all.resize(words, 0);
        waw.resize(words, 0);
        (all, waw)
    }

    /// The window of the block at `start`, where it reaches past an end of `bytes`.
    fn padded(bytes: &[u8], start: usize) -> Window {
        let mut window = [0u8; 66];
        let from = start.saturating_sub(1);
        let to = (start + 65).min(bytes.len());
        let at = from + 1 - start;
        if let (Some(dst), Some(src)) = (window.get_mut(at..at + to - from), bytes.get(from..to)) {
            dst.copy_from_slice(src);
        }
        window
    }

    /// The stop bits of the 64 bytes of a window: (all, waw).
    fn block(window: &Window) -> (u64, u64) {
        let (mut all, mut waw) = (0u64, 0u64);
        for q in 0..4 {
            let (a, w) = sixteen(&window[16 * q..]);
            all |= u64::from(a) << (16 * q);
            waw |= u64::from(w) << (16 * q);
        }
        (all, waw)
    }

    /// The stop bits of `w[1..17]`, with `w[0]` the byte before and `w[17]` the byte after.
    /// The stops: ASCII punctuation and tab, a space followed by a space, NBSP's first byte,
    /// the first byte of ، ؛ ؟, and (apart) a space after a byte that ends a و.
    #[inline(always)]
    fn sixteen(w: &[u8]) -> (u16, u16) {
        let (Some(before), Some(here), Some(after)) = (
            w.first_chunk::<16>(),
            w.get(1..).and_then(<[u8]>::first_chunk::<16>),
            w.get(2..).and_then(<[u8]>::first_chunk::<16>),
        ) else {
            return (0, 0);
        };
        // SAFETY: `_mm_loadu_si128` reads 16 bytes at a pointer with no alignment required, and
        // each pointer is that of a `[u8; 16]`. The other intrinsics only compute on values;
        // they need SSE2, which every x86-64 processor has (it is in the target's baseline).
        unsafe {
            let p = _mm_loadu_si128(before.as_ptr().cast());
            let v = _mm_loadu_si128(here.as_ptr().cast());
            let n = _mm_loadu_si128(after.as_ptr().cast());
            let eq = |x: __m128i, b: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8));
            let any = |bs: &[u8], x: __m128i| {
                bs.iter()
                    .fold(_mm_setzero_si128(), |acc, &b| _mm_or_si128(acc, eq(x, b)))
            };
            let space = eq(v, b' ');
            let punctuation = any(b"\t.:,;!?", v);
            let two_spaces = _mm_and_si128(space, eq(n, b' '));
            let nbsp = _mm_and_si128(eq(v, 0xc2), eq(n, 0xa0));
            // ، ؛ ؟ are D8 8C, D8 9B, D8 9F.
            let arabic = _mm_and_si128(eq(v, 0xd8), any(&[0x8c, 0x9b, 0x9f], n));
            let all = _mm_or_si128(
                _mm_or_si128(punctuation, two_spaces),
                _mm_or_si128(nbsp, arabic),
            );
            // و is D9 88.
            let waw = _mm_and_si128(space, eq(p, 0x88));
            (_mm_movemask_epi8(all) as u16, _mm_movemask_epi8(waw) as u16)
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Every stop the byte searches find is a stop here too, at every place in a block of
        /// 64 and across blocks (the extra ones find nothing: the spacing tests compare the
        /// findings of the two).
        #[test]
        fn bits_hold_every_searched_stop(t in proptest::collection::vec(
            proptest::sample::select(vec![
                "و", "ا", "ی", "ۈ", " ", "  ", "،", "؛", "؟", ":", ".", ",", ";", "!", "?", "\t",
                "\u{a0}", "\u{c2}", "\u{8c}", "\u{9f}", "1", "a", "\u{200c}", "😀", "و ", " و ",
                "ۈ ", "\n", "\r\n", "قال المسؤول في هذا الاجتماع ",
            ]),
            0..200,
        ).prop_map(|v| v.concat())) {
            let bytes = t.as_bytes();
            let (all, waw) = super::stop_bits(bytes);
            let (want_all, want_waw) = super::by_search(bytes);
            proptest::prop_assert_eq!(all.len(), want_all.len());
            proptest::prop_assert_eq!(waw.len(), want_waw.len());
            for (w, (got, want)) in all.iter().zip(&want_all).enumerate() {
                proptest::prop_assert_eq!(want & !got, 0, "word {}", w);
            }
            for (w, (got, want)) in waw.iter().zip(&want_waw).enumerate() {
                proptest::prop_assert_eq!(want & !got, 0, "word {}", w);
            }
        }
    }
}

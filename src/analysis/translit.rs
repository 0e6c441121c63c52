//! Latin look-up keys for Arabic-script names, so that a curator who types `shamk` in a
//! workspace-symbol search finds شمخاني.
//!
//! Exact romanisation is not the point (nobody types DIN 31635 into a search box); what matters
//! is that the many ways people write a name in Latin letters and the Arabic or Persian
//! spelling reduce to the same key. Both sides are reduced to a consonant skeleton: short
//! vowels are not written in Arabic script and long ones are written inconsistently in Latin
//! (Shamkhani, Shamkhany), so vowels and the half-vowels و/ي are dropped; letters Latin writers
//! merge are merged (ص/س → s, ط/ت → t, ق/ك/خ → k, ح/ه → h, ذ/ز/ظ/ض → z); p and v, which Arabic
//! writes ب and ف, become b and f; and doubled letters are collapsed.

/// The Latin skeleton of an Arabic, Persian or Latin string: lower-case ASCII consonants.
pub fn skeleton(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let push = |c: char, out: &mut String| {
        if !out.ends_with(c) {
            out.push(c);
        }
    };
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let lower = c.to_ascii_lowercase();
        let key: &str = match lower {
            // Latin: digraphs first, then letters folded like the Arabic ones they stand for.
            's' if chars.peek().is_some_and(|n| n.eq_ignore_ascii_case(&'h')) => {
                chars.next();
                "x"
            }
            'k' | 'c' | 'g' if chars.peek().is_some_and(|n| n.eq_ignore_ascii_case(&'h')) => {
                chars.next();
                match lower {
                    'c' => "j",
                    'g' => "g",
                    _ => "k",
                }
            }
            't' | 'd' | 'z' if chars.peek().is_some_and(|n| n.eq_ignore_ascii_case(&'h')) => {
                chars.next();
                match lower {
                    't' => "s",
                    _ => "z",
                }
            }
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | '\'' | '`' | '-' => "",
            'p' => "b",
            'v' => "f",
            'q' | 'c' => "k",
            'x' => "ks",
            'b' | 'd' | 'f' | 'g' | 'h' | 'j' | 'k' | 'l' | 'm' | 'n' | 'r' | 's' | 't' | 'z' => {
                out_letter(lower)
            }
            // Arabic and Persian letters.
            'ب' | 'پ' => "b",
            'ت' | 'ط' => "t",
            'ث' => "s",
            'ج' | 'چ' => "j",
            'ژ' => "z",
            'ح' | 'ه' | 'ة' | 'ھ' => "h",
            'خ' => "k",
            'د' => "d",
            'ذ' | 'ز' | 'ظ' | 'ض' => "z",
            'ر' => "r",
            'س' | 'ص' => "s",
            'ش' => "x",
            'غ' | 'گ' => "g",
            'ف' => "f",
            'ق' | 'ك' | 'ک' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' => "n",
            // Vowels, hamza carriers and ع: unwritten or written every which way in Latin.
            _ => "",
        };
        for k in key.chars() {
            push(k, &mut out);
        }
    }
    out
}

fn out_letter(c: char) -> &'static str {
    match c {
        'b' => "b",
        'd' => "d",
        'f' => "f",
        'g' => "g",
        'h' => "h",
        'j' => "j",
        'k' => "k",
        'l' => "l",
        'm' => "m",
        'n' => "n",
        'r' => "r",
        's' => "s",
        't' => "t",
        _ => "z",
    }
}

/// Whether a Latin query matches an Arabic-script `name`: the query's skeleton (at least three
/// consonants, so that two letters do not match half the KB) occurs in the name's, ignoring
/// an Arabic article ال at the name's start.
pub fn latin_matches(query: &str, name: &str) -> bool {
    let q = skeleton(query);
    if q.chars().count() < 3 {
        return false;
    }
    let name = name.strip_prefix("ال").unwrap_or(name);
    skeleton(name).contains(&q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_and_arabic_spellings_meet() {
        assert_eq!(skeleton("شمخاني"), skeleton("Shamkhani"));
        assert_eq!(skeleton("علی شمخانی"), skeleton("Ali Shamkhany"));
        assert!(latin_matches("shamk", "شمخاني"));
        assert!(latin_matches("shamk", "علی شمخانی"));
        assert!(latin_matches("putin", "بوتين"));
        assert!(latin_matches("Mamlouk", "علي مملوك"));
        assert!(latin_matches("mosul", "الموصل"));
        assert!(latin_matches("tehran", "طهران"));
        assert!(latin_matches("tehran", "تهران"));
        assert!(latin_matches("patrush", "باتروشيف"));
        // Too short to mean anything, and names that differ.
        assert!(!latin_matches("sh", "شمخاني"));
        assert!(!latin_matches("shamk", "مملوك"));
        assert!(!latin_matches("putin", "شويغو"));
    }
}

/// A readable ASCII id for a name, for entries a curator adds from the editor: Latin letters
/// kept, Arabic and Persian letters romanised letter by letter, words joined by `-`. Short
/// vowels are not written, so حسين gives `hsin`, not `hussein`: good enough to recognise, and
/// the curator may rename it. Empty when nothing romanises.
pub fn slug(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in name.split(|c: char| c.is_whitespace() || c == '-' || c == '_') {
        let mut w = String::new();
        let n = word.chars().count();
        for (i, c) in word.chars().enumerate() {
            let initial = i == 0;
            let r: &str = match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9') => {
                    w.push(c);
                    continue;
                }
                'ا' | 'أ' | 'إ' | 'آ' | 'ٱ' | 'ى' => "a",
                'ع' if initial => "e",
                'ع' | 'ء' | 'ئ' | 'ؤ' => "",
                'ب' => "b",
                'پ' => "p",
                'ت' | 'ط' => "t",
                'ث' => "th",
                'ج' => "j",
                'چ' => "ch",
                'ح' | 'ه' | 'ھ' => "h",
                'خ' => "kh",
                'د' | 'ض' => "d",
                'ذ' => "dh",
                'ر' => "r",
                'ز' | 'ظ' => "z",
                'ژ' => "zh",
                'س' | 'ص' => "s",
                'ش' => "sh",
                'غ' => "gh",
                'ف' => "f",
                'ق' => "q",
                'ك' | 'ک' => "k",
                'گ' => "g",
                'ل' => "l",
                'م' => "m",
                'ن' => "n",
                'و' if initial => "w",
                'و' => "u",
                'ي' | 'ی' if initial => "y",
                'ي' | 'ی' => "i",
                'ة' if i + 1 == n => "a",
                'ة' => "t",
                '٠'..='٩' => {
                    w.push(char::from(b'0' + (c as u32 - 0x0660) as u8));
                    continue;
                }
                '۰'..='۹' => {
                    w.push(char::from(b'0' + (c as u32 - 0x06f0) as u8));
                    continue;
                }
                _ => "",
            };
            w.push_str(r);
        }
        if !w.is_empty() {
            words.push(w);
        }
    }
    words.join("-")
}

#[cfg(test)]
mod slug_tests {
    use super::slug;

    #[test]
    fn ids_are_lower_case_ascii_words_joined_by_dashes() {
        assert_eq!(slug("حسين عرنوس"), "hsin-ernus");
        assert_eq!(slug("سرگئی شویگو"), "srgi-shuigu");
        assert_eq!(slug("Hussein Arnous"), "hussein-arnous");
        assert_eq!(slug("«»"), "");
        assert!(slug("جامعة الدول العربية")
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }
}

//! The corpus index: every article's entity mentions, for the questions that cross articles
//! (where else is this man named, in which spellings, next to whom).
//!
//! It holds no article text, only what the answers need: per mention its entity, the spelling
//! used (interned: a corpus spells one name a few ways thousands of times) and its place as a
//! line and a column in the unit the consumer asked for, so a reference into an unopened
//! article is answered without reading it again. Per entity it keeps the set of articles that
//! name it. Replacing one article's entry is cheap, which is what the server does on every
//! change of an open buffer and every file event.

use super::files;
use super::LoadError;
use crate::analysis::mentions::Mention;
use crate::analysis::text::Encoding;
use crate::analysis::Engine;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// One mention, located.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index of the entity in the folder's KB.
    pub entity: u32,
    /// Interned spelling: [`Index::spelling`].
    pub spelling: u32,
    /// Code-point span in the article.
    pub start: u32,
    pub end: u32,
    /// 0-based line, and the columns of start and end in the index's encoding (a mention never
    /// crosses a line break).
    pub line: u32,
    pub col: u32,
    pub end_col: u32,
}

/// What one article contributes, computed without the index (in parallel) and then inserted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// Mentions in text order, with their spellings not yet interned.
    hits: Vec<(Hit, String)>,
    /// See [`Article::link`].
    link: Option<Box<str>>,
}

impl Entry {
    /// The entry for `text` from mentions already found in it (an open buffer's analysis).
    pub fn from_mentions(text: &str, mentions: &[Mention], enc: Encoding) -> Entry {
        let mut hits = Vec::with_capacity(mentions.len());
        let mut order: Vec<&Mention> = mentions.iter().collect();
        order.sort_by_key(|m| (m.start, m.end));
        let mut walker = Walker::new(text, enc);
        for m in order {
            let (line, col) = walker.advance(m.start);
            let spelling_from = walker.byte;
            let (end_line, end_col) = walker.advance(m.end);
            let spelling = text
                .get(spelling_from..walker.byte)
                .unwrap_or_default()
                .to_string();
            hits.push((
                Hit {
                    entity: to_u32(m.entity),
                    spelling: 0,
                    start: to_u32(m.start),
                    end: to_u32(m.end),
                    line,
                    col,
                    // A span that would cross a line (it cannot) ends where its line ends.
                    end_col: if end_line == line { end_col } else { col },
                },
                spelling,
            ));
        }
        Entry { hits, link: None }
    }

    /// The entry with the consumer's name for its article (see [`Article::link`]), worked out
    /// where entries are computed (in parallel) rather than under the index's lock.
    pub fn with_link(self, link: Option<Box<str>>) -> Entry {
        Entry { link, ..self }
    }

    /// The entry for `text`, finding its mentions with `engine`.
    pub fn compute(engine: &Engine, text: &str, enc: Encoding) -> Entry {
        Entry::from_mentions(text, &engine.mentions(text), enc)
    }

    /// Reads the article at `path` and computes its entry.
    pub fn read(engine: &Engine, path: &Path, enc: Encoding) -> Result<Entry, LoadError> {
        let text = files::read_article(path, &path.display().to_string())?;
        Ok(Entry::compute(engine, &text, enc))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Walks a text forward once, turning code-point offsets into lines and columns.
struct Walker<'a> {
    text: &'a str,
    enc: Encoding,
    byte: usize,
    offset: usize,
    line: u32,
    col: u32,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str, enc: Encoding) -> Self {
        Walker {
            text,
            enc,
            byte: 0,
            offset: 0,
            line: 0,
            col: 0,
        }
    }

    /// Moves to code-point offset `to` (never backwards) and returns its line and column. Line
    /// breaks are LSP's: `\n`, `\r\n` and a lone `\r`.
    fn advance(&mut self, to: usize) -> (u32, u32) {
        let rest = self.text.get(self.byte..).unwrap_or_default();
        let mut chars = rest.chars().peekable();
        while self.offset < to {
            let Some(c) = chars.next() else { break };
            self.offset += 1;
            self.byte += c.len_utf8();
            match c {
                // In a CRLF pair the `\n` is the break.
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    self.line += 1;
                    self.col = 0;
                }
                c => {
                    self.col += match self.enc {
                        Encoding::Utf8 => c.len_utf8() as u32,
                        Encoding::Utf16 => c.len_utf16() as u32,
                        Encoding::Utf32 => 1,
                    }
                }
            }
        }
        (self.line, self.col)
    }
}

/// An indexed article.
#[derive(Clone, Debug)]
pub struct Article {
    pub path: PathBuf,
    pub hits: Vec<Hit>,
    /// The distinct entities it names, sorted.
    pub entities: Vec<u32>,
    /// How the consumer names the article in its answers (the language server: its URI as a
    /// JSON string), kept because a reference answer names thousands of articles and working
    /// each name out again would cost more than the rest of the answer.
    pub link: Option<Box<str>>,
}

/// What the corpus says about one entity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub mentions: usize,
    pub articles: usize,
    /// Spellings and how often each is used, most used first.
    pub spellings: Vec<(String, usize)>,
    /// Entities named in the same articles, with the number of shared articles, most first.
    pub with: Vec<(u32, usize)>,
}

/// Every article of a folder and the entities it names.
#[derive(Debug)]
pub struct Index {
    enc: Encoding,
    articles: Vec<Option<Article>>,
    free: Vec<u32>,
    by_path: HashMap<PathBuf, u32>,
    by_entity: HashMap<u32, BTreeSet<u32>>,
    spellings: Vec<Box<str>>,
    spelling_ids: HashMap<Box<str>, u32>,
    /// Per-entity tallies for [`Index::stats`], dropped whenever an article changes.
    tallies: std::cell::RefCell<HashMap<u32, Tally>>,
}

impl Index {
    /// An empty index whose columns count `enc` units.
    pub fn new(enc: Encoding) -> Index {
        Index {
            enc,
            articles: Vec::new(),
            free: Vec::new(),
            by_path: HashMap::new(),
            by_entity: HashMap::new(),
            spellings: Vec::new(),
            spelling_ids: HashMap::new(),
            tallies: Default::default(),
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.enc
    }

    /// The number of articles indexed.
    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.by_path.contains_key(path)
    }

    /// Every indexed path, sorted.
    pub fn paths(&self) -> Vec<&Path> {
        let mut v: Vec<&Path> = self.by_path.keys().map(PathBuf::as_path).collect();
        v.sort();
        v
    }

    pub fn article(&self, path: &Path) -> Option<&Article> {
        let &slot = self.by_path.get(path)?;
        self.articles.get(slot as usize)?.as_ref()
    }

    pub fn spelling(&self, id: u32) -> &str {
        self.spellings.get(id as usize).map_or("", |s| s)
    }

    fn intern(&mut self, s: String) -> u32 {
        if let Some(&id) = self.spelling_ids.get(s.as_str()) {
            return id;
        }
        let id = to_u32(self.spellings.len());
        let boxed: Box<str> = s.into_boxed_str();
        self.spellings.push(boxed.clone());
        self.spelling_ids.insert(boxed, id);
        id
    }

    /// Sets the entry of `path`, replacing what was there.
    pub fn insert(&mut self, path: PathBuf, entry: Entry) {
        self.remove(&path);
        self.tallies.get_mut().clear();
        let hits: Vec<Hit> = entry
            .hits
            .into_iter()
            .map(|(mut h, s)| {
                h.spelling = self.intern(s);
                h
            })
            .collect();
        let mut entities: Vec<u32> = hits.iter().map(|h| h.entity).collect();
        entities.sort_unstable();
        entities.dedup();
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.articles.push(None);
                to_u32(self.articles.len() - 1)
            }
        };
        for &e in &entities {
            self.by_entity.entry(e).or_default().insert(slot);
        }
        self.by_path.insert(path.clone(), slot);
        if let Some(place) = self.articles.get_mut(slot as usize) {
            *place = Some(Article {
                path,
                hits,
                entities,
                link: entry.link,
            });
        }
    }

    /// Forgets `path` (deleted, or no longer an article).
    pub fn remove(&mut self, path: &Path) {
        let Some(slot) = self.by_path.remove(path) else {
            return;
        };
        self.tallies.get_mut().clear();
        let Some(old) = self.articles.get_mut(slot as usize).and_then(Option::take) else {
            return;
        };
        for e in old.entities {
            if let Some(set) = self.by_entity.get_mut(&e) {
                set.remove(&slot);
                if set.is_empty() {
                    self.by_entity.remove(&e);
                }
            }
        }
        self.free.push(slot);
    }

    /// How many articles name `entity`.
    pub fn article_count(&self, entity: usize) -> usize {
        self.by_entity.get(&to_u32(entity)).map_or(0, BTreeSet::len)
    }

    /// The articles naming `entity`, in slot order: stable, and close to path order, since a
    /// first indexing run inserts in discovery order. Not sorted by path: on a large corpus
    /// sorting thousands of paths per hover costs more than the whole answer.
    fn naming(&self, entity: u32) -> impl Iterator<Item = &Article> {
        self.by_entity
            .get(&entity)
            .into_iter()
            .flatten()
            .filter_map(|&s| self.articles.get(s as usize)?.as_ref())
    }

    /// Every mention of `entity`, article by article (see [`Index::naming`]) and then by position.
    pub fn references(&self, entity: usize) -> Vec<(&Path, Hit)> {
        self.references_by_article(entity)
            .flat_map(|(a, hits)| hits.map(move |h| (a.path.as_path(), *h)))
            .collect()
    }

    /// [`Index::references`] grouped: each article naming `entity` with its mentions of it.
    pub fn references_by_article(
        &self,
        entity: usize,
    ) -> impl Iterator<Item = (&Article, impl Iterator<Item = &Hit>)> {
        let e = to_u32(entity);
        self.naming(e)
            .map(move |a| (a, a.hits.iter().filter(move |h| h.entity == e)))
    }

    /// The corpus view of `entity`; `with` holds at most `top` entities. `current` is an
    /// article whose fresh mentions (entity, spelling) stand in for what the index holds of it:
    /// the buffer being hovered may have changed since it was indexed.
    ///
    /// The tally over the whole index is cached per entity until the index next changes, so
    /// hovering a name that thousands of articles mention costs a lookup, not a scan.
    pub fn stats(
        &self,
        entity: usize,
        top: usize,
        current: Option<(&Path, &[(usize, &str)])>,
    ) -> Stats {
        let e = to_u32(entity);
        let mut t = self.tally(e);
        if let Some((path, fresh)) = current {
            if let Some(old) = self.article(path).filter(|a| a.entities.contains(&e)) {
                let hits = old
                    .hits
                    .iter()
                    .map(|h| (h.entity, self.spelling(h.spelling)));
                t.count(e, hits, &old.entities, false);
            }
            let mut others: Vec<u32> = fresh.iter().map(|&(x, _)| to_u32(x)).collect();
            others.sort_unstable();
            others.dedup();
            if others.contains(&e) {
                let hits = fresh.iter().map(|&(x, sp)| (to_u32(x), sp));
                t.count(e, hits, &others, true);
            }
        }
        let mut spellings: Vec<(String, usize)> =
            t.spellings.into_iter().filter(|&(_, n)| n > 0).collect();
        spellings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut with: Vec<(u32, usize)> = t.with.into_iter().filter(|&(_, n)| n > 0).collect();
        with.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        with.truncate(top);
        Stats {
            mentions: t.mentions,
            articles: t.articles,
            spellings,
            with,
        }
    }

    /// The tally of `e` over every indexed article, from the cache or computed now.
    fn tally(&self, e: u32) -> Tally {
        if let Some(t) = self.tallies.borrow().get(&e) {
            return t.clone();
        }
        let mut t = Tally::default();
        for a in self.naming(e) {
            let hits = a.hits.iter().map(|h| (h.entity, self.spelling(h.spelling)));
            t.count(e, hits, &a.entities, true);
        }
        self.tallies.borrow_mut().insert(e, t.clone());
        t
    }
}

/// Counts toward one entity's [`Stats`], before sorting.
#[derive(Clone, Debug, Default)]
struct Tally {
    mentions: usize,
    articles: usize,
    spellings: HashMap<String, usize>,
    with: HashMap<u32, usize>,
}

impl Tally {
    /// Adds (or, with `add` false, takes away) one article naming `e`: its hits and the
    /// distinct entities it names.
    fn count<'s>(
        &mut self,
        e: u32,
        hits: impl Iterator<Item = (u32, &'s str)>,
        entities: &[u32],
        add: bool,
    ) {
        let step = |n: &mut usize| {
            *n = if add { *n + 1 } else { n.saturating_sub(1) };
        };
        step(&mut self.articles);
        for (_, sp) in hits.filter(|&(x, _)| x == e) {
            step(&mut self.mentions);
            match self.spellings.get_mut(sp) {
                Some(n) => step(n),
                None if add => {
                    self.spellings.insert(sp.to_string(), 1);
                }
                None => {}
            }
        }
        for &o in entities.iter().filter(|&&o| o != e) {
            step(self.with.entry(o).or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::embedded()
    }

    #[test]
    fn positions_count_lines_and_units_of_the_encoding() {
        let e = engine();
        // An astral character and a CRLF before the name, a lone CR between two lines.
        let text = "😀 خبر\r\nقال علي شمخاني\rو شمخاني";
        let shamkhani = e.kb.index_of("ali-shamkhani").unwrap();
        for (enc, col, col2) in [
            (Encoding::Utf16, 4, 2),
            (Encoding::Utf32, 4, 2),
            (Encoding::Utf8, 7, 3),
        ] {
            let entry = Entry::compute(&e, text, enc);
            let hits: Vec<&(Hit, String)> = entry
                .hits
                .iter()
                .filter(|(h, _)| h.entity as usize == shamkhani)
                .collect();
            assert_eq!(hits.len(), 2, "{enc:?}: {entry:?}");
            assert_eq!((hits[0].0.line, hits[0].0.col), (1, col), "{enc:?}");
            assert_eq!(hits[0].1, "علي شمخاني");
            assert_eq!((hits[1].0.line, hits[1].0.col), (2, col2), "{enc:?}");
            assert_eq!(hits[1].1, "شمخاني");
        }
        let entry = Entry::compute(&e, "😀شمخاني", Encoding::Utf16);
        assert!(entry.hits.iter().all(|(h, _)| h.col == 2 && h.end_col == 8));
    }

    #[test]
    fn insert_replace_and_remove_keep_the_entity_sets() {
        let e = engine();
        let enc = Encoding::Utf16;
        let iran = e.kb.index_of("iran").unwrap();
        let syria = e.kb.index_of("syria").unwrap();
        let mut idx = Index::new(enc);
        idx.insert(
            "/c/a.txt".into(),
            Entry::compute(&e, "زار إيران ثم سوريا وإيران", enc),
        );
        idx.insert("/c/b.txt".into(), Entry::compute(&e, "في سورية", enc));
        assert_eq!(idx.len(), 2);
        let refs: Vec<(String, u32)> = idx
            .references(iran)
            .iter()
            .map(|(p, h)| (p.display().to_string(), h.col))
            .collect();
        assert_eq!(refs, [("/c/a.txt".to_string(), 4), ("/c/a.txt".into(), 20)]);
        let s = idx.stats(syria, 5, None);
        assert_eq!((s.mentions, s.articles), (2, 2));
        assert_eq!(s.spellings, [("سوريا".to_string(), 1), ("سورية".into(), 1)]);
        assert_eq!(s.with, [(iran as u32, 1)]);
        // Replacing a.txt with a text that no longer names Iran drops it from Iran's set.
        idx.insert("/c/a.txt".into(), Entry::compute(&e, "لا شيء", enc));
        assert!(idx.references(iran).is_empty());
        assert_eq!(idx.stats(syria, 5, None).articles, 1);
        // Fresh mentions of an article stand in for its indexed ones.
        let fresh = [(syria, "سوريا"), (syria, "الشام"), (iran, "إيران")];
        let s = idx.stats(syria, 5, Some((Path::new("/c/b.txt"), &fresh)));
        assert_eq!((s.mentions, s.articles), (2, 1));
        assert_eq!(s.with, [(iran as u32, 1)]);
        idx.remove(Path::new("/c/b.txt"));
        assert_eq!(idx.stats(syria, 5, None), Stats::default());
        assert_eq!(idx.len(), 1);
        // A freed slot is reused.
        idx.insert("/c/c.txt".into(), Entry::compute(&e, "سوريا", enc));
        assert_eq!(idx.references(syria).len(), 1);
        assert_eq!(idx.paths().len(), 2);
    }
}

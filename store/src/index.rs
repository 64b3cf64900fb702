//! The tantivy index over cases: text segmented by jieba, plus url, domain, category and state,
//! so analysts can search in Chinese with tantivy's query syntax.

use crate::{Error, Result};
use admon_domain::Case;
use jieba_rs::{Jieba, TokenizeMode};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::AggregationCollector;
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    DateOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

const TOKENIZER: &str = "jieba";

/// The longest search query taken, in characters: a search box, not a document.
pub const MAX_QUERY_CHARS: usize = 500;
/// How deep parentheses may nest in a query (tantivy's parser recurses per level; thousands of
/// levels overflow the stack).
pub const MAX_QUERY_DEPTH: usize = 16;
/// The most hits one search may ask for: deeper pages are refused, not allocated.
pub const MAX_SEARCH_HITS: usize = 10_000;

/// A query that parses but cannot run on this schema (`text:*` on a field without fast
/// values) is the analyst's mistake, not the store's.
fn user_error(e: tantivy::TantivyError) -> Error {
    match e {
        tantivy::TantivyError::SchemaError(m) | tantivy::TantivyError::InvalidArgument(m) => {
            Error::BadQuery(m)
        }
        tantivy::TantivyError::FieldNotFound(field) => {
            Error::BadQuery(format!("no field `{field}` to search"))
        }
        other => other.into(),
    }
}

/// Refuses a query too long or too deeply nested to parse safely.
fn check_query(query: &str) -> Result<()> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::BadQuery(format!(
            "query is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in query.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_QUERY_DEPTH {
        return Err(Error::BadQuery(format!(
            "query nests brackets {deepest} deep (at most {MAX_QUERY_DEPTH})"
        )));
    }
    Ok(())
}

/// jieba search-mode segmentation as a tantivy tokenizer (byte offsets, as tantivy wants).
#[derive(Clone)]
struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

struct JiebaTokens {
    tokens: Vec<Token>,
    at: usize,
}

impl TokenStream for JiebaTokens {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokens {
        let byte_at: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let tokens = self
            .jieba
            .tokenize(text, TokenizeMode::Search, true)
            .into_iter()
            .filter(|t| t.word.chars().any(char::is_alphanumeric))
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: byte_at[t.start],
                offset_to: byte_at[t.end],
                position,
                text: t.word.to_owned(),
                position_length: 1,
            })
            .collect();
        JiebaTokens { tokens, at: 0 }
    }
}

struct Fields {
    id: Field,
    text: Field,
    url: Field,
    domain: Field,
    category: Field,
    state: Field,
    kind: Field,
    date: Field,
}

/// Hit counts per category and per domain for a query (the 20 largest of each).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Facets {
    /// Matching cases per category.
    pub categories: Vec<(String, u64)>,
    /// Matching cases per domain.
    pub domains: Vec<(String, u64)>,
}

pub(crate) struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Documents added since the last commit: a search commits first, so it sees them.
    dirty: AtomicBool,
    /// The store's change sequence number of the newest document added; each commit records
    /// it as the commit's payload, so after a crash the store replays only later changes.
    seq: AtomicU64,
}

impl SearchIndex {
    pub(crate) fn open(dir: &Path) -> Result<SearchIndex> {
        let mut builder = Schema::builder();
        let chinese = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let fields = Fields {
            id: builder.add_u64_field("id", INDEXED | STORED | FAST),
            text: builder.add_text_field("text", chinese.clone()),
            url: builder.add_text_field("url", chinese),
            domain: builder.add_text_field("domain", STRING | STORED | FAST),
            category: builder.add_text_field("category", STRING | STORED | FAST),
            state: builder.add_text_field("state", STRING | STORED),
            kind: builder.add_text_field("kind", STRING),
            date: builder
                .add_date_field("date", DateOptions::from(INDEXED).set_stored().set_fast()),
        };
        let schema = builder.build();
        let index = match open_dir(dir, schema.clone()) {
            Err(Error::Index(tantivy::TantivyError::SchemaError(e))) => {
                // Derived data from an older admon: start afresh, the store rebuilds it.
                tracing::info!(error = %e, "search index has an old schema, recreating it");
                std::fs::remove_dir_all(dir).map_err(|cause| Error::Io {
                    path: dir.to_owned(),
                    cause,
                })?;
                open_dir(dir, schema)?
            }
            other => other?,
        };
        index.tokenizers().register(
            TOKENIZER,
            TextAnalyzer::builder(JiebaTokenizer {
                jieba: admon_domain::segment::jieba(),
            })
            .filter(LowerCaser)
            .build(),
        );
        let writer = index.writer(32_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let search = SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            dirty: AtomicBool::new(false),
            seq: AtomicU64::new(0),
        };
        if let Some(seq) = search.committed_seq()? {
            search.seq.store(seq, Ordering::Release);
        }
        Ok(search)
    }

    /// The change sequence number the last commit covers (every change up to it is indexed);
    /// `None` for an index that never committed one (new, or from an older admon).
    pub(crate) fn committed_seq(&self) -> Result<Option<u64>> {
        let metas = self.index.load_metas()?;
        Ok(metas.payload.and_then(|p| p.parse().ok()))
    }

    /// Adds or replaces a case's document, written by the store's change `seq`.
    pub(crate) fn upsert(&self, case: &Case, seq: u64) -> Result<()> {
        let f = &self.fields;
        let writer = self.writer.lock().expect("index writer poisoned");
        writer.delete_term(Term::from_field_u64(f.id, case.id));
        writer.add_document(doc!(
            f.id => case.id,
            f.text => case.text.as_str(),
            f.url => case.url.as_str(),
            f.domain => case.domain.as_str(),
            f.category => case.category.as_str(),
            f.state => case.state.as_str(),
            f.kind => case.kind.as_str(),
            f.date => tantivy::DateTime::from_timestamp_secs(case.first_seen.unix_timestamp()),
        ))?;
        self.seq.fetch_max(seq, Ordering::AcqRel);
        self.dirty.store(true, Ordering::Release);
        Ok(())
    }

    pub(crate) fn is_dirty(&self) -> bool {
        self.dirty.load(Ordering::Acquire)
    }

    /// Commits what was added, recording the newest change sequence number; returns it.
    pub(crate) fn commit(&self) -> Result<u64> {
        let mut writer = self.writer.lock().expect("index writer poisoned");
        let seq = self.seq.load(Ordering::Acquire);
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&seq.to_string());
        prepared.commit()?;
        drop(writer);
        self.dirty.store(false, Ordering::Release);
        self.reader.reload()?;
        Ok(seq)
    }

    /// Drops every document; the next commit records `seq` as covered.
    pub(crate) fn clear(&self, seq: u64) -> Result<()> {
        self.writer
            .lock()
            .expect("index writer poisoned")
            .delete_all_documents()?;
        self.seq.store(seq, Ordering::Release);
        Ok(())
    }

    /// Sets the change sequence number covered once catch-up has replayed up to it.
    pub(crate) fn set_seq(&self, seq: u64) {
        self.seq.fetch_max(seq, Ordering::AcqRel);
        self.dirty.store(true, Ordering::Release);
    }

    pub(crate) fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn parse(&self, query: &str) -> Result<Box<dyn Query>> {
        if query.trim().is_empty() {
            return Ok(Box::new(AllQuery));
        }
        check_query(query)?;
        let f = &self.fields;
        QueryParser::for_index(&self.index, vec![f.text, f.url])
            .parse_query(query)
            .map_err(|e| Error::BadQuery(e.to_string()))
    }

    /// Cases matching `query` (all when empty), counted per category and per domain.
    pub(crate) fn facets(&self, query: &str) -> Result<Facets> {
        let query = self.parse(query)?;
        let aggs: Aggregations = serde_json::from_value(serde_json::json!({
            "categories": { "terms": { "field": "category", "size": 20 } },
            "domains": { "terms": { "field": "domain", "size": 20 } },
        }))
        .expect("aggregation request is valid");
        let collector = AggregationCollector::from_aggs(aggs, Default::default());
        let result: AggregationResults = self
            .reader
            .searcher()
            .search(&query, &collector)
            .map_err(user_error)?;
        let json = serde_json::to_value(result).unwrap_or_default();
        let buckets = |name: &str| -> Vec<(String, u64)> {
            json[name]["buckets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| Some((b["key"].as_str()?.to_owned(), b["doc_count"].as_u64()?)))
                .collect()
        };
        Ok(Facets {
            categories: buckets("categories"),
            domains: buckets("domains"),
        })
    }

    /// The words of `text` as the index segments them (for similar cases and highlights).
    pub(crate) fn words(&self, text: &str) -> Vec<String> {
        let mut analyzer = self
            .index
            .tokenizers()
            .get(TOKENIZER)
            .expect("jieba tokenizer registered");
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while stream.advance() {
            let word = stream.token().text.clone();
            if !words.contains(&word) {
                words.push(word);
            }
        }
        words
    }

    /// Cases whose text shares the most words with `text` (BM25 over its words), best first,
    /// without `except`.
    pub(crate) fn similar(&self, text: &str, except: u64, limit: usize) -> Result<Vec<u64>> {
        let f = &self.fields;
        let clauses: Vec<(Occur, Box<dyn Query>)> = self
            .words(text)
            .into_iter()
            // Single letters and digits say nothing; single Chinese characters may.
            .filter(|w| w.chars().count() > 1 || !w.is_ascii())
            .take(32)
            .map(|w| {
                let term = Term::from_field_text(f.text, &w);
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids = self.top(&BooleanQuery::new(clauses), limit + 1)?;
        ids.retain(|&id| id != except);
        ids.truncate(limit);
        Ok(ids)
    }

    pub(crate) fn search(&self, query: &str, limit: usize) -> Result<Vec<u64>> {
        if limit > MAX_SEARCH_HITS {
            return Err(Error::BadQuery(format!(
                "a search shows at most {MAX_SEARCH_HITS} hits; narrow it down"
            )));
        }
        let query = self.parse(query)?;
        self.top(&*query, limit)
    }

    fn top(&self, query: &dyn Query, limit: usize) -> Result<Vec<u64>> {
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let top = searcher
            .search(query, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(user_error)?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

fn open_dir(dir: &Path, schema: Schema) -> Result<Index> {
    std::fs::create_dir_all(dir).map_err(|cause| Error::Io {
        path: dir.to_owned(),
        cause,
    })?;
    let directory =
        tantivy::directory::MmapDirectory::open(dir).map_err(|e| Error::Index(e.into()))?;
    Ok(Index::open_or_create(directory, schema)?)
}

//! The tantivy index over cases: text segmented by jieba, plus url, domain, category and state,
//! so analysts can search in Chinese with tantivy's query syntax.

use crate::{Error, Result};
use admon_domain::Case;
use jieba_rs::{Jieba, TokenizeMode};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

const TOKENIZER: &str = "jieba";

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
}

pub(crate) struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Documents added since the last commit: a search commits first, so it sees them.
    dirty: AtomicBool,
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
            domain: builder.add_text_field("domain", STRING | STORED),
            category: builder.add_text_field("category", STRING | STORED),
            state: builder.add_text_field("state", STRING | STORED),
        };
        let schema = builder.build();
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| Error::Index(e.into()))?;
        let index = Index::open_or_create(directory, schema)?;
        index.tokenizers().register(
            TOKENIZER,
            TextAnalyzer::builder(JiebaTokenizer {
                jieba: Arc::new(Jieba::new()),
            })
            .filter(LowerCaser)
            .build(),
        );
        let writer = index.writer(32_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            dirty: AtomicBool::new(false),
        })
    }

    pub(crate) fn upsert(&self, case: &Case) -> Result<()> {
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
        ))?;
        self.dirty.store(true, Ordering::Release);
        Ok(())
    }

    pub(crate) fn commit(&self) -> Result<()> {
        self.writer
            .lock()
            .expect("index writer poisoned")
            .commit()?;
        self.dirty.store(false, Ordering::Release);
        self.reader.reload()?;
        Ok(())
    }

    pub(crate) fn clear(&self) -> Result<()> {
        self.writer
            .lock()
            .expect("index writer poisoned")
            .delete_all_documents()?;
        Ok(())
    }

    pub(crate) fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub(crate) fn search(&self, query: &str, limit: usize) -> Result<Vec<u64>> {
        if self.dirty.load(Ordering::Acquire) {
            self.commit()?;
        }
        let f = &self.fields;
        let parser = QueryParser::for_index(&self.index, vec![f.text, f.url]);
        let query = parser
            .parse_query(query)
            .map_err(|e| Error::BadQuery(e.to_string()))?;
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
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

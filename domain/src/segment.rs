//! The process's one Chinese word segmenter. jieba with its default dictionary takes ~30 MB
//! and a tenth of a second of CPU to load; the classifier's features and the search index's
//! tokeniser cut with the same instance, loaded on first use.

use jieba_rs::Jieba;
use std::sync::{Arc, OnceLock};

/// The shared segmenter (loaded by the first caller; later callers get the same one).
pub fn jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA.get_or_init(|| Arc::new(Jieba::new())).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_caller_gets_the_same_segmenter_and_it_cuts_chinese() {
        let (a, b) = (jieba(), jieba());
        assert!(Arc::ptr_eq(&a, &b));
        let words: Vec<&str> = a
            .cut("市场监管总局发布通知", false)
            .iter()
            .map(|t| t.word)
            .collect();
        assert_eq!(words.concat(), "市场监管总局发布通知");
        assert!(words.len() >= 3, "{words:?}");
    }
}

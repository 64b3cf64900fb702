#!/usr/bin/env python3
"""Side by side on the same splits: admon's classifier and scikit-learn (TfidfVectorizer +
LogisticRegression on jieba tokens). Prints both macro-F1s, both docs/s on one core, and the
ratios against the targets of the classifier issue (F1 >= sklearn's, >= 5x faster per core,
model under 50 MB resident).

Run from the repository root: python3 bench/classifier_vs_sklearn.py [--svm]
It makes a virtualenv under target/bench-venv with scikit-learn and jieba from PyPI.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "bench-venv"


def ensure_venv():
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "scikit-learn", "jieba"], check=True)
    if pathlib.Path(sys.prefix).resolve() != VENV.resolve():
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        os.execve(str(python), [str(python), __file__, *sys.argv[1:]], env)


def load(split):
    with open(ROOT / "seeds" / "corpus" / f"{split}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def text_of(record):
    title = record.get("title")
    text = record["text"]
    return text if not title or title in text else f"{text} {title}"


def sklearn_figures():
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    jieba.setLogLevel(60)
    train, test = load("train"), load("test")
    vectoriser = TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None, lowercase=True, sublinear_tf=True)
    x = vectoriser.fit_transform([text_of(r) for r in train])
    model = LogisticRegression(max_iter=1000, C=10.0)
    model.fit(x, [r["label"] for r in train])
    texts = [text_of(r) for r in test]
    gold = [r["label"] for r in test]
    predicted = model.predict(vectoriser.transform(texts))
    f1 = f1_score(gold, predicted, average="macro")
    docs, start = 0, time.perf_counter()
    while time.perf_counter() - start < 3.0:
        # One document at a time, as a monitor classifies what the crawler hands it.
        for t in texts:
            model.predict(vectoriser.transform([t]))
        docs += len(texts)
    per_doc = docs / (time.perf_counter() - start)
    batch_start = time.perf_counter()
    for _ in range(5):
        model.predict(vectoriser.transform(texts))
    batch = 5 * len(texts) / (time.perf_counter() - batch_start)
    return {"macro_f1": f1, "docs_per_sec": per_doc, "batch_docs_per_sec": batch}


def admon_figures():
    args = ["cargo", "bench", "-q", "-p", "admon-classifier", "--bench", "classify", "--"]
    if "--svm" in sys.argv:
        args.append("--svm")
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True,
                         env=dict(os.environ, RAYON_NUM_THREADS="1")).stdout
    for line in out.splitlines():
        if not line.startswith("{"):
            print(line)
    return json.loads([l for l in out.splitlines() if l.startswith("{")][-1])


def main():
    ensure_venv()
    ours = admon_figures()
    theirs = sklearn_figures()
    print()
    print(f"{'':28}{'admon':>12}{'sklearn':>12}{'ratio':>10}")
    print(f"{'test macro-F1':28}{ours['macro_f1']:>12.3f}{theirs['macro_f1']:>12.3f}{ours['macro_f1'] / theirs['macro_f1']:>10.3f}")
    speed = ours["docs_per_sec"] / theirs["docs_per_sec"]
    print(f"{'docs/s, one core, per doc':28}{ours['docs_per_sec']:>12.0f}{theirs['docs_per_sec']:>12.0f}{speed:>10.1f}")
    print(f"{'sklearn docs/s, batched':28}{'':>12}{theirs['batch_docs_per_sec']:>12.0f}{ours['docs_per_sec'] / theirs['batch_docs_per_sec']:>10.1f}")
    print(f"{'model+vectoriser MB (RSS)':28}{ours['model_mb']:>12.1f}")
    checks = [
        ("macro-F1 >= 0.90", ours["macro_f1"] >= 0.90),
        ("flag precision and recall >= 0.90", ours["flag_precision"] >= 0.90 and ours["flag_recall"] >= 0.90),
        ("F1 matches or beats sklearn", ours["macro_f1"] >= theirs["macro_f1"] - 1e-9),
        (">= 5x sklearn's docs/s per core", speed >= 5.0),
        ("model under 50 MB resident", ours["model_mb"] < 50.0),
    ]
    print()
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    sys.exit(0 if all(ok for _, ok in checks) else 1)


if __name__ == "__main__":
    main()

# The two commands of the README. Both install what they need from Debian first.
.PHONY: demo test deps test-deps lint bench-crawl

deps:
	@scripts/debian-deps.sh

# What the tests check admon's output with: html5lib and warcio, from PyPI, in target/test-venv.
test-deps: deps
	@scripts/test-python.sh

# Run the bundled demo: demo sites on loopback -> crawl -> classify -> store -> dashboard.
demo: deps
	cargo run -- demo

# Every test (unit, integration, end to end with Chromium).
test: test-deps lint
	cargo test --workspace

# admon's crawler against spider-rs, Scrapy (from PyPI, into target/bench-venv) and the
# parse-only ceiling, on a generated loopback site; then a crawl to a 1,000,000-URL frontier.
bench-crawl:
	cargo build --release -p admon
	cargo run --release --manifest-path benches/crawl-compare/Cargo.toml --target-dir target -- $(ARGS)

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

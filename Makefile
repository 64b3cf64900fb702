# The two commands of the README. Both install what they need from Debian first.
.PHONY: demo test deps lint

deps:
	@scripts/debian-deps.sh

# Run the bundled demo: demo sites on loopback -> crawl -> classify -> store -> dashboard.
demo: deps
	cargo run -- demo

# Every test (unit, integration, end to end with Chromium).
test: deps lint
	cargo test --workspace

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

//! `admon`: the internet advertising monitor. Loads the configuration, builds the stages
//! (crawler -> classifier -> store -> dashboard) and runs one command.

use admon::config::{self, Config};
use admon::{accounts, demo, filters, inspect, keys, pipeline};
use admon_classifier::{load_or_train, Classifier, Resources, TrainOptions};
use admon_crawler::{Crawler, Progress, SeedScope};
use admon_dashboard::{hash_password, password_matches, CategoryInfo, Dashboard};
use admon_domain::{CaseState, Category};
use admon_store::{CaseFilter, CrawlRun, Store, User};
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "admon",
    version,
    about = "Internet advertising monitor: crawl, classify, store, triage"
)]
struct Cli {
    /// Configuration file (default: ./admon.toml when it exists).
    #[arg(long, global = true, env = "ADMON_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory.
    #[arg(long, global = true, env = "ADMON_DATA", default_value = "admon-data")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the bundled demo sites, crawl and classify them, then serve the dashboard.
    Demo {
        /// Dashboard port.
        #[arg(long)]
        port: Option<u16>,
    },
    /// Crawl seed URLs (or files listing them, one per line) into the store.
    Crawl {
        /// Seed URLs or files of URLs.
        #[arg(long, num_args = 1.., required = true)]
        seeds: Vec<String>,
        /// Stop after this many pages.
        #[arg(long)]
        max_pages: Option<usize>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Drop what an unfinished crawl (stopped with Ctrl-C, or killed) left in the frontier
        /// instead of resuming it.
        #[arg(long)]
        fresh: bool,
        /// Share the frontier through Redis with `admon worker`s on other machines (this
        /// process still crawls, and keeps every page).
        #[arg(long)]
        redis: Option<String>,
    },
    /// Classify JSONL records.
    Classify {
        /// Input JSONL (one record per line).
        #[arg(long)]
        input: PathBuf,
        /// Output JSONL (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Train the model from seeds/ and print dev and test metrics.
    Train {
        /// Where to write the model (default: the configured model path).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Add analysts' decisions from the store as labelled examples.
        #[arg(long)]
        with_feedback: bool,
        /// Also fit a one-vs-rest linear SVM (slow: many minutes).
        #[arg(long)]
        svm: bool,
        /// Learn from the real records only, without the templated supplement.
        #[arg(long)]
        without_templates: bool,
    },
    /// Evaluate the model on the real test split (source by source) and the templates' test
    /// split, or on a labelled JSONL file.
    Eval {
        /// Labelled JSONL (records plus "label").
        #[arg(long)]
        input: Option<PathBuf>,
    },
    /// Crawl for the machine that keeps the store: take jobs from the Redis frontier of an
    /// `admon crawl` run with `--redis`, fetch, render and extract them, and send the pages
    /// back through Redis. Runs until Ctrl-C.
    Worker {
        /// Redis URL (default: `crawler.redis` of the config).
        #[arg(long)]
        redis: Option<String>,
        /// This worker's name, stable across restarts (default: the host name); two workers
        /// on one machine need two names.
        #[arg(long)]
        id: Option<String>,
    },
    /// Serve the dashboard over the data directory.
    Serve {
        /// Dashboard port.
        #[arg(long)]
        port: Option<u16>,
    },
    /// Cases in the store.
    Cases {
        #[command(subcommand)]
        command: CasesCommand,
    },
    /// Export cases for enforcement (confirmed ones are marked exported).
    Export {
        /// csv, xlsx, json or pack (a zip evidence pack).
        #[arg(long)]
        format: String,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// Only this state.
        #[arg(long, default_value = "confirmed")]
        state: String,
    },
    /// Dashboard accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bearer tokens for the JSON API (`/api/v1/...`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Store maintenance.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Search index maintenance.
    Index {
        #[command(subcommand)]
        command: IndexCommand,
    },
    /// What a crawl would find on each page (robots.txt and politeness kept, the model
    /// trained on first use), one JSON object a page on standard output; nothing is kept.
    Inspect {
        /// never, auto or always (default: crawler.render).
        #[arg(long, value_parser = ["never", "auto", "always"])]
        render: Option<String>,
        /// Pages to inspect.
        #[arg(required = true)]
        urls: Vec<String>,
    },
    /// Filter lists.
    Filters {
        #[command(subcommand)]
        command: FiltersCommand,
    },
    /// The key that signs checkpoints of the audit chain (store.signing_key).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Create the signing key (outside the data directory; never over an existing one) and
    /// print its public key.
    Init,
    /// Print the signing key's public key (PEM), for officers checking a store or a pack.
    Public,
}

#[derive(Subcommand)]
enum FiltersCommand {
    /// Download the lists configured in `[filters] lists` into the data directory (each only
    /// when its copy has expired, unless --force; conditional GET; the last good copy kept).
    Update {
        /// Ask for every list, expired or not.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum CasesCommand {
    /// Write analysts' decisions as labelled JSONL (confirmed: the category; dismissed:
    /// clean), the corpus format that `train` and `eval --input` read.
    Feedback {
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
    /// List the queue.
    List {
        /// Only this state.
        #[arg(long)]
        state: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user, or reset an existing user's password and role.
    Add {
        /// Login name.
        name: String,
        /// analyst, officer or admin.
        #[arg(long)]
        role: String,
        /// Password (default: read a line from standard input). At least 12 characters, not
        /// a common password.
        #[arg(long, env = "ADMON_PASSWORD")]
        password: Option<String>,
    },
    /// Stop a user logging in or acting (their sessions end at once).
    Disable {
        /// Login name.
        name: String,
    },
    /// Let a disabled user back in.
    Enable {
        /// Login name.
        name: String,
    },
    /// Remove a user.
    Delete {
        /// Login name.
        name: String,
    },
    /// Every user with role and state.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Make a token; the secret is printed once.
    Create {
        /// analyst, officer or admin.
        #[arg(long)]
        role: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        name: String,
        /// Days it works (0: until revoked).
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// Every token: id, name, role, when made, when it expires (secrets are never shown).
    List,
    /// Revoke a token by the id `token list` shows.
    Revoke {
        /// Token id.
        id: String,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Check the audit chain, every evidence blob's hash and the search index. Exit status:
    /// 0 verified, 1 problems found (each printed with the captures and cases it touches),
    /// 2 the check could not run.
    Verify {
        /// Write nothing in the data directory, not even a lock file (evidence on
        /// write-protected media): the database is checked on a temporary copy.
        #[arg(long)]
        read_only: bool,
        /// Check the signed checkpoints against this public key (PEM, from `admon key
        /// public`); default: the signing key's, when this machine has it.
        #[arg(long)]
        public_key: Option<PathBuf>,
        /// Check the checkpoints' RFC 3161 time-stamps with `openssl ts -verify` against the
        /// time-stamping authority's CA certificate(s) in this PEM file.
        #[arg(long)]
        tsa_ca: Option<PathBuf>,
    },
    /// Have the time-stamping authority (`store.tsa_url`) time-stamp the newest signed
    /// checkpoint of the audit chain now.
    Timestamp,
    /// Write a consistent copy of the store to DIR (new or empty), even while another admon
    /// process (the dashboard, a crawl) is using it.
    Backup {
        /// Backup directory.
        dir: PathBuf,
    },
    /// Restore a backup into the data directory (which must be new or empty).
    Restore {
        /// Backup directory (from `admon store backup`).
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Rebuild the search index from the store.
    Rebuild,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ADMON_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("admon: {e:#}");
        std::process::exit(1);
    }
}

fn load_config(path: Option<&Path>) -> Result<Config> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let text = match path {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?
        }
        None if Path::new("admon.toml").exists() => {
            std::fs::read_to_string("admon.toml").context("reading admon.toml")?
        }
        None => String::new(),
    };
    let mut config = config::load(&text, &env)?;
    // Run from elsewhere than the checkout, the seeds the binary was built with still work.
    if config.seeds_dir.is_relative() && !config.seeds_dir.exists() {
        let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(&config.seeds_dir);
        if built.exists() {
            config.seeds_dir = built;
        }
    }
    Ok(config)
}

fn run(cli: Cli) -> Result<()> {
    let config = load_config(cli.config.as_deref())?;
    let _ = MIN_FREE_BYTES.set(config.store.min_free_mb << 20);
    let cache_mb = match (config.store.cache_mb, &cli.command) {
        (0, Command::Serve { .. } | Command::Demo { .. }) => 256,
        (0, _) => 48,
        (mb, _) => mb.max(8),
    };
    let _ = CACHE_BYTES.set(cache_mb << 20);
    let _ = SIGNING_KEY.set(config.store.signing_key_path());
    let data = cli.data;
    let mut config = config;
    if config.filters.dir.as_os_str().is_empty() {
        config.filters.dir = data.join("filters");
    }
    match cli.command {
        Command::Filters {
            command: FiltersCommand::Update { force },
        } => runtime()?.block_on(filters::update(&config, force, &mut std::io::stdout())),
        Command::Inspect { render, urls } => {
            if let Some(mode) = render {
                config.crawler.render = serde_json::from_value(serde_json::Value::String(mode))
                    .expect("checked by clap");
            }
            let classifier = classifier(&config, &data)?;
            runtime()?.block_on(async {
                let crawler = build_crawler(&config)?;
                let all =
                    inspect::run(&crawler, &classifier, &urls, &mut std::io::stdout()).await?;
                anyhow::ensure!(
                    all,
                    "some pages could not be inspected (their records say why)"
                );
                Ok(())
            })
        }
        Command::Demo { port } => runtime()?.block_on(run_demo(config, &data, port)),
        Command::Crawl {
            seeds,
            max_pages,
            json,
            fresh,
            redis,
        } => {
            let mut config = config;
            if let Some(url) = redis {
                config.crawler.redis = url;
            }
            if let Some(n) = max_pages {
                config.crawler.max_pages = n;
            }
            runtime()?.block_on(run_crawl(config, &data, &seeds, json, fresh))
        }
        Command::Classify { input, output } => classify(&config, &data, &input, output.as_deref()),
        Command::Train {
            out,
            with_feedback,
            svm,
            without_templates,
        } => train(&config, &data, out, with_feedback, svm, !without_templates),
        Command::Eval { input } => eval(&config, &data, input.as_deref()),
        Command::Worker { redis, id } => {
            let mut config = config;
            if let Some(url) = redis {
                config.crawler.redis = url;
            }
            runtime()?.block_on(run_worker(config, id))
        }
        Command::Serve { port } => runtime()?.block_on(async {
            let store = open_store(&data)?;
            serve(&config, &data, store, port, None).await
        }),
        Command::Cases {
            command: CasesCommand::List { state, format },
        } => list_cases(&data, state.as_deref(), format),
        Command::Cases {
            command: CasesCommand::Feedback { out },
        } => export_feedback(&data, &out),
        Command::User { command } => {
            let store = open_store(&data)?;
            match command {
                UserCommand::Add {
                    name,
                    role,
                    password,
                } => {
                    let password = match password {
                        Some(p) => p,
                        None => {
                            eprint!("password for {name}: ");
                            let mut line = String::new();
                            std::io::stdin().read_line(&mut line)?;
                            line.trim_end_matches(['\r', '\n']).to_owned()
                        }
                    };
                    let policy = accounts::password_policy(&config.seeds_dir)?;
                    accounts::add_user(&store, &policy, &name, &role, &password)?;
                    println!("user {name} ({role}) saved");
                }
                UserCommand::Disable { name } => {
                    accounts::set_disabled(&store, &name, true)?;
                    println!("user {name} disabled");
                }
                UserCommand::Enable { name } => {
                    accounts::set_disabled(&store, &name, false)?;
                    println!("user {name} enabled");
                }
                UserCommand::Delete { name } => {
                    accounts::delete_user(&store, &name)?;
                    println!("user {name} deleted");
                }
                UserCommand::List => accounts::list_users(&store, &mut std::io::stdout())?,
            }
            Ok(())
        }
        Command::Export { format, out, state } => {
            let printer = admon::printer::ChromiumPrinter::at(&config.crawler.chromium);
            let categories =
                category_info(&Resources::load(&config.seeds_dir).context("loading seeds")?);
            let reports = admon_dashboard::Reports {
                printer: printer.as_deref(),
                categories: Some(&categories),
                utc_offset: Some(config.dashboard.report_offset()?),
            };
            let store = open_store(&data)?;
            let exported = export(&store, &format, &out, &state, &reports);
            // The export's audit entries are in the next checkpoint: time-stamped too.
            runtime()?.block_on(admon::timestamp::stamp_quietly(
                &store,
                &config.store.tsa_url,
            ));
            exported
        }
        Command::Token { command } => {
            let store = open_store(&data)?;
            match command {
                TokenCommand::Create { role, name, days } => {
                    let secret = accounts::create_token(&store, &name, &role, days)?;
                    println!("{secret}");
                    eprintln!(
                        "admon: token `{name}` ({role}) created; keep it secret, it is not shown again"
                    );
                }
                TokenCommand::List => accounts::list_tokens(&store, &mut std::io::stdout())?,
                TokenCommand::Revoke { id } => {
                    accounts::revoke_token(&store, &id)?;
                    println!("token {id} revoked");
                }
            }
            Ok(())
        }
        Command::Store {
            command:
                StoreCommand::Verify {
                    read_only,
                    public_key,
                    tsa_ca,
                },
        } => verify(
            &data,
            read_only,
            keys::trusted(public_key.as_deref(), &config.store.signing_key_path())?,
            tsa_ca.as_deref(),
        ),
        Command::Store {
            command: StoreCommand::Timestamp,
        } => {
            if config.store.tsa_url.is_empty() {
                bail!("no time-stamping authority configured (store.tsa_url)");
            }
            let store = open_store(&data)?;
            match runtime()?.block_on(admon::timestamp::stamp(&store, &config.store.tsa_url))? {
                Some(seq) => println!(
                    "checkpoint of audit entry {seq} time-stamped by {}",
                    config.store.tsa_url
                ),
                None => println!("the newest checkpoint is time-stamped already"),
            }
            Ok(())
        }
        Command::Key { command } => {
            let path = config.store.signing_key_path();
            match command {
                KeyCommand::Init => keys::init(&path, &data, &mut std::io::stdout()),
                KeyCommand::Public => keys::public(&path, &mut std::io::stdout()),
            }
        }
        Command::Store {
            command: StoreCommand::Backup { dir },
        } => backup(&data, &dir),
        Command::Store {
            command: StoreCommand::Restore { dir },
        } => {
            let (store, report) = Store::restore(&dir, &data)
                .with_context(|| format!("restoring {} into {}", dir.display(), data.display()))?;
            let check = store.verify()?;
            println!(
                "restored the backup of {} into {}: {} records, {} cases indexed",
                report.taken,
                data.display(),
                report.records(),
                store.index_status()?.documents
            );
            if !check.problems.is_empty() {
                bail!("restored, but verify found: {}", check.problems.join("; "));
            }
            Ok(())
        }
        Command::Index {
            command: IndexCommand::Rebuild,
        } => {
            let n = open_store(&data)?.rebuild_index()?;
            println!("indexed {n} cases");
            Ok(())
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// `[store] min_free_mb`, in bytes, for every store this process opens.
static MIN_FREE_BYTES: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
static CACHE_BYTES: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
/// `store.signing_key`: every store this process opens signs its checkpoints with it.
static SIGNING_KEY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Opens the store and answers `admon store backup` from other processes while it is open.
fn open_store(data: &Path) -> Result<Arc<Store>> {
    let store = Arc::new(
        Store::open_with_cache(
            data,
            CACHE_BYTES
                .get()
                .copied()
                .unwrap_or(admon_store::DEFAULT_CACHE_BYTES),
        )
        .with_context(|| format!("opening the store in {}", data.display()))?,
    );
    store.set_min_free_bytes(MIN_FREE_BYTES.get().copied().unwrap_or(0));
    if let Some(signer) = SIGNING_KEY
        .get()
        .map(|p| keys::signer(p))
        .transpose()?
        .flatten()
    {
        store.set_signer(signer);
    }
    store.listen_control();
    Ok(store)
}

/// Backs up the store: directly when no one holds it, else through the holder's control socket.
fn backup(data: &Path, dir: &Path) -> Result<()> {
    let report = match Store::open(data) {
        Ok(store) => store.backup(dir)?,
        Err(admon_store::Error::Locked { holder, .. }) => {
            eprintln!("admon: the store is in use ({holder}); asking it for a consistent backup");
            admon_store::request_backup(data, dir)?
        }
        Err(e) => {
            return Err(e).with_context(|| format!("opening the store in {}", data.display()))
        }
    };
    println!(
        "backed up {} records ({} cases, {} evidence blobs) to {}",
        report.records(),
        report.trees.get("cases").copied().unwrap_or(0),
        report.evidence_blobs(),
        report.dir.display()
    );
    Ok(())
}

fn model_path(config: &Config, data: &Path) -> PathBuf {
    if config.classifier.model.as_os_str().is_empty() {
        data.join("model.json")
    } else {
        config.classifier.model.clone()
    }
}

fn classifier(config: &Config, data: &Path) -> Result<Classifier> {
    let path = model_path(config, data);
    let (classifier, report) = load_or_train(&config.seeds_dir, &path).with_context(|| {
        format!(
            "loading the model {} (seeds in {})",
            path.display(),
            config.seeds_dir.display()
        )
    })?;
    if let Some(report) = report {
        eprintln!(
            "admon: no model yet; trained {} (dev macro-F1 {:.3}, test macro-F1 {:.3}) -> {}",
            classifier.version(),
            report.dev.macro_f1,
            report.test.macro_f1,
            path.display()
        );
    }
    Ok(classifier)
}

fn category_info(resources: &Resources) -> BTreeMap<Category, CategoryInfo> {
    Category::ALL
        .iter()
        .map(|&c| {
            let l = resources.legal(c);
            (
                c,
                CategoryInfo {
                    zh: l.zh.clone(),
                    en: l.en.clone(),
                    penalty: l.penalty.clone(),
                },
            )
        })
        .collect()
}

fn build_crawler(config: &Config) -> Result<Crawler> {
    let extractor = filters::extractor(config)?;
    Crawler::new(config.crawler.clone(), extractor).context("starting the crawler")
}

async fn crawl_with_progress(
    config: &Config,
    store: Arc<Store>,
    classifier: Arc<Classifier>,
    seeds: Vec<Seed>,
    trigger: &str,
) -> Result<pipeline::IngestSummary> {
    let mut crawler = build_crawler(config)?;
    for (url, scope) in seeds.iter().filter(|(_, s)| *s != SeedScope::default()) {
        crawler
            .scope_seed(url, scope)
            .with_context(|| format!("the scope of seed {url}"))?;
    }
    let seeds: Vec<url::Url> = seeds.into_iter().map(|(url, _)| url).collect();
    let mut run = CrawlRun {
        trigger: trigger.into(),
        seeds: seeds.iter().map(|u| u.to_string()).collect(),
        operator: crawler.operator().to_owned(),
        ..CrawlRun::default()
    };
    store
        .start_run(&mut run)
        .context("recording the crawl run")?;
    let progress = Arc::new(Progress::default());
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("template"),
    );
    let ticker = {
        let (bar, progress) = (bar.clone(), progress.clone());
        tokio::spawn(async move {
            let start = std::time::Instant::now();
            loop {
                let pages = progress.pages.load(Ordering::Relaxed);
                bar.set_message(format!(
                    "pages {pages}  {:.1} pages/s  queue {}  errors {}  {} KB",
                    pages as f64 / start.elapsed().as_secs_f64().max(0.001),
                    progress.queued.load(Ordering::Relaxed),
                    progress.errors.load(Ordering::Relaxed),
                    progress.bytes.load(Ordering::Relaxed) / 1024
                ));
                bar.tick();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    // Ctrl-C stops the crawl cleanly: pages in flight are stored, then the store is flushed.
    let interrupt = {
        let progress = progress.clone();
        let renderer = crawler.renderer();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nadmon: stopping after the pages in flight (Ctrl-C again to abort)");
                progress.stop.store(true, Ordering::Relaxed);
                // A render in flight stops now; its page is kept as fetched.
                if let Some(renderer) = renderer {
                    tokio::task::spawn_blocking(move || renderer.stop());
                }
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        })
    };
    let summary = if config.crawler.redis.is_empty() {
        pipeline::crawl_into_store(
            &crawler,
            seeds,
            classifier,
            store.clone(),
            Some(run.id),
            progress,
        )
        .await
    } else {
        pipeline::crawl_with_workers(
            &crawler,
            seeds,
            classifier,
            store.clone(),
            Some(run.id),
            progress,
            &config.crawler.redis,
        )
        .await
    };
    interrupt.abort();
    ticker.abort();
    bar.finish_and_clear();
    match &summary {
        Ok(s) => {
            run.outcome = if s.crawl.stopped {
                "stopped"
            } else {
                "finished"
            }
            .into();
            run.pages = s.crawl.pages;
            run.errors = s.crawl.errors;
            run.bytes = s.crawl.bytes;
            run.samples = s.samples;
            run.flagged = s.flagged;
        }
        Err(e) => {
            run.outcome = "failed".into();
            run.error = Some(format!("{e:#}"));
        }
    }
    if let Err(e) = store.finish_run(&mut run) {
        tracing::warn!(error = %e, "could not record the end of the crawl run");
    }
    admon::timestamp::stamp_quietly(&store, &config.store.tsa_url).await;
    summary
}

fn print_summary(s: &pipeline::IngestSummary) {
    let c = &s.crawl;
    println!("{:<16} {:>10}", "pages", c.pages);
    println!(
        "{:<16} {:>10.1}",
        "pages/s",
        c.pages as f64 / c.seconds.max(0.001)
    );
    println!("{:<16} {:>10}", "errors", c.errors);
    for (kind, n) in &c.error_kinds {
        println!("  {kind:<14} {n:>10}");
    }
    println!("{:<16} {:>10}", "robots denied", c.robots_denied);
    println!("{:<16} {:>10}", "kilobytes", c.bytes / 1024);
    println!("{:<16} {:>10}", "ads", c.ads);
    println!("{:<16} {:>10}", "listings", c.listings);
    println!("{:<16} {:>10}", "flagged", s.flagged);
    println!("{:<16} {:>10.1}", "seconds", c.seconds);
    println!("{:<16} {:>10}", "left unvisited", c.waiting);
    if c.resumed {
        println!("resumed an unfinished crawl");
    }
    if c.stopped {
        println!(
            "stopped early by Ctrl-C; everything fetched so far is stored, and the next \
             `admon crawl` resumes the {} URLs waiting (--fresh drops them)",
            c.waiting
        );
    }
}

/// A seed URL and its own scope rules (none given: the `[crawler]` ones).
type Seed = (url::Url, SeedScope);

/// Seeds from URLs and seed files: one seed a line, `URL [key=value ...]` (see [`SeedScope`]),
/// `#` comments.
fn parse_seeds(args: &[String]) -> Result<Vec<Seed>> {
    let mut seeds = Vec::new();
    for arg in args {
        if arg.starts_with("http://") || arg.starts_with("https://") {
            let url = url::Url::parse(arg).with_context(|| format!("seed {arg}"))?;
            seeds.push((url, SeedScope::default()));
            continue;
        }
        let file = std::fs::File::open(arg).with_context(|| format!("seed file {arg}"))?;
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.with_context(|| format!("reading {arg}"))?;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = || format!("{arg} line {}: {line}", i + 1);
            let line = line.split(" #").next().unwrap_or(line);
            let (url, options) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let url = url::Url::parse(url).with_context(at)?;
            let scope = SeedScope::parse(options).with_context(at)?;
            seeds.push((url, scope));
        }
    }
    if seeds.is_empty() {
        bail!("no seed URLs given");
    }
    Ok(seeds)
}

async fn run_crawl(
    config: Config,
    data: &Path,
    seeds: &[String],
    json: bool,
    fresh: bool,
) -> Result<()> {
    let seeds = parse_seeds(seeds)?;
    // The model loads (or trains) while the store opens.
    let loading = {
        let (config, data) = (config.clone(), data.to_owned());
        std::thread::spawn(move || classifier(&config, &data))
    };
    let store = open_store(data)?;
    if !config.crawler.redis.is_empty() {
        if fresh {
            admon_crawler::distributed::RedisFrontier::connect(&config.crawler.redis, "store")?
                .reset()
                .context("dropping the unfinished shared crawl")?;
        }
    } else if fresh {
        store
            .frontier_reset()
            .context("dropping the unfinished crawl")?;
    }
    let waiting = store.frontier_waiting()?;
    if waiting > 0 {
        eprintln!(
            "admon: resuming an unfinished crawl: {waiting} URLs waiting (--fresh drops them)"
        );
    }
    let classifier = loading
        .join()
        .map_err(|_| anyhow::anyhow!("loading the model panicked"))??;
    let summary = crawl_with_progress(&config, store, Arc::new(classifier), seeds, "cli").await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(())
}

async fn run_worker(config: Config, id: Option<String>) -> Result<()> {
    if config.crawler.redis.is_empty() {
        bail!("a worker needs the Redis URL of the crawl: --redis redis://host:6379/ (or crawler.redis)");
    }
    let id = match id {
        Some(id) => id,
        None => std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "worker".into()),
    };
    let crawler = build_crawler(&config)?;
    let progress = Arc::new(Progress::default());
    {
        let progress = progress.clone();
        let renderer = crawler.renderer();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nadmon: worker stopping after the pages in flight");
                progress.stop.store(true, Ordering::Relaxed);
                if let Some(renderer) = renderer {
                    tokio::task::spawn_blocking(move || renderer.stop());
                }
            }
        });
    }
    eprintln!(
        "admon: worker {id} taking jobs from {}",
        config.crawler.redis
    );
    let total = pipeline::work(
        &crawler,
        &config.crawler.redis,
        &id,
        config.crawler.redis_max_waiting_pages,
        progress,
    )
    .await?;
    eprintln!(
        "admon: worker {id} stopped: {} pages sent, {} errors",
        total.pages, total.errors
    );
    Ok(())
}

const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "admon-triage-2026";

async fn run_demo(mut config: Config, data: &Path, port: Option<u16>) -> Result<()> {
    let sites = demo::start(&config.seeds_dir).await?;
    // The demo sites are ours, on loopback: no need to wait between requests.
    config.crawler.per_host_delay_ms = 0;
    let store = open_store(data)?;
    let classifier = Arc::new(classifier(&config, data)?);
    if store.user(DEMO_USER)?.is_none() {
        store.put_user(&User {
            name: DEMO_USER.into(),
            role: "admin".into(),
            password_hash: hash_password(DEMO_PASSWORD),
            disabled: false,
        })?;
    }
    eprintln!(
        "admon demo: crawling the demo sites at {} and {}",
        sites.news, sites.market
    );
    let summary = crawl_with_progress(
        &config,
        store.clone(),
        classifier.clone(),
        sites
            .seeds()
            .into_iter()
            .map(|url| (url, SeedScope::default()))
            .collect(),
        "demo",
    )
    .await?;
    print_summary(&summary);
    if summary.crawl.stopped {
        return Ok(());
    }
    serve(&config, data, store, port, Some(classifier.resources())).await
}

async fn serve(
    config: &Config,
    data: &Path,
    store: Arc<Store>,
    port: Option<u16>,
    resources: Option<&Resources>,
) -> Result<()> {
    let owned;
    let resources = match resources {
        Some(r) => r,
        None => {
            owned = Resources::load(&config.seeds_dir).context("loading seeds")?;
            &owned
        }
    };
    let port = port.unwrap_or(config.dashboard.port);
    let addr = std::net::SocketAddr::new(config.dashboard.addr, port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let dashboard = Dashboard::new(store.clone(), category_info(resources))
        .public_url(&config.dashboard.public_url)
        .password_policy(accounts::password_policy(&config.seeds_dir)?)
        .trust_proxies(config.dashboard.trusted_proxies.clone())
        .report_utc_offset(config.dashboard.report_offset()?);
    let dashboard = match admon::printer::ChromiumPrinter::at(&config.crawler.chromium) {
        Some(printer) => dashboard.print_reports_with(printer),
        None => dashboard,
    };
    let scheduler = config.schedule.parsed()?.map(|(schedule, offset)| {
        tokio::spawn(scheduled_crawls(
            config.clone(),
            data.to_owned(),
            store.clone(),
            dashboard.clone(),
            schedule,
            offset,
        ))
    });
    let refresher = tokio::spawn(filters::refresh_forever(config.clone()));
    // The demo login is shown only where it works: a store the demo made, its password unchanged.
    let demo = store
        .user(DEMO_USER)?
        .is_some_and(|u| password_matches(DEMO_PASSWORD, &u.password_hash));
    let login = if demo {
        format!("demo login: {DEMO_USER} / {DEMO_PASSWORD}; ")
    } else {
        String::new()
    };
    println!(
        "admon: dashboard at http://{}/ ({login}Ctrl-C stops)",
        listener.local_addr()?
    );
    std::io::stdout().flush()?;
    dashboard
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving the dashboard")?;
    if let Some(task) = scheduler {
        task.abort();
    }
    refresher.abort();
    store.flush().context("flushing the store")?;
    eprintln!("admon: stopped");
    Ok(())
}

/// Runs the `[schedule]` crawl at each time its cron expression names, one at a time, into the
/// store the dashboard serves; the runs page shows the schedule and the next time.
async fn scheduled_crawls(
    config: Config,
    data: PathBuf,
    store: Arc<Store>,
    dashboard: Dashboard,
    schedule: cron::Schedule,
    offset: chrono::FixedOffset,
) {
    let describe = |next: Option<chrono::DateTime<chrono::FixedOffset>>| {
        vec![
            format!("cron `{}` (UTC{offset})", config.schedule.crawl),
            format!("seeds: {}", config.schedule.seeds.join(" ")),
            format!(
                "next: {}",
                next.map_or_else(|| "never".into(), |t| t.to_rfc3339())
            ),
        ]
    };
    let mut classifier_cache: Option<Arc<Classifier>> = None;
    loop {
        let next = schedule.upcoming(offset).next();
        dashboard.set_schedule(describe(next));
        let Some(next) = next else { return };
        let wait = (next.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .to_std()
            .unwrap_or_default();
        tokio::time::sleep(wait).await;
        let outcome = async {
            let seeds = parse_seeds(&config.schedule.seeds)?;
            let classifier = match &classifier_cache {
                Some(c) => c.clone(),
                None => {
                    let (config, data) = (config.clone(), data.clone());
                    let c = Arc::new(
                        tokio::task::spawn_blocking(move || classifier(&config, &data)).await??,
                    );
                    classifier_cache = Some(c.clone());
                    c
                }
            };
            crawl_with_progress(&config, store.clone(), classifier, seeds, "schedule").await
        }
        .await;
        match outcome {
            Ok(s) => tracing::info!(
                pages = s.crawl.pages,
                flagged = s.flagged,
                "scheduled crawl done"
            ),
            // The run record (if it started) says why; a bad seed file is logged here.
            Err(e) => tracing::error!(error = %format!("{e:#}"), "scheduled crawl failed"),
        }
    }
}

/// The longest `classify` input line read (an ad record is a few KB).
const MAX_CLASSIFY_LINE: usize = 1 << 20;

/// Reads one line (without its newline) into `buf`, keeping at most `max` bytes of it. `None` at
/// the end of the input; `Some(false)` when the line was longer and its rest was skipped.
fn read_line_capped(
    reader: &mut impl std::io::BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let (mut seen, mut whole) = (false, true);
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(seen.then_some(whole));
        }
        seen = true;
        let (piece, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (&chunk[..at], Some(at + 1)),
            None => (chunk, None),
        };
        if buf.len() + piece.len() > max {
            whole = false;
            buf.clear();
        } else if whole {
            buf.extend_from_slice(piece);
        }
        let used = done.unwrap_or(chunk.len());
        reader.consume(used);
        if done.is_some() {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(whole));
        }
    }
}

fn classify(config: &Config, data: &Path, input: &Path, output: Option<&Path>) -> Result<()> {
    let classifier = classifier(config, data)?;
    let file =
        std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let mut out: Box<dyn Write> = match output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let (mut ok, mut bad) = (0, 0);
    let mut reader = std::io::BufReader::new(file);
    let mut buf = Vec::new();
    for i in 1.. {
        let Some(whole) = read_line_capped(&mut reader, &mut buf, MAX_CLASSIFY_LINE)
            .with_context(|| format!("reading {}", input.display()))?
        else {
            break;
        };
        let line = match (whole, std::str::from_utf8(&buf)) {
            (false, _) => Err(format!("line is longer than {MAX_CLASSIFY_LINE} bytes")),
            (true, Err(e)) => Err(format!("line is not UTF-8: {e}")),
            (true, Ok(line)) if line.trim().is_empty() => continue,
            (true, Ok(line)) => admon_classifier::parse_sample(line, i).map_err(|e| e.to_string()),
        };
        let record = match line {
            Ok(sample) => {
                ok += 1;
                serde_json::to_string(&classifier.classify(&sample))?
            }
            Err(error) => {
                bad += 1;
                serde_json::json!({ "line": i, "error": error }).to_string()
            }
        };
        writeln!(out, "{record}")?;
    }
    out.flush()?;
    if bad > 0 {
        eprintln!("admon: classified {ok} records; {bad} malformed lines got error records");
    }
    Ok(())
}

fn train(
    config: &Config,
    data: &Path,
    out: Option<PathBuf>,
    with_feedback: bool,
    svm: bool,
    with_templates: bool,
) -> Result<()> {
    let resources = Resources::load(&config.seeds_dir)?;
    let corpus = admon_classifier::Corpus::read(&config.seeds_dir)?;
    let [mut train, dev, test] = corpus.splits(with_templates);
    println!(
        "training on {} records ({} real{}), choosing on {} and testing on {} real records from other sources",
        train.len(),
        corpus.real[0].len(),
        if with_templates { ", the rest templated" } else { "" },
        dev.len(),
        test.len()
    );
    if with_feedback {
        let store = open_store(data)?;
        let feedback = store.feedback()?;
        println!(
            "adding {} analyst decisions as training examples",
            feedback.len()
        );
        train.extend(
            feedback
                .into_iter()
                .map(|(sample, label)| admon_classifier::Labelled {
                    sample,
                    label,
                    source: Some("feedback".into()),
                    spam: false,
                }),
        );
    }
    let started = std::time::Instant::now();
    // Logistic regression and multinomial naive Bayes always; the linear SVM on request (its
    // SMO solver takes many minutes on this corpus).
    let options = TrainOptions {
        svm,
        ..TrainOptions::default()
    };
    let (classifier, report) = Classifier::train(resources, &train, &dev, &test, &options)?;
    for (name, f1) in &report.candidates {
        println!("candidate {name}: dev macro-F1 {f1:.3}");
    }
    println!(
        "kept {}, flagging at score {:.2} (trained in {:.1}s)\n\n== dev ==\n{}\n== test ==\n{}\n== held-out disguised spam ==\n{}\n== templates' test ==\n{}",
        classifier.version(),
        classifier.threshold(),
        started.elapsed().as_secs_f64(),
        report.dev,
        report.test,
        classifier.evaluate(&corpus.spam_test),
        classifier.evaluate(&corpus.templates[2])
    );
    let path = out.unwrap_or_else(|| model_path(config, data));
    classifier.save(&path)?;
    println!("model written to {}", path.display());
    Ok(())
}

fn eval(config: &Config, data: &Path, input: Option<&Path>) -> Result<()> {
    let classifier = classifier(config, data)?;
    let mut out = std::io::stdout().lock();
    let mut report = |name: &str, labelled: &[admon_classifier::Labelled]| -> Result<()> {
        let (all, by_source) = classifier.evaluate_by_source(labelled);
        writeln!(
            out,
            "== {name} ==\nmodel {} (flags at score {:.2}) on {} records\n{all}\n{}",
            classifier.version(),
            classifier.threshold(),
            labelled.len(),
            admon_classifier::source_table(&by_source)
        )?;
        Ok(())
    };
    match input {
        Some(p) => report(
            &p.display().to_string(),
            &admon_classifier::read_labelled(p)?,
        ),
        None => {
            let corpus = admon_classifier::Corpus::read(&config.seeds_dir)?;
            report(
                "real test split (sources never trained on)",
                &corpus.real[2],
            )?;
            report("held-out disguised spam", &corpus.spam_test)?;
            report("templates' test split", &corpus.templates[2])
        }
    }
}

fn list_cases(data: &Path, state: Option<&str>, format: Format) -> Result<()> {
    let state = state
        .map(|s| CaseState::parse(s).with_context(|| format!("unknown state `{s}` (new, in_review, confirmed, dismissed, exported, transferred)")))
        .transpose()?;
    let store = open_store(data)?;
    let cases = store.list_cases(&CaseFilter {
        state,
        ..CaseFilter::default()
    })?;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&cases)?)?,
        Format::Csv => write!(out, "{}", admon_dashboard::cases_csv(&cases))?,
        Format::Table => {
            writeln!(
                out,
                "{:>5}  {:<11} {:<20} {:>5}  {:<40}  text",
                "id", "state", "category", "score", "url"
            )?;
            for c in &cases {
                let text: String = c.text.chars().take(30).collect();
                writeln!(
                    out,
                    "{:>5}  {:<11} {:<20} {:>5.2}  {:<40}  {}",
                    c.id,
                    c.state.as_str(),
                    c.category.as_str(),
                    c.score,
                    c.url,
                    text
                )?;
            }
        }
    }
    Ok(())
}

fn export(
    store: &Store,
    format: &str,
    out: &Path,
    state: &str,
    reports: &admon_dashboard::Reports<'_>,
) -> Result<()> {
    let format = admon_dashboard::ExportFormat::parse(format)
        .with_context(|| format!("unknown format `{format}` (csv, xlsx, json, pack)"))?;
    let state = CaseState::parse(state).with_context(|| format!("unknown state `{state}`"))?;
    let cases = store.list_cases(&CaseFilter {
        state: Some(state),
        ..CaseFilter::default()
    })?;
    let who = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    if cases.is_empty() {
        bail!("nothing to export: no {state} cases (choose another with --state)");
    }
    let exported =
        admon_dashboard::export(store, &cases, format, &format!("{who} (cli)"), reports)?;
    // Write beside the target and rename, so a failed export leaves no half file.
    let tmp = out.with_extension("partial");
    std::fs::write(&tmp, &exported.bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("writing {}", out.display()))?;
    println!(
        "exported {} cases to {} (sha256 {})",
        exported.cases.len(),
        out.display(),
        exported.sha256
    );
    for (id, why) in &exported.refused {
        eprintln!("admon: case {id} left out: {why}");
    }
    if !exported.refused.is_empty() {
        bail!(
            "{} cases left out because their evidence was altered (see `admon store verify`)",
            exported.refused.len()
        );
    }
    Ok(())
}

fn export_feedback(data: &Path, out: &Path) -> Result<()> {
    let store = open_store(data)?;
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?,
    );
    let feedback = store.feedback()?;
    for (sample, label) in &feedback {
        let mut record = serde_json::to_value(sample)?;
        record["label"] = label.as_str().into();
        writeln!(file, "{record}")?;
    }
    file.flush()?;
    println!(
        "wrote {} labelled examples to {}",
        feedback.len(),
        out.display()
    );
    Ok(())
}

/// `store verify`; exits 1 when problems are found, 2 when the check cannot run. The store
/// is opened without the signing key: a check never signs what it checks.
fn verify(
    data: &Path,
    read_only: bool,
    trusted: Option<admon_store::PublicKey>,
    tsa_ca: Option<&Path>,
) -> Result<()> {
    let checked = if read_only {
        Store::open_read_only(data).with_context(|| format!("opening {} read-only", data.display()))
    } else {
        Store::open(data).with_context(|| format!("opening the store in {}", data.display()))
    }
    .and_then(|store| {
        if let Some(key) = trusted {
            store.trust_key(key);
        }
        Ok(store.verify()?)
    });
    let report = match checked {
        Ok(report) => report,
        Err(e) => {
            eprintln!("admon: the store could not be checked: {e:#}");
            std::process::exit(2);
        }
    };
    println!(
        "checked {} audit entries, {} evidence blobs and {} captures",
        report.audit_entries, report.blobs, report.captures
    );
    match (&report.key, report.signed_through) {
        (None, _) => println!(
            "no signing key known: the audit chain's head is not vouched for \
             (`admon key init`, or --public-key)"
        ),
        (Some(_), n) if n == report.head => {
            println!("audit chain signed through its last entry ({n})")
        }
        (Some(_), n) => println!(
            "audit chain signed through entry {n}; entries {}..{} are not signed yet (the next \
             commit of a process holding the key signs them)",
            n + 1,
            report.head
        ),
    }
    let mut problems = report.problems.clone();
    match (report.timestamped.last(), tsa_ca) {
        (None, _) => println!("no checkpoint is time-stamped by a TSA (store.tsa_url)"),
        (Some(_), None) => println!(
            "{} checkpoints time-stamped, through entry {} (the TSA's signatures are checked \
             with --tsa-ca)",
            report.timestamped.len(),
            report.timestamped_through
        ),
        (Some(_), Some(ca)) => {
            let mut good = 0;
            for checkpoint in &report.timestamped {
                match admon::timestamp::openssl_verifies(checkpoint, ca) {
                    Ok(()) => good += 1,
                    Err(why) => problems.push(format!(
                        "the time-stamp of the checkpoint of audit entry {} does not verify \
                         against {}: {why}",
                        checkpoint.seq,
                        ca.display()
                    )),
                }
            }
            println!(
                "{good} of {} time-stamps verified against {} (through entry {})",
                report.timestamped.len(),
                ca.display(),
                report.timestamped_through
            );
        }
    }
    if problems.is_empty() {
        println!("store verified: no tampering found");
        return Ok(());
    }
    for p in &problems {
        println!("PROBLEM: {p}");
    }
    bail!("{} problems found", problems.len())
}

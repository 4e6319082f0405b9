//! The regression suite of invalid stack files (`tests/invalid/*.hcl`, written by the generator
//! in `tests/invalid_gen/`): `stackr plan` and `stackr check` on each must exit 1 with a
//! `file:line:col` position and the message the file's `# expect:` line names, never panic, never
//! show what its `# absent:` line names (a secret), and never open a connection to the endpoint,
//! a TCP listener this test opens that records every connection. Needs no LocalStack.
//!
//! Regenerate the files after changing the generator: `STACKR_REGENERATE=1 cargo test --test invalid`.

mod common;
mod invalid_gen;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn dir() -> PathBuf {
    common::repo().join("tests/invalid")
}

/// Every `.hcl` file of the suite, sorted.
fn files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/invalid exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "hcl"))
        .collect();
    out.sort();
    out
}

#[test]
fn the_files_are_what_the_generator_writes() {
    let cases = invalid_gen::cases();
    if std::env::var_os("STACKR_REGENERATE").is_some() {
        std::fs::create_dir_all(dir()).unwrap();
        files().iter().for_each(|f| std::fs::remove_file(f).unwrap());
        for c in &cases {
            std::fs::write(dir().join(format!("{}.hcl", c.name)), c.file()).unwrap();
        }
    }
    let want: Vec<String> = cases.iter().map(|c| format!("{}.hcl", c.name)).collect();
    let mut have: Vec<String> = files().iter().map(|f| f.file_name().unwrap().to_string_lossy().into()).collect();
    let mut sorted = want.clone();
    sorted.sort();
    have.sort();
    assert_eq!(have, sorted, "tests/invalid differs from the generator: run with STACKR_REGENERATE=1");
    for c in &cases {
        let on_disk = std::fs::read_to_string(dir().join(format!("{}.hcl", c.name))).unwrap();
        assert!(on_disk == c.file(), "{}.hcl differs from the generator: run with STACKR_REGENERATE=1", c.name);
    }
    assert!(cases.len() >= 300, "the suite covers every constraint: {} cases", cases.len());
}

#[test]
fn the_base_stack_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("base.hcl");
    std::fs::write(&f, invalid_gen::base().text()).unwrap();
    let run = common::stackr(&["check", "-f", f.to_str().unwrap()]);
    assert_eq!(run.code, 0, "the base of every case must pass:\n{}\n{}", run.stdout, run.stderr);
}

/// A TCP listener that counts connections and drops them at once.
struct Recorder {
    url: String,
    hits: Arc<AtomicUsize>,
}

fn recorder() -> Recorder {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    Recorder { url, hits }
}

/// What one run of stackr on one file did.
struct Outcome {
    code: Option<i32>,
    stderr: String,
}

fn run(endpoint: &str, command: &str, file: &Path) -> Outcome {
    let mut cmd: Command = common::stackr_cmd(&[command, "-f", file.to_str().unwrap()]);
    cmd.env("AWS_ENDPOINT_URL", endpoint).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run stackr");
    let mut stderr = String::new();
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let _ = pipe.read_to_string(&mut stderr);
        stderr
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome { code, stderr: reader.join().unwrap() }
}

/// The value of a `# key: value` comment line of the file.
fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().take_while(|l| l.starts_with('#')).find_map(|l| l.strip_prefix(&format!("# {key}: ")))
}

/// Whether `s` starts with `LINE:COL`.
fn line_col(s: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let line = digits(s);
    line > 0 && s[line..].starts_with(':') && digits(&s[line + 1..]) > 0
}

/// What is wrong with one run, if anything.
fn problem(file: &Path, command: &str, o: &Outcome) -> Option<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file.file_name().unwrap().to_string_lossy();
    let position = format!("{name}:");
    let has_position = o.stderr.match_indices(&position).any(|(i, _)| line_col(&o.stderr[i + position.len()..]));
    let expect = header(&text, "expect").expect("every file has an expect line");
    let why = match () {
        _ if o.code.is_none() => "did not finish (killed after 60 s, or by a signal)".to_string(),
        _ if o.code == Some(101) || o.stderr.contains("panicked") => "panicked".to_string(),
        _ if o.code != Some(1) => format!("exited {:?}, not 1", o.code),
        _ if !has_position => "gave no file:line:col position".to_string(),
        _ if !o.stderr.contains(expect) => format!("does not say `{expect}`"),
        _ if header(&text, "absent").is_some_and(|a| o.stderr.contains(a)) => "shows the secret".to_string(),
        _ => return None,
    };
    Some(format!("{command} {name}: {why}\n{}", o.stderr))
}

#[test]
fn every_invalid_file_is_refused_with_a_position_before_any_request() {
    let files = files();
    assert!(files.len() >= 300, "tests/invalid holds {} files", files.len());
    let rec = recorder();
    let queue = Arc::new(Mutex::new(
        files.iter().flat_map(|f| [("plan", f.clone()), ("check", f.clone())]).collect::<Vec<_>>(),
    ));
    let failures = Arc::new(Mutex::new(vec![]));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (queue, failures, url) = (queue.clone(), failures.clone(), rec.url.clone());
            std::thread::spawn(move || {
                while let Some((command, file)) = queue.lock().unwrap().pop() {
                    let o = run(&url, command, &file);
                    if let Some(p) = problem(&file, command, &o) {
                        failures.lock().unwrap().push(p);
                    }
                }
            })
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
    let failures = failures.lock().unwrap();
    assert!(failures.is_empty(), "{} of {} runs failed:\n\n{}", failures.len(), files.len() * 2, failures.join("\n"));
    assert_eq!(rec.hits.load(Ordering::SeqCst), 0, "a run connected to the AWS endpoint");
}

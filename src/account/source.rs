//! The identity of a stack file, recorded at a stack's first apply so that another file
//! declaring the same stack name is refused: the repository's remote, normalised so an SSH and
//! an HTTPS clone (and a token in the URL) agree, and the file's path inside the repository,
//! as `github.com/acme/infra//stacks/web.hcl`. Without a remote it is the path inside the
//! repository; outside a repository, the file's name.

use std::path::Path;
use std::process::Command;

/// The identity of the stack file at `path`.
pub fn of(path: &Path) -> String {
    let file = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let name = || file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let Some(root) = file.ancestors().skip(1).find(|d| d.join(".git").exists()) else { return name() };
    let inside = match file.strip_prefix(root) {
        Ok(p) => p.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/"),
        Err(_) => name(),
    };
    match remote(root) {
        Some(url) => format!("{}//{inside}", normalise_remote(&url)),
        None => inside,
    }
}

/// The URL of the repository's `origin` remote, else of its first remote.
fn remote(root: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
        let text = String::from_utf8(out.stdout).ok()?;
        (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
    };
    if let Some(url) = git(&["config", "--get", "remote.origin.url"]) {
        return Some(url);
    }
    let first = git(&["remote"])?.lines().next()?.to_string();
    git(&["config", "--get", &format!("remote.{first}.url")])
}

/// `git@github.com:acme/infra.git`, `https://user:token@github.com/acme/infra` and
/// `ssh://git@github.com:22/acme/infra/` all become `github.com/acme/infra`. Credentials are
/// dropped: the identity is stored in the account and shown in errors.
pub fn normalise_remote(url: &str) -> String {
    let url = url.trim();
    let (host_and_path, had_scheme) = match url.split_once("://") {
        Some((_, rest)) => (rest, true),
        None => (url, false),
    };
    let without_user = match host_and_path.split_once('@') {
        Some((user, rest)) if !user.contains('/') => rest,
        _ => host_and_path,
    };
    let (host, path) = if had_scheme {
        without_user.split_once('/').unwrap_or((without_user, ""))
    } else {
        // scp-like `host:path`; a local path (`/srv/git/infra`, `../infra`) has no host.
        match without_user.split_once(':') {
            Some((h, p)) if !h.contains('/') && !h.is_empty() => (h, p),
            _ => ("", without_user),
        }
    };
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let path = path.trim_matches('/').trim_end_matches(".git").trim_end_matches('/');
    if host.is_empty() { path.to_string() } else { format!("{host}/{path}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_of_one_repository_agree() {
        for url in [
            "git@github.com:acme/infra.git",
            "https://github.com/acme/infra",
            "https://x-access-token:ghs_secret@github.com/acme/infra.git",
            "ssh://git@GitHub.com:22/acme/infra/",
            "git://github.com/acme/infra.git",
        ] {
            assert_eq!(normalise_remote(url), "github.com/acme/infra", "{url}");
        }
        assert_eq!(normalise_remote("/srv/git/infra.git"), "srv/git/infra");
        assert!(!normalise_remote("https://u:ghs_secret@github.com/a/b").contains("secret"));
    }

    #[test]
    fn identity_is_the_path_inside_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        std::fs::create_dir_all(dir.path().join("repo/stacks")).unwrap();
        let file = dir.path().join("repo/stacks/web.hcl");
        std::fs::write(&file, "").unwrap();
        // A `.git` directory git cannot read has no remote: the identity is the path inside.
        assert_eq!(of(&file), "stacks/web.hcl");
        let lone = dir.path().join("lone.hcl");
        std::fs::write(&lone, "").unwrap();
        assert_eq!(of(&lone), "lone.hcl");
    }
}

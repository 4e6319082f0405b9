//! The checks a stack's record implies before anything is planned: the stack file must be
//! the one the record names, and IAM objects (global) are managed from one region only.

use super::Record;

/// The region whose deployment manages the stack's IAM objects: the stack block's
/// `iam_home_region`, else the region the record names, else this one (a first apply).
pub fn iam_home(declared: Option<&str>, record: Option<&Record>, region: &str) -> String {
    declared.or(record.map(|r| r.iam_home.as_str()).filter(|h| !h.is_empty())).unwrap_or(region).to_string()
}

/// Refuses a stack file other than the one the stack's record names.
pub fn check_source(stack: &str, file: &str, record: Option<&Record>, source: &str) -> anyhow::Result<()> {
    let Some(r) = record.filter(|r| !r.source.is_empty() && r.source != super::record::stored(source)) else {
        return Ok(());
    };
    let since = if r.since.is_empty() { String::new() } else { format!(" (recorded {})", r.since) };
    Err(crate::error::user(
        format!(
            "stack \"{stack}\" in this account belongs to another stack file\n  recorded:  {}{since}\n  this file: {source}",
            r.source
        ),
        format!(
            "two stack files with one name would adopt and delete each other's objects. If this is another stack, \
             give it another name in its `stack` block. If it is the same stack, moved or renamed, record the new \
             file with `stackr rebind -f {file}`"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(source: &str, home: &str) -> Record {
        Record { source: source.into(), iam_home: home.into(), ..Record::default() }
    }

    #[test]
    fn the_declared_home_wins_then_the_recorded_one() {
        let r = record("a.hcl", "us-east-1");
        assert_eq!(iam_home(Some("eu-west-1"), Some(&r), "ap-south-1"), "eu-west-1");
        assert_eq!(iam_home(None, Some(&r), "ap-south-1"), "us-east-1");
        assert_eq!(iam_home(None, None, "ap-south-1"), "ap-south-1");
    }

    #[test]
    fn another_file_is_refused_naming_both() {
        let r = record("github.com/acme/a//web.hcl", "us-east-1");
        assert!(check_source("web", "web.hcl", Some(&r), "github.com/acme/a//web.hcl").is_ok());
        assert!(check_source("web", "web.hcl", None, "x.hcl").is_ok());
        let e = check_source("web", "b/web.hcl", Some(&r), "github.com/acme/b//web.hcl").unwrap_err();
        let text = format!("{e:#}");
        assert!(text.contains("recorded:  github.com/acme/a//web.hcl"), "{text}");
        assert!(text.contains("this file: github.com/acme/b//web.hcl"), "{text}");
    }
}

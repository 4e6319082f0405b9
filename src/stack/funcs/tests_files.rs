//! Tests of `file` and `templatefile`: Terraform's documentation examples, relative paths, and
//! the confinement of reads to the stack's tree.

use std::path::Path;

use hcl::Value;

use super::{file_at, templatefile_at};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn file_matches_terraform_docs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hello.txt", "Hello World");
    assert_eq!(file_at(dir.path(), "hello.txt"), Ok("Hello World".into()));
    assert_eq!(file_at(dir.path(), "./hello.txt"), Ok("Hello World".into()));
    let abs = dir.path().join("hello.txt").display().to_string();
    assert_eq!(file_at(dir.path(), &abs), Ok("Hello World".into()));
    // The text is returned as it is: no template interpretation.
    write(dir.path(), "raw.txt", "${x} %{ if }");
    assert_eq!(file_at(dir.path(), "raw.txt"), Ok("${x} %{ if }".into()));
    let err = file_at(dir.path(), "missing.txt").unwrap_err();
    assert!(err.starts_with(r#"file: no file exists at "missing.txt""#), "{err}");
    std::fs::write(dir.path().join("bin"), [0xff, 0xfe]).unwrap();
    assert!(file_at(dir.path(), "bin").unwrap_err().contains("are not valid UTF-8"));
}

#[test]
fn reads_never_leave_the_stack_tree() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(&repo, "stacks/web.hcl", "");
    write(&repo, "files/motd", "hi");
    write(root.path(), "secret", "token");
    let stacks = repo.join("stacks");
    // Inside the repository, `../` is fine.
    assert_eq!(file_at(&stacks, "../files/motd"), Ok("hi".into()));
    for path in ["../../secret".to_string(), root.path().join("secret").display().to_string()] {
        let err = file_at(&stacks, &path).unwrap_err();
        assert!(err.contains("outside the stack's tree") && err.contains("files are read only"), "{err}");
    }
    std::os::unix::fs::symlink(root.path().join("secret"), stacks.join("link")).unwrap();
    assert!(file_at(&stacks, "link").unwrap_err().contains("outside the stack's tree"));
    let vars = hcl::value!({});
    assert!(templatefile_at(&stacks, "link", &vars).unwrap_err().starts_with("templatefile: \"link\" resolves to"));
    // Outside a repository, the stack file's directory is the tree.
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "a/b.txt", "b");
    write(plain.path(), "c.txt", "c");
    assert_eq!(file_at(plain.path(), "a/b.txt"), Ok("b".into()));
    assert!(file_at(&plain.path().join("a"), "../c.txt").unwrap_err().contains("outside the stack's tree"));
}

#[test]
fn templatefile_matches_terraform_docs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "backends.tftpl", "%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n");
    let vars = hcl::value!({ port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] });
    assert_eq!(
        templatefile_at(dir.path(), "backends.tftpl", &vars),
        Ok("backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n".into())
    );
    write(
        dir.path(),
        "config.tftpl",
        "%{ for config_key, config_value in config }\nset ${config_key} = ${config_value}\n%{ endfor ~}\n",
    );
    let vars = hcl::value!({ config = { x = "y", foo = "bar", key = "value" } });
    let out = templatefile_at(dir.path(), "config.tftpl", &vars).unwrap();
    assert_eq!(
        out.lines().filter(|l| !l.is_empty()).collect::<Vec<_>>(),
        ["set foo = bar", "set key = value", "set x = y"]
    );
    write(
        dir.path(),
        "json.tftpl",
        "${jsonencode({\n  \"backends\": [for addr in ip_addrs : \"${addr}:${port}\"],\n})}",
    );
    let vars = hcl::value!({ port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] });
    assert_eq!(
        templatefile_at(dir.path(), "json.tftpl", &vars),
        Ok(r#"{"backends":["10.0.0.1:8080","10.0.0.2:8080"]}"#.into())
    );
}

#[test]
fn templatefile_functions_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "motd", "welcome");
    write(dir.path(), "t.tftpl", "${upper(file(\"motd\"))} ${try(missing, \"-\")} ${n * 2}");
    assert_eq!(templatefile_at(dir.path(), "t.tftpl", &hcl::value!({ n = 21 })), Ok("WELCOME - 42".into()));
    write(dir.path(), "div.tftpl", "a\n${1 / n}");
    let err = templatefile_at(dir.path(), "div.tftpl", &hcl::value!({ n = 0 })).unwrap_err();
    assert_eq!(err, "templatefile: in div.tftpl: line 2, column 3: division by zero");
    write(dir.path(), "self.tftpl", "${templatefile(\"self.tftpl\", {})}");
    let err = templatefile_at(dir.path(), "self.tftpl", &hcl::value!({})).unwrap_err();
    assert!(err.contains("cannot recursively call templatefile"), "{err}");
    write(dir.path(), "bad.tftpl", "${");
    assert!(
        templatefile_at(dir.path(), "bad.tftpl", &hcl::value!({}))
            .unwrap_err()
            .starts_with("templatefile: bad.tftpl:1:")
    );
    let err = templatefile_at(dir.path(), "motd", &Value::from("x")).unwrap_err();
    assert_eq!(err, "templatefile: invalid vars value: must be a map");
    let err = templatefile_at(dir.path(), "motd", &hcl::value!({ "1x" = 1 })).unwrap_err();
    assert!(err.contains(r#"invalid template variable name "1x""#), "{err}");
    let err = templatefile_at(dir.path(), "t.tftpl", &hcl::value!({})).unwrap_err();
    assert!(err.starts_with("templatefile: in t.tftpl:") && err.contains('n'), "{err}");
}

//! Tests of `format` and `formatlist`: Terraform's documentation examples, then Go's printf
//! behaviour that go-cty inherits.

use super::super::test::{eval, fails, v};

fn f(src: &str) -> String {
    match eval(src) {
        Ok(hcl::Value::String(s)) => s,
        other => panic!("{src}: {other:?}"),
    }
}

#[test]
fn format_matches_terraform_docs() {
    assert_eq!(f(r#"format("Hello, %s!", "Ander")"#), "Hello, Ander!");
    assert_eq!(f(r#"format("There are %d lights", 4)"#), "There are 4 lights");
    assert_eq!(f(r#"format("%[1]s%[2]s%[1]s%[3]s", "/", "path", "file.tf")"#), "/path/file.tf");
    assert_eq!(f(r##"format("%#v", "hello")"##), r#""hello""#);
    assert_eq!(f(r##"format("%#v", true)"##), "true");
    assert_eq!(f(r##"format("%#v", 1)"##), "1");
    assert_eq!(f(r##"format("%#v", {a = 1})"##), r#"{"a":1}"#);
    assert_eq!(f(r##"format("%#v", [true])"##), "[true]");
    assert_eq!(f(r##"format("%#v", null)"##), "null");
    // From the range page: zero-padded indexes.
    assert_eq!(f(r#"format("%s%02d", "foo", 1)"#), "foo01");
}

#[test]
fn format_verbs_flags_width_and_precision() {
    assert_eq!(f(r#"format("%v %v %v %v", "s", 1.5, true, [1])"#), "s 1.5 true [1]");
    assert_eq!(f(r#"format("%v", 1000000)"#), "1e+06");
    assert_eq!(f(r#"format("%v", 123456)"#), "123456");
    assert_eq!(f(r#"format("%t %t", true, "false")"#), "true false");
    assert_eq!(f(r#"format("%b %o %x %X %#x", 5, 8, 255, 255, 255)"#), "101 10 ff FF 0xff");
    assert_eq!(f(r#"format("%d|%5d|%-5d|%05d|%+d|% d", -3, 42, 42, -42, 7, 7)"#), "-3|   42|42   |-0042|+7| 7");
    assert_eq!(f(r#"format("%.3d", 7)"#), "007");
    assert_eq!(
        f(r#"format("%f|%.2f|%9.2f|%-9.1f|%09.3f", 3.14159, 3.14159, 3.14159, -2.25, -1.5)"#),
        "3.141590|3.14|     3.14|-2.2     |-0001.500"
    );
    assert_eq!(f(r#"format("%e|%.2E", 123456.789, 0.000123)"#), "1.234568e+05|1.23E-04");
    assert_eq!(
        f(r#"format("%g|%g|%g|%.3g|%G", 0.00001234, 100, 1e21, 3.14159, 1e-7)"#),
        "1.234e-05|100|1e+21|3.14|1E-07"
    );
    assert_eq!(f(r#"format("%s|%5s|%-5s|%.2s|%05s", "ab", "ab", "ab", "abc", "ab")"#), "ab|   ab|ab   |ab|000ab");
    assert_eq!(f(r#"format("%q|%s|%s", "a\"b", 12, true)"#), r#""a\"b"|12|true"#);
    assert_eq!(f(r#"format("%3s|", "🤔")"#), "  🤔|");
    assert_eq!(f(r#"format("100%%")"#), "100%");
    assert_eq!(f(r#"format("%d", "12")"#), "12");
}

#[test]
fn format_errors_say_what_is_wrong() {
    fails(r#"format("%d", 1.5)"#, r#"format: unsupported value for "%d" at 0: an integer is required"#);
    fails(r#"format("%d", "x")"#, r#"unsupported value for "%d" at 0: a number is required"#);
    fails(r#"format("%s", null)"#, "null value cannot be formatted");
    fails(r#"format("%s", [1])"#, "cannot convert tuple to string");
    fails(r#"format("%t", 1)"#, "a bool is required");
    fails(r#"format("%s %s", "a")"#, r#"not enough arguments for "%s" at 3: need index 2 but have 1 total"#);
    fails(r#"format("%s", "a", "b")"#, "too many arguments; only 1 used by format string");
    fails(r#"format("x", "a")"#, "too many arguments; no verbs in format string");
    fails(r#"format("%y", 1)"#, r#"unsupported format verb 'y' in "%y" at offset 0"#);
    fails(r#"format("%!", 1)"#, "unrecognized format character '!' at offset 1");
    fails(r#"format("50%")"#, "invalid format string starting at offset 3");
    fails(r#"format([])"#, "format: argument \"format\" must be a string");
}

#[test]
fn formatlist_matches_terraform_docs() {
    assert_eq!(
        eval(r#"formatlist("Hello, %s!", ["Valentina", "Ander", "Olivia", "Sam"])"#),
        Ok(v(r#"["Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!"]"#))
    );
    assert_eq!(
        eval(r#"formatlist("%s, %s!", "Salutations", ["Valentina", "Ander", "Olivia", "Sam"])"#),
        Ok(v(r#"["Salutations, Valentina!", "Salutations, Ander!", "Salutations, Olivia!", "Salutations, Sam!"]"#))
    );
    assert_eq!(eval(r#"formatlist("%s", [])"#), Ok(v("[]")));
    assert_eq!(eval(r#"formatlist("%s-%d", "a", 1)"#), Ok(v(r#"["a-1"]"#)));
    fails(
        r#"formatlist("%s%s", ["a"], ["b", "c"])"#,
        "formatlist: argument 2 has length 2, which is inconsistent with argument 1 of length 1",
    );
    fails(r#"formatlist("%d", ["a"])"#, "formatlist: error on format iteration 0: unsupported value");
}
